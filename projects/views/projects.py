import copy
import html
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat, linebreaksbr
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import lights
from ..access import RoleRequired
from ..filters import ProjectFilter
from ..forms.base import add_service_errors
from ..forms.plans import DocumentForm
from ..forms.projects import ProjectEditForm
from ..links import row_link
from ..models import Issue, Permit, Photo, ProgressNote, Project, ProjectAction, Rules, Visit
from ..numbers import date_text, number_text
from ..plans import annotate_states
from ..querysets import today
from ..rulebook import roles_granted
from ..services.projects import EDITABLE_FIELDS, may_edit_project, may_set_location, project_update
from ..templatetags.choices import choice_labels, display
from ..templatetags.lights import light_details
from ..templatetags.listings import listing_badges
from ..texts import shortened
from .progress import next_stage_actions

PAGE_SIZE = 50
# What a project list row shows (list_rows, the light's reasons): only these are read, the related
# names as columns of the row rather than four related instances per row.
LIST_ROW_FIELDS = ("code", "name", "stage", "total_investment", "planned_start", "actual_start")
LIST_ROW_NAMES = {
    "park_name": F("park__name"),
    "enterprise_name": F("enterprise__name"),
    "leader_name": F("leader__name"),
    "grid_worker_name": F("grid_worker__name"),
}


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


def list_columns(year):
    """The list's column headings, escaped once: the table's header and each stacked (phone) cell's
    label."""
    return {
        "project": escape(_("Project")),
        "park": escape(_("Park")),
        "listing": escape(_("%(year)s listing") % {"year": year}),
        "total": escape(_("Total investment (10k yuan)")),
        "planned": escape(_("Planned this year (10k yuan)")),
        "stage": escape(_("Stage")),
        "leader": escape(_("Committee leader")),
        "grid_worker": escape(_("Grid worker")),
    }


NO_LISTING = '<span class="text-muted">—</span>'


def list_rows(projects, columns):
    """Each row of the project list as HTML, under the headings `columns` (list_columns).

    Built here as the light's badge is (templatetags/lights.py): a template row looked up twenty
    values, each escaped on the way, and cost more than the page's SQL (issue 18). Text is escaped
    here; the light's and the listing's badges are HTML already.
    """
    number = number_text()
    project_link = row_link("project_detail")
    c = columns
    rows = []
    for project in projects:
        # html.escape, as the template escapes text (Django's escape is the same, wrapped).
        name, code, enterprise, park = (
            html.escape(text)
            for text in (project.name, project.code, project.enterprise_name, project.park_name)
        )
        if project.listing_level:
            listing = listing_badges(project.listing_level, project.light_kind)
        else:
            listing = NO_LISTING
        url = project_link(project.pk)  # digits and slashes: nothing to escape
        total = number(project.total_investment, "whole")
        planned = number(project.light_planned, "whole")
        leader = html.escape(project.leader_name or "") or "—"
        grid_worker = html.escape(project.grid_worker_name or "") or "—"
        rows.append(
            mark_safe(
                f'<tr>\n<td class="stack-title"><a href="{url}">{name}</a>'
                f'<div class="small text-muted">{code} · {enterprise}</div>{light_details(project)}</td>\n'
                f'<td data-label="{c["park"]}">{park}</td>\n'
                f'<td data-label="{c["listing"]}" class="text-nowrap">{listing}</td>\n'
                f'<td data-label="{c["total"]}" class="text-end">{total}</td>\n'
                f'<td data-label="{c["planned"]}" class="text-end">{planned}</td>\n'
                f'<td data-label="{c["stage"]}">{html.escape(display(project, "stage"))}</td>\n'
                f'<td data-label="{c["leader"]}">{leader}</td>\n'
                f'<td data-label="{c["grid_worker"]}">{grid_worker}</td>\n'
                "</tr>"
            )
        )
    return rows


