"""The dashboard (`/dashboard/`) and its figures as JSON (`/dashboard.json`), for a year and cut-off month.

Both read `projects.figures.dashboard_figures`, over what the user may see. Every figure on the page
links to the filtered list behind it; the charts are drawn by frontend/dashboard.js from the figures
the page carries (`chart_figures`), not from a second request.
"""

import datetime
import html
from decimal import Decimal

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_GET

from .. import access, lights
from ..figures import LIGHTS, as_json, dashboard_figures, listed_with_light, month_end
from ..links import row_link
from ..models import YEAR_MAX, YEAR_MIN, Level, Light, Project, RoleCode, Rules, Stage
from ..models.projects import HUNDRED_MILLION
from ..numbers import number_text
from ..querysets import today
from ..services.reports import default_period, round_state
from ..templatetags.lights import light_badge

MIN_YEAR, MAX_YEAR = YEAR_MIN, YEAR_MAX
LIGHT_LIST_SIZE = 50


def parse_period(params):
    """(year, month, errors) from ?year=&month=; without them (or unreadable) the default period:
    the month being reported (services.reports.default_period)."""
    default_year, default_month = default_period(today())
    year, month, errors = default_year, default_month, []
    raw_year, raw_month = params.get("year", ""), params.get("month", "")
    if raw_year:
        try:
            year = int(raw_year)
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError
        except ValueError:
            year = default_year
            errors.append(
                _("The year “%(value)s” is not a year between %(min)s and %(max)s; showing %(default)s.")
                % {"value": raw_year[:20], "min": MIN_YEAR, "max": MAX_YEAR, "default": year}
            )
    if raw_month:
        try:
            month = int(raw_month)
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            month = default_month
            errors.append(
                _("The month “%(value)s” is not a month from 1 to 12; showing %(default)s.")
                % {"value": raw_month[:20], "default": month}
            )
    return year, month, errors


def _url(name, **params):
    """A list's URL with its filter parameters (None values left out)."""
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _project_list(**params):
    return _url("project_list", **params)


def _issue_list(**params):
    return _url("issue_list", **params)


def _links(figures):
    """The filtered list behind every figure (the lists' parameter names are their filters')."""
    year, month = figures["year"], figures["month"]
    first, last = datetime.date(year, 1, 1), month_end(year, month)
    listed = _project_list(year=year)
    new = _project_list(year=year, kind="new")
    started = _project_list(year=year, month=month, kind="new", started="true")
    over_100m = _project_list(year=year, over_100m="true")
    issues_open, issues_overdue = _issue_list(unresolved=1), _issue_list(overdue=1)
    lights = {light: _project_list(year=year, month=month, light=light) for light in LIGHTS}

    def row_links(narrower="", issues_narrower=""):
        # A breakdown row's lists are the zone's with one more parameter: ~150 rows in a ten-zone
        # dashboard, so the URLs are built by appending it rather than reversed for every cell.
        return {
            "projects": listed + narrower,
            "new_projects": new + narrower,
            "new_projects_started": started + narrower,
            "start_rate": started + narrower,
            "planned_investment": listed + narrower,
            "completed_investment": listed + narrower,
            "new_completed_investment": new + narrower,
            "investment_completion_rate": listed + narrower,
            "projects_over_100m": over_100m + narrower,
            "issues_open": issues_open + issues_narrower,
            "issues_overdue": issues_overdue + issues_narrower,
            "lights_red": lights["red"] + narrower,
            "lights_yellow": lights["yellow"] + narrower,
            "lights_green": lights["green"] + narrower,
        }

    links = row_links()
    links.update(
        projects_over_100m_growth=over_100m,
        projects_over_100m_prev_year=_project_list(year=year - 1, over_100m="true"),
        issues_open_by_level={level.code: _issue_list(level=level.value, unresolved=1) for level in Level},
        issues_solved_on_site=_issue_list(solved_on_site=1, raised_from=first, raised_to=last),
        issues_median_days_to_resolve=_issue_list(
            unresolved=0, solved_on_site=0, raised_from=first, raised_to=last
        ),
        visits_in_month=_url("visit_list", date_after=datetime.date(year, month, 1), date_before=last),
        projects_not_visited_30_days=_project_list(year=year, not_visited=figures["not_visited_days"]),
        lights=lights,
    )
    for row in figures["by_park"]:
        narrower = "&" + urlencode({"park": row["park_id"]})
        row["links"] = row_links(narrower, narrower)
    for row in figures["by_level"]:
        # The issue list's `level` is the issue's; a project's listing level there is `listing_level`.
        issues_narrower = "&" + urlencode({"listed_in": year, "listing_level": row["level"]})
        row["links"] = row_links("&" + urlencode({"level": row["level"]}), issues_narrower)
    for row in figures["by_leader"]:
        # Projects without a committee leader have no list filter of their own.
        narrower = "&" + urlencode({"leader": row["leader_id"]}) if row["leader_id"] else None
        row["links"] = row_links(narrower, narrower) if narrower else {}
    return links


