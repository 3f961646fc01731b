"""Reissuing a card and erasing a customer through the real binary: `verify-ledger` still passes
(decisions 0018, 0019)."""

import requests

from conftest import HTTP_TIMEOUT

DEMO_PASSWORD = "demo-password"


def test_reissue_block_and_erasure_keep_the_ledger_verifiable(loyalty, api):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve()
    owner = api.login(server.url, "owner@demo.test", DEMO_PASSWORD).json()["access_token"]
    auth = {"Authorization": f"Bearer {owner}"}
    base = f"{server.url}/api/v1/merchants/loyalty"

    cards = requests.get(f"{base}/cards?per_page=10", headers=auth, timeout=HTTP_TIMEOUT).json()["items"]
    assert len(cards) >= 3, cards
    with_balance = max(cards, key=lambda card: card["stamp_count"] + card["points_balance"])

    reissued = requests.post(f"{base}/cards/{with_balance['id']}/reissue", json={"reason": "lost"}, headers=auth,
                             timeout=HTTP_TIMEOUT)
    assert reissued.status_code == 201, reissued.text
    new_card = reissued.json()["card"]
    assert new_card["stamp_count"] == with_balance["stamp_count"]
    assert new_card["points_balance"] == with_balance["points_balance"]
    assert new_card["card_number"] != with_balance["card_number"]
    old = requests.get(f"{base}/cards/{with_balance['id']}", headers=auth, timeout=HTTP_TIMEOUT).json()
    assert old["status"] == "replaced" and old["stamp_count"] == 0 and old["points_balance"] == 0, old

    others = [card for card in cards if card["id"] != with_balance["id"]]
    blocked = requests.post(f"{base}/cards/{others[0]['id']}/block", json={"reason": "stolen"}, headers=auth,
                            timeout=HTTP_TIMEOUT)
    assert blocked.status_code == 200 and blocked.json()["status"] == "blocked", blocked.text
    erased = requests.delete(f"{base}/customers/{others[1]['customer_id']}", headers=auth, timeout=HTTP_TIMEOUT)
    assert erased.status_code == 200 and erased.json()["email"] is None, erased.text
    server.terminate()

    verified = loyalty.run("verify-ledger")
    assert verified.returncode == 0, verified.stdout
