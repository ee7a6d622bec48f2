#!/usr/bin/env bash
# Benchmark of the consultation-topic pages on a seeded PostgreSQL database (see bench/README.md).
#
#   bash bench/topics.sh                 # about 2.5 minutes
#   DURATION=5s bash bench/topics.sh     # quicker
#   KEEP_DB=1 bash bench/topics.sh       # leave consult_bench behind for EXPLAIN ANALYZE
#
# Everything stays on loopback: PostgreSQL at 127.0.0.1, gunicorn on 127.0.0.1:$PORT.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${BENCH_DB:-consult_bench}
PORT=${PORT:-8765}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-15s}
SOLO_DURATION=${SOLO_DURATION:-5s}   # 0: skip the one-connection runs
SLOW_MS=${SLOW_MS:-200}

case "$DB" in consult_bench*) ;; *) echo "BENCH_DB must start with consult_bench (it is dropped)" >&2; exit 2 ;; esac
for tool in psql curl wrk "$VENV/bin/gunicorn" "$VENV/bin/flask"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "something already listens on 127.0.0.1:$PORT; set PORT" >&2
  exit 2
fi
if ! ls consult/translations/*/LC_MESSAGES/messages.mo >/dev/null 2>&1; then
  "$VENV/bin/pybabel" compile -q -d consult/translations   # what `make catalogues` does; *.mo are git-ignored
fi

LOG=$(mktemp -d /tmp/consult-bench.XXXXXX)
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 -qAt)
export DATABASE_URL="postgresql://$PGUSER@127.0.0.1:$PGPORT/$DB"
export CONSULT_ENV=production
export SECRET_KEY=${SECRET_KEY:-bench-$(date +%s)-secret}
export SESSION_COOKIE_SECURE=0
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}   # production config refuses to start without it
export FLASK_APP=wsgi.py
unset REDIS_URL

GUNICORN_PID=
cleanup() {
  local status=$?
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_DB:-0}" = 1 ]; then
    echo "kept database $DB ($DATABASE_URL)"
  else
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  fi
  echo "logs: $LOG"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== database $DB"
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
"${PSQL[@]}" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8'"
"$VENV/bin/flask" db upgrade >"$LOG/migrate.log" 2>&1 || { cat "$LOG/migrate.log" >&2; exit 1; }

echo "== seeding"
"$VENV/bin/python" bench/seed_topics.py --out "$LOG/seed.json" >"$LOG/seed.log" 2>&1 || { cat "$LOG/seed.log" >&2; exit 1; }
read -r SLUG BIG < <("$VENV/bin/python" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["slug"], d["big_topic_id"])' "$LOG/seed.json")
"$VENV/bin/python" - "$LOG/seed.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sizes"]
b = s.pop("big_topic")
by = s.pop("topics_by_status")
print(f"seeded in {d['seconds']} s: " + ", ".join(f"{k} {v}" for k, v in s.items()))
print("topics by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())))
print(f"big topic {d['big_topic_id']} ({b['status']}): {b['comments']} comments ({b['top_level_comments']} top-level), "
      f"{b['ballots']} ballots, {b['supports']} supports")
EOF

echo "== gunicorn -w $WORKERS on 127.0.0.1:$PORT"
"$VENV/bin/gunicorn" -w "$WORKERS" -b "127.0.0.1:$PORT" --error-logfile "$LOG/gunicorn.log" wsgi:app &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$LOG/gunicorn.log" >&2; exit 1; }
  sleep 0.5
done
curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" || { echo "no /healthz" >&2; cat "$LOG/gunicorn.log" >&2; exit 1; }

Q=$("$VENV/bin/python" -c 'import urllib.parse; print(urllib.parse.quote("停车"))')
PAGES=(
  "list|/c/$SLUG/topics/"
  "list?sort=supported|/c/$SLUG/topics/?sort=supported"
  "list?q=停车|/c/$SLUG/topics/?q=$Q"
  "topic $BIG|/topics/$BIG"
  "topic $BIG?page=10|/topics/$BIG?page=10"
  "community home|/c/$SLUG/"
)

# Warm up (each worker compiles its templates once) and check every page answers 200.
for entry in "${PAGES[@]}"; do
  path=${entry#*|}
  for _ in 1 2 3 4; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    [ "$code" = 200 ] || { echo "GET $path answered $code" >&2; tail -n 40 "$LOG/gunicorn.log" >&2; exit 1; }
  done
done

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency per page, then -t1 -c1 -d$SOLO_DURATION"
: >"$LOG/results.tsv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for entry in "${PAGES[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  file="$LOG/wrk-$(echo "$name" | tr -c 'A-Za-z0-9' '_')"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/report.lua "http://127.0.0.1:$PORT$path" >"$file.txt"
  solo="BENCH -"
  if [ "$SOLO_DURATION" != 0 ]; then
    # One connection, so no queue: how long one request takes on an otherwise idle server.
    wrk -t1 -c1 -d"$SOLO_DURATION" --latency -s bench/report.lua "http://127.0.0.1:$PORT$path" >"$file.solo.txt"
    solo=$(grep '^BENCH ' "$file.solo.txt")
  fi
  printf '%s\t%s\t%s\n' "$name" "$(grep '^BENCH ' "$file.txt")" "$solo" >>"$LOG/results.tsv"
done

echo
STATUS=0
"$VENV/bin/python" bench/table.py "$LOG/results.tsv" "$SLOW_MS" || STATUS=$?
echo "(wrk -t$THREADS -c$CONNECTIONS -d$DURATION under load, -t1 -c1 -d$SOLO_DURATION for 1-conn;" \
     "gunicorn -w $WORKERS sync workers; $(nproc) CPUs shared by wrk, gunicorn and PostgreSQL;" \
     "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg))"
exit "$STATUS"
