"""Correcting a recorded stage date: the request (project page) and the coordinators' decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms.base import add_service_errors
from ..forms.progress import StageCorrectionForm
from ..forms.reports import CorrectionDecisionForm
from ..models import CorrectionStatus, Project, ProjectAction, StageCorrection
from ..rulebook import may_act_on_project, require_some_grant
from ..services.stage_corrections import stage_correction_decide, stage_correction_request


@require_http_methods(["GET", "POST"])
def stage_correction_new(request, pk):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    if not may_act_on_project(request.user, ProjectAction.REQUEST_STAGE_CORRECTION, project):
        raise PermissionDenied
    form = StageCorrectionForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            stage_correction_request(project=project, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The correction was requested; a coordinator decides it."))
            return redirect(project)
    return render(
        request,
        "projects/stage_correction_form.html",
        {
            "project": project,
            "form": form,
            "pending": project.stage_corrections.filter(status=CorrectionStatus.PENDING),
        },
        status=400 if form.is_bound else 200,
    )


def _require_decider(user):
    require_some_grant(user, ProjectAction.DECIDE_STAGE_CORRECTION)


def stage_corrections(request):
    _require_decider(request.user)
    rows = StageCorrection.objects.filter(
        project__in=Project.objects.visible_to(request.user)
    ).select_related("project", "requested_by", "decided_by")
    return render(
        request,
        "projects/stage_corrections.html",
        {
            "pending": rows.filter(status=CorrectionStatus.PENDING).order_by("requested_at"),
            "decided": rows.exclude(status=CorrectionStatus.PENDING).order_by("-decided_at")[:50],
            "form": CorrectionDecisionForm(),
        },
    )


@require_POST
def stage_correction_decide_view(request, pk):
    _require_decider(request.user)
    correction = get_object_or_404(
        StageCorrection, pk=pk, project__in=Project.objects.visible_to(request.user)
    )
    form = CorrectionDecisionForm(request.POST)
    approve = "approve" in request.POST
    if not form.is_valid() or not (approve or "reject" in request.POST):
        messages.error(request, _("Choose approve or reject."))
        return redirect("stage_corrections")
    try:
        stage_correction_decide(
            correction=correction, by=request.user, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("Another coordinator decides a correction you requested."))
    else:
        messages.success(request, _("Correction approved.") if approve else _("Correction rejected."))
    return redirect("stage_corrections")
