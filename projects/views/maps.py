"""The zone on one map (项目一张图, PRODUCT.md "Location"): /map/, /map.geojson, the offline base layer,
a project's place, and the visits whose evidence does not hold.

Nothing here reaches outside the app: the base layer is the administrator's plan image, tile archive
or park outlines, served by these views to logged-in users only.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, evidence, geo, lights
from ..forms.base import add_service_errors
from ..forms.projects import ProjectLocationForm
from ..models import BaseLayer, Listing, MapSettings, ProjectAction, Rules, Visit
from ..rulebook import VISIT_EVIDENCE_ROLES, roles_granted
from ..services.projects import may_set_location, project_set_location
from .projects import filtered_projects, visible_projects

PAGE_SIZE = 50
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
TILE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"RIFF": "image/webp"}


def _figure(value):
    return None if value is None else float(value)


def map_features(request):
    """(filter, [GeoJSON features], rules): the user's visible projects that have a place, with the
    project list's filters applied."""
    projects = visible_projects(request).select_related("park")
    project_filter, year, month, rules = filtered_projects(request, projects)
    listing = Listing.objects.filter(project=OuterRef("pk"), year=year).order_by()
    rows = (
        project_filter.qs.filter(latitude__isnull=False, longitude__isnull=False)
        .with_light(year=year, month=month, rules=rules, calendar=project_filter.light_calendar)
        .annotate(listing_level=Subquery(listing.values("level")[:1]))
        .order_by("code")
    )
    features = []
    for project in rows:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(project.longitude), float(project.latitude)],
                },
                "properties": {
                    "id": project.pk,
                    "code": project.code,
                    "name": project.name,
                    "park": project.park.name,
                    "stage": project.get_stage_display(),
                    "light": project.light,
                    "light_label": str(lights.LABELS[project.light]),
                    "reasons": [{"light": r.light, "text": str(r.text)} for r in project.light_reasons],
                    "total_investment": _figure(project.total_investment),
                    "planned_investment": _figure(project.light_planned),
                    "completed_investment": _figure(project.light_done),
                    "year": year,
                    "url": project.get_absolute_url(),
                },
            }
        )
    return project_filter, features, rules


@require_GET
def map_geojson(request):
    """/map.geojson: a FeatureCollection of the projects the list would show that have a place."""
    _filter, features, _rules = map_features(request)
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, no-store"
    return response


def _base_layer(settings):
    """What map.js draws under the projects: the administrator's choice when its file is there."""
    if settings.base_layer == BaseLayer.PLAN_IMAGE and settings.plan_image and settings.plan_bounds:
        return {"kind": "plan_image", "url": reverse("map_plan_image"), "bounds": settings.plan_bounds}
    if settings.base_layer == BaseLayer.TILES and settings.tile_archive:
        if settings.tile_kind == geo.PMTILES:
            return {"kind": "pmtiles", "url": reverse("map_archive"), "max_zoom": settings.tile_max_zoom}
        url = reverse("map_tile", args=[0, 0, 0]).removesuffix("0/0/0") + "{z}/{x}/{y}"
        return {"kind": "tiles", "url": url, "max_zoom": settings.tile_max_zoom}
    return {"kind": "outlines"}


def map_config(settings=None):
    """What map.js reads (json_script): the data's URLs, the base layer and the popup's words.

    Without `settings` (the dashboard's small map, which must not cost a query) the parks' outlines."""
    return {
        "geojson": reverse("map_geojson"),
        "parks": reverse("map_parks"),
        "base": _base_layer(settings) if settings is not None else {"kind": "outlines"},
        "labels": {
            "total": _("Total investment (10k yuan)"),
            "planned": _("Planned this year (10k yuan)"),
            "completed": _("Completed this year (10k yuan)"),
            "open": _("Open the project"),
            "none": _("No project on the map matches."),
            "on_track": str(lights.NO_REASON),
            "failed": _("The map's data could not be loaded. Reload the page to try again."),
        },
    }


def map_page(request):
    """/map/: the projects as markers coloured by light, with the project list's filters."""
    project_filter, _year, _month, rules = filtered_projects(request, visible_projects(request))
    count = project_filter.qs.filter(latitude__isnull=False, longitude__isnull=False).count()
    query = request.GET.copy()
    config = map_config(MapSettings.current())
    config["geojson"] += "?" + query.urlencode() if query else ""
    return render(
        request,
        "projects/map.html",
        {
            "filter": project_filter,
            "query": query.urlencode(),
            "count": count,
            "map_config": config,
            "light_legend": lights.legend(rules),
        },
    )


