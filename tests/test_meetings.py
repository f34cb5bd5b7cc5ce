"""Coordination meetings (调度会办): the agenda proposed from the open level-2 and overdue issues, every
decision recorded in one post and applied in one transaction, printable agenda and minutes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import (
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Meeting,
    MeetingItem,
)
from projects.querysets import today
from projects.services.issues import issue_escalate, issue_raise, issue_resolve
from projects.services.meetings import meeting_create, meeting_record_decisions

pytestmark = pytest.mark.django_db


@pytest.fixture
def tabled(zone):
    """Three level-2 issues, one overdue level-1 issue, and one fresh level-1 issue (not proposed)."""
    z = zone
    z.permits = issue_raise(project=z.project_a, category="permits", description="施工许可证办理", by=z.grid)
    z.hiring = issue_raise(project=z.project_a, category="hiring", description="招聘操作工80名", by=z.grid)
    z.land = issue_raise(project=z.project_b, category="land", description="二期用地指标", by=z.grid_b)
    for issue, by in ((z.permits, z.grid), (z.hiring, z.grid), (z.land, z.grid_b)):
        issue_escalate(issue=issue, by=by, reason="网格帮办期限内未能解决")
    z.late = issue_raise(project=z.project_a, category="utilities", description="燃气管道接入", by=z.grid)
    Issue.objects.filter(pk=z.late.pk).update(deadline=today() - datetime.timedelta(days=2))
    z.fresh = issue_raise(project=z.project_a, category="policy", description="政策咨询", by=z.grid)
    for name in ("permits", "hiring", "land", "late", "fresh"):
        getattr(z, name).refresh_from_db()
    return z


def make_meeting(z, issues=None, **options):
    return meeting_create(
        **options,
        by=z.coordinator,
        date=today(),
        title="十一月重点项目调度会",
        number="调〔2026〕11号",
        chair=z.coordinator.staff,
        attendees=[z.coordinator.staff, z.dept.staff],
        departments=[z.edb, z.approval],
        issues=issues if issues is not None else [z.late, z.permits, z.hiring, z.land],
    )


def test_agenda_is_proposed_from_level_2_and_overdue_issues(tabled, login):
    z = tabled
    response = login(z.coordinator).get(reverse("meeting_new"))
    assert response.status_code == 200
    proposed = list(response.context["candidates"])
    assert proposed == [z.late, z.permits, z.hiring, z.land]  # level, then deadline
    assert set(response.context["form"].initial["issues"]) == set(proposed)  # preselected
    assert z.fresh not in proposed


def test_create_a_meeting_with_the_ticked_issues(tabled, login):
    z = tabled
    response = login(z.coordinator).post(
        reverse("meeting_new"),
        {
            "date": today().isoformat(),
            "title": "十一月重点项目调度会",
            "number": "调〔2026〕11号",
            "location": "管委会3楼会议室",
            "chair": z.coordinator.staff.pk,
            "attendees": [z.coordinator.staff.pk, z.dept.staff.pk],
            "departments": [z.edb.pk, z.approval.pk],
            "issues": [z.permits.pk, z.late.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert [item.issue for item in meeting.items.all()] == [z.late, z.permits]
    assert meeting.created_by == z.coordinator


def decision_post(meeting, decisions):
    """POST data for the meeting page: one form per undecided item, in the page's order."""
    items = list(meeting.items.filter(decision=""))
    data = {
        "decision-TOTAL_FORMS": str(len(items)),
        "decision-INITIAL_FORMS": str(len(items)),
        "decision-MIN_NUM_FORMS": "0",
        "decision-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data[f"decision-{i}-item"] = item.pk
        for key, value in decisions.get(item.issue_id, {}).items():
            data[f"decision-{i}-{key}"] = value
    return data


def test_decisions_are_recorded_in_one_post(tabled, login):
    z = tabled
    meeting = make_meeting(z)
    deadline = today() + datetime.timedelta(days=20)
    hr = z.departments["人力资源和社会保障局"]
    data = decision_post(
        meeting,
        {
            z.permits.pk: {"decision": "resolved", "note": "会上明确容缺受理，当场出具意见"},
            z.hiring.pk: {
                "decision": "assign",
                "department": hr.pk,
                "deadline": deadline.isoformat(),
                "note": "人社局上门对接招聘",
            },
            z.late.pk: {
                "decision": "escalate",
                "leader": z.leader.staff.pk,
                "note": "涉及燃气公司，需委领导协调",
            },
            # land: not decided, stays on the list
        },
    )
    response = login(z.coordinator).post(meeting.get_absolute_url(), data)
    assert response.status_code == 302
    for name in ("permits", "hiring", "late", "land"):
        getattr(z, name).refresh_from_db()
    assert (
        z.permits.status == IssueStatus.RESOLVED and z.permits.resolution == "会上明确容缺受理，当场出具意见"
    )
    assert (z.hiring.department, z.hiring.deadline, z.hiring.level) == (hr, deadline, Level.COORDINATION)
    # A level-1 issue escalated by the meeting climbs to leader assignment, named leader included.
    assert z.late.level == Level.LEADER and z.late.assigned_by_leader == z.leader.staff
    assert z.land.status == IssueStatus.OPEN and z.land.level == Level.COORDINATION
    events = IssueEvent.objects.filter(kind=IssueEventKind.MEETING_DECISION)
    assert sorted(e.issue_id for e in events) == sorted([z.permits.pk, z.hiring.pk, z.late.pk])
    assert events.get(issue=z.hiring).department == hr
    items = {item.issue_id: item for item in meeting.items.all()}
    assert items[z.hiring.pk].decision == MeetingItem.Decision.ASSIGN
    assert items[z.hiring.pk].deadline == deadline
    assert items[z.land.pk].decision == ""
    meeting.refresh_from_db()
    assert meeting.held

    # The minutes list every tabled issue with its decision, department and deadline.
    minutes = login(z.dept).get(reverse("meeting_minutes", args=[meeting.pk])).content.decode()
    for text in (
        "招聘操作工80名",
        "人力资源和社会保障局",
        deadline.isoformat(),
        "会上明确容缺受理",
        "二期用地指标",
    ):
        assert text in minutes
    # What is left can be decided later; decided items are no longer in the form.
    page = login(z.coordinator).get(meeting.get_absolute_url())
    assert page.context["formset"].total_form_count() == 1


def test_one_invalid_decision_saves_none(tabled, login):
    z = tabled
    meeting = make_meeting(z)
    data = decision_post(
        meeting,
        {
            z.permits.pk: {"decision": "resolved", "note": "已解决"},
            z.hiring.pk: {"decision": "assign", "department": z.edb.pk},  # no deadline
        },
    )
    response = login(z.coordinator).post(meeting.get_absolute_url(), data)
    assert response.status_code == 200
    z.permits.refresh_from_db()
    assert z.permits.status == IssueStatus.OPEN
    assert not IssueEvent.objects.filter(kind=IssueEventKind.MEETING_DECISION).exists()
    assert not meeting.items.exclude(decision="").exists()


def test_a_service_refusal_rolls_every_decision_back(tabled):
    z = tabled
    meeting = make_meeting(z)
    items = {item.issue_id: item for item in meeting.items.all()}
    # Resolved elsewhere after the meeting was set up.
    issue_resolve(issue=z.hiring, by=z.coordinator, resolution="已由人社局解决")
    with pytest.raises(ValidationError):
        meeting_record_decisions(
            meeting=meeting,
            by=z.coordinator,
            decisions=[
                {"item": items[z.permits.pk], "decision": "resolved", "note": "会上解决"},
                {"item": items[z.hiring.pk], "decision": "resolved", "note": "会上解决"},
            ],
        )
    z.permits.refresh_from_db()
    assert z.permits.status == IssueStatus.OPEN
    assert not meeting.items.exclude(decision="").exists()


def test_a_decided_item_cannot_be_decided_twice(tabled):
    z = tabled
    meeting = make_meeting(z, issues=[z.permits])
    item = meeting.items.get()
    meeting_record_decisions(
        meeting=meeting,
        by=z.coordinator,
        decisions=[{"item": item, "decision": "resolved", "note": "会上解决"}],
    )
    with pytest.raises(ValidationError):
        meeting_record_decisions(
            meeting=meeting,
            by=z.coordinator,
            decisions=[{"item": item, "decision": "assign", "department": z.edb, "deadline": today()}],
        )


@pytest.mark.parametrize(
    ("persona", "list_status", "sees_meeting", "new_status", "post_status"),
    [
        ("coordinator", 200, True, 200, 302),
        ("admin", 200, True, 200, 302),
        ("leader", 200, True, 403, 403),
        ("supervisor", 200, True, 403, 403),
        ("dept", 200, True, 403, 403),  # their department attended
        ("grid", 200, False, 403, 404),
        ("grid_b", 200, False, 403, 404),
        ("nobody", 200, False, 403, 404),
    ],
)
def test_who_may_see_and_run_meetings(
    tabled, login, persona, list_status, sees_meeting, new_status, post_status
):
    z = tabled
    meeting = make_meeting(z, issues=[z.permits])
    client = login(getattr(z, persona))
    response = client.get(reverse("meeting_list"))
    assert response.status_code == list_status
    assert (meeting in list(response.context["meetings"])) is sees_meeting
    for name in ("meeting_detail", "meeting_agenda", "meeting_minutes"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == (200 if sees_meeting else 404)
    assert client.get(reverse("meeting_new")).status_code == new_status
    data = decision_post(meeting, {z.permits.pk: {"decision": "resolved", "note": "会上解决"}})
    assert client.post(meeting.get_absolute_url(), data).status_code == post_status


def test_a_grid_worker_who_attended_sees_the_meeting(tabled, login):
    z = tabled
    meeting = make_meeting(z)
    meeting.attendees.add(z.grid.staff)
    assert login(z.grid).get(meeting.get_absolute_url()).status_code == 200


def test_printable_agenda(tabled, login):
    z = tabled
    meeting = make_meeting(z)
    content = login(z.coordinator).get(reverse("meeting_agenda", args=[meeting.pk])).content.decode()
    assert "data-print" in content
    assert content.index("燃气管道接入") < content.index("施工许可证办理")  # the agenda's order
    assert "调〔2026〕11号" in content


def test_meeting_list_query_count_is_bounded(tabled, login, django_assert_num_queries):
    z = tabled
    for _ in range(3):
        make_meeting(z, same_month_confirmed=True)
    client = login(z.coordinator)
    client.get(reverse("meeting_list"))
    # session, user, staff with its roles (1), unread count, meetings with their counts and chairs = 5.
    with django_assert_num_queries(5):
        response = client.get(reverse("meeting_list"))
    assert len(response.context["meetings"]) == 3


def test_the_service_checks_each_decision_not_only_the_form(tabled):
    """What MeetingDecisionForm.clean checked, the service refuses too (a command or another page
    calling it): an assignment without deadline, an escalation without leader, a deadline beyond
    Rules.max_deadline_days; nothing is applied."""
    z = tabled
    meeting = make_meeting(z)
    items = {item.issue_id: item for item in meeting.items.all()}
    far = today() + datetime.timedelta(days=365)
    refused = {}
    for name, decision in {
        "no_deadline": {"decision": MeetingItem.Decision.ASSIGN, "department": z.approval, "note": "x"},
        "no_leader": {"decision": MeetingItem.Decision.ESCALATE, "note": "提请交办"},
        "far": {"decision": MeetingItem.Decision.ASSIGN, "department": z.approval, "deadline": far},
    }.items():
        try:
            meeting_record_decisions(
                meeting=meeting, by=z.coordinator, decisions=[{"item": items[z.permits.pk], **decision}]
            )
        except ValidationError as exc:
            refused[name] = sorted(exc.message_dict)
    assert refused == {"no_deadline": ["deadline"], "no_leader": ["leader"], "far": ["deadline"]}
    z.permits.refresh_from_db()
    assert (z.permits.level, z.permits.version) == (Level.COORDINATION, 2)
    assert not meeting.items.exclude(decision="").exists()


# --- a second meeting in the same month asks; a meeting is cancelled, never deleted (issue 14) --------


def new_meeting_post(z, **extra):
    return {
        "date": today().isoformat(),
        "title": "十一月重点项目调度会",
        "chair": z.coordinator.staff.pk,
        "issues": [z.permits.pk],
        **extra,
    }


def test_a_second_meeting_in_the_same_month_asks_for_confirmation(tabled, login):
    z = tabled
    client = login(z.coordinator)
    assert client.post(reverse("meeting_new"), new_meeting_post(z)).status_code == 302
    # The untouched form posted again: refused with the question, nothing created.
    response = client.post(reverse("meeting_new"), new_meeting_post(z, issues=[z.hiring.pk]))
    assert response.status_code == 200 and Meeting.objects.count() == 1
    assert 'name="same_month_confirmed"' in response.content.decode()
    response = client.post(
        reverse("meeting_new"), new_meeting_post(z, issues=[z.hiring.pk], same_month_confirmed="on")
    )
    assert response.status_code == 302 and Meeting.objects.count() == 2
    with pytest.raises(ValidationError):
        meeting_create(by=z.coordinator, date=today(), title="第三次")


def test_a_cancelled_meeting_is_kept_and_its_issues_return_to_the_agenda_pool(tabled, login):
    from projects.services.meetings import meeting_agenda_candidates

    z = tabled
    meeting = make_meeting(z, issues=[z.permits, z.hiring])
    assert z.permits not in meeting_agenda_candidates()  # on an upcoming meeting's agenda
    client = login(z.coordinator)
    cancel = reverse("meeting_cancel", args=[meeting.pk])
    assert client.post(cancel, {"reason": "  "}).status_code == 400
    assert client.post(cancel, {"reason": "领导外出，改期至下周"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancel_reason == "领导外出，改期至下周"
    assert meeting.cancelled_by == z.coordinator.staff
    assert meeting.items.count() == 2  # nothing deleted
    assert {z.permits, z.hiring} <= set(meeting_agenda_candidates())
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="meeting-cancelled"' in page and 'id="meeting-decisions"' not in page
    with pytest.raises(ValidationError):
        meeting_record_decisions(meeting=meeting, by=z.coordinator, decisions=[])
    # A cancelled meeting does not count for the monthly question.
    meeting_create(by=z.coordinator, date=today(), title="改期后的调度会", issues=[z.permits])
    assert login(z.grid).post(cancel, {"reason": "x"}).status_code == 403


def test_a_held_meeting_cannot_be_cancelled(tabled):
    from projects.services.meetings import meeting_cancel

    z = tabled
    meeting = make_meeting(z, issues=[z.permits])
    item = meeting.items.get()
    meeting_record_decisions(
        meeting=meeting,
        by=z.coordinator,
        decisions=[{"item": item, "decision": "resolved", "note": "已办结"}],
    )
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=meeting, by=z.coordinator, reason="误建")
    assert not Meeting.objects.get(pk=meeting.pk).is_cancelled
