"""The background worker: runs the queued jobs (projects/jobs.py), on any number of machines."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from projects import jobs

SIGNALS = [signal.SIGINT, signal.SIGTERM]


class Command(BaseCommand):
    help = (
        "Run queued background jobs (imports, exports, notifications). Without --until-empty it runs "
        "until stopped; SIGTERM lets the current job finish first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until-empty", action="store_true", help="Run what is queued, then exit (tests, CI, cron)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="A name unique across all workers (default: host-independent random id).",
        )

    def handle(self, *args, until_empty=False, interval=1.0, worker_id="", **options):
        handler = logging.StreamHandler(self.stdout)
        logging.getLogger("django_tasks_db").addHandler(handler)
        previous = {number: signal.getsignal(number) for number in SIGNALS}
        worker_id = worker_id or get_random_string(32)
        try:
            while True:
                jobs.requeue_stale()
                # A batch worker runs every ready job, then returns; between batches we sleep here.
                worker = Worker(
                    queue_names=["*"],
                    interval=0,
                    batch=True,
                    backend_name="default",
                    startup_delay=False,
                    max_tasks=None,
                    worker_id=worker_id,
                    excluded_queue_names=[],
                )
                worker.configure_signals()
                worker.run()
                if until_empty or not worker.running:
                    break
                time.sleep(interval)
        finally:
            for number, old in previous.items():
                signal.signal(number, old)
            logging.getLogger("django_tasks_db").removeHandler(handler)
