"""THE permission table: every URL of the URLconf × every role → the expected outcome.

One row per URL name: its area (for the roles × areas summary), how to build its arguments from the
`zone` fixture, and the expected outcome of a GET and of an (empty) POST for each role, in the order
of ROLES. tests/test_permission_matrix.py walks the URLconf and fails on any URL this table does not
cover, so the table cannot drift from the routes.

Outcome tokens:
  L     anonymous: redirected to the login page (302 → /login/?next=…, the admin's own login for the admin)
  200   the page (or file)
  403   the role may not do this (an action its role forbids)
  404   the object is outside the user's visibility
  405   the method is not accepted
  ok    a POST the role may make: 200 (the form again, with errors — the POST is empty) or 302 (done)
  -     not checked (e.g. POST on a read-only page that ignores the method)
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

ROLES = ("anonymous", "grid", "grid_b", "dept", "coordinator", "leader", "supervisor", "admin", "nobody")


def walk(patterns=None, prefix="", namespace=""):
    """(qualified URL name, route, pattern) for every route of the URLconf."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<{route}>"
            yield name, route, pattern


def objects(z):
    """The concrete objects the URLs are checked on; everything of project_a (park A, grid's)."""
    from projects.models import (
        Issue,
        Meeting,
        MonthlyReport,
        PermitType,
        Photo,
        ReportCorrection,
        Visit,
    )

    o = SimpleNamespace(z=z)
    o.year, o.month = z.year, 1
    o.issue_a = Issue.objects.create(
        project=z.project_a,
        category="utilities",
        description="用电增容",
        raised_at=timezone.now(),
        raised_by=z.grid.staff,
        department=z.edb,  # not dept's department: project_a stays invisible to dept
    )
    o.visit_a = Visit.objects.create(
        project=z.project_a, date=datetime.date(z.year, 1, 15), summary="例行走访", recorded_by=z.grid.staff
    )
    o.meeting = Meeting.objects.create(
        date=datetime.date(z.year, 1, 20), title="一月调度会", chair=z.coordinator.staff
    )
    o.report_a = MonthlyReport.objects.create(
        project=z.project_a, year=z.year, month=1, amount=Decimal("100")
    )
    o.correction_a = ReportCorrection.objects.create(
        project=z.project_a,
        year=z.year,
        month=1,
        old_amount=Decimal("100"),
        new_amount=Decimal("120"),
        reason="漏报",
    )
    o.permit_type = PermitType.objects.first()
    photo = Photo(visit=o.visit_a)
    photo.image.save("matrix.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    o.photo_path = photo.image.name
    return o


# URL name → the URL's keyword arguments, from `objects(z)`.
ARGS = {
    "project_detail": lambda o: {"pk": o.z.project_a.pk},
    "object_history": lambda o: {"model": "issue", "pk": o.issue_a.pk},
    "media": lambda o: {"path": o.photo_path},
    "visit_detail": lambda o: {"pk": o.visit_a.pk},
    "visit_withdraw": lambda o: {"pk": o.visit_a.pk},
    "project_visit_new": lambda o: {"pk": o.z.project_a.pk},
    "meeting_detail": lambda o: {"pk": o.meeting.pk},
    "meeting_agenda": lambda o: {"pk": o.meeting.pk},
    "meeting_minutes": lambda o: {"pk": o.meeting.pk},
    "project_start": lambda o: {"pk": o.z.project_a.pk},
    "project_complete": lambda o: {"pk": o.z.project_a.pk},
    "project_production": lambda o: {"pk": o.z.project_a.pk},
    "progress_new": lambda o: {"pk": o.z.project_a.pk},
    "project_permits": lambda o: {"pk": o.z.project_a.pk},
    "project_milestones": lambda o: {"pk": o.z.project_a.pk},
    "round": lambda o: {"year": o.year, "month": o.month},
    "round_status": lambda o: {"year": o.year, "month": o.month},
    "round_remind": lambda o: {"year": o.year, "month": o.month},
    "round_lock": lambda o: {"year": o.year, "month": o.month},
    "correction_new": lambda o: {"year": o.year, "month": o.month, "pk": o.z.project_a.pk},
    "correction_decide": lambda o: {"pk": o.correction_a.pk},
    "issue_detail": lambda o: {"pk": o.issue_a.pk},
}

# fmt: off
# name:                 (area,      GET: anon grid grid_b dept coord lead sup admin nobody, POST)
TABLE = {
    # Accounts: the login allow-list, password, language
    "login":                ("Accounts", "200 302 302 302 302 302 302 302 302", "ok ok ok ok ok ok ok ok ok"),
    "health":               ("Accounts", "200 200 200 200 200 200 200 200 200", "-"),
    "set_language":         ("Accounts", "302 302 302 302 302 302 302 302 302", "ok ok ok ok ok ok ok ok ok"),
    "logout":               ("Accounts", "L 405 405 405 405 405 405 405 405", "L ok ok ok ok ok ok ok ok"),
    "password_change":      ("Accounts", "L 200 200 200 200 200 200 200 200", "L ok ok ok ok ok ok ok ok"),
    "password_change_done": ("Accounts", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    # My work and the project register
    "home":                 ("Home",     "L 200 200 200 200 200 200 200 200", "-"),
    "project_list":         ("Projects", "L 200 200 200 200 200 200 200 200", "-"),
    "project_detail":       ("Projects", "L 200 404 404 200 200 200 200 404", "-"),
    # Dashboard (figures over what each role sees; a user without a profile gets the clear message)
    "dashboard":            ("Dashboard", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    "dashboard_json":       ("Dashboard", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    # Progress, stage dates, permits, milestones (grid worker of the project, coordinator, administrator)
    "project_start":        ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_complete":     ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_production":   ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "progress_new":         ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    # An empty POST lacks the formset's management form: 400 for who may post at all.
    "project_permits":      ("Progress", "L 200 404 404 200 403 403 200 404", "L 400 404 404 400 403 403 400 404"),
    "project_milestones":   ("Progress", "L 200 404 404 200 403 403 200 404", "L 400 404 404 400 403 403 400 404"),
    "permits_missing":      ("Progress", "L 200 200 200 200 200 200 200 200", "-"),
    # The monthly investment round (grid workers fill in, the coordinator reminds, locks, decides)
    "round_current":        ("Round",    "L 302 302 302 302 302 302 302 302", "-"),
    "round":                ("Round",    "L 200 200 403 200 403 403 200 403", "L 400 400 403 400 403 403 400 403"),
    "round_status_current": ("Round",    "L 302 302 302 302 302 302 302 302", "-"),
    "round_status":         ("Round",    "L 403 403 403 200 200 200 200 403", "-"),
    "round_remind":         ("Round",    "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 ok 403"),
    "round_lock":           ("Round",    "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 ok 403"),
    "correction_new":       ("Round",    "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "corrections":          ("Round",    "L 403 403 403 200 403 403 200 403", "-"),
    "correction_decide":    ("Round",    "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 ok 403"),
    # Site visits
    "visit_list":           ("Visits",   "L 200 200 200 200 200 200 200 200", "-"),
    "visit_new":            ("Visits",   "L 200 200 200 200 200 403 200 403", "L ok ok ok ok ok 403 ok 403"),
    "project_visit_new":    ("Visits",   "L 200 404 404 200 200 403 200 404", "L ok 404 404 ok ok 403 ok 404"),
    "visit_detail":         ("Visits",   "L 200 404 404 200 200 200 200 404", "-"),
    "visit_withdraw":       ("Visits",   "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    # Coordination meetings (the coordinator runs them; who took part reads them)
    "meeting_list":         ("Meetings", "L 200 200 200 200 200 200 200 200", "-"),
    "meeting_new":          ("Meetings", "L 403 403 403 200 403 403 200 403", "L 403 403 403 ok 403 403 ok 403"),
    "meeting_detail":       ("Meetings", "L 404 404 404 200 200 200 200 404", "L 404 404 404 ok 403 403 ok 404"),
    "meeting_agenda":       ("Meetings", "L 404 404 404 200 200 200 200 404", "-"),
    "meeting_minutes":      ("Meetings", "L 404 404 404 200 200 200 200 404", "-"),
    # The ledger in Excel and the monthly report
    "ledger_import":        ("Excel",    "L 403 403 403 200 403 403 200 403", "L 403 403 403 ok 403 403 ok 403"),
    "ledger_template":      ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "project_export":       ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "issue_export":         ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "monthly_report":       ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "monthly_report_xlsx":  ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    # Audit: change history, login audit, uploads
    "object_history":       ("Audit",    "L 200 404 404 200 200 200 200 404", "-"),
    "login_audit":          ("Audit",    "L 403 403 403 403 403 403 200 403", "-"),
    "media":                ("Audit",    "L 200 404 404 200 200 200 200 404", "-"),
}
# fmt: on

# The admin: administrators only (projects/admin_site.py). Every admin route is covered by this
# rule; the index and every model's list and add page are requested for every role.
ADMIN_AREA = "Admin"
ADMIN_GET = "L 403 403 403 403 403 403 200 403"
ADMIN_CHECKED = re.compile(r"^admin:(index|\w+_changelist)$")


def outcomes(spec):
    return dict(zip(ROLES, spec.split(), strict=True)) if spec != "-" else None