def _pipeline_table(figures, text):
    """The pipeline (四库五率) for the zone and by park: each count links to its projects."""
    from ..pipeline import RATES, STEP_NAMES

    year, month = figures["year"], figures["month"]
    labels = {
        "signed": _("Signed"),
        "filed": _("Filed (立项备案)"),
        "started": _("Started"),
        "completed": _("Completed"),
        "producing": _("In production"),
        "filed_rate": _("Filing rate of signed projects"),
        "started_rate": _("Start rate of filed projects"),
        "completed_rate": _("Completion rate of started projects"),
        "producing_rate": _("Production rate of completed projects"),
        "signed_started_rate": _("Start rate of signed projects"),
    }
    base = _project_list(pipeline_year=year, month=month)

    def row(name, values, narrower=""):
        cells = [(text(values[step], "count"), f"{base}&pipeline={step}{narrower}") for step in STEP_NAMES]
        # A rate drills down to its numerator's projects (a "—" too).
        cells += [
            (text(values[key], "rate"), f"{base}&pipeline={num}{narrower}")
            for key, (num, _den) in RATES.items()
        ]
        return {"name": name, "cells": _cells(cells)}

    rows = [
        row(item["park"], item, "&" + urlencode({"park": item["park_id"]}))
        for item in figures["pipeline_by_park"]
    ]
    stock = [
        {
            "label": stage.label,
            "text": text(figures["pipeline"]["stock"][stage.value], "count"),
            "link": _project_list(stage=stage.value),
        }
        for stage in Stage
    ]
    return {
        "columns": [labels[key] for key in (*STEP_NAMES, *RATES)],
        "total": row(_("Zone"), figures["pipeline"]),
        "rows": rows,
        "stock": stock,
    }


# A breakdown table's figure columns: (key, kind of number, heading), in the table's order.
BREAKDOWN_COLUMNS = (
    ("projects", "count", N_("Key projects")),
    ("new_projects", "count", N_("New-build")),
    ("new_projects_started", "count", N_("Started")),
    ("start_rate", "rate", N_("Start rate")),
    ("planned_investment", "money", N_("Planned (10k yuan)")),
    ("completed_investment", "money", N_("Completed (10k yuan)")),
    ("new_completed_investment", "money", N_("New-build completed (10k yuan)")),
    ("investment_completion_rate", "rate", N_("Completion rate")),
    ("projects_over_100m", "count", N_("Projects of 1亿 or more")),
    ("issues_open", "count", N_("Open issues")),
    ("issues_overdue", "count", N_("Overdue issues")),
    ("lights_red", "count", N_("Red lights")),
    ("lights_yellow", "count", N_("Yellow lights")),
)


def _breakdown_head():
    """The figure columns' headings, the same in the three tables: written once per page."""
    return mark_safe(
        "".join(f"<th>{html.escape(_(heading))}</th>" for _key, _kind, heading in BREAKDOWN_COLUMNS)
    )


def _cells(cells):
    """[(text, link or None)] as a row's table cells, each linked to the list behind it.

    The cells are built here, as the admin builds its changelist rows: a ten-zone dashboard has
    about a thousand of them, and a template loop with a condition per cell costs more than the
    figures' own SQL to render.
    """
    # html.escape is what django.utils.html.escape runs, without its wrapper for lazy text (a
    # cell's text and link are plain str); every part is escaped.
    return mark_safe(
        "".join(
            f'<td><a href="{html.escape(link)}">{html.escape(text)}</a></td>'
            if link
            else f"<td>{html.escape(text)}</td>"
            for text, link in cells
        )
    )


