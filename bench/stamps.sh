#!/usr/bin/env bash
# Stamps per second through HTTP, against SQLite and PostgreSQL, next to a ceiling: the same
# SQL transaction run directly against the same database (no HTTP, no Swift).
#
#   bash bench/stamps.sh
#
# Per engine: start a release `loyalty serve` on a fresh database, set up a merchant, a store,
# a stamps program with require_staff_pin, one staff PIN and CARDS cards (CLI + HTTP), then
# wrk with bench/stamp.lua (POST /api/v1/store/loyalty/stamp, random card, PIN in the body);
# stop the server and run the ceiling on the same database: bench/ceiling/sqlite_stamp.py
# (one connection, SQLite has one writer) or pgbench with bench/ceiling/stamp.pgbench.
# Prints engine, HTTP stamps/s, p50, p99, ceiling tx/s, p50, p99 and the HTTP/ceiling ratio.
#
# Env knobs (defaults in brackets):
#   LOYALTY_BIN      use this binary instead of building
#                    [nice -n 19 swift build -c release --product loyalty --scratch-path .build-release]
#   ENGINES          which engines, in order ["sqlite postgres"]
#   DURATION         wrk and ceiling duration per engine [15s]
#   WARMUP           wrk and ceiling warm-up per engine, 0 for none [3s]
#   CONNECTIONS      wrk -c [32]
#   THREADS          wrk -t, pgbench -j [2]
#   TIMEOUT          wrk --timeout: slower answers count as socket errors [10s]
#   CEILING_CLIENTS  pgbench -c [$CONNECTIONS]
#   CARDS            cards to enroll and stamp at random [2000]
#   MAX_NON2XX_PCT   fail if more than this % of stamps answer non-2xx [1]
#   CHECK_SQL        1: trace one stamp (LOG_LEVEL=trace) and warn if its SQL is no longer
#                    what the ceiling was written for (bench/ceiling/trace-*.sql) [1]
#   LOG_LEVEL        server log level [warning]
#   SERVE_ENV        value of serve --env [production]
#   CPU_STAMPS       N: before wrk, send N stamps one after another and report the server's
#                    CPU time per stamp; 0 for none [500]
# PostgreSQL is a throwaway cluster (scripts/pg-throwaway: fsync off), stopped on exit.
# Traffic stays on 127.0.0.1; one run takes about 2 * 2 * (WARMUP + DURATION) plus set-up
# (~1.5 min by default, plus the release build the first time).
# Raw output is kept in bench/results/ (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENGINES="${ENGINES:-sqlite postgres}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
TIMEOUT="${TIMEOUT:-10s}"
CEILING_CLIENTS="${CEILING_CLIENTS:-$CONNECTIONS}"
CARDS="${CARDS:-2000}"
MAX_NON2XX_PCT="${MAX_NON2XX_PCT:-1}"
CHECK_SQL="${CHECK_SQL:-1}"
SERVE_ENV="${SERVE_ENV:-production}"
SERVER_LOG_LEVEL="${LOG_LEVEL:-warning}"
CPU_STAMPS="${CPU_STAMPS:-500}"
PIN=4826
PASSWORD=bench-password-1

for tool in wrk curl jq python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool missing: run scripts/install-test-deps" >&2; exit 1; }
done
case " $ENGINES " in
  *" postgres "*)
    for tool in pgbench psql; do
      command -v "$tool" >/dev/null 2>&1 || { echo "$tool missing: run scripts/install-test-deps" >&2; exit 1; }
    done ;;
esac
for engine in $ENGINES; do
  case "$engine" in sqlite|postgres) ;; *) echo "unknown engine in ENGINES: $engine" >&2; exit 2 ;; esac
done

# seconds 15s|2m|15 -> whole seconds (wrk's duration syntax, for pgbench and python)
seconds() {
  case "$1" in
    *s) echo "${1%s}" ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *[0-9]) echo "$1" ;;
    *) echo "bad duration: $1 (use e.g. 15s or 1m)" >&2; exit 2 ;;
  esac
}
DURATION_S="$(seconds "$DURATION")"
WARMUP_S="$(seconds "$WARMUP")"

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== nice -n 19 swift build -c release --product loyalty --scratch-path .build-release" >&2
  nice -n 19 swift build -c release --product loyalty --scratch-path .build-release >&2
  LOYALTY_BIN="$(swift build -c release --scratch-path .build-release --show-bin-path | tail -n 1)/loyalty"
