"""Every path that moves a stage asks the stage page's confirmation (issue #14): a progress note and a
visit show what changes first, keep what was typed, and an implausible date needs its reasons
confirmed; the services refuse an unconfirmed doubtful date whatever the path."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import ProgressNote, Project, Stage, Visit
from projects.querysets import today
from projects.services.progress import progress_note_add
from projects.services.visits import visit_record
from tests.test_visits import visit_post

pytestmark = pytest.mark.django_db


def note_post(project, stage, stage_date, **extra):
    return {
        "date": today().isoformat(),
        "text": "主体结构完成",
        "stage": stage,
        "stage_date": stage_date.isoformat(),
        "version": str(project.version),
        **extra,
    }


def test_a_doubtful_completion_from_a_progress_note_needs_both_confirmations(zone, login):
    project = zone.project_a  # started on 10 February: a completion 30 days later is doubtful
    early = project.actual_start + datetime.timedelta(days=30)
    client = login(zone.grid)
    url = reverse("progress_new", args=[project.pk])

    response = client.post(url, note_post(project, Stage.COMPLETED, early))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "在建 → <strong>竣工</strong>" in html and "3 个月" in html
    assert 'name="doubts_confirmed"' in html and "主体结构完成" in html  # the text typed is kept

    # The first confirmation alone does not keep a doubtful date.
    token = f"completed:{early}"
    response = client.post(url, note_post(project, Stage.COMPLETED, early, confirm=token))
    assert response.status_code == 200 and 'id="stage-confirmation"' in response.content.decode()
    assert Project.objects.get(pk=project.pk).actual_completion is None
    assert not ProgressNote.objects.exists()

    response = client.post(
        url, note_post(project, Stage.COMPLETED, early, confirm=token, doubts_confirmed="on")
    )
    assert response.status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert (saved.stage, saved.actual_completion) == (Stage.COMPLETED, early)
    assert ProgressNote.objects.get().stage_to == Stage.COMPLETED


def test_a_confirmation_of_another_date_is_shown_again_for_the_new_one(zone, login):
    """The user changed the stage date after seeing the confirmation: the new date is shown first."""
    project = zone.project_b
    client = login(zone.grid_b)
    url = reverse("progress_new", args=[project.pk])
    seen, typed = today() - datetime.timedelta(days=3), today() - datetime.timedelta(days=1)
    response = client.post(url, note_post(project, Stage.CONSTRUCTION, typed, confirm=f"construction:{seen}"))
    html = response.content.decode()
    assert response.status_code == 200 and f'value="construction:{typed}"' in html
    assert Project.objects.get(pk=project.pk).actual_start is None


def test_a_stage_note_the_rules_refuse_shows_the_error_not_a_confirmation(zone, login):
    project = zone.project_a
    before_start = project.actual_start - datetime.timedelta(days=1)
    response = login(zone.grid).post(
        reverse("progress_new", args=[project.pk]), note_post(project, Stage.COMPLETED, before_start)
    )
    assert response.status_code == 400
    assert 'id="stage-confirmation"' not in response.content.decode()
    assert response.context["form"].errors["stage_date"]


def test_a_visit_with_a_doubtful_start_date_asks_twice_and_keeps_the_visit_typed(zone, login):
    project = zone.project_b  # planned start 1 September: a start 400 days before is doubtful
    long_before = project.planned_start - datetime.timedelta(days=400)
    client = login(zone.grid_b)
    url = reverse("project_visit_new", args=[project.pk])
    data = visit_post(stage=Stage.CONSTRUCTION, stage_date=long_before.isoformat(), progress_text="桩基施工")

    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "计划开工" in html and "走访联博项目现场" in html and "桩基施工" in html
    assert not Visit.objects.exists()

    token = f"construction:{long_before}"
    client.post(url, {**data, "confirm": token})
    assert not Visit.objects.exists()  # the doubt was not confirmed

    response = client.post(url, {**data, "confirm": token, "doubts_confirmed": "on"})
    assert response.status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert (saved.stage, saved.actual_start) == (Stage.CONSTRUCTION, long_before)
    assert Visit.objects.count() == 1 and ProgressNote.objects.get().stage_to == Stage.CONSTRUCTION


def test_a_leader_visit_moving_the_stage_is_refused_without_a_confirmation(zone, login):
    """The rulebook: a leader records visits but not the stage, so there is nothing to confirm."""
    project = zone.project_b
    response = login(zone.leader).post(
        reverse("project_visit_new", args=[project.pk]), visit_post(stage=Stage.CONSTRUCTION)
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' not in html
    assert "网格员" in html  # MAY_NOT_LOG_PROGRESS says who may
    assert not Visit.objects.exists()
    assert Project.objects.get(pk=project.pk).stage == Stage.PREPARATION


def test_the_services_refuse_an_unconfirmed_doubtful_date_on_every_path(zone):
    project = zone.project_a
    early = project.actual_start + datetime.timedelta(days=20)
    with pytest.raises(ValidationError) as refused:
        progress_note_add(project=project, by=zone.grid, date=today(), text="竣工", stage=Stage.COMPLETED,
                          stage_date=early)  # fmt: skip
    assert refused.value.error_dict["date"][0].code == "doubtful"
    with pytest.raises(ValidationError):
        visit_record(project=project, by=zone.grid, date=today(), kind="routine", summary="走访",
                     stage=Stage.COMPLETED, stage_date=early)  # fmt: skip
    assert not Visit.objects.exists() and not ProgressNote.objects.exists()
    assert Project.objects.get(pk=project.pk).actual_completion is None
    progress_note_add(project=project, by=zone.grid, date=today(), text="竣工", stage=Stage.COMPLETED,
                      stage_date=early, doubts_confirmed=True)  # fmt: skip
    assert Project.objects.get(pk=project.pk).actual_completion == early
