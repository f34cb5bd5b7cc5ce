"""The rulebook (projects/rulebook.py) walked whole: every IssueAction × persona × level × status (and
suspended, flagged variants), through the service and through the issue page, one assertion per matrix
(taiga's style). The expectation is computed from the table's grants and a hand-written truth of its
named conditions for this zone — not from `allowed_actions` — so a wrong grant or a service that skips
the table fails here."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from projects import rulebook
from projects.models import Issue, IssueAction, IssueStatus, Level, RoleCode, Satisfaction
from projects.querysets import today
from projects.services import issues as services
from projects.views.issues import ACTIONS

G, D, C, L, S, A = (
    RoleCode.GRID_WORKER,
    RoleCode.DEPARTMENT,
    RoleCode.COORDINATOR,
    RoleCode.LEADER,
    RoleCode.SUPERVISOR,
    RoleCode.ADMINISTRATOR,
)
PERSONA_ROLES = {
    "grid": {G},
    "grid_b": {G},
    "dept": {D},
    "coordinator": {C},
    "leader": {L},
    "supervisor": {S},
    "admin": {A},
    "nobody": set(),
}
# The matrix's issue: project_a (grid's park), assigned to 行政审批局 (dept's), raised by the leader.
SEES_THE_ISSUE = {"grid", "dept", "coordinator", "leader", "supervisor", "admin"}


def condition_truth(suspended_and_flagged):
    """Who meets each named condition on the matrix's issue (by hand, from the zone)."""
    everyone = set(PERSONA_ROLES)
    return {
        rulebook.PROJECT_GRID_WORKER: {"grid"},
        rulebook.OWN_DEPARTMENT: {"dept"},
        rulebook.RAISER: {"leader"},
        rulebook.NOT_SUSPENDED: set() if suspended_and_flagged else everyone,
        rulebook.SUSPENDED: everyone if suspended_and_flagged else set(),
        rulebook.NOT_FLAGGED: set() if suspended_and_flagged else everyone,
    }


def expected(persona, action, level, status, variant):
    if persona not in SEES_THE_ISSUE:
        return False
    truth = condition_truth(variant)
    return any(
        PERSONA_ROLES[persona] & grant.roles
        and level in grant.levels
        and status in grant.statuses
        and all(persona in truth[condition] for condition in grant.conditions)
        for grant in rulebook.ISSUE_RULES[action]
    )


STATES = [(level, status, variant) for level in Level for status in IssueStatus for variant in (False, True)]

# Valid arguments for each action's service: a refusal can only be the rulebook's.
SERVICE_CALLS = {
    IssueAction.FOLLOW_UP: lambda i: services.issue_follow_up(issue=i["issue"], by=i["by"], text="跟进"),
    IssueAction.ASSIGN: lambda i: services.issue_assign(
        issue=i["issue"], by=i["by"], department=i["issue"].department
    ),
    IssueAction.ESCALATE: lambda i: services.issue_escalate(issue=i["issue"], by=i["by"], reason="升级"),
    IssueAction.RESOLVE: lambda i: services.issue_resolve(issue=i["issue"], by=i["by"], resolution="已办"),
    IssueAction.CLOSE: lambda i: services.issue_close(
        issue=i["issue"], by=i["by"], feedback="已反馈", satisfaction=Satisfaction.SATISFIED
    ),
    IssueAction.RECORD_FEEDBACK: lambda i: services.issue_record_feedback(
        issue=i["issue"], by=i["by"], feedback="阶段反馈"
    ),
    IssueAction.REOPEN: lambda i: services.issue_reopen(issue=i["issue"], by=i["by"], reason="未解决"),
    IssueAction.REQUEST_EXTENSION: lambda i: services.issue_request_extension(
        issue=i["issue"],
        by=i["by"],
        reason="需要时间",
        new_deadline=i["issue"].deadline + datetime.timedelta(days=7),
    ),
    IssueAction.REQUEST_SUSPENSION: lambda i: services.issue_request_suspension(
        issue=i["issue"], by=i["by"], reason="等待用地指标"
    ),
    IssueAction.RESUME: lambda i: services.issue_resume(issue=i["issue"], by=i["by"]),
    IssueAction.SEND_BACK: lambda i: services.issue_send_back(issue=i["issue"], by=i["by"], comments="退回"),
    IssueAction.FLAG: lambda i: services.issue_flag_for_committee(
        issue=i["issue"], by=i["by"], reason="提请"
    ),
    IssueAction.WITHDRAW: lambda i: services.issue_withdraw(issue=i["issue"], by=i["by"], reason="重复"),
}


