"""The counter, as a cashier does it in a real browser: sign in, scan (type the number and
Enter), stamp with the PIN, the cooldown refusal in French with the time it ends, void; earn
points from an amount with a decimal comma, redeem a reward."""
import datetime as dt
import re
import zoneinfo

from selenium.webdriver.common.by import By

from browser import support
from browser.support import CASHIER, STORE_TIMEZONE

# Words of a French sentence that an English, German or Luxembourgish one would not have.
FRENCH_WORDS = ("tampon", "prochain", "prochaine", "attendre", "attendez", "veuillez", "encore", "déjà",
                "après", "avant", "jusqu", "heure", "délai", "patienter", "trop tôt", "possible à", " à ")
ENGLISH_WORDS = ("stamp", "next", "wait", "until", "again", "too soon")
CLOCK = re.compile(r"\b(\d{1,2})\s*(?::|h)\s*(\d{2})\b")


def _done_id(driver) -> str | None:
    return support.query_of(driver).get("done")


def _try_stamp(driver) -> None:
    """Presses stamp even where the page disabled it (the server must refuse on its own); a page
    that shows no stamp button during the cooldown must already say why in its alert."""
    if support.operation_buttons(driver, "stamp"):
        support.press_operation(driver, "stamp", force=True)


def test_cashier_lands_on_the_terminal(driver):
    assert support.sign_in(driver, CASHIER) == "/store/terminal"
    assert driver.find_elements(By.NAME, "card"), 'the terminal has no field name="card"'


def test_stamp_cooldown_in_french_then_void(driver, demo):
    card = demo.take_card()
    number = card["card_number"]
    support.sign_in(driver, CASHIER)

    support.open_card_on_terminal(driver, number)
    before = support.balance(driver, "stamps")
    support.screenshot(driver, "journey-terminal-card-before-stamp")
    support.press_operation(driver, "stamp")
    support.wait_until(driver, lambda d: support.balance(d, "stamps") == before + 1,
                       f"stamps to go from {before} to {before + 1}")
    stamp_id = _done_id(driver)
    support.screenshot(driver, "journey-terminal-after-stamp")
    assert support.alert_text(driver) == "", f"a refusal after a good stamp: {support.alert_text(driver)!r}"
    api_card = demo.card(card["id"])
    assert api_card["stamp_count"] == before + 1, api_card

    # The language switch in the footer, then the same card again (the choice is remembered):
    # too soon, refused in French with the time it ends.
    switch = [a for a in driver.find_elements(By.CSS_SELECTOR, "footer a[href]") if a.text.strip() == "Français"]
    assert switch, "no language switch link 'Français' in the footer"
    support.submit_and_wait(driver, switch[0])
    assert support.html_lang(driver) == "fr"
    support.open_card_on_terminal(driver, number)
    assert support.html_lang(driver) == "fr", "the language chosen with the switch was not remembered"
    _try_stamp(driver)
    refusal = support.wait_until(driver, lambda d: support.alert_text(d), 'a role="alert" refusal')
    support.screenshot(driver, "journey-terminal-cooldown-fr")
    lowered = refusal.lower()
    assert any(w in lowered for w in FRENCH_WORDS), f"cooldown refusal not in French: {refusal!r}"
    assert not any(w in lowered for w in ENGLISH_WORDS), f"English words in the French refusal: {refusal!r}"
    last_stamp = dt.datetime.fromisoformat(api_card["last_stamp_at"].replace("Z", "+00:00"))
    ends = (last_stamp + dt.timedelta(minutes=15)).astimezone(zoneinfo.ZoneInfo(STORE_TIMEZONE))
    expected = {(ends.hour, ends.minute), ((ends + dt.timedelta(minutes=1)).hour, (ends + dt.timedelta(minutes=1)).minute)}
    shown = {(int(h), int(m)) for h, m in CLOCK.findall(refusal)}
    assert shown & expected, (f"the refusal does not say when the cooldown ends "
                              f"({ends:%H:%M} {STORE_TIMEZONE}): {refusal!r}")
    assert demo.card(card["id"])["stamp_count"] == before + 1, "a refused stamp changed the balance"

    # The refusal in English is other words: the French one came from the French catalog.
    support.open_card_on_terminal(driver, number, lang="en")
    _try_stamp(driver)
    english = support.wait_until(driver, lambda d: support.alert_text(d), 'a role="alert" refusal in English')
    assert english != refusal, f"the refusal reads the same in English and French: {english!r}"

    # Void the stamp from the terminal's last operations (still in French).
    support.open_card_on_terminal(driver, number, lang="fr")
    voids = driver.find_elements(By.CSS_SELECTOR, 'form[action$="/store/terminal/void"]')
    assert voids, "no void form (POST /store/terminal/void) among the terminal's last operations"
    # The operation to void is named by a field transaction_id: a button per operation (its
    # value) or a hidden input in a form per operation.
    chosen, trigger = None, None
    for form in voids:
        named = form.find_elements(By.CSS_SELECTOR, f'[name="transaction_id"][value="{stamp_id}"]') if stamp_id else \
            form.find_elements(By.CSS_SELECTOR, '[name="transaction_id"]')
        if named:
            chosen = form
            trigger = named[0] if named[0].tag_name == "button" else support.submit_button(driver, form)
            break
    assert chosen is not None, f"no void button for the stamp just made (transaction_id={stamp_id})"
    pin = support.form_field(driver, chosen, "pin")
    if pin is not None:
        support.fill(driver, pin, support.SOPHIE_PIN)
    support.submit_and_wait(driver, trigger)
    support.screenshot(driver, "journey-terminal-after-void-fr")
    assert demo.card(card["id"])["stamp_count"] == before, "the void did not take the stamp back"
    if not driver.find_elements(By.CSS_SELECTOR, '[data-balance="stamps"]'):
        support.open_card_on_terminal(driver, number, lang="fr")
    assert support.balance(driver, "stamps") == before
    assert support.console_problems(driver) == []


