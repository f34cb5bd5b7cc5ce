"""Enterprise requests (问题诉求), their climb up the ladder, and coordination meetings."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..querysets import IssueQuerySet, today
from .choices import Category, IssueEventKind, IssueStatus, Level, Satisfaction
from .org import Department, Staff
from .projects import Project

# The issue list's order: what still needs work first (open, in progress), then by deadline; an
# index has the same expression (issue_list_order).
UNRESOLVED_FIRST = Case(
    When(status__in=IssueStatus.unresolved(), then=Value(0)),
    default=Value(1),
    output_field=models.IntegerField(),
)


class Issue(models.Model):
    project = models.ForeignKey(Project, models.PROTECT, related_name="issues", verbose_name=_("project"))
    visit = models.ForeignKey(
        "projects.Visit",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("source visit"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.GRID_HELP)
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name=_("responsible department"),
    )
    assignee = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_issues",
        verbose_name=_("responsible person"),
    )
    assigned_by_leader = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader_assigned_issues",
        verbose_name=_("assigned by committee leader"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    level_entered_at = models.DateTimeField(_("level entered at"), null=True, blank=True)
    raised_by = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_issues",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    solved_on_site = models.BooleanField(_("solved on site"), default=False)
    feedback = models.TextField(_("feedback to the enterprise"), blank=True)
    satisfaction = models.CharField(
        _("enterprise satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    suspended = models.BooleanField(_("suspended"), default=False)
    flagged_for_committee = models.BooleanField(_("flagged for the committee"), default=False)
    # Numbered slips (交办单 at level 3, 督办单 at level 4), e.g. "交〔2026〕7号".
    assignment_slip_no = models.CharField(_("assignment slip number"), max_length=30, blank=True)
    supervision_slip_no = models.CharField(_("supervision slip number"), max_length=30, blank=True)
    # Issues are never deleted by ordinary users, only withdrawn with a reason.
    withdrawn_reason = models.CharField(_("withdrawal reason"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Optimistic lock: a form posted with an old version is refused ("reload").
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="issue_level_range"),
            models.CheckConstraint(
                condition=~Q(status__in=[IssueStatus.RESOLVED, IssueStatus.CLOSED]) | ~Q(resolution=""),
                name="issue_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(status=IssueStatus.CLOSED) | (~Q(feedback="") & ~Q(satisfaction="")),
                name="issue_closed_has_feedback",
            ),
            models.UniqueConstraint(
                fields=["assignment_slip_no"],
                condition=~Q(assignment_slip_no=""),
                name="assignment_slip_no_unique",
            ),
            models.UniqueConstraint(
                fields=["supervision_slip_no"],
                condition=~Q(supervision_slip_no=""),
                name="supervision_slip_no_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "deadline"],
                condition=Q(status__in=["open", "in_progress"]),
                name="issue_unresolved_by_level",
            ),
            # The issue list's order (UNRESOLVED_FIRST, then deadline, no deadline last): read in
            # index order up to the page, not a sort of every active issue with its joins. PostgreSQL
            # puts NULL last in an ascending index already (SQLite has no NULLS LAST in an index).
            models.Index(
                UNRESOLVED_FIRST,
                F("deadline"),
                F("id"),
                condition=Q(withdrawn_at__isnull=True),
                name="issue_list_order",
            ),
            # Active issues by deadline, read in index order up to the page (scale issue).
            models.Index(
                fields=["deadline", "id"],
                condition=Q(withdrawn_at__isnull=True),
                name="issue_active_by_deadline",
            ),
            # A project's unresolved issues, as the warning light and the dashboard's issue figures read
            # them per project: covering, so the database answers from the index alone.
            models.Index(
                fields=["project"],
                include=["level", "deadline", "suspended"],
                condition=Q(status__in=["open", "in_progress"], withdrawn_at__isnull=True),
                name="issue_unresolved_by_project",
            ),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["raised_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.description[:30]}"

    def get_absolute_url(self):
        return reverse("issue_detail", args=[self.pk])

    @property
    def level_code(self):
        return Level(self.level).code

    @property
    def is_unresolved(self):
        return self.status in IssueStatus.unresolved()

    @property
    def is_overdue(self):
        """querysets.overdue_q read on this issue, today (a list annotating `is_overdue` wins)."""
        if "is_overdue" in self.__dict__:
            return self.__dict__["is_overdue"]
        return (
            self.withdrawn_at is None
            and self.is_unresolved
            and not self.suspended
            and self.deadline is not None
            and self.deadline < today()
        )

    @is_overdue.setter
    def is_overdue(self, value):
        # Querysets annotate `is_overdue` (computed in the database with overdue_q).
        self.__dict__["is_overdue"] = value


class IssueEvent(models.Model):
    """One line of an issue's timeline; every state change writes one in the same transaction."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="events", verbose_name=_("issue"))
    kind = models.CharField(_("kind"), max_length=30, choices=IssueEventKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    text = models.TextField(_("text"), blank=True)
    from_level = models.PositiveSmallIntegerField(
        _("from level"), choices=Level.choices, null=True, blank=True
    )
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=Level.choices, null=True, blank=True)
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    assignee = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assignee")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("issue event")
        verbose_name_plural = _("issue events")
        indexes = [models.Index(fields=["issue", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ApprovalRequest(models.Model):
    """A request to extend an issue's deadline (延期) or suspend it (挂起); a coordinator decides."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("Extension")
        SUSPENSION = "suspension", _("Suspension")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    issue = models.ForeignKey(
        Issue, models.CASCADE, related_name="approval_requests", verbose_name=_("issue")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    new_deadline = models.DateField(_("requested deadline"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("extension or suspension request")
        verbose_name_plural = _("extension and suspension requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="extension") | Q(new_deadline__isnull=False),
                name="extension_has_deadline",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.issue_id}"


class Meeting(models.Model):
    """A coordination meeting (调度会) of the Economic Development Bureau with the departments."""

    number = models.CharField(_("number"), max_length=30, blank=True)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("location"), max_length=100, blank=True)
    chair = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_meetings",
        verbose_name=_("chair"),
    )
    attendees = models.ManyToManyField(
        Staff, blank=True, related_name="meetings", verbose_name=_("attendees")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="meetings", verbose_name=_("departments attending")
    )
    notes = models.TextField(_("minutes notes"), blank=True)
    held = models.BooleanField(_("held"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A meeting is cancelled with a reason, never deleted; its undecided issues return to the agenda pool.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("cancelled by")
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    history = HistoricalRecords(m2m_fields=[attendees, departments])

    class Meta:
        ordering = ["-date"]
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")

    def __str__(self):
        return f"{self.date} {self.title}"

    def get_absolute_url(self):
        return reverse("meeting_detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


class MeetingItem(models.Model):
    """An issue tabled at a meeting and the meeting's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Not decided yet")
        ASSIGN = "assign", _("Assign to a department with a deadline")
        RESOLVED = "resolved", _("Resolved at the meeting")
        ESCALATE = "escalate", _("Escalate to leader assignment")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="items", verbose_name=_("meeting"))
    issue = models.ForeignKey(Issue, models.PROTECT, related_name="meeting_items", verbose_name=_("issue"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    department = models.ForeignKey(
        Department, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    note = models.TextField(_("decision text"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("meeting item")
        verbose_name_plural = _("meeting items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "issue"], name="issue_tabled_once_per_meeting")
        ]

    def __str__(self):
        return f"{self.meeting} · {self.issue}"


class SlipCounter(models.Model):
    """The last number given to a kind of slip in a year (交〔2026〕7号); numbering locks this row."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", _("Assignment slip (交办单)")
        SUPERVISION = "supervision", _("Supervision slip (督办单)")

    # The character that opens each kind's number.
    PREFIX_CHARS = {Kind.ASSIGNMENT: "交", Kind.SUPERVISION: "督"}

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("slip counter")
        verbose_name_plural = _("slip counters")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="slip_counter_once_per_year")]

    def __str__(self):
        return f"{self.prefix(self.kind, self.year)}{self.last}号"

    @classmethod
    def prefix(cls, kind, year):
        return f"{cls.PREFIX_CHARS[kind]}〔{year}〕"
