"""What the reliability tests (system-tests/test_reliability_*.py) share: instances on one
database, a till that retries like a real terminal, and the ledger read back from the database.

The suite is bounded and stays on 127.0.0.1. Its size comes from the environment, so CI runs a
short form and `scripts/reliability` the long one (docs/decisions/0047-reliability-suite.md):

  LOYALTY_RELIABILITY_ROUNDS   rounds of parallel races [3]
  LOYALTY_RELIABILITY_SECONDS  seconds of load while instances are killed or the database
                               is taken away [8]
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import _psql

ROUNDS = int(os.environ.get("LOYALTY_RELIABILITY_ROUNDS", "3"))
LOAD_SECONDS = float(os.environ.get("LOYALTY_RELIABILITY_SECONDS", "8"))
PARALLEL = 64
# Longer than any wait the server allows itself (a lock or a ROLLBACK: 5 s; a lost connection: 1 s).
ANSWER_WITHIN = 20.0
PASSWORD = "demo-password"
STORE = "/api/v1/store/loyalty"
# The demo's staff PINs (DemoCommand): Sophie's is typed at the cashier's terminal.
SOPHIE_PIN = "4826"
NOBODYS_PIN = "0000"


def login(base_url: str, email: str) -> str:
    resp = requests.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


class Terminal:
    """One signed-in account at the counter, able to reach every instance."""

    def __init__(self, urls: list[str], token: str, headers: dict | None = None):
        self.urls = urls
        self.headers = {"Authorization": f"Bearer {token}", **(headers or {})}

    def post(self, path: str, body: dict, instance: int = 0, key: str | None = None,
             timeout: float = 60) -> requests.Response:
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        return requests.post(self.urls[instance % len(self.urls)] + path, json=body, headers=headers, timeout=timeout)

    def patch(self, path: str, body: dict, instance: int = 0) -> requests.Response:
        return requests.patch(self.urls[instance % len(self.urls)] + path, json=body, headers=self.headers, timeout=60)

    def get(self, path: str, instance: int = 0) -> requests.Response:
        return requests.get(self.urls[instance % len(self.urls)] + path, headers=self.headers, timeout=60)


def burst(calls: list) -> list[requests.Response]:
    """Runs every call at once (each a function of no argument returning a response): the
    threads wait at a barrier, so the requests reach the servers together."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def codes(responses: list[requests.Response]) -> dict[str, int]:
    """How many responses of each kind: "ok" for a 2xx, else the API's error code."""
    counted: dict[str, int] = {}
    for resp in responses:
        if 200 <= resp.status_code < 300:
            code = "ok"
        else:
            try:
                code = resp.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = f"http_{resp.status_code}_not_json"
        counted[code] = counted.get(code, 0) + 1
    return counted


