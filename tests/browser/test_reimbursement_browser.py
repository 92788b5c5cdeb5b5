"""In Chromium: a patient on a phone claims with a receipt; site, finance and payment follow."""

import io
import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from PIL import Image

from app.core import clock
from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.dbsetup import ROOT


def _start_consumer():
    """Start a real job consumer on the live server's database and queue."""
    from tests.browser.test_destruction_browser import _browser_database_url

    env = {**os.environ, "DATABASE_URL": _browser_database_url(), "APP_CONFIG": "development",
           "FLASK_APP": "wsgi", "PYTHONPATH": str(ROOT), "ARGON2_PROFILE": "test"}
    return subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.queue.huey", "-w", "1",
         "-k", "thread"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


def _jpeg():
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (240, 240, 230)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def desktop(browser, live_server):
    contexts = []

    def open_as(email):
        context = browser.new_context(base_url=live_server, locale="es-ES")
        contexts.append(context)
        tab = context.new_page()
        log_in(tab, email)
        return tab

    yield open_as
    for context in contexts:
        context.close()


def _submit(page, control):
    """Click a link or a form's button and wait for the next page."""
    with page.expect_navigation():
        control.click()


def _prepare_batch(finance, claim_id, problems):
    """Put only this claim into a new batch; return the batch page's address."""
    finance.goto("/reimbursement/batches/new")
    _axe(finance, problems)
    boxes = finance.locator("input[name=claims]:not([disabled])")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        if box.get_attribute("value") != str(claim_id):
            box.uncheck()
    _submit(finance, finance.get_by_role("button", name="Preparar remesa"))
    assert "/batches/" in finance.url
    _axe(finance, problems)
    return finance.url


def _axe(page, problems):
    found = serious_violations(page)
    if found:
        problems[page.url] = found


