"""A project's master data: name, enterprise, park, investment, planned dates, the people in charge.

Coordinators and administrators edit it (PRODUCT.md "Roles": the coordinator may edit any project).
The dates that move the stage (actual start, completion, production) are not master data: they go
through `services.progress.project_record_stage_date`, which keeps the stage consistent with them.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, geo
from ..models import Project, ProjectAction, RoleCode, Staff
from ..rulebook import may_act_on_project, require_project_action
from .errors import check_version

# The fields `project_update` may change; everything else has its own path (stage dates, code).
EDITABLE_FIELDS = (
    "name",
    "enterprise",
    "park",
    "industry",
    "project_type",
    "total_investment",
    "content",
    "planned_start",
    "planned_completion",
    "leader",
    "grid_worker",
    "lead_department",
)


def may_edit_project(user, project: Project | None = None) -> bool:
    """The rulebook's ProjectAction.EDIT (coordinators, administrators); visibility is the caller's 404."""
    return may_act_on_project(user, ProjectAction.EDIT, project)


def _holds_role(staff: Staff | None, role: str) -> bool:
    return staff is None or staff.roles.filter(code=role).exists()


def project_edit_errors(
    *,
    planned_start: datetime.date | None,
    planned_completion: datetime.date | None,
) -> dict:
    """Field errors of the planned dates (empty when fine); shared by the form and the service."""
    errors = {}
    if planned_start and planned_completion and planned_completion < planned_start:
        errors["planned_completion"] = _(
            "The planned completion cannot be before the planned start (%(date)s)."
        ) % {"date": planned_start}
    return errors


@transaction.atomic
def project_update(
    *, project: Project, by, changes: Mapping[str, Any], expected_version: int | None
) -> list[str]:
    """Change a project's master data; returns the names of the fields that changed.

    Re-reads the project under a row lock and refuses a stale form (`StaleVersion`); a new committee
    leader or grid worker must hold that role (the current one stays even if the role was taken
    away since). Saving bumps the version and writes one history row naming `by` (a user).
    Nothing changed: nothing is written and the version stays.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    user, _staff = access.actor(by)
    require_project_action(user, ProjectAction.EDIT, project)
    locked = check_version(Project.objects.select_for_update().get(pk=project.pk), expected_version)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, changes[name])
    errors = project_edit_errors(
        planned_start=locked.planned_start, planned_completion=locked.planned_completion
    )
    if "leader" in changed and not _holds_role(locked.leader, RoleCode.LEADER):
        errors["leader"] = _("%(name)s is not a committee leader.") % {"name": locked.leader}
    if "grid_worker" in changed and not _holds_role(locked.grid_worker, RoleCode.GRID_WORKER):
        errors["grid_worker"] = _("%(name)s is not a grid worker.") % {"name": locked.grid_worker}
    if errors:
        raise ValidationError(errors)
    # The caller's transaction holds the row lock, so a plain increment cannot race.
    locked.version += 1
    locked._history_user = user if user is not None and user.is_authenticated else None
    locked._change_reason = _("Project edited")
    locked.full_clean()
    locked.save()
    for name in [*changed, "version", "updated_at"]:
        setattr(project, name, getattr(locked, name))
    return changed


def may_set_location(user, project: Project) -> bool:
    """The rulebook's ProjectAction.SET_LOCATION (coordinators, administrators, its grid workers)."""
    return may_act_on_project(user, ProjectAction.SET_LOCATION, project)


@transaction.atomic
def project_set_location(
    *, project: Project, by, longitude, latitude, outline: str | None = None, expected_version=None
) -> bool:
    """Set (or clear, with both None) a project's point, and its outline unless `outline` is None.

    Refuses what the rulebook does not grant, a stale form and coordinates out of range (the
    messages name the field). Returns whether anything changed; one history row names `by`.
    """
    user, _staff = access.actor(by)
    require_project_action(user, ProjectAction.SET_LOCATION, project)
    locked = check_version(Project.objects.select_for_update().get(pk=project.pk), expected_version)
    errors = geo.point_errors(longitude, latitude)
    if outline is not None:
        try:
            geo.outline_check(outline)
        except ValidationError as error:
            errors["outline"] = error.messages
    if errors:
        raise ValidationError(errors)
    changes = {"longitude": longitude, "latitude": latitude}
    if outline is not None:
        changes["outline"] = outline.strip()
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(locked, name, changes[name])
    locked.version += 1
    locked._history_user = user if user is not None and user.is_authenticated else None
    locked._change_reason = _("Location set")
    locked.full_clean()
    locked.save()
    for name in [*changed, "version", "updated_at"]:
        setattr(project, name, getattr(locked, name))
    return True
