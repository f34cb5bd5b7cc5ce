"""End to end in a real headless Chromium: log in, browse the projects, switch the language."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_logs_in_and_opens_a_project(zone, browser_login, live_server):
    page = browser_login("grid")  # through the real login form
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.click("nav a[href='/projects/']")
    page.wait_for_url(f"{live_server.url}/projects/")
    assert page.locator("table").first.is_visible()
    assert page.get_by_text("联博新能源汽车驱动电机定子项目").first.is_visible()
    assert page.get_by_text("高校园区实验楼项目").count() == 0  # another park's project

    page.get_by_text("联博新能源汽车驱动电机定子项目").first.click()
    page.wait_for_url(re.compile(rf"{live_server.url}/projects/{zone.project_a.pk}/$"))
    assert page.locator("h1").inner_text().endswith("联博新能源汽车驱动电机定子项目")


def test_language_switch_to_english_and_back(zone, browser_login, live_server):
    page = browser_login("grid")
    page.goto(f"{live_server.url}/projects/")

    # The switcher posts to /i18n/setlang/ and comes back to the same page.
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    page.wait_for_url(f"{live_server.url}/projects/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav").get_by_text("Projects").first.is_visible()

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    page.wait_for_url(f"{live_server.url}/projects/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("nav").get_by_text("项目").first.is_visible()


def test_phone_sized_login_and_list(zone, browser_login, live_server):
    page = browser_login("grid", viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/projects/")
    assert page.get_by_text("联博新能源汽车驱动电机定子项目").first.is_visible()
    # The navigation collapses behind the toggler on a phone.
    assert page.locator(".navbar-toggler").is_visible()
