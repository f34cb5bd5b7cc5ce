"""The dashboard page and /dashboard.json: figures, links, bad input, access, bounded queries."""

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.figures import as_json
from projects.models import Project, RoleCode, Rules
from projects.numbers import number_text
from projects.views.dashboard import BREAKDOWN_COLUMNS
from tests.zone import add_bulk_projects, build_dashboard_zone

pytestmark = pytest.mark.django_db

YEAR = 2024
# /dashboard/ for a zone-wide role: session, user, staff profile with its roles (1), Rules (1), the
# figures (listing figures by park, level and leader with last year's 1亿+, summed into the totals
# and each breakdown; monthly series, issue counts by park, leader and level, resolved issues' two
# dates, calendar overrides for them, visits in the month, lights and projects not visited by park,
# leader and level with the calendar days of the late-node threshold, the pipeline by park, summed
# for the zone: 9), the red/yellow list (1, on the figures' lit queryset and calendar read; a
# leader's own lights are one more), the period's round lock (1) and unread notifications (1) = 16.
# The breakdowns' issue and light figures are sums of the grouped counts: no query of their own.
DASHBOARD_QUERIES = 16
# /dashboard.json: session, user, staff with its roles (1), the figures (9) with Rules (1), the
# period's round lock (1) = 14, and the accountability figures (13): by department the grouped
# counts, the two pairs of days and the extensions (4; no issue of this zone has a department, so no
# calendar or names); by grid worker the round's projects by park and named worker, the workers and
# their parks (3), the grouped counts, day pairs, calendar and extensions (5); satisfaction (1) = 27.
JSON_QUERIES = 27


@pytest.fixture
def dash(zone):
    return build_dashboard_zone(zone, year=YEAR)


def get_json(client, **params):
    response = client.get(reverse("dashboard_json"), {"year": YEAR, "month": 5, **params})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_json_carries_the_issue_keys(dash, login):
    data = get_json(login(dash.coordinator))
    for key in [
        "projects", "new_projects", "new_projects_started", "start_rate", "planned_investment",
        "completed_investment", "investment_completion_rate", "time_progress", "projects_over_100m",
        "projects_over_100m_prev_year", "projects_over_100m_growth", "issues_open_by_level",
        "issues_overdue", "by_park", "by_level", "by_leader", "issues_solved_on_site",
        "issues_median_days_to_resolve", "visits_in_month", "projects_not_visited_30_days", "monthly",
    ]:  # fmt: skip
        assert key in data, key
    assert set(data["issues_open_by_level"]) == {"grid_help", "coordination", "leader", "supervision"}
    # Numbers, not strings: money and rates are JSON numbers.
    assert data["planned_investment"] == 30000
    assert data["completed_investment"] == 7500
    assert data["start_rate"] == 33.3
    assert data["investment_completion_rate"] == 25.0
    assert data["projects_over_100m_growth"] == 50.0
    level_keys = {"level", "projects", "new_projects", "new_projects_started", "start_rate"}
    assert level_keys <= set(data["by_level"][0])
    assert [row["level"] for row in data["by_level"]] == ["province", "city", "district"]
    assert {row["park"] for row in data["by_park"]} == {"航空航天产业园", "高校园区"}
    assert data["by_leader"][0]["leader"] in {"孙主任", None}


def test_json_nulls_over_zero_items(dash, login):
    data = get_json(login(dash.coordinator), year=2001)
    assert data["projects"] == 0
    assert data["start_rate"] is None
    assert data["investment_completion_rate"] is None
    assert data["projects_over_100m_growth"] is None


def test_json_rejects_bad_period_with_a_reason(dash, login):
    client = login(dash.coordinator)
    for params in ({"year": "abc"}, {"month": "13"}, {"year": "1999"}, {"month": "0"}, {"month": "五"}):
        response = client.get(reverse("dashboard_json"), params)
        assert response.status_code == 400
        assert response.json()["errors"]


def test_page_shows_figures_and_links_to_the_lists(dash, login):
    response = login(dash.coordinator).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(response.context["figures"]["start_rate"]) == "33.3"
    links = response.context["links"]
    assert links["new_projects_started"] == "/projects/?year=2024&month=5&kind=new&started=true"
    assert links["projects_over_100m_prev_year"] == "/projects/?year=2023&over_100m=true"
    assert links["visits_in_month"] == "/visits/?date_after=2024-05-01&date_before=2024-05-31"
    assert links["issues_overdue"].endswith("?overdue=1")
    assert links["issues_open_by_level"]["leader"] == "/issues/?level=3&unresolved=1"
    assert links["lights"]["red"] == "/projects/?year=2024&month=5&light=red"
    for link in [
        links["new_projects_started"],
        links["projects_over_100m_prev_year"],
        links["visits_in_month"],
    ]:
        assert link.replace("&", "&amp;") in html
    park_row = next(row for row in response.context["figures"]["by_park"] if row["park"] == "航空航天产业园")
    assert park_row["links"]["new_projects_started"] == (
        f"/projects/?year=2024&month=5&kind=new&started=true&park={dash.park_a.pk}"
    )
    assert 'id="chart-investment"' in html
    assert "bundles/dashboard.js" in html


