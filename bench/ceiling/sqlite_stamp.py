#!/usr/bin/env python3
"""SQLite ceiling for bench/stamps.sh: the SQL of one stamp, without HTTP or Swift.

Runs the statements `POST /api/v1/store/loyalty/stamp` runs on SQLite (PIN on, no
Idempotency-Key), copied from the server's SQL trace (LOG_LEVEL=trace), in a loop from one
connection for a fixed time, on a random card of the store's merchant each time:

  outside the transaction (auth and lookups, as the middlewares do them):
    access token by hash, user by id, store by id, program and settings by merchant
  BEGIN IMMEDIATE
    card by merchant and number (found and locked in one statement), the terminal's PIN
    failures (pin_terminal_failures) and the staff PIN by hash in one statement, INSERT ledger
    row, UPDATE card, upserts loyalty_staff_daily_stats,
    loyalty_balance_totals, loyalty_points_by_activity_day (only when the card's activity
    day moves, as the server), loyalty_daily_stats
  COMMIT

The statements the server runs only under a condition are run under the same condition: the
activity-day upsert on a card's first activity of the (UTC) day, one row, or two when it
moves from an earlier day; the read of the card's previous ledger row (the store-hop check)
when its last activity is within fraud_hop_minutes. --print-sql prints the traced path (a
card's first stamp: the upsert, no read).

One connection because SQLite has one writer (the server queues its writers on one gate too),
with the server's settings: WAL, synchronous=FULL (or --synchronous), busy_timeout,
foreign_keys=ON. Values the server computes in Swift (ids, times, the chained SHA-256 hash)
are computed here in Python; the per-request PIN HMAC and token SHA-256 are not (the hashes
are looked up once at start).

  python3 bench/ceiling/sqlite_stamp.py --db PATH --token TOKEN --store-id UUID --duration 15

Prints one machine-readable line:
  CEILING tx=N duration_s=X tps=X p50_ms=X p99_ms=X
"""

import argparse
import datetime
import hashlib
import random
import sqlite3
import sys
import time
import uuid
import zoneinfo

