"""The dashboard's figures (PRODUCT.md "Figures"), computed in the database.

`dashboard_figures(year=, month=, user=)` is the one selector the dashboard page, `/dashboard.json`
and the monthly report share. Its contract:

- every figure is over the user's visible projects (`Project.objects.visible_to(user)`) and, for
  issues and visits, the issues and visits the user may see;
- a bounded number of queries whatever the size of the zone (conditional aggregates, subqueries and
  `values().annotate()` breakdowns — no loop over rows computes a figure; the only rows fetched are
  the two dates of the resolved issues, for the working-day median);
- money is Decimal 万元; rates are Decimal percentages rounded to one decimal, None over zero items.
  `as_json()` turns the Decimals into numbers for JSON.
"""

import calendar
import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, FilteredRelation, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from . import workdays
from .models import (
    Issue,
    IssueStatus,
    Level,
    Light,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    Project,
    Rules,
    Visit,
)
from .models.projects import HUNDRED_MILLION
from .querysets import overdue_q

MONEY = DecimalField(max_digits=20, decimal_places=2)
ZERO = Decimal(0)
FIGURE_KEYS = (
    "projects",
    "new_projects",
    "new_projects_started",
    "start_rate",
    "planned_investment",
    "completed_investment",
    "new_completed_investment",
    "investment_completion_rate",
    "projects_over_100m",
)
# The figures of the row's projects a breakdown row adds to the listing figures (PRODUCT.md: "the
# same figures"): open and overdue issues, and the warning lights.
ROW_ISSUE_KEYS = ("issues_open", "issues_overdue")
ROW_LIGHT_KEYS = ("lights_red", "lights_yellow", "lights_green")
LIGHTS = tuple(Light.values)


