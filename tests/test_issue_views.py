"""Issue pages: list and filters, detail and timeline, actions per role, approvals, slips."""

import datetime

import pytest
from django.utils import timezone

from projects.models import ApprovalRequest, CalendarDay, Issue, IssueEventKind, IssueStatus, Level
from projects.querysets import today
from projects.services.issues import (
    approval_decide,
    issue_escalate,
    issue_flag_for_committee,
    issue_raise,
    issue_request_extension,
    issue_resolve,
)
from projects.workdays import add_working_days

SOON = today() + datetime.timedelta(days=40)  # within Rules.max_deadline_days


def raise_issue(z, project=None, category="permits", by=None, description="施工许可证办理"):
    return issue_raise(
        project=project or z.project_a, category=category, description=description, by=by or z.grid
    )


def to_level(z, issue, level):
    actors = {2: z.grid, 3: z.coordinator, 4: z.leader}
    while issue.level < level:
        issue_escalate(issue=issue, by=actors[issue.level + 1], reason="未能解决")
    return issue


def post(client, issue, action, **data):
    payload = {f"{action}-version": data.pop("version", issue.version)}
    payload.update({f"{action}-{key}": value for key, value in data.items()})
    return client.post(f"/issues/{issue.pk}/{action}/", payload)


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_only_visible_issues(zone, login):
    mine = raise_issue(zone, description="航空园的问题")
    theirs = raise_issue(zone, project=zone.project_b, by=zone.grid_b, description="高校园区的问题")
    page = login(zone.grid).get("/issues/")
    assert page.status_code == 200
    assert list(page.context["page"]) == [mine]
    assert "航空园的问题" in page.text and "高校园区的问题" not in page.text
    assert set(login(zone.coordinator).get("/issues/").context["page"]) == {mine, theirs}
    assert list(login(zone.nobody).get("/issues/").context["page"]) == []


def test_list_needs_login(client):
    assert client.get("/issues/").status_code == 302


@pytest.mark.parametrize(
    "query, expected",
    [
        ("level=2", {"escalated"}),
        ("status=resolved", {"resolved"}),
        ("category=land", {"land"}),
        ("overdue=1", {"overdue"}),
        ("overdue=0", {"escalated", "resolved", "land", "flagged"}),
        ("flagged=1", {"flagged"}),
        ("suspended=1", set()),
        ("q=用地", {"land"}),
        ("unresolved=1", {"escalated", "land", "overdue", "flagged"}),
        ("unresolved=0", {"resolved"}),
        ("solved_on_site=1", set()),
    ],
)
def test_list_filters(zone, login, query, expected):
    named = {
        "escalated": to_level(zone, raise_issue(zone, description="escalated"), 2),
        "resolved": raise_issue(zone, description="resolved"),
        "land": raise_issue(zone, category="land", description="用地指标"),
        "overdue": raise_issue(zone, description="overdue"),
        "flagged": to_level(zone, raise_issue(zone, description="flagged"), 4),
    }
    issue_resolve(issue=named["resolved"], by=zone.grid, resolution="ok")
    Issue.objects.filter(pk=named["overdue"].pk).update(deadline=today() - datetime.timedelta(days=1))
    issue_flag_for_committee(issue=named["flagged"], by=zone.supervisor, reason="调度")
    page = login(zone.coordinator).get(f"/issues/?{query}")
    assert page.status_code == 200
    names = {name for name, issue in named.items() if issue in page.context["page"]}
    assert names == expected


def test_list_rows_escape_what_users_typed(zone, login):
    """The rows are built in Python (views.issues.ISSUE_ROW): typed text is escaped there."""
    issue = raise_issue(zone, description='<script>alert("x")</script> & co')
    Issue.objects.filter(pk=issue.pk).update(
        deadline=today() - datetime.timedelta(days=1), suspended=True, flagged_for_committee=True
    )
    body = login(zone.grid).get("/issues/", HTTP_ACCEPT_LANGUAGE="en").text
    assert f"#{issue.pk} &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</a>" in body
    assert "<script>alert" not in body
    assert '<span class="badge text-bg-danger">Committee</span>' in body
    assert '<span class="badge text-bg-secondary">Suspended</span>' in body
    # Suspended: not overdue, whatever the deadline.
    assert 'class="text-nowrap">' in body and "text-danger fw-bold" not in body
    Issue.objects.filter(pk=issue.pk).update(suspended=False)
    body = login(zone.grid).get("/issues/", HTTP_ACCEPT_LANGUAGE="en").text
    deadline = today() - datetime.timedelta(days=1)
    assert f'class="text-nowrap text-danger fw-bold">{deadline:%Y-%m-%d} · Overdue</td>' in body


