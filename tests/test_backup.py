"""The documented backup and restore path (docs/backup.md) works on the demo zone.

Loads the demo zone into a fresh PostgreSQL database, runs scripts/backup.sh, restores into another
new database with scripts/restore.sh, and compares the main tables' row counts and the uploads.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
MAIN_TABLES = [
    "auth_user",
    "projects_staff",
    "projects_park",
    "projects_department",
    "projects_enterprise",
    "projects_project",
    "projects_listing",
    "projects_monthlyreport",
    "projects_permit",
    "projects_plannode",
    "projects_document",
    "projects_progressnote",
    "projects_visit",
    "projects_issue",
    "projects_issueevent",
    "projects_meeting",
    "projects_historicalproject",
    "projects_historicalissue",
]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the backup path is PostgreSQL's (pg_dump/pg_restore)",
    ),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def database_url(name):
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def admin_sql(statement):
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def counts(name):
    import psycopg

    with psycopg.connect(database_url(name)) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in MAIN_TABLES}


def run(args, env, **kwargs):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def scratch_databases():
    suffix = uuid.uuid4().hex[:8]
    names = [f"newzone_backup_src_{suffix}", f"newzone_backup_dst_{suffix}"]
    for name in names:
        admin_sql(f'CREATE DATABASE "{name}"')
    yield names
    connection.close()
    for name in names:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip(scratch_databases, tmp_path):
    source, target = scratch_databases
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(source),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "KEEP_DAYS": "30",
    }
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "load_demo"], env)
    photo = tmp_path / "media" / "photos" / "2026" / "04" / "site.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 demo photo")
    before = counts(source)
    assert before["projects_project"] > 0 and before["projects_issue"] > 0

    dump, media = run(["scripts/backup.sh", str(tmp_path / "backups")], env).split()
    assert Path(dump).stat().st_size > 0 and (Path(dump).stat().st_mode & 0o077) == 0

    restored_media = tmp_path / "restored-media"
    restore_env = {**env, "DATABASE_URL": database_url(target), "MEDIA_ROOT": str(restored_media)}
    run(["scripts/restore.sh", dump, media], restore_env)
    assert counts(target) == before
    assert (restored_media / "photos" / "2026" / "04" / "site.jpg").read_bytes() == photo.read_bytes()
    # Restoring over a database that already holds the zone replaces it (--clean --if-exists).
    run(["scripts/restore.sh", dump], restore_env)
    assert counts(target) == before
