"""The dashboard's accountability tab (`/dashboard/accountability/`): departments and grid workers
ranked (PRODUCT.md "Department accountability"), and the enterprises' satisfaction by category.
Every figure links to the list behind it: a department's or grid worker's issues of the period
(resolved ones for the on-time rate and the median, closed ones for satisfaction, overdue,
extended), their projects, visits and the round's status page."""

import datetime

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from .. import access
from ..accountability import by_department, by_grid_worker, satisfaction
from ..figures import month_end
from ..models import Rules
from ..numbers import number_text
from ..querysets import today
from .dashboard import MAX_YEAR, MIN_YEAR, parse_period


def _list(name, **params):
    return f"{reverse(name)}?{urlencode(params)}"


def department_links(row, year, month):
    period = {"raised_from": datetime.date(year, 1, 1), "raised_to": month_end(year, month)}
    base = _list("issue_list", department=row["department_id"], **period)
    resolved = f"{base}&unresolved=0"
    return {
        "received": base,
        "first_response_rate": base,
        "on_time_rate": resolved,
        "median_days_to_resolve": f"{resolved}&solved_on_site=0",
        "overdue": f"{base}&overdue=1",
        "extensions": f"{base}&extended=1",
        "satisfaction_rate": f"{base}&status=closed",
    }


def grid_worker_links(row, year, month, gap_days):
    period = {"raised_from": datetime.date(year, 1, 1), "raised_to": month_end(year, month)}
    base = _list("issue_list", grid_worker=row["grid_worker_id"], **period)
    projects = _list("project_list", year=year, served_by=row["grid_worker_id"])
    resolved = f"{base}&unresolved=0"
    return {
        "projects": projects,
        "visits": _list(
            "visit_list",
            recorded_by=row["grid_worker_id"],
            date_after=datetime.date(year, month, 1),
            date_before=month_end(year, month),
        ),
        "projects_not_visited": f"{projects}&not_visited={gap_days}",
        "round_completeness": reverse("round_status", args=[year, month]),
        "received": base,
        "first_response_rate": base,
        "on_time_rate": resolved,
        "median_days_to_resolve": f"{resolved}&solved_on_site=0",
        "overdue": f"{base}&overdue=1",
        "satisfaction_rate": f"{base}&status=closed",
    }


DEPARTMENT_COLUMNS = (
    ("received", "count"),
    ("first_response_rate", "rate"),
    ("on_time_rate", "rate"),
    ("median_days_to_resolve", "days"),
    ("overdue", "count"),
    ("extensions", "count"),
    ("satisfaction_rate", "rate"),
)
GRID_WORKER_COLUMNS = (
    ("projects", "count"),
    ("visits", "count"),
    ("projects_not_visited", "count"),
    ("round_completeness", "rate"),
    ("received", "count"),
    ("first_response_rate", "rate"),
    ("on_time_rate", "rate"),
    ("median_days_to_resolve", "days"),
    ("overdue", "count"),
    ("satisfaction_rate", "rate"),
)


def _cells(row, links, columns, text):
    return [
        {"text": text(row[key], kind), "link": links.get(key) if row[key] is not None else None}
        for key, kind in columns
    ]


@require_GET
def dashboard_accountability(request):
    if not access.role_codes(request.user) and not request.user.is_superuser:
        return render(request, "projects/no_profile.html")
    year, month, errors = parse_period(request.GET)
    for error in errors:
        messages.warning(request, error)
    on, rules = today(), Rules.current()
    period = {"year": year, "month": month, "user": request.user}
    text = number_text()
    departments = [
        {
            "rank": row["rank"],
            "name": row["department"],
            "cells": _cells(row, department_links(row, year, month), DEPARTMENT_COLUMNS, text),
        }
        for row in by_department(**period, today=on, rules=rules)
    ]
    workers = [
        {
            "rank": row["rank"],
            "name": row["grid_worker"],
            "cells": _cells(
                row, grid_worker_links(row, year, month, rules.visit_gap_days), GRID_WORKER_COLUMNS, text
            ),
        }
        for row in by_grid_worker(**period, today=on, rules=rules)
    ]
    ratings = satisfaction(**period)
    first, last = datetime.date(year, 1, 1), month_end(year, month)
    closed = _list("issue_list", status="closed", raised_from=first, raised_to=last)
    return render(
        request,
        "projects/dashboard_accountability.html",
        {
            "year": year,
            "month": month,
            "min_year": MIN_YEAR,
            "max_year": MAX_YEAR,
            "months": range(1, 13),
            "departments": departments,
            "workers": workers,
            "satisfaction": ratings,
            "satisfaction_rate": text(ratings["satisfaction_rate"], "rate"),
            "closed_link": closed,
            "categories": [
                {
                    **row,
                    "rate": text(row["satisfaction_rate"], "rate"),
                    "link": f"{closed}&category={row['category']}",
                }
                for row in ratings["by_category"]
                if row["rated"]
            ],
            "first_response_days": rules.first_response_days,
            "visit_gap_days": rules.visit_gap_days,
        },
    )
