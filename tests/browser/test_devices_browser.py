"""In Chromium: device pages pass axe; a device goes on a shipment; a reference standard found
out of tolerance reaches every device it calibrated; QA closes the impact with a signature."""


import pytest

from app.core import clock
from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations

PAGES = {
    "logistica@demo.example": ["/devices/", "/devices/due", "/devices/records",
                               "/devices/new", "/devices/models/new"],
    "qp@demo.example": ["/devices/impacts", "/devices/records?status=performed"],
    "farmacia@demo.example": ["/devices/", "/devices/due"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_device_pages_open_and_pass_axe(page, email):
    log_in(page, email)
    problems = {}
    for path in PAGES[email]:
        response = page.goto(path)
        assert response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    screenshot(page, f"devices-{email.split('@')[0]}")
    assert problems == {}


def _open_device(page, serial):
    page.goto(f"/devices/?q={serial}")
    with page.expect_navigation():
        page.get_by_role("link", name=serial, exact=True).click()


def _sign(page):
    page.fill("#password", DEMO_PASSWORD)
    page.check("#confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Firmar").click()


def test_a_device_goes_on_an_ordered_shipment(page):
    log_in(page, "logistica@demo.example")
    page.goto("/shipments/?status=ordered")
    with page.expect_navigation():
        page.locator("tbody tr a").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Dispositivos de este envío").click()
    page.fill("#serial-add", "GS3-0005")
    with page.expect_navigation():
        page.get_by_role("button", name="Añadir un dispositivo").click()
    page.fill("#serial-pick", "GS3-0005")
    with page.expect_navigation():
        page.get_by_role("button", name="Preparar un dispositivo").click()
    row = page.locator("#shipment-devices tbody tr", has_text="GS3-0005")
    assert "Preparado" in row.inner_text()
    page.fill("#serial-add", "TH-ONC-001-F1")  # at a site and overdue: refused in words
    with page.expect_navigation():
        page.get_by_role("button", name="Añadir un dispositivo").click()
    assert page.get_by_text("no está en stock").first.is_visible() or page.get_by_text(
        "calibración vencida").first.is_visible()
    screenshot(page, "devices-shipment")


def test_a_reference_standard_failure_reaches_every_device_it_calibrated(page):
    log_in(page, "logistica@demo.example")
    _open_device(page, "REF-PT100-01")
    with page.expect_navigation():
        page.get_by_role("link", name="Registrar calibración").click()
    today = clock.today().isoformat()
    for field, value in {"certificate_number": "ELC-2026-0100", "customer": "ELC",
                         "lab_address": "Madrid", "performed_at_place": "Tres Cantos",
                         "condition_on_receipt": "Sin daños", "received_on": today,
                         "calibrated_on": today, "issued_on": today, "temperature_c": "21.2",
                         "humidity_pct": "43", "standards": "REF-PT100-00",
                         "points-0-nominal": "5", "points-0-as_found": "5.2",
                         "points-0-as_left": "5.01", "points-0-uncertainty": "0.01",
                         "points-0-k": "2"}.items():
        page.fill(f"#{field}", value)
    page.fill("#lab_name", "Laboratorio de metrología ELC")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar como borrador").click()
    assert "ELC-2026-0100" in page.inner_text("h1")
    _sign(page)
    assert page.get_by_text("Registro de calibración firmado.").is_visible()
    page.context.clear_cookies()  # the authoriser is another person
    log_in(page, "qp@demo.example")
    page.goto("/devices/records?status=performed&q=ELC-2026-0100")
    with page.expect_navigation():
        page.get_by_role("link", name="ELC-2026-0100").click()
    _sign(page)
    assert "No conforme" in page.inner_text("#conformity")
    assert page.get_by_role("link", name="Certificado (PDF)").is_visible()
    page.goto("/devices/impacts?status=open")
    with page.expect_navigation():
        page.locator("tbody tr", has_text="REF-PT100-01").locator("a").first.click()
    reverse = page.inner_text("#impact-reverse")
    for serial in ("TH-ONC-001-F1", "BP-DEV-001", "SC-DEP-001"):
        assert serial in reverse
    assert "LG-2041" not in reverse  # calibrated before the standard's last good calibration
    assert "DEV-2025-021 001" in reverse  # through the BP monitor: the visits it measured
    screenshot(page, "devices-impact-reverse")
    page.select_option("#decision", "data_flagged")
    page.fill("#conclusion", "Mediciones afectadas comunicadas al promotor.")
    page.fill("#password", DEMO_PASSWORD)
    page.check("#confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Firmar y cerrar").click()
    assert page.get_by_text("Evaluación de impacto cerrada.").first.is_visible()


def test_qa_sees_the_subject_visits_of_the_monitor_found_out_of_tolerance(page):
    log_in(page, "qp@demo.example")
    page.goto("/devices/impacts")
    with page.expect_navigation():
        page.locator("tbody tr", has_text="BP-DEV-001").locator("a").first.click()
    uses = page.inner_text("#impact-uses")
    assert "DEV-001-001" in uses and "DEV-001-002" in uses and "Control mes 1" in uses
