"""Google Wallet against the real binary (issue #10): the app talks to the Google stand-in
(system-tests/google_standin.py), which checks the token exchange and every class and object the
way Google does and records each request; save links are verified independently with PyJWT
against the service account's public key.

Assumptions where the contract leaves the app's side open are marked "ASSUMPTION" below.
Servers run with `LOYALTY_SCHEDULED_JOBS=false` so that the start-up run of the hourly job does
not mix its requests with the ones a test watches; the job is run by hand where it matters."""
import html
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

import jwt
import pytest
import requests

from conftest import HTTP_TIMEOUT, free_port
from google_standin import CLIENT_EMAIL, ISSUER_ID, read_record

SAVE_PREFIX = "https://pay.google.com/gp/v/save/"
PUBLIC_BASE = "https://loyalty.example.test"
CLASSES = "/walletobjects/v1/loyaltyClass"
OBJECTS = "/walletobjects/v1/loyaltyObject"
APP_KEYS = ("LOYALTY_GOOGLE_ISSUER_ID", "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON", "LOYALTY_GOOGLE_API_BASE_URL",
            "LOYALTY_PUBLIC_BASE_URL")
PATCH_WAIT = 5.0  # the contract: a PATCH within 5 s of each stamp
QUIET_WAIT = 1.5  # how long "nothing was sent" is watched


def app_env(google_env: dict, **extra) -> dict:
    return {**{k: google_env[k] for k in APP_KEYS}, "LOYALTY_SCHEDULED_JOBS": "false", **extra}


# --------------------------------------------------------------------------
# the stand-in, seen from a test
# --------------------------------------------------------------------------

class Google:
    def __init__(self, env: dict):
        self.url = env["LOYALTY_TEST_GOOGLE_URL"]
        self.record = Path(env["LOYALTY_TEST_GOOGLE_RECORD"])
        self.public_key = Path(env["LOYALTY_TEST_GOOGLE_PUBLIC_KEY"]).read_text()
        self.account = json.loads(Path(env["LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON"]).read_text())

    def records(self) -> list[dict]:
        return read_record(self.record)

    def wait_for(self, what: str, predicate, timeout: float = PATCH_WAIT) -> dict:
        """The first recorded request matching `predicate`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for entry in self.records():
                if predicate(entry):
                    return entry
            if time.monotonic() > deadline:
                pytest.fail(f"the stand-in did not see {what} within {timeout}s; it saw:\n" + self.summary())
            time.sleep(0.02)

    def summary(self) -> str:
        return "\n".join(f"  {r['method']} {r['path']} -> {r['status']}{' (injected)' if r['injected'] else ''} "
                         f"{json.dumps(r['body'])[:300]}" for r in self.records())

    def object_calls(self, object_id: str, records=None) -> list[dict]:
        """Every request about one object: its insert and the calls on its path."""
        return [r for r in (self.records() if records is None else records)
                if r["path"].startswith(OBJECTS) and (
                    r["path"] == f"{OBJECTS}/{object_id}" or r["path"].startswith(f"{OBJECTS}/{object_id}/")
                    or (r["path"] == OBJECTS and isinstance(r["body"], dict) and r["body"].get("id") == object_id))]

    def accepted_patches(self, object_id: str) -> list[dict]:
        return [r for r in self.object_calls(object_id) if r["method"] == "PATCH" and r["status"] == 200]

    def wait_for_new_patch(self, object_id: str, seen: int, timeout: float = PATCH_WAIT) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            patches = self.accepted_patches(object_id)
            if len(patches) > seen:
                return patches[seen]
            if time.monotonic() > deadline:
                pytest.fail(f"no new PATCH of {object_id} within {timeout}s; the stand-in saw:\n" + self.summary())
            time.sleep(0.02)

    def wait_for_insert(self, object_id: str) -> dict:
        return self.wait_for(f"the insert of {object_id}", lambda r: r["method"] == "POST" and r["path"] == OBJECTS
                             and r["status"] == 200 and r["body"].get("id") == object_id)

    def control(self, method: str, name: str, body=None) -> dict:
        resp = requests.request(method, f"{self.url}/_control/{name}", json=body, timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def fail(self, status: int, count: int, path_prefix: str = OBJECTS, retry_after: int | None = None) -> None:
        body = {"status": status, "count": count, "path_prefix": path_prefix}
        if retry_after is not None:
            body["retry_after"] = retry_after
        self.control("POST", "fail", body)

    def stored_object(self, object_id: str) -> dict:
        return self.control("GET", "state")["objects"][object_id]

    def stored_class(self, class_id: str) -> dict:
        return self.control("GET", "state")["classes"][class_id]

    def verify_save_url(self, url: str, object_id: str, class_id: str) -> dict:
        """The save link checked independently of the app: PyJWT and the service account's public key."""
        assert isinstance(url, str) and url.startswith(SAVE_PREFIX), url
        assert len(url) <= 1800, f"the save link has {len(url)} characters"
        token = url[len(SAVE_PREFIX):]
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256" and header["kid"] == self.account["private_key_id"], header
        claims = jwt.decode(token, self.public_key, algorithms=["RS256"], audience="google", leeway=5)
        assert claims["iss"] == CLIENT_EMAIL, claims
        assert claims["typ"] == "savetowallet", claims
        assert type(claims["iat"]) is int, claims  # Google documents integer seconds
        assert claims["origins"] == [PUBLIC_BASE], claims
        assert claims["payload"] == {"loyaltyObjects": [{"id": object_id, "classId": class_id}]}, claims
        return claims


def assert_nothing_refused(google: Google) -> None:
    """The app never sends what Google would refuse: every answer not injected was a 2xx, but for
    the contract's recovery from a lost race (an insert answered 409, then a PATCH of that id)."""
    records = google.records()

    def recovered(r) -> bool:
        if r["status"] != 409 or r["method"] != "POST" or not isinstance(r["body"], dict):
            return False
        return any(later["method"] == "PATCH" and later["path"] == f"{r['path']}/{r['body'].get('id')}"
                   and later["status"] == 200 for later in records[records.index(r):])
    refused = [r for r in records if not r["injected"] and r["status"] >= 300 and not recovered(r)]
    assert not refused, "the stand-in refused:\n" + "\n".join(
        f"{r['method']} {r['path']} -> {r['status']}: {json.dumps(r['body'])[:600]}" for r in refused) + \
        "\nall requests:\n" + google.summary()


