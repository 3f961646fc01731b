"""The Google Wallet stand-in itself, driven by a pure-Python client (requests + PyJWT) the way
Google's documentation says a client talks to Google (WALLET.md §4), so that the stand-in is known
to be right before the app meets it. No app binary; seconds."""
import time

import jwt
import pytest
import requests

from conftest import free_port
from google_standin import (CLIENT_EMAIL, ISSUER_ID, StandinProcess, WALLET_SCOPE, make_service_account,
                            read_record)

TIMEOUT = 10
CLASS_ID = f"{ISSUER_ID}.loyalty-program-1"
OBJECT_ID = f"{ISSUER_ID}.card-0001"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    folder = tmp_path_factory.mktemp("google-sa")
    port = free_port()
    return port, make_service_account(folder, f"http://127.0.0.1:{port}/token")


@pytest.fixture(scope="module")
def other_key(tmp_path_factory):
    return make_service_account(tmp_path_factory.mktemp("google-other"), "http://unused/token")["private_key"]


@pytest.fixture
def standin(account, tmp_path):
    port, sa = account
    process = StandinProcess(tmp_path, port, sa["public_key"], sa["account"]["private_key_id"], token_lifetime=2)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def long_standin(account, tmp_path):
    """The same, with Google's default token lifetime."""
    port, sa = account
    process = StandinProcess(tmp_path, port, sa["public_key"], sa["account"]["private_key_id"])
    try:
        yield process
    finally:
        process.stop()


def assertion(sa: dict, standin, **changes) -> str:
    """The service account's assertion as Google's client libraries make it; `changes` override claims
    (None removes one); `_key`/`_kid` override the signing key and key id."""
    now = int(time.time())
    claims = {"iss": CLIENT_EMAIL, "scope": WALLET_SCOPE, "aud": f"{standin.url}/token", "iat": now, "exp": now + 3600}
    key = changes.pop("_key", sa["private_key"])
    kid = changes.pop("_kid", sa["account"]["private_key_id"])
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def exchange(standin, token_jwt: str, grant: str = "urn:ietf:params:oauth:grant-type:jwt-bearer") -> requests.Response:
    return requests.post(f"{standin.url}/token", data={"grant_type": grant, "assertion": token_jwt}, timeout=TIMEOUT)


def token(standin, sa) -> str:
    resp = exchange(standin, assertion(sa, standin))
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


class Wallet:
    def __init__(self, standin, access_token: str):
        self.base = f"{standin.url}/walletobjects/v1"
        self.headers = {"Authorization": f"Bearer {access_token}"}

    def call(self, method: str, path: str, body=None) -> requests.Response:
        return requests.request(method, f"{self.base}/{path}", json=body, headers=self.headers, timeout=TIMEOUT)


def google_error(resp: requests.Response, code: int, status: str) -> str:
    assert resp.status_code == code, resp.text
    err = resp.json()["error"]
    assert err["code"] == code and err["status"] == status, err
    assert err["errors"][0]["domain"] == "global" and err["errors"][0]["message"] == err["message"], err
    return err["message"]


def loyalty_class(review="UNDER_REVIEW", **extra) -> dict:
    return {"id": CLASS_ID, "issuerName": "Café Lumière", "programName": "Café Lumière", "reviewStatus": review,
            "programLogo": {"sourceUri": {"uri": "https://loyalty.example.test/logo.png"},
                            "contentDescription": {"defaultValue": {"language": "en-US", "value": "Logo"}}},
            "hexBackgroundColor": "#7c2d12", **extra}


def loyalty_object(**extra) -> dict:
    return {"id": OBJECT_ID, "classId": CLASS_ID, "state": "ACTIVE", "accountId": "1387 6194 1746 7543",
            "accountName": "Ada", "barcode": {"type": "QR_CODE", "value": "Fmnd4vm2", "alternateText": "1387"},
            "loyaltyPoints": {"label": "Points", "balance": {"int": 0}},
            "secondaryLoyaltyPoints": {"label": "Stamps", "balance": {"string": "0/10"}}, **extra}


# --------------------------------------------------------------------------
# the token exchange
# --------------------------------------------------------------------------

