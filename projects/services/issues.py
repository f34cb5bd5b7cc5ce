"""The life of an issue: raised, followed up, assigned, up the ladder, resolved, closed.

Every function here is one transaction that locks the issue row (`select_for_update`), checks the
optional `expected_version` (a form shows a version; a stale one raises `StaleObjectError`), checks
the actor's role (`PermissionDenied`, see `allowed_actions`), bumps `Issue.version`, writes the
simple-history record and the `IssueEvent` of the timeline, and queues the notifications.

`by` is the acting user (a `Staff` is accepted too). Deadlines count working days (projects.workdays)
with the time limits of `Rules.current()`, which an administrator edits in the admin.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .. import access
from ..models import (
    ApprovalRequest,
    CategoryRoute,
    Department,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Project,
    RoleCode,
    Rules,
    Satisfaction,
    Staff,
)
from ..notifications import notify, zone_text
from ..querysets import today
from ..workdays import add_working_days
from .errors import StaleObjectError

logger = logging.getLogger(__name__)

__all__ = [
    "StaleObjectError",
    "allowed_actions",
    "approval_decide",
    "default_deadline",
    "escalate_overdue",
    "issue_assign",
    "issue_close",
    "issue_escalate",
    "issue_flag_for_committee",
    "issue_follow_up",
    "issue_raise",
    "issue_record_feedback",
    "issue_reopen",
    "issue_request_extension",
    "issue_request_suspension",
    "issue_resolve",
    "issue_resume",
    "issue_send_back",
    "issue_withdraw",
    "may_set_deadline",
]

G, D, C, L, S, A = (
    RoleCode.GRID_WORKER,
    RoleCode.DEPARTMENT,
    RoleCode.COORDINATOR,
    RoleCode.LEADER,
    RoleCode.SUPERVISOR,
    RoleCode.ADMINISTRATOR,
)
RAISERS = {G, C, L, S, A}
# Foreign keys are set by the services from objects the caller already holds; validating them
# again would cost a query each. Slip numbers are checked by the database (see _save).
CLEAN_EXCLUDE = [
    "project",
    "visit",
    "department",
    "assignee",
    "assigned_by_leader",
    "raised_by",
    "assignment_slip_no",
    "supervision_slip_no",
]
SLIPS = {
    Level.LEADER: ("assignment_slip_no", "交"),
    Level.SUPERVISION: ("supervision_slip_no", "督"),
}


# ---------------------------------------------------------------------------------------------
# Who may do what (PRODUCT.md "Roles"); the views show a form only for these actions.


def _actor(by):
    """(user, staff or None) of the acting user; a Staff is accepted for convenience."""
    if isinstance(by, Staff):
        return by.user, by
    return by, access.get_staff(by)


def allowed_actions(user, issue):
    """The actions `user` may take on `issue` now, assuming they can see it (the views' querysets)."""
    roles = access.role_codes(user)
    staff = access.get_staff(user)
    if not roles or issue.withdrawn_at is not None:
        return set()
    admin = A in roles
    unresolved = issue.status in IssueStatus.unresolved()
    own_department = (
        D in roles
        and staff is not None
        and staff.department_id is not None
        and staff.department_id == issue.department_id
    )
    level = issue.level
    actions = set()
    if unresolved:
        actions.add("follow_up")
        if admin or C in roles or (L in roles and level >= Level.LEADER) or own_department:
            actions.add("assign")
        if level < Level.SUPERVISION and (
            admin
            or (G in roles and level == Level.GRID_HELP)
            or (C in roles and level in (Level.GRID_HELP, Level.COORDINATION))
            or (L in roles and level == Level.LEADER)
        ):
            actions.add("escalate")
        if (
            admin
            or C in roles
            or own_department
            or (G in roles and level == Level.GRID_HELP)
            or (L in roles and level >= Level.LEADER)
            or (S in roles and level == Level.SUPERVISION)
        ):
            actions.add("resolve")
        if not issue.suspended:
            actions.update({"request_extension", "request_suspension"})
        if issue.suspended and (admin or C in roles):
            actions.add("resume")
    if issue.status == IssueStatus.RESOLVED and (admin or roles & {G, C, S}):
        actions.add("close")
    # Interim feedback (及时向企业反馈) by who deals with the enterprise, until the issue is closed.
    if issue.status != IssueStatus.CLOSED and (admin or roles & {G, C}):
        actions.add("record_feedback")
    if issue.status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) and (admin or roles & {G, C, S}):
        actions.add("reopen")
    if level == Level.SUPERVISION and issue.status != IssueStatus.CLOSED and (admin or S in roles):
        actions.add("send_back")
        if not issue.flagged_for_committee:
            actions.add("flag")
    raised_by_me = staff is not None and staff.pk == issue.raised_by_id
    if issue.status != IssueStatus.CLOSED and (admin or C in roles or G in roles or raised_by_me):
        actions.add("withdraw")
    return actions


