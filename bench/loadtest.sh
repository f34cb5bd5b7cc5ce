#!/usr/bin/env bash
# make loadtest: the production server (gunicorn, DEBUG=0, PostgreSQL, persistent connections) on
# loopback, for a bounded time, in one of two modes (LOADTEST_MODE):
# - open (default): locust headless with a bounded number of logged-in users who think between
#   pages. Prints requests/s, median, p95 and errors (logins left out), writes bench-results/loadtest.json.
# - closed: wrk with LOADTEST_CONNECTIONS connections, each sending its next request as soon as the
#   last one is answered (no think time: the saturation throughput), logged in, over the mixed pages
#   (bench/wrk_mixed.lua, paths from bench/wrk_setup.py); then, in the same run and with the same
#   gunicorn settings, a bare Django view (bench/bare_django.py). Prints req/s, p50/p95/p99 and errors
#   of both and the ratio; writes bench-results/loadtest-closed.json.
#
# Knobs (environment): DATABASE_URL (default the scale-1 bench database, generated if missing or
# empty), LOADTEST_PORT (8791; the bare view on the next port), WEB_CONCURRENCY (gunicorn workers, 4),
# DB_CONN_MAX_AGE (600 s), LOADTEST_USERS (30), LOADTEST_SPAWN_RATE (10/s), LOADTEST_DURATION (60s
# open, 30s closed), LOADTEST_CONNECTIONS (8), LOADTEST_THREADS (wrk threads, 2).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${LOADTEST_PORT:-8791}
WORKERS=${WEB_CONCURRENCY:-4}
MODE=${LOADTEST_MODE:-open}
USERS=${LOADTEST_USERS:-30}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-10}
CONNECTIONS=${LOADTEST_CONNECTIONS:-8}
THREADS=${LOADTEST_THREADS:-2}
case "$MODE" in
  open) DURATION=${LOADTEST_DURATION:-60s} ;;
  closed) DURATION=${LOADTEST_DURATION:-30s} ;;
  *) echo "LOADTEST_MODE is open or closed, not $MODE" >&2; exit 2 ;;
esac
if [ "$MODE" = closed ] && ! command -v wrk >/dev/null; then
  # wrk from Debian's packages, as .ci/run installs Chromium.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
source bench/production_server.sh

BARE_PORT=$((PORT + 1))
for port in "$PORT" "$BARE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "Port $port is in use by another server: set LOADTEST_PORT to a free port (and the next)." >&2
    exit 2
  fi
done
echo "== gunicorn: $WORKERS sync workers on 127.0.0.1:$PORT, DB_CONN_MAX_AGE=$DB_CONN_MAX_AGE"
serve newzone.wsgi:application "$PORT" /healthz

if [ "$MODE" = closed ]; then
  serve bare_django:application "$BARE_PORT" / --chdir bench
  paths=bench-results/wrk-paths.txt
  cookie=$($BIN/python bench/wrk_setup.py "$paths")
  # One request of each page first: a page that does not answer 200 stops the run here.
  while read -r path; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path")
    [ "$status" = 200 ] || { echo "$path answered $status" >&2; exit 1; }
  done < <(sort -u "$paths")
  echo "== wrk: $CONNECTIONS connections, $THREADS threads, $DURATION each; load: $(uptime | sed 's/.*load/load/')"
  WRK_PATHS=$paths WRK_COOKIE=$cookie wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s \
    --latency -s bench/wrk_mixed.lua "http://127.0.0.1:$PORT" >bench-results/wrk-app.log
  echo / >bench-results/wrk-bare-paths.txt
  WRK_PATHS=bench-results/wrk-bare-paths.txt wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 10s --latency \
    -s bench/wrk_mixed.lua "http://127.0.0.1:$BARE_PORT" >bench-results/wrk-bare.log
  $BIN/python - "$WORKERS" "$CONNECTIONS" "$DURATION" "$(uptime | sed 's/.*load average: //')" <<'PY'
import json
import sys
import timeit

def result(log):
    return json.loads(open(log).read().strip().splitlines()[-1])

app, bare = result("bench-results/wrk-app.log"), result("bench-results/wrk-bare.log")
workers, connections, duration, load = sys.argv[1:]
print(f"\nclosed loop: {connections} connections for {duration} each, gunicorn {workers} sync workers;"
      f" load average after: {load}")
print(f"{'server':<24}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'socket':>8}")
for name, r in (("app, mixed pages", app), ("bare Django view", bare)):
    print(f"{name:<24}{r['requests_per_second']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
          f"{r['errors']:>8}{r['socket_errors']:>8}")
ratio = app["requests_per_second"] / bare["requests_per_second"]
print(f"\napp ÷ bare Django: {ratio:.3f} ({app['requests_per_second']} of {bare['requests_per_second']} req/s);"
      f" target ≥ 80 req/s at p95 < 300 ms")
# The machine's pure-Python speed right after the run (bench/run.py prints the same reference).
speed = round(min(timeit.repeat("sum(range(1_000_000))", number=5, repeat=5)) / 5 * 1000, 1)
print(f"Python speed: {speed} ms for sum(range(10⁶))")
json.dump({"app": app, "bare": bare, "ratio": round(ratio, 4), "load_average": load, "python_speed_ms": speed,
           "connections": int(connections), "workers": int(workers)},
          open("bench-results/loadtest-closed.json", "w"), indent=2)
PY
  exit 0
fi

echo "== locust: $USERS users (spawn $SPAWN_RATE/s) for $DURATION"
LOADTEST_OUT=bench-results/loadtest.json $BIN/locust -f bench/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --stop-timeout 5 \
  --only-summary --csv bench-results/loadtest --exit-code-on-error 0 >bench-results/loadtest.log 2>&1 || {
  tail -20 bench-results/loadtest.log >&2; exit 1; }

$BIN/python - "$WORKERS" "$DB_CONN_MAX_AGE" <<'PY'
import json
import sys

r = json.load(open("bench-results/loadtest.json"))
print(f"\nworkers={sys.argv[1]} (sync), DB_CONN_MAX_AGE={sys.argv[2]} s, users={r['users']}, "
      f"measured {r['seconds_measured']} s after all logins")
print(f"{'page':<16}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}")
for name, p in r["pages"].items():
    print(f"{name:<16}{p['requests']:>9}{p['errors']:>8}{p['median_ms']:>11}{p['p95_ms']:>9}")
print(f"{'ALL':<16}{r['requests']:>9}{r['errors']:>8}{r['median_ms']:>11}{r['p95_ms']:>9}")
print(f"\n{r['requests_per_second']} requests/s, p95 {r['p95_ms']} ms, {r['errors']} errors")
PY
