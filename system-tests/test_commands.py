"""CLI commands: demo, create-admin."""

DEMO_PASSWORD = "demo-password"


def test_demo_seeds_logins_and_is_idempotent(loyalty, api):
    first = loyalty.run("demo")
    assert first.returncode == 0, f"`loyalty demo` failed ({first.returncode}):\n{first.stdout}"
    assert "owner@demo.test" in first.stdout, f"demo did not print the demo logins:\n{first.stdout}"

    server = loyalty.serve()
    resp = api.login(server.url, "owner@demo.test", DEMO_PASSWORD)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body.get("access_token"), str) and body["access_token"], body
    assert body.get("token_type") == "bearer", body
    assert body["user"]["role"] == "merchant_owner", body
    assert body["user"]["email"] == "owner@demo.test", body

    me = api.me(server.url, body["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "owner@demo.test", me.json()
    assert me.json()["role"] == "merchant_owner", me.json()

    # Other demo accounts exist too.
    for email, role in [("admin@demo.test", "platform_admin"),
                        ("cashier.lux@demo.test", None),
                        ("manager.esch@demo.test", None)]:
        r = api.login(server.url, email, DEMO_PASSWORD)
        assert r.status_code == 200, f"{email}: {r.status_code} {r.text}"
        if role:
            assert r.json()["user"]["role"] == role, r.json()
    server.terminate()

    second = loyalty.run("demo")
    assert second.returncode == 0, f"second `loyalty demo` failed ({second.returncode}):\n{second.stdout}"

    server = loyalty.serve()
    resp = api.login(server.url, "owner@demo.test", DEMO_PASSWORD)
    assert resp.status_code == 200, f"login after second demo run: {resp.status_code} {resp.text}"
    assert resp.json()["user"]["role"] == "merchant_owner"


def test_create_admin(loyalty, api):
    email, password = "root@example.com", "correct-horse-battery"
    created = loyalty.run("create-admin", "--email", email, "--password", password)
    assert created.returncode == 0, f"create-admin failed ({created.returncode}):\n{created.stdout}"

    duplicate = loyalty.run("create-admin", "--email", email, "--password", password)
    assert duplicate.returncode != 0, f"duplicate create-admin exited 0:\n{duplicate.stdout}"

    server = loyalty.serve()
    resp = api.login(server.url, email, password)
    assert resp.status_code == 200, resp.text
    assert resp.json()["user"]["role"] == "platform_admin", resp.json()
    assert resp.json()["token_type"] == "bearer"

    me = api.me(server.url, resp.json()["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["email"] == email
    assert me.json()["role"] == "platform_admin"

    wrong = api.login(server.url, email, "not-the-password")
    api.assert_error(wrong, 401, "unauthenticated")
    unknown = api.login(server.url, "nobody@example.com", password)
    api.assert_error(unknown, 401, "unauthenticated")


def test_demo_counter_traffic_then_verify_ledger(loyalty, api):
    """A cashier of the demo stamps and earns over real HTTP; verify-ledger then checks it."""
    import requests

    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve()
    token = api.login(server.url, "cashier.lux@demo.test", DEMO_PASSWORD).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    cards = requests.get(f"{server.url}/api/v1/store/loyalty/cards", headers=headers, timeout=15)
    assert cards.status_code == 200, cards.text
    card_number = cards.json()["items"][0]["card_number"]

    stamp = requests.post(f"{server.url}/api/v1/store/loyalty/stamp", headers={**headers, "Idempotency-Key": "sys-1"},
                          json={"card_number": card_number, "staff_pin": "4826"}, timeout=15)
    assert stamp.status_code == 200, stamp.text
    assert stamp.json()["stamp_count"] == 1
    retry = requests.post(f"{server.url}/api/v1/store/loyalty/stamp", headers={**headers, "Idempotency-Key": "sys-1"},
                          json={"card_number": card_number, "staff_pin": "4826"}, timeout=15)
    assert retry.json() == stamp.json() and retry.headers.get("Idempotent-Replayed") == "true"
    earn = requests.post(f"{server.url}/api/v1/store/loyalty/points/earn", headers=headers,
                         json={"card_number": card_number, "staff_pin": "4826", "purchase_amount_cents": 1250}, timeout=15)
    assert earn.status_code == 200 and earn.json()["points_earned"] == 125, earn.text
    wrong_pin = requests.post(f"{server.url}/api/v1/store/loyalty/points/earn", headers=headers,
                              json={"card_number": card_number, "staff_pin": "9753", "purchase_amount_cents": 100}, timeout=15)
    api.assert_error(wrong_pin, 403, "invalid_pin")

    verified = loyalty.run("verify-ledger")
    assert verified.returncode == 0, verified.stdout
    assert "2 ledger rows: 0 broken" in verified.stdout, verified.stdout


def test_demo_refuses_production(loyalty):
    refused = loyalty.run("demo", "--env", "production")
    assert refused.returncode != 0, refused.stdout
    assert "refuses to run with --env production" in refused.stdout, refused.stdout
    # Nothing was loaded: the first demo run outside production is the one that loads.
    loaded = loyalty.run("demo")
    assert loaded.returncode == 0 and "Demo data loaded." in loaded.stdout, loaded.stdout


def test_data_folder_and_files_are_owner_only(loyalty, tmp_path):
    """A development start on a data folder made earlier with the umask's modes: the folder
    becomes 0700, the SQLite files and the generated secret key 0600."""
    import os
    import stat

    if loyalty.env.get("DATABASE_URL"):
        import pytest
        pytest.skip("the data files are SQLite's")
    data = tmp_path / "data"
    sqlite_path = data / "loyalty.sqlite"
    data.chmod(0o755)
    sqlite_path.touch()
    sqlite_path.chmod(0o644)
    env = {"LOYALTY_SQLITE_PATH": str(sqlite_path)}
    result = loyalty.run("demo", extra_env=env, remove=("LOYALTY_SECRET_KEY",))
    assert result.returncode == 0, result.stdout
    assert "was readable by others" in result.stdout, result.stdout

    def mode(path):
        return stat.S_IMODE(os.stat(path).st_mode)

    assert mode(data) == 0o700
    for name in ("loyalty.sqlite", "loyalty.sqlite-wal", "loyalty.sqlite-shm", "secret.key"):
        if (data / name).exists():
            assert mode(data / name) == 0o600, name
    assert (data / "secret.key").exists()
