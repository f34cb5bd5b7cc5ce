"""Projects and what is logged about them: listings, investment, progress, permits (plans: plans.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..dates import validate_happened
from ..geo import validate_outline
from ..querysets import ProjectQuerySet
from .choices import (
    YEAR_MAX,
    YEAR_MIN,
    CorrectionStatus,
    ListingKind,
    ListingLevel,
    PermitStatus,
    ProjectType,
    Stage,
)
from .org import Department, Enterprise, Park, Staff

# Money is Decimal in 万元 (10,000 yuan): up to 99,999,999.9999 万元 is enough for any factory.
MONEY = {"max_digits": 12, "decimal_places": 2}
HUNDRED_MILLION = 10000  # 1亿 in 万元


class Project(models.Model):
    """A physical project of one enterprise in one park."""

    code = models.CharField(_("project code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="projects", verbose_name=_("enterprise")
    )
    park = models.ForeignKey(Park, models.PROTECT, related_name="projects", verbose_name=_("park"))
    industry = models.CharField(_("industry"), max_length=50, blank=True)
    total_investment = models.DecimalField(
        _("total investment (10k yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    content = models.TextField(_("construction content"), blank=True)
    project_type = models.CharField(
        _("project type"), max_length=20, choices=ProjectType.choices, default=ProjectType.NEW_BUILD
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    filed_on = models.DateField(_("filing date (立项备案)"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True, validators=[validate_happened])
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    actual_completion = models.DateField(
        _("actual completion"), null=True, blank=True, validators=[validate_happened]
    )
    production_date = models.DateField(
        _("production date"), null=True, blank=True, validators=[validate_happened]
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PREPARATION)
    leader = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("committee leader in charge"),
    )
    grid_worker = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_projects",
        verbose_name=_("grid worker"),
    )
    lead_department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead department"),
    )
    # Where it is on the zone's map (PRODUCT.md "Location"): a point, and an optional outline.
    longitude = models.DecimalField(
        _("longitude (经度)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    latitude = models.DecimalField(
        _("latitude (纬度)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    outline = models.TextField(
        _("outline (GeoJSON)"),
        blank=True,
        validators=[validate_outline],
        help_text=_("Optional: the site's boundary as a GeoJSON Polygon, e.g. exported from a GIS."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic lock: every form carries it, every write bumps it, a stale form is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_investment__gte=0), name="project_total_investment_non_negative"
            ),
            # The stage never contradicts the dates (PRODUCT.md "Figures").
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | ~Q(stage=Stage.NEGOTIATING),
                name="project_signed_not_negotiating",
            ),
            models.CheckConstraint(
                condition=Q(filed_on__isnull=True) | ~Q(stage__in=[Stage.NEGOTIATING, Stage.SIGNED]),
                name="project_filed_in_preparation_or_later",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | ~Q(stage__in=[Stage.NEGOTIATING, Stage.SIGNED, Stage.PREPARATION]),
                name="project_started_not_in_preparation",
            ),
            models.CheckConstraint(
                condition=Q(actual_completion__isnull=True)
                | Q(stage__in=[Stage.COMPLETED, Stage.PRODUCTION]),
                name="project_completed_stage",
            ),
            models.CheckConstraint(
                condition=Q(production_date__isnull=True) | Q(stage=Stage.PRODUCTION),
                name="project_production_stage",
            ),
            # A place is both coordinates or none, each within the globe's range.
            models.CheckConstraint(
                condition=Q(longitude__isnull=True, latitude__isnull=True)
                | Q(longitude__gte=-180, longitude__lte=180, latitude__gte=-90, latitude__lte=90),
                name="project_location_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["park", "stage"]),
            models.Index(fields=["leader"]),
            models.Index(fields=["grid_worker"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def is_over_100m(self):
        return self.total_investment >= HUNDRED_MILLION

    @property
    def light(self):
        """The warning light of a row fetched `with_light()` (projects/lights.py); None otherwise."""
        from ..lights import light_of

        return light_of(self)

    @cached_property
    def light_reasons(self):
        """The reasons in words of the light `with_light()` computed (projects/lights.py); [] for green."""
        from ..lights import reasons

        return reasons(self)


class Listing(models.Model):
    """A project's place on one year's key-project list."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="listings", verbose_name=_("project"))
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    level = models.CharField(_("level"), max_length=10, choices=ListingLevel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=ListingKind.choices)
    planned_investment = models.DecimalField(
        _("annual planned investment (10k yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "project__code"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_listing_per_project_per_year"),
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0), name="listing_planned_investment_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX), name="listing_year_range"
            ),
        ]
        indexes = [models.Index(fields=["year", "level", "kind"])]

    def __str__(self):
        return f"{self.year} {self.project}"


