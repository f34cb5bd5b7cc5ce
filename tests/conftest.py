"""Shared fixtures: a small zone with one named persona per role (see tests/zone.py)."""

import os
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

import tests.hypothesis_profiles  # noqa: F401  (registers and loads the hypothesis profile)
from projects.models import RoleCode
from tests.zone import build_zone, make_user

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Measured in a browser page: its sideways overflow, and every visible table cell narrower than a word
# (40 px) and row taller than a phone's screen half (400 px).
LAYOUT = """() => {
  const cells = [...document.querySelectorAll("main td, main th")].filter((c) => c.offsetParent !== null);
  const rows = [...document.querySelectorAll("main tbody tr, main .list-group-item")]
    .filter((r) => r.offsetParent !== null);
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    narrow: cells.filter((c) => c.getBoundingClientRect().width < 40 && c.textContent.trim())
      .map((c) => c.textContent.trim().slice(0, 30)),
    tall: rows.filter((r) => r.getBoundingClientRect().height > 400)
      .map((r) => [Math.round(r.getBoundingClientRect().height), r.textContent.trim().slice(0, 40)]),
  };
}"""


def layout_problems(page):
    """What does not fit in the page as shown: {} when it fits (see LAYOUT)."""
    layout = page.evaluate(LAYOUT)
    return {key: value for key, value in layout.items() if value and (key != "overflow" or value > 0)}


def switch_language(page, code):
    """Switch the language through the footer's switcher (it posts and comes back to the same page)."""
    with page.expect_navigation():
        page.select_option("#language-select", code)
    assert page.locator("html").get_attribute("lang") == code


def pytest_configure(config):
    # Tests run with DEBUG=0 but without collectstatic: serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_jobs(monkeypatch):
    """`run_jobs()` runs the queued background jobs with the real worker (`run_jobs --until-empty`).

    Jobs are queued when a transaction commits: wrap the action in
    `django_capture_on_commit_callbacks(execute=True)` first. The worker drops its database
    connection between jobs, as a request does; inside a test that connection holds the test's
    transaction, so here it is kept.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        out = StringIO()
        call_command("run_jobs", "--until-empty", stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def zone(db):
    """Two parks, the departments, one user per role and a few projects."""
    return build_zone()


@pytest.fixture
def login(client):
    """`login(user)` logs the test client in as a persona and returns the client."""

    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (REQUIRE_BROWSER=1) but is not installed.")
        pytest.skip(
            "No Chromium: install Debian's package with `apt-get install chromium` to run browser tests."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_login(browser, live_server):
    """`browser_login(user, password, viewport=None)` opens a logged-in page through the real login form."""
    contexts = []

    def _open(username, password="demo-pass-2026", viewport=None):
        context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        # A session's first request imports the views and loads the catalogs: on a machine busy with
        # other work that alone can take longer than the usual 15 s.
        page.goto(f"{live_server.url}/login/", timeout=60000)
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def people(zone):
    """The right spellings of `tests.ledger_book.typo_file()`'s leader and grid worker."""
    return {
        "陈建国": make_user("chen", RoleCode.LEADER, name="陈建国").staff,
        "王磊": make_user("wanglei", RoleCode.GRID_WORKER, name="王磊", parks=[zone.park_a]).staff,
    }
