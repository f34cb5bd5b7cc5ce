"""The node plan in a real headless Chromium, at a desktop and at a phone's size."""

import datetime

import pytest

from projects.models import PlanNode
from projects.querysets import today
from tests.conftest import DESKTOP, PHONE, layout_problems, switch_language

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
    page = browser_login("grid", viewport=DESKTOP)
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
    page = browser_login("grid", viewport=PHONE)
    page.goto(f"{live_server.url}/projects/{plan.project_a.pk}/plan/")
    assert not page.locator("#plan-chart").is_visible()  # the list carries it on a phone
    items = page.locator("#plan-nodes > li")
    assert items.count() == 4
    assert "逾期" in page.locator("#plan-nodes .node-late").inner_text()
    assert layout_problems(page) == {}
    for i in range(items.count()):
        assert items.nth(i).bounding_box()["height"] < 400
    page.locator("#plan-nodes .node-late a").first.click()
    page.wait_for_selector("#node-done")
    assert page.locator("h1").inner_text().startswith("设备进场")


@pytest.mark.parametrize(
    ("viewport", "language"), [(DESKTOP, "en"), (PHONE, "zh-hans")], ids=["desktop-en", "phone-zh"]
)
def test_a_node_is_added_by_hand_and_a_missing_name_is_said(
    plan, browser_login, live_server, viewport, language
):
    page = browser_login("grid", viewport=viewport)
    if language != "zh-hans":
        switch_language(page, language)
    page.goto(f"{live_server.url}/projects/{plan.project_a.pk}/plan/")
    if viewport is DESKTOP:
        page.wait_for_selector("#plan-chart[data-drawn='true'] canvas")
        labels = page.evaluate("JSON.parse(document.getElementById('plan-labels').textContent)")
        assert labels["planned"] == "Planned" and labels["late"] == "Late"  # the chart speaks English
    assert layout_problems(page) == {}
    # No name: the form comes back with the message in the page's language; no node is added.
    page.fill("#id_add-planned_date", (today() + datetime.timedelta(days=20)).isoformat())
    page.click("form[action$='/plan/add/'] button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    required = "This field is required." if language == "en" else "此项为必填项。"
    assert required in page.locator(".invalid-feedback").inner_text()
    assert PlanNode.objects.filter(project=plan.project_a).count() == 4
    assert layout_problems(page) == {}
    page.fill("#id_add-name", "试生产")
    page.click("form[action$='/plan/add/'] button[type=submit]")
    page.wait_for_selector("#node-done")
    assert ("Node added." if language == "en" else "节点已添加。") in page.locator(
        ".alert-success"
    ).inner_text()
    node = PlanNode.objects.get(project=plan.project_a, name="试生产")
    assert node.planned_date == today() + datetime.timedelta(days=20)
    assert layout_problems(page) == {}
