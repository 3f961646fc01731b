#!/usr/bin/env bash
# Stamps per second with 1, 2 and 4 `loyalty serve` instances behind nginx, on one PostgreSQL
# database, next to 1 instance reached directly (what nginx itself costs). One run, one
# throwaway cluster, one set-up database, so the rows compare.
#
#   bash bench/instances.sh
#
# Set-up as bench/stamps.sh (bench/stamps-setup.sh: a merchant, a store, a stamps program with
# no cooldown and 1000 stamps a card a day, PINS staff PINs, CARDS cards). Then, for each count
# in INSTANCES: scripts/cluster starts that many instances behind nginx; a wrk warm-up, then
# wrk with bench/stamp.lua through nginx (and, for 1 instance, also directly to the
# instance, after its own warm-up); the cluster stops. During each measured run
# bench/cpu_split.py reads how many cores the instances, PostgreSQL, nginx and the rest used,
# and psql samples what PostgreSQL's sessions do (waiting for a lock, and on which statement).
# Prints: setup, instances, stamps/s, p50, p99, non-2xx, ratio to 1 instance behind nginx;
# then the CPU split, the CPU time a stamp (instances; instances + PostgreSQL + nginx) and the
# sessions. Ends with `verify-ledger` on the database: the instances wrote the cards' hash
# chains concurrently, and they must hold.
#
# Env knobs (defaults in brackets):
#   LOYALTY_BIN      use this binary instead of building
#                    [nice -n 19 swift build -c release --product loyalty --scratch-path .build-release]
#   INSTANCES        instance counts behind nginx, in order ["1 2 4"]
#   DURATION         wrk duration per row [10s]
#   WARMUP           wrk warm-up before each row, 0 for none [3s]
#   CONNECTIONS      wrk -c, the same for every row [32]
#   THREADS          wrk -t [2]
#   TIMEOUT          wrk --timeout [10s]
#   CARDS            cards to enroll and stamp at random [2000]
#   PINS             staff PINs to stamp with at random, 1-99 [1, as stamps.sh]: a stamp updates
#                    its PIN's row of the day's staff statistics, so with 1 every stamp waits
#                    for that one row; more PINs show what the instances do without it
#   MAX_NON2XX_PCT   fail if more than this % of a row's stamps answer non-2xx [1]
#   LOG_LEVEL        server log level [warning]
#   SERVE_ENV        value of serve --env [production]
#   POOL_TOTAL       PostgreSQL connections of all instances together, e.g. 8: each instance
#                    gets LOYALTY_PG_CONNECTIONS_PER_LOOP = POOL_TOTAL / (count * cores), at least
#                    1 [unset: every instance its own default pool]
# By default each instance keeps its own PostgreSQL pool (LOYALTY_PG_CONNECTIONS_PER_LOOP, 4,
# per event loop, one loop per core): 8 connections with 1 instance, 32 with 4.
# One run takes about (count + 1) * (WARMUP + DURATION) plus set-up (~1.5 min by default).
# Raw output is kept in bench/results/ (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

INSTANCES="${INSTANCES:-1 2 4}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-3s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
TIMEOUT="${TIMEOUT:-10s}"
CARDS="${CARDS:-2000}"
PINS="${PINS:-1}"
MAX_NON2XX_PCT="${MAX_NON2XX_PCT:-1}"
export SERVE_ENV="${SERVE_ENV:-production}"
export LOG_LEVEL="${LOG_LEVEL:-warning}"
PIN=4826
PASSWORD=bench-password-1

for tool in wrk curl jq python3 psql; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool missing: run scripts/install-test-deps" >&2; exit 1; }
done
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "nginx missing: run scripts/install-test-deps" >&2; exit 1; }
[[ "$PINS" =~ ^[1-9][0-9]?$ ]] || { echo "PINS must be 1 to 99" >&2; exit 2; }
[[ "${POOL_TOTAL:-1}" =~ ^[1-9][0-9]*$ ]] || { echo "POOL_TOTAL must be a positive number" >&2; exit 2; }
case " $INSTANCES " in *" 1 "*) ;; *) echo "INSTANCES must include 1 (the ratios' base)" >&2; exit 2 ;; esac

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== nice -n 19 swift build -c release --product loyalty --scratch-path .build-release" >&2
  nice -n 19 swift build -c release --product loyalty --scratch-path .build-release >&2
  LOYALTY_BIN="$(swift build -c release --scratch-path .build-release --show-bin-path | tail -n 1)/loyalty"
