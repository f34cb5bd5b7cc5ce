"""The permit checklist of a project and the list of projects missing a permit their stage needs."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Permit, PermitStatus, PermitType, Project, Stage
from projects.querysets import today

pytestmark = pytest.mark.django_db

NEEDED_TO_BUILD = ["立项备案", "用地", "规划许可", "施工许可", "环评"]


def permits_url(project):
    return reverse("project_permits", args=[project.pk])


def checklist_data(response, changes=None, version=None):
    """The checklist as posted by the browser; `changes` {permit type name: {field: value}}."""
    data = {"version": str(version if version is not None else response.context["version"])}
    for row in response.context["rows"]:
        form = row["form"]
        for name in form.fields:
            value = form.initial.get(name)
            data[f"{form.prefix}-{name}"] = "" if value is None else str(value)
        for name, value in (changes or {}).get(row["type"].name, {}).items():
            data[f"{form.prefix}-{name}"] = value
    return data


def approve_all(project, names, by=None):
    for name in names:
        Permit.objects.create(
            project=project,
            permit_type=PermitType.objects.get(name=name),
            status=PermitStatus.APPROVED,
            approved_on=today(),
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("grid", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("dept", 404),  # project A is not the approval department's
        ("leader", 403),
        ("supervisor", 403),
        ("grid_b", 404),
        ("nobody", 404),
    ],
)
def test_checklist_permissions(zone, login, persona, status):
    assert login(getattr(zone, persona)).get(permits_url(zone.project_a)).status_code == status


def test_department_staff_read_only_on_their_project(zone, login):
    client = login(zone.dept)
    assert client.get(reverse("project_detail", args=[zone.project_b.pk])).status_code == 200
    assert client.get(permits_url(zone.project_b)).status_code == 403
    assert client.post(permits_url(zone.project_b), {"version": "1"}).status_code == 403


def test_checklist_lists_every_type_and_creates_rows_only_when_changed(zone, login):
    client = login(zone.grid)
    response = client.get(permits_url(zone.project_a))
    assert [row["type"].name for row in response.context["rows"]] == list(
        PermitType.objects.values_list("name", flat=True)
    )
    assert not Permit.objects.exists()  # nothing written on GET
    # The 立项备案 approval is the filing, which comes before project A's start (10 February).
    applied, approved = datetime.date(zone.year, 1, 5), datetime.date(zone.year, 1, 20)
    data = checklist_data(
        response,
        {
            "立项备案": {
                "status": PermitStatus.APPROVED,
                "applied_on": applied.isoformat(),
                "approved_on": approved.isoformat(),
                "handler": str(zone.grid.staff.pk),
            },
            "施工许可": {"status": PermitStatus.IN_PROGRESS, "applied_on": applied.isoformat()},
        },
    )
    response = client.post(permits_url(zone.project_a), data)
    # The 立项备案 approval records the filing: the stage page's confirmation first, nothing saved.
    assert response.status_code == 200 and 'id="stage-confirmation"' in response.content.decode()
    assert not Permit.objects.exists()
    response = client.post(permits_url(zone.project_a), {**data, "confirm": f"preparation:{approved}"})
    assert response.status_code == 302
    permits = {p.permit_type.name: p for p in Permit.objects.select_related("permit_type")}
    assert set(permits) == {"立项备案", "施工许可"}
    assert permits["立项备案"].handler == zone.grid.staff
    assert permits["立项备案"].approved_on == approved
    zone.project_a.refresh_from_db()
    assert zone.project_a.version == 2
    assert zone.project_a.filed_on == approved  # one source: the approval recorded the filing


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": PermitStatus.APPROVED}, "approved_on"),  # approved needs its date
        ({"status": PermitStatus.IN_PROGRESS}, "applied_on"),
        (
            {"status": PermitStatus.APPROVED, "applied_on": "2025-03-10", "approved_on": "2025-03-01"},
            "approved_on",
        ),
        ({"status": PermitStatus.APPROVED, "approved_on": "2999-01-01"}, "approved_on"),
        ({"status": PermitStatus.NOT_STARTED, "approved_on": "2025-03-01"}, "status"),
        ({"status": "bogus"}, "status"),
        ({"applied_on": "not a date", "status": PermitStatus.IN_PROGRESS}, "applied_on"),
    ],
)
def test_invalid_rows_save_nothing(zone, login, change, field):
    client = login(zone.grid)
    response = client.get(permits_url(zone.project_a))
    data = checklist_data(
        response,
        {"用地": {"status": PermitStatus.NOT_NEEDED}, "环评": change},
    )
    response = client.post(permits_url(zone.project_a), data)
    assert response.status_code == 400
    assert not Permit.objects.exists()
    row = next(r for r in response.context["rows"] if r["type"].name == "环评")
    assert field in row["form"].errors


def test_stale_version_saves_nothing(zone, login):
    client = login(zone.grid)
    response = client.get(permits_url(zone.project_a))
    Project.objects.filter(pk=zone.project_a.pk).update(version=5)  # someone else saved meanwhile
    data = checklist_data(response, {"用地": {"status": PermitStatus.NOT_NEEDED}})
    response = client.post(permits_url(zone.project_a), data)
    assert response.status_code == 400
    assert "reload" in response.content.decode().lower() or "刷新" in response.content.decode()
    assert not Permit.objects.exists()


def test_project_page_flags_missing_permits(zone, login):
    client = login(zone.grid)
    response = client.get(reverse("project_detail", args=[zone.project_a.pk]))
    assert [t.name for t in response.context["missing_permits"]] == NEEDED_TO_BUILD
    approve_all(zone.project_a, NEEDED_TO_BUILD[:4])
    Permit.objects.create(
        project=zone.project_a,
        permit_type=PermitType.objects.get(name="环评"),
        status=PermitStatus.NOT_NEEDED,
    )
    response = client.get(reverse("project_detail", args=[zone.project_a.pk]))
    assert response.context["missing_permits"] == []
    assert "missing-permits" not in response.content.decode()


def test_missing_permits_queryset_follows_the_stage_table(zone):
    assert list(Project.objects.missing_permits()) == [zone.project_a]  # B is in preparation
    approve_all(zone.project_a, NEEDED_TO_BUILD)
    assert not Project.objects.missing_permits().exists()
    # Completed projects also need the acceptance permits.
    Project.objects.filter(pk=zone.project_a.pk).update(stage=Stage.COMPLETED, actual_completion=today())
    assert list(Project.objects.missing_permits()) == [zone.project_a]
    # An administrator can change the table: a type needed from preparation on.
    PermitType.objects.filter(name="能评").update(required_from=Stage.PREPARATION)
    assert zone.project_b in Project.objects.missing_permits()


def test_missing_list_for_the_grid_worker(zone, login, django_assert_num_queries):
    Project.objects.filter(pk=zone.project_b.pk).update(stage=Stage.CONSTRUCTION, actual_start=today())
    approve_all(zone.project_a, ["用地"])
    client = login(zone.grid)
    client.get(reverse("permits_missing"))
    # session, user, staff with its roles (1), the required types, the projects (one query with an
    # EXISTS per type, missing_permit_types), unread notifications = 6 whatever the row count.
    with django_assert_num_queries(6):
        response = client.get(reverse("permits_missing"))
    rows = response.context["rows"]
    assert [row["project"].code for row in rows] == ["P-A1"]  # B is not grid's
    assert [t.name for t in rows[0]["missing"]] == ["立项备案", "规划许可", "施工许可", "环评"]
    response = login(zone.coordinator).get(reverse("permits_missing"))
    assert [row["project"].code for row in response.context["rows"]] == ["P-A1", "P-B1"]


def test_a_stale_form_stays_stale_until_reloaded(zone, login):
    client = login(zone.grid)
    response = client.get(permits_url(zone.project_a))
    Project.objects.filter(pk=zone.project_a.pk).update(version=5)
    data = checklist_data(response, {"用地": {"status": PermitStatus.NOT_NEEDED}})
    response = client.post(permits_url(zone.project_a), data)
    assert response.context["version"] == "1"  # re-shown with the version it was loaded with
    response = client.get(permits_url(zone.project_a))
    response = client.post(
        permits_url(zone.project_a), checklist_data(response, {"用地": {"status": "not_needed"}})
    )
    assert response.status_code == 302
    assert Permit.objects.get().status == PermitStatus.NOT_NEEDED