def project_list(request):
    projects = visible_projects(request)
    project_filter, year, month, rules = filtered_projects(request, projects)
    # Paginate the primary keys, then light and annotate only the page's rows: the light's
    # subqueries run for 50 projects, not for every project before a deep page's OFFSET. Still one
    # query: the page's keys are a LIMIT/OFFSET subquery of the rows query.
    keys = project_filter.qs.order_by("code").values_list("pk", flat=True)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = (
        projects.filter(pk__in=page.object_list)
        .only(*LIST_ROW_FIELDS)
        .annotate(**LIST_ROW_NAMES)
        .with_light(year=year, month=month, rules=rules, calendar=project_filter.light_calendar)
        # The light joins the row's listing of `year` (one per project and year) and reads its kind
        # and plan (light_kind, light_planned), which the row shows: its level from the same join.
        .annotate(listing_level=F("light_listing__level"))
        .order_by("code")
    )
    query = request.GET.copy()
    query.pop("page", None)
    columns = list_columns(year)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": project_filter,
            "page": page,
            "columns": columns,
            "rows": list_rows(page.object_list, columns),
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
    # The nodes' states on the day of the project's light, their delays on the calendar it read.
    nodes = annotate_states(
        project.nodes.with_dates().only(*NODE_FIELDS),
        project.light_today,
        rules,
        calendar=project.light_calendar,
    )
    # The side lists read only the columns the page shows; those of model instances keep "project",
    # so that each row gets the page's project without a query.
    context = {
        "project": project,
        "listings": listing_rows(project.listings.values(*LISTING_FIELDS).order_by("-year")),  # one per year
        "investment_by_year": investment_by_year(project),
        "permits": permit_rows(project.permits),
        "nodes": nodes,
        "documents": project.documents.select_related("node", "permit__permit_type").only(*DOCUMENT_FIELDS),
        "document_form": DocumentForm(prefix="doc"),
        "visits": visit_lines(project.visits.active()[:20]),
        "issues": issue_lines(project.issues.visible_to(request.user).active()),
        "progress_notes": progress_note_rows(project.progress_notes),
        "contacts": project.enterprise.contacts.only("enterprise", "name", "title", "phone"),
        "may_edit_project": may_edit_project(request.user),
        "may_set_location": may_set_location(request.user, project),
    }
    # Progress area (issue 7): may the user log, missing permits, late nodes, next-date forms.
    from .progress import project_progress_context

    context.update(project_progress_context(request, project))
    return render(request, "projects/project_detail.html", context)


# What the project page shows of each side list (project_detail.html and _documents.html).
NODE_FIELDS = ("project", "name", "is_key")
LISTING_FIELDS = ("year", "level", "kind", "planned_investment")
DOCUMENT_FIELDS = (
    "project",
    "file",
    "name",
    "size",
    "description",
    "uploaded_at",
    "node__name",
    "permit__permit_type__name",
)


NO_REPORT = '<td><span class="text-muted">·</span></td>'


LISTING_ROW = '\n    <tr><td>{year}</td><td>{badges}</td><td class="text-end">{planned}</td></tr>\n  '


def listing_rows(listings):
    """Each listing's row of the project page's table as HTML: its year, badges and planned
    investment as floatformat:"2g" writes it."""
    return [
        mark_safe(
            LISTING_ROW.format(
                year=formats.localize(row["year"]),
                badges=listing_badges(row["level"], row["kind"]),
                planned=floatformat(row["planned_investment"], "2g"),
            )
        )
        for row in listings
    ]


def investment_by_year(project):
    """The completed investment grid, latest year first: each year and its twelve months' cells and
    total as HTML (`cells`; a month without a report is a dot: 48 numbers through the template's
    floatformat were a tenth of the page); one pass over the project's reports."""
    number = number_text()
    months_of = {}
    for year, month, amount in project.monthly_reports.values_list("year", "month", "amount"):
        months_of.setdefault(year, [None] * 12)[month - 1] = amount
    rows = []
    for year, months in sorted(months_of.items(), reverse=True):
        total = sum(amount for amount in months if amount is not None)
        cells = "".join(
            NO_REPORT if amount is None else f"<td>{number(amount, 'whole')}</td>" for amount in months
        )
        rows.append(
            {"year": year, "cells": mark_safe(f'{cells}<td class="fw-bold">{number(total, "whole")}</td>')}
        )
    return rows


# A note of the progress log (project_detail.html), written here as the side lists' rows are.
NOTE_ROW = (
    '\n  <li class="mb-2{stage_change}">\n    <div class="small text-muted">{date} · {author}</div>\n'
    "    {stage}\n    <div>{text}</div>\n    {photos}\n  </li>\n"
)
STAGE_CHANGE = '<span class="badge text-bg-info">{stage_from} → {stage_to}</span>'
PHOTO = '<a href="{url}"><img src="{url}" alt="{alt}" class="thumb"></a>'


