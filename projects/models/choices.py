"""Named choices of the domain: no magic numbers or strings anywhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT = "department", _("Department staff")
    COORDINATOR = "coordinator", _("Coordinator (Economic Development Bureau)")
    LEADER = "leader", _("Committee leader")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


class Stage(models.TextChoices):
    """The pipeline (PRODUCT.md "Pipeline"): tracked from the first talks, each step with its date."""

    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    PREPARATION = "preparation", _("Preparation")
    CONSTRUCTION = "construction", _("Under construction")
    COMPLETED = "completed", _("Completed")
    PRODUCTION = "production", _("In production")

    @classmethod
    def rank(cls, stage):
        """Position in the life of a project: negotiating 0 … production 5."""
        return list(cls.values).index(stage)


class ListingLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial key project")
    CITY = "city", _("Municipal key project")
    DISTRICT = "district", _("District key project")


class ListingKind(models.TextChoices):
    NEW = "new", _("New-build")
    CONTINUING = "continuing", _("Continuing")


class PermitStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    NOT_NEEDED = "not_needed", _("Not needed")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("Routine grid visit")
    JOINT = "joint", _("Monthly joint visit")
    LEADER = "leader", _("Leader visit")


class Category(models.TextChoices):
    PERMITS = "permits", _("Permits and approvals")
    UTILITIES = "utilities", _("Utilities (water, power, gas)")
    HIRING = "hiring", _("Hiring")
    LAND = "land", _("Land")
    FINANCE = "finance", _("Finance")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Level(models.IntegerChoices):
    """The four mechanisms (四项机制), in the order an issue climbs them."""

    GRID_HELP = 1, _("Grid help")
    COORDINATION = 2, _("Coordination meeting")
    LEADER = 3, _("Leader assignment")
    SUPERVISION = 4, _("Supervision")

    @property
    def code(self):
        """The stable text code used in JSON and URLs: grid_help, coordination, leader, supervision."""
        return self.name.lower()


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def unresolved(cls):
        return [cls.OPEN, cls.IN_PROGRESS]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class IssueEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    FOLLOW_UP = "follow_up", _("Follow-up")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    AUTO_ESCALATED = "auto_escalated", _("Escalated automatically")
    DEADLINE_SET = "deadline_set", _("Deadline set")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENDED = "extended", _("Deadline extended")
    SUSPENSION_REQUESTED = "suspension_requested", _("Suspension requested")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    REQUEST_REJECTED = "request_rejected", _("Request rejected")
    SENT_BACK = "sent_back", _("Sent back to the acting department")
    FLAGGED = "flagged", _("Flagged for the Party Working Committee / Management Committee")
    MEETING_DECISION = "meeting_decision", _("Meeting decision")
    FEEDBACK = "feedback", _("Feedback to the enterprise")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProjectType(models.TextChoices):
    """What kind of works a project is; its node plan comes from the template of its type."""

    NEW_BUILD = "new_build", _("Industrial new-build")
    EXPANSION = "expansion", _("Expansion / technical upgrade")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class IssueAction(models.TextChoices):
    """What someone may do to an existing issue; the rulebook (services.issues.policy.RULEBOOK) says who.

    The label is the title of the action's form on the issue page.
    """

    FOLLOW_UP = "follow_up", _("Add a follow-up")
    ASSIGN = "assign", _("Assign to a department")
    ESCALATE = "escalate", _("Escalate one level")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close with the enterprise's feedback")
    RECORD_FEEDBACK = "record_feedback", _("Record feedback to the enterprise")
    REOPEN = "reopen", _("Reopen")
    REQUEST_EXTENSION = "request_extension", _("Request an extension")
    REQUEST_SUSPENSION = "request_suspension", _("Request a suspension")
    RESUME = "resume", _("Resume")
    SEND_BACK = "send_back", _("Send back to the acting department")
    FLAG = "flag", _("Flag for the committee")
    WITHDRAW = "withdraw", _("Withdraw")


class ProjectAction(models.TextChoices):
    """What someone may do on a project (besides reading it); the rulebook's project table says who."""

    RAISE_ISSUE = "raise_issue", _("Raise a request")
    ASSIGN_ON_THE_SPOT = "assign_on_the_spot", _("Assign a request on the spot (leader visit)")
    RECORD_VISIT = "record_visit", _("Record a site visit")
    LOG_PROGRESS = "log_progress", _("Log progress, stage and stage dates")
    EDIT = "edit", _("Edit the project's master data")
    REQUEST_STAGE_CORRECTION = "request_stage_correction", _("Request the correction of a stage date")
    DECIDE_STAGE_CORRECTION = "decide_stage_correction", _("Approve or reject a stage date correction")
    EDIT_PLAN = "edit_plan", _("Adjust the node plan and mark its nodes done")
    ATTACH_DOCUMENT = "attach_document", _("Attach documents to the project, its nodes and permits")
    WITHDRAW_VISIT = "withdraw_visit", _("Withdraw a site visit")
    SET_LOCATION = "set_location", _("Set the project's place on the map")


class ZoneAction(models.TextChoices):
    """What someone may do on the zone's shared records (the monthly round, the ledger), not on one
    project or issue; the rulebook's zone table says who."""

    READ_ROUND_STATUS = "read_round_status", _("Read the monthly round's status")
    RUN_ROUND = "run_round", _("Remind the monthly round and lock a month")
    DECIDE_REPORT_CORRECTION = "decide_report_correction", _("Approve or reject a locked month's correction")
    IMPORT_LEDGER = "import_ledger", _("Import the project ledger")
    IMPORT_LOCKED_MONTHS = "import_locked_months", _("Import corrections of locked months")


class Light(models.TextChoices):
    """A project's warning light (PRODUCT.md "Warning lights")."""

    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


class ApprovalDecision(models.TextChoices):
    """A coordinator's answer to an extension or suspension request."""

    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


# The years the zone's data may name (listings, reports, figures, imports): one pair for every check.
YEAR_MIN, YEAR_MAX = 2000, 2100
