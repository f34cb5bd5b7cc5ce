"""The data migrations: a fresh database routes issues as PRODUCT.md "Routing" says, without the demo."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from projects import demo, synthetic
from projects.models import CategoryRoute, Department, Enterprise, Park, Project, RoleCode
from projects.services.issues import issue_raise
from tests.zone import make_user

defaults = importlib.import_module("projects.migrations.0003_default_routes")

ROUTES = {
    "permits": "行政审批局",
    "land": "自然资源和规划局",
    "hiring": "人力资源和社会保障局",
    "utilities": "经济发展局",
    "finance": "财政金融局",
    "policy": "经济发展局",
}


def routes():
    return dict(CategoryRoute.objects.values_list("category", "department__name"))


def rows():
    return Department.objects.count(), CategoryRoute.objects.count()


@pytest.mark.django_db
def test_a_migrated_database_has_the_products_routes():
    assert set(Department.objects.values_list("name", flat=True)) == set(ROUTES.values())
    assert routes() == ROUTES  # 其他 has none: it goes to the project's lead department


@pytest.mark.django_db
def test_a_land_issue_goes_to_the_land_bureau_without_the_demo():
    park = Park.objects.create(name="航空航天产业园")
    edb = Department.objects.get(name="经济发展局")
    project = Project.objects.create(
        code="P-1",
        name="定子项目",
        enterprise=Enterprise.objects.create(name="联博"),
        park=park,
        total_investment=Decimal(50000),
        lead_department=edb,
    )
    grid = make_user("grid", RoleCode.GRID_WORKER, parks=[park])
    land = issue_raise(project=project, category="land", description="用地指标", by=grid)
    assert land.department.name == "自然资源和规划局"
    other = issue_raise(project=project, category="other", description="其他", by=grid)
    assert other.department == edb


@pytest.mark.django_db
def test_the_migration_keeps_existing_rows():
    land = CategoryRoute.objects.get(category="land")
    land.department = Department.objects.get(name="经济发展局")  # an administrator's change
    land.save()
    before = rows()
    defaults.create_routes(apps, None)
    defaults.create_routes(apps, None)
    assert rows() == before
    assert routes()["land"] == "经济发展局"


@pytest.mark.django_db
def test_a_renamed_department_is_not_created_again():
    # An installation whose administrator renamed 经济发展局 (routes in place) gets no second one.
    Department.objects.filter(name="经济发展局").update(name="经济发展和科技局")
    defaults.create_routes(apps, None)
    assert not Department.objects.filter(name="经济发展局").exists()
    assert routes()["policy"] == "经济发展和科技局"
    # A route the administrator deleted comes back, with the department it needs.
    CategoryRoute.objects.filter(category="finance").delete()
    defaults.create_routes(apps, None)
    assert routes()["finance"] == "财政金融局"


@pytest.mark.django_db
def test_load_demo_adds_only_what_it_needs():
    existing = dict(CategoryRoute.objects.values_list("category", "pk"))
    demo.load_demo(today=datetime.date(2026, 6, 20))
    assert rows() == (len(demo.DEPARTMENTS), len(demo.ROUTES))
    assert dict(CategoryRoute.objects.values_list("category", "pk")) == {
        **existing,
        "other": CategoryRoute.objects.get(category="other").pk,
    }
    assert routes() == {**ROUTES, "other": "经济发展局"}
    demo.load_demo(today=datetime.date(2026, 6, 20))
    assert rows() == (len(demo.DEPARTMENTS), len(demo.ROUTES))


@pytest.mark.django_db
def test_generate_data_adds_only_what_it_needs():
    synthetic.generate(scale=0.01, seed=1, today=datetime.date(2026, 5, 20))
    assert Department.objects.count() == len(set(synthetic.DEPARTMENTS) | set(ROUTES.values()))
    assert routes() == {**ROUTES, "other": "经济发展局"}  # the migration's routes are kept


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_as_a_no_op():
    # An earlier transactional test may have flushed the tables: apply 0003 afresh first.
    call_command("migrate", "projects", "0002", verbosity=0)
    call_command("migrate", "projects", verbosity=0)
    before = rows()
    assert before == (len(set(ROUTES.values())), len(ROUTES))
    call_command("migrate", "projects", "0002", verbosity=0)
    assert rows() == before
    call_command("migrate", "projects", verbosity=0)
    assert rows() == before


@pytest.mark.django_db(transaction=True)
def test_milestones_move_into_the_plan_and_back_with_nothing_lost():
    """On the demo zone's data: its free nodes (the former milestones, with the stator plant's lines,
    PPAP and mass production) go back into milestones when the migration is reversed, and come back
    as the same nodes when it is applied again."""
    from projects.models import PlanNode

    demo.load_demo(today=datetime.date(2026, 6, 20))

    def free_nodes():
        return sorted(
            PlanNode.objects.filter(stage="", permit_type__isnull=True).values_list(
                "project__code", "name", "planned_date", "actual_date", "note"
            )
        )

    before = free_nodes()
    assert len(before) > 100 and any("PPAP" in name for _code, name, *_rest in before)
    call_command("migrate", "projects", "0008", verbosity=0)
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("projects", "0008_plans_nodes"))
    milestone = state.apps.get_model("projects", "Milestone")
    assert (
        sorted(milestone.objects.values_list("project__code", "name", "planned_date", "actual_date", "note"))
        == before
    )
    call_command("migrate", "projects", verbosity=0)
    assert free_nodes() == before
