#!/usr/bin/env python3
"""SQLite ceiling for bench/stamps.sh: the SQL of one stamp, without HTTP or Swift.

Runs the statements `POST /api/v1/store/loyalty/stamp` runs on SQLite (PIN on, no
Idempotency-Key), copied from the server's SQL trace (LOG_LEVEL=trace), in a loop from one
connection for a fixed time, on a random card of the store's merchant each time:

  outside the transaction (auth and lookups, as the middlewares do them):
    access token by hash, user by id, store by id, card by merchant and number
  BEGIN IMMEDIATE
    card by id (the lock), program by id, terminal PIN guard, staff PIN by hash,
    INSERT ledger row, UPDATE card, upsert loyalty_daily_stats
  COMMIT

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
    'SELECT "access_tokens"."id" AS "access_tokens_id", "access_tokens"."token_hash" AS "access_tokens_token_hash", '
    '"access_tokens"."user_id" AS "access_tokens_user_id", "access_tokens"."customer_id" AS "access_tokens_customer_id", '
    '"access_tokens"."expires_at" AS "access_tokens_expires_at", "access_tokens"."revoked_at" AS "access_tokens_revoked_at", '
    '"access_tokens"."created_at" AS "access_tokens_created_at" FROM "access_tokens" '
    'WHERE "access_tokens"."token_hash" = ?1 LIMIT 1'
)
SELECT_USER = (
    'SELECT "users"."id" AS "users_id", "users"."email" AS "users_email", "users"."password_hash" AS "users_password_hash", '
    '"users"."name" AS "users_name", "users"."role" AS "users_role", "users"."merchant_id" AS "users_merchant_id", '
    '"users"."store_id" AS "users_store_id", "users"."is_active" AS "users_is_active", "users"."created_at" AS "users_created_at", '
    '"users"."updated_at" AS "users_updated_at" FROM "users" WHERE "users"."id" = ?1 LIMIT 1'
)
SELECT_STORE = (
    'SELECT "stores"."id" AS "stores_id", "stores"."merchant_id" AS "stores_merchant_id", "stores"."name" AS "stores_name", '
    '"stores"."code" AS "stores_code", "stores"."timezone" AS "stores_timezone", "stores"."address_line1" AS "stores_address_line1", '
    '"stores"."address_line2" AS "stores_address_line2", "stores"."postal_code" AS "stores_postal_code", "stores"."city" AS "stores_city", '
    '"stores"."country" AS "stores_country", "stores"."created_at" AS "stores_created_at", "stores"."updated_at" AS "stores_updated_at" '
    'FROM "stores" WHERE "stores"."id" = ?1 LIMIT 1'
)
CARD_COLUMNS = [
    "id", "merchant_id", "customer_id", "program_id", "enrolled_store_id", "card_number", "qr_token", "stamp_count",
    "points_balance", "total_stamps_earned", "total_stamps_redeemed", "total_points_earned", "total_points_redeemed",
    "last_stamp_at", "stamps_today", "stamps_today_date", "last_activity_at", "entry_count", "last_entry_hash", "is_active",
    "link_token_hash", "created_at", "updated_at",
]
SELECT_CARD_BY_NUMBER = (
    "SELECT "
    + ", ".join(f'"loyalty_cards"."{c}" AS "loyalty_cards_{c}"' for c in CARD_COLUMNS)
    + ' FROM "loyalty_cards" WHERE "loyalty_cards"."merchant_id" = ?1 AND "loyalty_cards"."card_number" = ?2 LIMIT 1'
)
LOCK_CARD = 'SELECT * FROM "loyalty_cards" WHERE "id" = ?1 AND "merchant_id" = ?2 LIMIT 1'
PROGRAM_COLUMNS = [
    "id", "merchant_id", "loyalty_type", "stamps_target", "stamps_reward_description", "points_per_euro", "cooldown_minutes",
    "max_daily_stamps", "require_staff_pin", "points_expiration_days", "card_name", "card_color", "logo_url", "google_issuer_id",
    "google_class_id", "apple_pass_type_id", "is_active", "created_at", "updated_at",
]
SELECT_PROGRAM = (
    "SELECT "
    + ", ".join(f'"loyalty_programs"."{c}" AS "loyalty_programs_{c}"' for c in PROGRAM_COLUMNS)
    + ' FROM "loyalty_programs" WHERE "loyalty_programs"."merchant_id" = ?1 LIMIT 1'
)
SETTINGS_COLUMNS = [
    "merchant_id", "staff_pin_policy", "allow_self_enrollment", "allow_store_voids", "allow_cross_store_redemption", "updated_at",
]
SELECT_SETTINGS = (
    "SELECT "
    + ", ".join(f'"merchant_loyalty_settings"."{c}" AS "merchant_loyalty_settings_{c}"' for c in SETTINGS_COLUMNS)
    + ' FROM "merchant_loyalty_settings" WHERE "merchant_loyalty_settings"."merchant_id" = ?1 LIMIT 1'
)
SELECT_PIN_GUARD = 'SELECT "failed_attempts", "locked_until" FROM "store_pin_guards" WHERE "store_id" = ?1 LIMIT 1'
PIN_COLUMNS = [
    "id", "merchant_id", "store_id", "user_id", "name", "pin_hash", "failed_attempts", "locked_until", "is_active",
    "created_at", "updated_at",
]
SELECT_PIN = (
    "SELECT "
    + ", ".join(f'"staff_pins"."{c}" AS "staff_pins_{c}"' for c in PIN_COLUMNS)
    + ' FROM "staff_pins" WHERE "staff_pins"."merchant_id" = ?1 AND "staff_pins"."pin_hash" = ?2 AND "staff_pins"."is_active" = ?3 LIMIT 1'
)
INSERT_LEDGER = (
    'INSERT INTO "loyalty_transactions" ("id", "merchant_id", "card_id", "sequence", "type", "stamps_delta", "points_delta", '
    '"stamps_balance_after", "points_balance_after", "purchase_amount_cents", "order_reference", "reward_id", '
    '"voids_transaction_id", "store_id", "staff_pin_id", "user_id", "ip_address", "user_agent", "notes", "business_day", '
    '"created_at", "recorded_at_ms", "previous_hash", "entry_hash") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL, '
    'NULL, NULL, ?10, ?11, ?12, ?13, ?14, NULL, ?15, ?16, ?17, ?18, ?19) RETURNING "id"'
)
UPDATE_CARD = (
    'UPDATE "loyalty_cards" SET "stamp_count" = ?1, "points_balance" = ?2, "total_stamps_earned" = ?3, '
    '"total_stamps_redeemed" = ?4, "total_points_earned" = ?5, "total_points_redeemed" = ?6, "last_stamp_at" = ?7, '
    '"stamps_today" = ?8, "stamps_today_date" = ?9, "last_activity_at" = ?10, "entry_count" = ?11, "last_entry_hash" = ?12, '
    '"updated_at" = ?13 WHERE "loyalty_cards"."id" = ?14'
)
UPSERT_DAILY_STATS = """INSERT INTO loyalty_daily_stats
    (merchant_id, store_id, day, shard, cards_enrolled, stamps_given, stamps_redeemed, points_given, points_redeemed)
