"""The zone on one map (issue 17): places, /map.geojson, the offline base layers, visit evidence."""

import datetime
import io
import json
import sqlite3
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from projects import geo
from projects.admin import MapSettingsForm
from projects.ledger import LATITUDE, LONGITUDE, ledger_read
from projects.models import BaseLayer, MapSettings, Photo, Project, Rules, Visit
from projects.services.projects import project_set_location
from tests.ledger_book import build, listing

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def place(project, longitude, latitude):
    Project.objects.filter(pk=project.pk).update(longitude=Decimal(longitude), latitude=Decimal(latitude))


@pytest.fixture
def placed(zone):
    """project_a and project_b placed in their parks; a third project of park A without a place."""
    place(zone.project_a, "119.655000", "32.205000")
    place(zone.project_b, "119.560000", "32.130000")
    zone.unplaced = Project.objects.create(
        code="P-A2",
        name="未定位项目",
        enterprise=zone.enterprise,
        park=zone.park_a,
        total_investment=Decimal("1000"),
    )
    return zone


def features(client, **params):
    response = client.get(reverse("map_geojson"), params)
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    return {feature["properties"]["code"]: feature for feature in data["features"]}


# --- /map.geojson ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("grid", {"P-A1"}),  # his park only
        ("grid_b", {"P-B1"}),
        ("dept", {"P-B1"}),  # the lead department's project
        ("coordinator", {"P-A1", "P-B1"}),
        ("leader", {"P-A1", "P-B1"}),
        ("supervisor", {"P-A1", "P-B1"}),
        ("admin", {"P-A1", "P-B1"}),
        ("nobody", set()),
    ],
)
def test_geojson_holds_the_visible_projects_with_a_place(placed, login, persona, codes):
    found = features(login(getattr(placed, persona)))
    assert set(found) == codes  # never P-A2, which has no place


def test_geojson_feature_carries_what_the_popup_shows(placed, login):
    feature = features(login(placed.coordinator))["P-A1"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [119.655, 32.205]}
    properties = feature["properties"]
    assert properties["id"] == placed.project_a.pk
    assert properties["name"] == placed.project_a.name
    assert properties["park"] == "航空航天产业园"
    assert properties["url"] == placed.project_a.get_absolute_url()
    assert properties["stage"] == "在建"
    assert properties["light"] in {"red", "yellow", "green"}
    # Never visited: at least yellow, with the reason in words.
    assert properties["light"] != "green"
    assert any("走访" in reason["text"] for reason in properties["reasons"])
    assert properties["total_investment"] == 50000.0
    assert properties["planned_investment"] == 20000.0


def test_geojson_applies_the_project_lists_filters(placed, login):
    client = login(placed.coordinator)
    assert set(features(client, park=placed.park_b.pk)) == {"P-B1"}
    assert set(features(client, level="province", year=placed.year)) == {"P-A1"}
    assert set(features(client, q="实验楼")) == {"P-B1"}
    assert set(features(client, light="green")) == set()
    # An invalid filter lists nothing (as the list does), never everything.
    assert set(features(client, park="999999")) == set()


def test_geojson_query_count_does_not_grow_with_the_projects(placed, login, django_assert_num_queries):
    client = login(placed.coordinator)
    client.get(reverse("map_geojson"))  # session and profile warm-up
    # session, user, staff with its roles, rules, the working calendar (late nodes), the projects
    # with their lights (one query, however many).
    with django_assert_num_queries(6):
        assert len(features(client)) == 2
    for number in range(10):
        project = Project.objects.create(
            code=f"P-X{number}",
            name=f"项目{number}",
            enterprise=placed.enterprise,
            park=placed.park_a,
            total_investment=Decimal("100"),
        )
        place(project, "119.650000", "32.200000")
    with django_assert_num_queries(6):
        assert len(features(client)) == 12


