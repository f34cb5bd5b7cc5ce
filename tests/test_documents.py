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


def document_unit(html):
    """The issuing unit at the head of a printed document (templates/projects/_document.html)."""
    import re

    return re.search(r'<p class="document-unit[^"]*">([^<]*)</p>', html).group(1)


def test_the_issuing_units_are_the_standard_texts_until_an_administrator_sets_them(zone, login, supervised):
    import datetime

    from projects.models import Meeting, Rules

    meeting = Meeting.objects.create(
        date=datetime.date(2026, 3, 10), title="三月调度会", chair=zone.coordinator.staff
    )
    pages = {
        "assignment": reverse("issue_assignment_slip", args=[supervised.pk]),
        "supervision": reverse("issue_supervision_slip", args=[supervised.pk]),
        "minutes": reverse("meeting_minutes", args=[meeting.pk]),
    }
    client = login(zone.supervisor)
    standard = {"assignment": "党工委管委会办公室", "supervision": "督查室", "minutes": "经济发展局"}
    assert {name: document_unit(client.get(url).content.decode()) for name, url in pages.items()} == standard
    # In English, the standard texts are English: they follow the reader's language.
    client.cookies["django_language"] = "en"
    english = document_unit(client.get(pages["supervision"]).content.decode())
    assert english == "Supervision Office"
    client.cookies["django_language"] = "zh-hans"

    # The administrator sets them in the admin's service rules, as an office writes its own name.
    admin = login(zone.admin)
    form = admin.get(reverse("admin:projects_rules_change", args=[Rules.current().pk]))
    assert form.status_code == 200 and "assignment_slip_unit" in form.content.decode()
    data = {
        field.name: getattr(Rules.current(), field.attname)
        for field in Rules._meta.concrete_fields
        if field.name != "id"
    }
    data |= {
        "assignment_slip_unit": "新区党工委办公室",
        "supervision_slip_unit": "新区督查考核办公室",
        "minutes_unit": "新区重点项目服务领导小组办公室",
    }
    response = admin.post(reverse("admin:projects_rules_change", args=[Rules.current().pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    configured = {
        "assignment": "新区党工委办公室",
        "supervision": "新区督查考核办公室",
        "minutes": "新区重点项目服务领导小组办公室",
    }
    client = login(zone.supervisor)
    assert {
        name: document_unit(client.get(url).content.decode()) for name, url in pages.items()
    } == configured
    # The Word files carry the same units; the supervision slip's seal line names the unit too.
    words = {
        "assignment": docx_text(client.get(reverse("issue_assignment_slip_docx", args=[supervised.pk]))),
        "supervision": docx_text(client.get(reverse("issue_supervision_slip_docx", args=[supervised.pk]))),
        "minutes": docx_text(client.get(reverse("meeting_minutes_docx", args=[meeting.pk]))),
    }
    assert {name: text.splitlines()[0] for name, text in words.items()} == configured
    assert "新区督查考核办公室（盖章）：" in words["supervision"]


def test_a_blank_issuing_unit_is_the_standard_text_again(zone, login, supervised):
    from projects.models import Rules

    Rules.objects.update_or_create(pk=1, defaults={"assignment_slip_unit": "   "})
    page = login(zone.supervisor).get(reverse("issue_assignment_slip", args=[supervised.pk])).content.decode()
    assert document_unit(page) == "党工委管委会办公室"
