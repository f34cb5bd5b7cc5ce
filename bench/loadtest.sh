#!/usr/bin/env bash
# make loadtest: the production server (gunicorn, DEBUG=0, PostgreSQL, persistent connections) on
# loopback, driven by locust headless for a bounded time with a bounded number of logged-in users.
# Prints requests/s, median, p95 and errors (logins left out) and writes bench-results/loadtest.json.
#
# Knobs (environment): DATABASE_URL (default the scale-1 bench database, generated if missing or
# empty), LOADTEST_PORT (8791), WEB_CONCURRENCY (gunicorn workers, 4), DB_CONN_MAX_AGE (600 s),
# LOADTEST_USERS (30), LOADTEST_SPAWN_RATE (10/s), LOADTEST_DURATION (60s).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${LOADTEST_PORT:-8791}
WORKERS=${WEB_CONCURRENCY:-4}
USERS=${LOADTEST_USERS:-30}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-10}
DURATION=${LOADTEST_DURATION:-60s}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newzone_bench_s1}
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-loadtest-only-not-secret} ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-600}
mkdir -p bench-results

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "make loadtest runs on PostgreSQL: set DATABASE_URL=postgres://…" >&2; exit 2 ;;
esac
if ! psql "$DATABASE_URL" -tAc "SELECT count(*) FROM projects_project" 2>/dev/null | grep -qv '^0$'; then
  echo "== no zone in ${DATABASE_URL##*/}: creating it at scale 1"
  db=${DATABASE_URL##*/}
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
  $BIN/python manage.py migrate --noinput -v0
  $BIN/python manage.py generate_data --scale 1 --seed 1
fi
# Compressing the static files takes minutes (ECharts): only when something changed since the last run.
if [ ! -f staticfiles/staticfiles.json ] || [ -n "$(find static node_modules/.installed -newer staticfiles/staticfiles.json 2>/dev/null | head -1)" ]; then
  $BIN/python manage.py collectstatic --noinput -v0
fi

if curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
  echo "Port $PORT is in use by another server: set LOADTEST_PORT to a free port." >&2
  exit 2
fi
echo "== gunicorn: $WORKERS sync workers on 127.0.0.1:$PORT, DB_CONN_MAX_AGE=$DB_CONN_MAX_AGE"
$BIN/gunicorn newzone.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --worker-class sync --timeout 30 --log-level warning &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

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
