"""Rules an administrator changes without a deploy: time limits, routing, calendar, thresholds."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Category, Level
from .org import Department


class Rules(models.Model):
    """The zone's service rules; one row (pk=1), created with PRODUCT.md's defaults."""

    grid_help_days = models.PositiveSmallIntegerField(
        _("grid help time limit (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    coordination_days = models.PositiveSmallIntegerField(
        _("coordination meeting time limit (working days)"), default=20, validators=[MinValueValidator(1)]
    )
    leader_days = models.PositiveSmallIntegerField(
        _("leader assignment time limit (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    supervision_days = models.PositiveSmallIntegerField(
        _("supervision time limit (working days)"), default=10, validators=[MinValueValidator(1)]
    )
    first_response_days = models.PositiveSmallIntegerField(
        _("first response expected within (working days)"), default=1, validators=[MinValueValidator(1)]
    )
    max_deadline_days = models.PositiveSmallIntegerField(
        _("latest explicit deadline (working days ahead)"),
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A deadline set by a leader or a meeting lies between tomorrow and this many working days "
            "ahead; a matter that needs longer is suspended with a coordinator's approval."
        ),
    )
    red_lag_points = models.PositiveSmallIntegerField(
        _("red light: completion rate behind time progress by more than (points)"),
        default=30,
        validators=[MaxValueValidator(100)],
    )
    yellow_lag_points = models.PositiveSmallIntegerField(
        _("yellow light: completion rate behind time progress by at least (points)"),
        default=10,
        validators=[MaxValueValidator(100)],
    )
    visit_gap_days = models.PositiveSmallIntegerField(
        _("yellow light: not visited for (days)"), default=30, validators=[MinValueValidator(1)]
    )
    red_node_days = models.PositiveSmallIntegerField(
        _("red light: a key node late by more than (working days)"),
        default=10,
        help_text=_("Any late node turns the light yellow; a key node this late turns it red."),
    )
    report_deadline_day = models.PositiveSmallIntegerField(
        _("monthly report due by this day of the next month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Reminders before it is late (PRODUCT.md "Reaching people before it is late"), per kind; a
    # reminder also goes the working day before and on the day itself. 0 turns a kind's off.
    issue_reminder_days = models.PositiveSmallIntegerField(
        _("remind of an issue's deadline (working days ahead)"),
        default=2,
        validators=[MaxValueValidator(20)],
    )
    node_reminder_days = models.PositiveSmallIntegerField(
        _("remind of a plan node's planned date (working days ahead)"),
        default=2,
        validators=[MaxValueValidator(20)],
    )
    round_reminder_days = models.PositiveSmallIntegerField(
        _("remind of the monthly round's due day (working days ahead)"),
        default=2,
        validators=[MaxValueValidator(20)],
    )
    # The issuing units printed at the head of the official documents (projects/slips.py). Empty: the
    # standard text in the reader's language, as before they were configurable.
    assignment_slip_unit = models.CharField(
        _("issuing unit of the leader assignment slip (交办单)"),
        max_length=100,
        blank=True,
        help_text=_("Empty: “Office of the Party Working Committee and the Management Committee”."),
    )
    supervision_slip_unit = models.CharField(
        _("issuing unit of the supervision slip (督办单)"),
        max_length=100,
        blank=True,
        help_text=_("Empty: “Supervision Office”. Also printed on the seal line."),
    )
    minutes_unit = models.CharField(
        _("issuing unit of the meeting minutes (会议纪要)"),
        max_length=100,
        blank=True,
        help_text=_("Empty: the department of the meeting's chair, else “Economic Development Bureau”."),
    )

    class Meta:
        verbose_name = _("service rules")
        verbose_name_plural = _("service rules")

    def __str__(self):
        return str(_("Service rules"))

    @classmethod
    def current(cls):
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    def time_limit(self, level):
        """Working days allowed at a level of the ladder."""
        return {
            Level.GRID_HELP: self.grid_help_days,
            Level.COORDINATION: self.coordination_days,
            Level.LEADER: self.leader_days,
            Level.SUPERVISION: self.supervision_days,
        }[Level(level)]


class CategoryRoute(models.Model):
    """The department a new issue of a category goes to (PRODUCT.md "Routing")."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("department"))

    class Meta:
        ordering = ["category"]
        verbose_name = _("category route")
        verbose_name_plural = _("category routes")

    def __str__(self):
        return f"{self.get_category_display()} → {self.department}"


class CalendarDay(models.Model):
    """An administrator's correction of the official calendar: a holiday or a make-up working day.

    Days listed here win over the calendar package, which covers only the years it knows.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {self.note}"
