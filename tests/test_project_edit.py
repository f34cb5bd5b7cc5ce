"""Editing a project's master data (/projects/<pk>/edit/): who may, the lock, the history, the errors."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from projects.models import Enterprise, Project, RoleCode, Stage
from projects.services.progress import StaleVersion
from projects.services.projects import EDITABLE_FIELDS, project_update
from tests.zone import make_user

pytestmark = pytest.mark.django_db


def edit_url(project):
    return reverse("project_edit", args=[project.pk])


def form_data(project, **changes):
    """The edit form as the page would post it, with `changes` typed in."""
    data = {
        "name": project.name,
        "enterprise": project.enterprise_id,
        "park": project.park_id,
        "industry": project.industry,
        "project_type": project.project_type,
        "total_investment": str(project.total_investment),
        "content": project.content,
        "planned_start": project.planned_start.isoformat() if project.planned_start else "",
        "planned_completion": project.planned_completion.isoformat() if project.planned_completion else "",
        "leader": project.leader_id or "",
        "grid_worker": project.grid_worker_id or "",
        "lead_department": project.lead_department_id or "",
        "version": project.version,
    }
    data.update(changes)
    return data


def zh(message):
    """The Chinese the page shows for `message` (the app's default language)."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    assert text != message
    return text


def test_coordinator_edits_and_the_history_names_them(zone, login):
    z = zone
    client = login(z.coordinator)
    assert client.get(edit_url(z.project_a)).status_code == 200
    response = client.post(
        edit_url(z.project_a),
        form_data(
            z.project_a,
            name="联博驱动电机二期",
            total_investment="61000.50",
            industry="新能源汽车",
            planned_completion=datetime.date(z.year + 1, 6, 30).isoformat(),
            grid_worker=z.grid_b.staff.pk,
            lead_department=z.approval.pk,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == z.project_a.get_absolute_url()
    project = Project.objects.get(pk=z.project_a.pk)
    assert project.name == "联博驱动电机二期"
    assert project.total_investment == Decimal("61000.50")
    assert project.industry == "新能源汽车"
    assert project.planned_completion == datetime.date(z.year + 1, 6, 30)
    assert (project.grid_worker, project.lead_department) == (z.grid_b.staff, z.approval)
    assert project.version == 2
    # The stage and its dates are not touched by this form.
    assert (project.stage, project.actual_start) == (Stage.CONSTRUCTION, datetime.date(z.year, 2, 10))
    record = project.history.order_by("-history_date", "-history_id").first()
    assert record.history_type == "~"
    assert record.history_user == z.coordinator
    assert record.name == "联博驱动电机二期"
    assert zh("Project saved.") in client.get(project.get_absolute_url()).content.decode()


def test_nothing_changed_writes_nothing(zone, login):
    z = zone
    client = login(z.admin)
    before = z.project_a.history.count()
    response = client.post(edit_url(z.project_a), form_data(z.project_a))
    assert response.status_code == 302
    assert z.project_a.history.count() == before
    assert Project.objects.get(pk=z.project_a.pk).version == 1


@pytest.mark.parametrize("persona", ["coordinator", "admin", "superuser"])
def test_who_may_edit(zone, login, persona):
    client = login(getattr(zone, persona))
    assert client.get(edit_url(zone.project_b)).status_code == 200
    page = client.get(zone.project_b.get_absolute_url()).content.decode()
    assert f'href="{edit_url(zone.project_b)}"' in page


@pytest.mark.parametrize("persona", ["grid_b", "dept", "leader", "supervisor"])
def test_others_are_forbidden(zone, login, persona):
    """project_b is in grid_b's park and led by dept's department: they see it, but only read it."""
    client = login(getattr(zone, persona))
    assert client.get(zone.project_b.get_absolute_url()).status_code == 200
    assert (
        f'href="{edit_url(zone.project_b)}"'
        not in client.get(zone.project_b.get_absolute_url()).content.decode()
    )
    assert client.get(edit_url(zone.project_b)).status_code == 403
    response = client.post(edit_url(zone.project_b), form_data(zone.project_b, name="改名"))
    assert response.status_code == 403
    assert Project.objects.get(pk=zone.project_b.pk).name == "高校园区实验楼项目"


@pytest.mark.parametrize("persona", ["grid", "dept", "nobody"])
def test_a_project_outside_what_the_user_sees_is_404(zone, login, persona):
    project = zone.project_b if persona == "grid" else zone.project_a
    client = login(getattr(zone, persona))
    assert client.get(edit_url(project)).status_code == 404
    assert client.post(edit_url(project), form_data(project, name="改名")).status_code == 404


def test_stale_form_is_refused_and_keeps_what_was_typed(zone, login):
    z = zone
    client = login(z.coordinator)
    Project.objects.filter(pk=z.project_a.pk).update(version=2, industry="装备制造")  # someone else saved
    response = client.post(edit_url(z.project_a), form_data(z.project_a, name="我刚输入的名称", version=1))
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("Someone else changed this project in the meantime. Reload the page and try again.") in html
    assert 'value="我刚输入的名称"' in html
    assert 'name="version" value="1"' in html  # stays stale until the user reloads
    project = Project.objects.get(pk=z.project_a.pk)
    assert (project.name, project.industry, project.version) == (
        "联博新能源汽车驱动电机定子项目",
        "装备制造",
        2,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total_investment", "-1", "Ensure this value is greater than or equal to %(limit_value)s."),
        ("total_investment", "abc", "Enter a number."),
        (
            "planned_completion",
            "PAST",
            "The planned completion cannot be before the planned start (%(date)s).",
        ),
        ("leader", "GRID", "Choose a staff member who holds the committee leader role."),
        ("grid_worker", "DEPT", "Choose a staff member who holds the grid worker role."),
        ("leader", str(2**70), "Choose a staff member who holds the committee leader role."),
        ("park", "", "This field is required."),
    ],
)
def test_bad_input_gets_a_clear_message(zone, login, field, value, message):
    z = zone
    value = {
        "PAST": (z.project_a.planned_start - datetime.timedelta(days=1)).isoformat(),
        "GRID": z.grid.staff.pk,
        "DEPT": z.dept.staff.pk,
    }.get(value, value)
    client = login(z.coordinator)
    response = client.post(edit_url(z.project_a), form_data(z.project_a, name="不应保存", **{field: value}))
    assert response.status_code == 400
    expected = zh(message).split("%(")[0].split("（")[0]
    assert expected in response.content.decode()
    assert 'value="不应保存"' in response.content.decode()
    project = Project.objects.get(pk=z.project_a.pk)
    assert (project.name, project.version) == ("联博新能源汽车驱动电机定子项目", 1)


def test_the_current_person_stays_choosable_after_losing_the_role(zone, login):
    """A leader who lost the role does not block editing the rest; a new leader must hold the role."""
    z = zone
    z.leader.staff.roles.clear()
    client = login(z.coordinator)
    response = client.post(edit_url(z.project_a), form_data(z.project_a, industry="电机"))
    assert response.status_code == 302
    project = Project.objects.get(pk=z.project_a.pk)
    assert (project.industry, project.leader) == ("电机", z.leader.staff)
    # Other projects cannot be given that person as leader.
    response = client.post(edit_url(z.project_b), form_data(z.project_b, leader=z.supervisor.staff.pk))
    assert response.status_code == 400


def test_stage_dates_are_not_in_the_form_but_linked(zone, login):
    client = login(zone.coordinator)
    html = client.get(edit_url(zone.project_a)).content.decode()
    assert 'name="actual_start"' not in html and 'name="production_date"' not in html
    # project_a has started: the next date to record is the completion.
    assert f'href="{reverse("project_complete", args=[zone.project_a.pk])}"' in html


# --- the service -------------------------------------------------------------------------------------


def changes_of(project, **changes):
    return {name: getattr(project, name) for name in EDITABLE_FIELDS} | changes


def test_service_checks_roles_dates_and_version(zone):
    z = zone
    project = z.project_b
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project, by=z.coordinator, changes={"leader": z.grid.staff}, expected_version=1
        )
    assert "leader" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project, by=z.coordinator, changes={"grid_worker": z.leader.staff}, expected_version=1
        )
    assert "grid_worker" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        project_update(
            project=project,
            by=z.coordinator,
            changes={"planned_completion": project.planned_start - datetime.timedelta(days=1)},
            expected_version=1,
        )
    assert "planned_completion" in error.value.message_dict
    with pytest.raises(StaleVersion):
        project_update(project=project, by=z.coordinator, changes={"name": "x"}, expected_version=5)
    with pytest.raises(ValueError, match="stage"):
        project_update(
            project=project, by=z.coordinator, changes={"stage": Stage.PRODUCTION}, expected_version=1
        )
    assert Project.objects.get(pk=project.pk).version == 1


def test_service_saves_with_the_history_user_and_bumps_the_version(zone):
    z = zone
    project = z.project_b
    changed = project_update(
        project=project,
        by=z.admin.staff,  # a staff profile works as well as the user
        changes=changes_of(project, name="实验楼二期", total_investment=Decimal("9000")),
        expected_version=1,
    )
    assert sorted(changed) == ["name", "total_investment"]
    assert project.version == 2  # the caller's instance follows
    record = Project.objects.get(pk=project.pk).history.order_by("-history_date", "-history_id").first()
    assert (record.name, record.history_user, record.version) == ("实验楼二期", z.admin, 2)


def test_edit_page_query_count(zone, login, django_assert_num_queries):
    client = login(zone.coordinator)
    url = edit_url(zone.project_a)
    client.get(url)  # warm the session
    # session, user, staff with its roles, the project, the unread-notification badge; one query
    # per choice list: enterprise, park, committee leader, grid worker, lead department.
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    # More enterprises and leaders are more options, not more queries.
    for i in range(5):
        Enterprise.objects.create(name=f"企业{i}")
        make_user(f"leader{i}", RoleCode.LEADER)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
