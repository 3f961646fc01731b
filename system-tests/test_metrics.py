"""`GET /metrics` of the real binary, read by the Prometheus project's own parser
(`prometheus_client`, an independent implementation of the text format): it parses, it counts
what the counter did, and it is closed to everyone without the scraper's token (decision 0042)."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import HTTP_TIMEOUT

DEMO_PASSWORD = "demo-password"

TOKEN = "scraper-token-" + "s" * 32


def scrape(base: str) -> dict:
    resp = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"].startswith("text/plain"), resp.headers
    samples = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_count_the_counter(loyalty, api):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({"LOYALTY_METRICS_TOKEN": TOKEN})
    base = server.url

    # Closed without the scraper's token, even to the platform admin.
    assert requests.get(f"{base}/metrics", timeout=HTTP_TIMEOUT).status_code == 401
    admin = api.login(base, "admin@demo.test", DEMO_PASSWORD).json()["access_token"]
    api.assert_error(requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {admin}"}, timeout=HTTP_TIMEOUT),
                     401, "unauthenticated")

    token = api.login(base, "cashier.lux@demo.test", DEMO_PASSWORD).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    card_number = requests.get(f"{base}/api/v1/store/loyalty/cards", headers=headers,
                               timeout=HTTP_TIMEOUT).json()["items"][0]["card_number"]
    before = scrape(base)
    stamp = requests.post(f"{base}/api/v1/store/loyalty/stamp", headers={**headers, "Idempotency-Key": "metrics-1"},
                          json={"card_number": card_number, "staff_pin": "4826"}, timeout=HTTP_TIMEOUT)
    assert stamp.status_code == 200, stamp.text
    retry = requests.post(f"{base}/api/v1/store/loyalty/stamp", headers={**headers, "Idempotency-Key": "metrics-1"},
                          json={"card_number": card_number, "staff_pin": "4826"}, timeout=HTTP_TIMEOUT)
    assert retry.headers.get("Idempotent-Replayed") == "true"
    wrong = requests.post(f"{base}/api/v1/store/loyalty/points/earn", headers=headers,
                          json={"card_number": card_number, "staff_pin": "9753", "purchase_amount_cents": 100},
                          timeout=HTTP_TIMEOUT)
    api.assert_error(wrong, 403, "invalid_pin")
    after = scrape(base)

    stamps = ("loyalty_operations_total", {"type": "stamp_earned"})
    assert value(after, stamps[0], **stamps[1]) == value(before, stamps[0], **stamps[1]) + 1
    assert value(after, "loyalty_operation_replays_total") == value(before, "loyalty_operation_replays_total") + 1
    assert value(after, "loyalty_operation_refusals_total", code="invalid_pin") == \
        value(before, "loyalty_operation_refusals_total", code="invalid_pin") + 1
    route = {"method": "POST", "path": "/api/v1/store/loyalty/stamp", "status": "200"}
    assert value(after, "http_requests_total", **route) == value(before, "http_requests_total", **route) + 2
    assert value(after, "http_request_duration_seconds_count", **route) >= 2
    assert value(after, "loyalty_card_lock_wait_seconds_count") >= 3
    # No card number, token or path as sent in any label.
    labels = " ".join(str(key) for key in after)
    assert card_number not in labels and token not in labels


def test_metrics_are_off_without_a_token(loyalty):
    server = loyalty.serve()
    assert requests.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=HTTP_TIMEOUT).status_code == 404