def test_map_pages_need_login(client, placed):
    for name in ("map", "map_geojson", "map_parks", "map_archive", "map_plan_image"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/"), name


def test_map_page_renders_filters_legend_and_config(placed, login):
    response = login(placed.grid).get(reverse("map"), {"park": placed.park_a.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-config"' in html and 'id="zone-map"' in html
    assert 'name="light"' in html and 'name="stage"' in html  # the list's filter panel
    config = response.context["map_config"]
    assert config["geojson"] == f"{reverse('map_geojson')}?park={placed.park_a.pk}"
    assert config["base"] == {"kind": "outlines"}
    assert "<script>" not in html.replace("<script src=", "")  # no inline script under the CSP


# --- Setting a project's place -----------------------------------------------------------------


def location_url(project):
    return reverse("project_location", args=[project.pk])


def test_grid_worker_sets_his_projects_place_and_history_names_him(zone, login):
    client = login(zone.grid)
    response = client.post(
        location_url(zone.project_a),
        {"version": zone.project_a.version, "longitude": "119.6601", "latitude": "32.2012", "outline": ""},
    )
    assert response.status_code == 302
    zone.project_a.refresh_from_db()
    assert (zone.project_a.longitude, zone.project_a.latitude) == (
        Decimal("119.660100"),
        Decimal("32.201200"),
    )
    assert zone.project_a.history.first().history_user == zone.grid


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"longitude": "219.6", "latitude": "32.2"}, "longitude", "经度 219.6 超出范围"),
        ({"longitude": "119.6", "latitude": "-95"}, "latitude", "纬度 -95 超出范围"),
        ({"longitude": "119.6", "latitude": ""}, "latitude", "位置需要同时填写经度和纬度"),
        ({"longitude": "abc", "latitude": "32.2"}, "longitude", "输入一个数字"),
    ],
)
def test_bad_coordinates_are_refused_with_a_message_and_kept_in_the_form(zone, login, fields, field, message):
    response = login(zone.coordinator).post(
        location_url(zone.project_a), {"version": zone.project_a.version, "outline": "", **fields}
    )
    assert response.status_code == 400
    assert any(message in str(error) for error in response.context["form"].errors[field])
    assert fields["longitude"] in response.content.decode()  # what was typed stays
    zone.project_a.refresh_from_db()
    assert zone.project_a.longitude is None


def test_an_invalid_outline_is_refused(zone, login):
    not_closed = {
        "type": "Polygon",
        "coordinates": [[[119.6, 32.1], [119.7, 32.1], [119.7, 32.2], [119.6, 32.3]]],
    }
    response = login(zone.coordinator).post(
        location_url(zone.project_a),
        {
            "version": zone.project_a.version,
            "longitude": "119.65",
            "latitude": "32.2",
            "outline": json.dumps(not_closed),
        },
    )
    assert response.status_code == 400
    assert "首尾相接" in str(response.context["form"].errors["outline"])


def test_a_valid_outline_is_saved(zone):
    ring = [[119.6, 32.1], [119.7, 32.1], [119.7, 32.2], [119.6, 32.1]]
    outline = json.dumps({"type": "Polygon", "coordinates": [ring]})
    project_set_location(
        project=zone.project_a,
        by=zone.coordinator,
        longitude=Decimal("119.65"),
        latitude=Decimal("32.15"),
        outline=outline,
    )
    zone.project_a.refresh_from_db()
    assert json.loads(zone.project_a.outline)["type"] == "Polygon"


def test_a_grid_worker_cannot_set_another_parks_project(zone, login):
    client = login(zone.grid)
    assert client.get(location_url(zone.project_b)).status_code == 404
    post = {"version": 1, "longitude": "119.6", "latitude": "32.1", "outline": ""}
    assert client.post(location_url(zone.project_b), post).status_code == 404
    with pytest.raises(PermissionDenied):
        project_set_location(
            project=zone.project_b, by=zone.grid, longitude=Decimal("119.6"), latitude=Decimal("32.1")
        )
    zone.project_b.refresh_from_db()
    assert zone.project_b.longitude is None


