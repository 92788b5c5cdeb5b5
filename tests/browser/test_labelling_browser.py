"""In Chromium: an imported lot goes through customs, QP certification and release for Spain,
then its labels are printed as a background job; axe on each labelling page."""

import re

from tests.browser.conftest import log_in, screenshot, serious_violations

DEMO_PASSWORD = "Demo-Ensayo-2026"


def test_imported_lot_to_certification_release_and_label_run(page):
    log_in(page, "logistica@demo.example")
    page.goto("/labelling/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="IMP-2026-002").click()
    page.fill("#customs_document", "26ES00281140099999")
    page.fill("#customs_cleared_on", "2026-01-01")  # before arrival: refused beside the field
    with page.expect_navigation():
        page.get_by_role("button", name="Registrar el despacho").click()
    assert page.get_by_text("La aduana no puede despachar la mercancía antes de que llegue."
                            ).first.is_visible()
    page.evaluate("document.querySelector('#customs_cleared_on').valueAsDate = new Date()")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrar el despacho").click()
    assert page.get_by_text("Despacho aduanero registrado.").first.is_visible()
    page.get_by_role("link", name="IBX26U09").first.click()
    lot_url = page.url

    origin = re.match(r"https?://[^/]+", lot_url).group(0)
    qp_context = page.context.browser.new_context(base_url=origin, locale="es-ES")
    qp = qp_context.new_page()
    log_in(qp, "qp@demo.example")
    qp.goto(lot_url)
    assert serious_violations(qp) == []
    qp.fill("#password", DEMO_PASSWORD)
    qp.check("#confirm")
    with qp.expect_navigation():
        qp.get_by_role("button", name="Firmar").click()
    assert qp.get_by_text("El lote IBX26U09 está certificado.").first.is_visible()
    qp.select_option("#country", "ES")
    qp.fill("#authorised_by", "Iberia Pharma S.A. (Regulatory)")
    qp.fill("#reference", "REL-ES-2026-09")
    qp.evaluate("document.querySelector('#released_on').valueAsDate = new Date()")
    with qp.expect_navigation():
        qp.get_by_role("button", name="Registrar la liberación").click()
    assert qp.get_by_text("Lote IBX26U09 liberado para ES.").first.is_visible()
    assert qp.locator("#lot-status").inner_text().strip() == "Liberado"
    screenshot(qp, "labelling-lot-released")
    qp_context.close()

    page.goto(lot_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Imprimir etiquetas de este lote").click()
    assert serious_violations(page) == []
    page.select_option("#template_id", label="Caja exterior IBX-201 v1 · es")
    with page.expect_navigation():
        page.get_by_role("button", name="Imprimir").click()
    assert re.search(r"/labelling/runs/\d+$", page.url)
    assert page.get_by_text("Las etiquetas se están imprimiendo en un PDF").first.is_visible()
    assert page.locator("#run-job").count() == 1
    assert serious_violations(page) == []
    screenshot(page, "labelling-run")
    for path in ("/labelling/templates", "/labelling/runs"):
        page.goto(path)
        assert serious_violations(page) == [], path
    page.get_by_role("link", name=re.compile("LR-")).first.click()
    assert serious_violations(page) == []


def test_the_kits_picked_for_a_shipment_get_their_labels(page):
    log_in(page, "logistica@demo.example")
    page.goto("/labelling/runs")
    row = page.locator("tr", has_text="Los kits preparados para un envío").first
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile("LR-")).click()
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^SHP-")).first.click()
    assert "/shipments/" in page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Imprimir las etiquetas de los kits").click()
    assert serious_violations(page) == []
    assert page.locator("#scope").input_value() == "shipment"
    assert page.locator("#shipment_id").input_value() != "0"
    page.select_option("#template_id", label="Caja exterior comparador ONC v1 · es")
    with page.expect_navigation():
        page.get_by_role("button", name="Imprimir").click()
    assert re.search(r"/labelling/runs/\d+$", page.url)
    assert page.get_by_text("Los kits preparados para un envío").first.is_visible()
    assert serious_violations(page) == []
    screenshot(page, "labelling-shipment-run")
