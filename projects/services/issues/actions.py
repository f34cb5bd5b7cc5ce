"""The actions on an issue: raised, followed up, assigned, up the ladder, resolved, closed, withdrawn.

Every function here is one transaction that locks the issue row and checks the optional
`expected_version` (`lock_version`: a form shows a version, a stale one raises `StaleVersion`), asks
the rulebook whether the actor may act (`require_issue_action`, PermissionDenied), bumps
`Issue.version`, writes the simple-history record and the `IssueEvent` of the timeline, and queues the
notifications.

`by` is the acting user (a `Staff` is accepted too). Deadlines count working days (projects.workdays)
with the time limits of `Rules.current()`, which an administrator edits in the admin.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ... import access
from ...models import (
    ApprovalRequest,
    CategoryRoute,
    Department,
    Issue,
    IssueAction,
    IssueEventKind,
    IssueStatus,
    Level,
    Project,
    ProjectAction,
    RoleCode,
    Satisfaction,
    Staff,
)
from ...notifications import zone_text
from ...querysets import today
from ..errors import lock_version
from .ladder import (
    check_explicit_deadline,
    default_deadline,
    enter_level,
    give_slip_number,
    record_escalation,
)
from .policy import (
    APPROVER_ROLES,
    MEETING_ROLES,
    REASSIGN_DEPARTMENT_ROLES,
    may_set_deadline,
    require_issue_action,
    require_project_action,
)
from .records import (
    notify_about,
    record_event,
    save_issue,
    user_of,
    users_of_department,
    users_with_role,
)


def _check_meeting_decision(user, meeting_decision):
    """A meeting's decision may set a deadline; only those who record meetings take that path."""
    if meeting_decision and not access.has_role(user, *MEETING_ROLES):
        raise PermissionDenied


def _begin(issue, by, action, expected_version):
    """The prologue of every action on an existing issue: who acts, the row lock, the rulebook.

    Locks first so the permission is judged on the issue's current state, not a stale copy.
    """
    user, staff = access.actor(by)
    lock_version(issue, expected_version)
    require_issue_action(user, action, issue)
    return user, staff


def _required(value, field):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _route(category, project):
    route = CategoryRoute.objects.filter(category=category).select_related("department").first()
    return route.department if route else project.lead_department


@transaction.atomic
def issue_raise(
    *,
    project: Project,
    category: str,
    description: str,
    by,
    visit=None,
    solved_on_site: bool = False,
    resolution: str = "",
    on_the_spot: bool = False,
    department: Department | None = None,
    deadline: datetime.date | None = None,
) -> Issue:
    """A new request at level 1, routed to its category's department (else the project's lead one).

    `on_the_spot` (a leader visit): the committee leader who records it assigns it at once — it enters
    level 3 with them as the assigning leader, `department` must act, by `deadline` (an explicit one,
    bounded by Rules.max_deadline_days) or level 3's default. Only a leader may (the rulebook's
    ProjectAction.ASSIGN_ON_THE_SPOT). `solved_on_site` records it resolved with `resolution`.
    """
    user, staff = access.actor(by)
    require_project_action(user, ProjectAction.RAISE_ISSUE, project)
    now = timezone.now()
    issue = Issue(
        project=project,
        visit=visit,
        category=category,
        description=(description or "").strip(),
        raised_by=staff,
        raised_at=now,
        level_entered_at=now,
    )
    if on_the_spot:
        require_project_action(user, ProjectAction.ASSIGN_ON_THE_SPOT, project)
        if department is None:
            raise ValidationError(
                {"department": _("A leader's assignment names the department that must act.")}
            )
        deadline = check_explicit_deadline(deadline) or default_deadline(Level.LEADER)
        issue.department = department
        for name, value in enter_level(
            issue, Level.LEADER, at=now, deadline=deadline, leader=staff, department=department
        ).items():
            setattr(issue, name, value)
        give_slip_number(issue, Level.LEADER)
    else:
        if deadline is not None:
            # Only a leader's assignment sets a deadline (PRODUCT.md "Deadline rules").
            raise PermissionDenied
        issue.department = department or _route(category, project)
        issue.deadline = default_deadline(issue.level)
    if solved_on_site:
        issue.status = IssueStatus.RESOLVED
        issue.resolution = _required(resolution, "resolution")
        issue.resolved_at = now
        issue.first_response_at = now
        issue.solved_on_site = True
    save_issue(issue, user, "raised")
    record_event(
        issue,
        IssueEventKind.RAISED,
        staff,
        issue.description,
        to_level=issue.level,
        department=issue.department,
        deadline=issue.deadline,
    )
    if on_the_spot:
        record_event(
            issue,
            IssueEventKind.ASSIGNED,
            staff,
            zone_text(gettext_noop("Assigned on the spot during a leader visit.")),
            to_level=issue.level,
            department=issue.department,
            deadline=issue.deadline,
        )
    if solved_on_site:
        record_event(issue, IssueEventKind.RESOLVED, staff, issue.resolution)
        return issue
    notify_about(
        issue,
        users_of_department(issue.department),
        gettext_noop("New issue #%(number)s for %(department)s: %(description)s"),
        actor=user,
        department=issue.department or "",
    )
    return issue


