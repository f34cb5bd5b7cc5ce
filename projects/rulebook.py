"""The rulebook: who may do what (PRODUCT.md "Who may act, everywhere"), as data.

Three tables: `ISSUE_RULES` (an `IssueAction` on an issue), `PROJECT_RULES` (a `ProjectAction` on a
project or one of its records, e.g. a visit) and `ZONE_RULES` (a `ZoneAction` on the zone's shared
records: the monthly round, the ledger). Each action has a few grants; a grant names the roles it is
for, the issue levels and statuses it applies to, and the named extra conditions that must hold too
(e.g. "is the project's grid worker"). Someone may take an action when one of its grants matches. A
withdrawn issue is final: no action at all.

Readers: the services (`require_issue_action`, `require_project_action`, `require_zone_action` →
PermissionDenied), the pages (they offer an action's form only when the rulebook allows it), the
admin (its actions call the services), the templates (`zone_may`, from the context processor) and
tests/test_rulebook.py, which walks the whole table. Visibility is the querysets' rule: the services
check it too, the pages answer 404 before asking here.

To add an action: a member of `IssueAction` (or `ProjectAction`, `ZoneAction`), its grants below, and
its service calling `require_issue_action` (or its kin) — the matrix test fails while one is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from . import access
from .models.choices import IssueAction, IssueStatus, Level, ProjectAction, RoleCode, ZoneAction

GRID_WORKER = RoleCode.GRID_WORKER
DEPARTMENT = RoleCode.DEPARTMENT
COORDINATOR = RoleCode.COORDINATOR
LEADER = RoleCode.LEADER
SUPERVISOR = RoleCode.SUPERVISOR
ADMINISTRATOR = RoleCode.ADMINISTRATOR
EVERY_ROLE = frozenset(RoleCode)

EVERY_LEVEL = frozenset(Level)
EVERY_STATUS = frozenset(IssueStatus)
UNRESOLVED = frozenset(IssueStatus.unresolved())
NOT_CLOSED = EVERY_STATUS - {IssueStatus.CLOSED}
DONE = frozenset({IssueStatus.RESOLVED, IssueStatus.CLOSED})


class Actor:
    """The acting user with their staff profile and roles, read once per check."""

    def __init__(self, user):
        self.user = user
        self.staff = access.get_staff(user) if user is not None else None
        self.roles = access.role_codes(user) if user is not None else set()
        self._grid_projects = {}

    def grid_worker_of(self, project_id):
        """Whether the actor is a grid worker caring for the project (one query, then cached)."""
        if GRID_WORKER not in self.roles or self.staff is None:
            return False
        if project_id not in self._grid_projects:
            from .models import Project

            self._grid_projects[project_id] = (
                Project.objects.of_grid_worker(self.staff).filter(pk=project_id).exists()
            )
        return self._grid_projects[project_id]


@dataclass(frozen=True)
class Condition:
    """A named extra condition of a grant: `test(actor, subject)` with the issue or project acted on.

    `projects_q(actor)`, where given, is the same condition as a filter of projects (`projects_where`).
    """

    name: str
    test: Callable[[Actor, object], bool] = field(repr=False, compare=False)
    projects_q: Callable[[Actor], Q] | None = field(default=None, repr=False, compare=False)

    def __str__(self):
        return self.name


def _project_id(subject):
    return getattr(subject, "project_id", None) or subject.pk


def _grid_projects_q(actor):
    from .querysets import grid_projects_q

    return grid_projects_q(actor.staff) if GRID_WORKER in actor.roles and actor.staff else Q(pk__in=[])


PROJECT_GRID_WORKER = Condition(
    "is a grid worker of the project (its park, or named on it)",
    lambda actor, subject: actor.grid_worker_of(_project_id(subject)),
    _grid_projects_q,
)
OWN_DEPARTMENT = Condition(
    "the issue is assigned to the actor's department",
    lambda actor, issue: (
        actor.staff is not None
        and actor.staff.department_id is not None
        and actor.staff.department_id == issue.department_id
    ),
)
RAISER = Condition(
    "raised the issue", lambda actor, issue: actor.staff is not None and actor.staff.pk == issue.raised_by_id
)
VISIT_RECORDER = Condition(
    "recorded the visit",
    lambda actor, visit: actor.staff is not None and getattr(visit, "recorded_by_id", None) == actor.staff.pk,
)
NOT_SUSPENDED = Condition("the issue is not suspended", lambda actor, issue: not issue.suspended)
SUSPENDED = Condition("the issue is suspended", lambda actor, issue: issue.suspended)
NOT_FLAGGED = Condition(
    "the issue is not flagged for the committee yet", lambda actor, issue: not issue.flagged_for_committee
)


@dataclass(frozen=True)
class Grant:
    """Holders of one of `roles` may act when the issue's level and status are listed and every
    condition holds (project actions have no level or status)."""

    roles: frozenset
    levels: frozenset = EVERY_LEVEL
    statuses: frozenset = EVERY_STATUS
    conditions: tuple = ()

    def matches(self, actor, subject=None, level=None, status=None):
        return (
            bool(actor.roles & self.roles)
            and (level is None or level in self.levels)
            and (status is None or status in self.statuses)
            and all(condition.test(actor, subject) for condition in self.conditions)
        )


def grant(*roles, levels=EVERY_LEVEL, statuses=EVERY_STATUS, when=()):
    return Grant(frozenset(roles), frozenset(levels), frozenset(statuses), tuple(when))


# PRODUCT.md "Roles" and "Who may act, everywhere". One line per grant.
ISSUE_RULES = {
    IssueAction.FOLLOW_UP: (grant(*EVERY_ROLE, statuses=UNRESOLVED),),
    IssueAction.ASSIGN: (
        grant(COORDINATOR, ADMINISTRATOR, statuses=UNRESOLVED),
        grant(LEADER, levels={Level.LEADER, Level.SUPERVISION}, statuses=UNRESOLVED),
        grant(DEPARTMENT, statuses=UNRESOLVED, when=[OWN_DEPARTMENT]),
    ),
    IssueAction.ESCALATE: (
        grant(GRID_WORKER, levels={Level.GRID_HELP}, statuses=UNRESOLVED, when=[PROJECT_GRID_WORKER]),
        grant(COORDINATOR, levels={Level.GRID_HELP, Level.COORDINATION}, statuses=UNRESOLVED),
        grant(LEADER, levels={Level.LEADER}, statuses=UNRESOLVED),
        grant(ADMINISTRATOR, levels={Level.GRID_HELP, Level.COORDINATION, Level.LEADER}, statuses=UNRESOLVED),
    ),
    IssueAction.RESOLVE: (
        grant(COORDINATOR, ADMINISTRATOR, statuses=UNRESOLVED),
        grant(DEPARTMENT, statuses=UNRESOLVED, when=[OWN_DEPARTMENT]),
        grant(GRID_WORKER, levels={Level.GRID_HELP}, statuses=UNRESOLVED, when=[PROJECT_GRID_WORKER]),
        grant(LEADER, levels={Level.LEADER, Level.SUPERVISION}, statuses=UNRESOLVED),
        grant(SUPERVISOR, levels={Level.SUPERVISION}, statuses=UNRESOLVED),
    ),
    IssueAction.CLOSE: (
        grant(COORDINATOR, SUPERVISOR, ADMINISTRATOR, statuses={IssueStatus.RESOLVED}),
        grant(GRID_WORKER, statuses={IssueStatus.RESOLVED}, when=[PROJECT_GRID_WORKER]),
    ),
    # Interim feedback (及时向企业反馈) by who deals with the enterprise, until the issue is closed.
    IssueAction.RECORD_FEEDBACK: (
        grant(COORDINATOR, ADMINISTRATOR, statuses=NOT_CLOSED),
        grant(GRID_WORKER, statuses=NOT_CLOSED, when=[PROJECT_GRID_WORKER]),
    ),
    IssueAction.REOPEN: (
        grant(COORDINATOR, SUPERVISOR, ADMINISTRATOR, statuses=DONE),
        grant(GRID_WORKER, statuses=DONE, when=[PROJECT_GRID_WORKER]),
    ),
    IssueAction.REQUEST_EXTENSION: (grant(*EVERY_ROLE, statuses=UNRESOLVED, when=[NOT_SUSPENDED]),),
    IssueAction.REQUEST_SUSPENSION: (grant(*EVERY_ROLE, statuses=UNRESOLVED, when=[NOT_SUSPENDED]),),
    IssueAction.RESUME: (grant(COORDINATOR, ADMINISTRATOR, statuses=UNRESOLVED, when=[SUSPENDED]),),
    IssueAction.SEND_BACK: (
        grant(SUPERVISOR, ADMINISTRATOR, levels={Level.SUPERVISION}, statuses=NOT_CLOSED),
    ),
    IssueAction.FLAG: (
        grant(SUPERVISOR, ADMINISTRATOR, levels={Level.SUPERVISION}, statuses=NOT_CLOSED, when=[NOT_FLAGGED]),
    ),
    # 撤回: at level 1 by the project's grid worker, the raiser or a coordinator; above only by a
    # coordinator or an administrator (the service tells the department, leader and supervisor).
    IssueAction.WITHDRAW: (
        grant(COORDINATOR, ADMINISTRATOR, statuses=NOT_CLOSED),
        grant(GRID_WORKER, levels={Level.GRID_HELP}, statuses=NOT_CLOSED, when=[PROJECT_GRID_WORKER]),
        grant(*EVERY_ROLE, levels={Level.GRID_HELP}, statuses=NOT_CLOSED, when=[RAISER]),
    ),
}

PROJECT_RULES = {
    ProjectAction.RAISE_ISSUE: (
        grant(COORDINATOR, LEADER, SUPERVISOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    # Only a committee leader recording a leader visit, who becomes the assigning leader.
    ProjectAction.ASSIGN_ON_THE_SPOT: (grant(LEADER),),
    # Department staff join visits of any project they see (PRODUCT.md "Roles").
    ProjectAction.RECORD_VISIT: (
        grant(COORDINATOR, LEADER, ADMINISTRATOR, DEPARTMENT),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    # Progress notes, stage and stage dates (start, completion, production), permits, milestones and
    # the monthly figures (the round, a correction request) — through the progress page, a visit, the
    # round or an import.
    ProjectAction.LOG_PROGRESS: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    ProjectAction.EDIT: (grant(COORDINATOR, ADMINISTRATOR),),
    # A recorded stage date is corrected through a request (by who may log progress) that a
    # coordinator approves, never by re-recording it (PRODUCT.md "Who may act, everywhere").
    ProjectAction.REQUEST_STAGE_CORRECTION: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    ProjectAction.DECIDE_STAGE_CORRECTION: (grant(COORDINATOR, ADMINISTRATOR),),
    # The node plan (挂图作战): planned dates, responsible people, extra nodes, a node done — its stage
    # and permit nodes write the stage dates and permits, so the same people as LOG_PROGRESS.
    ProjectAction.EDIT_PLAN: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    ProjectAction.ATTACH_DOCUMENT: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    # The project's point and outline on the zone's map: who goes there (PRODUCT.md "Location").
    ProjectAction.SET_LOCATION: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(GRID_WORKER, when=[PROJECT_GRID_WORKER]),
    ),
    # The subject is the visit: whoever recorded it, or a coordinator (its issues stay as they are).
    ProjectAction.WITHDRAW_VISIT: (
        grant(COORDINATOR, ADMINISTRATOR),
        grant(*EVERY_ROLE, when=[VISIT_RECORDER]),
    ),
}

# The monthly round (月度投资填报) and the ledger. Filling the round is LOG_PROGRESS, project by project.
ZONE_RULES = {
    ZoneAction.READ_ROUND_STATUS: (grant(COORDINATOR, LEADER, SUPERVISOR, ADMINISTRATOR),),
    ZoneAction.RUN_ROUND: (grant(COORDINATOR, ADMINISTRATOR),),
    ZoneAction.DECIDE_REPORT_CORRECTION: (grant(COORDINATOR, ADMINISTRATOR),),
    ZoneAction.IMPORT_LEDGER: (grant(COORDINATOR, ADMINISTRATOR),),
    # Rewriting a locked month's figures from a file skips the correction's approval: administrators.
    ZoneAction.IMPORT_LOCKED_MONTHS: (grant(ADMINISTRATOR),),
}


# Finer rules inside an action, each named once.
# Assigning to another department (department staff only choose the person within their own).
REASSIGN_DEPARTMENT_ROLES = frozenset({COORDINATOR, LEADER, ADMINISTRATOR})
# Who decides extension and suspension requests (延期, 挂起).
APPROVER_ROLES = frozenset({COORDINATOR, ADMINISTRATOR})
# Who runs coordination meetings and records their decisions (an explicit deadline among them).
MEETING_ROLES = frozenset({COORDINATOR, ADMINISTRATOR})
# Four eyes on stage dates: who may approve a stage date correction they requested themselves.
OWN_CORRECTION_APPROVERS = frozenset({ADMINISTRATOR})
# Who reads the list of visits whose evidence does not hold (far from the project, photo of another day).
VISIT_EVIDENCE_ROLES = frozenset({SUPERVISOR, COORDINATOR, ADMINISTRATOR})


def issue_action_allowed(actor, action, issue):
    if issue.withdrawn_at is not None:
        return False
    return any(g.matches(actor, issue, issue.level, issue.status) for g in ISSUE_RULES[action])


def allowed_actions(user, issue):
    """The `IssueAction`s `user` may take on `issue` now, assuming they can see it (the views' querysets)."""
    actor = Actor(user)
    if not actor.roles:
        return set()
    return {action for action in ISSUE_RULES if issue_action_allowed(actor, action, issue)}


def may_act_on_project(user, action, project):
    """Whether `user` may take the `ProjectAction` on `project` (or the record of it the action is on,
    e.g. a visit); visibility is the caller's 404."""
    actor = Actor(user)
    return any(g.matches(actor, project) for g in PROJECT_RULES[action])


def require_project_action(user, action, project):
    """PermissionDenied unless the user sees the project and the rulebook grants the action."""
    from .models import Project

    if not may_act_on_project(user, action, project):
        raise refusal(action)
    if (
        not access.sees_everything(user)
        and not Project.objects.visible_to(user).filter(pk=_project_id(project)).exists()
    ):
        raise PermissionDenied


def projects_where(user, action, projects):
    """`projects` narrowed to those on which `user` may take the `ProjectAction`, in the query itself
    (a whole round, say, without a check per row). Every condition of the grants used needs its
    `projects_q`."""
    actor = Actor(user)
    parts = []
    for g in PROJECT_RULES[action]:
        if not actor.roles & g.roles:
            continue
        if not g.conditions:
            return projects
        part = Q()
        for condition in g.conditions:
            part &= condition.projects_q(actor)
        parts.append(part)
    if not parts:
        return projects.none()
    either = parts[0]
    for part in parts[1:]:
        either |= part
    return projects.filter(either)


def may_act_on_zone(user, action):
    """Whether `user` may take the `ZoneAction`."""
    actor = Actor(user)
    return any(g.matches(actor) for g in ZONE_RULES[action])


def zone_actions(user):
    """The `ZoneAction`s `user` may take, keyed by member name for the templates (`zone_may.RUN_ROUND`)."""
    actor = Actor(user)
    return {action.name: any(g.matches(actor) for g in ZONE_RULES[action]) for action in ZoneAction}


def require_zone_action(user, action):
    """403 naming the roles the `ZoneAction` needs, unless the user holds one."""
    if not may_act_on_zone(user, action):
        raise refusal(action)


def may_take_some(user, action):
    """Whether the user holds a role some grant of the action names: the gate of a page that lists
    the subjects (the round, "record a visit"); each subject is checked again."""
    return bool(access.role_codes(user) & roles_granted(action))


def require_some_grant(user, action):
    """403 naming the roles, unless `may_take_some`."""
    if not may_take_some(user, action):
        raise access.RoleRequired(*roles_granted(action))


def refusal(action):
    """The 403 of a refused action: it names the roles a grant without condition gives it to (those
    that may take it on any subject); a bare 403 when every grant has a condition."""
    rules = ISSUE_RULES.get(action) or PROJECT_RULES.get(action) or ZONE_RULES[action]
    roles = frozenset().union(*(g.roles for g in rules if not g.conditions))
    return access.RoleRequired(*roles) if roles else PermissionDenied()


def require_issue_action(user, action, issue):
    """PermissionDenied unless the user sees the issue and the rulebook grants the action now.

    The caller holds the issue's row lock, so the rule is judged on its current state.
    """
    from .models import Issue

    if not access.sees_everything(user) and not Issue.objects.visible_to(user).filter(pk=issue.pk).exists():
        raise PermissionDenied
    if not issue_action_allowed(Actor(user), action, issue):
        raise PermissionDenied


def roles_granted(action):
    """Every role some grant of the action names (for "who may do this" texts and the admin)."""
    rules = ISSUE_RULES.get(action) or PROJECT_RULES.get(action) or ZONE_RULES[action]
    return frozenset().union(*(g.roles for g in rules))
