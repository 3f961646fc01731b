"""kill -9 of an instance every few seconds while tills earn points through two instances on one
database: every sale a till was told about is in the ledger exactly once, no sale is there
twice, and every card still adds up (issue #12, part 4; docs/decisions/0047-reliability-suite.md).

A till that gets no answer, or a 503, sends the same sale again with the same Idempotency-Key
to the other instance, until it is acknowledged: nothing else is a correct outcome."""
from __future__ import annotations

import signal
import time

from reliability import LOAD_SECONDS, check_tills, demo_with_tills, restart_on_same_port, run_tills

TILLS = 16
KILL_EVERY_SECONDS = 2.0


def test_kill_9_under_load_loses_and_doubles_nothing(loyalty, is_postgres):
    servers, tills, _, _ = demo_with_tills(loyalty, 2, TILLS)
    kills = []

    def kill_and_restart(until: float) -> None:
        victim = 0
        while time.monotonic() + KILL_EVERY_SECONDS < until:
            time.sleep(KILL_EVERY_SECONDS)
            server = servers[victim]
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(timeout=10)
            started = time.monotonic()
            servers[victim] = restart_on_same_port(loyalty, server)
            kills.append(time.monotonic() - started)
            victim = 1 - victim

    run_tills(tills, LOAD_SECONDS, during=kill_and_restart)
    sales = check_tills(loyalty, is_postgres, tills)
    refused = {}
    for till in tills:
        for code, n in till.refusals.items():
            refused[code] = refused.get(code, 0) + n
    assert len(kills) >= 2, f"only {len(kills)} kills in {LOAD_SECONDS} s"
    assert sales > 0
    for server in servers:
        assert "Fatal error" not in server.log(), server.log()
    print(f"\n{sales} sales acknowledged, each once in the ledger; {len(kills)} kills -9 "
          f"(restarts {min(kills):.1f}-{max(kills):.1f} s); retried: {refused}; "
          f"longest sale {max(t.settling_seconds for t in tills):.1f} s")
