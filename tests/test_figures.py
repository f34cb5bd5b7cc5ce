"""The dashboard's figures against a zone counted by hand (tests/zone.py `build_dashboard_zone`).

Year 2024, cut-off May, today 20 June 2024. Listed in 2024:
  D-1 航空航天产业园 province new  total 50000 plan 20000 started 1 Mar
      reports Jan 1000, Mar 2000, May 3000 (Jun 4000 after the cut-off)
  D-2 航空航天产业园 city     new  total  8000 plan  3000 started 10 Jun (not by May)  reports Apr 500
  D-3 高校园区       city     cont total 12000 plan  5000 started 2023  reports Feb 1000  (no leader)
  D-4 高校园区       district new  total 15000 plan  2000 not started  no reports
Listed in 2023 only: D-5 (total 20000; its 2024 report of 999 is not counted).
2023 listings of 1亿+: D-3, D-5.
"""

import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import User
from hypothesis import given
from hypothesis import strategies as st

from projects.figures import as_json, dashboard_figures, growth, percent, weighted_median
from projects.models import Listing, Park, Project, Rules, Staff, Stage
from tests.zone import build_dashboard_zone

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def dash(zone):
    return build_dashboard_zone(zone)


def row_of(row):
    return (row["projects"], row["new_projects"], row["new_projects_started"], row["start_rate"])


def figures_for(z, user, month=5):
    return dashboard_figures(year=z.dash_year, month=month, user=user, today=z.dash_today)


def test_zone_totals(dash):
    f = figures_for(dash, dash.coordinator)
    assert f["projects"] == 4
    assert f["new_projects"] == 3
    assert f["new_projects_started"] == 1  # D-2 started in June: not counted for May
    assert f["start_rate"] == D("33.3")
    assert f["planned_investment"] == D("30000")
    assert f["completed_investment"] == D("7500")  # 6000 + 500 + 1000; June and 2023 left out
    assert f["investment_completion_rate"] == D("25.0")
    assert f["time_progress"] == D("41.7")


def test_month_cut_off_moves_with_the_month(dash):
    june = figures_for(dash, dash.coordinator, month=6)
    assert june["new_projects_started"] == 2
    assert june["start_rate"] == D("66.7")
    assert june["completed_investment"] == D("11500")
    assert june["time_progress"] == D("50.0")
    january = figures_for(dash, dash.coordinator, month=1)
    assert january["new_projects_started"] == 0
    assert january["start_rate"] == D("0.0")
    assert january["completed_investment"] == D("1000")


def test_projects_over_100m_against_the_previous_year(dash):
    f = figures_for(dash, dash.coordinator)
    assert f["projects_over_100m"] == 3  # D-1, D-3, D-4
    assert f["projects_over_100m_prev_year"] == 2  # D-3, D-5 in 2023
    assert f["projects_over_100m_growth"] == D("50.0")


def test_breakdown_by_park(dash):
    rows = {row["park"]: row for row in figures_for(dash, dash.coordinator)["by_park"]}
    assert set(rows) == {"航空航天产业园", "高校园区"}
    a, b = rows["航空航天产业园"], rows["高校园区"]
    assert row_of(a) == (2, 2, 1, D("50.0"))
    assert (a["planned_investment"], a["completed_investment"]) == (D("23000"), D("6500"))
    assert a["investment_completion_rate"] == D("28.3")
    assert a["park_id"] == dash.park_a.pk
    assert row_of(b) == (2, 1, 0, D("0.0"))
    assert (b["planned_investment"], b["completed_investment"]) == (D("7000"), D("1000"))
    assert b["investment_completion_rate"] == D("14.3")


def test_a_park_or_leader_listed_only_last_year_has_no_row(dash):
    park = Park.objects.create(name="老园区", order=9)
    leader = Staff.objects.create(user=User.objects.create(username="old_leader"), name="去年的领导")
    old = Project.objects.create(
        code="D-9", name="去年的项目", enterprise=dash.enterprise, park=park, leader=leader,
        total_investment=D(30000), stage=Stage.CONSTRUCTION,
    )  # fmt: skip
    Listing.objects.create(
        project=old, year=dash.dash_year - 1, level="city", kind="new", planned_investment=1
    )
    f = figures_for(dash, dash.coordinator)
    assert "老园区" not in {row["park"] for row in f["by_park"]}
    assert "去年的领导" not in {row["leader"] for row in f["by_leader"]}
    assert f["projects"] == 4
    assert f["projects_over_100m_prev_year"] == 3  # D-3, D-5 and D-9 in 2023


def test_breakdown_by_level(dash):
    rows = {row["level"]: row for row in figures_for(dash, dash.coordinator)["by_level"]}
    assert list(rows) == ["province", "city", "district"]
    assert rows["province"]["projects"] == 1
    assert rows["province"]["start_rate"] == D("100.0")
    assert rows["province"]["investment_completion_rate"] == D("30.0")
    assert row_of(rows["city"]) == (2, 1, 0, D("0.0"))
    assert rows["city"]["completed_investment"] == D("1500")
    assert rows["city"]["investment_completion_rate"] == D("18.8")  # 18.75 rounds half up
    assert rows["district"]["completed_investment"] == D("0")
    assert rows["district"]["investment_completion_rate"] == D("0.0")


