"""My work: what needs the user now, by role. Every section is one bounded query (pinned in a test)."""

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render

from .. import access
from ..models import (
    ApprovalRequest,
    Issue,
    IssueEvent,
    IssueEventKind,
    Level,
    PlanNode,
    Project,
    ProjectAction,
    RoleCode,
    Rules,
)
from ..plans import annotate_states, responsible_q
from ..querysets import grid_projects_q, raised_too_long_ago, today
from ..rulebook import MEETING_ROLES, may_take_some
from ..services.meetings import meeting_agenda_candidates, meetings_visible_to
from ..services.reminders import due_soon_for

LIMIT = 20


def my_projects(user, staff):
    """The projects that are the user's own: led, in their parks, named grid worker, led by their
    department; zone-wide staff without such a tie (coordinators, supervisors) get every project."""
    visible = Project.objects.visible_to(user)
    if staff is None:
        return visible
    mine = Q(pk__in=[])
    tied = False
    if staff.has_role(RoleCode.LEADER):
        mine |= Q(leader=staff)
        tied = True
    if staff.has_role(RoleCode.GRID_WORKER):
        mine |= grid_projects_q(staff)
        tied = True
    if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
        mine |= Q(lead_department=staff.department_id)
        tied = True
    return visible.filter(mine) if tied else visible


def home(request):
    user = request.user
    staff = access.get_staff(user)
    if not access.role_codes(user):  # no profile, or a profile without a role
        return render(request, "projects/no_profile.html", status=200)
    on = today()
    rules = Rules.current()
    projects = my_projects(user, staff)
    project_ids = projects.values("pk")
    issues = Issue.objects.visible_to(user).unresolved().as_items().order_by("deadline", "pk")

    context = {
        "today": on,
        "staff": staff,
        "visit_gap_days": rules.visit_gap_days,
        "due_soon": due_soon_for(user, on, rules),
        # The issues I am responsible for: the same definition as the daily digest's.
        "my_issues": list(issues.responsible(staff)[:LIMIT]),
        "overdue_issues": list(issues.overdue(on).filter(project__in=project_ids)[:LIMIT]),
        "not_visited": list(
            projects.not_visited_since(rules.visit_gap_days, on=on)
            .select_related("park")
            .order_by("code")[:LIMIT]
        ),
        # Late nodes of my projects, and the late key nodes I answer for wherever they are.
        "late_nodes": annotate_states(
            PlanNode.objects.visible_to(user)
            .late(on)
            .filter(
                Q(project__in=project_ids)
                | (Q(is_key=True) & (responsible_q(staff) if staff is not None else Q(pk__in=[])))
            )
            .select_related("project")
            .order_by("-is_key", "planned_on", "pk")[:LIMIT],
            on,
            rules,
        ),
        "upcoming_meetings": list(
            meetings_visible_to(user)
            .filter(date__gte=on, held=False)
            .select_related("chair")
            .order_by("date")[:5]
        ),
        "is_leader": staff is not None and staff.has_role(RoleCode.LEADER),
        "is_supervisor": staff is not None and staff.has_role(RoleCode.SUPERVISOR),
        "is_coordinator": access.has_role(user, *MEETING_ROLES),
        "may_record_visits": may_take_some(user, ProjectAction.RECORD_VISIT),
    }
    if context["is_supervisor"]:
        # The supervisor's own level: every open supervision item, by deadline.
        context["supervision_issues"] = list(issues.filter(level=Level.SUPERVISION)[:LIMIT])
    if context["is_leader"]:
        # Their own projects first, with what is open on each.
        context["led_projects"] = list(
            Project.objects.filter(leader=staff)
            .select_related("park")
            .annotate(
                open_issues=Count(
                    "issues",
                    filter=Q(
                        issues__status__in=["open", "in_progress"],
                        issues__withdrawn_at__isnull=True,
                    ),
                )
            )
            .order_by("code")[:LIMIT]
        )
        # Level 3 and theirs to assign, until they have assigned it since it entered level 3.
        assigned_by_them = IssueEvent.objects.filter(
            issue=OuterRef("pk"),
            kind=IssueEventKind.ASSIGNED,
            by=staff,
            at__gte=OuterRef("level_entered_at"),
        )
        context["awaiting_assignment"] = list(
            issues.filter(level=Level.LEADER)
            .filter(Q(assigned_by_leader=staff) | Q(assigned_by_leader__isnull=True, project__leader=staff))
            .exclude(Exists(assigned_by_them))[:LIMIT]
        )
        context["led_open_issues"] = list(
            issues.filter(project__leader=staff).order_by("-level", "deadline", "pk")[:LIMIT]
        )
    if context["is_coordinator"]:
        context["pending_approvals"] = list(
            ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING)
            .select_related("issue", "issue__project", "requested_by")
            .order_by("requested_at")[:LIMIT]
        )
        context["agenda_candidates"] = list(meeting_agenda_candidates(on).as_items()[:LIMIT])
    if context["is_coordinator"] or access.has_role(user, RoleCode.DEPARTMENT):
        # Who still waits for a first response (PRODUCT.md "Routing"); the list behind the link
        # starts from the same visible issues. One calendar read for the cut-off, one count.
        context["first_response"] = (
            Issue.objects.visible_to(user)
            .awaiting_first_response()
            .aggregate(
                awaiting=Count("pk"),
                late=Count("pk", filter=raised_too_long_ago(on, rules.first_response_days)),
            )
        )
        context["first_response_limit"] = rules.first_response_days
    return render(request, "projects/home.html", context)
