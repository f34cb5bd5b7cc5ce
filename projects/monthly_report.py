"""The monthly report (月度报告): the dashboard's figures for a month beside the previous month (环比)
and the same month a year earlier (同比).

The figures come from `figures.dashboard_figures`, called three times; nothing here recomputes them.
Comparisons: counts and money change in percent of the earlier value (None when that was zero);
rates (percentages) change in percentage points. January's previous month is December of the year
before (its figures are that whole year's). Issue figures "now" are the current state whatever the
month, so they carry no comparison.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .figures import dashboard_figures, growth
from .models import Level

ONE_DECIMAL = Decimal("0.1")

# (key, label, is a rate) of the figures compared month on month and year on year, in report order.
COMPARED = [
    ("projects", gettext_lazy("Listed key projects"), False),
    ("new_projects", gettext_lazy("New-build projects"), False),
    ("new_projects_started", gettext_lazy("New-build projects started"), False),
    ("start_rate", gettext_lazy("Start rate (%)"), True),
    ("planned_investment", gettext_lazy("Annual planned investment (10k yuan)"), False),
    ("completed_in_month", gettext_lazy("Completed investment in the month (10k yuan)"), False),
    ("completed_investment", gettext_lazy("Completed investment, year to date (10k yuan)"), False),
    ("investment_completion_rate", gettext_lazy("Investment completion rate (%)"), True),
    ("time_progress", gettext_lazy("Time progress (%)"), True),
    ("projects_over_100m", gettext_lazy("Projects of 1亿 or more"), False),
    (
        "projects_over_100m_growth",
        gettext_lazy("Growth of projects of 1亿 or more over the year before (%)"),
        True,
    ),
    ("issues_solved_on_site", gettext_lazy("Issues solved on site, months 1 to M"), False),
    ("issues_median_days_to_resolve", gettext_lazy("Median working days to resolve"), False),
    ("visits_in_month", gettext_lazy("Site visits in the month"), False),
]
TABLE_COLUMNS = [
    ("projects", gettext_lazy("Projects"), False),
    ("new_projects", gettext_lazy("New-build"), False),
    ("new_projects_started", gettext_lazy("Started"), False),
    ("start_rate", gettext_lazy("Start rate (%)"), True),
    ("planned_investment", gettext_lazy("Planned (10k yuan)"), False),
    ("completed_investment", gettext_lazy("Completed (10k yuan)"), False),
    ("investment_completion_rate", gettext_lazy("Completion rate (%)"), True),
]
TABLES = [
    ("by_park", gettext_lazy("By park"), "park_id", "park"),
    ("by_level", gettext_lazy("By level"), "level", "label"),
    ("by_leader", gettext_lazy("By committee leader"), "leader_id", "leader"),
]


@dataclass
class Compared:
    label: str
    value: object
    previous: object
    mom: object  # 环比: change over the previous month
    last_year: object
    yoy: object  # 同比: change over the same month last year
    is_rate: bool


def previous_month(year, month):
    return (year, month - 1) if month > 1 else (year - 1, 12)


def change(value, earlier, is_rate):
    """Percentage points between two rates, or the percent change of a count or amount."""
    if value is None or earlier is None:
        return None
    if is_rate:
        return (Decimal(value) - Decimal(earlier)).quantize(ONE_DECIMAL)
    return growth(Decimal(value), Decimal(earlier))


def _with_month(figures):
    month = figures["month"]
    figures["completed_in_month"] = figures["monthly"][month - 1]["completed"]
    return figures


# The accountability tables (projects/accountability.py), for the report's month, not compared.
ACCOUNTABILITY_TABLES = [
    (
        "by_department",
        gettext_lazy("Departments, ranked"),
        "department",
        [
            ("received", gettext_lazy("Received")),
            ("first_response_rate", gettext_lazy("First response in time (%)")),
            ("on_time_rate", gettext_lazy("Resolved on time (%)")),
            ("median_days_to_resolve", gettext_lazy("Median working days to resolve")),
            ("overdue", gettext_lazy("Overdue now")),
            ("extensions", gettext_lazy("Extensions")),
            ("satisfaction_rate", gettext_lazy("Satisfaction rate (%)")),
        ],
    ),
    (
        "by_grid_worker",
        gettext_lazy("Grid workers, ranked"),
        "grid_worker",
        [
            ("projects", gettext_lazy("Projects")),
            ("visits", gettext_lazy("Visits in the month")),
            ("projects_not_visited", gettext_lazy("Not visited")),
            ("round_completeness", gettext_lazy("Round reported (%)")),
            ("received", gettext_lazy("Received")),
            ("on_time_rate", gettext_lazy("Resolved on time (%)")),
            ("overdue", gettext_lazy("Overdue now")),
            ("satisfaction_rate", gettext_lazy("Satisfaction rate (%)")),
        ],
    ),
]


def accountability_tables(*, year, month, user, today=None):
    """The departments' and grid workers' rankings of the month, as report tables."""
    from . import accountability
    from .models import Rules

    today = today or timezone.localdate()
    rules = Rules.current()
    figures = {
        "by_department": accountability.by_department(
            year=year, month=month, user=user, today=today, rules=rules
        ),
        "by_grid_worker": accountability.by_grid_worker(
            year=year, month=month, user=user, today=today, rules=rules
        ),
    }
    return [
        {
            "title": str(title),
            "columns": [str(_("Rank")), str(_("Name")), *(str(label) for _key, label in columns)],
            "rows": [
                [row["rank"], row[name_key], *(row[key] for key, _label in columns)] for row in figures[key]
            ],
        }
        for key, title, name_key, columns in ACCOUNTABILITY_TABLES
    ]


def monthly_report(*, year, month, user, today=None):
    """The report as plain data for the page and the workbook."""
    current = _with_month(
        dashboard_figures(year=year, month=month, user=user, today=today, with_pipeline=False)
    )
    prev_year, prev_month = previous_month(year, month)
    previous = _with_month(
        dashboard_figures(year=prev_year, month=prev_month, user=user, today=today, with_pipeline=False)
    )
    last_year = _with_month(
        dashboard_figures(year=year - 1, month=month, user=user, today=today, with_pipeline=False)
    )

    def compare(key, label, is_rate, now, before, year_ago):
        value, prev, ago = now.get(key), before.get(key), year_ago.get(key)
        return Compared(
            str(label), value, prev, change(value, prev, is_rate), ago, change(value, ago, is_rate), is_rate
        )

    figures = [compare(key, label, is_rate, current, previous, last_year) for key, label, is_rate in COMPARED]
    tables = []
    for key, title, id_key, name_key in TABLES:
        before = {row[id_key]: row for row in previous[key]}
        year_ago = {row[id_key]: row for row in last_year[key]}
        rows = []
        for row in current[key]:
            name = row[name_key] or _("(none)")
            cells = [
                compare(
                    column, label, is_rate, row, before.get(row[id_key], {}), year_ago.get(row[id_key], {})
                )
                for column, label, is_rate in TABLE_COLUMNS
            ]
            rows.append({"name": name, "cells": cells})
        tables.append(
            {
                "title": str(title),
                "columns": [str(label) for _key, label, _rate in TABLE_COLUMNS],
                "rows": rows,
            }
        )
    now = [
        (_("Open issues"), current["issues_open"]),
        *(
            (
                _("Open issues at level: %(level)s") % {"level": level.label},
                current["issues_open_by_level"][level.code],
            )
            for level in Level
        ),
        (_("Overdue issues"), current["issues_overdue"]),
        (
            _("Projects not visited for %(days)s days") % {"days": current["not_visited_days"]},
            current["projects_not_visited_30_days"],
        ),
    ]
    lights = current.get("lights", {})
    return {
        "accountability": accountability_tables(year=year, month=month, user=user, today=today),
        "year": year,
        "month": month,
        "previous": {"year": prev_year, "month": prev_month},
        "last_year": {"year": year - 1, "month": month},
        "figures": figures,
        "tables": tables,
        "now": now,
        "lights": [
            (_("Red"), lights.get("red", 0)),
            (_("Yellow"), lights.get("yellow", 0)),
            (_("Green"), lights.get("green", 0)),
        ],
    }


def report_sheets(report):
    """The report as [(title, headers, rows, widths)] for `exports.workbook_response`."""
    compared_headers = [
        _("Figure"),
        period(report),
        _("Previous month %(period)s") % {"period": period(report["previous"])},
        _("Month on month (%)"),
        _("Same month last year %(period)s") % {"period": period(report["last_year"])},
        _("Year on year (%)"),
    ]
    summary = [[f.label, f.value, f.previous, f.mom, f.last_year, f.yoy] for f in report["figures"]]
    summary.append([])
    summary.append([_("Current state (not compared)")])
    summary.extend([label, value] for label, value in report["now"])
    summary.append([])
    summary.append([_("Warning lights")])
    summary.extend([label, value] for label, value in report["lights"])
    sheets = [(_("Figures"), compared_headers, summary, [44, 14, 18, 14, 22, 14])]
    for table in report["tables"]:
        headers = [_("Name")]
        for column in table["columns"]:
            headers += [
                column,
                _("%(column)s month on month (%%)") % {"column": column},
                _("%(column)s year on year (%%)") % {"column": column},
            ]
        rows = [
            [row["name"], *[v for cell in row["cells"] for v in (cell.value, cell.mom, cell.yoy)]]
            for row in table["rows"]
        ]
        sheets.append((table["title"], headers, rows, [24] + [12] * (len(headers) - 1)))
    for table in report["accountability"]:
        sheets.append(
            (table["title"], table["columns"], table["rows"], [8, 24] + [14] * (len(table["columns"]) - 2))
        )
    return sheets


def period(when):
    return f"{when['year']}-{when['month']:02d}"
