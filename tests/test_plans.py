"""Node plans (挂图作战): template → plan in working days, one source for stage and permit dates, node
states and the light's reasons, the plan pages and the zone's late nodes."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from projects.models import (
    Enterprise,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    NodeTemplate,
    Permit,
    PermitStatus,
    PermitType,
    PlanNode,
    Project,
    ProjectType,
    Rules,
    Stage,
    Visit,
)
from projects.plans import annotate_states
from projects.services.plans import node_complete, node_update, plan_create

pytestmark = pytest.mark.django_db
D = datetime.date


def _project(zone, code="PL-1", **fields):
    fields.setdefault("stage", Stage.SIGNED)
    return Project.objects.create(
        code=code,
        name=f"计划{code}",
        enterprise=Enterprise.objects.get_or_create(name="计划企业")[0],
        park=zone.park_a,
        total_investment=Decimal("20000"),
        grid_worker=zone.grid.staff,
        **fields,
    )


def test_template_to_plan_in_working_days_over_a_holiday_and_a_makeup_saturday(zone):
    # Signed on Friday 26 September 2025: Sunday 28 September and Saturday 11 October are 调休
    # working days, 1–8 October the National Day holiday.
    NodeTemplate.objects.filter(project_type=ProjectType.EXPANSION).delete()
    for order, (name, offset) in enumerate(
        [("签约", 0), ("a", 1), ("b", 2), ("c", 4), ("d", 6), ("e", 7)], start=1
    ):
        NodeTemplate.objects.create(
            project_type=ProjectType.EXPANSION,
            name=name,
            order=order,
            offset_days=offset,
            stage=Stage.SIGNED if name == "签约" else "",
        )
    project = _project(zone, project_type=ProjectType.EXPANSION, signed_on=D(2025, 9, 26))
    assert plan_create(project=project, by=zone.grid) == 6
    planned = {n.name: n.planned_on for n in project.nodes.with_dates()}
    assert planned == {
        "签约": D(2025, 9, 26),
        "a": D(2025, 9, 28),  # the make-up Sunday counts
        "b": D(2025, 9, 29),
        "c": D(2025, 10, 9),  # 30 September, then the holiday
        "d": D(2025, 10, 11),  # the make-up Saturday
        "e": D(2025, 10, 13),
    }
    # Idempotent: a second run adds nothing and keeps what was adjusted.
    assert plan_create(project=project, by=zone.grid) == 0


def test_the_default_new_build_template_of_the_product(zone):
    names = list(
        NodeTemplate.objects.filter(project_type=ProjectType.NEW_BUILD)
        .order_by("order")
        .values_list("name", flat=True)
    )
    assert names == [
        "签约",
        "立项备案",
        "土地摘牌",
        "规划许可",
        "施工许可",
        "开工",
        "主体封顶",
        "设备进场",
        "竣工验收",
        "投产",
    ]
    assert NodeTemplate.objects.filter(project_type=ProjectType.EXPANSION).exists()
    assert NodeTemplate.objects.filter(project_type=ProjectType.INFRASTRUCTURE).exists()


@pytest.fixture
def planned(zone):
    project = _project(zone, signed_on=D(2025, 3, 3), planned_start=D(2025, 10, 9))
    plan_create(project=project, by=zone.grid)
    project.refresh_from_db()
    return project


def test_stage_nodes_read_and_write_the_projects_dates(zone, planned):
    project = planned
    start = project.nodes.get(stage=Stage.CONSTRUCTION)
    assert start.planned_date is None  # the planned start lives on the project
    assert project.nodes.with_dates().get(pk=start.pk).planned_on == D(2025, 10, 9)
    node_update(
        node=start,
        by=zone.grid,
        planned_date=D(2025, 11, 3),
        responsible=zone.grid.staff,
        expected_version=project.version,
    )
    project.refresh_from_db()
    assert project.planned_start == D(2025, 11, 3)
    filing = project.nodes.get(stage=Stage.PREPARATION)
    node_complete(
        node=filing, by=zone.grid, date=D(2025, 4, 1), evidence="备案证", expected_version=project.version
    )
    project.refresh_from_db()
    assert (project.stage, project.filed_on) == (Stage.PREPARATION, D(2025, 4, 1))
    filing.refresh_from_db()
    assert filing.actual_date is None and filing.evidence == "备案证"  # no copy of the date
    assert project.nodes.with_dates().get(pk=filing.pk).done_on == D(2025, 4, 1)
    # A stage date recorded elsewhere (the project page) is the node's at once.
    from projects.services.progress import project_start

    project_start(project=project, by=zone.grid, date=D(2025, 11, 5), expected_version=project.version)
    assert project.nodes.with_dates().get(stage=Stage.CONSTRUCTION).done_on == D(2025, 11, 5)


def test_permit_nodes_read_and_write_the_permit(zone, planned):
    project = planned
    permit_type = PermitType.objects.get(name="施工许可")
    node = project.nodes.get(permit_type=permit_type)
    node_complete(node=node, by=zone.grid, date=D(2025, 9, 1), expected_version=project.version)
    permit = Permit.objects.get(project=project, permit_type=permit_type)
    assert (permit.status, permit.approved_on) == (PermitStatus.APPROVED, D(2025, 9, 1))
    land = project.nodes.get(permit_type__name="用地")
    Permit.objects.create(project=project, permit_type=land.permit_type, status=PermitStatus.NOT_NEEDED)
    states = {n.name: n.state for n in annotate_states(project.nodes.with_dates(), D(2026, 1, 5))}
    assert states["施工许可"] == "done" and states["土地摘牌"] == "not_needed"


def test_a_bound_node_never_keeps_a_date_of_its_own(zone, planned):
    from django.db import IntegrityError, transaction

    node = planned.nodes.get(stage=Stage.SIGNED)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PlanNode.objects.filter(pk=node.pk).update(actual_date=D(2025, 1, 1))


def test_who_may_change_a_plan(zone, planned):
    node = planned.nodes.first()
    for persona in (zone.dept, zone.leader, zone.supervisor):
        with pytest.raises(PermissionDenied):
            node_update(node=node, by=persona, planned_date=None, responsible=None, expected_version=None)
    with pytest.raises(ValidationError):  # a future actual date
        node_complete(node=node, by=zone.coordinator, date=D(2099, 1, 1), expected_version=None)


def _green_project(zone, today):
    """Listed continuing, on track, visited: green until a node is late."""
    project = _project(zone, code="PL-G", stage=Stage.CONSTRUCTION, actual_start=D(2023, 5, 1))
    Listing.objects.create(
        project=project,
        year=today.year,
        level=ListingLevel.CITY,
        kind=ListingKind.CONTINUING,
        planned_investment=Decimal("1200"),
    )
    for month in range(1, today.month + 1):
        MonthlyReport.objects.create(project=project, year=today.year, month=month, amount=Decimal("100"))
    Visit.objects.create(project=project, date=today, summary="走访", recorded_by=zone.grid.staff)
    return project


def _light(project, today):
    """The light the page shows, checked against the database's light that lists filter by."""
    lit = Project.objects.with_light(year=today.year, month=today.month, today=today, by_light=True)
    lit = lit.filter(pk=project.pk)
    shown = lit.get().light
    assert list(lit.filter(light=shown).values_list("pk", flat=True)) == [project.pk]
    return shown