def test_a_well_made_assertion_gets_a_bearer_token(long_standin, account):
    _, sa = account
    resp = exchange(long_standin, assertion(sa, long_standin))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599 and body["access_token"], body
    listed = Wallet(long_standin, body["access_token"]).call("GET", f"loyaltyClass?issuerId={ISSUER_ID}")
    assert listed.status_code == 200 and listed.json()["resources"] == [], listed.text


@pytest.mark.parametrize("changes, why", [
    ({"_key": "other"}, "Signature"),
    ({"_kid": "not-the-key-id"}, "kid"),
    ({"aud": "https://oauth2.googleapis.com/token"}, "aud"),
    ({"iss": "someone@else.iam.gserviceaccount.com"}, "iss"),
    ({"scope": "https://www.googleapis.com/auth/cloud-platform"}, "scope"),
    ({"scope": None}, "scope"),
    ({"exp": None}, "exp"),
    ({"iat": time.time()}, "iat"),  # Google documents integer seconds: a fraction is refused
    ({"exp": int(time.time()) + 7200}, "short-lived"),
    ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, "short-lived"),
])
def test_a_bad_assertion_is_invalid_grant(long_standin, account, other_key, changes, why):
    _, sa = account
    if changes.get("_key") == "other":
        changes = {**changes, "_key": other_key}
    if "iat" in changes and isinstance(changes["iat"], float):
        changes = {**changes, "iat": time.time(), "exp": int(time.time()) + 3000}
    resp = exchange(long_standin, assertion(sa, long_standin, **changes))
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error"] == "invalid_grant" and why in body["error_description"], body


def test_the_wrong_grant_type_or_a_json_body_is_refused(long_standin, account):
    _, sa = account
    resp = exchange(long_standin, assertion(sa, long_standin), grant="client_credentials")
    assert resp.status_code == 400 and resp.json()["error"] == "unsupported_grant_type", resp.text
    as_json = requests.post(f"{long_standin.url}/token", timeout=TIMEOUT,
                            json={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                  "assertion": assertion(sa, long_standin)})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request", as_json.text


def test_no_token_an_unknown_token_and_an_expired_token_are_401(standin, account):
    _, sa = account
    assert google_error(requests.get(f"{standin.url}/walletobjects/v1/loyaltyClass/{CLASS_ID}", timeout=TIMEOUT),
                        401, "UNAUTHENTICATED")
    google_error(Wallet(standin, "ya29.made-up").call("GET", f"loyaltyClass/{CLASS_ID}"), 401, "UNAUTHENTICATED")
    wallet = Wallet(standin, token(standin, sa))  # lives 2 s in this fixture
    google_error(wallet.call("GET", f"loyaltyClass/{CLASS_ID}"), 404, "NOT_FOUND")
    time.sleep(2.2)
    google_error(wallet.call("GET", f"loyaltyClass/{CLASS_ID}"), 401, "UNAUTHENTICATED")
    # A fresh token works again; the control route expires every token at once.
    wallet = Wallet(standin, token(standin, sa))
    google_error(wallet.call("GET", f"loyaltyClass/{CLASS_ID}"), 404, "NOT_FOUND")
    assert requests.post(f"{standin.url}/_control/expire-tokens", timeout=TIMEOUT).status_code == 200
    google_error(wallet.call("GET", f"loyaltyClass/{CLASS_ID}"), 401, "UNAUTHENTICATED")


# --------------------------------------------------------------------------
# the resources
# --------------------------------------------------------------------------

