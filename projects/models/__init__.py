"""The domain of Newzone, one module per area (see PRODUCT.md "Domain")."""

from .choices import (
    Category,
    CorrectionStatus,
    IssueEventKind,
    IssueStatus,
    Level,
    ListingKind,
    ListingLevel,
    PermitStatus,
    ProjectType,
    RoleCode,
    Satisfaction,
    Stage,
    VisitKind,
)
from .config import CalendarDay, CategoryRoute, Rules
from .issues import ApprovalRequest, Issue, IssueEvent, Meeting, MeetingItem
from .notifications import DigestLog, Notification
from .org import Contact, Department, Enterprise, Park, Role, Staff
from .plans import Document, NodeTemplate, PlanNode
from .projects import (
    Listing,
    MonthLock,
    MonthlyReport,
    Permit,
    PermitType,
    Photo,
    ProgressNote,
    Project,
    ReportCorrection,
)
from .visits import Visit

__all__ = [
    "ApprovalRequest",
    "CalendarDay",
    "Category",
    "CategoryRoute",
    "Contact",
    "CorrectionStatus",
    "Department",
    "DigestLog",
    "Document",
    "Enterprise",
    "Issue",
    "IssueEvent",
    "IssueEventKind",
    "IssueStatus",
    "Level",
    "Listing",
    "ListingKind",
    "ListingLevel",
    "Meeting",
    "MeetingItem",
    "MonthLock",
    "MonthlyReport",
    "NodeTemplate",
    "Notification",
    "Park",
    "Permit",
    "PermitStatus",
    "PermitType",
    "Photo",
    "PlanNode",
    "ProgressNote",
    "Project",
    "ProjectType",
    "ReportCorrection",
    "Role",
    "RoleCode",
    "Rules",
    "Satisfaction",
    "Stage",
    "Staff",
    "Visit",
    "VisitKind",
]
