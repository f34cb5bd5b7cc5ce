"""Issue pages in a real browser: a phone-sized resolve-and-close, and a printable slip."""

import pytest

from projects.models import Issue, IssueStatus, Satisfaction
from projects.services.issues import issue_escalate, issue_raise
from tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_resolves_and_closes_on_a_phone(zone, browser_login, live_server):
    issue = issue_raise(
        project=zone.project_a, category="permits", description="消防验收资料指导", by=zone.grid
    )
    page = browser_login("grid", viewport=PHONE)
    page.goto(f"{live_server.url}/issues/{issue.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("#action-resolve summary")
    page.fill("#id_resolve-resolution", "已现场讲解资料清单")
    page.click("#action-resolve button[type=submit]")
    page.wait_for_selector(".alert-success")
    page.click("#action-close summary")
    page.fill("#id_close-feedback", "已电话告知企业张总")
    page.click("#action-close button[type=submit]")  # satisfaction missing: refused, form kept open
    page.wait_for_selector("#action-close .invalid-feedback")
    assert page.input_value("#id_close-feedback") == "已电话告知企业张总"
    page.select_option("#id_close-satisfaction", Satisfaction.SATISFIED)
    page.click("#action-close button[type=submit]")
    page.wait_for_selector(".alert-success")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.satisfaction == Satisfaction.SATISFIED
    assert "已电话告知企业张总" in page.locator(".timeline").inner_text()


def test_assignment_slip_prints_without_the_navigation(zone, browser_login, live_server):
    issue = issue_raise(project=zone.project_a, category="land", description="用地指标", by=zone.grid)
    issue_escalate(issue=issue, by=zone.grid, reason="需调度")
    issue_escalate(issue=issue, by=zone.coordinator, reason="需领导交办")
    slip = Issue.objects.get(pk=issue.pk).assignment_slip_no
    page = browser_login("coordinator")
    page.goto(f"{live_server.url}/issues/{issue.pk}/assignment-slip/")
    assert slip in page.locator("h1 + p").inner_text()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("[data-print]")
    assert page.get_attribute("body", "data-printed") == "yes"
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert page.locator(".slip-table").is_visible()
