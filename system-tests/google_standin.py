"""A Google Wallet stand-in: the OAuth 2.0 JWT-bearer token exchange and the Wallet REST
resources `loyaltyClass` / `loyaltyObject`, with Google's validation and error shapes, on
plain HTTP on 127.0.0.1 (no machine here reaches Google).

What it checks, as Google documents it (../shared/docs/WALLET.md §4, the walletobjects v1
discovery document):
  * `POST /token` (form: grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=JWT):
    RS256 signed by the service account's key (--public-key), header `kid` = --key-id, claims
    `iss` = --client-email, `scope` = the wallet_object.issuer scope, `aud` = the token URL,
    integer `iat` and `exp`, `exp - iat <= 3600`. Success answers an opaque access token that
    lives --token-lifetime seconds; failure is 400 `invalid_grant`.
  * `/walletobjects/v1/loyaltyClass[/{id}[/addMessage]]` and the same for `loyaltyObject`
    (insert, get, list, patch, update, addMessage): a Bearer token this stand-in issued and not
    expired (else 401), ids `<issuerId>.<suffix>` of --issuer-id (another issuer: 403), required
    fields, enums, balances with exactly one kind, int32, unknown fields rejected, a class in
    DRAFT holds no objects, insert of an existing id 409, a missing id 404. PATCH merges top-level
    fields (arrays replaced wholesale); `notifyPreference` is per request and never stored.
  * Test-only control routes (no auth, not recorded): `POST /_control/fail`
    `{"status": 500|429|503, "count": N, "path_prefix": "/walletobjects/v1/loyaltyObject",
    "retry_after": 1}` queues N failures for matching requests (first queued, first used; 429
    and 503 carry Retry-After; with `"apply": true` the request is carried out first and only
    its answer is replaced, as when Google's answer is lost on the way back); `POST /_control/reset` clears the queue; `POST
    /_control/expire-tokens` expires every issued token; `GET /_control/state` answers every
    stored class and object, the queued failures and the access tokens issued.

Every other request is appended to --record as one JSON line: `time` (epoch float), `method`,
`path` (without the query), `query`, `status`, `body` (parsed JSON, the form fields, or the raw
text), `injected` (true for a queued failure), `authorized` (a valid token was presented), and
for an applied failure `applied_status` (what the stand-in did before the injected answer).

usage: python3 google_standin.py --port P --public-key sa.pub.pem --issuer-id ID --record out.jsonl
           [--client-email EMAIL] [--key-id KID] [--token-lifetime SECONDS] [--token-url URL]
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
API_PREFIX = "/walletobjects/v1/"
ID_SUFFIX = re.compile(r"[A-Za-z0-9._-]+")
HEX_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
INT32 = (-2**31, 2**31 - 1)

# Field names from the walletobjects v1 discovery document (google-api-python-client 2.202.0).
CLASS_FIELDS = frozenset("""
accountIdLabel accountNameLabel allowMultipleUsersPerObject appLinkData callbackOptions
classTemplateInfo countryCode discoverableProgram enableSmartTap heroImage hexBackgroundColor
homepageUri id imageModulesData infoModuleData issuerName kind linksModuleData
localizedAccountIdLabel localizedAccountNameLabel localizedIssuerName localizedProgramName
localizedRewardsTier localizedRewardsTierLabel localizedSecondaryRewardsTier
localizedSecondaryRewardsTierLabel locations merchantLocations messages
multipleDevicesAndHoldersAllowedStatus notifyPreference programLogo programName
redemptionIssuers review reviewStatus rewardsTier rewardsTierLabel secondaryRewardsTier
secondaryRewardsTierLabel securityAnimation textModulesData valueAddedModuleData version
viewUnlockRequirement wideProgramLogo wordMark""".split())
OBJECT_FIELDS = frozenset("""
accountId accountName appLinkData barcode classId classReference
disableExpirationNotification groupingInfo hasLinkedDevice hasUsers heroImage id
imageModulesData infoModuleData kind linkedObjectIds linkedOfferIds linksModuleData locations
loyaltyPoints merchantLocations messages notifyPreference passConstraints rotatingBarcode
saveRestrictions secondaryLoyaltyPoints smartTapRedemptionValue state textModulesData
validTimeInterval valueAddedModuleData version""".split())
POINTS_FIELDS = frozenset({"balance", "label", "localizedLabel"})
BALANCE_KINDS = ("string", "int", "double", "money")
MONEY_FIELDS = frozenset({"currencyCode", "kind", "micros"})
BARCODE_FIELDS = frozenset({"alternateText", "kind", "renderEncoding", "showCodeText", "type", "value"})
BARCODE_TYPES = frozenset("""
AZTEC aztec CODE_39 code39 CODE_128 code128 CODABAR codabar DATA_MATRIX dataMatrix EAN_8 ean8
EAN_13 ean13 EAN13 ITF_14 itf14 PDF_417 pdf417 PDF417 QR_CODE qrCode qrcode UPC_A upcA
TEXT_ONLY textOnly""".split())
IMAGE_FIELDS = frozenset({"contentDescription", "kind", "privateImageId", "sourceUri"})
IMAGE_URI_FIELDS = frozenset({"description", "localizedDescription", "uri"})
MESSAGE_FIELDS = frozenset({"body", "displayInterval", "header", "id", "kind", "localizedBody",
                            "localizedHeader", "messageType"})
MESSAGE_TYPES = frozenset({"TEXT", "text", "EXPIRATION_NOTIFICATION", "expirationNotification",
                           "TEXT_AND_NOTIFY"})
NOTIFY_PREFERENCES = frozenset({"NOTIFICATION_SETTINGS_FOR_UPDATES_UNSPECIFIED", "NOTIFY_ON_UPDATE"})
# Writable review statuses (APPROVED/REJECTED are Google's to set), with the discovery aliases.
REVIEW_STATUSES = {"UNDER_REVIEW": "UNDER_REVIEW", "underReview": "UNDER_REVIEW",
                   "DRAFT": "DRAFT", "draft": "DRAFT"}
STATES = {"ACTIVE": "ACTIVE", "active": "ACTIVE", "COMPLETED": "COMPLETED",
          "completed": "COMPLETED", "EXPIRED": "EXPIRED", "expired": "EXPIRED",
          "INACTIVE": "INACTIVE", "inactive": "INACTIVE"}

STATUS_NAMES = {400: ("INVALID_ARGUMENT", "invalid"), 401: ("UNAUTHENTICATED", "authError"),
                403: ("PERMISSION_DENIED", "forbidden"), 404: ("NOT_FOUND", "notFound"),
                405: ("METHOD_NOT_ALLOWED", "notFound"), 409: ("ALREADY_EXISTS", "duplicate"),
                429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded"),
                500: ("INTERNAL", "backendError"), 503: ("UNAVAILABLE", "backendError")}


class ApiError(Exception):
    def __init__(self, code: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        status, reason = STATUS_NAMES.get(self.code, ("UNKNOWN", "unknown"))
        return {"error": {"code": self.code, "message": self.message, "status": status,
                          "errors": [{"message": self.message, "domain": "global", "reason": reason}]}}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


# --------------------------------------------------------------------------
# validation (Google's: unknown names, enums, exactly one balance kind, int32, ids)
# --------------------------------------------------------------------------

def check_known(value, allowed: frozenset, where: str) -> None:
    if not isinstance(value, dict):
        raise bad(f"Invalid JSON payload received. Invalid value at '{where}': expected an object.")
    for name in value:
        if name not in allowed:
            at = f" at '{where}'" if where else ""
            raise bad(f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.')


def check_string(value, where: str) -> None:
    if not isinstance(value, str):
        raise bad(f"Invalid value at '{where}' ({type(value).__name__}), expected a string.")


def check_id(resource_id, issuer_id: str, where: str = "id") -> None:
    if not isinstance(resource_id, str) or not resource_id:
        raise bad(f"Invalid resource ID at '{where}': missing.")
    issuer, dot, suffix = resource_id.partition(".")
    if not dot or not issuer.isdigit() or not ID_SUFFIX.fullmatch(suffix):
        raise bad(f"Invalid resource ID at '{where}': {resource_id!r}; expected <issuerId>.<suffix> "
                  f"with the suffix in [A-Za-z0-9._-].")
    if issuer != issuer_id:
        raise ApiError(403, f"The caller does not have permission to access issuer {issuer} "
                            f"(resource {resource_id}).")


def check_image(value, where: str, required: bool) -> None:
    if value is None:
        if required:
            raise bad(f"Missing required field '{where}'.")
        return
    check_known(value, IMAGE_FIELDS, where)
    source = value.get("sourceUri")
    check_known(source, IMAGE_URI_FIELDS, f"{where}.sourceUri")
    uri = source.get("uri")
    if not isinstance(uri, str) or not uri.startswith("https://") or len(uri) <= len("https://"):
        raise bad(f"Invalid image URI at '{where}.sourceUri.uri': {uri!r} (a public https URL is required).")


def check_points(value, where: str) -> None:
    check_known(value, POINTS_FIELDS, where)
    if "label" in value:
        check_string(value["label"], f"{where}.label")
    balance = value.get("balance")
    if balance is None:
        return
    check_known(balance, frozenset(BALANCE_KINDS), f"{where}.balance")
    kinds = [k for k in BALANCE_KINDS if k in balance]
    if len(kinds) != 1:
        raise bad(f"Invalid balance at '{where}.balance': exactly one of string, int, double or money "
                  f"must be set (found {kinds or 'none'}).")
    kind, amount = kinds[0], balance[kinds[0]]
    if kind == "int":
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise bad(f"Invalid value at '{where}.balance.int' ({amount!r}), expected an int32.")
        if not INT32[0] <= amount <= INT32[1]:
            raise bad(f"Invalid value at '{where}.balance.int' ({amount}): out of range for int32.")
    elif kind == "string":
        check_string(amount, f"{where}.balance.string")
    elif kind == "double":
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise bad(f"Invalid value at '{where}.balance.double' ({amount!r}), expected a number.")
    else:
        check_known(amount, MONEY_FIELDS, f"{where}.balance.money")
        if not isinstance(amount.get("currencyCode"), str):
            raise bad(f"Invalid value at '{where}.balance.money.currencyCode'.")


def check_messages(value, where: str = "messages") -> None:
    if not isinstance(value, list):
        raise bad(f"Invalid value at '{where}': expected a list.")
    if len(value) > 10:
        raise bad(f"Invalid value at '{where}': at most 10 messages.")
    for i, message in enumerate(value):
        check_message(message, f"{where}[{i}]")


def check_message(message, where: str) -> None:
    check_known(message, MESSAGE_FIELDS, where)
    for name in ("header", "body", "id"):
        if name in message:
            check_string(message[name], f"{where}.{name}")
    if not (message.get("header") or message.get("body") or message.get("localizedHeader")
            or message.get("localizedBody")):
        raise bad(f"Invalid message at '{where}': a header or a body is required.")
    if "messageType" in message and message["messageType"] not in MESSAGE_TYPES:
        raise bad(f"Invalid value at '{where}.messageType' ({message['messageType']!r}).")


def check_common(resource: dict, kind: str) -> None:
    if "notifyPreference" in resource and resource["notifyPreference"] not in NOTIFY_PREFERENCES:
        raise bad(f"Invalid value at 'notifyPreference' ({resource['notifyPreference']!r}).")
    if "messages" in resource:
        check_messages(resource["messages"])
    if "kind" in resource and resource["kind"] != f"walletobjects#{kind}":
        raise bad(f"Invalid value at 'kind' ({resource['kind']!r}).")


def validate_class(resource: dict, issuer_id: str) -> None:
    check_known(resource, CLASS_FIELDS, "")
    check_id(resource.get("id"), issuer_id)
    for name in ("issuerName", "programName"):
        if not isinstance(resource.get(name), str) or not resource[name].strip():
            raise bad(f"Missing required field '{name}'.")
    check_image(resource.get("programLogo"), "programLogo", required=True)
    for name in ("wideProgramLogo", "heroImage", "wordMark"):
        check_image(resource.get(name), name, required=False)
    review = resource.get("reviewStatus")
    if review is None:
        raise bad("Missing required field 'reviewStatus'.")
    if review not in REVIEW_STATUSES:
        raise bad(f"Invalid value at 'reviewStatus' ({review!r}): only UNDER_REVIEW or DRAFT may be written.")
    color = resource.get("hexBackgroundColor")
    if color is not None and (not isinstance(color, str) or not HEX_COLOR.fullmatch(color)):
        raise bad(f"Invalid value at 'hexBackgroundColor' ({color!r}): expected #rrggbb or #rgb.")
    check_common(resource, "loyaltyClass")


def validate_object(resource: dict, issuer_id: str, classes: dict) -> None:
    check_known(resource, OBJECT_FIELDS, "")
    check_id(resource.get("id"), issuer_id)
    class_id = resource.get("classId")
    if class_id is None:
        raise bad("Missing required field 'classId'.")
    check_id(class_id, issuer_id, "classId")
    state = resource.get("state")
    if state is None:
        raise bad("Missing required field 'state'.")
    if state not in STATES:
        raise bad(f"Invalid value at 'state' ({state!r}).")
    for name in ("accountId", "accountName"):
        if name in resource:
            check_string(resource[name], name)
    for name in ("loyaltyPoints", "secondaryLoyaltyPoints"):
        if name in resource:
            check_points(resource[name], name)
    if "barcode" in resource:
        barcode = resource["barcode"]
        check_known(barcode, BARCODE_FIELDS, "barcode")
        if barcode.get("type") not in BARCODE_TYPES:
            raise bad(f"Invalid value at 'barcode.type' ({barcode.get('type')!r}).")
        for name in ("value", "alternateText"):
            if name in barcode:
                check_string(barcode[name], f"barcode.{name}")
    check_image(resource.get("heroImage"), "heroImage", required=False)
    check_common(resource, "loyaltyObject")
    # The class must exist and be approvable: a DRAFT class holds no objects (pitfall 19).
    stored = classes.get(class_id)
    if stored is None:
        raise ApiError(404, f"Resource not found: the class {class_id} does not exist.")
    if REVIEW_STATUSES.get(stored.get("reviewStatus")) == "DRAFT":
        raise bad(f"The class {class_id} is in DRAFT: a DRAFT class cannot hold objects.")


# --------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------

class Standin:
    """All state, behind one lock (the server is threaded)."""

    def __init__(self, args):
        with open(args.public_key, "rb") as f:
            self.public_key = f.read()
        self.issuer_id = args.issuer_id
        self.client_email = args.client_email
        self.key_id = args.key_id
        self.token_lifetime = args.token_lifetime
        self.token_url = args.token_url or f"http://127.0.0.1:{args.port}/token"
        self.record_path = args.record
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.classes: dict[str, dict] = {}
        self.objects: dict[str, dict] = {}
        self.faults: list[dict] = []

    # -- record ------------------------------------------------------------

    def record(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        with self.lock, open(self.record_path, "a", encoding="utf-8") as f:
            f.write(line)

    # -- faults ------------------------------------------------------------

    def take_fault(self, path: str) -> dict | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault["path_prefix"]) and fault["count"] > 0:
                    fault["count"] -= 1
                    if fault["count"] == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def add_fault(self, body) -> dict:
        if not isinstance(body, dict):
            raise bad("control: expected a JSON object")
        status = body.get("status")
        count = body.get("count", 1)
        if status not in (429, 500, 503) or not isinstance(count, int) or count < 1:
            raise bad("control: status must be 429, 500 or 503 and count a positive integer")
        fault = {"status": status, "count": count, "path_prefix": str(body.get("path_prefix", "/")),
                 "apply": bool(body.get("apply", False)),
                 "retry_after": body.get("retry_after", 1 if status == 429 else None)}
        with self.lock:
            self.faults.append(fault)
            return {"queued": [dict(f) for f in self.faults]}

    # -- token -------------------------------------------------------------

    def exchange(self, form: dict) -> dict:
        def refuse(why: str) -> ApiError:
            err = ApiError(400, why)
            err.oauth = {"error": "invalid_grant", "error_description": why}
            return err

        if form.get("grant_type") != JWT_BEARER:
            err = ApiError(400, "Invalid grant_type")
            err.oauth = {"error": "unsupported_grant_type", "error_description": "Invalid grant_type: "
                         + str(form.get("grant_type"))}
            raise err
        assertion = form.get("assertion")
        if not assertion:
            raise refuse("Missing assertion.")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise refuse(f"Invalid JWT: {exc}")
        if header.get("alg") != "RS256":
            raise refuse(f"Invalid JWT: alg {header.get('alg')!r}, expected RS256.")
        if self.key_id is not None and header.get("kid") != self.key_id:
            raise refuse(f"Invalid JWT Signature: kid {header.get('kid')!r} is not the key id.")
        try:
            claims = jwt.decode(assertion, self.public_key, algorithms=["RS256"], audience=self.token_url,
                                options={"require": ["iss", "aud", "iat", "exp", "scope"]}, leeway=5)
        except jwt.InvalidSignatureError:
            raise refuse("Invalid JWT Signature.")
        except jwt.ExpiredSignatureError:
            raise refuse("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
        except jwt.InvalidAudienceError:
            raise refuse(f"Invalid JWT: aud must be {self.token_url}.")
        except jwt.PyJWTError as exc:
            raise refuse(f"Invalid JWT: {exc}")
        for name in ("iat", "exp"):
            # Google documents both as integer seconds (WALLET.md pitfall 15); refuse fractions.
            if type(claims[name]) is not int:
                raise refuse(f"Invalid JWT: {name} must be an integer (got {claims[name]!r}).")
        if not 0 < claims["exp"] - claims["iat"] <= 3600:
            raise refuse("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
        if self.client_email is not None and claims["iss"] != self.client_email:
            raise refuse(f"Invalid JWT: iss {claims['iss']!r} is not the service account.")
        if not isinstance(claims["scope"], str) or WALLET_SCOPE not in claims["scope"].split():
            raise refuse(f"Invalid JWT: scope must include {WALLET_SCOPE}.")
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.time() + self.token_lifetime
        return {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        with self.lock:
            expiry = self.tokens.get(header[len("Bearer "):].strip())
        return expiry is not None and expiry > time.time()

    def expire_tokens(self) -> dict:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0
            return {"expired": len(self.tokens)}

    # -- resources ---------------------------------------------------------

    def wallet(self, method: str, path: str, query: dict, body) -> tuple[int, dict]:
        parts = [urllib.parse.unquote(p) for p in path[len(API_PREFIX):].split("/")]
        kind = parts[0]
        if kind not in ("loyaltyClass", "loyaltyObject") or len(parts) > 3:
            raise ApiError(404, f"Method not found: {path}")
        store = self.classes if kind == "loyaltyClass" else self.objects
        with self.lock:
            if len(parts) == 1:
                if method == "POST":
                    return 200, self.insert(kind, store, body)
                if method == "GET":
                    return 200, self.list(kind, store, query)
            elif len(parts) == 2 and parts[1]:
                if method == "GET":
                    return 200, copy.deepcopy(self.get(kind, store, parts[1]))
                if method == "PATCH":
                    return 200, self.patch(kind, store, parts[1], body)
                if method == "PUT":
                    return 200, self.update(kind, store, parts[1], body)
            elif len(parts) == 3 and parts[2] == "addMessage":
                if method == "POST":
                    return 200, self.add_message(kind, store, parts[1], body)
            else:
                raise ApiError(404, f"Method not found: {path}")
        raise ApiError(404, f"Method not found: {method} {path}")

    def validate(self, kind: str, resource) -> None:
        if not isinstance(resource, dict):
            raise bad("Invalid JSON payload received. Expected an object.")
        if kind == "loyaltyClass":
            validate_class(resource, self.issuer_id)
        else:
            validate_object(resource, self.issuer_id, self.classes)

    @staticmethod
    def stored_form(resource: dict) -> dict:
        # JSON null is "not set" (proto3 JSON); notifyPreference is per request, never stored.
        return {k: copy.deepcopy(v) for k, v in resource.items() if v is not None and k != "notifyPreference"}

    def insert(self, kind: str, store: dict, body) -> dict:
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if v is not None}
        self.validate(kind, body)
        if body["id"] in store:
            raise ApiError(409, f"Resource already exists: {body['id']}")
        store[body["id"]] = self.stored_form(body)
        return copy.deepcopy(store[body["id"]])

    def get(self, kind: str, store: dict, resource_id: str) -> dict:
        check_id(resource_id, self.issuer_id, "resourceId")
        if resource_id not in store:
            raise ApiError(404, f"Resource not found: {resource_id}")
        return store[resource_id]

    def list(self, kind: str, store: dict, query: dict) -> dict:
        if kind == "loyaltyClass":
            if query.get("issuerId") != self.issuer_id:
                raise ApiError(403, "The caller does not have permission to list that issuer's classes.")
            found = list(store.values())
        else:
            class_id = query.get("classId")
            if class_id not in self.classes:
                raise ApiError(404, f"Resource not found: {class_id}")
            found = [o for o in store.values() if o.get("classId") == class_id]
        return {"resources": copy.deepcopy(found),
                "pagination": {"kind": "walletobjects#pagination", "resultsPerPage": len(found)}}

    def check_path_id(self, resource_id: str, body) -> None:
        if not isinstance(body, dict):
            raise bad("Invalid JSON payload received. Expected an object.")
        if "id" in body and body["id"] != resource_id:
            raise bad(f"The id in the body ({body['id']!r}) is not the resource id in the path ({resource_id!r}).")

    def patch(self, kind: str, store: dict, resource_id: str, body) -> dict:
        current = self.get(kind, store, resource_id)
        self.check_path_id(resource_id, body)
        merged = {**copy.deepcopy(current), **copy.deepcopy(body), "id": resource_id}
        merged = {k: v for k, v in merged.items() if v is not None}  # a null clears a field
        self.validate(kind, merged)
        store[resource_id] = self.stored_form(merged)
        return copy.deepcopy(store[resource_id])

    def update(self, kind: str, store: dict, resource_id: str, body) -> dict:
        self.get(kind, store, resource_id)
        self.check_path_id(resource_id, body)
        replaced = {k: copy.deepcopy(v) for k, v in {**body, "id": resource_id}.items() if v is not None}
        self.validate(kind, replaced)
        store[resource_id] = self.stored_form(replaced)
        return copy.deepcopy(store[resource_id])

    def add_message(self, kind: str, store: dict, resource_id: str, body) -> dict:
        current = self.get(kind, store, resource_id)
        check_known(body, frozenset({"message"}), "")
        message = body.get("message")
        check_message(message, "message")
        messages = list(current.get("messages", [])) + [copy.deepcopy(message)]
        check_messages(messages)
        current["messages"] = messages
        return {"resource": copy.deepcopy(current)}

    def state(self) -> dict:
        with self.lock:
            return {"classes": copy.deepcopy(self.classes), "objects": copy.deepcopy(self.objects),
                    "faults": copy.deepcopy(self.faults), "tokens": sorted(self.tokens)}

    def reset(self) -> dict:
        with self.lock:
            self.faults.clear()
        return {"faults": []}


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        data = b""
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return data
            data += handler.rfile.read(size)
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def make_handler(standin: Standin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends
        server_version = "google-standin"

        def log_message(self, fmt, *args):
            sys.stderr.write("google-standin: " + (fmt % args) + "\n")

        def answer(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self):
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            query = dict(urllib.parse.parse_qsl(url.query))
            raw = read_body(self)
            text = raw.decode("utf-8", errors="replace")
            content_type = self.headers.get("Content-Type", "")
            body, parsed = text, True
            if content_type.startswith("application/x-www-form-urlencoded"):
                body = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
            elif raw:
                try:
                    body = json.loads(text)
                except ValueError:
                    parsed = False
            else:
                body = None

            if path.startswith("/_control/"):
                try:
                    status, payload = self.control(path, body)
                except ApiError as err:
                    status, payload = err.code, err.body()
                self.answer(status, payload)
                return

            entry = {"time": time.time(), "method": self.command, "path": path, "query": query,
                     "body": body, "injected": False,
                     "authorized": standin.authorized(self.headers.get("Authorization"))}
            headers: dict = {}
            fault = standin.take_fault(path)
            try:
                if fault is not None and fault["apply"]:
                    # Google did the work and the answer was lost on the way back.
                    try:
                        entry["applied_status"] = self.serve_normally(path, query, content_type, raw, parsed, body,
                                                                      entry["authorized"])[0]
                    except ApiError as err:
                        entry["applied_status"] = err.code
                if fault is not None:
                    entry["injected"] = True
                    if fault["retry_after"] is not None and fault["status"] in (429, 503):
                        headers["Retry-After"] = fault["retry_after"]
                    raise ApiError(fault["status"], {
                        429: "Quota exceeded (injected by the stand-in).",
                        500: "Internal error encountered (injected by the stand-in).",
                        503: "The service is currently unavailable (injected by the stand-in)."}[fault["status"]])
                status, payload = self.serve_normally(path, query, content_type, raw, parsed, body, entry["authorized"])
            except ApiError as err:
                status = err.code
                payload = getattr(err, "oauth", None) or err.body()
                headers.update(err.headers)
            entry["status"] = status
            standin.record(entry)
            self.answer(status, payload, headers)

        def serve_normally(self, path, query, content_type, raw, parsed, body, authorized) -> tuple[int, dict]:
            if path == "/token":
                if self.command != "POST":
                    raise ApiError(405, "Method not allowed.")
                if not isinstance(body, dict) or not content_type.startswith("application/x-www-form-urlencoded"):
                    err = ApiError(400, "Expected application/x-www-form-urlencoded.")
                    err.oauth = {"error": "invalid_request", "error_description": err.message}
                    raise err
                return 200, standin.exchange(body)
            if path.startswith(API_PREFIX):
                if not authorized:
                    raise ApiError(401, "Request had invalid authentication credentials. Expected OAuth 2 "
                                        "access token, login cookie or other valid authentication credential.")
                if raw and not parsed:
                    raise bad("Invalid JSON payload received.")
                if self.command in ("POST", "PATCH", "PUT") and body is None:
                    raise bad("Invalid JSON payload received. Empty body.")
                return standin.wallet(self.command, path, query, body)
            raise ApiError(404, f"Not found: {path}")

        def control(self, path: str, body) -> tuple[int, dict]:
            if path == "/_control/fail" and self.command == "POST":
                return 200, standin.add_fault(body)
            if path == "/_control/reset" and self.command == "POST":
                return 200, standin.reset()
            if path == "/_control/expire-tokens" and self.command == "POST":
                return 200, standin.expire_tokens()
            if path == "/_control/state" and self.command == "GET":
                return 200, standin.state()
            raise ApiError(404, f"Not found: {self.command} {path}")

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    return Handler


# --------------------------------------------------------------------------
# for the tests: a service account like Google's, and the stand-in as a child process
# --------------------------------------------------------------------------

ISSUER_ID = "3388000000012345678"
CLIENT_EMAIL = "loyalty-wallet@loyalty-test.iam.gserviceaccount.com"


def make_service_account(folder, token_uri: str, key_id: str | None = None) -> dict:
    """A fresh 2048-bit RSA key written as Google writes a service-account key file (PKCS#8 PEM),
    and its public half; answers the paths and the fields."""
    from pathlib import Path
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    account = {
        "type": "service_account",
        "project_id": "loyalty-test",
        "private_key_id": key_id or secrets.token_hex(20),
        "private_key": private_pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "10" + "".join(str(secrets.randbelow(10)) for _ in range(19)),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
                                + urllib.parse.quote(CLIENT_EMAIL),
        "universe_domain": "googleapis.com",
    }
    (folder / "service-account.json").write_text(json.dumps(account, indent=2))
    (folder / "service-account.pub.pem").write_text(public_pem)
    return {"json": str(folder / "service-account.json"), "public_key": str(folder / "service-account.pub.pem"),
            "private_key": private_pem, "account": account}


class StandinProcess:
    """`python3 google_standin.py ...` on a free port, until stop()."""

    def __init__(self, folder, port: int, public_key: str, key_id: str | None,
                 client_email: str | None = CLIENT_EMAIL, issuer_id: str = ISSUER_ID,
                 token_lifetime: int | None = None):
        import subprocess
        from pathlib import Path

        folder = Path(folder)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.record_path = folder / "google.jsonl"
        self.record_path.touch()
        self.log_path = folder / "google-standin.log"
        args = [sys.executable, str(Path(__file__).resolve()), "--port", str(port), "--public-key", public_key,
                "--issuer-id", issuer_id, "--record", str(self.record_path)]
        if client_email:
            args += ["--client-email", client_email]
        if key_id:
            args += ["--key-id", key_id]
        if token_lifetime is not None:
            args += ["--token-lifetime", str(token_lifetime)]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        import socket
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"Google stand-in did not start: {self.log_path.read_text()}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def read_record(record_path) -> list[dict]:
    with open(record_path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--public-key", required=True, help="PEM public key of the service account")
    parser.add_argument("--issuer-id", required=True)
    parser.add_argument("--record", required=True, help="JSON-lines file of every request")
    parser.add_argument("--client-email", help="the service account's email (iss); unchecked when absent")
    parser.add_argument("--key-id", help="the service account's private_key_id (kid); unchecked when absent")
    parser.add_argument("--token-lifetime", type=int, default=3599, help="seconds an access token lives")
    parser.add_argument("--token-url", help="the aud the assertion must name (default http://127.0.0.1:PORT/token)")
    args = parser.parse_args()
    standin = Standin(args)
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(standin))
    httpd.daemon_threads = True
    sys.stderr.write(f"google-standin: listening on http://127.0.0.1:{args.port} (issuer {args.issuer_id})\n")
    sys.stderr.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
