"""A small, hand-countable zone for tests: two parks, the departments, one persona per role.

Personas (password `demo-pass-2026` for all):
grid (grid worker of 航空航天产业园), grid_b (grid worker of 高校园区), dept (department staff of
行政审批局), coordinator (经济发展局), leader (committee leader), supervisor, admin (administrator
through the role), superuser (a Django superuser without profile), nobody (a user without profile).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from projects.models import (
    CategoryRoute,
    Department,
    Enterprise,
    Listing,
    ListingKind,
    ListingLevel,
    Park,
    Project,
    Role,
    RoleCode,
    Staff,
    Stage,
)

PASSWORD = "demo-pass-2026"
DEPARTMENTS = ["经济发展局", "行政审批局", "自然资源和规划局", "人力资源和社会保障局", "财政金融局"]


def make_user(username, *roles, name=None, department=None, parks=(), superuser=False):
    user = get_user_model().objects.create_user(
        username, password=PASSWORD, is_superuser=superuser, is_staff=superuser
    )
    if roles or department or parks:
        staff = Staff.objects.create(user=user, name=name or username, department=department)
        staff.roles.set([Role.objects.get_or_create(code=code)[0] for code in roles])
        staff.parks.set(parks)
    return user


def build_zone():
    z = SimpleNamespace()
    z.park_a = Park.objects.create(name="航空航天产业园", order=1)
    z.park_b = Park.objects.create(name="高校园区", order=2)
    z.departments = {
        name: Department.objects.create(name=name, order=i) for i, name in enumerate(DEPARTMENTS)
    }
    z.edb = z.departments["经济发展局"]
    z.approval = z.departments["行政审批局"]
    for category, department in [
        ("permits", "行政审批局"),
        ("land", "自然资源和规划局"),
        ("hiring", "人力资源和社会保障局"),
        ("utilities", "经济发展局"),
        ("finance", "财政金融局"),
        ("policy", "经济发展局"),
    ]:
        CategoryRoute.objects.create(category=category, department=z.departments[department])

    z.grid = make_user("grid", RoleCode.GRID_WORKER, name="王网格", parks=[z.park_a])
    z.grid_b = make_user("grid_b", RoleCode.GRID_WORKER, name="李网格", parks=[z.park_b])
    z.dept = make_user("dept", RoleCode.DEPARTMENT, name="赵审批", department=z.approval)
    z.coordinator = make_user("coordinator", RoleCode.COORDINATOR, name="钱经发", department=z.edb)
    z.leader = make_user("leader", RoleCode.LEADER, name="孙主任")
    z.supervisor = make_user("supervisor", RoleCode.SUPERVISOR, name="周督查")
    z.admin = make_user("admin", RoleCode.ADMINISTRATOR, name="吴管理")
    z.superuser = make_user("superuser", superuser=True)
    z.nobody = make_user("nobody")

    z.enterprise = Enterprise.objects.create(name="联博新能源汽车驱动电机有限公司")
    year = datetime.date.today().year
    z.year = year
    z.project_a = Project.objects.create(
        code="P-A1",
        name="联博新能源汽车驱动电机定子项目",
        enterprise=z.enterprise,
        park=z.park_a,
        total_investment=Decimal("50000"),
        stage=Stage.CONSTRUCTION,
        actual_start=datetime.date(year, 2, 10),
        planned_start=datetime.date(year, 2, 1),
        leader=z.leader.staff,
        grid_worker=z.grid.staff,
        lead_department=z.edb,
    )
    z.project_b = Project.objects.create(
        code="P-B1",
        name="高校园区实验楼项目",
        enterprise=Enterprise.objects.create(name="江大科技有限公司"),
        park=z.park_b,
        total_investment=Decimal("8000"),
        stage=Stage.PREPARATION,
        planned_start=datetime.date(year, 9, 1),
        leader=z.leader.staff,
        grid_worker=z.grid_b.staff,
        lead_department=z.approval,
    )
    Listing.objects.create(
        project=z.project_a,
        year=year,
        level=ListingLevel.PROVINCE,
        kind=ListingKind.NEW,
        planned_investment=Decimal("20000"),
    )
    Listing.objects.create(
        project=z.project_b,
        year=year,
        level=ListingLevel.CITY,
        kind=ListingKind.NEW,
        planned_investment=Decimal("3000"),
    )
    return z
