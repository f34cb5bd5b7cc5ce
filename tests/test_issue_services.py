"""The issue services: the ladder, deadlines, roles, approvals, optimistic locking."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects.models import (
    ApprovalRequest,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Notification,
    Rules,
    Satisfaction,
    Staff,
)
from projects.querysets import today
from projects.services.errors import StaleObjectError
from projects.services.issues import (
    allowed_actions,
    approval_decide,
    default_deadline,
    issue_assign,
    issue_close,
    issue_escalate,
    issue_flag_for_committee,
    issue_follow_up,
    issue_raise,
    issue_record_feedback,
    issue_reopen,
    issue_request_extension,
    issue_request_suspension,
    issue_resolve,
    issue_resume,
    issue_send_back,
    issue_withdraw,
    may_set_deadline,
)
from projects.services.meetings import meeting_create, meeting_record_decisions
from projects.workdays import add_working_days

D = datetime.date
# An explicit deadline within Rules.max_deadline_days (60 working days) of today.
SOON = today() + datetime.timedelta(days=40)


def raise_permit_issue(z, **kwargs):
    kwargs.setdefault("description", "施工许可证办理卡在消防审查")
    kwargs.setdefault("by", z.grid)
    return issue_raise(project=z.project_a, category="permits", **kwargs)


def kinds(issue):
    return list(issue.events.values_list("kind", flat=True))


def test_raise_routes_to_category_department_with_default_deadline(zone):
    issue = raise_permit_issue(zone)
    assert issue.level == Level.GRID_HELP
    assert issue.status == IssueStatus.OPEN
    assert issue.department == zone.approval
    assert issue.raised_by == zone.grid.staff
    assert issue.deadline == add_working_days(today(), 5)
    assert issue.version == 1
    assert kinds(issue) == [IssueEventKind.RAISED]
    assert issue.history.count() == 1
    assert issue.history.first().history_user == zone.grid
    # The department's staff hear of it.
    assert Notification.objects.filter(recipient=zone.dept, issue=issue).count() == 1


def test_raise_without_route_goes_to_the_lead_department(zone):
    issue = issue_raise(project=zone.project_a, category="other", description="其他", by=zone.grid)
    assert issue.department == zone.edb


def test_who_may_raise(zone):
    for user in (zone.nobody, zone.dept):
        with pytest.raises(PermissionDenied):
            raise_permit_issue(zone, by=user)
    with pytest.raises(PermissionDenied):  # project of another park
        raise_permit_issue(zone, by=zone.grid_b)
    assert raise_permit_issue(zone, by=zone.superuser).raised_by is None


def test_raise_solved_on_site(zone):
    issue = raise_permit_issue(zone, solved_on_site=True, resolution="当场讲解材料要求")
    assert issue.status == IssueStatus.RESOLVED
    assert issue.solved_on_site and issue.resolved_at and issue.first_response_at
    assert kinds(issue) == [IssueEventKind.RAISED, IssueEventKind.RESOLVED]
    with pytest.raises(ValidationError):
        raise_permit_issue(zone, solved_on_site=True, resolution="  ")


def test_raise_on_a_leader_visit_is_assigned_on_the_spot(zone):
    leader = zone.leader.staff
    issue = raise_permit_issue(zone, by=zone.leader, on_the_spot=True, department=zone.approval)
    assert issue.level == Level.LEADER
    assert issue.assigned_by_leader == leader
    assert issue.department == zone.approval
    assert issue.deadline == add_working_days(today(), 10)
    assert issue.assignment_slip_no == f"交〔{today().year}〕1号"
    assert kinds(issue) == [IssueEventKind.RAISED, IssueEventKind.ASSIGNED]
    second = raise_permit_issue(
        zone, by=zone.leader, on_the_spot=True, department=zone.approval, deadline=SOON
    )
    assert second.assignment_slip_no == f"交〔{today().year}〕2号"
    assert second.deadline == SOON
    with pytest.raises(ValidationError):
        raise_permit_issue(zone, by=zone.leader, on_the_spot=True)  # the department is required then
    with pytest.raises(PermissionDenied):  # only a committee leader assigns on the spot
        raise_permit_issue(zone, by=zone.grid, on_the_spot=True, department=zone.approval)


def test_first_response_is_the_first_follow_up_by_someone_else(zone):
    issue = raise_permit_issue(zone)
    issue_follow_up(issue=issue, by=zone.grid, text="已电话联系企业")
    assert issue.first_response_at is None
    assert issue.status == IssueStatus.IN_PROGRESS
    issue_follow_up(issue=issue, by=zone.dept, text="明天上门")
    assert issue.first_response_at is not None
    assert issue.version == 3
    with pytest.raises(ValidationError):
        issue_follow_up(issue=issue, by=zone.dept, text="")


def test_the_whole_ladder(zone):
    rules = Rules.current()
    issue = raise_permit_issue(zone)
    # Level 1 → 2 by the grid worker; a department cannot escalate.
    with pytest.raises(PermissionDenied):
        issue_escalate(issue=issue, by=zone.dept, reason="x")
    issue_escalate(issue=issue, by=zone.grid, reason="需要部门会办")
    assert issue.level == Level.COORDINATION
    assert issue.deadline == add_working_days(today(), rules.coordination_days)
    # 2 → 3: not the grid worker, the coordinator; records the project's leader and department.
    with pytest.raises(PermissionDenied):
        issue_escalate(issue=issue, by=zone.grid, reason="x")
    issue_escalate(issue=issue, by=zone.coordinator, reason="调度会未能解决")
    assert issue.level == Level.LEADER
    assert issue.assigned_by_leader == zone.leader.staff
    assert issue.department == zone.approval
    assert issue.assignment_slip_no.startswith("交〔")
    assert issue.deadline == add_working_days(today(), rules.leader_days)
    # The leader assigns with an explicit deadline.
    issue_assign(
        issue=issue,
        by=zone.leader,
        department=zone.approval,
        assignee=zone.dept.staff,
        deadline=SOON,
    )
    assert issue.deadline == SOON and issue.assignee == zone.dept.staff
    # 3 → 4: not the coordinator, the leader.
    with pytest.raises(PermissionDenied):
        issue_escalate(issue=issue, by=zone.coordinator, reason="x")
    issue_escalate(issue=issue, by=zone.leader, reason="逾期未办结")
    assert issue.level == Level.SUPERVISION
    assert issue.supervision_slip_no == f"督〔{today().year}〕1号"
    assert "escalate" not in allowed_actions(zone.admin, issue)
    with pytest.raises(PermissionDenied):
        issue_escalate(issue=issue, by=zone.admin, reason="x")
    # The supervisor flags it and sends it back to the acting department.
    issue_flag_for_committee(issue=issue, by=zone.supervisor, reason="需党工委调度")
    issue_send_back(issue=issue, by=zone.supervisor, comments="请补充落实措施")
    assert issue.flagged_for_committee
    assert Notification.objects.filter(recipient=zone.dept, text__contains=str(issue.pk)).exists()
    # The department resolves; the grid worker closes with the enterprise's feedback.
    issue_resolve(issue=issue, by=zone.dept, resolution="已核发施工许可证")
    with pytest.raises(ValidationError):
        issue_close(issue=issue, by=zone.grid, feedback="", satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(ValidationError):
        issue_close(issue=issue, by=zone.grid, feedback="已告知企业", satisfaction="")
    issue_close(issue=issue, by=zone.grid, feedback="已告知企业", satisfaction=Satisfaction.SATISFIED)
    assert issue.status == IssueStatus.CLOSED and issue.closed_at
    assert kinds(issue) == [
        IssueEventKind.RAISED,
        IssueEventKind.ESCALATED,
        IssueEventKind.ESCALATED,
        IssueEventKind.ASSIGNED,
        IssueEventKind.ESCALATED,
        IssueEventKind.FLAGGED,
        IssueEventKind.SENT_BACK,
        IssueEventKind.RESOLVED,
        IssueEventKind.FEEDBACK,
        IssueEventKind.CLOSED,
    ]
    escalations = issue.events.filter(kind=IssueEventKind.ESCALATED)
    assert [(e.from_level, e.to_level) for e in escalations] == [(1, 2), (2, 3), (3, 4)]
    # Every change wrote its history record.
    assert issue.history.count() == issue.version == 9
    # Reopen: back to work, fresh deadline of the level.
    issue_reopen(issue=issue, by=zone.coordinator, reason="企业反映仍未解决")
    assert issue.status == IssueStatus.IN_PROGRESS and issue.closed_at is None
    assert issue.feedback == "" and issue.resolution == ""
    assert issue.deadline == add_working_days(today(), rules.supervision_days)


def test_default_deadlines_skip_holidays_and_count_make_up_saturdays(zone):
    # Entered on Wednesday 30 September 2026: 1–7 October are National Day, Saturday 10 October works.
    assert default_deadline(Level.GRID_HELP, D(2026, 9, 30)) == D(2026, 10, 13)  # 8, 9, 10(Sat), 12, 13
    rules = Rules.current()
    rules.grid_help_days = 3
    rules.save()
    assert default_deadline(Level.GRID_HELP, D(2026, 9, 30)) == D(2026, 10, 10)


def test_department_staff_act_only_on_their_department(zone):
    issue = raise_permit_issue(zone)  # routed to 行政审批局, dept's department
    other = issue_raise(project=zone.project_a, category="land", description="用地指标", by=zone.grid)
    assert allowed_actions(zone.dept, issue) >= {"follow_up", "resolve", "assign"}
    with pytest.raises(PermissionDenied):  # not visible to them at all
        issue_follow_up(issue=other, by=zone.dept, text="x")
    with pytest.raises(PermissionDenied):  # only the person within their own department
        issue_assign(issue=issue, by=zone.dept, department=zone.edb)
    issue_assign(issue=issue, by=zone.dept, department=zone.approval, assignee=zone.dept.staff)
    assert issue.assignee == zone.dept.staff
    with pytest.raises(PermissionDenied):
        issue_close(issue=issue, by=zone.dept, feedback="x", satisfaction=Satisfaction.SATISFIED)


def test_assignment_notifies_the_assignee_and_the_department(
    zone, django_capture_on_commit_callbacks, mailoutbox, run_jobs
):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    issue = issue_raise(project=zone.project_a, category="land", description="用地指标", by=zone.grid)
    with django_capture_on_commit_callbacks(execute=True):
        issue_assign(
            issue=issue,
            by=zone.coordinator,
            department=zone.approval,
            assignee=zone.dept.staff,
            note="请跟进",
        )
    run_jobs()
    assert issue.department == zone.approval
    assert Notification.objects.filter(recipient=zone.dept, issue=issue).count() == 1
    assert [m.to for m in mailoutbox] == [["dept@example.com"]]
    assert f"/issues/{issue.pk}/" in mailoutbox[0].body
    with pytest.raises(ValidationError):  # the person must belong to the department
        issue_assign(issue=issue, by=zone.coordinator, department=zone.edb, assignee=zone.dept.staff)
    with pytest.raises(PermissionDenied):
        issue_assign(issue=issue, by=zone.grid, department=zone.edb)


def test_stale_version_is_refused_and_nothing_is_written(zone):
    issue = raise_permit_issue(zone)
    shown = issue.version
    other_copy = Issue.objects.get(pk=issue.pk)
    issue_follow_up(issue=other_copy, by=zone.dept, text="先到", expected_version=shown)
    events = IssueEvent.objects.count()
    with pytest.raises(StaleObjectError):
        issue_follow_up(issue=issue, by=zone.grid, text="后到", expected_version=shown)
    assert IssueEvent.objects.count() == events
    assert Issue.objects.get(pk=issue.pk).version == shown + 1


def test_extension_needs_a_coordinators_approval(zone):
    issue = raise_permit_issue(zone)
    later = issue.deadline + datetime.timedelta(days=10)
    with pytest.raises(ValidationError):
        issue_request_extension(issue=issue, by=zone.dept, reason="材料补正", new_deadline=None)
    request = issue_request_extension(issue=issue, by=zone.dept, reason="材料补正", new_deadline=later)
    assert request.status == ApprovalRequest.Status.PENDING
    assert Notification.objects.filter(recipient=zone.coordinator, issue=issue).exists()
    with pytest.raises(ValidationError):  # one pending request of a kind at a time
        issue_request_extension(issue=issue, by=zone.dept, reason="again", new_deadline=later)
    for user in (zone.dept, zone.grid, zone.leader, zone.supervisor):
        with pytest.raises(PermissionDenied):
            approval_decide(request=request, by=user, approve=True)
    approval_decide(request=request, by=zone.coordinator, approve=True, note="同意")
    issue.refresh_from_db()
    assert issue.deadline == later
    assert kinds(issue)[-2:] == [IssueEventKind.EXTENSION_REQUESTED, IssueEventKind.EXTENDED]
    with pytest.raises(ValidationError):
        approval_decide(request=request, by=zone.coordinator, approve=False)


def test_rejected_request_changes_no_deadline(zone):
    issue = raise_permit_issue(zone)
    before = issue.deadline
    request = issue_request_extension(
        issue=issue, by=zone.grid, reason="x", new_deadline=before + datetime.timedelta(days=3)
    )
    approval_decide(request=request, by=zone.coordinator, approve=False, note="理由不足")
    issue.refresh_from_db()
    assert issue.deadline == before
    assert kinds(issue)[-1] == IssueEventKind.REQUEST_REJECTED
    assert Notification.objects.filter(recipient=zone.grid, issue=issue).exists()


def test_suspended_issue_is_not_overdue_and_resumes(zone):
    issue = raise_permit_issue(zone)
    Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=3))
    assert Issue.objects.overdue().filter(pk=issue.pk).exists()
    request = issue_request_suspension(issue=issue, by=zone.grid, reason="等待用地指标")
    approval_decide(request=request, by=zone.coordinator, approve=True)
    issue.refresh_from_db()
    assert issue.suspended
    assert not Issue.objects.overdue().filter(pk=issue.pk).exists()
    assert "request_suspension" not in allowed_actions(zone.grid, issue)
    with pytest.raises(PermissionDenied):
        issue_resume(issue=issue, by=zone.grid)
    issue_resume(issue=issue, by=zone.coordinator, note="指标已到")
    assert not issue.suspended
    assert issue.deadline == add_working_days(today(), 5)


def test_withdraw_never_deletes(zone):
    issue = raise_permit_issue(zone)
    with pytest.raises(PermissionDenied):
        issue_withdraw(issue=issue, by=zone.dept, reason="x")
    issue_withdraw(issue=issue, by=zone.grid, reason="重复录入")
    assert Issue.objects.filter(pk=issue.pk).exists()
    assert issue.withdrawn_at and issue.withdrawn_reason == "重复录入"
    assert not Issue.objects.unresolved().filter(pk=issue.pk).exists()
    assert allowed_actions(zone.admin, issue) == set()


def test_supervisor_actions_only_at_level_4(zone):
    issue = raise_permit_issue(zone)
    with pytest.raises(PermissionDenied):
        issue_send_back(issue=issue, by=zone.supervisor, comments="x")
    with pytest.raises(PermissionDenied):
        issue_flag_for_committee(issue=issue, by=zone.supervisor, reason="x")


LEVEL_ACTIONS = {
    # role persona → escalate allowed at levels 1, 2, 3, 4
    "grid": [True, False, False, False],
    "dept": [False, False, False, False],
    "coordinator": [True, True, False, False],
    "leader": [False, False, True, False],
    "supervisor": [False, False, False, False],
    "admin": [True, True, True, False],
    "superuser": [True, True, True, False],
    "nobody": [False, False, False, False],
}


def test_escalation_matrix(zone):
    issue = raise_permit_issue(zone)
    for level in Level:
        issue.level = level
        table = {name: "escalate" in allowed_actions(getattr(zone, name), issue) for name in LEVEL_ACTIONS}
        assert table == {name: row[level - 1] for name, row in LEVEL_ACTIONS.items()}, level


def test_by_accepts_a_staff_profile(zone):
    issue = raise_permit_issue(zone, by=Staff.objects.get(user=zone.grid))
    issue_follow_up(issue=issue, by=zone.dept.staff, text="已受理")
    assert issue.first_response_at is not None


def test_an_explicit_deadline_cannot_be_in_the_past(zone):
    issue = raise_permit_issue(zone)
    yesterday = today() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):  # a meeting decision may set a deadline, not a past one
        issue_assign(
            issue=issue,
            by=zone.coordinator,
            department=zone.approval,
            deadline=yesterday,
            meeting_decision=True,
        )
    with pytest.raises(ValidationError):
        issue_escalate(
            issue=issue, by=zone.coordinator, reason="x", deadline=yesterday, meeting_decision=True
        )
    with pytest.raises(ValidationError):
        raise_permit_issue(
            zone, by=zone.leader, on_the_spot=True, department=zone.approval, deadline=yesterday
        )
    issue.refresh_from_db()
    assert issue.level == Level.GRID_HELP and issue.version == 1


# --- Who sets a deadline (PRODUCT.md "Deadline rules") ----------------------------------------------


def test_department_staff_cannot_move_the_deadline(zone):
    issue = raise_permit_issue(zone)  # routed to 行政审批局, dept's department
    Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=2))
    issue.refresh_from_db()
    overdue_since = issue.deadline
    assert not may_set_deadline(zone.dept, issue)
    with pytest.raises(PermissionDenied):
        issue_assign(
            issue=issue,
            by=zone.dept,
            department=zone.approval,
            assignee=zone.dept.staff,
            deadline=D(today().year + 1, 6, 30),
        )
    issue.refresh_from_db()
    assert (issue.deadline, issue.assignee, issue.version) == (overdue_since, None, 1)
    # Choosing the person without touching the deadline still works, the same deadline included.
    issue_assign(
        issue=issue, by=zone.dept, department=zone.approval, assignee=zone.dept.staff, deadline=overdue_since
    )
    assert (issue.deadline, issue.assignee) == (overdue_since, zone.dept.staff)
    # Nor a coordinator outside a meeting, nor a leader below level 3.
    for user in (zone.coordinator, zone.admin, zone.leader):
        assert not may_set_deadline(user, issue)
    with pytest.raises(PermissionDenied):
        issue_assign(issue=issue, by=zone.coordinator, department=zone.approval, deadline=SOON)


def test_a_leader_sets_the_deadline_at_level_3(zone):
    issue = raise_permit_issue(zone)
    issue_escalate(issue=issue, by=zone.grid, reason="需要部门会办")
    issue_escalate(issue=issue, by=zone.coordinator, reason="调度会未能解决")
    assert may_set_deadline(zone.leader, issue)
    assert not may_set_deadline(zone.dept, issue)
    with pytest.raises(PermissionDenied):
        issue_assign(issue=issue, by=zone.dept, department=zone.approval, deadline=SOON)
    issue_assign(issue=issue, by=zone.leader, department=zone.approval, deadline=SOON)
    assert issue.deadline == SOON
    assert issue.events.last().deadline == SOON
    issue_escalate(issue=issue, by=zone.leader, reason="逾期未办结")
    assert not may_set_deadline(zone.leader, issue)  # level 4: the supervisor's, no explicit deadline


def test_a_meeting_decision_sets_the_deadline(zone):
    issue = raise_permit_issue(zone)
    issue_escalate(issue=issue, by=zone.grid, reason="需要部门会办")
    meeting = meeting_create(
        by=zone.coordinator, date=today(), title="调度会", chair=zone.coordinator.staff, issues=[issue]
    )
    item = meeting.items.get()
    later = add_working_days(today(), 30)
    meeting_record_decisions(
        meeting=meeting,
        by=zone.coordinator,
        decisions=[{"item": item, "decision": "assign", "department": zone.approval, "deadline": later}],
    )
    issue.refresh_from_db()
    assert issue.deadline == later


def test_department_staff_get_more_time_through_an_extension(zone):
    issue = raise_permit_issue(zone)
    later = issue.deadline + datetime.timedelta(days=20)
    request = issue_request_extension(
        issue=issue, by=zone.dept, reason="等待消防审查意见", new_deadline=later
    )
    issue.refresh_from_db()
    assert issue.deadline != later
    approval_decide(request=request, by=zone.coordinator, approve=True)
    issue.refresh_from_db()
    assert issue.deadline == later


# --- Interim feedback to the enterprise ------------------------------------------------------------


def test_feedback_to_the_enterprise_is_a_timeline_event(zone):
    issue = raise_permit_issue(zone)
    issue_record_feedback(issue=issue, by=zone.grid, feedback="已告知企业消防审查进度", expected_version=1)
    assert issue.version == 2 and issue.status == IssueStatus.OPEN
    event = issue.events.last()
    assert (event.kind, event.text, event.by) == (
        IssueEventKind.FEEDBACK,
        "已告知企业消防审查进度",
        zone.grid.staff,
    )
    assert issue.feedback == ""  # the closing feedback stays issue_close's
    assert issue.history.first().history_change_reason == "feedback recorded"
    issue_record_feedback(issue=issue, by=zone.coordinator, feedback="调度会已安排")
    with pytest.raises(ValidationError):
        issue_record_feedback(issue=issue, by=zone.grid, feedback="  ")
    with pytest.raises(StaleObjectError):
        issue_record_feedback(issue=issue, by=zone.grid, feedback="x", expected_version=1)
    assert kinds(issue).count(IssueEventKind.FEEDBACK) == 2
    # Still possible once resolved, no longer once closed.
    issue_resolve(issue=issue, by=zone.dept, resolution="已核发")
    issue_record_feedback(issue=issue, by=zone.grid, feedback="已电话告知企业办结")
    issue_close(issue=issue, by=zone.grid, feedback="企业确认", satisfaction=Satisfaction.SATISFIED)
    assert "record_feedback" not in allowed_actions(zone.grid, issue)
    with pytest.raises(PermissionDenied):
        issue_record_feedback(issue=issue, by=zone.grid, feedback="x")


def test_who_records_feedback_to_the_enterprise(zone):
    issue = raise_permit_issue(zone)
    may = {
        name: "record_feedback" in allowed_actions(getattr(zone, name), issue)
        for name in ("grid", "dept", "coordinator", "leader", "supervisor", "admin", "nobody")
    }
    assert may == {
        "grid": True,
        "dept": False,
        "coordinator": True,
        "leader": False,
        "supervisor": False,
        "admin": True,
        "nobody": False,
    }
    for user in (zone.dept, zone.leader, zone.supervisor, zone.grid_b, zone.nobody):
        with pytest.raises(PermissionDenied):
            issue_record_feedback(issue=issue, by=user, feedback="x")
    assert kinds(issue) == [IssueEventKind.RAISED]


# --- Sent back: a fresh deadline --------------------------------------------------------------------


def test_sent_back_issue_gets_the_levels_time_limit_from_today(zone):
    issue = raise_permit_issue(zone)
    issue_escalate(issue=issue, by=zone.grid, reason="需要部门会办")
    issue_escalate(issue=issue, by=zone.coordinator, reason="调度会未能解决")
    issue_escalate(issue=issue, by=zone.leader, reason="逾期未办结")
    issue_resolve(issue=issue, by=zone.dept, resolution="已办")
    Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=5))
    issue.refresh_from_db()
    issue_send_back(issue=issue, by=zone.supervisor, comments="落实措施不具体")
    expected = add_working_days(today(), Rules.current().supervision_days)
    assert (issue.level, issue.status, issue.deadline) == (
        Level.SUPERVISION,
        IssueStatus.IN_PROGRESS,
        expected,
    )
    assert not Issue.objects.overdue().filter(pk=issue.pk).exists()
    assert issue.events.last().deadline == expected


def test_manual_escalation_takes_the_default_deadline_and_refuses_another(zone):
    issue = raise_permit_issue(zone)
    later = today() + datetime.timedelta(days=60)
    with pytest.raises(PermissionDenied):
        issue_escalate(issue=issue, by=zone.grid, reason="需要协调", deadline=later)
    issue.refresh_from_db()
    assert issue.level == Level.GRID_HELP and issue.version == 1
    issue = issue_escalate(issue=issue, by=zone.grid, reason="需要协调")
    assert issue.level == Level.COORDINATION
    assert issue.deadline == add_working_days(today(), Rules.current().coordination_days)


def test_a_new_issue_takes_a_deadline_only_from_a_leaders_assignment(zone):
    later = today() + datetime.timedelta(days=30)
    with pytest.raises(PermissionDenied):
        issue_raise(
            project=zone.project_a, category="permits", description="施工许可", by=zone.grid, deadline=later
        )
    assert not Issue.objects.filter(description="施工许可").exists()
    issue = raise_permit_issue(
        zone, by=zone.leader, on_the_spot=True, department=zone.approval, deadline=later
    )
    assert issue.level == Level.LEADER and issue.deadline == later
