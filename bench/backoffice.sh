#!/usr/bin/env bash
# The back office at size: `loyalty generate` fills a database, then bench/backoffice.py times
# every analytics and list endpoint and the heaviest pages, next to a trivial page (/login)
# measured in the same run, on SQLite and on PostgreSQL.
#
#   bash bench/backoffice.sh
#
# Env knobs (defaults in brackets):
#   LOYALTY_BIN    use this binary instead of building [swift build -c release]
#   ENGINES        engines to measure, in order [sqlite postgresql]
#   MERCHANTS      merchants to generate [10]
#   CARDS          cards in total [1000000]
#   TRANSACTIONS   ledger rows in total [10000000]
#   SAMPLES        timed requests per endpoint, after WARMUP [20]
#   WARMUP         untimed rounds of every endpoint first [3]
#   ROUNDS         slices of the run the samples are taken in [5]
#   KEEP_DIR       keep the generated SQLite database and PostgreSQL cluster here and reuse
#                  them on the next run with the same sizes (generation is most of the run
#                  time); the cluster is left running [a temporary directory]
# Traffic stays on 127.0.0.1. Tables land in bench/results/ (git-ignored).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENGINES="${ENGINES:-sqlite postgresql}"
MERCHANTS="${MERCHANTS:-10}"
CARDS="${CARDS:-1000000}"
TRANSACTIONS="${TRANSACTIONS:-10000000}"
SAMPLES="${SAMPLES:-20}"
WARMUP="${WARMUP:-3}"
ROUNDS="${ROUNDS:-5}"
# The history's last day, fixed so that runs on different days compare (the seed fixes the rest).
UNTIL=2026-11-30

if [ -z "${LOYALTY_BIN:-}" ]; then
  echo "== swift build -c release --product loyalty" >&2
  swift build -c release --product loyalty >&2
  LOYALTY_BIN="$(swift build -c release --show-bin-path | tail -n 1)/loyalty"
fi
[ -x "$LOYALTY_BIN" ] || { echo "no executable at $LOYALTY_BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench.XXXXXX")"
DATA="${KEEP_DIR:-$WORK/data}"
SIZE="m$MERCHANTS-c$CARDS-t$TRANSACTIONS"
mkdir -p "$DATA" bench/results
SERVER_PID=""
PG_DIR=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PG_DIR" ] && [ -z "${KEEP_DIR:-}" ]; then bash scripts/pg-throwaway stop "$PG_DIR" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
STAMP="$(date +%Y%m%d-%H%M%S)"

# database_env ENGINE: prints the env assignments that point the binary at ENGINE's database.
database_env() {
  case "$1" in
    sqlite) echo "LOYALTY_SQLITE_PATH=$DATA/$SIZE.sqlite" ;;
    postgresql) echo "DATABASE_URL=$PG_URL" ;;
    *) echo "unknown engine $1 (sqlite or postgresql)" >&2; exit 2 ;;
  esac
}

# run_loyalty ENGINE ARGS...: the binary on ENGINE's database. `exec`, so that run in the
# background its pid is the server's own (the cleanup signals that pid).
run_loyalty() {
  local engine="$1"; shift
  exec env -u DATABASE_URL $(database_env "$engine") LOYALTY_DATA_DIR="$WORK" LOYALTY_SECRET_KEY="$SECRET" \
    LOYALTY_BCRYPT_COST=4 LOG_LEVEL="${LOG_LEVEL:-warning}" "$LOYALTY_BIN" "$@"
}

for engine in $ENGINES; do
  echo "== $engine" >&2
  if [ "$engine" = postgresql ]; then
    if [ -n "${KEEP_DIR:-}" ]; then
      # Kept: the cluster stays running after the run, its URL beside it, and is reused while
      # it answers; a stopped one (a reboot) is started again with its data (26 minutes to
      # generate). Stop and delete it with `scripts/pg-throwaway stop $KEEP_DIR/pg-$SIZE`.
      PG_DIR="$DATA/pg-$SIZE"
      PG_URL="$(cat "$DATA/pg-$SIZE.url" 2>/dev/null || true)"
      if [ -z "$PG_URL" ] || ! pg_isready -q -d "$PG_URL" 2>/dev/null; then
        # Only a finished generation is worth resuming.
        if [ -f "$PG_DIR/generated" ] && PG_URL="$(bash scripts/pg-throwaway resume "$PG_DIR" 2>/dev/null | tail -n 1)" && [ -n "$PG_URL" ]; then
          echo "resumed the kept PostgreSQL cluster in $PG_DIR" >&2
        else
          bash scripts/pg-throwaway stop "$PG_DIR" >/dev/null 2>&1 || true
          PG_URL="$(bash scripts/pg-throwaway start "$PG_DIR" | tail -n 1)"
        fi
        echo "$PG_URL" >"$DATA/pg-$SIZE.url"
      fi
    else
      # A fresh cluster each run: PostgreSQL is generated again.
      PG_DIR="$WORK/pg"
      PG_URL="$(bash scripts/pg-throwaway start "$PG_DIR" | tail -n 1)"
    fi
    MARK="$PG_DIR/generated"
  else
    MARK="$DATA/$SIZE.sqlite.generated"
  fi

  if [ ! -f "$MARK" ]; then
    [ "$engine" = sqlite ] && rm -f "$DATA/$SIZE.sqlite"*
    echo "== loyalty generate --merchants $MERCHANTS --cards $CARDS --transactions $TRANSACTIONS ($engine)" >&2
    start=$(date +%s)
    (run_loyalty "$engine" generate --merchants "$MERCHANTS" --cards "$CARDS" --transactions "$TRANSACTIONS" --until "$UNTIL" >&2)
    echo "generated in $(( $(date +%s) - start )) s" >&2
    touch "$MARK"
  fi

  # Pending migrations first: on a kept 10-million-row database an index migration takes
  # minutes, longer than the readiness wait below.
  (run_loyalty "$engine" migrate --yes >&2)
  # The daily compaction, as a running platform has it (a database generated before it existed
  # has none yet; a report is the same without it, only slower).
  (run_loyalty "$engine" run-job loyalty.compact_rollups >&2)

  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  (run_loyalty "$engine" serve --env production --hostname 127.0.0.1 --port "$PORT" >"$WORK/server-$engine.log" 2>&1 </dev/null) &
  SERVER_PID=$!
  for i in $(seq 1 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/ready" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited early:" >&2; cat "$WORK/server-$engine.log" >&2; exit 1; }
    [ "$i" -eq 300 ] && { echo "server not ready after 60 s" >&2; exit 1; }
    sleep 0.2
  done

  python3 bench/backoffice.py --base "http://127.0.0.1:$PORT" --engine "$engine" --samples "$SAMPLES" --warmup "$WARMUP" --rounds "$ROUNDS" --until "$UNTIL" \
    --out "bench/results/$STAMP-backoffice-$engine.json" | tee "bench/results/$STAMP-backoffice-$engine.txt"

  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
done
echo "tables: bench/results/$STAMP-backoffice-*.txt" >&2
