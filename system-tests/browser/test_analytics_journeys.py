"""The owner's analytics as a person uses them: the dashboard draws its chart from the table
under it and that table says what the API says; the analytics page filtered by one store shows
that store's figures, and its CSV download holds the same numbers as the table."""
import csv
import io

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import support
from browser.support import OWNER

# The dashboard chart's columns, in order, for a program with stamps and points (the
# dashboard leaves out what the program does not collect).
HYBRID_COLUMNS = ("visits", "stamps_given", "points_given", "rewards_redeemed")


def _table(driver, table_id: str) -> list[list[int]]:
    """The numbers of a table (each cell's data-value), row by row."""
    rows = driver.find_elements(By.CSS_SELECTOR, f"table#{table_id} tbody tr")
    return [[int(cell.get_attribute("data-value")) for cell in row.find_elements(By.CSS_SELECTOR, "td[data-value]")]
            for row in rows]


def _wait_drawn(driver, chart_id: str) -> None:
    support.wait_until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f'canvas[data-chart="{chart_id}"][data-drawn="true"]'),
                       f"the chart {chart_id} to be drawn")


def _canvas_has_pixels(driver, chart_id: str) -> bool:
    return driver.execute_script(
        """const c = document.querySelector(`canvas[data-chart="${arguments[0]}"]`);
           if (!c || !c.width || !c.height) return false;
           const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
           return false;""", chart_id)


def _stamp_a_card(demo) -> None:
    """Activity today, at the cashier's store: the demo's cards carry no operations of their own."""
    card = demo.take_card()
    resp = requests.post(f"{demo.base_url}/api/v1/store/loyalty/stamp",
                         json={"card_id": card["id"], "staff_pin": support.SOPHIE_PIN},
                         headers={"Authorization": f"Bearer {demo.cashier_token}"}, timeout=10)
    assert resp.status_code == 200, resp.text[:300]


def _owner_api(demo, path: str) -> dict:
    token = support.api_token(demo.base_url, OWNER)
    return support.api_get(demo.base_url, path, token)


def test_dashboard_chart_is_drawn_from_a_table_that_matches_the_api(driver, demo):
    _stamp_a_card(demo)
    assert support.sign_in(driver, OWNER) == "/merchant"
    _wait_drawn(driver, "chart-30-days")
    assert _canvas_has_pixels(driver, "chart-30-days"), "the dashboard's chart canvas is blank"
    support.screenshot(driver, "journey-analytics-dashboard-desktop")
    assert not support.console_problems(driver)

    table = _table(driver, "chart-30-days")
    api = _owner_api(demo, "/api/v1/merchants/loyalty/analytics")
    assert len(table) == len(api["series"]) == 30, (len(table), len(api["series"]))
    width = len(table[0])
    columns = HYBRID_COLUMNS if width == 4 else (HYBRID_COLUMNS[0],) + ((None,) * (width - 2)) + (HYBRID_COLUMNS[-1],)
    for row, day in zip(table, api["series"]):
        for value, name in zip(row, columns):
            if name is not None:
                assert value == day["measures"][name], f"{day['date']} {name}: page {value}, API {day['measures'][name]}"
    # The demo has activity: a chart of zeros would prove nothing.
    assert sum(sum(row) for row in table) > 0, "the demo's last 30 days show no activity at all"


def test_filter_by_store_then_download_the_csv(driver, demo):
    _stamp_a_card(demo)
    support.sign_in(driver, OWNER)
    support.open_page(driver, "/merchant/analytics")
    select = Select(driver.find_element(By.NAME, "store"))
    options = [o.get_attribute("value") for o in select.options if o.get_attribute("value")]
    assert len(options) >= 2, "the demo merchant has two stores to choose from"
    # The store with activity (the cashier's), found through the API: a store of zeros would prove little.
    busy = [s for s in options
            if _owner_api(demo, f"/api/v1/merchants/loyalty/analytics?store_id={s}")["totals"]["visits"] > 0]
    assert busy, "no store of the demo merchant shows a visit"
    store_id = busy[0]
    select.select_by_value(store_id)
    support.submit_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert support.query_of(driver).get("store") == store_id, driver.current_url
    assert Select(driver.find_element(By.NAME, "store")).first_selected_option.get_attribute("value") == store_id
    _wait_drawn(driver, "chart-visits")
    assert _canvas_has_pixels(driver, "chart-visits")
    support.screenshot(driver, "journey-analytics-store-desktop")
    support.set_viewport(driver, "phone")
    support.screenshot(driver, "journey-analytics-store-phone")
    support.set_viewport(driver, "desktop")

    # The page's numbers are the API's for that store and the same days.
    start = driver.find_element(By.NAME, "from").get_attribute("value")
    end = driver.find_element(By.NAME, "to").get_attribute("value")
    api = _owner_api(demo, f"/api/v1/merchants/loyalty/analytics?from={start}&to={end}&store_id={store_id}")
    visits = _table(driver, "chart-visits")
    assert [row[0] for row in visits] == [day["measures"]["visits"] for day in api["series"]]

    # The CSV link carries the filters; downloaded with the browser's session it holds the
    # table's days and numbers.
    link = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='chart-visits-heading'] p.downloads a")
    href = link.get_attribute("href")
    assert f"store={store_id}" in href and f"from={start}" in href and f"to={end}" in href, href
    session = requests.Session()
    for cookie in driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"])
    resp = session.get(href, timeout=10)
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["content-type"].startswith("text/csv"), resp.headers
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == len(visits), (len(rows), len(visits))
    assert "visits" in rows[0], rows[0].keys()
    assert [int(r["visits"]) for r in rows] == [row[0] for row in visits]
