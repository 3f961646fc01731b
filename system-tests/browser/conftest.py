"""Fixtures of the browser tests: one real server with the demo data and one headless Chromium
for the whole package (starting either costs seconds; the tests use different demo cards and
fresh enrollments, so they do not step on each other), and the count of pages × languages the
sweep checked, printed at the end of the run."""
from __future__ import annotations

import json
import os
import secrets
import uuid

import pytest
import requests

import conftest as system
from browser import support
from browser.support import DEMO_PASSWORD, STORE_CODE

# page key -> set of languages checked (html lang + axe), and the ones that passed
SWEEP_CHECKED: dict[str, set[str]] = {}
SWEEP_PASSED: dict[str, set[str]] = {}
_SERVERS: list = []


@pytest.fixture(scope="package")
def browser_db_env(tmp_path_factory):
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if admin_url:
        dbname = "loyalty_browser_" + secrets.token_hex(6)
        system._psql_admin(admin_url, f'CREATE DATABASE "{dbname}"')
        try:
            yield {"DATABASE_URL": system._with_database(admin_url, dbname)}
        finally:
            system._psql_admin(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    else:
        db_dir = tmp_path_factory.mktemp("browser-db")
        yield {"LOYALTY_SQLITE_PATH": str(db_dir / "loyalty.sqlite")}


@pytest.fixture(scope="package")
def demo_server(request, loyalty_bin, browser_db_env, tmp_path_factory):
    """`loyalty demo`, then `loyalty serve`, on a fresh database (as system-tests's `loyalty`)."""
    tmp = tmp_path_factory.mktemp("browser-server")
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("LOYALTY_") or k in ("DATABASE_URL", "TEST_POSTGRES_URL"))}
    (tmp / "data").mkdir()
    env.update(browser_db_env)
    env.update({
        "LOYALTY_SECRET_KEY": secrets.token_hex(32),
        "LOYALTY_BCRYPT_COST": "4",
        "LOYALTY_DATA_DIR": str(tmp / "data"),
        # One browser signs in dozens of times from 127.0.0.1 and enrolls a few customers:
        # the sign-in and registration throttles have their own tests.
        "LOYALTY_LOGIN_MAX_ATTEMPTS": "10000",
        "LOYALTY_LOGIN_MAX_ATTEMPTS_PER_IP": "10000",
        "LOYALTY_REGISTER_MAX_PER_IP": "10000",
    })
    handle = system.Loyalty(request, loyalty_bin, env, tmp)
    demo = handle.run("demo")
    assert demo.returncode == 0, f"`loyalty demo` failed:\n{demo.stdout}"
    try:
        server = handle.serve()
        _SERVERS.append(server)
        yield server
    finally:
        handle.stop_all()
        _SERVERS.clear()