def test_breakdown_by_leader_with_a_null_rate(dash):
    rows = {row["leader"]: row for row in figures_for(dash, dash.coordinator)["by_leader"]}
    lead = rows["孙主任"]
    assert (lead["projects"], lead["new_projects"], lead["new_projects_started"]) == (3, 3, 1)
    assert lead["start_rate"] == D("33.3")
    assert lead["completed_investment"] == D("6500")
    assert lead["investment_completion_rate"] == D("26.0")
    none = rows[None]  # D-3 has no committee leader and is continuing: no new-build projects
    assert (none["projects"], none["new_projects"], none["start_rate"]) == (1, 0, None)
    assert none["investment_completion_rate"] == D("20.0")


def test_issue_figures_are_the_current_state(dash):
    f = figures_for(dash, dash.coordinator)
    assert f["issues_open_by_level"] == {"grid_help": 1, "coordination": 1, "leader": 1, "supervision": 1}
    # I1 (level 1, deadline 10 Jun) and I4 (level 4, 19 Jun); I2 is past its deadline but suspended.
    assert f["issues_overdue"] == 2
    assert f["issues_solved_on_site"] == 1  # the one raised in June is after the cut-off
    # Working days raised → resolved, May cut-off, on-site excluded: 2–12 Jan 8, 1–8 Apr 4 (Qingming
    # 4–6 Apr off, Sunday 7 Apr a make-up working day), 6–8 May 2 → median 4.
    assert f["issues_median_days_to_resolve"] == D("4.0")


def test_visit_figures(dash):
    f = figures_for(dash, dash.coordinator)
    assert f["visits_in_month"] == 2  # 10 and 31 May; the withdrawn one and April's do not count
    assert f["projects_not_visited_30_days"] == 2  # D-2 (last 30 Apr) and D-4 (never)


def test_lights_counted(dash):
    # D-3 red (level-4 issue overdue), D-4 red (new-build, planned 1 Apr, not started),
    # D-1 yellow (30% against 41.7%, a level-1 issue overdue), D-2 yellow (16.7%, not visited).
    assert figures_for(dash, dash.coordinator)["lights"] == {"red": 2, "yellow": 2, "green": 0}


def test_monthly_series(dash):
    series = figures_for(dash, dash.coordinator)["monthly"]
    assert [m["completed"] for m in series] == [D(1000), D(1000), D(2000), D(500), D(3000)] + [None] * 7
    assert series[4]["completed_cumulative"] == D("7500")
    assert series[0]["planned_cumulative"] == D("2500")
    assert series[11]["planned_cumulative"] == D("30000")


def test_grid_worker_figures_cover_their_projects_only(dash):
    f = figures_for(dash, dash.grid)  # 航空航天产业园: D-1 and D-2
    assert (f["projects"], f["new_projects"], f["new_projects_started"]) == (2, 2, 1)
    assert (f["planned_investment"], f["completed_investment"]) == (D("23000"), D("6500"))
    assert [row["park"] for row in f["by_park"]] == ["航空航天产业园"]
    assert f["issues_open_by_level"] == {"grid_help": 1, "coordination": 1, "leader": 1, "supervision": 0}
    assert f["issues_overdue"] == 1
    assert f["visits_in_month"] == 1


def test_rates_are_null_over_zero_items(dash):
    f = figures_for(dash, dash.nobody)
    assert f["projects"] == 0
    assert f["start_rate"] is None
    assert f["investment_completion_rate"] is None
    assert f["projects_over_100m_growth"] is None
    assert f["issues_median_days_to_resolve"] is None
    assert f["by_park"] == []
    assert all(row["start_rate"] is None for row in f["by_level"])


def test_helpers_and_json():
    assert percent(22, 36) == D("61.1")  # the article's start rate
    assert percent(1, 0) is None
    assert growth(79, 50) == D("58.0")
    assert growth(3, 0) is None
    assert as_json({"a": [D("1.5")], "b": None, "c": datetime.date(2024, 1, 1)}) == {
        "a": [1.5],
        "b": None,
        "c": datetime.date(2024, 1, 1),
    }


