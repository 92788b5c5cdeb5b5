"""In Chromium: dispensing by visit and kit type with the subject's history, a second kit
refused without a replacement reason, and the two resupply screens linking each other."""

import re

from tests.browser.conftest import log_in, screenshot, serious_violations


def test_pharmacist_dispenses_by_visit_and_kit_type_and_sees_the_history(page):
    log_in(page, "farmacia@demo.example")
    page.goto("/stock/sites")
    page.get_by_role("link", name="001").first.click()
    page.get_by_role("link", name="Dispensar").click()
    page.select_option("#subject_id", index=1)
    page.select_option("#visit_id", index=4)  # V5, Semana 12
    page.get_by_role("button", name="Proponer un kit").click()
    assert "IBX" in page.locator("#proposed-type").inner_text()
    assert page.get_by_role("table", name=re.compile("Visitas de")).is_visible()
    kit_number = page.locator("#proposed-kit").inner_text().strip()
    assert serious_violations(page) == []
    page.fill("#kit_number", kit_number)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmar y dispensar").click()
    if page.get_by_text("fuera de la ventana. ").count() or page.get_by_text(
            "Indique el motivo").count():  # the demo subject's visit 5 is outside its window
        assert page.input_value("#kit_number") == kit_number  # kept as typed
        page.fill("#off_window_reason", "Visita reprogramada por ingreso hospitalario")
        with page.expect_navigation():
            page.get_by_role("button", name="Confirmar y dispensar").click()
    assert page.get_by_text(f"Kit {kit_number} dispensado").is_visible()
    # the same visit again proposes nothing: a second kit only as a replacement
    page.select_option("#subject_id", index=1)
    page.select_option("#visit_id", index=4)  # V5, Semana 12
    page.get_by_role("button", name="Proponer un kit").click()
    assert page.locator("#no-proposal").is_visible()
    assert page.get_by_text(kit_number).first.is_visible()  # in the subject's history
    screenshot(page, "supply-dispense-by-visit")


def test_resupply_screens_link_each_other_and_show_kit_types(page):
    log_in(page, "logistica@demo.example")
    page.goto("/shipments/resupply")
    assert page.get_by_text("IBX · IBX-201").first.is_visible()
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Mínimo y máximo por centro y tipo de kit").click()
    assert "/stock/resupply" in page.url and serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Tipos de kit y calendario de visitas").click()
    assert page.get_by_role("heading", name=re.compile("Tipos de kit")).is_visible()
    assert serious_violations(page) == []
    screenshot(page, "supply-kit-types")
