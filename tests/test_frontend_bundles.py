"""The pages' JavaScript: esbuild's bundles of frontend/ (`make install`), each page loading only its own.

A page without a chart loads no ECharts; the dashboard and the plan load their bundle, which holds only
the parts of ECharts they import (far smaller than the whole build), and every page loads site.js. The
pages with a map load map.js: Leaflet, its marker clusters and the PMTiles reader bundled with the
map's script, and their stylesheets as map.css.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from projects.services.plans import plan_create
from tests.zone import build_dashboard_zone

ROOT = Path(settings.BASE_DIR)
BUNDLES = ROOT / "frontend-build"
ENTRIES = sorted(path.stem for path in (ROOT / "frontend").glob("*.js"))
SCRIPT = re.compile(r'<script src="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def scripts(response):
    assert response.status_code == 200
    return SCRIPT.findall(response.content.decode())


def stylesheets(response):
    return STYLESHEET.findall(response.content.decode())


def test_every_frontend_entry_has_its_bundle():
    assert {"site", "dashboard", "plan", "map"} <= set(ENTRIES)
    for name in ENTRIES:
        bundle = BUNDLES / f"{name}.js"
        assert bundle.exists(), f"{bundle} missing: run `make install`"
        assert bundle.stat().st_mtime >= (ROOT / "frontend" / f"{name}.js").stat().st_mtime, (
            f"{bundle} is older than its source: run `make install`"
        )


def test_the_chart_bundles_hold_only_part_of_echarts():
    whole = (ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js").stat().st_size
    for name in ("dashboard", "plan"):
        assert (BUNDLES / f"{name}.js").stat().st_size < 0.6 * whole, name
    # site.js: the navbar's collapse and dropdowns, not the whole of Bootstrap (nor ECharts).
    site = (BUNDLES / "site.js").read_text()
    assert "echarts" not in site.lower()
    assert "bs.collapse" in site and "bs.dropdown" in site
    assert "bs.modal" not in site and "bs.carousel" not in site


def test_the_map_bundle_holds_leaflet_its_clusters_and_the_pmtiles_reader():
    bundle = (BUNDLES / "map.js").read_text()
    assert "zone-map" in bundle and "map-config" in bundle  # the map's own script
    assert "leaflet-pane" in bundle  # Leaflet
    assert "markerClusterGroup" in bundle and "marker-cluster-" in bundle  # leaflet.markercluster
    assert "Wrong magic number for PMTiles archive" in bundle  # pmtiles
    assert "echarts" not in bundle.lower()
    # Leaflet's and the clusters' stylesheets, with the images Leaflet's names beside them.
    css = (BUNDLES / "map.css").read_text()
    assert ".leaflet-pane" in css and ".marker-cluster-small" in css
    for image in re.findall(r'url\("\./([^"]+)"\)', css):
        assert (BUNDLES / image).exists(), image


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_builds_the_bundles_from_the_sources(tmp_path):
    out = tmp_path / "bundles"
    subprocess.run(
        ["make", "--no-print-directory", f"BUNDLE_DIR={out}", f"{out}/.built"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert sorted(path.stem for path in out.glob("*.js")) == ENTRIES
    assert "chart-investment" in (out / "dashboard.js").read_text()
    assert "IntersectionObserver" in (out / "dashboard.js").read_text()
    assert ".leaflet-pane" in (out / "map.css").read_text()


@pytest.mark.django_db
def test_pages_without_charts_load_no_echarts(zone, login):
    assert scripts(Client().get(reverse("login"))) == ["/static/bundles/site.js"]
    client = login(zone.coordinator)
    pages = [
        reverse("home"),
        reverse("project_list"),
        reverse("issue_list"),
        zone.project_a.get_absolute_url(),
    ]
    for url in pages:
        assert scripts(client.get(url)) == ["/static/bundles/site.js"], url


@pytest.mark.django_db
def test_a_chart_page_loads_only_its_own_bundle(zone, login):
    build_dashboard_zone(zone, year=2024)
    client = login(zone.coordinator)
    dashboard = client.get(reverse("dashboard"), {"year": 2024, "month": 5})
    # The dashboard's small map is below the fold: dashboard.js loads the map's bundle and stylesheet
    # (Leaflet within them) when it comes near, from the URLs the map's element carries.
    assert scripts(dashboard) == ["/static/bundles/site.js", "/static/bundles/dashboard.js"]
    assert "/static/bundles/map.css" not in stylesheets(dashboard)
    html = dashboard.content.decode()
    assert 'data-script="/static/bundles/map.js"' in html
    assert 'data-stylesheet="/static/bundles/map.css"' in html
    project = zone.project_a
    plan_create(project=project, by=zone.grid)
    plan = client.get(reverse("project_plan", args=[project.pk]))
    assert scripts(plan) == ["/static/bundles/site.js", "/static/bundles/plan.js"]


@pytest.mark.django_db
def test_the_map_pages_load_the_map_bundle_and_no_vendor_file(zone, login):
    client = login(zone.coordinator)
    for url in (reverse("map"), reverse("project_location", args=[zone.project_a.pk])):
        response = client.get(url)
        assert scripts(response) == ["/static/bundles/site.js", "/static/bundles/map.js"], url
        assert '<script src="/static/bundles/map.js" defer>' in response.content.decode(), url
        sheets = stylesheets(response)
        assert "/static/bundles/map.css" in sheets, url
        assert [sheet for sheet in sheets if "leaflet" in sheet] == [], url