def test_list_filters_by_department_project_park_and_dates(zone, login):
    land = raise_issue(zone, category="land")
    other = raise_issue(zone, project=zone.project_b, by=zone.grid_b)
    Issue.objects.filter(pk=other.pk).update(raised_at=timezone.now() - datetime.timedelta(days=40))
    client = login(zone.coordinator)
    land_dept = land.department_id

    def shown(query):
        return set(client.get(f"/issues/?{query}").context["page"])

    assert shown(f"department={land_dept}") == {land}
    assert shown(f"project={zone.project_b.pk}") == {other}
    assert shown(f"park={zone.park_a.pk}") == {land}
    since = (today() - datetime.timedelta(days=7)).isoformat()
    assert shown(f"raised_from={since}") == {land}
    assert shown(f"raised_to={since}") == {other}
    assert client.get("/issues/?raised_from=not-a-date").status_code == 200


def test_list_filters_by_committee_leader_and_listing(zone, login):
    """The dashboard's breakdown links: a leader's projects' issues, and those of the projects listed
    in a year at a level of that year's list (`level` alone is the issue's own level)."""
    from projects.models import Listing, ListingKind, ListingLevel, Project

    a = raise_issue(zone)  # project_a: 孙主任's, listed this year at province level
    b = raise_issue(zone, project=zone.project_b, by=zone.grid_b)  # this year at city level
    Project.objects.filter(pk=zone.project_b.pk).update(leader=None)
    Listing.objects.create(
        project=zone.project_a, year=zone.year - 1, level=ListingLevel.CITY, kind=ListingKind.NEW,
        planned_investment=1000,
    )  # fmt: skip
    client = login(zone.coordinator)

    def shown(query):
        return set(client.get(f"/issues/?{query}").context["page"])

    assert shown(f"leader={zone.leader.staff.pk}") == {a}
    assert shown(f"listed_in={zone.year}") == {a, b}
    assert shown(f"listed_in={zone.year - 1}") == {a}
    assert shown(f"listed_in={zone.year - 2}") == set()
    assert shown(f"listed_in={zone.year}&listing_level=city") == {b}
    assert shown(f"listed_in={zone.year - 1}&listing_level=city") == {a}
    assert shown(f"listed_in={zone.year - 1}&listing_level=province") == set()
    assert shown("listing_level=province") == {a}  # this year's list
    assert shown(f"park={zone.park_b.pk}&listed_in={zone.year}&listing_level=city") == {b}


def test_list_query_count_does_not_grow_with_rows(zone, login, django_assert_num_queries):
    for _ in range(3):
        raise_issue(zone)
    client = login(zone.coordinator)
    client.get("/issues/")  # warm the session
    # session, user, staff with its roles (1), count, unread count, filter choices (park, committee
    # leader, department, assignee, grid worker; the project select offers only a chosen project,
    # none here), rows = 11.
    with django_assert_num_queries(11):
        client.get("/issues/")
    for _ in range(10):
        raise_issue(zone, category="land")
    with django_assert_num_queries(11):
        client.get("/issues/")


# --- Detail ----------------------------------------------------------------------------------------


def test_detail_timeline_and_404_outside(zone, login):
    issue = raise_issue(zone)
    to_level(zone, issue, 2)
    page = login(zone.grid).get(f"/issues/{issue.pk}/")
    assert page.status_code == 200
    assert [e["kind"] for e in page.context["events"]] == [IssueEventKind.RAISED, IssueEventKind.ESCALATED]
    assert "未能解决" in page.text
    # An event's text keeps its line breaks and is escaped; an event nobody made is the system's.
    issue.events.filter(kind=IssueEventKind.ESCALATED).update(text='<b>"x"</b>\n第二行', by=None)
    html = login(zone.grid).get(f"/issues/{issue.pk}/").text
    assert "<div>&lt;b&gt;&quot;x&quot;&lt;/b&gt;<br>第二行</div>" in html
    assert '<span class="small text-muted">' in html and " · 系统</span>" in html
    assert login(zone.grid_b).get(f"/issues/{issue.pk}/").status_code == 404
    assert login(zone.nobody).get(f"/issues/{issue.pk}/").status_code == 404