def _breakdown_rows(rows, name_key, text):
    """Each row's name and its figure cells, each linked to the projects behind it."""
    nobody = _("No committee leader")  # the row of the projects without one (by leader)
    return [
        {
            "name": row[name_key] or nobody,
            "cells": _cells(
                (
                    text(row[key], kind),
                    # A "—" links nowhere.
                    row["links"].get(key) if row[key] is not None else None,
                )
                for key, kind, _heading in BREAKDOWN_COLUMNS
            ),
        }
        for row in rows
    ]


# A key figure's card (dashboard.html), written here as the breakdowns' cells are.
CARD = (
    '\n  <div class="col-6 col-md-4 col-xl-2">\n    <div class="card h-100 figure-card">\n'
    '      <div class="card-body p-2">\n        <div class="small text-muted">{label}</div>\n'
    '        <div class="fs-4 fw-semibold">{figure}</div>{detail}\n      </div>\n    </div>\n  </div>\n  '
)


def _cards_html(cards):
    """The cards as HTML, every text escaped; a card with a link is a link all over (stretched)."""
    parts = []
    for card in cards:
        figure, link = html.escape(card["text"]), card.get("link")
        if link:
            figure = f'<a class="stretched-link text-decoration-none" href="{html.escape(link)}">{figure}</a>'
        detail = card.get("detail")
        parts.append(
            CARD.format(
                label=html.escape(str(card["label"])),
                figure=figure,
                detail=f'\n        <div class="small text-muted">{html.escape(detail)}</div>'
                if detail
                else "",
            )
        )
    return mark_safe("".join(parts))


def _cards(figures, links, text):
    """The key figures as cards: label, the figure as text, link."""
    f = figures

    def card(label, key, kind="count", link=None, value=None):
        return {"label": label, "text": text(f[key] if value is None else value, kind), "link": link}

    def money_card(label, key):
        # From 1亿 up the headline reads in 亿元, the exact 万元 figure beside it.
        value = f[key]
        wan = _("%(amount)s 10k yuan") % {"amount": text(value, "money")}
        if value >= HUNDRED_MILLION:
            yi = (value / HUNDRED_MILLION).quantize(Decimal("0.01"))
            return {"label": label, "text": _("%(amount)s 100m yuan") % {"amount": yi}, "detail": wan,
                    "link": links[key]}  # fmt: skip
        return {"label": label, "text": wan, "link": links[key]}

    return [
        card(_("Key projects"), "projects", link=links["projects"]),
        card(_("New-build projects"), "new_projects", link=links["new_projects"]),
        card(_("New-build projects started"), "new_projects_started", link=links["new_projects_started"]),
        card(_("Start rate"), "start_rate", "rate", links["start_rate"]),
        money_card(_("Planned investment"), "planned_investment"),
        money_card(_("Completed investment"), "completed_investment"),
        money_card(_("New-build projects' completed investment"), "new_completed_investment"),
        card(
            _("Investment completion rate"),
            "investment_completion_rate",
            "rate",
            links["investment_completion_rate"],
        ),
        card(_("Time progress"), "time_progress", "rate"),
        card(_("Projects of 1亿 or more"), "projects_over_100m", link=links["projects_over_100m"]),
        card(
            _("Projects of 1亿 or more, previous year"),
            "projects_over_100m_prev_year",
            link=links["projects_over_100m_prev_year"],
        ),
        card(
            _("Growth of 1亿+ projects"),
            "projects_over_100m_growth",
            "rate",
            links["projects_over_100m_growth"],
        ),
        card(_("Open issues"), "issues_open", link=links["issues_open"]),
        card(_("Overdue issues"), "issues_overdue", link=links["issues_overdue"]),
        card(_("Issues solved on site"), "issues_solved_on_site", link=links["issues_solved_on_site"]),
        card(
            _("Median working days to resolve"),
            "issues_median_days_to_resolve",
            "days",
            links["issues_median_days_to_resolve"],
        ),
        card(_("Visits in the month"), "visits_in_month", link=links["visits_in_month"]),
        card(
            _("Not visited for %(days)s days") % {"days": f["not_visited_days"]},
            "projects_not_visited_30_days",
            link=links["projects_not_visited_30_days"],
        ),
        card(_("Red lights"), "lights", link=links["lights"]["red"], value=f["lights"]["red"]),
        card(_("Yellow lights"), "lights", link=links["lights"]["yellow"], value=f["lights"]["yellow"]),
    ]


