"""The real binary's access log, in both formats, never carries the credentials that travel
in URL paths or headers: a card's private-link token, an Apple Wallet pass serial, a
device library identifier and the pass's `ApplePass` token (decision 0017)."""
import io
import json
import zipfile

import pytest
import requests

from conftest import HTTP_TIMEOUT

PASS_TYPE = "pass.test.loyalty"
DEVICE = "5f0e9c2ab7d34e1f8a6b0c9d2e4f6a8b"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_access_log_names_routes_not_credentials(loyalty, apple_wallet_env, log_format):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({**apple_wallet_env, "LOYALTY_LOG_FORMAT": log_format, "LOG_LEVEL": "info"})
    base = server.url

    enrolled = requests.post(f"{base}/api/v1/loyalty/enroll/LUMIERE-LUX", json={"name": "Ada Lovelace"}, timeout=HTTP_TIMEOUT)
    assert enrolled.status_code == 201, enrolled.text
    link = enrolled.json()["card_link"]
    link_token = link.rsplit("/", 1)[1]
    assert requests.get(base + link, timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.get(f"{base}{link}?again={link_token}", timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.get(f"{base}{link}/not/a/route", timeout=HTTP_TIMEOUT).status_code == 404

    pass_url = enrolled.json()["card"]["wallet"]["apple_pass_url"].removeprefix("https://loyalty.example.test")
    download = requests.get(base + pass_url, timeout=HTTP_TIMEOUT)
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        pass_json = json.loads(archive.read("pass.json"))
    serial, token = pass_json["serialNumber"], pass_json["authenticationToken"]
    assert token in pass_url and serial not in pass_url

    service = f"{base}/api/v1/loyalty/apple/v1"
    auth = {"Authorization": f"ApplePass {token}"}
    registered = requests.post(f"{service}/devices/{DEVICE}/registrations/{PASS_TYPE}/{serial}", json={"pushToken": "ab" * 32},
                               headers=auth, timeout=HTTP_TIMEOUT)
    assert registered.status_code == 201, registered.text
    assert requests.get(f"{service}/devices/{DEVICE}/registrations/{PASS_TYPE}", timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.get(f"{service}/passes/{PASS_TYPE}/{serial}", headers=auth, timeout=HTTP_TIMEOUT).status_code == 200
    wrong = requests.get(f"{service}/passes/{PASS_TYPE}/{serial}", headers={"Authorization": f"ApplePass {token}x"},
                         timeout=HTTP_TIMEOUT)
    assert wrong.status_code == 401
    assert requests.delete(f"{service}/devices/{DEVICE}/registrations/{PASS_TYPE}/{serial}", headers=auth,
                           timeout=HTTP_TIMEOUT).status_code == 200

    code, _, killed = server.terminate()
    assert code == 0 and not killed
    # JSON escapes "/" as "\/"; undo it so both formats are searched alike.
    log = server.log_path.read_text(errors="replace").replace("\\/", "/")
    assert "/api/v1/loyalty/cards/:link_token" in log
    assert "/api/v1/loyalty/passes/apple/:pass_file" in log
    assert "/api/v1/loyalty/apple/v1/devices/:device_library_id/registrations/:pass_type_id/:serial_number" in log
    if log_format == "json":
        lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        assert any(line.get("path") == "/api/v1/loyalty/cards/:link_token" for line in lines)
    for name, secret in [("private-link token", link_token), ("pass serial", serial), ("device library id", DEVICE),
                         ("ApplePass token", token)]:
        assert secret not in log, f"the {log_format} log carries the {name}"
