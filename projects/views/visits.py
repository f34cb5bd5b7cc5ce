"""Site visits: record one on a phone, read it, list and filter them, withdraw one with a reason."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .. import access, evidence
from ..filters import VisitFilter
from ..forms.base import add_service_errors
from ..forms.visits import VisitForm, VisitRequestFormSet, VisitSolvedFormSet, VisitWithdrawForm
from ..models import Project, ProjectAction, RoleCode, Visit, VisitKind
from ..querysets import today
from ..rulebook import may_take_some, refusal, require_some_grant
from ..services.progress import may_log_progress
from ..services.projects import may_set_location
from ..services.visits import visit_may_record, visit_may_withdraw, visit_record, visit_withdraw

PAGE_SIZE = 50
# The key under which visit_form.js keeps the unsaved entries; the success page names it to clear it.
DRAFT_KEY_RE = re.compile(r"^visit-draft:[\w/:-]{1,150}$")


# Service error keys that name a different form field.
SERVICE_FIELDS = {"text": "progress_text"}


def visit_new(request, pk=None):
    projects = Project.objects.visible_to(request.user)
    project = None
    if pk is not None:
        project = get_object_or_404(projects, pk=pk)
        if not visit_may_record(request.user, project):
            raise PermissionDenied
    else:
        require_some_grant(request.user, ProjectAction.RECORD_VISIT)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    initial = {"date": today(), "kind": VisitKind.ROUTINE}
    if access.has_role(request.user, RoleCode.LEADER) and not access.has_role(
        request.user, RoleCode.GRID_WORKER, RoleCode.COORDINATOR
    ):
        initial["kind"] = VisitKind.LEADER
    form = VisitForm(data, files, projects=None if project else projects, project=project, initial=initial)
    kind = (data or {}).get("kind") or initial["kind"]
    visit_date = None
    if form.is_bound and form.is_valid():
        visit_date = form.cleaned_data["date"]
    requests_formset = VisitRequestFormSet(
        data, prefix="req", visit_date=visit_date, leader_visit=kind == VisitKind.LEADER
    )
    solved_formset = VisitSolvedFormSet(data, prefix="solved")
    draft_key = request.POST.get("draft_key", "") if data else ""
    preview = None

    valid = data is not None and form.is_valid() and requests_formset.is_valid() and solved_formset.is_valid()
    if valid:
        target = project or form.cleaned_data["project"]
        if not visit_may_record(request.user, target):
            raise PermissionDenied
        cleaned = form.cleaned_data
        change = form.stage_change(target)
        if change and may_log_progress(request.user, target):
            # The stage page's confirmation; nothing is saved until it is confirmed.
            preview = form.stage_confirmation(target, *change)
    if valid and preview is None:
        try:
            visit = visit_record(
                project=target,
                by=request.user,
                date=cleaned["date"],
                kind=cleaned["kind"],
                summary=cleaned["summary"],
                participants=cleaned["participants"],
                departments=cleaned["departments"],
                people_met=cleaned["people_met"],
                latitude=cleaned["latitude"],
                longitude=cleaned["longitude"],
                location_accuracy=cleaned["location_accuracy"],
                requests=[f.cleaned_data for f in requests_formset.forms if f.has_changed()],
                solved=[f.cleaned_data for f in solved_formset.forms if f.has_changed()],
                photos=cleaned["photos"],
                stage=cleaned["stage"] or None,
                stage_date=cleaned["stage_date"],
                progress_text=cleaned["progress_text"],
                doubts_confirmed=cleaned["doubts_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(form, error, SERVICE_FIELDS)
        else:
            raised = visit.issues.count()
            messages.success(
                request,
                _("Visit saved with %(count)s issue(s) and %(photos)s photo(s).")
                % {"count": raised, "photos": visit.photos.count()},
            )
            url = visit.get_absolute_url()
            if DRAFT_KEY_RE.match(draft_key):
                url += "?" + urlencode({"saved": draft_key})
            return redirect(url)
    elif data is not None and preview is None:
        messages.error(request, _("Nothing was saved: please correct the entries marked below."))

    return render(
        request,
        "projects/visit_form.html",
        {
            "form": form,
            "project": project,
            "requests_formset": requests_formset,
            "solved_formset": solved_formset,
            "draft_key": "visit-draft:" + request.path,
            "bound": form.is_bound,
            "preview": preview,
            "photos_dropped": preview is not None and bool(request.FILES),
            # The progress part only for those who may log it (the service refuses anyone else).
            "may_log_progress": project is None or may_log_progress(request.user, project),
        },
    )


def visit_detail(request, pk):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user)
        .with_evidence()
        .select_related("project", "project__park", "recorded_by"),
        pk=pk,
    )
    saved = request.GET.get("saved", "")
    context = {
        "visit": visit,
        "evidence_flags": evidence.reasons(visit),
        "may_use_location": visit.latitude is not None
        and visit.withdrawn_at is None
        and may_set_location(request.user, visit.project),
        "participants": visit.participants.all(),
        "departments": visit.departments.all(),
        "photos": visit.photos.all(),
        "issues": visit.issues.visible_to(request.user).select_related("department", "assignee"),
        "may_withdraw": visit.withdrawn_at is None and visit_may_withdraw(request.user, visit),
        "saved_draft": saved if DRAFT_KEY_RE.match(saved) else "",
    }
    return render(request, "projects/visit_detail.html", context)


def visit_list(request):
    visits = (
        Visit.objects.visible_to(request.user)
        .select_related("project", "project__park", "recorded_by")
        .annotate(issue_count=Count("issues", distinct=True), photo_count=Count("photos", distinct=True))
    )
    visit_filter = VisitFilter(request.GET, queryset=visits, request=request)
    rows = visit_filter.qs.order_by("-date", "-created_at")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/visit_list.html",
        {
            "filter": visit_filter,
            "page": page,
            "query": query.urlencode(),
            "may_record": may_take_some(request.user, ProjectAction.RECORD_VISIT),
        },
    )


def visit_withdraw_view(request, pk):
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("project"), pk=pk)
    if not visit_may_withdraw(request.user, visit):
        raise refusal(ProjectAction.WITHDRAW_VISIT)
    if visit.withdrawn_at is not None:
        messages.info(request, _("This visit has already been withdrawn."))
        return redirect(visit)
    form = VisitWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit_withdraw(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error, SERVICE_FIELDS)
        else:
            messages.success(request, _("The visit was withdrawn."))
            return redirect(reverse("visit_list") + "?" + urlencode({"project": visit.project_id}))
    return render(request, "projects/visit_withdraw.html", {"visit": visit, "form": form})
