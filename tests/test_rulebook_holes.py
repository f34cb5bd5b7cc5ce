"""The four holes of issue #11, each tried as the adversarial user did; each test failed on the old code.

1. a grid worker withdrawing a level-3/4 issue; 2. department staff and leaders moving the stage through a
visit; 3. a grid worker's "leader visit" assigning at level 3 with any deadline; 4. the admin editing the
ladder's fields and the timeline.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    Level,
    Notification,
    ProgressNote,
    Project,
    Rules,
    Stage,
    Visit,
    VisitKind,
)
from projects.querysets import today
from projects.services.issues import issue_raise
from projects.workdays import add_working_days
from tests.test_visits import visit_post

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def issue_at(z, level, **fields):
    return Issue.objects.create(
        project=z.project_a,
        category="permits",
        description="施工许可",
        level=level,
        department=z.approval,
        raised_by=z.grid.staff,
        raised_at=timezone.now(),
        deadline=today() + datetime.timedelta(days=3),
        assigned_by_leader=z.leader.staff if level >= Level.LEADER else None,
        **fields,
    )


# --- 1. Withdrawal by level --------------------------------------------------------------------------


def test_a_grid_worker_cannot_withdraw_above_level_1(zone, login):
    client = login(zone.grid)
    for level, extra in ((Level.LEADER, {}), (Level.SUPERVISION, {"flagged_for_committee": True})):
        issue = issue_at(zone, level, **extra)
        response = client.post(
            f"/issues/{issue.pk}/withdraw/", {"withdraw-version": issue.version, "withdraw-reason": "重复"}
        )
        assert response.status_code == 403
        issue.refresh_from_db()
        assert (issue.withdrawn_at, issue.version) == (None, 1)
        assert not IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.WITHDRAWN).exists()


def test_a_grid_worker_still_withdraws_his_level_1_issue(zone, login):
    issue = issue_at(zone, Level.GRID_HELP)
    response = login(zone.grid).post(
        f"/issues/{issue.pk}/withdraw/", {"withdraw-version": issue.version, "withdraw-reason": "重复提交"}
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.withdrawn_at is not None


def test_a_coordinator_withdraws_at_level_4_and_those_working_on_it_are_told(zone, login):
    issue = issue_at(zone, Level.SUPERVISION)
    response = login(zone.coordinator).post(
        f"/issues/{issue.pk}/withdraw/", {"withdraw-version": issue.version, "withdraw-reason": "重复提交"}
    )
    assert response.status_code == 302
    told = set(Notification.objects.filter(issue=issue).values_list("recipient__username", flat=True))
    assert told == {"dept", "leader", "supervisor"}


# --- 2. Stage and stage dates only by those who may log progress ---------------------------------------


def test_department_staff_and_leaders_cannot_move_the_stage_through_a_visit(zone, login):
    z = zone
    for user, project, stage in (
        (z.dept, z.project_b, Stage.CONSTRUCTION),  # dept sees project_b: its lead department
        (z.leader, z.project_a, Stage.COMPLETED),
    ):
        before = Project.objects.values("stage", "actual_start", "actual_completion", "version").get(
            pk=project.pk
        )
        url = reverse("project_visit_new", args=[project.pk])
        response = login(user).post(url, visit_post(stage=stage, progress_text="已开工"), **ZH)
        assert response.status_code == 200
        assert "只有项目的网格员" in response.content.decode()
        after = Project.objects.values("stage", "actual_start", "actual_completion", "version").get(
            pk=project.pk
        )
        assert after == before
        assert not Visit.objects.filter(project=project).exists()
        assert not ProgressNote.objects.filter(project=project).exists()


def test_the_grid_worker_still_moves_the_stage_through_a_visit(zone, login):
    url = reverse("project_visit_new", args=[zone.project_b.pk])
    data = visit_post(stage=Stage.CONSTRUCTION, progress_text="已开工")
    # After the stage page's confirmation (tests/test_entries_confirmation.py).
    login(zone.grid_b).post(url, {**data, "confirm": f"construction:{today()}"})
    zone.project_b.refresh_from_db()
    assert zone.project_b.stage == Stage.CONSTRUCTION and zone.project_b.actual_start == today()


# --- 3. On-the-spot assignment only by a recording committee leader; deadlines bounded -----------------


def leader_visit_request(z, deadline):
    return visit_post(
        kind=VisitKind.LEADER,
        participants=[z.leader.staff.pk],
        requests=[
            {
                "category": "permits",
                "description": "施工许可证尽快办理",
                "department": z.approval.pk,
                "deadline": deadline,
            }
        ],
    )


def test_a_grid_worker_cannot_assign_on_the_spot_in_a_leaders_name(zone, login):
    url = reverse("project_visit_new", args=[zone.project_a.pk])
    response = login(zone.grid).post(url, leader_visit_request(zone, "2099-12-31"), **ZH)
    assert response.status_code == 200
    assert "只有记录走访的委领导" in response.content.decode()
    assert not Issue.objects.exists() and not Visit.objects.exists()


def test_an_explicit_deadline_years_away_is_refused_with_the_rule(zone, login):
    url = reverse("project_visit_new", args=[zone.project_a.pk])
    response = login(zone.leader).post(url, leader_visit_request(zone, "2099-12-31"), **ZH)
    assert response.status_code == 200
    latest = add_working_days(today(), 60)
    assert f"截止日期最多为 60 个工作日之后（{latest.isoformat()}）" in response.content.decode()
    assert not Issue.objects.exists() and not Visit.objects.exists()


def test_the_recording_leader_assigns_on_the_spot(zone, login):
    url = reverse("project_visit_new", args=[zone.project_a.pk])
    deadline = today() + datetime.timedelta(days=20)
    response = login(zone.leader).post(url, leader_visit_request(zone, deadline.isoformat()))
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.level, issue.assigned_by_leader, issue.deadline) == (
        Level.LEADER,
        zone.leader.staff,
        deadline,
    )
    assert issue.assignment_slip_no == f"交〔{today().year}〕1号"


def test_the_service_refuses_an_on_the_spot_assignment_by_anyone_but_a_leader(zone):
    for user in (zone.grid, zone.coordinator, zone.supervisor):
        with pytest.raises(PermissionDenied):
            issue_raise(
                project=zone.project_a,
                category="permits",
                description="x",
                by=user,
                on_the_spot=True,
                department=zone.approval,
            )
    assert not Issue.objects.exists()


# --- 4. The admin: ladder fields and the timeline read-only; actions call the services -----------------


def test_the_admin_cannot_edit_the_ladder_or_the_timeline(zone, login):
    issue = issue_at(zone, Level.GRID_HELP)
    IssueEvent.objects.create(issue=issue, kind=IssueEventKind.RAISED, at=timezone.now(), text="提出")
    client = login(zone.admin)
    url = f"/admin/projects/issue/{issue.pk}/change/"
    page = client.get(url).content.decode()
    for field in ("level", "status", "deadline", "assignment_slip_no", "supervision_slip_no"):
        assert f'name="{field}"' not in page, field
    assert "events-TOTAL_FORMS" not in page or 'name="events-0-text"' not in page
    client.post(
        url, {"level": "4", "status": "closed", "deadline": "2099-12-31", "assignment_slip_no": "交1"}
    )
    issue.refresh_from_db()
    assert (issue.level, issue.status, issue.version, issue.assignment_slip_no) == (
        Level.GRID_HELP,
        IssueStatus.OPEN,
        1,
        "",
    )
    assert client.get("/admin/projects/issue/add/").status_code == 403
    assert client.get("/admin/projects/issueevent/add/").status_code in (403, 404)


def test_the_admins_withdraw_action_goes_through_the_service(zone, login):
    issue = issue_at(zone, Level.LEADER)
    client = login(zone.admin)
    changelist = "/admin/projects/issue/"
    data = {"action": "act_issue_withdraw", "_selected_action": [issue.pk]}
    asked = client.post(changelist, data)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    done = client.post(changelist, {**data, "apply": "1", "reason": "重复提交"})
    assert done.status_code == 302
    issue.refresh_from_db()
    assert issue.withdrawn_at is not None and issue.version == 2
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.WITHDRAWN, by=zone.admin.staff).exists()


def test_the_admins_escalate_action_is_refused_where_the_rulebook_refuses(zone, login):
    issue = issue_at(zone, Level.SUPERVISION)  # nothing above level 4
    client = login(zone.admin)
    data = {"action": "act_issue_escalate", "_selected_action": [issue.pk], "apply": "1", "reason": "升级"}
    response = client.post("/admin/projects/issue/", data, follow=True, **ZH)
    assert f"问题 #{issue.pk}：规则不允许此操作，未作任何更改。" in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    issue.refresh_from_db()
    assert (issue.level, issue.version) == (Level.SUPERVISION, 1)


def test_the_deadline_bound_is_the_administrators_rule(zone, login):
    """A leader assigning at level 3 on the issue page: within max_deadline_days it is taken; beyond
    it the form comes back with the rule in Chinese and nothing changes."""
    Rules.objects.update_or_create(pk=1, defaults={"max_deadline_days": 5})
    issue = issue_at(zone, Level.LEADER)
    client = login(zone.leader)

    def assign(deadline):
        return client.post(
            f"/issues/{issue.pk}/assign/",
            {
                "assign-version": issue.version,
                "assign-department": zone.approval.pk,
                "assign-deadline": deadline.isoformat(),
                "assign-note": "",
            },
            **ZH,
        )

    latest = add_working_days(today(), 5)
    response = assign(latest + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert f"截止日期最多为 5 个工作日之后（{latest.isoformat()}）" in response.content.decode()
    issue.refresh_from_db()
    assert issue.version == 1
    assert assign(latest).status_code == 302
    issue.refresh_from_db()
    assert issue.deadline == latest


def test_the_ledger_imports_stage_dates_ask_the_rulebook(zone):
    """An import that starts a project is the importer's stage date: refused (nothing written) for
    someone who may not log its progress, taken from a coordinator."""
    from projects.ledger import ledger_apply, ledger_read
    from tests.ledger_book import build, listing, report

    def started(code):
        file = build([listing(code, cells={"实际开工日期": today()})], [report(code)])
        return ledger_read(file)

    with pytest.raises(PermissionDenied):
        ledger_apply(started("S-001"), by=zone.dept)
    assert not Project.objects.filter(code="S-001").exists()
    ledger_apply(started("S-002"), by=zone.coordinator)
    assert Project.objects.get(code="S-002").stage == Stage.CONSTRUCTION
