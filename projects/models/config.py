"""Rules an administrator changes without a deploy: time limits, routing, calendar, thresholds."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..geo import validate_park_outlines
from ..prepared import SameSQL
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
    # Visit evidence (PRODUCT.md "Location"): a phone further than this from the project is flagged.
    visit_distance_m = models.PositiveIntegerField(
        _("flag a visit recorded farther from the project than (m)"),
        default=1000,
        validators=[MinValueValidator(10), MaxValueValidator(100_000)],
    )

    class Meta:
        verbose_name = _("service rules")
        verbose_name_plural = _("service rules")

    def __str__(self):
        return str(_("Service rules"))

    @classmethod
    def current(cls):
        """The zone's one row of rules, made with the defaults the first time it is asked for."""
        rows = _THE_RULES.rows(1)
        if rows:
            return rows[0]
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


class BaseLayer(models.TextChoices):
    OUTLINES = "outlines", _("Park outlines on a plain background")
    PLAN_IMAGE = "plan_image", _("The zone's plan image (规划图)")
    TILES = "tiles", _("An offline tile archive (PMTiles or MBTiles)")


class MapSettings(models.Model):
    """The zone's map (/map/): its base layer, which needs no internet; one row (pk=1).

    The files are checked by their content when uploaded (projects/admin_config.py) and served by
    the app to logged-in users only (projects/views/maps.py).
    """

    base_layer = models.CharField(
        _("base layer"), max_length=20, choices=BaseLayer.choices, default=BaseLayer.OUTLINES
    )
    plan_image = models.FileField(_("plan image"), upload_to="map/", blank=True)
    plan_south = models.DecimalField(
        _("plan image: south edge (latitude)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    plan_west = models.DecimalField(
        _("plan image: west edge (longitude)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    plan_north = models.DecimalField(
        _("plan image: north edge (latitude)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    plan_east = models.DecimalField(
        _("plan image: east edge (longitude)"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    tile_archive = models.FileField(
        _("tile archive"),
        upload_to="map/",
        blank=True,
        help_text=_("A raster .pmtiles or .mbtiles file of the zone, made offline (e.g. with a GIS)."),
    )
    tile_kind = models.CharField(_("tile archive kind"), max_length=10, blank=True, editable=False)
    tile_max_zoom = models.PositiveSmallIntegerField(
        _("tile archive: highest zoom level"), default=18, validators=[MaxValueValidator(22)]
    )
    park_outlines = models.TextField(
        _("parks' outlines (GeoJSON)"),
        blank=True,
        validators=[validate_park_outlines],
        help_text=_('A GeoJSON FeatureCollection of polygons, each with the park\'s "name" as a property.'),
    )

    class Meta:
        verbose_name = _("map settings")
        verbose_name_plural = _("map settings")

    def __str__(self):
        return str(_("Map settings"))

    @classmethod
    def current(cls):
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings

    @property
    def plan_bounds(self):
        """[[south, west], [north, east]] as floats, or None while a corner is missing."""
        corners = (self.plan_south, self.plan_west, self.plan_north, self.plan_east)
        if any(corner is None for corner in corners):
            return None
        return [
            [float(self.plan_south), float(self.plan_west)],
            [float(self.plan_north), float(self.plan_east)],
        ]


# Read on most pages (the lights, the deadlines): its SQL compiled once (projects/prepared.py).
_THE_RULES = SameSQL(lambda pk: Rules.objects.filter(pk=pk))