VALUES (?1, ?2, ?3, ?4, ?5,
    ?6, ?7, ?8, ?9)
ON CONFLICT (store_id, day, shard) DO UPDATE SET
    cards_enrolled = loyalty_daily_stats.cards_enrolled + excluded.cards_enrolled,
    stamps_given = loyalty_daily_stats.stamps_given + excluded.stamps_given,
    stamps_redeemed = loyalty_daily_stats.stamps_redeemed + excluded.stamps_redeemed,
    points_given = loyalty_daily_stats.points_given + excluded.points_given,
    points_redeemed = loyalty_daily_stats.points_redeemed + excluded.points_redeemed"""


# In the order the server runs them, for --print-sql (compared with trace-sqlite.sql).
STATEMENTS = [
    SELECT_TOKEN, SELECT_USER, SELECT_STORE, SELECT_CARD_BY_NUMBER, SELECT_PROGRAM, SELECT_SETTINGS, "BEGIN IMMEDIATE",
    LOCK_CARD, SELECT_PIN_GUARD, SELECT_PIN, INSERT_LEDGER, UPDATE_CARD, UPSERT_DAILY_STATS, "COMMIT",
]


def one_stamp(db, token_hash, store_id, pin_hash, card_number):
    """One stamp; returns nothing, raises on any surprise."""
    token = db.execute(SELECT_TOKEN, (token_hash,)).fetchone()
    user = db.execute(SELECT_USER, (token[2],)).fetchone()
    store = db.execute(SELECT_STORE, (store_id,)).fetchone()
    if token is None or user is None or store is None:
        raise RuntimeError("auth lookups found nothing: wrong --token or --store-id?")
    merchant_id, time_zone = store[1], store[4]
    card = db.execute(SELECT_CARD_BY_NUMBER, (merchant_id, card_number)).fetchone()
    card_id = card[0]
    db.execute(SELECT_PROGRAM, (merchant_id,)).fetchone()
    db.execute(SELECT_SETTINGS, (merchant_id,)).fetchone()

    db.execute("BEGIN IMMEDIATE")
    try:
        cursor = db.execute(LOCK_CARD, (card_id, merchant_id))
        names = [d[0] for d in cursor.description]
        locked = dict(zip(names, cursor.fetchone()))
        db.execute(SELECT_PIN_GUARD, (store_id,)).fetchone()
        pin = db.execute(SELECT_PIN, (merchant_id, pin_hash, True)).fetchone()
        if pin is None:
            raise RuntimeError("staff PIN not found")

        now = round(time.time() * 1000) / 1000  # whole milliseconds, as the server's clock
        today = datetime.datetime.fromtimestamp(now, zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%d")
        stamps_today = locked["stamps_today"] + 1 if locked["stamps_today_date"] == today else 1
        stamp_count = locked["stamp_count"] + 1
        sequence = locked["entry_count"] + 1
        entry_id = str(uuid.uuid4()).upper()
        now_ms = round(now * 1000)
        previous_hash = locked["last_entry_hash"]
        canonical = "|".join(
            str(v) for v in (entry_id, card_id, sequence, "stampEarned", 1, 0, stamp_count, locked["points_balance"],
                             store_id, pin[0], user[0], "127.0.0.1", "python", now_ms))
        entry_hash = hashlib.sha256((previous_hash + "\n" + canonical).encode()).hexdigest()
        db.execute(INSERT_LEDGER, (
            entry_id, merchant_id, card_id, sequence, "stampEarned", 1, 0, stamp_count, locked["points_balance"], store_id,
            pin[0], user[0], "127.0.0.1", "python", today, now, now_ms, previous_hash, entry_hash)).fetchone()
        db.execute(UPDATE_CARD, (
            stamp_count, locked["points_balance"], locked["total_stamps_earned"] + 1, locked["total_stamps_redeemed"],
            locked["total_points_earned"], locked["total_points_redeemed"], now, stamps_today, today, now, sequence,
            entry_hash, now, card_id))
        db.execute(UPSERT_DAILY_STATS, (merchant_id, store_id, today, hash(card_id) % 8, 0, 1, 0, 0, 0))
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
