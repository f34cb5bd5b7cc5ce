"""Stage dates ask before they change facts: an explicit date, a confirmation of what changes, a second
confirmation for an implausible date, and corrections through a request a coordinator approves."""

import datetime
import re

import pytest
from django.urls import reverse

from projects.models import CorrectionStatus, Project, Stage, StageCorrection
from projects.querysets import today

pytestmark = pytest.mark.django_db


def url(project, action="start"):
    return reverse(f"project_{action}", args=[project.pk])


def post(client, project, action, date, **extra):
    data = {f"{action}-date": date.isoformat(), f"{action}-version": str(project.version)}
    data |= {f"{action}-{key}": value for key, value in extra.items()}
    return client.post(url(project, action), data)


def test_the_stage_box_is_empty_and_the_first_tap_only_shows_what_changes(zone, login):
    client = login(zone.grid_b)
    page = client.get(reverse("project_detail", args=[zone.project_b.pk])).content.decode()
    box = re.search(r'<input[^>]*name="start-date"[^>]*>', page).group(0)
    assert "value=" not in box  # no pre-filled today

    day = today() - datetime.timedelta(days=2)
    response = post(client, zone.project_b, "start", day)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "前期 → <strong>在建</strong>" in html
    assert "50.0% → 100.0%" in html  # one of the two new-build projects started; this one makes two
    assert Project.objects.get(pk=zone.project_b.pk).actual_start is None  # nothing written yet

    response = post(client, zone.project_b, "start", day, confirm=f"construction:{day}")
    assert response.status_code == 302
    project = Project.objects.get(pk=zone.project_b.pk)
    assert (project.stage, project.actual_start) == (Stage.CONSTRUCTION, day)


def test_an_implausible_date_needs_a_second_confirmation_with_its_reason(zone, login):
    client = login(zone.grid)
    project = zone.project_a  # started on 10 February
    early = project.actual_start + datetime.timedelta(days=30)
    html = post(client, project, "complete", early).content.decode()
    assert "3 个月" in html and 'name="complete-doubts_confirmed"' in html
    # Confirming once is not enough for an implausible date.
    response = post(client, project, "complete", early, confirm=f"completed:{early}")
    assert response.status_code == 200 and 'id="stage-confirmation"' in response.content.decode()
    assert Project.objects.get(pk=project.pk).actual_completion is None
    response = post(client, project, "complete", early, confirm=f"completed:{early}", doubts_confirmed="on")
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).stage == Stage.COMPLETED


def test_a_start_long_before_the_planned_start_is_doubted(zone, login):
    client = login(zone.grid_b)
    long_before = zone.project_b.planned_start - datetime.timedelta(days=400)
    html = post(client, zone.project_b, "start", long_before).content.decode()
    assert "计划开工" in html and 'name="start-doubts_confirmed"' in html


def test_a_recorded_date_is_not_recorded_again(zone, login):
    response = post(login(zone.grid), zone.project_a, "start", today(), confirm=f"construction:{today()}")
    assert response.status_code == 400
    assert Project.objects.get(pk=zone.project_a.pk).actual_start == zone.project_a.actual_start


def test_a_wrong_stage_date_is_corrected_through_a_request_a_coordinator_approves(zone, login):
    project = zone.project_a
    right = project.actual_start + datetime.timedelta(days=10)
    grid = login(zone.grid)
    new = reverse("stage_correction_new", args=[project.pk])
    assert grid.get(new).status_code == 200
    response = grid.post(
        new, {"field": "actual_start", "new_date": right.isoformat(), "reason": "施工许可日期录错"}
    )
    assert response.status_code == 302
    correction = StageCorrection.objects.get()
    assert (correction.old_date, correction.new_date, correction.status) == (
        project.actual_start,
        right,
        CorrectionStatus.PENDING,
    )
    assert Project.objects.get(pk=project.pk).actual_start == project.actual_start  # not yet
    # A second request for the same date waits for the first.
    again = grid.post(new, {"field": "actual_start", "new_date": right.isoformat(), "reason": "再次"})
    assert again.status_code == 400 and StageCorrection.objects.count() == 1

    decide = reverse("stage_correction_decide", args=[correction.pk])
    assert grid.post(decide, {"approve": "1"}).status_code == 403
    coordinator = login(zone.coordinator)
    assert "施工许可日期录错" in coordinator.get(reverse("stage_corrections")).content.decode()
    assert coordinator.post(decide, {"approve": "1", "note": "核实无误"}).status_code == 302
    project.refresh_from_db()
    assert project.actual_start == right and project.stage == Stage.CONSTRUCTION and project.version == 2
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == zone.coordinator.staff
    assert correction.history.count() == 2  # requested, then decided: kept in the history
    note = project.progress_notes.get()
    assert "施工许可日期录错" in note.text and right.isoformat() in note.text


def test_a_start_recorded_by_mistake_is_cleared_and_the_stage_follows(zone, login):
    project = zone.project_a
    login(zone.grid).post(
        reverse("stage_correction_new", args=[project.pk]),
        {"field": "actual_start", "new_date": "", "reason": "误点"},
    )
    correction = StageCorrection.objects.get()
    # The coordinator who asked does not approve their own request; another one (or an administrator) does.
    response = login(zone.admin).post(
        reverse("stage_correction_decide", args=[correction.pk]), {"approve": "1"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.actual_start, project.stage) == (None, Stage.PREPARATION)
    assert project.progress_notes.get().stage_to == Stage.PREPARATION


def test_a_coordinator_does_not_approve_their_own_request(zone, login):
    client = login(zone.coordinator)
    client.post(
        reverse("stage_correction_new", args=[zone.project_a.pk]),
        {"field": "actual_start", "new_date": "", "reason": "误点"},
    )
    correction = StageCorrection.objects.get()
    client.post(reverse("stage_correction_decide", args=[correction.pk]), {"approve": "1"})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    assert Project.objects.get(pk=zone.project_a.pk).actual_start is not None
