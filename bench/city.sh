#!/usr/bin/env bash
# The city benchmark (issue 14, bench/README.md): for each fraction of a generated city, build it
# with `flask generate city`, serve the site with gunicorn (2 sync workers) and a bare Flask
# endpoint the same way, and measure every page with wrk, the bare endpoint interleaved between
# pages. Prints one table: each page's req/s as a share of the bare endpoint's, its SQL
# statements, p50 and p99, the fractions side by side.
#
#   bash bench/city.sh                              # PostgreSQL, fractions 0.01 and 1, Redis cache
#   FRACTIONS=0.01 DURATION=5s bash bench/city.sh   # a quick look
#   KIND=sqlite bash bench/city.sh                  # the embedded database
#   CACHE=0 bash bench/city.sh                      # without Redis: every page from the database
#
# Loopback only: PostgreSQL and Redis at 127.0.0.1, gunicorn on 127.0.0.1:$PORT and $PORT+1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
KIND=${KIND:-postgresql}
FRACTIONS=${FRACTIONS:-0.01 1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${BENCH_DB:-consult_bench_city}
PORT=${PORT:-8765}
BARE_PORT=$((PORT + 1))
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-10s}
TIMEOUT=${TIMEOUT:-10s}
CACHE=${CACHE:-1}
REDIS_DB=${REDIS_DB:-13}
SEED=${SEED:-1}

case "$DB" in consult_bench*) ;; *) echo "BENCH_DB must start with consult_bench (it is dropped)" >&2; exit 2 ;; esac
case "$KIND" in postgresql|sqlite) ;; *) echo "KIND is postgresql or sqlite" >&2; exit 2 ;; esac
for fraction in $FRACTIONS; do
  "$VENV/bin/python" -c 'import sys; f = float(sys.argv[1]); sys.exit(0 if 0 < f <= 1 else 1)' "$fraction" 2>/dev/null \
    || { echo "a fraction is a number above 0 and at most 1, not: $fraction" >&2; exit 2; }
done
tools=(curl wrk "$VENV/bin/gunicorn" "$VENV/bin/flask")
[ "$KIND" = postgresql ] && tools+=(psql)
[ "$CACHE" = 1 ] && tools+=(redis-cli)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
for port in "$PORT" "$BARE_PORT"; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "something already listens on 127.0.0.1:$port; set PORT" >&2
    exit 2
  fi
