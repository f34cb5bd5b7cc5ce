"""The node page asks before it keeps a doubtful date (issue #15), with the stage page's step: a
planned or actual date far from today, before the signing or out of order is shown with its reasons,
kept only when confirmed, or corrected; a stage node's date goes through the stage confirmation."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projects.models import Project, Stage
from projects.querysets import today
from projects.services.plans import node_update
from tests.test_plans import D, planned  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def edit(client, project, node, planned_date, **extra):
    data = {
        "action": "edit",
        "edit-version": project.version,
        "edit-planned_date": planned_date.isoformat(),
        "edit-responsible": "",
        "edit-department": node.department_id or "",
        "edit-note": "",
        **{f"edit-{key}": value for key, value in extra.items()},
    }
    return client.post(reverse("plan_node", args=[project.pk, node.pk]), data)


def done(client, project, node, date, **extra):
    data = {
        "action": "done",
        "done-version": project.version,
        "done-date": date.isoformat(),
        "done-evidence": "",
    }
    data |= {f"done-{key}": value for key, value in extra.items()}
    return client.post(reverse("plan_node", args=[project.pk, node.pk]), data)


def test_a_planned_date_years_away_is_confirmed_or_corrected(zone, planned, login):  # noqa: F811
    node = planned.nodes.get(name="设备进场")
    client = login(zone.grid)
    far = today() + datetime.timedelta(days=365 * 4)
    response = edit(client, planned, node, far)
    html = response.content.decode()
    assert response.status_code == 200 and "3 年" in html and 'name="edit-doubts_confirmed"' in html
    assert f'value="{far.isoformat()}"' in html  # the typed date is kept for correcting
    node.refresh_from_db()
    assert node.planned_date != far

    response = edit(client, planned, node, far, doubts_confirmed="on")
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.planned_date == far


def test_a_planned_date_out_of_order_names_the_neighbour_and_a_corrected_one_saves(zone, planned, login):  # noqa: F811
    nodes = {n.name: n for n in planned.nodes.with_dates()}
    node, start = nodes["主体封顶"], nodes["开工"]
    client = login(zone.grid)
    early = nodes["施工许可"].planned_on - datetime.timedelta(days=10)
    html = edit(client, planned, node, early).content.decode()
    # The latest of the earlier nodes it would precede is named.
    assert (
        f"计划日期早于前一节点 开工（{start.planned_on}）" in html and 'name="edit-doubts_confirmed"' in html
    )
    corrected = nodes["设备进场"].planned_on - datetime.timedelta(days=1)
    assert edit(client, planned, node, corrected).status_code == 302
    node.refresh_from_db()
    assert node.planned_date == corrected


def test_adjusting_the_responsible_person_does_not_ask_again(zone, planned, login):  # noqa: F811
    node = planned.nodes.get(name="设备进场")
    far = today() + datetime.timedelta(days=365 * 4)
    node_update(node=node, by=zone.grid, planned_date=far, responsible=None, expected_version=planned.version,
                doubts_confirmed=True)  # fmt: skip
    planned.refresh_from_db()
    response = edit(login(zone.grid), planned, node, far, responsible=zone.grid.staff.pk)
    assert response.status_code == 302


def test_a_free_node_done_before_the_signing_needs_a_confirmation(zone, planned, login):  # noqa: F811
    node = planned.nodes.get(name="主体封顶")
    client = login(zone.grid)
    before = planned.signed_on - datetime.timedelta(days=5)
    html = done(client, planned, node, before).content.decode()
    assert "早于签约日期" in html and 'name="done-doubts_confirmed"' in html
    node.refresh_from_db()
    assert node.actual_date is None
    assert done(client, planned, node, before, doubts_confirmed="on").status_code == 302
    node.refresh_from_db()
    assert node.actual_date == before


def test_a_stage_node_done_goes_through_the_stage_confirmation(zone, planned, login):  # noqa: F811
    node = planned.nodes.get(stage=Stage.PREPARATION)
    client = login(zone.grid)
    day = D(2025, 4, 1)
    response = done(client, planned, node, day)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "签约 → <strong>前期</strong>" in html
    assert Project.objects.get(pk=planned.pk).filed_on is None
    assert done(client, planned, node, day, confirm=f"preparation:{day}").status_code == 302
    assert Project.objects.get(pk=planned.pk).filed_on == day


def test_the_service_refuses_an_unconfirmed_doubt_and_the_rulebook_who(zone, planned, login):  # noqa: F811
    node = planned.nodes.get(name="设备进场")
    far = today() + datetime.timedelta(days=365 * 4)
    with pytest.raises(ValidationError) as refused:
        node_update(node=node, by=zone.grid, planned_date=far, responsible=None, expected_version=None)
    assert refused.value.error_dict["planned_date"][0].code == "doubtful"
    with pytest.raises(PermissionDenied):
        node_update(node=node, by=zone.leader, planned_date=far, responsible=None, expected_version=None,
                    doubts_confirmed=True)  # fmt: skip
    assert edit(login(zone.leader), planned, node, far, doubts_confirmed="on").status_code == 403
    node.refresh_from_db()
    assert node.planned_date != far
