"""The monthly investment round (月度投资填报): the grid worker's one-page form, the coordinator's
completeness page with reminders and the month lock, and corrections of locked months.

How the deadline and the lock are configured: see `projects/services/reports.py`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms.base import add_service_errors
from ..forms.reports import CorrectionDecisionForm, CorrectionRequestForm, RoundFormSet
from ..models import (
    YEAR_MAX,
    YEAR_MIN,
    CorrectionStatus,
    MonthLock,
    MonthlyReport,
    Park,
    Project,
    ProjectAction,
    ReportCorrection,
    ZoneAction,
)
from ..querysets import today
from ..rulebook import may_act_on_zone, refusal, require_some_grant, require_zone_action
from ..services.progress import may_log_progress
from ..services.reports import (
    RoundConflict,
    RoundRow,
    month_lock,
    next_month,
    previous_month,
    report_correction_decide,
    report_correction_request,
    round_deadline,
    round_projects,
    round_projects_for,
    round_remind_missing,
    round_save,
    round_status_by_park,
    round_status_by_worker,
    with_round_figures,
)


def _check_month(year, month):
    if not (YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12):
        raise Http404


def _month_context(year, month):
    now = today()
    py, pm = previous_month(year, month)
    ny, nm = next_month(year, month)
    return {
        "year": year,
        "month": month,
        "deadline": round_deadline(year, month),
        "locked": MonthLock.objects.filter(year=year, month=month).select_related("locked_by").first(),
        "previous": (py, pm),
        "next": (ny, nm) if (ny, nm) <= (now.year, now.month) else None,
        "is_future": (year, month) > (now.year, now.month),
    }


def round_current(request):
    now = today()
    return redirect("round", now.year, now.month)


def round_status_current(request):
    now = today()
    return redirect("round_status", now.year, now.month)


def _initial(project):
    return {
        "project": project.pk,
        "amount": project.current_amount,
        "note": project.current_note or "",
        "original_amount": "" if project.current_amount is None else str(project.current_amount),
        "original_note": project.current_note or "",
    }


def _rows(formset, projects_by_id, warnings=None):
    """Pair each form with its project's figures for the template."""
    rows = []
    for form in formset.forms:
        pid = form.initial.get("project") if not form.is_bound else form.data.get(f"{form.prefix}-project")
        try:
            project = projects_by_id.get(int(pid))
        except (TypeError, ValueError):
            project = None
        if project is None:
            continue
        rows.append({"form": form, "project": project, "warnings": (warnings or {}).get(project.pk, [])})
    return rows


def _rebound(request, updates):
    """The submitted formset again, with some hidden/confirm values replaced (saved rows take their
    new value as the one they were loaded with, so a second save does not see a conflict)."""
    data = request.POST.copy()
    for key, value in updates.items():
        data[key] = value
    formset = RoundFormSet(data)
    formset.is_valid()
    return formset


@require_http_methods(["GET", "POST"])
def round_page(request, year, month):
    _check_month(year, month)
    require_some_grant(request.user, ProjectAction.LOG_PROGRESS)  # the round is filled project by project
    context = _month_context(year, month)
    scope = round_projects_for(request.user, year)
    park = None
    runs_round = may_act_on_zone(request.user, ZoneAction.RUN_ROUND)  # they choose a park's part
    if runs_round and request.GET.get("park", "").isdigit():
        park = Park.objects.filter(pk=request.GET["park"]).first()
        if park:
            scope = scope.filter(park=park)
    projects = list(
        with_round_figures(scope, year, month)
        .select_related("park", "grid_worker")
        .order_by("park__order", "park__name", "code")
    )
    by_id = {p.pk: p for p in projects}
    context.update({"park": park, "parks": Park.objects.all() if runs_round else []})
    read_only = context["locked"] is not None or context["is_future"]
    warnings = {}
    status = 200
    if request.method == "POST" and not read_only:
        formset = RoundFormSet(request.POST)
        if formset.is_valid():
            rows = [
                RoundRow(
                    project_id=form.cleaned_data["project"],
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["note"].strip(),
                    original_amount=form.cleaned_data["original_amount"],
                    original_note=form.cleaned_data["original_note"],
                    confirmed=form.cleaned_data["confirm"],
                )
                for form in formset.forms
            ]
            try:
                result = round_save(year=year, month=month, by=request.user, rows=rows)
            except RoundConflict as conflict:
                updates = {}
                for form in formset.forms:
                    pid = form.cleaned_data["project"]
                    if pid in conflict.conflicts:
                        report = conflict.conflicts[pid]
                        updates[f"{form.prefix}-original_amount"] = (
                            "" if report is None else str(report.amount)
                        )
                        updates[f"{form.prefix}-original_note"] = "" if report is None else report.note
                formset = _rebound(request, updates)
                for form in formset.forms:
                    pid = form.cleaned_data.get("project")
                    if pid in conflict.conflicts:
                        report = conflict.conflicts[pid]
                        form.add_error(
                            "amount",
                            _(
                                "Someone else changed this figure in the meantime (now: %(amount)s). "
                                "Reload the page, or save again to overwrite it."
                            )
                            % {"amount": "—" if report is None else report.amount},
                        )
                messages.error(request, _("Nothing was saved: some figures were changed by someone else."))
                status = 409
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                if not result.unconfirmed:
                    messages.success(
                        request, _("Saved %(count)s monthly figures.") % {"count": len(result.saved)}
                    )
                    return redirect(request.get_full_path())
                updates = {}
                for form in formset.forms:
                    pid = form.cleaned_data["project"]
                    if pid in result.saved:
                        amount = form.cleaned_data["amount"]
                        updates[f"{form.prefix}-original_amount"] = "" if amount is None else str(amount)
                        updates[f"{form.prefix}-original_note"] = form.cleaned_data["note"].strip()
                formset = _rebound(request, updates)
                warnings = result.unconfirmed
                if result.saved:
                    messages.success(
                        request, _("Saved %(count)s monthly figures.") % {"count": len(result.saved)}
                    )
                messages.warning(
                    request,
                    _(
                        "%(count)s figures look out of line and were not saved yet: "
                        "check them, tick the confirmation and save again."
                    )
                    % {"count": len(warnings)},
                )
        else:
            messages.error(request, _("Nothing was saved: please correct the errors below."))
            status = 400
    else:
        formset = RoundFormSet(initial=[_initial(p) for p in projects])
    context.update(
        {
            "formset": formset,
            "rows": _rows(formset, by_id, warnings),
            "read_only": read_only,
            "projects": projects,
            "may_see_status": may_act_on_zone(request.user, ZoneAction.READ_ROUND_STATUS),
        }
    )
    return render(request, "projects/round.html", context, status=status)