def test_late_nodes_turn_the_light_with_the_node_and_its_delay_as_reason(zone):
    today = D(2025, 6, 20)  # a Friday
    project = _green_project(zone, today)
    assert _light(project, today) == "green"
    # Planned Friday 6 June: 10 working days late by Friday 20 June (the Dragon Boat holiday, 2 June,
    # is before it); planned 5 June: 11.
    node = PlanNode.objects.create(project=project, name="设备进场", planned_date=D(2025, 6, 6))
    assert _light(project, today) == "yellow"
    node.is_key = True
    node.save()
    assert _light(project, today) == "yellow"  # key, but not more than 10 working days late
    node.planned_date = D(2025, 6, 5)  # 11 working days late: more than red_node_days (10)
    node.save()
    assert _light(project, today) == "red"

    def reasons():
        lit = Project.objects.with_light(year=today.year, month=today.month, today=today).get(pk=project.pk)
        return [(reason.light, reason.text) for reason in lit.light_reasons]

    with translation.override("zh-hans"):
        assert reasons() == [("red", "节点 设备进场 逾期 11 个工作日（计划 2025-06-05）")]
    with translation.override("en"):
        assert reasons() == [("red", "Node 设备进场 is 11 working days late (planned 2025-06-05)")]
    node.is_key = False
    node.save()
    with translation.override("en"):
        assert reasons() == [("yellow", "Node 设备进场 is 11 working days late (planned 2025-06-05)")]
    node.is_key = True
    node.save()
    Rules.objects.filter(pk=1).update(red_node_days=15)
    assert _light(project, today) == "yellow"  # the threshold is the administrator's
    node_complete(node=node, by=zone.grid, date=D(2025, 6, 19), expected_version=None)
    assert _light(project, today) == "green"


