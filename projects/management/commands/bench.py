"""`manage.py bench`: time the app's pages on the current database (filled by `generate_data`).

`make bench` runs it on a fresh PostgreSQL database per scale (see bench/run.py). For every page it
records the median and p95 server time of N requests through Django's test client (in-process, a
logged-in coordinator; timed with time.perf_counter), split into SQL time (every query's execute,
timed by a connection.execute_wrapper) and Python time (the rest), the query count of one request
(CaptureQueriesContext), and, as baselines measured in the same run, the Django admin changelists of
the same models and the bare SQL of each dashboard request (the queries it ran, minus the session and
user look-ups, executed raw through a cursor). The export's peak Python memory comes from tracemalloc.
A page that does not exist yet is reported as "missing".
"""

import json
import math
import re
import statistics
import time
import tracemalloc
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from projects.background import EXPORT_BACKGROUND_ROWS
from projects.models import Issue, ListingLevel, Project, Stage

PAGE_SIZE = 50
# Queries of every request that are not the page's own work: the session, the user, their staff
# profile and roles (a look-up, not an aggregate; a figure grouped by leader also reads projects_staff).
OVERHEAD = re.compile(
    r'^(SELECT .*? FROM|UPDATE|INSERT INTO) "(django_session|auth_user|projects_staff|projects_role)"'
)


def is_overhead(sql):
    return bool(OVERHEAD.match(sql)) and not any(word in sql for word in ("GROUP BY", "COUNT(", "SUM("))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def summary(times):
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(percentile(times, 0.95) * 1000, 2),
    }


class SQLTimer:
    """A connection.execute_wrapper adding up the time spent in the database driver's execute."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class Command(BaseCommand):
    help = "Time the app's pages, the admin changelists and the dashboard's bare SQL on this database."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
        parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
        parser.add_argument("--label", default="", help="e.g. the scale, stored with the results")

    def handle(self, *args, repeat, out, label, **options):
        self.repeat = repeat
        users = get_user_model().objects
        coordinator = users.get(username="coordinator")
        superuser = users.get(username="superuser")
        self.app = Client()
        self.app.force_login(coordinator, backend="django.contrib.auth.backends.ModelBackend")
        self.admin = Client()
        self.admin.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
        # The first request after a login records when the session's expiry was last slid (a
        # write that then comes at most once a minute): made here, not counted in the first page.
        self.app.get("/healthz")
        self.admin.get("/healthz")

        today = timezone.localdate()
        year, month = today.year, today.month
        projects = Project.objects.count()
        deep_page = max(1, math.ceil(projects / PAGE_SIZE) * 4 // 5)
        # A started project (with progress notes) with the most issues: the fullest detail page.
        busiest_project = (
            Project.objects.exclude(stage=Stage.PREPARATION)
            .annotate(n=Count("issues"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        busiest_issue = (
            Issue.objects.annotate(n=Count("events"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        filtered = f"/projects/?year={year}&level={ListingLevel.DISTRICT}"
        pages = [
            ("dashboard", self.app, f"/dashboard/?year={year}&month={month}"),
            ("dashboard.json", self.app, f"/dashboard.json?year={year}&month={month}"),
            ("project list, filtered p1", self.app, filtered),
            ("project list, deep page", self.app, f"/projects/?page={deep_page}"),
            ("project detail", self.app, f"/projects/{busiest_project}/"),
            ("issue list", self.app, "/issues/"),
            ("issue detail", self.app, f"/issues/{busiest_issue}/"),
            ("home", self.app, "/"),
            ("admin: project changelist", self.admin, "/admin/projects/project/"),
            (
                "admin: project changelist, deep page",
                self.admin,
                f"/admin/projects/project/?p={deep_page // 2}",
            ),
            ("admin: issue changelist", self.admin, "/admin/projects/issue/"),
        ]
        results = {
            "label": label,
            "date": timezone.now().isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "repeat": repeat,
            "rows": {
                "projects": projects,
                "issues": Issue.objects.count(),
            },
            "pages": {},
        }
        for name, client, url in pages:
            self.stdout.write(f"  {name}: {url}")
            results["pages"][name] = self.measure(client, url, bare_sql=name.startswith("dashboard"))
        results["pages"]["export (all projects)"] = self.measure_export("/projects/export.xlsx", projects)
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        self.stdout.write(json.dumps(results["pages"], indent=1, ensure_ascii=False))

    # -----------------------------------------------------------------------------------------------

    def missing(self, url):
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            return True
        return False

    def fetch(self, client, url):
        """One request, streaming bodies consumed; returns (status, bytes)."""
        response = client.get(url)
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        response.close()
        return response.status_code, size

    def measure(self, client, url, bare_sql=False):
        if self.missing(url):
            return {"status": "missing", "url": url}
        try:
            with CaptureQueriesContext(connection) as captured:
                status, size = self.fetch(client, url)
        except Exception as exc:  # a page under construction must not stop the benchmark
            return {"status": f"error: {type(exc).__name__}: {exc}"[:200], "url": url}
        # Read now: the next request clears the connection's query log.
        queries = [q["sql"] for q in captured.captured_queries]
        if status == 404 and "/admin/" not in url:
            return {"status": "missing", "url": url}
        if status != 200:
            return {"status": f"HTTP {status}", "url": url}
        own = [sql for sql in queries if sql.startswith(("SELECT", "WITH")) and not is_overhead(sql)]
        times, sql_times, page_sql, page_python = [], [], [], []
        for _ in range(self.repeat):
            timer = SQLTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                self.fetch(client, url)
                elapsed = time.perf_counter() - started
            times.append(elapsed)
            page_sql.append(timer.seconds)
            page_python.append(elapsed - timer.seconds)
            if bare_sql:
                # Interleaved with the page's requests, so that a change of the machine's load
                # during the run touches both sides of the ratio alike.
                sql_times.append(self.time_sql(own))
        result = {
            "status": "ok",
            "url": url,
            "queries": len(queries),
            "bytes": size,
            **summary(times),
            "sql_ms": round(statistics.median(page_sql) * 1000, 2),
            "python_ms": round(statistics.median(page_python) * 1000, 2),
        }
        if bare_sql:
            result["bare_sql"] = {"queries": len(own), **summary(sql_times)}
        return result

    def time_sql(self, statements):
        """One run of the page's own queries, executed raw: the floor the page cannot go below."""
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            return time.perf_counter() - started

    def measure_export(self, url, rows):
        if rows > EXPORT_BACKGROUND_ROWS:
            # The page answers with a background job (a redirect to its progress page): nothing to time
            # here, and every request would queue one more job.
            return {"status": "background job", "url": url}
        # Up to EXPORT_BACKGROUND_ROWS rows, seconds a request: three timed requests give a median.
        repeat, self.repeat = self.repeat, min(self.repeat, 3)
        try:
            result = self.measure(self.app, url)
        finally:
            self.repeat = repeat
        if result["status"] != "ok":
            return result
        tracemalloc.start()
        try:
            self.fetch(self.app, url)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        result.update(rows=rows, peak_memory_mb=round(peak / 1024 / 1024, 2))
        return result
