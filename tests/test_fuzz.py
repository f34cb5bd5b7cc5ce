"""Property-based fuzzing (hypothesis): every form and the Excel import, with random and hostile values.

The forms are found, not listed: every page of the permission table is opened as a role that may
open it, and every form on it (fields, options, hidden values and file inputs as the HTML has them)
is posted back with values drawn from valid options, the page's own values and hostile ones (huge and
negative numbers, NaN, unicode, NUL, SQL and HTML snippets, impossible dates). Properties: never a
server error, and when the form is answered with anything but a redirect (i.e. it was refused),
not one row anywhere changed. Each example runs in a transaction that is rolled back, so examples
do not see each other's writes.

`HYPOTHESIS_PROFILE=long make test PYTEST_ARGS=tests/test_fuzz.py` runs 500 examples per form.
"""

import datetime
import io
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from tests import permissions as p
from tests.zone import PASSWORD

HOSTILE_TEXT = [
    "",
    " ",
    "-1",
    "-0.01",
    "-99999999999",
    "0",
    "1e309",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "99999999999999999999999999999999",
    "1" * 400,
    "0x1F",
    "１２３",
    "'; DROP TABLE projects_project; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ settings.SECRET_KEY }}",
    "%(name)s %s %n",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "💥🏗️",
    "../../etc/passwd",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "2026年13月45日",
    "true",
    "on",
    "null",
    "[]",
]
hostile = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
)
upload = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["photo.jpg", "page.html", "ledger.xlsx", "x.svg", "noext", "../../evil.php"]),
    st.binary(max_size=2048),
)
# Forms that end the session or only switch the language: no data behind them to protect.
SKIP_ACTIONS = ("/logout/", "/i18n/setlang/")


