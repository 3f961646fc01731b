"""Counter operations raced against each other across two instances on one database: a card's
daily limit, its stamps, its points and a void are spent exactly once however many requests
arrive together, a PIN lockout holds on every instance, and a retried Idempotency-Key is
applied once (issue #12, part 4; docs/decisions/0047-reliability-suite.md).

Each round is a fresh card and bursts of 64 requests released together, alternating between
the instances. A 503 `database_busy` (a lock waited for past its timeout) is allowed, since it
changes nothing; the exact counts are asserted for what was not refused that way."""
from __future__ import annotations

import pytest

from reliability import (NOBODYS_PIN, PARALLEL, ROUNDS, SOPHIE_PIN, STORE, Terminal, burst, codes,
                         ledger_rows, login, unique)

MAX_DAILY_STAMPS = 10
STAMPS_TARGET = 5
PIN_MAX_FAILED_ATTEMPTS = 5  # PRODUCT.md's default, LOYALTY_PIN_MAX_FAILED_ATTEMPTS


@pytest.fixture
def counter(loyalty):
    """Two instances of the demo on one database; the cashier's and the manager's terminals at
    the Luxembourg store, and the program set for racing (no cooldown, 10 stamps a day, a
    reward every 5 stamps)."""
    assert loyalty.run("demo").returncode == 0
    urls = [loyalty.serve().url, loyalty.serve().url]
    cashier = Terminal(urls, login(urls[0], "cashier.lux@demo.test"))
    manager = Terminal(urls, login(urls[1], "manager.lux@demo.test"))
    resp = manager.patch(f"{STORE}/program",
                          {"cooldown_minutes": 0, "max_daily_stamps": MAX_DAILY_STAMPS, "stamps_target": STAMPS_TARGET})
    assert resp.status_code == 200, resp.text
    program = resp.json()
    espresso = next(r for r in program["rewards"] if r["points_cost"] == 100)
    return cashier, manager, espresso


def enroll(cashier: Terminal, round_no: int) -> dict:
    resp = cashier.post(f"{STORE}/cards/enroll", {"customer": {"name": f"Race {round_no}", "email": f"{unique('race')}@example.test"}},
                        instance=round_no)
    assert resp.status_code == 201, resp.text
    return resp.json()


