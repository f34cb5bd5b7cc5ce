"""The background queue (projects/jobs.py): delivery after commit, retries, dead and parallel workers."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from projects import background, jobs
from projects.models import Issue, Job, Level, Notification, Project
from projects.notifications import notify
from projects.querysets import today
from projects.services import issues as issue_services
from projects.services.issues import Escalation, issue_raise, ladder
from tests import ledger_book
from tests.ledger_book import read_back
from tests.test_visits import new_url, visit_post

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

SENT = []
FAILING = {"left": 0}


class RecordingSender:
    def send(self, *, recipients, message):
        SENT.append(([user.username for user in recipients], message))


class FlakySender:
    """A channel that is down for FAILING["left"] more attempts (a WeCom 500, a timeout)."""

    def send(self, *, recipients, message):
        if FAILING["left"] > 0:
            FAILING["left"] -= 1
            raise ConnectionError("channel down")
        SENT.append(("flaky", message.subject))


class FileSender:
    """For worker processes: appends `pid subject` to $JOB_TEST_FILE; hangs while $JOB_TEST_HANG exists."""

    def send(self, *, recipients, message):
        while os.path.exists(os.environ.get("JOB_TEST_HANG", "/nonexistent")):
            time.sleep(0.1)
        time.sleep(float(os.environ.get("JOB_TEST_SLEEP", "0")))
        with open(os.environ["JOB_TEST_FILE"], "a") as handle:
            handle.write(f"{os.getpid()} {message.subject}\n")


@pytest.fixture
def senders(settings):
    SENT.clear()
    FAILING["left"] = 0

    def use(*names):
        settings.NOTIFICATION_SENDERS = [f"tests.test_jobs.{name}" for name in names]

    return use


def test_a_line_break_in_a_request_never_breaks_the_save(
    zone, login, mailoutbox, django_capture_on_commit_callbacks, run_jobs
):
    """Item 1: a description with CR LF became the mail subject → BadHeaderError → 500 after the save."""
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    text = "施工许可证办理\r\n需要补充材料"
    data = visit_post(requests=[{"category": "permits", "description": text}])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(zone.grid).post(new_url(zone.project_a), data)
    assert response.status_code == 302
    assert Issue.objects.filter(description__startswith="施工许可证办理").count() == 1
    assert mailoutbox == []  # nothing is sent inside the request
    run_jobs()
    (mail,) = mailoutbox
    assert mail.to == ["dept@example.com"]
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "施工许可证办理 需要补充材料" in mail.subject
    assert "需要补充材料" in mail.body


def test_a_failing_channel_is_retried_alone_and_gives_up_in_the_end(
    zone, senders, django_capture_on_commit_callbacks, run_jobs
):
    senders("FlakySender", "RecordingSender")
    FAILING["left"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[zone.dept], text="请\n处理", url="/issues/1/")
    run_jobs()
    # The working channel delivered at once; the failing one waits for its retry in a minute.
    assert [entry for entry in SENT if entry[0] != "flaky"][0][0] == ["dept"]
    assert not [entry for entry in SENT if entry[0] == "flaky"]
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    assert retry.run_after - timezone.now() > datetime.timedelta(seconds=50)
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_jobs()
    assert ("flaky", "新区项目服务平台：请 处理") in SENT

    # Down for good: retried DELIVERY_RETRIES times, then kept as failed with its traceback.
    SENT.clear()
    FAILING["left"] = 100
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[zone.dept], text="第二条")
    for _attempt in range(10):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_jobs()
    failed = DBTaskResult.objects.failed().get()
    assert "channel down" in failed.traceback
    assert failed.args_kwargs["kwargs"] == {"_attempt": 6}
    assert FAILING["left"] == 100 - 6
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_escalate_overdue_goes_on_past_a_failing_issue(zone, monkeypatch):
    """Item 1: one issue that cannot be moved stopped the cron run at that issue (exit 1, the rest lost)."""
    issues = []
    for n in range(3):
        issue = issue_raise(project=zone.project_a, category="permits", description=f"逾期 {n}", by=zone.grid)
        Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=5))
        issues.append(issue)
    real = ladder._auto_escalate

    def broken_for_the_first(issue, *args):
        if issue.pk == issues[0].pk:
            raise RuntimeError("broken row")
        return real(issue, *args)

    monkeypatch.setattr(ladder, "_auto_escalate", broken_for_the_first)
    out = StringIO()
    with pytest.raises(CommandError, match="1 issue"):
        call_command("escalate_overdue", stdout=out)
    assert f"#{issues[0].pk} level 1 -> 2: FAILED" in out.getvalue()
    levels = dict(Issue.objects.filter(pk__in=[i.pk for i in issues]).values_list("pk", "level"))
    assert levels == {issues[0].pk: Level.GRID_HELP, issues[1].pk: 2, issues[2].pk: 2}
    assert {r.outcome for r in issue_services.escalate_overdue(dry_run=True)} == {Escalation.WOULD_ESCALATE}


def test_a_job_whose_worker_died_is_queued_again(zone, senders, django_capture_on_commit_callbacks, run_jobs):
    senders("RecordingSender")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[zone.dept], text="死掉的工人")
    # A worker claimed it and was killed: RUNNING, started long ago.
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago, worker_ids=["dead"])
    assert jobs.requeue_stale() == 1
    run_jobs()
    assert SENT and SENT[0][1].text == "死掉的工人"
    assert DBTaskResult.objects.get().worker_ids[0] == "dead"
    # A job that only just started is left alone.
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[zone.dept], text="刚开始")
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING", started_at=timezone.now())
    assert jobs.requeue_stale() == 0


def test_nothing_is_queued_outside_a_commit(zone, senders, run_jobs):
    senders("RecordingSender")
    notify(recipients=[zone.dept], text="还没提交")  # the test's transaction never commits
    run_jobs()
    assert SENT == [] and not DBTaskResult.objects.exists()
    assert Notification.objects.filter(text="还没提交").exists()


# ---- real worker processes on PostgreSQL -------------------------------------------------------


def _worker_env(tmp_path, **extra):
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    url = f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-not-secret",
        "JOB_TEST_FILE": str(tmp_path / "sent.txt"),
        **extra,
    }


def _worker(env, *args):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_jobs", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _queue(zone, count, prefix):
    for n in range(count):
        notify(recipients=[zone.dept], text=f"{prefix}{n}")  # autocommit: queued at once


requires_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="worker processes share the database only on a server",
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@requires_postgres
def test_two_workers_never_run_the_same_job(tmp_path, settings):
    from tests.zone import build_zone

    zone = build_zone()
    settings.NOTIFICATION_SENDERS = ["tests.test_jobs.FileSender"]
    _queue(zone, 30, "job-")
    env = _worker_env(tmp_path, JOB_TEST_SLEEP="0.2")
    workers = [_worker(env, "--until-empty") for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, worker.stdout.read().decode()
    lines = (tmp_path / "sent.txt").read_text().splitlines()
    subjects = sorted(line.split(" ", 1)[1] for line in lines)
    assert subjects == sorted(f"新区项目服务平台：job-{n}" for n in range(30))  # each exactly once
    assert len({line.split(" ", 1)[0] for line in lines}) == 2  # both workers took a share
    results = DBTaskResult.objects.all()
    assert {r.status for r in results} == {"SUCCESSFUL"}
    assert all(len(r.worker_ids) == 1 for r in results)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@requires_postgres
def test_queued_work_survives_a_killed_worker(tmp_path, settings):
    from tests.zone import build_zone

    zone = build_zone()
    settings.NOTIFICATION_SENDERS = ["tests.test_jobs.FileSender"]
    hang = tmp_path / "hang"
    hang.touch()
    _queue(zone, 3, "survive-")
    env = _worker_env(tmp_path, JOB_TEST_HANG=str(hang))
    worker = _worker(env)
    deadline = time.monotonic() + 60
    while not DBTaskResult.objects.running().exists():
        assert time.monotonic() < deadline and worker.poll() is None
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)  # the machine is lost mid-job
    worker.wait(timeout=30)
    assert DBTaskResult.objects.running().count() == 1
    assert DBTaskResult.objects.ready().count() == 2
    hang.unlink()
    # Long enough without a sign of life: the next worker takes it up again.
    DBTaskResult.objects.running().update(started_at=timezone.now() - datetime.timedelta(hours=1))
    restarted = _worker(env, "--until-empty")
    assert restarted.wait(timeout=120) == 0, restarted.stdout.read().decode()
    subjects = sorted(line.split(" ", 1)[1] for line in (tmp_path / "sent.txt").read_text().splitlines())
    assert subjects == [f"新区项目服务平台：survive-{n}" for n in range(3)]
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


HOLDING = {}


def holding_runner(job, progress):
    """A long import: started JOB_STALE_MINUTES ago, then one transaction open until the test says so."""
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    DBTaskResult.objects.filter(id=job.task_id).update(started_at=long_ago)
    with transaction.atomic():
        # The transaction holds writes, as ledger_apply does.
        Notification.objects.create(recipient=job.owner, text="写入中")
        progress(1, 2)
        assert HOLDING["seen"].wait(timeout=60)
    return {}


def _run_job_in_a_thread(job_pk):
    try:
        jobs.run_job.call(job_pk)
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@requires_postgres
def test_a_job_inside_a_long_transaction_keeps_its_heartbeat_and_is_not_queued_again(monkeypatch):
    from tests.zone import build_zone

    zone = build_zone()
    monkeypatch.setitem(jobs.RUNNERS, Job.Kind.LEDGER_IMPORT, "tests.test_jobs.holding_runner")
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.1)
    HOLDING["seen"] = threading.Event()
    job = jobs.start(Job.Kind.LEDGER_IMPORT, owner=zone.coordinator)  # autocommit: queued at once
    job.refresh_from_db()
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=timezone.now())
    worker = threading.Thread(target=_run_job_in_a_thread, args=(job.pk,))
    worker.start()
    try:
        # Seen from this connection while the job's transaction is still open: progress and life.
        recent = timezone.now() - datetime.timedelta(minutes=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.done == 1 and job.heartbeat_at > recent:
                break
            time.sleep(0.05)
        assert (job.status, job.done, job.total) == (Job.Status.RUNNING, 1, 2)
        assert not Notification.objects.filter(text="写入中").exists()  # still one open transaction
        assert jobs.requeue_stale() == 0  # started long ago, but alive
        assert DBTaskResult.objects.get(id=job.task_id).status == "RUNNING"
    finally:
        HOLDING["seen"].set()
        worker.join(timeout=60)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (2, 2)
    # Its worker gone (no sign of life since long ago), a running job is queued again.
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.JOB_STALE_MINUTES + 1)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, heartbeat_at=long_ago)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", started_at=long_ago)
    assert jobs.requeue_stale() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


# ---- users' jobs: progress page, download, large imports ------------------------------------------


def test_a_large_export_runs_in_the_background_with_progress_and_a_download(
    zone, login, settings, monkeypatch, django_capture_on_commit_callbacks, run_jobs
):
    monkeypatch.setattr(background, "EXPORT_BACKGROUND_ROWS", 0)  # one project counts as large here
    client = login(zone.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/projects/export.xlsx?park=" + str(zone.park_a.pk))
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'http-equiv="refresh"' in page.text and "<progress" in page.text  # waiting, refreshing itself
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # not ready yet
    assert login(zone.grid).get(f"/jobs/{job.pk}/").status_code == 404  # another user's job
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (Job.Status.DONE, 1, 1, 100)
    page = login(zone.coordinator).get(f"/jobs/{job.pk}/")
    assert 'http-equiv="refresh"' not in page.text and f"/jobs/{job.pk}/download/" in page.text
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and "projects-" in download["Content-Disposition"]
    sheets = read_back(b"".join(download.streaming_content))
    assert {row[0] for row in sheets["项目清单"][1:]} == {zone.project_a.code}  # the list's filter held


def test_a_large_ledger_is_checked_then_imported_in_the_background(
    zone, login, monkeypatch, django_capture_on_commit_callbacks, run_jobs
):
    monkeypatch.setattr(background, "IMPORT_BACKGROUND_BYTES", 100)
    client = login(zone.coordinator)
    book = ledger_book.build([ledger_book.listing("BG-1", year=zone.year), ledger_book.listing("BG-2")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ledger/import/", {"file": book})
    preview = Job.objects.get()
    assert response["Location"] == f"/jobs/{preview.pk}/" and preview.kind == Job.Kind.LEDGER_PREVIEW
    run_jobs()
    page = client.get(f"/jobs/{preview.pk}/")
    assert f"/jobs/{preview.pk}/import/" in page.text  # checked, no errors: the confirmation
    assert not Project.objects.filter(code__startswith="BG-").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{preview.pk}/import/")
    job = Job.objects.get(kind=Job.Kind.LEDGER_IMPORT)
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["imported"]
    assert set(Project.objects.filter(code__startswith="BG-").values_list("code", flat=True)) == {
        "BG-1",
        "BG-2",
    }
    assert "导入" in client.get(f"/jobs/{job.pk}/").text
    # Confirming twice imports nothing twice.
    response = client.post(f"/jobs/{preview.pk}/import/")
    assert response.status_code == 302 and Job.objects.filter(kind=Job.Kind.LEDGER_IMPORT).count() == 1


def test_a_ledger_with_errors_checked_in_the_background_offers_no_import(
    zone, login, monkeypatch, django_capture_on_commit_callbacks, run_jobs
):
    monkeypatch.setattr(background, "IMPORT_BACKGROUND_BYTES", 100)
    client = login(zone.coordinator)
    book = ledger_book.build([ledger_book.listing("BAD-1", cells={"项目级别": "宇宙级"})])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/ledger/import/", {"file": book})
    run_jobs()
    preview = Job.objects.get()
    assert preview.status == Job.Status.DONE and not preview.result["ok"] and preview.result["errors"]
    page = client.get(f"/jobs/{preview.pk}/")
    assert "/import/" not in page.text.split("</nav>")[-1] and "宇宙级" in page.text
    assert client.post(f"/jobs/{preview.pk}/import/").status_code == 302
    assert not Job.objects.filter(kind=Job.Kind.LEDGER_IMPORT).exists()
