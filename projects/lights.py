"""Warning lights 红黄绿灯 (PRODUCT.md "Warning lights"): the one place that decides a project's light
and says why in words.

- `annotate(projects, …)` adds the `light_*` columns a row's light is read from, and `light`
  ('red' / 'yellow' / 'green') as a database alias, so a list filters, orders and counts by it in
  its one query (`ProjectQuerySet.with_light` calls it);
- `reasons(project)` turns a fetched row's `light_*` columns into the reasons, in the user's
  language, with no query of its own (`Project.light_reasons`), and `light_of(project)` is the
  light they add up to (`Project.light`): a page shows the light without the database working
  out every subquery a second time inside the light's CASE.
- `legend(rules)` states the rules with the administrator's thresholds.

A rule is written twice here, side by side: as a database condition in `annotate` and as the test
on the fetched row in `reasons` (tests/test_lights.py checks that the two agree on every rule).
Add a rule to both (and to `legend`).
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, Round
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .compiled import CompiledOnce
from .models.choices import YEAR_MIN, Light

RED, YELLOW, GREEN = Light.RED, Light.YELLOW, Light.GREEN
LIGHTS = tuple(Light.values)
LABELS = {light.value: light.label for light in Light}
# A shape beside the colour, so the light reads without colour vision (and in black-and-white print).
ICONS = {RED: "■", YELLOW: "▲", GREEN: "●"}
NO_REASON = gettext_lazy("On track: no warning applies.")


@dataclass(frozen=True)
class Reason:
    light: str  # RED or YELLOW
    text: str


def _behind_q(month, points, strict):
    """Q: completion rate behind time progress by more than (`strict`) or at least `points`.

    rate < time progress − points  ⇔  done·1200 < (100·month − 12·points)·planned, in whole cents
    (SQLite sums money as floating point, which misses an exact threshold by a hair): integers
    only, no division in the database. `_behind` is the same test on a fetched row.
    """
    bound = 100 * month - 12 * points
    if month <= 0 or bound < 0 or (bound == 0 and strict):
        return Q(pk__in=[])  # the rate cannot be that far behind
    lookup = "lt" if strict else "lte"
    return Q(light_planned__gt=0, **{f"light_done_1200__{lookup}": F("light_planned_cents") * Value(bound)})


def _behind(project, points, strict):
    month, planned = project.light_month, project.light_planned
    bound = 100 * month - 12 * points
    if month <= 0 or bound < 0 or (bound == 0 and strict) or not planned or planned <= 0:
        return False
    done_1200, limit = project.light_done * 1200, planned * bound
    return done_1200 < limit if strict else done_1200 <= limit


def annotate(
    projects, *, year=None, month=None, today=None, rules=None, calendar=None, by_light=False, reasons=True
):
    """`projects` annotated with the `light_*` values a row's light and reasons are read from; with
    `by_light`, also aliased with `light` for filters, ordering and counts (select it with
    `F("light")`). Only a query that filters, orders or groups by it pays for resolving it.
    `reasons=False` (with `by_light`, for a query that only counts or filters by the light) leaves
    out what only the reasons read: the late node and the period's constants (REASON_COLUMNS).

    The completion rate is the project's reports of months 1..`month` of `year` over its `year`
    listing's planned investment, against time progress `month` ÷ 12; a project without a listing
    of the year or with a zero plan has no lag rule. Defaults: today's year and month; for a past
    year its December; for a future year no lag rule. `rules` saves the query for Rules.current(),
    `calendar` the working calendar's read (one read for the same day: a lit queryset's
    `_light_calendar`).
    Thresholds come from Rules (administrator-editable).
    """
    from .models import Rules
    from .workdays import WorkingCalendar

    on = today or timezone.localdate()
    if year is None:
        year = on.year
    if month is None:
        month = on.month if year == on.year else (12 if year < on.year else 0)
    rules = rules or Rules.current()
    # Late plan nodes (PlanNode.objects.late, the one rule): a key node planned on or before this day
    # is late by more than red_node_days working days (one calendar read, kept for the reasons' delays).
    calendar = calendar or WorkingCalendar(datetime.date(YEAR_MIN, 1, 1), on)
    red_node_day = calendar.latest_start_before(on, rules.red_node_days + 1)
    columns, aliases, light = _expressions(
        year,
        month,
        on,
        red_node_day,
        rules.red_node_days,
        rules.red_lag_points,
        rules.yellow_lag_points,
        rules.visit_gap_days,
    )
    if not reasons:
        columns = {name: value for name, value in columns.items() if name not in REASON_COLUMNS}
    # The year's listing is a LEFT JOIN (one listing per project and year), not a subquery: the
    # light's conditions name the listing's columns several times, and each subquery named would be
    # run again for every row (scale issue).
    lit = projects.annotate(
        light_listing=FilteredRelation("listings", condition=Q(listings__year=year))
    ).annotate(**columns)
    if by_light:
        # Only the light's conditions read the aliases: a query that shows rows without filtering,
        # ordering or counting by the light does not resolve them (a subquery each, issue 18).
        lit = lit.alias(**aliases).alias(light=light)
    lit._light_calendar = calendar  # the reasons count late nodes' delays on it (ProjectQuerySet)
    return lit


# The columns only `reasons` reads (the light's conditions do not).
REASON_COLUMNS = (
    "light_node",
    "light_month",
    "light_today",
    "light_red_points",
    "light_yellow_points",
    "light_visit_days",
    "light_red_node_days",
)


@functools.lru_cache(maxsize=32)
def _expressions(year, month, on, red_node_day, red_node_days, red_points, yellow_points, visit_days):
    """({light_* column: expression}, {alias: expression}, the light's Case) for these inputs: built
    once per set of inputs (every one is in the key, so none is stale), as annotate() resolves a copy
    of each for its query. The subqueries and the light are CompiledOnce: resolved and compiled once
    per shape of query, not again for every query (projects/compiled.py)."""
    from .models import Issue, Level, ListingKind, MonthlyReport, PlanNode, Visit

    inputs = (year, month, on, red_node_day, red_node_days, red_points, yellow_points, visit_days)

    def once(name, expression):
        # Every input is in the key: the same key is the same SQL (projects/compiled.py).
        return CompiledOnce(expression, key=("light", name, inputs))

    money = DecimalField(max_digits=20, decimal_places=2)
    reports = (
        MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month__lte=month)
        .order_by()
        .values("project")
    )
    done = reports.annotate(total=Sum("amount")).values("total")
    overdue = Issue.objects.filter(project=OuterRef("pk")).overdue(on=on).order_by("pk")
    visited = Visit.objects.filter(
        project=OuterRef("pk"),
        withdrawn_at__isnull=True,
        date__gt=on - datetime.timedelta(days=visit_days),
    )
    late_nodes = PlanNode.objects.filter(project=OuterRef("pk")).late(on=on).order_by()
    # A key node late beyond the threshold: what makes a late node red.
    red_node = Q(is_key=True, planned_on__lte=red_node_day)
    # The node the reason names, in one subquery (each repeats the node's dates): the most late key
    # node beyond the threshold (`beyond` 0), else the most late node; whether it is key, not
    # `beyond`, in the row: _node_reason tells red from its delay, a CASE less to build per query.
    beyond = Case(When(red_node, then=Value(0)), default=Value(1))
    reason_node = (
        late_nodes.annotate(beyond=beyond)
        .order_by("beyond", "planned_on", "pk")
        .values(node=JSONObject(name="name", planned_on="planned_on", key="is_key"))[:1]
    )
    columns = {
        "light_kind": F("light_listing__kind"),
        "light_planned": ExpressionWrapper(F("light_listing__planned_investment"), output_field=money),
        "light_done": once(
            "done", Coalesce(Subquery(done, output_field=money), Value(Decimal(0)), output_field=money)
        ),
        # The first overdue issue's number (or None): the reason names it.
        "light_overdue_high": once(
            "overdue_high", Subquery(overdue.filter(level__gte=Level.LEADER).values("pk")[:1])
        ),
        "light_overdue_low": once(
            "overdue_low", Subquery(overdue.filter(level__lte=Level.COORDINATION).values("pk")[:1])
        ),
        "light_visited": once("visited", Exists(visited)),
        "light_node": once("node", Subquery(reason_node, output_field=models.JSONField())),
        # The period and thresholds the light was computed with, for `reasons` (constants).
        "light_month": Value(month, output_field=IntegerField()),
        "light_today": Value(on, output_field=DateField()),
        "light_red_points": Value(red_points, output_field=IntegerField()),
        "light_yellow_points": Value(yellow_points, output_field=IntegerField()),
        "light_visit_days": Value(visit_days, output_field=IntegerField()),
        "light_red_node_days": Value(red_node_days, output_field=IntegerField()),
    }
    # Aliases, not columns: only the conditions below read them (each inlines them anyway). Cents
    # of each report, summed: exact on every database.
    done_cents = reports.annotate(cents=Sum(Round(F("amount") * 100))).values("cents")
    aliases = {
        "light_done_1200": once(
            "done_1200",
            ExpressionWrapper(
                Coalesce(Subquery(done_cents, output_field=money), Value(Decimal(0))) * Value(1200),
                output_field=money,
            ),
        ),
        "light_planned_cents": Round(F("light_listing__planned_investment") * 100, output_field=money),
    }
    red = (
        Q(light_kind=ListingKind.NEW, planned_start__lt=on, actual_start__isnull=True)
        | _behind_q(month, red_points, strict=True)
        | Q(light_overdue_high__isnull=False)
    )
    yellow = (
        _behind_q(month, yellow_points, strict=False)
        | Q(light_visited=False)
        | Q(light_overdue_low__isnull=False)
    )
    # The late nodes' light in one subquery, not an EXISTS for red and another for yellow (each
    # repeats the nodes' dates): red with a key node beyond the threshold, else yellow with a late
    # node ("red" sorts before "yellow"), else NULL and the other yellow rules decide.
    node_light = (
        late_nodes.annotate(node_light=Case(When(red_node, then=Value(RED)), default=Value(YELLOW)))
        .order_by("node_light")
        .values("node_light")[:1]
    )
    text = models.CharField()
    light = Case(
        When(red, then=Value(RED)),
        default=Coalesce(
            Subquery(node_light, output_field=text),
            Case(When(yellow, then=Value(YELLOW)), default=Value(GREEN), output_field=text),
            output_field=text,
        ),
        output_field=text,
    )
    return columns, aliases, once("light", light)


def _one_decimal(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def light_of(project):
    """The light a row fetched `with_light()` shows: red with a red reason, yellow with any other
    reason, else green (the same rules as the database's `light`); None for a row without it."""
    if not hasattr(project, "light_month"):
        return None
    found = project.light_reasons
    if not found:
        return GREEN
    return found[0].light  # red reasons come first


def reasons(project):
    """The reasons of a project's light, red ones first; [] for green or a row without the light's
    columns."""
    from .models import ListingKind

    if not hasattr(project, "light_month"):
        return []
    found = []
    if (
        project.light_kind == ListingKind.NEW
        and project.planned_start
        and project.actual_start is None
        and project.planned_start < project.light_today
    ):
        found.append(
            Reason(
                RED,
                _("Planned start %(date)s has passed; not started yet")
                % {"date": date_format(project.planned_start, "Y-m-d")},
            )
        )
    lag = None
    if project.light_planned and project.light_planned > 0 and project.light_month > 0:
        rate = project.light_done * 100 / project.light_planned
        lag = {
            "points": _one_decimal(Decimal(project.light_month) * 100 / 12 - rate),
            "rate": _one_decimal(rate),
        }
    lag_text = _("Completion rate %(rate)s%% is %(points)s points behind time progress")
    if _behind(project, project.light_red_points, strict=True):
        found.append(Reason(RED, lag_text % lag))
    elif _behind(project, project.light_yellow_points, strict=False):
        found.append(Reason(YELLOW, lag_text % lag))
    if project.light_overdue_high:
        found.append(
            Reason(
                RED,
                _("Issue #%(number)s is overdue at leader assignment or supervision")
                % {"number": project.light_overdue_high},
            )
        )
    if project.light_overdue_low:
        found.append(
            Reason(
                YELLOW,
                _("Issue #%(number)s is overdue at grid help or the coordination meeting")
                % {"number": project.light_overdue_low},
            )
        )
    node_reason = _node_reason(project)
    if node_reason:
        found.append(node_reason)
    if not project.light_visited:
        found.append(
            Reason(YELLOW, _("Not visited in the last %(days)s days") % {"days": project.light_visit_days})
        )
    found.sort(key=lambda reason: reason.light != RED)
    return found


def _node_reason(project):
    """The late node's reason: "节点 施工许可 逾期 12 个工作日（计划 …）" (its delay counted on the
    calendar annotate() read, which ProjectQuerySet hands to each fetched row); red for a key node
    late by more than red_node_days working days, as in the database (planned on or before the
    latest start that is that late), else yellow."""
    from .plans import node_reason
    from .workdays import WorkingCalendar

    node = getattr(project, "light_node", None)
    if not node or not node.get("planned_on"):
        return None
    planned = datetime.date.fromisoformat(node["planned_on"])
    calendar = getattr(project, "light_calendar", None) or WorkingCalendar(planned, project.light_today)
    delay = calendar.working_days_between(planned, project.light_today)
    light = RED if node["key"] and delay > project.light_red_node_days else YELLOW
    return Reason(light, node_reason(node["name"], delay, planned))


def legend(rules):
    """[(light, text)]: the rules of each light with the zone's thresholds, for the lists' legend."""
    return [
        (
            RED,
            _(
                "new-build project past its planned start and not started; completion rate more than "
                "%(red)s points behind time progress; an issue overdue at level 3 or 4; a key node "
                "more than %(node_days)s working days late"
            )
            % {"red": rules.red_lag_points, "node_days": rules.red_node_days},
        ),
        (
            YELLOW,
            _(
                "completion rate %(yellow)s–%(red)s points behind time progress; not visited for "
                "%(days)s days; an issue overdue at level 1 or 2; a late plan node"
            )
            % {"yellow": rules.yellow_lag_points, "red": rules.red_lag_points, "days": rules.visit_gap_days},
        ),
        (GREEN, _("none of these")),
    ]
