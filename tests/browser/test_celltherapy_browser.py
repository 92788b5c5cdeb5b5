"""In Chromium: a CAR-T order from collection to infusion, scanned handoffs, a caught mismatch."""

import re

import pytest

from tests.browser.conftest import log_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def do(email):
        context = browser.new_context(base_url=live_server, locale="es-ES")
        contexts.append(context)
        tab = context.new_page()
        log_in(tab, email)
        return tab

    yield do
    for context in contexts:
        context.close()


def submit(page, button_name):
    with page.expect_navigation():
        page.get_by_role("button", name=button_name).click()


def handoff(page, scan, button, document=None, **extra):
    page.fill("input[name=bag_scan]", scan)
    page.fill("input[name=document_scan]", document or scan)
    page.fill("input[name=handed_over_by]", "Persona que entrega")
    page.fill("input[name=received_by]", "Persona que recibe")
    page.fill("input[name=location]", "Muelle")
    for name, value in extra.items():
        if name == "condition":
            page.select_option("select[name=condition]", value)
        else:
            page.fill(f"input[name={name}]", value)
    page.fill("input[name=password]", "Demo-Ensayo-2026")
    page.check("input[name=confirm]")
    submit(page, button)


def test_collection_to_infusion_with_a_caught_mismatch(open_as):
    site = open_as("farmacia@demo.example")
    site.goto("/cell-therapy/orders?q=CT-")
    site.goto("/cell-therapy/orders?status=scheduled")
    with site.expect_navigation():
        site.locator("table a.font-monospace").first.click()
    order_url = site.url
    site.fill("input[name=bag_ids]", "AF-003-1")
    site.fill("input[name=volume_ml]", "230")
    submit(site, "Registrar la recogida")
    coi = re.search(r"CHA9998\d{8}", site.locator("h1").inner_text()).group(0)
    scan = "&/" + coi
    handoff(site, scan, "Entregar al mensajero", condition="cool", courier="World Courier")
    assert "Entrega registrada y firmada." in site.content()

    lab = open_as("laboratorio@demo.example")
    lab.goto(order_url)
    assert "CART-001-003" not in lab.content()
    wrong = "&/" + coi[:-1] + ("9" if coi[-1] != "9" else "8")
    handoff(lab, scan, "Recibir en el fabricante", document=wrong)
    assert "no es el identificador de esta orden" in lab.content()
    handoff(lab, scan, "Recibir en el fabricante")
    submit(lab, "Iniciar la fabricación")
    lab.set_input_files("input[name=coa]", files=[{"name": "coa.pdf",
                                                   "mimeType": "application/pdf",
                                                   "buffer": PDF}])
    lab.fill("input[name=password]", "Demo-Ensayo-2026")
    lab.check("input[name=confirm]")
    submit(lab, "Liberar (QP)")
    handoff(lab, scan, "Enviar al hospital", condition="frozen", courier="World Courier",
            shipper_code="00614141000012345678", transit_hours="24")
    assert "Entrega registrada y firmada." in lab.content()

    site.goto(order_url)
    handoff(site, scan, "Recibir en el hospital", condition="frozen", temperature_c="-180")
    submit(site, "Registrar el almacenamiento")
    submit(site, "Registrar la descongelación")
    handoff(site, scan, "Registrar la infusión")
    assert "Infundido" in site.locator("h1").inner_text()
    site.goto(order_url + "/timeline")
    assert "De vena a vena:" in site.locator("#v2v").inner_text()
    assert site.get_by_role("link", name="Iniciar una solicitud de estancia").count() == 1
