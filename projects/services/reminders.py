"""Reminders before it is late (PRODUCT.md "Reaching people before it is late"; `send_reminders`).

An issue's deadline, a plan node's planned date and the monthly round's due day each warn the
responsible people `Rules.<kind>_reminder_days` working days ahead, again the working day before
("due tomorrow") and on the day ("due today"): three thresholds, each sent once per person, item and
due date. A run that missed a day catches up within the same threshold; a deadline that moves
(an extension) warns again for the new date.

Safe on several servers at once: the ReminderLog row (unique per person, item, due date and
threshold) is inserted in the same transaction as the person's in-app rows and deliveries; a
second run blocks on that insert until the first commits, then finds it taken and sends nothing.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop, ngettext_lazy

from .. import access
from ..models import Issue, Level, Notification, ReminderLog, RoleCode, Rules
from ..notifications import deliver, zone_text
from ..querysets import today
from ..workdays import working_days_until
from .reports import month_is_locked, previous_month, round_deadline, round_status_by_worker

ONE_DAY = datetime.timedelta(days=1)

ISSUE_LINE = gettext_noop("#%(number)s %(project)s — %(description)s (%(level)s, deadline %(due)s): %(when)s")
ROUND_LINE = gettext_noop(
    "Monthly investment %(period)s: %(missing)s project(s) not reported yet (due %(due)s): %(when)s"
)
NODE_LINE = gettext_noop("Plan node %(node)s of %(project)s (planned %(due)s): %(when)s")
# The columns a reminder's line is written from (rows, not model instances).
ISSUE_FIELDS = ("pk", "description", "level", "deadline", "project__name")
NODE_FIELDS = ("pk", "name", "planned_on", "project_id", "project__name")


@dataclass
class Reminder:
    """One line of a person's reminder: an item due in `remaining` working days."""

    kind: str
    item: int
    due: datetime.date
    remaining: int
    threshold: int
    text: str
    url: str
    issue_id: int | None = None  # the issue the in-app row links to


def threshold(remaining, days):
    """The threshold a day `remaining` working days before the due day falls in: `days` (the first
    warning), 1 (the working day before), 0 (the day itself); None outside or when `days` is 0."""
    if days <= 0 or remaining < 0 or remaining > days:
        return None
    return remaining if remaining <= 1 else days


def when_text(due, remaining, on):
    """ "due today" / "due tomorrow" by the calendar, else the working days left, in the zone's language."""
    if due == on:
        return zone_text(gettext_noop("due today"))
    if due == on + ONE_DAY:
        return zone_text(gettext_noop("due tomorrow"))
    if remaining == 0:  # a rest day after the last working day before it
        return zone_text(gettext_noop("due %(date)s, no working day left"), date=due)
    return zone_text(
        ngettext_lazy("due in %(days)s working day", "due in %(days)s working days", remaining),
        days=remaining,
    )


def _working_day_counts(on, days):
    """{day: working days after `on` up to it} over a span that holds `days` working days even
    around the Spring Festival (the width workdays uses for its walks), read in one query."""
    return working_days_until(on, on + datetime.timedelta(days=days * 2 + 20))


def issues_due_soon(on, last):
    """Unresolved, unsuspended issues whose deadline is from today to `last` (a window's end), as
    rows of ISSUE_FIELDS: a reminder's line needs no more."""
    return (
        Issue.objects.unresolved()
        .filter(suspended=False, deadline__gte=on, deadline__lte=last)
        .order_by("deadline", "pk")
        .values(*ISSUE_FIELDS)
    )


def _last_day(counts, days):
    """The window's end for `days` working days, read off the working-day counts (no query)."""
    return max(day for day, n in counts.items() if n <= days)


def _theirs_q(staff):
    """Q: the plan nodes `staff` answers for — the one reading of the people due_nodes names."""
    theirs = Q(responsible=staff) | Q(project__grid_worker=staff)
    if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
        theirs |= Q(responsible__isnull=True, department=staff.department_id)
    return theirs