def may_set_deadline(user, issue):
    """Whether `user` may set an explicit deadline when assigning `issue` (PRODUCT.md "Deadline rules").

    Only a committee leader assigning at level 3; a meeting decision has its own path (services.meetings)
    and everyone else asks for an extension (issue_request_extension), which a coordinator approves.
    """
    return issue.level == Level.LEADER and access.has_role(user, L)


def _require(user, issue, action):
    if not access.sees_everything(user) and not Issue.objects.visible_to(user).filter(pk=issue.pk).exists():
        raise PermissionDenied
    if action not in allowed_actions(user, issue):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------
# Helpers shared by the actions.


def default_deadline(level, start=None):
    """The deadline a level sets on entry: its time limit in working days after `start` (today)."""
    return add_working_days(start or today(), Rules.current().time_limit(level))


def _lock(issue, expected_version):
    """Reload `issue` in place under a row lock; raise StaleObjectError if its version moved on."""
    issue.refresh_from_db(from_queryset=Issue.objects.select_for_update())
    if expected_version not in (None, "") and issue.version != int(expected_version):
        raise StaleObjectError
    return issue


def _begin(issue, by, action, expected_version):
    """The prologue of every action on an existing issue: who acts, the row lock, the permission.

    Locks first so the permission is judged on the issue's current state, not a stale copy.
    """
    user, staff = _actor(by)
    _lock(issue, expected_version)
    _require(user, issue, action)
    return user, staff


def _required(value, field):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    return value


def _future(deadline, field="deadline"):
    """An explicit deadline may not lie in the past (it would be overdue at once)."""
    if deadline is not None and deadline < today():
        raise ValidationError({field: _("The deadline cannot be in the past.")})
    return deadline


def _save(issue, user, reason, *, slip_level=None):
    """Validate and save (bumping the version) with its history record; number a slip if asked.

    Slip numbers count per year ("交〔2026〕7号"); two transactions taking the same number collide
    on the unique constraint, and the loser takes the next one.
    """
    if issue.pk:
        issue.version += 1
    issue._history_user = user if user is not None and user.is_authenticated else None
    issue._change_reason = str(reason)[:100]
    issue.full_clean(exclude=CLEAN_EXCLUDE)
    if slip_level not in SLIPS or getattr(issue, SLIPS[slip_level][0]):
        issue.save()
        return
    field, char = SLIPS[slip_level]
    prefix = f"{char}〔{today().year}〕"
    number = Issue.objects.filter(**{f"{field}__startswith": prefix}).count() + 1
    for _attempt in range(100):
        setattr(issue, field, f"{prefix}{number}号")
        try:
            with transaction.atomic():
                issue.save()
            return
        except IntegrityError as exc:
            if field not in str(exc) and f"{field}_unique" not in str(exc):
                raise
            number += 1
    raise IntegrityError(f"no free {field}")


def _event(issue, kind, staff, text="", **fields):
    return IssueEvent.objects.create(issue=issue, kind=kind, at=timezone.now(), by=staff, text=text, **fields)


