"""In Chromium: a placebo batch record opened, produced with a second-person check, and
released by QA by e-signature; a refusal keeps what was typed; axe on the batch pages."""

from datetime import timedelta

import pytest

from app.core import clock
from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations

PAGES = {
    "logistica@demo.example": ["/blinding/batches", "/blinding/batches/new",
                               "/blinding/batches?status=in_production"],
    "qp@demo.example": ["/blinding/batches", "/blinding/batches?status=released"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_batch_record_pages_open_and_pass_axe(page, email):
    log_in(page, email)
    problems = {}
    for path in PAGES[email]:
        response = page.goto(path)
        assert response.status == 200, path
        if found := serious_violations(page):
            problems[path] = found
    page.goto("/blinding/batches")
    page.get_by_role("link", name="BR-2026-031").click()
    if found := serious_violations(page):
        problems["record"] = found
    assert problems == {}


def _option(page, select, text):
    return page.locator(f"{select} option", has_text=text).first.get_attribute("value")


def _post(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).first.click()


def test_a_placebo_batch_record_is_made_checked_and_released(browser, live_server):
    contexts = []
    try:
        _journey(browser, live_server, contexts)
    finally:
        for context in contexts:
            context.close()


def _journey(browser, live_server, contexts):
    def tab():
        contexts.append(browser.new_context(base_url=live_server, locale="es-ES"))
        return contexts[-1].new_page()

    operator = tab()
    log_in(operator, "logistica@demo.example")
    operator.goto("/stock/lots/new")
    operator.fill("#number", "PLB-NAV-01")
    operator.select_option("#product_id", _option(operator, "#product_id", "Placebo de IBX-201"))
    operator.fill("#expires_on", (clock.today() + timedelta(days=400)).isoformat())
    operator.select_option("#status", "quarantine")
    with operator.expect_navigation():
        operator.locator("main form button[type=submit]").last.click()

    operator.goto("/blinding/batches/new")
    operator.fill("#number", "BR-NAV-001")
    operator.fill("#sponsor_order", "OC-NAV-1")
    operator.fill("#description", "Placebo igual a IBX-201")
    active = _option(operator, "#matched_lot_id", "IBX24A01")
    operator.select_option("#matched_lot_id", active)
    operator.select_option("#output_lot_id", active)  # wrong: the lot it matches
    operator.fill("#quantity_unit", "comprimidos")
    operator.fill("#expected_quantity", "1000")
    operator.fill("#yield_min_pct", "95")
    operator.fill("#yield_max_pct", "101")
    _post(operator, "Abrir el registro de lote")
    assert operator.get_by_text("El lote producido no puede ser el lote al que corresponde."
                                ).is_visible()
    assert operator.input_value("#sponsor_order") == "OC-NAV-1"
    operator.select_option("#output_lot_id", _option(operator, "#output_lot_id", "PLB-NAV-01"))
    _post(operator, "Abrir el registro de lote")
    assert operator.get_by_text("Registro de lote BR-NAV-001 abierto.").is_visible()
    record_url = operator.url

    operator.get_by_text("Entregar un material").click()
    operator.fill("#material-material", "Celulosa microcristalina")
    operator.fill("#material-supplier_lot", "MCC-NAV")
    operator.fill("#material-issued", "500")
    operator.fill("#material-unit", "g")
    _post(operator, "Añadir el material")
    operator.get_by_text("Añadir un paso").click()
    operator.fill("#step-instruction", "Compresión")
    _post(operator, "Añadir el paso")
    operator.get_by_text("Añadir un control en proceso").click()
    operator.select_option("#check-kind", "weight")
    operator.fill("#check-name", "Peso medio")
    operator.fill("#check-unit", "mg")
    operator.fill("#check-lower", "240")
    operator.fill("#check-upper", "260")
    _post(operator, "Añadir el control")
    _post(operator, "Iniciar la producción")
    assert operator.get_by_text("Producción iniciada.").is_visible()
    operator.locator("input[id^=done][id$=-password]").fill(DEMO_PASSWORD)
    _post(operator, "Firmar como hecho")
    assert operator.get_by_text("Esperando a una segunda persona").is_visible()

    second = tab()
    log_in(second, "acondicionamiento@demo.example")
    second.goto(record_url)
    second.locator("input[id^=checked][id$=-password]").fill(DEMO_PASSWORD)
    _post(second, "Firmar como comprobado")
    assert second.get_by_text("comprobado.").first.is_visible()

    operator.goto(record_url)
    operator.locator("input[id^=c][id$=-result]").fill("270")
    _post(operator, "Registrar el resultado")
    assert operator.get_by_text("El resultado está fuera de límites: describe la desviación."
                                ).is_visible()
    assert operator.locator("input[id^=c][id$=-result]").input_value() == "270"
    operator.locator("input[id^=c][id$=-result]").fill("251")
    _post(operator, "Registrar el resultado")
    operator.locator("input[id^=m][id$=-used]").fill("480")
    operator.locator("input[id^=m][id$=-returned]").fill("15")
    operator.locator("input[id^=m][id$=-wasted]").fill("5")
    _post(operator, "Conciliar")
    assert operator.get_by_text("Cuadra").is_visible()
    operator.fill("#yield-actual_quantity", "990")
    _post(operator, "Registrar el rendimiento")
    _post(operator, "Entregar a QA para liberar")
    assert operator.get_by_text("Registro de lote entregado a QA para su liberación."
                                ).is_visible()

    qa = tab()
    log_in(qa, "qp@demo.example")
    qa.goto("/home")
    with qa.expect_navigation():
        qa.locator("a", has_text="Registros de lote por liberar").first.click()
    qa.get_by_role("link", name="BR-NAV-001").click()
    qa.fill("#release-password", "incorrecta")
    _post(qa, "Liberar y firmar")
    assert qa.locator("#release-password-error").is_visible()
    qa.fill("#release-password", DEMO_PASSWORD)
    _post(qa, "Liberar y firmar")
    assert qa.get_by_text("Registro de lote liberado: el lote PLB-NAV-01 ya se puede usar."
                          ).is_visible()
    assert qa.get_by_text("Registro de lote liberado por QA").first.is_visible()
    screenshot(qa, "masking-batch-released")
