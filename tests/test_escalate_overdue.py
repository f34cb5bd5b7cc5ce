"""python manage.py escalate_overdue: one level up for each overdue issue, once, from any server."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from projects.models import Issue, IssueEvent, IssueEventKind, IssueStatus, Level, Notification, Rules
from projects.querysets import today
from projects.services.issues import (
    Escalation,
    enter_level,
    escalate_overdue,
    issue_raise,
    issue_resolve,
    issue_withdraw,
)
from projects.workdays import add_working_days

D = datetime.date
PAST = today() - datetime.timedelta(days=10)


def overdue_issue(z, level=Level.GRID_HELP, deadline=PAST, category="permits", project=None, **changes):
    issue = issue_raise(
        project=project or z.project_a, category=category, description=f"level {level} 逾期", by=z.grid
    )
    Issue.objects.filter(pk=issue.pk).update(level=level, deadline=deadline, **changes)
    issue.refresh_from_db()
    return issue


def test_each_overdue_issue_goes_up_one_level(zone):
    one, two, three, four = (overdue_issue(zone, level) for level in Level)
    fresh = issue_raise(project=zone.project_a, category="permits", description="未到期", by=zone.grid)
    suspended = overdue_issue(zone, suspended=True)
    withdrawn = overdue_issue(zone)
    issue_withdraw(issue=withdrawn, by=zone.grid, reason="重复")
    resolved = overdue_issue(zone)
    issue_resolve(issue=resolved, by=zone.grid, resolution="已解决")

    results = escalate_overdue()

    by_issue = {r.issue_id: r for r in results}
    assert set(by_issue) == {one.pk, two.pk, three.pk, four.pk}
    assert by_issue[four.pk].outcome == Escalation.AT_TOP
    assert {by_issue[i.pk].outcome for i in (one, two, three)} == {Escalation.ESCALATED}
    rules = Rules.current()
    for issue, level, days in [
        (one, Level.COORDINATION, rules.coordination_days),
        (two, Level.LEADER, rules.leader_days),
        (three, Level.SUPERVISION, rules.supervision_days),
    ]:
        version = issue.version
        issue.refresh_from_db()
        assert issue.level == level
        assert issue.deadline == add_working_days(today(), days)
        assert issue.version == version + 1
        event = issue.events.get(kind=IssueEventKind.AUTO_ESCALATED)
        assert (event.from_level, event.to_level, event.by) == (level - 1, level, None)
        assert str(PAST) in event.text
        # The conditional UPDATE bypassed simple-history: the record is written explicitly.
        latest = issue.history.first()
        assert latest.level == level and latest.history_change_reason == "auto-escalated"
        assert latest.history_type == "~"
    four.refresh_from_db()
    assert four.level == Level.SUPERVISION and not four.events.filter(kind=IssueEventKind.AUTO_ESCALATED)
    for untouched in (fresh, suspended, withdrawn, resolved):
        before = untouched.level
        untouched.refresh_from_db()
        assert untouched.level == before
        assert not untouched.events.filter(kind=IssueEventKind.AUTO_ESCALATED).exists()


def test_level_3_goes_to_the_projects_leader_and_department(zone):
    routed = overdue_issue(zone, Level.COORDINATION)  # 行政审批局 by its category
    unrouted = overdue_issue(zone, Level.COORDINATION, department=None)
    escalate_overdue()
    routed.refresh_from_db()
    unrouted.refresh_from_db()
    assert routed.assigned_by_leader == zone.project_a.leader
    assert routed.department == zone.approval
    assert unrouted.department == zone.project_a.lead_department == zone.edb
    numbers = {routed.assignment_slip_no, unrouted.assignment_slip_no}
    assert numbers == {f"交〔{today().year}〕1号", f"交〔{today().year}〕2号"}
    # The department and the leader hear of it.
    assert Notification.objects.filter(recipient=zone.dept, issue=routed).exists()
    assert Notification.objects.filter(recipient=zone.leader, issue=routed).exists()


def test_second_run_changes_nothing(zone):
    overdue_issue(zone, Level.GRID_HELP)
    overdue_issue(zone, Level.SUPERVISION)
    first = escalate_overdue()
    events = IssueEvent.objects.count()
    history = Issue.history.count()
    second = escalate_overdue()
    assert [r.outcome for r in first] == [Escalation.ESCALATED, Escalation.AT_TOP]
    assert [r.outcome for r in second] == [Escalation.AT_TOP]
    assert IssueEvent.objects.count() == events
    assert Issue.history.count() == history


def test_dry_run_lists_and_changes_nothing(zone):
    issue = overdue_issue(zone, Level.COORDINATION)
    top = overdue_issue(zone, Level.SUPERVISION)
    events, history = IssueEvent.objects.count(), Issue.history.count()
    out = StringIO()
    call_command("escalate_overdue", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"#{issue.pk} level 2 -> 3: would escalate" in text
    assert f"#{top.pk} level 4: at level 4" in text
    assert "Dry run: 1 to escalate, 1 at level 4" in text
    assert (IssueEvent.objects.count(), Issue.history.count()) == (events, history)
    version = issue.version
    issue.refresh_from_db()
    assert (issue.level, issue.version, issue.assignment_slip_no) == (Level.COORDINATION, version, "")


def test_command_escalates(zone):
    issue = overdue_issue(zone)
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    assert f"#{issue.pk} level 1 -> 2: escalated" in out.getvalue()
    issue.refresh_from_db()
    assert issue.level == Level.COORDINATION


def test_deadline_over_national_day_and_a_make_up_saturday(zone):
    rules = Rules.current()
    rules.coordination_days = 3
    rules.save()
    issue = overdue_issue(zone, deadline=D(2026, 9, 29))
    escalate_overdue(on=D(2026, 9, 30))
    issue.refresh_from_db()
    # 1–7 October are holidays; Thu 8, Fri 9 and the make-up Saturday 10 October are working days.
    assert issue.deadline == D(2026, 10, 10)


def test_a_writer_that_lost_the_race_writes_nothing(zone):
    issue = overdue_issue(zone)
    stale = Issue.objects.get(pk=issue.pk)
    Issue.objects.filter(pk=issue.pk).update(version=issue.version + 1)  # someone else saved meanwhile
    from projects.services.issues.ladder import _auto_escalate

    changes = enter_level(stale, Level.COORDINATION, at=timezone.now(), deadline=today())
    won = _auto_escalate(stale, changes, today())
    assert won is False
    assert not IssueEvent.objects.filter(kind=IssueEventKind.AUTO_ESCALATED).exists()
    assert Issue.objects.get(pk=issue.pk).level == Level.GRID_HELP


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_escalate_each_issue_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    from tests.zone import build_zone

    zone = build_zone()
    issues = [overdue_issue(zone, level) for level in (1, 1, 2, 2, 3, 3) for _ in range(3)]
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait()
            outcomes.extend(escalate_overdue())
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
    escalated = [r.issue_id for r in outcomes if r.outcome == Escalation.ESCALATED]
    assert sorted(escalated) == sorted(issue.pk for issue in issues)
    for issue in issues:
        fresh = Issue.objects.get(pk=issue.pk)
        assert fresh.level == issue.level + 1
        assert fresh.version == issue.version + 1
        assert fresh.events.filter(kind=IssueEventKind.AUTO_ESCALATED).count() == 1
        assert fresh.history.filter(history_change_reason="auto-escalated").count() == 1
    slips = list(Issue.objects.exclude(assignment_slip_no="").values_list("assignment_slip_no", flat=True))
    assert len(slips) == len(set(slips)) == 6
    assert Issue.objects.filter(status=IssueStatus.OPEN).count() == len(issues)
