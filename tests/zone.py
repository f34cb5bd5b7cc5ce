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
    # Migration 0003 creates these departments and routes on a migrated database; a test run after a
    # flush (live-server tests) has none.
    z.departments = {
        name: Department.objects.get_or_create(name=name, defaults={"order": i})[0]
        for i, name in enumerate(DEPARTMENTS)
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
        CategoryRoute.objects.update_or_create(
            category=category, defaults={"department": z.departments[department]}
        )

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


def build_dashboard_zone(z, year=2024):
    """A hand-countable year for the dashboard's figures, added to `build_zone()`'s zone.

    Four projects listed in `year` (cut-off May, today 20 June of `year`), one more listed only the
    year before; the figures are worked out by hand in tests/test_figures.py.
    """
    import zoneinfo

    from projects.models import Issue, IssueStatus, Level, MonthlyReport, Visit

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    z.dash_year = year
    z.dash_today = datetime.date(year, 6, 20)

    def project(code, park, total, **fields):
        return Project.objects.create(
            code=code,
            name=f"项目{code}",
            enterprise=z.enterprise,
            park=park,
            total_investment=Decimal(total),
            stage=Stage.CONSTRUCTION if fields.get("actual_start") else Stage.PREPARATION,
            **fields,
        )

    def listing(p, level, kind, planned, on_year=year):
        Listing.objects.create(
            project=p, year=on_year, level=level, kind=kind, planned_investment=Decimal(planned)
        )

    def reports(p, *amounts, on_year=year):
        for month, amount in amounts:
            MonthlyReport.objects.create(project=p, year=on_year, month=month, amount=Decimal(amount))

    leader = z.leader.staff
    z.p1 = project(
        "D-1", z.park_a, 50000, leader=leader, actual_start=datetime.date(year, 3, 1),
        planned_start=datetime.date(year, 3, 1),
    )  # fmt: skip
    z.p2 = project(
        "D-2", z.park_a, 8000, leader=leader, actual_start=datetime.date(year, 6, 10),
        planned_start=datetime.date(year, 5, 1),
    )  # fmt: skip
    z.p3 = project("D-3", z.park_b, 12000, actual_start=datetime.date(year - 1, 5, 1))
    z.p4 = project("D-4", z.park_b, 15000, leader=leader, planned_start=datetime.date(year, 4, 1))
    z.p5 = project("D-5", z.park_b, 20000, actual_start=datetime.date(year - 1, 2, 1))
    listing(z.p1, ListingLevel.PROVINCE, ListingKind.NEW, 20000)
    listing(z.p2, ListingLevel.CITY, ListingKind.NEW, 3000)
    listing(z.p3, ListingLevel.CITY, ListingKind.CONTINUING, 5000)
    listing(z.p4, ListingLevel.DISTRICT, ListingKind.NEW, 2000)
    listing(z.p3, ListingLevel.CITY, ListingKind.NEW, 6000, on_year=year - 1)
    listing(z.p5, ListingLevel.CITY, ListingKind.NEW, 9000, on_year=year - 1)
    reports(z.p1, (1, 1000), (3, 2000), (5, 3000), (6, 4000))
    reports(z.p1, (12, 500), on_year=year - 1)
    reports(z.p2, (4, 500))
    reports(z.p3, (2, 1000))
    reports(z.p5, (3, 999))  # not listed this year: not counted

    def issue(p, level, status, raised, resolved=None, **fields):
        raised_at = datetime.datetime.combine(raised, datetime.time(9), tzinfo=shanghai)
        resolved_at = resolved and datetime.datetime.combine(resolved, datetime.time(16), tzinfo=shanghai)
        extra = {"resolution": "已解决"} if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) else {}
        if status == IssueStatus.CLOSED:
            extra.update(feedback="已反馈", satisfaction="satisfied")
        return Issue.objects.create(
            project=p, category="permits", description="诉求", level=level, status=status,
            raised_at=raised_at, resolved_at=resolved_at, **extra, **fields,
        )  # fmt: skip

    d = datetime.date
    z.i1 = issue(z.p1, Level.GRID_HELP, IssueStatus.OPEN, d(year, 5, 1), deadline=d(year, 6, 10))
    z.i2 = issue(
        z.p1, Level.LEADER, IssueStatus.IN_PROGRESS, d(year, 5, 2), deadline=d(year, 6, 1), suspended=True
    )
    z.i3 = issue(z.p2, Level.COORDINATION, IssueStatus.OPEN, d(year, 5, 3), deadline=d(year, 7, 1))
    z.i4 = issue(z.p3, Level.SUPERVISION, IssueStatus.OPEN, d(year, 5, 4), deadline=d(year, 6, 19))
    issue(z.p3, Level.GRID_HELP, IssueStatus.RESOLVED, d(year, 3, 5), d(year, 3, 5), solved_on_site=True)
    issue(z.p4, Level.GRID_HELP, IssueStatus.RESOLVED, d(year, 4, 1), d(year, 4, 8))
    issue(z.p1, Level.GRID_HELP, IssueStatus.RESOLVED, d(year, 5, 6), d(year, 5, 8))
    issue(z.p2, Level.GRID_HELP, IssueStatus.RESOLVED, d(year, 6, 3), d(year, 6, 4))
    issue(z.p3, Level.COORDINATION, IssueStatus.CLOSED, d(year, 1, 2), d(year, 1, 12))
    issue(z.p3, Level.GRID_HELP, IssueStatus.RESOLVED, d(year, 6, 5), d(year, 6, 5), solved_on_site=True)

    def visit(p, day, **fields):
        return Visit.objects.create(project=p, date=day, summary="走访", **fields)

    visit(z.p1, d(year, 5, 10))
    visit(z.p3, d(year, 5, 31))
    visit(z.p2, d(year, 4, 30))
    visit(z.p1, d(year, 5, 20), withdrawn_at=datetime.datetime(year, 5, 21, tzinfo=shanghai))
    visit(z.p1, d(year, 6, 15))
    return z