@transaction.atomic
def issue_follow_up(*, issue: Issue, by, text: str, expected_version=None) -> Issue:
    """A progress note; the first one by anyone but the reporter is the first response."""
    user, staff = _begin(issue, by, IssueAction.FOLLOW_UP, expected_version)
    text = _required(text, "text")
    if issue.first_response_at is None and (staff is None or staff.pk != issue.raised_by_id):
        issue.first_response_at = timezone.now()
    if issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
    save_issue(issue, user, "follow-up")
    record_event(issue, IssueEventKind.FOLLOW_UP, staff, text)
    return issue


@transaction.atomic
def issue_assign(
    *,
    issue: Issue,
    by,
    department: Department,
    assignee: Staff | None = None,
    deadline: datetime.date | None = None,
    note: str = "",
    expected_version=None,
    meeting_decision: bool = False,
) -> Issue:
    """Give the issue to a department (and person). A leader at level 3 assigns with a deadline.

    A different deadline from anyone else raises PermissionDenied (see `may_set_deadline`), unless
    `meeting_decision`: a coordination meeting's decision (services.meetings) may set one too.
    """
    user, staff = _begin(issue, by, IssueAction.ASSIGN, expected_version)
    _check_meeting_decision(user, meeting_decision)
    if department is None:
        raise ValidationError({"department": _("This field is required.")})
    if (
        deadline is not None
        and deadline != issue.deadline
        and not meeting_decision
        and not may_set_deadline(user, issue)
    ):
        raise PermissionDenied
    if department.pk != issue.department_id and not access.has_role(user, *REASSIGN_DEPARTMENT_ROLES):
        raise PermissionDenied
    if assignee is not None and assignee.department_id != department.pk:
        raise ValidationError({"assignee": _("The responsible person must belong to the department.")})
    if department.pk != issue.department_id and assignee is None:
        issue.assignee = None
    if assignee is not None:
        issue.assignee = assignee
    issue.department = department
    if deadline is not None and deadline != issue.deadline:
        issue.deadline = check_explicit_deadline(deadline)
    if issue.level == Level.LEADER and access.has_role(user, RoleCode.LEADER) and staff is not None:
        issue.assigned_by_leader = staff
    save_issue(issue, user, "assigned")
    record_event(
        issue,
        IssueEventKind.ASSIGNED,
        staff,
        (note or "").strip(),
        department=department,
        assignee=issue.assignee,
        deadline=issue.deadline,
    )
    notify_about(
        issue,
        [user_of(issue.assignee)] + users_of_department(department),
        gettext_noop(
            "Issue #%(number)s was assigned to %(department)s, deadline %(deadline)s: %(description)s"
        ),
        actor=user,
        department=department,
        deadline=issue.deadline or "—",
    )
    return issue


