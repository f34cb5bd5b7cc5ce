"""Named, chainable reads. Every view starts from a `visible_to(user)` queryset."""

import datetime
import functools

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import IsNull
from django.utils import timezone

from . import access
from .compiled import CompiledOnce


def today():
    """Today in the zone's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def grid_projects_q(staff, prefix=""):
    """Q: the projects in `staff`'s care as a grid worker — in their parks, or naming them.

    The one definition of "a grid worker's projects". `staff`: a Staff, or OuterRef("pk") in a
    subquery of a staff queryset; `prefix` ("project__") reads it from another model.
    """
    from .models import Park

    # The parks' subquery sits one level deeper than the caller's: an outer reference reaches one more.
    parks_of = OuterRef(staff) if isinstance(staff, OuterRef) else staff
    return Q(**{f"{prefix}park__in": Park.objects.filter(staff=parks_of).values("pk")}) | Q(
        **{f"{prefix}grid_worker": staff}
    )


def grid_groups_of(groups, parks, staff_pk):
    """The values of `groups` {(park, named grid worker): value} that are a grid worker's projects
    (grid_projects_q read on grouped counts: their `parks`' and those naming them): a count per
    worker from one grouped query, not a subquery per worker over the zone's projects."""
    return [value for (park, named), value in groups.items() if park in parks or named == staff_pk]


# Inside a project queryset annotated with `stage_rank`: the project row of the outer query.
OUTER_PROJECT = OuterRef("pk")


def stage_rank(field):
    """The position of a stage field in the life of a project (Stage.rank), in the database."""
    from .models import Stage

    whens = [When(**{field: value}, then=i) for i, value in enumerate(Stage.values)]
    return Case(*whens, default=-1, output_field=models.IntegerField())


def missing_permit_types(project):
    """The permit types `project`'s stage needs (PermitType.required_from ≤ its stage) that it has not
    got approved or marked not needed — the one definition of a missing permit.

    `project`: a Project, or OUTER_PROJECT inside a project queryset annotated with `stage_rank`.
    """
    from .models import Permit, PermitStatus, PermitType, Stage

    types = PermitType.objects.exclude(required_from="")
    if project is OUTER_PROJECT:
        project_ref = OuterRef(OUTER_PROJECT)
        types = types.annotate(required_rank=stage_rank("required_from")).filter(
            required_rank__lte=OuterRef("stage_rank")
        )
    else:
        # The same test for a known stage, without building the CASE: not required from a later one.
        project_ref = project.pk
        types = types.exclude(required_from__in=Stage.values[Stage.rank(project.stage) + 1 :])
    done = Permit.objects.filter(
        project=project_ref,
        permit_type=OuterRef("pk"),
        status__in=[PermitStatus.APPROVED, PermitStatus.NOT_NEEDED],
    )
    return types.exclude(Exists(done))


class ProjectQuerySet(models.QuerySet):
    # The working calendar lights.annotate() read (its late nodes' delays are counted on it): carried
    # through clones and handed to the fetched rows, so a list reads the calendar once, not per row.
    _light_calendar = None

    def _clone(self):
        clone = super()._clone()
        clone._light_calendar = self._light_calendar
        return clone

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._light_calendar is not None:
            for row in self._result_cache:
                if isinstance(row, models.Model):
                    row.light_calendar = self._light_calendar

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
        """Projects at a stage that needs a permit they have not got (missing_permit_types); one EXISTS
        per project row, in the database."""
        return self.annotate(stage_rank=stage_rank("stage")).filter(
            models.Exists(missing_permit_types(OUTER_PROJECT))
        )

    def with_missing_permit_types(self, permit_types):
        """Annotate `missing_<type pk>` (a boolean) for each of `permit_types`: the list of missing
        permits in one query, whatever the number of projects."""
        return self.annotate(stage_rank=stage_rank("stage")).annotate(
            **{
                f"missing_{permit_type.pk}": models.Exists(
                    missing_permit_types(OUTER_PROJECT).filter(pk=permit_type.pk)
                )
                for permit_type in permit_types
            }
        )

    def not_visited_since(self, days, on=None):
        """Projects without a (non-withdrawn) visit in the last `days` days."""
        from .models import Visit

        since = (on or today()) - datetime.timedelta(days=days)
        recent = Visit.objects.filter(date__gt=since, withdrawn_at__isnull=True).values("project")
        return self.exclude(pk__in=recent)

    def with_light(
        self, *, year=None, month=None, today=None, rules=None, calendar=None, by_light=False, reasons=True
    ):
        """Annotate the `light_*` values a row's light and its reasons in words are read from
        (`Project.light`, `Project.light_reasons`); `by_light` aliases `light` = 'red' / 'yellow' /
        'green' to filter, order and group by in the database, and `reasons=False` leaves out what
        only the reasons read. The rules live in projects/lights.py."""
        from . import lights

        return lights.annotate(
            self,
            year=year,
            month=month,
            today=today,
            rules=rules,
            calendar=calendar,
            by_light=by_light,
            reasons=reasons,
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


# What an issue's row shows: its words, level and deadline, what Issue.is_overdue reads, and its
# project's name.
ITEM_FIELDS = ("description", "level", "deadline", "status", "suspended", "withdrawn_at", "project__name")


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
        """The issues `staff` is responsible for pushing — the one definition of "my issues", for the
        home page and the daily digest: assigned to them; their department's (department staff); their
        projects' (grid workers); their projects' from level 3 and those they assigned (leaders); level 2
        (coordinators); level 4 (supervisors)."""
        from .models import Level, RoleCode

        if staff is None:
            return self.none()
        mine = Q(assignee=staff)
        if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
            mine |= Q(department=staff.department_id)
        if staff.has_role(RoleCode.GRID_WORKER):
            mine |= grid_projects_q(staff, prefix="project__")
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

    def as_items(self, on=None):
        """Rows (not model instances) of what an issue item shows (projects/views/home.py issue_items):
        its number, words, level and deadline, whether it is overdue on `on` (overdue_q, read by the
        database) and its project's name; one join."""
        return self.annotate(
            is_overdue=models.ExpressionWrapper(overdue_q(on), output_field=models.BooleanField())
        ).values("pk", "description", "level", "deadline", "is_overdue", "project__name")

    def as_rows(self):
        """Only what a row of the issue table shows (templates/projects/_issue_table.html), with its
        project, park, department and responsible person's names."""
        return self.select_related("project__park", "department", "assignee").only(
            *ITEM_FIELDS,
            "category",
            "flagged_for_committee",
            "project__park__name",
            "department__name",
            "assignee__name",
        )

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

    def with_evidence(self, rules=None):
        """Annotate the visit evidence's distance and photo-day checks (projects/evidence.py)."""
        from . import evidence

        return evidence.annotate(self, rules)


class PlanNodeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        if access.sees_everything(user):
            return self.all()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def with_dates(self):
        """Annotate `planned_on`, `done_on` and `not_needed` from wherever each node's dates live
        (the project's stage and planned dates, the permit, or the node itself); see models.plans."""
        planned_on, done_on, not_needed, _open = _node_dates()
        return self.annotate(planned_on=planned_on, done_on=done_on, not_needed=not_needed)

    def late(self, on=None):
        """Open (see open()) and planned before `on` (default today)."""
        return self.open().filter(planned_on__lt=on or today())

    def open(self):
        """Neither done nor marked not needed, with their `planned_on`; `done_on` and `not_needed`
        are None and False, as the filter says (constants: the done date's CASE and the permit's
        subqueries are written once, in the filter, not again in the SELECT)."""
        planned_on, _done_on, _not_needed, open_q = _node_dates()
        return self.annotate(
            planned_on=planned_on,
            done_on=Value(None, output_field=models.DateField()),
            not_needed=Value(False, output_field=models.BooleanField()),
        ).filter(open_q)


@functools.cache
def _node_dates():
    """(planned_on, done_on, not_needed, open) for PlanNodeQuerySet: the dates' expressions and the
    condition "neither done nor marked not needed" on them (a filter, no annotation to resolve
    again in each subquery), built once per process (they hold no input), as annotate() and
    filter() resolve a copy of each for their query; each compiled once per shape of query
    (projects/compiled.py)."""
    from .models import Permit, PermitStatus
    from .models.plans import STAGE_PLANNED_FIELD
    from .services.progress import STAGE_DATE_FIELD

    # One permit per project and type (one_permit_per_type): no ordering, so no join to its type.
    permit = Permit.objects.filter(
        project=OuterRef("project"), permit_type=OuterRef("permit_type")
    ).order_by()
    planned = [When(stage=stage, then=F(f"project__{field}")) for stage, field in STAGE_PLANNED_FIELD.items()]
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
    done_on = CompiledOnce(
        Case(*done, default=F("actual_date"), output_field=models.DateField()), key=("node", "done_on")
    )
    not_needed = Exists(permit.filter(status=PermitStatus.NOT_NEEDED))
    return (
        CompiledOnce(
            Case(*planned, default=F("planned_date"), output_field=models.DateField()),
            key=("node", "planned_on"),
        ),
        done_on,
        CompiledOnce(not_needed, key=("node", "not_needed")),
        Q(IsNull(done_on, True), CompiledOnce(~not_needed, key=("node", "needed"))),
    )
