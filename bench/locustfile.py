"""Locust workload for `make loadtest`: logged-in staff browsing the app (loopback only).

Each simulated user is logged in as a persona of the synthetic zone (password of generate_data), then
mixes the pages people use all day: home, project list (with a filter or a later page), project
detail, issue list, dashboard and dashboard.json. Logins are slow on purpose (PBKDF2), so they are
left out of the figures: the summary written at the end (bench-results/loadtest.json) counts only
requests made after every user had logged in.
"""

import json
import os
import random
import re
import statistics
import time
from pathlib import Path

from gevent.event import AsyncResult
from locust import HttpUser, between, events, task

PASSWORD = "demo-pass-2026"
# Zone-wide roles and park-bound ones, as in a working day of the zone.
PERSONAS = [
    "coordinator",
    "leader",
    "grid",
    "coordinator0002",
    "leader0002",
    "grid0002",
    "supervisor",
    "leader0003",
    "grid0003",
    "dept",
]
PROJECT_LINK = re.compile(r'href="/projects/(\d+)/"')
RESULTS = Path(os.environ.get("LOADTEST_OUT", "bench-results/loadtest.json"))

_logins = {"expected": 0, "done": 0, "all_done_at": None}
_samples = []  # (time, name, milliseconds, failed)
_sessions = {}  # username -> AsyncResult of the session cookies


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    if name != "login":
        _samples.append((time.time(), name, response_time, exception is not None))


@events.test_start.add_listener
def _started(environment, **kwargs):
    _logins["expected"] = environment.parsed_options.num_users if environment.parsed_options else 0


@events.quitting.add_listener
def _summary(environment, **kwargs):
    start = _logins["all_done_at"] or (min(s[0] for s in _samples) if _samples else time.time())
    measured = [s for s in _samples if s[0] >= start]
    if not measured:
        print("loadtest: no request measured")
        return
    window = max(s[0] for s in measured) - start or 1.0
    times = sorted(s[2] for s in measured)

    def p95(values):
        return values[min(len(values) - 1, int(0.95 * len(values)))]

    per_page = {}
    for _t, name, ms, failed in measured:
        page = per_page.setdefault(name, {"requests": 0, "errors": 0, "times": []})
        page["requests"] += 1
        page["errors"] += failed
        page["times"].append(ms)
    result = {
        "users": _logins["expected"],
        "seconds_measured": round(window, 1),
        "requests": len(measured),
        "requests_per_second": round(len(measured) / window, 1),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95(times), 1),
        "errors": sum(s[3] for s in measured),
        "pages": {
            name: {
                "requests": page["requests"],
                "errors": page["errors"],
                "median_ms": round(statistics.median(page["times"]), 1),
                "p95_ms": round(p95(sorted(page["times"])), 1),
            }
            for name, page in sorted(per_page.items())
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)
    _next = 0

    def on_start(self):
        # One real login per persona through the login form; the other users of the same persona
        # share its session, like one person with several tabs (PBKDF2 costs ~1.7 s of CPU a login).
        Staff._next += 1
        username = PERSONAS[(Staff._next - 1) % len(PERSONAS)]
        if username not in _sessions:
            _sessions[username] = AsyncResult()
            self.client.get("/login/", name="login")
            token = self.client.cookies.get("csrftoken", "")
            with self.client.post(
                "/login/",
                {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host + "/login/"},
                name="login",
                catch_response=True,
            ) as response:
                if "/login/" in response.url:
                    response.failure(f"login of {username} refused")
            _sessions[username].set(self.client.cookies.get_dict())
        self.client.cookies.update(_sessions[username].get(timeout=300))
        self.projects = []
        self.year = time.localtime().tm_year
        self.month = time.localtime().tm_mon
        _logins["done"] += 1
        if _logins["done"] >= _logins["expected"] and _logins["all_done_at"] is None:
            _logins["all_done_at"] = time.time()

    def get(self, path, name):
        """A page that must answer 200 to the logged-in user (a redirect to the login is an error)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/login/" in response.url:
                response.failure("not logged in")
        return response

    @task(3)
    def home(self):
        self.get("/", name="home")

    @task(3)
    def project_list(self):
        page = random.randint(1, 5)
        query = random.choice(
            [f"?page={page}", f"?year={self.year}&level=district", f"?year={self.year}&kind=new"]
        )
        response = self.get("/projects/" + query, name="project list")
        self.projects = PROJECT_LINK.findall(response.text)[:20] or self.projects

    @task(4)
    def project_detail(self):
        if not self.projects:
            return self.project_list()
        self.get(f"/projects/{random.choice(self.projects)}/", name="project detail")

    @task(2)
    def issue_list(self):
        self.get("/issues/", name="issue list")

    @task(1)
    def dashboard(self):
        self.get(f"/dashboard/?year={self.year}&month={self.month}", name="dashboard")

    # A reader of the JSON (the dashboard page no longer fetches it for its charts).
    @task(1)
    def dashboard_json(self):
        self.get(f"/dashboard.json?year={self.year}&month={self.month}", name="dashboard.json")
