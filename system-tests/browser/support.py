"""Helpers of the browser tests: a headless Debian Chromium driven by selenium, axe-core checks,
screenshots kept as artifacts, QR codes decoded with zbarimg, sign-in as each demo persona.

Everything a test finds in a page goes through the fixed points of WEB.md and PAGES.md (field
names, `data-balance`, `role="alert"`, button values), never through CSS classes."""
from __future__ import annotations

import base64
import os
import re
import subprocess
import time
import urllib.parse
from pathlib import Path

import requests
from selenium_axe_python import Axe
from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                        StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from conftest import HTTP_TIMEOUT, REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ENGINE = "postgresql" if os.environ.get("TEST_POSTGRES_URL") else "sqlite"
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots" / ENGINE
WAIT_SECONDS = 15.0

# name: (width, height, mobile). `mobile` makes Chromium honour <meta name="viewport">, as a
# phone or a tablet does.
VIEWPORTS = {
    "phone": (390, 844, True),
    "tablet": (820, 1180, True),
    "desktop": (1440, 900, False),
}
LANGS = ("en", "fr", "de", "lb")

DEMO_PASSWORD = "demo-password"
STORE_CODE = "LUMIERE-LUX"
STORE_TIMEZONE = "Europe/Luxembourg"
SOPHIE_PIN = "4826"
CASHIER = "cashier.lux@demo.test"
MANAGER = "manager.lux@demo.test"
OWNER = "owner@demo.test"
ADMIN = "admin@demo.test"


# --------------------------------------------------------------------------
# the driver
# --------------------------------------------------------------------------

def new_driver() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,900", "--hide-scrollbars", "--force-color-profile=srgb",
                "--lang=en-US", "--disable-extensions", "--no-first-run",
                "--disable-search-engine-choice-screen"):
        options.add_argument(arg)
    # The console tells of Content-Security-Policy violations and uncaught script errors.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    set_viewport(driver, "desktop")
    return driver


