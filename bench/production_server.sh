# Sourced by bench/loadtest.sh and bench/lighthouse.sh: the production settings (DEBUG=0, PostgreSQL,
# persistent connections, whitenoise's compressed manifest static files), the scale-1 bench database
# (generated if missing or empty), and `serve MODULE PORT PATH [gunicorn args]`, which starts gunicorn
# with WORKERS sync workers on loopback, waits until PATH answers, and stops it when the script exits.
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/newzone_bench_s1}
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-loadtest-only-not-secret} ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING
export DB_CONN_MAX_AGE=${DB_CONN_MAX_AGE:-600}
mkdir -p bench-results

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "make loadtest and make bench-lighthouse run on PostgreSQL: set DATABASE_URL=postgres://…" >&2; exit 2 ;;
esac
if ! psql "$DATABASE_URL" -tAc "SELECT count(*) FROM projects_project" 2>/dev/null | grep -qv '^0$'; then
  echo "== no zone in ${DATABASE_URL##*/}: creating it at scale 1"
  db=${DATABASE_URL##*/}
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\""
  $BIN/python manage.py migrate --noinput -v0
  $BIN/python manage.py generate_data --scale 1 --seed 1
fi
# Collected and compressed again only when a static file or a bundle changed since the last run.
if [ ! -f staticfiles/staticfiles.json ] || [ -n "$(find static frontend-build node_modules/.installed -newer staticfiles/staticfiles.json 2>/dev/null | head -1)" ]; then
  $BIN/python manage.py collectstatic --noinput -v0
fi

GUNICORN_ARGS=(--workers "$WORKERS" --worker-class sync --timeout 30 --log-level warning)
SERVERS=()
trap 'for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done' EXIT
serve() {
  local module=$1 port=$2 path=$3
  shift 3
  $BIN/gunicorn "$module" --bind "127.0.0.1:$port" "${GUNICORN_ARGS[@]}" "$@" &
  SERVERS+=($!)
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port$path" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$port$path" >/dev/null
}
