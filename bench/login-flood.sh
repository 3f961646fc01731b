#!/usr/bin/env bash
# A stamp's latency while logins are hammered: wrk stamps alone, then the same stamps while a
# second wrk floods POST /api/v1/auth/login with wrong passwords (bench/login.lua: a locked
# account from one address, and random unknown accounts from random addresses).
#
#   bash bench/login-flood.sh
#
# On a release build with SQLite (the engine whose single writer and thread pool the logins
# compete for): set up a merchant, a store, a stamps program with require_staff_pin, one PIN,
# CARDS cards and one staff account (the flood's victim), as bench/stamps.sh does. Then
#   1. wrk -t1 -cCONNECTIONS -dDURATION bench/stamp.lua                (stamps alone)
#   2. the same, while wrk -t1 -cFLOOD_CONNECTIONS bench/login.lua runs  (stamps under a flood)
# and prints stamps/s, p50 and p99 of both, the ratios flood/alone, the logins/s of the flood
# with their status codes, and how much the locked account's counters grew during the flood
# (read from the database after the server stopped: each increment was a write on SQLite's
# single writer, so refused attempts that still count show up here).
#
# Env knobs (defaults in brackets):
#   LOYALTY_BIN        use this binary instead of building
#                      [nice -n 19 swift build -c release --product loyalty --scratch-path .build-release]
#   DURATION           each phase [15s]
#   WARMUP             stamps before phase 1, 0 for none [3s]
#   CONNECTIONS        stamps wrk -c [32]
#   FLOOD_CONNECTIONS  logins wrk -c [16]
#   TIMEOUT            wrk --timeout: slower answers count as socket errors [10s]
#   CARDS              cards to enroll and stamp at random [2000]
#   BCRYPT_COST        LOYALTY_BCRYPT_COST of the server, production's default [12]
#   SERVER_ENV         extra server environment, e.g. "LOYALTY_BCRYPT_THREADS=1" [empty]
#   LOG_LEVEL          server log level [warning]
# Traffic stays on 127.0.0.1; one run takes about WARMUP + 2 * DURATION plus set-up.
# Raw output is kept in bench/results/ (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-3s}"
CONNECTIONS="${CONNECTIONS:-32}"
FLOOD_CONNECTIONS="${FLOOD_CONNECTIONS:-16}"
TIMEOUT="${TIMEOUT:-10s}"
CARDS="${CARDS:-2000}"
BCRYPT_COST="${BCRYPT_COST:-12}"
SERVER_ENV="${SERVER_ENV:-}"
SERVER_LOG_LEVEL="${LOG_LEVEL:-warning}"
PIN=4826
PASSWORD=bench-password-1
VICTIM=victim@bench.test

for tool in wrk curl jq python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool missing: run scripts/install-test-deps" >&2; exit 1; }
done

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== nice -n 19 swift build -c release --product loyalty --scratch-path .build-release" >&2
  nice -n 19 swift build -c release --product loyalty --scratch-path .build-release >&2
  LOYALTY_BIN="$(swift build -c release --scratch-path .build-release --show-bin-path | tail -n 1)/loyalty"
fi
[ -x "$LOYALTY_BIN" ] || { echo "no executable at $LOYALTY_BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-flood.XXXXXX")"
SERVER_PID=""
FLOOD_PID=""
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
  if [ -n "$FLOOD_PID" ]; then kill "$FLOOD_PID" 2>/dev/null || true; fi
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
mkdir -p bench/results "$WORK/data"
STAMP="$(date +%Y%m%d-%H%M%S)"
DB="$WORK/loyalty.sqlite"
read -r -a EXTRA_ENV <<<"$SERVER_ENV"

# APP_CMD = the binary with the benchmark's environment; run as "${APP_CMD[@]}" ARGS.
APP_CMD=(env -u DATABASE_URL LOYALTY_SQLITE_PATH="$DB" LOYALTY_DATA_DIR="$WORK/data" LOYALTY_SECRET_KEY="$SECRET_KEY"
  LOYALTY_BCRYPT_COST="$BCRYPT_COST" LOYALTY_TRUST_PROXY=true LOG_LEVEL="$SERVER_LOG_LEVEL" "${EXTRA_ENV[@]}" "$LOYALTY_BIN")

