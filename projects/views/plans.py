"""Node plans (挂图作战): a project's plan as a Gantt chart and a list, a node's page, the zone's
nodes due this month and late; documents attached to a project, a node or a permit.

Every view starts from `Project.objects.visible_to(user)` / `PlanNode.objects.visible_to(user)`
(404 outside); writing asks `services.plans.may_edit_plan` (403 otherwise).
"""

import calendar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms.base import add_service_errors
from ..forms.plans import DocumentForm, NodeAddForm, NodeCompleteForm, NodeForm
from ..models import Department, Park, Permit, PlanNode, Project, Rules
from ..plans import LATE, annotate_states, chart_rows
from ..querysets import today
from ..services.documents import document_attach, may_attach
from ..services.plans import (
    may_edit_plan,
    node_add,
    node_complete,
    node_date_doubts,
    node_planned_date,
    node_stage,
    node_update,
    plan_create,
)
from ..services.progress import stage_change_errors

ZONE_PAGE_SIZE = 100


def _project(request, pk):
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("park", "grid_worker"), pk=pk
    )


def _plan_nodes(project, on, rules):
    nodes = (
        project.nodes.with_dates()
        .select_related("department", "responsible", "permit_type")
        .prefetch_related("documents")
    )
    return annotate_states(nodes, on, rules)


def _plan_context(request, project, add_form=None):
    on = today()
    rules = Rules.current()
    nodes = _plan_nodes(project, on, rules)
    may_edit = may_edit_plan(request.user, project)
    if may_edit and add_form is None:
        add_form = NodeAddForm(initial={"version": project.version}, prefix="add")
    return {
        "project": project,
        "nodes": nodes,
        "chart": {"rows": chart_rows(nodes, on), "today": on.isoformat()},
        "chart_labels": {
            "planned": _("Planned"),
            "actual": _("Actual"),
            "today": _("Today"),
            "late": _("Late"),
        },
        "may_edit": may_edit,
        "add_form": add_form if may_edit else None,
        "late_count": sum(1 for node in nodes if node.state == LATE),
        "red_node_days": rules.red_node_days,
        "has_template_nodes": any(node.template_id for node in nodes),
    }


@require_GET
def project_plan(request, pk):
    """/projects/<pk>/plan/: the chart (desktop) and the list (phone) of the project's nodes."""
    project = _project(request, pk)
    return render(request, "projects/plan.html", _plan_context(request, project))


