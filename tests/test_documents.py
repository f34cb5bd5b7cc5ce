"""The slips (交办单, 督办单) and the minutes as official documents: their content on the page and in
the Word file (python-docx reads it back)."""

import io

import docx
import pytest
from django.urls import reverse

from projects.models import Level
from projects.services.issues import issue_assign, issue_escalate, issue_raise
from projects.slips import DOCX

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervised(zone):
    issue = issue_raise(project=zone.project_a, category="land", description="用地指标未落实", by=zone.grid)
    issue_escalate(issue=issue, by=zone.grid, reason="网格无法协调")
    issue_escalate(issue=issue, by=zone.coordinator, reason="调度会未能解决")
    issue.refresh_from_db()
    issue_assign(
        issue=issue, by=zone.leader, department=issue.department, note="请自然资源局十个工作日内办结",
        expected_version=issue.version,
    )  # fmt: skip
    issue.refresh_from_db()
    issue_escalate(issue=issue, by=zone.leader, reason="逾期未办，转督查室督办")
    issue.refresh_from_db()
    assert issue.level == Level.SUPERVISION
    return issue


def docx_text(response):
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    document = docx.Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def test_assignment_slip_carries_the_leaders_instruction(zone, login, supervised):
    client = login(zone.coordinator)
    page = client.get(reverse("issue_assignment_slip", args=[supervised.pk])).content.decode()
    for text in [
        "党工委管委会办公室",  # issuing unit
        supervised.assignment_slip_no,
        zone.project_a.name,
        zone.project_a.enterprise.name,
        "用地指标未落实",
        "交办意见",
        "请自然资源局十个工作日内办结",
        "交办领导（签字）：",
        "责任部门负责人（签字）：",
    ]:
        assert text in page, text
    assert "调度会未能解决" not in page  # the coordinator's reason is not the leader's instruction
    word = docx_text(client.get(reverse("issue_assignment_slip_docx", args=[supervised.pk])))
    expected = [supervised.assignment_slip_no, "请自然资源局十个工作日内办结", "交办领导（签字）"]
    for text in [*expected, zone.project_a.enterprise.name]:
        assert text in word, text


def test_supervision_slip_carries_the_supervisors_comments(zone, login, supervised):
    client = login(zone.supervisor)
    page = client.get(reverse("issue_supervision_slip", args=[supervised.pk])).content.decode()
    assert "督查室" in page and supervised.supervision_slip_no in page
    assert "督办意见" in page and "逾期未办，转督查室督办" in page
    word = docx_text(client.get(reverse("issue_supervision_slip_docx", args=[supervised.pk])))
    assert "逾期未办，转督查室督办" in word and "督查室（盖章）：" in word


def test_a_slip_before_its_level_and_outside_the_area_is_404(zone, login):
    issue = issue_raise(project=zone.project_a, category="land", description="未升级", by=zone.grid)
    client = login(zone.coordinator)
    assert client.get(reverse("issue_assignment_slip_docx", args=[issue.pk])).status_code == 404
    assert login(zone.grid_b).get(reverse("issue_supervision_slip_docx", args=[issue.pk])).status_code == 404


def test_minutes_as_a_document_and_a_word_file(zone, login, supervised):
    import datetime

    from projects.models import Meeting, MeetingItem

    meeting = Meeting.objects.create(
        number="调〔2026〕3号", date=datetime.date(2026, 3, 10), title="三月调度会", location="经发局301",
        chair=zone.coordinator.staff, notes="会议研究了用地问题。",
    )  # fmt: skip
    MeetingItem.objects.create(
        meeting=meeting, issue=supervised, decision=MeetingItem.Decision.ASSIGN,
        department=supervised.department, deadline=datetime.date(2026, 3, 31), note="限月底前解决",
    )  # fmt: skip
    client = login(zone.coordinator)
    page = client.get(reverse("meeting_minutes", args=[meeting.pk])).content.decode()
    expected = [
        "调度会议纪要",
        "调〔2026〕3号",
        "经济发展局",
        "限月底前解决",
        "2026-03-31",
        "主持人（签字）：",
    ]
    for text in [*expected, zone.project_a.enterprise.name, "记录人（签字）："]:
        assert text in page, text
    word = docx_text(client.get(reverse("meeting_minutes_docx", args=[meeting.pk])))
    assert "限月底前解决" in word and "调〔2026〕3号" in word and "主持人（签字）：" in word
