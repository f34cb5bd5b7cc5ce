"""Correcting a recorded stage date: a request by who may log progress, decided by a coordinator.

A stage date (start, completion, production) is a fact the figures rest on; it is never overwritten
by recording it again. The request keeps the recorded date, the correct one (or none: the date was
recorded by mistake) and the reason; approving it writes the date, moves the stage to match it and
adds a progress note, in one transaction with the project's row lock.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import CorrectionStatus, ProgressNote, Project, ProjectAction, Stage, StageCorrection
from ..querysets import today
from ..rulebook import OWN_CORRECTION_APPROVERS, require_project_action
from .progress import STAGE_DATE_FIELD, _bump, _lock, filing_permit_follow, stage_change_errors

FIELD_STAGE = {field: stage for stage, field in STAGE_DATE_FIELD.items()}
# The stage a project falls back to when the date that reached a stage is cleared: the one before.
EARLIER_STAGE = {later: earlier for earlier, later in zip(list(Stage), list(Stage)[1:], strict=False)}


def _corrected(project: Project, field: str, new_date: datetime.date | None) -> dict:
    """Field errors of setting (or clearing) `field` on the project; empty when the dates stay consistent."""
    stage = FIELD_STAGE[field]
    if new_date is None:
        later = [
            f
            for s, f in STAGE_DATE_FIELD.items()
            if Stage.rank(s) > Stage.rank(stage) and getattr(project, f)
        ]
        if later:
            return {"new_date": _("Clear the later stage dates first.")}
        return {}
    copy = Project(**{f.attname: getattr(project, f.attname) for f in Project._meta.concrete_fields})
    setattr(copy, field, None)
    copy.stage = EARLIER_STAGE[stage] if Stage.rank(copy.stage) >= Stage.rank(stage) else copy.stage
    errors = list(stage_change_errors(copy, stage, new_date).values())
    return {"new_date": errors} if errors else {}


@transaction.atomic
def stage_correction_request(
    *, project: Project, by, field: str, new_date: datetime.date | None, reason: str
) -> StageCorrection:
    user, staff = access.actor(by)
    require_project_action(user, ProjectAction.REQUEST_STAGE_CORRECTION, project)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    errors = {}
    if field not in FIELD_STAGE:
        raise ValidationError({"field": _("Choose one of the recorded stage dates.")})
    old_date = getattr(locked, field)
    if old_date is None:
        errors["field"] = _("This date is not recorded yet; record it on the project page.")
    elif new_date == old_date:
        errors["new_date"] = _("This is the recorded date.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the recorded date is wrong.")
    if StageCorrection.objects.filter(project=locked, field=field, status=CorrectionStatus.PENDING).exists():
        errors["field"] = _("A correction of this date is already waiting for a decision.")
    if not errors:
        errors |= _corrected(locked, field, new_date)
    if errors:
        raise ValidationError(errors)
    correction = StageCorrection(
        project=locked,
        field=field,
        old_date=old_date,
        new_date=new_date,
        reason=reason.strip(),
        requested_by=staff,
    )
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def stage_correction_decide(
    *, correction: StageCorrection, by, approve: bool, note: str = ""
) -> StageCorrection:
    """Approve (the date is written, the stage follows it, a progress note says so) or reject."""
    user, staff = access.actor(by)
    correction = StageCorrection.objects.select_for_update().select_related("project").get(pk=correction.pk)
    require_project_action(user, ProjectAction.DECIDE_STAGE_CORRECTION, correction.project)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This correction has already been decided."))
    own = staff is not None and correction.requested_by_id == staff.pk
    if approve and own and not access.has_role(user, *OWN_CORRECTION_APPROVERS):
        raise PermissionDenied  # four eyes: a coordinator does not approve their own correction
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by, correction.decided_at = staff, timezone.now()
    correction.decision_note = (note or "").strip()[:200]
    if approve:
        project = _lock(correction.project, None)
        if getattr(project, correction.field) != correction.old_date:
            raise ValidationError(_("The date changed since the request; ask for a new correction."))
        errors = _corrected(project, correction.field, correction.new_date)
        if errors:
            raise ValidationError(list(errors.values()))
        before = project.stage
        stage = FIELD_STAGE[correction.field]
        setattr(project, correction.field, correction.new_date)
        if correction.new_date is None and Stage.rank(project.stage) >= Stage.rank(stage):
            project.stage = EARLIER_STAGE[stage]
        _bump(project)
        if correction.field == "filed_on":
            filing_permit_follow(project, by)  # the 立项备案 approval follows the corrected filing
        ProgressNote.objects.create(
            project=project,
            date=today(),
            text=_("%(field)s corrected from %(old)s to %(new)s (approved correction): %(reason)s")
            % {
                "field": correction.get_field_display(),
                "old": correction.old_date or "—",
                "new": correction.new_date or "—",
                "reason": correction.reason,
            },
            stage_from=before if before != project.stage else "",
            stage_to=project.stage if before != project.stage else "",
            author=staff,
        )
    correction.save()
    return correction