# The fields a lit project's row shows (_light_rows) or its light's reasons read (lights.reasons).
LIGHT_ROW_FIELDS = ("name", "park__name", "leader__name", "planned_start", "actual_start")


# A row of the red and yellow list (dashboard.html), written here as the breakdowns' cells are.
LIGHT_ROW = (
    '\n    <li class="list-group-item py-2">\n'
    '      <div class="d-flex flex-wrap align-items-center gap-2">\n'
    "        {badge}\n"
    '        <a class="flex-grow-1" href="{link}">{name}</a>\n'
    '        <span class="small text-muted">{park} · {leader}</span>\n'
    "      </div>\n"
    '      <ul class="light-reasons small mb-0">{reasons}</ul>\n'
    "    </li>\n  "
)


def _light_rows(projects):
    """What each row of a list of lit projects shows, read here once per row as the breakdowns'
    cells are: the template's lookups and filters on up to fifty rows cost several times as much.
    `html` is the red and yellow list's row (LIGHT_ROW), every text escaped (html.escape, as
    light_details escapes the same reasons); the badge is HTML already."""
    project_link = row_link("project_detail")
    rows = []
    for project in projects:
        row = {
            "badge": light_badge(project),
            "link": project_link(project.pk),
            "name": project.name,
            "park": project.park.name,
            "leader": project.leader.name if project.leader else "",
            "reasons": "".join(
                f'<li class="light-reason-{reason.light}">{html.escape(reason.text)}</li>'
                for reason in project.light_reasons
            ),
        }
        row["html"] = mark_safe(
            LIGHT_ROW.format(
                badge=row["badge"],
                link=row["link"],
                name=html.escape(row["name"]),
                park=html.escape(row["park"]),
                leader=html.escape(row["leader"]) or "—",
                reasons=row["reasons"],
            )
        )
        rows.append(row)
    return rows