class DemoData:
    """What the pages need, found through the API rather than hard-coded."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cashier_token = support.api_token(base_url, support.CASHIER)
        self.cards = support.api_get(base_url, "/api/v1/store/loyalty/cards?per_page=100",
                                     self.cashier_token)["items"]
        assert len(self.cards) >= 4, self.cards
        self._taken = 0
        # A walk-in enrolled through the API: its private link opens /card/{link_token}.
        resp = requests.post(f"{base_url}/api/v1/loyalty/enroll/{STORE_CODE}",
                             json={"name": "Walk-in Sweep", "email": f"walkin-{uuid.uuid4().hex[:8]}@example.com"},
                             timeout=system.HTTP_TIMEOUT)
        assert resp.status_code == 201, resp.text
        self.link_card = resp.json()["card"]
        self.link_token = resp.json()["card_link"].rsplit("/", 1)[-1]
        # A registered customer with a card, for /customer/card and /customer/profile.
        self.customer_email = f"customer-{uuid.uuid4().hex[:8]}@example.com"
        self.customer_password = "customer-password-1"
        resp = requests.post(f"{base_url}/api/v1/storefront/auth/register",
                             json={"store_code": STORE_CODE, "email": self.customer_email,
                                   "password": self.customer_password, "name": "Rosa Customer",
                                   "marketing_consent": False},
                             timeout=system.HTTP_TIMEOUT)
        assert resp.status_code == 201, resp.text
        token = resp.json()["access_token"]
        resp = requests.post(f"{base_url}/api/v1/storefront/loyalty/enroll",
                             headers={"Authorization": f"Bearer {token}"}, timeout=system.HTTP_TIMEOUT)
        assert resp.status_code in (200, 201), resp.text

    def take_card(self) -> dict:
        """A card no other test has stamped (each journey needs its own: cooldowns): the demo's
        cards first, then walk-ins enrolled at the demo store when the journeys outnumber them."""
        if self._taken < len(self.cards):
            card = self.cards[self._taken]
            self._taken += 1
            return card
        resp = requests.post(f"{self.base_url}/api/v1/store/loyalty/cards/enroll",
                             headers={"Authorization": f"Bearer {self.cashier_token}"},
                             json={"customer": {"name": f"Walk-in {self._taken}",
                                                "email": f"walkin-{uuid.uuid4().hex[:8]}@example.com"}},
                             timeout=system.HTTP_TIMEOUT)
        assert resp.status_code in (200, 201), resp.text
        self._taken += 1
        return resp.json()

    def card(self, card_id: str) -> dict:
        return support.api_get(self.base_url, f"/api/v1/store/loyalty/cards/{card_id}", self.cashier_token)


@pytest.fixture(scope="package")
def demo(demo_server) -> DemoData:
    return DemoData(demo_server.url)


class BrowserHolder:
    """One Chromium for the package, started again if a test killed it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._driver = None

    def get(self):
        if self._driver is None or not support.alive(self._driver):
            if self._driver is not None:
                try:
                    self._driver.quit()
                except Exception:
                    pass
            self._driver = support.new_driver()
            self._driver.base_url = self.base_url
            self._driver.persona = None
        return self._driver

    def quit(self):
        if self._driver is not None:
            self._driver.quit()
            self._driver = None


@pytest.fixture(scope="package")
def browser_holder(demo_server):
    holder = BrowserHolder(demo_server.url)
    try:
        yield holder
    finally:
        holder.quit()


@pytest.fixture
def driver(browser_holder):
    """The package's Chromium at the desktop viewport; tests sign in as they need."""
    d = browser_holder.get()
    support.set_viewport(d, "desktop")
    support.console_problems(d)  # drop what earlier tests left in the console
    return d


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and "/browser/" in str(item.fspath).replace(os.sep, "/"):
        for server in _SERVERS:
            rep.sections.append((f"loyalty server ({server.log_path})", server.log()[-8000:]))


def pytest_terminal_summary(terminalreporter):
    if not SWEEP_CHECKED:
        return
    checked = sum(len(v) for v in SWEEP_CHECKED.values())
    passed = sum(len(v) for v in SWEEP_PASSED.values())
    langs = sorted({lang for v in SWEEP_CHECKED.values() for lang in v})
    terminalreporter.write_sep("-", f"browser sweep ({support.ENGINE})")
    terminalreporter.write_line(
        f"pages x languages checked (status, html lang, axe serious/critical at phone and desktop, console): {checked} "
        f"({len(SWEEP_CHECKED)} pages x {len(langs)} languages {','.join(langs)}); clean: {passed}")
    for page in sorted(SWEEP_CHECKED):
        missing = sorted(SWEEP_CHECKED[page] - SWEEP_PASSED.get(page, set()))
        terminalreporter.write_line(f"  {page}: {len(SWEEP_PASSED.get(page, ()))}/{len(SWEEP_CHECKED[page])}"
                                    + (f" (failed: {','.join(missing)})" if missing else ""))
    support.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (support.SCREENSHOT_DIR / "sweep.json").write_text(json.dumps(
        {"engine": support.ENGINE, "checked": checked, "clean": passed,
         "pages": {p: {"checked": sorted(v), "clean": sorted(SWEEP_PASSED.get(p, set()))}
                   for p, v in sorted(SWEEP_CHECKED.items())}}, indent=2))
