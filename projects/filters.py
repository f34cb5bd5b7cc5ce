"""django-filter filter sets for the lists; every choice list is limited to what the user may see."""

import calendar
import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .forms.base import StyledForm
from .models import (
    YEAR_MAX,
    YEAR_MIN,
    Department,
    Light,
    ListingKind,
    ListingLevel,
    Park,
    Project,
    RoleCode,
    Staff,
    Stage,
    Visit,
    VisitKind,
)
from .models.projects import HUNDRED_MILLION
from .querysets import today

LIGHTS = Light.choices
PIPELINE_STEPS = [
    ("signed", _("Signed")),
    ("filed", _("Filed (立项备案)")),
    ("started", _("Started")),
    ("completed", _("Completed")),
    ("producing", _("In production")),
]


# A choice list shows each one's name (its label) and validates a choice by its key: only those
# are read (a staff member has a dozen columns, each in the DISTINCT).


def leaders(request):
    """Committee leaders, and anyone still in charge of a project after losing the role (the
    dashboard has a row for them, whose links must filter, not fall back to the whole zone)."""
    return (
        Staff.objects.filter(Q(roles__code=RoleCode.LEADER) | Q(pk__in=Project.objects.values("leader")))
        .distinct()
        .only("name")
    )


def grid_workers(request):
    return Staff.objects.filter(roles__code=RoleCode.GRID_WORKER).distinct().only("name")


class StrictFilterSet(django_filters.FilterSet):
    """A filter with an invalid value (a project the user cannot see, a month 13) lists nothing.

    django-filter drops an invalid field and filters by the others, so a list, and its export, would
    show everything as if that filter had been applied. The panel shows the field's error.
    """

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


