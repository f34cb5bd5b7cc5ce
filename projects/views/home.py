"""My work: what needs the user now, by role. Every section is one bounded query (pinned in a test).

Each section's items are rows of the columns it shows, with their links, cut words and choice names
prepared here once per row: a filter, a tag or a lookup per row in the template costs far more.
"""

from html import escape
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import access
from ..links import row_link
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
from ..numbers import date_text
from ..plans import annotate_states, responsible_q
from ..querysets import grid_projects_q, raised_too_long_ago, today
from ..rulebook import MEETING_ROLES, may_take_some
from ..services.meetings import meeting_agenda_candidates, meetings_visible_to
from ..services.reminders import due_soon_for
from ..templatetags.choices import choice_labels
from ..texts import shortened

LIMIT = 20


def my_projects(user, staff):
    """(projects, every): the projects that are the user's own — led, in their parks, named grid
    worker, led by their department — and whether that is every project of the zone: zone-wide staff
    without such a tie (coordinators, supervisors) get them all, and need no filter by project."""
    visible = Project.objects.visible_to(user)
    if staff is None:
        return visible, access.sees_everything(user)
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
    if tied:
        return visible.filter(mine), False
    return visible, access.sees_everything(user)


# An issue item, as templates/projects/_issue_items.html lists it: written here, every text escaped,
# as a template row looked up and escaped eight values (about 250 calls an item, a sixth of the page).
ISSUE_ITEM = (
    '\n  <li class="list-group-item px-0">\n    <a href="{url}">{title}</a>\n'
    '    <div class="small text-muted">{project} · {level}{deadline}</div>\n  </li>\n'
)
ITEM_DEADLINE = " · <span{late}>{word} {date}</span>"
LATE = ' class="text-danger fw-bold"'


def issue_items(rows, level_names):
    """IssueQuerySet.as_items() rows with what the home page shows of each (`html`): the link, the
    number with the words cut to 50 characters, the project, the level's name and the deadline as
    the page writes dates, red when overdue."""
    issue_link = row_link("issue_detail")
    deadline_word, date = escape(_("deadline")), date_text()
    items = []
    for row in rows:
        pk, deadline = row["pk"], row["deadline"]
        item = {**row, "url": issue_link(pk), "title": f"#{pk} {shortened(row['description'], 50)}"}
        when = ""
        if deadline:
            late = LATE if row["is_overdue"] else ""
            when = ITEM_DEADLINE.format(late=late, word=deadline_word, date=escape(date(deadline)))
        item["html"] = mark_safe(
            ISSUE_ITEM.format(
                url=item["url"],
                title=escape(item["title"]),
                project=escape(row["project__name"]),
                level=escape(str(level_names.get(row["level"], row["level"]))),
                deadline=when,
            )
        )
        items.append(item)
    return items


# The items of the projects not visited and of the late nodes, as home.html lists them: written
# here as the issue items are, every text escaped.
NOT_VISITED_ITEM = (
    '\n      <li class="list-group-item px-0 d-flex justify-content-between align-items-center gap-2">'
    '<span><a href="{url}">{name}</a> <span class="small text-muted">{park}</span></span>'
    '<a class="btn btn-sm btn-outline-primary text-nowrap flex-shrink-0" href="{visit_url}">{visit}</a>'
    "</li>\n    "
)
LATE_NODE_ITEM = (
    '\n      <li class="list-group-item px-0"><a href="{url}">{project}: {name}</a>{key}\n'
    '        <div class="small text-danger">{late}</div></li>\n    '
)
KEY_NODE = ' <span class="badge text-bg-{colour}">{word}</span>'


def not_visited_items(projects):
    """The projects not visited lately, with the links to each and to record a visit."""
    project_link, visit_link = row_link("project_detail"), row_link("project_visit_new")
    visit = escape(_("Visit"))
    items = []
    for project in projects.values("pk", "name", "park__name"):
        item = {
            "pk": project["pk"],
            "url": project_link(project["pk"]),
            "visit_url": visit_link(project["pk"]),
            "name": project["name"],
            "park": project["park__name"],
        }
        item["html"] = mark_safe(
            NOT_VISITED_ITEM.format(
                url=item["url"],
                name=escape(item["name"]),
                park=escape(item["park"]),
                visit_url=item["visit_url"],
                visit=visit,
            )
        )
        items.append(item)
    return items


def late_node_items(nodes, on, rules):
    """The late plan nodes with their delays (plans.annotate_states, which reads and sets attributes:
    a namespace per row is all it needs) and links. `nodes` are PlanNodeQuerySet.late(): neither done
    nor marked not needed, so those two are not read (each a subquery to compile and run)."""
    rows = [
        SimpleNamespace(**row, done_on=None, not_needed=False)
        for row in nodes.values("pk", "name", "is_key", "project_id", "project__name", "planned_on")
    ]
    node_link = row_link("plan_node", arity=2)
    key_word = escape(_("key node"))
    items = []
    for node in annotate_states(rows, on, rules):
        item = {
            "pk": node.pk,
            "url": node_link(node.project_id, node.pk),
            "project": node.project__name,
            "name": node.name,
            "is_key": node.is_key,
            "is_red": node.is_red,
            "delay_days": node.delay_days,
            "planned": node.planned_on.isoformat(),
        }
        late = _("%(days)s working days late (planned %(date)s)") % {
            "days": item["delay_days"],
            "date": item["planned"],
        }
        colour = "danger" if node.is_red else "warning"
        item["html"] = mark_safe(
            LATE_NODE_ITEM.format(
                url=item["url"],
                project=escape(item["project"]),
                name=escape(item["name"]),
                key=KEY_NODE.format(colour=colour, word=key_word) if node.is_key else "",
                late=escape(late),
            )
        )
        items.append(item)
    return items