def ledger_rows(loyalty, is_postgres: bool, where: str = "1 = 1") -> list[tuple[str, str | None, int]]:
    """(transaction id, order reference, points delta) of the ledger rows matching `where`."""
    sql = f"SELECT id, order_reference, points_delta FROM loyalty_transactions WHERE {where}"
    if is_postgres:
        out = subprocess.run([_psql(), loyalty.env["DATABASE_URL"], "-AtqF", "\t", "-c", sql],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        rows = [line.split("\t") for line in out.splitlines() if line.strip()]
        return [(r[0].lower(), r[1] or None, int(r[2])) for r in rows]
    with sqlite3.connect(loyalty.env["LOYALTY_SQLITE_PATH"], timeout=30) as db:
        return [(str(r[0]).lower(), r[1], int(r[2])) for r in db.execute(sql)]


class Till:
    """A cashier's till that earns points on one card, a new Idempotency-Key per sale, and
    retries a sale that got no answer or a 503 with the same key on the next instance, as a
    terminal would, until the sale is acknowledged. Nothing else is ever acceptable."""

    RETRYABLE = {"database_busy", "database_unavailable", "storage_full", "shutting_down"}

    def __init__(self, terminal: Terminal, card_number: str, name: str):
        self.terminal = terminal
        self.card_number = card_number
        self.name = name
        self.acknowledged: dict[str, str] = {}  # key (also the order reference) -> transaction id
        self.refusals: dict[str, int] = {}      # retryable error code or "no_answer" -> count
        self.unexpected: list[str] = []         # anything else: a defect
        self.settling_seconds = 0.0             # the longest time one sale took to be acknowledged

    def sell_until(self, stop: threading.Event, settle_by: float) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            self.sell(f"{self.name}-{n}", settle_by)

    def sell(self, key: str, settle_by: float) -> None:
        body = {"card_number": self.card_number, "staff_pin": SOPHIE_PIN, "purchase_amount_cents": 100,
                "order_reference": key}
        started = time.monotonic()
        attempt = 0
        while time.monotonic() < settle_by:
            sent = time.monotonic()
            try:
                resp = self.terminal.post(f"{STORE}/points/earn", body, instance=attempt, key=key, timeout=ANSWER_WITHIN)
            except requests.RequestException as error:
                self._count("no_answer")
                # A killed instance answers nothing at once; one that keeps the till waiting is a defect.
                if time.monotonic() - sent >= ANSWER_WITHIN:
                    self.unexpected.append(f"{key}: no answer within {ANSWER_WITHIN} s ({error!r})"[:300])
                    return
            else:
                if resp.status_code == 200:
                    self.acknowledged[key] = resp.json()["transaction_id"].lower()
                    self.settling_seconds = max(self.settling_seconds, time.monotonic() - started)
                    return
                code = codes([resp]).popitem()[0]
                if resp.status_code == 503 and code in self.RETRYABLE:
                    self._count(code)
                else:
                    self.unexpected.append(f"{resp.status_code} {resp.text[:300]}")
                    return
            attempt += 1
            time.sleep(0.05)
        self.unexpected.append(f"{key}: not acknowledged before the deadline")

    def _count(self, code: str) -> None:
        self.refusals[code] = self.refusals.get(code, 0) + 1


def check_tills(loyalty, is_postgres: bool, tills: list[Till]) -> int:
    """Every acknowledged sale is in the ledger exactly once, with the transaction id its till
    was given; no sale is there twice, and none is there that was never acknowledged. Returns
    the number of sales."""
    problems = [f"{till.name}: {u}" for till in tills for u in till.unexpected]
    assert not problems, problems[:10]
    acknowledged = {key: tx for till in tills for key, tx in till.acknowledged.items()}
    prefixes = tuple(f"{till.name}-" for till in tills)
    rows = [r for r in ledger_rows(loyalty, is_postgres, "order_reference IS NOT NULL") if r[1].startswith(prefixes)]
    by_key: dict[str, list[str]] = {}
    for tx, key, _ in rows:
        by_key.setdefault(key, []).append(tx)
    twice = {k: v for k, v in by_key.items() if len(v) > 1}
    assert not twice, f"{len(twice)} sales are in the ledger more than once: {list(twice.items())[:5]}"
    missing = [k for k in acknowledged if k not in by_key]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged sales are not in the ledger: {missing[:5]}"
    wrong = [k for k, tx in acknowledged.items() if by_key[k] != [tx]]
    assert not wrong, f"sales answered with another transaction id than the ledger's: {wrong[:5]}"
    never_answered = sorted(set(by_key) - set(acknowledged))
    assert not never_answered, f"in the ledger but never acknowledged: {never_answered[:5]}"
    verified = loyalty.run("verify-ledger")
    assert verified.returncode == 0, verified.stdout
    return len(acknowledged)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def restart_on_same_port(loyalty, server):
    """Starts `loyalty serve` again on the port of `server` (which is gone): the tills keep
    their addresses, as behind a load balancer. Returns the new ServerProcess, or fails."""
    from conftest import STARTUP_TIMEOUT, ServerProcess
    proc, log_path = loyalty.spawn("serve", "--hostname", "127.0.0.1", "--port", str(server.port),
                                   stem=f"serve-{server.port}-again")
    again = ServerProcess(proc, server.url, log_path, server.port)
    loyalty.servers.append(again)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"restarted server exited with {proc.returncode}:\n{again.log()}"
        try:
            if requests.get(server.url + "/health/live", timeout=2).status_code == 200:
                return again
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise AssertionError(f"restarted server not live after {STARTUP_TIMEOUT} s:\n{again.log()}")


def run_tills(tills: list[Till], seconds: float, during=None, settle_seconds: float = 60) -> None:
    """Runs the tills for `seconds` while `during(stop)` (if given) does its damage in this
    thread; then lets every sale under way settle (acknowledged, or reported by its till)."""
    stop = threading.Event()
    settle_by = time.monotonic() + seconds + settle_seconds
    threads = [threading.Thread(target=till.sell_until, args=(stop, settle_by)) for till in tills]
    for thread in threads:
        thread.start()
    try:
        if during:
            during(time.monotonic() + seconds)
        else:
            time.sleep(seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=settle_seconds + 30)


def demo_cards(base_url: str, token: str, count: int) -> list[str]:
    resp = requests.get(f"{base_url}{STORE}/cards?per_page={count}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert resp.status_code == 200, resp.text
    numbers = [card["card_number"] for card in resp.json()["items"]]
    assert numbers, resp.text
    return numbers


def demo_with_tills(loyalty, instances: int, tills: int):
    """The demo on `instances` servers sharing its database, and `tills` tills of the Luxembourg
    cashier, each on a card of its own, half of them starting on each instance. Returns
    (servers, tills, the cashier's token, the cards' numbers)."""
    assert loyalty.run("demo").returncode == 0
    servers = [loyalty.serve() for _ in range(instances)]
    urls = [s.url for s in servers]
    token = login(urls[0], "cashier.lux@demo.test")
    cards = demo_cards(urls[0], token, 50)
    made = [Till(Terminal(urls[i % instances:] + urls[:i % instances], token), cards[i % len(cards)], f"till{i}")
            for i in range(tills)]
    return servers, made, token, cards
