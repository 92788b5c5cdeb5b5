"""In Chromium: pick and receive six kits by typing into the scan field, no click between
scans; a receipt signed with a kit unscanned asks first (accessible dialog, no inline script);
a patient on a phone: the landing, the timeline in words, a big photo shrunk before upload."""

import re

from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations
from tests.browser.test_shipments_browser import as_user
from tests.shipments.test_receipt import csv_in_range

SCANS = 6


def no_reload_marker(page):
    page.evaluate("window.__sameDocument = true")


def still_same_document(page):
    return page.evaluate("window.__sameDocument === true")


def scan(page, text, progress, count):
    """Type a scan as a keyboard-wedge scanner does (text then Enter); wait for the count."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => /(^|\\D){count} de /.test(document.querySelector('#{progress}').textContent)")


def test_pick_and_receive_six_kits_without_touching_the_mouse(browser, live_server):
    page = as_user(browser, live_server, "logistica@demo.example")
    page.goto("/shipments/new")
    page.select_option("#trial_id", label="ONC-2024-017")
    destination = page.locator("#destination_id option", has_text="ONC-2024-017").first
    page.select_option("#destination_id", value=destination.get_attribute("value"))
    page.fill("#requested_kits", str(SCANS))
    with page.expect_navigation():
        page.click("main form[method=post] button[type=submit]")
    shipment_url = page.url
    with page.expect_navigation():
        page.click("form[action$='/order'] button")
    kits = [t.strip() for t in page.locator("#kits tbody tr td:first-child").all_inner_texts()]
    assert len(kits) == SCANS
    no_reload_marker(page)
    assert page.evaluate("document.activeElement.id") == "kit_number"  # autofocus
    page.keyboard.type("NO-SUCH-KIT")
    page.keyboard.press("Enter")
    page.locator(".scan-status.alert-danger").wait_for()
    assert "NO-SUCH-KIT" in page.locator(".scan-status").inner_text()
    # The connection drops while a fast scanner has three codes on their way: none is lost
    # without a word; all three are named for a re-scan, the first put back in the field.
    page.route("**/pick", lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())
    page.evaluate("""(codes) => {
        const form = document.querySelector('#pick'), field = form.querySelector('#kit_number');
        for (const code of codes) { field.value = code; form.requestSubmit(); }
    }""", kits[:3])
    page.wait_for_function("() => /Sin conexi/.test("
                           "document.querySelector('.scan-status').textContent)")
    said = page.locator(".scan-status").inner_text()
    assert all(kit in said for kit in kits[:3]), said
    assert "alert-danger" in page.locator(".scan-status").get_attribute("class")
    assert page.input_value("#kit_number") == kits[0]
    assert still_same_document(page)
    assert "0 de" in page.locator("#pick-progress").inner_text()
    page.unroute("**/pick")
    for n, kit in enumerate(kits, 1):
        scan(page, kit, "pick-progress", n)
        assert page.evaluate("document.activeElement.id") == "kit_number"
        assert "alert-success" in page.locator(".scan-status").get_attribute("class")
    assert still_same_document(page)
    assert page.locator("#kits tbody tr", has_text="Preparado").count() == SCANS
    assert serious_violations(page) == []
    screenshot(page, "everyday-picked-by-keyboard")
    with page.expect_navigation():
        page.click("form[action$='/finish-picking'] button")
    page.fill("#boxes", "1")
    page.fill("#logger_ids", "LG-SIX")
    with page.expect_navigation():
        page.click("form[action$='/pack'] button")
    page.fill("#courier", "World Courier Iberia")
    with page.expect_navigation():
        page.click("form[action$='/dispatch'] button")
    assert page.locator(".alert-success").count() == 1, page.locator(
        ".invalid-feedback, .alert").all_inner_texts()

    site = as_user(browser, live_server, "farmacia@demo.example")
    site.goto(shipment_url + "/logger")
    site.set_input_files("#file", files=[{"name": "lg.csv", "mimeType": "text/csv",
                                          "buffer": csv_in_range()}])
    site.fill("#logger_serial", "LG-SIX")
    with site.expect_navigation():
        site.click("main form button[type=submit]")  # read into a preview (issue 11)
    with site.expect_navigation():
        site.click("#store-readings")
    no_reload_marker(site)
    site.focus("form[action$='/receive/scan'] #kit_number")
    # A fast scanner: each code arrives before the answer to the last one; none is dropped.
    for kit in kits[:-1]:
        site.keyboard.type(kit)
        site.keyboard.press("Enter")
    site.wait_for_function(f"() => /(^|\\D){SCANS - 1} de /.test("
                           "document.querySelector('#receipt-progress').textContent)")
    assert site.evaluate("document.activeElement.id") == "kit_number"
    assert still_same_document(site)
    site.check("#logger_confirmed")  # the signing form is refreshed after each scan
    site.fill("form[action$='/receive'] #password", DEMO_PASSWORD)
    site.check("form[action$='/receive'] #confirm")
    site.click("form[action$='/receive'] button[type=submit]")
    dialog = site.locator("dialog.confirm-dialog")
    dialog.wait_for()
    assert re.search(r"1 kit no se ha escaneado", dialog.inner_text())
    assert serious_violations(site) == []
    screenshot(site, "everyday-receipt-confirm")
    site.keyboard.press("Escape")  # cancel: nothing is signed, the page stays
    dialog.wait_for(state="detached")
    assert still_same_document(site)
    site.focus("form[action$='/receive/scan'] #kit_number")
    scan(site, kits[-1], "receipt-progress", SCANS)
    site.check("#logger_confirmed")  # the signing form is refreshed after each scan
    site.fill("form[action$='/receive'] #password", DEMO_PASSWORD)
    site.check("form[action$='/receive'] #confirm")
    with site.expect_navigation():  # nothing unscanned: no question
        site.click("form[action$='/receive'] button[type=submit]")
    assert site.locator(".alert-success").count() == 1
    assert f"{SCANS} kits recibidos" in site.locator(".alert-success").inner_text()
    page.context.close()
    site.context.close()


def big_noise_png():
    import io
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (2200, 2000), os.urandom(2200 * 2000 * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def claim_pages(phone):
    hrefs = phone.eval_on_selector_all("a[href*='/my/claims/']",
                                       "links => links.map(a => a.getAttribute('href'))")
    return sorted({h for h in hrefs if re.fullmatch(r"/my/claims/\d+", h)})


def test_patient_on_a_phone_lands_on_my_claims_and_reads_the_timeline(phone, browser,
                                                                     live_server):
    log_in(phone, "paciente1@demo.example")  # María: a draft, claims at the site, no payment
    assert re.search(r"/my/?$", phone.url)
    assert phone.get_by_text("Tus roles").count() == 0
    screenshot(phone, "everyday-patient-landing-phone")
    drafts = []
    for href in claim_pages(phone):
        phone.goto(href)
        text = phone.locator("main").inner_text()
        assert "Pablo Ortega" not in text and "Marta Gil" not in text  # staff names
        if phone.locator("input[type=file][data-max-bytes]").count():
            drafts.append(href)
    assert drafts
    phone.goto(drafts[0])
    assert serious_violations(phone) == []
    big = big_noise_png()
    assert len(big) > 10 * 1024 * 1024
    box = phone.locator("input[type=file][data-max-bytes]").first
    box.set_input_files(files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": big}])
    phone.wait_for_function("() => document.querySelector('input[type=file][data-max-bytes]')"
                            ".dataset.downscaled")
    size = int(box.get_attribute("data-downscaled"))
    assert 0 < size < 10 * 1024 * 1024
    assert box.evaluate("i => i.files[0].name") == "ticket.jpg"
    remove = phone.locator("form[data-confirm] button.btn-outline-danger").first
    remove.click()
    phone.locator("dialog.confirm-dialog").wait_for()
    phone.keyboard.press("Escape")
    assert phone.url.endswith(drafts[0])

    context = browser.new_context(base_url=live_server, locale="es-ES",
                                  viewport={"width": 390, "height": 844}, is_mobile=True)
    antonio = context.new_page()
    log_in(antonio, "paciente2@demo.example")  # Antonio: a paid claim
    paid = None
    for href in claim_pages(antonio):
        antonio.goto(href)
        text = antonio.locator("main").inner_text()
        if "Tu extracto bancario mostrará la referencia" in text:
            paid = href
            assert "el equipo de finanzas" in text and "tu hospital" in text
            assert "Marta Gil" not in text and "ENS-RB-" not in text
            screenshot(antonio, "everyday-patient-paid-timeline-phone")
    assert paid
    context.close()