class Forms(HTMLParser):
    """The forms of a page: method, action and fields (name → kind, page value, options)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None or not attrs.get("name") or attrs["name"] == "csrfmiddlewaretoken":
            return
        fields = self._form["fields"]
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            field = fields.setdefault(name, {"kind": kind, "value": attrs.get("value", ""), "options": []})
            if kind in {"checkbox", "radio"}:
                field["options"].append(attrs.get("value", "on"))
        elif tag == "textarea":
            fields.setdefault(name, {"kind": "text", "value": "", "options": []})
        elif tag == "select":
            self._select = fields.setdefault(name, {"kind": "select", "value": "", "options": []})
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_forms(html):
    parser = Forms()
    parser.feed(html)
    return parser.forms


def row_counts():
    """Rows of every table of the app and of the users (one query): the "nothing saved" yardstick."""
    models = [*apps.get_app_config("projects").get_models(), *apps.get_app_config("auth").get_models()]
    tables = sorted({model._meta.db_table for model in models})
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def value_for(field):
    choices = [st.just(field["value"]), hostile]
    if field["options"]:
        choices.insert(0, st.sampled_from(field["options"]))
    if field["kind"] == "file":
        return upload
    return st.one_of(*choices)


def role_opening(name):
    """A role that may open the page (GET 200), preferring the ones with the most forms."""
    get = p.outcomes(p.TABLE[name][1])
    return next((role for role in ("grid", "coordinator", "admin", "anonymous") if get[role] == "200"), None)


FORM_PAGES = sorted(
    name for name in p.TABLE if role_opening(name) and name not in {"media", "health", "ledger_template"}
)


def fuzz_form(client, page_url, form):
    action = urljoin(page_url, form["action"]) if form["action"] else page_url
    if action.startswith(SKIP_ACTIONS) or not form["fields"]:
        return 0
    fields = form["fields"]

    @given(data=st.data())
    def post_values(data):
        values = {}
        for name, field in fields.items():
            if data.draw(st.integers(0, 9), label=f"omit {name}") == 0:
                continue  # a missing field is hostile too
            values[name] = data.draw(value_for(field), label=name)
        with transaction.atomic():
            before = row_counts()
            if form["method"] == "post":
                response = client.post(action, values)
            else:
                values = {k: v for k, v in values.items() if not isinstance(v, SimpleUploadedFile)}
                response = client.get(action, values)
            assert response.status_code < 500, (action, values)
            if response.status_code != 302:
                assert row_counts() == before, f"{action} refused {values} but saved something"
            transaction.set_rollback(True)

    post_values()
    return 1


# Pages whose forms depend on the role: fuzzed once more as the coordinator (assign, escalate…).
FORM_PAGES_AS = [(name, role_opening(name)) for name in FORM_PAGES] + [
    ("issue_detail", "coordinator"),
    ("meeting_detail", "coordinator"),
    ("round", "coordinator"),
]


@pytest.mark.parametrize(("name", "role"), sorted(set(FORM_PAGES_AS)))
def test_every_form_survives_hostile_values(zone, name, role):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(zone, role), backend="django.contrib.auth.backends.ModelBackend")
    objects = p.objects(zone)
    url = reverse(p.url_name(name), kwargs=p.ARGS[name](objects) if name in p.ARGS else {})
    page = client.get(url)
    assert page.status_code == 200
    if not page["Content-Type"].startswith("text/html"):
        return  # a download (Excel export): its filter form is on another page
    forms = page_forms(page.content.decode())
    for form in forms:
        fuzz_form(client, url, form)


@given(
    username=st.one_of(st.sampled_from(["grid", "admin", "", "nobody"]), hostile),
    password=st.one_of(st.just(PASSWORD), hostile),
)
def test_login_form_never_fails(zone, username, password):
    client = Client()
    with transaction.atomic():
        before = row_counts()
        response = client.post(
            "/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.9.9"
        )
        assert response.status_code in {200, 302, 429}
        if response.status_code != 302:
            assert row_counts() == before
        transaction.set_rollback(True)


@given(
    query=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "year",
                "park",
                "level",
                "kind",
                "stage",
                "leader",
                "grid_worker",
                "lead_department",
                "started",
                "over_100m",
                "page",
            ]
        ),
        hostile,
        max_size=6,
    )
)
def test_project_filter_never_fails(zone, query):
    client = Client()
    client.force_login(zone.coordinator, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/projects/", query).status_code == 200


# --- The Excel import ------------------------------------------------------------------------------

cell = st.one_of(
    st.none(),
    st.sampled_from(
        ["航空航天产业园", "高校园区", "省重点", "市重点", "区重点", "新建", "续建", "P-A1", "王网格"]
    ),
    st.text(max_size=60),
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**12), max_value=10**12, places=4),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(9999, 12, 31)),
    st.booleans(),
)


def workbook_bytes(rows, reports):
    from openpyxl import Workbook

    from projects import ledger

    book = Workbook()
    sheet = book.active
    sheet.title = ledger.LISTINGS_SHEET
    sheet.append(ledger.LISTING_HEADERS)
    for row in rows:
        sheet.append(row)
    report_sheet = book.create_sheet(ledger.REPORTS_SHEET)
    report_sheet.append(ledger.REPORT_HEADERS)
    for row in reports:
        report_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def valid_row(z, **override):
    from projects import ledger

    row = {
        ledger.CODE: "P-FUZZ",
        ledger.NAME: "模糊测试项目",
        ledger.ENTERPRISE: "模糊测试企业",
        ledger.PARK: z.park_a.name,
        ledger.YEAR: z.year,
        ledger.LEVEL: "区重点",
        ledger.KIND: "新建",
        ledger.TOTAL: 100,
        ledger.PLANNED: 50,
    }
    row.update(override)
    return [row.get(header) for header in ledger.LISTING_HEADERS]


@given(data=st.data())
def test_ledger_import_never_fails_and_invalid_imports_nothing(zone, data):
    from projects import ledger

    headers = ledger.LISTING_HEADERS
    rows = []
    for _ in range(data.draw(st.integers(1, 3), label="rows")):
        # Mostly a valid row with a few hostile cells, so that validation is reached column by column.
        hostile_cells = data.draw(st.dictionaries(st.sampled_from(headers), cell, max_size=4), label="cells")
        rows.append(valid_row(zone, **hostile_cells))
    reports = data.draw(st.lists(st.lists(cell, min_size=4, max_size=4), max_size=3), label="reports")
    try:
        file = workbook_bytes(rows, reports)
    except (ValueError, TypeError, IllegalCharacterError):
        assume(False)  # openpyxl cannot even write this cell; nothing for the importer to read
    with transaction.atomic():
        before = row_counts()
        plan = ledger.ledger_read(file)
        assert row_counts() == before, "reading the file wrote something"
        if plan.ok:
            ledger.ledger_apply(plan, by=zone.coordinator)
        else:
            with pytest.raises(ledger.LedgerRejected):
                ledger.ledger_apply(plan, by=zone.coordinator)
            assert row_counts() == before
        transaction.set_rollback(True)


@given(content=st.one_of(st.binary(max_size=4096), st.just(b"PK\x03\x04" + b"\x00" * 100)))
def test_ledger_read_survives_any_bytes(zone, content):
    from projects import ledger

    plan = ledger.ledger_read(io.BytesIO(content))
    assert not plan.ok
