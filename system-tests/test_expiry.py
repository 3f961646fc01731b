"""Points expiry against the real binary: `loyalty run-job loyalty.expire_points` with and
without `--dry-run`, on a database where one card has been idle past the window.

The ledger is append-only (triggers refuse UPDATE), so the test ages the card through the
card row's cached `last_activity_at`, the input of the expiry rule (decision 0020)."""
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

DEMO_PASSWORD = "demo-password"
JOB = "loyalty.expire_points"


def _psql() -> str:
    return shutil.which("psql") or str(sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))[-1])


def _age_card(loyalty, digits: str, days: int) -> None:
    """Sets the card's last activity `days` ago, straight in the database."""
    url = loyalty.env.get("DATABASE_URL")
    if url:
        sql = (f"UPDATE loyalty_cards SET last_activity_at = now() - interval '{days} days' "
               f"WHERE card_number = '{digits}'")
        subprocess.run([_psql(), url, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql], check=True, timeout=60)
    else:
        with sqlite3.connect(loyalty.env["LOYALTY_SQLITE_PATH"]) as db:
            # Fluent's SQLite driver stores times as seconds since 1970.
            db.execute("UPDATE loyalty_cards SET last_activity_at = ? WHERE card_number = ?",
                       (time.time() - days * 86_400, digits))


def _ledger_rows(loyalty) -> int:
    result = loyalty.run("verify-ledger")
    assert result.returncode == 0, result.stdout
    match = re.search(r"(\d+) ledger rows: 0 broken", result.stdout)
    assert match, result.stdout
    return int(match.group(1))


def test_expire_points_by_hand_with_a_dry_run_first(loyalty, api):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({"LOYALTY_SCHEDULED_JOBS": "false"})
    owner = api.login(server.url, "owner@demo.test", DEMO_PASSWORD).json()["access_token"]
    program = requests.patch(f"{server.url}/api/v1/merchants/loyalty/program", json={"points_expiration_days": 30},
                             headers={"Authorization": f"Bearer {owner}"}, timeout=15)
    assert program.status_code == 200 and program.json()["points_expiration_days"] == 30, program.text

    cashier = {"Authorization": f"Bearer {api.login(server.url, 'cashier.lux@demo.test', DEMO_PASSWORD).json()['access_token']}"}
    cards = requests.get(f"{server.url}/api/v1/store/loyalty/cards", headers=cashier, timeout=15).json()["items"]
    idle, busy = cards[0]["card_number"], cards[1]["card_number"]
    for number in (idle, busy):
        earn = requests.post(f"{server.url}/api/v1/store/loyalty/points/earn", headers=cashier, timeout=15,
                             json={"card_number": number, "staff_pin": "4826", "purchase_amount_cents": 1250})
        assert earn.status_code == 200 and earn.json()["points_balance"] == 125, earn.text
    stamp = requests.post(f"{server.url}/api/v1/store/loyalty/stamp", headers=cashier, timeout=15,
                          json={"card_number": idle, "staff_pin": "4826"})
    assert stamp.status_code == 200, stamp.text
    server.terminate()
    _age_card(loyalty, idle.replace(" ", ""), days=31)
    _age_card(loyalty, busy.replace(" ", ""), days=29)
    rows = _ledger_rows(loyalty)

    dry = loyalty.run("run-job", JOB, "--dry-run")
    assert dry.returncode == 0, dry.stdout
    assert f"would expire 125 points of card {idle}" in dry.stdout, dry.stdout
    assert busy not in dry.stdout, dry.stdout
    assert f"{JOB}: dry run: 1 cards checked, 1 would expire, 125 points; nothing written" in dry.stdout, dry.stdout
    assert _ledger_rows(loyalty) == rows

    run = loyalty.run("run-job", JOB)
    assert run.returncode == 0, run.stdout
    # Progress after the batch, then the summary.
    assert run.stdout.count("1 cards checked, 1 expired, 125 points") == 2, run.stdout
    assert _ledger_rows(loyalty) == rows + 1

    again = loyalty.run("run-job", JOB)
    assert again.returncode == 0 and f"{JOB}: 0 cards checked, 0 expired, 0 points" in again.stdout, again.stdout
    assert _ledger_rows(loyalty) == rows + 1

    server = loyalty.serve({"LOYALTY_SCHEDULED_JOBS": "false"})
    cashier = {"Authorization": f"Bearer {api.login(server.url, 'cashier.lux@demo.test', DEMO_PASSWORD).json()['access_token']}"}
    for number, points, stamps in ((idle, 0, 1), (busy, 125, 0)):
        card = requests.post(f"{server.url}/api/v1/store/loyalty/cards/lookup", headers=cashier, json={"card_number": number},
                             timeout=15).json()
        assert (card["points_balance"], card["stamp_count"]) == (points, stamps), card
    stats = requests.get(f"{server.url}/api/v1/store/loyalty/stats", headers=cashier, timeout=15).json()
    assert stats["today"]["points_expired"] == 125, stats

    # The purge runs by hand too, and has no dry run.
    purge = loyalty.run("run-job", "loyalty.purge")
    assert purge.returncode == 0 and "loyalty.purge: deleted" in purge.stdout, purge.stdout
    refused = loyalty.run("run-job", "loyalty.purge", "--dry-run")
    assert refused.returncode != 0 and "has no dry run" in refused.stdout, refused.stdout
