"""Milestones: add, edit, delete from the project page; late ones flagged; `Milestone.objects.late()`."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Milestone, Project
from projects.querysets import today

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def url(project):
    return reverse("project_milestones", args=[project.pk])


def formset_data(milestones=(), new=(), version=1):
    """Existing milestones as {pk, name, planned_date, actual_date, note, DELETE}; then new rows."""
    rows = list(milestones) + list(new)
    data = {
        "version": str(version),
        "milestone-TOTAL_FORMS": str(len(rows)),
        "milestone-INITIAL_FORMS": str(len(milestones)),
        "milestone-MIN_NUM_FORMS": "0",
        "milestone-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for name in ["id", "name", "planned_date", "actual_date", "note", "DELETE"]:
            value = row.get(name)
            if value is None or value is False:
                continue
            data[f"milestone-{i}-{name}"] = str(value)
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [("grid", 200), ("coordinator", 200), ("admin", 200), ("leader", 403), ("grid_b", 404), ("nobody", 404)],
)
def test_permissions(zone, login, persona, status):
    assert login(getattr(zone, persona)).get(url(zone.project_a)).status_code == status


def test_add_edit_and_delete(zone, login):
    client = login(zone.grid)
    planned = today() + 30 * DAY
    response = client.post(
        url(zone.project_a),
        formset_data(
            new=[
                {"name": "1号厂房5条冲压线、6条自动线调试", "planned_date": planned.isoformat()},
                {"name": "PPAP 批准", "planned_date": (planned + 30 * DAY).isoformat(), "note": "客户审核"},
                {},  # an untouched extra row is ignored
            ]
        ),
    )
    assert response.status_code == 302
    assert list(Milestone.objects.values_list("name", flat=True)) == [
        "1号厂房5条冲压线、6条自动线调试",
        "PPAP 批准",
    ]
    zone.project_a.refresh_from_db()
    assert zone.project_a.version == 2
    first, second = Milestone.objects.all()
    response = client.post(
        url(zone.project_a),
        formset_data(
            milestones=[
                {
                    "id": first.pk,
                    "name": first.name,
                    "planned_date": planned.isoformat(),
                    "actual_date": today().isoformat(),
                },
                {
                    "id": second.pk,
                    "name": second.name,
                    "planned_date": second.planned_date.isoformat(),
                    "DELETE": "on",
                },
            ],
            version=2,
        ),
    )
    assert response.status_code == 302
    assert list(Milestone.objects.values_list("name", "actual_date")) == [(first.name, today())]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"planned_date": "2026-01-01"}, "name"),
        ({"name": "量产"}, "planned_date"),
        ({"name": "量产", "actual_date": "2999-01-01"}, "actual_date"),
        ({"name": "量产", "planned_date": "31/31/2026"}, "planned_date"),
    ],
)
def test_invalid_rows_save_nothing(zone, login, row, field):
    client = login(zone.grid)
    response = client.post(
        url(zone.project_a),
        formset_data(new=[{"name": "OK", "planned_date": today().isoformat()}, row]),
    )
    assert response.status_code == 400
    assert not Milestone.objects.exists()
    assert field in response.context["formset"].forms[1].errors


def test_stale_version_saves_nothing(zone, login):
    Project.objects.filter(pk=zone.project_a.pk).update(version=3)
    response = login(zone.grid).post(
        url(zone.project_a),
        formset_data(new=[{"name": "量产", "planned_date": today().isoformat()}], version=1),
    )
    assert response.status_code == 400
    assert not Milestone.objects.exists()


def test_late_milestones(zone, login):
    late = Milestone.objects.create(project=zone.project_a, name="PPAP 批准", planned_date=today() - DAY)
    Milestone.objects.create(
        project=zone.project_a, name="done", planned_date=today() - DAY, actual_date=today()
    )
    Milestone.objects.create(project=zone.project_a, name="future", planned_date=today() + DAY)
    Milestone.objects.create(project=zone.project_b, name="B late", planned_date=today() - 5 * DAY)
    assert list(Milestone.objects.late()) == [Milestone.objects.get(name="B late"), late]
    assert list(Milestone.objects.late(on=today() - 2 * DAY)) == [Milestone.objects.get(name="B late")]
    assert list(Milestone.objects.visible_to(zone.grid).late()) == [late]
    response = login(zone.grid).get(reverse("project_detail", args=[zone.project_a.pk]))
    assert response.context["late_milestones"] == [late]
    assert "late-milestones" in response.content.decode()
