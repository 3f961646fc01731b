# Sourced by bench/stamps.sh and bench/instances.sh: a stamps benchmark's database, set up
# through the CLI and the API as a merchant would (not by SQL, so the rows are the server's).
#
# The caller defines app_command (fills APP_CMD: the binary with the database's environment
# and the same LOYALTY_SECRET_KEY as the server, which keys the PIN hash) and sets BASE (a
# running server), WORK (a temp folder), CARDS, PIN, PASSWORD and SERVE_ENV; PINS (1) is optional.
# The program has no cooldown and 1000 stamps a card a day, and the stamps go to CARDS cards
# at random, so no stamp of a run is refused by the program's rules.

# api METHOD PATH [JSON] : prints the response body; fails loudly on non-2xx.
# Sends TOKEN and STORE_ID as headers when set.
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

# setup: admin, merchant, store, owner, program, PIN, cards -> TOKEN, STORE_ID, STORE_TZ, $WORK/cards.txt
setup() {
  local merchant_id
  app_command
  "${APP_CMD[@]}" create-admin --email admin@bench.test --password "$PASSWORD" --env "$SERVE_ENV" >/dev/null
  TOKEN="" STORE_ID=""
  TOKEN="$(api POST /api/v1/auth/login "{\"email\":\"admin@bench.test\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)"
  merchant_id="$(api POST /api/v1/admin/merchants '{"name":"Bench","contact_email":"b@bench.test"}' | jq -er .id)"
  api POST "/api/v1/admin/merchants/$merchant_id/stores" '{"name":"S","code":"BENCH-1"}' >"$WORK/store.json"
  STORE_ID="$(jq -er .id "$WORK/store.json")"
  STORE_TZ="$(jq -er .timezone "$WORK/store.json")"
  api POST "/api/v1/admin/merchants/$merchant_id/users" \
    "{\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\",\"role\":\"merchant_owner\"}" >/dev/null
  local store="$STORE_ID"; STORE_ID=""
  TOKEN="$(api POST /api/v1/auth/login "{\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)"
  STORE_ID="$store"
  api POST /api/v1/store/loyalty/program '{"loyalty_type":"stamps","stamps_target":10,"stamps_reward_description":"Free coffee","cooldown_minutes":0,"max_daily_stamps":1000,"require_staff_pin":true}' >/dev/null
  api POST /api/v1/store/loyalty/pins "{\"name\":\"Cashier\",\"pin\":\"$PIN\"}" >/dev/null
  # PINS > 1: more cashiers (48kk71, none of them trivially guessable), in PIN_LIST with PIN.
  # A stamp updates its PIN's staff-day row, so with one PIN every stamp updates the same row.
  PIN_LIST="$PIN"
  local k pin
  for k in $(seq 2 "${PINS:-1}"); do
    pin="$(printf '48%02d71' "$k")"
    api POST /api/v1/store/loyalty/pins "{\"name\":\"Cashier $k\",\"pin\":\"$pin\"}" >/dev/null
    PIN_LIST+=",$pin"
  done
  MERCHANT_ID="$merchant_id"

  # Enroll CARDS cards, 8 at a time over keep-alive connections.
  BASE="$BASE" TOKEN="$TOKEN" STORE_ID="$STORE_ID" CARDS="$CARDS" python3 - >"$WORK/cards.txt" <<'PY'
import concurrent.futures, http.client, json, os, sys, threading
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
