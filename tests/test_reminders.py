"""python manage.py send_reminders: warnings before an issue's deadline and the round's due day,
over holidays and make-up working days, once per person, item and threshold, from any server."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from projects.models import (
    Delivery,
    Issue,
    IssueStatus,
    Level,
    MonthLock,
    MonthlyReport,
    Notification,
    ReminderLog,
    Rules,
)
from projects.querysets import today
from projects.services.issues import issue_raise
from projects.services.reminders import reminders_send, threshold
from tests.loopback import Loopback

D = datetime.date


def due_issue(z, deadline, level=Level.GRID_HELP, description="施工许可证办理", **changes):
    issue = issue_raise(project=z.project_a, category="permits", description=description, by=z.grid)
    Issue.objects.filter(pk=issue.pk).update(level=level, deadline=deadline, **changes)
    issue.refresh_from_db()
    return issue


def lines(sent, username, kind=ReminderLog.Kind.ISSUE):
    return [
        r.text for user, reminders in sent if user.username == username for r in reminders if r.kind == kind
    ]


def test_thresholds():
    assert [threshold(n, 2) for n in (-1, 0, 1, 2, 3)] == [None, 0, 1, 2, None]
    assert [threshold(n, 5) for n in (0, 1, 2, 4, 5, 6)] == [0, 1, 5, 5, 5, None]  # one early warning
    assert [threshold(n, 1) for n in (0, 1, 2)] == [0, 1, None]
    assert threshold(0, 0) is None  # the kind is off


def test_over_national_day_to_a_make_up_saturday(zone):
    # 2026: 1–7 October are holidays; Thu 8, Fri 9 and the make-up Saturday 10 October are working days.
    issue = due_issue(zone, D(2026, 10, 10))
    by_day = {}
    for day in [D(2026, 9, 29), D(2026, 9, 30), *(D(2026, 10, d) for d in range(1, 12))]:
        by_day[day] = lines(reminders_send(on=day), "grid")
    sent_days = {day: texts for day, texts in by_day.items() if texts}
    assert list(sent_days) == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
    assert sent_days[D(2026, 10, 8)] == [
        f"#{issue.pk} {zone.project_a.name} — 施工许可证办理（网格帮办，期限 2026-10-10）：2 个工作日后到期"
    ]
    assert sent_days[D(2026, 10, 9)][0].endswith("：明天到期")
    assert sent_days[D(2026, 10, 10)][0].endswith("：今天到期")
    logs = ReminderLog.objects.filter(recipient=zone.grid, item=issue.pk)
    assert sorted(logs.values_list("days_before", flat=True)) == [0, 1, 2]


def test_the_last_working_day_before_a_holiday_warns(zone):
    # Due Thursday 8 October, the first working day after the holiday: Wednesday 30 September is
    # the working day before it, a week earlier.
    due_issue(zone, D(2026, 10, 8))
    assert lines(reminders_send(on=D(2026, 9, 29)), "grid")[0].endswith("：2 个工作日后到期")
    assert lines(reminders_send(on=D(2026, 9, 30)), "grid")[0].endswith("：1 个工作日后到期")
    for day in range(1, 8):
        assert lines(reminders_send(on=D(2026, 10, day)), "grid") == []  # the holiday: nothing new
    assert lines(reminders_send(on=D(2026, 10, 8)), "grid")[0].endswith("：今天到期")


def test_once_per_threshold_and_a_run_that_missed_days_catches_up(zone, mailoutbox):
    rules = Rules.current()
    rules.issue_reminder_days = 5
    rules.save()
    issue = due_issue(zone, D(2026, 11, 20))  # Friday
    assert lines(reminders_send(on=D(2026, 11, 13)), "grid")  # Fri, 5 working days ahead
    assert lines(reminders_send(on=D(2026, 11, 13)), "grid") == []  # the same day again
    assert lines(reminders_send(on=D(2026, 11, 16)), "grid") == []  # 4 ahead: the same early threshold
    assert lines(reminders_send(on=D(2026, 11, 19)), "grid")[0].endswith("：明天到期")
    # An extension moves the deadline: the new date warns again.
    Issue.objects.filter(pk=issue.pk).update(deadline=D(2026, 11, 23))
    assert lines(reminders_send(on=D(2026, 11, 20)), "grid")[0].endswith("：1 个工作日后到期")


def test_who_is_reminded(zone):
    permits = due_issue(zone, D(2026, 11, 20))  # 行政审批局 by its route; park A's project
    coordination = due_issue(zone, D(2026, 11, 20), level=Level.COORDINATION, description="协调用地")
    leader = due_issue(zone, D(2026, 11, 20), level=Level.LEADER, description="领导交办事项")
    due_issue(zone, D(2026, 11, 20), suspended=True, description="挂起的")
    resolved = due_issue(zone, D(2026, 11, 20), description="已解决的")
    Issue.objects.filter(pk=resolved.pk).update(status=IssueStatus.RESOLVED, resolution="已解决")
    due_issue(zone, D(2026, 12, 31), description="还早")
    sent = {
        user.username: {r.item for r in reminders} for user, reminders in reminders_send(on=D(2026, 11, 19))
    }
    assert sent == {
        "grid": {permits.pk, coordination.pk, leader.pk},
        "dept": {permits.pk, coordination.pk, leader.pk},
        "coordinator": {coordination.pk},
        "leader": {leader.pk},
    }


def test_one_message_per_person_with_a_line_per_item(
    zone, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    first = due_issue(zone, D(2026, 11, 20))
    second = due_issue(zone, D(2026, 11, 19), description="环评批复")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(on=D(2026, 11, 19))
    run_jobs()
    (mail,) = [mail for mail in mailoutbox if mail.subject.startswith("截止提醒")]
    assert mail.subject == "截止提醒：2 项即将到期（其中有今天到期的）"
    assert mail.body.splitlines()[:2] == [
        f"#{second.pk} {zone.project_a.name} — 环评批复（网格帮办，期限 2026-11-19）：今天到期",
        f"#{first.pk} {zone.project_a.name} — 施工许可证办理（网格帮办，期限 2026-11-20）：明天到期",
    ]
    assert mail.body.rstrip().endswith("/")  # two items: the home page lists them
    # One in-app row per item, linked to it.
    assert set(Notification.objects.filter(recipient=zone.dept).values_list("url", flat=True)) >= {
        f"/issues/{first.pk}/",
        f"/issues/{second.pk}/",
    }


def test_the_monthly_round_due_day(zone):
    # November 2026 is due on 5 December, a Saturday: from Thursday 3 December one working day
    # (Friday 4) is left before it, so that is the "working day before" threshold.
    rules = Rules.current()
    rules.issue_reminder_days = 0
    rules.save()
    MonthlyReport.objects.create(project=zone.project_b, year=2026, month=11, amount=10)
    sent = {
        user.username: [r.text for r in reminders] for user, reminders in reminders_send(on=D(2026, 12, 3))
    }
    assert sent == {"grid": ["月度投资 2026-11：1 个项目尚未填报（截止 2026-12-05）：1 个工作日后到期"]}
    # Locked: nobody is reminded of it any more.
    MonthLock.objects.create(year=2026, month=11)
    assert reminders_send(on=D(2026, 12, 4)) == []


def test_a_plan_node_warns_its_responsible_people(zone):
    from projects.models import PlanNode

    rules = Rules.current()
    rules.round_reminder_days = 0
    rules.save()
    mine = PlanNode.objects.create(
        project=zone.project_a, name="施工许可", planned_date=D(2026, 11, 20), responsible=zone.dept.staff
    )
    departments = PlanNode.objects.create(
        project=zone.project_b, name="规划许可", planned_date=D(2026, 11, 23), department=zone.approval
    )
    PlanNode.objects.create(
        project=zone.project_a, name="已完成", planned_date=D(2026, 11, 20), actual_date=D(2026, 11, 1)
    )
    sent = {
        user.username: [(r.item, r.text) for r in reminders]
        for user, reminders in reminders_send(on=D(2026, 11, 19))
    }
    assert sent == {
        # dept is the first node's responsible person and, by department, the second's.
        "dept": [
            (mine.pk, f"{zone.project_a.name} 计划节点 施工许可（计划 2026-11-20）：明天到期"),
            (departments.pk, f"{zone.project_b.name} 计划节点 规划许可（计划 2026-11-23）：2 个工作日后到期"),
        ],
        "grid": [(mine.pk, f"{zone.project_a.name} 计划节点 施工许可（计划 2026-11-20）：明天到期")],
        "grid_b": [
            (departments.pk, f"{zone.project_b.name} 计划节点 规划许可（计划 2026-11-23）：2 个工作日后到期")
        ],
    }
    assert ReminderLog.objects.filter(kind=ReminderLog.Kind.NODE).count() == 4
    assert reminders_send(on=D(2026, 11, 19)) == []


def test_dry_run_sends_and_records_nothing(zone):
    due_issue(zone, D(2026, 11, 20))
    deliveries, notifications = Delivery.objects.count(), Notification.objects.count()
    out = StringIO()
    sent = reminders_send(on=D(2026, 11, 19), dry_run=True)
    assert lines(sent, "grid")
    assert not ReminderLog.objects.exists()
    assert (Delivery.objects.count(), Notification.objects.count()) == (deliveries, notifications)
    call_command("send_reminders", "--dry-run", stdout=out)
    assert "Dry run:" in out.getvalue()


def test_query_count_does_not_grow_with_the_items(zone, django_assert_num_queries):
    for n in range(3):
        due_issue(zone, D(2026, 11, 20), description=f"事项{n}")
    reminders_send(on=D(2026, 11, 18), dry_run=True)  # warm caches (content types)
    # Rules (1), calendar (1), due plan nodes (1), no round due in the window (0), users with staff,
    # roles and parks (3) = 6; then for each of the 7 users with a profile their due issues (7) and,
    # for the 2 with items (grid, dept), the log rows already taken (2) = 15.
    # More issues add no query.
    with django_assert_num_queries(15):
        sent = reminders_send(on=D(2026, 11, 19), dry_run=True)
    assert len(lines(sent, "grid")) == 3
    for n in range(3, 9):
        due_issue(zone, D(2026, 11, 20), description=f"事项{n}")
    with django_assert_num_queries(15):
        sent = reminders_send(on=D(2026, 11, 19), dry_run=True)
    assert len(lines(sent, "grid")) == 9


def test_home_shows_what_is_due_soon(zone, login):
    soon = due_issue(zone, today() + datetime.timedelta(days=1))
    due_issue(zone, today() + datetime.timedelta(days=40), description="还早")
    page = login(zone.grid).get(reverse("home"))
    assert [item.item for item in page.context["due_soon"] if item.kind == "issue"] == [soon.pk]
    assert f'href="/issues/{soon.pk}/"' in page.text and "明天到期" in page.text
    assert [
        item for item in login(zone.grid_b).get(reverse("home")).context["due_soon"] if item.kind == "issue"
    ] == []


def test_send_reminders_then_run_jobs_delivers_to_wecom(
    zone, settings, django_capture_on_commit_callbacks, run_jobs
):
    """Done when: NOTIFICATION_SENDERS names the WeCom sender and WECOM_WEBHOOK_URL a listener;
    send_reminders then run_jobs --until-empty deliver a message naming an issue due tomorrow."""
    issue = due_issue(zone, today() + datetime.timedelta(days=1), description="施工许可证办理")
    with Loopback() as api:
        settings.NOTIFICATION_SENDERS = ["projects.notifications.WeComRobotSender"]
        settings.WECOM_WEBHOOK_URL = f"{api.url}/cgi-bin/webhook/send?key=zone"
        settings.SITE_URL = "https://newzone.example"
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out)
        assert api.requests == []  # nothing leaves inside the command: the worker sends
        run_jobs()
        contents = [request["json"]["markdown"]["content"] for request in api.requests]
    grid = next(content for content in contents if "赵审批" in content)  # dept's: this one issue
    assert f"#{issue.pk} {zone.project_a.name} — 施工许可证办理" in grid and "明天到期" in grid
    assert f"(https://newzone.example/issues/{issue.pk}/)" in grid
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(contents)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_remind_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    from tests.zone import build_zone

    zone = build_zone()
    issues = [due_issue(zone, D(2026, 11, 20), description=f"事项{n}") for n in range(6)]
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait()
            outcomes.extend(reminders_send(on=D(2026, 11, 19)))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    pairs = [(user.username, r.item) for user, reminders in outcomes for r in reminders]
    assert len(pairs) == len(set(pairs))  # nobody got a line twice
    assert sorted(item for name, item in pairs if name == "grid") == sorted(i.pk for i in issues)
    assert ReminderLog.objects.count() == len(pairs)
    assert Notification.objects.filter(recipient=zone.grid).count() == len(issues)
    for user in (zone.grid, zone.dept):
        reminders = Delivery.objects.filter(recipients=user, subject__startswith="截止提醒")
        assert 1 <= reminders.count() <= 4  # at most one message per run
        assert sum(len(d.text.splitlines()) for d in reminders) == len(issues)
