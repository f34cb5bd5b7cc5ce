"""Department accountability (PRODUCT.md "Department accountability", 部门红黄码): who answers, on
time, to the enterprise's satisfaction — by department and by grid worker — and satisfaction by
category. Computed in the database like the dashboard's figures (projects/figures.py), over what
the user may see.

The set each row is over: the visible, not withdrawn issues raised in year Y up to the end of month
M — a department's are those assigned to it, a grid worker's those of their projects (their parks'
and those naming them). On that set:

- `received` — how many; `first_response_rate` — first response within Rules.first_response_days
  working days of raising ÷ received (an issue still waiting counts as not within);
- `on_time_rate` — resolved by the deadline (the local date of resolving ≤ the deadline; no deadline
  is on time) ÷ resolved; `median_days_to_resolve` — working days, solved on site left out, as the
  zone's median;
- `overdue` — of them, overdue now; `extensions` — approved extensions of them;
- `satisfaction_rate` — closed as satisfied ÷ closed with a rating.

Rows are ranked (`rank` 1…): fewest overdue first, then the higher on-time rate, first-response
rate and satisfaction rate (a rate over nothing after any number), then more received, then name.
"""

import datetime
from collections import Counter, defaultdict

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import workdays
from .figures import month_end, percent, weighted_median
from .models import (
    ApprovalRequest,
    Category,
    Department,
    Issue,
    IssueStatus,
    MonthlyReport,
    Project,
    RoleCode,
    Satisfaction,
    Staff,
    Visit,
)
from .querysets import grid_groups_of
from .services.reports import SubqueryCount

DEPARTMENT_KEYS = (
    "department",
    "department_id",
    "received",
    "first_response_rate",
    "on_time_rate",
    "median_days_to_resolve",
    "overdue",
    "extensions",
    "satisfaction_rate",
)


def period_issues(user, year, month):
    """The visible, active issues raised in `year` up to the end of `month` (Asia/Shanghai)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(datetime.date(year, 1, 1), datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        month_end(year, month) + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return Issue.objects.visible_to(user).active().filter(raised_at__gte=start, raised_at__lt=end)


def _counts(today):
    """The conditional counts every row carries, over issues annotated with `resolved_day`."""
    unresolved = Q(status__in=IssueStatus.unresolved())
    rated = Q(status=IssueStatus.CLOSED) & ~Q(satisfaction="")
    return {
        "received": Count("pk"),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "resolved_on_time": Count(
            "pk",
            filter=Q(resolved_at__isnull=False)
            & (Q(deadline__isnull=True) | Q(resolved_day__lte=F("deadline"))),
        ),
        "overdue": Count("pk", filter=unresolved & Q(suspended=False, deadline__lt=today)),
        "rated": Count("pk", filter=rated),
        "satisfied": Count("pk", filter=rated & Q(satisfaction=Satisfaction.SATISFIED)),
    }


COUNT_KEYS = ("received", "resolved", "resolved_on_time", "overdue", "rated", "satisfied")


def _spans(issues, keys, tz):
    """{group: [(raised day, answered day, n)]} of the first responses and of the resolutions; the
    days as the database driver gives them (_driver_rows)."""
    raised_day = TruncDate("raised_at", tzinfo=tz)
    result = []
    for condition, field in (
        (Q(first_response_at__isnull=False), "first_response_at"),
        (Q(resolved_at__isnull=False, solved_on_site=False), "resolved_at"),
    ):
        spans = defaultdict(list)
        for *group, raised, answered, n in _driver_rows(
            issues.filter(condition)
            .order_by()
            .values(*keys, raised_day=raised_day, answered_day=TruncDate(field, tzinfo=tz))
            .annotate(n=Count("pk"))
            .values_list(*keys, "raised_day", "answered_day", "n")
        ):
            spans[tuple(group)].append((raised, answered, n))
        result.append(spans)
    return result


def _driver_rows(queryset):
    """The rows of a values_list() as the database driver returns them, without the ORM's converter
    calls on each value: the span queries return thousands of rows, whose conversion was a fifth of
    dashboard.json (issue 18). Their days are dates on PostgreSQL, ISO texts on SQLite (_day_index)."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # the user sees no issue
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day_index(days, using):
    """{day: working days since the first} from the first to the last of `days`, keyed as the
    driver gives days (connection.ops.adapt_datefield_value writes a date that way)."""
    if not days:
        return {}
    first, last = (datetime.date.fromisoformat(str(day)) for day in (min(days), max(days)))
    key = connections[using].ops.adapt_datefield_value
    return {key(day): n for day, n in workdays.working_days_until(first, last).items()}


