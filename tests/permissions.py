"""THE permission table: every URL of the URLconf × every role → the expected outcome.

One row per URL name (or per variant of one, e.g. "issue_action[escalate]", with its own arguments):
its area (for the roles × areas summary), how to build its arguments from the
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
        ApprovalRequest,
        Document,
        Issue,
        IssueStatus,
        Job,
        Level,
        Meeting,
        MonthlyReport,
        Notification,
        PermitType,
        Photo,
        PlanNode,
        ReportCorrection,
        StageCorrection,
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
    o.stage_correction = StageCorrection.objects.create(
        project=z.project_a, field="actual_start", old_date=datetime.date(z.year, 3, 1), reason="录入错误"
    )
    o.permit_type = PermitType.objects.first()
    common = {
        "project": z.project_a,
        "raised_at": timezone.now(),
        "raised_by": z.grid.staff,
        "department": z.edb,
    }
    o.issue_resolved = Issue.objects.create(
        **common, category="land", description="用地指标", status=IssueStatus.RESOLVED, resolution="已协调"
    )
    o.issue_l4 = Issue.objects.create(
        **common, category="finance", description="融资", level=Level.SUPERVISION
    )
    # Slip numbers are issued by the escalation services; set them directly for this fixture.
    Issue.objects.filter(pk=o.issue_l4.pk).update(
        assignment_slip_no="交〔2026〕1号", supervision_slip_no="督〔2026〕1号"
    )
    o.issue_suspended = Issue.objects.create(**common, category="policy", description="政策", suspended=True)
    o.approval = ApprovalRequest.objects.create(
        issue=o.issue_a,
        kind=ApprovalRequest.Kind.EXTENSION,
        new_deadline=datetime.date(z.year + 1, 1, 31),
        reason="需要更多时间",
        requested_by=z.grid.staff,
    )
    o.notification = Notification.objects.create(recipient=z.grid, text="新的问题诉求", issue=o.issue_a)
    o.node = PlanNode.objects.create(
        project=z.project_a, name="主体封顶", planned_date=datetime.date(z.year, 6, 1)
    )
    document = Document(
        project=z.project_a, name="施工许可证.pdf", content_type="application/pdf", size=9, uploaded_by=z.grid
    )
    document.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    o.document_path = document.file.name
    photo = Photo(visit=o.visit_a)
    photo.image.save("matrix.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    o.photo_path = photo.image.name
    # Background jobs are their owner's only: grid's finished export, the coordinator's checked ledger.
    o.job = Job.objects.create(
        kind=Job.Kind.PROJECT_EXPORT, owner=z.grid, status=Job.Status.DONE, result={"filename": "x.xlsx"}
    )
    o.job.file.save("matrix.xlsx", ContentFile(b"PK"), save=True)
    o.preview = Job.objects.create(
        kind=Job.Kind.LEDGER_PREVIEW,
        owner=z.coordinator,
        status=Job.Status.DONE,
        params={"name": "ledger-imports/matrix.xlsx", "as_correction": False, "language": "zh-hans"},
        result={"ok": True, "changes": 1, "counts": []},
    )
    return o


# URL name → the URL's keyword arguments, from `objects(z)`.
ARGS = {
    "project_detail": lambda o: {"pk": o.z.project_a.pk},
    # project_b: park B (grid_b's), lead department 行政审批局 (dept's).
    "project_detail[project_b]": lambda o: {"pk": o.z.project_b.pk},
    "project_edit": lambda o: {"pk": o.z.project_a.pk},
    "project_location": lambda o: {"pk": o.z.project_a.pk},
    "visit_use_location": lambda o: {"pk": o.visit_a.pk},
    "map_tile": lambda o: {"z": 0, "x": 0, "y": 0},
    "object_history[project_b]": lambda o: {"model": "project", "pk": o.z.project_b.pk},
    "object_history": lambda o: {"model": "issue", "pk": o.issue_a.pk},
    "media": lambda o: {"path": o.photo_path},
    "media[document]": lambda o: {"path": o.document_path},
    "project_plan": lambda o: {"pk": o.z.project_a.pk},
    "plan_make": lambda o: {"pk": o.z.project_a.pk},
    "plan_node_add": lambda o: {"pk": o.z.project_a.pk},
    "plan_node": lambda o: {"pk": o.z.project_a.pk, "node_pk": o.node.pk},
    "project_document_add": lambda o: {"pk": o.z.project_a.pk},
    "visit_detail": lambda o: {"pk": o.visit_a.pk},
    "visit_withdraw": lambda o: {"pk": o.visit_a.pk},
    "project_visit_new": lambda o: {"pk": o.z.project_a.pk},
    "meeting_detail": lambda o: {"pk": o.meeting.pk},
    "meeting_agenda": lambda o: {"pk": o.meeting.pk},
    "meeting_minutes": lambda o: {"pk": o.meeting.pk},
    "project_sign": lambda o: {"pk": o.z.project_a.pk},
    "project_file": lambda o: {"pk": o.z.project_a.pk},
    "meeting_cancel": lambda o: {"pk": o.meeting.pk},
    "project_start": lambda o: {"pk": o.z.project_a.pk},
    "project_complete": lambda o: {"pk": o.z.project_a.pk},
    "project_production": lambda o: {"pk": o.z.project_a.pk},
    "progress_new": lambda o: {"pk": o.z.project_a.pk},
    "project_permits": lambda o: {"pk": o.z.project_a.pk},
    "round": lambda o: {"year": o.year, "month": o.month},
    "round_status": lambda o: {"year": o.year, "month": o.month},
    "round_remind": lambda o: {"year": o.year, "month": o.month},
    "round_lock": lambda o: {"year": o.year, "month": o.month},
    "correction_new": lambda o: {"year": o.year, "month": o.month, "pk": o.z.project_a.pk},
    "correction_decide": lambda o: {"pk": o.correction_a.pk},
    "stage_correction_new": lambda o: {"pk": o.z.project_a.pk},
    "stage_correction_decide": lambda o: {"pk": o.stage_correction.pk},
    "issue_detail": lambda o: {"pk": o.issue_a.pk},
    "issue_assignment_slip": lambda o: {"pk": o.issue_l4.pk},
    "issue_supervision_slip": lambda o: {"pk": o.issue_l4.pk},
    "issue_assignment_slip_docx": lambda o: {"pk": o.issue_l4.pk},
    "issue_supervision_slip_docx": lambda o: {"pk": o.issue_l4.pk},
    "meeting_minutes_docx": lambda o: {"pk": o.meeting.pk},
    "approval_decide": lambda o: {"pk": o.approval.pk},
    "notification_read": lambda o: {"pk": o.notification.pk},
    "job_detail": lambda o: {"pk": o.job.pk},
    "job_download": lambda o: {"pk": o.job.pk},
    "job_confirm_import": lambda o: {"pk": o.preview.pk},
    "job_answer": lambda o: {"pk": o.preview.pk},
    # One URL, one row per action: each on an issue in the state the action applies to.
    **{
        f"issue_action[{action}]": (
            lambda o, action=action, issue=issue: {"pk": getattr(o, issue).pk, "action": action}
        )
        for action, issue in [
            ("follow_up", "issue_a"),
            ("assign", "issue_a"),
            ("escalate", "issue_a"),
            ("resolve", "issue_a"),
            ("request_extension", "issue_a"),
            ("request_suspension", "issue_a"),
            ("withdraw", "issue_a"),
            ("record_feedback", "issue_a"),
            ("close", "issue_resolved"),
            ("reopen", "issue_resolved"),
            ("resume", "issue_suspended"),
            ("send_back", "issue_l4"),
            ("flag", "issue_l4"),
            ("no-such-action", "issue_a"),
        ]
    },
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
    "project_detail[project_b]": ("Projects", "L 404 200 200 200 200 200 200 404", "-"),
    # Master data: coordinators and administrators edit what they see (project_a: grid's park).
    "project_edit":         ("Projects", "L 403 404 404 200 403 403 200 404", "L 403 404 404 ok 403 403 ok 404"),
    # Dashboard (figures over what each role sees; a user without a profile gets the clear message)
    "dashboard":            ("Dashboard", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    "dashboard_json":       ("Dashboard", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    "dashboard_accountability": ("Dashboard", "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    # Progress, stage dates, permits (grid worker of the project, coordinator, administrator)
    "project_sign":         ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_file":         ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_start":        ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_complete":     ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_production":   ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "progress_new":         ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    # An empty POST lacks the formset's management form: 400 for who may post at all.
    "project_permits":      ("Progress", "L 200 404 404 200 403 403 200 404", "L 400 404 404 400 403 403 400 404"),
    # Node plans and documents: read by who sees the project, changed by who may log its progress.
    "project_plan":         ("Plans",    "L 200 404 404 200 200 200 200 404", "L 405 405 405 405 405 405 405 405"),
    "plan_make":            ("Plans",    "L 405 405 405 405 405 405 405 405", "L ok 404 404 ok 403 403 ok 404"),
    "plan_node_add":        ("Plans",    "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 403 400 404"),
    "plan_node":            ("Plans",    "L 200 404 404 200 200 200 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "project_document_add": ("Plans",    "L 405 405 405 405 405 405 405 405", "L ok 404 404 ok 403 403 ok 404"),
    "zone_nodes":           ("Plans",    "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
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
    # Stage dates are corrected through a request (who logs progress) a coordinator decides
    "stage_correction_new":    ("Progress", "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "stage_corrections":       ("Progress", "L 403 403 403 200 403 403 200 403", "-"),
    "stage_correction_decide": ("Progress", "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 ok 403"),
    # Issues (问题诉求): the ladder's actions on an issue of project_a (responsible department: 经济发展局),
    # each on an issue in the state it applies to; an empty POST answers 400 to who may act.
    "issue_list":             ("Issues",   "L 200 200 200 200 200 200 200 200", "-"),
    "issue_committee":        ("Issues",   "L 200 200 200 200 200 200 200 200", "-"),
    "issue_detail":           ("Issues",   "L 200 404 404 200 200 200 200 404", "-"),
    "issue_assignment_slip":  ("Issues",   "L 200 404 404 200 200 200 200 404", "-"),
    "issue_supervision_slip": ("Issues",   "L 200 404 404 200 200 200 200 404", "-"),
    "issue_assignment_slip_docx":  ("Issues", "L 200 404 404 200 200 200 200 404", "-"),
    "issue_supervision_slip_docx": ("Issues", "L 200 404 404 200 200 200 200 404", "-"),
    "issue_action[follow_up]":          ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 400 400 400 404"),
    "issue_action[assign]":             ("Issues", "L 405 405 405 405 405 405 405 405", "L 403 404 404 400 403 403 400 404"),
    "issue_action[escalate]":           ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 403 400 404"),
    "issue_action[resolve]":            ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 403 400 404"),
    "issue_action[request_extension]":  ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 400 400 400 404"),
    "issue_action[request_suspension]": ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 400 400 400 404"),
    "issue_action[withdraw]":           ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 403 400 404"),
    "issue_action[record_feedback]":    ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 403 400 404"),
    "issue_action[close]":              ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 400 400 404"),
    "issue_action[reopen]":             ("Issues", "L 405 405 405 405 405 405 405 405", "L 400 404 404 400 403 400 400 404"),
    "issue_action[resume]":             ("Issues", "L 405 405 405 405 405 405 405 405", "L 403 404 404 400 403 403 400 404"),
    "issue_action[send_back]":          ("Issues", "L 405 405 405 405 405 405 405 405", "L 403 404 404 403 403 400 400 404"),
    "issue_action[flag]":               ("Issues", "L 405 405 405 405 405 405 405 405", "L 403 404 404 403 403 400 400 404"),
    "issue_action[no-such-action]":     ("Issues", "L 405 405 405 405 405 405 405 405", "L 404 404 404 404 404 404 404 404"),
    "approval_list":          ("Issues",   "L 403 403 403 200 403 403 200 403", "-"),
    "approval_decide":        ("Issues",   "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 ok 403"),
    "notification_list":      ("Issues",   "L 200 200 200 200 200 200 200 200", "-"),
    "notification_channels":  ("Issues",   "L 200 200 200 200 200 200 200 200", "L ok ok ok ok ok ok ok ok"),
    "notification_read":      ("Issues",   "L 405 405 405 405 405 405 405 405", "L ok 404 404 404 404 404 404 404"),
    "notification_read_all":  ("Issues",   "L 405 405 405 405 405 405 405 405", "L ok ok ok ok ok ok ok ok"),
    # The zone on one map: read by everyone over what they see; no base-layer file is set here (404).
    "map":                  ("Map",      "L 200 200 200 200 200 200 200 200", "-"),
    "map_geojson":          ("Map",      "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    "map_parks":            ("Map",      "L 200 200 200 200 200 200 200 200", "L 405 405 405 405 405 405 405 405"),
    "map_plan_image":       ("Map",      "L 404 404 404 404 404 404 404 404", "L 405 405 405 405 405 405 405 405"),
    "map_archive":          ("Map",      "L 404 404 404 404 404 404 404 404", "L 405 405 405 405 405 405 405 405"),
    "map_tile":             ("Map",      "L 404 404 404 404 404 404 404 404", "L 405 405 405 405 405 405 405 405"),
    # A project's place: its grid workers, coordinators, administrators (the rulebook's SET_LOCATION).
    "project_location":     ("Map",      "L 200 404 404 200 403 403 200 404", "L ok 404 404 ok 403 403 ok 404"),
    "visit_use_location":   ("Map",      "L 405 405 405 405 405 405 405 405", "L ok 404 404 ok 403 403 ok 404"),
    "visit_evidence":       ("Visits",   "L 403 403 403 200 403 200 200 403", "-"),
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
    "meeting_cancel":       ("Meetings", "L 403 403 403 200 403 403 200 403", "L 403 403 403 ok 403 403 ok 403"),
    "meeting_minutes_docx": ("Meetings", "L 404 404 404 200 200 200 200 404", "-"),
    # The ledger in Excel and the monthly report
    "ledger_import":        ("Excel",    "L 403 403 403 200 403 403 200 403", "L 403 403 403 ok 403 403 ok 403"),
    "ledger_template":      ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "project_export":       ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "issue_export":         ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "monthly_report":       ("Excel",    "L 200 200 200 200 200 200 200 200", "-"),
    "monthly_report_xlsx":  ("Excel",    "L 302 302 302 302 302 302 302 302", "-"),
    "job_detail":           ("Excel",    "L 200 404 404 404 404 404 404 404", "-"),
    "job_download":         ("Excel",    "L 200 404 404 404 404 404 404 404", "-"),
    "job_confirm_import":   ("Excel",    "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 404 403"),
    "job_answer":           ("Excel",    "L 405 405 405 405 405 405 405 405", "L 403 403 403 ok 403 403 404 403"),
    # Audit: change history, login audit, uploads
    "object_history":       ("Audit",    "L 200 404 404 200 200 200 200 404", "-"),
    "object_history[project_b]": ("Audit",    "L 404 200 200 200 200 200 200 404", "-"),
    "login_audit":          ("Audit",    "L 403 403 403 403 403 403 200 403", "-"),
    "media":                ("Audit",    "L 200 404 404 200 200 200 200 404", "-"),
    "media[document]":      ("Audit",    "L 200 404 404 200 200 200 200 404", "-"),
}
# fmt: on

# The admin: administrators only (projects/admin_site.py). Every admin route is covered by this
# rule; the index and every model's list and add page are requested for every role.
ADMIN_AREA = "Admin"
ADMIN_GET = "L 403 403 403 403 403 403 200 403"
ADMIN_CHECKED = re.compile(r"^admin:(index|\w+_changelist)$")


def url_name(key):
    """The URL name of a table key: "issue_action[escalate]" → "issue_action"."""
    return key.split("[", 1)[0]


def outcomes(spec):
    return dict(zip(ROLES, spec.split(), strict=True)) if spec != "-" else None


ALLOWED = {"200", "302", "ok", "400"}  # 400: allowed, the (empty) form was refused


def summary():
    """The roles × areas matrix as implemented (Markdown): what each role gets in each area.

    ✓ allowed, 403 forbidden, 404 outside the role's visibility, L sent to log in; "✓/404" means
    allowed on what the role sees. `python -m tests.permissions` prints it.
    """
    rows = [(area, get, post) for area, get, post in TABLE.values()]
    rows.append((ADMIN_AREA, ADMIN_GET, "-"))
    areas = list(dict.fromkeys(area for area, _get, _post in rows))
    lines = ["| area | " + " | ".join(ROLES) + " |", "|---" * (len(ROLES) + 1) + "|"]
    for area in areas:
        cells = []
        for role in ROLES:
            seen = set()
            for row_area, get, post in rows:
                if row_area != area:
                    continue
                for spec in (get, post):
                    token = (outcomes(spec) or {}).get(role)
                    if token in ALLOWED:
                        seen.add("✓")
                    elif token in {"403", "404", "L"}:
                        seen.add(token)
            cells.append("/".join(sorted(seen, key=["✓", "403", "404", "L"].index)) or "—")
        lines.append(f"| {area} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary())