def test_class_insert_duplicate_patch_get_and_update(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    inserted = wallet.call("POST", "loyaltyClass", loyalty_class())
    assert inserted.status_code == 200 and inserted.json() == loyalty_class(), inserted.text
    google_error(wallet.call("POST", "loyaltyClass", loyalty_class()), 409, "ALREADY_EXISTS")

    patched = wallet.call("PATCH", f"loyaltyClass/{CLASS_ID}",
                          {"programName": "New name", "reviewStatus": "UNDER_REVIEW", "notifyPreference": "NOTIFY_ON_UPDATE",
                           "messages": [{"header": "a", "body": "b"}]})
    assert patched.status_code == 200, patched.text
    expected = {**loyalty_class(), "programName": "New name", "messages": [{"header": "a", "body": "b"}]}
    assert patched.json() == expected  # notifyPreference is per request, never stored
    # Arrays are replaced wholesale.
    wallet.call("PATCH", f"loyaltyClass/{CLASS_ID}", {"messages": [{"header": "c", "body": "d"}]})
    assert wallet.call("GET", f"loyaltyClass/{CLASS_ID}").json()["messages"] == [{"header": "c", "body": "d"}]

    # PUT replaces everything: fields not sent are gone.
    replaced = wallet.call("PUT", f"loyaltyClass/{CLASS_ID}", loyalty_class(hexBackgroundColor=None))
    assert replaced.status_code == 200 and "messages" not in replaced.json(), replaced.text
    google_error(wallet.call("PUT", f"loyaltyClass/{CLASS_ID}", {**loyalty_class(), "id": f"{ISSUER_ID}.other"}),
                 400, "INVALID_ARGUMENT")
    google_error(wallet.call("PATCH", f"loyaltyClass/{ISSUER_ID}.missing", {"programName": "x"}), 404, "NOT_FOUND")
    google_error(wallet.call("GET", f"loyaltyClass/{ISSUER_ID}.missing"), 404, "NOT_FOUND")

    added = wallet.call("POST", f"loyaltyClass/{CLASS_ID}/addMessage", {"message": {"header": "Hi", "body": "there"}})
    assert added.status_code == 200 and added.json()["resource"]["messages"] == [{"header": "Hi", "body": "there"}]


@pytest.mark.parametrize("body, code, status", [
    (loyalty_class(reviewStatus="APPROVED"), 400, "INVALID_ARGUMENT"),
    ({k: v for k, v in loyalty_class().items() if k != "reviewStatus"}, 400, "INVALID_ARGUMENT"),
    ({k: v for k, v in loyalty_class().items() if k != "issuerName"}, 400, "INVALID_ARGUMENT"),
    ({k: v for k, v in loyalty_class().items() if k != "programLogo"}, 400, "INVALID_ARGUMENT"),
    (loyalty_class(programLogo={"sourceUri": {"uri": "http://insecure.test/logo.png"}}), 400, "INVALID_ARGUMENT"),
    (loyalty_class(hexBackgroundColor="7c2d12"), 400, "INVALID_ARGUMENT"),
    (loyalty_class(hexBackgroundColor="#7c2d1"), 400, "INVALID_ARGUMENT"),
    (loyalty_class(colour="#fff"), 400, "INVALID_ARGUMENT"),
    (loyalty_class(id=f"{ISSUER_ID}.bad id"), 400, "INVALID_ARGUMENT"),
    (loyalty_class(id="loyalty-no-issuer"), 400, "INVALID_ARGUMENT"),
    (loyalty_class(id="1234567890.someone-elses"), 403, "PERMISSION_DENIED"),
])
def test_a_class_google_would_refuse_is_refused(long_standin, account, body, code, status):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    google_error(wallet.call("POST", "loyaltyClass", body), code, status)
    assert requests.get(f"{long_standin.url}/_control/state", timeout=TIMEOUT).json()["classes"] == {}


def test_unknown_field_message_names_it(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    message = google_error(wallet.call("POST", "loyaltyClass", loyalty_class(colour="#fff")), 400, "INVALID_ARGUMENT")
    assert message.startswith('Invalid JSON payload received. Unknown name "colour"'), message


def test_an_object_needs_an_existing_class_that_is_not_a_draft(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object()), 404, "NOT_FOUND")
    assert wallet.call("POST", "loyaltyClass", loyalty_class(review="DRAFT")).status_code == 200
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object()), 400, "INVALID_ARGUMENT")
    assert wallet.call("PATCH", f"loyaltyClass/{CLASS_ID}", {"reviewStatus": "UNDER_REVIEW"}).status_code == 200

    inserted = wallet.call("POST", "loyaltyObject", loyalty_object())
    assert inserted.status_code == 200 and inserted.json() == loyalty_object(), inserted.text
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object()), 409, "ALREADY_EXISTS")
    patched = wallet.call("PATCH", f"loyaltyObject/{OBJECT_ID}",
                          {"loyaltyPoints": {"label": "Points", "balance": {"int": 130}}, "state": "INACTIVE",
                           "notifyPreference": "NOTIFY_ON_UPDATE"})
    assert patched.status_code == 200, patched.text
    assert patched.json() == {**loyalty_object(), "state": "INACTIVE",
                              "loyaltyPoints": {"label": "Points", "balance": {"int": 130}}}
    assert wallet.call("GET", f"loyaltyObject/{OBJECT_ID}").json() == patched.json()
    listed = wallet.call("GET", f"loyaltyObject?classId={CLASS_ID}")
    assert [o["id"] for o in listed.json()["resources"]] == [OBJECT_ID]
    added = wallet.call("POST", f"loyaltyObject/{OBJECT_ID}/addMessage", {"message": {"header": "Reward", "body": "ready"}})
    assert added.status_code == 200 and added.json()["resource"]["messages"][-1]["header"] == "Reward", added.text
    google_error(wallet.call("GET", f"loyaltyObject/{ISSUER_ID}.card-missing"), 404, "NOT_FOUND")


