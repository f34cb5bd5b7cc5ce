"""The audit timeline: each kind of change is recorded with who, when, before and after, readably."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from simple_history.utils import update_change_reason

from projects import audit
from projects.models import (
    Department,
    Issue,
    IssueStatus,
    Listing,
    ListingKind,
    ListingLevel,
    Meeting,
    MonthlyReport,
    Permit,
    PermitStatus,
    PermitType,
    PlanNode,
    Project,
    Stage,
    Visit,
)


def as_user(user):
    """Make simple-history name `user` on rows written outside a request (as the middleware does)."""
    from simple_history.models import HistoricalRecords

    class _Request:
        pass

    request = _Request()
    request.user = user
    HistoricalRecords.context.request = request
    return request


@pytest.fixture(autouse=True)
def _clear_history_user():
    yield
    from simple_history.models import HistoricalRecords

    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request


def make_issue(z, **kwargs):
    values = {
        "project": z.project_a,
        "category": "permits",
        "description": "施工许可证办理缓慢",
        "raised_at": timezone.now(),
        "raised_by": z.grid.staff,
    }
    values.update(kwargs)
    return Issue.objects.create(**values)


def test_project_change_shows_who_field_before_after_and_choice_labels(zone):
    z = zone
    as_user(z.coordinator)
    project = Project.objects.get(pk=z.project_b.pk)
    project.stage = Stage.CONSTRUCTION
    project.actual_start = datetime.date(z.year, 3, 1)
    project.lead_department = z.edb
    project.save()
    with translation.override("en"):
        entries = audit.project_timeline(project)
    latest = entries[0]
    assert latest.kind == "~"
    assert latest.user == "钱经发"
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["stage"] == ("Preparation", "Under construction")
    assert changes["lead department"] == ("行政审批局", "经济发展局")
    assert changes["actual start"][0] == "—"
    # The creation row is there too, naming the initial values.
    assert entries[-1].kind == "+"


@pytest.mark.parametrize("part", ["listing", "report", "permit", "node"])
@translation.override("en")  # the expected names are English msgids; the default language is Chinese
def test_project_parts_are_on_the_project_timeline(zone, part):
    z = zone
    as_user(z.grid)
    if part == "listing":
        obj = Listing.objects.create(
            project=z.project_a,
            year=z.year + 1,
            level=ListingLevel.CITY,
            kind=ListingKind.CONTINUING,
            planned_investment=Decimal("100"),
        )
        obj.planned_investment = Decimal("150.5")
        expected = ("annual planned investment (10k yuan)", "100", "150.5")
    elif part == "report":
        obj = MonthlyReport.objects.create(project=z.project_a, year=z.year, month=3, amount=Decimal("1200"))
        obj.amount = Decimal("1300")
        expected = ("completed investment (10k yuan)", "1200", "1300")
    elif part == "permit":
        obj = Permit.objects.create(project=z.project_a, permit_type=PermitType.objects.first())
        obj.status = PermitStatus.APPROVED
        expected = ("status", str(PermitStatus.NOT_STARTED.label), str(PermitStatus.APPROVED.label))
    else:
        obj = PlanNode.objects.create(project=z.project_a, name="PPAP approved")
        obj.actual_date = datetime.date(z.year, 5, 1)
        expected = ("actual date", "—", None)
    obj.save()
    with translation.override("en"):
        entries = audit.project_timeline(z.project_a)
    latest = entries[0]
    assert latest.user == "王网格"
    assert latest.model == str(type(obj)._meta.verbose_name)
    change = next(c for c in latest.changes if c.field == expected[0])
    assert change.old == expected[1]
    if expected[2] is not None:
        assert change.new == expected[2]


def test_project_timeline_queries_are_bounded(zone, django_assert_max_num_queries):
    z = zone
    as_user(z.grid)
    for month in range(1, 13):
        report = MonthlyReport.objects.create(project=z.project_a, year=z.year, month=month, amount=month)
        report.amount = month * 2
        report.save()
    permit_types = list(PermitType.objects.all()[:5])
    for permit_type in permit_types:
        Permit.objects.create(project=z.project_a, permit_type=permit_type, handler=z.grid.staff)
    for i in range(5):
        PlanNode.objects.create(project=z.project_a, name=f"m{i}")
    # 7 history tables + user/staff joined + permit types + staff named in changes (+ departments…)
    with django_assert_max_num_queries(13):
        entries = audit.project_timeline(z.project_a)
    assert len(entries) >= 12 * 2 + len(permit_types) + 5


def test_visit_m2m_and_withdrawal_are_recorded(zone):
    z = zone
    as_user(z.grid)
    visit = Visit.objects.create(project=z.project_a, date=datetime.date(z.year, 4, 1), summary="走访")
    visit.departments.add(z.approval)
    visit.withdrawn_reason = "重复录入"
    visit.withdrawn_at = timezone.now()
    visit.save()
    with translation.override("en"):
        entries = audit.object_timeline(Visit, visit.pk)
    fields = {c.field: c for e in entries for c in e.changes}
    assert fields["withdrawal reason"].new == "重复录入"
    assert "行政审批局" in fields["departments"].new


def test_issue_and_meeting_changes_are_recorded(zone):
    z = zone
    as_user(z.dept)
    issue = make_issue(z)
    issue.status = IssueStatus.IN_PROGRESS
    issue.department = z.approval
    issue.save()
    update_change_reason(issue, "跟进")
    meeting = Meeting.objects.create(date=datetime.date(z.year, 4, 2), title="第一次调度会")
    meeting.held = True
    meeting.save()
    with translation.override("en"):
        issue_entries = audit.object_timeline(Issue, issue.pk)
        meeting_entries = audit.object_timeline(Meeting, meeting.pk)
    changes = {c.field: c for c in issue_entries[0].changes}
    assert changes["responsible department"].new == "行政审批局"
    assert issue_entries[0].user == "赵审批"
    assert issue_entries[0].reason == "跟进"
    assert {c.field: c.new for c in meeting_entries[0].changes}["held"] == "yes"


def test_the_project_page_links_to_the_history_page_which_shows_the_timeline(zone, login):
    z = zone
    as_user(z.coordinator)
    project = Project.objects.get(pk=z.project_a.pk)
    project.name = "联博定子项目（二期）"
    project.save()
    client = login(z.grid)
    page = client.get(f"/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "联博定子项目（二期）" in page.content.decode()
    assert f'href="/history/project/{project.pk}/"' in page.content.decode()
    history = client.get(f"/history/project/{project.pk}/")
    assert history.status_code == 200
    assert "钱经发" in history.content.decode()


def test_history_page_is_404_outside_visibility(zone, login):
    z = zone
    issue = make_issue(z)
    visit = Visit.objects.create(project=z.project_a, date=datetime.date(z.year, 4, 1), summary="走访")
    client = login(z.grid_b)
    for url in (
        f"/history/project/{z.project_a.pk}/",
        f"/history/issue/{issue.pk}/",
        f"/history/visit/{visit.pk}/",
        f"/history/listing/{z.project_a.listings.get().pk}/",
        f"/history/nosuchmodel/{z.project_a.pk}/",
        "/history/project/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert login(z.grid).get(f"/history/issue/{issue.pk}/").status_code == 200


def test_deleted_object_keeps_its_history_for_who_sees_its_project(zone, login):
    z = zone
    as_user(z.admin)
    node = PlanNode.objects.create(project=z.project_a, name="量产")
    pk = node.pk
    node.delete()
    response = login(z.grid).get(f"/history/plannode/{pk}/")
    assert response.status_code == 200
    assert login(z.grid_b).get(f"/history/plannode/{pk}/").status_code == 404
    entries = audit.object_timeline(PlanNode, pk)
    assert entries[0].kind == "-" and entries[0].user == "吴管理"


def test_meeting_history_visibility(zone, login):
    z = zone
    meeting = Meeting.objects.create(date=datetime.date(z.year, 4, 2), title="调度会")
    assert login(z.coordinator).get(f"/history/meeting/{meeting.pk}/").status_code == 200
    assert login(z.grid).get(f"/history/meeting/{meeting.pk}/").status_code == 404
    meeting.departments.add(z.approval)
    assert login(z.dept).get(f"/history/meeting/{meeting.pk}/").status_code == 200


def test_a_deleted_related_object_is_named_by_its_id(zone):
    z = zone
    as_user(z.coordinator)
    gone = Department.objects.create(name="临时部门")
    issue = make_issue(z, department=gone)
    issue.department = z.approval
    issue.save()
    gone_pk = gone.pk
    gone.delete()
    with translation.override("en"):
        entries = audit.object_timeline(Issue, issue.pk)
    change = next(c for c in entries[0].changes if c.field == "responsible department")
    assert (change.old, change.new) == (f"#{gone_pk}", "行政审批局")


# --- Paths that bypass simple-history's signals write their history explicitly ---------------------


def test_overdue_escalation_is_on_the_timeline(zone):
    from projects.services.issues import escalate_overdue

    z = zone
    issue = make_issue(z, deadline=datetime.date(2000, 1, 3), level_entered_at=timezone.now())
    escalate_overdue(on=timezone.localdate())
    issue.refresh_from_db()
    assert issue.level == 2
    with translation.override("en"):
        entries = audit.object_timeline(Issue, issue.pk)
    latest = entries[0]
    assert latest.kind == "~"
    assert latest.user == "system"
    assert {c.field: (c.old, c.new) for c in latest.changes}["level"] == ("Grid help", "Coordination meeting")


def test_ledger_import_is_on_the_timeline(zone):
    from projects import ledger
    from tests.test_fuzz import valid_row, workbook_bytes

    z = zone
    plan = ledger.ledger_read(workbook_bytes([valid_row(z, **{ledger.TOTAL: 321})], []))
    assert plan.ok, plan.sorted_errors()
    ledger.ledger_apply(plan, by=z.coordinator)
    project = Project.objects.get(code="P-FUZZ")
    with translation.override("en"):
        entries = audit.project_timeline(project)
    assert {(e.model, e.kind) for e in entries} >= {("project", "+"), ("listing", "+")}
    created = next(e for e in entries if e.model == "project")
    assert created.user == "钱经发"
    assert {c.field: c.new for c in created.changes}["total investment (10k yuan)"] == "321"


def test_project_history_queries_do_not_grow_with_the_history(zone, login, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    z = zone
    as_user(z.grid)
    client = login(z.grid)
    url = f"/history/project/{z.project_a.pk}/"

    def change_reports(months):
        for month in months:
            report = MonthlyReport.objects.create(project=z.project_a, year=z.year, month=month, amount=1)
            report.amount = 2
            report.save()

    change_reports([1, 2])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    change_reports(range(3, 13))
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_history_link_partial(zone):
    from django.template.loader import render_to_string

    html = render_to_string("projects/_history_link.html", {"model": "visit", "pk": 7})
    assert 'href="/history/visit/7/"' in html
