"""A grid worker fills the month's investment round on a phone, through the real login form."""

from decimal import Decimal

import pytest

from projects.models import MonthlyReport, Project
from projects.querysets import today
from tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_fills_the_round_on_a_phone(zone, browser_login, live_server):
    # A second project of park A, so the page has two rows.
    Project.objects.filter(pk=zone.project_b.pk).update(park=zone.park_a)
    now = today()
    page = browser_login("grid", viewport=PHONE)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    # The menu is collapsed on a phone: open it and follow "Monthly round".
    page.click(".navbar-toggler")
    page.click("a.nav-link[href='/round/']")
    page.wait_for_url(f"{live_server.url}/round/{now.year}/{now.month}/")
    rows = page.locator(".round-row")
    assert rows.count() == 2
    # Everything fits the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    amount = page.locator(f"#round-{zone.project_a.pk} input[name$='-amount']")
    box = amount.bounding_box()
    assert box["height"] >= 40  # a big touch target

    amount.fill("1250.5")
    page.locator(f"#round-{zone.project_a.pk} input[name$='-note']").fill("设备安装")
    # Far out of line: above project B's remaining total investment (8000 万元).
    page.locator(f"#round-{zone.project_b.pk} input[name$='-amount']").fill("9000")
    page.locator("button[type=submit].btn-lg").click()

    # A is saved; B waits for confirmation with its value kept.
    warning = page.locator(f"#round-{zone.project_b.pk} .round-warnings")
    warning.wait_for()
    assert "8,000.00" in warning.inner_text()
    assert page.locator(f"#round-{zone.project_b.pk} input[name$='-amount']").input_value() == "9000"
    report = MonthlyReport.objects.get(project=zone.project_a, year=now.year, month=now.month)
    assert (report.amount, report.note, report.reported_by) == (
        Decimal("1250.50"),
        "设备安装",
        zone.grid.staff,
    )
    assert not MonthlyReport.objects.filter(project=zone.project_b).exists()

    page.locator(f"#round-{zone.project_b.pk} input[name$='-confirm']").check()
    page.locator("button[type=submit].btn-lg").click()
    page.locator(".alert-success").wait_for()
    assert MonthlyReport.objects.get(project=zone.project_b, year=now.year, month=now.month).amount == 9000
    # The page shows the saved figures in the year-to-date column.
    assert "9000" in page.locator(f"#round-{zone.project_b.pk} .ytd").inner_text().replace(",", "")
    assert problems == []
