"""Warning lights (红黄绿灯) by PRODUCT.md's rules, computed in the database by `with_light`.

Year 2024, cut-off June (time progress 50%), today 20 June 2024 unless a test says otherwise.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from projects.models import (
    Issue,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MonthlyReport,
    Project,
    Rules,
    Stage,
    Visit,
)

pytestmark = pytest.mark.django_db

YEAR = 2024
TODAY = datetime.date(YEAR, 6, 20)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
counter = iter(range(1, 10_000))


def make(zone, *, kind=ListingKind.CONTINUING, planned="1000", done="500", visited=TODAY, **fields):
    """A project on track (50% of a 1000 plan by June) and visited today: green unless changed."""
    fields.setdefault("stage", Stage.CONSTRUCTION if fields.get("actual_start") else Stage.PREPARATION)
    project = Project.objects.create(
        code=f"LT-{next(counter):04d}",
        name="灯",
        enterprise=zone.enterprise,
        park=zone.park_a,
        total_investment=Decimal(5000),
        **fields,
    )
    if planned is not None:
        Listing.objects.create(
            project=project,
            year=YEAR,
            level=ListingLevel.CITY,
            kind=kind,
            planned_investment=Decimal(planned),
        )
    if done is not None:
        MonthlyReport.objects.create(project=project, year=YEAR, month=3, amount=Decimal(done))
    if visited is not None:
        Visit.objects.create(project=project, date=visited, summary="走访")
    return project


def issue(project, level, deadline, status=IssueStatus.OPEN, **fields):
    extra = {"resolution": "已解决"} if status == IssueStatus.RESOLVED else {}
    return Issue.objects.create(
        project=project, category="land", description="用地", level=level, status=status, deadline=deadline,
        raised_at=datetime.datetime(YEAR, 5, 1, 9, tzinfo=SHANGHAI), **extra, **fields,
    )  # fmt: skip


def light(project, month=6, today=TODAY):
    """The light the page shows (worked out from the row's reasons), checked against the database's
    `light` that lists filter and count by: the two readings of every rule must agree."""
    lit = Project.objects.with_light(year=YEAR, month=month, today=today, by_light=True).filter(pk=project.pk)
    shown = lit.get().light
    assert list(lit.values_list("pk", flat=True).filter(light=shown)) == [project.pk]
    return shown


def test_on_track_and_visited_is_green(zone):
    assert light(make(zone)) == "green"


def test_new_build_past_planned_start_and_not_started_is_red(zone):
    late = make(zone, kind=ListingKind.NEW, planned_start=datetime.date(YEAR, 6, 1))
    assert light(late) == "red"
    not_yet = make(zone, kind=ListingKind.NEW, planned_start=datetime.date(YEAR, 6, 25))
    assert light(not_yet) == "green"
    started = make(
        zone,
        kind=ListingKind.NEW,
        planned_start=datetime.date(YEAR, 6, 1),
        actual_start=datetime.date(YEAR, 6, 5),
    )
    assert light(started) == "green"
    # A continuing project is not judged on its start.
    continuing = make(zone, kind=ListingKind.CONTINUING, planned_start=datetime.date(YEAR, 6, 1))
    assert light(continuing) == "green"


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ("500", "green"),  # 50%: on time progress
        ("400.01", "green"),  # 9.999 points behind
        ("400", "yellow"),  # exactly 10 points behind
        ("200", "yellow"),  # exactly 30 points behind: not more than 30
        ("199.99", "red"),  # more than 30 behind
        ("0", "red"),
    ],
)
def test_completion_rate_behind_time_progress(zone, done, expected):
    assert light(make(zone, done=done)) == expected


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [(("0.70", "145.95", "53.35"), "yellow"), (("387.42", "2.10", "10.48"), "yellow")],
)
def test_the_lag_threshold_is_exact_over_several_reports(zone, amounts, expected):
    """Exactly 30 and 10 points behind, in reports whose sum SQLite's floating point misses by a hair:
    the database's light (filters, counts) and the shown light agree on the threshold."""
    project = make(zone, done=None)
    for month, amount in enumerate(amounts, start=1):
        MonthlyReport.objects.create(project=project, year=YEAR, month=month, amount=Decimal(amount))
    assert light(project) == expected


def test_no_listing_or_no_plan_means_no_lag_rule(zone):
    assert light(make(zone, planned=None, done=None)) == "green"
    assert light(make(zone, planned="0", done=None)) == "green"
    # Only reports of months 1..M count: a report in July does not help a June cut-off.
    project = make(zone, done=None)
    MonthlyReport.objects.create(project=project, year=YEAR, month=7, amount=Decimal(900))
    assert light(project) == "red"
    assert light(project, month=7, today=datetime.date(YEAR, 7, 10)) == "green"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.GRID_HELP, "yellow"),
        (Level.COORDINATION, "yellow"),
        (Level.LEADER, "red"),
        (Level.SUPERVISION, "red"),
    ],
)
def test_overdue_issue_by_level(zone, level, expected):
    project = make(zone)
    issue(project, level, deadline=datetime.date(YEAR, 6, 19))
    assert light(project) == expected


def test_issues_that_are_not_overdue_leave_it_green(zone):
    project = make(zone)
    issue(project, Level.SUPERVISION, deadline=datetime.date(YEAR, 6, 20))  # due today: not yet overdue
    issue(project, Level.SUPERVISION, deadline=datetime.date(YEAR, 6, 1), suspended=True)
    issue(project, Level.LEADER, deadline=datetime.date(YEAR, 6, 1), status=IssueStatus.RESOLVED)
    issue(
        project,
        Level.LEADER,
        deadline=datetime.date(YEAR, 6, 1),
        withdrawn_at=datetime.datetime(YEAR, 6, 2, tzinfo=SHANGHAI),
    )
    assert light(project) == "green"


