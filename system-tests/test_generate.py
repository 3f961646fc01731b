"""`loyalty generate`: the real binary fills an empty database, shows its progress, and
`loyalty verify-ledger` accepts the result; the generated accounts sign in."""

import re

import requests

PASSWORD = "generate-password"


def test_generate_small_then_verify_and_sign_in(loyalty, api):
    result = loyalty.run("generate", "--merchants", "2", "--cards", "60", "--transactions", "900",
                         "--seed", "5", timeout=300)
    assert result.returncode == 0, f"generate failed ({result.returncode}):\n{result.stdout[-3000:]}"
    out = result.stdout
    # The progress (stderr is a file here, not a terminal: plain lines, no carriage returns).
    assert re.search(r"generate: cards and ledger rows \[#+\] 900/900 rows 100\.0%", out), out[-3000:]
    assert "\r" not in out
    assert "Generated 2 merchants, 60 cards and 900 ledger rows" in out, out[-3000:]

    verify = loyalty.run("verify-ledger", timeout=300)
    assert verify.returncode == 0, f"verify-ledger refused the generated ledger:\n{verify.stdout[-3000:]}"
    assert "Checked 60 cards and 900 ledger rows: 0 broken." in verify.stdout, verify.stdout[-2000:]

    # A second run refuses a database with data; --append adds to it, still verifiable.
    again = loyalty.run("generate", "--merchants", "1", "--cards", "5", "--transactions", "20")
    assert again.returncode != 0, again.stdout[-2000:]
    assert "already has 2 merchants; pass --append" in again.stdout, again.stdout[-2000:]
    appended = loyalty.run("generate", "--merchants", "1", "--cards", "5", "--transactions", "20",
                           "--append", timeout=300)
    assert appended.returncode == 0, appended.stdout[-3000:]
    verify = loyalty.run("verify-ledger", timeout=300)
    assert verify.returncode == 0 and "Checked 65 cards and 920 ledger rows: 0 broken." in verify.stdout, \
        verify.stdout[-2000:]

    server = loyalty.serve()
    for email, role in [("owner@m1.generate.test", "merchant_owner"),
                        ("admin@generate.test", "platform_admin"),
                        ("owner@m3.generate.test", "merchant_owner")]:
        resp = api.login(server.url, email, PASSWORD)
        assert resp.status_code == 200, f"{email}: {resp.status_code} {resp.text}"
        assert resp.json()["user"]["role"] == role, resp.json()
    token = api.login(server.url, "owner@m1.generate.test", PASSWORD).json()["access_token"]
    cards = requests.get(f"{server.url}/api/v1/merchants/loyalty/cards",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert cards.status_code == 200, cards.text
    server.terminate()


def test_generate_refuses_bad_arguments(loyalty):
    for args, message in [
        (["--merchants", "0", "--cards", "10", "--transactions", "10"], "--merchants must be between 1 and 10000, not 0."),
        (["--merchants", "2", "--cards", "0", "--transactions", "10"], "--cards must be between 1 and 100000000, not 0."),
        # A negative number reads as an option to the command parser: refused before us.
        (["--merchants", "2", "--cards", "-1", "--transactions", "10"], "Input not recognized"),
        (["--merchants", "5", "--cards", "4", "--transactions", "10"], "--cards (4) must be at least --merchants (5)"),
        (["--merchants", "1", "--cards", "1", "--transactions", "abc"], "--transactions must be a whole number"),
        (["--merchants", "1", "--cards", "1", "--transactions", "5", "--until", "2026-02-30"], "--until must be a date"),
    ]:
        result = loyalty.run("generate", *args)
        assert result.returncode != 0, f"{args} exited 0:\n{result.stdout[-2000:]}"
        assert message in result.stdout, f"{args}: {result.stdout[-2000:]}"