@require_POST
def plan_make(request, pk):
    """Add the template's missing nodes to the plan (a project created before the plans existed)."""
    project = _project(request, pk)
    if not may_edit_plan(request.user, project):
        raise PermissionDenied
    try:
        added = plan_create(project=project, by=request.user, expected_version=_version(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(count)s nodes added from the template.") % {"count": added})
    return redirect("project_plan", pk=project.pk)


def _version(request, prefix=""):
    raw = request.POST.get(f"{prefix}-version" if prefix else "version", "")
    return int(raw) if raw.isdigit() else None


@require_POST
def plan_node_add(request, pk):
    project = _project(request, pk)
    if not may_edit_plan(request.user, project):
        raise PermissionDenied
    form = NodeAddForm(request.POST, prefix="add")
    if form.is_valid():
        data = form.cleaned_data
        try:
            node = node_add(
                project=project,
                by=request.user,
                name=data["name"],
                planned_date=data["planned_date"],
                responsible=data["responsible"],
                department=data["department"],
                is_key=data["is_key"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Node added."))
            return redirect("plan_node", pk=project.pk, node_pk=node.pk)
    return render(request, "projects/plan.html", _plan_context(request, project, form), status=400)


@require_http_methods(["GET", "POST"])
def plan_node(request, pk, node_pk):
    """/projects/<pk>/plan/<node>/: the node, its adjustment, its completion and its documents."""
    project = _project(request, pk)
    node = get_object_or_404(project.nodes.select_related("permit_type", "template"), pk=node_pk)
    may_edit = may_edit_plan(request.user, project)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    on = today()
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {
        "version": project.version,
        "name": node.name,
        "planned_date": node_planned_date(node),
        "responsible": node.responsible_id,
        "department": node.department_id,
        "is_key": node.is_key,
        "note": node.note,
    }
    edit_form = NodeForm(
        request.POST if action == "edit" else None, node=node, initial=initial, prefix="edit"
    )
    done_form = NodeCompleteForm(
        request.POST if action == "done" else None, initial={"version": project.version}, prefix="done"
    )
    document_form = DocumentForm(
        request.POST if action == "document" else None,
        request.FILES if action == "document" else None,
        prefix="doc",
    )
    # The confirm-or-correct step of a doubtful date (the stage page's, reused): shown, nothing saved.
    edit_doubts, done_doubts, done_preview = [], [], None
    if action == "edit" and edit_form.is_valid():
        data = edit_form.cleaned_data
        if data["planned_date"] and data["planned_date"] != initial["planned_date"]:
            edit_doubts = node_date_doubts(node, planned_date=data["planned_date"])
        if data["doubts_confirmed"]:
            edit_doubts = []
    if action == "done" and done_form.is_valid():
        date, stage = done_form.cleaned_data["date"], node_stage(node)
        if stage:
            errors = stage_change_errors(project, stage, date)
            for error in errors.values():
                done_form.add_error("date", error)
            if not errors:
                done_preview = done_form.stage_confirmation(project, stage, date)
        elif not done_form.cleaned_data["doubts_confirmed"]:
            done_doubts = node_date_doubts(node, actual_date=date)
    if action == "edit" and edit_form.is_valid() and not edit_doubts:
        data = edit_form.cleaned_data
        try:
            node_update(
                node=node,
                by=request.user,
                planned_date=data["planned_date"],
                responsible=data["responsible"],
                department=data["department"],
                name=data.get("name"),
                is_key=data.get("is_key") if "is_key" in edit_form.fields else None,
                note=data["note"],
                expected_version=data["version"],
                doubts_confirmed=data["doubts_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(edit_form, error)
        else:
            messages.success(request, _("Node saved."))
            return redirect("plan_node", pk=project.pk, node_pk=node.pk)
    elif action == "done" and done_form.is_valid() and not (done_doubts or done_preview):
        try:
            node_complete(
                node=node,
                by=request.user,
                date=done_form.cleaned_data["date"],
                evidence=done_form.cleaned_data["evidence"],
                expected_version=done_form.cleaned_data["version"],
                doubts_confirmed=done_form.cleaned_data["doubts_confirmed"],
            )
        except ValidationError as error:
            add_service_errors(done_form, error)
        else:
            messages.success(request, _("Node done."))
            return redirect("plan_node", pk=project.pk, node_pk=node.pk)
    elif action == "document" and document_form.is_valid():
        try:
            permit = Permit.objects.filter(project=project, permit_type=node.permit_type_id).first()
            document_attach(
                project=project,
                by=request.user,
                file=document_form.cleaned_data["file"],
                description=document_form.cleaned_data["description"],
                node=node,
                permit=permit,
            )
        except ValidationError as error:
            add_service_errors(document_form, error)
        else:
            messages.success(request, _("Document attached."))
            return redirect("plan_node", pk=project.pk, node_pk=node.pk)
    (state_node,) = annotate_states(project.nodes.with_dates().filter(pk=node.pk), on)
    return render(
        request,
        "projects/plan_node.html",
        {
            "project": project,
            "node": state_node,
            "documents": node.documents.select_related("uploaded_by"),
            "may_edit": may_edit,
            "edit_form": edit_form,
            "done_form": done_form,
            "document_form": document_form,
            "edit_doubts": edit_doubts,
            "done_doubts": done_doubts,
            "done_preview": done_preview,
        },
        status=200 if edit_doubts or done_doubts or done_preview or not action else 400,
    )


@require_POST
def project_document_add(request, pk):
    """Attach a document to the project itself (from the project page)."""
    project = _project(request, pk)
    if not may_attach(request.user, project):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if form.is_valid():
        try:
            document_attach(
                project=project,
                by=request.user,
                file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Document attached."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(project)


@require_GET
def zone_nodes(request):
    """/plan/nodes/: the nodes due this month and the late nodes of the user's visible projects, by
    park and by responsible department (filters), each linked to its node."""
    on = today()
    month_first = on.replace(day=1)
    month_last = on.replace(day=calendar.monthrange(on.year, on.month)[1])
    park = _choice(request, "park", Park)
    department = _choice(request, "department", Department)
    view = request.GET.get("show") if request.GET.get("show") in ("late", "due") else "late"
    nodes = PlanNode.objects.visible_to(request.user).open()
    if park:
        nodes = nodes.filter(project__park=park)
    if department:
        nodes = nodes.filter(department=department)
    if view == "late":
        nodes = nodes.filter(planned_on__lt=on)
    else:
        nodes = nodes.filter(planned_on__range=(max(month_first, on), month_last))
    nodes = nodes.select_related("project", "project__park", "department", "responsible").order_by(
        "project__park__order", "project__park__name", "planned_on", "pk"
    )
    page = Paginator(nodes, ZONE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = annotate_states(page.object_list, on)
    return render(
        request,
        "projects/plan_nodes.html",
        {
            "page": page,
            "show": view,
            "park": park,
            "department": department,
            "parks": Park.objects.all(),
            "departments": Department.objects.all(),
            "month_first": month_first,
            "month_last": month_last,
        },
    )


def _choice(request, name, model):
    raw = request.GET.get(name, "")
    if not raw.isdigit() or len(raw) > 9:
        return None
    return model.objects.filter(pk=int(raw)).first()