fi
[ -x "$LOYALTY_BIN" ] || { echo "no executable at $LOYALTY_BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench.XXXXXX")"
PGDIR=""
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [ -n "$PGDIR" ]; then scripts/pg-throwaway stop "$PGDIR" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
mkdir -p bench/results "$WORK/data"
STAMP="$(date +%Y%m%d-%H%M%S)"

# app_command: APP_CMD = the binary with the current engine's environment (APP_DB_ENV).
# Run as "${APP_CMD[@]}" ARGS (not through a function, so that `$!` is the server's pid).
app_command() {
  APP_CMD=(env -u DATABASE_URL -u LOYALTY_SQLITE_PATH "${APP_DB_ENV[@]}"
    LOYALTY_DATA_DIR="$WORK/data"
    LOYALTY_SECRET_KEY="$SECRET_KEY"
    LOYALTY_BCRYPT_COST=4
    LOG_LEVEL="${APP_LOG_LEVEL:-$SERVER_LOG_LEVEL}"
    "$LOYALTY_BIN")
}

start_server() {
  local log="$1" i
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  BASE="http://127.0.0.1:$PORT"
  app_command
  "${APP_CMD[@]}" serve --env "$SERVE_ENV" --hostname 127.0.0.1 --port "$PORT" >"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "$BASE/health/live" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server exited early:" >&2; cat "$log" >&2; exit 1
    fi
    [ "$i" -eq 300 ] && { echo "server not live after 60 s:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.2
  done
}

# api and setup (the merchant, store, program, PIN and cards): shared with bench/instances.sh.
source bench/stamps-setup.sh

# check_sql ENGINE: restarts the server at trace level, sends one stamp, compares the SQL it
# ran with bench/ceiling/trace-ENGINE.sql (the trace the ceiling was written from), then
# restarts it at the normal level. A difference is a warning: the ceiling needs updating.
check_sql() {
  local engine="$1" log="$WORK/server-$1-trace.log" card
  stop_server
  APP_LOG_LEVEL=trace start_server "$log"
  card="$(head -n 1 "$WORK/cards.txt")"
  api POST /api/v1/store/loyalty/stamp "{\"card_number\":\"$card\",\"staff_pin\":\"$PIN\"}" >/dev/null
  stop_server
  python3 - "$log" >"$WORK/trace-$engine.sql" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
text = text[text.rindex('uri: "/api/v1/store/loyalty/stamp"'):]
for m in re.finditer(r"\[ TRACE \] Executing query \[binds: .*?, sql: (.*?)\] \((?:SQLiteKit|PostgresKit)[^)]*\)\n", text, re.S):
    print(" ".join(m.group(1).split()))
PY
  if diff -u "bench/ceiling/trace-$engine.sql" "$WORK/trace-$engine.sql" >"bench/results/$STAMP-stamps-$engine-sql.diff"; then
    rm -f "bench/results/$STAMP-stamps-$engine-sql.diff"
  else
    SQL_DRIFT="$SQL_DRIFT $engine"
    echo "WARNING: the server's stamp SQL on $engine differs from bench/ceiling/trace-$engine.sql;" \
      "the ceiling no longer runs the same statements (diff: bench/results/$STAMP-stamps-$engine-sql.diff)" >&2
  fi
  start_server "$WORK/server-$engine.log"
}

# cpu_per_stamp -> CPU_MS: the server's CPU time per stamp (user + system, ms), over CPU_STAMPS
# stamps sent one at a time on one keep-alive connection (after 50 uncounted), read from
# /proc/PID/stat. Steadier than throughput on a noisy machine: it counts the work, not the
# waits. (Instruction counts would be steadier still, but this VM exposes no hardware counter
# to perf, and valgrind 3.19 stops with SIGSEGV on the Swift binary.)
cpu_per_stamp() {
  local client=(env BASE="$BASE" TOKEN="$TOKEN" STORE_ID="$STORE_ID" PIN="$PIN" python3 bench/sequential_stamps.py "$WORK/cards.txt")
  local before after
  CPU_MS="n/a"
  [ "$CPU_STAMPS" -gt 0 ] || return 0
  N=50 "${client[@]}"
  before="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")"
  N="$CPU_STAMPS" "${client[@]}"
  after="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")"
  CPU_MS="$(awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="$CPU_STAMPS" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')"
}