class ProjectFilter(StrictFilterSet):
    rules = None  # the warning light's thresholds, when the view has read them (else Rules.current())
    light_calendar = None  # the working calendar the light filter read, for the view's own light

    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(
        label=_("Year"), method="filter_year", min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    park = django_filters.ModelChoiceFilter(label=_("Park"), queryset=Park.objects.only("name"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=ListingLevel.choices, method="filter_listing"
    )
    kind = django_filters.ChoiceFilter(
        label=_("New-build / continuing"), choices=ListingKind.choices, method="filter_listing"
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    leader = django_filters.ModelChoiceFilter(label=_("Committee leader"), queryset=leaders)
    grid_worker = django_filters.ModelChoiceFilter(label=_("Grid worker"), queryset=grid_workers)
    lead_department = django_filters.ModelChoiceFilter(
        label=_("Lead department"), queryset=Department.objects.only("name")
    )
    # With a year (and month) "started" means started by the end of that month (year), as the
    # dashboard counts it; without, started at all.
    started = django_filters.BooleanFilter(label=_("Started"), method="filter_started")
    over_100m = django_filters.BooleanFilter(label=_("1亿 or more"), method="filter_over_100m")
    # The dashboard's cut-off month: it only moves "started" and the warning light.
    month = django_filters.NumberFilter(
        label=_("Up to month"), method="filter_nothing", min_value=1, max_value=12
    )
    light = django_filters.ChoiceFilter(label=_("Warning light"), choices=LIGHTS, method="filter_light")
    # "A grid worker's projects" as the accountability tab counts them: their parks' and those naming them.
    served_by = django_filters.ModelChoiceFilter(
        label=_("Grid worker's projects"), queryset=grid_workers, method="filter_served_by"
    )
    not_visited = django_filters.NumberFilter(
        label=_("Not visited for (days)"), method="filter_not_visited", min_value=1, max_value=3660
    )
    # The dashboard's pipeline figures (四库五率): signed in Y−1..Y (`pipeline_year`) up to the cut-off
    # `month`, having reached the step by then — the rule `projects.pipeline` counts with.
    pipeline = django_filters.ChoiceFilter(
        label=_("Pipeline step reached"), choices=PIPELINE_STEPS, method="filter_pipeline"
    )
    pipeline_year = django_filters.NumberFilter(
        label=_("Signed in this or the previous year"),
        method="filter_nothing",
        min_value=2000,
        max_value=2100,
    )

    class Meta:
        model = Project
        form = StyledForm
        fields = ["q", "year", "park", "level", "kind", "stage", "leader", "grid_worker", "lead_department"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # The drill-down's select offers the same grid workers: it shows the list the grid-worker
            # select read (one query for both); a choice is still validated by its own field.
            form.fields["served_by"].widget.choices = form.fields["grid_worker"].widget.choices
        return self._form

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(enterprise__name__icontains=value)
        )

    def _year(self):
        year = self.form.cleaned_data.get("year")
        return int(year) if year else today().year

    def filter_year(self, queryset, name, value):
        return queryset.filter(listings__year=int(value))

    def filter_listing(self, queryset, name, value):
        # Level and kind belong to a year's listing: the chosen year, else this year.
        return queryset.filter(**{"listings__year": self._year(), f"listings__{name}": value})

    def _month(self):
        month = self.form.cleaned_data.get("month")
        return int(month) if month else None

    def cut_off(self):
        """The last day that counts for "started": end of the chosen month/year; None without a year."""
        year = self.form.cleaned_data.get("year")
        if not year:
            return None
        month = self._month() or 12
        return datetime.date(int(year), month, calendar.monthrange(int(year), month)[1])

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_served_by(self, queryset, name, value):
        return queryset.filter(Q(park__in=value.parks.all()) | Q(grid_worker=value))

    def filter_started(self, queryset, name, value):
        if value is None:
            return queryset
        cut_off = self.cut_off()
        started = Q(actual_start__lte=cut_off) if cut_off else Q(actual_start__isnull=False)
        return queryset.filter(started) if value else queryset.exclude(started)

    def filter_light(self, queryset, name, value):
        # In a subquery, so the rows stay unlit: a list lights only the page it shows.
        lit = queryset.with_light(year=self._year(), month=self._month(), rules=self.rules, by_light=True)
        self.light_calendar = lit._light_calendar
        return queryset.filter(pk__in=lit.filter(light=value).values("pk"))

    def filter_pipeline(self, queryset, name, value):
        from . import pipeline

        year = self.form.cleaned_data.get("pipeline_year")
        year = int(year) if year else today().year
        month = self._month() or 12
        on = pipeline.cutoff(year, month)
        return queryset.filter(pipeline.cohort_q(year, month) & pipeline.reached_q(value, on))

    def filter_not_visited(self, queryset, name, value):
        return queryset.not_visited_since(int(value))

    def filter_over_100m(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(total_investment__gte=HUNDRED_MILLION)
        return queryset.filter(total_investment__lt=HUNDRED_MILLION)


# --- Site visits (visits area) ---------------------------------------------------------------------


class SafeModelChoiceField(django_filters.fields.ModelChoiceField):
    """A key too large for the database is an invalid choice, not a crash (SQLite OverflowError)."""

    def to_python(self, value):
        from django.core.exceptions import ValidationError

        from .forms.base import pk_in_range

        if value not in self.empty_values and not pk_in_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SafeModelChoiceField


def visible_projects(request):
    return Project.objects.visible_to(request.user) if request else Project.objects.none()


def visit_recorders(request):
    return Staff.objects.filter(recorded_visits__isnull=False).distinct().order_by("name")


class VisitFilter(StrictFilterSet):
    """`?date_after=YYYY-MM-01&date_before=YYYY-MM-31` gives the visits of a month (dashboard links)."""

    project = SafeModelChoiceFilter(label=_("Project"), queryset=visible_projects)
    park = SafeModelChoiceFilter(label=_("Park"), field_name="project__park", queryset=Park.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=VisitKind.choices)
    date = django_filters.DateFromToRangeFilter(
        label=_("Date (from – to)"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    recorded_by = SafeModelChoiceFilter(label=_("Recorded by"), queryset=visit_recorders)
    withdrawn = django_filters.BooleanFilter(label=_("Withdrawn"), method="filter_withdrawn")

    class Meta:
        model = Visit
        form = StyledForm
        fields = ["project", "park", "kind", "date", "recorded_by"]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            offer_only_the_chosen(super().form, "project", self.data)
        return self._form

    @property
    def qs(self):
        queryset = super().qs
        # Withdrawn visits only when asked for: they no longer count anywhere.
        asked = self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("withdrawn") is not None
        if not asked:
            queryset = queryset.filter(withdrawn_at__isnull=True)
        return queryset

    def filter_withdrawn(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(withdrawn_at__isnull=not value)


# --- Issues (issues area) ------------------------------------------------------------------------------
from django import forms as django_forms  # noqa: E402  (imports kept with the block they serve)

from .models import ApprovalRequest, Category, Issue, IssueStatus, Level, Satisfaction  # noqa: E402

YES_NO = [("1", _("Yes")), ("0", _("No"))]


def issue_projects(request):
    return Project.objects.visible_to(request.user).only("pk", "code", "name").order_by("code")


def offer_only_the_chosen(form, name, data):
    """Narrow a model select of the whole zone's projects to the one in the query (or none).

    A zone has thousands of projects: rendering them all as options made the list pages grow with
    the data (1.5 s at 10,000 projects). The lists' search box finds a project by code or name, and
    links such as a project's "its issues" pass the chosen one, which still validates (if visible).
    """
    field = form.fields[name]
    chosen = str(data.get(name) or "") if data is not None else ""
    visible = field.queryset
    field.queryset = visible.filter(pk=chosen) if chosen.isdigit() and len(chosen) <= 18 else visible.none()
    return form


def issue_assignees(request):
    return Staff.objects.filter(department__isnull=False).only("pk", "name")


class IssueFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IssueStatus.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    park = django_filters.ModelChoiceFilter(
        label=_("Park"), field_name="project__park", queryset=Park.objects.all()
    )
    # The dashboard's breakdowns (dashboard area): the issues of a committee leader's projects, and
    # of the projects listed in a year (at a level of that year's list).
    leader = django_filters.ModelChoiceFilter(
        label=_("Committee leader"), field_name="project__leader", queryset=leaders
    )
    listed_in = django_filters.NumberFilter(
        label=_("Project listed in year"), method="filter_listed_in", min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    listing_level = django_filters.ChoiceFilter(
        label=_("Project's listing level"), choices=ListingLevel.choices, method="filter_listing_level"
    )
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=Department.objects.all())
    assignee = django_filters.ModelChoiceFilter(label=_("Responsible person"), queryset=issue_assignees)
    project = django_filters.ModelChoiceFilter(label=_("Project"), queryset=issue_projects)
    raised_from = django_filters.DateFilter(
        label=_("Raised from"),
        field_name="raised_at__date",
        lookup_expr="gte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    raised_to = django_filters.DateFilter(
        label=_("Raised until"),
        field_name="raised_at__date",
        lookup_expr="lte",
        widget=django_forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES_NO, method="filter_overdue")
    flagged = django_filters.ChoiceFilter(
        label=_("Flagged for the committee"), choices=YES_NO, method="filter_flag"
    )
    suspended = django_filters.ChoiceFilter(label=_("Suspended"), choices=YES_NO, method="filter_flag")
    # The dashboard's links (dashboard area): "open" there is open or in progress.
    unresolved = django_filters.ChoiceFilter(
        label=_("Open or in progress"), choices=YES_NO, method="filter_unresolved"
    )
    solved_on_site = django_filters.ChoiceFilter(
        label=_("Solved on site"), choices=YES_NO, method="filter_solved_on_site"
    )
    # The accountability tab's links (projects/views/accountability.py).
    satisfaction = django_filters.ChoiceFilter(
        label=_("Enterprise satisfaction"), choices=Satisfaction.choices
    )
    extended = django_filters.ChoiceFilter(
        label=_("Deadline extended"), choices=YES_NO, method="filter_extended"
    )
    grid_worker = django_filters.ModelChoiceFilter(
        label=_("Grid worker's projects"), queryset=grid_workers, method="filter_grid_worker"
    )
    # The home page's links: no first response yet; "late" as the issue page's badge.
    first_response = django_filters.ChoiceFilter(
        label=_("First response"),
        choices=[
            ("awaiting", _("Awaiting first response")),
            ("late", _("Awaiting first response, past the limit")),
        ],
        method="filter_first_response",
    )

    class Meta:
        model = Issue
        form = StyledForm
        fields = []

    @property
    def form(self):
        if not hasattr(self, "_form"):
            offer_only_the_chosen(super().form, "project", self.data)
        return self._form

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(description__icontains=value)
            | Q(project__name__icontains=value)
            | Q(project__code__icontains=value)
        )

    def filter_listed_in(self, queryset, name, value):
        return queryset.filter(project__listings__year=int(value))

    def filter_listing_level(self, queryset, name, value):
        # The level of the project's listing of the chosen year (`listed_in`), else of this year.
        year = self.form.cleaned_data.get("listed_in")
        year = int(year) if year else today().year
        return queryset.filter(project__listings__year=year, project__listings__level=value)

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue()
        return overdue if value == "1" else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_flag(self, queryset, name, value):
        field = {"flagged": "flagged_for_committee"}.get(name, name)
        return queryset.filter(**{field: value == "1"})

    def filter_unresolved(self, queryset, name, value):
        unresolved = Q(status__in=IssueStatus.unresolved())
        return queryset.filter(unresolved) if value == "1" else queryset.exclude(unresolved)

    def filter_solved_on_site(self, queryset, name, value):
        return queryset.filter(solved_on_site=value == "1")

    def filter_extended(self, queryset, name, value):
        extended = ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.EXTENSION, status=ApprovalRequest.Status.APPROVED
        ).values("issue")
        return queryset.filter(pk__in=extended) if value == "1" else queryset.exclude(pk__in=extended)

    def filter_grid_worker(self, queryset, name, value):
        return queryset.filter(Q(project__park__in=value.parks.all()) | Q(project__grid_worker=value))

    def filter_first_response(self, queryset, name, value):
        if value == "late":
            return queryset.first_response_late()
        return queryset.awaiting_first_response()
