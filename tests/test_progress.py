"""Progress notes, start/completion/production dates: services, forms, permissions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from projects.models import ProgressNote, Project, Stage
from projects.querysets import today
from projects.services.progress import (
    StaleVersion,
    progress_note_add,
    project_complete,
    project_production,
    project_start,
)

pytestmark = pytest.mark.django_db


def test_progress_note_add_moves_stage_and_sets_start_date(zone):
    project = zone.project_b
    day = today() - datetime.timedelta(days=3)
    note = progress_note_add(
        project=project, by=zone.grid_b.staff, date=day, text="打桩开始", stage=Stage.CONSTRUCTION
    )
    project.refresh_from_db()
    assert project.stage == Stage.CONSTRUCTION
    assert project.actual_start == day
    assert (note.stage_from, note.stage_to) == (Stage.PREPARATION, Stage.CONSTRUCTION)
    assert project.version == 2


def test_progress_note_add_without_stage_leaves_project_alone(zone):
    note = progress_note_add(project=zone.project_a, by=zone.grid, date=today(), text="主体封顶")
    zone.project_a.refresh_from_db()
    assert zone.project_a.version == 1
    assert note.stage_to == ""
    assert note.author == zone.grid.staff


def test_progress_note_add_refuses_going_back_and_future_dates(zone):
    with pytest.raises(ValidationError) as error:
        progress_note_add(
            project=zone.project_a, by=zone.grid, date=today(), text="x", stage=Stage.PREPARATION
        )
    assert "stage" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        progress_note_add(
            project=zone.project_a, by=zone.grid, date=today() + datetime.timedelta(days=1), text="x"
        )
    assert "date" in error.value.message_dict
    assert not ProgressNote.objects.exists()


def test_start_complete_production_in_order(zone):
    project = zone.project_b
    start = today() - datetime.timedelta(days=30)
    project_start(project=project, by=zone.grid_b, date=start, expected_version=1)
    assert project.stage == Stage.CONSTRUCTION and project.version == 2
    with pytest.raises(ValidationError) as error:
        project_complete(
            project=project, by=zone.grid_b, date=start - datetime.timedelta(days=1), expected_version=2
        )
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError):
        project_production(project=project, by=zone.grid_b, date=today(), expected_version=2)
    project_complete(
        project=project, by=zone.grid_b, date=start + datetime.timedelta(days=10), expected_version=2
    )
    project_production(project=project, by=zone.grid_b, date=today(), expected_version=3)
    project.refresh_from_db()
    assert project.stage == Stage.PRODUCTION
    assert project.production_date == today()
    assert list(project.progress_notes.values_list("stage_to", flat=True)) == [
        Stage.PRODUCTION,
        Stage.COMPLETED,
        Stage.CONSTRUCTION,
    ]


def test_stale_version_is_refused(zone):
    with pytest.raises(StaleVersion):
        project_start(project=zone.project_b, by=zone.grid_b, date=today(), expected_version=7)
    assert Project.objects.get(pk=zone.project_b.pk).actual_start is None
