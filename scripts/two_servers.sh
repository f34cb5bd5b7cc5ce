#!/usr/bin/env bash
# Two stateless app servers on one database: gunicorn A on 127.0.0.1:8771 and B on :8772 share one
# PostgreSQL database. We log in on A, write a progress note through A, then read the project page
# from B with the same session cookie: B sees the session and the note, since both live in the database.
# Bounded (every wait has a limit), loopback only; both servers are stopped at the end.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/newzone_two_servers scripts/two_servers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newzone_two_servers}
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-two-servers-demo-not-secret} ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING DB_CONN_MAX_AGE=60
A=http://127.0.0.1:${PORT_A:-8771}
B=http://127.0.0.1:${PORT_B:-8772}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

db=${DATABASE_URL##*/}
echo "== fresh database $db with a small synthetic zone"
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py generate_data --scale 0.01 --seed 1 >/dev/null
if [ ! -f staticfiles/staticfiles.json ]; then $BIN/python manage.py collectstatic --noinput -v0; fi

for url in "$A" "$B"; do
  if curl -s -o /dev/null "$url/" 2>/dev/null; then
    echo "${url#http://} is in use by another server: set PORT_A / PORT_B to free ports." >&2
    exit 2
  fi
done
for url in "$A" "$B"; do
  $BIN/gunicorn newzone.wsgi:application --bind "${url#http://}" --workers 1 --log-level warning &
  PIDS+=($!)
done
for url in "$A" "$B"; do
  for _ in $(seq 1 60); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$url/healthz" >/dev/null
done
echo "== both servers answer: $A and $B"

JAR="$WORK/cookies"
token() { awk '$6 == "csrftoken" { print $7 }' "$JAR"; }
curl -fsS -c "$JAR" -b "$JAR" "$A/login/" >/dev/null
curl -fsS -c "$JAR" -b "$JAR" -o /dev/null -w "login on A: HTTP %{http_code} -> %{redirect_url}\n" \
  -H "Referer: $A/login/" --data-urlencode "csrfmiddlewaretoken=$(token)" \
  --data-urlencode "username=coordinator" --data-urlencode "password=demo-pass-2026" "$A/login/"

project=$(psql "$DATABASE_URL" -tAc "SELECT id FROM projects_project ORDER BY code LIMIT 1")
form=$(curl -fsS -c "$JAR" -b "$JAR" "$A/projects/$project/progress/new/")
version=$(grep -o 'name="version" value="[0-9]*"' <<<"$form" | grep -o '[0-9]*' | head -1)
marker="written-through-A-$(date +%s%N)"
curl -fsS -c "$JAR" -b "$JAR" -o /dev/null -w "progress note through A: HTTP %{http_code}\n" \
  -H "Referer: $A/projects/$project/progress/new/" --data-urlencode "csrfmiddlewaretoken=$(token)" \
  --data-urlencode "date=$(date +%F)" --data-urlencode "text=$marker" --data-urlencode "version=$version" \
  "$A/projects/$project/progress/new/"

page=$(curl -fsS -b "$JAR" "$B/projects/$project/")
if grep -q "$marker" <<<"$page"; then
  echo "OK: B (${B#http://}) shows the note written through A, to the session opened on A."
else
  echo "FAILED: B does not show the note written through A." >&2
  exit 1
fi
