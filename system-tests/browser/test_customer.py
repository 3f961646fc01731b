"""A customer on a phone: enrolls from the store's page, lands on the card page, whose QR code
decodes (zbarimg) to the card's qr_code_data, and sees the balances."""
import re
import uuid

from selenium.webdriver.common.by import By

from browser import support
from browser.support import STORE_CODE


def test_enroll_on_a_phone_and_the_card_page_qr_decodes(driver, demo):
    support.sign_out_everyone(driver)
    support.set_viewport(driver, "phone")
    status = support.open_page(driver, f"/enroll/{STORE_CODE}")
    assert status == 200, f"GET /enroll/{STORE_CODE} answered {status}"
    support.screenshot(driver, "journey-enroll-phone")
    email = f"phone-{uuid.uuid4().hex[:8]}@example.com"
    name_field = driver.find_element(By.NAME, "name")
    form = support.form_of(driver, name_field)
    support.fill(driver, name_field, "Léon Phone")
    support.fill(driver, support.form_field(driver, form, "email"), email)
    consent = support.form_field(driver, form, "consent")
    assert consent is not None and consent.get_attribute("type") == "checkbox", 'no checkbox name="consent"'
    if not consent.is_selected():
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", consent)
        consent.click()
    support.submit_and_wait(driver, support.submit_button(driver, form))
    support.wait_for_path(driver, lambda p: p.startswith("/card/"), "the card page /card/{link_token}")
    token = support.path_of(driver).removeprefix("/card/")
    assert support.html_lang(driver) == "en"
    support.screenshot(driver, "journey-card-phone")

    card = support.api_get(driver.base_url, f"/api/v1/loyalty/cards/{token}")
    expected = card["qr_code_data"]
    in_elements = support.qr_payloads_of_elements(driver)
    assert expected in in_elements, (f"no <img>/<svg> on the card page decodes to the card's qr_code_data "
                                     f"{expected!r}; decoded: {in_elements!r}")
    whole = support.decode_qr(driver)
    assert expected in whole, f"the whole page's screenshot does not decode to {expected!r}: {whole!r}"

    # Balances: the page shows the card's numbers (a fresh card: 0 stamps of 10, 0 points).
    text = support.page_text(driver)
    balances = driver.find_elements(By.CSS_SELECTOR, "[data-balance]")
    if balances:
        shown = {b.get_attribute("data-balance"): b.text.strip() for b in balances}
        assert shown.get("stamps", "0") == str(card["stamp_count"]), shown
        assert shown.get("points", "0") == str(card["points_balance"]), shown
    assert re.search(rf"\b{card['stamps_target']}\b", text), f"the card page does not show the stamps target: {text[:800]!r}"
    assert re.search(rf"\b{card['points_balance']}\b", text), f"the card page does not show the points: {text[:800]!r}"
    assert support.console_problems(driver) == []

    # The tablet and desktop sizes of the same page, for the artifacts.
    for size in ("tablet", "desktop"):
        support.set_viewport(driver, size)
        support.screenshot(driver, f"journey-card-{size}")


def test_counter_enrollment_hands_over_a_qr_that_scans_on_screen_and_in_print(driver, demo, tmp_path):
    """A cashier enrolls a customer at the counter (/store/enroll): the answer page's QR code
    decodes to the new card, on screen and printed; scanned into the terminal (its payload typed
    and Enter, as a scanner does) it opens that card."""
    import base64
    import subprocess

    import requests

    support.sign_in(driver, support.CASHIER)
    status = support.open_page(driver, "/store/enroll")
    assert status == 200, f"GET /store/enroll answered {status}"
    email = f"counter-{uuid.uuid4().hex[:8]}@example.com"
    name_field = driver.find_element(By.NAME, "name")
    form = support.form_of(driver, name_field)
    support.fill(driver, name_field, "Counter Customer")
    email_field = support.form_field(driver, form, "email")
    if email_field is not None:
        support.fill(driver, email_field, email)
    consent = support.form_field(driver, form, "consent")
    if consent is not None and consent.get_attribute("type") == "checkbox" and not consent.is_selected():
        driver.execute_script("arguments[0].click()", consent)
    support.submit_and_wait(driver, support.submit_button(driver, form))
    support.screenshot(driver, "journey-store-enroll-answer")
    payloads = support.decode_qr(driver)
    assert payloads, f"no QR code on the counter enrollment's answer page: {support.page_text(driver)[:500]!r}"
    # One of them is the card's own code (it names the new card at the counter); another may
    # be the private link to the card page.
    found, card_payload = None, None
    for payload in payloads:
        resp = requests.post(f"{driver.base_url}/api/v1/store/loyalty/cards/lookup", json={"qr_code": payload},
                             headers={"Authorization": f"Bearer {demo.cashier_token}"}, timeout=15)
        if resp.status_code == 200:
            found, card_payload = resp.json(), payload
    assert found is not None, f"no QR code on the answer page names a card: {payloads!r}"
    if email_field is not None:
        assert found.get("customer_email") == email, found
    for payload in payloads:
        link = re.fullmatch(r"https?://[^/]+/card/([A-Za-z0-9_-]{43})", payload)
        if link:
            linked = support.api_get(driver.base_url, f"/api/v1/loyalty/cards/{link.group(1)}")
            assert linked["card_number"] == found["card_number"], "the private-link QR opens another card"

    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
    (tmp_path / "card.pdf").write_bytes(base64.b64decode(pdf["data"]))
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "card.pdf"), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    printed = [p for page in sorted(tmp_path.glob("page*.png")) for p in support.zbar(page)]
    assert card_payload in printed, f"the printed card's QR does not decode to {card_payload!r}: {printed!r}"

    support.open_card_on_terminal(driver, card_payload)
    assert support.balance(driver, "stamps") == found.get("stamp_count", 0)
