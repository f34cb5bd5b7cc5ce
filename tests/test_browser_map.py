"""The zone's map in a real browser: markers, popups, the offline base layer, print — and no request
ever leaves the app (every request is routed; one to another origin fails the test)."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from projects.models import BaseLayer, MapSettings, Project
from tests.test_map import pmtiles_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OUTLINES = (
    '{"type": "FeatureCollection", "features": [{"type": "Feature", '
    '"properties": {"name": "航空航天产业园"}, '
    '"geometry": {"type": "Polygon", "coordinates": [[[119.64, 32.195], [119.67, 32.195], [119.67, 32.215], '
    "[119.64, 32.215], [119.64, 32.195]]]}}]}"
)


@pytest.fixture
def placed(zone):
    Project.objects.filter(pk=zone.project_a.pk).update(
        longitude=Decimal("119.655"), latitude=Decimal("32.205")
    )
    Project.objects.filter(pk=zone.project_b.pk).update(
        longitude=Decimal("119.560"), latitude=Decimal("32.130")
    )
    settings = MapSettings.current()
    settings.park_outlines = OUTLINES
    settings.save()
    return zone


def open_popup(page, marker):
    """Click `marker` until its popup shows, and return the popup. On a loaded machine the marker
    clusters may still be redrawing the markers just after the map is ready, and a click on a marker
    being replaced opens nothing; a user taps again, and so does the test (at most three times)."""
    popup = page.locator(".map-popup")
    for _ in range(3):
        marker.click()
        try:
            popup.wait_for(timeout=5000)
            return popup
        except PlaywrightTimeoutError:
            continue
    popup.wait_for()
    return popup


def guarded(page, live_server):
    """Route every request of the page's context: the app's own origin passes, anything else is
    aborted and recorded (the test asserts the record is empty)."""
    outside, errors = [], []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return outside, errors


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_markers_are_drawn_and_a_popup_tells_the_reasons(placed, browser_login, live_server, viewport):
    page = browser_login("coordinator", viewport=viewport)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    assert page.locator("#zone-map").get_attribute("data-markers") == "2"
    markers = page.locator(".map-marker")
    assert markers.count() == 2
    assert page.locator(".map-park-name", has_text="航空航天产业园").count() == 1
    box = page.locator("#zone-map").bounding_box()
    assert box["width"] <= viewport["width"] and box["height"] > 300
    popup = open_popup(page, page.locator(".map-marker-yellow, .map-marker-red").first)
    assert popup.locator(".map-popup-reasons li").count() >= 1
    assert "走访" in popup.inner_text()  # never visited: the reason in words
    link = popup.locator("a.map-popup-title")
    assert link.get_attribute("href") in {
        f"/projects/{placed.project_a.pk}/",
        f"/projects/{placed.project_b.pk}/",
    }
    assert outside == [] and errors == []


def test_markers_cluster_when_zoomed_out(placed, browser_login, live_server):
    page = browser_login("coordinator", viewport=DESKTOP)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    assert page.locator(".map-marker").count() == 2
    # The two projects are some 12 km apart: a few steps out, they share one cluster in the worst light.
    for _ in range(6):
        if page.locator(".marker-cluster").count():
            break
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)
    cluster = page.locator(".marker-cluster")
    assert cluster.count() == 1
    assert cluster.inner_text().strip() == "2"
    assert "marker-cluster-green" not in cluster.get_attribute("class")
    assert outside == [] and errors == []


def test_a_grid_worker_sees_his_parks_projects_only(placed, browser_login, live_server):
    page = browser_login("grid", viewport=PHONE)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    assert page.locator(".map-marker").count() == 1
    assert placed.project_a.name in open_popup(page, page.locator(".map-marker")).inner_text()
    assert outside == [] and errors == []


def test_the_offline_pmtiles_layer_is_read_in_range_requests(placed, browser_login, live_server):
    settings = MapSettings.current()
    settings.base_layer = BaseLayer.TILES
    settings.tile_kind, settings.tile_max_zoom = "pmtiles", 1
    settings.tile_archive.save("zone.pmtiles", ContentFile(pmtiles_bytes()), save=True)
    page = browser_login("coordinator", viewport=DESKTOP)
    outside, errors = guarded(page, live_server)
    statuses = []
    page.on("response", lambda r: "/map/archive.pmtiles" in r.url and statuses.append(r.status))
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    page.wait_for_function("() => document.querySelectorAll('#zone-map .leaflet-tile-loaded').length > 0")
    assert statuses and set(statuses) == {206}
    assert page.locator(".map-marker").count() == 2
    assert outside == [] and errors == []


def test_the_map_prints_full_page_with_its_legend(placed, browser_login, live_server):
    page = browser_login("coordinator", viewport=DESKTOP)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    page.emulate_media(media="print")
    assert not page.locator(".map-filters").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator(".map-legend-rules").is_visible()
    box = page.locator("#zone-map").bounding_box()
    assert box["height"] > 0.8 * DESKTOP["height"]
    assert page.locator(".map-marker").count() == 2
    pdf = page.pdf(format="A3", landscape=True)
    assert pdf.startswith(b"%PDF")
    assert outside == [] and errors == []


def test_a_tap_on_the_map_places_the_project(placed, browser_login, live_server):
    Project.objects.filter(pk=placed.project_a.pk).update(longitude=None, latitude=None)
    page = browser_login("grid", viewport=PHONE)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/projects/{placed.project_a.pk}/location/")
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    page.locator("#zone-map").click(position={"x": 150, "y": 150})
    longitude = page.input_value("#id_longitude")
    latitude = page.input_value("#id_latitude")
    assert longitude and latitude
    page.click("#location-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/projects/{placed.project_a.pk}/")
    project = Project.objects.get(pk=placed.project_a.pk)
    assert (str(project.longitude), str(project.latitude)) == (longitude, latitude)
    assert outside == [] and errors == []


def test_the_dashboards_small_map_loads_its_points_when_it_comes_near(placed, browser_login, live_server):
    page = browser_login("coordinator", viewport=PHONE)
    outside, errors = guarded(page, live_server)
    loaded = []
    page.on("request", lambda request: "/static/bundles/map." in request.url and loaded.append(request.url))
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("load")
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    # Below the fold: neither Leaflet nor its stylesheet is fetched for the first screen.
    top = page.locator("#zone-map").evaluate("(element) => element.getBoundingClientRect().top")
    assert top > PHONE["height"] + 300
    assert loaded == []
    assert page.locator("#zone-map").get_attribute("data-ready") is None
    page.locator("#zone-map").scroll_into_view_if_needed()
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    assert page.locator("#zone-map .map-marker").count() == 2
    assert sorted(url.rsplit("/", 1)[1] for url in loaded) == ["map.css", "map.js"]
    # Leaflet's stylesheet is in force: its panes are laid over each other.
    pane = page.locator("#zone-map .leaflet-map-pane")
    assert pane.evaluate("(element) => getComputedStyle(element).position") == "absolute"
    assert outside == [] and errors == []


def test_the_dashboard_printed_before_its_map_was_drawn(placed, browser_login, live_server):
    page = browser_login("coordinator", viewport=PHONE)
    outside, errors = guarded(page, live_server)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("load")
    assert page.locator("#zone-map").get_attribute("data-ready") is None
    # Printed at once (Ctrl+P at the top of the page): no empty frame where the map would be …
    page.emulate_media(media="print")
    assert not page.locator("#dashboard-map-section").is_visible()
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    # … and the print starts drawing it, so the next print has the map with its points.
    page.wait_for_selector("#zone-map[data-ready]", state="attached")
    assert page.locator("#dashboard-map-section").is_visible()
    assert page.locator("#zone-map .map-marker").count() == 2
    assert outside == [] and errors == []