def test_points_with_a_decimal_comma_then_a_reward(driver, demo):
    card = demo.take_card()
    number = card["card_number"]
    support.sign_in(driver, CASHIER)

    support.open_card_on_terminal(driver, number)
    before = support.balance(driver, "points")
    amount = driver.find_element(By.NAME, "amount")
    support.fill(driver, amount, "12,50")
    support.press_operation(driver, "points_earn")
    support.wait_until(driver, lambda d: support.balance(d, "points") == before + 125,
                       f"points to go from {before} to {before + 125} (12,50 EUR at 10 points per euro)")
    support.screenshot(driver, "journey-terminal-points-earned")
    assert demo.card(card["id"])["points_balance"] == before + 125

    # Redeem: the only reward 125 points allow is the Espresso (100).
    support.open_card_on_terminal(driver, number)
    buttons = support.operation_buttons(driver, "points_redeem")
    assert buttons, 'no <button name="operation" value="points_redeem">'
    # A button per reward (its words name it), or one button and a reward_id field to choose.
    def around(b):
        return driver.execute_script("return (arguments[0].closest('li, tr, label') || arguments[0]).innerText", b)
    button = next((b for b in buttons if b.is_enabled() and "espresso" in b.text.lower()), None) \
        or next((b for b in buttons if b.is_enabled() and "espresso" in around(b).lower()), None) \
        or next((b for b in buttons if b.is_enabled()), buttons[0])
    form = support.form_of(driver, button)
    reward = support.form_field(driver, form, "reward_id")
    if reward is not None and reward.tag_name == "select":
        from selenium.webdriver.support.ui import Select
        options = [o for o in Select(reward).options if "espresso" in o.text.lower()]
        assert options, "no Espresso among the rewards to choose"
        Select(reward).select_by_value(options[0].get_attribute("value"))
    elif reward is not None and reward.get_attribute("type") == "radio":
        radios = driver.execute_script(
            "return Array.from(arguments[0].elements).filter(e => e.name === 'reward_id')", form)
        espresso = [r for r in radios if "espresso" in (driver.execute_script(
            "return (arguments[0].labels && arguments[0].labels[0] ? arguments[0].labels[0].innerText : "
            "arguments[0].closest('label, li, tr, div').innerText)", r) or "").lower()]
        assert espresso, "no Espresso among the rewards to choose"
        driver.execute_script("arguments[0].click()", espresso[0])
    support.press_operation(driver, "points_redeem", button=button)
    support.wait_until(driver, lambda d: support.balance(d, "points") == before + 25,
                       f"points to go from {before + 125} to {before + 25} (an Espresso costs 100)")
    support.screenshot(driver, "journey-terminal-reward-redeemed")
    assert demo.card(card["id"])["points_balance"] == before + 25
    assert support.console_problems(driver) == []
