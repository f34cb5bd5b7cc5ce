"""The rulebook (projects/rulebook.py) walked whole: every IssueAction × persona × level × status (and
suspended, flagged variants), through the service and through the issue page, one assertion per matrix
(taiga's style). The expectation is computed from the table's grants and a hand-written truth of its
named conditions for this zone — not from `allowed_actions` — so a wrong grant or a service that skips
the table fails here."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from projects import rulebook
from projects.ledger import LedgerRejected, ledger_apply, ledger_read
from projects.management.commands import import_ledger
from projects.models import (
    CorrectionStatus,
    Issue,
    IssueAction,
    IssueStatus,
    Level,
    Listing,
    ListingKind,
    ListingLevel,
    MonthLock,
    MonthlyReport,
    Project,
    ProjectAction,
    ReportCorrection,
    RoleCode,
    Satisfaction,
    Visit,
    VisitKind,
    ZoneAction,
)
from projects.querysets import today
from projects.services import issues as services
from projects.services.reports import (
    RoundRow,
    month_lock,
    report_correction_decide,
    round_remind_missing,
    round_save,
)
from projects.services.visits import visit_withdraw
from projects.views.issues import ACTIONS
from tests.ledger_book import build
from tests.ledger_book import listing as ledger_listing
from tests.ledger_book import report as ledger_report

PERSONA_ROLES = {
    "grid": {RoleCode.GRID_WORKER},
    "grid_b": {RoleCode.GRID_WORKER},
    "dept": {RoleCode.DEPARTMENT},
    "coordinator": {RoleCode.COORDINATOR},
    "leader": {RoleCode.LEADER},
    "supervisor": {RoleCode.SUPERVISOR},
    "admin": {RoleCode.ADMINISTRATOR},
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

    user = getattr(zone, persona)
    # A project has no recorder: WITHDRAW_VISIT's subject is a visit (the visit matrix below).
    truth = {rulebook.PROJECT_GRID_WORKER: {"grid"}, rulebook.VISIT_RECORDER: set()}
    wanted = {
        action: grants_allow(persona, rulebook.PROJECT_RULES[action], truth) for action in ProjectAction
    }
    actual = {action: rulebook.may_act_on_project(user, action, zone.project_a) for action in ProjectAction}
    assert actual == wanted


def grants_allow(persona, grants, truth):
    """The table's answer for a persona, with the named conditions' truth given by hand."""
    return any(
        PERSONA_ROLES[persona] & g.roles and all(persona in truth[c] for c in g.conditions) for g in grants
    )


def refused(call, *args, **kwargs):
    """False if the rulebook refused (PermissionDenied, or a round row outside the user's round), True
    otherwise — acted, or stopped by the state (a locked month, a withdrawn visit); rolled back."""
    try:
        with transaction.atomic():
            call(*args, **kwargs)
            transaction.set_rollback(True)
    except PermissionDenied:
        return False
    except ValidationError as exc:
        return getattr(exc, "code", None) != "forbidden"
    except LedgerRejected:
        return True
    return True


def test_every_project_and_zone_action_is_in_its_table_and_the_matrices():
    assert (set(rulebook.PROJECT_RULES), set(rulebook.ZONE_RULES)) == (set(ProjectAction), set(ZoneAction))
    assert set(ZONE_SERVICE_CALLS) | ZONE_READS == set(ZoneAction) == set(ZONE_PAGES)
    assert not set(ZONE_SERVICE_CALLS) & ZONE_READS


# --- visits: ProjectAction.WITHDRAW_VISIT on a visit ---------------------------------------------------

VISIT_STATES = [
    (recorder, withdrawn) for recorder in ("grid", "dept", "leader") for withdrawn in (False, True)
]
# The visits are on project_a; the department's visit brings 行政审批局, so dept sees them all.
SEES_THE_VISITS = {"grid", "dept", "coordinator", "leader", "supervisor", "admin"}


def make_visits(z):
    visits = {}
    for recorder, withdrawn in VISIT_STATES:
        visit = Visit.objects.create(
            project=z.project_a,
            date=today(),
            kind=VisitKind.ROUTINE,
            summary=f"走访 {recorder} {withdrawn}",
            recorded_by=getattr(z, recorder).staff,
            withdrawn_at=timezone.now() if withdrawn else None,
            withdrawn_reason="重复" if withdrawn else "",
        )
        if recorder == "dept":
            visit.departments.set([z.approval])
        visits[(recorder, withdrawn)] = visit
    return visits


def visit_expected(persona, recorder):
    truth = {rulebook.VISIT_RECORDER: {recorder}, rulebook.PROJECT_GRID_WORKER: {"grid"}}
    return persona in SEES_THE_VISITS and grants_allow(
        persona, rulebook.PROJECT_RULES[ProjectAction.WITHDRAW_VISIT], truth
    )


def test_visit_withdrawal_through_the_service_follows_the_table(zone):
    visits = make_visits(zone)
    actual, wanted = {}, {}
    for (recorder, withdrawn), visit in visits.items():
        for persona in PERSONA_ROLES:
            key = (persona, recorder, withdrawn)
            wanted[key] = visit_expected(persona, recorder)
            actual[key] = refused(
                visit_withdraw, visit=Visit.objects.get(pk=visit.pk), by=getattr(zone, persona), reason="重复"
            )
    assert actual == wanted


def test_visit_withdrawal_through_the_pages_follows_the_table(zone, client):
    visits = make_visits(zone)
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        client.force_login(getattr(zone, persona), backend="django.contrib.auth.backends.ModelBackend")
        for (recorder, withdrawn), visit in visits.items():
            allowed = visit_expected(persona, recorder)
            detail = client.get(f"/visits/{visit.pk}/")
            page = client.get(f"/visits/{visit.pk}/withdraw/")
            key = (persona, recorder, withdrawn)
            wanted[key] = (allowed and not withdrawn, allowed)
            actual[key] = (
                f'href="/visits/{visit.pk}/withdraw/"' in detail.content.decode(),
                page.status_code in (200, 302),
            )
    assert actual == wanted


# --- the monthly round: filling it is LOG_PROGRESS, project by project; the rest the zone table ------

THIS_YEAR = today().year
ROUND_MONTHS = {  # the month acted on: still open, past its deadline, locked
    "open": (THIS_YEAR, today().month),
    "due": (THIS_YEAR - 1, 6),
    "locked": (THIS_YEAR - 1, 5),
}


def on_month(state):
    year, month = ROUND_MONTHS[state]
    return {"year": year, "month": month}


def round_zone(z):
    for project in (z.project_a, z.project_b):
        Listing.objects.create(
            project=project,
            year=THIS_YEAR - 1,
            level=ListingLevel.CITY,
            kind=ListingKind.NEW,
            planned_investment=Decimal("1000"),
        )
    MonthLock.objects.create(year=ROUND_MONTHS["locked"][0], month=ROUND_MONTHS["locked"][1])
    return {
        state: ReportCorrection.objects.create(
            project=z.project_a,
            year=y,
            month=m,
            new_amount=Decimal("5"),
            reason="漏报",
            requested_by=z.grid.staff,
        )
        for state, (y, m) in ROUND_MONTHS.items()
    }


def fill_expected(persona, project_name):
    truth = {rulebook.PROJECT_GRID_WORKER: {"project_a": {"grid"}, "project_b": {"grid_b"}}[project_name]}
    return grants_allow(persona, rulebook.PROJECT_RULES[ProjectAction.LOG_PROGRESS], truth)


def fill(z, persona, project_name, year, month):
    row = RoundRow(
        project_id=getattr(z, project_name).pk,
        amount=Decimal("12"),
        note="",
        original_amount=None,
        original_note="",
        confirmed=True,
    )
    return lambda: round_save(year=year, month=month, by=getattr(z, persona), rows=[row])


def test_filling_the_round_through_the_service_follows_log_progress(zone):
    round_zone(zone)
    actual, wanted = {}, {}
    for state, (year, month) in ROUND_MONTHS.items():
        for project_name in ("project_a", "project_b"):
            for persona in PERSONA_ROLES:
                key = (persona, project_name, state)
                wanted[key] = fill_expected(persona, project_name)
                actual[key] = refused(fill(zone, persona, project_name, year, month))
    assert actual == wanted


def test_the_round_page_lists_exactly_the_projects_the_user_fills(zone, client):
    round_zone(zone)
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        client.force_login(getattr(zone, persona), backend="django.contrib.auth.backends.ModelBackend")
        for state, (year, month) in ROUND_MONTHS.items():
            response = client.get(f"/round/{year}/{month}/")
            listed = {p.pk for p in response.context["projects"]} if response.status_code == 200 else set()
            for project_name in ("project_a", "project_b"):
                key = (persona, project_name, state)
                wanted[key] = fill_expected(persona, project_name)
                actual[key] = getattr(zone, project_name).pk in listed
    assert actual == wanted


def ledger_file(year, month):
    """A new project listed in `year` with `month`'s figure (a bad row when that month is locked)."""
    return build(
        [ledger_listing("Z-1", year=year)], [ledger_report("Z-1", year=year, month=month, amount=10)]
    )


# Every ZoneAction's service calls, each given (zone, user, state); a read has none (its page decides).
ZONE_READS = {ZoneAction.READ_ROUND_STATUS}
ZONE_SERVICE_CALLS = {
    ZoneAction.RUN_ROUND: [
        lambda z, user, state, corrections: month_lock(**on_month(state), by=user),
        lambda z, user, state, corrections: round_remind_missing(**on_month(state), by=user),
    ],
    ZoneAction.DECIDE_REPORT_CORRECTION: [
        lambda z, user, state, corrections: report_correction_decide(
            correction=corrections[state], by=user, approve=False, note="不需要"
        )
    ],
    ZoneAction.IMPORT_LEDGER: [
        lambda z, user, state, corrections: ledger_apply(
            ledger_read(ledger_file(*ROUND_MONTHS[state])), by=user
        )
    ],
    ZoneAction.IMPORT_LOCKED_MONTHS: [
        lambda z, user, state, corrections: ledger_apply(
            ledger_read(ledger_file(*ROUND_MONTHS[state]), as_correction=True), by=user, as_correction=True
        )
    ],
}


def zone_expected(persona, action):
    return grants_allow(persona, rulebook.ZONE_RULES[action], {})


def test_the_zone_services_allow_exactly_what_the_zone_table_says(zone):
    corrections = round_zone(zone)
    actual, wanted = {}, {}
    for action, calls in ZONE_SERVICE_CALLS.items():
        for state in ROUND_MONTHS:
            for persona in PERSONA_ROLES:
                user = getattr(zone, persona)
                for index, call in enumerate(calls):
                    key = (persona, action.value, index, state)
                    wanted[key] = zone_expected(persona, action)
                    actual[key] = refused(call, zone, user, state, corrections)
    assert actual == wanted


def _offers(html, *urls):
    return any(f'action="{url}"' in html or f'href="{url}"' in html for url in urls)


# Every ZoneAction's page: (client, state, corrections, tmp_path, persona) → True when it acts or offers.
ZONE_PAGES = {
    ZoneAction.READ_ROUND_STATUS: lambda c, state, *_: (
        c.get(reverse("round_status", args=ROUND_MONTHS[state])).status_code == 200
    ),
    ZoneAction.RUN_ROUND: lambda c, state, *_: (
        c.post(reverse("round_remind", args=ROUND_MONTHS[state])).status_code == 302,
        c.post(reverse("round_lock", args=ROUND_MONTHS[state])).status_code == 302,
    ),
    ZoneAction.DECIDE_REPORT_CORRECTION: lambda c, state, corrections, *_: (
        c.get(reverse("corrections")).status_code == 200,
        c.post(reverse("correction_decide", args=[corrections[state].pk]), {"reject": "1"}).status_code
        == 302,
    ),
    ZoneAction.IMPORT_LEDGER: lambda c, state, corrections, tmp_path, persona: (
        c.get(reverse("ledger_import")).status_code == 200,
        command_acts(tmp_path, state, "--user", persona),
    ),
    ZoneAction.IMPORT_LOCKED_MONTHS: lambda c, state, corrections, tmp_path, persona: (
        'name="as_correction"' in c.get(reverse("ledger_import")).content.decode(),
        command_acts(tmp_path, state, "--as-correction", "--user", persona),
    ),
}


def command_acts(tmp_path, state, *args):
    """False if `import_ledger` refused the user (exit status 77), True otherwise (imported, or bad rows)."""
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger_file(*ROUND_MONTHS[state]).getvalue())
    try:
        call_command("import_ledger", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as error:
        return error.returncode != import_ledger.REFUSED
    return True


def test_the_zone_pages_and_the_command_follow_the_zone_table(zone, client, tmp_path):
    corrections = round_zone(zone)
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        client.force_login(getattr(zone, persona), backend="django.contrib.auth.backends.ModelBackend")
        for state in ROUND_MONTHS:
            for action, page in ZONE_PAGES.items():
                outcome = page(client, state, corrections, tmp_path, persona)
                outcome = outcome if isinstance(outcome, tuple) else (outcome,)
                key = (persona, action.value, state)
                wanted[key] = (zone_expected(persona, action),) * len(outcome)
                actual[key] = outcome
    assert actual == wanted


def test_the_round_status_page_offers_the_remind_and_lock_forms_exactly_to_who_runs_the_round(zone, client):
    round_zone(zone)
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        client.force_login(getattr(zone, persona), backend="django.contrib.auth.backends.ModelBackend")
        for state, month in ROUND_MONTHS.items():
            response = client.get(reverse("round_status", args=month))
            html = response.content.decode() if response.status_code == 200 else ""
            key = (persona, state)
            wanted[key] = (
                zone_expected(persona, ZoneAction.RUN_ROUND) and state != "locked",
                zone_expected(persona, ZoneAction.DECIDE_REPORT_CORRECTION),
            )
            actual[key] = (
                _offers(html, reverse("round_remind", args=month)),
                _offers(html, reverse("corrections")),
            )
    assert actual == wanted


def test_the_menu_links_follow_the_rulebook(zone, client):
    actual, wanted = {}, {}
    for persona in PERSONA_ROLES:
        user = getattr(zone, persona)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        html = client.get("/projects/").content.decode()
        wanted[persona] = (
            rulebook.may_take_some(user, ProjectAction.LOG_PROGRESS),
            zone_expected(persona, ZoneAction.READ_ROUND_STATUS),
            zone_expected(persona, ZoneAction.IMPORT_LEDGER),
        )
        actual[persona] = (
            _offers(html, reverse("round_current")),
            _offers(html, reverse("round_status_current")),
            _offers(html, reverse("ledger_import")),
        )
    assert actual == wanted


# --- each path refuses the unauthorised, names the role, and changes nothing ---------------------------

COORDINATOR_OR_ADMIN = "经发局（统筹协调） / 管理员"  # the 403 page's "needs the role" (zh-hans)


def refused_page(response):
    page = response.content.decode()
    return response.status_code == 403 and 'id="role-needed"' in page and COORDINATOR_OR_ADMIN in page


def test_a_visit_is_not_withdrawn_by_someone_who_did_not_record_it(zone, login):
    visit = make_visits(zone)[("grid", False)]
    response = login(zone.leader).post(f"/visits/{visit.pk}/withdraw/", {"reason": "重复"})
    with pytest.raises(PermissionDenied):
        visit_withdraw(visit=visit, by=zone.supervisor, reason="重复")
    visit.refresh_from_db()
    assert (refused_page(response), visit.withdrawn_at, visit.withdrawn_reason) == (True, None, "")


def test_the_round_is_not_locked_reminded_filled_or_corrected_by_the_unauthorised(zone, login):
    corrections = round_zone(zone)
    due = on_month("due")
    client = login(zone.supervisor)  # reads the round's status, runs none of it
    pages = [
        client.post(reverse("round_lock", args=ROUND_MONTHS["due"])),
        client.post(reverse("round_remind", args=ROUND_MONTHS["due"])),
        client.post(reverse("correction_decide", args=[corrections["locked"].pk]), {"approve": "1"}),
    ]
    services_refused = []
    for call in (
        lambda: month_lock(**due, by=zone.leader),
        lambda: round_remind_missing(**due, by=zone.dept),
        lambda: report_correction_decide(correction=corrections["locked"], by=zone.grid, approve=True),
        fill(zone, "dept", "project_a", *ROUND_MONTHS["due"]),
    ):
        with pytest.raises(PermissionDenied):
            call()
        services_refused.append(True)
    corrections["locked"].refresh_from_db()
    assert [refused_page(page) for page in pages] == [True] * 3
    assert services_refused == [True] * 4
    assert not MonthLock.objects.filter(**due).exists()
    assert not zone.grid.notifications.exists() and not MonthlyReport.objects.exists()
    assert corrections["locked"].status == CorrectionStatus.PENDING


def test_the_ledger_is_not_imported_by_the_unauthorised(zone, login, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger_file(*ROUND_MONTHS["due"]).getvalue())
    exits = []
    for args in (
        ["--user", "grid"],
        ["--user", "leader", "--dry-run"],
        ["--as-correction", "--user", "coordinator"],
    ):
        with pytest.raises(CommandError) as refused_run:
            call_command("import_ledger", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
        exits.append(refused_run.value.returncode)
    with pytest.raises(PermissionDenied):
        ledger_apply(ledger_read(ledger_file(*ROUND_MONTHS["due"])), by=zone.supervisor)
    with pytest.raises(PermissionDenied):
        ledger_apply(
            ledger_read(ledger_file(*ROUND_MONTHS["due"]), as_correction=True),
            by=zone.coordinator,
            as_correction=True,
        )
    page = login(zone.dept).get(reverse("ledger_import"))
    assert exits == [import_ledger.REFUSED] * 3
    assert refused_page(page)
    assert not Project.objects.filter(code="Z-1").exists()
