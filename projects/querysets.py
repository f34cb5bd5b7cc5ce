"""Named, chainable reads. Every view starts from a `visible_to(user)` queryset."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import access


def today():
    """Today in the zone's time zone (Asia/Shanghai)."""
    return timezone.localdate()


class ProjectQuerySet(models.QuerySet):
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
            allowed |= Q(park__in=staff.parks.all()) | Q(grid_worker=staff)
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

    def not_visited_since(self, days, on=None):
        """Projects without a (non-withdrawn) visit in the last `days` days."""
        from .models import Visit

        since = (on or today()) - datetime.timedelta(days=days)
        recent = Visit.objects.filter(date__gt=since, withdrawn_at__isnull=True).values("project")
        return self.exclude(pk__in=recent)


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
            grid_projects = Project.objects.filter(Q(park__in=staff.parks.all()) | Q(grid_worker=staff))
            allowed |= Q(project__in=grid_projects.values("pk"))
        if staff.has_role(RoleCode.DEPARTMENT) and staff.department_id:
            allowed |= Q(department=staff.department_id)
        return self.filter(allowed)

    def active(self):
        """Not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def unresolved(self):
        """Open or in progress (the dashboard's "open")."""
        from .models import IssueStatus

        return self.active().filter(status__in=IssueStatus.unresolved())

    def overdue(self, on=None):
        """Unresolved, not suspended, past the deadline."""
        return self.unresolved().filter(suspended=False, deadline__lt=on or today())


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Project

        if access.sees_everything(user):
            return self.all()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))

    def active(self):
        return self.filter(withdrawn_at__isnull=True)