class MonthlyReport(models.Model):
    """Completed investment of a project in one month (当月完成投资)."""

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="monthly_reports", verbose_name=_("project")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = models.DecimalField(
        _("completed investment (10k yuan)"), validators=[MinValueValidator(0)], **MONEY
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("monthly investment report")
        verbose_name_plural = _("monthly investment reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "month"], name="one_report_per_project_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="report_amount_non_negative"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="report_month_range"),
        ]
        indexes = [
            models.Index(fields=["year", "month"]),
            # The year's completed investment per project up to a month (the light, the dashboard's
            # sums): covering, so the sums are read from the index alone.
            models.Index(
                fields=["project", "year", "month"],
                include=["amount"],
                name="report_by_project_month_amount",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.year}-{self.month:02d}"


class MonthLock(models.Model):
    """A month whose reports a coordinator has locked: they change only through approved corrections."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    locked_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("locked by")
    )

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("locked month")
        verbose_name_plural = _("locked months")
        constraints = [models.UniqueConstraint(fields=["year", "month"], name="one_lock_per_month")]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"


class ReportCorrection(models.Model):
    """A request to change a locked month's figure; it applies only when a coordinator approves it."""

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="report_corrections", verbose_name=_("project")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    # None when the month had no report yet.
    old_amount = models.DecimalField(_("old amount (10k yuan)"), null=True, blank=True, **MONEY)
    new_amount = models.DecimalField(_("new amount (10k yuan)"), validators=[MinValueValidator(0)], **MONEY)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("report correction")
        verbose_name_plural = _("report corrections")
        constraints = [
            models.CheckConstraint(condition=Q(new_amount__gte=0), name="correction_amount_non_negative"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="correction_month_range"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.project.code} {self.year}-{self.month:02d}"


class StageDateField(models.TextChoices):
    """The dates that mark a project's stages (PRODUCT.md "Figures": the stage never contradicts them)."""

    SIGNED_ON = "signed_on", _("signing date")
    FILED_ON = "filed_on", _("filing date (立项备案)")
    ACTUAL_START = "actual_start", _("actual start")
    ACTUAL_COMPLETION = "actual_completion", _("actual completion")
    PRODUCTION_DATE = "production_date", _("production date")


class StageCorrection(models.Model):
    """A request to correct (or clear) a recorded stage date; it applies only when a coordinator approves.

    Recorded dates are facts the figures rest on (the start rate): a wrong one is never overwritten by a
    second tap, it is corrected through this request, kept with its reason and decision.
    """

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="stage_corrections", verbose_name=_("project")
    )
    field = models.CharField(_("date"), max_length=20, choices=StageDateField.choices)
    old_date = models.DateField(_("recorded date"), null=True, blank=True)
    new_date = models.DateField(
        _("correct date"), null=True, blank=True, help_text=_("empty: clear the date")
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("stage date correction")
        verbose_name_plural = _("stage date corrections")
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.project.code} {self.get_field_display()}"


class ProgressNote(models.Model):
    """A dated note in the project's progress log, optionally moving its stage."""

    project = models.ForeignKey(
        Project, models.CASCADE, related_name="progress_notes", verbose_name=_("project")
    )
    date = models.DateField(_("date"), validators=[validate_happened])
    text = models.TextField(_("note"))
    stage_from = models.CharField(_("stage before"), max_length=20, choices=Stage.choices, blank=True)
    stage_to = models.CharField(_("stage after"), max_length=20, choices=Stage.choices, blank=True)
    author = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self):
        return f"{self.project.code} {self.date}"


class PermitType(models.Model):
    """A kind of permit (手续). `required_from` is the stage from which a project needs it approved."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    required_from = models.CharField(
        _("required from stage"), max_length=20, choices=Stage.choices, blank=True
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("permit type")
        verbose_name_plural = _("permit types")

    def __str__(self):
        return self.name


class Permit(models.Model):
    project = models.ForeignKey(Project, models.CASCADE, related_name="permits", verbose_name=_("project"))
    permit_type = models.ForeignKey(
        PermitType, models.PROTECT, related_name="permits", verbose_name=_("permit type")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PermitStatus.choices, default=PermitStatus.NOT_STARTED
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True, validators=[validate_happened])
    approved_on = models.DateField(_("approved on"), null=True, blank=True, validators=[validate_happened])
    handler = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_permits",
        verbose_name=_("handled on the enterprise's behalf by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["permit_type__order"]
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        constraints = [
            models.UniqueConstraint(fields=["project", "permit_type"], name="one_permit_per_type"),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(applied_on__isnull=True)
                | Q(approved_on__gte=F("applied_on")),
                name="permit_approved_after_applied",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.permit_type}"


class Photo(models.Model):
    """A photo from a site visit or a progress note, downscaled on upload."""

    image = models.ImageField(_("image"), upload_to="photos/%Y/%m/")
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    visit = models.ForeignKey(
        "projects.Visit",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("visit"),
    )
    progress_note = models.ForeignKey(
        ProgressNote,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("progress note"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False) | Q(progress_note__isnull=False),
                name="photo_belongs_somewhere",
            )
        ]

    def __str__(self):
        return self.image.name
