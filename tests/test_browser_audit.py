"""The admin and the change history in a real browser, under the production CSP (no inline scripts)."""

import pytest

from projects.models import Project, Stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_administrator_gives_roles_in_the_admin(zone, browser_login, live_server):
    page = browser_login("admin")
    problems = watch(page)
    page.goto(f"{live_server.url}/admin/auth/user/{zone.nobody.pk}/change/")
    # The user has no staff profile yet: the inline's "add" link (admin JavaScript) makes the form, and
    # filter_horizontal's two-box widget (more admin JavaScript) appears in it: both run under the CSP.
    page.locator(".inline-group .add-row a").first.click()
    page.fill("#id_staff-0-name", "新同事")
    page.wait_for_selector("#id_staff-0-roles_from", state="attached")
    page.select_option("#id_staff-0-roles_from", label="网格员")
    page.click("#id_staff-0-roles_add")
    page.select_option("#id_staff-0-roles_from", label="部门人员")
    page.click("#id_staff-0-roles_add")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/auth/user/")
    zone.nobody.refresh_from_db()
    assert zone.nobody.staff.role_codes() == {"grid_worker", "department"}
    assert [p for p in problems if "Content Security Policy" in p] == []


def test_the_project_page_links_to_its_change_history(zone, browser_login, live_server):
    project = Project.objects.get(pk=zone.project_b.pk)
    project.stage = Stage.CONSTRUCTION
    project.actual_start = project.planned_start
    project.save()
    page = browser_login("grid_b", viewport={"width": 390, "height": 844})
    problems = watch(page)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="修改历史").click()
    page.wait_for_url(f"{live_server.url}/history/project/{project.pk}/")
    timeline = page.locator("ol.audit-timeline")
    assert timeline.is_visible()
    assert "在建" in timeline.inner_text()
    assert problems == []
