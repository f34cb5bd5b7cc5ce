"""Named, chainable reads. Every view starts from a `visible_to(user)` queryset."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import access


def today():
    """Today in the zone's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def grid_projects_q(staff, prefix=""):
    """Q: the projects in `staff`'s care as a grid worker — in their parks, or naming them.

    The one definition of "a grid worker's projects"; `prefix` ("project__") reads it from another model.
    """
    return Q(**{f"{prefix}park__in": staff.parks.all()}) | Q(**{f"{prefix}grid_worker": staff})


class ProjectQuerySet(models.QuerySet):
    def of_grid_worker(self, staff):
        """The projects in the care of grid worker `staff` (see grid_projects_q)."""
        return self.filter(grid_projects_q(staff))

    def visible_to(self, user):
        """Projects the user may see (PRODUCT.md "Roles"); nothing for a user without a role."""
        if access.sees_everything(user):
            return self.all()
        staff = access.get_staff(user)
        if staff is None:
            return self.none()
        from .models import Issue, RoleCode, Visit

        allowed = Q(pk__in=[])
        if staff.has_role(RoleCode.GRID_WORKER):
            allowed |= grid_projects_q(staff)
        if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
            department = staff.department_id
            allowed |= (
                Q(lead_department=department)
                | Q(pk__in=Issue.objects.filter(department=department).values("project"))
                | Q(pk__in=Visit.objects.filter(departments=department).values("project"))
            )
        return self.filter(allowed)

    def listed_in(self, year):
        return self.filter(listings__year=year)

    def missing_permits(self):
        """Projects at a stage that needs a permit (PermitType.required_from ≤ stage) they have not got
        approved or marked not needed. One EXISTS per project row, in the database."""
        from .models import Permit, PermitStatus, PermitType, Stage

        def rank(field):
            whens = [models.When(**{field: value}, then=i) for i, value in enumerate(Stage.values)]
            return models.Case(*whens, default=-1, output_field=models.IntegerField())

        done = Permit.objects.filter(
            project=models.OuterRef(models.OuterRef("pk")),
            permit_type=models.OuterRef("pk"),
            status__in=[PermitStatus.APPROVED, PermitStatus.NOT_NEEDED],
        )
        needed = (
            PermitType.objects.exclude(required_from="")
            .annotate(rank=rank("required_from"))
            .filter(rank__lte=models.OuterRef("stage_rank"))
            .exclude(models.Exists(done))
        )
        return self.annotate(stage_rank=rank("stage")).filter(models.Exists(needed))

    def not_visited_since(self, days, on=None):
        """Projects without a (non-withdrawn) visit in the last `days` days."""
        from .models import Visit

        since = (on or today()) - datetime.timedelta(days=days)
        recent = Visit.objects.filter(date__gt=since, withdrawn_at__isnull=True).values("project")
        return self.exclude(pk__in=recent)

    def with_light(self, *, year=None, month=None, today=None, rules=None):
        """Annotate `light` = 'red' / 'yellow' / 'green' (PRODUCT.md "Warning lights"), in the database.

        The completion rate is the project's reports of months 1..`month` of `year` over its `year`
        listing's planned investment, against time progress `month` ÷ 12; a project without a listing
        of the year or with a zero plan has no lag rule. Defaults: today's year and month; for a past
        year its December; for a future year no lag rule. `rules` saves the query for Rules.current().
        Thresholds come from Rules (administrator-editable). A late node (PlanNode.objects.late) turns
        the light yellow, a key node late by more than Rules.red_node_days working days red.
        """
        from .models import Issue, Level, ListingKind, MonthlyReport, PlanNode, Rules, Visit
        from .workdays import latest_start_before

        on = today or timezone.localdate()
        if year is None:
            year = on.year
        if month is None:
            month = on.month if year == on.year else (12 if year < on.year else 0)
        rules = rules or Rules.current()
        money = DecimalField(max_digits=20, decimal_places=2)
        done = (
            MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month__lte=month)
            .order_by()
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        overdue = Issue.objects.filter(project=OuterRef("pk")).overdue(on=on)
        late_nodes = PlanNode.objects.filter(project=OuterRef("pk")).late(on=on)
        # A key node late by more than red_node_days working days: planned on or before this day.
        red_node_day = latest_start_before(on, rules.red_node_days + 1)
        visited = Visit.objects.filter(
            project=OuterRef("pk"),
            withdrawn_at__isnull=True,
            date__gt=on - datetime.timedelta(days=rules.visit_gap_days),
        )
        # The year's listing is a LEFT JOIN (one listing per project and year), not a subquery: the
        # light's conditions name the listing's columns several times, and each subquery named would be
        # run again for every row (scale issue).
        qs = (
            self.annotate(
                light_listing=FilteredRelation("listings", condition=Q(listings__year=year)),
            )
            .annotate(
                light_kind=F("light_listing__kind"),
                light_planned=ExpressionWrapper(F("light_listing__planned_investment"), output_field=money),
                light_done=Coalesce(
                    Subquery(done, output_field=money), Value(Decimal(0)), output_field=money
                ),
                light_overdue_high=Exists(overdue.filter(level__gte=Level.LEADER)),
                light_overdue_low=Exists(overdue.filter(level__lte=Level.COORDINATION)),
                light_visited=Exists(visited),
                light_node_red=Exists(late_nodes.filter(is_key=True, planned_on__lte=red_node_day)),
                light_node_late=Exists(late_nodes),
            )
            .annotate(light_done_1200=ExpressionWrapper(F("light_done") * Value(1200), output_field=money))
        )

        def behind(points, lookup):
            # rate < time progress − points  ⇔  done·1200 < (100·month − 12·points)·planned:
            # integers only, no division or rounding in the database.
            bound = 100 * month - 12 * points
            if month <= 0 or bound < 0 or (bound == 0 and lookup == "lt"):
                return Q(pk__in=[])  # the rate cannot be that far behind
            return Q(light_planned__gt=0, **{f"light_done_1200__{lookup}": F("light_planned") * Value(bound)})

        red = (
            Q(light_kind=ListingKind.NEW, planned_start__lt=on, actual_start__isnull=True)
            | behind(rules.red_lag_points, "lt")
            | Q(light_overdue_high=True)
            | Q(light_node_red=True)
        )
        yellow = (
            behind(rules.yellow_lag_points, "lte")
            | Q(light_visited=False)
            | Q(light_overdue_low=True)
            | Q(light_node_late=True)
        )
        return qs.annotate(
            light=Case(
                When(red, then=Value("red")),
                When(yellow, then=Value("yellow")),
                default=Value("green"),
                output_field=models.CharField(),
            )
        )