def due_nodes(on, last, staff=None):
    """[(node, [user pks responsible], url)] of the plan nodes not done (nor not needed) whose planned
    date lies in [on, last]; `node` is a row of NODE_FIELDS. The people: the node's responsible
    person, else the staff of its responsible department, and the project's grid worker (active users
    only). `staff`: only the nodes that person is among, each naming only them (the home page's
    reader, whose user is the one signed in) — one query."""
    from ..models import PlanNode, Staff

    nodes = (
        PlanNode.objects.open().filter(planned_on__gte=on, planned_on__lte=last).order_by("planned_on", "pk")
    )
    if staff is not None:
        return [
            (node, [staff.user_id], reverse("project_plan", args=[node["project_id"]]))
            for node in nodes.filter(_theirs_q(staff)).values(*NODE_FIELDS)
        ]
    nodes = list(
        nodes.values(
            *NODE_FIELDS,
            "department_id",
            "responsible_id",
            "responsible__user_id",
            "responsible__user__is_active",
            "project__grid_worker__user_id",
            "project__grid_worker__user__is_active",
        )
    )
    departments = {
        node["department_id"] for node in nodes if node["responsible_id"] is None and node["department_id"]
    }
    department_staff = defaultdict(list)
    if departments:
        for department, user_pk in Staff.objects.filter(
            department__in=departments, roles__code=RoleCode.DEPARTMENT, user__is_active=True
        ).values_list("department_id", "user_id"):
            department_staff[department].append(user_pk)
    result = []
    for node in nodes:
        if node["responsible_id"] is not None:
            users = [node["responsible__user_id"]] if node["responsible__user__is_active"] else []
        else:
            users = list(department_staff[node["department_id"]])
        if node["project__grid_worker__user__is_active"]:
            users.append(node["project__grid_worker__user_id"])
        result.append((node, list(dict.fromkeys(users)), reverse("project_plan", args=[node["project_id"]])))
    return result


def _issue_reminders(staff, due_issues, counts, on, days):
    reminders = []
    for issue in due_issues.responsible(staff):
        deadline = issue["deadline"]
        remaining = counts[deadline]
        step = threshold(remaining, days)
        if step is None:
            continue
        text = zone_text(
            ISSUE_LINE,
            number=issue["pk"],
            project=issue["project__name"],
            description=" ".join(issue["description"].split())[:60],
            level=zone_text(Level(issue["level"]).label),
            due=deadline,
            when=when_text(deadline, remaining, on),
        )
        reminders.append(
            Reminder(ReminderLog.Kind.ISSUE, issue["pk"], deadline, remaining, step, text,
                     reverse("issue_detail", args=[issue["pk"]]), issue["pk"])
        )  # fmt: skip
    return reminders


def _round_dues(on, rules, counts):
    """[(year, month, due, remaining, threshold)] of the rounds (last month's, this month's) whose
    due day is in the window and which are not locked."""
    dues = []
    for year, month in (previous_month(on.year, on.month), (on.year, on.month)):
        due = round_deadline(year, month, rules)
        if due < on or due not in counts:
            continue
        step = threshold(counts[due], rules.round_reminder_days)
        if step is not None and not month_is_locked(year, month):
            dues.append((year, month, due, counts[due], step))
    return dues


def _round_reminders(on, dues, user=None):
    """{user pk: [Reminder]} for the grid workers (or only `user`) with unreported projects in a due round."""
    by_user = {}
    for year, month, due, remaining, step in dues:
        for worker in round_status_by_worker(year, month, user=user):
            if worker.missing <= 0 or not worker.user.is_active:
                continue
            text = zone_text(
                ROUND_LINE,
                period=f"{year}-{month:02d}",
                missing=worker.missing,
                due=due,
                when=when_text(due, remaining, on),
            )
            by_user.setdefault(worker.user_id, []).append(
                Reminder(ReminderLog.Kind.ROUND, year * 100 + month, due, remaining, step, text,
                         reverse("round", args=[year, month]))
            )  # fmt: skip
    return by_user


def due_soon_for(user, on=None, rules=None):
    """What the home page shows as due soon: the person's reminders of today, sent or not.

    Queries: Rules unless given (0–1), calendar (1), the person's due issues (1) and nodes (1), and
    for a grid worker with a round due in the window its lock and the worker's status (2)."""
    on = on or today()
    rules = rules or Rules.current()
    staff = access.get_staff(user)
    if staff is None:
        return []
    longest = max(rules.issue_reminder_days, rules.round_reminder_days, rules.node_reminder_days, 1)
    counts = _working_day_counts(on, longest)
    items = []
    if rules.issue_reminder_days:
        due_issues = issues_due_soon(on, _last_day(counts, rules.issue_reminder_days))
        items += _issue_reminders(staff, due_issues, counts, on, rules.issue_reminder_days)
    if staff.has_role(RoleCode.GRID_WORKER):
        dues = _round_dues(on, rules, counts)
        items += _round_reminders(on, dues, user=user).get(user.pk, [])
    items += _node_reminders(on, rules, counts, staff).get(user.pk, [])
    return items