def test_not_visited_for_the_gap_is_yellow(zone):
    assert light(make(zone, visited=TODAY - datetime.timedelta(days=29))) == "green"
    assert light(make(zone, visited=TODAY - datetime.timedelta(days=30))) == "yellow"
    assert light(make(zone, visited=None)) == "yellow"
    withdrawn = make(zone, visited=None)
    Visit.objects.create(
        project=withdrawn,
        date=TODAY,
        summary="撤回",
        withdrawn_at=datetime.datetime(YEAR, 6, 20, tzinfo=SHANGHAI),
    )
    assert light(withdrawn) == "yellow"


def test_thresholds_come_from_the_rules(zone):
    behind = make(zone, done="150")  # 35 points behind: red by default
    unvisited = make(zone, visited=TODAY - datetime.timedelta(days=40))
    assert (light(behind), light(unvisited)) == ("red", "yellow")
    Rules.objects.filter(pk=Rules.current().pk).update(
        red_lag_points=40, yellow_lag_points=36, visit_gap_days=60
    )
    assert (light(behind), light(unvisited)) == ("green", "green")
    Rules.objects.filter(pk=1).update(yellow_lag_points=35)
    assert light(behind) == "yellow"


def test_red_wins_over_yellow(zone):
    project = make(zone, done="0", visited=None)
    issue(project, Level.GRID_HELP, deadline=datetime.date(YEAR, 6, 1))
    assert light(project) == "red"


def test_list_filter_and_detail_show_the_light(zone, login):
    # Lights that do not depend on today's date: an overdue level-4 issue (red); a visit today and
    # an overdue level-1 issue without a listing (yellow); a visit today and nothing else (green).
    real_today = datetime.date.today()
    red = make(zone, planned=None, done=None, visited=real_today)
    issue(red, Level.SUPERVISION, deadline=datetime.date(YEAR, 1, 10))
    yellow = make(zone, planned=None, done=None, visited=real_today)
    issue(yellow, Level.GRID_HELP, deadline=datetime.date(YEAR, 1, 10))
    green = make(zone, planned=None, done=None, visited=real_today)
    client = login(zone.coordinator)
    for value, project in [("red", red), ("yellow", yellow), ("green", green)]:
        response = client.get(reverse("project_list"), {"q": "LT-", "light": value})
        assert [p.code for p in response.context["page"]] == [project.code]
        assert f"light-{value}" in response.content.decode()
    detail = client.get(reverse("project_detail", args=[red.pk]))
    assert detail.context["project"].light == "red"
    assert "light-red" in detail.content.decode()
    bad = client.get(reverse("project_list"), {"light": "purple"})
    assert bad.status_code == 200 and bad.context["filter"].errors


def reasons(project, month=6, today=TODAY, language="en"):
    row = Project.objects.with_light(year=YEAR, month=month, today=today).get(pk=project.pk)
    with translation.override(language):
        return [(reason.light, reason.text) for reason in row.light_reasons]


def test_green_has_no_reasons(zone):
    assert reasons(make(zone)) == []


def test_each_rule_gives_its_reason_in_words(zone):
    late = make(zone, kind=ListingKind.NEW, planned_start=datetime.date(YEAR, 3, 1), done="150", visited=None)
    high = issue(late, Level.SUPERVISION, deadline=datetime.date(YEAR, 6, 1))
    low = issue(late, Level.GRID_HELP, deadline=datetime.date(YEAR, 6, 1))
    assert reasons(late) == [
        ("red", "Planned start 2024-03-01 has passed; not started yet"),
        ("red", "Completion rate 15.0% is 35.0 points behind time progress"),
        ("red", f"Issue #{high.pk} is overdue at leader assignment or supervision"),
        ("yellow", f"Issue #{low.pk} is overdue at grid help or the coordination meeting"),
        ("yellow", "Not visited in the last 30 days"),
    ]


@pytest.mark.parametrize(
    ("done", "expected"),
    [
        ("400.01", []),
        ("400", [("yellow", "Completion rate 40.0% is 10.0 points behind time progress")]),
        ("200", [("yellow", "Completion rate 20.0% is 30.0 points behind time progress")]),
        ("199.99", [("red", "Completion rate 20.0% is 30.0 points behind time progress")]),
    ],
)
def test_lag_reason_agrees_with_the_light_at_the_thresholds(zone, done, expected):
    project = make(zone, done=done)
    assert reasons(project) == expected
    assert light(project) == (expected[0][0] if expected else "green")


def test_reasons_follow_the_rules_and_the_language(zone):
    unvisited = make(zone, visited=TODAY - datetime.timedelta(days=40))
    Rules.objects.filter(pk=Rules.current().pk).update(visit_gap_days=35)
    assert reasons(unvisited) == [("yellow", "Not visited in the last 35 days")]
    assert reasons(unvisited, language="zh-hans") == [("yellow", "近 35 天未走访")]


def test_the_list_and_the_project_page_show_reasons_and_a_legend(zone, login):
    real_today = datetime.date.today()
    red = make(zone, planned=None, done=None, visited=real_today)
    overdue = issue(red, Level.SUPERVISION, deadline=datetime.date(YEAR, 1, 10))
    client = login(zone.coordinator)
    page = client.get(reverse("project_list"), {"q": "LT-"}).content.decode()
    assert f"问题 #{overdue.pk} 已超期（领导交办或督查督办）" in page
    assert 'class="light-badge light-red"' in page and "红灯" in page
    assert "有问题在第 3、4 级（领导交办、督查督办）超期" in page  # the legend
    detail = client.get(reverse("project_detail", args=[red.pk])).content.decode()
    assert f"问题 #{overdue.pk} 已超期" in detail
