#!/usr/bin/env bash
# Benchmark of the request pages on a street with 100,000 requests in one month (see bench/README.md).
#
#   bash bench/requests.sh                      # PostgreSQL at 127.0.0.1:5432, about 4 minutes
#   bash bench/requests.sh sqlite               # an SQLite file under the log folder
#   DURATION=5s REQUESTS=20000 bash bench/requests.sh
#
# Everything stays on loopback: PostgreSQL at 127.0.0.1, gunicorn on 127.0.0.1:$PORT.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
KIND=${1:-postgresql}
VENV=${VENV:-$ROOT/.venv}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${BENCH_DB:-bench_requests_$$}
PORT=${PORT:-8766}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-8}
DURATION=${DURATION:-15s}
SOLO_DURATION=${SOLO_DURATION:-5s}   # 0: skip the one-connection runs
SLOW_MS=${SLOW_MS:-300}
TIMEOUT=${TIMEOUT:-10s}              # wrk's own is 2 s: a slow page queued behind 8 connections would count as socket errors
REQUESTS=${REQUESTS:-100000}
ONLY=${ONLY:-}                       # e.g. 'worker queue|street requests': only the pages whose name matches (awk regex)

case "$KIND" in postgresql | sqlite) ;; *) echo "usage: $0 [postgresql|sqlite]" >&2; exit 2 ;; esac
case "$DB" in bench_requests*) ;; *) echo "BENCH_DB must start with bench_requests (it is dropped)" >&2; exit 2 ;; esac
for tool in curl wrk "$VENV/bin/gunicorn"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
[ "$KIND" = sqlite ] || command -v psql >/dev/null || { echo "missing: psql" >&2; exit 2; }
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "something already listens on 127.0.0.1:$PORT; set PORT" >&2
  exit 2
