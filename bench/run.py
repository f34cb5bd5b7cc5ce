"""`make bench`: generate a zone at each scale on a fresh PostgreSQL database and time the app on it.

For every scale (default 1 and 10) it drops and creates `<database>_s<scale>` (the database named by
DATABASE_URL, default postgres://postgres@127.0.0.1:5432/newzone_bench), migrates, runs
`generate_data --scale N --seed 1` and `bench`, then prints one table comparing the scales and writes
it with the raw JSON to bench-results/ (git-ignored). Usage:

    .venv/bin/python bench/run.py [--scales 1 10] [--repeat 10] [--reuse]

--reuse keeps an already generated database of a scale (to re-time after a code change that does not
touch the schema).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import timeit
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newzone_bench"
PYTHON = sys.executable

# The order of the table; each app list is compared with the admin changelist of the same model.
ROWS = [
    "dashboard",
    "dashboard.json",
    "project list, filtered p1",
    "project list, deep page",
    "project detail",
    "issue list",
    "issue detail",
    "home",
    "export (all projects)",
    "admin: project changelist",
    "admin: project changelist, deep page",
    "admin: issue changelist",
]
VERSUS_ADMIN = [
    ("project list, filtered p1", "admin: project changelist"),
    ("project list, deep page", "admin: project changelist, deep page"),
    ("issue list", "admin: issue changelist"),
]


def python_speed_ms():
    """This machine's speed at pure Python now: the best of five runs of a fixed loop, in ms. A
    shared or throttled machine runs every page slower by about the same factor, so runs on two
    machines (or one machine at two times) compare through it."""
    return round(min(timeit.repeat("sum(range(1_000_000))", number=5, repeat=5)) / 5 * 1000, 1)


def scale_url(base_url, scale):
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/") or "newzone_bench"
    return urlunsplit(parts._replace(path=f"/{name}_s{scale}".replace(".", "_")))


def recreate(url):
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def vacuum(url):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def exists(url):
    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")]
        ).fetchone()
    return row is not None


def static_files_stale():
    """True unless the collected manifest is newer than every source static file."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [
        ROOT / "node_modules" / ".installed",
        *(ROOT / "static").rglob("*"),
        *(ROOT / "frontend-build").glob("*"),
    ]
    return any(path.exists() and path.stat().st_mtime > built for path in sources)


def manage(env, *args):
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def bench_env(url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-only-not-secret",
        ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        LOG_LEVEL="WARNING",
    )
    return env


def cell(page, key):
    if page is None:
        return "–"
    if page.get("status") != "ok":
        return page.get("status", "?").split(":")[0]
    value = page.get(key)
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def ratio(a, b):
    if not a or not b or a.get("status", "ok") != "ok" or b.get("status", "ok") != "ok":
        return "–"
    return f"{a['median_ms'] / b['median_ms']:.2f}×"


