"""Site visits (走访): one form on a phone records the visit, its photos, the requests raised, the items
solved on the spot and the project's progress — all in one transaction, or nothing at all."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Category, Department, Project, ProjectAction, RoleCode, Staff, Visit, VisitKind
from ..photos import photo_files_cleanup, photo_save
from ..rulebook import may_act_on_project, require_project_action
from .progress import MAY_NOT_LOG_PROGRESS


def visit_may_record(user, project: Project) -> bool:
    """The rulebook's ProjectAction.RECORD_VISIT; the caller has checked that the project is visible."""
    return may_act_on_project(user, ProjectAction.RECORD_VISIT, project)


def visit_may_withdraw(user, visit: Visit) -> bool:
    """The rulebook's ProjectAction.WITHDRAW_VISIT (on the visit); the caller has checked it is visible."""
    return may_act_on_project(user, ProjectAction.WITHDRAW_VISIT, visit)


def _raise(**kwargs):
    """issue_raise, with its refusal turned into a message on the visit form (department staff
    join visits but do not raise requests; PRODUCT.md "Roles")."""
    from .issues import issue_raise

    try:
        return issue_raise(**kwargs)
    except PermissionDenied:
        raise ValidationError(
            _("You may not raise requests for this project; the grid worker or a coordinator can.")
        ) from None


@transaction.atomic
def visit_record(
    *,
    project: Project,
    by,
    date: datetime.date,
    kind: str,
    summary: str,
    participants: Iterable[Staff] = (),
    departments: Iterable[Department] = (),
    people_met: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    location_accuracy: int | None = None,
    requests: Sequence[dict] = (),
    solved: Sequence[dict] = (),
    photos: Sequence = (),
    stage: str | None = None,
    stage_date: datetime.date | None = None,
    progress_text: str = "",
    doubts_confirmed: bool = False,
) -> Visit:
    """Record a visit by the user `by`.

    `requests`: dicts with `category`, `description` and, on a leader visit, optionally `department`
    and `deadline` (assigned on the spot at level 3 by the leader). `solved`: dicts with `category`,
    `description`, `resolution` (recorded as issues resolved on site). `photos`: uploaded files.
    `stage` moves the project's stage on `stage_date` (default: the visit's date) through
    `progress_note_add`, with its rules (an implausible date needs `doubts_confirmed`).
    Raises ValidationError (and writes nothing, files included) if anything is invalid.
    """
    staff = access.get_staff(by)
    participants = list(participants)
    departments = list(departments)
    # The recorder took part; a department member brings their department along.
    if staff is not None and staff not in participants:
        participants.append(staff)
    joining = staff.department if staff is not None and staff.has_role(RoleCode.DEPARTMENT) else None
    if joining is not None and joining not in departments:
        departments.append(joining)
    if date > timezone.localdate():
        raise ValidationError({"date": _("A visit cannot be in the future.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("The location needs both latitude and longitude."))

    visit = Visit(
        project=project,
        date=date,
        kind=kind,
        summary=summary,
        people_met=people_met,
        recorded_by=staff,
        latitude=latitude,
        longitude=longitude,
        location_accuracy=location_accuracy,
    )
    visit.full_clean()
    visit.save()
    visit.participants.set(participants)
    visit.departments.set(departments)

    for request in requests:
        on_the_spot = bool(request.get("department") or request.get("deadline"))
        if on_the_spot:
            if kind != VisitKind.LEADER:
                raise ValidationError(_("Only a leader visit can assign a request on the spot."))
            if not may_act_on_project(by, ProjectAction.ASSIGN_ON_THE_SPOT, project):
                raise ValidationError(
                    _(
                        "Only a committee leader recording the visit assigns a request on the spot; "
                        "leave the department and deadline empty to raise it at level 1."
                    )
                )
            if not request.get("department"):
                raise ValidationError(_("An assignment on the spot needs the department that must act."))
        _raise(
            project=project,
            category=request["category"],
            description=request["description"],
            by=by,
            visit=visit,
            on_the_spot=on_the_spot,
            department=request.get("department"),
            deadline=request.get("deadline"),
        )
    for item in solved:
        _raise(
            project=project,
            category=item.get("category") or Category.OTHER,
            description=item["description"],
            by=by,
            visit=visit,
            solved_on_site=True,
            resolution=item["resolution"],
        )

    if stage or progress_text.strip():
        from .progress import progress_note_add

        if not may_act_on_project(by, ProjectAction.LOG_PROGRESS, project):
            # PRODUCT.md: the stage and its dates only by those who may log the project's progress.
            raise ValidationError(MAY_NOT_LOG_PROGRESS)

        progress_note_add(
            project=project,
            by=by,
            date=date,
            text=progress_text.strip() or _("Stage changed during the site visit."),
            stage=stage or None,
            stage_date=stage_date,
            doubts_confirmed=doubts_confirmed,
        )

    stored = []
    try:
        for file in photos:
            stored.append(photo_save(file=file, by=by, visit=visit))
    except Exception:
        photo_files_cleanup(stored)
        raise
    return visit


@transaction.atomic
def visit_withdraw(*, visit: Visit, by, reason: str) -> Visit:
    """Withdraw a visit with a reason; it is never deleted (its issues stay as they are)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the visit.")})
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    require_project_action(access.actor(by)[0], ProjectAction.WITHDRAW_VISIT, visit)
    if visit.withdrawn_at is not None:
        raise ValidationError(_("This visit has already been withdrawn."))
    visit.withdrawn_reason = reason
    visit.withdrawn_at = timezone.now()
    visit.full_clean()
    visit.save(update_fields=["withdrawn_reason", "withdrawn_at"])
    return visit