@require_GET
def dashboard(request):
    staff = access.get_staff(request.user)
    if staff is None and not request.user.is_superuser:
        return render(request, "projects/no_profile.html")
    year, month, errors = parse_period(request.GET)
    for error in errors:
        messages.warning(request, error)
    on = today()
    rules = Rules.current()
    # The light counts and the red/yellow list below read one lit queryset.
    lit = listed_with_light(
        Project.objects.visible_to(request.user), year=year, month=month, today=on, rules=rules
    )
    figures = dashboard_figures(year=year, month=month, user=request.user, today=on, rules=rules, lit=lit)
    links = _links(figures)
    text = number_text()

    # Only what a row shows (_light_rows) and its light's reasons read.
    lit = lit.select_related("park", "leader").only(*LIGHT_ROW_FIELDS)
    is_leader = staff is not None and staff.has_role(RoleCode.LEADER)
    # A committee leader's own projects come first, all of them with their light: red, yellow, green
    # (sorted here, on the light each row works out, rather than on a CASE over the database's light).
    my_lights = (
        sorted(lit.filter(leader=staff).order_by("code"), key=lambda row: lights.LIGHTS.index(row.light))
        if is_leader
        else []
    )
    # Red first, then yellow ("red" sorts before "yellow"). With a list's worth of red lights (the
    # figures counted them) it is the red ones alone: ordering by the light would work it out a
    # second time for every lit project (the list's largest cost at scale 4).
    if figures["lights"]["red"] >= LIGHT_LIST_SIZE:
        warnings = lit.filter(light=Light.RED).order_by("code")
    else:
        warnings = lit.filter(light__in=[Light.RED, Light.YELLOW]).order_by("light", "code")
    warnings = list(warnings[:LIGHT_LIST_SIZE])
    cards = _cards(figures, links, text)
    context = {
        "figures": figures,
        "links": links,
        "year": year,
        "month": month,
        "min_year": MIN_YEAR,
        "max_year": MAX_YEAR,
        "month_options": mark_safe(
            "".join(
                f'<option value="{m}"{" selected" if m == month else ""}>{m}</option>' for m in range(1, 13)
            )
        ),
        "cards": cards,
        "cards_html": _cards_html(cards),
        "issue_levels": [
            {
                "label": level.label,
                "count": figures["issues_open_by_level"][level.code],
                "link": links["issues_open_by_level"][level.code],
            }
            for level in Level
        ],
        "breakdown_head": _breakdown_head(),
        "breakdowns": [
            {
                "key": "park",
                "title": _("By park"),
                "column": _("Park"),
                "rows": _breakdown_rows(figures["by_park"], "park", text),
            },
            {
                "key": "level",
                "title": _("By level"),
                "column": _("Level"),
                "rows": _breakdown_rows(figures["by_level"], "label", text),
            },
            {
                "key": "leader",
                "title": _("By committee leader"),
                "column": _("Committee leader"),
                "rows": _breakdown_rows(figures["by_leader"], "leader", text),
            },
        ],
        "pipeline": _pipeline_table(figures, text),
        "is_leader": is_leader,
        "my_lights": my_lights,
        "my_light_rows": _light_rows(my_lights),
        "warnings": warnings,
        "warning_list": mark_safe("".join(row["html"] for row in _light_rows(warnings))),
        "light_legend": lights.legend(rules),
        "map_config": _small_map_config(year, month),
        "round": round_state(year, month, on, rules),
        "warnings_more": figures["lights"]["red"] + figures["lights"]["yellow"] > len(warnings),
        # Each chart's bars open the same lists as the cards and tables (frontend/dashboard.js).
        "chart_links": {
            "investment": links["completed_investment"],
            "start_rate": {str(row["park_id"]): row["links"]["start_rate"] for row in figures["by_park"]},
            "issues": links["issues_open_by_level"],
        },
        # What the charts draw, in the page: they need no second request (and the server no second
        # computation of the figures, which /dashboard.json would be).
        "chart_figures": chart_figures(figures),
        "chart_labels": {
            "completed": _("Completed in the month"),
            "completed_cumulative": _("Completed, cumulative"),
            "planned_cumulative": _("Plan pro rata"),
            "start_rate": _("Start rate (%)"),
            "open_issues": _("Open issues"),
            "month": _("Month"),
            "levels": {level.code: str(level.label) for level in Level},
            "failed": _(
                "The chart's data could not be loaded. The figures above are not affected; reload the "
                "page to try again."
            ),
        },
    }
    return render(request, "projects/dashboard.html", context)


def chart_figures(figures):
    """The figures the dashboard's three charts draw (frontend/dashboard.js), as JSON values."""
    return as_json(
        {
            "monthly": figures["monthly"],
            "by_park": [
                {key: row[key] for key in ("park", "park_id", "start_rate")} for row in figures["by_park"]
            ],
            "issues_open_by_level": figures["issues_open_by_level"],
        }
    )


@require_GET
def dashboard_json(request):
    """The dashboard's figures as JSON; a year or month that cannot be read is a 400 saying why."""
    year, month, errors = parse_period(request.GET)
    if errors:
        return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
    on, rules = today(), Rules.current()
    figures = dashboard_figures(
        year=year, month=month, user=request.user, today=on, rules=rules, accountability=True
    )
    data = as_json(figures)
    state = round_state(year, month, on, rules)
    data["period"] = {
        "year": year,
        "month": month,
        "is_default": (year, month) == default_period(on),
        "round_deadline": state.deadline.isoformat(),
        "round_locked": state.lock is not None,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _small_map_config(year, month):
    """The small map's settings: the projects' lights of the dashboard's period, loaded by the page
    from /map.geojson after it is shown (so the dashboard's own queries stay as they are)."""
    from django.utils.http import urlencode

    from .maps import map_config

    config = map_config()
    config["geojson"] += "?" + urlencode({"year": year, "month": month})
    return config
