"""The dashboard in a real browser: the charts are drawn from the figures in the page (ECharts, no CDN)."""

import pytest

from tests.zone import build_dashboard_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-investment", "chart-start-rate", "chart-issues")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def dash(zone):
    return build_dashboard_zone(zone, year=2024)


def test_dashboard_draws_the_charts(dash, browser_login, live_server):
    page = browser_login("coordinator")
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/dashboard/?year=2024&month=5")
    for chart in CHARTS:
        # ECharts renders a canvas inside each container, from the figures the page carries, when
        # the chart comes near the viewport.
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        page.wait_for_selector(f"#{chart} canvas", state="attached")
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, chart
    page.wait_for_selector("body[data-charts-drawn='true']", state="attached")
    assert page.locator("#key-figures").inner_text().count("33.3%") == 1
    # The tooltip shows on hovering a bar, without tripping the Content-Security-Policy.
    page.evaluate(
        """() => window.dashboardCharts["chart-issues"]
          .on("showTip", () => { document.body.dataset.tipShown = "true"; })"""
    )
    point = first_issue_bar(page)
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("body[data-tip-shown='true']", state="attached")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert problems == []
    # The figures came with the page: the server worked them out once, not again for the charts.
    assert not [url for url in requested if "dashboard.json" in url]


def first_issue_bar(page):
    """The middle of the first level's bar that has open issues, in the page's coordinates."""
    point = page.evaluate(
        """() => {
          const chart = window.dashboardCharts["chart-issues"];
          const data = chart.getOption().series[0].data;
          const index = data.findIndex((value) => value > 0);
          const [x, y] = chart.convertToPixel({seriesIndex: 0}, [data[index] / 2, index]);
          return {x, y, index};
        }"""
    )
    box = page.locator("#chart-issues").bounding_box()
    return {"x": box["x"] + point["x"], "y": box["y"] + point["y"], "index": point["index"]}


def test_leader_on_a_phone_sees_their_lights_first(dash, browser_login, live_server):
    page = browser_login("leader", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dashboard/?year=2024&month=5")
    mine = page.locator("#my-lights")
    assert mine.is_visible()
    assert mine.bounding_box()["y"] < page.locator("#key-figures").bounding_box()["y"]
    assert mine.locator(".light-red").count() == 1  # D-4, not started
    assert mine.locator(".light-yellow").count() == 2


def test_charts_are_drawn_when_they_come_near_or_to_be_printed(dash, browser_login, live_server):
    page = browser_login("coordinator", viewport=PHONE)

    def open_at_the_top():
        page.goto(f"{live_server.url}/dashboard/?year=2024&month=5")
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        # Below the key figures on a phone: not drawn for the first screen.
        assert page.locator("#chart-investment").evaluate("(e) => e.getBoundingClientRect().top") > 844 + 200
        assert page.locator(".dashboard-chart canvas").count() == 0

    open_at_the_top()
    page.locator("#chart-investment").scroll_into_view_if_needed()
    page.wait_for_selector("#chart-investment canvas", state="attached")
    # Printed from the top: every chart is drawn at once, complete (no animation to catch halfway).
    open_at_the_top()
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".dashboard-chart canvas").count() == 3
    animated = page.evaluate("() => Object.values(dashboardCharts).map((c) => c.getOption().animation)")
    assert animated == [False, False, False]
    page.wait_for_selector("body[data-charts-drawn='true']", state="attached")
    # In print media the chart boxes are smaller: each chart is redrawn to fit its box.
    page.emulate_media(media="print")
    page.wait_for_function(
        """() => [...document.querySelectorAll(".dashboard-chart")].every((box) =>
          box.querySelector("canvas").getBoundingClientRect().height <= box.getBoundingClientRect().height)"""
    )


def test_a_chart_bar_opens_the_list_behind_it(dash, browser_login, live_server):
    page = browser_login("coordinator")
    page.goto(f"{live_server.url}/dashboard/?year=2024&month=5")
    page.locator("#chart-issues").scroll_into_view_if_needed()
    page.wait_for_selector("body[data-charts-drawn='true']", state="attached")
    point = first_issue_bar(page)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(lambda url: url.endswith(f"/issues/?level={point['index'] + 1}&unresolved=1"))


def test_a_chart_says_so_when_its_data_fails(dash, browser_login, live_server):
    page = browser_login("coordinator")

    def broken_figures(route):
        # The page as served, with the charts' figures no longer JSON (a stray character in front).
        response = route.fetch()
        start = '<script id="dashboard-figures" type="application/json">'
        assert start in response.text()
        route.fulfill(response=response, body=response.text().replace(start, start + "<"))

    page.route("**/dashboard/?*", broken_figures)
    page.goto(f"{live_server.url}/dashboard/?year=2024&month=5")
    page.wait_for_selector(".chart-failed")
    assert page.locator(".chart-failed").count() == 3
    assert "图表数据加载失败" in page.locator("#chart-investment").inner_text()
    assert "33.3%" in page.locator("#key-figures").inner_text()  # the cards are unaffected