def card_state(cashier: Terminal, card: dict, instance: int) -> dict:
    resp = cashier.post(f"{STORE}/cards/lookup", {"card_number": card["card_number"]}, instance=instance)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_parallel_stamps_redemptions_voids_and_wrong_pins_across_two_instances(loyalty, is_postgres, counter):
    cashier, manager, espresso = counter
    pin_id = next(p["id"] for p in manager.get(f"{STORE}/pins").json() if p["name"] == "Marc")
    totals: dict[str, int] = {}
    for round_no in range(ROUNDS):
        card = enroll(cashier, round_no)
        on_card = {"card_id": card["id"], "staff_pin": SOPHIE_PIN}

        # 1. Stamps from the cashier and wrong PINs from the manager's terminal, all at once.
        stamps = [lambda i=i: cashier.post(f"{STORE}/stamp", on_card, instance=i) for i in range(PARALLEL * 3 // 4)]
        guesses = [lambda i=i: manager.post(f"{STORE}/stamp", {"card_id": card["id"], "staff_pin": NOBODYS_PIN}, instance=i)
                   for i in range(PARALLEL // 4)]
        answers = burst(stamps + guesses)
        stamped, guessed = codes(answers[:len(stamps)]), codes(answers[len(stamps):])
        busy = stamped.get("database_busy", 0)
        assert set(stamped) <= {"ok", "daily_limit_reached", "database_busy"}, stamped
        assert stamped.get("ok", 0) == min(MAX_DAILY_STAMPS, len(stamps) - busy), stamped
        assert set(guessed) <= {"invalid_pin", "pin_locked", "database_busy"}, f"a wrong PIN got through: {guessed}"
        # The first four are told how many tries remain; the fifth locks the terminal and is
        # answered `pin_locked`, as is every guess after it, on either instance.
        assert guessed.get("invalid_pin", 0) == min(PIN_MAX_FAILED_ATTEMPTS - 1, len(guesses) - guessed.get("database_busy", 0)), guessed

        # The lockout holds on both instances, for the right PIN too.
        for instance in (0, 1):
            locked = manager.post(f"{STORE}/stamp", {"card_id": card["id"], "staff_pin": "5173"}, instance=instance)
            assert codes([locked]) == {"pin_locked": 1}, locked.text
        assert card_state(cashier, card, round_no)["stamp_count"] == stamped["ok"]

        # 2. Stamp rewards: the stamps pay for exactly two.
        redeemed = codes(burst([lambda i=i: cashier.post(f"{STORE}/stamp/redeem", on_card, instance=i) for i in range(PARALLEL)]))
        assert set(redeemed) <= {"ok", "insufficient_stamps", "database_busy"}, redeemed
        assert redeemed.get("ok", 0) == stamped["ok"] // STAMPS_TARGET, redeemed

        # 3. Points rewards: 300 points pay for exactly three espressos, never a fourth.
        earned = cashier.post(f"{STORE}/points/earn", {**on_card, "purchase_amount_cents": 3_000}, instance=round_no)
        assert earned.status_code == 200, earned.text
        spent = codes(burst([lambda i=i: cashier.post(f"{STORE}/points/redeem", {**on_card, "reward_id": espresso["id"]}, instance=i)
                             for i in range(PARALLEL)]))
        assert set(spent) <= {"ok", "insufficient_points", "database_busy"}, spent
        assert spent.get("ok", 0) == 3 or (spent.get("database_busy", 0) and spent.get("ok", 0) < 3), spent

        # 4. A void is applied once, however many cashiers press it.
        sale = cashier.post(f"{STORE}/points/earn", {**on_card, "purchase_amount_cents": 500}, instance=round_no + 1)
        assert sale.status_code == 200, sale.text
        void = {"staff_pin": SOPHIE_PIN, "transaction_id": sale.json()["transaction_id"], "reason": "race"}
        voided = codes(burst([lambda i=i: cashier.post(f"{STORE}/points/void", void, instance=i) for i in range(PARALLEL)]))
        assert set(voided) <= {"ok", "already_voided", "database_busy"}, voided
        assert voided.get("ok", 0) == 1, voided

        state = card_state(cashier, card, round_no + 1)
        assert state["stamp_count"] == stamped["ok"] - redeemed.get("ok", 0) * STAMPS_TARGET, state
        assert state["points_balance"] == 300 - spent.get("ok", 0) * 100, state
        # The card's balance is the sum of its ledger rows.
        assert sum(r[2] for r in ledger_rows(loyalty, is_postgres, f"card_id = '{card['id']}'")) == state["points_balance"]

        # A manager's unlock opens the terminal again: the right PIN is now judged on the card.
        assert manager.post(f"{STORE}/pins/{pin_id}/unlock", {}, instance=round_no).status_code == 200
        reopened = manager.post(f"{STORE}/stamp", {"card_id": card["id"], "staff_pin": "5173"}, instance=round_no + 1)
        assert codes([reopened]) == {"daily_limit_reached": 1}, reopened.text

        for name, counted in (("stamps", stamped), ("wrong_pins", guessed), ("stamp_redeems", redeemed),
                              ("point_redeems", spent), ("voids", voided)):
            for code, n in counted.items():
                totals[f"{name}.{code}"] = totals.get(f"{name}.{code}", 0) + n

    verified = loyalty.run("verify-ledger")
    assert verified.returncode == 0, verified.stdout
    print(f"\n{ROUNDS} rounds: {totals}")


def test_a_retried_idempotency_key_is_applied_once_across_instances(loyalty, is_postgres, counter):
    cashier, _, _ = counter
    for round_no in range(ROUNDS):
        card = enroll(cashier, round_no)
        key = unique("retry")
        sale = {"card_id": card["id"], "staff_pin": SOPHIE_PIN, "purchase_amount_cents": 1_000, "order_reference": key}
        answers = burst([lambda i=i: cashier.post(f"{STORE}/points/earn", sale, instance=i, key=key) for i in range(PARALLEL // 4)])
        counted = codes(answers)
        assert set(counted) <= {"ok", "database_busy"}, counted
        transaction_ids = {a.json()["transaction_id"] for a in answers if a.status_code == 200}
        assert len(transaction_ids) == 1, transaction_ids
        # Later, on either instance, the same key answers the same sale; another sale under it is refused.
        for instance in (0, 1):
            again = cashier.post(f"{STORE}/points/earn", sale, instance=instance, key=key)
            assert again.status_code == 200 and again.json()["transaction_id"] in transaction_ids, again.text
            other = cashier.post(f"{STORE}/points/earn", {**sale, "purchase_amount_cents": 2_000}, instance=instance, key=key)
            assert codes([other]) == {"idempotency_key_reused": 1}, other.text
        assert card_state(cashier, card, round_no)["points_balance"] == 100
        rows = [r for r in ledger_rows(loyalty, is_postgres, "order_reference IS NOT NULL") if r[1] == key]
        assert len(rows) == 1, rows