def _groups(issues, keys, today, rules):
    """{group: accumulator} of the issues grouped by `keys`: the counts, first responses within the
    limit, the working days to resolve (a Counter) and the extensions — all additive, so a grid
    worker's figures are the sum of their (park, named worker) groups."""
    tz = timezone.get_current_timezone()
    groups = {
        tuple(row[key] for key in keys): {"within": 0, "durations": Counter(), "extensions": 0, **row}
        for row in issues.annotate(resolved_day=TruncDate("resolved_at", tzinfo=tz))
        .order_by()
        .values(*keys)
        .annotate(**_counts(today))
    }
    responses, resolutions = _spans(issues, keys, tz)
    days = [
        day
        for spans in (responses, resolutions)
        for group in spans.values()
        for span in group
        for day in span[:2]
    ]
    index = _day_index(days, issues.db)
    for group, spans in responses.items():
        groups[group]["within"] += sum(
            n for raised, answered, n in spans if index[answered] - index[raised] <= rules.first_response_days
        )
    for group, spans in resolutions.items():
        for raised, resolved, n in spans:
            groups[group]["durations"][max(index[resolved] - index[raised], 0)] += n
    for *group, n in (
        ApprovalRequest.objects.filter(
            issue__in=issues.values("pk"),
            kind=ApprovalRequest.Kind.EXTENSION,
            status=ApprovalRequest.Status.APPROVED,
        )
        .order_by()
        .values_list(*(f"issue__{key}" for key in keys))
        .annotate(n=Count("pk"))
    ):
        groups[tuple(group)]["extensions"] += n
    return groups


def _figures(accumulators):
    """The row's figures from one or more groups' accumulators."""
    total = dict.fromkeys(COUNT_KEYS, 0)
    within, extensions, durations = 0, 0, Counter()
    for acc in accumulators:
        for key in COUNT_KEYS:
            total[key] += acc[key]
        within += acc["within"]
        extensions += acc["extensions"]
        durations.update(acc["durations"])
    return {
        **total,
        "first_response_rate": percent(within, total["received"]),
        "on_time_rate": percent(total["resolved_on_time"], total["resolved"]),
        "median_days_to_resolve": weighted_median(durations) if durations else None,
        "extensions": extensions,
        "satisfaction_rate": percent(total["satisfied"], total["rated"]),
    }


def _rank_key(row, name_key):
    def high_first(rate):
        return (rate is None, -(rate or 0))

    return (
        row["overdue"],
        high_first(row["on_time_rate"]),
        high_first(row["first_response_rate"]),
        high_first(row["satisfaction_rate"]),
        -row["received"],
        row[name_key] or "",
    )


def _ranked(rows, name_key):
    rows.sort(key=lambda row: _rank_key(row, name_key))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def by_department(*, year, month, user, today, rules):
    """One row per department that received issues in the period: DEPARTMENT_KEYS, `rank`, and the
    counts behind the rates (`resolved`, `resolved_on_time`, `rated`, `satisfied`).

    Queries: the grouped counts (1), first responses and resolutions by pairs of days (2), the
    calendar for their range (0–1), extensions (1), department names (1), plus the user's profile
    and roles if not looked up yet (1)."""
    issues = period_issues(user, year, month).filter(department__isnull=False)
    groups = _groups(issues, ("department",), today, rules)
    names = dict(Department.objects.filter(pk__in=[pk for (pk,) in groups]).values_list("pk", "name"))
    rows = [
        {"department": names[pk], "department_id": pk, **_figures([acc])} for (pk,), acc in groups.items()
    ]
    return _ranked(rows, "department")


