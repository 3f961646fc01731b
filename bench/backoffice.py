"""Times the back office's analytics and list endpoints and its heaviest pages against a
running `loyalty serve` filled by `loyalty generate`, next to a trivial page measured in the
same run. Called by bench/backoffice.sh; prints one table and writes it as JSON.

One client, sequential requests on a kept-alive connection: the question is how long one
owner waits for one page at this size, not how many pages a second the server gives.
"""
import argparse
import json
import re
import statistics
import sys
import time
from datetime import date, timedelta

import requests

PASSWORD = "generate-password"
OWNER = "owner@m1.generate.test"
ADMIN = "admin@generate.test"


def api_token(base: str, email: str) -> str:
    answer = requests.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    answer.raise_for_status()
    return answer.json()["access_token"]


def page_session(base: str, email: str) -> requests.Session:
    """Signs in through the sign-in form, as a browser does (its CSRF token, then the cookie)."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=30)
    form.raise_for_status()
    send_secure_cookies_over_loopback(session)
    token = re.search(r'name="_csrf" value="([^"]+)"', form.text).group(1)
    answer = session.post(f"{base}/login", data={"_csrf": token, "email": email, "password": PASSWORD},
                          allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 303), f"sign-in of {email} answered {answer.status_code}"
    send_secure_cookies_over_loopback(session)
    return session


def send_secure_cookies_over_loopback(session: requests.Session) -> None:
    """`serve --env production` marks its cookies Secure; a browser would only send them over
    HTTPS, and this benchmark speaks plain HTTP to 127.0.0.1 (TLS is the proxy's job)."""
    for cookie in session.cookies:
        cookie.secure = False


def measure(checks: list, samples: int, warmup: int, rounds: int) -> list[dict]:
    """Each check's timings, taken in `rounds` slices of the run: in every slice each URL is
    asked once untimed, then about `samples / rounds` times in a row, timed (the same warm,
    repeated requests as one block per URL would time).

    A ratio to the trivial page is only as steady as the trivial page's own figure. Timed in
    one block per URL, a burst of load on the machine (two cores, shared) fell on some URLs and
    not on others: over three runs of one build the trivial page's block took 2.0 to 3.1 ms on
    PostgreSQL, and /admin/analytics 6.7 to 11.3 times that. In slices, a burst falls on every
    URL alike, and each median is taken across the whole run.
    """
    for _ in range(warmup):
        for _, _, session, url in checks:
            check(session.get(url, timeout=120), url)
    # `samples` split over the slices, the first ones taking one more when it does not divide.
    per_round = [samples // rounds + (1 if number < samples % rounds else 0) for number in range(rounds)]
    times = [[] for _ in checks]
    sizes = [0 for _ in checks]
    for count in per_round:
        for index, (_, _, session, url) in enumerate(checks):
            check(session.get(url, timeout=120), url)
            for _ in range(count):
                start = time.perf_counter()
                answer = session.get(url, timeout=120)
                times[index].append((time.perf_counter() - start) * 1000)
                check(answer, url)
                sizes[index] = len(answer.content)
    figures = []
    for timings, size in zip(times, sizes):
        timings.sort()
        figures.append({"p50_ms": statistics.median(timings),
                        "p95_ms": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], "bytes": size})
    return figures


def check(answer: requests.Response, url: str) -> None:
    if answer.status_code != 200:
        raise SystemExit(f"{url} answered {answer.status_code}: {answer.text[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="slices of the run the samples are taken in")
    parser.add_argument("--out", required=True)
    parser.add_argument("--until", type=date.fromisoformat, required=True,
                        help="the generated history's last day: the ranges end there, whatever today is")
    args = parser.parse_args()
    if args.samples < 1 or args.warmup < 0 or not 1 <= args.rounds <= args.samples:
        parser.error("--samples must be at least 1, --warmup at least 0, --rounds from 1 to --samples")
    base = args.base

    owner_api = requests.Session()
    owner_api.headers["Authorization"] = f"Bearer {api_token(base, OWNER)}"
    admin_api = requests.Session()
    admin_api.headers["Authorization"] = f"Bearer {api_token(base, ADMIN)}"
    owner_pages = page_session(base, OWNER)
    admin_pages = page_session(base, ADMIN)
    anonymous = requests.Session()

    # Real ids and names to filter by, taken from the data itself.
    merchant_api = f"{base}/api/v1/merchants/loyalty"
    first_cards = owner_api.get(f"{merchant_api}/cards?per_page=5", timeout=120).json()
    card = first_cards["items"][0]
    rows = owner_api.get(f"{merchant_api}/transactions?per_page=5", timeout=120).json()["items"]
    store_id = rows[0]["store_id"]
    name_start = (card.get("customer_name") or card["card_number"])[:3]
    until = args.until.isoformat()
    year_ago = (args.until - timedelta(days=365)).isoformat()
    month_ago = (args.until - timedelta(days=29)).isoformat()
    total_cards = first_cards.get("total")

    checks = [
        # (kind, name, session, url)
        ("baseline", "GET /login (trivial page)", anonymous, f"{base}/login"),
        ("baseline", "GET /health/ready", anonymous, f"{base}/health/ready"),
        ("api", "analytics, last 30 days", owner_api, f"{merchant_api}/analytics?from={month_ago}&to={until}"),
        ("api", "analytics, last 365 days", owner_api, f"{merchant_api}/analytics?from={year_ago}&to={until}"),
        ("api", "analytics, one store, 365 days", owner_api, f"{merchant_api}/analytics?from={year_ago}&to={until}&store_id={store_id}"),
        ("api", "analytics.csv series, 365 days", owner_api, f"{merchant_api}/analytics.csv?from={year_ago}&to={until}"),
        ("api", "liability", owner_api, f"{merchant_api}/liability"),
        ("api", "signals", owner_api, f"{merchant_api}/signals"),
        ("api", "cards, first page", owner_api, f"{merchant_api}/cards"),
        ("api", "cards, page 200", owner_api, f"{merchant_api}/cards?page=200"),
        ("api", "cards, search by name", owner_api, f"{merchant_api}/cards?q={name_start}"),
        ("api", "cards, blocked", owner_api, f"{merchant_api}/cards?status=blocked"),
        ("api", "transactions, first page", owner_api, f"{merchant_api}/transactions"),
        ("api", "transactions, store + type + 30 days", owner_api,
         f"{merchant_api}/transactions?store_id={store_id}&type=stamp_earned&from={month_ago}T00:00:00Z&to={until}T23:59:59Z"),
        ("api", "one card's transactions", owner_api, f"{merchant_api}/cards/{card['id']}/transactions"),
        ("api", "admin: platform analytics, 30 days", admin_api, f"{base}/api/v1/admin/loyalty/analytics?from={month_ago}&to={until}"),
        ("api", "admin: platform analytics, 365 days", admin_api, f"{base}/api/v1/admin/loyalty/analytics?from={year_ago}&to={until}"),
        ("api", "admin: every merchant's signals", admin_api, f"{base}/api/v1/admin/loyalty/signals"),
        ("page", "/merchant (dashboard)", owner_pages, f"{base}/merchant"),
        ("page", "/merchant/analytics, 365 days", owner_pages, f"{base}/merchant/analytics?from={year_ago}&to={until}"),
        ("page", "/merchant/signals", owner_pages, f"{base}/merchant/signals"),
        ("page", "/merchant/cards", owner_pages, f"{base}/merchant/cards"),
        ("page", "/merchant/cards?q=", owner_pages, f"{base}/merchant/cards?q={name_start}"),
        ("page", "/merchant/cards/{id}", owner_pages, f"{base}/merchant/cards/{card['id']}"),
        ("page", "/merchant/transactions", owner_pages, f"{base}/merchant/transactions"),
        ("page", "/merchant/transactions, filtered", owner_pages,
         f"{base}/merchant/transactions?store_id={store_id}&type=stamp_earned&from={month_ago}&to={until}"),
        ("page", "/merchant/staff", owner_pages, f"{base}/merchant/staff"),
        ("page", "/admin (programs)", admin_pages, f"{base}/admin"),
        ("page", "/admin/analytics, 365 days", admin_pages, f"{base}/admin/analytics?from={year_ago}&to={until}"),
        ("page", "/admin/merchants", admin_pages, f"{base}/admin/merchants"),
    ]

    results = []
    for (kind, name, _, url), figures in zip(checks, measure(checks, args.samples, args.warmup, args.rounds)):
        results.append({"kind": kind, "name": name, "url": url.removeprefix(base), **figures})
        print(f"  {name}: p50 {figures['p50_ms']:.1f} ms", file=sys.stderr, flush=True)

    trivial = results[0]["p50_ms"]
    print(f"\n{args.engine}: owner m1 has {total_cards} cards; trivial page p50 {trivial:.2f} ms; "
          f"{args.samples} samples in {args.rounds} slices of the run after {args.warmup} warm-up rounds, one client\n")
    print(f"| {'what':42} | {'p50 ms':>8} | {'p95 ms':>8} | {'× trivial':>9} | {'bytes':>9} |")
    print(f"|{'-' * 44}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 11}|")
    for row in results:
        row["ratio"] = row["p50_ms"] / trivial
        print(f"| {row['name']:42} | {row['p50_ms']:8.1f} | {row['p95_ms']:8.1f} | {row['ratio']:9.1f} | {row['bytes']:9} |")
    slow = [r for r in results if r["p50_ms"] > 100]
    heavy_pages = [r for r in results if r["kind"] == "page" and r["ratio"] > 10]
    print(f"\nover 100 ms (p50): {len(slow)}; pages over 10× the trivial one: {len(heavy_pages)}")
    with open(args.out, "w") as out:
        json.dump({"engine": args.engine, "owner_cards": total_cards, "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
