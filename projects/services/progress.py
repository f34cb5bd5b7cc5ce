"""A project's life on record: the stage dates (signing, filing, start, completion, production), the
progress log and permits (the node plan writes through these: services/plans.py). Every write
checks the project's optimistic version (when the caller passes one), keeps the stage and the dates
consistent (PRODUCT.md "Figures": the stage never contradicts the date) and
bumps the version, all in one transaction.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import Permit, PermitStatus, ProgressNote, Project, RoleCode, Staff, Stage
from ..querysets import today

# Which date records each stage; a stage is reached when its date is set (in pipeline order).
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signed_on",
    Stage.PREPARATION: "filed_on",
    Stage.CONSTRUCTION: "actual_start",
    Stage.COMPLETED: "actual_completion",
    Stage.PRODUCTION: "production_date",
}
# A stage whose date may be recorded only once the previous one is (a completion needs a start);
# signing, filing and the start may be recorded without the earlier steps (a project listed before
# the platform knew its signing).
NEEDS_PREVIOUS = {
    Stage.COMPLETED: Stage.CONSTRUCTION,
    Stage.PRODUCTION: Stage.COMPLETED,
}


class StaleVersion(ValidationError):
    """Someone else saved the project since the form was loaded."""

    def __init__(self):
        super().__init__(
            _("Someone else changed this project in the meantime. Reload the page and try again."),
            code="stale",
        )


def may_log_progress(user, project: Project) -> bool:
    """Grid workers of the project (its park or named), coordinators and administrators.

    Department staff, leaders and supervisors read only. The caller has already checked that the
    project is visible to the user (else 404).
    """
    if access.has_role(user, RoleCode.COORDINATOR, RoleCode.ADMINISTRATOR):
        return True
    staff = access.get_staff(user)
    if staff is None or not staff.has_role(RoleCode.GRID_WORKER):
        return False
    return project.grid_worker_id == staff.pk or staff.parks.filter(pk=project.park_id).exists()


def _staff(by) -> Staff | None:
    """`by` is the acting user or their staff profile."""
    if by is None or isinstance(by, Staff):
        return by
    return access.get_staff(by)


def _lock(project: Project, expected_version: int | None) -> Project:
    """Re-read the project under a row lock and refuse a stale form. Caller is inside a transaction."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    return locked


def _bump(project: Project) -> None:
    """Save the locked project with the next version (the history row comes from save())."""
    # The caller holds the row lock (`_lock`), so a plain increment cannot race.
    project.version += 1
    project.full_clean()
    project.save()


def _stage_date_labels():
    return {
        Stage.SIGNED: _("the signing"),
        Stage.PREPARATION: _("the filing"),
        Stage.CONSTRUCTION: _("the start"),
        Stage.COMPLETED: _("the completion"),
        Stage.PRODUCTION: _("the production date"),
    }


def stage_change_errors(project: Project, stage: str, date: datetime.date) -> dict:
    """Field errors for moving `project` to `stage` on `date` (empty when fine).

    Stages only move forward; a completion needs the start and production the completion; the date
    may not be in the future, before an earlier step's date nor after a later step's date.
    """
    errors = {}
    # An earlier step's missing date may be filled in (a project listed before its filing was
    # recorded); a recorded one is corrected through a request, never moved back here.
    if Stage.rank(stage) < Stage.rank(project.stage) and getattr(project, STAGE_DATE_FIELD[stage]):
        errors["stage"] = _(
            "A project cannot go back from %(current)s to %(stage)s; ask an administrator to correct it."
        ) % {"current": Stage(project.stage).label, "stage": Stage(stage).label}
        return errors
    if date > today():
        errors["date"] = _("The date cannot be in the future.")
    if stage == Stage.COMPLETED and project.actual_start is None:
        errors["stage"] = _("Record the start of construction first.")
    if stage == Stage.PRODUCTION and project.actual_completion is None:
        errors["stage"] = _("Record the completion first.")
    labels = _stage_date_labels()
    # The messages users already know for the neighbouring steps; the others name the step.
    known = {
        (Stage.CONSTRUCTION, Stage.COMPLETED): _("The start cannot be after the completion (%(date)s)."),
        (Stage.COMPLETED, Stage.CONSTRUCTION): _("The completion cannot be before the start (%(date)s)."),
        (Stage.COMPLETED, Stage.PRODUCTION): _(
            "The completion cannot be after the production date (%(date)s)."
        ),
        (Stage.PRODUCTION, Stage.COMPLETED): _("Production cannot start before the completion (%(date)s)."),
    }
    rank = Stage.rank(stage)
    for other, field in STAGE_DATE_FIELD.items():
        other_date = getattr(project, field)
        if other == stage or other_date is None:
            continue
        before = Stage.rank(other) < rank and date < other_date
        after = Stage.rank(other) > rank and date > other_date
        if before or after:
            generic = (
                _("The date cannot be before %(step)s (%(date)s).")
                if before
                else _("The date cannot be after %(step)s (%(date)s).")
            )
            message = known.get((stage, other), generic)
            errors["date"] = message % {"step": labels[other], "date": other_date}
    return errors


def _apply_stage_date(project: Project, stage: str, date: datetime.date) -> tuple[str, str]:
    """Set the stage's date and move the stage forward if needed; returns (stage before, after)."""
    errors = stage_change_errors(project, stage, date)
    if errors:
        raise ValidationError(errors)
    before = project.stage
    setattr(project, STAGE_DATE_FIELD[stage], date)
    if Stage.rank(stage) > Stage.rank(project.stage):
        project.stage = stage
    return before, project.stage