@require_GET
def map_parks(request):
    """/map/parks.geojson: the parks' outlines the administrator uploaded (an empty collection without)."""
    # Checked when the administrator saved it (the model's validator), so served as stored.
    text = MapSettings.current().park_outlines.strip() or '{"type": "FeatureCollection", "features": []}'
    response = HttpResponse(text, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _stored(field):
    if not field:
        raise Http404
    try:
        return default_storage.open(field.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None


def _private(response, content_type):
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def map_plan_image(request):
    """The zone's plan image (规划图), for the map's image overlay."""
    settings = MapSettings.current()
    handle = _stored(settings.plan_image)
    head = handle.read(16)
    handle.seek(0)
    content_type = next((t for magic, t in TILE_TYPES.items() if head.startswith(magic)), "image/png")
    return _private(FileResponse(handle), content_type)


@require_GET
def map_archive(request):
    """The PMTiles archive, read by the browser in HTTP Range requests (206 Partial Content)."""
    settings = MapSettings.current()
    if settings.tile_kind != geo.PMTILES:
        raise Http404
    handle = _stored(settings.tile_archive)
    size = settings.tile_archive.size
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if not match or match.groups() == ("", ""):
        response = FileResponse(handle)
        response["Accept-Ranges"] = "bytes"
        return _private(response, "application/octet-stream")
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    with handle:
        handle.seek(start)
        data = handle.read(end - start + 1)
    response = HttpResponse(data, status=206)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return _private(response, "application/octet-stream")


def _local_path(field):
    """A local file path of a stored file (sqlite3 opens paths only); on object storage a cached copy."""
    try:
        return field.path
    except NotImplementedError:
        import hashlib
        import tempfile
        from pathlib import Path

        cached = (
            Path(tempfile.gettempdir()) / f"newzone-{hashlib.sha256(field.name.encode()).hexdigest()}.mbtiles"
        )
        if not cached.exists():
            with default_storage.open(field.name, "rb") as source, open(cached, "wb") as target:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    target.write(chunk)
        return str(cached)


@require_GET
def map_tile(request, z, x, y):
    """/map/tiles/{z}/{x}/{y}: one tile of the MBTiles archive; 404 where it has none."""
    settings = MapSettings.current()
    # Outside the tile grid of zoom z is no tile (and would overflow SQLite's integers).
    if settings.tile_kind != geo.MBTILES or not settings.tile_archive or z > 30 or max(x, y) >= 1 << z:
        raise Http404
    data = geo.mbtiles_tile(_local_path(settings.tile_archive), z, x, y)
    if data is None:
        raise Http404
    content_type = next((t for magic, t in TILE_TYPES.items() if data.startswith(magic)), "image/png")
    return _private(HttpResponse(data), content_type)


# --- A project's place ---------------------------------------------------------------------------


def project_location(request, pk):
    """Set a project's point (and outline): for who the rulebook grants SET_LOCATION; 404 outside sight."""
    project = get_object_or_404(visible_projects(request).select_related("park"), pk=pk)
    if not may_set_location(request.user, project):
        raise access.RoleRequired(*roles_granted(ProjectAction.SET_LOCATION))
    initial = {
        "version": project.version,
        "longitude": project.longitude,
        "latitude": project.latitude,
        "outline": project.outline,
    }
    form = ProjectLocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = project_set_location(
                project=project,
                by=request.user,
                longitude=form.cleaned_data["longitude"],
                latitude=form.cleaned_data["latitude"],
                outline=form.cleaned_data["outline"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The project's place was saved.") if changed else _("Nothing was changed.")
            )
            return redirect(project)
    settings = MapSettings.current()
    config = map_config(settings)
    config["picker"] = {"longitude": "id_longitude", "latitude": "id_latitude", "outline": "id_outline"}
    return render(
        request,
        "projects/project_location.html",
        {"project": project, "form": form, "map_config": config},
        status=400 if form.is_bound else 200,
    )


@require_POST
def visit_use_location(request, pk):
    """One tap: the visit's phone location becomes its project's place."""
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("project"), pk=pk)
    if not may_set_location(request.user, visit.project):
        raise PermissionDenied
    if visit.latitude is None or visit.longitude is None:
        messages.error(request, _("This visit has no phone location."))
        return redirect(visit)
    try:
        project_set_location(
            project=visit.project, by=request.user, longitude=visit.longitude, latitude=visit.latitude
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project's place is now where this visit was recorded."))
    return redirect(visit)


# --- Visit evidence ------------------------------------------------------------------------------


def visit_evidence(request):
    """/visits/evidence/: visits recorded far from their project or with a photo of another day."""
    access.require_role(request.user, *VISIT_EVIDENCE_ROLES)
    rules = Rules.current()
    visits = (
        Visit.objects.visible_to(request.user)
        .active()
        .with_evidence(rules)
        .filter(evidence_flagged=True)
        .select_related("project", "project__park", "recorded_by")
        .order_by("-date", "-created_at")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    for visit in page:
        visit.evidence_flags = evidence.reasons(visit)
    return render(request, "projects/visit_evidence.html", {"page": page, "query": "", "rules": rules})
