"""Reading node plans: each node's state and delay in working days, the reason's words, the chart.

The rule "late" is `PlanNode.objects.late()` (querysets.py), which the warning light also reads; the
delays here are counted on the official calendar with one calendar query for all the nodes shown.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from . import workdays
from .models import Rules

DONE, NOT_NEEDED, LATE, OPEN, UNPLANNED = "done", "not_needed", "late", "open", "unplanned"


def working_day_counter(first: datetime.date, last: datetime.date):
    """A function (a, b) → working days after a up to b, for dates in [first, last]; one query."""
    overrides = workdays._overrides(first, last)
    index, count, day = {}, 0, first
    while day <= last:
        if day > first and workdays._is_workday(day, overrides):
            count += 1
        index[day] = count
        day += workdays.ONE_DAY
    return lambda a, b: index[b] - index[a]


def annotate_states(nodes, on: datetime.date, rules: Rules | None = None, calendar=None) -> list:
    """Give each node (from `with_dates()`) `state`, `delay_days` (working days late, else 0) and
    `is_red` (a key node late by more than Rules.red_node_days); returns the list.

    `calendar`: a WorkingCalendar already read up to `on` (a lit project's `light_calendar`), which
    saves the query of the late nodes' calendar days."""
    nodes = list(nodes)
    rules = rules or Rules.current()
    late_from = [n.planned_on for n in nodes if n.planned_on and n.planned_on < on and n.done_on is None]
    if calendar is not None:
        counter = calendar.working_days_between
    else:
        counter = working_day_counter(min(late_from), on) if late_from else None
    for node in nodes:
        node.delay_days = 0
        node.is_red = False
        if node.done_on is not None:
            node.state = DONE
        elif node.not_needed:
            node.state = NOT_NEEDED
        elif node.planned_on is None:
            node.state = UNPLANNED
        elif node.planned_on < on:
            node.state = LATE
            node.delay_days = counter(node.planned_on, on)
            node.is_red = node.is_key and node.delay_days > rules.red_node_days
        else:
            node.state = OPEN
    return nodes


def node_reason(name: str, delay_days: int, planned: datetime.date) -> str:
    """The light's reason for a late node, in words (PRODUCT.md "Warning lights")."""
    return _("Node %(name)s is %(days)s working days late (planned %(date)s)") % {
        "name": name,
        "days": delay_days,
        "date": planned.isoformat(),
    }


def responsible_q(staff) -> Q:
    """Nodes `staff` answers for: named on the node; else, with nobody named, the project's grid
    worker, or the node's department for department staff."""
    q = Q(responsible=staff) | Q(responsible__isnull=True, project__grid_worker=staff)
    if staff.department_id:
        q |= Q(responsible__isnull=True, department=staff.department_id)
    return q


def chart_rows(nodes, on: datetime.date) -> list[dict]:
    """The Gantt rows: each node's planned window (from the previous node's planned date to its own)
    and its actual bar (from the same start to its done date, or to today while it is late)."""
    rows, previous = [], None
    for node in nodes:
        planned_end = node.planned_on
        start = previous or planned_end or node.done_on
        actual_end = node.done_on or (on if node.state == LATE else None)
        rows.append(
            {
                "name": node.name,
                "key": node.is_key,
                "state": node.state,
                "planned_start": start.isoformat() if start and planned_end else None,
                "planned_end": planned_end.isoformat() if planned_end else None,
                "actual_start": start.isoformat() if start and actual_end else None,
                "actual_end": actual_end.isoformat() if actual_end else None,
                "delay_days": node.delay_days,
            }
        )
        previous = planned_end or node.done_on or previous
    return rows