def raised_too_long_ago(on=None, limit=None):
    """Q: raised more than `limit` (Rules.first_response_days) working days before `on` (today).

    The calendar is read once (one query) for the last day of raising that is late by `on`; the
    rest is a plain comparison the database does.
    """
    from .models import Rules
    from .workdays import latest_start_before

    if limit is None:
        limit = Rules.current().first_response_days
    last_late_day = latest_start_before(on or today(), limit + 1)
    next_day = datetime.datetime.combine(last_late_day + datetime.timedelta(days=1), datetime.time.min)
    return Q(raised_at__lt=timezone.make_aware(next_day))


def overdue_q(on=None, prefix=""):
    """Q: an overdue issue — active (not withdrawn), unresolved, not suspended, past its deadline on `on`
    (today). The one definition: `Issue.objects.overdue()` filters on it, aggregates count with it, and
    `Issue.is_overdue` is its reading for one loaded issue. `prefix` ("issues__") reads it from a project.
    """
    from .models import IssueStatus

    return Q(
        **{
            f"{prefix}withdrawn_at__isnull": True,
            f"{prefix}status__in": IssueStatus.unresolved(),
            f"{prefix}suspended": False,
            f"{prefix}deadline__lt": on or today(),
        }
    )


class IssueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Grid workers see the issues of their projects; department staff those assigned to them."""
        if access.sees_everything(user):
            return self.all()
        staff = access.get_staff(user)
        if staff is None:
            return self.none()
        from .models import Project, RoleCode

        allowed = Q(pk__in=[])
        if staff.has_role(RoleCode.GRID_WORKER):
            allowed |= Q(project__in=Project.objects.of_grid_worker(staff).values("pk"))
        if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
            allowed |= Q(department=staff.department_id)
        return self.filter(allowed)

    def active(self):
        """Not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def responsible(self, staff):
        """The issues that are this person's to push (the digest's and the reminders' one
        definition): assigned to them, their department's, their projects' (grid worker; committee
        leader from level 3 or the assigning leader), level 2 for coordinators, level 4 for
        supervisors. Nothing for None."""
        from .models import Level, RoleCode

        if staff is None:
            return self.none()
        mine = Q(assignee=staff)
        if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
            mine |= Q(department=staff.department_id)
        if staff.has_role(RoleCode.GRID_WORKER):
            mine |= Q(project__grid_worker=staff) | Q(project__park__in=staff.parks.all())
        if staff.has_role(RoleCode.LEADER):
            mine |= Q(project__leader=staff, level__gte=Level.LEADER) | Q(assigned_by_leader=staff)
        if staff.has_role(RoleCode.COORDINATOR):
            mine |= Q(level=Level.COORDINATION)
        if staff.has_role(RoleCode.SUPERVISOR):
            mine |= Q(level=Level.SUPERVISION)
        return self.filter(mine)

    def unresolved(self):
        """Open or in progress (the dashboard's "open")."""
        from .models import IssueStatus

        return self.active().filter(status__in=IssueStatus.unresolved())

    def overdue(self, on=None):
        """Unresolved, not suspended, past the deadline (overdue_q)."""
        return self.filter(overdue_q(on))

    def awaiting_first_response(self):
        """Unresolved and nobody but the reporter has responded yet."""
        return self.unresolved().filter(first_response_at__isnull=True)

    def first_response_late(self, on=None, limit=None):
        """Awaiting the first response for more than the limit (the issue page's "late" badge)."""
        return self.awaiting_first_response().filter(raised_too_long_ago(on, limit))


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        if access.sees_everything(user):
            return self.all()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class PlanNodeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        if access.sees_everything(user):
            return self.all()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def with_dates(self):
        """Annotate `planned_on`, `done_on` and `not_needed` from wherever each node's dates live
        (the project's stage and planned dates, the permit, or the node itself); see models.plans."""
        from .models import Permit, PermitStatus
        from .models.plans import STAGE_PLANNED_FIELD
        from .services.progress import STAGE_DATE_FIELD

        permit = Permit.objects.filter(project=OuterRef("project"), permit_type=OuterRef("permit_type"))
        planned = [
            When(stage=stage, then=F(f"project__{field}")) for stage, field in STAGE_PLANNED_FIELD.items()
        ]
        done = [When(stage=stage, then=F(f"project__{field}")) for stage, field in STAGE_DATE_FIELD.items()]
        done.append(
            When(
                permit_type__isnull=False,
                then=Subquery(
                    permit.filter(status=PermitStatus.APPROVED).values("approved_on")[:1],
                    output_field=models.DateField(),
                ),
            )
        )
        return self.annotate(
            planned_on=Case(*planned, default=F("planned_date"), output_field=models.DateField()),
            done_on=Case(*done, default=F("actual_date"), output_field=models.DateField()),
            not_needed=Exists(permit.filter(status=PermitStatus.NOT_NEEDED)),
        )

    def late(self, on=None):
        """Planned before `on` (default today), not done and not marked not needed."""
        return self.with_dates().filter(planned_on__lt=on or today(), done_on__isnull=True, not_needed=False)

    def open(self):
        return self.with_dates().filter(done_on__isnull=True, not_needed=False)
