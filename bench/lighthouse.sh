#!/usr/bin/env bash
# make bench-lighthouse: Lighthouse (npm, pinned in package.json) with Debian's Chromium scores the
# performance of the pages people open most, on the production server (bench/production_server.sh:
# gunicorn, DEBUG=0, whitenoise's compressed manifest static files) and the scale-1 zone, with
# Lighthouse's default mobile preset (slow 4G, 4× CPU slowdown, simulated). Logged in as the
# coordinator: the session cookie goes with every request (--extra-headers); the login page without.
# Prints each page's score (target ≥ 90) and its FCP, LCP, TBT; reports in bench-results/lighthouse/.
#
# Knobs (environment): DATABASE_URL, LIGHTHOUSE_PORT (8793), WEB_CONCURRENCY (4), CHROME_PATH,
# LIGHTHOUSE_PAGES (some of the page names below, e.g. "dashboard home"; default all).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${LIGHTHOUSE_PORT:-8793}
WORKERS=${WEB_CONCURRENCY:-4}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
source bench/production_server.sh
OUT=bench-results/lighthouse
mkdir -p "$OUT"

if curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
  echo "Port $PORT is in use by another server: set LIGHTHOUSE_PORT to a free port." >&2
  exit 2
fi
serve newzone.wsgi:application "$PORT" /healthz
cookie=$($BIN/python bench/wrk_setup.py "$OUT/paths.txt")
read -r year month < <(date +"%Y %-m")
project=$(grep -m1 -E '^/projects/[0-9]+/$' "$OUT/paths.txt")
pages=(
  "login /login/"
  "home /"
  "dashboard /dashboard/?year=$year&month=$month"
  "project-list /projects/"
  "issue-list /issues/"
  "project-detail $project"
)
echo "== lighthouse $(node_modules/.bin/lighthouse --version), mobile preset; load: $(uptime | sed 's/.*load average: //')"
if [ -n "${LIGHTHOUSE_PAGES:-}" ]; then
  chosen=()
  for entry in "${pages[@]}"; do
    [[ " $LIGHTHOUSE_PAGES " == *" ${entry%% *} "* ]] && chosen+=("$entry")
  done
  if [ ${#chosen[@]} -eq 0 ]; then
    echo "LIGHTHOUSE_PAGES names none of: login home dashboard project-list issue-list project-detail" >&2
    exit 2
  fi
  pages=("${chosen[@]}")
fi
for entry in "${pages[@]}"; do
  read -r name path <<<"$entry"
  headers=()
  [ "$name" = login ] || headers=(--extra-headers "{\"Cookie\": \"$cookie\"}")
  # Warm the workers (templates compiled, connections open): the score is of a page, not of a start-up.
  for _ in 1 2 3 4; do curl -s -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path"; done
  # The trace of a run is now and then incomplete (NO_NAVSTART on a loaded machine): one more try.
  for attempt in 1 2; do
    node_modules/.bin/lighthouse "http://127.0.0.1:$PORT$path" --quiet --only-categories=performance \
      --output=json --output-path="$OUT/$name.json" "${headers[@]}" \
      --chrome-flags="--headless=new --no-sandbox --disable-background-networking --disable-component-update --disable-sync" \
      && ! grep -q '"runtimeError"' "$OUT/$name.json" && break
  done || true
done
node - "$OUT" "$(uptime | sed 's/.*load average: //')" "${pages[@]}" <<'JS'
const fs = require("fs");
const [out, load, ...pages] = process.argv.slice(2);
const ms = (report, id) => Math.round(report.audits[id].numericValue);
console.log(`\n${"page".padEnd(16)}${"score".padStart(6)}${"FCP ms".padStart(8)}${"LCP ms".padStart(8)}${"TBT ms".padStart(8)}  url`);
for (const entry of pages) {
  const [name, path] = entry.split(" ");
  const report = JSON.parse(fs.readFileSync(`${out}/${name}.json`, "utf8"));
  if (report.runtimeError) {
    console.log(`${name.padEnd(16)}${"error".padStart(6)}  ${path}  (${report.runtimeError.code})`);
    continue;
  }
  const score = Math.round(report.categories.performance.score * 100);
  const final = report.finalDisplayedUrl || report.finalUrl;
  const warn = final.includes("/login/") && name !== "login" ? "  (redirected to the login!)" : "";
  console.log(`${name.padEnd(16)}${String(score).padStart(6)}${String(ms(report, "first-contentful-paint")).padStart(8)}` +
    `${String(ms(report, "largest-contentful-paint")).padStart(8)}${String(ms(report, "total-blocking-time")).padStart(8)}  ${path}${warn}`);
}
console.log(`\nload average after: ${load}; target: ≥ 90 on every page`);
JS
