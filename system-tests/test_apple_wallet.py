"""Apple Wallet against the real binary over HTTP: the pass a customer downloads is checked
with independent tools (Python's zipfile and hashlib for the manifest, `openssl cms -verify`
for the signature), and the web service is driven the way a device drives it."""
import hashlib
import io
import json
import subprocess
import time
import zipfile

import requests

from conftest import HTTP_TIMEOUT

PASS_TYPE = "pass.test.loyalty"
DEVICE = "0123456789abcdef0123456789abcdef"
PUSH_TOKEN = "ab" * 32


def enroll(server) -> dict:
    """A walk-in enrolls at the demo's Luxembourg store; returns the card as the public API shows it."""
    resp = requests.post(f"{server.url}/api/v1/loyalty/enroll/LUMIERE-LUX", json={"name": "Ada Lovelace"}, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 201, resp.text
    return resp.json()["card"]


def download(server, card) -> requests.Response:
    url = card["wallet"]["apple_pass_url"]
    assert url.startswith("https://loyalty.example.test/api/v1/loyalty/passes/apple/"), url
    return requests.get(server.url + url.removeprefix("https://loyalty.example.test"), timeout=HTTP_TIMEOUT)


def verify_signature(files: dict, root: str, tmp_path) -> str:
    (tmp_path / "signature").write_bytes(files["signature"])
    (tmp_path / "manifest.json").write_bytes(files["manifest.json"])
    subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "signature"),
                    "-content", str(tmp_path / "manifest.json"), "-CAfile", root, "-purpose", "any", "-out", "/dev/null"],
                   check=True, capture_output=True, timeout=60)
    printed = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(tmp_path / "signature")],
                             check=True, capture_output=True, text=True, timeout=60)
    return printed.stdout


def unzip(body: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_downloaded_pass_is_signed_and_its_manifest_is_exact(loyalty, apple_wallet_env, tmp_path):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(apple_wallet_env)
    card = enroll(server)
    resp = download(server, card)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/vnd.apple.pkpass"
    files = unzip(resp.content)

    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(files[name]).hexdigest() == digest, name
    printed = verify_signature(files, apple_wallet_env["LOYALTY_TEST_APPLE_ROOT"], tmp_path)
    assert "signingTime" in printed

    pass_json = json.loads(files["pass.json"])
    assert pass_json["formatVersion"] == 1
    assert pass_json["passTypeIdentifier"] == PASS_TYPE
    assert pass_json["organizationName"] == "Café Lumière"
    assert pass_json["barcodes"][0]["message"] == card["qr_code_data"]
    assert pass_json["barcodes"][0]["altText"] == card["card_number"]
    assert pass_json["webServiceURL"] == "https://loyalty.example.test/api/v1/loyalty/apple"
    assert len(pass_json["authenticationToken"]) >= 16
    assert files["en.lproj/pass.strings"][:2] == b"\xff\xfe"


def test_a_device_registers_hears_of_a_stamp_and_fetches_the_new_pass(loyalty, apple_wallet_env, tmp_path):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(apple_wallet_env)
    card = enroll(server)
    pass_json = json.loads(unzip(download(server, card).content)["pass.json"])
    serial, token = pass_json["serialNumber"], pass_json["authenticationToken"]
    base = f"{server.url}/api/v1/loyalty/apple/v1"
    auth = {"Authorization": f"ApplePass {token}"}
    registration = f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}/{serial}"

    assert requests.post(registration, json={"pushToken": PUSH_TOKEN}, timeout=HTTP_TIMEOUT).status_code == 401
    assert requests.post(registration, json={"pushToken": PUSH_TOKEN}, headers=auth, timeout=HTTP_TIMEOUT).status_code == 201
    assert requests.post(registration, json={"pushToken": PUSH_TOKEN}, headers=auth, timeout=HTTP_TIMEOUT).status_code == 200

    listing = requests.get(f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}", timeout=HTTP_TIMEOUT)
    assert listing.status_code == 200
    assert listing.json()["serialNumbers"] == [serial]
    tag = listing.json()["lastUpdated"]

    # The service never vouches for the last 10 seconds (a write may still be committing), so
    # wait them out once: then the tag and Last-Modified are final for the unchanged pass.
    time.sleep(11)
    listing = requests.get(f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}",
                           params={"passesUpdatedSince": tag}, timeout=HTTP_TIMEOUT)
    assert listing.status_code == 200  # changed within the window when `tag` was issued: listed once more
    tag = listing.json()["lastUpdated"]
    assert requests.get(f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}",
                        params={"passesUpdatedSince": tag}, timeout=HTTP_TIMEOUT).status_code == 204
    latest = requests.get(f"{base}/passes/{PASS_TYPE}/{serial}", headers=auth, timeout=HTTP_TIMEOUT)
    assert latest.status_code == 200
    last_modified = latest.headers["Last-Modified"]
    assert last_modified.endswith(" GMT")
    assert requests.get(f"{base}/passes/{PASS_TYPE}/{serial}", headers={**auth, "If-Modified-Since": last_modified},
                        timeout=HTTP_TIMEOUT).status_code == 304

    # A cashier stamps the card at the counter.
    login = requests.post(f"{server.url}/api/v1/auth/login", json={"email": "cashier.lux@demo.test", "password": "demo-password"},
                          timeout=HTTP_TIMEOUT)
    cashier = {"Authorization": f"Bearer {login.json()['access_token']}"}
    stamp = requests.post(f"{server.url}/api/v1/store/loyalty/stamp", headers=cashier,
                          json={"qr_code": card["qr_code_data"], "staff_pin": "4826"}, timeout=HTTP_TIMEOUT)
    assert stamp.status_code == 200, stamp.text

    listing = requests.get(f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}",
                           params={"passesUpdatedSince": tag}, timeout=HTTP_TIMEOUT)
    assert listing.status_code == 200
    assert listing.json()["serialNumbers"] == [serial]
    fresh = requests.get(f"{base}/passes/{PASS_TYPE}/{serial}", headers={**auth, "If-Modified-Since": last_modified},
                         timeout=HTTP_TIMEOUT)
    assert fresh.status_code == 200
    files = unzip(fresh.content)
    verify_signature(files, apple_wallet_env["LOYALTY_TEST_APPLE_ROOT"], tmp_path)
    updated = json.loads(files["pass.json"])
    assert updated["serialNumber"] == serial and updated["authenticationToken"] == token
    assert updated["storeCard"]["primaryFields"][0]["value"].startswith("1 / ")

    assert requests.post(f"{base}/log", json={"logs": ["system test: hello from Wallet"]}, timeout=HTTP_TIMEOUT).status_code == 200
    assert "system test: hello from Wallet" in server.log()
    assert requests.delete(registration, headers=auth, timeout=HTTP_TIMEOUT).status_code == 200
    assert requests.get(f"{base}/devices/{DEVICE}/registrations/{PASS_TYPE}", timeout=HTTP_TIMEOUT).status_code == 204
