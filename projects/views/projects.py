import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import lights
from ..access import RoleRequired
from ..filters import ProjectFilter
from ..forms.base import add_service_errors
from ..forms.plans import DocumentForm
from ..forms.projects import ProjectEditForm
from ..models import Listing, Project, ProjectAction, Rules
from ..plans import annotate_states
from ..querysets import today
from ..rulebook import roles_granted
from ..services.projects import EDITABLE_FIELDS, may_edit_project, may_set_location, project_update
from .progress import next_stage_actions

PAGE_SIZE = 50
# What a project list row shows (project_list.html, the light's reasons): only these are read.
LIST_ROW_FIELDS = (
    "code",
    "name",
    "stage",
    "total_investment",
    "planned_start",
    "actual_start",
    "park__name",
    "enterprise__name",
    "leader__name",
    "grid_worker__name",
)


def visible_projects(request):
    return Project.objects.visible_to(request.user)


def filtered_projects(request, projects):
    """(filter, year, month, rules): the list's filters on `projects` (the user's visible ones), and
    the year, cut-off month and rules of their warning light — the project list's, the map's and
    /map.geojson's one reading of the query string. The filter's rows are not lit: a view lights the
    rows it shows (`with_light(year=…, month=…, rules=…)`); the light filter lights its own subquery."""
    project_filter = ProjectFilter(request.GET, queryset=projects, request=request)
    year = today().year
    month = None
    if project_filter.is_valid() and project_filter.form.cleaned_data.get("year"):
        year = int(project_filter.form.cleaned_data["year"])
    if project_filter.is_valid() and project_filter.form.cleaned_data.get("month"):
        month = int(project_filter.form.cleaned_data["month"])
    project_filter.rules = rules = Rules.current()
    return project_filter, year, month, rules


def project_list(request):
    projects = visible_projects(request)
    project_filter, year, month, rules = filtered_projects(request, projects)
    listing = Listing.objects.filter(project=OuterRef("pk"), year=year).order_by()  # no ordering join
    # Paginate the primary keys, then light and annotate only the page's rows: the light and listing
    # subqueries run for 50 projects, not for every project before a deep page's OFFSET. Still one
    # query: the page's keys are a LIMIT/OFFSET subquery of the rows query.
    keys = project_filter.qs.order_by("code").values_list("pk", flat=True)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = (
        projects.filter(pk__in=page.object_list)
        .select_related("park", "enterprise", "leader", "grid_worker")
        .only(*LIST_ROW_FIELDS)
        .with_light(year=year, month=month, rules=rules, calendar=project_filter.light_calendar)
        .annotate(
            listing_level=Subquery(listing.values("level")[:1]),
            listing_kind=Subquery(listing.values("kind")[:1]),
            planned_investment=Subquery(listing.values("planned_investment")[:1]),
        )
        .order_by("code")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": project_filter,
            "page": page,
            "year": year,
            "query": query.urlencode(),
            "light_legend": lights.legend(rules),
        },
    )


def project_detail(request, pk):
    rules = Rules.current()
    project = get_object_or_404(
        visible_projects(request)
        .select_related("park", "enterprise", "leader", "grid_worker", "lead_department")
        .with_light(rules=rules),
        pk=pk,
    )
    reports = list(project.monthly_reports.order_by("year", "month"))
    years = sorted({r.year for r in reports}, reverse=True)
    investment_by_year = [
        {
            "year": year,
            "months": [
                next((r for r in reports if r.year == year and r.month == m), None) for m in range(1, 13)
            ],
            "total": sum(r.amount for r in reports if r.year == year),
        }
        for year in years
    ]
    nodes = annotate_states(project.nodes.with_dates(), today(), rules)
    context = {
        "project": project,
        "listings": project.listings.all(),
        "investment_by_year": investment_by_year,
        "permits": project.permits.select_related("permit_type", "handler"),
        "nodes": nodes,
        "documents": project.documents.select_related("node", "permit__permit_type"),
        "document_form": DocumentForm(prefix="doc"),
        "visits": project.visits.active().prefetch_related("participants", "departments")[:20],
        "issues": project.issues.visible_to(request.user).active().select_related("department", "assignee"),
        "progress_notes": project.progress_notes.select_related("author").prefetch_related("photos"),
        "contacts": project.enterprise.contacts.all(),
        "today": today(),
        "may_edit_project": may_edit_project(request.user),
        "may_set_location": may_set_location(request.user, project),
    }
    # Progress area (issue 7): may the user log, missing permits, late nodes, next-date forms.
    from .progress import project_progress_context

    context.update(project_progress_context(request, project))
    return render(request, "projects/project_detail.html", context)


@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    """The project's master data, for coordinators and administrators (403 for others, 404 outside
    what the user sees). A stale form is refused and shown again with what was typed."""
    project = get_object_or_404(visible_projects(request).select_related("park"), pk=pk)
    if not may_edit_project(request.user):
        raise RoleRequired(*roles_granted(ProjectAction.EDIT))
    # The form works on a copy: the page's heading keeps the saved name while the form is invalid.
    form = ProjectEditForm(
        request.POST or None, instance=copy.copy(project), initial={"version": project.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = project_update(
                project=project,
                by=request.user,
                changes={name: form.cleaned_data[name] for name in EDITABLE_FIELDS},
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Project saved.") if changed else _("Nothing was changed."))
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"project": project, "form": form, "stage_actions": next_stage_actions(project)},
        status=400 if form.is_bound else 200,
    )