def set_viewport(driver: WebDriver, name: str) -> None:
    """Exactly the viewport named (the window size would include the browser's own frame)."""
    width, height, mobile = VIEWPORTS[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def alive(driver: WebDriver) -> bool:
    try:
        driver.execute_script("return 1")
        return True
    except WebDriverException:
        return False


# --------------------------------------------------------------------------
# navigation
# --------------------------------------------------------------------------

def url_with(url: str, **params: str) -> str:
    """`url` with the query parameters given added or replaced."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def path_of(driver: WebDriver) -> str:
    return urllib.parse.urlsplit(driver.current_url).path


def query_of(driver: WebDriver) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(driver.current_url).query))


def open_page(driver: WebDriver, path_or_url: str, lang: str | None = None) -> int | None:
    """Opens a page of the server under test; returns the HTTP status of the document."""
    url = path_or_url if "://" in path_or_url else driver.base_url + path_or_url
    if lang:
        url = url_with(url, lang=lang)
    driver.get(url)
    return status_of(driver)


def status_of(driver: WebDriver) -> int | None:
    """The HTTP status of the document shown (Navigation Timing's responseStatus), None if unknown."""
    return driver.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return n && n.responseStatus ? n.responseStatus : null;")


def wait_until(driver: WebDriver, condition, what: str, timeout: float = WAIT_SECONDS):
    """Polls `condition(driver)` (stale elements and missing elements count as not yet), accepting
    any `confirm()` a page may ask on the way; fails saying `what` it waited for."""
    def check(d):
        try:
            d.switch_to.alert.accept()
        except NoAlertPresentException:
            pass
        try:
            return condition(d)
        except (StaleElementReferenceException, NoSuchElementException):
            return False
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(check)
    except TimeoutException:
        raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; at {driver.current_url}\n"
                             f"page text: {page_text(driver)[:1500]!r}") from None


def submit_and_wait(driver: WebDriver, element: WebElement, press_enter: bool = False) -> None:
    """Clicks `element` (or presses Enter in it) and waits for the next document to load."""
    old = driver.find_element(By.TAG_NAME, "html")
    if press_enter:
        from selenium.webdriver.common.keys import Keys
        element.send_keys(Keys.ENTER)
    else:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def loaded(d):
        try:
            old.tag_name  # raises once the old document is gone
            return False
        except StaleElementReferenceException:
            pass
        except WebDriverException as error:
            # Asked in the instant the old document is being replaced, Chromium answers "Node with
            # given id does not belong to the document" instead of a stale reference: also gone.
            if "does not belong to the document" not in str(error):
                raise
        return d.execute_script("return document.readyState") == "complete"
    wait_until(driver, loaded, "the next page to load")


def page_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:
        return ""


def html_lang(driver: WebDriver) -> str | None:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def console_problems(driver: WebDriver) -> list[str]:
    """Console messages telling of a Content-Security-Policy violation or an uncaught script
    error since the last call."""
    try:
        entries = driver.get_log("browser")
    except WebDriverException:
        return []
    bad = []
    for entry in entries:
        message = entry.get("message", "")
        if entry.get("level") == "SEVERE" and ("Content Security Policy" in message or "Uncaught" in message):
            bad.append(message)
    return bad


def fill(driver: WebDriver, element: WebElement, value: str) -> None:
    """Types `value` into a field; a field a script keeps hidden (e.g. behind a PIN pad) is set
    the way that script would set it."""
    if element.is_displayed() and element.is_enabled() and element.get_attribute("readonly") is None:
        element.clear()
        element.send_keys(value)
    else:
        driver.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", element, value)


def form_of(driver: WebDriver, element: WebElement) -> WebElement | None:
    return driver.execute_script("return arguments[0].form || arguments[0].closest('form')", element)


def form_field(driver: WebDriver, form: WebElement, name: str) -> WebElement | None:
    """The field `name` of a form, including fields outside it tied to it with form="id"."""
    return driver.execute_script(
        "const f = arguments[0].elements.namedItem(arguments[1]);"
        "return f && f.length !== undefined && !f.tagName ? f[0] : f;", form, name)


def submit_button(driver: WebDriver, form: WebElement) -> WebElement:
    buttons = [b for b in form.find_elements(By.CSS_SELECTOR, "button, input[type=submit]")
               if (b.get_attribute("type") or "submit").lower() == "submit"]
    assert buttons, f"no submit button in the form at {driver.current_url}"
    return buttons[0]


# --------------------------------------------------------------------------
# personas
# --------------------------------------------------------------------------

def sign_out_everyone(driver: WebDriver) -> None:
    if not driver.current_url.startswith(driver.base_url):
        driver.get(driver.base_url + "/health/live")
    driver.delete_all_cookies()
    driver.persona = None


def sign_in(driver: WebDriver, email: str, password: str = DEMO_PASSWORD, lang: str | None = None) -> str:
    """Staff sign-in through the /login form (fresh cookies first); returns the path landed on."""
    sign_out_everyone(driver)
    status = open_page(driver, "/login", lang)
    assert status == 200, f"GET /login answered {status}: {page_text(driver)[:500]!r}"
    email_field = driver.find_element(By.NAME, "email")
    form = form_of(driver, email_field)
    assert form is not None, "the e-mail field of /login is in no form"
    fill(driver, email_field, email)
    fill(driver, form_field(driver, form, "password"), password)
    submit_and_wait(driver, submit_button(driver, form))
    landed = path_of(driver)
    assert landed != "/login", f"sign-in as {email} stayed on /login: {page_text(driver)[:500]!r}"
    driver.persona = email
    return landed


def replace_drawn_password(driver: WebDriver, drawn: str, chosen: str) -> str:
    """On /account/password, where a drawn password sends its account first: the person types
    the drawn one and their own twice; returns the path landed on."""
    assert path_of(driver) == "/account/password", driver.current_url
    assert driver.find_elements(By.ID, "password-required"), "the page does not say why it is here"
    fill(driver, driver.find_element(By.ID, "current_password"), drawn)
    fill(driver, driver.find_element(By.ID, "new_password"), chosen)
    fill(driver, driver.find_element(By.ID, "new_password_again"), chosen)
    submit_and_wait(driver, submit_button(driver, form_of(driver, driver.find_element(By.ID, "new_password"))))
    return path_of(driver)


def sign_in_customer(driver: WebDriver, email: str, password: str, store: str = STORE_CODE) -> str:
    """Customer sign-in through /customer/login?store=CODE (assumed fields: email, password)."""
    sign_out_everyone(driver)
    status = open_page(driver, f"/customer/login?store={store}")
    assert status == 200, f"GET /customer/login answered {status}: {page_text(driver)[:500]!r}"
    email_field = driver.find_element(By.NAME, "email")
    form = form_of(driver, email_field)
    fill(driver, email_field, email)
    fill(driver, form_field(driver, form, "password"), password)
    submit_and_wait(driver, submit_button(driver, form))
    landed = path_of(driver)
    assert landed != "/customer/login", f"customer sign-in stayed on the sign-in page: {page_text(driver)[:500]!r}"
    driver.persona = "customer:" + email
    return landed


# --------------------------------------------------------------------------
# axe-core
# --------------------------------------------------------------------------

def axe_check(driver: WebDriver, context: str) -> dict:
    """Runs axe-core on the page; fails listing every serious or critical violation with its
    id, help and the nodes concerned. Returns axe's results."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        lines = [f"axe: {len(bad)} serious/critical violation(s) on {context} ({driver.current_url}):"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
            for node in v["nodes"][:10]:
                lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('html', '')[:200]}")
                summary = node.get("failureSummary")
                if summary:
                    lines.append("      " + summary.replace("\n", "\n      ")[:400])
            if len(v["nodes"]) > 10:
                lines.append(f"    ... and {len(v['nodes']) - 10} more node(s)")
        raise AssertionError("\n".join(lines))
    return results


# --------------------------------------------------------------------------
# screenshots and QR codes
# --------------------------------------------------------------------------

def _capture(driver: WebDriver, clip: dict | None = None) -> bytes:
    params = {"format": "png", "captureBeyondViewport": True}
    if clip is None:
        width, height = driver.execute_script(
            "const e = document.documentElement;"
            "return [Math.max(e.scrollWidth, window.innerWidth), Math.max(e.scrollHeight, window.innerHeight)];")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, 16000)}
    params["clip"] = {**clip, "scale": 1}
    return base64.b64decode(driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"])


def full_page_png(driver: WebDriver) -> bytes:
    return _capture(driver)


def screenshot(driver: WebDriver, name: str) -> Path:
    """Saves the whole page (not just the viewport) as artifacts/screenshots/<engine>/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / (re.sub(r"[^A-Za-z0-9._-]+", "-", name) + ".png")
    path.write_bytes(full_page_png(driver))
    return path


def zbar(png_or_path: bytes | Path) -> list[str]:
    """Every QR code zbarimg finds in an image (one payload per entry)."""
    if isinstance(png_or_path, bytes):
        proc = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-"],
                              input=png_or_path, capture_output=True, timeout=60)
    else:
        proc = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png_or_path)],
                              capture_output=True, timeout=60)
    # zbarimg exits 4 when it found nothing
    assert proc.returncode in (0, 4), f"zbarimg failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}"
    return [line for line in proc.stdout.decode().splitlines() if line]