start_server() {
  local log="$1" i
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  BASE="http://127.0.0.1:$PORT"
  "${APP_CMD[@]}" serve --env production --hostname 127.0.0.1 --port "$PORT" >"$log" 2>&1 </dev/null &
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

# api METHOD PATH [JSON] : prints the response body; fails loudly on non-2xx.
api() {
  local method="$1" path="$2" body="${3:-}" out="$WORK/api.out" status
  local args=(-sS -o "$out" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json')
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "${STORE_ID:-}" ] && args+=(-H "X-Store-Id: $STORE_ID")
  [ -n "$body" ] && args+=(-d "$body")
  status="$(curl "${args[@]}" "$BASE$path")"
  if [ "${status:0:1}" != 2 ]; then
    echo "$method $path answered $status:" >&2; cat "$out" >&2; echo >&2; exit 1
  fi
  cat "$out"
}

# setup: admin, merchant, store, owner, victim, program, PIN, cards -> TOKEN, STORE_ID, $WORK/cards.txt
setup() {
  local merchant_id store
  "${APP_CMD[@]}" create-admin --email admin@bench.test --password "$PASSWORD" --env production >/dev/null
  TOKEN="" STORE_ID=""
  TOKEN="$(api POST /api/v1/auth/login "{\"email\":\"admin@bench.test\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)"
  merchant_id="$(api POST /api/v1/admin/merchants '{"name":"Bench","contact_email":"b@bench.test"}' | jq -er .id)"
  store="$(api POST "/api/v1/admin/merchants/$merchant_id/stores" '{"name":"S","code":"BENCH-1"}' | jq -er .id)"
  api POST "/api/v1/admin/merchants/$merchant_id/users" \
    "{\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\",\"role\":\"merchant_owner\"}" >/dev/null
  api POST "/api/v1/admin/merchants/$merchant_id/users" \
    "{\"email\":\"$VICTIM\",\"password\":\"$PASSWORD\",\"role\":\"store_staff\",\"store_id\":\"$store\"}" >/dev/null
  TOKEN="$(api POST /api/v1/auth/login "{\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)"
  STORE_ID="$store"
  api POST /api/v1/store/loyalty/program '{"loyalty_type":"stamps","stamps_target":10,"stamps_reward_description":"Free coffee","cooldown_minutes":0,"max_daily_stamps":1000,"require_staff_pin":true}' >/dev/null
  api POST /api/v1/store/loyalty/pins "{\"name\":\"Cashier\",\"pin\":\"$PIN\"}" >/dev/null

  BASE="$BASE" TOKEN="$TOKEN" STORE_ID="$STORE_ID" CARDS="$CARDS" python3 - >"$WORK/cards.txt" <<'PY'
import concurrent.futures, http.client, json, os, threading
from urllib.parse import urlparse
base = urlparse(os.environ["BASE"])
headers = {"Authorization": "Bearer " + os.environ["TOKEN"], "X-Store-Id": os.environ["STORE_ID"],
           "Content-Type": "application/json"}
local = threading.local()
def enroll(i):
    if not hasattr(local, "conn"):
        local.conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    local.conn.request("POST", "/api/v1/store/loyalty/cards/enroll",
                       body=json.dumps({"customer": {"name": f"C{i}"}}), headers=headers)
    response = local.conn.getresponse()
    body = response.read()
    if response.status // 100 != 2:
        raise SystemExit(f"enroll {i}: {response.status} {body[:300]!r}")
    return json.loads(body)["card_number"].replace(" ", "")
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    for number in pool.map(enroll, range(1, int(os.environ["CARDS"]) + 1)):
        print(number)
PY
  [ "$(wc -l <"$WORK/cards.txt")" -eq "$CARDS" ] || { echo "enrolled $(wc -l <"$WORK/cards.txt") of $CARDS cards" >&2; exit 1; }
}

# stamps OUT -> RPS, P50, P99 (ms), NON2XX, SOCKERR
stamps() {
  local out="$1" line
  wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s bench/stamp.lua "$BASE" | tee "$out" >&2
  line="$(grep '^STAMPS ' "$out")" || { echo "no STAMPS line in wrk output" >&2; exit 1; }
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  NON2XX="$(field non2xx)"
  SOCKERR="$(field socket_errors)"
  RPS="$(awk -v n="$(field requests)" -v us="$(field duration_us)" 'BEGIN { printf "%.1f", n / (us / 1e6) }')"
  P50="$(awk -v us="$(field p50_us)" 'BEGIN { printf "%.2f", us / 1000 }')"
  P99="$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')"
}

echo "== set-up ($CARDS cards, bcrypt cost $BCRYPT_COST)" >&2
start_server "$WORK/server.log"
setup
export STAMP_CARDS="$WORK/cards.txt" STAMP_TOKEN="$TOKEN" STAMP_STORE="$STORE_ID" STAMP_PIN="$PIN" FLOOD_VICTIM="$VICTIM"
if [ "$WARMUP" != 0 ]; then
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -s bench/stamp.lua "$BASE" >"$WORK/warmup.txt"
fi

echo "== 1. stamps alone: wrk -t1 -c$CONNECTIONS -d$DURATION" >&2
stamps "bench/results/$STAMP-flood-alone.txt"
ALONE=("$RPS" "$P50" "$P99" "$NON2XX" "$SOCKERR")

echo "== 2. stamps while wrk -t1 -c$FLOOD_CONNECTIONS floods logins" >&2
# The locked account's counters (per account, and per account and address): every increment is a write.
victim_count() {
  python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COALESCE(SUM(count),0) FROM rate_limit_counters WHERE bucket LIKE ?", ("login:account:" + sys.argv[2] + "%",)).fetchone()[0])' "$DB" "$VICTIM"
}
COUNTERS_BEFORE="$(victim_count)"
wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$(( ${DURATION%s} + 2 ))s" --timeout "$TIMEOUT" -s bench/login.lua "$BASE" \
  >"bench/results/$STAMP-flood-logins.txt" 2>&1 &
FLOOD_PID=$!
sleep 1
stamps "bench/results/$STAMP-flood-stamps.txt"
FLOODED=("$RPS" "$P50" "$P99" "$NON2XX" "$SOCKERR")
wait "$FLOOD_PID" || true
FLOOD_PID=""
cat "bench/results/$STAMP-flood-logins.txt" >&2
LOGIN_LINE="$(grep '^LOGINS ' "bench/results/$STAMP-flood-logins.txt")" || { echo "no LOGINS line" >&2; exit 1; }
LOGINS="$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$LOGIN_LINE")"
LOGIN_RPS="$(awk -v n="$LOGINS" -v us="$(sed -n 's/.* duration_us=\([0-9]*\).*/\1/p' <<<"$LOGIN_LINE")" 'BEGIN { printf "%.1f", n / (us / 1e6) }')"
LOGIN_CODES="$(sed -n 's/^status codes: //p' "bench/results/$STAMP-flood-logins.txt")"
stop_server
COUNTERS_AFTER="$(victim_count)"
VICTIM_ATTEMPTS=$(( LOGINS / 2 ))
VICTIM_WRITES=$(( COUNTERS_AFTER - COUNTERS_BEFORE ))
if grep -iE '\[ (error|critical) \]' "$WORK/server.log" | grep -v 'ConnectionPoolError.shutdown' >"$WORK/errors"; then
  echo "server log has errors:" >&2; head -20 "$WORK/errors" >&2
fi

{
  echo
  echo "stamps: wrk -t1 -c$CONNECTIONS -d$DURATION, $CARDS cards, PIN on; flood: wrk -t1 -c$FLOOD_CONNECTIONS bench/login.lua; bcrypt cost $BCRYPT_COST ${SERVER_ENV}"
  printf '%-14s %10s %9s %9s %8s %8s\n' phase "stamps/s" "p50 ms" "p99 ms" non-2xx sockerr
  printf '%-14s %10s %9s %9s %8s %8s\n' alone "${ALONE[@]}"
  printf '%-14s %10s %9s %9s %8s %8s\n' "login flood" "${FLOODED[@]}"
  awk -v a="${ALONE[0]}" -v b="${FLOODED[0]}" -v a50="${ALONE[1]}" -v b50="${FLOODED[1]}" -v a99="${ALONE[2]}" -v b99="${FLOODED[2]}" \
    'BEGIN { printf "flood/alone: stamps/s %.2f, p50 %.2f, p99 %.2f\n", b / a, b50 / a50, b99 / a99 }'
  echo "logins: $LOGINS ($LOGIN_RPS/s), status codes: $LOGIN_CODES"
  echo "locked account: ~$VICTIM_ATTEMPTS attempts from one address, its counters grew by $VICTIM_WRITES (one write each)"
} | tee "bench/results/$STAMP-flood.txt"