SELECT_TOKEN = (
    'SELECT "user_id", "customer_id", "expires_at", "revoked_at", "created_at", "last_seen_at" FROM "access_tokens" '
    'WHERE "token_hash" = ?1 AND "kind" IS NULL LIMIT 1'
)
SELECT_USER = (
    'SELECT "email", "name", "role", "merchant_id", "store_id", "is_active", "language", "password_change_required" '
    'FROM "users" WHERE "id" = ?1 LIMIT 1'
)
SELECT_STORE = (
    'SELECT "stores"."id" AS "stores_id", "stores"."merchant_id" AS "stores_merchant_id", "stores"."name" AS "stores_name", '
    '"stores"."code" AS "stores_code", "stores"."timezone" AS "stores_timezone", "stores"."address_line1" AS "stores_address_line1", '
    '"stores"."address_line2" AS "stores_address_line2", "stores"."postal_code" AS "stores_postal_code", "stores"."city" AS "stores_city", '
    '"stores"."country" AS "stores_country", "stores"."created_at" AS "stores_created_at", "stores"."updated_at" AS "stores_updated_at" '
    'FROM "stores" WHERE "stores"."id" = ?1 LIMIT 1'
)
# The card found by number and locked in one statement (CardModel.lockForUpdate(_ reference:)).
LOCK_CARD = 'SELECT * FROM "loyalty_cards" WHERE "merchant_id" = ?1 AND "card_number" = ?2 LIMIT 1'
PROGRAM_COLUMNS = [
    "id", "merchant_id", "loyalty_type", "stamps_target", "stamps_reward_description", "points_per_euro", "cooldown_minutes",
    "max_daily_stamps", "require_staff_pin", "points_expiration_days", "stamps_reward_cost_cents", "card_name", "card_color", "logo_url", "google_issuer_id",
    "google_class_id", "apple_pass_type_id", "is_active", "created_at", "updated_at",
]
SELECT_PROGRAM = (
    "SELECT "
    + ", ".join(f'"loyalty_programs"."{c}" AS "loyalty_programs_{c}"' for c in PROGRAM_COLUMNS)
    + ' FROM "loyalty_programs" WHERE "loyalty_programs"."merchant_id" = ?1 LIMIT 1'
)
SETTINGS_COLUMNS = [
    "merchant_id", "staff_pin_policy", "allow_self_enrollment", "allow_store_voids", "allow_cross_store_redemption",
    "store_void_window_days", "fraud_near_limit_percent", "fraud_near_limit_days", "fraud_voids_per_staff",
    "fraud_pin_failures_per_staff", "fraud_hop_minutes", "fraud_hops_per_card", "updated_at",
]
SELECT_SETTINGS = (
    "SELECT "
    + ", ".join(f'"merchant_loyalty_settings"."{c}" AS "merchant_loyalty_settings_{c}"' for c in SETTINGS_COLUMNS)
    + ' FROM "merchant_loyalty_settings" WHERE "merchant_loyalty_settings"."merchant_id" = ?1 LIMIT 1'
)
# PinVerifier: the terminal's PIN failures and the PIN's owner in one statement.
SELECT_TERMINAL_AND_PIN = (
    'SELECT t.failed_attempts AS terminal_failed_attempts, t.first_failed_at AS terminal_first_failed_at, t.locked_until AS terminal_locked_until, staff_pins.* FROM (SELECT 1 AS probe) AS probe LEFT JOIN "pin_terminal_failures" AS t ON t.store_id = ?1 AND t.terminal_id = ?2 LEFT JOIN "staff_pins" ON staff_pins.merchant_id = ?3 AND staff_pins.pin_hash = ?4 AND staff_pins.is_active = ?5 AND (staff_pins.user_id IS NULL OR staff_pins.user_id IN (SELECT id FROM users WHERE is_active)) LIMIT 1'
)
INSERT_LEDGER = (
    'INSERT INTO loyalty_transactions (id, merchant_id, card_id, sequence, type, stamps_delta, points_delta, stamps_balance_after, points_balance_after, purchase_amount_cents, order_reference, reward_id, voids_transaction_id, store_id, staff_pin_id, user_id, ip_address, user_agent, notes, business_day, created_at, recorded_at_ms, previous_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)'
)
UPDATE_CARD = (
    'UPDATE loyalty_cards SET stamp_count = ?1, points_balance = ?2, total_stamps_earned = ?3, total_stamps_redeemed = ?4, total_points_earned = ?5, total_points_redeemed = ?6, last_stamp_at = ?7, stamps_today = ?8, stamps_today_date = ?9, last_activity_at = ?10, entry_count = ?11, last_entry_hash = ?12, updated_at = ?13 WHERE id = ?14'
)
UPSERT_STAFF_DAY = """INSERT INTO loyalty_staff_daily_stats
    (merchant_id, store_id, day, staff_kind, staff_id, operations, stamps, points, redemptions, voids, pin_failures)
VALUES (?1, ?2, ?3, ?4, ?5,
    ?6, ?7, ?8, ?9, ?10,
    ?11)
ON CONFLICT (store_id, day, staff_kind, staff_id) DO UPDATE SET
    operations = loyalty_staff_daily_stats.operations + excluded.operations,
    stamps = loyalty_staff_daily_stats.stamps + excluded.stamps,
    points = loyalty_staff_daily_stats.points + excluded.points,
    redemptions = loyalty_staff_daily_stats.redemptions + excluded.redemptions,
    voids = loyalty_staff_daily_stats.voids + excluded.voids,
    pin_failures = loyalty_staff_daily_stats.pin_failures + excluded.pin_failures"""
UPSERT_BALANCE = """INSERT INTO loyalty_balance_totals (merchant_id, shard, stamps, points, cards, ledger_rows)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (merchant_id, shard) DO UPDATE SET
    stamps = loyalty_balance_totals.stamps + excluded.stamps,
    points = loyalty_balance_totals.points + excluded.points,
    cards = loyalty_balance_totals.cards + excluded.cards,
    ledger_rows = loyalty_balance_totals.ledger_rows + excluded.ledger_rows"""


