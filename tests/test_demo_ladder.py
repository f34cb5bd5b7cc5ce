"""The demo and synthetic zones' issues obey the ladder as the services would write them (STYLE.md 17):
every deadline is the entry into its level plus the level's time limit (Rules) in working days
(workdays, with CalendarDay), unless an explicit deadline is recorded on the timeline; slips are
numbered by the services' counter, 1, 2, 3… per kind and year, and the counter continues from there."""

import datetime
import re
from collections import defaultdict

from django.utils import timezone

from projects import demo
from projects.models import CalendarDay, Issue, IssueEventKind, Level, Rules, SlipCounter
from projects.services.issues import issue_escalate
from projects.workdays import add_working_days

# Timeline lines that set a deadline other than the level's default (PRODUCT.md "Deadline rules").
EXPLICIT = {
    IssueEventKind.ASSIGNED,
    IssueEventKind.MEETING_DECISION,
    IssueEventKind.EXTENDED,
    IssueEventKind.RESUMED,
}
TODAY = datetime.date(2026, 11, 26)


def wrong_deadlines():
    rules = Rules.current()
    wrong = {}
    for issue in Issue.objects.active().prefetch_related("events"):
        entered = timezone.localdate(issue.level_entered_at)
        explicit = [
            e.deadline
            for e in issue.events.all()
            if e.kind in EXPLICIT and e.deadline and e.at >= issue.level_entered_at
        ]
        wanted = explicit[-1] if explicit else add_working_days(entered, rules.time_limit(issue.level))
        if issue.deadline != wanted:
            wrong[issue.pk] = (issue.level, issue.deadline, wanted)
    return wrong


def slip_numbers():
    numbers = defaultdict(list)
    for issue in Issue.objects.all():
        for kind, value in (("交", issue.assignment_slip_no), ("督", issue.supervision_slip_no)):
            if value:
                year, number = re.fullmatch(rf"{kind}〔(\d{{4}})〕(\d+)号", value).groups()
                numbers[(kind, int(year))].append(int(number))
    return {key: sorted(values) for key, values in numbers.items()}


def test_demo_issues_keep_the_ladders_deadlines(db):
    demo.load_demo(today=TODAY)
    assert Issue.objects.filter(level__gte=Level.LEADER).exists()
    assert wrong_deadlines() == {}


def test_demo_deadlines_follow_the_administrators_rules_and_calendar(db):
    Rules.objects.update_or_create(pk=1, defaults={"grid_help_days": 7, "leader_days": 12})
    CalendarDay.objects.create(date=TODAY - datetime.timedelta(days=20), is_workday=False, note="停电检修")
    demo.load_demo(today=TODAY)
    assert wrong_deadlines() == {}


def test_demo_slips_are_numbered_as_the_services_number_them(db):
    demo.load_demo(today=TODAY)
    numbers = slip_numbers()
    assert numbers and all(values == list(range(1, len(values) + 1)) for values in numbers.values())
    assert not Issue.objects.filter(level__gte=Level.LEADER, assignment_slip_no="").exists()
    assert not Issue.objects.filter(level=Level.SUPERVISION, supervision_slip_no="").exists()
    # The next escalation to level 4 continues the sequence.
    issue = Issue.objects.active().filter(level=Level.LEADER, status__in=["open", "in_progress"]).first()
    escalated = issue_escalate(issue=issue, by=issue.project.leader.user, reason="督办")
    supervision = numbers[("督", TODAY.year)]
    assert escalated.supervision_slip_no == f"督〔{TODAY.year}〕{len(supervision) + 1}号"
    assert (
        SlipCounter.objects.get(kind=SlipCounter.Kind.SUPERVISION, year=TODAY.year).last
        == len(supervision) + 1
    )


def test_the_synthetic_zone_keeps_the_ladder_too(db):
    from projects import synthetic

    Rules.objects.update_or_create(pk=1, defaults={"coordination_days": 15})
    synthetic.generate(scale=0.05, seed=5, today=TODAY)
    assert Issue.objects.filter(level__gte=Level.LEADER).exists()
    assert wrong_deadlines() == {}
    numbers = slip_numbers()
    assert numbers and all(values == list(range(1, len(values) + 1)) for values in numbers.values())
