"""Who may act on an issue: the issue services' reading of the rulebook (projects/rulebook.py)."""

from ...models import IssueAction, Level, RoleCode
from ...rulebook import (
    APPROVER_ROLES,
    ISSUE_RULES,
    MEETING_ROLES,
    REASSIGN_DEPARTMENT_ROLES,
    allowed_actions,
    may_act_on_project,
    require_issue_action,
    require_project_action,
)

__all__ = [
    "APPROVER_ROLES",
    "ISSUE_RULES",
    "MEETING_ROLES",
    "REASSIGN_DEPARTMENT_ROLES",
    "allowed_actions",
    "may_act_on_project",
    "may_set_deadline",
    "require_issue_action",
    "require_project_action",
]


def may_set_deadline(user, issue):
    """Whether `user` may set an explicit deadline when assigning `issue` (PRODUCT.md "Deadline rules").

    Only a committee leader assigning at level 3; a meeting decision has its own path (services.meetings)
    and everyone else asks for an extension (issue_request_extension), which a coordinator approves.
    """
    from ... import access

    return (
        issue.level == Level.LEADER
        and access.has_role(user, RoleCode.LEADER)
        and IssueAction.ASSIGN in allowed_actions(user, issue)
    )
