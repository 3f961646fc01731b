#!/usr/bin/env bash
# Apple Wallet pass serving on a release build, against /health/live measured in the same run:
#   download  GET /api/v1/loyalty/passes/apple/{serial}.pkpass   (pass.json, manifest, CMS signature, zip)
#   304       GET .../apple/v1/passes/{type}/{serial} with If-Modified-Since (a device checking)
#   list      GET .../apple/v1/devices/{device}/registrations/{type} (a device asking what changed)
#
#   bash bench/passes.sh
#
# Env knobs: LOYALTY_BIN (skip the build), DURATION [10s], WARMUP [2s], CONNECTIONS [32],
# THREADS [2], PASSES_PER_DEVICE [1] (the listing device holds this many passes). SQLite in a temporary folder; a throwaway PKI from scripts/make-wallet-test-pki.
# Raw wrk output goes to bench/results/ (git-ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
PASSES_PER_DEVICE="${PASSES_PER_DEVICE:-1}"
command -v wrk >/dev/null 2>&1 || { echo "wrk missing: run scripts/install-test-deps" >&2; exit 1; }

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== nice -n 19 swift build -c release --product loyalty --scratch-path .build-release" >&2
  nice -n 19 swift build -c release --product loyalty --scratch-path .build-release >&2
  LOYALTY_BIN="$(swift build -c release --scratch-path .build-release --show-bin-path | tail -n 1)/loyalty"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench-passes.XXXXXX")"
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

scripts/make-wallet-test-pki "$WORK/pki" pass.bench.loyalty BENCH00000
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export LOYALTY_SQLITE_PATH="$WORK/loyalty.sqlite" LOYALTY_DATA_DIR="$WORK/data" LOYALTY_BCRYPT_COST=4
export LOYALTY_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export LOYALTY_APPLE_PASS_TYPE_ID=pass.bench.loyalty LOYALTY_APPLE_TEAM_ID=BENCH00000
export LOYALTY_APPLE_WWDR_CERT_PATH="$WORK/pki/wwdr.pem" LOYALTY_APPLE_SIGNER_CERT_PATH="$WORK/pki/signer.pem"
export LOYALTY_APPLE_SIGNER_KEY_PATH="$WORK/pki/signer.key" LOYALTY_PUBLIC_BASE_URL="https://bench.example.test"
export LOYALTY_APPLE_APNS_URL="https://127.0.0.1:9" LOYALTY_SCHEDULED_JOBS=false LOYALTY_REGISTER_MAX_PER_IP=1000
unset DATABASE_URL
"$LOYALTY_BIN" demo >"$WORK/demo.log" 2>&1
LOG_LEVEL=warning "$LOYALTY_BIN" serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!
for i in $(seq 1 300); do
  curl -fsS -o /dev/null "$BASE/health/live" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done

# One card, its pass, and a device that holds it.
read -r PASS_PATH SERIAL TOKEN < <(python3 - "$BASE" <<'PY'
import io, json, sys, urllib.request, zipfile
base = sys.argv[1]
req = urllib.request.Request(f"{base}/api/v1/loyalty/enroll/LUMIERE-LUX", data=json.dumps({"name": "Bench"}).encode(),
                             headers={"Content-Type": "application/json"})
card = json.load(urllib.request.urlopen(req))["card"]
path = card["wallet"]["apple_pass_url"].removeprefix("https://bench.example.test")
pass_json = json.loads(zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(base + path).read())).read("pass.json"))
print(path, pass_json["serialNumber"], pass_json["authenticationToken"])
PY
)
WS="$BASE/api/v1/loyalty/apple/v1"
curl -fsS -o /dev/null -X POST -H "Authorization: ApplePass $TOKEN" -d '{"pushToken":"abcdef"}' \
  "$WS/devices/bench-device/registrations/pass.bench.loyalty/$SERIAL"
# More passes on the same device, for the listing (each enrolled and registered like the first).
for _ in $(seq 2 "$PASSES_PER_DEVICE"); do
  read -r _ MORE_SERIAL MORE_TOKEN < <(python3 - "$BASE" <<'PY'
import io, json, sys, urllib.request, zipfile
base = sys.argv[1]
req = urllib.request.Request(f"{base}/api/v1/loyalty/enroll/LUMIERE-LUX", data=json.dumps({"name": "Bench"}).encode(),
                             headers={"Content-Type": "application/json"})
card = json.load(urllib.request.urlopen(req))["card"]
path = card["wallet"]["apple_pass_url"].removeprefix("https://bench.example.test")
pass_json = json.loads(zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(base + path).read())).read("pass.json"))
print(path, pass_json["serialNumber"], pass_json["authenticationToken"])
PY
  )
  curl -fsS -o /dev/null -X POST -H "Authorization: ApplePass $MORE_TOKEN" -d '{"pushToken":"abcdef"}' \
    "$WS/devices/bench-device/registrations/pass.bench.loyalty/$MORE_SERIAL"
done
sleep 11  # outside the web service's settle window, so Last-Modified is final and 304s come
LAST_MODIFIED="$(curl -fsS -D - -o /dev/null -H "Authorization: ApplePass $TOKEN" "$WS/passes/pass.bench.loyalty/$SERIAL" \
  | awk -F': ' 'tolower($1)=="last-modified" {sub(/\r$/, "", $2); print $2}')"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: ApplePass $TOKEN" -H "If-Modified-Since: $LAST_MODIFIED" \
  "$WS/passes/pass.bench.loyalty/$SERIAL")" = 304 ] || { echo "expected a 304" >&2; exit 1; }

mkdir -p bench/results
STAMP="$(date +%Y%m%d-%H%M%S)"
# run NAME PATH [HEADER...] -> RPS P50 P99
run() {
  local name="$1" path="$2"; shift 2
  local headers=() out="bench/results/$STAMP-passes-$name.txt"
  for h in "$@"; do headers+=(-H "$h"); done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${headers[@]}" "$BASE$path" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${headers[@]}" "$BASE$path" >"$out"
  if grep -q "Non-2xx" "$out" && [ "$name" != 304 ]; then echo "$name: non-2xx answers" >&2; cat "$out" >&2; exit 1; fi
  printf '%-10s %12s %10s %10s\n' "$name" "$(awk '/^Requests\/sec:/ {print $2}' "$out")" \
    "$(awk '$1=="50%" {print $2}' "$out")" "$(awk '$1=="99%" {print $2}' "$out")"
  awk '/^Requests\/sec:/ {print $2}' "$out" >"$WORK/$name.rps"
}

printf '%-10s %12s %10s %10s\n' endpoint "requests/s" p50 p99
run live /health/live
run download "$PASS_PATH"
run 304 "/api/v1/loyalty/apple/v1/passes/pass.bench.loyalty/$SERIAL" "Authorization: ApplePass $TOKEN" "If-Modified-Since: $LAST_MODIFIED"
run list "/api/v1/loyalty/apple/v1/devices/bench-device/registrations/pass.bench.loyalty"
for name in download 304 list; do
  awk -v n="$name" -v r="$(cat "$WORK/$name.rps")" -v l="$(cat "$WORK/live.rps")" 'BEGIN { printf "%s/live ratio: %.3f\n", n, r / l }'
done
echo "raw output: bench/results/$STAMP-passes-*.txt"