def test_breakdown_cells_link_every_figure_and_read_like_the_cards(dash, login):
    response = login(dash.coordinator).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    html = response.content.decode()
    park = next(row for row in response.context["figures"]["by_park"] if row["park"] == "航空航天产业园")
    listed = f"/projects/?year=2024&amp;park={dash.park_a.pk}"
    assert f'<td><a href="{listed}">{park["projects"]}</a></td>' in html
    started = f"/projects/?year=2024&amp;month=5&amp;kind=new&amp;started=true&amp;park={dash.park_a.pk}"
    assert f'<td><a href="{started}">{park["start_rate"]}%</a></td>' in html
    figures = response.context["figures"]
    for key in ("park", "level", "leader"):
        start = html.index(f'id="by-{key}"')
        table = html[start : html.index("</table>", start)]
        # Every figure is a link, except a rate over zero items ("—"), which has no rows behind it.
        rows = figures[f"by_{key}"]
        figures_with_rows = sum(
            row[column] is not None
            for row in rows
            for column, _kind, _heading in BREAKDOWN_COLUMNS
            if row["links"]
        )
        assert table.count("<td><a href=") == figures_with_rows
    # A year with nothing listed: each level's two rates are "—", as plain text.
    empty = login(dash.coordinator).get(reverse("dashboard"), {"year": 2001, "month": 5}).content.decode()
    start = empty.index('id="by-level"')
    assert empty[start : empty.index("</table>", start)].count("<td>—</td>") == 2 * 3


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_number_text_reads_like_floatformat(language):
    with translation.override(language):
        text = number_text()
        for amount in ["1234567.50", "260004.00", "0.00", "12.34"]:
            assert text(Decimal(amount), "money") == floatformat(Decimal(amount), "-2g")
        # Both languages group by three with commas (newzone/formats overrides Django's Chinese).
        assert text(Decimal("1234567.50"), "money") == "1,234,567.50"
        assert text(Decimal("33.3"), "rate") == "33.3%"
        assert text(None, "rate") == text(None, "money") == "—"
        assert text(12, "count") == "12"


def test_links_lead_to_the_same_numbers(dash, login, monkeypatch):
    """The project list behind a figure shows as many projects as the figure counts."""
    client = login(dash.coordinator)
    links = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).context["links"]
    figures = get_json(client)

    def count(link):
        return client.get(link).context["page"].paginator.count

    assert count(links["projects"]) == figures["projects"] == 4
    assert count(links["new_projects"]) == figures["new_projects"] == 3
    assert count(links["new_projects_started"]) == figures["new_projects_started"] == 1
    assert count(links["projects_over_100m"]) == figures["projects_over_100m"] == 3
    assert count(links["projects_over_100m_prev_year"]) == figures["projects_over_100m_prev_year"] == 2
    assert count(links["projects_not_visited_30_days"]) == figures["projects_not_visited_30_days"]
    for light in ("red", "yellow", "green"):
        assert count(links["lights"][light]) == figures["lights"][light]
    visits = client.get(links["visits_in_month"])
    assert visits.context["page"].paginator.count == figures["visits_in_month"] == 2
    # The issue list behind the issue figures (its filter's parameter names).
    for code, link in links["issues_open_by_level"].items():
        assert count(link) == figures["issues_open_by_level"][code] == 1
    assert count(links["issues_open"]) == 4
    assert count(links["issues_overdue"]) == figures["issues_overdue"]
    assert count(links["issues_solved_on_site"]) == figures["issues_solved_on_site"] == 1
    assert count(links["issues_median_days_to_resolve"]) == 3  # the three the median is taken over
    park = next(row for row in figures["by_park"] if row["park"] == "高校园区")
    link = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).context["figures"]["by_park"]
    park_links = next(row for row in link if row["park"] == "高校园区")["links"]
    assert count(park_links["projects"]) == park["projects"] == 2
    assert count(park_links["new_projects_started"]) == park["new_projects_started"] == 0


ROW_COUNTS = (
    "projects", "new_projects", "new_projects_started", "projects_over_100m", "issues_open",
    "issues_overdue", "lights_red", "lights_yellow", "lights_green",
)  # fmt: skip