def test_the_whole_flow_from_a_phone_to_payment(phone, desktop):
    problems = {}
    log_in(phone, "paciente1@demo.example")
    phone.goto("/my/")
    assert phone.locator("h1").inner_text() == "Mis gastos"
    _axe(phone, problems)
    for path in ("/my/policy", "/my/bank"):
        phone.goto(path)
        _axe(phone, problems)
    phone.goto("/my/")
    _submit(phone, phone.get_by_role("link", name="Nueva solicitud"))
    _axe(phone, problems)
    phone.get_by_label("V6 · Fin de estudio").check()
    _submit(phone, phone.get_by_role("button", name="Empezar solicitud"))
    claim_url = phone.url
    claim_id = int(re.search(r"/claims/(\d+)", claim_url).group(1))
    _axe(phone, problems)
    day = (clock.today() - timedelta(days=3)).isoformat()
    # A bad amount first: a clear message, what was typed kept.
    phone.get_by_label("Taxi", exact=True).check()
    phone.fill("input[name=line_date]", day)
    phone.fill("input[name=description]", "Taxi al hospital")
    phone.fill("input[name=amount]", "-3")
    _submit(phone, phone.get_by_role("button", name="Añadir gasto"))
    assert "El importe debe ser mayor que 0." in phone.content()
    assert phone.input_value("input[name=description]") == "Taxi al hospital"
    _axe(phone, problems)
    phone.fill("input[name=amount]", "31,50")
    phone.set_input_files("input[name=receipt]", files=[
        {"name": "taxi.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    _submit(phone, phone.get_by_role("button", name="Añadir gasto"))
    assert "Gasto añadido." in phone.content()
    phone.get_by_label("Coche (kilómetros)").check()
    phone.fill("input[name=line_date]", day)
    phone.fill("input[name=description]", "Coche casa - hospital")
    phone.fill("input[name=quantity]", "40")
    _submit(phone, phone.get_by_role("button", name="Añadir gasto"))
    assert "10,40" in phone.content()  # 40 km x 0,26
    phone.locator("input[name=declaration]").check()
    _submit(phone, phone.get_by_role("button", name="Enviar solicitud"))
    assert "Enviada" in phone.content()
    _axe(phone, problems)
    screenshot(phone, "reimbursement-patient-claim-submitted")

    site = desktop("farmacia@demo.example")
    site.goto("/reimbursement/validation")
    _axe(site, problems)
    site.goto(f"/reimbursement/claims/{claim_id}")
    _axe(site, problems)
    site.locator("input[name^=decision_][value=reduced]").first.check()
    site.locator("input[name^=amount_]").first.fill("25")
    site.locator("input[name^=reason_]").first.fill("Tarifa habitual de taxi: 25 €")
    _submit(site, site.get_by_role("button", name="Validar solicitud"))
    assert "validada" in site.content()

    finance = desktop("finanzas@demo.example")
    finance.goto("/reimbursement/approval")
    _axe(finance, problems)
    finance.goto(f"/reimbursement/claims/{claim_id}")
    _axe(finance, problems)
    finance.locator("input[name=approve_all]").check()
    _submit(finance, finance.get_by_role("button", name="Aprobar solicitud"))
    _prepare_batch(finance, claim_id, problems)
    # A prepared batch is cancelled with a reason after a confirmation (issue 12): the claim
    # waits for payment again and goes into a new batch.
    finance.locator("details summary", has_text="Anular esta remesa").click()
    finance.fill("form[action$='/cancel'] textarea[name=reason]", "Fecha de ejecución errónea")
    finance.locator("form[action$='/cancel'] button[type=submit]").click()
    _submit(finance, finance.locator("dialog.confirm-dialog [data-confirm-yes]"))
    assert "Remesa anulada; sus solicitudes vuelven a esperar el pago." in finance.content()
    _axe(finance, problems)
    batch_url = _prepare_batch(finance, claim_id, problems)

    releaser = desktop("finanzas2@demo.example")
    releaser.goto(batch_url)
    releaser.fill("input[name=password]", "Demo-Ensayo-2026")
    releaser.locator("input[name=confirm]").check()
    _submit(releaser, releaser.locator("form[action$='/release'] button[type=submit]"))
    assert "Remesa liberada." in releaser.content()
    # The SEPA file is a background job (a real huey_consumer): prepare, leave, come back.
    consumer = _start_consumer()
    try:
        _submit(releaser, releaser.get_by_role("button", name="Preparar el fichero SEPA"))
        assert "/jobs/" in releaser.url
        progress_url = f"{releaser.url}/progress"  # what the page's progress bar polls
        for _attempt in range(120):
            state = releaser.request.get(progress_url).json()
            if state["done"]:
                break
            time.sleep(1)
        assert state["status"] == "ready", state
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    releaser.goto(batch_url)
    _axe(releaser, problems)
    link = releaser.get_by_role("link", name=re.compile(r"^Fichero SEPA \(XML\)"))
    with releaser.expect_download() as download:
        link.first.click()
    xml = open(download.value.path(), "rb").read()
    assert f"<Ustrd>RC-{claim_id:06d}</Ustrd>".encode() in xml and b"ONC-2024" not in xml
    # The bank's value date and reference, then an accessible confirmation (issue 12).
    value_date = clock.today().isoformat()  # executed today; a later date would be refused
    releaser.fill("form[action$='/paid'] input[name=value_date]", value_date)
    releaser.fill("form[action$='/paid'] input[name=bank_reference]", "BK-2026-0001")
    releaser.locator("form[action$='/paid'] button[type=submit]").click()
    _submit(releaser, releaser.locator("dialog.confirm-dialog [data-confirm-yes]"))
    assert "pagada" in releaser.content().lower()
    screenshot(releaser, "reimbursement-batch-paid")

    phone.goto(claim_url)
    content = phone.content()
    for label in ("Enviada", "Validada por el centro", "Aprobada por finanzas", "Pagada",
                  "Tarifa habitual de taxi: 25 €"):
        assert label in content, label
    _axe(phone, problems)
    screenshot(phone, "reimbursement-patient-claim-paid")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Descargar la hoja de reembolso de gastos (PDF)").click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")
    assert problems == {}


@pytest.mark.parametrize("email, paths", [
    ("cuidador1@demo.example", ["/my/", "/my/claims/new", "/my/bank", "/my/policy"]),
    ("paciente2@demo.example", ["/my/", "/my/claims/new"]),
])
def test_every_patient_page_passes_axe_on_a_phone(phone, email, paths):
    log_in(phone, email)
    problems = {}
    for path in paths:
        assert phone.goto(path).status == 200, path
        _axe(phone, problems)
    phone.goto("/my/")
    links = phone.locator("a.claim-card")
    for index in range(links.count()):
        phone.goto("/my/")
        _submit(phone, phone.locator("a.claim-card").nth(index))
        _axe(phone, problems)
    screenshot(phone, f"reimbursement-{email.split('@')[0]}")
    assert problems == {}


def test_staff_pages_pass_axe(desktop):
    problems = {}
    finance = desktop("finanzas@demo.example")
    for path in ("/reimbursement/", "/reimbursement/batches", "/reimbursement/batches/new"):
        assert finance.goto(path).status == 200
        _axe(finance, problems)
    finance.goto("/reimbursement/batches")
    _submit(finance, finance.locator("tbody a").first)
    _axe(finance, problems)
    finance.goto("/reimbursement/?status=validated")
    _submit(finance, finance.locator("tbody a").first)
    _axe(finance, problems)
    _submit(finance, finance.get_by_role("link", name="Datos bancarios"))
    _axe(finance, problems)
    site = desktop("farmacia@demo.example")
    site.goto("/reimbursement/subjects")
    _axe(site, problems)
    site.goto("/reimbursement/")
    _submit(site, site.locator("tbody a").first)
    _axe(site, problems)
    _submit(site, site.get_by_role("link", name=re.compile("^Sujeto ")))
    _axe(site, problems)
    _submit(site, site.get_by_role("link", name="Política de reembolso"))
    _axe(site, problems)
    monitor = desktop("monitor@demo.example")
    monitor.goto("/reimbursement/")
    _axe(monitor, problems)
    screenshot(monitor, "reimbursement-monitor")
    assert problems == {}
