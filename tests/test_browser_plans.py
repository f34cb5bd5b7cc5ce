"""The node plan in a real headless Chromium, at a desktop and at a phone's size."""

import datetime

import pytest

from projects.models import PlanNode
from projects.querysets import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(zone):
    day = datetime.timedelta(days=1)
    nodes = [
        ("签约", today() - 200 * day, today() - 198 * day, True),
        ("主体封顶", today() - 60 * day, today() - 50 * day, False),
        ("设备进场", today() - 30 * day, None, True),  # late: red on the chart and the list
        ("PPAP 认定", today() + 40 * day, None, True),
    ]
    for order, (name, planned, actual, key) in enumerate(nodes, start=1):
        PlanNode.objects.create(
            project=zone.project_a,
            name=name,
            order=order,
            planned_date=planned,
            actual_date=actual,
            is_key=key,
        )
    return zone


def test_plan_chart_on_a_desktop(plan, browser_login, live_server):
    page = browser_login("grid", viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/projects/{plan.project_a.pk}/plan/")
    chart = page.locator("#plan-chart")
    chart.wait_for(state="visible")
    page.wait_for_selector("#plan-chart[data-drawn='true'] canvas")
    box = chart.bounding_box()
    assert box["width"] > 800 and box["height"] >= 4 * 30
    late = page.locator("#plan-nodes .node-late")
    assert late.count() == 1 and "设备进场" in late.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_plan_list_on_a_phone(plan, browser_login, live_server):
    page = browser_login("grid", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projects/{plan.project_a.pk}/plan/")
    assert not page.locator("#plan-chart").is_visible()  # the list carries it on a phone
    items = page.locator("#plan-nodes > li")
    assert items.count() == 4
    assert "逾期" in page.locator("#plan-nodes .node-late").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for i in range(items.count()):
        assert items.nth(i).bounding_box()["height"] < 400
    page.locator("#plan-nodes .node-late a").first.click()
    page.wait_for_selector("#node-done")
    assert page.locator("h1").inner_text().startswith("设备进场")
