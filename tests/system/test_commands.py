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