fi
if ! ls consult/translations/*/LC_MESSAGES/messages.mo >/dev/null 2>&1; then
  "$VENV/bin/pybabel" compile -q -d consult/translations   # what `make catalogues` does; *.mo are git-ignored
fi

LOG=$(mktemp -d /tmp/consult-bench-requests.XXXXXX)
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 -qAt)
if [ "$KIND" = sqlite ]; then
  export DATABASE_URL="sqlite:///$LOG/$DB.db"
else
  export DATABASE_URL="postgresql+psycopg://$PGUSER@127.0.0.1:$PGPORT/$DB"
fi
export CONSULT_ENV=production
export SECRET_KEY=${SECRET_KEY:-bench-$(date +%s)-secret}
export SESSION_COOKIE_SECURE=0
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}
export CONSULT_INSTANCE=$LOG/instance
unset REDIS_URL

GUNICORN_PID=
cleanup() {
  local status=$?
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_DB:-0}" = 1 ]; then
    echo "kept database $DATABASE_URL"
  elif [ "$KIND" = sqlite ]; then
    rm -f "$LOG/$DB.db"
  else
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  fi
  echo "logs: $LOG"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== database $DATABASE_URL"
if [ "$KIND" = postgresql ]; then
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  "${PSQL[@]}" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8'"
fi

echo "== seeding $REQUESTS requests"
"$VENV/bin/python" bench/seed_requests.py --requests "$REQUESTS" --out "$LOG/seed.json" >"$LOG/seed.log" 2>&1 \
  || { tail -n 30 "$LOG/seed.log" >&2; exit 1; }
read -r STREET SLUG RID MONTH SECONDS < <("$VENV/bin/python" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["street"], d["community"], d["request_id"], d["month"], d["seconds"])' "$LOG/seed.json")
"$VENV/bin/python" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("seeded", d["month"], "in", d["seconds"], "s:", ", ".join(f"{k} {v}" for k, v in d["sizes"].items()))' "$LOG/seed.json"

# name <TAB> who <TAB> path (who: visitor, worker of the first community, street_admin)
cat >"$LOG/pages.tsv" <<PAGES
public list	visitor	/c/$SLUG/requests/
public list p.50	visitor	/c/$SLUG/requests/?page=50
worker queue	worker	/manage/c/$SLUG/requests/
street requests	street_admin	/manage/streets/$STREET/requests/
recurring (community)	worker	/manage/c/$SLUG/requests/recurring
recurring (street)	street_admin	/manage/streets/$STREET/requests/recurring
recurring 90d (street)	street_admin	/manage/streets/$STREET/requests/recurring?days=90
request (worker)	worker	/requests/$RID
request (public)	visitor	/requests/$RID
PAGES
if [ -n "$ONLY" ]; then
  awk -F'\t' -v only="$ONLY" '$1 ~ only' "$LOG/pages.tsv" >"$LOG/pages.only"
  [ -s "$LOG/pages.only" ] || { echo "ONLY matches no page" >&2; exit 2; }
  mv "$LOG/pages.only" "$LOG/pages.tsv"
fi

echo "== SQL statements per page, evaluation month"
"$VENV/bin/python" bench/request_figures.py "$LOG/seed.json" "$LOG/pages.tsv" --cookies "$LOG/cookies.tsv" \
  >"$LOG/figures.log" 2>&1 || { tail -n 30 "$LOG/figures.log" >&2; exit 1; }
grep '^EVAL ' "$LOG/figures.log" | sed 's/^EVAL /  /'

echo "== gunicorn -w $WORKERS on 127.0.0.1:$PORT"
"$VENV/bin/gunicorn" -w "$WORKERS" -b "127.0.0.1:$PORT" --error-logfile "$LOG/gunicorn.log" wsgi:app &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$LOG/gunicorn.log" >&2; exit 1; }
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" || { echo "no /healthz" >&2; cat "$LOG/gunicorn.log" >&2; exit 1; }

cookie() { awk -F'\t' -v who="$1" '$1 == who { print $2 }' "$LOG/cookies.tsv"; }

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency per page, then -t1 -c1 -d$SOLO_DURATION"
: >"$LOG/results.tsv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
while IFS=$'\t' read -r name who path; do
  header=()
  [ "$who" = visitor ] || header=(-H "Cookie: $(cookie "$who")")
  for _ in 1 2 3 4; do   # warm up (each worker compiles its templates once); every page must answer 200
    code=$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "http://127.0.0.1:$PORT$path")
    [ "$code" = 200 ] || { echo "GET $path as $who answered $code" >&2; tail -n 40 "$LOG/gunicorn.log" >&2; exit 1; }
  done
  file="$LOG/wrk-$(echo "$name" | tr -c 'A-Za-z0-9' '_')"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s bench/report.lua "${header[@]}" \
    "http://127.0.0.1:$PORT$path" >"$file.txt"
  solo="BENCH -"
  if [ "$SOLO_DURATION" != 0 ]; then
    wrk -t1 -c1 -d"$SOLO_DURATION" --timeout "$TIMEOUT" --latency -s bench/report.lua "${header[@]}" "http://127.0.0.1:$PORT$path" >"$file.solo.txt"
    solo=$(grep '^BENCH ' "$file.solo.txt")
  fi
  queries=$(awk -v n="$(echo "$name" | tr ' ' '_')" '$1 == "QUERIES" && $2 == n { print $3 }' "$LOG/figures.log")
  printf '%s\t%s\t%s\t%s\n' "$name" "$(grep '^BENCH ' "$file.txt")" "$solo" "${queries:--}" >>"$LOG/results.tsv"
done <"$LOG/pages.tsv"

echo
STATUS=0
"$VENV/bin/python" bench/table.py "$LOG/results.tsv" "$SLOW_MS" || STATUS=$?
echo "($KIND; $REQUESTS requests in $MONTH; wrk -t$THREADS -c$CONNECTIONS -d$DURATION under load, -t1 -c1 -d$SOLO_DURATION" \
     "for 1-conn; gunicorn -w $WORKERS sync workers; $(nproc) CPUs shared by wrk, gunicorn and the database;" \
     "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg))"
exit "$STATUS"
