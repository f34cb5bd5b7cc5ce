"""The ladder itself: deadlines, entering a level, numbered slips, and the automatic escalation of
overdue issues (python manage.py escalate_overdue).

`enter_level` is the one definition of what entering a level changes, for a manual escalation, a
meeting's decision and the automatic escalation alike; `number_slip` the one slip numbering.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ...models import Issue, IssueEventKind, Level, RoleCode, Rules, SlipCounter
from ...notifications import zone_text
from ...querysets import today
from ...workdays import add_working_days
from .records import notify_about, record_event, user_of, users_of_department, users_with_role

logger = logging.getLogger(__name__)

# The numbered slip each level issues: (field, kind of SlipCounter) — 交办单 at 3, 督办单 at 4.
SLIPS = {
    Level.LEADER: ("assignment_slip_no", SlipCounter.Kind.ASSIGNMENT),
    Level.SUPERVISION: ("supervision_slip_no", SlipCounter.Kind.SUPERVISION),
}

logger = logging.getLogger(__name__)


def default_deadline(level, start=None, rules=None):
    """The deadline a level sets on entry: its time limit in working days after `start` (today)."""
    return add_working_days(start or today(), (rules or Rules.current()).time_limit(level))


def latest_deadline(on=None, rules=None):
    """The latest explicit deadline allowed from `on` (today): Rules.max_deadline_days working days."""
    return add_working_days(on or today(), (rules or Rules.current()).max_deadline_days)


def check_explicit_deadline(deadline, field="deadline", on=None):
    """An explicit deadline lies between tomorrow and `max_deadline_days` working days ahead.

    Returns the deadline (None stays None); ValidationError({field: …}) otherwise. PRODUCT.md "Deadline
    rules": a matter that needs longer is suspended with approval, never given a deadline years away.
    """
    if deadline is None:
        return None
    on = on or today()
    if deadline <= on:
        raise ValidationError({field: _("The deadline must be after today.")})
    rules = Rules.current()
    latest = latest_deadline(on, rules)
    if deadline > latest:
        raise ValidationError(
            {
                field: _(
                    "The deadline can be at most %(days)s working days ahead (%(date)s). A matter that "
                    "needs longer is suspended with a coordinator's approval."
                )
                % {"days": rules.max_deadline_days, "date": latest.isoformat()}
            }
        )
    return deadline


def enter_level(issue, new_level, *, at, deadline, leader=None, department=None):
    """The field changes of `issue` entering `new_level` at `at` with `deadline` (not applied).

    Entering level 3 names the assigning committee leader (else the project's leader in charge) and
    the department that must act (else the issue's, else the project's lead department); a change of
    department clears the responsible person. Callers apply the changes to the locked row (setattr)
    or in a conditional UPDATE (automatic escalation).
    """
    changes = {"level": new_level, "level_entered_at": at, "deadline": deadline}
    if new_level == Level.LEADER:
        changes["assigned_by_leader"] = leader or issue.project.leader
        department = department or issue.department or issue.project.lead_department
    if department is not None and department.pk != issue.department_id:
        changes["department"] = department
        changes["assignee"] = None
    return changes


def _highest_number(field, prefix):
    """The highest slip number already given with `prefix` (slips written before the counter existed)."""
    numbers = [0]
    for value in Issue.objects.filter(**{f"{field}__startswith": prefix}).values_list(field, flat=True):
        digits = value[len(prefix) :].rstrip("号")
        if digits.isdigit():
            numbers.append(int(digits))
    return max(numbers)


def number_slip(level, on=None):
    """(field, next number) of the slip `level` issues this year: ("assignment_slip_no", "交〔2026〕7号").

    The year's counter row is locked until the caller's transaction commits, so two escalations never
    take the same number and none is skipped; no retry is needed. None for a level without a slip.
    """
    if level not in SLIPS:
        return None
    field, kind = SLIPS[level]
    year = (on or today()).year
    prefix = SlipCounter.prefix(kind, year)
    counter, _created = SlipCounter.objects.select_for_update().get_or_create(
        kind=kind, year=year, defaults={"last": _highest_number(field, prefix)}
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return field, f"{prefix}{counter.last}号"


def give_slip_number(issue, level):
    """Set the level's slip number on `issue` (not saved) unless it already has one; returns the change."""
    if level not in SLIPS or getattr(issue, SLIPS[level][0]):
        return {}
    field, number = number_slip(level)
    setattr(issue, field, number)
    return {field: number}


def _escalation_recipients(issue):
    recipients = [user_of(issue.assignee)] + users_of_department(issue.department)
    if issue.level == Level.COORDINATION:
        recipients += users_with_role(RoleCode.COORDINATOR)
    elif issue.level == Level.LEADER:
        recipients.append(user_of(issue.assigned_by_leader))
    elif issue.level == Level.SUPERVISION:
        recipients += users_with_role(RoleCode.SUPERVISOR)
    return recipients


ESCALATED_MESSAGE = gettext_noop(
    "Issue #%(number)s escalated to %(level)s, %(department)s, deadline %(deadline)s: %(description)s"
)


def record_escalation(issue, kind, staff, reason, old_level, actor=None):
    """The timeline line and the notifications of an escalation the caller has just saved."""
    record_event(
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
    notify_about(
        issue,
        _escalation_recipients(issue),
        ESCALATED_MESSAGE,
        actor=actor,
        level=Level(issue.level).label,
        department=issue.department or "—",
        deadline=issue.deadline,
    )


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
    deadlines = {level: default_deadline(level, on, rules) for level in Level if level > Level.GRID_HELP}
    results = []
    for issue in candidates:
        common = {"issue_id": issue.pk, "from_level": issue.level, "overdue_since": issue.deadline}
        if issue.level >= Level.SUPERVISION:
            results.append(
                Escalation(outcome=Escalation.AT_TOP, to_level=None, deadline=issue.deadline, **common)
            )
            continue
        new_level = Level(issue.level + 1)
        changes = enter_level(issue, new_level, at=timezone.now(), deadline=deadlines[new_level])
        outcome = Escalation.WOULD_ESCALATE
        if not dry_run:
            try:
                won = _auto_escalate(issue, changes, on)
                outcome = Escalation.ESCALATED if won else Escalation.LOST_RACE
            except Exception:  # one broken issue must not stop the rest of the run
                logger.exception("Issue #%s could not be escalated", issue.pk)
                outcome = Escalation.FAILED
        department = changes.get("department", issue.department)
        results.append(
            Escalation(
                outcome=outcome,
                to_level=new_level,
                deadline=changes["deadline"],
                department=str(department or ""),
                leader=str(changes.get("assigned_by_leader") or ""),
                **common,
            )
        )
    return results


@transaction.atomic
def _auto_escalate(issue, changes, on):
    """One issue's automatic escalation; False when another writer got there first."""
    won = (
        Issue.objects.overdue(on)
        .filter(pk=issue.pk, level=issue.level, version=issue.version, deadline=issue.deadline)
        .update(**changes, version=F("version") + 1)
    )
    if not won:
        return False
    old_level, overdue_since = issue.level, issue.deadline
    issue.refresh_from_db()
    # The winner holds the row lock of its UPDATE until commit; the slip number is taken after winning,
    # so a lost race never uses one up.
    slip = give_slip_number(issue, issue.level)
    if slip:
        Issue.objects.filter(pk=issue.pk).update(**slip)
    Issue.history.bulk_history_create(
        [issue], update=True, default_change_reason="auto-escalated", default_date=changes["level_entered_at"]
    )
    reason = zone_text(
        gettext_noop("Overdue since %(date)s (deadline passed): escalated automatically."), date=overdue_since
    )
    record_escalation(issue, IssueEventKind.AUTO_ESCALATED, None, reason, old_level)
    return True
