"""My work: what needs each user now, by role, in a bounded number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Issue, PlanNode, Rules
from projects.querysets import today
from projects.services.issues import (
    issue_assign,
    issue_escalate,
    issue_follow_up,
    issue_raise,
    issue_request_extension,
)
from projects.services.meetings import meeting_create
from projects.services.visits import visit_record

pytestmark = pytest.mark.django_db


def pks(items):
    """The numbers of a section's items (rows prepared for the template, not model instances)."""
    return [item["pk"] for item in items]


@pytest.fixture
def work(zone):
    z = zone
    z.permits = issue_raise(
        project=z.project_b, category="permits", description="规划许可证办理", by=z.grid_b
    )
    z.late = issue_raise(project=z.project_a, category="utilities", description="燃气管道接入", by=z.grid)
    Issue.objects.filter(pk=z.late.pk).update(deadline=today() - datetime.timedelta(days=3))
    z.late.refresh_from_db()
    z.lvl3 = issue_raise(project=z.project_a, category="land", description="二期用地指标", by=z.grid)
    issue_escalate(issue=z.lvl3, by=z.grid, reason="需调度")
    issue_escalate(issue=z.lvl3, by=z.coordinator, reason="需委领导协调", leader=z.leader.staff)
    z.lvl3.refresh_from_db()
    z.node = PlanNode.objects.create(
        project=z.project_a, name="1号厂房5条冲压线调试", planned_date=today() - datetime.timedelta(days=5)
    )
    PlanNode.objects.create(
        project=z.project_a, name="PPAP认定", planned_date=today() + datetime.timedelta(days=30)
    )
    z.meeting = meeting_create(
        by=z.coordinator,
        date=today() + datetime.timedelta(days=2),
        title="十二月调度会",
        chair=z.coordinator.staff,
        departments=[z.approval],
    )
    return z


def test_user_without_profile_gets_the_message(zone, login):
    response = login(zone.nobody).get(reverse("home"))
    assert response.status_code == 200
    assert "projects/no_profile.html" in [t.name for t in response.templates]


def test_grid_worker_sees_overdue_unvisited_and_late_nodes(work, login):
    z = work
    response = login(z.grid).get(reverse("home"))
    context = response.context
    assert pks(context["overdue_issues"]) == [z.late.pk]
    assert pks(context["not_visited"]) == [z.project_a.pk]
    assert pks(context["late_nodes"]) == [z.node.pk]
    assert context["late_nodes"][0]["delay_days"] > 0
    assert context["upcoming_meetings"] == []  # neither they nor their department attend
    assert "awaiting_assignment" not in context
    visit_record(project=z.project_a, by=z.grid, date=today(), kind="routine", summary="走访")
    assert login(z.grid).get(reverse("home")).context["not_visited"] == []


def test_department_staff_see_their_departments_unassigned_issues_and_meetings(work, login):
    z = work
    context = login(z.dept).get(reverse("home")).context
    assert pks(context["my_issues"]) == [z.permits.pk]  # routed to 行政审批局, nobody named yet
    assert pks(context["upcoming_meetings"]) == [z.meeting.pk]  # their department attends


def test_an_issue_item_escapes_its_words_and_marks_an_overdue_deadline(work, login):
    z = work
    Issue.objects.filter(pk=z.late.pk).update(description='<b>"停工"</b> & 待办')
    z.late.project.name = "<script>x</script>"
    z.late.project.save(update_fields=["name"])
    page = login(z.grid).get(reverse("home")).content.decode()
    item = page[page.index(f'<a href="/issues/{z.late.pk}/">') :].split("</li>")[0]
    assert f"#{z.late.pk} &lt;b&gt;&quot;停工&quot;&lt;/b&gt; &amp; 待办" in item
    assert "&lt;script&gt;x&lt;/script&gt; · " in item
    assert '<span class="text-danger fw-bold">办结期限 ' in item
    assert "<script>x" not in page


def test_leader_sees_their_projects_and_what_awaits_their_assignment(work, login):
    z = work
    client = login(z.leader)
    context = client.get(reverse("home")).context
    assert pks(context["led_projects"]) == [z.project_a.pk, z.project_b.pk]  # by code: P-A1, P-B1
    assert pks(context["awaiting_assignment"]) == [z.lvl3.pk]
    assert z.lvl3.pk in pks(context["led_open_issues"])
    assert "二期用地指标" in client.get(reverse("home")).content.decode()
    issue_assign(
        issue=z.lvl3,
        by=z.leader,
        department=z.departments["自然资源和规划局"],
        deadline=today() + datetime.timedelta(days=10),
    )
    assert client.get(reverse("home")).context["awaiting_assignment"] == []


