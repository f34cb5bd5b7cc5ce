"""A project's life on record: start, completion and production dates, the progress log, permits and
milestones. Every write checks the project's optimistic version (when the caller passes one), keeps
the stage and the dates consistent (PRODUCT.md "Figures": the stage never contradicts the date) and
bumps the version, all in one transaction.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import Milestone, Permit, PermitStatus, ProgressNote, Project, ProjectAction, Stage
from ..querysets import today
from ..rulebook import may_act_on_project, require_project_action
from .errors import StaleVersion, check_version  # noqa: F401 (StaleVersion: callers import it here)

# Which date records each stage; a stage is reached when its date is set.
STAGE_DATE_FIELD = {
    Stage.CONSTRUCTION: "actual_start",
    Stage.COMPLETED: "actual_completion",
    Stage.PRODUCTION: "production_date",
}


# The refusal a visit or an import shows when its author may not move the stage.
MAY_NOT_LOG_PROGRESS = _(
    "Only the project's grid workers, coordinators and administrators record its progress, stage and "
    "stage dates; your visit was not saved. Leave the stage and the progress note empty."
)


def may_log_progress(user, project: Project) -> bool:
    """The rulebook's ProjectAction.LOG_PROGRESS: grid workers of the project (its park or named),
    coordinators and administrators; department staff, leaders and supervisors read only.

    The caller has already checked that the project is visible to the user (else 404).
    """
    return may_act_on_project(user, ProjectAction.LOG_PROGRESS, project)


def _require_logging(by, project: Project) -> None:
    """PermissionDenied unless `by` may log the project's progress (every write of this module)."""
    user, _staff = access.actor(by)
    require_project_action(user, ProjectAction.LOG_PROGRESS, project)


def _lock(project: Project, expected_version: int | None) -> Project:
    """A copy of the project re-read under a row lock; StaleVersion if the form was stale."""
    return check_version(Project.objects.select_for_update().get(pk=project.pk), expected_version)


def _bump(project: Project) -> None:
    """Save the locked project with the next version (the history row comes from save())."""
    # The caller holds the row lock (`_lock`), so a plain increment cannot race.
    project.version += 1
    project.full_clean()
    project.save()


def stage_change_errors(project: Project, stage: str, date: datetime.date) -> dict:
    """Field errors for moving `project` to `stage` on `date` (empty when fine).

    Stages only move forward; each needs the dates of the stages before it, and its own date may not
    be in the future nor before the previous stage's date.
    """
    errors = {}
    if Stage.rank(stage) < Stage.rank(project.stage):
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
    if stage == Stage.CONSTRUCTION and project.actual_completion and date > project.actual_completion:
        errors["date"] = _("The start cannot be after the completion (%(date)s).") % {
            "date": project.actual_completion
        }
    if stage == Stage.COMPLETED:
        if project.actual_start and date < project.actual_start:
            errors["date"] = _("The completion cannot be before the start (%(date)s).") % {
                "date": project.actual_start
            }
        if project.production_date and date > project.production_date:
            errors["date"] = _("The completion cannot be after the production date (%(date)s).") % {
                "date": project.production_date
            }
    if stage == Stage.PRODUCTION and project.actual_completion and date < project.actual_completion:
        errors["date"] = _("Production cannot start before the completion (%(date)s).") % {
            "date": project.actual_completion
        }
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
    """Record the actual start (开工), completion (竣工) or production (投产) date of a project.

    The stage moves with the date (never back); a progress note records the change. Re-recording a
    date already set corrects it (the note says so).
    """
    if stage not in STAGE_DATE_FIELD:
        raise ValidationError({"stage": _("Choose construction, completion or production.")})
    _require_logging(by, project)
    locked = _lock(project, expected_version)
    before, after = _apply_stage_date(locked, stage, date)
    _bump(locked)
    note = ProgressNote(
        project=locked,
        date=date,
        text="\n".join(t for t in [_stage_note_text(stage, date), text.strip()] if t),
        stage_from=before if before != after else "",
        stage_to=after if before != after else "",
        author=access.actor(by)[1],
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
    for field in ["stage", "actual_start", "actual_completion", "production_date", "version", "updated_at"]:
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
    _require_logging(by, project)
    author = access.actor(by)[1]
    before = after = ""
    if stage and stage != project.stage or expected_version is not None:
        locked = _lock(project, expected_version)
        if stage and stage != locked.stage:
            if stage == Stage.PREPARATION:
                raise ValidationError({"stage": _("A project cannot go back to preparation.")})
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
    _require_logging(by, project)
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


@transaction.atomic
def milestones_save(
    *,
    project: Project,
    by,
    changed: Sequence[Milestone],
    deleted: Sequence[Milestone] = (),
    expected_version: int | None,
) -> int:
    """Create, update and delete a project's milestones in one go; bumps the project's version."""
    _require_logging(by, project)
    locked = _lock(project, expected_version)
    for milestone in [*changed, *deleted]:
        if milestone.pk and milestone.project_id != locked.pk:
            raise ValidationError(_("This milestone belongs to another project."))
    for milestone in changed:
        milestone.project = locked
        milestone.full_clean()
        milestone.save()
    for milestone in deleted:
        if milestone.pk:
            milestone.delete()
    if changed or deleted:
        _bump(locked)
        _refresh(project, locked)
    return len(changed) + len(deleted)


def milestone_errors(*, planned_date, actual_date) -> dict:
    errors = {}
    if actual_date and actual_date > today():
        errors["actual_date"] = _("The date cannot be in the future.")
    if not planned_date and not actual_date:
        errors["planned_date"] = _("Enter the planned date or the actual date.")
    return errors