def test_the_reason_names_the_key_node_beyond_the_threshold_before_a_later_one(zone):
    today = D(2025, 6, 20)
    project = _green_project(zone, today)
    PlanNode.objects.create(project=project, name="环评", planned_date=D(2025, 5, 6))  # most late, not key
    PlanNode.objects.create(project=project, name="设备进场", planned_date=D(2025, 6, 5), is_key=True)
    PlanNode.objects.create(project=project, name="主体封顶", planned_date=D(2025, 5, 30), is_key=True)
    assert _light(project, today) == "red"
    lit = Project.objects.with_light(year=today.year, month=today.month, today=today).get(pk=project.pk)
    with translation.override("en"):
        assert [(reason.light, reason.text) for reason in lit.light_reasons] == [
            ("red", "Node 主体封顶 is 14 working days late (planned 2025-05-30)")  # 2 June a holiday
        ]


def test_plan_page_list_and_chart_data(zone, planned, login):
    response = login(zone.grid).get(reverse("project_plan", args=[planned.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="plan-chart"' in html and 'id="plan-data"' in html
    assert html.count("node-") >= 10
    rows = response.context["chart"]["rows"]
    assert [row["name"] for row in rows][:2] == ["签约", "立项备案"]
    assert all(row["planned_start"] <= row["planned_end"] for row in rows if row["planned_end"])


def test_plan_page_query_count_does_not_grow_with_the_nodes(zone, planned, login, django_assert_num_queries):
    client = login(zone.grid)
    url = reverse("project_plan", args=[planned.pk])
    client.get(url)  # warm the session
    for n in range(8):
        PlanNode.objects.create(project=planned, name=f"加{n}", planned_date=D(2025, 5, n + 1))
    # session, user, staff with its roles (1), the project, Rules, the nodes with their dates, their
    # documents, the calendar of their delays, the rulebook's grid-worker check (may edit), unread
    # notifications, the add form's people and departments (2) = 12, for 10 nodes as for 18.
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200


def test_adding_a_node_and_bad_input(zone, planned, login):
    client = login(zone.grid)
    url = reverse("plan_node_add", args=[planned.pk])
    response = client.post(
        url, {"add-version": planned.version, "add-name": "  ", "add-planned_date": "2025-13-01"}
    )
    assert response.status_code == 400
    assert not planned.nodes.filter(template__isnull=True).exists()
    response = client.post(
        url,
        {
            "add-version": planned.version,
            "add-name": "PPAP 认定",
            "add-planned_date": "2025-12-01",
            "add-is_key": "on",
        },
    )
    assert response.status_code == 302
    node = planned.nodes.get(name="PPAP 认定")
    assert node.is_key and node.template is None
    stale = client.post(url, {"add-version": planned.version, "add-name": "又一个"})
    assert stale.status_code == 400 and not planned.nodes.filter(name="又一个").exists()
    assert login(zone.leader).post(url, {"add-version": 99, "add-name": "x"}).status_code == 403


def test_node_page_marks_done_with_evidence(zone, planned, login):
    node = planned.nodes.get(name="主体封顶")
    client = login(zone.grid)
    url = reverse("plan_node", args=[planned.pk, node.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "done",
            "done-version": planned.version,
            "done-date": "2025-08-01",
            "done-evidence": "验收记录",
        },
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert (node.actual_date, node.evidence) == (D(2025, 8, 1), "验收记录")
    assert node.history.count() >= 2


def test_zone_nodes_page_by_park_and_department(zone, planned, login, django_assert_num_queries):
    client = login(zone.coordinator)
    with mock.patch("projects.views.plans.today", return_value=D(2025, 6, 20)):
        late = client.get(reverse("zone_nodes"), {"show": "late"})
        names = {node.name for node in late.context["page"].object_list}
        assert {"立项备案", "土地摘牌"} <= names and "签约" not in names  # signed on 3 March
        approval = zone.departments["行政审批局"]
        by_department = client.get(reverse("zone_nodes"), {"department": approval.pk})
        assert {n.department_id for n in by_department.context["page"].object_list} == {approval.pk}
        other_park = client.get(reverse("zone_nodes"), {"park": zone.park_b.pk})
        assert list(other_park.context["page"].object_list) == []
        assert (
            client.get(reverse("zone_nodes"), {"park": "abc", "department": "99999999999"}).status_code == 200
        )
    # A grid worker of another park sees none of them.
    assert list(login(zone.grid_b).get(reverse("zone_nodes")).context["page"].object_list) == []


def test_late_key_nodes_on_the_responsible_persons_home(zone, planned, login):
    # The leader leads neither project of the plan: only the key node naming him reaches his home.
    key = planned.nodes.get(name="施工许可")
    other = planned.nodes.get(name="主体封顶")
    PlanNode.objects.filter(pk__in=[key.pk, other.pk]).update(responsible=zone.leader.staff)
    late = login(zone.leader).get(reverse("home")).context["late_nodes"]
    assert [n["pk"] for n in late] == [key.pk]
    assert late[0]["delay_days"] > 0
    assert key.pk in [n["pk"] for n in login(zone.grid).get(reverse("home")).context["late_nodes"]]
