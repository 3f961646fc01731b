"""Cross-site request forgery, from a browser's point of view: a signed-in cashier visits a page
of another origin whose form posts to the loyalty server. The other origin is 127.0.0.1 on
another port: the same *site*, so a SameSite=Lax session cookie does go along, and only the
form's CSRF token can tell the forgery apart. A data: page (an opaque origin) is tried too."""
import html
import http.server
import threading
import urllib.parse
import uuid

import pytest

from browser import support
from browser.support import CASHIER, SOPHIE_PIN


class _Pages(http.server.BaseHTTPRequestHandler):
    pages: dict[str, str] = {}

    def do_GET(self):
        body = self.pages.get(urllib.parse.urlsplit(self.path).path, "not here").encode()
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def other_origin():
    """A web server on another port of 127.0.0.1 serving the forger's pages."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Pages.pages
    finally:
        httpd.shutdown()
        httpd.server_close()


def _forger_page(action: str, fields: dict) -> str:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
    return (f'<!doctype html><html lang="en"><head><title>Win a coffee</title></head><body><main>'
            f'<form method="post" action="{html.escape(action)}">{inputs}<button id="go" type="submit">Win</button>'
            f'</form></main></body></html>')


def _submit_forgery(driver, url: str) -> int | None:
    driver.get(url)
    support.submit_and_wait(driver, driver.find_element("id", "go"))
    return support.status_of(driver)


def _still_signed_in(driver) -> bool:
    """`/` sends signed-in staff to their landing page and everyone else to /login."""
    support.open_page(driver, "/")
    return support.path_of(driver) not in ("/", "/login")


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["no-token", "forged-token"])
def test_a_logout_posted_from_another_origin_is_refused(driver, other_origin, token):
    base, pages = other_origin
    support.sign_in(driver, CASHIER)
    fields = {} if token is None else {"_csrf": token}
    pages["/logout"] = _forger_page(driver.base_url + "/logout", fields)
    status = _submit_forgery(driver, base + "/logout")
    support.screenshot(driver, f"csrf-logout-{token or 'none'}")
    assert status == 403, f"a forged POST /logout answered {status}: {support.page_text(driver)[:300]!r}"
    assert support.page_text(driver).strip(), "the refusal page says nothing"
    assert _still_signed_in(driver), "a forged POST /logout signed the cashier out"


def test_a_stamp_posted_from_another_origin_is_refused(driver, demo, other_origin):
    base, pages = other_origin
    card = demo.cards[-2]
    before = demo.card(card["id"])["stamp_count"]
    support.sign_in(driver, CASHIER)
    pages["/stamp"] = _forger_page(driver.base_url + "/store/terminal", {
        "_csrf": "forged-token", "card": card["card_number"], "pin": SOPHIE_PIN, "operation": "stamp",
        "idempotency_key": str(uuid.uuid4())})
    status = _submit_forgery(driver, base + "/stamp")
    assert status == 403, f"a forged POST /store/terminal answered {status}: {support.page_text(driver)[:300]!r}"
    assert demo.card(card["id"])["stamp_count"] == before, "a forged stamp changed the balance"
    assert _still_signed_in(driver)


def test_a_logout_posted_from_a_data_page_is_refused(driver):
    support.sign_in(driver, CASHIER)
    page = _forger_page(driver.base_url + "/logout", {"_csrf": "forged-token"})
    _submit_forgery(driver, "data:text/html;charset=utf-8," + urllib.parse.quote(page))
    assert _still_signed_in(driver), "a POST /logout from a data: page signed the cashier out"


def test_the_pages_own_sign_out_works(driver):
    """The control: the same POST with the page's own token does sign out."""
    landing = support.sign_in(driver, CASHIER)
    forms = driver.find_elements("css selector", 'form[action$="/logout"]')
    assert forms, f"{landing} has no sign-out form (POST /logout)"
    assert support.form_field(driver, forms[0], "_csrf") is not None, 'the sign-out form has no name="_csrf"'
    support.submit_and_wait(driver, support.submit_button(driver, forms[0]))
    assert not _still_signed_in(driver), f"after signing out, / leads to {driver.current_url}"