@pytest.mark.parametrize("persona", ["coordinator", "grid"])
def test_breakdown_links_lead_to_the_same_numbers(dash, login, persona):
    """Every count of every breakdown row: its list (projects or issues) shows as many."""
    client = login(getattr(dash, persona))
    figures = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).context["figures"]
    data = get_json(client)
    checked = 0
    for breakdown in ("by_park", "by_level", "by_leader"):
        # /dashboard.json's rows carry the same figures, the new keys included.
        rows = [{key: value for key, value in row.items() if key != "links"} for row in figures[breakdown]]
        assert data[breakdown] == as_json(rows)
        for row in figures[breakdown]:
            for key in ROW_COUNTS:
                if row["links"]:
                    page = client.get(row["links"][key]).context["page"]
                    assert page.paginator.count == row[key], (breakdown, row, key)
                    checked += 1
    assert checked >= len(ROW_COUNTS) * 3  # the rows of the leaderless projects have no links
    park = next(row for row in figures["by_park"] if row["park"] == "航空航天产业园")
    assert park["links"]["issues_overdue"] == f"/issues/?overdue=1&park={dash.park_a.pk}"
    assert park["links"]["lights_red"] == f"/projects/?year=2024&month=5&light=red&park={dash.park_a.pk}"
    leader = next(row for row in figures["by_leader"] if row["leader"] == "孙主任")
    assert leader["links"]["issues_open"] == f"/issues/?unresolved=1&leader={dash.leader.staff.pk}"
    city = next(row for row in figures["by_level"] if row["level"] == "city")
    assert city["links"]["issues_open"] == "/issues/?unresolved=1&listed_in=2024&listing_level=city"
    assert city["links"]["projects_over_100m"] == "/projects/?year=2024&over_100m=true&level=city"
    if persona == "coordinator":
        # Today is after 2024: I1, I3 and I4 are overdue (I2 is suspended).
        assert (park["issues_open"], park["issues_overdue"], park["projects_over_100m"]) == (3, 2, 1)
        assert (leader["issues_open"], leader["issues_overdue"]) == (3, 2)
    else:
        assert [row["park"] for row in figures["by_park"]] == ["航空航天产业园"]
        assert [row["leader"] for row in figures["by_leader"]] == ["孙主任"]
        assert sum(row["issues_open"] for row in figures["by_level"]) == 3
        assert "项目D-3" not in client.get(city["links"]["issues_open"]).content.decode()


def test_bad_period_shows_a_message_and_the_defaults(dash, login):
    response = login(dash.coordinator).get(reverse("dashboard"), {"year": "20x4", "month": "99"})
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2
    assert response.context["month"] in range(1, 13)


def test_grid_worker_dashboard_covers_their_projects_only(dash, login):
    client = login(dash.grid)
    data = get_json(client)
    assert data["projects"] == 2
    assert [row["park"] for row in data["by_park"]] == ["航空航天产业园"]
    response = client.get(reverse("dashboard"), {"year": YEAR, "month": 5})
    names = [p.name for p in response.context["warnings"]]
    assert names and all(p.park == dash.park_a for p in response.context["warnings"])
    assert "项目D-3" not in response.content.decode()


def test_the_red_and_yellow_list_escapes_names_and_dashes_a_missing_leader(dash, login):
    client = login(dash.coordinator)
    lit = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).context["warnings"]
    project = lit[0]
    Project.objects.filter(pk=project.pk).update(name='<b>"红"</b> & 灯', leader=None)
    page = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).content.decode()
    row = page[page.index(f'href="/projects/{project.pk}/">') :].split("</li>")[0]
    assert row.startswith(f'href="/projects/{project.pk}/">&lt;b&gt;&quot;红&quot;&lt;/b&gt; &amp; 灯</a>')
    assert f"{html.escape(project.park.name)} · —</span>" in row
    assert '<b>"红"' not in page


@pytest.mark.parametrize("more", [0, 1])
def test_the_red_and_yellow_list_is_red_first_then_yellow_by_code(dash, login, monkeypatch, more):
    """With a list's worth of red lights the list reads the red ones alone (`more` 0), else red
    and yellow ordered by the light (1): the same rows either way as ordering every lit project."""
    from projects.views import dashboard

    lit = Project.objects.with_light(year=YEAR, month=5, by_light=True).filter(light_kind__isnull=False)
    size = lit.filter(light="red").count() + more
    monkeypatch.setattr(dashboard, "LIGHT_LIST_SIZE", size)
    response = login(dash.coordinator).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    expected = list(lit.filter(light__in=["red", "yellow"]).order_by("light", "code")[:size])
    assert [p.pk for p in response.context["warnings"]] == [p.pk for p in expected]
    assert [p.light for p in expected].count("yellow") == more


def test_user_without_profile_gets_the_clear_message(dash, login):
    client = login(dash.nobody)
    assert client.get(reverse("dashboard")).status_code == 200
    assert get_json(client)["projects"] == 0