def decode_qr(driver: WebDriver, element: WebElement | None = None, margin: int = 24) -> list[str]:
    """QR payloads in `element` (captured with a margin of page around it, so the quiet zone
    is the page's), or in the whole page when `element` is None."""
    if element is None:
        return zbar(full_page_png(driver))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    rect = driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height};", element)
    clip = {"x": max(0, rect["x"] - margin), "y": max(0, rect["y"] - margin),
            "width": rect["width"] + 2 * margin, "height": rect["height"] + 2 * margin}
    return zbar(_capture(driver, clip))


def qr_candidates(driver: WebDriver) -> list[WebElement]:
    """Images and inline SVGs big and square enough to be a QR code a phone can scan."""
    found = []
    for element in driver.find_elements(By.CSS_SELECTOR, "img, svg, canvas"):
        try:
            if not element.is_displayed():
                continue
            size = element.size
        except StaleElementReferenceException:
            continue
        w, h = size["width"], size["height"]
        if w >= 64 and h >= 64 and abs(w - h) <= 0.1 * max(w, h):
            found.append(element)
    return found


def qr_payloads_of_elements(driver: WebDriver) -> list[str]:
    payloads = []
    for element in qr_candidates(driver):
        payloads += decode_qr(driver, element)
    return payloads


# --------------------------------------------------------------------------
# the terminal (WEB.md fixed points)
# --------------------------------------------------------------------------