def led_project_items(projects):
    """A leader's projects with their stage's name and their count of open issues."""
    stage_names = choice_labels(Project, "stage")
    project_link = row_link("project_detail")
    return [
        {
            "pk": project["pk"],
            "url": project_link(project["pk"]),
            "name": project["name"],
            "park": project["park__name"],
            "stage_name": stage_names.get(project["stage"], project["stage"]),
            "open_issues": project["open_issues"],
        }
        for project in projects.values("pk", "name", "park__name", "stage", "open_issues")
    ]


def approval_items(requests):
    """Extension and suspension requests with their issue's link, number, cut words and project."""
    kind_names = choice_labels(ApprovalRequest, "kind")
    rows = requests.values(
        "pk",
        "issue_id",
        "issue__description",
        "kind",
        "issue__project__name",
        "requested_by__name",
        "new_deadline",
    )
    issue_link = row_link("issue_detail")
    return [
        {
            "pk": row["pk"],
            "issue_url": issue_link(row["issue_id"]),
            "title": f"#{row['issue_id']} {shortened(row['issue__description'], 50)}",
            "kind_name": kind_names.get(row["kind"], row["kind"]),
            "project": row["issue__project__name"],
            "requested_by": row["requested_by__name"],
            "new_deadline": row["new_deadline"],
        }
        for row in rows
    ]


def home(request):
    user = request.user
    staff = access.get_staff(user)
    if not access.role_codes(user):  # no profile, or a profile without a role
        return render(request, "projects/no_profile.html", status=200)
    on = today()
    rules = Rules.current()
    projects, every_project = my_projects(user, staff)
    issues = Issue.objects.visible_to(user).unresolved().as_items(on).order_by("deadline", "pk")
    overdue = issues.overdue(on)
    # Late nodes of my projects, and the late key nodes I answer for wherever they are.
    late_nodes = PlanNode.objects.visible_to(user).late(on)
    if not every_project:  # else every item is of my projects: no subquery to build and run
        project_ids = projects.values("pk")
        overdue = overdue.filter(project__in=project_ids)
        late_nodes = late_nodes.filter(
            Q(project__in=project_ids)
            | (Q(is_key=True) & (responsible_q(staff) if staff is not None else Q(pk__in=[])))
        )
    level_names = choice_labels(Issue, "level")

    context = {
        "today": on,
        "staff": staff,
        "visit_gap_days": rules.visit_gap_days,
        "due_soon": due_soon_for(user, on, rules),
        # The issues I am responsible for: the same definition as the daily digest's.
        "my_issues": issue_items(issues.responsible(staff)[:LIMIT], level_names),
        "overdue_issues": issue_items(overdue[:LIMIT], level_names),
        "not_visited": not_visited_items(
            projects.not_visited_since(rules.visit_gap_days, on=on).order_by("code")[:LIMIT]
        ),
        "late_nodes": late_node_items(late_nodes.order_by("-is_key", "planned_on", "pk")[:LIMIT], on, rules),
        "upcoming_meetings": [
            {
                "pk": meeting["pk"],
                "url": reverse("meeting_detail", args=[meeting["pk"]]),
                "date": meeting["date"],
                "title": meeting["title"],
                "chair": meeting["chair__name"],
            }
            for meeting in meetings_visible_to(user)
            .filter(date__gte=on, held=False)
            .order_by("date")
            .values("pk", "date", "title", "chair__name")[:5]
        ],
        "is_leader": staff is not None and staff.has_role(RoleCode.LEADER),
        "is_supervisor": staff is not None and staff.has_role(RoleCode.SUPERVISOR),
        "is_coordinator": access.has_role(user, *MEETING_ROLES),
        "may_record_visits": may_take_some(user, ProjectAction.RECORD_VISIT),
    }
    if context["is_supervisor"]:
        # The supervisor's own level: every open supervision item, by deadline.
        context["supervision_issues"] = issue_items(
            issues.filter(level=Level.SUPERVISION)[:LIMIT], level_names
        )
    if context["is_leader"]:
        # Their own projects first, with what is open on each.
        context["led_projects"] = led_project_items(
            Project.objects.filter(leader=staff)
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
        context["awaiting_assignment"] = issue_items(
            issues.filter(level=Level.LEADER)
            .filter(Q(assigned_by_leader=staff) | Q(assigned_by_leader__isnull=True, project__leader=staff))
            .exclude(Exists(assigned_by_them))[:LIMIT],
            level_names,
        )
        context["led_open_issues"] = issue_items(
            issues.filter(project__leader=staff).order_by("-level", "deadline", "pk")[:LIMIT], level_names
        )
    if context["is_coordinator"]:
        context["pending_approvals"] = approval_items(
            ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING).order_by("requested_at")[
                :LIMIT
            ]
        )
        context["agenda_candidates"] = issue_items(
            meeting_agenda_candidates(on).as_items(on)[:LIMIT], level_names
        )
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