def add_bulk_projects(z, count, year=2024, prefix="BULK"):
    """`count` more projects listed in `year`, each with reports, issues and visits (for query counts)."""
    import zoneinfo

    from projects.models import Issue, IssueStatus, Level, MonthlyReport, Visit

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    parks = [z.park_a, z.park_b]
    leaders = [z.leader.staff, None]
    for i in range(count):
        p = Project.objects.create(
            code=f"{prefix}-{i:04d}",
            name=f"批量项目{i}",
            enterprise=z.enterprise,
            park=parks[i % 2],
            total_investment=Decimal(5000 + 1000 * i),
            stage=Stage.CONSTRUCTION if i % 3 else Stage.PREPARATION,
            actual_start=datetime.date(year, 1 + i % 12, 1) if i % 3 else None,
            planned_start=datetime.date(year, 1 + i % 12, 1),
            leader=leaders[i % 2],
            grid_worker=z.grid.staff if i % 2 == 0 else None,
        )
        Listing.objects.create(
            project=p,
            year=year,
            level=list(ListingLevel)[i % 3],
            kind=list(ListingKind)[i % 2],
            planned_investment=Decimal(1000 + i),
        )
        for month in (1, 4, 7):
            MonthlyReport.objects.create(project=p, year=year, month=month, amount=Decimal(100 + i))
        raised = datetime.datetime(year, 1 + i % 12, 2, 9, tzinfo=shanghai)
        Issue.objects.create(
            project=p, category="land", description="用地", level=1 + i % 4, status=IssueStatus.OPEN,
            raised_at=raised, deadline=datetime.date(year, 6, 1),
        )  # fmt: skip
        Issue.objects.create(
            project=p, category="hiring", description="用工", level=Level.GRID_HELP,
            status=IssueStatus.RESOLVED, resolution="已解决", raised_at=raised,
            resolved_at=raised + datetime.timedelta(days=i % 9),
        )  # fmt: skip
        Visit.objects.create(project=p, date=datetime.date(year, 1 + i % 12, 15), summary="走访")