def test_coordinator_sees_pending_approvals_and_agenda_candidates(work, login):
    z = work
    request = issue_request_extension(
        issue=z.permits,
        by=z.grid_b,
        reason="等待规划复核",
        new_deadline=today() + datetime.timedelta(days=40),
    )
    response = login(z.coordinator).get(reverse("home"))
    context = response.context
    assert pks(context["pending_approvals"]) == [request.pk]
    approvals = response.text.split('id="home-approvals"')[1].split("</section>")[0]
    assert f'href="/issues/{z.permits.pk}/">#{z.permits.pk} 规划许可证办理</a>' in approvals
    assert pks(context["agenda_candidates"]) == [z.late.pk]  # the overdue one (no open level-2 issue)
    assert pks(context["upcoming_meetings"]) == [z.meeting.pk]


def test_department_staff_and_coordinators_see_who_waits_for_a_first_response(work, login):
    z = work
    # The permits issue (行政审批局, dept's) was raised a month ago; the others today.
    Issue.objects.filter(pk=z.permits.pk).update(raised_at=timezone.now() - datetime.timedelta(days=30))
    response = login(z.dept).get(reverse("home"))
    assert response.context["first_response"] == {"awaiting": 1, "late": 1}
    assert "/issues/?first_response=late" in response.text
    coordinator = login(z.coordinator).get(reverse("home")).context["first_response"]
    assert coordinator == {"awaiting": 3, "late": 1}
    assert "first_response" not in login(z.grid).get(reverse("home")).context
    issue_follow_up(issue=z.permits, by=z.dept, text="已受理")
    assert login(z.dept).get(reverse("home")).context["first_response"] == {"awaiting": 0, "late": 0}
    # The link's list holds what the count says.
    listed = login(z.coordinator).get("/issues/?first_response=awaiting").context["page"]
    assert {issue.pk for issue in listed} == {z.late.pk, z.lvl3.pk}


def round_due_in_the_next_working_days():
    from projects.services.reminders import _round_dues, _working_day_counts

    rules = Rules.current()
    longest = max(rules.issue_reminder_days, rules.round_reminder_days, 1)
    return bool(_round_dues(today(), rules, _working_day_counts(today(), longest)))


@pytest.mark.parametrize(
    ("persona", "queries"),
    [("grid", 18), ("dept", 16), ("leader", 17), ("coordinator", 18), ("supervisor", 15)],
)
def test_home_query_count_is_bounded(work, login, django_assert_num_queries, persona, queries):
    z = work
    # More of everything must not add queries.
    for n in range(5):
        issue = issue_raise(project=z.project_a, category="permits", description=f"事项{n}", by=z.grid)
        Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=1))
        PlanNode.objects.create(
            project=z.project_a,
            name=f"节点{n}",
            planned_date=today() - datetime.timedelta(days=n + 10),
            is_key=True,
            responsible=z.dept.staff,
        )
    client = login(getattr(z, persona))
    client.get(reverse("home"))  # warm the session
    if persona == "grid" and not round_due_in_the_next_working_days():
        queries -= 4
    # session, user, staff with its roles (1), unread count, Rules, then one query per section (my issues,
    # overdue, not visited, late nodes with the calendar days of their delays, upcoming meetings: 6; "my
    # projects" is a subquery of each, left out when they are every project) = 11. Leaders add their
    # projects, awaiting assignment and their projects' open issues (3); coordinators add approvals and
    # agenda candidates (2); supervisors their level-4 items (1). Department staff and coordinators add
    # the first-response counts (2): the calendar days that fix the "late" cut-off, one aggregate. "Due
    # soon" adds the calendar of the next working days, the person's due issues and nodes (3), and for a
    # grid worker the lock and their status of the round due in those days (the round's projects by park
    # and named grid worker, the workers, their parks: 4).
    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_a_grid_workers_open_issues_and_the_supervisors_level(work, login):
    z = work
    raised = issue_raise(project=z.project_a, category="land", description="网格员提出的诉求", by=z.grid)
    mine = login(z.grid).get(reverse("home"))
    assert raised.pk in pks(mine.context["my_issues"])
    assert "网格员提出的诉求" in mine.content.decode().split('id="home-my-issues"')[1]
    supervisor = login(z.supervisor).get(reverse("home"))
    assert all(issue["level"] == 4 for issue in supervisor.context["supervision_issues"])
    assert 'id="home-supervision"' in supervisor.content.decode()
    assert "supervision_issues" not in login(z.grid).get(reverse("home")).context