def by_grid_worker(*, year, month, user, today, rules):
    """One row per grid worker with projects: their projects (listed in Y, in their parks or naming
    them, that the user may see), visits they recorded in month M, those projects not visited for
    Rules.visit_gap_days, the round's completeness for M (reported ÷ projects), and the issue
    figures over the issues of the period of their projects. Ranked as the departments.

    Queries: the round's projects counted by (park, named grid worker) (1), the workers with the
    visits they made (1) and their parks (1), the issue groups by (park, named grid worker) as for
    departments (4–5). A worker's projects are the groups of their parks or naming them: no count
    per worker over the zone's projects, which grew with workers × projects."""
    visible = Project.objects.visible_to(user).filter(listings__year=year).values("pk")
    since = today - datetime.timedelta(days=rules.visit_gap_days)
    recent = Visit.objects.filter(date__gt=since, withdrawn_at__isnull=True).values("project")
    reported = MonthlyReport.objects.filter(year=year, month=month).values("project")
    # (park, named grid worker) → (projects, reported for month M, not visited for the gap)
    project_groups = {
        (park, named): counts
        for park, named, *counts in Project.objects.filter(pk__in=visible)
        .order_by()
        .values_list("park", "grid_worker")
        .annotate(
            total=Count("pk"),
            reported=Count("pk", filter=Q(pk__in=reported)),
            not_visited=Count("pk", filter=~Q(pk__in=recent)),
        )
    }
    in_month = (datetime.date(year, month, 1), month_end(year, month))
    made = Visit.objects.filter(recorded_by=OuterRef("pk"), withdrawn_at__isnull=True, date__range=in_month)
    workers = (
        Staff.objects.filter(pk__in=Staff.objects.filter(roles__code=RoleCode.GRID_WORKER).values("pk"))
        .annotate(visits_made=SubqueryCount(made.values("pk")))
        .prefetch_related("parks")
        .order_by("name", "pk")
    )
    groups = _groups(
        period_issues(user, year, month), ("project__park", "project__grid_worker"), today, rules
    )
    rows = []
    for worker in workers:
        parks = {park.pk for park in worker.parks.all()}
        projects = grid_groups_of(project_groups, parks, worker.pk)
        total = sum(counts[0] for counts in projects)
        if not total:
            continue  # a grid worker without a project in the round has no row
        reported_n = sum(counts[1] for counts in projects)
        rows.append(
            {
                "grid_worker": worker.name,
                "grid_worker_id": worker.pk,
                "projects": total,
                "visits": worker.visits_made,
                "projects_not_visited": sum(counts[2] for counts in projects),
                "round_reported": reported_n,
                "round_completeness": percent(reported_n, total),
                **_figures(grid_groups_of(groups, parks, worker.pk)),
            }
        )
    return _ranked(rows, "grid_worker")


def satisfaction(*, year, month, user):
    """Ratings of the issues of the period closed with a rating: overall and by category.

    Queries: one grouped count."""
    rated = period_issues(user, year, month).filter(status=IssueStatus.CLOSED).exclude(satisfaction="")
    counts = {value: Count("pk", filter=Q(satisfaction=value)) for value in Satisfaction.values}
    groups = {row["category"]: row for row in rated.order_by().values("category").annotate(**counts)}

    def figures(row):
        total = sum(row.get(value, 0) for value in Satisfaction.values)
        return {
            "rated": total,
            **{value: row.get(value, 0) for value in Satisfaction.values},
            "satisfaction_rate": percent(row.get(Satisfaction.SATISFIED, 0), total),
        }

    totals = Counter()
    for row in groups.values():
        for value in Satisfaction.values:
            totals[value] += row[value]
    return {
        **figures(totals),
        "by_category": [
            {
                "category": category.value,
                "label": str(category.label),
                **figures(groups.get(category.value, {})),
            }
            for category in Category
        ],
    }