def test_department_staff_and_leaders_cannot_set_a_place(zone, login):
    # dept sees project_b (its lead department) but may not place it.
    post = {"version": 1, "longitude": "119.6", "latitude": "32.1", "outline": ""}
    assert login(zone.dept).get(location_url(zone.project_b)).status_code == 403
    assert login(zone.dept).post(location_url(zone.project_b), post).status_code == 403
    assert login(zone.leader).post(location_url(zone.project_b), post).status_code == 403
    zone.project_b.refresh_from_db()
    assert zone.project_b.longitude is None


def test_a_stale_form_is_refused(zone, login):
    post = {"version": zone.project_a.version, "longitude": "119.6", "latitude": "32.1", "outline": ""}
    Project.objects.filter(pk=zone.project_a.pk).update(version=zone.project_a.version + 1)
    response = login(zone.coordinator).post(location_url(zone.project_a), post)
    assert response.status_code == 400
    assert "刷新" in str(response.context["form"].non_field_errors())
    zone.project_a.refresh_from_db()
    assert zone.project_a.longitude is None


def visit(zone, project=None, latitude=None, longitude=None, date=None, by=None):
    return Visit.objects.create(
        project=project or zone.project_a,
        date=date or datetime.date(zone.year, 1, 15),
        summary="例行走访",
        recorded_by=(by or zone.grid).staff,
        latitude=latitude,
        longitude=longitude,
    )


def test_one_tap_takes_a_visits_phone_location_for_the_project(zone, login):
    recorded = visit(zone, latitude=Decimal("32.201000"), longitude=Decimal("119.651000"))
    client = login(zone.grid)
    page = client.get(recorded.get_absolute_url()).content.decode()
    assert reverse("visit_use_location", args=[recorded.pk]) in page
    response = client.post(reverse("visit_use_location", args=[recorded.pk]))
    assert response.status_code == 302
    zone.project_a.refresh_from_db()
    assert (zone.project_a.longitude, zone.project_a.latitude) == (
        Decimal("119.651000"),
        Decimal("32.201000"),
    )


def test_one_tap_is_refused_to_who_may_not_set_the_place(zone, login):
    recorded = visit(zone, latitude=Decimal("32.2"), longitude=Decimal("119.65"))
    assert (
        reverse("visit_use_location", args=[recorded.pk])
        not in login(zone.leader).get(recorded.get_absolute_url()).content.decode()
    )
    assert login(zone.leader).post(reverse("visit_use_location", args=[recorded.pk])).status_code == 403
    assert login(zone.grid_b).post(reverse("visit_use_location", args=[recorded.pk])).status_code == 404
    zone.project_a.refresh_from_db()
    assert zone.project_a.longitude is None


# --- The ledger's 经度/纬度 ----------------------------------------------------------------------


def test_ledger_reads_a_place_and_refuses_bad_ones():
    file = build(
        [
            listing("G-1", 2025, cells={LONGITUDE: 119.62, LATITUDE: "32.19"}),
            listing("G-2", 2025, cells={LONGITUDE: 219.62, LATITUDE: 32.19}),  # row 3
            listing("G-3", 2025, cells={LONGITUDE: 119.62}),  # row 4: no latitude
            listing("G-4", 2025, cells={LONGITUDE: "东经119", LATITUDE: 32.19}),  # row 5
        ]
    )
    plan = ledger_read(file, create_unknown=True)
    bad = {(problem.row, problem.header): problem.message for problem in plan.errors}
    assert set(bad) == {(3, LONGITUDE), (4, LATITUDE), (5, LONGITUDE)}
    assert "out of range" in bad[(3, LONGITUDE)] or "超出范围" in bad[(3, LONGITUDE)]


