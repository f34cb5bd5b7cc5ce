"""Logging a project's life: the stage dates (signing … production), progress notes, permits.

Every view starts from `Project.objects.visible_to(user)` (404 outside it); writing needs
`may_log_progress` (403 otherwise: department staff, leaders and supervisors read only).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms.base import add_service_errors
from ..forms.progress import PermitForm, ProgressNoteForm, StageConfirmationForm, StageDateForm
from ..models import Permit, PermitType, Project, ProjectAction, Stage, StageDateField
from ..querysets import missing_permit_types, today
from ..rulebook import may_act_on_project
from ..services.progress import (
    FILING_PERMIT,
    may_log_progress,
    permits_save,
    progress_note_add,
    project_record_stage_date,
    stage_change_errors,
)

STAGE_ACTIONS = {
    "sign": (Stage.SIGNED, "signed_on"),
    "file": (Stage.PREPARATION, "filed_on"),
    "start": (Stage.CONSTRUCTION, "actual_start"),
    "complete": (Stage.COMPLETED, "actual_completion"),
    "production": (Stage.PRODUCTION, "production_date"),
}


def _titles():
    return {
        "sign": _("Record the signing (签约)"),
        "file": _("Record the filing (立项备案)"),
        "start": _("Record the start of construction (开工)"),
        "complete": _("Record the completion (竣工)"),
        "production": _("Record the start of production (投产)"),
    }


def project_for_logging(request, pk) -> Project:
    """The visible project (else 404) the user may log progress for (else 403)."""
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("park", "grid_worker"), pk=pk
    )
    if not may_log_progress(request.user, project):
        raise PermissionDenied
    return project


def _form_version(request, project: Project) -> str:
    """The version a re-displayed form carries: the posted one (a stale form stays stale until the
    user reloads), else the project's."""
    if request.method == "POST":
        return request.POST.get("version", "")
    return str(project.version)


def project_progress_context(request, project: Project) -> dict:
    """What the project page shows from this area: may the user log, missing permits, next dates."""
    may_log = may_log_progress(request.user, project)
    recorded = any(getattr(project, field) for field in StageDateField.values)
    return {
        "may_log_progress": may_log,
        # A recorded stage date is changed only through a correction a coordinator approves.
        "may_correct_stage": recorded
        and may_act_on_project(request.user, ProjectAction.REQUEST_STAGE_CORRECTION, project),
        "missing_permits": list(missing_permit_types(project)),
        "stage_forms": _stage_forms(project) if may_log else [],
    }


def next_stage_actions(project: Project) -> list[str]:
    """The date to record next: the step after the project's stage (signing … production)."""
    following = {Stage(stage): action for action, (stage, _field) in STAGE_ACTIONS.items()}
    stages = list(Stage)
    rank = Stage.rank(project.stage)
    if rank + 1 < len(stages):
        return [following[stages[rank + 1]]]
    return []


def _stage_forms(project: Project):
    """Quick forms on the project page for the next date to record."""
    titles = _titles()
    return [
        {
            "action": action,
            "title": titles[action],
            # No date filled in: a tap never records today by accident.
            "form": StageDateForm(
                project=project,
                stage=STAGE_ACTIONS[action][0],
                initial={"version": project.version},
                prefix=action,
            ),
        }
        for action in next_stage_actions(project)
    ]