def balance(driver: WebDriver, kind: str) -> int:
    text = driver.find_element(By.CSS_SELECTOR, f'[data-balance="{kind}"]').text.strip()
    assert re.fullmatch(r"\d+", text), f'data-balance="{kind}" reads {text!r}, not a number alone'
    return int(text)


def alert_text(driver: WebDriver) -> str:
    """The words of the first visible, non-empty role="alert" element ('' if none)."""
    for element in driver.find_elements(By.CSS_SELECTOR, '[role="alert"]'):
        try:
            if element.is_displayed() and element.text.strip():
                return element.text.strip()
        except StaleElementReferenceException:
            continue
    return ""


def operation_buttons(driver: WebDriver, operation: str) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, f'button[name="operation"][value="{operation}"]')


def open_card_on_terminal(driver: WebDriver, card_number: str, lang: str | None = None) -> None:
    """Types the number into name="card" and presses Enter, as a keyboard-wedge scanner does."""
    status = open_page(driver, "/store/terminal", lang)
    assert status == 200, f"GET /store/terminal answered {status}: {page_text(driver)[:500]!r}"
    field = driver.find_element(By.NAME, "card")
    field.clear()
    field.send_keys(card_number)
    old = driver.find_element(By.TAG_NAME, "html")
    from selenium.webdriver.common.keys import Keys
    field.send_keys(Keys.ENTER)

    # Either a new document (the form's GET) or a script that shows the card in place.
    def card_shown(d):
        try:
            old.tag_name
            same_document = True
        except StaleElementReferenceException:
            same_document = False
        if not same_document and d.execute_script("return document.readyState") != "complete":
            return False
        return bool(d.find_elements(By.CSS_SELECTOR, '[data-balance="stamps"], [data-balance="points"]'))
    wait_until(driver, card_shown, f"card {card_number} to show on the terminal")


def press_operation(driver: WebDriver, operation: str, pin: str | None = SOPHIE_PIN,
                    button: WebElement | None = None, force: bool = False) -> None:
    """Enters the PIN into the operation's form and presses the operation's button. `force`
    presses a button the page disabled (to see the server refuse on its own)."""
    if button is None:
        buttons = operation_buttons(driver, operation)
        assert buttons, f'no <button name="operation" value="{operation}"> on {driver.current_url}'
        button = buttons[0]
    form = form_of(driver, button)
    assert form is not None, f"the {operation} button is in no form"
    if pin is not None:
        pin_field = form_field(driver, form, "pin")
        assert pin_field is not None, f'the {operation} form has no field name="pin"'
        fill(driver, pin_field, pin)
    if force and not button.is_enabled():
        driver.execute_script("arguments[0].disabled = false", button)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def api_token(base_url: str, email: str, password: str = DEMO_PASSWORD) -> str:
    resp = requests.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": password},
                         timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def api_get(base_url: str, path: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = requests.get(base_url + path, headers=headers, timeout=HTTP_TIMEOUT)
    assert resp.status_code == 200, f"GET {path}: {resp.status_code} {resp.text[:300]}"
    return resp.json()


def wait_for_path(driver: WebDriver, predicate, what: str) -> None:
    wait_until(driver, lambda d: predicate(path_of(d)) and d.execute_script("return document.readyState") == "complete",
               what)


def elapsed(start: float) -> str:
    return f"{time.monotonic() - start:.1f}s"
