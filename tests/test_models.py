"""The domain's rules hold in the database (IntegrityError) and in validation (full_clean)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import (
    Category,
    Issue,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    Project,
    Satisfaction,
    Stage,
)

pytestmark = pytest.mark.django_db


def listing(project, year, planned="100"):
    return Listing(
        project=project,
        year=year,
        level=ListingLevel.CITY,
        kind=ListingKind.CONTINUING,
        planned_investment=Decimal(planned),
    )


def report(project, month=1, amount="10", year=2026):
    return MonthlyReport(project=project, year=year, month=month, amount=Decimal(amount))


def issue(project, **fields):
    values = {
        "project": project,
        "category": Category.PERMITS,
        "description": "施工许可帮办",
        "level": Level.GRID_HELP,
        "raised_at": timezone.now(),
    }
    return Issue(**(values | fields))


def project_copy(zone, **fields):
    """An unsaved project like the zone's first one, with a new code."""
    values = {
        "code": "P-NEW",
        "name": "新项目",
        "enterprise": zone.enterprise,
        "park": zone.park_a,
        "total_investment": Decimal("1000"),
    }
    return Project(**(values | fields))


# Each case: a function building an invalid, unsaved row from the zone.
INVALID = {
    "second listing in a year": lambda z: listing(z.project_a, z.year),
    "negative annual plan": lambda z: listing(z.project_a, z.year + 1, planned="-1"),
    "second report in a month": lambda z: report(z.project_a, month=3),
    "negative report": lambda z: report(z.project_a, month=4, amount="-0.01"),
    "month 13": lambda z: report(z.project_a, month=13),
    "month 0": lambda z: report(z.project_a, month=0),
    "negative total investment": lambda z: project_copy(z, total_investment=Decimal("-5")),
    "started but in preparation": lambda z: project_copy(
        z, stage=Stage.PREPARATION, actual_start=datetime.date(2026, 3, 1)
    ),
    "completed date but under construction": lambda z: project_copy(
        z,
        stage=Stage.CONSTRUCTION,
        actual_start=datetime.date(2026, 3, 1),
        actual_completion=datetime.date(2026, 9, 1),
    ),
    "closed without feedback": lambda z: issue(
        z.project_a, status=IssueStatus.CLOSED, resolution="已办结", satisfaction=Satisfaction.SATISFIED
    ),
    "closed without satisfaction": lambda z: issue(
        z.project_a, status=IssueStatus.CLOSED, resolution="已办结", feedback="已反馈"
    ),
    "resolved without resolution": lambda z: issue(z.project_a, status=IssueStatus.RESOLVED),
    "level 5": lambda z: issue(z.project_a, level=5),
}


@pytest.fixture
def zone_with_report(zone):
    report(zone.project_a, month=3).save()
    return zone


@pytest.mark.parametrize("case", INVALID)
def test_database_refuses(zone_with_report, case):
    row = INVALID[case](zone_with_report)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


@pytest.mark.parametrize("case", INVALID)
def test_validation_refuses(zone_with_report, case):
    row = INVALID[case](zone_with_report)
    with pytest.raises(ValidationError):
        row.full_clean()


def test_valid_rows_pass_both(zone_with_report):
    z = zone_with_report
    rows = [
        listing(z.project_a, z.year + 1),
        report(z.project_a, month=4),
        report(z.project_a, month=3, year=2025),
        project_copy(z, stage=Stage.CONSTRUCTION, actual_start=datetime.date(2026, 3, 1)),
        issue(
            z.project_a,
            status=IssueStatus.CLOSED,
            resolution="已办结",
            feedback="已向企业反馈",
            satisfaction=Satisfaction.SATISFIED,
        ),
    ]
    for row in rows:
        row.full_clean()
        row.save()


def test_level_code_and_money_helpers(zone):
    assert [Level(level).code for level in Level.values] == [
        "grid_help",
        "coordination",
        "leader",
        "supervision",
    ]
    assert zone.project_a.is_over_100m and not zone.project_b.is_over_100m
    assert str(zone.project_a) == "P-A1 联博新能源汽车驱动电机定子项目"
