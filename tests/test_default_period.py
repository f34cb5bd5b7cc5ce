"""PRODUCT.md "Default period": without a chosen month the dashboard, /dashboard.json and the monthly
report show the month being reported (the previous one; in January the December before) and its
round's state. A fixed clock (time-machine) puts "today" on 1 January and 1 December."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from projects.models import MonthLock, Rules

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=9):
    """The clock at a zone-local moment (tick=False: a still clock)."""
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI), tick=False)


@pytest.mark.parametrize(
    ("today", "expected"),
    [((2026, 1, 1), (2025, 12)), ((2026, 12, 1), (2026, 11)), ((2026, 3, 31), (2026, 2))],
)
def test_every_page_defaults_to_the_month_being_reported(zone, login, today, expected):
    client = login(zone.coordinator)
    with at(*today):
        data = client.get(reverse("dashboard_json")).json()
        dashboard = client.get(reverse("dashboard"))
        report = client.get(reverse("monthly_report"))
    assert (data["year"], data["month"]) == expected
    assert data["period"]["is_default"] is True
    assert data["time_progress"] == round(expected[1] * 100 / 12, 1)
    assert (dashboard.context["year"], dashboard.context["month"]) == expected
    assert (report.context["report"]["year"], report.context["report"]["month"]) == expected


def test_a_chosen_month_is_kept_and_the_current_month_is_flagged(zone, login):
    client = login(zone.coordinator)
    with at(2026, 12, 1):
        data = client.get(reverse("dashboard_json"), {"year": 2026, "month": 12}).json()
        page = client.get(reverse("dashboard"), {"year": 2026, "month": 12}).content.decode()
        bad = client.get(reverse("dashboard"), {"year": "x", "month": "13"})
    assert (data["month"], data["period"]["is_default"]) == (12, False)
    assert "本月尚未结束" in page  # the current month's warning
    # Unreadable values fall back to the default period, with a message saying so.
    assert (bad.context["year"], bad.context["month"]) == (2026, 11)


def test_the_round_state_is_shown_beside_the_period(zone, login):
    client = login(zone.coordinator)
    Rules.objects.filter(pk=Rules.current().pk).update(report_deadline_day=5)
    with at(2026, 12, 1):
        data = client.get(reverse("dashboard_json")).json()
        page = client.get(reverse("dashboard")).content.decode()
    assert data["period"] == {
        "year": 2026,
        "month": 11,
        "is_default": True,
        "round_deadline": "2026-12-05",
        "round_locked": False,
    }
    assert "2026-11 月的填报开放至 2026-12-05" in page
    with at(2026, 12, 8):
        client = login(zone.coordinator)  # a week later: the idle session has ended
        page = client.get(reverse("dashboard")).content.decode()
        assert "2026-11 月的填报已于 2026-12-05 截止，尚未锁定" in page
        MonthLock.objects.create(year=2026, month=11, locked_by=zone.coordinator.staff)
        data = client.get(reverse("dashboard_json")).json()
        report = client.get(reverse("monthly_report")).content.decode()
    assert data["period"]["round_locked"] is True
    assert "2026-11 月的填报已于 2026-12-08 锁定，数据为最终数" in report