def test_action_forms_follow_the_role(zone, login):
    issue = raise_issue(zone)

    def actions(user):
        page = login(user).get(f"/issues/{issue.pk}/")
        return {item["action"].name for item in page.context["actions"]}

    assert {"follow_up", "escalate", "resolve", "withdraw"} <= actions(zone.grid)
    assert "assign" not in actions(zone.grid)
    dept = actions(zone.dept)
    assert {"follow_up", "resolve", "assign"} <= dept and "escalate" not in dept and "withdraw" not in dept
    assert {"assign", "escalate"} <= actions(zone.coordinator)
    assert "escalate" not in actions(zone.leader)
    assert "send_back" not in actions(zone.supervisor)


def test_first_response_late_flag(zone, login):
    issue = raise_issue(zone)
    # Raised on Monday 2 November 2026, answered Wednesday 4 November: 2 working days, over 1.
    raised = timezone.make_aware(datetime.datetime(2026, 11, 2, 9, 0))
    answered = timezone.make_aware(datetime.datetime(2026, 11, 4, 9, 0))
    Issue.objects.filter(pk=issue.pk).update(raised_at=raised, first_response_at=answered)
    page = login(zone.grid).get(f"/issues/{issue.pk}/")
    assert page.context["first_response_days"] == 2
    assert page.context["first_response_late"] is True
    Issue.objects.filter(pk=issue.pk).update(first_response_at=raised + datetime.timedelta(days=1))
    page = login(zone.grid).get(f"/issues/{issue.pk}/")
    assert (page.context["first_response_days"], page.context["first_response_late"]) == (1, False)
    # Not answered yet and raised weeks ago: late.
    Issue.objects.filter(pk=issue.pk).update(first_response_at=None)
    assert login(zone.grid).get(f"/issues/{issue.pk}/").context["first_response_late"] is True


# --- Actions ---------------------------------------------------------------------------------------


def test_follow_up_by_post(zone, login):
    issue = raise_issue(zone)
    response = post(login(zone.dept), issue, "follow_up", text="明天上门")
    assert response.status_code == 302 and response.url == f"/issues/{issue.pk}/"
    issue.refresh_from_db()
    assert issue.status == IssueStatus.IN_PROGRESS and issue.first_response_at is not None
    assert issue.events.last().text == "明天上门"


def test_actions_answer_403_404_405(zone, login):
    issue = raise_issue(zone)
    assert post(login(zone.dept), issue, "escalate", reason="x").status_code == 403
    assert post(login(zone.grid_b), issue, "follow_up", text="x").status_code == 404
    assert post(login(zone.nobody), issue, "follow_up", text="x").status_code == 404
    assert post(login(zone.grid), issue, "explode").status_code == 404
    assert login(zone.grid).get(f"/issues/{issue.pk}/follow_up/").status_code == 405
    assert post(login(zone.supervisor), issue, "flag", reason="x").status_code == 403
    issue.refresh_from_db()
    assert issue.level == Level.GRID_HELP and issue.version == 1


def test_stale_version_says_reload_and_saves_nothing(zone, login):
    issue = raise_issue(zone)
    client = login(zone.grid)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    typed = "企业反映用地指标仍未落实，需要上报调度会"
    response = post(
        client, issue, "escalate", reason=typed, version=issue.version - 1 if issue.version > 1 else 99
    )
    # Refused, and the form is shown again with what was typed (nothing is lost).
    assert response.status_code == 400
    assert "reload" in response.text.lower() and typed in response.text
    issue.refresh_from_db()
    assert issue.level == Level.GRID_HELP and issue.version == 1


def test_invalid_input_shows_errors_and_saves_nothing(zone, login):
    issue = raise_issue(zone)
    issue_resolve(issue=issue, by=zone.grid, resolution="ok")
    issue.refresh_from_db()
    response = post(login(zone.grid), issue, "close", feedback="已反馈", satisfaction="")
    assert response.status_code == 400
    assert response.context["actions"][0]["form"].errors
    response = post(login(zone.grid), issue, "close", feedback="", satisfaction="satisfied")
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    response = post(login(zone.grid), issue, "close", feedback="已告知企业", satisfaction="satisfied")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED and issue.satisfaction == "satisfied"


