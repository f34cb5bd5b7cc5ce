"""A grid worker's and a coordinator's day on a phone (390×844) and a desktop (1366×900), in Debian's
Chromium on the demo zone: the lists never scroll sideways, their cards stay short, and axe-core
(from the npm registry, injected with the CSP bypassed) finds no serious or critical violation.

Set SCREENSHOTS=<folder> to keep a full-page phone screenshot of every page checked.
"""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from projects.models import Issue, Project
from tests.conftest import DESKTOP, PHONE, layout_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
LISTS = [
    "/projects/",
    "/issues/",
    "/visits/",
    "/meetings/",
    "/approvals/",
    "/round/corrections/",
    "/notifications/",
    "/permits/missing/",
    "/round/status/",
    "/dashboard/",
    "/dashboard/accountability/",
    "/reports/monthly/",
]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def open_as(browser, live_server):
    """`open_as(username, viewport)`: a logged-in page whose context may inject axe (CSP bypassed)."""
    contexts = []

    def _open(username, viewport):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo-pass-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _open
    for context in contexts:
        context.close()


def screenshot(page, name):
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_list_fits_a_phone(demo, open_as, live_server):
    page = open_as("coordinator", PHONE)
    problems = {}
    for url in LISTS:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        screenshot(page, "list" + url.strip("/").replace("/", "-"))
        if layout := layout_problems(page):
            problems[url] = layout
    assert problems == {}


def test_a_light_folds_its_reasons_on_a_phone_and_shows_them_on_a_desktop(demo, open_as, live_server):
    phone = open_as("grid", PHONE)
    phone.goto(f"{live_server.url}/projects/?light=red")
    details = phone.locator("details.light-details").first
    assert not details.locator(".light-reasons").is_visible()
    details.locator("summary").click()
    assert details.locator(".light-reasons").is_visible()
    assert "红灯" in details.inner_text()
    desktop = open_as("grid", DESKTOP)
    desktop.goto(f"{live_server.url}/projects/?light=red")
    assert desktop.locator("details.light-details .light-reasons").first.is_visible()


def axe_violations(page):
    # A map is checked once drawn and its markers have faded in: axe measured the contrast of a
    # cluster caught mid-fade (a map loaded when scrolled near, data-script, is not waited for).
    page.wait_for_function(
        "[...document.querySelectorAll('.zone-map:not([data-script])')].every(m => m.dataset.ready)"
    )
    page.evaluate(
        "async () => { await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));"
        " await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }"
    )
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_serious_violation(demo, open_as, live_server, viewport):
    grid_project = Project.objects.filter(park__name="航空航天产业园").order_by("code").first()
    issue = Issue.objects.filter(project__park__name="航空航天产业园").order_by("pk").first()
    pages = {
        "home": "/",
        "dashboard": "/dashboard/",
        "projects": "/projects/",
        "project": f"/projects/{grid_project.pk}/",
        "issues": "/issues/",
        "issue": f"/issues/{issue.pk}/",
        "visit-form": "/visits/new/",
        "round": "/round/",
        "map": "/map/",
        "location": f"/projects/{grid_project.pk}/location/",
    }
    page = open_as("grid", viewport)
    found = {}
    for name, url in pages.items():
        assert page.goto(f"{live_server.url}{url}").status == 200, url
        if viewport is PHONE:
            screenshot(page, f"axe-{name}")
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_a_phone_form_with_an_error_says_so_at_the_top(demo, open_as, live_server):
    from django.contrib.auth import get_user_model

    from projects.services.issues import issue_raise

    project = Project.objects.filter(park__name="航空航天产业园").order_by("code").first()
    grid = get_user_model().objects.get(username="grid")
    issue = issue_raise(project=project, category="land", description="用地手续咨询", by=grid)
    page = open_as("grid", PHONE)
    page.goto(f"{live_server.url}/issues/{issue.pk}/")
    escalate = page.locator("#action-escalate")
    escalate.locator("summary").click()
    # Entering level 2, the form asks nothing of level 3 (no committee leader to pick).
    assert escalate.locator("[name=escalate-leader]").count() == 0
    escalate.locator("button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    summary = page.locator(".error-summary")
    assert summary.bounding_box()["y"] < 200  # at the top, not 1,000 px below
    assert "请修改以下标出的内容" in summary.inner_text()
    assert page.evaluate("document.activeElement.name") == "escalate-reason"
    screenshot(page, "form-error")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "escalate-reason"
