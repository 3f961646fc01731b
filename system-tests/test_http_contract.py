"""Cross-cutting HTTP contract: JSON errors, request ids, OpenAPI."""
import re

import requests

FORBIDDEN = re.compile(r"sql|sqlite|fluent|stack", re.IGNORECASE)


def _no_internals(resp):
    match = FORBIDDEN.search(resp.text)
    assert match is None, f"response leaks internals ({match.group(0)!r}): {resp.text[:500]}"


def test_errors_are_json_envelopes(server, api):
    not_found = requests.get(server.url + "/nope", timeout=10)
    api.assert_error(not_found, 404, "not_found")
    _no_internals(not_found)

    bad_json = requests.post(server.url + "/api/v1/auth/login", data="{bad json",
                             headers={"Content-Type": "application/json"}, timeout=10)
    api.assert_error(bad_json, 400, "validation_failed")
    _no_internals(bad_json)

    no_token = api.me(server.url, None)
    api.assert_error(no_token, 401, "unauthenticated")
    _no_internals(no_token)

    garbage_token = api.me(server.url, "not-a-real-token")
    api.assert_error(garbage_token, 401, "unauthenticated")
    _no_internals(garbage_token)

    unknown_user = api.login(server.url, "nobody@example.com", "whatever-password")
    api.assert_error(unknown_user, 401, "unauthenticated")
    _no_internals(unknown_user)


def test_request_id_header(server):
    for path in ("/health/live", "/nope"):
        resp = requests.get(server.url + path, timeout=10)
        rid = resp.headers.get("X-Request-Id")
        assert rid, f"{path}: no X-Request-Id header ({dict(resp.headers)})"

    a = requests.get(server.url + "/health/live", timeout=10).headers.get("X-Request-Id")
    b = requests.get(server.url + "/health/live", timeout=10).headers.get("X-Request-Id")
    assert a != b, "generated request ids should differ between requests"

    echoed = requests.get(server.url + "/health/live", headers={"X-Request-Id": "abc-123"}, timeout=10)
    assert echoed.headers.get("X-Request-Id") == "abc-123", dict(echoed.headers)

    echoed_err = requests.get(server.url + "/nope", headers={"X-Request-Id": "abc-123"}, timeout=10)
    assert echoed_err.headers.get("X-Request-Id") == "abc-123", dict(echoed_err.headers)


def test_openapi_document_is_valid(server):
    from openapi_spec_validator import validate

    resp = requests.get(server.url + "/openapi.json", timeout=10)
    assert resp.status_code == 200, resp.text[:500]
    spec = resp.json()
    validate(spec)
    paths = spec.get("paths", {})
    assert "/api/v1/auth/login" in paths, sorted(paths)
