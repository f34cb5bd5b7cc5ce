"""The admin: administrators only; they manage users and roles; deletions there are recorded."""

import pytest
from django.utils import timezone

from projects.models import Issue, MonthlyReport, Role, RoleCode, Staff, Visit
from tests.zone import make_user


@pytest.mark.parametrize("persona", ["admin", "superuser"])
def test_administrators_enter_the_admin(zone, login, persona):
    client = login(getattr(zone, persona))
    assert client.get("/admin/").status_code == 200
    for model in ("auth/user", "projects/staff", "projects/park", "projects/department", "projects/role"):
        assert client.get(f"/admin/{model}/").status_code == 200, model
        assert client.get(f"/admin/{model}/add/").status_code == 200, model


@pytest.mark.parametrize("persona", ["grid", "dept", "coordinator", "leader", "supervisor", "nobody"])
def test_others_are_refused_even_with_is_staff(zone, login, persona):
    user = getattr(zone, persona)
    user.is_staff = True
    user.save()
    client = login(user)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/projects/issue/").status_code == 403


def test_anonymous_gets_the_admin_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_inactive_administrator_is_refused(zone, login):
    zone.admin.is_active = False
    zone.admin.save()
    # force_login bypasses is_active; the admin still refuses.
    assert login(zone.admin).get("/admin/").status_code in {302, 403}


def test_admin_gives_a_user_several_roles_through_the_staff_inline(zone, login):
    z = zone
    client = login(z.admin)
    user = make_user("newcomer")
    change_url = f"/admin/auth/user/{user.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert "staff-TOTAL_FORMS" in page.content.decode()
    roles = [Role.objects.get(code=RoleCode.GRID_WORKER).pk, Role.objects.get(code=RoleCode.DEPARTMENT).pk]
    data = {
        "username": "newcomer",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "staff-TOTAL_FORMS": "1",
        "staff-INITIAL_FORMS": "0",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
        "staff-0-name": "新同事",
        "staff-0-department": str(z.approval.pk),
        "staff-0-parks": [str(z.park_a.pk), str(z.park_b.pk)],
        "staff-0-roles": [str(pk) for pk in roles],
        "staff-0-user": str(user.pk),
    }
    response = client.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    staff = Staff.objects.get(user=user)
    assert staff.role_codes() == {RoleCode.GRID_WORKER, RoleCode.DEPARTMENT}
    assert set(staff.parks.all()) == {z.park_a, z.park_b}


def test_user_list_shows_roles(zone, login):
    body = login(zone.admin).get("/admin/auth/user/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Grid worker" in body or "网格员" in body


def _objects(z):
    issue = Issue.objects.create(
        project=z.project_a, category="permits", description="待删", raised_at=timezone.now()
    )
    visit = Visit.objects.create(project=z.project_a, date=timezone.localdate(), summary="待删")
    report = MonthlyReport.objects.create(project=z.project_a, year=z.year, month=1, amount=1)
    return {"issue": issue, "visit": visit, "monthlyreport": report}


@pytest.mark.parametrize("model", ["issue", "visit", "monthlyreport"])
def test_admin_deletion_is_recorded_with_the_user(zone, login, model):
    obj = _objects(zone)[model]
    client = login(zone.admin)
    url = f"/admin/projects/{model}/{obj.pk}/delete/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    history = type(obj).history.filter(id=obj.pk, history_type="-").get()
    assert history.history_user == zone.admin
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_login_audit_is_read_only_in_the_admin(zone, login):
    client = login(zone.admin)
    for model in ("accesslog", "accessfailurelog", "accessattempt"):
        assert client.get(f"/admin/axes/{model}/").status_code == 200, model
    assert client.get("/admin/axes/accesslog/add/").status_code == 403