@transaction.atomic
def issue_escalate(
    *,
    issue: Issue,
    by,
    reason: str,
    deadline: datetime.date | None = None,
    leader: Staff | None = None,
    department: Department | None = None,
    expected_version=None,
    meeting_decision: bool = False,
) -> Issue:
    """One level up with a reason and the new level's default deadline.

    An explicit `deadline` only with `meeting_decision` (services.meetings); from anyone else it raises
    PermissionDenied — a leader sets one by assigning at level 3 (PRODUCT.md "Deadline rules").
    """
    user, staff = _begin(issue, by, IssueAction.ESCALATE, expected_version)
    _check_meeting_decision(user, meeting_decision)
    reason = _required(reason, "reason")
    if deadline is not None and not meeting_decision:
        raise PermissionDenied
    if leader is not None and not leader.has_role(RoleCode.LEADER):
        raise ValidationError({"leader": _("Only a committee leader assigns at level 3.")})
    old_level = issue.level
    new_level = Level(old_level + 1)
    deadline = check_explicit_deadline(deadline) or default_deadline(new_level)
    changes = enter_level(
        issue, new_level, at=timezone.now(), deadline=deadline, leader=leader, department=department
    )
    for name, value in changes.items():
        setattr(issue, name, value)
    give_slip_number(issue, new_level)
    save_issue(issue, user, "escalated")
    record_escalation(issue, IssueEventKind.ESCALATED, staff, reason, old_level, actor=user)
    return issue


@transaction.atomic
def issue_resolve(*, issue: Issue, by, resolution: str, expected_version=None) -> Issue:
    """Resolved with what was done; the grid worker then closes it with the enterprise's feedback."""
    user, staff = _begin(issue, by, IssueAction.RESOLVE, expected_version)
    issue.resolution = _required(resolution, "resolution")
    issue.status = IssueStatus.RESOLVED
    issue.resolved_at = timezone.now()
    issue.suspended = False
    if issue.first_response_at is None and (staff is None or staff.pk != issue.raised_by_id):
        issue.first_response_at = issue.resolved_at
    save_issue(issue, user, "resolved")
    record_event(issue, IssueEventKind.RESOLVED, staff, issue.resolution)
    notify_about(
        issue,
        [user_of(issue.raised_by), user_of(issue.project.grid_worker)],
        gettext_noop(
            "Issue #%(number)s was resolved; give the enterprise feedback and close it: %(description)s"
        ),
        actor=user,
    )
    return issue


@transaction.atomic
def issue_close(*, issue: Issue, by, feedback: str, satisfaction: str, expected_version=None) -> Issue:
    """Closed after the feedback given to the enterprise and its satisfaction are recorded."""
    user, staff = _begin(issue, by, IssueAction.CLOSE, expected_version)
    issue.feedback = _required(feedback, "feedback")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose the enterprise's satisfaction.")})
    issue.satisfaction = satisfaction
    issue.status = IssueStatus.CLOSED
    issue.closed_at = timezone.now()
    save_issue(issue, user, "closed")
    record_event(issue, IssueEventKind.FEEDBACK, staff, issue.feedback)
    record_event(issue, IssueEventKind.CLOSED, staff, str(Satisfaction(satisfaction).label))
    return issue


@transaction.atomic
def issue_record_feedback(*, issue: Issue, by, feedback: str, expected_version=None) -> Issue:
    """Interim feedback given to the enterprise (及时向企业反馈), a line of the timeline.

    The issue's own `feedback` field stays the closing one (issue_close).
    """
    user, staff = _begin(issue, by, IssueAction.RECORD_FEEDBACK, expected_version)
    feedback = _required(feedback, "feedback")
    save_issue(issue, user, "feedback recorded")
    record_event(issue, IssueEventKind.FEEDBACK, staff, feedback)
    return issue