def make_issue(z, level, status, variant):
    done = status in (IssueStatus.RESOLVED, IssueStatus.CLOSED)
    return Issue.objects.create(
        project=z.project_a,
        category="permits",
        description=f"诉求 {level} {status} {variant}",
        level=level,
        status=status,
        department=z.approval,
        raised_by=z.leader.staff,
        raised_at=timezone.now(),
        level_entered_at=timezone.now(),
        deadline=today() + datetime.timedelta(days=5),
        resolution="已办" if done else "",
        feedback="已反馈" if status == IssueStatus.CLOSED else "",
        satisfaction=Satisfaction.SATISFIED if status == IssueStatus.CLOSED else "",
        suspended=variant,
        flagged_for_committee=variant,
    )


def service_outcome(call, issue_pk, user):
    """True if the service acted, False if it refused (PermissionDenied); rolled back either way."""
    try:
        with transaction.atomic():
            call({"issue": Issue.objects.get(pk=issue_pk), "by": user})
            transaction.set_rollback(True)
    except PermissionDenied:
        return False
    except ValidationError as exc:  # a bad argument of this test, shown in the failing matrix
        return f"invalid: {exc.messages}"
    return True


def test_every_action_is_in_the_table_the_page_and_this_matrix():
    assert (set(rulebook.ISSUE_RULES), set(ACTIONS), set(SERVICE_CALLS)) == (set(IssueAction),) * 3


def test_the_services_allow_exactly_what_the_rulebook_says(zone):
    z = zone
    issues = {state: make_issue(z, *state).pk for state in STATES}
    actual, wanted = {}, {}
    for state, pk in issues.items():
        for persona in PERSONA_ROLES:
            user = getattr(z, persona)
            for action in IssueAction:
                key = (persona, action.value, *state)
                wanted[key] = expected(persona, action, *state)
                actual[key] = service_outcome(SERVICE_CALLS[action], pk, user)
    assert actual == wanted


def test_the_issue_page_offers_a_form_exactly_when_allowed(zone, client):
    z = zone
    issues = {state: make_issue(z, *state) for state in STATES}
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        client.force_login(getattr(z, persona), backend="django.contrib.auth.backends.ModelBackend")
        for state, issue in issues.items():
            response = client.get(f"/issues/{issue.pk}/")
            html = response.content.decode() if response.status_code == 200 else ""
            for action in IssueAction:
                key = (persona, action.value, *state)
                wanted[key] = expected(persona, action, *state)
                actual[key] = f'action="/issues/{issue.pk}/{action.value}/"' in html
    assert actual == wanted


def test_a_withdrawn_issue_allows_nothing(zone):
    issue = make_issue(zone, Level.GRID_HELP, IssueStatus.OPEN, False)
    issue.withdrawn_at = timezone.now()
    issue.save()
    assert {name: rulebook.allowed_actions(getattr(zone, name), issue) for name in PERSONA_ROLES} == {
        name: set() for name in PERSONA_ROLES
    }


@pytest.mark.parametrize("persona", list(PERSONA_ROLES))
def test_project_actions_follow_the_project_table(zone, persona):
    """ProjectAction × persona on project_a (grid's park): the table's grants with the grid-worker truth."""
    from projects.models import ProjectAction

    user = getattr(zone, persona)
    truth = {rulebook.PROJECT_GRID_WORKER: {"grid"}}
    wanted = {
        action: any(
            PERSONA_ROLES[persona] & g.roles and all(persona in truth[c] for c in g.conditions)
            for g in rulebook.PROJECT_RULES[action]
        )
        for action in ProjectAction
    }
    actual = {action: rulebook.may_act_on_project(user, action, zone.project_a) for action in ProjectAction}
    assert actual == wanted
