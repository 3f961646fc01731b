"""Apple Wallet pushes from the real binary to an APNs stand-in that speaks Apple's protocol:
HTTP/2 only, TLS that requires the Pass Type ID certificate chain, `POST /3/device/{token}`,
410 for a device that is gone. Then the hourly catch-up job, run by hand."""
import json
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import HTTP_TIMEOUT, REPO_ROOT, free_port

PASS_TYPE = "pass.test.loyalty"
LIVE_TOKEN = "ab" * 32
DEAD_TOKEN = "dead" + "00" * 30


@pytest.fixture
def apns(apple_wallet_env, tmp_path):
    """The stand-in on a free port; yields (url, path of its JSON-lines record)."""
    pki = Path(apple_wallet_env["LOYALTY_TEST_APPLE_PKI"])
    port = free_port()
    record = tmp_path / "apns.jsonl"
    record.touch()
    log = open(tmp_path / "apns-standin.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "system-tests" / "apns_standin.py"), "--port", str(port),
         "--cert", str(pki / "apns.pem"), "--key", str(pki / "apns.key"), "--ca", str(pki / "root.pem"), "--record", str(record)],
        stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail(f"APNs stand-in did not start: {(tmp_path / 'apns-standin.log').read_text()}")
            time.sleep(0.1)
    try:
        yield f"https://127.0.0.1:{port}", record
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def pushes(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]


def wait_for_pushes(record: Path, count: int, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = pushes(record)
        if len(seen) >= count:
            return seen
        time.sleep(0.1)
    pytest.fail(f"expected {count} pushes, the stand-in saw {pushes(record)}")


def setup_card(server) -> tuple[dict, dict]:
    """A walk-in's card and its pass.json."""
    resp = requests.post(f"{server.url}/api/v1/loyalty/enroll/LUMIERE-LUX", json={"name": "Ada"}, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 201, resp.text
    card = resp.json()["card"]
    import io
    import zipfile
    url = card["wallet"]["apple_pass_url"].removeprefix("https://loyalty.example.test")
    with zipfile.ZipFile(io.BytesIO(requests.get(server.url + url, timeout=HTTP_TIMEOUT).content)) as archive:
        return card, json.loads(archive.read("pass.json"))


def register(server, pass_json: dict, device: str, token: str) -> None:
    url = (f"{server.url}/api/v1/loyalty/apple/v1/devices/{device}/registrations/{PASS_TYPE}/"
           f"{pass_json['serialNumber']}")
    resp = requests.post(url, json={"pushToken": token}, timeout=HTTP_TIMEOUT,
                         headers={"Authorization": f"ApplePass {pass_json['authenticationToken']}"})
    assert resp.status_code == 201, resp.text


def stamp(server, card: dict) -> None:
    login = requests.post(f"{server.url}/api/v1/auth/login", json={"email": "cashier.lux@demo.test", "password": "demo-password"},
                          timeout=HTTP_TIMEOUT)
    resp = requests.post(f"{server.url}/api/v1/store/loyalty/stamp", timeout=HTTP_TIMEOUT,
                         headers={"Authorization": f"Bearer {login.json()['access_token']}"},
                         json={"qr_code": card["qr_code_data"], "staff_pin": "4826"})
    assert resp.status_code == 200, resp.text


def test_a_stamp_pushes_the_device_over_http2_with_the_pass_certificate(loyalty, apple_wallet_env, apns):
    url, record = apns
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({**apple_wallet_env, "LOYALTY_APPLE_APNS_URL": url,
                            "LOYALTY_APPLE_APNS_CA_PATH": apple_wallet_env["LOYALTY_TEST_APPLE_ROOT"]})
    card, pass_json = setup_card(server)
    register(server, pass_json, "phone", LIVE_TOKEN)
    stamp(server, card)

    [push] = wait_for_pushes(record, 1)
    assert push["http_version"] == "2"
    assert push["method"] == "POST" and push["path"] == f"/3/device/{LIVE_TOKEN}"
    assert push["headers"]["apns-topic"] == PASS_TYPE
    assert push["headers"]["apns-push-type"] == "background"
    assert json.loads(push["body"]) == {}


def test_a_device_apns_calls_gone_is_forgotten_and_the_catch_up_delivers_what_was_missed(loyalty, apple_wallet_env, apns):
    url, record = apns
    assert loyalty.run("demo").returncode == 0
    push_env = {**apple_wallet_env, "LOYALTY_APPLE_APNS_URL": url,
                "LOYALTY_APPLE_APNS_CA_PATH": apple_wallet_env["LOYALTY_TEST_APPLE_ROOT"]}
    # First without a reachable APNs: the stamp's push fails and stays owed.
    server = loyalty.serve({**push_env, "LOYALTY_APPLE_APNS_URL": f"https://127.0.0.1:{free_port()}"})
    card, pass_json = setup_card(server)
    register(server, pass_json, "phone", LIVE_TOKEN)
    other, other_pass = setup_card(server)
    register(server, other_pass, "old-phone", DEAD_TOKEN)
    stamp(server, card)
    time.sleep(1)
    server.terminate()
    assert pushes(record) == []

    # The catch-up, by hand, pushes both owed devices; APNs says the old phone is gone.
    result = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=push_env)
    assert result.returncode == 0, result.stdout
    assert "1 pushed" in result.stdout and "1 devices gone" in result.stdout, result.stdout
    assert sorted(p["path"] for p in pushes(record)) == sorted([f"/3/device/{LIVE_TOKEN}", f"/3/device/{DEAD_TOKEN}"])
    # Nothing is owed any more, and the gone device was forgotten.
    again = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=push_env)
    assert "0 pushed" in again.stdout and "1 up to date" in again.stdout, again.stdout