@transaction.atomic
def issue_reopen(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Back to work at the same level with a fresh default deadline; the old outcome stays in the timeline."""
    user, staff = _begin(issue, by, IssueAction.REOPEN, expected_version)
    reason = _required(reason, "reason")
    issue.status = IssueStatus.IN_PROGRESS
    issue.resolution = issue.feedback = issue.satisfaction = ""
    issue.resolved_at = issue.closed_at = None
    issue.deadline = default_deadline(issue.level)
    save_issue(issue, user, "reopened")
    record_event(issue, IssueEventKind.REOPENED, staff, reason, deadline=issue.deadline)
    notify_about(
        issue,
        [user_of(issue.assignee)] + users_of_department(issue.department),
        gettext_noop("Issue #%(number)s was reopened: %(description)s"),
        actor=user,
    )
    return issue


# The action behind each kind of approval request.
REQUEST_ACTIONS = {
    ApprovalRequest.Kind.EXTENSION: IssueAction.REQUEST_EXTENSION,
    ApprovalRequest.Kind.SUSPENSION: IssueAction.REQUEST_SUSPENSION,
}


def _request(issue, by, kind, reason, new_deadline, expected_version):
    user, staff = _begin(issue, by, REQUEST_ACTIONS[kind], expected_version)
    reason = _required(reason, "reason")
    if kind == ApprovalRequest.Kind.EXTENSION:
        if new_deadline is None:
            raise ValidationError({"new_deadline": _("This field is required.")})
        if new_deadline <= today() or (issue.deadline and new_deadline <= issue.deadline):
            raise ValidationError(
                {"new_deadline": _("The new deadline must be later than the current one and than today.")}
            )
        check_explicit_deadline(new_deadline, "new_deadline")
    if issue.approval_requests.filter(kind=kind, status=ApprovalRequest.Status.PENDING).exists():
        raise ValidationError(_("A request of this kind is already waiting for a decision."))
    request = ApprovalRequest(
        issue=issue, kind=kind, reason=reason, new_deadline=new_deadline, requested_by=staff
    )
    request.full_clean(exclude=["issue", "requested_by"])
    request.save()
    save_issue(issue, user, f"{kind} requested")
    event_kind = (
        IssueEventKind.EXTENSION_REQUESTED
        if kind == ApprovalRequest.Kind.EXTENSION
        else IssueEventKind.SUSPENSION_REQUESTED
    )
    record_event(issue, event_kind, staff, reason, deadline=new_deadline)
    notify_about(
        issue,
        users_with_role(RoleCode.COORDINATOR),
        gettext_noop("Issue #%(number)s: %(kind)s requested, waiting for your decision: %(description)s"),
        actor=user,
        kind=ApprovalRequest.Kind(kind).label,
    )
    return request


@transaction.atomic
def issue_request_extension(
    *, issue: Issue, by, reason: str, new_deadline: datetime.date | None = None, expected_version=None
) -> ApprovalRequest:
    """Ask a coordinator to extend the deadline (延期) to `new_deadline`."""
    return _request(issue, by, ApprovalRequest.Kind.EXTENSION, reason, new_deadline, expected_version)


@transaction.atomic
def issue_request_suspension(
    *, issue: Issue, by, reason: str, new_deadline: datetime.date | None = None, expected_version=None
) -> ApprovalRequest:
    """Ask a coordinator to suspend the issue (挂起, e.g. waiting for a land quota)."""
    return _request(issue, by, ApprovalRequest.Kind.SUSPENSION, reason, new_deadline, expected_version)


@transaction.atomic
def approval_decide(*, request: ApprovalRequest, by, approve: bool, note: str = "") -> ApprovalRequest:
    """A coordinator approves or rejects an extension or suspension request."""
    user, staff = access.actor(by)
    if not access.has_role(user, *APPROVER_ROLES):
        raise PermissionDenied
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ApprovalRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    issue = lock_version(request.issue)
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REJECTED
    request.decided_by = staff
    request.decided_at = timezone.now()
    request.decision_note = (note or "").strip()[:200]
    request.save()
    text = request.decision_note or request.reason
    if not approve:
        kind = IssueEventKind.REQUEST_REJECTED
    elif request.kind == ApprovalRequest.Kind.EXTENSION:
        kind = IssueEventKind.EXTENDED
        issue.deadline = request.new_deadline
    else:
        kind = IssueEventKind.SUSPENDED
        issue.suspended = True
    save_issue(issue, user, kind)
    record_event(
        issue, kind, staff, text, deadline=issue.deadline if kind == IssueEventKind.EXTENDED else None
    )
    notify_about(
        issue,
        [user_of(request.requested_by)],
        gettext_noop("Issue #%(number)s: your request was %(decision)s."),
        actor=user,
        decision=ApprovalRequest.Status(request.status).label,
    )
    return request


@transaction.atomic
def issue_resume(
    *, issue: Issue, by, note: str = "", deadline: datetime.date | None = None, expected_version=None
) -> Issue:
    """End a suspension: the clock runs again, from today with the level's time limit unless given."""
    user, staff = _begin(issue, by, IssueAction.RESUME, expected_version)
    issue.suspended = False
    issue.deadline = check_explicit_deadline(deadline) or default_deadline(issue.level)
    save_issue(issue, user, "resumed")
    record_event(issue, IssueEventKind.RESUMED, staff, (note or "").strip(), deadline=issue.deadline)
    return issue


@transaction.atomic
def issue_send_back(*, issue: Issue, by, comments: str, expected_version=None) -> Issue:
    """The supervisor sends a level-4 issue back to the acting department with comments."""
    user, staff = _begin(issue, by, IssueAction.SEND_BACK, expected_version)
    comments = _required(comments, "comments")
    issue.status = IssueStatus.IN_PROGRESS
    issue.resolved_at = None
    # A fresh time limit, as on entering the level: the old deadline may already have passed.
    issue.deadline = default_deadline(issue.level)
    save_issue(issue, user, "sent back")
    record_event(
        issue,
        IssueEventKind.SENT_BACK,
        staff,
        comments,
        department=issue.department,
        assignee=issue.assignee,
        deadline=issue.deadline,
    )
    notify_about(
        issue,
        [user_of(issue.assignee)] + users_of_department(issue.department),
        gettext_noop("Issue #%(number)s was sent back to your department by the supervisor: %(description)s"),
        actor=user,
    )
    return issue


@transaction.atomic
def issue_flag_for_committee(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Flag a level-4 issue for the Party Working Committee / Management Committee."""
    user, staff = _begin(issue, by, IssueAction.FLAG, expected_version)
    reason = _required(reason, "reason")
    issue.flagged_for_committee = True
    save_issue(issue, user, "flagged")
    record_event(issue, IssueEventKind.FLAGGED, staff, reason)
    return issue


@transaction.atomic
def issue_withdraw(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Withdraw (never delete) an issue raised by mistake, with the reason."""
    user, staff = _begin(issue, by, IssueAction.WITHDRAW, expected_version)
    issue.withdrawn_reason = _required(reason, "reason")[:200]
    issue.withdrawn_at = timezone.now()
    save_issue(issue, user, "withdrawn")
    record_event(issue, IssueEventKind.WITHDRAWN, staff, issue.withdrawn_reason)
    # Those working on it stop: the acting department, the leader from level 3, the supervisors at 4.
    recipients = [user_of(issue.assignee)] + users_of_department(issue.department)
    if issue.level >= Level.LEADER:
        recipients.append(user_of(issue.assigned_by_leader or issue.project.leader))
    if issue.level == Level.SUPERVISION:
        recipients += users_with_role(RoleCode.SUPERVISOR)
    notify_about(
        issue,
        recipients,
        gettext_noop("Issue #%(number)s was withdrawn: %(reason)s — %(description)s"),
        actor=user,
        reason=issue.withdrawn_reason,
    )
    return issue
