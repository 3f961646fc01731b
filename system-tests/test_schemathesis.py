"""Schemathesis against the running server, with every check (`--checks all`).

The OpenAPI document is fuzzed once per persona, each with its own credentials, so the
generated requests reach the handlers instead of stopping at 401/403:
the platform admin (`/api/v1/admin`), a merchant owner naming a store in `X-Store-Id`
(`/api/v1/merchants`, `/api/v1/store`), a customer (`/api/v1/storefront`), and nobody
(health, OpenAPI, sign-in, public loyalty). Settings: `schemathesis.toml` at the repository
root (422 for rules a schema cannot state counts as acceptance).
"""
import shutil
import subprocess
import sys

import pytest
import requests

from conftest import REPO_ROOT

DEMO_PASSWORD = "demo-password"
MAX_EXAMPLES = "8"

PERSONAS = [
    ("admin", r"^/api/v1/admin"),
    ("owner", r"^/api/v1/(merchants|store)"),
    ("customer", r"^/api/v1/storefront"),
    ("anonymous", r"^/(health|openapi|api/v1/(loyalty|auth))"),
]


def _schemathesis() -> list[str]:
    found = shutil.which("schemathesis") or shutil.which("st")
    if found:
        return [found]
    return [sys.executable, "-m", "schemathesis.cli"]


@pytest.mark.parametrize("persona,paths", PERSONAS, ids=[p for p, _ in PERSONAS])
def test_schemathesis_finds_nothing(loyalty, apple_wallet_env, google_wallet_env, persona, paths):
    assert loyalty.run("demo").returncode == 0
    # Fuzzing logs in and registers far more than a person would: lift the throttles here only.
    # Both wallets are on (Google's API is the stand-in), so their routes answer for real rather
    # than 503.
    server = loyalty.serve({
        "LOYALTY_LOGIN_MAX_ATTEMPTS": "100000", "LOYALTY_LOGIN_MAX_ATTEMPTS_PER_IP": "100000",
        "LOYALTY_LOGIN_MAX_ATTEMPTS_PER_ACCOUNT": "100000",
        "LOYALTY_REGISTER_MAX_PER_IP": "100000", "LOG_LEVEL": "error", **apple_wallet_env, **google_wallet_env,
    })

    def login(email: str) -> str:
        resp = requests.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}, timeout=15)
        assert resp.status_code == 200, resp.text
        return resp.json()["access_token"]

    headers: list[str] = []
    if persona == "admin":
        headers = ["-H", f"Authorization: Bearer {login('admin@demo.test')}"]
    elif persona == "owner":
        token = login("owner@demo.test")
        stores = requests.get(f"{server.url}/api/v1/merchants/stores", headers={"Authorization": f"Bearer {token}"}, timeout=15)
        store_id = next(s["id"] for s in stores.json()["items"] if s["code"] == "LUMIERE-LUX")
        headers = ["-H", f"Authorization: Bearer {token}", "-H", f"X-Store-Id: {store_id}"]
    elif persona == "customer":
        resp = requests.post(f"{server.url}/api/v1/storefront/auth/register", timeout=15, json={
            "store_code": "LUMIERE-LUX", "email": "fuzz@example.com", "password": "long-enough-pw", "name": "Fuzz"})
        assert resp.status_code == 201, resp.text
        headers = ["-H", f"Authorization: Bearer {resp.json()['access_token']}"]

    # One worker: schemathesis' generator is not thread-safe on this Python (an internal
    # "AST constructor recursion depth mismatch" was seen with two).
    command = [*_schemathesis(), "run", f"{server.url}/openapi.json", "--checks", "all",
               "--include-path-regex", paths, "--max-examples", MAX_EXAMPLES, "--seed", "1",
               "--workers", "1", "--generation-database", "none", *headers]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"schemathesis found problems as {persona}:\n{output[-20000:]}"
    assert " passed" in output, output[-5000:]
    # The server must still be alive: a crash would also show as failures above.
    assert requests.get(f"{server.url}/health/live", timeout=5).status_code == 200
