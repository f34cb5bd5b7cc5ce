"""Coordination meetings (调度会办, level 2): the agenda from the open level-2 and overdue issues, and
the decisions on every tabled issue applied together through the issue services."""

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .. import access
from ..models import (
    Department,
    Issue,
    IssueEvent,
    IssueEventKind,
    Level,
    Meeting,
    MeetingItem,
    Staff,
)
from ..notifications import zone_text
from ..querysets import overdue_q, today
from ..rulebook import MEETING_ROLES

# Who may create meetings and record their decisions: the rulebook's MEETING_ROLES.


def meetings_visible_to(user):
    """Zone-wide roles see every meeting; other staff those they attended or their department did."""
    if access.sees_everything(user):
        return Meeting.objects.all()
    staff = access.get_staff(user)
    if staff is None:
        return Meeting.objects.none()
    allowed = Q(attendees=staff) | Q(chair=staff)
    if staff.department_id:
        allowed |= Q(departments=staff.department_id)
    return Meeting.objects.filter(
        pk__in=Meeting.objects.filter(allowed).values("pk")
    )  # a subquery, so the m2m joins never duplicate rows


def meeting_agenda_candidates(on: datetime.date | None = None):
    """Issues to table: unresolved at level 2, and every unresolved issue past its deadline."""
    on = on or today()
    return (
        Issue.objects.unresolved()
        .filter(Q(level=Level.COORDINATION) | overdue_q(on))
        .select_related("project", "department")
        .order_by("level", "deadline", "pk")
    )


@transaction.atomic
def meeting_create(
    *,
    by,
    date: datetime.date,
    title: str,
    number: str = "",
    location: str = "",
    chair: Staff | None = None,
    attendees: Iterable[Staff] = (),
    departments: Iterable[Department] = (),
    issues: Sequence[Issue] = (),
) -> Meeting:
    """Create a meeting with its agenda (one MeetingItem per issue, in the given order)."""
    access.require_role(by, *MEETING_ROLES)
    meeting = Meeting(
        date=date, title=title.strip(), number=number.strip(), location=location.strip(), chair=chair
    )
    meeting.created_by = by
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    meeting.departments.set(departments)
    for order, issue in enumerate(issues, start=1):
        if not issue.is_unresolved or issue.withdrawn_at is not None:
            raise ValidationError(
                _("Issue #%(pk)s is no longer open and cannot be tabled."), params={"pk": issue.pk}
            )
        MeetingItem.objects.create(meeting=meeting, issue=issue, order=order)
    return meeting


def _decision_label(kind):
    """The decision's label in the zone's language (timeline text is stored, not re-translated)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(MeetingItem.Decision(kind).label)


def decision_errors(decision: dict) -> dict:
    """Field errors of one meeting decision (empty when fine): what each kind of decision needs.

    The service refuses with them; the meeting page's form shows them on its fields.
    """
    kind = decision.get("decision")
    note = (decision.get("note") or "").strip()
    errors = {}
    if kind == MeetingItem.Decision.ASSIGN:
        if not decision.get("department"):
            errors["department"] = _("Choose the department that must act.")
        if not decision.get("deadline"):
            errors["deadline"] = _("Give the deadline.")
    elif kind == MeetingItem.Decision.RESOLVED:
        if not note:
            errors["note"] = _("Write how it was resolved.")
    elif kind == MeetingItem.Decision.ESCALATE:
        if not decision.get("leader"):
            errors["leader"] = _("Choose the committee leader who will assign it.")
        if not note:
            errors["note"] = _("Give the reason for escalating.")
    elif kind:
        errors["decision"] = _("Unknown decision.")
    return errors


def _apply(item: MeetingItem, *, by, staff, decision: dict) -> None:
    from . import issues as issue_services

    errors = decision_errors(decision)
    if errors:
        raise ValidationError(errors)

    issue = Issue.objects.select_for_update().get(pk=item.issue_id)
    if not issue.is_unresolved or issue.withdrawn_at is not None:
        raise ValidationError(
            _("Issue #%(pk)s is no longer open; reload the meeting page."), params={"pk": issue.pk}
        )
    kind = decision["decision"]
    department = decision.get("department")
    deadline = decision.get("deadline")
    note = (decision.get("note") or "").strip()
    leader = decision.get("leader")
    if kind == MeetingItem.Decision.ASSIGN:
        issue_services.issue_assign(
            issue=issue, by=by, department=department, deadline=deadline, note=note, meeting_decision=True
        )
    elif kind == MeetingItem.Decision.RESOLVED:
        issue_services.issue_resolve(issue=issue, by=by, resolution=note)
    elif kind == MeetingItem.Decision.ESCALATE:
        if issue.level >= Level.LEADER:
            raise ValidationError(
                _("Issue #%(pk)s is already at leader assignment or above."), params={"pk": issue.pk}
            )
        # A level-1 issue climbs through the meeting's own level on its way to the leader.
        while issue.level < Level.COORDINATION:
            issue = issue_services.issue_escalate(issue=issue, by=by, reason=note) or issue
            issue.refresh_from_db()
        issue_services.issue_escalate(
            issue=issue,
            by=by,
            reason=note,
            leader=leader,
            department=department or issue.department,
            deadline=deadline,
            meeting_decision=True,
        )
    else:
        raise ValidationError(_("Unknown decision."))
    IssueEvent.objects.create(
        issue=issue,
        kind=IssueEventKind.MEETING_DECISION,
        at=timezone.now(),
        by=staff,
        text=zone_text(
            gettext_noop("%(meeting)s: %(decision)s. %(note)s"),
            meeting=item.meeting,
            decision=_decision_label(kind),
            note=note,
        ),
        department=department,
        deadline=deadline,
    )
    item.decision = kind
    item.department = department
    item.deadline = deadline
    item.note = note
    item.full_clean()
    item.save()


@transaction.atomic
def meeting_record_decisions(*, meeting: Meeting, by, decisions: Sequence[dict]) -> int:
    """Apply the meeting's decisions in one transaction; returns how many were applied.

    `decisions`: dicts with `item` (a MeetingItem of this meeting), `decision` (MeetingItem.Decision;
    empty = not decided yet, skipped), `department`, `deadline`, `leader`, `note`. An item already
    decided cannot be decided again. Any error rolls every decision back.
    """
    access.require_role(by, *MEETING_ROLES)
    staff = access.get_staff(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    applied = 0
    for decision in decisions:
        if not decision.get("decision"):
            continue
        item = MeetingItem.objects.select_related("meeting").get(pk=decision["item"].pk, meeting=meeting)
        if item.decision:
            raise ValidationError(
                _("The decision on issue #%(pk)s is already recorded."), params={"pk": item.issue_id}
            )
        _apply(item, by=by, staff=staff, decision=decision)
        applied += 1
    if applied and not meeting.held:
        meeting.held = True
        meeting.save(update_fields=["held"])
    return applied