def assert_no_body_sent_twice(google: Google, object_id: str) -> None:
    """Nothing is sent twice for one version: no two accepted PATCHes in a row with the same body."""
    bodies = [{k: v for k, v in r["body"].items() if k != "notifyPreference"} for r in google.accepted_patches(object_id)]
    for before, after in zip(bodies, bodies[1:]):
        assert before != after, f"the same body was PATCHed twice in a row: {before}"


def route_counts(records: list[dict]) -> Counter:
    def route(r):
        path = r["path"]
        for base, name in ((CLASSES, "loyaltyClass"), (OBJECTS, "loyaltyObject")):
            if path == base:
                return f"{r['method']} {name}"
            if path.startswith(base + "/"):
                rest = path[len(base) + 1:]
                return f"{r['method']} {name}/{{id}}" + ("/" + rest.split("/", 1)[1] if "/" in rest else "")
        return f"{r['method']} {path}"
    return Counter(f"{route(r)} -> {r['status']}{'*' if r['injected'] else ''}" for r in records)


# --------------------------------------------------------------------------
# the app, seen from a test
# --------------------------------------------------------------------------

class Shop:
    """The demo merchant on one server: owner, cashier and platform admin signed in."""

    def __init__(self, server):
        self.url = server.url
        self.owner = self.login("owner@demo.test")
        self.cashier = self.login("cashier.lux@demo.test")
        self.admin = self.login("admin@demo.test")

    def login(self, email: str) -> dict:
        resp = requests.post(f"{self.url}/api/v1/auth/login", json={"email": email, "password": "demo-password"},
                             timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def program(self) -> dict:
        resp = requests.get(f"{self.url}/api/v1/merchants/loyalty/program", headers=self.owner, timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def change_program(self, **fields) -> requests.Response:
        return requests.patch(f"{self.url}/api/v1/merchants/loyalty/program", json=fields, headers=self.owner,
                              timeout=HTTP_TIMEOUT)

    def fast_stamps(self) -> None:
        """No cooldown and a high daily limit, so a test can stamp many times in a row."""
        resp = self.change_program(cooldown_minutes=0, max_daily_stamps=1000)
        assert resp.status_code == 200, resp.text

    def class_id(self) -> str:
        program = self.program()
        return program["google_class_id"] or f"{ISSUER_ID}.loyalty-{program['id'].lower()}"

    def enroll(self, name: str = "Ada") -> dict:
        resp = requests.post(f"{self.url}/api/v1/loyalty/enroll/LUMIERE-LUX", json={"name": name}, timeout=HTTP_TIMEOUT)
        assert resp.status_code == 201, resp.text
        return resp.json()

    def customer(self, email: str, name: str) -> tuple[dict, dict]:
        """A registered customer with a card: (customer auth headers, the enrollment answer)."""
        resp = requests.post(f"{self.url}/api/v1/storefront/auth/register", timeout=HTTP_TIMEOUT,
                             json={"store_code": "LUMIERE-LUX", "email": email, "password": "correct-horse-9",
                                   "name": name})
        assert resp.status_code == 201, resp.text
        auth = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        card = requests.post(f"{self.url}/api/v1/storefront/loyalty/enroll", json={}, headers=auth, timeout=HTTP_TIMEOUT)
        assert card.status_code == 201, card.text
        return auth, card.json()

    def card(self, card_number: str) -> dict:
        resp = requests.get(f"{self.url}/api/v1/merchants/loyalty/cards?per_page=200", headers=self.owner,
                            timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        [card] = [c for c in resp.json()["items"] if c["card_number"] == card_number]
        return card

    def card_by_id(self, card_id: str) -> dict:
        resp = requests.get(f"{self.url}/api/v1/merchants/loyalty/cards/{card_id}", headers=self.owner,
                            timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def stamp(self, qr_code: str, pin: str = "4826") -> requests.Response:
        return requests.post(f"{self.url}/api/v1/store/loyalty/stamp", headers=self.cashier, timeout=HTTP_TIMEOUT,
                             json={"qr_code": qr_code, "staff_pin": pin})

    def earn(self, qr_code: str, cents: int) -> requests.Response:
        return requests.post(f"{self.url}/api/v1/store/loyalty/points/earn", headers=self.cashier, timeout=HTTP_TIMEOUT,
                             json={"qr_code": qr_code, "staff_pin": "4826", "purchase_amount_cents": cents})

    def google_debug(self, card_id: str) -> dict:
        resp = requests.get(f"{self.url}/api/v1/admin/loyalty/debug/cards/{card_id}/google-object", headers=self.admin,
                            timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()

    def wallet_status(self) -> dict:
        resp = requests.get(f"{self.url}/api/v1/admin/loyalty/wallet-status", headers=self.admin, timeout=HTTP_TIMEOUT)
        assert resp.status_code == 200, resp.text
        return resp.json()


def eventually(what: str, probe, timeout: float = 3.0):
    """probe() until it answers something truthy (the app records a sync just after Google's answer)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            assert value, f"{what} did not happen within {timeout}s"
            return value
        time.sleep(0.05)


def object_id(card_id: str) -> str:
    return f"{ISSUER_ID}.card-{card_id.lower()}"


def assert_object_shows(obj: dict, card: dict, program: dict, holder: str | None) -> None:
    """The object carries the card as the contract maps it (a card as the owner's API shows it)."""
    assert obj["id"] == object_id(card["id"]), obj
    assert obj["state"] == ("INACTIVE" if card["status"] == "blocked" else "ACTIVE"), (obj, card["status"])
    assert obj["accountId"] == card["card_number"], obj
    if holder is not None:
        assert obj["accountName"] == holder, obj
    assert obj["barcode"] == {"type": "QR_CODE", "value": card["qr_code_data"], "alternateText": card["card_number"]}, obj
    kind = program["loyalty_type"]
    if kind in ("points", "hybrid"):
        assert obj["loyaltyPoints"]["balance"] == {"int": card["points_balance"]}, obj
    else:  # a stamps-only program shows the rewards ready as its points
        assert obj["loyaltyPoints"]["balance"] == {"int": card["rewards_available"]}, obj
    assert isinstance(obj["loyaltyPoints"].get("label"), str), obj
    if kind in ("stamps", "hybrid"):
        # ASSUMPTION: "stamps/target" is the card's stamp_count over the program's target, as the Apple pass
        # shows it ("11 / 10" once past the target), without spaces as in the contract's "7/10".
        assert obj["secondaryLoyaltyPoints"]["balance"] == {"string": f"{card['stamp_count']}/{card['stamps_target']}"}, obj


# --------------------------------------------------------------------------
# 1. start-up checks
# --------------------------------------------------------------------------

def serve_must_refuse(loyalty, env: dict) -> str:
    port = free_port()
    proc, log = loyalty.spawn("serve", "--hostname", "127.0.0.1", "--port", str(port), extra_env=env, stem="serve-refused")
    deadline = time.monotonic() + 60
    while proc.poll() is None:
        try:
            live = requests.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200
        except requests.RequestException:
            live = False
        if live or time.monotonic() > deadline:
            proc.kill()
            proc.wait(timeout=10)
            pytest.fail(f"`loyalty serve` started with a broken Google setting:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    code = proc.returncode
    output = log.read_text(errors="replace")
    assert code != 0, output
    return output


def broken_files(folder: Path, account: dict) -> dict:
    folder.mkdir(exist_ok=True)
    made = {"missing": folder / "does-not-exist.json"}
    (folder / "not-json.json").write_text("this is not JSON {")
    made["not JSON"] = folder / "not-json.json"
    for field in ("client_email", "private_key", "private_key_id", "token_uri"):
        path = folder / f"without-{field}.json"
        path.write_text(json.dumps({k: v for k, v in account.items() if k != field}))
        made[f"without {field}"] = path
    bad_key = folder / "bad-key.json"
    bad_key.write_text(json.dumps({**account, "private_key": "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"}))
    made["bad key"] = bad_key
    return made


@pytest.mark.parametrize("case", ["missing", "not JSON", "without client_email", "without private_key",
                                  "without private_key_id", "without token_uri", "bad key"])
def test_serve_refuses_a_broken_service_account_file_and_says_why(loyalty, google_wallet_env, tmp_path, case):
    account = json.loads(Path(google_wallet_env["LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON"]).read_text())
    path = broken_files(tmp_path / "broken", account)[case]
    output = serve_must_refuse(loyalty, app_env(google_wallet_env, LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON=str(path)))
    assert "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON" in output, output
    if case.startswith("without "):
        assert case.removeprefix("without ") in output, output
    if case == "bad key":
        assert "private_key" in output, output
    # Never the key itself.
    key_lines = [line for line in account["private_key"].splitlines() if line and not line.startswith("-----")]
    assert not any(line in output for line in key_lines), "the private key reached the output"
    assert "bm90IGEga2V5" not in output
    assert read_record(google_wallet_env["LOYALTY_TEST_GOOGLE_RECORD"]) == []


@pytest.mark.parametrize("given, named", [("LOYALTY_GOOGLE_ISSUER_ID", "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON"),
                                          ("LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON", "LOYALTY_GOOGLE_ISSUER_ID")])
def test_serve_refuses_half_the_google_settings_and_names_the_other(loyalty, google_wallet_env, given, named):
    env = app_env(google_wallet_env)
    env.pop(named)
    output = serve_must_refuse(loyalty, env)
    assert named in output, output


# --------------------------------------------------------------------------
# 2-4. enrollment: class on first need, the object, the save link
# --------------------------------------------------------------------------

def test_enrollment_creates_the_class_then_the_object_and_answers_a_save_link(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    program, class_id = shop.program(), shop.class_id()
    assert class_id == f"{ISSUER_ID}.loyalty-{program['id'].lower()}"

    answer = shop.enroll("Ada")
    card = shop.card(answer["card"]["card_number"])
    oid = object_id(card["id"])
    insert = google.wait_for_insert(oid)

    records = google.records()
    tokens = [r for r in records if r["path"] == "/token"]
    class_inserts = [r for r in records if r["method"] == "POST" and r["path"] == CLASSES]
    assert [t["status"] for t in tokens] == [200], google.summary()
    assert [c["status"] for c in class_inserts] == [200], google.summary()
    assert records.index(tokens[0]) < records.index(class_inserts[0]) < records.index(insert)

    klass = class_inserts[0]["body"]
    assert klass["id"] == class_id
    assert klass["programName"] == program["card_name"] and klass["issuerName"], klass
    assert klass["reviewStatus"] == "UNDER_REVIEW", klass
    assert klass["hexBackgroundColor"].lower() == program["card_color"].lower(), klass
    assert klass["programLogo"]["sourceUri"]["uri"].startswith("https://"), klass

    obj = insert["body"]
    assert obj["classId"] == class_id
    assert_object_shows(obj, card, program, "Ada")
    assert obj["loyaltyPoints"]["balance"] == {"int": 0} and "notifyPreference" not in obj

    # The save link in the enrollment answer and behind the private link.
    wallet = answer["card"]["wallet"]
    assert wallet["apple_pass_url"] is None  # Apple is off here
    google.verify_save_url(wallet["google_save_url"], oid, class_id)
    linked = requests.get(server.url + answer["card_link"], timeout=HTTP_TIMEOUT)
    assert linked.status_code == 200, linked.text
    # ASSUMPTION: "the same google_save_url" means the same object and class; the JWT may differ by its iat.
    google.verify_save_url(linked.json()["wallet"]["google_save_url"], oid, class_id)

    # A second card: the token is cached and the class is known, so only its object is inserted.
    second = shop.card(shop.enroll("Grace")["card"]["card_number"])
    google.wait_for_insert(object_id(second["id"]))
    # And a registered customer's card, on the storefront.
    auth, enrolled = shop.customer("cy@example.com", "Cy")
    third = shop.card(enrolled["card_number"])
    google.wait_for_insert(object_id(third["id"]))
    google.verify_save_url(enrolled["wallet"]["google_save_url"], object_id(third["id"]), class_id)
    mine = requests.get(f"{server.url}/api/v1/storefront/loyalty/card", headers=auth, timeout=HTTP_TIMEOUT)
    assert mine.status_code == 200, mine.text
    google.verify_save_url(mine.json()["wallet"]["google_save_url"], object_id(third["id"]), class_id)

    records = google.records()
    assert len([r for r in records if r["path"] == "/token"]) == 1, google.summary()
    assert len([r for r in records if r["path"].startswith(CLASSES)]) == 1, google.summary()
    assert google.stored_object(oid)["accountName"] == "Ada"
    assert_nothing_refused(google)
    print("\nrequests per operation (3 enrollments):", dict(route_counts(records)))


def test_a_class_google_already_has_is_patched_not_duplicated(loyalty, google_wallet_env):
    """The class exists at Google already (e.g. made before a database restore): the insert answers
    409, and the app PATCHes it to the program instead."""
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    program, class_id = shop.program(), shop.class_id()
    # Seed the stand-in as another client of the same service account would.
    now = int(time.time())
    assertion = jwt.encode({"iss": CLIENT_EMAIL, "aud": google.account["token_uri"], "iat": now, "exp": now + 600,
                            "scope": "https://www.googleapis.com/auth/wallet_object.issuer"},
                           google.account["private_key"], algorithm="RS256",
                           headers={"kid": google.account["private_key_id"]})
    token = requests.post(google.account["token_uri"], timeout=HTTP_TIMEOUT, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}).json()["access_token"]
    seeded = requests.post(f"{google_wallet_env['LOYALTY_GOOGLE_API_BASE_URL']}/loyaltyClass", timeout=HTTP_TIMEOUT,
                           headers={"Authorization": f"Bearer {token}"},
                           json={"id": class_id, "issuerName": "Old", "programName": "Old name", "reviewStatus": "UNDER_REVIEW",
                                 "programLogo": {"sourceUri": {"uri": "https://old.example.test/logo.png"}}})
    assert seeded.status_code == 200, seeded.text
    before = len(google.records())

    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    calls = [(r["method"], r["path"], r["status"]) for r in google.records()[before:] if r["path"] != "/token"]
    assert calls == [("POST", CLASSES, 409), ("PATCH", f"{CLASSES}/{class_id}", 200), ("POST", OBJECTS, 200)], google.summary()
    stored = google.stored_class(class_id)
    assert stored["programName"] == program["card_name"] and stored["reviewStatus"] == "UNDER_REVIEW", stored


def test_a_programs_own_google_class_id_is_used(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    own = f"{ISSUER_ID}.cafe-lumiere"
    assert shop.change_program(google_class_id=own).status_code == 200
    answer = shop.enroll("Ada")
    oid = object_id(shop.card(answer["card"]["card_number"])["id"])
    insert = google.wait_for_insert(oid)
    assert insert["body"]["classId"] == own
    assert own in google.control("GET", "state")["classes"]
    google.verify_save_url(answer["card"]["wallet"]["google_save_url"], oid, own)
    assert_nothing_refused(google)


def test_a_google_class_id_of_another_issuer_is_never_used(loyalty, google_wallet_env):
    """The contract: a program's own class id must start with the issuer id and a dot. The app may refuse
    it when the owner sets it (422) or fall back to the default id; it never sends another issuer's id."""
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    program = shop.program()
    resp = shop.change_program(google_class_id="1234567890.someone-elses")
    assert resp.status_code in (200, 422), resp.text
    default = f"{ISSUER_ID}.loyalty-{program['id'].lower()}"
    answer = shop.enroll("Ada")
    oid = object_id(shop.card(answer["card"]["card_number"])["id"])
    assert google.wait_for_insert(oid)["body"]["classId"] == default
    google.verify_save_url(answer["card"]["wallet"]["google_save_url"], oid, default)
    assert not [r for r in google.records() if "1234567890" in json.dumps(r["body"]) + r["path"]], google.summary()
    assert_nothing_refused(google)


@pytest.mark.parametrize("google_wallet_env", [4], indirect=True)  # Google's tokens live 3599 s; these 4 s
def test_an_expired_token_is_replaced_before_it_is_used(loyalty, google_wallet_env):
    # ASSUMPTION: "cached until shortly before it expires" means an expired token is never sent (no 401).
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    time.sleep(5)
    assert shop.stamp(card["qr_code_data"]).status_code == 200
    google.wait_for_new_patch(oid, 0)
    tokens = [r for r in google.records() if r["path"] == "/token"]
    assert len(tokens) >= 2 and all(t["status"] == 200 for t in tokens), google.summary()
    assert_nothing_refused(google)


# --------------------------------------------------------------------------
# 5-6. live updates, refusals, notifications
# --------------------------------------------------------------------------

def test_every_stamp_patches_the_object_within_5_seconds(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    shop.fast_stamps()
    program = shop.program()
    answer = shop.enroll("Ada")
    card = shop.card(answer["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    qr = card["qr_code_data"]

    delays = []
    for n in range(1, 9):
        seen = len(google.accepted_patches(oid))
        sent = time.time()
        resp = shop.stamp(qr)
        assert resp.status_code == 200 and resp.json()["stamp_count"] == n, resp.text
        patch = google.wait_for_new_patch(oid, seen)
        delays.append(patch["time"] - sent)
        assert patch["body"]["secondaryLoyaltyPoints"]["balance"] == {"string": f"{n}/{card['stamps_target']}"}, patch
        assert "notifyPreference" not in patch["body"], patch  # no reward yet: a quiet update

    seen = len(google.accepted_patches(oid))
    sent = time.time()
    earned = shop.earn(qr, 1234)
    assert earned.status_code == 200, earned.text
    patch = google.wait_for_new_patch(oid, seen)
    delays.append(patch["time"] - sent)
    assert patch["body"]["loyaltyPoints"]["balance"] == {"int": earned.json()["points_balance"]}, patch

    stored = google.stored_object(oid)
    assert_object_shows(stored, shop.card_by_id(card["id"]), program, "Ada")
    debug = eventually("in_sync", lambda: (lambda d: d if d["in_sync"] else None)(shop.google_debug(card["id"])))
    # ASSUMPTION: the admin's debug view names the object "as last sent" in `last_sent`.
    assert {k: v for k, v in debug["last_sent"].items() if k != "notifyPreference"} == \
        {k: v for k, v in stored.items() if k in debug["last_sent"]}, (debug["last_sent"], stored)
    assert_no_body_sent_twice(google, oid)
    assert_nothing_refused(google)
    assert len([r for r in google.records() if r["path"] == "/token"]) == 1
    print(f"\nstamp/earn -> PATCH delay over {len(delays)} operations: min {min(delays):.3f}s, "
          f"median {statistics.median(delays):.3f}s, max {max(delays):.3f}s")
    print("requests per operation (1 enrollment, 8 stamps, 1 earn):", dict(route_counts(google.records())))
    assert max(delays) <= PATCH_WAIT


def test_a_refused_stamp_sends_nothing(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))  # the demo's 15-minute cooldown
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    assert shop.stamp(card["qr_code_data"]).status_code == 200
    google.wait_for_new_patch(oid, 0)
    before = len(google.records())

    cooldown = shop.stamp(card["qr_code_data"])
    assert cooldown.status_code == 409 and cooldown.json()["error"]["code"] == "cooldown_active", cooldown.text
    wrong_pin = shop.stamp(card["qr_code_data"], pin="0000")
    assert wrong_pin.status_code == 403 and wrong_pin.json()["error"]["code"] == "invalid_pin", wrong_pin.text
    time.sleep(QUIET_WAIT)
    assert google.records()[before:] == [], google.summary()
    assert len(google.accepted_patches(oid)) == 1


def test_a_reward_notifies_the_holder_at_most_3_times_a_day(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    shop.fast_stamps()
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    target = card["stamps_target"]
    oid = object_id(card["id"])
    google.wait_for_insert(oid)

    rewards, quiet, ready = [], [], 0
    for n in range(1, 4 * target + 1):
        seen = len(google.accepted_patches(oid))
        resp = shop.stamp(card["qr_code_data"])
        assert resp.status_code == 200, resp.text
        patch = google.wait_for_new_patch(oid, seen)
        # A reward becomes available when rewards_available goes up (stamps 10, 20, 30, 40); the answer's
        # `reward_earned` stays true while any reward is ready, so it is not the event.
        (rewards if resp.json()["rewards_available"] > ready else quiet).append(patch["body"])
        ready = resp.json()["rewards_available"]
    assert len(rewards) == 4, f"stamps 10, 20, 30 and 40 each make a reward available; got {len(rewards)}"

    for body in rewards[:3]:
        assert body.get("notifyPreference") == "NOTIFY_ON_UPDATE", body
        assert isinstance(body.get("messages"), list) and body["messages"], body
        assert all(m.get("header") or m.get("body") for m in body["messages"]), body
    assert "notifyPreference" not in rewards[3], f"a 4th notifying update within 24 h: {rewards[3]}"
    assert all("notifyPreference" not in body for body in quiet), [b for b in quiet if "notifyPreference" in b]
    notifying = [r for r in google.object_calls(oid) if isinstance(r["body"], dict)
                 and r["body"].get("notifyPreference") == "NOTIFY_ON_UPDATE" and r["status"] == 200]
    assert len(notifying) == 3
    assert_no_body_sent_twice(google, oid)
    assert_nothing_refused(google)


# --------------------------------------------------------------------------
# 7. failures: retries, then owed, then the job catches up
# --------------------------------------------------------------------------

def test_a_failing_call_is_retried_and_honours_retry_after(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    google.fail(500, 1)
    google.fail(429, 1, retry_after=1)

    assert shop.stamp(card["qr_code_data"]).status_code == 200
    patch = google.wait_for_new_patch(oid, 0, timeout=PATCH_WAIT + 3)
    calls = [r for r in google.object_calls(oid) if r["method"] == "PATCH"]
    assert [(r["status"], r["injected"]) for r in calls] == [(500, True), (429, True), (200, False)], google.summary()
    assert calls[2]["time"] - calls[1]["time"] >= 0.9, "the retry after a 429 did not wait for Retry-After: 1"
    print(f"\nretries: 500 -> {calls[1]['time'] - calls[0]['time']:.2f}s -> 429 (Retry-After: 1) -> "
          f"{calls[2]['time'] - calls[1]['time']:.2f}s -> 200")
    assert patch["body"]["secondaryLoyaltyPoints"]["balance"]["string"].startswith("1/")
    eventually("in_sync after the retried PATCH", lambda: shop.google_debug(card["id"])["in_sync"] is True)


def test_a_retry_after_of_an_hour_is_capped_and_the_sync_gives_up_in_seconds(loyalty, google_wallet_env):
    # "honouring Retry-After up to a few seconds": a long Retry-After must not hold the card's sync for an hour.
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    google.fail(429, 3, retry_after=3600)
    sent = time.time()
    assert shop.stamp(card["qr_code_data"]).status_code == 200
    google.wait_for("3 attempts", lambda r: len([c for c in google.object_calls(oid) if c["method"] == "PATCH"]) >= 3,
                    timeout=20)
    attempts = [r for r in google.object_calls(oid) if r["method"] == "PATCH"]
    assert all(r["status"] == 429 for r in attempts), google.summary()
    print("\nRetry-After: 3600 -> attempts at " + ", ".join(f"{r['time'] - sent:.2f}s" for r in attempts))
    debug = eventually("the sync giving up", lambda: (lambda d: d if d["in_sync"] is False and d["last_error"] else None)(
        shop.google_debug(card["id"])), timeout=5)
    assert "429" in debug["last_error"], debug
    assert requests.get(f"{server.url}/health/live", timeout=HTTP_TIMEOUT).status_code == 200


def test_a_token_google_no_longer_accepts_is_replaced(loyalty, google_wallet_env):
    # ASSUMPTION (beyond the contract): a 401 from Google makes the app exchange a new token and retry.
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    google.control("POST", "expire-tokens")
    assert shop.stamp(card["qr_code_data"]).status_code == 200
    patch = google.wait_for_new_patch(oid, 0)
    assert patch["body"]["secondaryLoyaltyPoints"]["balance"]["string"].startswith("1/")
    assert [r["status"] for r in google.records() if r["path"] == "/token"] == [200, 200], google.summary()


def test_an_insert_whose_answer_was_lost_is_patched_after_the_409(loyalty, google_wallet_env):
    """Google stored the object but its answer was lost (503): the retried insert answers 409, and the
    contract's recovery PATCHes the object; the card is in sync."""
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    program = shop.program()
    google.control("POST", "fail", {"status": 503, "count": 1, "path_prefix": OBJECTS, "retry_after": 1, "apply": True})
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for(f"PATCH {oid}", lambda r: r["method"] == "PATCH" and r["path"] == f"{OBJECTS}/{oid}"
                    and r["status"] == 200, timeout=PATCH_WAIT + 3)
    calls = [(r["method"], r["status"]) for r in google.object_calls(oid)]
    assert calls == [("POST", 503), ("POST", 409), ("PATCH", 200)], google.summary()
    assert_object_shows(google.stored_object(oid), shop.card_by_id(card["id"]), program, "Ada")
    eventually("in_sync after the recovery", lambda: shop.google_debug(card["id"])["in_sync"] is True)


def test_a_sync_that_gives_up_is_owed_and_the_job_catches_it_up_once(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    program = shop.program()
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    google.fail(500, 3)
    google.fail(429, 3, retry_after=1)

    assert shop.stamp(card["qr_code_data"]).status_code == 200
    # The live sync tries a few times (at most 3 attempts), then gives up.
    google.wait_for("a first failed PATCH", lambda r: r["method"] == "PATCH" and r["injected"])
    settled, last = time.monotonic(), -1
    while time.monotonic() - settled < 3.0:
        attempts = [r for r in google.object_calls(oid) if r["method"] == "PATCH"]
        if len(attempts) != last:
            last, settled = len(attempts), time.monotonic()
        time.sleep(0.1)
    assert 2 <= len(attempts) <= 3 and all(r["injected"] for r in attempts), google.summary()

    debug = shop.google_debug(card["id"])
    assert debug["in_sync"] is False and debug["last_error"], debug
    status = shop.wallet_status()["google"]
    assert status["configured"] is True and status["objects_owed"] >= 1 and status["last_error"], status
    server.terminate()

    google.control("POST", "reset")
    before = len(google.records())
    job = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=app_env(google_wallet_env))
    assert job.returncode == 0, job.stdout
    patches = [r for r in google.object_calls(oid, google.records()[before:]) if r["method"] == "PATCH"]
    assert [r["status"] for r in patches] == [200], google.summary()
    print(f"\nlive sync gave up after {len(attempts)} attempts "
          f"({', '.join(str(r['status']) for r in attempts)}, {attempts[-1]['time'] - attempts[0]['time']:.2f}s); "
          f"the job sent {dict(route_counts(google.records()[before:]))}")
    stored = google.stored_object(oid)

    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    assert_object_shows(stored, shop.card_by_id(card["id"]), program, "Ada")
    debug = shop.google_debug(card["id"])
    assert debug["in_sync"] is True, debug
    server.terminate()

    before = len(google.records())
    again = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=app_env(google_wallet_env))
    assert again.returncode == 0, again.stdout
    assert google.object_calls(oid, google.records()[before:]) == [], google.summary()
    assert_no_body_sent_twice(google, oid)


# --------------------------------------------------------------------------
# 8-9. blocking a card, changing the program
# --------------------------------------------------------------------------

def test_a_blocked_card_is_inactive_and_has_no_save_link(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    auth, enrolled = shop.customer("cy@example.com", "Cy")
    card = shop.card(enrolled["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)

    blocked = requests.post(f"{server.url}/api/v1/merchants/loyalty/cards/{card['id']}/block", json={"reason": "stolen"},
                            headers=shop.owner, timeout=HTTP_TIMEOUT)
    assert blocked.status_code == 200, blocked.text
    patch = google.wait_for_new_patch(oid, 0)
    assert patch["body"]["state"] == "INACTIVE", patch
    mine = requests.get(f"{server.url}/api/v1/storefront/loyalty/card", headers=auth, timeout=HTTP_TIMEOUT).json()
    assert mine["status"] == "blocked" and mine["wallet"]["google_save_url"] is None, mine

    # ASSUMPTION: unblocking is the reverse (ACTIVE again, the save link back).
    unblocked = requests.post(f"{server.url}/api/v1/merchants/loyalty/cards/{card['id']}/unblock", json={},
                              headers=shop.owner, timeout=HTTP_TIMEOUT)
    assert unblocked.status_code == 200, unblocked.text
    patch = google.wait_for_new_patch(oid, 1)
    assert patch["body"]["state"] == "ACTIVE", patch
    mine = requests.get(f"{server.url}/api/v1/storefront/loyalty/card", headers=auth, timeout=HTTP_TIMEOUT).json()
    google.verify_save_url(mine["wallet"]["google_save_url"], oid, shop.class_id())
    assert_nothing_refused(google)


def test_a_reissued_card_goes_inactive_at_google_and_its_successor_is_inserted(loyalty, google_wallet_env):
    # Reissuing blocks the old card and moves its balances through the ledger (card_transferred_out /
    # card_transferred_in): committed balance changes on both cards (items 5 and 8 of the contract).
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    program = shop.program()
    old = shop.card(shop.enroll("Ada")["card"]["card_number"])
    old_oid = object_id(old["id"])
    google.wait_for_insert(old_oid)
    assert shop.stamp(old["qr_code_data"]).status_code == 200
    google.wait_for_new_patch(old_oid, 0)

    reissued = requests.post(f"{server.url}/api/v1/merchants/loyalty/cards/{old['id']}/reissue", json={"reason": "lost"},
                             headers=shop.owner, timeout=HTTP_TIMEOUT)
    assert reissued.status_code == 201, reissued.text
    new = reissued.json()["card"]
    patch = google.wait_for_new_patch(old_oid, 1)
    assert patch["body"]["state"] == "INACTIVE", patch
    google.wait_for_insert(object_id(new["id"]))
    assert_object_shows(google.stored_object(object_id(new["id"])), shop.card_by_id(new["id"]), program, "Ada")
    assert google.stored_object(object_id(new["id"]))["secondaryLoyaltyPoints"]["balance"]["string"].startswith("1/")
    assert_nothing_refused(google)


def test_an_erased_customers_name_leaves_google(loyalty, google_wallet_env):
    # ASSUMPTION: erasing a customer (decision 0019) also takes the name off the Google object, since
    # accountName is "the holder's name when known" and Google keeps what it was last sent.
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    auth, enrolled = shop.customer("cy@example.com", "Cyrille Quenneville")
    card = shop.card(enrolled["card_number"])
    oid = object_id(card["id"])
    assert google.wait_for_insert(oid)["body"]["accountName"] == "Cyrille Quenneville"
    erased = requests.delete(f"{server.url}/api/v1/merchants/loyalty/customers/{card['customer_id']}",
                             headers=shop.owner, timeout=HTTP_TIMEOUT)
    assert erased.status_code == 200, erased.text
    google.wait_for_new_patch(oid, 0)
    time.sleep(0.5)
    assert "Quenneville" not in json.dumps(google.stored_object(oid)), google.stored_object(oid)
    assert_nothing_refused(google)


@pytest.mark.parametrize("kind", ["stamps", "points"])
def test_the_object_follows_the_program_type(loyalty, google_wallet_env, kind):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    shop.fast_stamps()
    assert shop.change_program(loyalty_type=kind).status_code == 200
    program = shop.program()
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    if kind == "stamps":
        for _ in range(card["stamps_target"] + 1):
            seen = len(google.accepted_patches(oid))
            assert shop.stamp(card["qr_code_data"]).status_code == 200
            google.wait_for_new_patch(oid, seen)
    else:
        assert shop.earn(card["qr_code_data"], 1234).status_code == 200
        google.wait_for_new_patch(oid, 0)
    stored = google.stored_object(oid)
    now = shop.card_by_id(card["id"])
    assert_object_shows(stored, now, program, "Ada")
    if kind == "stamps":
        assert stored["loyaltyPoints"]["balance"] == {"int": 1} and now["rewards_available"] == 1, stored
    else:
        assert "secondaryLoyaltyPoints" not in stored, stored
    assert_nothing_refused(google)


def test_a_program_change_patches_the_class_for_review(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    class_id = shop.class_id()
    google.wait_for_insert(object_id(shop.card(shop.enroll("Ada")["card"]["card_number"])["id"]))

    resp = shop.change_program(card_name="Café Lumière Gare", card_color="#1E3A8A")
    assert resp.status_code == 200, resp.text
    patch = google.wait_for(f"PATCH {class_id}", lambda r: r["method"] == "PATCH" and r["path"] == f"{CLASSES}/{class_id}"
                            and r["status"] == 200)
    assert patch["body"]["reviewStatus"] == "UNDER_REVIEW", patch
    assert patch["body"]["programName"] == "Café Lumière Gare", patch
    assert patch["body"]["hexBackgroundColor"].lower() == "#1e3a8a", patch
    stored = google.stored_class(class_id)
    assert stored["programName"] == "Café Lumière Gare" and stored["hexBackgroundColor"].lower() == "#1e3a8a"
    assert_nothing_refused(google)


def test_the_customer_card_page_has_the_add_to_google_wallet_button(loyalty, google_wallet_env):
    # Issue #10: the save link is also the "Add to Google Wallet" button on the customer pages.
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    answer = shop.enroll("Ada")
    oid = object_id(shop.card(answer["card"]["card_number"])["id"])
    page = requests.get(f"{server.url}/card/{answer['card_link'].rsplit('/', 1)[1]}", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    links = re.findall(r'href="(https://pay\.google\.com/gp/v/save/[^"]+)"', page.text)
    assert len(links) == 1, links
    google.verify_save_url(html.unescape(links[0]), oid, shop.class_id())


def test_no_secret_reaches_the_logs_or_the_answers(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve(app_env(google_wallet_env))
    shop = Shop(server)
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    google.fail(500, 3)
    assert shop.stamp(card["qr_code_data"]).status_code == 200
    google.wait_for("3 failed attempts", lambda r: len([c for c in google.object_calls(oid) if c["injected"]]) >= 3,
                    timeout=15)
    answers = json.dumps([shop.wallet_status(), shop.google_debug(card["id"])])
    server.terminate()
    google.control("POST", "reset")
    job = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=app_env(google_wallet_env))
    assert job.returncode == 0, job.stdout

    secrets_seen = [line for line in google.account["private_key"].splitlines() if line and not line.startswith("-----")]
    secrets_seen += google.control("GET", "state")["tokens"]
    secrets_seen += [r["body"]["assertion"] for r in google.records() if r["path"] == "/token"]
    assert len(secrets_seen) > 20
    for where, text in (("the server log", server.log()), ("run-job's output", job.stdout), ("the admin answers", answers)):
        leaked = [secret[:12] + "..." for secret in secrets_seen if secret in text]
        assert not leaked, f"{where} holds secrets: {leaked}"


def test_a_logo_or_rewards_change_patches_the_class(loyalty, google_wallet_env):
    # Issue #10: the class is "patched when the program's name, colour, logo or rewards change".
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    class_id = shop.class_id()
    google.wait_for_insert(object_id(shop.card(shop.enroll("Ada")["card"]["card_number"])["id"]))

    def class_patches():
        return [r for r in google.records() if r["method"] == "PATCH" and r["path"] == f"{CLASSES}/{class_id}"
                and r["status"] == 200]

    assert shop.change_program(logo_url="https://cdn.example.test/lumiere.png").status_code == 200
    google.wait_for("a class PATCH for the logo", lambda r: len(class_patches()) >= 1)
    assert google.stored_class(class_id)["programLogo"]["sourceUri"]["uri"] == "https://cdn.example.test/lumiere.png"

    rewards = [{k: r[k] for k in ("id", "name", "points_cost", "active")} for r in shop.program()["rewards"]]
    resp = shop.change_program(rewards=rewards + [{"name": "Tarte aux pommes", "points_cost": 300}])
    assert resp.status_code == 200, resp.text
    google.wait_for("a class PATCH for the rewards", lambda r: len(class_patches()) >= 2)
    patch = class_patches()[1]
    assert "Tarte aux pommes" in json.dumps(patch["body"], ensure_ascii=False), patch
    assert patch["body"]["reviewStatus"] == "UNDER_REVIEW", patch
    assert "Tarte aux pommes" in json.dumps(google.stored_class(class_id), ensure_ascii=False)
    assert_nothing_refused(google)


def test_rapid_stamps_end_with_the_final_balance_and_no_repeated_body(loyalty, google_wallet_env):
    # Stamps faster than the sync: versions may be coalesced, but the last one arrives and none twice.
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    shop.fast_stamps()
    program = shop.program()
    card = shop.card(shop.enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)
    for _ in range(12):
        assert shop.stamp(card["qr_code_data"]).status_code == 200
    final = shop.card_by_id(card["id"])
    expected = f"{final['stamp_count']}/{final['stamps_target']}"
    google.wait_for(f"the final balance {expected}", lambda r: r["method"] == "PATCH" and r["status"] == 200
                    and r["path"] == f"{OBJECTS}/{oid}"
                    and r["body"].get("secondaryLoyaltyPoints", {}).get("balance") == {"string": expected})
    time.sleep(QUIET_WAIT)
    assert_object_shows(google.stored_object(oid), final, program, "Ada")
    bodies = [json.dumps({k: v for k, v in r["body"].items() if k != "notifyPreference"}, sort_keys=True)
              for r in google.accepted_patches(oid)]
    assert len(bodies) == len(set(bodies)), "a body was accepted twice"
    # The reward of the 10th stamp is announced even when its version was folded into a later one.
    notifying = [r["body"] for r in google.accepted_patches(oid) if r["body"].get("notifyPreference") == "NOTIFY_ON_UPDATE"]
    assert len(notifying) == 1 and notifying[0].get("messages"), [r["body"] for r in google.accepted_patches(oid)]
    assert_nothing_refused(google)
    print(f"\n12 rapid stamps: {len(bodies)} PATCHes")


# --------------------------------------------------------------------------
# 10. wallet status, and nothing at all without the settings
# --------------------------------------------------------------------------

def test_wallet_status_reports_google(loyalty, google_wallet_env):
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    shop = Shop(loyalty.serve(app_env(google_wallet_env)))
    google.wait_for_insert(object_id(shop.card(shop.enroll("Ada")["card"]["card_number"])["id"]))
    status = eventually("objects_synced >= 1", lambda: (lambda g: g if g["objects_synced"] >= 1 else None)(
        shop.wallet_status()["google"]))
    assert status["configured"] is True, status
    assert isinstance(status["objects_synced"], int), status
    assert isinstance(status["objects_owed"], int), status
    assert "last_error" in status and status["last_error"] is None, status


def test_without_the_settings_google_is_off_and_never_called(loyalty, google_wallet_env):
    google = Google(google_wallet_env)  # running, but the app is not told about it
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({"LOYALTY_PUBLIC_BASE_URL": PUBLIC_BASE})
    shop = Shop(server)
    status = shop.wallet_status()["google"]
    assert status["configured"] is False, status

    answer = shop.enroll("Ada")
    assert "google_save_url" in answer["card"]["wallet"] and answer["card"]["wallet"]["google_save_url"] is None
    assert requests.get(server.url + answer["card_link"], timeout=HTTP_TIMEOUT).json()["wallet"]["google_save_url"] is None
    auth, enrolled = shop.customer("cy@example.com", "Cy")
    assert enrolled["wallet"]["google_save_url"] is None
    page = requests.get(f"{server.url}/card/{answer['card_link'].rsplit('/', 1)[1]}", timeout=HTTP_TIMEOUT)
    assert page.status_code == 200 and "pay.google.com" not in page.text
    assert shop.stamp(answer["card"]["qr_code_data"]).status_code == 200
    job = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env={"LOYALTY_PUBLIC_BASE_URL": PUBLIC_BASE})
    assert job.returncode == 0, job.stdout
    time.sleep(QUIET_WAIT)
    assert google.records() == []


# --------------------------------------------------------------------------
# 11. two instances on one PostgreSQL database
# --------------------------------------------------------------------------

def test_two_instances_stamping_one_card_leave_google_with_the_final_balance(loyalty, google_wallet_env, is_postgres):
    if not is_postgres:
        pytest.skip("two instances share one database only on PostgreSQL (set TEST_POSTGRES_URL)")
    google = Google(google_wallet_env)
    assert loyalty.run("demo").returncode == 0
    servers = [loyalty.serve(app_env(google_wallet_env)), loyalty.serve(app_env(google_wallet_env))]
    shops = [Shop(s) for s in servers]
    shops[0].fast_stamps()
    program = shops[0].program()
    card = shops[0].card(shops[0].enroll("Ada")["card"]["card_number"])
    oid = object_id(card["id"])
    google.wait_for_insert(oid)

    for n in range(20):
        resp = shops[n % 2].stamp(card["qr_code_data"])
        assert resp.status_code == 200, resp.text
    final = shops[1].card_by_id(card["id"])
    assert final["stamp_count"] == 20, final
    expected = f"{final['stamp_count']}/{final['stamps_target']}"
    google.wait_for(f"the final balance {expected}", lambda r: r["method"] == "PATCH" and r["status"] == 200
                    and r["path"] == f"{OBJECTS}/{oid}"
                    and r["body"].get("secondaryLoyaltyPoints", {}).get("balance") == {"string": expected}, timeout=10)
    time.sleep(QUIET_WAIT)  # late, older versions must not overwrite it
    assert_object_shows(google.stored_object(oid), final, program, "Ada")
    bodies = [json.dumps({k: v for k, v in r["body"].items() if k != "notifyPreference"}, sort_keys=True)
              for r in google.accepted_patches(oid)]
    assert len(bodies) == len(set(bodies)), "a body was accepted twice"
    assert_nothing_refused(google)
    print(f"\ntwo instances, 20 stamps: {len(bodies)} PATCHes;", dict(route_counts(google.records())))
