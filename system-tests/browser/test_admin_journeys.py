"""The platform admin at work: onboards a merchant through the form (then its owner signs in
with the temporary password and lands on /merchant), sees a wrong field explained, opens the
merchant and changes its loyalty settings (then the owner's API shows the change). The
merchant's detail and settings pages are checked in every language like test_pages.py does."""
import uuid

import requests
from selenium.webdriver.common.by import By

from browser import support
from browser.support import ADMIN, LANGS, OWNER


def _form_fields(driver, values: dict) -> None:
    form = support.form_of(driver, driver.find_element(By.NAME, "name"))
    for name, value in values.items():
        support.fill(driver, support.form_field(driver, form, name), value)
    support.submit_and_wait(driver, support.submit_button(driver, form))


def _check_page(driver, key: str, lang: str) -> None:
    assert support.html_lang(driver) == lang
    problems = []
    for size in ("phone", "desktop"):
        support.set_viewport(driver, size)
        if lang == "en" or size == "desktop":
            support.screenshot(driver, f"page-{key}-{lang}-{size}")
        try:
            support.axe_check(driver, f"{key} in {lang} ({size})")
        except AssertionError as failure:
            problems.append(str(failure))
    problems += [f"console: {m}" for m in support.console_problems(driver)]
    assert not problems, "\n".join(problems)


def test_the_admin_onboards_a_merchant_whose_owner_then_signs_in(driver, demo):
    support.sign_in(driver, ADMIN)
    tag = uuid.uuid4().hex[:6]
    assert support.open_page(driver, "/admin/merchants/new", "en") == 200
    values = {"name": f"Bäckerei {tag}", "contact_email": f"hello-{tag}@example.com", "store_name": f"Bäckerei {tag} Gare",
              "store_code": f"BAK-{tag}", "timezone": "Europe/Luxembourg", "city": "Luxembourg", "country": "LU",
              "owner_name": "Berta Becker", "owner_email": f"owner-{tag}@example.com"}

    # A store code of another merchant: the form again, the field explained, nothing created.
    _form_fields(driver, {**values, "store_code": "LUMIERE-LUX"})
    assert support.path_of(driver) == "/admin/merchants/new"
    assert support.alert_text(driver), "no role=alert after a refused onboarding"
    assert "already taken" in driver.find_element(By.ID, "err-store_code").text
    assert driver.find_element(By.NAME, "name").get_attribute("value") == values["name"], "what was typed is kept"
    support.set_viewport(driver, "desktop")
    support.screenshot(driver, "journey-admin-onboarding-error")
    _check_page(driver, "admin-new-error", "en")

    _form_fields(driver, values)
    secret = driver.find_element(By.CSS_SELECTOR, "[data-secret=password]").text.strip()
    assert len(secret) >= 10, secret
    support.screenshot(driver, "journey-admin-onboarded")
    _check_page(driver, "admin-onboarded", "en")

    # The new owner signs in with the temporary password, chooses their own, and lands on the
    # owner's home; the temporary one no longer works.
    assert support.sign_in(driver, values["owner_email"], secret) == "/account/password"
    support.screenshot(driver, "journey-admin-owner-replaces-password")
    _check_page(driver, "account-password-required", "en")
    chosen = f"berta's own {tag}"
    assert support.replace_drawn_password(driver, secret, chosen) == "/merchant"
    support.sign_out_everyone(driver)
    support.open_page(driver, "/login")
    login = support.form_of(driver, driver.find_element(By.NAME, "email"))
    support.fill(driver, driver.find_element(By.NAME, "email"), values["owner_email"])
    support.fill(driver, support.form_field(driver, login, "password"), secret)
    support.submit_and_wait(driver, support.submit_button(driver, login))
    assert support.path_of(driver) == "/login", "the temporary password still signs in"
    assert support.sign_in(driver, values["owner_email"], chosen) == "/merchant"
    driver.persona = values["owner_email"]


def test_the_admin_changes_a_merchants_settings_and_the_owner_sees_them(driver, demo):
    owner_token = support.api_token(demo.base_url, OWNER)
    before = support.api_get(demo.base_url, "/api/v1/merchants/loyalty/settings", owner_token)
    merchant_id = support.api_get(demo.base_url, "/api/v1/merchants/me", owner_token)["id"]

    support.sign_in(driver, ADMIN)
    # The merchant is found from the list, by search.
    assert support.open_page(driver, "/admin/merchants?q=lumi", "en") == 200
    link = driver.find_element(By.CSS_SELECTOR, f'a[href="/admin/merchants/{merchant_id}"]')
    support.submit_and_wait(driver, link)
    assert OWNER in support.page_text(driver)
    for lang in LANGS:
        assert support.open_page(driver, f"/admin/merchants/{merchant_id}", lang) == 200
        _check_page(driver, "admin-merchant", lang)
        assert support.open_page(driver, f"/admin/merchants/{merchant_id}/settings", lang) == 200
        _check_page(driver, "admin-settings", lang)

    support.open_page(driver, f"/admin/merchants/{merchant_id}/settings", "en")
    window = driver.find_element(By.NAME, "store_void_window_days")
    form = support.form_of(driver, window)
    # A window beyond a year: explained next to the field, nothing saved.
    support.fill(driver, window, "999")
    support.submit_and_wait(driver, support.submit_button(driver, form))
    assert support.alert_text(driver)
    assert driver.find_element(By.ID, "err-store_void_window_days").is_displayed()
    assert support.api_get(demo.base_url, "/api/v1/merchants/loyalty/settings", owner_token) == before
    support.screenshot(driver, "journey-admin-settings-error")

    new_window = 2 if before["store_void_window_days"] != 2 else 3
    window = driver.find_element(By.NAME, "store_void_window_days")
    form = support.form_of(driver, window)
    support.fill(driver, window, str(new_window))
    cross = driver.find_element(By.NAME, "allow_cross_store_redemption")
    if cross.is_selected() == before["allow_cross_store_redemption"]:
        driver.execute_script("arguments[0].click()", cross)
    support.submit_and_wait(driver, support.submit_button(driver, form))
    assert support.query_of(driver).get("done") == "saved", driver.current_url
    support.screenshot(driver, "journey-admin-settings-saved")

    after = support.api_get(demo.base_url, "/api/v1/merchants/loyalty/settings", owner_token)
    assert after["store_void_window_days"] == new_window
    assert after["allow_cross_store_redemption"] != before["allow_cross_store_redemption"]
    assert after["staff_pin_policy"] == before["staff_pin_policy"]

    # Put the demo merchant back as it was, for the other tests of this run.
    resp = requests.patch(f"{demo.base_url}/api/v1/admin/loyalty/merchants/{merchant_id}/settings",
                          json={k: v for k, v in before.items() if k != "merchant_id"},
                          headers={"Authorization": f"Bearer {support.api_token(demo.base_url, ADMIN)}"}, timeout=10)
    assert resp.status_code == 200, resp.text


def test_the_wallets_page_looks_up_a_card(driver, demo):
    support.sign_in(driver, ADMIN)
    card = demo.cards[0]
    assert support.open_page(driver, "/admin/wallets", "fr") == 200
    field = driver.find_element(By.NAME, "card")
    support.fill(driver, field, card["card_number"])
    support.submit_and_wait(driver, field, press_enter=True)
    assert support.path_of(driver) == "/admin/wallets"
    assert not support.alert_text(driver)
    support.screenshot(driver, "journey-admin-wallets-card")