fi
[ -x "$LOYALTY_BIN" ] || { echo "no executable at $LOYALTY_BIN" >&2; exit 1; }
LOYALTY_BIN="$(cd "$(dirname "$LOYALTY_BIN")" && pwd)/$(basename "$LOYALTY_BIN")"
export LOYALTY_BIN

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-instances.XXXXXX")"
PGDIR="$WORK/pg"
CLUSTER="" CHILD="" WATCHER=""
cleanup() {
  local pid
  for pid in $CHILD $WATCHER; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$CLUSTER" ]; then scripts/cluster stop "$CLUSTER" || true; fi
  scripts/pg-throwaway stop "$PGDIR" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Every instance of every row, and the CLI, share the key: the PIN hashes are keyed by it.
export LOYALTY_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export LOYALTY_DATA_DIR="$WORK/data" LOYALTY_BCRYPT_COST=4
(umask 077; mkdir -p "$LOYALTY_DATA_DIR")
mkdir -p bench/results
STAMP="$(date +%Y%m%d-%H%M%S)"

echo "== PostgreSQL (scripts/pg-throwaway) and set-up ($CARDS cards, $PINS PINs)" >&2
admin_url="$(scripts/pg-throwaway start "$PGDIR" | tail -n 1)"
psql -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE loyalty_bench' "$admin_url"
export DATABASE_URL="${admin_url%/*}/loyalty_bench"
# The postmaster's pid, for the CPU split (the cluster may live elsewhere: pg-throwaway).
pg_data="$PGDIR/data"
[ -f "$PGDIR/cluster" ] && pg_data="$(cat "$PGDIR/cluster")/data"
PG_PID="$(head -n 1 "$pg_data/postmaster.pid")"

# The CLI (create-admin, verify-ledger) with the instances' environment: all of it is exported.
app_command() {
  APP_CMD=(env -u LOYALTY_SQLITE_PATH "$LOYALTY_BIN")
}
# api and setup (the merchant, store, program, PIN and cards), as in bench/stamps.sh.
source bench/stamps-setup.sh

# in_background CMD...: runs CMD in the background and waits for it. wrk catches Ctrl-C and
# exits normally, and bash then ignores the SIGINT (it assumes the program handled it), so a
# wrk in the foreground would let the script run on; `wait` returns at once to the INT trap,
# and cleanup stops CMD (a background command ignores SIGINT).
in_background() {
  "$@" &
  CHILD=$!
  wait "$CHILD"
  CHILD=""
}

# start_cluster N: scripts/cluster in $WORK/cluster-N -> CLUSTER, NGINX_URL, DIRECT_URL (instance 1)
start_cluster() {
  CLUSTER="$WORK/cluster-$1"
  if [ -n "${POOL_TOTAL:-}" ]; then
    export LOYALTY_PG_CONNECTIONS_PER_LOOP=$(( POOL_TOTAL / ($1 * $(nproc)) > 0 ? POOL_TOTAL / ($1 * $(nproc)) : 1 ))
  fi
  NGINX_URL="$(scripts/cluster start "$CLUSTER" "$1" | tail -n 1)"
  DIRECT_URL="http://127.0.0.1:$(cat "$CLUSTER/instance-1.port")"
}

stop_cluster() {
  scripts/cluster stop "$CLUSTER"
  # Requests wrk left in flight end with ConnectionPoolError.shutdown when an instance stops: not errors.
  if cat "$CLUSTER"/instance-*.log | grep -iE '\[ (error|critical) \]' | grep -v 'ConnectionPoolError.shutdown' >"$WORK/errors"; then
    echo "WARNING: the instances' logs of this row have errors:" >&2; head -20 "$WORK/errors" >&2
    cp "$WORK/errors" "bench/results/$STAMP-instances-$(basename "$CLUSTER")-errors.txt"
  fi
  CLUSTER=""
}

# run_wrk NAME URL -> RPS, P50, P99 (ms), REQS, NON2XX, SOCKERR, CPU (the split), MS_PER_STAMP
run_wrk() {
  local name="$1" url="$2" out="bench/results/$STAMP-instances-$1.txt" line pids
  export STAMP_CARDS="$WORK/cards.txt" STAMP_TOKEN="$TOKEN" STAMP_STORE="$STORE_ID" STAMP_PIN="$PIN_LIST"
  if [ "$WARMUP" != 0 ]; then
    in_background wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" --timeout "$TIMEOUT" -s bench/stamp.lua "$url" >"$out.warmup"
  fi
  pids="$(cat "$CLUSTER"/instance-*.pid | paste -sd,)"
  local groups=(loyalty="$pids" postgres="$PG_PID" nginx="$(cat "$CLUSTER/nginx.pid")")
  python3 bench/cpu_split.py sample "$WORK/cpu.before" "${groups[@]}"
  # What the database sessions do, 5 times a second, in one psql session: running a
  # statement, waiting for a lock (another transaction holds the row), or idle inside a
  # transaction (the instance holds it open between two statements); and the statement most
  # sessions wait in for a lock.
  printf '%s \\watch 0.2\n' "WITH s AS (SELECT * FROM pg_stat_activity
      WHERE datname = 'loyalty_bench' AND pid <> pg_backend_pid())
    SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE wait_event_type = 'Lock'),
      count(*) FILTER (WHERE state = 'idle in transaction'),
      (SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 70) FROM s WHERE wait_event_type = 'Lock'
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1)
    FROM s" \
    | psql -qAtX -F $'\t' "$DATABASE_URL" >"$WORK/sessions" 2>/dev/null &
  WATCHER=$!
  in_background wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s bench/stamp.lua "$url" >"$out"
  python3 bench/cpu_split.py sample "$WORK/cpu.after" "${groups[@]}"
  kill "$WATCHER" 2>/dev/null || true
  wait "$WATCHER" 2>/dev/null || true
  WATCHER=""
  CPU="$(python3 bench/cpu_split.py diff "$WORK/cpu.before" "$WORK/cpu.after")"
  SESSIONS="$(awk -F '\t' 'NF >= 3 { a += $1; l += $2; t += $3; n++ }
    END { if (n) printf "%.1f %.1f %.1f", a / n, l / n, t / n; else print "n/a n/a n/a" }' "$WORK/sessions")"
  WAITED_IN="$(awk -F '\t' '$4 != "" { c[$4]++ }
    END { for (q in c) if (c[q] > best) { best = c[q]; top = q } if (best) print top " (" best " samples)" }' "$WORK/sessions")"
  echo "CPU cores: $CPU" >>"$out"
  echo "PostgreSQL sessions (mean of $(wc -l <"$WORK/sessions") samples: active, waiting for a lock, idle in transaction): $SESSIONS" >>"$out"
  echo "lock waits mostly in: ${WAITED_IN:-none}" >>"$out"
  grep -E '^(status codes|STAMPS|CPU|PostgreSQL|lock waits)' "$out" >&2
  line="$(grep '^STAMPS ' "$out")" || { echo "no STAMPS line in wrk output" >&2; exit 1; }
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  REQS="$(field requests)"
  NON2XX="$(field non2xx)"
  SOCKERR="$(field socket_errors)"
  RPS="$(awk -v n="$REQS" -v us="$(field duration_us)" 'BEGIN { printf "%.1f", n / (us / 1e6) }')"
  P50="$(awk -v us="$(field p50_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
  P99="$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.1f", us / 1000 }')"
  # CPU per stamp: the instances' cores over the stamps per second, and the whole stack's
  # (instances, PostgreSQL, nginx): the work a stamp costs, whatever else the VM runs.
  MS_PER_STAMP="$(awk -v r="$RPS" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] } }
    END { if (r > 0) printf "%.2f %.2f", c["loyalty"] * 1000 / r, (c["loyalty"] + c["postgres"] + c["nginx"]) * 1000 / r;
          else print "n/a n/a" }' <<<"$CPU")"
  if awk -v bad="$NON2XX" -v n="$REQS" -v max="$MAX_NON2XX_PCT" 'BEGIN { exit !(n == 0 || bad * 100 > n * max) }'; then
    FAILED="$FAILED $name: $NON2XX of $REQS stamps answered non-2xx (limit $MAX_NON2XX_PCT%);"
  fi
  if [ "${SOCKERR:-0}" -gt 0 ]; then FAILED="$FAILED $name: $SOCKERR socket errors;"; fi
}

