"""The manager's enrollment poster (A4 and A6): its QR code decodes to the store's absolute
enrollment URL on screen and in print (Chromium's own PDF, rasterised by pdftoppm)."""
import base64
import re
import subprocess

import pytest

from browser import support
from browser.support import MANAGER, STORE_CODE

# PDF points (1/72 inch) of the paper sizes, portrait.
PAPER = {"a4": (595.3, 841.9), "a6": (297.6, 419.5)}


def _enrollment_urls(payloads: list[str]) -> list[str]:
    return [p for p in payloads if re.fullmatch(rf"https?://[^/\s]+(/[^\s]*)?/enroll/{STORE_CODE}", p)]


def _print_to_pdf(driver, path) -> None:
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
    path.write_bytes(base64.b64decode(pdf["data"]))


@pytest.fixture
def manager(driver):
    if driver.persona != MANAGER:
        support.sign_in(driver, MANAGER)
        driver.persona = MANAGER
    return driver


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_poster_qr_decodes_to_the_enrollment_url_on_screen_and_in_print(manager, size, tmp_path):
    driver = manager
    status = support.open_page(driver, f"/store/poster?size={size}", "en")
    assert status == 200, f"GET /store/poster?size={size} answered {status}: {support.page_text(driver)[:300]!r}"
    support.screenshot(driver, f"journey-poster-{size}-screen")
    on_screen = support.decode_qr(driver)
    urls = _enrollment_urls(on_screen)
    assert urls, f"the poster's QR on screen does not decode to an absolute …/enroll/{STORE_CODE} URL: {on_screen!r}"
    if urls[0].startswith(driver.base_url):
        # Followed, it opens the enrollment form.
        assert support.open_page(driver, urls[0]) == 200
        assert driver.find_elements("name", "name"), f"{urls[0]} does not show the enrollment form"
        support.open_page(driver, f"/store/poster?size={size}")

    pdf = tmp_path / f"poster-{size}.pdf"
    _print_to_pdf(driver, pdf)
    support.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (support.SCREENSHOT_DIR / f"journey-poster-{size}.pdf").write_bytes(pdf.read_bytes())
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages, "pdftoppm made no page of the printed poster"
    in_print = [payload for page in pages for payload in support.zbar(page)]
    assert urls[0] in in_print, f"the printed poster's QR does not decode to {urls[0]!r}: {in_print!r}"


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_poster_prints_on_one_sheet_of_its_paper_size(manager, size, tmp_path):
    driver = manager
    status = support.open_page(driver, f"/store/poster?size={size}", "en")
    assert status == 200, f"GET /store/poster?size={size} answered {status}"
    pdf = tmp_path / "poster.pdf"
    _print_to_pdf(driver, pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups())
    assert pages == 1, f"the {size.upper()} poster prints on {pages} pages"
    want = PAPER[size]
    assert abs(width - want[0]) < 3 and abs(height - want[1]) < 3, \
        f"the {size.upper()} poster prints on {width:.0f}x{height:.0f} pt, not {want[0]:.0f}x{want[1]:.0f} (CSS @page size)"
