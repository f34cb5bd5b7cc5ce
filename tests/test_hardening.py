"""Hardening: brute-force lockout, session expiry, production headers and cookies, uploads served safely."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Photo, ProgressNote, Visit
from tests.zone import PASSWORD

LIMIT = settings.AXES_FAILURE_LIMIT


def post_login(client, username, password, ip):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(username, ip, times=LIMIT):
    client = Client()
    response = None
    for _ in range(times):
        response = post_login(client, username, "wrong-password", ip)
    return response


# --- Brute-force protection (django-axes, keyed on username AND address) --------------------------


def test_lockout_after_limit_for_one_username_from_one_address(zone):
    response = fail("grid", "10.0.0.1")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode() or "登录失败" in response.content.decode()
    # Even the right password is refused now, with the same clear page.
    locked = post_login(Client(), "grid", PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert AccessFailureLog.objects.filter(username="grid", locked_out=True).exists()


def test_another_username_from_the_same_address_is_not_locked(zone):
    fail("grid", "10.0.0.1")
    response = post_login(Client(), "grid_b", PASSWORD, "10.0.0.1")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_same_username_from_another_address_is_not_locked(zone):
    fail("grid", "10.0.0.1")
    response = post_login(Client(), "grid", PASSWORD, "10.0.0.2")
    assert response.status_code == 302 and response["Location"] == "/"


def test_fewer_failures_than_the_limit_do_not_lock(zone):
    fail("grid", "10.0.0.1", times=LIMIT - 1)
    assert post_login(Client(), "grid", PASSWORD, "10.0.0.1").status_code == 302


def test_successful_and_failed_logins_are_audited(zone, login):
    post_login(Client(), "grid", PASSWORD, "10.0.0.3")
    post_login(Client(), "grid", "wrong", "10.0.0.4")
    assert AccessLog.objects.filter(username="grid", ip_address="10.0.0.3").exists()
    assert AccessFailureLog.objects.filter(username="grid", ip_address="10.0.0.4", locked_out=False).exists()
    fail("dept", "10.0.0.5")
    page = login(zone.admin).get("/audit/logins/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert "10.0.0.3" in body and "10.0.0.4" in body and "10.0.0.5" in body
    assert list(page.context["lockouts"]) == list(AccessAttempt.objects.filter(username="dept"))
    filtered = login(zone.admin).get("/audit/logins/?username=dept")
    assert "10.0.0.3" not in filtered.content.decode()


@pytest.mark.parametrize("persona", ["grid", "dept", "coordinator", "leader", "supervisor", "nobody"])
def test_login_audit_is_for_administrators_only(zone, login, persona):
    assert login(getattr(zone, persona)).get("/audit/logins/").status_code == 403


def test_login_audit_is_open_to_the_superuser(zone, login):
    assert login(zone.superuser).get("/audit/logins/").status_code == 200


# --- Sessions ------------------------------------------------------------------------------------


def test_session_expires_after_inactivity(zone, monkeypatch):
    client = Client()
    assert post_login(client, "grid", PASSWORD, "10.0.1.1").status_code == 302
    assert client.get("/").status_code == 200
    # Activity slides the expiry to now + SESSION_COOKIE_AGE (newzone.sessions).
    session = Session.objects.get()
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 30
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    monkeypatch.setattr("django.contrib.sessions.backends.db.timezone.now", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@override_settings(SESSION_COOKIE_AGE=60)
def test_short_idle_timeout_is_honoured(zone, monkeypatch):
    client = Client()
    post_login(client, "grid", PASSWORD, "10.0.1.2")
    assert client.get("/").status_code == 200
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 60
    start = timezone.now()

    def at(seconds):
        moment = start + datetime.timedelta(seconds=seconds)
        monkeypatch.setattr("django.contrib.sessions.backends.db.timezone.now", lambda: moment)
        return client.get("/")

    # Activity within the window keeps the session, and slides its end: at 100 s it is past the
    # first minute but only 50 s after the last activity…
    assert at(50).status_code == 200
    assert at(100).status_code == 200
    # …and 61 seconds of idleness ends it.
    response = at(100 + 61)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_session_row_is_written_at_most_once_a_minute(zone, monkeypatch):
    client = Client()
    post_login(client, "grid", PASSWORD, "10.0.1.3")
    client.get("/")

    def writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]

    assert writes() == []  # a page view within the minute leaves the session row alone
    expire_before = Session.objects.get().expire_date
    later = timezone.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr("django.contrib.sessions.backends.db.timezone.now", lambda: later)
    assert len(writes()) == 1  # a minute on, the expiry slides
    assert Session.objects.get().expire_date - expire_before >= datetime.timedelta(seconds=60)


def test_an_unknown_session_cookie_creates_no_session(zone):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session-key-0123456789"
    for path in ("/login/", "/healthz", "/no-such-page/"):
        client.get(path)
    assert not Session.objects.exists()


def test_password_change_elsewhere_logs_other_sessions_out(zone):
    phone, desk = Client(), Client()
    post_login(phone, "grid", PASSWORD, "10.0.2.1")
    post_login(desk, "grid", PASSWORD, "10.0.2.2")
    assert desk.get("/").status_code == 200
    response = phone.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Other-pass-2027", "new_password2": "Other-pass-2027"},
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 200  # the session that changed it stays
    logged_out = desk.get("/")
    assert logged_out.status_code == 302 and logged_out["Location"].startswith("/login/")


# --- Production headers and cookies --------------------------------------------------------------

PRODUCTION = {
    "DEBUG": False,
    "SECURE_HSTS_SECONDS": 31536000,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_SSL_REDIRECT": True,
}


@override_settings(**PRODUCTION)
def test_production_responses_carry_the_security_headers(zone):
    client = Client()
    page = client.get("/login/", secure=True)
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["X-Frame-Options"] == "DENY"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert page.cookies["csrftoken"]["secure"]
    response = client.post(
        "/login/", {"username": "grid", "password": PASSWORD}, secure=True, REMOTE_ADDR="10.0.3.1"
    )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    # Plain HTTP is sent to HTTPS.
    assert client.get("/login/").status_code == 301


@override_settings(**PRODUCTION)
def test_pages_have_no_inline_scripts(zone, login):
    body = login(zone.grid).get(f"/projects/{zone.project_a.pk}/", secure=True).content.decode()
    assert "<script>" not in body and " onclick=" not in body and " style=" not in body


@override_settings(**PRODUCTION, SECRET_KEY="k" * 20 + "-production-grade-secret-key-with-variety-1234567890")
def test_deploy_check_is_clean(monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by conftest for Playwright
    call_command("check", deploy=True, fail_level="WARNING")


# --- Uploads ------------------------------------------------------------------------------------


@pytest.fixture
def photos(zone):
    z = zone
    visit = Visit.objects.create(project=z.project_a, date=datetime.date(z.year, 4, 1), summary="走访")
    note = ProgressNote.objects.create(project=z.project_b, date=datetime.date(z.year, 4, 1), text="进展")
    on_visit = Photo(visit=visit)
    on_visit.image.save("site.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"), save=True)
    on_note = Photo(progress_note=note)
    on_note.image.save("page.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    return on_visit, on_note


def test_media_needs_login(zone, photos, client):
    response = client.get(f"/media/{photos[0].image.name}")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_photo_visible_only_to_who_sees_its_project(zone, photos, login):
    on_visit, on_note = photos
    grid = login(zone.grid)
    response = grid.get(f"/media/{on_visit.image.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    assert grid.get(f"/media/{on_note.image.name}").status_code == 404  # project_b is not grid's
    assert login(zone.grid_b).get(f"/media/{on_visit.image.name}").status_code == 404
    assert login(zone.nobody).get(f"/media/{on_visit.image.name}").status_code == 404


def test_uploaded_html_is_never_served_as_a_page(zone, photos, login):
    _, on_note = photos
    response = login(zone.grid_b).get(f"/media/{on_note.image.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_media_refuses_paths_outside_and_unknown_files(zone, photos, login):
    client = login(zone.admin)
    default_storage.save("imports/ledger.xlsx", ContentFile(b"PK"))
    assert client.get("/media/imports/ledger.xlsx").status_code == 200  # administrators only
    assert login(zone.coordinator).get("/media/imports/ledger.xlsx").status_code == 404
    for path in ("../settings.py", "photos/missing.jpg", "%2e%2e/%2e%2e/etc/passwd"):
        assert client.get(f"/media/{path}").status_code == 404, path


def test_an_expired_lockout_is_no_longer_listed_as_locked(zone, login):
    fail("dept", "10.0.0.6")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    page = login(zone.admin).get("/audit/logins/")
    assert list(page.context["lockouts"]) == []
    assert post_login(Client(), "dept", PASSWORD, "10.0.0.6").status_code == 302  # axes agrees


def test_login_audit_filter_survives_a_nul_byte(zone, login):
    assert login(zone.admin).get("/audit/logins/", {"username": "gr\x00id"}).status_code == 200