NAMES=() ROWS=() WAITS=() BASE_RPS=""
FAILED=""
# row SETUP N: one measured row -> NAMES, ROWS (the ratio is filled in at the end)
row() {
  NAMES+=("$1:$2")
  ROWS+=("$RPS|$P50|$P99|$NON2XX|$(sed 's/[a-z]*=//g' <<<"$CPU")|$MS_PER_STAMP|$SESSIONS")
  WAITS+=("$1 $2: lock waits mostly in ${WAITED_IN:-none}")
  if [ "$1" = nginx ] && [ "$2" = 1 ]; then BASE_RPS="$RPS"; fi
}

start_cluster 1
BASE="$DIRECT_URL"
setup
for n in $INSTANCES; do
  [ "$n" = 1 ] || start_cluster "$n"
  echo "== $n instance(s) behind nginx: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)" >&2
  run_wrk "nginx-$n" "$NGINX_URL"
  row nginx "$n"
  if [ "$n" = 1 ]; then
    echo "== 1 instance, direct: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)" >&2
    run_wrk direct-1 "$DIRECT_URL"
    row direct 1
  fi
  stop_cluster
done

echo "== verify-ledger" >&2
app_command
"${APP_CMD[@]}" verify-ledger --env "$SERVE_ENV" >"bench/results/$STAMP-instances-verify-ledger.txt" 2>&1 \
  || FAILED="$FAILED verify-ledger failed (bench/results/$STAMP-instances-verify-ledger.txt);"