def _node_reminders(on, rules, counts, staff=None):
    """{user pk: [Reminder]} of the plan nodes due in the window (only `staff`'s when given)."""
    by_user = {}
    if not rules.node_reminder_days:
        return by_user
    for node, users, url in due_nodes(on, _last_day(counts, rules.node_reminder_days), staff):
        planned = node["planned_on"]
        remaining = counts[planned]
        step = threshold(remaining, rules.node_reminder_days)
        if step is None:
            continue
        text = zone_text(
            NODE_LINE, node=node["name"], project=node["project__name"], due=planned,
            when=when_text(planned, remaining, on),
        )  # fmt: skip
        for user_pk in users:
            by_user.setdefault(user_pk, []).append(
                Reminder(ReminderLog.Kind.NODE, node["pk"], planned, remaining, step, text, url)
            )
    return by_user


def _take(user, reminder):
    """Insert the reminder's log row; False when another run (or an earlier one) has it."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(
                recipient=user,
                kind=reminder.kind,
                item=reminder.item,
                due=reminder.due,
                days_before=reminder.threshold,
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, on: datetime.date | None = None, dry_run: bool = False) -> list[tuple]:
    """Send every responsible person their reminders of the day; returns [(user, [Reminder])].

    Queries: Rules (1), calendar (1), the due nodes and their departments' staff (1–2), for a
    round due in the window its lock and status (2), the
    users with their roles and parks (3), then per user their due issues (1) and, with items, the
    log rows already taken (1); per person sent: one savepoint and insert per line, the in-app rows
    (1) and the deliveries.
    """
    on = on or today()
    rules = Rules.current()
    longest = max(rules.issue_reminder_days, rules.round_reminder_days, rules.node_reminder_days, 1)
    counts = _working_day_counts(on, longest)
    due_issues = None
    if rules.issue_reminder_days:
        due_issues = issues_due_soon(on, _last_day(counts, rules.issue_reminder_days))
    by_user = _round_reminders(on, _round_dues(on, rules, counts))
    for user_pk, reminders in _node_reminders(on, rules, counts).items():
        by_user.setdefault(user_pk, []).extend(reminders)
    users = (
        get_user_model()
        .objects.filter(is_active=True, staff__isnull=False)
        .select_related("staff")
        .prefetch_related("staff__roles", "staff__parks")
        .order_by("pk")
    )
    sent = []
    for user in users:
        items = list(by_user.get(user.pk, []))
        if due_issues is not None:
            items = _issue_reminders(user.staff, due_issues, counts, on, rules.issue_reminder_days) + items
        if not items:
            continue
        taken = set(
            ReminderLog.objects.filter(recipient=user, due__gte=on).values_list(
                "kind", "item", "due", "days_before"
            )
        )
        items = [r for r in items if (r.kind, r.item, r.due, r.threshold) not in taken]
        if not items:
            continue
        if dry_run:
            sent.append((user, items))
            continue
        with transaction.atomic():
            won = [reminder for reminder in items if _take(user, reminder)]
            if won:
                _send(user, won)
        if won:
            sent.append((user, won))
    return sent


def _send(user, reminders):
    """The person's in-app rows (one per item) and one message with a line per item to every channel."""
    Notification.objects.bulk_create(
        [Notification(recipient=user, text=r.text[:300], url=r.url, issue_id=r.issue_id) for r in reminders]
    )
    soonest = min(r.remaining for r in reminders)
    subject = zone_text(
        ngettext_lazy(
            "Reminder: %(count)s item due soon", "Reminder: %(count)s items due soon", len(reminders)
        ),
        count=len(reminders),
    )
    if soonest == 0:
        subject = zone_text(gettext_noop("%(subject)s (one due today)"), subject=subject)
    deliver(
        recipients=[user],
        subject=subject,
        text="\n".join(r.text for r in reminders),
        url=reminders[0].url if len(reminders) == 1 else reverse("home"),
    )
