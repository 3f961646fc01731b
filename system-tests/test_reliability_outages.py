"""The database goes away under load, and comes back: PostgreSQL stopped and started, SQLite's
disk full and then freed. While it is away every answer is a clean 503 saying so (never an
internal error), what needs no write goes on being served, and the instances recover by
themselves, without a restart; every sale a till was told about is in the ledger exactly once
(issue #12, part 4; docs/decisions/0047-reliability-suite.md)."""
from __future__ import annotations

import errno
import os
import subprocess
import time

import pytest
import requests

from conftest import REPO_ROOT, _psql_admin, _with_database
from reliability import LOAD_SECONDS, STORE, Till, check_tills, codes, demo_with_tills, run_tills

TILLS = 8
OUTAGE_SECONDS = 3.0
PG_THROWAWAY = str(REPO_ROOT / "scripts" / "pg-throwaway")


def _pg(command: str, folder) -> str:
    """scripts/pg-throwaway's `command` on `folder`; the admin URL it prints, if any."""
    out = subprocess.run(["bash", PG_THROWAWAY, command, str(folder)], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip().splitlines()
    return out[-1] if out else ""


def _ready(url: str) -> int:
    try:
        return requests.get(url + "/health/ready", timeout=5).status_code
    except requests.RequestException:
        return 0


def _refusals(tills: list[Till]) -> dict[str, int]:
    total: dict[str, int] = {}
    for till in tills:
        for code, n in till.refusals.items():
            total[code] = total.get(code, 0) + n
    return total


@pytest.fixture
def own_postgres(loyalty, is_postgres, tmp_path):
    """A PostgreSQL cluster of this test's own, since the test stops it."""
    if not is_postgres:
        pytest.skip("PostgreSQL's outage runs in the PostgreSQL pass (TEST_POSTGRES_URL)")
    folder = tmp_path / "pg"
    admin_url = _pg("start", folder)
    try:
        _psql_admin(admin_url, 'CREATE DATABASE "loyalty"')
        loyalty.env["DATABASE_URL"] = _with_database(admin_url, "loyalty")
        yield folder
    finally:
        loyalty.stop_all()
        subprocess.run(["bash", PG_THROWAWAY, "stop", str(folder)], capture_output=True, timeout=120)


def test_postgres_stopped_and_started_under_load(loyalty, is_postgres, own_postgres):
    servers, tills, token, cards = demo_with_tills(loyalty, 2, TILLS)
    urls = [s.url for s in servers]
    seen: dict[str, object] = {}

    def outage(until: float) -> None:
        time.sleep(1.5)
        _pg("pause", own_postgres)
        down_since = time.monotonic()
        # While it is down: a read is refused as cleanly as a write, and readiness says so.
        time.sleep(0.5)
        lookup = requests.post(urls[1] + f"{STORE}/cards/lookup", json={"card_number": cards[0]},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        seen["lookup while down"] = (lookup.status_code, codes([lookup]), lookup.headers.get("Retry-After"))
        seen["ready while down"] = [_ready(u) for u in urls]
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
        _pg("resume", own_postgres)
        back = time.monotonic()
        while time.monotonic() < back + 30 and [_ready(u) for u in urls] != [200, 200]:
            time.sleep(0.05)
        seen["ready again after"] = time.monotonic() - back
        time.sleep(max(0.0, until - time.monotonic()))

    run_tills(tills, max(LOAD_SECONDS, 6.0), during=outage)
    assert seen["lookup while down"] == (503, {"database_unavailable": 1}, "2"), seen
    assert seen["ready while down"] == [503, 503], seen
    assert seen["ready again after"] < 30, seen
    assert all(s.proc.poll() is None for s in servers), "an instance stopped: recovery must need no restart"
    refused = _refusals(tills)
    assert refused.get("database_unavailable", 0) > 0, refused
    sales = check_tills(loyalty, True, tills)
    print(f"\n{sales} sales acknowledged, each once in the ledger; refused while down: {refused}; "
          f"both instances ready {seen['ready again after']:.2f} s after PostgreSQL was back")


@pytest.fixture
def small_disk(loyalty, is_postgres, tmp_path):
    """A file system of its own for the SQLite database, so that it can be filled: 64 MiB, room
    for a minute of load in the long form (6 MiB filled up with the database's own rows)."""
    if is_postgres:
        pytest.skip("the full disk is SQLite's (the SQLite pass)")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        loyalty.env["LOYALTY_SQLITE_PATH"] = str(folder / "loyalty.sqlite")
        yield folder
    finally:
        loyalty.stop_all()
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _fill(path) -> int:
    """Writes zeros into `path` until the disk refuses; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65_536
    with open(path, "wb", buffering=0) as filler:
        while True:
            try:
                written += filler.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                break
    # Smaller pieces, to the last byte.
    with open(path, "ab", buffering=0) as filler:
        for size in (4_096, 512, 1):
            try:
                while True:
                    written += filler.write(b"\0" * size)
            except OSError:
                pass
    return written


def test_sqlite_on_a_full_disk_refuses_writes_serves_reads_and_recovers(loyalty, small_disk):
    (server,), tills, token, cards = demo_with_tills(loyalty, 1, TILLS // 2)
    seen: dict[str, object] = {}

    def fill_then_free(until: float) -> None:
        time.sleep(1.0)
        filler = small_disk / "filler"
        seen["filled bytes"] = _fill(filler)
        full_since = time.monotonic()
        while time.monotonic() < full_since + 20 and not _refusals(tills).get("storage_full"):
            time.sleep(0.05)
        seen["first refusal after"] = time.monotonic() - full_since
        headers = {"Authorization": f"Bearer {token}"}
        lookup = requests.post(server.url + f"{STORE}/cards/lookup", json={"card_number": cards[0]}, headers=headers, timeout=30)
        listing = requests.get(server.url + f"{STORE}/cards?per_page=20", headers=headers, timeout=30)
        seen["reads while full"] = (lookup.status_code, listing.status_code)
        time.sleep(OUTAGE_SECONDS)
        os.remove(filler)
        seen["freed at"] = time.monotonic()
        time.sleep(max(0.0, until - time.monotonic()))

    run_tills(tills, max(LOAD_SECONDS, 8.0), during=fill_then_free)
    refused = _refusals(tills)
    assert refused.get("storage_full", 0) > 0, (refused, seen)
    assert seen["reads while full"] == (200, 200), seen
    assert server.proc.poll() is None, server.log()
    assert "Fatal error" not in server.log()
    sales = check_tills(loyalty, False, tills)
    print(f"\n{sales} sales acknowledged, each once in the ledger; first refusal "
          f"{seen['first refusal after']:.2f} s after the disk was full ({seen['filled bytes']} bytes of filler); "
          f"refused while full: {refused}")
