"""In Chromium: the home pages as work queues (logistics with its chart, finance on a phone),
axe on each, and a queue's link landing on its filtered list."""

import re

from tests.browser.conftest import log_in, screenshot, serious_violations


def test_logistics_home_shows_its_queues_and_the_expiry_chart(page):
    log_in(page, "logistica@demo.example")
    assert page.url.endswith("/home")
    queues = page.locator(".work-queues a")
    assert queues.first.get_attribute("data-queue") == "overdue"
    assert page.locator('.work-queues a[data-queue="overdue"] .badge').inner_text() == "1"
    # Chart.js drew the stacked bars (the canvas got a size and a chart instance).
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-depot_expiry'))")
    assert serious_violations(page) == []
    screenshot(page, "home-logistica")
    # The queue's count is the list's count (other browser tests may have picked a shipment).
    to_pick = page.locator('.work-queues a[data-queue="to_pick"] .badge').inner_text()
    with page.expect_navigation():
        page.click('.work-queues a[data-queue="to_pick"]')
    assert page.url.endswith("/shipments/?status=ordered")
    assert re.search(rf"^{to_pick} resultados? ·", page.locator("p[aria-live]").inner_text())


def test_finance_home_on_a_phone(phone):
    log_in(phone, "finanzas@demo.example")
    assert phone.locator('.work-queues a[data-queue="claims_to_approve"] .badge'
                         ).inner_text() == "2"
    phone.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-claims_by_month'))")
    # Nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert serious_violations(phone) == []
    screenshot(phone, "home-finanzas-phone")
