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
from ..models import Permit, PermitStatus, ProgressNote, Project, ProjectAction, Stage
from ..querysets import today
from ..rulebook import may_act_on_project, require_project_action
from .errors import StaleVersion, check_version  # noqa: F401 (StaleVersion: callers import it here)

# Which date records each stage; a stage is reached when its date is set (in pipeline order).
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signed_on",
    Stage.PREPARATION: "filed_on",
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
    recorded = getattr(project, STAGE_DATE_FIELD[stage]) if stage in STAGE_DATE_FIELD else None
    if recorded is not None:
        errors.setdefault(
            "date", _("Already recorded as %(date)s; request a correction instead.") % {"date": recorded}
        )
        return errors
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


# Plausibility (PRODUCT.md "Figures"): such a date is kept only after a second confirmation.
MIN_BUILD_MONTHS = 3  # a completion within three months of the start is worth a second look
EARLY_START_DAYS = 365  # a start more than a year before the planned start, too


def _add_months(date: datetime.date, months: int) -> datetime.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return datetime.date(
        year, month, min(date.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    )


def stage_date_doubts(project: Project, stage: str, date: datetime.date) -> list[str]:
    """Why a valid stage date looks wrong (empty when it does not): each reason asks a second confirmation."""
    doubts = []
    if (
        stage == Stage.COMPLETED
        and project.actual_start
        and date < _add_months(project.actual_start, MIN_BUILD_MONTHS)
    ):
        doubts.append(
            _("The completion is within %(months)s months of the start (%(start)s).")
            % {"months": MIN_BUILD_MONTHS, "start": project.actual_start}
        )
    # A signing or a filing long before the planned start is usual; a start (or later) is not.
    if (
        Stage.rank(stage) >= Stage.rank(Stage.CONSTRUCTION)
        and project.planned_start
        and date < project.planned_start - datetime.timedelta(days=EARLY_START_DAYS)
    ):
        doubts.append(
            _("The date is more than a year before the planned start (%(planned)s).")
            % {"planned": project.planned_start}
        )
    planned_completion = project.planned_completion
    if stage == Stage.COMPLETED and planned_completion and date < _add_months(planned_completion, -6):
        doubts.append(
            _("The completion is more than six months before the planned completion (%(planned)s).")
            % {"planned": planned_completion}
        )
    return doubts


def confirmation_token(stage: str, date: datetime.date) -> str:
    """What a confirmation confirms: this stage on this date. A form whose stage or date was changed
    after its confirmation was shown carries the old token, so it is shown the new one first."""
    return f"{stage}:{date.isoformat()}"


def refuse_unconfirmed_doubts(doubts: list[str], confirmed: bool, field: str = "date") -> None:
    """The second confirmation, for every doubtful date (stage dates, node dates): refused unless
    the user confirmed the reasons they were shown."""
    if doubts and not confirmed:
        messages = [*doubts, _("Confirm the date a second time to keep it.")]
        raise ValidationError({field: [ValidationError(m, code="doubtful") for m in messages]})


def stage_change_preview(project: Project, stage: str, date: datetime.date) -> dict:
    """What recording the date changes, for the confirmation: the stage, and the start rate it moves."""
    from ..figures import month_end, percent
    from ..models import Listing, ListingKind

    preview = {
        "stage": stage,
        "date": date,
        "token": confirmation_token(stage, date),
        "stage_before": Stage(project.stage).label,
        "stage_after": Stage(stage if Stage.rank(stage) > Stage.rank(project.stage) else project.stage).label,
        "start_rate": None,
        "doubts": stage_date_doubts(project, stage, date),
    }
    listing = project.listings.filter(year=date.year, kind=ListingKind.NEW).first()
    if stage == Stage.CONSTRUCTION and listing and project.actual_start is None:
        cut_off = month_end(date.year, date.month)
        new_build = Listing.objects.filter(year=date.year, kind=ListingKind.NEW)
        started = new_build.filter(project__actual_start__lte=cut_off).count()
        total = new_build.count()
        preview["start_rate"] = {
            "year": date.year,
            "month": date.month,
            "before": percent(started, total),
            "after": percent(started + 1, total),
            "started": started,
            "total": total,
        }
    return preview


def _apply_stage_date(
    project: Project, stage: str, date: datetime.date, doubts_confirmed: bool
) -> tuple[str, str]:
    """Set the stage's date and move the stage forward if needed; returns (stage before, after).

    Every path that moves a stage comes here (stage page, progress note, visit, node plan): an
    implausible date is refused unless its doubts were confirmed."""
    errors = stage_change_errors(project, stage, date)
    if errors:
        raise ValidationError(errors)
    refuse_unconfirmed_doubts(stage_date_doubts(project, stage, date), doubts_confirmed)
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


# The permit whose approval IS the filing (立项备案): its approval date is the project's filed_on,
# which the stage and the pipeline figures read. `filing_permit_follow` keeps the permit in step.
FILING_PERMIT = "立项备案"


def _filing_permit_type():
    from ..models import PermitType

    return PermitType.objects.filter(name=FILING_PERMIT).first()


def _filing_permit_changed(project: Project, permit: Permit | None, permit_type, handler) -> Permit | None:
    """The project's 立项备案 permit changed to say what `filed_on` says (approved on that date, or,
    with the filing cleared, no longer approved); None when it already does."""
    if project.filed_on is None:
        if permit is None or permit.approved_on is None:
            return None
        permit.approved_on = None
        permit.status = PermitStatus.IN_PROGRESS if permit.applied_on else PermitStatus.NOT_STARTED
        return permit
    permit = permit or Permit(project=project, permit_type=permit_type)
    if permit.status == PermitStatus.APPROVED and permit.approved_on == project.filed_on:
        return None
    if permit.applied_on and permit.applied_on > project.filed_on:
        raise ValidationError({"date": filing_before_application(permit.applied_on)})
    permit.status, permit.approved_on = PermitStatus.APPROVED, project.filed_on
    permit.handler = permit.handler or handler
    return permit


def filing_before_application(applied_on: datetime.date) -> str:
    return _("The filing cannot be before the 立项备案 application (%(date)s).") % {"date": applied_on}


def filing_permit_follow(project: Project, by=None) -> None:
    """Keep the project's 立项备案 permit in step with `filed_on` (the one source). The caller holds
    the project's row lock; a zone without that permit type has nothing to follow."""
    permit_type = _filing_permit_type()
    if permit_type is None:
        return
    permit = Permit.objects.filter(project=project, permit_type=permit_type).first()
    changed = _filing_permit_changed(project, permit, permit_type, access.actor(by)[1] if by else None)
    if changed is not None:
        changed.full_clean()
        changed.save()


def filing_permits_follow_bulk(projects, *, history_user=None) -> None:
    """`filing_permit_follow` for many projects (the ledger import, which checked the application
    dates first): one query to read the permits, bulk writes with their history rows."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    permit_type = _filing_permit_type()
    projects = list(projects)
    if permit_type is None or not projects:
        return
    existing = {p.project_id: p for p in Permit.objects.filter(permit_type=permit_type, project__in=projects)}
    new, changed = [], []
    for project in projects:
        permit = _filing_permit_changed(project, existing.get(project.pk), permit_type, None)
        if permit is not None:
            (changed if permit.pk else new).append(permit)
    bulk_create_with_history(new, Permit, default_user=history_user)
    if changed:
        bulk_update_with_history(changed, Permit, ["status", "approved_on"], default_user=history_user)


def _record_stage_date(
    locked: Project, *, by, stage: str, date: datetime.date, text: str = "", doubts_confirmed: bool
) -> ProgressNote:
    """Apply a stage date to the locked project, save it and write its progress note."""
    before, after = _apply_stage_date(locked, stage, date, doubts_confirmed)
    _bump(locked)
    if stage == Stage.PREPARATION:
        filing_permit_follow(locked, by)
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
    return note


@transaction.atomic
def project_record_stage_date(
    *,
    project: Project,
    by,
    stage: str,
    date: datetime.date,
    expected_version: int | None,
    text: str = "",
    doubts_confirmed: bool = False,
) -> ProgressNote:
    """Record the signing (签约), filing (立项备案), actual start (开工), completion (竣工) or
    production (投产) date of a project.

    The stage moves with the date (never back); a progress note records the change; the filing
    approves the 立项备案 permit on that date. A date already recorded is not overwritten: it is
    corrected through `stage_correction_request`. An implausible date (`stage_date_doubts`) is
    refused unless `doubts_confirmed` (the page's second confirmation).
    """
    if stage not in STAGE_DATE_FIELD:
        raise ValidationError({"stage": _("Choose signing, filing, construction, completion or production.")})
    _require_logging(by, project)
    locked = _lock(project, expected_version)
    note = _record_stage_date(
        locked, by=by, stage=stage, date=date, text=text, doubts_confirmed=doubts_confirmed
    )
    _refresh(project, locked)
    return note


def project_start(
    *, project: Project, by, date: datetime.date, expected_version: int | None, doubts_confirmed: bool = False
) -> ProgressNote:
    return project_record_stage_date(
        project=project,
        by=by,
        stage=Stage.CONSTRUCTION,
        date=date,
        expected_version=expected_version,
        doubts_confirmed=doubts_confirmed,
    )


def project_complete(
    *, project: Project, by, date: datetime.date, expected_version: int | None, doubts_confirmed: bool = False
) -> ProgressNote:
    return project_record_stage_date(
        project=project,
        by=by,
        stage=Stage.COMPLETED,
        date=date,
        expected_version=expected_version,
        doubts_confirmed=doubts_confirmed,
    )


def project_production(
    *, project: Project, by, date: datetime.date, expected_version: int | None, doubts_confirmed: bool = False
) -> ProgressNote:
    return project_record_stage_date(
        project=project,
        by=by,
        stage=Stage.PRODUCTION,
        date=date,
        expected_version=expected_version,
        doubts_confirmed=doubts_confirmed,
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
    doubts_confirmed: bool = False,
) -> ProgressNote:
    """Add a dated note to the project's progress log, with photos, optionally moving its stage.

    Moving the stage records its date (`stage_date`, default the note's date): to construction sets
    the actual start, to completed the actual completion, to production the production date.
    A stage equal to the current one changes nothing; an implausible stage date needs
    `doubts_confirmed`, as on the stage page. Photos are stored through `photo_save`; if the
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
            before, after = _apply_stage_date(locked, stage, stage_date or date, doubts_confirmed)
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
    filing = None
    for permit in permits:
        if permit.project_id != locked.pk:
            raise ValidationError(_("This permit belongs to another project."))
        if permit.permit_type.name == FILING_PERMIT:
            filing = permit
            _check_filing_permit(locked, permit)
        permit.full_clean()
        permit.save()
    if filing is not None and filing.approved_on and locked.filed_on is None:
        # The approval is the filing: recorded as on the stage page (stage, progress note).
        _record_stage_date(
            locked, by=by, stage=Stage.PREPARATION, date=filing.approved_on, doubts_confirmed=False
        )
    elif permits:
        _bump(locked)
    if permits:
        _refresh(project, locked)
    return len(permits)


def _check_filing_permit(locked: Project, permit: Permit) -> None:
    """The 立项备案 approval may record the filing, never contradict a recorded one: changing or
    withdrawing it is a correction of the filing date (PRODUCT.md "Who may act")."""
    if locked.filed_on is None or permit.approved_on == locked.filed_on:
        if permit.approved_on and locked.filed_on is None:
            errors = stage_change_errors(locked, Stage.PREPARATION, permit.approved_on)
            if errors:
                raise ValidationError({"approved_on": list(errors.values())})
        return
    raise ValidationError(
        {
            "approved_on": _(
                "The approval of 立项备案 is the project's filing date, recorded as %(date)s; a recorded "
                "date is corrected through a request a coordinator approves."
            )
            % {"date": locked.filed_on}
        }
    )


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