@given(st.dictionaries(st.integers(0, 400), st.integers(1, 50), min_size=1))
def test_weighted_median_is_the_median_of_the_expanded_values(counts):
    expanded = [value for value, n in counts.items() for _ in range(n)]
    expected = Decimal(statistics.median(expanded)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert weighted_median(counts) == expected


def test_weighted_median_of_nothing_is_none():
    assert weighted_median({}) is None
    assert weighted_median({3: 1, 5: 1}) == Decimal("4.0")


def test_new_build_completed_investment(dash):
    """The article's "new-build projects invested 26亿": completed investment of the new-build listings."""
    f = figures_for(dash, dash.coordinator)
    assert f["new_completed_investment"] == D("6500")  # D-1 6000 + D-2 500; D-3 is continuing
    assert figures_for(dash, dash.coordinator, month=6)["new_completed_investment"] == D("10500")
    parks = {row["park"]: row["new_completed_investment"] for row in f["by_park"]}
    assert parks == {"航空航天产业园": D("6500"), "高校园区": D("0")}
    levels = {row["level"]: row["new_completed_investment"] for row in f["by_level"]}
    assert levels == {"province": D("6000"), "city": D("500"), "district": D("0")}
    leaders = {row["leader"]: row["new_completed_investment"] for row in f["by_leader"]}
    assert leaders == {"孙主任": D("6500"), None: D("0")}
    assert figures_for(dash, dash.grid)["new_completed_investment"] == D("6500")  # D-1, D-2 are park A's
    assert figures_for(dash, dash.grid_b)["new_completed_investment"] == D("0")


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        (30, 2),  # D-2 (last 30 Apr) and D-4 (never)
        (20, 3),  # and D-3, last visited 31 May
        (60, 1),  # D-4 only: D-2's 30 April visit is within 60 days of 20 June
    ],
)
def test_not_visited_follows_the_rule(dash, gap, expected):
    rules = Rules.current()
    rules.visit_gap_days = gap
    rules.save()
    f = figures_for(dash, dash.coordinator)
    assert f["not_visited_days"] == gap
    assert f["projects_not_visited_30_days"] == expected


def row_extras(row):
    """A breakdown row's 1亿+ projects, open and overdue issues, red and yellow lights."""
    keys = ("projects_over_100m", "issues_open", "issues_overdue", "lights_red", "lights_yellow")
    return tuple(row[key] for key in keys)


def test_breakdowns_carry_the_issue_light_and_100m_figures(dash):
    """Open: I1 (D-1), I2 (D-1, suspended), I3 (D-2), I4 (D-3); overdue on 20 June: I1 and I4.
    Lights: D-3 and D-4 red, D-1 and D-2 yellow. 1亿+: D-1, D-3, D-4."""
    f = figures_for(dash, dash.coordinator)
    parks = {row["park"]: row_extras(row) for row in f["by_park"]}
    assert parks == {"航空航天产业园": (1, 3, 1, 0, 2), "高校园区": (2, 1, 1, 2, 0)}
    # By level: the issues of the projects listed in 2024 at that level.
    levels = {row["level"]: row_extras(row) for row in f["by_level"]}
    assert levels == {"province": (1, 2, 1, 0, 1), "city": (1, 2, 1, 1, 1), "district": (1, 0, 0, 1, 0)}
    leaders = {row["leader"]: row_extras(row) for row in f["by_leader"]}
    assert leaders == {"孙主任": (2, 3, 1, 1, 2), None: (1, 1, 1, 1, 0)}
    assert {row["park"]: row["lights_green"] for row in f["by_park"]} == {"航空航天产业园": 0, "高校园区": 0}


def test_breakdowns_sum_to_the_zone_totals(dash):
    # An issue of a project not listed this year (D-5): in the zone's, its park's and its (no)
    # leader's figures, not in a level's.
    from projects.models import Issue, IssueStatus, Level

    Issue.objects.create(
        project=dash.p5, category="land", description="用地", level=Level.GRID_HELP,
        status=IssueStatus.OPEN, raised_at=datetime.datetime(2024, 5, 9, 9, tzinfo=datetime.UTC),
        deadline=datetime.date(2024, 6, 1),
    )  # fmt: skip
    for user in (dash.coordinator, dash.grid, dash.grid_b):
        f = figures_for(dash, user)
        totals = {
            "projects_over_100m": f["projects_over_100m"],
            "issues_open": f["issues_open"],
            "issues_overdue": f["issues_overdue"],
            **{f"lights_{light}": n for light, n in f["lights"].items()},
        }
        for breakdown in ("by_park", "by_leader"):
            assert {key: sum(row[key] for row in f[breakdown]) for key in totals} == totals, breakdown
        by_level = {key: sum(row[key] for row in f["by_level"]) for key in totals}
        unlisted = 1 if user != dash.grid else 0  # D-5 is 高校园区's
        assert by_level == {
            **totals, "issues_open": totals["issues_open"] - unlisted,
            "issues_overdue": totals["issues_overdue"] - unlisted,
        }  # fmt: skip
        assert sum(f["lights"].values()) == f["projects"]


def test_grid_worker_breakdowns_cover_their_projects_only(dash):
    f = figures_for(dash, dash.grid)  # 航空航天产业园: D-1 and D-2, both 孙主任's
    assert [(row["park"], row_extras(row)) for row in f["by_park"]] == [("航空航天产业园", (1, 3, 1, 0, 2))]
    assert [(row["leader"], row_extras(row)) for row in f["by_leader"]] == [("孙主任", (1, 3, 1, 0, 2))]
    levels = {row["level"]: row_extras(row) for row in f["by_level"]}
    assert levels == {"province": (1, 2, 1, 0, 1), "city": (0, 1, 0, 0, 1), "district": (0, 0, 0, 0, 0)}
