"""Every page of PAGES.md in en, fr, de and lb, as the persona it is for: it answers 200 (not a
redirect to a sign-in page), `<html lang>` is the language, axe-core finds no serious or
critical violation, the console shows no Content-Security-Policy violation or uncaught script
error (at the phone and the desktop sizes); the terminal and customer pages do not scroll
sideways on a phone; and a screenshot at phone, tablet and desktop sizes is kept as an artifact.

The parameters are ordered persona by persona so the one browser signs in once per persona."""
import importlib
from pathlib import Path

import pytest

from browser import conftest as browser_conftest
from browser import support
from browser.support import ADMIN, CASHIER, LANGS, MANAGER, OWNER, STORE_CODE

ANYONE = "anyone"
CUSTOMER = "customer"

# key, persona, path (formatted with the demo data), path expected after loading
PAGES = [
    ("login", ANYONE, "/login", "/login"),
    ("enroll", ANYONE, f"/enroll/{STORE_CODE}", f"/enroll/{STORE_CODE}"),
    ("card", ANYONE, "/card/{link_token}", "/card/{link_token}"),
    ("customer-login", ANYONE, f"/customer/login?store={STORE_CODE}", "/customer/login"),
    ("customer-register", ANYONE, f"/customer/register?store={STORE_CODE}", "/customer/register"),
    ("terminal", CASHIER, "/store/terminal", "/store/terminal"),
    ("terminal-card", CASHIER, "/store/terminal?card={card_number}", "/store/terminal"),
    ("store-enroll", CASHIER, "/store/enroll", "/store/enroll"),
    ("store-cards-search", CASHIER, "/store/cards?q={search}", "/store/cards"),
    ("store-card-detail", CASHIER, "/store/cards/{card_id}", "/store/cards/{card_id}"),
    ("store-pins", MANAGER, "/store/pins", "/store/pins"),
    ("store-stats", MANAGER, "/store/stats", "/store/stats"),
    ("poster-a4", MANAGER, "/store/poster?size=a4", "/store/poster"),
    ("poster-a6", MANAGER, "/store/poster?size=a6", "/store/poster"),
    ("merchant", OWNER, "/merchant", "/merchant"),
    ("admin", ADMIN, "/admin", "/admin"),
    ("account-password", CASHIER, "/account/password", "/account/password"),
    ("customer-card", CUSTOMER, "/customer/card", "/customer/card"),
    ("customer-profile", CUSTOMER, "/customer/profile", "/customer/profile"),
]
# Each area of the back office lists its own pages in a module `pages_<area>.py` beside this
# file (a list `PAGES` of the same tuples), so areas built in parallel do not edit one list.
for _module in sorted(Path(__file__).parent.glob("pages_*.py")):
    PAGES += importlib.import_module(f"browser.{_module.stem}").PAGES

# Pages screenshotted at the three sizes in every language; the others in English only.
EVERY_LANGUAGE_SHOTS = {"terminal", "terminal-card", "card", "customer-card", "enroll", "login", "account-password"}
# The pages WEB.md wants right on a phone: the counter's and the customers'.
PHONE_PAGES = {"terminal", "terminal-card", "enroll", "card", "customer-login", "customer-register",
               "customer-card", "customer-profile", "merchant-program", "account-password"}

CASES = [pytest.param(key, persona, path, expected, lang, id=f"{key}-{lang}")
         for key, persona, path, expected in PAGES for lang in LANGS]


def _as(driver, persona, demo) -> None:
    if driver.persona == persona or (persona == CUSTOMER and driver.persona == "customer:" + demo.customer_email):
        return
    if persona == ANYONE:
        support.sign_out_everyone(driver)
    elif persona == CUSTOMER:
        support.sign_in_customer(driver, demo.customer_email, demo.customer_password)
    else:
        support.sign_in(driver, persona)


def _values(demo) -> dict:
    card = demo.cards[-1]
    return {"link_token": demo.link_token, "card_number": card["card_number"], "card_id": card["id"],
            "search": (card.get("customer_name") or "a").split()[0]}


@pytest.mark.parametrize("key, persona, path, expected, lang", CASES)
def test_page_in_language_is_accessible(driver, demo, key, persona, path, expected, lang):
    browser_conftest.SWEEP_CHECKED.setdefault(key, set()).add(lang)
    values = _values(demo)
    _as(driver, persona, demo)
    status = support.open_page(driver, path.format(**values), lang)
    assert status == 200, f"GET {path} as {persona} answered {status}: {support.page_text(driver)[:300]!r}"
    assert support.path_of(driver) == expected.format(**values), \
        f"GET {path} as {persona} ended on {driver.current_url}"
    assert support.html_lang(driver) == lang, f'<html lang="{support.html_lang(driver)}"> on {key} in {lang}'

    # axe at the phone and desktop sizes (a table that scrolls only on a phone, say); the
    # screenshots at all three; no sideways scrolling on a phone for the counter and customers.
    problems = []
    shoot = lang == "en" or key in EVERY_LANGUAGE_SHOTS
    for size in ("phone", "tablet", "desktop"):
        support.set_viewport(driver, size)
        if shoot:
            support.screenshot(driver, f"page-{key}-{lang}-{size}")
        if size == "phone" and key in PHONE_PAGES:
            width = driver.execute_script("return Math.max(document.documentElement.scrollWidth, window.innerWidth)")
            if width > support.VIEWPORTS["phone"][0]:
                problems.append(f"{key} in {lang} is {width}px wide on a {support.VIEWPORTS['phone'][0]}px phone")
        if size in ("phone", "desktop"):
            try:
                support.axe_check(driver, f"{key} in {lang} as {persona} ({size})")
            except AssertionError as failure:
                problems.append(str(failure))
    problems += [f"console: {m}" for m in support.console_problems(driver)]
    assert not problems, "\n".join(problems)
    browser_conftest.SWEEP_PASSED.setdefault(key, set()).add(lang)


@pytest.mark.parametrize("email, landing", [(CASHIER, "/store/terminal"), (MANAGER, "/store/terminal"),
                                            (OWNER, "/merchant"), (ADMIN, "/admin")])
def test_sign_in_lands_on_the_persona_page(driver, email, landing):
    assert support.sign_in(driver, email) == landing


def test_the_sign_in_page_lists_the_demo_accounts(driver):
    support.sign_out_everyone(driver)
    assert support.open_page(driver, "/login") == 200
    text = support.page_text(driver)
    missing = [e for e in (OWNER, MANAGER, CASHIER) if e not in text]
    assert not missing, f"/login does not list the demo accounts {missing} (demo data is loaded)"


def test_the_language_switch_is_remembered(driver):
    """?lang=de once, then the pages stay German without it (the loyalty_lang cookie)."""
    support.sign_out_everyone(driver)
    support.open_page(driver, "/login", "de")
    assert support.html_lang(driver) == "de"
    assert any(c["name"] == "loyalty_lang" and c["value"] == "de" for c in driver.get_cookies()), driver.get_cookies()
    support.open_page(driver, f"/enroll/{STORE_CODE}")
    assert support.html_lang(driver) == "de"
    support.open_page(driver, "/login", "en")
    assert support.html_lang(driver) == "en"