def test_a_former_leaders_row_links_filter_to_their_projects(dash, login):
    """A leader who lost the role keeps their projects (and a dashboard row): its links still filter."""
    staff = dash.leader.staff
    staff.roles.remove(*staff.roles.filter(code=RoleCode.LEADER))
    client = login(dash.coordinator)
    figures = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}).context["figures"]
    row = next(row for row in figures["by_leader"] if row["leader_id"] == staff.pk)
    assert 0 < row["projects"] < figures["projects"]
    for key in ("projects", "issues_open"):
        listed = client.get(row["links"][key]).context["page"].paginator.count
        assert listed == row[key], key


def test_leader_sees_their_own_lights_first(dash, login):
    response = login(dash.leader).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    mine = response.context["my_lights"]
    assert [p.code for p in mine] == ["D-4", "D-1", "D-2"]  # red first, then yellow, by code
    html = response.content.decode()
    assert html.index('id="my-lights"') < html.index('id="key-figures"')
    coordinator = login(dash.coordinator).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    assert 'id="my-lights"' not in coordinator.content.decode()


def _count_queries(client, url, params):
    client.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("bulk", [3, 30])
def test_dashboard_query_count_does_not_grow_with_the_zone(dash, login, bulk, django_assert_num_queries):
    """The same pinned counts on a zone of 3 extra projects and one ten times larger."""
    add_bulk_projects(dash, bulk, year=YEAR)
    client = login(dash.coordinator)
    params = {"year": YEAR, "month": 5}
    client.get(reverse("dashboard"), params)  # warm the session
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("dashboard"), params)
    with django_assert_num_queries(JSON_QUERIES):
        client.get(reverse("dashboard_json"), params)


def test_dashboard_query_count_same_for_ten_times_the_data(dash, login):
    client = login(dash.coordinator)
    params = {"year": YEAR, "month": 5}
    add_bulk_projects(dash, 3, year=YEAR)
    small = [_count_queries(client, reverse(name), params) for name in ("dashboard", "dashboard_json")]
    add_bulk_projects(dash, 30, year=YEAR, prefix="MORE")  # ten times the bulk
    big = [_count_queries(client, reverse(name), params) for name in ("dashboard", "dashboard_json")]
    assert small == big == [DASHBOARD_QUERIES, JSON_QUERIES]


def _card(response, link):
    return next(card for card in response.context["cards"] if card["link"] == link)


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Not visited for 45 days"), ("zh-hans", "45天未走访项目")]
)
def test_not_visited_card_and_link_follow_the_rule(dash, login, language, label):
    """The dashboard's "not visited" is the yellow light's Rules.visit_gap_days, not a fixed 30."""
    rules = Rules.current()
    rules.visit_gap_days = 45
    rules.save()
    client = login(dash.coordinator)
    response = client.get(
        reverse("dashboard"), {"year": YEAR, "month": 5}, headers={"accept-language": language}
    )
    link = response.context["links"]["projects_not_visited_30_days"]
    assert link == "/projects/?year=2024&not_visited=45"
    card = _card(response, link)
    assert card["label"] == label
    data = get_json(client)
    assert data["not_visited_days"] == 45
    # Today is after 2024: no listed project has a visit in the last 45 days.
    assert client.get(link).context["page"].paginator.count == data["projects_not_visited_30_days"] == 4
    assert card["text"] == "4"


def test_new_build_completed_investment_card(dash, login):
    client = login(dash.coordinator)
    response = client.get(reverse("dashboard"), {"year": YEAR, "month": 5}, headers={"accept-language": "en"})
    link = response.context["links"]["new_completed_investment"]
    assert link == "/projects/?year=2024&kind=new"
    # Its list is the new-build projects' (the same link as the "New-build projects" card).
    card = next(card for card in response.context["cards"] if card["label"].startswith("New-build projects'"))
    assert card["link"] == link and card["text"] == "6,500 10k yuan" and "detail" not in card
    data = get_json(client)
    assert data["new_completed_investment"] == 6500
    assert client.get(link).context["page"].paginator.count == data["new_projects"] == 3
    park = next(row for row in response.context["figures"]["by_park"] if row["park"] == "航空航天产业园")
    assert park["links"]["new_completed_investment"] == f"/projects/?year=2024&kind=new&park={dash.park_a.pk}"


def test_headline_money_reads_in_yi_from_1yi_up_with_the_wan_beside(dash, login):
    page = login(dash.coordinator).get(reverse("dashboard"), {"year": YEAR, "month": 5})
    cards = {str(card["label"]): card for card in page.context["cards"]}
    assert cards["计划投资"]["text"] == "3.00 亿元" and cards["计划投资"]["detail"] == "30,000 万元"
    assert cards["完成投资"]["text"] == "7,500 万元" and "detail" not in cards["完成投资"]
    html = page.content.decode()
    assert "3.00 亿元" in html and "30,000 万元" in html
