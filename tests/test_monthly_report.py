"""The monthly report: the dashboard's figures for a month with 环比 and 同比, as a page and as .xlsx."""

from decimal import Decimal

import pytest

from projects.models import Listing, ListingKind, ListingLevel, MonthlyReport
from projects.monthly_report import COMPARED, change, previous_month
from tests.ledger_book import read_back

KEYS = [key for key, _label, _rate in COMPARED]


def hand_counted(zone):
    """Y-1: project A listed (new, not started by March), 400 in March. Y: 1000 in Feb, 500 + 300 in March."""
    y = zone.year
    Listing.objects.create(
        project=zone.project_a,
        year=y - 1,
        level=ListingLevel.PROVINCE,
        kind=ListingKind.NEW,
        planned_investment=Decimal("10000"),
    )
    for project, year, month, amount in [
        (zone.project_a, y - 1, 3, 400),
        (zone.project_a, y, 2, 1000),
        (zone.project_a, y, 3, 500),
        (zone.project_b, y, 3, 300),
    ]:
        MonthlyReport.objects.create(project=project, year=year, month=month, amount=Decimal(amount))


def figure(report, key):
    return report["figures"][KEYS.index(key)]


@pytest.mark.django_db
def test_month_on_month_and_year_on_year_by_hand(zone, login):
    hand_counted(zone)
    response = login(zone.coordinator).get(f"/reports/monthly/?year={zone.year}&month=3")
    assert response.status_code == 200
    report = response.context["report"]
    assert report["previous"] == {"year": zone.year, "month": 2}
    assert report["last_year"] == {"year": zone.year - 1, "month": 3}

    completed = figure(report, "completed_investment")
    assert (completed.value, completed.previous, completed.last_year) == (
        Decimal("1800.00"),
        Decimal("1000.00"),
        Decimal("400.00"),
    )
    assert completed.mom == Decimal("80.0") and completed.yoy == Decimal("350.0")

    in_month = figure(report, "completed_in_month")
    assert (in_month.value, in_month.previous, in_month.last_year) == (
        Decimal("800.00"),
        Decimal("1000.00"),
        Decimal("400.00"),
    )
    assert in_month.mom == Decimal("-20.0") and in_month.yoy == Decimal("100.0")

    # Project A started in February: 1 of 2 new-build projects in Feb and March, 0 of 1 a year ago.
    start = figure(report, "start_rate")
    assert (start.value, start.previous, start.last_year) == (
        Decimal("50.0"),
        Decimal("50.0"),
        Decimal("0.0"),
    )
    assert start.mom == Decimal("0.0") and start.yoy == Decimal("50.0")  # percentage points

    projects = figure(report, "projects")
    assert (projects.value, projects.last_year, projects.yoy) == (2, 1, Decimal("100.0"))

    by_park = {row["name"]: row for row in next(t for t in report["tables"] if t["rows"])["rows"]}
    park_a = by_park[zone.park_a.name]["cells"]
    assert park_a[5].value == Decimal("1500.00") and park_a[5].mom == Decimal("50.0")
    assert "1,800" in response.content.decode()  # money grouped by three in Chinese too


@pytest.mark.django_db
def test_the_report_as_xlsx(zone, login, django_capture_on_commit_callbacks, run_jobs):
    hand_counted(zone)
    client = login(zone.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/reports/monthly.xlsx?year={zone.year}&month=3")
    assert response.status_code == 302 and response["Location"].startswith(
        "/jobs/"
    )  # built in the background
    run_jobs()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "monthly-report-" in page.text
    response = client.get(f"{response['Location']}download/")
    assert response.status_code == 200
    sheets = read_back(b"".join(response.streaming_content))
    # figures, by park, by level, by leader, departments and grid workers ranked
    assert list(sheets)[4:] == ["部门排名", "网格员排名"] and len(sheets) == 6
    figures = list(sheets.values())[0]
    row = figures[1 + KEYS.index("completed_investment")]
    assert row[1:] == (1800, 1000, 80, 400, 350)
    by_park = list(sheets.values())[1]
    assert {r[0] for r in by_park[1:]} == {zone.park_a.name, zone.park_b.name}


@pytest.mark.django_db
def test_the_report_counts_only_what_the_user_sees(zone, login):
    hand_counted(zone)
    report = login(zone.grid_b).get(f"/reports/monthly/?year={zone.year}&month=3").context["report"]
    assert figure(report, "completed_investment").value == Decimal("300.00")


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["year=abc&month=3", "year=2025&month=13", "month=0", "year=99999", ""])
def test_bad_periods_fall_back_to_this_month(zone, login, query):
    client = login(zone.leader)
    assert client.get(f"/reports/monthly/?{query}").status_code == 200
    assert client.get(f"/reports/monthly.xlsx?{query}").status_code == 302


def test_previous_month_of_january_is_december_of_the_year_before():
    assert previous_month(2026, 1) == (2025, 12)
    assert previous_month(2026, 7) == (2026, 6)


def test_changes_are_percent_for_amounts_and_points_for_rates():
    assert change(Decimal("150"), Decimal("100"), False) == Decimal("50.0")
    assert change(Decimal("150"), Decimal("0"), False) is None
    assert change(Decimal("61.1"), Decimal("50.0"), True) == Decimal("11.1")
    assert change(None, Decimal("50.0"), True) is None
    assert change(Decimal("50.0"), None, True) is None