def table(results):
    scales = list(results)
    lines = []
    head = "| page |" + "".join(f" s{s} median ms | s{s} p95 ms | s{s} queries |" for s in scales)
    lines += [head, "|---|" + "---:|" * (3 * len(scales))]
    for row in ROWS:
        line = f"| {row} |"
        for s in scales:
            page = results[s]["pages"].get(row)
            line += f" {cell(page, 'median_ms')} | {cell(page, 'p95_ms')} | {cell(page, 'queries')} |"
        lines.append(line)
    # Where a page's time goes: the database (every query's execute) and Python (the rest).
    # Targets at scale 1: Python ≤ SQL + 10 ms for home, the lists and details; + 25 ms for the dashboard.
    lines += [
        "",
        "| page: median ms |" + "".join(f" s{s} total | s{s} SQL | s{s} Python |" for s in scales),
        "|---|" + "---:|" * (3 * len(scales)),
    ]
    for row in ROWS:
        line = f"| {row} |"
        for s in scales:
            page = results[s]["pages"].get(row)
            line += f" {cell(page, 'median_ms')} | {cell(page, 'sql_ms')} | {cell(page, 'python_ms')} |"
        lines.append(line)
    lines += [
        "",
        "| baseline / ratio |" + "".join(f" s{s} |" for s in scales),
        "|---|" + "---:|" * len(scales),
    ]
    for name in ("dashboard", "dashboard.json"):
        bare = [results[s]["pages"].get(name, {}).get("bare_sql") for s in scales]
        lines.append(
            f"| {name}: bare SQL median ms (queries) |"
            + "".join(f" {b['median_ms']:g} ({b['queries']}) |" if b else " – |" for b in bare)
        )
        lines.append(
            f"| {name} ÷ its bare SQL (target ≤ 1.5×) |"
            + "".join(f" {ratio(results[s]['pages'].get(name), bare[i])} |" for i, s in enumerate(scales))
        )
    for app, admin in VERSUS_ADMIN:
        lines.append(
            f"| {app} ÷ {admin} (target < 1) |"
            + "".join(
                f" {ratio(results[s]['pages'].get(app), results[s]['pages'].get(admin))} |" for s in scales
            )
        )
    export = [results[s]["pages"].get("export (all projects)", {}) for s in scales]
    lines.append(
        "| export: rows / peak Python memory MB |"
        + "".join(
            f" {e['rows']:,} / {e['peak_memory_mb']:g} |" if e.get("status") == "ok" else f" {cell(e, 'x')} |"
            for e in export
        )
    )
    if len(scales) > 1:
        first = results[scales[0]]["pages"].get("dashboard")
        for s in scales[1:]:
            lines.append(
                f"| dashboard s{s} ÷ s{scales[0]} (target ≤ 2×) |"
                + f" {ratio(results[s]['pages'].get('dashboard'), first)} |"
                + " |" * (len(scales) - 1)
            )
    lines.append(
        "| data: projects / issues |"
        + "".join(f" {results[s]['rows']['projects']:,} / {results[s]['rows']['issues']:,} |" for s in scales)
    )
    lines.append(
        "| load average (1 min) before / after |"
        + "".join(f" {' / '.join(map(str, results[s].get('load_average', ['–'])))} |" for s in scales)
    )
    lines.append(
        "| Python speed: ms for sum(range(10⁶)), before / after |"
        + "".join(f" {' / '.join(map(str, results[s].get('python_speed_ms', ['–'])))} |" for s in scales)
    )
    lines.append(
        "| generate_data seconds |" + "".join(f" {results[s].get('generate_seconds', '–')} |" for s in scales)
    )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["1", "10"])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="keep a database already generated")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench runs on PostgreSQL: set DATABASE_URL=postgres://… (or leave it unset).")
    RESULTS.mkdir(exist_ok=True)
    env = bench_env(base_url)
    if static_files_stale():
        print("== collectstatic (production static files; compressing takes a few minutes)", flush=True)
        manage(env, "collectstatic", "--noinput", "-v0")
    results = {}
    for scale in args.scales:
        url = scale_url(base_url, scale)
        env = bench_env(url)
        generated = None
        if not (args.reuse and exists(url)):
            print(f"== scale {scale}: fresh database {urlsplit(url).path.lstrip('/')}", flush=True)
            recreate(url)
            manage(env, "migrate", "--noinput", "-v0")
            generated = round(manage(env, "generate_data", "--scale", scale, "--seed", "1"), 1)
            # What autovacuum does to a live database: statistics, and the visibility map that lets
            # the covering indexes answer from the index alone.
            vacuum(url)
        out = RESULTS / f"scale-{scale}.json"
        print(f"== scale {scale}: bench, {args.repeat} requests per page", flush=True)
        load_before, speed_before = os.getloadavg()[0], python_speed_ms()
        manage(env, "bench", "--repeat", str(args.repeat), "--label", f"scale {scale}", "--out", str(out))
        results[scale] = json.loads(out.read_text())
        # The machine may be shared: its load beside the figures says how much to trust them.
        results[scale]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        results[scale]["python_speed_ms"] = [speed_before, python_speed_ms()]
        if generated is not None:
            results[scale]["generate_seconds"] = generated
    text = table(results)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M")
    (RESULTS / f"bench-{stamp}.md").write_text(text + "\n")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print(text)
    print(f"\n(written to bench-results/bench-{stamp}.md)")


if __name__ == "__main__":
    main()