@require_http_methods(["GET", "POST"])
def project_stage_date(request, pk, action):
    """Record a stage date in two steps: the date, then a confirmation showing what it changes.

    The confirmation lists the stage before and after and the start rate it moves; an implausible
    date also needs its reasons confirmed. Only the confirmed post writes.
    """
    project = project_for_logging(request, pk)
    stage, _field = STAGE_ACTIONS[action]
    form = StageDateForm(
        request.POST or None,
        project=project,
        stage=stage,
        initial={"version": project.version},
        prefix=action,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        preview = form.stage_confirmation(project, stage, data["date"])
        if preview is None:
            try:
                project_record_stage_date(
                    project=project,
                    by=request.user,
                    stage=stage,
                    date=data["date"],
                    expected_version=data["version"],
                    text=data["text"],
                    doubts_confirmed=data["doubts_confirmed"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Saved; the stage is now %(stage)s.") % {"stage": project.get_stage_display()}
                )
                return redirect(project)
    return render(
        request,
        "projects/stage_date_form.html",
        {"project": project, "form": form, "title": _titles()[action], "action": action, "preview": preview},
        status=400 if form.is_bound and preview is None else 200,
    )


@require_http_methods(["GET", "POST"])
def progress_new(request, pk):
    project = project_for_logging(request, pk)
    form = ProgressNoteForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        initial={"version": project.version, "date": today()},
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["stage"] and data["stage"] != project.stage:
            # The same confirmation as the stage page; the form keeps everything typed meanwhile.
            preview = form.stage_confirmation(project, data["stage"], data["stage_date"])
        if preview is None:
            try:
                note = progress_note_add(
                    project=project,
                    by=request.user,
                    date=data["date"],
                    text=data["text"],
                    stage=data["stage"] or None,
                    stage_date=data["stage_date"],
                    photos=data["photos"],
                    expected_version=data["version"],
                    doubts_confirmed=data["doubts_confirmed"],
                )
            except ValidationError as error:
                add_service_errors(form, error, {"date": "stage_date"} if data["stage"] else None)
            else:
                messages.success(request, _("Progress note saved."))
                if note.stage_to:
                    messages.info(
                        request, _("The stage is now %(stage)s.") % {"stage": note.get_stage_to_display()}
                    )
                return redirect(project)
    return render(
        request,
        "projects/progress_form.html",
        {
            "project": project,
            "form": form,
            "preview": preview,
            "photos_dropped": preview is not None and bool(request.FILES),
        },
        status=400 if form.is_bound and preview is None else 200,
    )


@require_http_methods(["GET", "POST"])
def project_permits(request, pk):
    """The project's permit checklist: one row per permit type; rows are created on their first change."""
    project = project_for_logging(request, pk)
    existing = {p.permit_type_id: p for p in project.permits.select_related("permit_type")}
    types = list(PermitType.objects.all())
    data = request.POST if request.method == "POST" else None
    version_form = StageDateForm.base_fields["version"]  # reuse the hidden field's parsing
    rows = []
    for permit_type in types:
        instance = existing.get(permit_type.pk) or Permit(project=project, permit_type=permit_type)
        rows.append(
            {
                "type": permit_type,
                "needed": permit_type.required_from
                and Stage.rank(permit_type.required_from) <= Stage.rank(project.stage),
                "form": PermitForm(data, instance=instance, prefix=f"permit-{permit_type.pk}"),
            }
        )
    error = preview = None
    confirmation = StageConfirmationForm(data)
    if request.method == "POST":
        try:
            version = version_form.clean(request.POST.get("version"))
        except ValidationError:
            version = -1
        valid = all(row["form"].is_valid() for row in rows) and confirmation.is_valid()
        if valid:
            changed = [row["form"].save(commit=False) for row in rows if row["form"].has_changed()]
            filing = next((p for p in changed if p.permit_type.name == FILING_PERMIT), None)
            records_filing = filing is not None and filing.approved_on and project.filed_on is None
            if records_filing and not stage_change_errors(project, Stage.PREPARATION, filing.approved_on):
                # The approval records the filing: the stage page's confirmation first (an approval
                # the stage rules refuse gets the service's message instead).
                preview = confirmation.stage_confirmation(project, Stage.PREPARATION, filing.approved_on)
        if valid and preview is None:
            try:
                count = permits_save(
                    project=project, by=request.user, permits=changed, expected_version=version
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("%(count)s permits saved.") % {"count": count})
                return redirect(project)
        elif not valid:
            error = _("Please correct the errors below.")
    return render(
        request,
        "projects/permits_form.html",
        {
            "project": project,
            "rows": rows,
            "error": error,
            "version": _form_version(request, project),
            "preview": preview,
            "form": confirmation,
        },
        status=400 if request.method == "POST" and preview is None else 200,
    )


def permits_missing(request):
    """Projects whose stage needs a permit they have not got, for the grid worker (and everyone who
    may see them). Three queries whatever the number of projects."""
    types = list(PermitType.objects.exclude(required_from=""))
    projects = (
        Project.objects.visible_to(request.user)
        .missing_permits()
        .with_missing_permit_types(types)
        .select_related("park", "grid_worker")
        .order_by("park__order", "code")
    )
    rows = [
        {"project": project, "missing": [t for t in types if getattr(project, f"missing_{t.pk}")]}
        for project in projects
    ]
    return render(request, "projects/permits_missing.html", {"rows": rows})
