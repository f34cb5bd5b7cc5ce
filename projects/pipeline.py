"""The pipeline figures (四库五率, PRODUCT.md "Pipeline figures"), computed in the database.

The cohort is the projects signed in years Y−1 and Y up to the cut-off (the last day of month M of Y).
A project has reached a step by the cut-off when that step's date or a later step's date is on or
before it: a started project has been signed and filed even if its filing date was never recorded.
`stock` is the zone's pools now: every visible project by its current stage, whatever its signing.
The project list's `pipeline` filter reads the same `reached` rule, so each figure drills down to
exactly the projects it counts.
"""

import datetime
import functools
import operator

from django.db.models import Count, Q

from .figures import month_end, percent, sums
from .models import Stage

# Each step of the pipeline and the date that records it, in order.
STEPS = (
    ("signed", "signed_on"),
    ("filed", "filed_on"),
    ("started", "actual_start"),
    ("completed", "actual_completion"),
    ("producing", "production_date"),
)
STEP_NAMES = tuple(step for step, _field in STEPS)
# rate key → (numerator step, denominator step)
RATES = {
    "filed_rate": ("filed", "signed"),
    "started_rate": ("started", "filed"),
    "completed_rate": ("completed", "started"),
    "producing_rate": ("producing", "completed"),
    "signed_started_rate": ("started", "signed"),
}


def cutoff(year: int, month: int) -> datetime.date:
    return month_end(year, month)


def cohort_q(year: int, month: int) -> Q:
    """Signed in Y−1 or Y, on or before the cut-off."""
    return Q(signed_on__gte=datetime.date(year - 1, 1, 1), signed_on__lte=cutoff(year, month))


def reached_q(step: str, on: datetime.date) -> Q:
    """The project reached `step` by `on`: its date, or a later step's date, is on or before it."""
    index = STEP_NAMES.index(step)
    return functools.reduce(operator.or_, (Q(**{f"{field}__lte": on}) for _step, field in STEPS[index:]))


def _aggregates(year, month, prefix=""):
    on = cutoff(year, month)
    cohort = cohort_q(year, month)
    counts = {step: Count("pk", filter=cohort & reached_q(step, on)) for step in STEP_NAMES}
    counts.update({f"stock_{stage}": Count("pk", filter=Q(stage=stage)) for stage in Stage.values})
    return counts


def _figures(row):
    figures = {step: row[step] for step in STEP_NAMES}
    figures.update({key: percent(row[num], row[den]) for key, (num, den) in RATES.items()})
    figures["stock"] = {stage: row[f"stock_{stage}"] for stage in Stage.values}
    return figures


def pipeline_figures(projects, *, year: int, month: int) -> dict:
    """`pipeline` of /dashboard.json over `projects` (the user's visible projects); one query."""
    return _figures(projects.order_by().aggregate(**_aggregates(year, month)))


def pipeline_with_parks(projects, *, year: int, month: int) -> tuple[dict, list[dict]]:
    """(the zone's figures, the same figures per park with at least one project) from one query
    grouped by park: each project is in one park, so the zone's counts are the parks' sums."""
    aggregates = _aggregates(year, month)
    rows = list(
        projects.order_by()
        .values("park", "park__name", "park__order")
        .annotate(**aggregates)
        .order_by("park__order", "park__name")
    )
    return _figures(sums(rows, aggregates)), [
        {"park": row["park__name"], "park_id": row["park"], **_figures(row)} for row in rows
    ]
