"""`manage.py generate_data --scale N [--seed S]`: a synthetic zone for benchmarks and load tests."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from projects import synthetic


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a synthetic zone: at scale 1 about 1,000 projects, 2,000 listings "
        "over 10 years, 20,000 monthly reports, 5,000 visits and 10,000 issues with their timelines. "
        f"Every generated user's password is {synthetic.PASSWORD!r}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiple of the scale-1 zone (e.g. 0.05, 1, 10)"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed; the same seed gives the same zone"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="the date the zone is generated as of (YYYY-MM-DD; default today)",
        )
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, scale, seed, today, batch_size, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        started = time.perf_counter()
        try:
            counts = synthetic.generate(scale=scale, seed=seed, today=today, batch_size=batch_size)
        except synthetic.NotEmptyError:
            raise CommandError(
                "The database is not empty (it already has parks, projects, staff or users). "
                "generate_data only fills an empty database: create a new one and run `migrate` first."
            ) from None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh statistics and visibility map, as autovacuum would leave them on a live database:
            # without them the planner guesses and index-only scans read the heap. (VACUUM cannot run
            # inside a transaction, such as a test's.)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        for name, number in counts.items():
            self.stdout.write(f"{name:>28} {number:>9,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated scale {scale:g} (seed {seed}) in {time.perf_counter() - started:.1f} s."
            )
        )
