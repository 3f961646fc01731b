"""Login rate limiting is shared through the database, across server instances."""

EMAIL = "ratelimit@example.com"
PASSWORD = "correct-horse-battery"


def test_login_rate_limit_is_shared_between_instances(loyalty, api):
    migrated = loyalty.run("migrate", "--yes")
    assert migrated.returncode == 0, f"migrate failed:\n{migrated.stdout}"
    created = loyalty.run("create-admin", "--email", EMAIL, "--password", PASSWORD)
    assert created.returncode == 0, f"create-admin failed:\n{created.stdout}"

    limits = {"LOYALTY_LOGIN_MAX_ATTEMPTS": "5"}
    server_a = loyalty.serve(limits)
    server_b = loyalty.serve(limits)

    for i, server in enumerate([server_a] * 3 + [server_b] * 2, start=1):
        resp = api.login(server.url, EMAIL, "wrong-password")
        api.assert_error(resp, 401, "unauthenticated")

    for name, server in (("A", server_a), ("B", server_b)):
        resp = api.login(server.url, EMAIL, PASSWORD)  # right password, still blocked
        err = api.assert_error(resp, 429, "rate_limited")
        retry_after = resp.headers.get("Retry-After")
        assert retry_after is not None, f"server {name}: no Retry-After header ({err})"
        assert retry_after.strip().isdigit() and int(retry_after) > 0, \
            f"server {name}: Retry-After {retry_after!r} is not a positive integer"


def test_rotating_x_forwarded_for_does_not_bypass_the_per_address_limit(loyalty, api):
    """Behind one proxy (LOYALTY_TRUST_PROXY=true) the proxy appends the address it saw; what
    the client wrote to the left must not give it a fresh address (decision 0016)."""
    server = loyalty.serve({"LOYALTY_TRUST_PROXY": "true", "LOYALTY_LOGIN_MAX_ATTEMPTS_PER_IP": "3"})
    statuses = []
    for i in range(6):
        forwarded = f"203.0.113.{i + 1}, 198.51.100.7"  # forged left part, the proxy's entry last
        resp = api.login(server.url, f"nobody{i}@example.com", "wrong-password", headers={"X-Forwarded-For": forwarded})
        statuses.append(resp.status_code)
    assert statuses == [401, 401, 401, 429, 429, 429], statuses
    # Another client behind the same proxy is not affected.
    other = api.login(server.url, "nobody@example.com", "wrong-password", headers={"X-Forwarded-For": "198.51.100.8"})
    api.assert_error(other, 401, "unauthenticated")