def upsert_activity(rows):
    """The activity-day upsert with `rows` rows (SQLKit numbers the binds on)."""
    values = ", ".join(
        "(" + ", ".join(f"?{5 * r + c}" for c in range(1, 6)) + ")" for r in range(rows))
    return (
        'INSERT INTO "loyalty_points_by_activity_day" ("merchant_id", "day", "shard", "points", "cards") '
        f'VALUES {values} ON CONFLICT ("merchant_id", "day", "shard") DO UPDATE SET '
        '"points" = loyalty_points_by_activity_day.points + excluded.points, '
        '"cards" = loyalty_points_by_activity_day.cards + excluded.cards'
    )


UPSERT_ACTIVITY = upsert_activity(1)
UPSERT_ACTIVITY_2 = upsert_activity(2)
# The store-hop check's read of the card's previous ledger row (AnalyticsRecorder.store(ofRow:)),
# run when the card's last activity is within fraud_hop_minutes; not in the trace (a card's first stamp).
SELECT_PREVIOUS_ROW_STORE = (
    'SELECT "store_id" FROM "loyalty_transactions" WHERE "card_id" = ?1 AND "sequence" = ?2 LIMIT 1'
)
UPSERT_DAILY_STATS = """INSERT INTO loyalty_daily_stats
    (merchant_id, store_id, day, shard, cards_enrolled, stamps_given, stamps_redeemed, points_given, points_redeemed,
    points_expired, active_cards, visits, stamps_voided, points_voided, rewards_redeemed, rewards_earned)
VALUES (?1, ?2, ?3, ?4, ?5,
    ?6, ?7, ?8, ?9,
    ?10, ?11, ?12, ?13,
    ?14, ?15, ?16)
ON CONFLICT (store_id, day, shard) DO UPDATE SET
    cards_enrolled = loyalty_daily_stats.cards_enrolled + excluded.cards_enrolled,
    stamps_given = loyalty_daily_stats.stamps_given + excluded.stamps_given,
    stamps_redeemed = loyalty_daily_stats.stamps_redeemed + excluded.stamps_redeemed,
    points_given = loyalty_daily_stats.points_given + excluded.points_given,
    points_redeemed = loyalty_daily_stats.points_redeemed + excluded.points_redeemed,
    points_expired = loyalty_daily_stats.points_expired + excluded.points_expired,
    active_cards = loyalty_daily_stats.active_cards + excluded.active_cards,
    visits = loyalty_daily_stats.visits + excluded.visits,
    stamps_voided = loyalty_daily_stats.stamps_voided + excluded.stamps_voided,
    points_voided = loyalty_daily_stats.points_voided + excluded.points_voided,
    rewards_redeemed = loyalty_daily_stats.rewards_redeemed + excluded.rewards_redeemed,
    rewards_earned = loyalty_daily_stats.rewards_earned + excluded.rewards_earned"""

# FraudThresholds.hopMinutes, for a merchant without a settings row.
DEFAULT_HOP_MINUTES = 30
SHARDS = 8  # DailyStats.shards


def shard(uuid_value):
    """DailyStats.shard(for:): the UUID's last byte modulo the shards."""
    last = uuid_value[-1] if isinstance(uuid_value, bytes) else int(str(uuid_value)[-2:], 16)
    return last % SHARDS


def as_epoch(value):
    """A Date column as SQLiteNIO stores it (seconds since 1970, a float), or None."""
    if value is None or isinstance(value, (int, float)):
        return value
    return datetime.datetime.fromisoformat(str(value).replace(" ", "T").replace("Z", "+00:00")).timestamp()


# In the order the server runs them, for --print-sql (compared with trace-sqlite.sql).
STATEMENTS = [
    SELECT_TOKEN, SELECT_USER, SELECT_STORE, SELECT_PROGRAM, SELECT_SETTINGS, "BEGIN IMMEDIATE",
    LOCK_CARD, SELECT_TERMINAL_AND_PIN, INSERT_LEDGER, UPDATE_CARD, UPSERT_STAFF_DAY, UPSERT_BALANCE,
    UPSERT_ACTIVITY, UPSERT_DAILY_STATS, "COMMIT",
]


