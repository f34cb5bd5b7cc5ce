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
    RoleCode,
    Satisfaction,
    Stage,
    VisitKind,
)
from .config import CalendarDay, CategoryRoute, Rules
from .issues import ApprovalRequest, Issue, IssueEvent, Meeting, MeetingItem
from .jobs import Job
from .notifications import DigestLog, Notification
from .org import Contact, Department, Enterprise, Park, Role, Staff
from .projects import (
    Listing,
    Milestone,
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
    "Enterprise",
    "Issue",
    "IssueEvent",
    "IssueEventKind",
    "IssueStatus",
    "Job",
    "Level",
    "Listing",
    "ListingKind",
    "ListingLevel",
    "Meeting",
    "MeetingItem",
    "Milestone",
    "MonthLock",
    "MonthlyReport",
    "Notification",
    "Park",
    "Permit",
    "PermitStatus",
    "PermitType",
    "Photo",
    "ProgressNote",
    "Project",
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
