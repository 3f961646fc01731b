#!/usr/bin/env bash
# Tiny HTTP benchmark: wrk against /health/live and /health/ready of a
# release build of `loyalty serve` on a throwaway SQLite database.
#
#   bash bench/health.sh
#
# Env knobs (defaults in brackets):
#   LOYALTY_BIN   use this binary instead of building [swift build -c release]
#   DURATION      wrk duration per endpoint [10s]
#   WARMUP        warm-up duration per endpoint [2s]
#   CONNECTIONS   wrk -c [32]
#   THREADS       wrk -t [2]
#   LOG_LEVEL     server log level [warning]
#   SERVE_ENV     value of serve --env [production]
# Traffic stays on 127.0.0.1; total run time is about 2*(WARMUP+DURATION) plus startup.
# Raw wrk output is kept in bench/results/ (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
SERVE_ENV="${SERVE_ENV:-production}"

command -v wrk >/dev/null 2>&1 || { echo "wrk missing: run scripts/install-test-deps" >&2; exit 1; }

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== swift build -c release --product loyalty" >&2
  swift build -c release --product loyalty >&2
  LOYALTY_BIN="$(swift build -c release --show-bin-path | tail -n 1)/loyalty"
fi
[ -x "$LOYALTY_BIN" ] || { echo "no executable at $LOYALTY_BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK/data"

env -u DATABASE_URL \
  LOYALTY_SQLITE_PATH="$WORK/loyalty.sqlite" \
  LOYALTY_DATA_DIR="$WORK/data" \
  LOYALTY_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')" \
  LOYALTY_BCRYPT_COST=4 \
  LOG_LEVEL="${LOG_LEVEL:-warning}" \
  "$LOYALTY_BIN" serve --env "$SERVE_ENV" --hostname 127.0.0.1 --port "$PORT" \
  >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!

for i in $(seq 1 300); do
  if curl -fsS -o /dev/null "$BASE/health/live" 2>/dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "server exited early:" >&2; cat "$WORK/server.log" >&2; exit 1
  fi
  [ "$i" -eq 300 ] && { echo "server not live after 60 s:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done

mkdir -p bench/results
STAMP="$(date +%Y%m%d-%H%M%S)"

# run_wrk NAME PATH -> sets RPS, P50, P99, ERRS
run_wrk() {
  local name="$1" path="$2" out="bench/results/$STAMP-$1.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$BASE$path" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$path" | tee "$out" >&2
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  P50="$(awk '$1=="50%" {print $2}' "$out")"
  P99="$(awk '$1=="99%" {print $2}' "$out")"
  ERRS="$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print "socket:" $0}' "$out" | paste -sd' ' -)"
}

echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION against $BASE" >&2
run_wrk live /health/live
LIVE_RPS="$RPS" LIVE_P50="$P50" LIVE_P99="$P99" LIVE_ERRS="$ERRS"
run_wrk ready /health/ready
READY_RPS="$RPS" READY_P50="$P50" READY_P99="$P99" READY_ERRS="$ERRS"

RATIO="$(awk -v r="$READY_RPS" -v l="$LIVE_RPS" 'BEGIN { if (l > 0) printf "%.3f", r / l; else print "n/a" }')"

echo
printf '%-14s %12s %10s %10s  %s\n' endpoint "requests/s" p50 p99 errors
printf '%-14s %12s %10s %10s  %s\n' /health/live "$LIVE_RPS" "$LIVE_P50" "$LIVE_P99" "${LIVE_ERRS:-none}"
printf '%-14s %12s %10s %10s  %s\n' /health/ready "$READY_RPS" "$READY_P50" "$READY_P99" "${READY_ERRS:-none}"
echo "ready/live ratio: $RATIO"
echo "raw output: bench/results/$STAMP-{live,ready}.txt"

if [ -n "$LIVE_ERRS$READY_ERRS" ]; then
  echo "warning: wrk saw non-2xx responses or socket errors" >&2
  exit 1
fi