def test_ledger_import_writes_the_place_and_an_empty_cell_keeps_it(zone):
    from projects.ledger import ledger_apply

    plan = ledger_read(
        build([listing("G-1", 2025, cells={LONGITUDE: 119.62, LATITUDE: 32.19})]), create_unknown=True
    )
    assert plan.errors == []
    ledger_apply(plan, by=zone.admin)
    project = Project.objects.get(code="G-1")
    assert (project.longitude, project.latitude) == (Decimal("119.620000"), Decimal("32.190000"))
    plan = ledger_read(build([listing("G-1", 2025)]))
    assert plan.errors == [] and plan.counts["project:unchanged"] == 1
    ledger_apply(plan, by=zone.admin)
    project.refresh_from_db()
    assert project.longitude == Decimal("119.620000")


def test_ledger_export_and_template_carry_the_place(zone, login):
    from tests.ledger_book import read_back

    place(zone.project_a, "119.655000", "32.205000")
    client = login(zone.coordinator)
    sheets = read_back(b"".join(client.get(reverse("project_export")).streaming_content))
    header, *rows = sheets["项目清单"]
    row = next(r for r in rows if r[0] == "P-A1")
    assert row[header.index(LONGITUDE)] == pytest.approx(119.655)
    assert row[header.index(LATITUDE)] == pytest.approx(32.205)
    response = client.get(reverse("ledger_template"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    template = read_back(content)["项目清单"]
    assert LONGITUDE in template[0] and LATITUDE in template[0]


# --- Visit evidence: distance and photo day ------------------------------------------------------


def annotated(recorded, limit=1000):
    rules = Rules.current()
    rules.visit_distance_m = limit
    return Visit.objects.with_evidence(rules).get(pk=recorded.pk)


def test_haversine_gives_the_known_distances(zone):
    place(zone.project_a, "119.000000", "32.000000")
    one_degree_north = annotated(visit(zone, latitude=Decimal("33"), longitude=Decimal("119")))
    # π/180 × 6,371,000 m
    assert one_degree_north.evidence_distance_m == pytest.approx(111_194.93, abs=0.01)
    # One degree east at 32°N: 2R·asin(cos 32° · sin 0.5°) = 94,298.31 m
    one_degree_east = annotated(visit(zone, latitude=Decimal("32"), longitude=Decimal("120")))
    assert one_degree_east.evidence_distance_m == pytest.approx(94_298.31, abs=0.01)
    same_place = annotated(visit(zone, latitude=Decimal("32"), longitude=Decimal("119")))
    assert same_place.evidence_distance_m == pytest.approx(0, abs=1e-6)
    assert annotated(visit(zone)).evidence_distance_m is None  # no phone location: no check


def test_distance_flag_holds_at_the_limit_and_trips_just_past_it(zone):
    place(zone.project_a, "119.600000", "32.100000")
    # 0.01° north: 1,111.95 m.
    recorded = visit(zone, latitude=Decimal("32.110000"), longitude=Decimal("119.600000"))
    assert annotated(recorded, limit=1112).evidence_flagged is False
    far = annotated(recorded, limit=1111)
    assert far.evidence_flagged is True
    from projects import evidence

    (flag,) = evidence.reasons(far)
    assert flag.code == "far" and "1,112" in flag.text and "1,111" in flag.text


def photo(recorded, taken_at):
    item = Photo(visit=recorded, taken_at=taken_at)
    item.image.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    return item


def test_a_photo_taken_on_another_day_is_flagged_in_the_zones_time(zone):
    recorded = visit(zone, date=datetime.date(zone.year, 3, 10))
    photo(recorded, datetime.datetime(zone.year, 3, 10, 23, 30, tzinfo=SHANGHAI))  # 15:30 UTC, same day
    assert annotated(recorded).evidence_flagged is False
    photo(recorded, datetime.datetime(zone.year, 3, 11, 0, 10, tzinfo=SHANGHAI))  # 16:10 UTC on the 10th
    flagged = annotated(recorded)
    assert flagged.evidence_flagged is True
    from projects import evidence

    (flag,) = evidence.reasons(flagged)
    assert flag.code == "photo_day" and f"{zone.year}-03-11 00:10" in flag.text


def test_flagged_visit_shows_its_reason_and_is_listed_for_supervisors(zone, login):
    place(zone.project_a, "119.600000", "32.100000")
    far = visit(zone, latitude=Decimal("32.150000"), longitude=Decimal("119.600000"))  # 5.6 km
    near = visit(zone, latitude=Decimal("32.100500"), longitude=Decimal("119.600000"))
    page = login(zone.grid).get(far.get_absolute_url()).content.decode()
    assert "记录位置距项目位置 5,560 米" in page
    assert "记录位置距项目位置" not in login(zone.grid).get(near.get_absolute_url()).content.decode()
    for persona in ("supervisor", "coordinator", "admin"):
        response = login(getattr(zone, persona)).get(reverse("visit_evidence"))
        assert response.status_code == 200
        assert [v.pk for v in response.context["page"]] == [far.pk], persona
    for persona in ("grid", "dept", "leader", "nobody"):
        assert login(getattr(zone, persona)).get(reverse("visit_evidence")).status_code == 403, persona


def test_evidence_list_query_count_is_bounded(zone, login, django_assert_num_queries):
    place(zone.project_a, "119.600000", "32.100000")
    for day in range(1, 6):
        visit(
            zone, latitude=Decimal("32.2"), longitude=Decimal("119.6"), date=datetime.date(zone.year, 1, day)
        )
    client = login(zone.supervisor)
    client.get(reverse("visit_evidence"))
    with django_assert_num_queries(7):
        # session, user, staff with its roles, rules, the count, the page's visits, the unread badge.
        response = client.get(reverse("visit_evidence"))
    assert len(response.context["page"]) == 5


# --- Base layers -------------------------------------------------------------------------------


def png(color=(200, 30, 30), size=(4, 4)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def pmtiles_bytes(tile_type=None):
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    out = io.BytesIO()
    writer = Writer(out)
    writer.write_tile(zxy_to_tileid(0, 0, 0), png())
    writer.write_tile(zxy_to_tileid(1, 1, 0), png((0, 0, 200)))
    writer.finalize(
        {
            "tile_type": tile_type or TileType.PNG,
            "tile_compression": Compression.NONE,
            "min_lon_e7": 1195000000,
            "min_lat_e7": 321000000,
            "max_lon_e7": 1197500000,
            "max_lat_e7": 322500000,
            "center_zoom": 1,
            "center_lon_e7": 1196000000,
            "center_lat_e7": 322000000,
        },
        {"name": "newzone-test"},
    )
    return out.getvalue()


def mbtiles_bytes(tmp_path, fmt="png"):
    path = tmp_path / "zone.mbtiles"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name text, value text)")
    connection.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
    )
    connection.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
    # z=1, x=1, XYZ row y=0 is TMS row 1.
    connection.execute("INSERT INTO tiles VALUES (1, 1, 1, ?)", (png((0, 200, 0)),))
    connection.commit()
    connection.close()
    return path.read_bytes()


def settings_form(**data_and_files):
    files = {k: v for k, v in data_and_files.items() if isinstance(v, SimpleUploadedFile)}
    data = {"base_layer": BaseLayer.OUTLINES, "tile_max_zoom": 18, "park_outlines": ""}
    data.update({k: v for k, v in data_and_files.items() if k not in files})
    return MapSettingsForm(data, files, instance=MapSettings.current())


def test_pmtiles_archive_is_accepted_and_served_with_range_requests(zone, login):
    archive = pmtiles_bytes()
    form = settings_form(base_layer=BaseLayer.TILES, tile_archive=SimpleUploadedFile("zone.pmtiles", archive))
    assert form.is_valid(), form.errors
    form.save()
    settings = MapSettings.current()
    assert (settings.tile_kind, settings.tile_max_zoom) == (geo.PMTILES, 1)
    client = login(zone.grid)
    response = client.get(reverse("map_archive"), HTTP_RANGE="bytes=0-126")
    assert response.status_code == 206
    assert response.content == archive[:127]
    assert response["Content-Range"] == f"bytes 0-126/{len(archive)}"
    assert response["Accept-Ranges"] == "bytes"
    tail = client.get(reverse("map_archive"), HTTP_RANGE="bytes=-10")
    assert tail.status_code == 206 and tail.content == archive[-10:]
    middle = client.get(reverse("map_archive"), HTTP_RANGE=f"bytes=127-{len(archive) + 50}")
    assert middle.content == archive[127:]
    assert client.get(reverse("map_archive"), HTTP_RANGE=f"bytes={len(archive)}-").status_code == 416
    whole = client.get(reverse("map_archive"))
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == archive
    config = client.get(reverse("map")).context["map_config"]
    assert config["base"] == {"kind": "pmtiles", "url": reverse("map_archive"), "max_zoom": 1}


def test_a_vector_pmtiles_archive_is_refused(zone):
    from pmtiles.tile import TileType

    form = settings_form(
        base_layer=BaseLayer.TILES,
        tile_archive=SimpleUploadedFile("zone.pmtiles", pmtiles_bytes(TileType.MVT)),
    )
    assert not form.is_valid()
    assert "矢量" in str(form.errors["tile_archive"]) or "vector" in str(form.errors["tile_archive"])


def test_mbtiles_archive_serves_its_tiles_with_the_tms_row_flipped(zone, login, tmp_path):
    form = settings_form(
        base_layer=BaseLayer.TILES, tile_archive=SimpleUploadedFile("zone.mbtiles", mbtiles_bytes(tmp_path))
    )
    assert form.is_valid(), form.errors
    form.save()
    assert MapSettings.current().tile_kind == geo.MBTILES
    client = login(zone.dept)
    tile = client.get(reverse("map_tile", args=[1, 1, 0]))
    assert tile.status_code == 200 and tile["Content-Type"] == "image/png"
    assert tile.content == png((0, 200, 0))
    assert client.get(reverse("map_tile", args=[1, 1, 1])).status_code == 404
    assert client.get(reverse("map_tile", args=[1, 0, 0])).status_code == 404
    assert client.get(reverse("map_tile", args=[99, 0, 0])).status_code == 404
    assert client.get(reverse("map_tile", args=[1, 2, 0])).status_code == 404  # outside zoom 1's grid
    assert client.get(f"/map/tiles/1/{10**30}/0").status_code == 404
    base = client.get(reverse("map")).context["map_config"]["base"]
    assert base == {"kind": "tiles", "url": "/map/tiles/{z}/{x}/{y}", "max_zoom": 1}


def test_a_file_that_is_no_tile_archive_is_refused(zone, tmp_path):
    for name, content in [
        ("zone.pmtiles", b"<html>not tiles</html>"),
        ("zone.mbtiles", b"SQLite format 3\x00" + b"\x00" * 200),
    ]:
        form = settings_form(base_layer=BaseLayer.TILES, tile_archive=SimpleUploadedFile(name, content))
        assert not form.is_valid(), name
        assert "tile_archive" in form.errors


def test_plan_image_overlay_is_placed_by_its_edges_and_served(zone, login):
    image = SimpleUploadedFile("plan.png", png(size=(40, 30)), content_type="image/png")
    form = settings_form(
        base_layer=BaseLayer.PLAN_IMAGE,
        plan_image=image,
        plan_south="32.10",
        plan_west="119.50",
        plan_north="32.25",
        plan_east="119.75",
    )
    assert form.is_valid(), form.errors
    form.save()
    client = login(zone.grid)
    response = client.get(reverse("map_plan_image"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png(size=(40, 30))
    base = client.get(reverse("map")).context["map_config"]["base"]
    assert base == {
        "kind": "plan_image",
        "url": reverse("map_plan_image"),
        "bounds": [[32.1, 119.5], [32.25, 119.75]],
    }


def test_plan_image_needs_a_real_image_and_sane_edges(zone):
    fake = SimpleUploadedFile("plan.png", b"<svg onload=alert(1)>", content_type="image/png")
    form = settings_form(
        base_layer=BaseLayer.PLAN_IMAGE,
        plan_image=fake,
        plan_south="32.1",
        plan_west="119.5",
        plan_north="32.25",
        plan_east="119.75",
    )
    assert not form.is_valid() and "plan_image" in form.errors
    upside_down = settings_form(
        base_layer=BaseLayer.PLAN_IMAGE,
        plan_image=SimpleUploadedFile("plan.png", png(), content_type="image/png"),
        plan_south="32.25",
        plan_west="119.5",
        plan_north="32.1",
        plan_east="119.75",
    )
    assert not upside_down.is_valid()


def test_park_outlines_are_validated_and_served(zone, login):
    outlines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "航空航天产业园"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[119.6, 32.1], [119.7, 32.1], [119.7, 32.2], [119.6, 32.1]]],
                },
            }
        ],
    }
    upload = SimpleUploadedFile("parks.geojson", json.dumps(outlines).encode())
    form = settings_form(park_outlines_file=upload)
    assert form.is_valid(), form.errors
    form.save()
    served = login(zone.grid).get(reverse("map_parks")).json()
    assert served["features"][0]["properties"]["name"] == "航空航天产业园"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "不是有效的 JSON"),
        (json.dumps({"type": "Point", "coordinates": [119, 32]}), "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "没有任何要素"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [{"type": "Feature", "properties": {}, "geometry": None}],
                }
            ),
            "name",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "properties": {"name": "x"},
                            "geometry": {
                                "type": "Polygon",
                                "coordinates": [[[500, 32], [119, 32], [119, 33], [500, 32]]],
                            },
                        }
                    ],
                }
            ),
            "超出范围",
        ),
    ],
)
def test_invalid_park_outlines_are_refused_with_a_message(zone, text, words):
    form = settings_form(park_outlines=text)
    assert not form.is_valid()
    assert words in str(form.errors["park_outlines"])
    with pytest.raises(ValidationError):
        geo.park_outlines_check(text)


