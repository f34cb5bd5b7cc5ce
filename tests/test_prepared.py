"""SameSQL (projects/prepared.py): the SQL compiled once, the rows read afresh on every call."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from projects import access
from projects.models import Role, RoleCode, Rules, Staff
from projects.prepared import SameSQL

pytestmark = pytest.mark.django_db


def staff_with_roles(user_id):
    return Staff.objects.filter(user=user_id).annotate(role_code=F("roles__code")).order_by("roles__code")


def test_the_rows_are_the_orms_and_read_afresh_on_every_call(zone):
    same = SameSQL(staff_with_roles)
    for user in (zone.grid, zone.coordinator, zone.grid, zone.nobody):
        ours = [(s.pk, s.name, s.department_id, s.role_code) for s in same.rows(user.pk)]
        django = [(s.pk, s.name, s.department_id, s.role_code) for s in staff_with_roles(user.pk)]
        assert ours == django
    zone.grid.staff.name = "王网格（改）"
    zone.grid.staff.save()
    zone.grid.staff.roles.add(Role.objects.get(code=RoleCode.SUPERVISOR))
    rows = same.rows(zone.grid.pk)
    assert {s.name for s in rows} == {"王网格（改）"}
    assert {s.role_code for s in rows} == {RoleCode.GRID_WORKER, RoleCode.SUPERVISOR}


def test_one_query_a_call_with_the_same_text(zone):
    same = SameSQL(staff_with_roles)
    same.rows(zone.dept.pk)
    with CaptureQueriesContext(connection) as queries:
        same.rows(zone.leader.pk)
    assert [q["sql"] for q in queries] == [str(staff_with_roles(zone.leader.pk).query)]


def test_a_query_with_other_parameters_than_the_ids_is_refused(zone):
    same = SameSQL(lambda user_id: Staff.objects.filter(user=user_id, name="x"))
    with pytest.raises(ImproperlyConfigured):
        same.rows(zone.grid.pk)


def test_the_rules_are_made_on_first_use_and_read_as_saved(db):
    Rules.objects.all().delete()
    assert Rules.current().grid_help_days == Rules._meta.get_field("grid_help_days").default
    Rules.objects.filter(pk=1).update(grid_help_days=9)
    assert Rules.current().grid_help_days == 9


def test_the_staff_profile_and_roles_as_before(zone):
    user = zone.coordinator
    assert access.get_staff(user).name == "钱经发"
    assert access.role_codes(user) == {RoleCode.COORDINATOR}
    assert access.get_staff(zone.nobody) is None