def progress_note_rows(notes):
    """Each note of the progress log as HTML, newest first: its date and author, the stage change in
    words, the text with its line breaks (linebreaksbr) and its photos, every text escaped. Two
    queries (the photos only when there are notes)."""
    notes = list(notes.values_list("pk", "date", "author__name", "stage_from", "stage_to", "text"))
    photos = defaultdict(list)
    if notes:
        for note, name in Photo.objects.filter(progress_note__in=[row[0] for row in notes]).values_list(
            "progress_note", "image"
        ):
            photos[note].append(name)
    storage = Photo._meta.get_field("image").storage
    stages, date = choice_labels(ProgressNote, "stage_to"), date_text()
    rows = []
    for pk, day, author, stage_from, stage_to, text in notes:
        alt = html.escape(_("Progress photo of %(date)s") % {"date": day.isoformat()})
        stage = ""
        if stage_to:
            stage = STAGE_CHANGE.format(
                stage_from=html.escape(str(stages.get(stage_from, stage_from))),
                stage_to=html.escape(str(stages.get(stage_to, stage_to))),
            )
        rows.append(
            mark_safe(
                NOTE_ROW.format(
                    stage_change=" stage-change" if stage_to else "",
                    date=date(day),
                    author=html.escape(author or ""),
                    stage=stage,
                    text=linebreaksbr(text, autoescape=True),
                    photos="".join(
                        PHOTO.format(url=html.escape(storage.url(name)), alt=alt) for name in photos[pk]
                    ),
                )
            )
        )
    return rows


# The project page lists every permit, every active issue and the last 20 visits: their rows'
# texts are worked out here, once per row, from the columns shown (no model instances), where the
# template spent some 35 calls on each variable and filter of a row. The links are those of
# Issue.get_absolute_url() and Visit.get_absolute_url() (projects/links.py).


# The side lists' rows as project_detail.html lists them: every value escaped (_html), as the
# template's lookups of each row's three or four values cost more than building them.
PERMIT_ROW = (
    "\n        <tr><td>{name}</td><td>{status}</td><td>{approved_on}</td><td>{handler}</td></tr>\n      "
)
ISSUE_LINE = (
    '\n      <li class="list-group-item px-0">\n        <a href="{url}">{title}</a>\n'
    '        <div class="small text-muted">{facts}</div>\n      </li>\n    '
)
VISIT_LINE = (
    '\n      <li class="list-group-item px-0">\n        <a href="{url}">{title}</a>\n'
    '        <div class="small">{summary}</div>\n      </li>\n    '
)


def _html(template, values):
    return mark_safe(template.format(**{key: html.escape(str(value)) for key, value in values.items()}))


def permit_rows(permits):
    """Each permit's type, status, approval date and handler ("—" for none)."""
    statuses, date = choice_labels(Permit, "status"), date_text()
    rows = []
    for name, status, approved_on, handler in permits.values_list(
        "permit_type__name", "status", "approved_on", "handler__name"
    ):
        row = {
            "name": name,
            "status": statuses.get(status, status),
            "approved_on": date(approved_on) if approved_on else "—",
            "handler": handler or "—",
        }
        row["html"] = _html(PERMIT_ROW, row)
        rows.append(row)
    return rows


def issue_lines(issues):
    """Each issue's link, "#number words…" and "level · status · department[ · deadline date]"."""
    levels, statuses = choice_labels(Issue, "level"), choice_labels(Issue, "status")
    deadline_word, date = _("deadline"), date_text()
    issue_link = row_link("issue_detail")
    lines = []
    for pk, description, level, status, deadline, department in issues.values_list(
        "pk", "description", "level", "status", "deadline", "department__name"
    ):
        facts = [str(levels.get(level, level)), statuses.get(status, status), department or "—"]
        if deadline:
            facts.append(f"{deadline_word} {date(deadline)}")
        line = {
            "url": issue_link(pk),
            "title": f"#{pk} {shortened(description, 60)}",
            "facts": " · ".join(facts),
        }
        line["html"] = _html(ISSUE_LINE, line)
        lines.append(line)
    return lines


def visit_lines(visits):
    """Each visit's link, "date kind" and summary."""
    kinds, date = choice_labels(Visit, "kind"), date_text()
    visit_link = row_link("visit_detail")
    lines = []
    for pk, day, kind, summary in visits.values_list("pk", "date", "kind", "summary"):
        line = {
            "url": visit_link(pk),
            "title": f"{date(day)} {kinds.get(kind, kind)}",
            "summary": shortened(summary, 100),
        }
        line["html"] = _html(VISIT_LINE, line)
        lines.append(line)
    return lines


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