@pytest.mark.parametrize("change", [
    {"loyaltyPoints": {"label": "Points", "balance": {"int": 1, "string": "1"}}},
    {"loyaltyPoints": {"label": "Points", "balance": {}}},
    {"secondaryLoyaltyPoints": {"balance": {"int": 2**31}}},
    {"secondaryLoyaltyPoints": {"balance": {"int": "7"}}},
    {"loyaltyPoints": {"label": "Points", "balance": {"int": 1}, "extra": 1}},
    {"barcode": {"type": "QR", "value": "x"}},
    {"state": "BLOCKED"},
    {"state": None},
    {"points": 5},
    {"id": f"{ISSUER_ID}.card with space"},
    {"notifyPreference": "ALWAYS"},
    {"messages": [{"header": "x", "body": "y", "colour": "red"}]},
])
def test_an_object_google_would_refuse_is_refused(long_standin, account, change):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    assert wallet.call("POST", "loyaltyClass", loyalty_class()).status_code == 200
    body = {k: v for k, v in {**loyalty_object(), **change}.items() if v is not None}
    google_error(wallet.call("POST", "loyaltyObject", body), 400, "INVALID_ARGUMENT")
    # The same change as a PATCH of a good object is refused too, and the object is unchanged.
    assert wallet.call("POST", "loyaltyObject", loyalty_object()).status_code == 200
    if "id" not in change and change != {"state": None}:
        google_error(wallet.call("PATCH", f"loyaltyObject/{OBJECT_ID}", change), 400, "INVALID_ARGUMENT")
    assert wallet.call("GET", f"loyaltyObject/{OBJECT_ID}").json() == loyalty_object()


def test_an_object_of_another_issuer_is_forbidden(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    assert wallet.call("POST", "loyaltyClass", loyalty_class()).status_code == 200
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object(id="1234567890.card-1")), 403, "PERMISSION_DENIED")


# --------------------------------------------------------------------------
# fault injection and the record
# --------------------------------------------------------------------------