def test_escalate_and_assign_by_post(zone, login):
    issue = to_level(zone, raise_issue(zone), 2)
    response = post(
        login(zone.coordinator),
        issue,
        "escalate",
        reason="调度会未解决",
        deadline="",
        leader="",
        department="",
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.level == Level.LEADER and issue.assigned_by_leader == zone.leader.staff
    response = post(
        login(zone.leader),
        issue,
        "assign",
        department=zone.approval.pk,
        assignee=zone.dept.staff.pk,
        deadline=SOON.isoformat(),
        note="限期办结",
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.deadline == SOON and issue.assignee == zone.dept.staff
    # A service validation error comes back on the form: the person is not in that department.
    response = post(
        login(zone.coordinator), issue, "assign", department=zone.edb.pk, assignee=zone.dept.staff.pk
    )
    assert response.status_code == 400


def test_extension_request_and_approval_pages(zone, login):
    issue = raise_issue(zone)
    later = add_working_days(issue.deadline, 5)
    response = post(
        login(zone.dept), issue, "request_extension", reason="材料补正", new_deadline=later.isoformat()
    )
    assert response.status_code == 302
    request = ApprovalRequest.objects.get(issue=issue)
    assert login(zone.grid).get("/approvals/").status_code == 403
    assert (
        login(zone.dept).post(f"/approvals/{request.pk}/decide/", {"decision": "approve"}).status_code == 403
    )
    page = login(zone.coordinator).get("/approvals/")
    assert page.status_code == 200 and list(page.context["pending"]) == [request]
    client = login(zone.coordinator)
    assert client.get(f"/approvals/{request.pk}/decide/").status_code == 405
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.deadline == later
    # Deciding twice is refused with a message, not an error page.
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ApprovalRequest.Status.APPROVED


def test_committee_list_shows_flagged_issues(zone, login):
    flagged = to_level(zone, raise_issue(zone, description="需调度"), 4)
    to_level(zone, raise_issue(zone, description="未标记"), 4)
    issue_flag_for_committee(issue=flagged, by=zone.supervisor, reason="需党工委调度")
    page = login(zone.supervisor).get("/issues/committee/")
    assert page.status_code == 200 and list(page.context["page"]) == [flagged]
    assert list(login(zone.grid_b).get("/issues/committee/").context["page"]) == []


# --- Slips -----------------------------------------------------------------------------------------


def test_numbered_slips(zone, login):
    issue = raise_issue(zone)
    client = login(zone.coordinator)
    assert client.get(f"/issues/{issue.pk}/assignment-slip/").status_code == 404
    to_level(zone, issue, 3)
    issue.refresh_from_db()
    page = client.get(f"/issues/{issue.pk}/assignment-slip/")
    assert page.status_code == 200
    assert issue.assignment_slip_no in page.text and "data-print" in page.text
    assert client.get(f"/issues/{issue.pk}/supervision-slip/").status_code == 404
    to_level(zone, issue, 4)
    issue.refresh_from_db()
    page = client.get(f"/issues/{issue.pk}/supervision-slip/")
    assert page.status_code == 200 and f"督〔{today().year}〕1号" in page.text
    assert login(zone.grid_b).get(f"/issues/{issue.pk}/supervision-slip/").status_code == 404


def test_pending_request_is_listed_on_the_issue(zone, login):
    issue = raise_issue(zone)
    issue_request_extension(
        issue=issue, by=zone.grid, reason="等待图审", new_deadline=issue.deadline + datetime.timedelta(days=9)
    )
    page = login(zone.coordinator).get(f"/issues/{issue.pk}/")
    assert "等待图审" in page.text and page.context["can_decide"]


def test_detail_query_count_does_not_grow_with_the_timeline(zone, login, django_assert_num_queries):
    from projects.services.issues import issue_follow_up

    issue = raise_issue(zone)
    client = login(zone.coordinator)
    client.get(f"/issues/{issue.pk}/")  # warm the session; the Rules row exists from here on
    # session, user, staff with its roles (1), issue, rules, calendar days, unread count, events,
    # requests, the coordinator's form choices (assign: departments, people; escalate: departments —
    # the leaders only entering level 3) = 12.
    with django_assert_num_queries(12) as captured:
        client.get(f"/issues/{issue.pk}/")
    for n in range(8):
        issue_follow_up(issue=issue, by=zone.dept, text=f"第{n}次跟进")
    # A decided and a pending request: their people's names come with them (the page reads only
    # the columns it shows, none lazily).
    later = issue.deadline + datetime.timedelta(days=9)
    decided = issue_request_extension(issue=issue, by=zone.grid, reason="等待图审", new_deadline=later)
    approval_decide(request=decided, by=zone.coordinator, approve=False, note="不需要")
    issue.refresh_from_db()
    issue_request_extension(issue=issue, by=zone.grid, reason="再等图审", new_deadline=later)
    with django_assert_num_queries(len(captured)):
        page = client.get(f"/issues/{issue.pk}/")
    assert "不需要" in page.text and "再等图审" in page.text and "第7次跟进" in page.text


# --- Deadlines, feedback, first response (workflow gaps) -------------------------------------------


def test_department_staff_are_not_offered_the_deadline_and_a_posted_one_is_refused(zone, login):
    issue = raise_issue(zone)  # routed to 行政审批局, dept's department
    Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=2))
    issue.refresh_from_db()
    overdue_since = issue.deadline
    client = login(zone.dept)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get(f"/issues/{issue.pk}/")
    form = next(item["form"] for item in page.context["actions"] if item["action"].name == "assign")
    assert "deadline" not in form.fields
    assert 'name="assign-deadline"' not in page.text
    response = post(
        client,
        issue,
        "assign",
        department=zone.approval.pk,
        assignee=zone.dept.staff.pk,
        deadline=f"{today().year + 1}-06-30",
        note="请延后",
    )
    assert response.status_code == 400
    bound = next(item["form"] for item in response.context["actions"] if item["action"].name == "assign")
    assert "委领导" in " ".join(bound.non_field_errors())
    assert "请延后" in response.text  # nothing else of the post is lost
    issue.refresh_from_db()
    assert (issue.deadline, issue.assignee, issue.version) == (overdue_since, None, 1)
    # Without a deadline the same post goes through.
    response = post(client, issue, "assign", department=zone.approval.pk, assignee=zone.dept.staff.pk)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.deadline, issue.assignee) == (overdue_since, zone.dept.staff)