def month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def percent(part, whole):
    """part ÷ whole × 100 rounded half-up to one decimal; None over zero items."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def growth(this, prev):
    """(this − prev) ÷ prev × 100, one decimal; None when there was nothing the year before."""
    if not prev:
        return None
    return percent(this - prev, prev)


def _money(value):
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _listing_aggregates(year, month, when=None):
    """The listing figures as aggregate expressions over Listing rows annotated with `completed`.

    `when` restricts every aggregate (used to count two years in one query).
    """
    when = when or Q()
    new = Q(kind=ListingKind.NEW)
    return {
        "projects": Count("pk", filter=when),
        "new_projects": Count("pk", filter=when & new),
        "new_projects_started": Count(
            "pk", filter=when & new & Q(project__actual_start__lte=month_end(year, month))
        ),
        "planned_investment": Coalesce(
            Sum("planned_investment", filter=when), Value(ZERO), output_field=MONEY
        ),
        "completed_investment": Coalesce(Sum("completed", filter=when), Value(ZERO), output_field=MONEY),
        # The article's "new-build projects invested 26亿": the zone-wide figure adds the continuing ones.
        "new_completed_investment": Coalesce(
            Sum("completed", filter=when & new), Value(ZERO), output_field=MONEY
        ),
        "projects_over_100m": Count("pk", filter=when & Q(project__total_investment__gte=HUNDRED_MILLION)),
    }


# What the listing figures are grouped by (one query, summed into the totals and breakdowns).
LISTING_GROUP = (
    "project__park",
    "project__park__name",
    "project__park__order",
    "level",
    "project__leader",
    "project__leader__name",
)


def sums(groups, keys):
    """{key: the sum of the groups' values}."""
    sums = dict.fromkeys(keys, 0)
    for group in groups:
        for key in keys:
            sums[key] += group[key]
    return sums


def _breakdown(groups, aggregates, by):
    """{(values of the `by` keys): summed aggregates} for the keys with a project listed in Y."""
    rows = {}
    for group in groups:
        rows.setdefault(tuple(group[key] for key in by), []).append(group)
    summed = {key: sums(members, aggregates) for key, members in rows.items()}
    return {key: row for key, row in summed.items() if row["projects"]}


def _with_rates(row):
    """Fill in the two rates of a row of listing figures (keys of FIGURE_KEYS)."""
    row["planned_investment"] = _money(row["planned_investment"])
    row["completed_investment"] = _money(row["completed_investment"])
    row["new_completed_investment"] = _money(row["new_completed_investment"])
    row["start_rate"] = percent(row["new_projects_started"], row["new_projects"])
    row["investment_completion_rate"] = percent(row["completed_investment"], row["planned_investment"])
    return row


def _listings(projects, year, month):
    """Listings of the visible projects, each annotated with its project's reports of months 1..M of Y."""
    done = (
        MonthlyReport.objects.filter(project=OuterRef("project"), year=year, month__lte=month)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Listing.objects.filter(project__in=projects.values("pk"))
        .order_by()
        .annotate(completed=Subquery(done, output_field=MONEY))
    )


def listed_with_light(projects, *, year, month, today, rules, reasons=True):
    """`projects` listed in Y, with their light of the period aliased (`with_light(by_light=True)`);
    `reasons=False` for a query that only counts them by light.

    Listed in Y = the light's own join to the year's listing is there (one listing per project and
    year): one join, which the planner joins before it evaluates the light (not the light of every
    project of the zone).
    """
    return projects.with_light(
        year=year, month=month, today=today, rules=rules, by_light=True, reasons=reasons
    ).filter(light_kind__isnull=False)


def dashboard_figures(
    *, year, month, user, today=None, rules=None, with_pipeline=True, accountability=False, lit=None
):
    """Every figure of the dashboard for year `year`, months 1..`month`, as `user` sees the zone.

    Queries (whatever the data size): listing figures by park, level and leader with last year's
    1亿+ count, summed into the totals and breakdowns (1), monthly series (1), issue counts by park,
    leader and listing level (1), resolved issues' two dates (1), calendar overrides for those dates
    (0–1), visits in the month (1), Rules (1), lights and projects not visited by park, leader and
    listing level (1), the pipeline by park, summed for the zone (1, unless `with_pipeline` is
    false), plus the staff profile for a user whose roles were not looked up yet. Pass `rules`
    (Rules.current()) when the caller has it already. `accountability=True` adds `by_department`,
    `by_grid_worker` and `satisfaction` (projects/accountability.py: about a dozen queries more).

    Each breakdown row carries, besides the listing figures, its 1亿+ projects, its open and overdue
    issues (park and leader: all the visible issues of its projects, as the zone's counts; level:
    those of the projects listed in Y at that level) and its lights (`lights_red`, `_yellow`,
    `_green`): sums of the grouped issue and light counts, no query of their own.

    "Not visited" uses the yellow light's threshold, Rules.visit_gap_days (`not_visited_days`), so
    the count and the lights agree when an administrator changes it. Its key keeps the name
    `projects_not_visited_30_days` for the JSON's readers, whatever the number of days.

    `lit`: `listed_with_light` of the user's visible projects for this year, month, day and rules,
    when the caller reads the lit projects too (the dashboard's red/yellow list): the light's
    expressions are then resolved and the working calendar read once for both.
    """
    today = today or timezone.localdate()
    rules = rules or Rules.current()
    projects = Project.objects.visible_to(user)
    listings = _listings(projects, year, month)

    # Every listing figure of Y, and the 1亿+ count of Y−1, grouped by park, level and leader in
    # one query (each listing's `completed` subquery runs once): the zone's totals and each
    # breakdown row are sums of its few hundred groups.
    aggregates = _listing_aggregates(year, month, Q(year=year))
    groups = list(
        listings.filter(year__in=[year, year - 1])
        .values(*LISTING_GROUP)
        .annotate(
            **aggregates,
            projects_over_100m_prev_year=Count(
                "pk", filter=Q(year=year - 1, project__total_investment__gte=HUNDRED_MILLION)
            ),
        )
    )
    totals = sums(groups, [*aggregates, "projects_over_100m_prev_year"])
    figures = {"year": year, "month": month}
    figures.update(_with_rates({key: totals[key] for key in FIGURE_KEYS if key in totals}))
    figures["time_progress"] = percent(month, 12)
    figures["projects_over_100m_prev_year"] = totals["projects_over_100m_prev_year"]
    figures["projects_over_100m_growth"] = growth(
        totals["projects_over_100m"], totals["projects_over_100m_prev_year"]
    )
    # A park or leader has a row when it has a project listed in Y (not for Y−1's listings alone).
    by_park = _breakdown(groups, aggregates, ("project__park", "project__park__name", "project__park__order"))
    figures["by_park"] = [
        _with_rates({"park": name, "park_id": park, **row})
        for (park, name, _order), row in sorted(by_park.items(), key=lambda item: (item[0][2], item[0][1]))
    ]
    by_level = _breakdown(groups, aggregates, ("level",))
    figures["by_level"] = [
        _with_rates(
            {
                "level": level.value,
                "label": str(level.label),
                **by_level.get((level.value,), dict.fromkeys(aggregates, 0)),
            }
        )
        for level in ListingLevel
    ]
    by_leader = _breakdown(groups, aggregates, ("project__leader", "project__leader__name"))
    figures["by_leader"] = [
        _with_rates({"leader": name, "leader_id": leader, **row})
        # By name (code-point order), then id; the row of projects without a leader last.
        for (leader, name), row in sorted(
            by_leader.items(), key=lambda item: (item[0][1] is None, item[0][1] or "", item[0][0] or 0)
        )
    ]

    figures["monthly"] = _monthly_series(projects, year, month, figures["planned_investment"])
    issue_figures, issue_groups = _issue_figures(user, year, month, today)
    figures.update(issue_figures)

    visits = Visit.objects.visible_to(user).active()
    figures["visits_in_month"] = visits.filter(
        date__range=(datetime.date(year, month, 1), month_end(year, month))
    ).count()
    # The lights counted by (park, committee leader, level of the year's listing, light), with the
    # projects not visited (the yellow light's own "visited" column, so the count and the lights
    # agree): a few dozen rows, whose sums are the zone's counts and each breakdown row's.
    if lit is None:
        lit = listed_with_light(projects, year=year, month=month, today=today, rules=rules, reasons=False)
    light_groups = list(
        lit.order_by()
        .annotate(counted_light=F("light"))  # the database's light, selected to group by
        .values_list("park", "leader", "light_listing__level", "counted_light")
        .annotate(n=Count("pk"), not_visited=Count("pk", filter=Q(light_visited=False)))
    )
    counts = Counter()
    for _park, _leader, _level, light, n, not_visited in light_groups:
        counts[light] += n
        counts["not_visited"] += not_visited
    figures["not_visited_days"] = rules.visit_gap_days
    figures["projects_not_visited_30_days"] = counts["not_visited"]
    figures["lights"] = {light: counts[light] for light in LIGHTS}
    _add_row_figures(figures, issue_groups, light_groups)
    if accountability:
        # /dashboard.json's department accountability (projects/accountability.py); the dashboard
        # page shows it on its own tab, so the overview does not pay for it.
        from . import accountability as acc

        period = {"year": year, "month": month, "user": user}
        figures["by_department"] = acc.by_department(**period, today=today, rules=rules)
        figures["by_grid_worker"] = acc.by_grid_worker(**period, today=today, rules=rules)
        figures["satisfaction"] = acc.satisfaction(**period)
    if with_pipeline:
        from .pipeline import pipeline_with_parks

        figures["pipeline"], figures["pipeline_by_park"] = pipeline_with_parks(
            projects, year=year, month=month
        )
    return figures


def _add_row_figures(figures, issue_groups, light_groups):
    """Each breakdown row's open and overdue issues and lights, summed from the grouped counts.

    `issue_groups`: (park, leader, level of the year's listing or None, open, overdue, …);
    `light_groups`: (park, leader, level, light, projects, not visited). A park or leader with issues but no
    project listed in the year has no row: its issues count in the zone's totals only.
    """
    by_park = {row["park_id"]: row for row in figures["by_park"]}
    by_level = {row["level"]: row for row in figures["by_level"]}
    by_leader = {row["leader_id"]: row for row in figures["by_leader"]}
    zeros = dict.fromkeys(ROW_ISSUE_KEYS + ROW_LIGHT_KEYS, 0)
    for by_key in (by_park, by_level, by_leader):
        for row in by_key.values():
            row.update(zeros)
    # A few thousand groups at most (parks × leaders × levels): plain loops, no generator per group.
    for park, leader, level, open_, overdue, *_rest in issue_groups:
        for row in (by_park.get(park), by_level.get(level), by_leader.get(leader)):
            if row is not None:
                row["issues_open"] += open_
                row["issues_overdue"] += overdue
    for park, leader, level, light, n, _not_visited in light_groups:
        key = f"lights_{light}"
        for row in (by_park.get(park), by_level.get(level), by_leader.get(leader)):
            if row is not None:
                row[key] += n


def _monthly_series(projects, year, month, planned):
    """Completed investment by month 1..12 of Y (None after M) against the plan pro rata."""
    by_month = dict(
        MonthlyReport.objects.filter(
            year=year, month__lte=month, project__in=projects.filter(listings__year=year).values("pk")
        )
        .order_by()
        .values_list("month")
        .annotate(total=Sum("amount"))
    )
    series = []
    cumulative = ZERO
    for m in range(1, 13):
        completed = _money(by_month.get(m)) if m <= month else None
        if completed is not None:
            cumulative += completed
        series.append(
            {
                "month": m,
                "completed": completed,
                "completed_cumulative": cumulative if m <= month else None,
                "planned_cumulative": _money(planned * m / 12),
            }
        )
    return series


def _issue_figures(user, year, month, today):
    """(Issue figures, issue groups): open and overdue are the current state; on-site and median count
    issues raised in Y up to the end of M (days in Asia/Shanghai). The groups are (park, committee
    leader, level of the listing of Y or None, open, overdue, …) of the issues' projects."""
    issues = Issue.objects.visible_to(user).active()
    unresolved = Q(status__in=IssueStatus.unresolved())
    tz = timezone.get_current_timezone()
    raised_from = datetime.datetime.combine(datetime.date(year, 1, 1), datetime.time.min, tzinfo=tz)
    raised_to = datetime.datetime.combine(
        month_end(year, month) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    raised = Q(raised_at__gte=raised_from, raised_at__lt=raised_to)
    # Every count below needs an unresolved issue or one raised in the period: reading only those
    # rows lets PostgreSQL use the partial unresolved index and the raised_at index, not scan all.
    # Grouped by the project's park and committee leader and the level of its listing of Y (none
    # when not listed): the zone's counts are the groups' sums, the breakdowns' sums of some.
    overdue = overdue_q(today)
    counted = {
        "open": Count("pk", filter=unresolved),
        "overdue": Count("pk", filter=overdue),
        **{f"open_{level.code}": Count("pk", filter=unresolved & Q(level=level)) for level in Level},
        "solved_on_site": Count("pk", filter=raised & Q(solved_on_site=True)),
    }
    # (park, leader, level of the listing, open, overdue, open at each issue level…, solved on site)
    groups = list(
        issues.filter(unresolved | raised)
        .annotate(
            year_listing=FilteredRelation("project__listings", condition=Q(project__listings__year=year))
        )
        .order_by()
        .values_list("project__park", "project__leader", "year_listing__level")
        .annotate(**counted)
    )
    # The zone's counts: each column's sum over the groups.
    counts = Counter()
    for group in groups:
        for key, n in zip(counted, group[3:], strict=True):
            counts[key] += n
    # The database turns the instants into local dates and counts each distinct pair of dates: a
    # few thousand small rows at most, and no time-zone conversion per issue in Python.
    resolved = list(
        issues.filter(raised, solved_on_site=False, resolved_at__isnull=False)
        .order_by()
        .values(
            raised_day=TruncDate("raised_at", tzinfo=tz), resolved_day=TruncDate("resolved_at", tzinfo=tz)
        )
        .annotate(n=Count("pk"))
        .values_list("raised_day", "resolved_day", "n")
    )
    figures = {
        "issues_open_by_level": {level.code: counts[f"open_{level.code}"] for level in Level},
        "issues_open": counts["open"],
        "issues_overdue": counts["overdue"],
        "issues_solved_on_site": counts["solved_on_site"],
        "issues_median_days_to_resolve": _median_working_days(resolved),
    }
    return figures, groups


def _median_working_days(spans):
    """Median of the working days from raised to resolved; one calendar query for all the spans.

    `spans`: (raised date, resolved date, number of issues with these two dates).
    """
    if not spans:
        return None
    first = min(start for start, _end, _n in spans)
    last = max(end for _start, end, _n in spans)
    # Working days counted once over the whole range, then each span is a difference of two counts
    # (the same answer as workdays.working_days_between for every pair, without a query per pair).
    overrides = workdays._overrides(first, last)
    index = {}
    count = 0
    day = first
    while day <= last:
        if day > first and workdays._is_workday(day, overrides):
            count += 1
        index[day] = count
        day += workdays.ONE_DAY
    days_count = Counter()
    for start, end, n in spans:
        days_count[max(index[end] - index[start], 0)] += n
    return weighted_median(days_count)


def weighted_median(counts):
    """The median of values given as {value: how many times}, as statistics.median would give it of
    the expanded list (the mean of the two middle values for an even total), rounded to one decimal."""
    total = sum(counts.values())
    lower_rank, upper_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle value(s)
    seen, lower = 0, None
    for value in sorted(counts):
        seen += counts[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            return (Decimal(lower + value) / 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return None


def as_json(value):
    """The figures with Decimals as numbers, ready for JsonResponse."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value
