"""In Chromium: resupply proposal -> pick by scan -> dispatch -> logger upload with an
excursion -> receipt by scan and signature -> QA decision; axe on every shipment screen."""

import re
from datetime import UTC, datetime, timedelta

from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations
from tests.dbsetup import ROOT

SAMPLE = ROOT / "tests" / "shipments" / "data" / "logger_excursion.csv"


def sample_of_this_trip(serial):
    """Return the sample's 360 readings one minute apart, ending now, named for the logger.

    The sample itself (March, logger LG-2041) is refused for a shipment packed today.
    """
    lines = SAMPLE.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    start = datetime.now(UTC) - timedelta(minutes=360)
    rows = [f"{(start + timedelta(minutes=i)).strftime('%Y-%m-%dT%H:%M:%SZ')},"
            f"{line.split(',', 1)[1]}" for i, line in enumerate(lines[first:])]
    return ("\n".join(lines[:first] + rows) + "\n").replace("LG-2041", serial).encode()


def as_user(browser, live_server, email):
    context = browser.new_context(base_url=live_server, locale="es-ES")
    page = context.new_page()
    log_in(page, email)
    return page


def chart_drawn(page):
    # The curve of the sample file: all of its 360 readings (fewer than the chart thins to).
    page.wait_for_function(
        "() => { const c = document.querySelector('canvas.temperature-chart');"
        " return c && window.Chart && window.Chart.getChart(c) &&"
        " window.Chart.getChart(c).data.datasets[2].data.length === 360; }", timeout=10000)