def test_the_base_layer_choice_needs_its_file(zone):
    assert not settings_form(base_layer=BaseLayer.TILES).is_valid()
    assert not settings_form(base_layer=BaseLayer.PLAN_IMAGE).is_valid()


# --- Demo and dashboard --------------------------------------------------------------------------


def inside(point, ring):
    x, y = point
    crossings = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            crossings = not crossings
    return crossings


def test_demo_places_every_project_inside_its_park():
    from projects import demo

    demo.load_demo(today=datetime.date(2026, 6, 15))
    outlines = geo.park_outlines_check(MapSettings.current().park_outlines)
    rings = {f["properties"]["name"]: f["geometry"]["coordinates"][0] for f in outlines["features"]}
    projects = list(Project.objects.select_related("park"))
    assert projects and all(p.has_location for p in projects)
    outside = [
        p.code for p in projects if not inside((float(p.longitude), float(p.latitude)), rings[p.park.name])
    ]
    assert outside == []
    flagged = Visit.objects.with_evidence().filter(evidence_flagged=True)
    assert flagged.exists()  # the evidence list has something to show


def test_dashboard_has_a_small_map_loading_the_geojson_later(zone, login):
    response = login(zone.coordinator).get(reverse("dashboard"), {"year": zone.year, "month": 3})
    html = response.content.decode()
    assert 'id="zone-map"' in html and reverse("map") in html
    assert response.context["map_config"]["geojson"] == f"{reverse('map_geojson')}?year={zone.year}&month=3"
