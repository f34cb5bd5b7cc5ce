"""The life of an issue, in three parts: `policy` (who may act: the rulebook's issue table),
`actions` (the services users call, one transaction each) and `ladder` (deadlines, entering a level,
slips, automatic escalation). `records` holds what every action writes besides the issue.

Import from here: `from projects.services.issues import issue_raise, allowed_actions, …`.
"""

from ..errors import StaleObjectError, StaleVersion
from .actions import (
    approval_decide,
    issue_assign,
    issue_close,
    issue_escalate,
    issue_flag_for_committee,
    issue_follow_up,
    issue_raise,
    issue_record_feedback,
    issue_reopen,
    issue_request_extension,
    issue_request_suspension,
    issue_resolve,
    issue_resume,
    issue_send_back,
    issue_withdraw,
)
from .ladder import (
    Escalation,
    check_explicit_deadline,
    default_deadline,
    enter_level,
    escalate_overdue,
    latest_deadline,
    number_slip,
)
from .policy import allowed_actions, may_set_deadline

__all__ = [
    "Escalation",
    "StaleObjectError",
    "StaleVersion",
    "allowed_actions",
    "approval_decide",
    "check_explicit_deadline",
    "default_deadline",
    "enter_level",
    "escalate_overdue",
    "issue_assign",
    "issue_close",
    "issue_escalate",
    "issue_flag_for_committee",
    "issue_follow_up",
    "issue_raise",
    "issue_record_feedback",
    "issue_reopen",
    "issue_request_extension",
    "issue_request_suspension",
    "issue_resolve",
    "issue_resume",
    "issue_send_back",
    "issue_withdraw",
    "latest_deadline",
    "may_set_deadline",
    "number_slip",
]