{
  echo
  echo "instances: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP each), $CARDS cards, $PINS PIN(s), one PostgreSQL database, $(nproc) cores,"\
    "$(if [ -n "${POOL_TOTAL:-}" ]; then echo "$POOL_TOTAL PostgreSQL connections in all"; else echo "each instance its own pool"; fi)"
  printf '%-7s %9s %9s %8s %8s %8s %6s\n' setup instances "stamps/s" "p50 ms" "p99 ms" non-2xx ratio
  for i in "${!NAMES[@]}"; do
    IFS='|' read -r rps p50 p99 non2xx _ _ _ <<<"${ROWS[$i]}"
    ratio="$(awk -v r="$rps" -v b="$BASE_RPS" 'BEGIN { printf "%.2f", r / b }')"
    printf '%-7s %9s %9s %8s %8s %8s %6s\n' "${NAMES[$i]%%:*}" "${NAMES[$i]##*:}" "$rps" "$p50" "$p99" "$non2xx" "$ratio"
  done
  echo
  echo "where the time went: cores used during the measured run (other: wrk and the rest of the VM); CPU ms a stamp"
  echo "of the instances and of the stack (instances + postgres + nginx); PostgreSQL's sessions (mean: active,"
  echo "waiting for a lock, idle in transaction)"
  printf '%-7s %9s %8s %8s %6s %6s %6s %6s %10s %6s %7s %5s %8s\n' setup instances loyalty postgres nginx other idle steal \
    "ms loyalty" stack active lock "idle-tx"
  for i in "${!NAMES[@]}"; do
    IFS='|' read -r _ _ _ _ cpu ms sessions <<<"${ROWS[$i]}"
    # shellcheck disable=SC2086 # word splitting wanted: the numbers become columns
    printf '%-7s %9s %8s %8s %6s %6s %6s %6s %10s %6s %7s %5s %8s\n' "${NAMES[$i]%%:*}" "${NAMES[$i]##*:}" $cpu $ms $sessions
  done
  printf '%s\n' "${WAITS[@]}"
  echo "verify-ledger: $(tail -n 1 "bench/results/$STAMP-instances-verify-ledger.txt")"
} | tee "bench/results/$STAMP-instances.txt"
echo "raw output: bench/results/$STAMP-instances*.txt"

if [ -n "$FAILED" ]; then
  echo "FAILED:$FAILED" >&2
  exit 1
fi