def _stage_note_text(stage: str, date: datetime.date) -> str:
    texts = {
        Stage.SIGNED: _("Signed on %(date)s."),
        Stage.PREPARATION: _("Filed (立项备案) on %(date)s."),
        Stage.CONSTRUCTION: _("Construction started on %(date)s."),
        Stage.COMPLETED: _("Construction completed on %(date)s."),
        Stage.PRODUCTION: _("Production started on %(date)s."),
    }
    return texts[stage] % {"date": date.isoformat()}


@transaction.atomic
def project_record_stage_date(
    *,
    project: Project,
    by,
    stage: str,
    date: datetime.date,
    expected_version: int | None,
    text: str = "",
) -> ProgressNote:
    """Record the signing (签约), filing (立项备案), actual start (开工), completion (竣工) or
    production (投产) date of a project.

    The stage moves with the date (never back); a progress note records the change. Re-recording a
    date already set corrects it (the note says so).
    """
    if stage not in STAGE_DATE_FIELD:
        raise ValidationError({"stage": _("Choose signing, filing, construction, completion or production.")})
    locked = _lock(project, expected_version)
    before, after = _apply_stage_date(locked, stage, date)
    _bump(locked)
    note = ProgressNote(
        project=locked,
        date=date,
        text="\n".join(t for t in [_stage_note_text(stage, date), text.strip()] if t),
        stage_from=before if before != after else "",
        stage_to=after if before != after else "",
        author=_staff(by),
    )
    note.full_clean()
    note.save()
    _refresh(project, locked)
    return note


def project_start(*, project: Project, by, date: datetime.date, expected_version: int | None) -> ProgressNote:
    return project_record_stage_date(
        project=project, by=by, stage=Stage.CONSTRUCTION, date=date, expected_version=expected_version
    )


def project_complete(
    *, project: Project, by, date: datetime.date, expected_version: int | None
) -> ProgressNote:
    return project_record_stage_date(
        project=project, by=by, stage=Stage.COMPLETED, date=date, expected_version=expected_version
    )


def project_production(
    *, project: Project, by, date: datetime.date, expected_version: int | None
) -> ProgressNote:
    return project_record_stage_date(
        project=project, by=by, stage=Stage.PRODUCTION, date=date, expected_version=expected_version
    )


def _refresh(project: Project, locked: Project) -> None:
    """Copy the saved state onto the caller's instance so it holds the new version."""
    for field in [
        "stage",
        *STAGE_DATE_FIELD.values(),
        "planned_start",
        "planned_completion",
        "version",
        "updated_at",
    ]:
        setattr(project, field, getattr(locked, field))


@transaction.atomic
def progress_note_add(
    *,
    project: Project,
    by,
    date: datetime.date,
    text: str,
    stage: str | None = None,
    photos: Iterable = (),
    stage_date: datetime.date | None = None,
    expected_version: int | None = None,
) -> ProgressNote:
    """Add a dated note to the project's progress log, with photos, optionally moving its stage.

    Moving the stage records its date (`stage_date`, default the note's date): to construction sets
    the actual start, to completed the actual completion, to production the production date.
    A stage equal to the current one changes nothing. Photos are stored through `photo_save`; if the
    transaction fails the caller cleans up stored files (`photos.photo_files_cleanup`).
    """
    from ..photos import photo_files_cleanup, photo_save

    errors = {}
    if not text or not text.strip():
        errors["text"] = _("Write what happened.")
    if date > today():
        errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    author = _staff(by)
    before = after = ""
    if stage and stage != project.stage or expected_version is not None:
        locked = _lock(project, expected_version)
        if stage and stage != locked.stage:
            if Stage.rank(stage) < Stage.rank(locked.stage):
                raise ValidationError(
                    {
                        "stage": _(
                            "A project cannot go back from %(current)s to %(stage)s; "
                            "ask an administrator to correct it."
                        )
                        % {"current": Stage(locked.stage).label, "stage": Stage(stage).label}
                    }
                )
            before, after = _apply_stage_date(locked, stage, stage_date or date)
            _bump(locked)
            _refresh(project, locked)
    note = ProgressNote(
        project=project, date=date, text=text.strip(), stage_from=before, stage_to=after, author=author
    )
    note.full_clean()
    note.save()
    stored = []
    try:
        for file in photos:
            stored.append(photo_save(file=file, by=by, progress_note=note))
    except Exception:
        # The rows roll back with the transaction; the files already written must go too.
        photo_files_cleanup(stored)
        raise
    return note


@transaction.atomic
def permits_save(*, project: Project, by, permits: Sequence[Permit], expected_version: int | None) -> int:
    """Save the changed permits of a project's checklist (new rows are created on first change).

    Returns how many were saved; bumps the project's version when any was.
    """
    locked = _lock(project, expected_version)
    for permit in permits:
        if permit.project_id != locked.pk:
            raise ValidationError(_("This permit belongs to another project."))
        permit.full_clean()
        permit.save()
    if permits:
        _bump(locked)
        _refresh(project, locked)
    return len(permits)


def permit_errors(*, status: str, applied_on, approved_on) -> dict:
    """Field errors of one permit row (empty when fine)."""
    errors = {}
    now = today()
    if applied_on and applied_on > now:
        errors["applied_on"] = _("The date cannot be in the future.")
    if approved_on and approved_on > now:
        errors["approved_on"] = _("The date cannot be in the future.")
    if applied_on and approved_on and approved_on < applied_on:
        errors["approved_on"] = _("The approval cannot be before the application.")
    if status == PermitStatus.APPROVED and not approved_on:
        errors["approved_on"] = _("Enter the date of approval.")
    if approved_on and status != PermitStatus.APPROVED:
        errors["status"] = _("A permit with an approval date is approved.")
    if status == PermitStatus.IN_PROGRESS and not applied_on:
        errors["applied_on"] = _("Enter the date it was applied for.")
    return errors