def test_the_leader_is_offered_the_deadline_at_level_3(zone, login):
    issue = to_level(zone, raise_issue(zone), 3)
    page = login(zone.leader).get(f"/issues/{issue.pk}/")
    form = next(item["form"] for item in page.context["actions"] if item["action"].name == "assign")
    assert "deadline" in form.fields
    page = login(zone.coordinator).get(f"/issues/{issue.pk}/")
    form = next(item["form"] for item in page.context["actions"] if item["action"].name == "assign")
    assert "deadline" not in form.fields


def test_feedback_to_the_enterprise_by_post(zone, login):
    issue = raise_issue(zone)
    response = post(login(zone.grid), issue, "record_feedback", feedback="")
    assert response.status_code == 400
    response = post(login(zone.grid), issue, "record_feedback", feedback="已电话告知企业办理进度")
    assert response.status_code == 302
    page = login(zone.grid).get(f"/issues/{issue.pk}/")
    assert "已电话告知企业办理进度" in page.text
    assert issue.events.last().kind == IssueEventKind.FEEDBACK
    assert post(login(zone.dept), issue, "record_feedback", feedback="x", version=2).status_code == 403
    issue_escalate(issue=issue, by=zone.grid, reason="需调度")
    issue.refresh_from_db()
    assert post(login(zone.leader), issue, "record_feedback", feedback="x").status_code == 403
    assert post(login(zone.coordinator), issue, "record_feedback", feedback="调度会已安排").status_code == 302


def test_list_filters_issues_awaiting_their_first_response(zone, login):
    # Monday 2 November 2026 is a working day, as are the days before it back to Wednesday.
    on = datetime.date(2026, 11, 2)
    at = timezone.make_aware

    def raised(description, when, responded=False):
        issue = raise_issue(zone, description=description)
        Issue.objects.filter(pk=issue.pk).update(
            raised_at=at(when), first_response_at=at(when) if responded else None
        )
        return issue

    late = raised("late", datetime.datetime(2026, 10, 29, 23, 30))  # Thursday: Fri + Mon = 2 days
    fresh = raised("fresh", datetime.datetime(2026, 10, 30, 0, 30))  # Friday: Mon = 1 day, on time
    raised("answered", datetime.datetime(2026, 10, 28, 9, 0), responded=True)
    assert set(Issue.objects.awaiting_first_response()) == {late, fresh}
    assert list(Issue.objects.first_response_late(on)) == [late]
    # An administrator's extra rest day on Friday 30 October moves the cut-off back: Thursday's issue
    # has then waited only Monday.
    CalendarDay.objects.create(date=datetime.date(2026, 10, 30), is_workday=False)
    assert list(Issue.objects.first_response_late(on)) == []
    CalendarDay.objects.all().delete()
    client = login(zone.grid)
    assert {i.description for i in client.get("/issues/?first_response=awaiting").context["page"]} == {
        "late",
        "fresh",
    }
    # The list's "late" is as of today: both were raised long ago.
    assert {i.description for i in client.get("/issues/?first_response=late").context["page"]} == {
        "late",
        "fresh",
    }
    assert client.get("/issues/?first_response=nonsense").status_code == 200
