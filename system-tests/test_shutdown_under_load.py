"""SIGTERM while cashiers are earning points: the server drains and exits cleanly, leaves no
database session inside a transaction, and every acknowledged operation is in the ledger
(docs/decisions/0021-graceful-shutdown.md)."""
import sqlite3
import subprocess
import threading
import time
import urllib.parse

import requests

from conftest import _psql

DEMO_PASSWORD = "demo-password"
CLIENTS = 32


def _ledger_transaction_ids(loyalty, is_postgres) -> set[str]:
    sql = "SELECT id FROM loyalty_transactions"
    if is_postgres:
        out = subprocess.run([_psql(), loyalty.env["DATABASE_URL"], "-Atq", "-c", sql],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        return {line.strip().lower() for line in out.splitlines() if line.strip()}
    with sqlite3.connect(loyalty.env["LOYALTY_SQLITE_PATH"]) as db:
        return {str(row[0]).lower() for row in db.execute(sql)}


def _sessions_in_transaction(loyalty) -> list[str]:
    dbname = urllib.parse.urlsplit(loyalty.env["DATABASE_URL"]).path.lstrip("/")
    admin = loyalty.env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    sql = ("SELECT pid || ' ' || state FROM pg_stat_activity WHERE datname = '%s' "
           "AND state LIKE 'idle in transaction%%'" % dbname)
    out = subprocess.run([_psql(), admin, "-Atq", "-c", sql], capture_output=True, text=True, timeout=60, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def _earn_until_refused(base_url, token, card_numbers, worker, acknowledged, refused, stop):
    """One till: earns on its card until the server stops answering."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while not stop.is_set():
        n += 1
        body = {"card_number": card_numbers[worker % len(card_numbers)], "staff_pin": "4826", "purchase_amount_cents": 100}
        try:
            resp = session.post(f"{base_url}/api/v1/store/loyalty/points/earn",
                                headers={**headers, "Idempotency-Key": f"till-{worker}-{n}"}, json=body, timeout=30)
        except requests.RequestException:
            return  # the server has closed: nothing more is acknowledged
        if resp.status_code == 200:
            acknowledged.append(resp.json()["transaction_id"].lower())
        else:
            refused.append((resp.status_code, resp.text[:200]))
            if resp.status_code == 503:
                return


def test_sigterm_under_load_drains_and_loses_nothing(loyalty, api, is_postgres):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve()
    token = api.login(server.url, "cashier.lux@demo.test", DEMO_PASSWORD).json()["access_token"]
    cards = requests.get(f"{server.url}/api/v1/store/loyalty/cards?per_page=100",
                         headers={"Authorization": f"Bearer {token}"}, timeout=15).json()["items"]
    card_numbers = [card["card_number"] for card in cards]
    assert len(card_numbers) >= 2, cards

    acknowledged: list[str] = []
    refused: list[tuple[int, str]] = []
    stop = threading.Event()
    tills = [threading.Thread(target=_earn_until_refused,
                              args=(server.url, token, card_numbers, i, acknowledged, refused, stop))
             for i in range(CLIENTS)]
    for till in tills:
        till.start()
    time.sleep(2.0)
    before_signal = len(acknowledged)
    code, seconds, killed = server.terminate(timeout=40)
    stop.set()
    for till in tills:
        till.join(timeout=40)

    assert before_signal > 0, f"no earn succeeded before SIGTERM: {refused[:5]}\n{server.log()}"
    assert not killed, f"still running 40 s after SIGTERM:\n{server.log()}"
    assert code == 0, f"exit code {code} after SIGTERM ({seconds:.1f} s):\n{server.log()}"
    log = server.log()
    assert "Fatal error" not in log and "Unexpectedly found nil" not in log, log
    # Only a clean refusal is allowed while shutting down: never an internal error.
    assert all(status in (503,) for status, _ in refused), refused[:5]
    if is_postgres:
        assert _sessions_in_transaction(loyalty) == []

    in_ledger = _ledger_transaction_ids(loyalty, is_postgres)
    missing = [tx for tx in acknowledged if tx not in in_ledger]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged earns are not in the ledger"
    verified = loyalty.run("verify-ledger")
    assert verified.returncode == 0, verified.stdout
