"""The entries pages in a real headless Chromium, on a phone (390×844) and a desktop, in Chinese and
English: a stage date's correction (requested, then decided by a coordinator), a meeting cancelled
with its reason, and the ledger import's questions (what an unknown name is, what a column means).
Each flow goes through the real links, selects and buttons; a bad submit shows a translated message.
"""

import datetime
import re

import pytest

from projects.models import ColumnAlias, CorrectionStatus, Meeting, NameAlias, Project, StageCorrection
from projects.querysets import today
from projects.services.issues import issue_escalate, issue_raise
from projects.services.meetings import meeting_create
from tests.conftest import DESKTOP, PHONE, layout_problems, switch_language
from tests.ledger_book import typo_file, unknown_column_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_more_menu_link(page, name):
    """Follow a link of the menu's "More" dropdown (behind the toggler on a phone)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.locator("nav .dropdown-toggle", has_text=re.compile("^(更多|More)$")).click()
    page.locator("nav .dropdown-item", has_text=name).click()


def test_a_grid_worker_requests_a_stage_correction_on_a_phone(zone, browser_login, live_server):
    project = zone.project_a
    page = browser_login("grid", viewport=PHONE)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.click("#request-stage-correction")
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/stage-correction/")
    assert layout_problems(page) == {}
    # No reason: the form comes back with the message in Chinese, and nothing is requested.
    page.click("main form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert "此项为必填项。" in page.locator(".invalid-feedback").inner_text()
    assert StageCorrection.objects.count() == 0
    right = project.actual_start + datetime.timedelta(days=10)
    page.select_option("#id_field", "actual_start")
    page.fill("#id_new_date", right.isoformat())
    page.fill("#id_reason", "施工许可日期录错")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    assert "由经发局审批" in page.locator(".alert-success").inner_text()
    correction = StageCorrection.objects.get()
    assert (correction.field, correction.new_date, correction.status) == (
        "actual_start",
        right,
        CorrectionStatus.PENDING,
    )
    # Asking again for the same date waits for the first request: said, in Chinese.
    page.click("#request-stage-correction")
    page.select_option("#id_field", "actual_start")
    page.fill("#id_reason", "再次申请")
    page.click("main form button[type=submit]")
    page.wait_for_selector("main .alert-danger, main .invalid-feedback")
    assert StageCorrection.objects.count() == 1
    assert layout_problems(page) == {}


def test_a_coordinator_decides_stage_corrections_in_english(zone, browser_login, live_server):
    project = zone.project_a
    started = project.actual_start
    # The coordinator asks for one correction; the grid worker asked for the other one.
    from projects.services.stage_corrections import stage_correction_request

    own = stage_correction_request(
        project=project, by=zone.coordinator, field="actual_start", new_date=None, reason="误点"
    )
    page = browser_login("coordinator", viewport=DESKTOP)
    switch_language(page, "en")
    open_more_menu_link(page, "Corrections of stage dates")
    page.wait_for_url(f"{live_server.url}/stage-corrections/")
    assert layout_problems(page) == {}
    pending = page.locator("#stage-corrections-pending .list-group-item")
    assert pending.count() == 1 and "误点" in pending.inner_text()
    # Their own request is decided by another coordinator: the page says so, in English.
    pending.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{live_server.url}/stage-corrections/")
    assert (
        "Another coordinator decides a correction you requested."
        in page.locator(".alert-danger").inner_text()
    )
    own.refresh_from_db()
    assert own.status == CorrectionStatus.PENDING
    assert Project.objects.get(pk=project.pk).actual_start == started

    # An administrator (on a phone, in English too) approves it with a note.
    phone = browser_login("admin", viewport=PHONE)
    switch_language(phone, "en")
    phone.goto(f"{live_server.url}/stage-corrections/")
    item = phone.locator("#stage-corrections-pending .list-group-item")
    item.get_by_label("Comment (optional)").fill("核实无误")
    item.get_by_role("button", name="Approve").click()
    phone.wait_for_selector(".alert-success")
    assert "Correction approved." in phone.locator(".alert-success").inner_text()
    own.refresh_from_db()
    assert own.status == CorrectionStatus.APPROVED and own.decision_note == "核实无误"
    assert Project.objects.get(pk=project.pk).actual_start is None
    decided = phone.locator("#stage-corrections-decided tbody tr")
    assert decided.count() == 1 and "Approved" in decided.inner_text()
    assert layout_problems(phone) == {}


@pytest.fixture
def meetings(zone):
    """Two upcoming meetings, each with a level-2 issue on its agenda."""
    made = []
    for title, description in (
        ("十一月重点项目调度会", "施工许可证办理"),
        ("十二月重点项目调度会", "招聘操作工80名"),
    ):
        issue = issue_raise(project=zone.project_a, category="permits", description=description, by=zone.grid)
        issue_escalate(issue=issue, by=zone.grid, reason="网格帮办期限内未能解决")
        made.append(
            meeting_create(
                by=zone.coordinator,
                date=today(),
                title=title,
                chair=zone.coordinator.staff,
                issues=[issue],
                same_month_confirmed=True,
            )
        )
    return made


@pytest.mark.parametrize(
    ("viewport", "language", "required", "done"),
    [
        (PHONE, "zh-hans", "此项为必填项。", "会议已取消"),
        (DESKTOP, "en", "This field is required.", "The meeting was cancelled"),
    ],
    ids=["phone-zh", "desktop-en"],
)
def test_a_meeting_is_cancelled_with_its_reason(
    meetings, browser_login, live_server, viewport, language, required, done
):
    meeting = meetings[0]
    page = browser_login("coordinator", viewport=viewport)
    if language != "zh-hans":
        switch_language(page, language)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.click(f"a[href='/meetings/{meeting.pk}/cancel/']")
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/cancel/")
    assert layout_problems(page) == {}
    # Spaces are no reason: the message is in the page's language and the meeting stays.
    page.fill("#id_reason", "   ")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert required in page.locator(".invalid-feedback").inner_text()
    assert not Meeting.objects.get(pk=meeting.pk).is_cancelled
    page.fill("#id_reason", "领导外出，改期至下周")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    assert done in page.locator(".alert-success").inner_text()
    assert "领导外出，改期至下周" in page.locator("#meeting-cancelled").inner_text()
    assert page.locator(f"a[href='/meetings/{meeting.pk}/cancel/']").count() == 0
    assert layout_problems(page) == {}
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancelled_by == meeting.chair
    assert not Meeting.objects.get(pk=meetings[1].pk).is_cancelled


def upload(page, tmp_path, handle, name="ledger.xlsx"):
    path = tmp_path / name
    path.write_bytes(handle.getvalue())
    page.set_input_files("#id_file", str(path))
    page.click("main section form[enctype] button[type=submit]")
    page.wait_for_load_state()


def test_the_ledger_import_asks_what_unknown_names_are_in_english(
    zone, people, browser_login, live_server, tmp_path
):
    page = browser_login("coordinator", viewport=DESKTOP)
    switch_language(page, "en")
    page.goto(f"{live_server.url}/ledger/import/")
    # Not a workbook: a translated message, nothing kept.
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    page.set_input_files("#id_file", str(tmp_path / "notes.csv"))
    page.click("main section form[enctype] button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    assert re.search(r"[A-Za-z]{4}", page.locator(".invalid-feedback").inner_text())
    assert not re.search(r"[\u4e00-\u9fff]", page.locator(".invalid-feedback").inner_text())

    upload(page, tmp_path, typo_file())
    questions = page.locator("#ledger-unknown-names tbody tr")
    assert questions.count() == 4
    assert page.locator("button[name=confirm]").count() == 0  # nothing to confirm before the answers
    answers = {
        "park:航天航空产业园": zone.park_a.name,
        "department:经发局": zone.edb.name,
        "person:陈建图": "陈建国",
        "person:王蕾": "王磊",
    }
    for index in range(questions.count()):
        row = questions.nth(index)
        key = row.locator("input[type=hidden]").get_attribute("value")
        select = row.locator("select")
        # The suggestion comes first, with its reason; pick it by its visible text.
        label = next(
            text for text in select.locator("option").all_inner_texts() if text.startswith(answers[key])
        )
        select.select_option(label=label)
    assert layout_problems(page) == {}
    page.get_by_role("button", name="Apply the answers and check again").click()
    page.wait_for_selector("button[name=confirm]")
    assert page.locator("#ledger-unknown-names").count() == 0
    assert not Project.objects.filter(code="T-1").exists()  # not before the confirmation
    page.click("button[name=confirm]")
    page.wait_for_url(f"{live_server.url}/projects/")
    assert "The ledger was imported." in page.locator(".alert-success").inner_text()
    project = Project.objects.get(code="T-1")
    assert (project.park, project.lead_department, project.grid_worker) == (
        zone.park_a,
        zone.edb,
        people["王磊"],
    )
    assert NameAlias.objects.count() == 4


def test_the_ledger_import_maps_a_column_on_a_phone(zone, browser_login, live_server, tmp_path):
    page = browser_login("coordinator", viewport=PHONE)
    page.goto(f"{live_server.url}/ledger/import/")
    assert layout_problems(page) == {}
    upload(page, tmp_path, unknown_column_file())
    column = page.locator("#ledger-ignored-columns tbody tr")
    assert column.count() == 1 and "服务专员" in column.inner_text()
    assert layout_problems(page) == {}
    column.locator("select").select_option("网格员")
    page.get_by_role("button", name="应用以上选择并重新检查").click()
    page.wait_for_selector("button[name=confirm]")
    assert ColumnAlias.objects.get(header="服务专员").field == "网格员"  # kept for next month's file
    assert page.locator("#ledger-ignored-columns").count() == 0
    assert layout_problems(page) == {}
    page.click("button[name=confirm]")
    page.wait_for_url(f"{live_server.url}/projects/")
    assert Project.objects.get(name="甲项目").grid_worker == zone.grid_b.staff
