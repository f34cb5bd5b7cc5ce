"""The one place work is put in the background: a task queue kept in the database.

The queue is django-tasks (the backport of Django 6's tasks framework) with its database backend
(django-tasks-db): jobs are rows of the app's own database, so they survive a restart of any
process, need no broker, and a worker claims one with `SELECT … FOR UPDATE SKIP LOCKED` (an
exclusive transaction on SQLite), so two workers never run the same job. README "Background jobs"
says why this and not procrastinate, and how to run workers.

Enqueue API — everything that runs in the background goes through these three:

- `@background(retries=N)` over a module-level function makes it a queued task. Its arguments must
  be JSON (ids, strings, numbers — never model instances). When the call raises, it is queued again
  after 1, 4, 16, … minutes, N times, then kept as failed (with its traceback) and logged.
- `enqueue(task, *args, **kwargs)` queues a task once the current transaction commits: nothing is
  queued for a change that rolls back, and a failure to queue is logged, never raised into the save
  that asked for it. Outside a transaction it queues at once.
- `start(kind, *, owner, **params) -> Job` is a user's long piece of work (an import, an export):
  a `Job` row the user follows on `/jobs/<pk>/` (progress bar, then the download or the report),
  run by the function named in RUNNERS[kind]: `runner(job, progress) -> dict`. The runner calls
  `progress(done, total)` as it goes, may store `job.file`, and returns the result shown on the page.
  `JobFailed(message)` ends it with that message for the user. A runner never writes its own Job row
  (run_job does, before and after): on PostgreSQL that would lock the row the heartbeat writes.

Notification delivery is one task per sender (projects/notifications.py): a failing channel is
retried on its own and never breaks the save or the command that sent the message.

Workers: `python manage.py run_jobs` (runs forever; SIGTERM finishes the current job first) and
`python manage.py run_jobs --until-empty` (tests, CI, cron). A job whose worker died (machine
lost, `kill -9`) is queued again when its heartbeat is older than JOB_STALE_MINUTES.

Heartbeat: while a job runs, a daemon thread of run_job writes the job's done/total and heartbeat_at
every HEARTBEAT_SECONDS, on a connection of its own (Django's connections are per thread). That is
the one place progress is written while a job runs: a runner may hold one transaction for its whole
work (the ledger import does), and writes on its connection are seen by no other worker's
requeue_stale() — nor by the progress page — before it commits. On SQLite a second connection cannot
write while the job's transaction holds the database's write lock: such a beat fails after the
database timeout and is logged, the job goes on (on SQLite a write longer than JOB_STALE_MINUTES can
still be queued again; production runs PostgreSQL).
"""

import functools
import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus

from .models import Job

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60  # first retry after a minute, then ×4 each time
HEARTBEAT_SECONDS = 5.0  # a running job's progress and sign of life are written this often

# What each kind of Job runs (dotted paths, imported by the worker).
RUNNERS = {
    Job.Kind.LEDGER_PREVIEW: "projects.background.ledger_preview",
    Job.Kind.LEDGER_IMPORT: "projects.background.ledger_import",
    Job.Kind.PROJECT_EXPORT: "projects.background.project_export",
    Job.Kind.ISSUE_EXPORT: "projects.background.issue_export",
    Job.Kind.MONTHLY_WORKBOOK: "projects.background.monthly_workbook",
}


class JobFailed(Exception):
    """A job cannot finish for a reason the user should read (the message is shown as is)."""


def retry_delay(attempt):
    return timedelta(seconds=RETRY_BASE_SECONDS * 4 ** (attempt - 1))


def background(*, retries=0):
    """Make a module-level function a queued task, retried `retries` times when it raises."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, _attempt=1, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception:
                if _attempt > retries:
                    logger.exception("%s failed for good (attempt %s)", function.__qualname__, _attempt)
                    raise
                logger.warning(
                    "%s failed (attempt %s of %s); retrying in %s",
                    function.__qualname__,
                    _attempt,
                    retries + 1,
                    retry_delay(_attempt),
                    exc_info=True,
                )
                queued.using(run_after=timezone.now() + retry_delay(_attempt)).enqueue(
                    *args, _attempt=_attempt + 1, **kwargs
                )
                return {"retried": _attempt}

        queued = task(run)
        return queued

    return decorate


def enqueue(queued_task, *args, **kwargs):
    """Queue `queued_task(*args, **kwargs)` when the current transaction commits."""
    transaction.on_commit(functools.partial(queued_task.enqueue, *args, **kwargs), robust=True)


def start(kind, *, owner, **params):
    """Create a Job for `owner` and queue its runner; returns the Job (its page is /jobs/<pk>/)."""
    job = Job.objects.create(kind=kind, owner=owner, params=params)
    transaction.on_commit(functools.partial(_queue_job, job.pk), robust=True)
    return job


def _queue_job(job_pk):
    result = run_job.enqueue(job_pk)
    Job.objects.filter(pk=job_pk).update(task_id=str(result.id))


class Progress:
    """`progress(done, total)`: how far a job got, kept on the job; its Heartbeat writes it."""

    def __init__(self, job):
        self.job = job

    def __call__(self, done, total=None):
        self.job.done = done
        if total is not None:
            self.job.total = total


class Heartbeat(threading.Thread):
    """Writes a running job's done/total and heartbeat_at every HEARTBEAT_SECONDS, on its own connection."""

    def __init__(self, job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job = job
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connections.close_all()  # this thread's connections only

    def beat(self):
        try:
            Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(
                done=self.job.done, total=self.job.total, heartbeat_at=timezone.now()
            )
        except DatabaseError:  # e.g. SQLite's "database is locked" while the job writes
            logger.warning("Job %s: heartbeat not written", self.job.pk, exc_info=True)

    def stop(self):
        self.stopped.set()
        self.join()


@background()
def run_job(job_pk):
    job = Job.objects.filter(pk=job_pk).first()
    if job is None or job.finished:
        return None  # deleted, or queued again after it had finished
    job.status = Job.Status.RUNNING
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "heartbeat_at"])
    runner = import_string(RUNNERS[job.kind])
    heartbeat = Heartbeat(job)
    heartbeat.start()
    try:
        try:
            job.result = runner(job, Progress(job)) or {}
        finally:
            heartbeat.stop()  # before the last write, so no beat comes after it
    except JobFailed as failure:
        _fail(job, str(failure))
        return None
    except Exception:
        _fail(job, _("The job failed unexpectedly; the administrators can see why in the log."))
        raise
    job.status = Job.Status.DONE
    job.done = job.total = max(job.total, job.done)
    job.finished_at = timezone.now()
    job.save()
    return job.pk


def _fail(job, message):
    if job.file:
        job.file.delete(save=False)
    job.status = Job.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save()


def requeue_stale():
    """Queue again the jobs whose worker died: running, and no sign of life for JOB_STALE_MINUTES.

    Returns how many were queued again. Safe on several machines at once (one UPDATE each).
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES)
    alive = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__gte=cutoff).values_list(
        "task_id", flat=True
    )
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).exclude(
        id__in=[task_id for task_id in alive if task_id]
    )
    stale_ids = [str(pk) for pk in stale.values_list("id", flat=True)]
    if not stale_ids:
        return 0
    count = DBTaskResult.objects.filter(id__in=stale_ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY
    )
    Job.objects.filter(task_id__in=stale_ids, status=Job.Status.RUNNING).update(status=Job.Status.QUEUED)
    logger.warning("Queued again %s job(s) whose worker stopped answering", count)
    return count
