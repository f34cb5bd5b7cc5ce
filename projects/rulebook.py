"""The rulebook: who may do what (PRODUCT.md "Who may act, everywhere"), as data.

Two tables: `ISSUE_RULES` (an `IssueAction` on an issue) and `PROJECT_RULES` (a `ProjectAction` on a
project). Each action has a few grants; a grant names the roles it is for, the issue levels and statuses
it applies to, and the named extra conditions that must hold too (e.g. "is the project's grid worker").
Someone may take an action when one of its grants matches. A withdrawn issue is final: no action at all.

Readers: the services (`require_issue_action`, `require_project_action` → PermissionDenied), the pages
(they offer an action's form only when `allowed_actions` holds it), the admin (its actions call the
services) and tests/test_rulebook.py, which walks the whole table. Visibility is the querysets' rule:
the services check it too, the pages answer 404 before asking here.

To add an action: a member of `IssueAction` (or `ProjectAction`), its grants below, and its service
calling `require_issue_action` — the matrix test fails while one of them is missing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from . import access
from .models.choices import IssueAction, IssueStatus, Level, ProjectAction, RoleCode

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
    """A named extra condition of a grant: `test(actor, subject)` with the issue or project acted on."""

    name: str
    test: Callable[[Actor, object], bool] = field(repr=False, compare=False)

    def __str__(self):
        return self.name


def _project_id(subject):
    return getattr(subject, "project_id", None) or subject.pk


PROJECT_GRID_WORKER = Condition(
    "is a grid worker of the project (its park, or named on it)",
    lambda actor, subject: actor.grid_worker_of(_project_id(subject)),
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

    def matches(self, actor, subject, level=None, status=None):
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
    # the monthly figures — through the progress page, a visit or an import.
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
}


# Finer rules inside an action, each named once.
# Assigning to another department (department staff only choose the person within their own).
REASSIGN_DEPARTMENT_ROLES = frozenset({COORDINATOR, LEADER, ADMINISTRATOR})
# Who decides extension and suspension requests (延期, 挂起).
APPROVER_ROLES = frozenset({COORDINATOR, ADMINISTRATOR})
# Who runs coordination meetings and records their decisions (an explicit deadline among them).
MEETING_ROLES = frozenset({COORDINATOR, ADMINISTRATOR})
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
    """Whether `user` may take the `ProjectAction` on `project` (visibility is the caller's 404)."""
    actor = Actor(user)
    return any(g.matches(actor, project) for g in PROJECT_RULES[action])


def require_project_action(user, action, project):
    """PermissionDenied unless the user sees the project and the rulebook grants the action."""
    from .models import Project

    if not may_act_on_project(user, action, project):
        raise PermissionDenied
    if (
        not access.sees_everything(user)
        and not Project.objects.visible_to(user).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied


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
    rules = ISSUE_RULES.get(action) or PROJECT_RULES[action]
    return frozenset().union(*(g.roles for g in rules))
