"""End to end in a real browser: a grid worker on a phone records a visit raising two requests (the
half-filled form survives a reload) and escalates one; the coordinator tables it at a coordination
meeting and decides to escalate it to leader assignment; the committee leader finds it on the home
page and assigns it to a department with a deadline.

(The ladder makes the order: a committee leader assigns at level 3, which the meeting's decision opens.)
"""

import datetime
import re

import pytest

from projects.models import Issue, IssueEvent, IssueEventKind, IssueStatus, Level, Meeting, Visit
from projects.querysets import today
from tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visit_escalation_meeting_and_leader_assignment(zone, browser_login, live_server):
    z = zone
    base = live_server.url

    # --- 1. The grid worker records a visit on a phone -------------------------------------------
    page = browser_login("grid", viewport=PHONE)
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": 32.180123, "longitude": 119.612345, "accuracy": 12})
    page.goto(f"{base}/projects/{z.project_a.pk}/visits/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    page.fill("#id_summary", "走访联博定子项目，2号厂房冲压线安装调试中。")
    page.fill("#id_people_met", "张荣毛 常务副总经理")
    page.select_option("#id_req-0-category", "permits")
    page.fill("#id_req-0-description", "竣工验收资料需要指导")
    page.click("[data-add-row=req]")
    page.select_option("#id_req-1-category", "hiring")
    page.fill("#id_req-1-description", "批量生产需招聘操作工80名")
    # The permission is already granted, so the page took the location on load; the button works too.
    page.click("#geo-button")
    page.wait_for_function("document.querySelector('[name=latitude]').value !== ''")
    assert page.input_value("[name=latitude]") == "32.180123"

    # The signal drops and the page reloads: nothing typed is lost.
    page.reload()
    page.wait_for_selector("#draft-notice:not(.d-none)")
    assert page.input_value("#id_summary") == "走访联博定子项目，2号厂房冲压线安装调试中。"
    assert page.input_value("#id_req-1-description") == "批量生产需招聘操作工80名"
    assert page.input_value("#id_req-1-category") == "hiring"
    assert page.input_value("[name=longitude]") == "119.612345"
    draft_key = page.get_attribute("#visit-form", "data-draft-key")
    assert page.evaluate("key => localStorage.getItem(key) !== null", draft_key)

    page.click("#visit-save")
    page.wait_for_url(re.compile(r".*/visits/\d+/\?saved=.*"))
    assert page.evaluate("key => localStorage.getItem(key)", draft_key) is None  # saved: draft gone
    visit = Visit.objects.get()
    assert (str(visit.latitude), str(visit.longitude)) == ("32.180123", "119.612345")
    assert visit.issues.count() == 2

    # --- 2. ... and escalates the hiring request to the coordination meeting ---------------------
    hiring = Issue.objects.get(category="hiring")
    page.click(f"a[href='/issues/{hiring.pk}/']")
    page.wait_for_url(f"{base}/issues/{hiring.pk}/")
    page.click("#action-escalate summary")
    page.fill("#id_escalate-reason", "用工缺口大，需经发局调度人社局")
    page.click("#action-escalate button[type=submit]")
    page.wait_for_url(f"{base}/issues/{hiring.pk}/")
    hiring.refresh_from_db()
    assert hiring.level == Level.COORDINATION

    # --- 3. The coordinator tables it and the meeting escalates it to the committee leader -------
    page = browser_login("coordinator")
    page.goto(f"{base}/meetings/new/")
    assert page.is_checked(f"input[name=issues][value='{hiring.pk}']")  # proposed and preselected
    page.fill("#id_number", "调〔2026〕11号")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_url(f"{base}/meetings/*/")
    meeting = Meeting.objects.get()
    assert [item.issue_id for item in meeting.items.all()] == [hiring.pk]
    page.select_option("#id_decision-0-decision", "escalate")
    page.select_option("#id_decision-0-leader", str(z.leader.staff.pk))
    page.fill("#id_decision-0-note", "涉及多部门，提请委领导交办")
    page.click("#meeting-decisions button[type=submit]")
    page.wait_for_selector(".alert-success")
    hiring.refresh_from_db()
    assert (hiring.level, hiring.assigned_by_leader) == (Level.LEADER, z.leader.staff)
    assert IssueEvent.objects.filter(issue=hiring, kind=IssueEventKind.MEETING_DECISION).exists()
    page.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    assert "批量生产需招聘操作工80名" in page.content()

    # --- 4. The committee leader sees it on the home page and assigns it ------------------------
    page = browser_login("leader", viewport=PHONE)
    awaiting = page.locator("#home-awaiting")
    assert "批量生产需招聘操作工80名" in awaiting.inner_text()
    awaiting.locator(f"a[href='/issues/{hiring.pk}/']").click()
    page.wait_for_url(f"{base}/issues/{hiring.pk}/")
    page.click("#action-assign summary")
    hr = z.departments["人力资源和社会保障局"]
    deadline = today() + datetime.timedelta(days=7)
    page.select_option("#id_assign-department", str(hr.pk))
    page.fill("#id_assign-deadline", deadline.isoformat())
    page.fill("#id_assign-note", "人社局明日上门对接")
    page.click("#action-assign button[type=submit]")
    page.wait_for_selector(".alert-success")
    hiring.refresh_from_db()
    assert (hiring.department, hiring.deadline, hiring.status) == (hr, deadline, IssueStatus.OPEN)
    page.goto(f"{base}/")
    assert "批量生产需招聘操作工80名" not in page.locator("#home-awaiting").inner_text()