def _users_of_department(department):
    if department is None:
        return []
    return list(
        get_user_model()
        .objects.filter(staff__department=department, staff__roles__code=RoleCode.DEPARTMENT, is_active=True)
        .distinct()
    )


def _users_with_role(code):
    return list(get_user_model().objects.filter(staff__roles__code=code, is_active=True).distinct())


def _user_of(staff):
    return staff.user if staff is not None else None


def _notify(issue, recipients, message, actor=None, **params):
    params.setdefault("number", issue.pk)
    params.setdefault("description", issue.description[:40])
    people = [user for user in recipients if user is not None and user != actor]
    notify(recipients=people, text=zone_text(message, **params), url=issue.get_absolute_url(), issue=issue)


def _route(category, project):
    route = CategoryRoute.objects.filter(category=category).select_related("department").first()
    return route.department if route else project.lead_department


# ---------------------------------------------------------------------------------------------
# Actions.


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
    leader: Staff | None = None,
    department: Department | None = None,
    deadline: datetime.date | None = None,
) -> Issue:
    """A new request at level 1, routed to its category's department (else the project's lead one).

    With `leader` (a leader visit) it is assigned on the spot at level 3 to `department`, with the
    given deadline or level 3's default. `solved_on_site` records it resolved with `resolution`.
    """
    user, staff = _actor(by)
    if not access.role_codes(user) & RAISERS:
        raise PermissionDenied
    if (
        not access.sees_everything(user)
        and not Project.objects.visible_to(user).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied
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
    if leader is not None:
        if not leader.has_role(RoleCode.LEADER):
            raise ValidationError({"leader": _("Only a committee leader assigns at level 3.")})
        if department is None:
            raise ValidationError(
                {"department": _("A leader's assignment names the department that must act.")}
            )
        issue.level = Level.LEADER
        issue.assigned_by_leader = leader
        issue.department = department
    else:
        if deadline is not None:
            # Only a leader's on-the-spot assignment sets a deadline (PRODUCT.md "Deadline rules").
            raise PermissionDenied
        issue.department = department or _route(category, project)
    issue.deadline = _future(deadline) or default_deadline(issue.level)
    if solved_on_site:
        issue.status = IssueStatus.RESOLVED
        issue.resolution = _required(resolution, "resolution")
        issue.resolved_at = now
        issue.first_response_at = now
        issue.solved_on_site = True
    _save(issue, user, "raised", slip_level=issue.level if leader is not None else None)
    _event(
        issue,
        IssueEventKind.RAISED,
        staff,
        issue.description,
        to_level=issue.level,
        department=issue.department,
        deadline=issue.deadline,
    )
    if leader is not None:
        _event(
            issue,
            IssueEventKind.ASSIGNED,
            leader,
            zone_text(gettext_noop("Assigned on the spot during a leader visit.")),
            to_level=issue.level,
            department=issue.department,
            deadline=issue.deadline,
        )
    if solved_on_site:
        _event(issue, IssueEventKind.RESOLVED, staff, issue.resolution)
        return issue
    _notify(
        issue,
        _users_of_department(issue.department) + [_user_of(leader)],
        gettext_noop("New issue #%(number)s for %(department)s: %(description)s"),
        actor=user,
        department=issue.department or "",
    )
    return issue


@transaction.atomic
def issue_follow_up(*, issue: Issue, by, text: str, expected_version=None) -> Issue:
    """A progress note; the first one by anyone but the reporter is the first response."""
    user, staff = _begin(issue, by, "follow_up", expected_version)
    text = _required(text, "text")
    if issue.first_response_at is None and (staff is None or staff.pk != issue.raised_by_id):
        issue.first_response_at = timezone.now()
    if issue.status == IssueStatus.OPEN:
        issue.status = IssueStatus.IN_PROGRESS
    _save(issue, user, "follow-up")
    _event(issue, IssueEventKind.FOLLOW_UP, staff, text)
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
    user, staff = _begin(issue, by, "assign", expected_version)
    roles = access.role_codes(user)
    if department is None:
        raise ValidationError({"department": _("This field is required.")})
    if (
        deadline is not None
        and deadline != issue.deadline
        and not meeting_decision
        and not may_set_deadline(user, issue)
    ):
        raise PermissionDenied
    if not roles & {A, C, L} and department.pk != issue.department_id:
        # Department staff only choose the person within their own department.
        raise PermissionDenied
    if assignee is not None and assignee.department_id != department.pk:
        raise ValidationError({"assignee": _("The responsible person must belong to the department.")})
    if department.pk != issue.department_id and assignee is None:
        issue.assignee = None
    if assignee is not None:
        issue.assignee = assignee
    issue.department = department
    if deadline is not None and deadline != issue.deadline:
        issue.deadline = _future(deadline)
    if issue.level == Level.LEADER and L in roles and staff is not None:
        issue.assigned_by_leader = staff
    _save(issue, user, "assigned")
    _event(
        issue,
        IssueEventKind.ASSIGNED,
        staff,
        (note or "").strip(),
        department=department,
        assignee=issue.assignee,
        deadline=issue.deadline,
    )
    _notify(
        issue,
        [_user_of(issue.assignee)] + _users_of_department(department),
        gettext_noop(
            "Issue #%(number)s was assigned to %(department)s, deadline %(deadline)s: %(description)s"
        ),
        actor=user,
        department=department,
        deadline=issue.deadline or "—",
    )
    return issue


def _enter_level(issue, new_level, *, deadline=None, leader=None, department=None):
    """Move the (locked) issue one level up; entering level 3 names the leader and the department."""
    issue.level = new_level
    issue.level_entered_at = timezone.now()
    issue.deadline = deadline or default_deadline(new_level)
    if new_level == Level.LEADER:
        issue.assigned_by_leader = leader or issue.project.leader
        target = department or issue.department or issue.project.lead_department
        if target is not None and target.pk != issue.department_id:
            issue.assignee = None
        issue.department = target
    elif department is not None and department.pk != issue.department_id:
        issue.department = department
        issue.assignee = None


def _escalation_recipients(issue):
    recipients = [_user_of(issue.assignee)] + _users_of_department(issue.department)
    if issue.level == Level.COORDINATION:
        recipients += _users_with_role(RoleCode.COORDINATOR)
    elif issue.level == Level.LEADER:
        recipients.append(_user_of(issue.assigned_by_leader))
    elif issue.level == Level.SUPERVISION:
        recipients += _users_with_role(RoleCode.SUPERVISOR)
    return recipients


ESCALATED_MESSAGE = gettext_noop(
    "Issue #%(number)s escalated to %(level)s, %(department)s, deadline %(deadline)s: %(description)s"
)


def _record_escalation(issue, kind, staff, reason, old_level, actor=None):
    """The timeline line and the notifications of an escalation the caller has just saved."""
    _event(
        issue,
        kind,
        staff,
        reason,
        from_level=old_level,
        to_level=issue.level,
        department=issue.department,
        assignee=issue.assignee,
        deadline=issue.deadline,
    )
    _notify(
        issue,
        _escalation_recipients(issue),
        ESCALATED_MESSAGE,
        actor=actor,
        level=Level(issue.level).label,
        department=issue.department or "—",
        deadline=issue.deadline,
    )


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
    user, staff = _begin(issue, by, "escalate", expected_version)
    reason = _required(reason, "reason")
    if deadline is not None and not meeting_decision:
        raise PermissionDenied
    _future(deadline)
    if leader is not None and not leader.has_role(RoleCode.LEADER):
        raise ValidationError({"leader": _("Only a committee leader assigns at level 3.")})
    old_level = issue.level
    new_level = Level(old_level + 1)
    _enter_level(issue, new_level, deadline=deadline, leader=leader, department=department)
    _save(issue, user, "escalated", slip_level=new_level)
    _record_escalation(issue, IssueEventKind.ESCALATED, staff, reason, old_level, actor=user)
    return issue


@transaction.atomic
def issue_resolve(*, issue: Issue, by, resolution: str, expected_version=None) -> Issue:
    """Resolved with what was done; the grid worker then closes it with the enterprise's feedback."""
    user, staff = _begin(issue, by, "resolve", expected_version)
    issue.resolution = _required(resolution, "resolution")
    issue.status = IssueStatus.RESOLVED
    issue.resolved_at = timezone.now()
    issue.suspended = False
    if issue.first_response_at is None and (staff is None or staff.pk != issue.raised_by_id):
        issue.first_response_at = issue.resolved_at
    _save(issue, user, "resolved")
    _event(issue, IssueEventKind.RESOLVED, staff, issue.resolution)
    _notify(
        issue,
        [_user_of(issue.raised_by), _user_of(issue.project.grid_worker)],
        gettext_noop(
            "Issue #%(number)s was resolved; give the enterprise feedback and close it: %(description)s"
        ),
        actor=user,
    )
    return issue


@transaction.atomic
def issue_close(*, issue: Issue, by, feedback: str, satisfaction: str, expected_version=None) -> Issue:
    """Closed after the feedback given to the enterprise and its satisfaction are recorded."""
    user, staff = _begin(issue, by, "close", expected_version)
    issue.feedback = _required(feedback, "feedback")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose the enterprise's satisfaction.")})
    issue.satisfaction = satisfaction
    issue.status = IssueStatus.CLOSED
    issue.closed_at = timezone.now()
    _save(issue, user, "closed")
    _event(issue, IssueEventKind.FEEDBACK, staff, issue.feedback)
    _event(issue, IssueEventKind.CLOSED, staff, str(Satisfaction(satisfaction).label))
    return issue


@transaction.atomic
def issue_record_feedback(*, issue: Issue, by, feedback: str, expected_version=None) -> Issue:
    """Interim feedback given to the enterprise (及时向企业反馈), a line of the timeline.

    The issue's own `feedback` field stays the closing one (issue_close).
    """
    user, staff = _begin(issue, by, "record_feedback", expected_version)
    feedback = _required(feedback, "feedback")
    _save(issue, user, "feedback recorded")
    _event(issue, IssueEventKind.FEEDBACK, staff, feedback)
    return issue


@transaction.atomic
def issue_reopen(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Back to work at the same level with a fresh default deadline; the old outcome stays in the timeline."""
    user, staff = _begin(issue, by, "reopen", expected_version)
    reason = _required(reason, "reason")
    issue.status = IssueStatus.IN_PROGRESS
    issue.resolution = issue.feedback = issue.satisfaction = ""
    issue.resolved_at = issue.closed_at = None
    issue.deadline = default_deadline(issue.level)
    _save(issue, user, "reopened")
    _event(issue, IssueEventKind.REOPENED, staff, reason, deadline=issue.deadline)
    _notify(
        issue,
        [_user_of(issue.assignee)] + _users_of_department(issue.department),
        gettext_noop("Issue #%(number)s was reopened: %(description)s"),
        actor=user,
    )
    return issue


def _request(issue, by, kind, reason, new_deadline, expected_version):
    user, staff = _begin(issue, by, f"request_{kind}", expected_version)
    reason = _required(reason, "reason")
    if kind == ApprovalRequest.Kind.EXTENSION:
        if new_deadline is None:
            raise ValidationError({"new_deadline": _("This field is required.")})
        if new_deadline <= today() or (issue.deadline and new_deadline <= issue.deadline):
            raise ValidationError(
                {"new_deadline": _("The new deadline must be later than the current one and than today.")}
            )
    if issue.approval_requests.filter(kind=kind, status=ApprovalRequest.Status.PENDING).exists():
        raise ValidationError(_("A request of this kind is already waiting for a decision."))
    request = ApprovalRequest(
        issue=issue, kind=kind, reason=reason, new_deadline=new_deadline, requested_by=staff
    )
    request.full_clean(exclude=["issue", "requested_by"])
    request.save()
    _save(issue, user, f"{kind} requested")
    event_kind = (
        IssueEventKind.EXTENSION_REQUESTED
        if kind == ApprovalRequest.Kind.EXTENSION
        else IssueEventKind.SUSPENSION_REQUESTED
    )
    _event(issue, event_kind, staff, reason, deadline=new_deadline)
    _notify(
        issue,
        _users_with_role(RoleCode.COORDINATOR),
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
    user, staff = _actor(by)
    if not access.has_role(user, C, A):
        raise PermissionDenied
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ApprovalRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    issue = _lock(request.issue, None)
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
    _save(issue, user, kind)
    _event(issue, kind, staff, text, deadline=issue.deadline if kind == IssueEventKind.EXTENDED else None)
    _notify(
        issue,
        [_user_of(request.requested_by)],
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
    user, staff = _begin(issue, by, "resume", expected_version)
    issue.suspended = False
    issue.deadline = _future(deadline) or default_deadline(issue.level)
    _save(issue, user, "resumed")
    _event(issue, IssueEventKind.RESUMED, staff, (note or "").strip(), deadline=issue.deadline)
    return issue


@transaction.atomic
def issue_send_back(*, issue: Issue, by, comments: str, expected_version=None) -> Issue:
    """The supervisor sends a level-4 issue back to the acting department with comments."""
    user, staff = _begin(issue, by, "send_back", expected_version)
    comments = _required(comments, "comments")
    issue.status = IssueStatus.IN_PROGRESS
    issue.resolved_at = None
    # A fresh time limit, as on entering the level: the old deadline may already have passed.
    issue.deadline = default_deadline(issue.level)
    _save(issue, user, "sent back")
    _event(
        issue,
        IssueEventKind.SENT_BACK,
        staff,
        comments,
        department=issue.department,
        assignee=issue.assignee,
        deadline=issue.deadline,
    )
    _notify(
        issue,
        [_user_of(issue.assignee)] + _users_of_department(issue.department),
        gettext_noop("Issue #%(number)s was sent back to your department by the supervisor: %(description)s"),
        actor=user,
    )
    return issue


@transaction.atomic
def issue_flag_for_committee(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Flag a level-4 issue for the Party Working Committee / Management Committee."""
    user, staff = _begin(issue, by, "flag", expected_version)
    reason = _required(reason, "reason")
    issue.flagged_for_committee = True
    _save(issue, user, "flagged")
    _event(issue, IssueEventKind.FLAGGED, staff, reason)
    return issue


@transaction.atomic
def issue_withdraw(*, issue: Issue, by, reason: str, expected_version=None) -> Issue:
    """Withdraw (never delete) an issue raised by mistake, with the reason."""
    user, staff = _begin(issue, by, "withdraw", expected_version)
    issue.withdrawn_reason = _required(reason, "reason")[:200]
    issue.withdrawn_at = timezone.now()
    _save(issue, user, "withdrawn")
    _event(issue, IssueEventKind.WITHDRAWN, staff, issue.withdrawn_reason)
    return issue


# ---------------------------------------------------------------------------------------------
# Automatic escalation (python manage.py escalate_overdue).


@dataclass(frozen=True)
class Escalation:
    """What escalate_overdue did (or would do) with one overdue issue."""

    ESCALATED = "escalated"
    WOULD_ESCALATE = "would_escalate"
    AT_TOP = "at_top"  # level 4: nothing higher; reported only
    LOST_RACE = "lost_race"  # changed by someone else meanwhile (another server, a user)
    FAILED = "failed"  # this issue could not be moved (logged); the run goes on with the next

    issue_id: int
    outcome: str
    from_level: int
    to_level: int | None
    deadline: datetime.date | None
    overdue_since: datetime.date
    department: str = ""
    leader: str = ""


def escalate_overdue(*, on: datetime.date | None = None, dry_run: bool = False) -> list[Escalation]:
    """Raise every overdue issue one level (stopping at 4), each in its own transaction.

    Safe on several servers at once: each issue moves by a conditional UPDATE on the level and
    version it was read with; only the server whose UPDATE matched writes the event, the history
    record and the notifications. The UPDATE bypasses simple-history, hence the explicit record.
    """
    on = on or today()
    candidates = (
        Issue.objects.overdue(on)
        .select_related("project__leader", "project__lead_department", "department")
        .order_by("level", "deadline", "pk")
    )
    rules = Rules.current()
    # The new deadline depends only on the day and the level entered: computed once per level.
    deadlines = {level: add_working_days(on, rules.time_limit(level)) for level in Level if level > 1}
    results = []
    for issue in candidates:
        common = {"issue_id": issue.pk, "from_level": issue.level, "overdue_since": issue.deadline}
        if issue.level >= Level.SUPERVISION:
            results.append(
                Escalation(outcome=Escalation.AT_TOP, to_level=None, deadline=issue.deadline, **common)
            )
            continue
        new_level = Level(issue.level + 1)
        deadline = deadlines[new_level]
        department, leader = issue.department, None
        if new_level == Level.LEADER:
            department = issue.department or issue.project.lead_department
            leader = issue.project.leader
        outcome = Escalation.WOULD_ESCALATE
        if not dry_run:
            try:
                moved = _auto_escalate(issue, new_level, deadline, department, leader, on)
                outcome = Escalation.ESCALATED if moved else Escalation.LOST_RACE
            except Exception:  # one broken issue must not stop the rest of the run
                logger.exception("Issue #%s could not be escalated", issue.pk)
                outcome = Escalation.FAILED
        results.append(
            Escalation(
                outcome=outcome,
                to_level=new_level,
                deadline=deadline,
                department=str(department or ""),
                leader=str(leader or ""),
                **common,
            )
        )
    return results


@transaction.atomic
def _auto_escalate(issue, new_level, deadline, department, leader, on):
    """One issue's automatic escalation; False when another writer got there first."""
    now = timezone.now()
    changes = {
        "level": new_level,
        "level_entered_at": now,
        "deadline": deadline,
        "version": F("version") + 1,
    }
    if new_level == Level.LEADER:
        changes["department"] = department
        changes["assigned_by_leader"] = leader
        if department is not None and department.pk != issue.department_id:
            changes["assignee"] = None
    won = (
        Issue.objects.filter(
            pk=issue.pk,
            level=issue.level,
            version=issue.version,
            suspended=False,
            withdrawn_at__isnull=True,
            status__in=IssueStatus.unresolved(),
            deadline__lt=on,
        )
        .filter(Q(deadline=issue.deadline))
        .update(**changes)
    )
    if not won:
        return False
    old_level, overdue_since = issue.level, issue.deadline
    issue.refresh_from_db()
    if new_level in SLIPS:
        # The winner holds the row lock of its UPDATE until commit; numbering writes the same row.
        _number_slip_after_update(issue, new_level)
    Issue.history.bulk_history_create(
        [issue], update=True, default_change_reason="auto-escalated", default_date=now
    )
    reason = zone_text(
        gettext_noop("Overdue since %(date)s (deadline passed): escalated automatically."), date=overdue_since
    )
    _record_escalation(issue, IssueEventKind.AUTO_ESCALATED, None, reason, old_level)
    return True


def _number_slip_after_update(issue, level):
    field, char = SLIPS[level]
    if getattr(issue, field):
        return
    prefix = f"{char}〔{today().year}〕"
    number = Issue.objects.filter(**{f"{field}__startswith": prefix}).count() + 1
    for _attempt in range(100):
        value = f"{prefix}{number}号"
        try:
            with transaction.atomic():
                Issue.objects.filter(pk=issue.pk).update(**{field: value})
            setattr(issue, field, value)
            return
        except IntegrityError as exc:
            if field not in str(exc) and f"{field}_unique" not in str(exc):
                raise
            number += 1
    raise IntegrityError(f"no free {field}")
