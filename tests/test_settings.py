"""Settings come from the environment: production passes `check --deploy`, bad values stop start-up."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, tmp_path, **env):
    """Run manage.py in a fresh process with only the given settings in its environment."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'settings.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS="newzone.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe", "SECRET_KEY": "x" * 50}, "DEBUG must be 0 or 1, got 'maybe'"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG=0"),
        ({"DEBUG": "1", "DATABASE_URL": "nosuchdb://host/name"}, "DATABASE_URL cannot be read"),
        ({"DEBUG": "1", "SESSION_IDLE_SECONDS": "soon"}, "SESSION_IDLE_SECONDS must be a whole number"),
        ({"DEBUG": "1", "AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT must be at least 1"),
    ],
    ids=["debug-maybe", "no-secret-key", "bad-database-url", "bad-number", "below-minimum"],
)
def test_bad_environment_fails_start_up_with_a_clear_message(tmp_path, env, message):
    result = manage("check", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_debug_defaults_to_off(tmp_path):
    """Without DEBUG in the environment the app runs as in production, so it needs a key."""
    result = manage("check", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_settings_of_the_running_suite():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_every_environment_variable_is_documented():
    """Each variable settings.py reads appears in .env.example and in README's table."""
    source = (BASE_DIR / "newzone" / "settings.py").read_text()
    names = set(re.findall(r"""env_(?:bool|int|list)\(\s*["']([A-Z0-9_]+)["']""", source))
    names |= set(re.findall(r"""os\.environ(?:\.get\(|\[)\s*["']([A-Z0-9_]+)["']""", source))
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"} <= names
    example = (BASE_DIR / ".env.example").read_text()
    readme = (BASE_DIR / "README.md").read_text()
    assert sorted(n for n in names if not re.search(rf"^{n}=", example, re.MULTILINE)) == []
    assert sorted(n for n in names if f"`{n}`" not in readme) == []


@pytest.mark.django_db
def test_postgresql_prepares_a_query_run_twice_on_a_connection(django_user_model):
    """DB_PREPARED (default on): the second run of a query on a connection prepares it on the
    server, so later runs skip planning; parameters are bound by the server."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared queries are PostgreSQL's")

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for n in range(3):
        list(django_user_model.objects.filter(username=f"nobody{n}"))
    assert prepared() > before  # the query (one text, three values) is prepared
    assert not connection.connection.cursor_factory.__name__.startswith("Client")