# run_wrk OUT -> HTTP_RPS, HTTP_P50, HTTP_P99 (ms), HTTP_REQS, HTTP_NON2XX, HTTP_SOCKERR
run_wrk() {
  local out="$1" line
  export STAMP_CARDS="$WORK/cards.txt" STAMP_TOKEN="$TOKEN" STAMP_STORE="$STORE_ID" STAMP_PIN="$PIN"
  if [ "$WARMUP_S" -gt 0 ]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -s bench/stamp.lua "$BASE" >"$out.warmup"
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s bench/stamp.lua "$BASE" | tee "$out" >&2
  line="$(grep '^STAMPS ' "$out")" || { echo "no STAMPS line in wrk output" >&2; exit 1; }
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  HTTP_REQS="$(field requests)"
  HTTP_NON2XX="$(field non2xx)"
  HTTP_SOCKERR="$(field socket_errors)"
  HTTP_RPS="$(awk -v n="$HTTP_REQS" -v us="$(field duration_us)" 'BEGIN { printf "%.1f", n / (us / 1e6) }')"
  HTTP_P50="$(awk -v us="$(field p50_us)" 'BEGIN { printf "%.2f", us / 1000 }')"
  HTTP_P99="$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')"
}

# ceiling_sqlite OUT / ceiling_postgres OUT -> CEIL_TPS, CEIL_P50, CEIL_P99 (ms)
ceiling_sqlite() {
  local out="$1" line
  python3 bench/ceiling/sqlite_stamp.py --db "$WORK/loyalty.sqlite" --token "$TOKEN" --store-id "$STORE_ID" \
    --duration "$DURATION_S" --warmup "$WARMUP_S" | tee "$out" >&2
  line="$(grep '^CEILING ' "$out")"
  CEIL_TPS="$(sed -n 's/.* tps=\([0-9.]*\).*/\1/p' <<<"$line")"
  CEIL_P50="$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<<"$line" | xargs printf '%.2f')"
  CEIL_P99="$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$line" | xargs printf '%.2f')"
}

ceiling_postgres() {
  local out="$1" ncards token_hash pin_hash today
  ncards="$(psql -qAt -v ON_ERROR_STOP=1 -v merchant_id="$MERCHANT_ID" -f bench/ceiling/pg_prepare.sql "$DATABASE_URL")"
  token_hash="$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)"
  pin_hash="$(psql -qAt -v ON_ERROR_STOP=1 -c "SELECT pin_hash FROM staff_pins WHERE store_id = '$STORE_ID'" "$DATABASE_URL")"
  today="$(TZ="$STORE_TZ" date +%F)"
  local args=(-n -M extended -c "$CEILING_CLIENTS" -j "$THREADS" -f bench/ceiling/stamp.pgbench
    -D ncards="$ncards" -D token_hash="$token_hash" -D store_id="$STORE_ID" -D pin_hash="$pin_hash" -D today="$today")
  if [ "$WARMUP_S" -gt 0 ]; then pgbench "${args[@]}" -T "$WARMUP_S" "$DATABASE_URL" >"$out.warmup" 2>&1; fi
  mkdir -p "$WORK/pgbench-log"
  pgbench "${args[@]}" -T "$DURATION_S" -l --log-prefix="$WORK/pgbench-log/tx" "$DATABASE_URL" 2>&1 | tee "$out" >&2
  grep -q '^number of failed transactions: 0 ' "$out" && ! grep -q 'aborted' "$out" \
    || { echo "pgbench had failed or aborted transactions" >&2; exit 1; }
  CEIL_TPS="$(awk '/^tps = / { printf "%.1f", $3 }' "$out")"
  # Per-transaction log: field 3 is the latency in microseconds.
  cat "$WORK"/pgbench-log/tx.* | awk '{ print $3 }' | sort -n >"$WORK/pg-latencies"
  read -r CEIL_P50 CEIL_P99 < <(awk '{ v[NR] = $1 } END {
      r50 = int((NR * 50 + 99) / 100); r99 = int((NR * 99 + 99) / 100)
      printf "%.2f %.2f\n", v[r50] / 1000, v[r99] / 1000 }' "$WORK/pg-latencies")
  rm -rf "$WORK/pgbench-log"
}

