"""In Chromium: a pharmacist reports a storage excursion by hand, QA decides it with the budget
on screen (signed), and the kit page names the excursion as a source of its exposure."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations

MADRID = ZoneInfo("Europe/Madrid")


def _as(browser, live_server, email):
    context = browser.new_context(base_url=live_server, locale="es-ES")
    page = context.new_page()
    log_in(page, email)
    return page


def test_pharmacist_reports_a_storage_excursion_and_qa_releases_the_kits(browser, live_server):
    site = _as(browser, live_server, "farmacia@demo.example")
    site.goto("/stock/sites")
    site.get_by_role("link", name="001").first.click()
    site.click("#report-storage-excursion")  # the logger upload, with the way to type it
    assert serious_violations(site) == []
    site.get_by_role("link", name="Introducir a mano").click()
    start = (datetime.now(MADRID) - timedelta(days=1)).replace(hour=10, minute=0)
    site.fill("#started_at", start.strftime("%Y-%m-%dT%H:%M"))
    site.fill("#ended_at", (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    site.fill("#max_c", "27.0")
    site.fill("#comment", "La puerta del armario quedó abierta durante la limpieza")
    site.get_by_role("button", name="Registrar la desviación").click()
    assert site.get_by_text("El fin debe ser posterior al inicio.").first.is_visible()
    assert site.input_value("#comment") == "La puerta del armario quedó abierta durante la limpieza"
    site.fill("#ended_at", (start + timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"))
    with site.expect_navigation():
        site.get_by_role("button", name="Registrar la desviación").click()
    assert site.get_by_text("50,0 minutos fuera de rango").first.is_visible()
    excursion_url = site.url
    assert site.locator("#decision").count() == 0  # the site does not decide
    screenshot(site, "storage-excursion-reported")

    qa = _as(browser, live_server, "qp@demo.example")
    qa.goto("/home")
    qa.get_by_text("Desviaciones en almacenamiento pendientes de su decisión de Calidad").first \
        .wait_for()
    qa.goto(excursion_url)
    qa.wait_for_function(
        "() => { const c = document.querySelector('canvas.temperature-chart');"
        " return c && window.Chart && window.Chart.getChart(c); }", timeout=10000)
    assert qa.locator("#budget-table tbody tr").count() >= 1
    assert serious_violations(qa) == []
    kit_number = qa.locator("#budget-table tbody tr").first.get_attribute("data-kit")
    qa.check("#decision-rejected")
    qa.fill("#reason", "Por precaución")
    qa.fill("form[action$='/decide'] #password", DEMO_PASSWORD)
    qa.check("form[action$='/decide'] #confirm")
    qa.click("form[action$='/decide'] button[type=submit]")
    qa.locator("dialog").get_by_role("button", name="Rechazar los kits").click()
    qa.get_by_text("Indique por qué se aparta de la propuesta.").first.wait_for()
    qa.check("#decision-released")
    qa.fill("#reason", "50 min hasta 27 °C, dentro de los datos de estabilidad")
    qa.fill("form[action$='/decide'] #password", DEMO_PASSWORD)
    qa.check("form[action$='/decide'] #confirm")
    with qa.expect_navigation():
        qa.click("form[action$='/decide'] button[type=submit]")
    assert qa.locator(".alert-success").count() == 1
    assert qa.locator("#decision").count() == 0
    screenshot(qa, "storage-excursion-released")
    qa.get_by_role("link", name=kit_number).first.click()
    assert qa.locator("#exposure-sources").get_by_text("SE-").first.is_visible()