done
if ! ls consult/translations/*/LC_MESSAGES/messages.mo >/dev/null 2>&1; then
  "$VENV/bin/pybabel" compile -q -d consult/translations   # what `make catalogues` does; *.mo are git-ignored
fi

LOG=$(mktemp -d /tmp/consult-bench-city.XXXXXX)
PSQL=(psql -h 127.0.0.1 -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 -qAt)
export CONSULT_ENV=production
export SECRET_KEY=${SECRET_KEY:-bench-$(date +%s)-secret}
export SESSION_COOKIE_SECURE=0
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}   # production config refuses to start without it
export FLASK_APP=wsgi.py
if [ "$CACHE" = 1 ]; then
  export REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB"
  export RATELIMIT_KEY_PREFIX=consult-bench
else
  unset REDIS_URL
fi

PIDS=()
drop_database() {
  if [ "${KEEP_DB:-0}" = 1 ]; then
    echo "kept database $DATABASE_URL"
  elif [ "$KIND" = sqlite ]; then
    rm -f "$LOG/$DB.db"
  else
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  fi
}
stop_servers() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  PIDS=()
}
cleanup() {
  local status=$?
  stop_servers
  [ -n "${DATABASE_URL:-}" ] && drop_database
  echo "logs: $LOG"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

serve() {  # serve APP PORT LOGNAME: gunicorn with the site's settings; wait until it answers
  "$VENV/bin/gunicorn" -w "$WORKERS" -b "127.0.0.1:$2" --error-logfile "$LOG/$3.log" "$1" &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    curl -fs -o /dev/null "http://127.0.0.1:$2$4" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || { cat "$LOG/$3.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "gunicorn $1 does not answer on $2" >&2; exit 1
}

run_wrk() {  # run_wrk OUTFILE URL [extra wrk args]: the BENCH line
  local out=$1 url=$2; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency "$@" "$url" >"$out"
  grep '^BENCH ' "$out"
}

: >"$LOG/results.tsv"
for fraction in $FRACTIONS; do
  echo "== fraction $fraction ($KIND)"
  if [ "$KIND" = postgresql ]; then
    export DATABASE_URL="postgresql://$PGUSER@127.0.0.1:$PGPORT/$DB"
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
    "${PSQL[@]}" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8'"
  else
    export DATABASE_URL="sqlite:///$LOG/$DB.db"
    rm -f "$LOG/$DB.db"
  fi
  [ "$CACHE" = 1 ] && redis-cli -h 127.0.0.1 -n "$REDIS_DB" flushdb >/dev/null
  "$VENV/bin/flask" db upgrade >"$LOG/migrate-$fraction.log" 2>&1 || { cat "$LOG/migrate-$fraction.log" >&2; exit 1; }
  started=$(date +%s)
  "$VENV/bin/flask" generate city --fraction "$fraction" --seed "$SEED" --out "$LOG/city-$fraction.json" --force-in-production \
    >"$LOG/generate-$fraction.log" 2>&1 || { tail -n 30 "$LOG/generate-$fraction.log" >&2; exit 1; }
  echo "generated in $(( $(date +%s) - started )) s: $("$VENV/bin/python" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(", ".join(f"{k} {v}" for k, v in d["counts"].items() if v))' "$LOG/city-$fraction.json")"

  # name <TAB> who <TAB> method <TAB> path; who: visitor, member, worker, ballot (a voter), voters
  "$VENV/bin/python" - "$LOG/city-$fraction.json" >"$LOG/pages.tsv" <<'EOF'
import json, sys, urllib.parse
d = json.load(open(sys.argv[1]))
c, s = d["community"], d["street"]
q = urllib.parse.quote(d.get("search", "停车"))
pages = [
    ("home", "visitor", "GET", "/"),
    ("street", "visitor", "GET", f"/streets/{s}/"),
    ("community home", "visitor", "GET", f"/c/{c}/"),
    ("topic list", "visitor", "GET", f"/c/{c}/topics/"),
    ("topic list p.10", "visitor", "GET", f"/c/{c}/topics/?page=10"),
    ("topic search", "visitor", "GET", f"/c/{c}/topics/?q={q}"),
    ("topic filter", "visitor", "GET", f"/c/{c}/topics/?status=closed"),
    ("topic 1500 comments", "visitor", "GET", f"/topics/{d['busy_topic']}"),
    ("its comments p.10", "visitor", "GET", f"/topics/{d['busy_topic']}?page=10"),
    ("open ballot", "ballot", "GET", f"/topics/{d['vote_topic']}"),
    ("vote POST", "voters", "POST", f"/topics/{d['vote_topic']}/vote"),
    ("activity list", "visitor", "GET", f"/c/{c}/activities/"),
    ("activity", "visitor", "GET", f"/activities/{d['activity']}"),
    ("/me/points 5k", "member", "GET", "/me/points"),
    ("ranking", "visitor", "GET", f"/streets/{s}/ranking"),
    ("community evaluation", "visitor", "GET", f"/c/{c}/evaluation/"),
    ("API topic list", "visitor", "GET", f"/api/v1/communities/{c}/topics"),
]
for page in pages:
    print("\t".join(page))
EOF
  if [ -n "${ONLY:-}" ]; then
    awk -F'\t' -v only="$ONLY" '$1 ~ only' "$LOG/pages.tsv" >"$LOG/pages.only"
    [ -s "$LOG/pages.only" ] || { echo "ONLY matches no page" >&2; exit 2; }
    mv "$LOG/pages.only" "$LOG/pages.tsv"
  fi

  mkdir -p "$LOG/$fraction"
  "$VENV/bin/python" bench/city_prep.py "$LOG/city-$fraction.json" "$LOG/pages.tsv" "$LOG/$fraction" \
    >"$LOG/prep-$fraction.log" 2>&1 || { tail -n 30 "$LOG/prep-$fraction.log" >&2; exit 1; }
  grep '^SESSIONS ' "$LOG/prep-$fraction.log" | sed 's/^SESSIONS /sessions for /'
  grep '^EVAL ' "$LOG/prep-$fraction.log" | sed 's/^EVAL /evaluation month: /'

  serve wsgi:app "$PORT" "gunicorn-$fraction" /healthz
  serve bench.bare:app "$BARE_PORT" "bare-$fraction" /
  cookie() { awk -F'\t' -v who="$1" '$1 == who { print $2 }' "$LOG/$fraction/cookies.tsv"; }

  echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency: the bare endpoint, then each page"
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  bare=$(run_wrk "$LOG/$fraction/bare-0.txt" "http://127.0.0.1:$BARE_PORT/" -s bench/report.lua)
  n=0
  while IFS=$'\t' read -r name who method path; do
    n=$((n + 1))
    header=()
    case "$who" in visitor|voters) ;; *) header=(-H "Cookie: $(cookie "$who")") ;; esac
    if [ "$method" = GET ]; then
      for _ in 1 2 3 4; do   # warm up: each worker compiles its templates once, the cache fills; must be 200
        code=$(curl -s -o /dev/null -w '%{http_code}' "${header[@]}" "http://127.0.0.1:$PORT$path")
        [ "$code" = 200 ] || { echo "GET $path as $who answered $code" >&2; tail -n 40 "$LOG/gunicorn-$fraction.log" >&2; exit 1; }
      done
      page=$(run_wrk "$LOG/$fraction/page-$n.txt" "http://127.0.0.1:$PORT$path" -s bench/report.lua "${header[@]}")
    else
      page=$(VOTERS_FILE="$LOG/$fraction/voters.tsv" VOTE_BODY="$(cat "$LOG/$fraction/vote_body")" WRK_THREADS="$THREADS" \
        run_wrk "$LOG/$fraction/page-$n.txt" "http://127.0.0.1:$PORT$path" -s bench/vote.lua)
    fi
    after=$(run_wrk "$LOG/$fraction/bare-$n.txt" "http://127.0.0.1:$BARE_PORT/" -s bench/report.lua)
    queries=$(awk -v n="$(echo "$name" | tr ' ' '_')" '$1 == "QUERIES" && $2 == n { print $3 }' "$LOG/prep-$fraction.log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$fraction" "$name" "$who" "$page" "$bare" "$after" "${queries:--}" >>"$LOG/results.tsv"
    bare=$after
  done <"$LOG/pages.tsv"
  echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_servers
  drop_database
  unset DATABASE_URL
done

echo
STATUS=0
"$VENV/bin/python" bench/city_table.py "$LOG/results.tsv" || STATUS=$?
echo "($KIND; cache $([ "$CACHE" = 1 ] && echo "Redis, warm" || echo off); wrk -t$THREADS -c$CONNECTIONS -d$DURATION;" \
     "gunicorn -w $WORKERS sync workers for the site and for the bare endpoint; $(nproc) CPUs shared by wrk, gunicorn and the database)"
exit "$STATUS"