def test_injected_failures_come_in_order_and_are_recorded(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    assert wallet.call("POST", "loyaltyClass", loyalty_class()).status_code == 200
    control = f"{long_standin.url}/_control"
    prefix = "/walletobjects/v1/loyaltyObject"
    assert requests.post(f"{control}/fail", json={"status": 500, "count": 1, "path_prefix": prefix}, timeout=TIMEOUT).ok
    assert requests.post(f"{control}/fail", json={"status": 429, "count": 2, "path_prefix": prefix, "retry_after": 2},
                         timeout=TIMEOUT).ok
    # A class call does not match the prefix and passes.
    assert wallet.call("GET", f"loyaltyClass/{CLASS_ID}").status_code == 200

    first = wallet.call("POST", "loyaltyObject", loyalty_object())
    google_error(first, 500, "INTERNAL")
    assert "Retry-After" not in first.headers
    second = wallet.call("POST", "loyaltyObject", loyalty_object())
    google_error(second, 429, "RESOURCE_EXHAUSTED")
    assert second.headers["Retry-After"] == "2"
    assert requests.get(f"{control}/state", timeout=TIMEOUT).json()["faults"][0]["count"] == 1
    assert requests.post(f"{control}/reset", timeout=TIMEOUT).ok
    assert wallet.call("POST", "loyaltyObject", loyalty_object()).status_code == 200
    state = requests.get(f"{control}/state", timeout=TIMEOUT).json()
    assert state["objects"] == {OBJECT_ID: loyalty_object()} and state["faults"] == []

    bad = requests.post(f"{control}/fail", json={"status": 404, "count": 1}, timeout=TIMEOUT)
    assert bad.status_code == 400

    record = read_record(long_standin.record_path)
    assert [(r["method"], r["path"], r["status"], r["injected"]) for r in record] == [
        ("POST", "/token", 200, False),
        ("POST", "/walletobjects/v1/loyaltyClass", 200, False),
        ("GET", f"/walletobjects/v1/loyaltyClass/{CLASS_ID}", 200, False),
        ("POST", "/walletobjects/v1/loyaltyObject", 500, True),
        ("POST", "/walletobjects/v1/loyaltyObject", 429, True),
        ("POST", "/walletobjects/v1/loyaltyObject", 200, False),
    ]  # control calls are not recorded
    assert record[0]["body"]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    assert record[1]["body"] == loyalty_class() and record[1]["authorized"] is True
    assert all(isinstance(r["time"], float) for r in record)
    assert record[0]["time"] <= record[-1]["time"] <= time.time()


def test_a_failure_can_hit_the_token_endpoint(long_standin, account):
    _, sa = account
    requests.post(f"{long_standin.url}/_control/fail", json={"status": 503, "count": 1, "path_prefix": "/token",
                                                             "retry_after": 1}, timeout=TIMEOUT)
    first = exchange(long_standin, assertion(sa, long_standin))
    assert first.status_code == 503 and first.headers["Retry-After"] == "1", first.text
    assert exchange(long_standin, assertion(sa, long_standin)).status_code == 200


def test_garbage_never_crashes_it(long_standin, account):
    _, sa = account
    headers = {"Authorization": f"Bearer {token(long_standin, sa)}", "Content-Type": "application/json"}
    base = f"{long_standin.url}/walletobjects/v1"
    for method, path, data in [("POST", "loyaltyClass", b"{not json"), ("POST", "loyaltyClass", b"[]"),
                               ("POST", "loyaltyClass", b""), ("PATCH", f"loyaltyClass/{CLASS_ID}", b"null"),
                               ("POST", "loyaltyObject", b'"x"'), ("DELETE", f"loyaltyClass/{CLASS_ID}", b""),
                               ("GET", "genericObject/x", b""), ("POST", f"loyaltyClass/{CLASS_ID}/addMessage", b"{}")]:
        resp = requests.request(method, f"{base}/{path}", data=data, headers=headers, timeout=TIMEOUT)
        assert 400 <= resp.status_code < 500 and "error" in resp.json(), (method, path, resp.text)
    assert requests.get(f"{long_standin.url}/_control/state", timeout=TIMEOUT).status_code == 200


def test_an_applied_failure_does_the_work_and_loses_the_answer(long_standin, account):
    _, sa = account
    wallet = Wallet(long_standin, token(long_standin, sa))
    assert wallet.call("POST", "loyaltyClass", loyalty_class()).status_code == 200
    requests.post(f"{long_standin.url}/_control/fail", timeout=TIMEOUT,
                  json={"status": 503, "count": 1, "path_prefix": "/walletobjects/v1/loyaltyObject", "apply": True})
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object()), 503, "UNAVAILABLE")
    # The object was stored all the same: a retried insert is a duplicate.
    google_error(wallet.call("POST", "loyaltyObject", loyalty_object()), 409, "ALREADY_EXISTS")
    assert wallet.call("GET", f"loyaltyObject/{OBJECT_ID}").json() == loyalty_object()
    lost = [r for r in read_record(long_standin.record_path) if r["injected"]]
    assert [(r["status"], r["applied_status"]) for r in lost] == [(503, 200)]