def test_resupply_to_receipt_and_qa_decision_in_the_browser(browser, live_server):
    page = as_user(browser, live_server, "logistica@demo.example")
    page.goto("/shipments/resupply")
    assert serious_violations(page) == []
    with page.expect_navigation():  # wait for the new page, not the old one
        page.click("main form[method=post] button[type=submit]")  # not the filter form
    flash = page.locator(".alert-success").inner_text()
    number = re.search(r"SHP-\d{4}-\d{6}", flash).group(0)
    page.goto(f"/shipments/?q={number}")
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.click(f"text={number}")
    shipment_url = page.url
    with page.expect_navigation():
        page.click("form[action$='/order'] button")
    kits = [t.strip() for t in page.locator("#kits tbody tr td:first-child").all_inner_texts()]
    assert kits
    assert serious_violations(page) == []
    for n, kit in enumerate(kits, 1):  # a scanner types the number and Enter (no reload)
        page.fill("#kit_number", kit)
        page.press("#kit_number", "Enter")
        page.wait_for_function(f"() => document.querySelectorAll('#kits tbody tr td:nth-child(2)')"
                               f".length && document.querySelector('#pick-progress')"
                               f".textContent.includes('{n} de')")
    page.fill("#kit_number", "NO-SUCH-KIT")
    page.press("#kit_number", "Enter")
    page.locator(".scan-status.alert-danger").wait_for()
    assert "NO-SUCH-KIT" in page.locator(".scan-status").inner_text()
    with page.expect_navigation():
        page.click("form[action$='/finish-picking'] button")
    page.fill("#boxes", "1")
    page.fill("#logger_ids", "LG-BROWSER")
    with page.expect_navigation():
        page.click("form[action$='/pack'] button")
    assert serious_violations(page) == []
    page.fill("#courier", "World Courier Iberia")
    page.fill("#tracking_number", "WCI-BROWSER-1")
    with page.expect_navigation():
        page.click("form[action$='/dispatch'] button")
    assert page.locator(".alert-success").count() == 1
    screenshot(page, "shipment-dispatched")
    assert page.request.get(shipment_url + "/label.pdf").status == 200

    site = as_user(browser, live_server, "farmacia@demo.example")
    site.goto(shipment_url)
    with site.expect_navigation():
        site.click("a[href$='/logger']")
    assert serious_violations(site) == []
    site.set_input_files("#file", str(SAMPLE))  # the README's sample: another logger, in March
    site.fill("#logger_serial", "LG-BROWSER")
    with site.expect_navigation():
        site.click("main form button[type=submit]")
    assert "registrador LG-2041" in site.locator("main").inner_text()
    trip = sample_of_this_trip("LG-BROWSER")
    lines = trip.split(b"\n")
    moment = datetime.fromisoformat(lines[146].split(b",")[0].decode().replace("Z", "+00:00"))
    lines[146] = (moment - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ,11").encode()
    bad = b"\n".join(lines)
    site.set_input_files("#file", files=[{"name": "reversed.csv", "mimeType": "text/csv",
                                          "buffer": bad}])
    site.fill("#logger_serial", "LG-BROWSER")
    with site.expect_navigation():
        site.click("main form button[type=submit]")
    assert "Línea 147:" in site.locator("#problems").inner_text()
    assert serious_violations(site) == []
    screenshot(site, "logger-upload-refused")
    site.set_input_files("#file", files=[{"name": "LG-BROWSER.csv", "mimeType": "text/csv",
                                          "buffer": trip}])
    site.fill("#logger_serial", "LG-BROWSER")
    with site.expect_navigation():
        site.click("main form button[type=submit]")
    assert site.locator("#preview-count").inner_text() == "360"  # nothing stored yet
    assert serious_violations(site) == []
    screenshot(site, "logger-upload-preview")
    with site.expect_navigation():
        site.click("#store-readings")
    # 2 excursions (the other warning says the kits not scanned yet would be missing)
    assert site.locator(".alert-warning:not(#missing-warning)").count() == 1
    chart_drawn(site)
    site.focus("form[action$='/receive/scan'] #kit_number")
    for n, kit in enumerate(kits, 1):
        site.keyboard.type(kit + "\n")  # the cursor stays in the scan field
        site.wait_for_function(f"() => document.querySelector('#receipt-progress')"
                               f".textContent.trim().startsWith('{n} de')")
    assert serious_violations(site) == []
    site.check("#logger_confirmed")
    site.fill("form[action$='/receive'] #password", DEMO_PASSWORD)
    site.check("form[action$='/receive'] #confirm")
    with site.expect_navigation():
        site.click("form[action$='/receive'] button[type=submit]")
    assert site.locator(".alert-success").count() == 1
    chart_drawn(site)
    screenshot(site, "shipment-received-with-excursion")

    qa = as_user(browser, live_server, "qp@demo.example")
    qa.goto(shipment_url)
    chart_drawn(qa)
    assert serious_violations(qa) == []
    boxes = qa.locator("form[action$='/decide'] input[name=kits]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    qa.check("#decision-released")
    qa.fill("#reason", "Excursión de 50 min hasta 11 °C dentro de los datos de estabilidad")
    qa.fill("form[action$='/decide'] #password", DEMO_PASSWORD)
    qa.check("form[action$='/decide'] #confirm")
    with qa.expect_navigation():
        qa.click("form[action$='/decide'] button[type=submit]")
    assert qa.locator(".alert-success").count() == 1
    assert qa.locator("#decision").count() == 0  # nothing left to decide
    screenshot(qa, "shipment-qa-released")
    assert qa.request.get(shipment_url + "/proof-of-delivery.pdf").status == 200


def test_shipment_screens_pass_axe_for_each_role(page):
    log_in(page, "logistica@demo.example")
    for path in ("/shipments/", "/shipments/new", "/shipments/?problem=overdue"):
        assert page.goto(path).status == 200
        assert serious_violations(page) == [], path
    screenshot(page, "shipment-board")
    page.goto("/shipments/?status=draft")
    page.locator("table tbody a").first.click()
    assert serious_violations(page) == []


def test_board_on_a_phone(phone):
    log_in(phone, "farmacia@demo.example")
    phone.goto("/shipments/")
    assert phone.locator("table tbody tr").count() >= 1
    assert serious_violations(phone) == []
    screenshot(phone, "shipment-board-phone")