def one_stamp(db, token_hash, store_id, pin_hash, card_number):
    """One stamp; returns nothing, raises on any surprise."""
    token = db.execute(SELECT_TOKEN, (token_hash,)).fetchone()
    if token is None:
        raise RuntimeError("auth lookups found nothing: wrong --token?")
    user_id = token[0]
    user = db.execute(SELECT_USER, (user_id,)).fetchone()
    store = db.execute(SELECT_STORE, (store_id,)).fetchone()
    if user is None or store is None:
        raise RuntimeError("auth lookups found nothing: wrong --token or --store-id?")
    merchant_id, time_zone = store[1], store[4]
    program = db.execute(SELECT_PROGRAM, (merchant_id,)).fetchone()
    settings = db.execute(SELECT_SETTINGS, (merchant_id,)).fetchone()
    stamps_target = program[PROGRAM_COLUMNS.index("stamps_target")]
    hop_minutes = settings[SETTINGS_COLUMNS.index("fraud_hop_minutes")] if settings else DEFAULT_HOP_MINUTES

    db.execute("BEGIN IMMEDIATE")
    try:
        cursor = db.execute(LOCK_CARD, (merchant_id, card_number))
        names = [d[0] for d in cursor.description]
        locked = dict(zip(names, cursor.fetchone()))
        card_id = locked["id"]
        # PinVerifier: the terminal is the signed-in account (OperatorContext.terminalID).
        pin = db.execute(SELECT_TERMINAL_AND_PIN, (store_id, user_id, merchant_id, pin_hash, True)).fetchone()
        if pin is None or pin[3] is None:  # three terminal columns, then staff_pins.*
            raise RuntimeError("staff PIN not found")
        pin_id = pin[3]

        now = round(time.time() * 1000) / 1000  # whole milliseconds, as the server's clock
        zone = zoneinfo.ZoneInfo(time_zone)
        today = datetime.datetime.fromtimestamp(now, zone).strftime("%Y-%m-%d")
        stamps_today = locked["stamps_today"] + 1 if locked["stamps_today_date"] == today else 1
        stamp_count = locked["stamp_count"] + 1
        points = locked["points_balance"]
        sequence = locked["entry_count"] + 1
        entry_id = str(uuid.uuid4()).upper()
        now_ms = round(now * 1000)
        previous_hash = locked["last_entry_hash"]
        previous_activity = as_epoch(locked["last_activity_at"])
        canonical = "|".join(
            str(v) for v in (entry_id, card_id, sequence, "stamp_earned", 1, 0, stamp_count, points,
                             store_id, pin_id, user_id, "127.0.0.1", "python", now_ms))
        entry_hash = hashlib.sha256((previous_hash + "\n" + canonical).encode()).hexdigest()
        db.execute(INSERT_LEDGER, (
            entry_id, merchant_id, card_id, sequence, "stamp_earned", 1, 0, stamp_count, points, None, None, None, None,
            store_id, pin_id, user_id, "127.0.0.1", "python", None, today, now, now_ms, previous_hash, entry_hash))
        db.execute(UPDATE_CARD, (
            stamp_count, points, locked["total_stamps_earned"] + 1, locked["total_stamps_redeemed"],
            locked["total_points_earned"], locked["total_points_redeemed"], now, stamps_today, today, now, sequence,
            entry_hash, now, card_id))

        # AnalyticsRecorder.record: the staff day (the PIN's identity; a stamp is 1 operation, 1 stamp) ...
        db.execute(UPSERT_STAFF_DAY, (merchant_id, store_id, today, "pin", pin_id, 1, 1, 0, 0, 0, 0))
        # ... the balance totals (1 stamp, 1 ledger row) on the card's shard ...
        card_shard = shard(card_id)
        db.execute(UPSERT_BALANCE, (merchant_id, card_shard, 1, 0, 0, 1))
        # ... the activity-day buckets (UTC days), only when the card's day moves (points stay) ...
        utc_day = datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%d")
        previous_utc_day = (None if previous_activity is None else
                            datetime.datetime.fromtimestamp(previous_activity, datetime.timezone.utc).strftime("%Y-%m-%d"))
        if previous_utc_day is None:
            db.execute(UPSERT_ACTIVITY, (merchant_id, utc_day, card_shard, points, 1))
        elif previous_utc_day != utc_day:
            db.execute(UPSERT_ACTIVITY_2, (merchant_id, previous_utc_day, card_shard, -points, -1,
                                           merchant_id, utc_day, card_shard, points, 1))
        # ... (the near-limit signal at 80 % of max_daily_stamps: out of reach here) and the
        # store-hop check, which reads the previous row's store when the last activity is recent.
        if previous_activity is not None and now - previous_activity <= hop_minutes * 60:
            db.execute(SELECT_PREVIOUS_ROW_STORE, (card_id, sequence - 1)).fetchone()
        # DailyStats.add: a stamp given; active card and visit on the card's first activity of the
        # store's day; a reward earned when the stamp fills the card to a multiple of the target.
        first_of_day = (previous_activity is None or
                        datetime.datetime.fromtimestamp(previous_activity, zone).strftime("%Y-%m-%d") != today)
        reward_earned = 1 if stamp_count > 0 and stamp_count % max(stamps_target, 1) == 0 else 0
        db.execute(UPSERT_DAILY_STATS, (
            merchant_id, store_id, today, card_shard, 0, 1, 0, 0, 0,
            0, int(first_of_day), int(first_of_day), 0, 0, 0, reward_earned))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print-sql", action="store_true", help="print the statements, one a line, and exit")
    parser.add_argument("--db", help="the server's SQLite file (server stopped)")
    parser.add_argument("--token", help="the bearer token the HTTP run used")
    parser.add_argument("--store-id", help="the X-Store-Id of the HTTP run")
    parser.add_argument("--duration", type=float, default=15, help="seconds to measure [15]")
    parser.add_argument("--warmup", type=float, default=0, help="seconds to run before measuring [0]")
    parser.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"], help="PRAGMA synchronous [FULL]")
    parser.add_argument("--busy-timeout", type=int, default=5000, help="PRAGMA busy_timeout in ms [5000]")
    args = parser.parse_args()
    if args.print_sql:
        for statement in STATEMENTS:
            print(" ".join(statement.split()))
        return
    if not (args.db and args.token and args.store_id):
        parser.error("--db, --token and --store-id are required")

    db = sqlite3.connect(args.db, isolation_level=None, check_same_thread=False)
    for pragma in ("journal_mode = WAL", f"busy_timeout = {args.busy_timeout}", f"synchronous = {args.synchronous}",
                   "foreign_keys = ON"):
        db.execute(f"PRAGMA {pragma}").fetchall()

    token_hash = hashlib.sha256(args.token.encode()).hexdigest()
    store = db.execute("SELECT merchant_id FROM stores WHERE id = ?", (args.store_id,)).fetchone()
    if store is None:
        sys.exit(f"no store {args.store_id} in {args.db}")
    merchant_id = store[0]
    cards = [row[0] for row in db.execute("SELECT card_number FROM loyalty_cards WHERE merchant_id = ?", (merchant_id,))]
    pins = db.execute("SELECT pin_hash FROM staff_pins WHERE store_id = ? AND is_active = 1", (args.store_id,)).fetchall()
    if not cards or len(pins) != 1:
        sys.exit(f"expected cards and exactly one active staff PIN in the store, found {len(cards)} cards, {len(pins)} PINs")
    pin_hash = pins[0][0]

    rng = random.Random()
    if args.warmup > 0:
        end = time.perf_counter() + args.warmup
        while time.perf_counter() < end:
            one_stamp(db, token_hash, args.store_id, pin_hash, rng.choice(cards))

    latencies = []
    start = time.perf_counter()
    end = start + args.duration
    now = start
    while now < end:
        one_stamp(db, token_hash, args.store_id, pin_hash, rng.choice(cards))
        done = time.perf_counter()
        latencies.append(done - now)
        now = done
    elapsed = now - start
    latencies.sort()
    print(
        f"CEILING tx={len(latencies)} duration_s={elapsed:.3f} tps={len(latencies) / elapsed:.1f} "
        f"p50_ms={percentile(latencies, 50) * 1000:.3f} p99_ms={percentile(latencies, 99) * 1000:.3f}")


if __name__ == "__main__":
    main()
