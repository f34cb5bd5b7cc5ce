"""Remove what nobody will ask for again: unconfirmed ledger previews, files of failed uploads, old job
results (cron, daily, any server)."""

import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from projects.models import Job, Photo
from projects.views.ledger import STORAGE_DIR as LEDGER_PREVIEWS

PREVIEW_HOURS = 24  # an uploaded ledger waits this long for its confirmation
ORPHAN_HOURS = 6  # a photo file without its row, older than any request or job could be
JOB_DAYS = 7  # finished jobs (and their downloads) are kept this long
CHUNK = 500


def walk(storage, folder):
    """Every file path under `folder` of `storage` (local folder or bucket)."""
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for name in folders:
        yield from walk(storage, f"{folder}/{name}")


class Command(BaseCommand):
    help = (
        f"Delete ledger previews older than {PREVIEW_HOURS} h, photo files without a photo older than "
        f"{ORPHAN_HOURS} h, and jobs finished more than {JOB_DAYS} days ago with their files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would go; delete nothing.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        storage = default_storage
        doomed = []
        for name in walk(storage, LEDGER_PREVIEWS):
            if storage.get_modified_time(name) < now - datetime.timedelta(hours=PREVIEW_HOURS):
                doomed.append(name)
        orphans = [
            name
            for name in walk(storage, "photos")
            if storage.get_modified_time(name) < now - datetime.timedelta(hours=ORPHAN_HOURS)
        ]
        for start in range(0, len(orphans), CHUNK):
            chunk = orphans[start : start + CHUNK]
            known = set(Photo.objects.filter(image__in=chunk).values_list("image", flat=True))
            doomed += [name for name in chunk if name not in known]
        old_jobs = Job.objects.filter(finished_at__lt=now - datetime.timedelta(days=JOB_DAYS))
        doomed += [job.file.name for job in old_jobs if job.file]
        for name in doomed:
            self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
            if not dry_run:
                storage.delete(name)
        if not dry_run:
            jobs = old_jobs.delete()[0]
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
                finished_at__lt=now - datetime.timedelta(days=JOB_DAYS),
            ).delete()
        else:
            jobs = old_jobs.count()
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}{len(doomed)} file(s), {jobs} job(s).")
