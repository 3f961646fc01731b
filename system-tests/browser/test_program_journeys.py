"""The owner edits the program in a real browser: the preview follows the typing before
anything is saved (program-editor.js), the first submit of a change that touches issued cards
shows the warning with its count and saves nothing, the confirmed one saves; the new values show
on the page and through the API. Then a store is added on /merchant/stores."""
import secrets

from selenium.webdriver.common.by import By

from browser import support
from browser.support import OWNER


def _owner(driver):
    if driver.persona != OWNER:
        support.sign_in(driver, OWNER)
    return driver


def _preview(driver, part: str) -> str:
    return driver.find_element(By.ID, f"card-preview-{part}").text


def test_owner_edits_the_program_sees_the_preview_confirms_the_warning_and_the_api_agrees(driver, demo):
    _owner(driver)
    status = support.open_page(driver, "/merchant/program", "en")
    assert status == 200, support.page_text(driver)[:300]
    support.screenshot(driver, "journey-program-before")
    name = "Lumière " + secrets.token_hex(2)
    reward = "Journey tea " + secrets.token_hex(2)

    # The preview follows the typing before anything is saved.
    support.fill(driver, driver.find_element(By.ID, "card_name"), name)
    support.fill(driver, driver.find_element(By.ID, "card_color"), "#FFD60A")
    support.wait_until(driver, lambda d: _preview(d, "title") == name, "the preview to show the new name")
    card = driver.find_element(By.ID, "card-preview")
    support.wait_until(driver, lambda d: "tone-dark" in card.get_attribute("class"), "dark text on the yellow card")
    assert driver.find_element(By.ID, "card-preview-bg").get_attribute("fill") == "#ffd60a"
    support.fill(driver, driver.find_element(By.ID, "stamps_target"), "12")
    support.wait_until(driver, lambda d: _preview(d, "stamps-text") == "3 / 12", "the stamp count to follow the target")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#card-preview-grid .stamp")) == 12
    support.fill(driver, driver.find_element(By.ID, "stamps_target"), "10")

    # A new reward in the first blank row.
    blank = [row for row in driver.find_elements(By.CSS_SELECTOR, "tr.reward-row")
             if not row.find_element(By.CSS_SELECTOR, ".reward-name").get_attribute("value")][0]
    support.fill(driver, blank.find_element(By.CSS_SELECTOR, ".reward-name"), reward)
    support.fill(driver, blank.find_element(By.CSS_SELECTOR, ".reward-cost"), "999")
    support.screenshot(driver, "journey-program-preview")
    api = support.api_token(demo.base_url, OWNER)
    before = support.api_get(demo.base_url, "/api/v1/merchants/loyalty/program", api)

    # First submit: the warning, with how many cards; nothing saved yet.
    form = driver.find_element(By.ID, "program-form")
    support.submit_and_wait(driver, support.submit_button(driver, form))
    text = support.page_text(driver)
    assert "This change affects cards already issued" in text, text[:800]
    assert "wallet passes of" in text
    assert _preview(driver, "title") == name, "the warning page previews the change"
    assert support.api_get(demo.base_url, "/api/v1/merchants/loyalty/program", api)["card_name"] == before["card_name"]
    support.screenshot(driver, "journey-program-warning")

    # Confirmed: saved, and shown on the page and through the API.
    confirm = driver.find_element(By.CSS_SELECTOR, "button[name='confirm']")
    support.submit_and_wait(driver, confirm)
    assert support.path_of(driver) == "/merchant/program"
    assert "The program was saved." in support.page_text(driver)
    assert driver.find_element(By.ID, "card_name").get_attribute("value") == name
    assert _preview(driver, "title") == name
    program = support.api_get(demo.base_url, "/api/v1/merchants/loyalty/program", api)
    assert program["card_name"] == name
    assert program["card_color"].lower() == "#ffd60a"
    assert any(r["name"] == reward and r["points_cost"] == 999 and r["active"] for r in program["rewards"])
    support.screenshot(driver, "journey-program-saved")


def test_owner_adds_a_store_and_a_wrong_code_is_named_beside_its_field(driver, demo):
    _owner(driver)
    assert support.open_page(driver, "/merchant/stores", "fr") == 200
    support.fill(driver, driver.find_element(By.ID, "store-name"), "Kiosque")
    support.fill(driver, driver.find_element(By.ID, "store-code"), "-x")
    support.submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/merchant/stores'] button[type=submit]"))
    assert "Saisissez 3 à 32 lettres" in driver.find_element(By.ID, "store-code-error").text
    assert support.html_lang(driver) == "fr"
    code = "KIOSK-" + secrets.token_hex(2).upper()
    support.fill(driver, driver.find_element(By.ID, "store-code"), code)
    support.submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/merchant/stores'] button[type=submit]"))
    assert "Le magasin a été ajouté." in support.page_text(driver)
    assert code in support.page_text(driver)
    support.screenshot(driver, "journey-stores-added")
