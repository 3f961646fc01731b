"""The owner's journeys on the people pages (area: people): filter transactions and export the
same rows; invite a cashier, deactivate the account (it can no longer sign in) and reactivate
it; block a card and see the terminal refuse it."""
import csv
import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import support
from browser.support import CASHIER, OWNER, SOPHIE_PIN, STORE_TIMEZONE


def _stamp_through_api(demo, card_id: str) -> None:
    resp = requests.post(f"{demo.base_url}/api/v1/store/loyalty/stamp",
                         headers={"Authorization": f"Bearer {demo.cashier_token}"},
                         json={"card_id": card_id, "staff_pin": SOPHIE_PIN}, timeout=30)
    assert resp.status_code == 200, resp.text


def _download(driver, href: str) -> str:
    """Fetches `href` with the browser's cookies (the owner's session), as the link would."""
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    resp = requests.get(href if "://" in href else driver.base_url + href, cookies=cookies, timeout=60)
    assert resp.status_code == 200, f"{href}: {resp.status_code} {resp.text[:300]}"
    assert resp.headers["Content-Type"].startswith("text/csv"), resp.headers
    return resp.text


def test_owner_filters_transactions_and_exports_the_same_rows(driver, demo):
    card = demo.take_card()
    _stamp_through_api(demo, card["id"])
    support.sign_in(driver, OWNER)
    assert support.open_page(driver, "/merchant/transactions") == 200
    today = datetime.now(ZoneInfo(STORE_TIMEZONE)).date().isoformat()

    # The cashier's store, where the stamp above was given.
    store_id = support.api_get(demo.base_url, "/api/v1/auth/me", demo.cashier_token)["store_id"]
    Select(driver.find_element(By.ID, "tx-store")).select_by_value(store_id)
    Select(driver.find_element(By.ID, "tx-type")).select_by_value("stamp_earned")
    for field in ("tx-from", "tx-to"):
        # A date input takes the ISO date through script in every locale's widget.
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field), today)
    form = driver.find_element(By.ID, "tx-type").find_element(By.XPATH, "ancestor::form")
    support.submit_and_wait(driver, support.submit_button(driver, form))
    query = support.query_of(driver)
    assert query.get("type") == "stamp_earned" and query.get("from") == today and query.get("store_id"), query
    support.screenshot(driver, "journey-people-transactions-filtered")

    rows = driver.find_elements(By.CSS_SELECTOR, "#transactions tbody tr")
    assert rows, f"no stamp today in the cashier's store: {support.page_text(driver)[:800]!r}"
    numbers = sorted(r.find_element(By.CSS_SELECTOR, "td code").text for r in rows)
    assert card["card_number"].replace(" ", "") in [n.replace(" ", "") for n in numbers] or len(rows) == 50

    link = driver.find_element(By.PARTIAL_LINK_TEXT, "CSV")
    exported = list(csv.DictReader(io.StringIO(_download(driver, link.get_attribute("href")))))
    assert all(r["type"] == "stamp_earned" and r["store_id"] == query["store_id"] for r in exported), exported[:3]
    if len(rows) < 50:  # one page: the file has exactly the table's rows
        assert sorted(r["card_number"] for r in exported) == numbers, (numbers, exported)
    else:
        assert len(exported) >= len(rows)


def test_owner_deactivates_an_account_that_then_cannot_sign_in(driver, demo):
    support.sign_in(driver, OWNER)
    assert support.open_page(driver, "/merchant/staff") == 200
    email = f"journey-{uuid.uuid4().hex[:8]}@staff.test"
    support.fill(driver, driver.find_element(By.ID, "invite-name"), "Journey Cashier")
    support.fill(driver, driver.find_element(By.ID, "invite-email"), email)
    Select(driver.find_element(By.ID, "invite-role")).select_by_value("store_staff")
    form = driver.find_element(By.ID, "invite-email").find_element(By.XPATH, "ancestor::form")
    support.submit_and_wait(driver, support.submit_button(driver, form))
    password = driver.find_element(By.ID, "temporary-password").text.strip()
    assert len(password) == 17, password
    support.screenshot(driver, "journey-people-staff-invited")

    # The drawn password opens one page, the one that replaces it; then the terminal.
    assert support.sign_in(driver, email, password) == "/account/password"
    password, drawn = "journey cashier's own", password
    assert support.replace_drawn_password(driver, drawn, password) == "/store/terminal"

    support.sign_in(driver, OWNER)
    support.open_page(driver, "/merchant/staff")
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-email="{email}"]')
    support.submit_and_wait(driver, row.find_element(By.CSS_SELECTOR, "form[action$='/deactivate'] button"))
    assert support.query_of(driver).get("done") == "deactivated", driver.current_url
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-email="{email}"]')
    assert row.find_elements(By.CSS_SELECTOR, "form[action$='/reactivate']"), row.text

    support.sign_out_everyone(driver)
    support.open_page(driver, "/login")
    support.fill(driver, driver.find_element(By.NAME, "email"), email)
    login = driver.find_element(By.NAME, "email").find_element(By.XPATH, "ancestor::form")
    support.fill(driver, support.form_field(driver, login, "password"), password)
    support.submit_and_wait(driver, support.submit_button(driver, login))
    assert support.path_of(driver) == "/login", "a deactivated account signed in"
    assert support.alert_text(driver), "the refused sign-in says why"

    support.sign_in(driver, OWNER)
    support.open_page(driver, "/merchant/staff")
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-email="{email}"]')
    support.submit_and_wait(driver, row.find_element(By.CSS_SELECTOR, "form[action$='/reactivate'] button"))
    assert support.sign_in(driver, email, password) == "/store/terminal"


def test_owner_blocks_a_card_and_the_terminal_refuses_it(driver, demo):
    card = demo.take_card()
    support.sign_in(driver, OWNER)
    assert support.open_page(driver, f"/merchant/cards/{card['id']}") == 200
    support.fill(driver, driver.find_element(By.ID, "block-reason"), "Lost in the journey")
    support.submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/block'] button"))
    assert support.query_of(driver).get("done") == "blocked", driver.current_url
    assert "Lost in the journey" in support.page_text(driver)
    support.screenshot(driver, "journey-people-card-blocked")

    support.sign_in(driver, CASHIER)
    support.open_card_on_terminal(driver, card["card_number"])
    before = support.balance(driver, "stamps")
    buttons = support.operation_buttons(driver, "stamp")
    if buttons:
        support.press_operation(driver, "stamp", force=True)
        support.wait_until(driver, lambda d: support.alert_text(d) != "", "the terminal to refuse the blocked card")
    assert support.balance(driver, "stamps") == before
    assert demo.card(card["id"])["stamp_count"] == before

    support.sign_in(driver, OWNER)
    support.open_page(driver, f"/merchant/cards/{card['id']}")
    support.submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action$='/unblock'] button"))
    assert support.query_of(driver).get("done") == "unblocked"