def round_status(request, year, month):
    _check_month(year, month)
    require_zone_action(request.user, ZoneAction.READ_ROUND_STATUS)
    context = _month_context(year, month)
    by_park = list(round_status_by_park(year, month))
    by_worker = list(round_status_by_worker(year, month))
    missing = (
        round_projects(year)
        .exclude(Exists(MonthlyReport.objects.filter(project=OuterRef("pk"), year=year, month=month)))
        .select_related("park", "grid_worker")
        .order_by("park__order", "code")
    )
    context.update(
        {
            "by_park": by_park,
            "by_worker": by_worker,
            "total": sum(row.total for row in by_park),
            "reported": sum(row.reported for row in by_park),
            "missing": missing,
            "may_run_round": may_act_on_zone(request.user, ZoneAction.RUN_ROUND),
            "may_decide": may_act_on_zone(request.user, ZoneAction.DECIDE_REPORT_CORRECTION),
            "can_lock": today() > context["deadline"],
        }
    )
    return render(request, "projects/round_status.html", context)


@require_POST
def round_remind(request, year, month):
    _check_month(year, month)
    require_zone_action(request.user, ZoneAction.RUN_ROUND)
    count = round_remind_missing(year=year, month=month, by=request.user)
    messages.success(request, _("Reminded %(count)s grid workers.") % {"count": count})
    return redirect("round_status", year, month)


@require_POST
def round_lock(request, year, month):
    _check_month(year, month)
    require_zone_action(request.user, ZoneAction.RUN_ROUND)
    try:
        month_lock(year=year, month=month, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(year)s-%(month)02d is locked.") % {"year": year, "month": month})
    return redirect("round_status", year, month)


@require_http_methods(["GET", "POST"])
def correction_new(request, year, month, pk):
    _check_month(year, month)
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    if not may_log_progress(request.user, project):
        raise refusal(ProjectAction.LOG_PROGRESS)
    report = MonthlyReport.objects.filter(project=project, year=year, month=month).first()
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_correction_request(
                project=project,
                year=year,
                month=month,
                new_amount=form.cleaned_data["new_amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Correction requested; a coordinator will decide."))
            return redirect("round", year, month)
    return render(
        request,
        "projects/correction_form.html",
        {"project": project, "report": report, "form": form, "year": year, "month": month},
        status=400 if form.is_bound else 200,
    )


def corrections(request):
    require_zone_action(request.user, ZoneAction.DECIDE_REPORT_CORRECTION)
    rows = ReportCorrection.objects.select_related("project", "requested_by", "decided_by")
    return render(
        request,
        "projects/corrections.html",
        {
            "pending": rows.filter(status=CorrectionStatus.PENDING).order_by("requested_at"),
            "decided": rows.exclude(status=CorrectionStatus.PENDING).order_by("-decided_at")[:50],
            "form": CorrectionDecisionForm(),
        },
    )


@require_POST
def correction_decide(request, pk):
    require_zone_action(request.user, ZoneAction.DECIDE_REPORT_CORRECTION)
    correction = get_object_or_404(ReportCorrection, pk=pk)
    form = CorrectionDecisionForm(request.POST)
    approve = "approve" in request.POST
    if not form.is_valid() or not (approve or "reject" in request.POST):
        messages.error(request, _("Choose approve or reject."))
        return redirect("corrections")
    try:
        report_correction_decide(
            correction=correction, by=request.user, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Correction approved.") if approve else _("Correction rejected."))
    return redirect(reverse("corrections"))