ROWS=()
FAILED=""
SQL_DRIFT=""
for engine in $ENGINES; do
  echo "== $engine: set-up ($CARDS cards)" >&2
  case "$engine" in
    sqlite)
      APP_DB_ENV=(LOYALTY_SQLITE_PATH="$WORK/loyalty.sqlite") ;;
    postgres)
      PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench-pg.XXXXXX")"
      admin_url="$(scripts/pg-throwaway start "$PGDIR" | tail -n 1)"
      psql -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE loyalty_bench' "$admin_url"
      DATABASE_URL="${admin_url%/*}/loyalty_bench"
      APP_DB_ENV=(DATABASE_URL="$DATABASE_URL") ;;
  esac
  start_server "$WORK/server-$engine.log"
  setup
  if [ "$CHECK_SQL" = 1 ]; then check_sql "$engine"; fi

  cpu_per_stamp
  echo "== $engine: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP) POST /api/v1/store/loyalty/stamp" >&2
  run_wrk "bench/results/$STAMP-stamps-$engine-http.txt"
  stop_server
  # Requests wrk left in flight fail with ConnectionPoolError.shutdown when the server stops: not errors.
  if grep -iE '\[ (error|critical) \]' "$WORK/server-$engine.log" | grep -v 'ConnectionPoolError.shutdown' >"$WORK/errors"; then
    echo "server log of $engine has errors:" >&2; head -20 "$WORK/errors" >&2
  fi

  echo "== $engine: ceiling, the same SQL directly (duration $DURATION, warm-up $WARMUP)" >&2
  "ceiling_$engine" "bench/results/$STAMP-stamps-$engine-ceiling.txt"

  ratio="$(awk -v h="$HTTP_RPS" -v c="$CEIL_TPS" 'BEGIN { if (c > 0) printf "%.2f", h / c; else print "n/a" }')"
  ROWS+=("$(printf '%-9s %12s %8s %8s %14s %8s %8s %10s %9s %14s' "$engine" "$HTTP_RPS" "$HTTP_P50" "$HTTP_P99" \
    "$CEIL_TPS" "$CEIL_P50" "$CEIL_P99" "$ratio" "$HTTP_NON2XX" "$CPU_MS")")
  if awk -v bad="$HTTP_NON2XX" -v n="$HTTP_REQS" -v max="$MAX_NON2XX_PCT" 'BEGIN { exit !(n == 0 || bad * 100 > n * max) }'; then
    FAILED="$FAILED $engine: $HTTP_NON2XX of $HTTP_REQS stamps answered non-2xx (limit $MAX_NON2XX_PCT%);"
  fi
  if [ "${HTTP_SOCKERR:-0}" -gt 0 ]; then FAILED="$FAILED $engine: $HTTP_SOCKERR socket errors;"; fi
  if [ "$engine" = postgres ]; then scripts/pg-throwaway stop "$PGDIR"; PGDIR=""; fi
done

{
  echo
  echo "stamps: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $CARDS cards, PIN on; ceiling: same SQL, sqlite 1 connection, pgbench -c$CEILING_CLIENTS -j$THREADS"
  printf '%-9s %12s %8s %8s %14s %8s %8s %10s %9s %14s\n' engine "HTTP stamp/s" "p50 ms" "p99 ms" "ceiling tx/s" "p50 ms" "p99 ms" HTTP/ceil non-2xx "CPU ms/stamp"
  printf '%s\n' "${ROWS[@]}"
} | tee "bench/results/$STAMP-stamps.txt"
echo "raw output: bench/results/$STAMP-stamps*.txt"
if [ -n "$SQL_DRIFT" ]; then
  echo "WARNING: stamp SQL changed since the ceiling was written (${SQL_DRIFT# }): update bench/ceiling/ (see bench/README.md)" \
    | tee -a "bench/results/$STAMP-stamps.txt" >&2
fi

if [ -n "$FAILED" ]; then
  echo "FAILED:$FAILED" >&2
  exit 1
fi
