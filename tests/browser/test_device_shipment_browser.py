"""In Chromium: a shipment of devices only is picked in the shipment's own scan field (a serial
and a GS1 UDI, no mouse between scans), dispatched, and received by the site, whose signature
asks first about the device not scanned; the missing device opens a discrepancy."""

import re

from app.core import clock
from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations

UDI = "(01)04029547000188(21)TH-ONC-001-F3"  # the thermometer model's UDI-DI and its serial


def _answered(page, text):
    page.wait_for_function("text => (document.querySelector('.scan-status') || {})"
                           ".textContent === text", arg=text)


def _devices_only_shipment(page):
    page.goto("/shipments/?status=ordered")
    for href in page.locator("tbody tr a").evaluate_all("links => links.map(a => a.href)"):
        page.goto(href)
        if page.get_by_text("Sin kits: este envío solo lleva dispositivos.").count():
            return page.url
    raise AssertionError("the demo's devices-only shipment is not on the board")


def test_a_devices_only_shipment_is_scanned_out_and_in(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="es-ES")
    page = context.new_page()
    log_in(page, "logistica@demo.example")
    url = _devices_only_shipment(page)
    assert serious_violations(page) == []
    page.focus("#kit_number")
    page.keyboard.type("TH-ONC-001-F2")
    page.keyboard.press("Enter")
    # (another browser test may have put a sensor on this shipment too: read each answer)
    _answered(page, "Dispositivo TH-ONC-001-F2 preparado.")
    assert page.evaluate("document.activeElement.id") == "kit_number"
    page.keyboard.type(UDI)
    page.keyboard.press("Enter")
    _answered(page, "Dispositivo TH-ONC-001-F3 preparado.")
    assert page.evaluate("document.activeElement.id") == "kit_number"
    with page.expect_navigation():
        page.click("form[action$='/finish-picking'] button")
    page.fill("#boxes", "1")
    with page.expect_navigation():
        page.click("form[action$='/pack'] button")
    page.fill("#courier", "MRW")
    page.fill("#expected_arrival", (clock.today()).isoformat())
    with page.expect_navigation():
        page.click("form[action$='/dispatch'] button")
    assert page.locator(".alert-success").count() == 1, page.locator(".alert").all_inner_texts()
    screenshot(page, "devices-only-dispatched")

    site_context = browser.new_context(base_url=live_server, locale="es-ES")
    site = site_context.new_page()
    log_in(site, "farmacia@demo.example")
    site.goto(url)
    site.focus("form[action$='/receive/scan'] #kit_number")
    site.keyboard.type("TH-ONC-001-F2")
    site.keyboard.press("Enter")
    site.wait_for_function("() => /1 de \\d+ dispositivos escaneados/.test(document"
                           ".querySelector('#receipt-progress').textContent)")
    assert serious_violations(site) == []
    site.check("#missing_confirmed")
    site.fill("form[action$='/receive'] #password", DEMO_PASSWORD)
    site.check("form[action$='/receive'] #confirm")
    site.click("form[action$='/receive'] button[type=submit]")
    dialog = site.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert re.search(r"\d+ dispositivos? no se han? escaneado", dialog.inner_text())
    with site.expect_navigation():
        site.locator("dialog.confirm-dialog [data-confirm-yes]").click()
    assert site.locator(".alert-success").count() == 1
    discrepancies = site.locator("#discrepancies").inner_text()
    assert "Dispositivo que falta" in discrepancies and "TH-ONC-001-F3" in discrepancies
    screenshot(site, "devices-only-received")
    site_context.close()
    context.close()
