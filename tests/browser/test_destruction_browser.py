"""In Chromium: returns and destruction per role with axe, then the main journey on the demo:
logistics executes the witnessed batch (a wrong password first), prepares the certificate as a
background job (a real huey_consumer) and downloads it, sends it to the sponsor (the outbox
attaches the same PDF) and finds it in the site's accountability log; the monitor sees the
reconciliation."""

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.browser.conftest import log_in, screenshot, serious_violations
from tests.dbsetup import ROOT, base_url

PAGES = {
    "logistica@demo.example": ["/destruction/", "/destruction/reconciliations/new",
                               "/destruction/authorisations/new", "/destruction/batches/new",
                               "/destruction/reconciliations/1", "/destruction/batches/1",
                               "/destruction/authorisations/1"],
    "farmacia@demo.example": ["/destruction/", "/destruction/reconciliations/1"],
    "monitor@demo.example": ["/destruction/", "/destruction/reconciliations/1"],
}


def _browser_database_url():
    """Return the live server's database (tests/browser/conftest.py made it) without remaking it."""
    url = make_url(base_url())
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{ROOT / 'instance' / 'test_browser.db'}"
    return url.set(database=f"{url.database}_browser").render_as_string(hide_password=False)


@pytest.mark.parametrize("email", list(PAGES))
def test_destruction_pages_open_and_pass_axe(page, email):
    log_in(page, email)
    problems = {}
    for path in PAGES[email]:
        response = page.goto(path)
        assert response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    screenshot(page, f"destruction-{email.split('@')[0]}")
    assert problems == {}


def _sign(page, button_label, password):
    form = page.locator("form", has=page.get_by_role("button", name="Firmar"))
    form.locator("input[name=password]").fill(password)
    form.locator("input[name=confirm]").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Firmar").click()


def test_logistics_executes_the_batch_and_gets_the_certificate(page, live_server):
    log_in(page, "logistica@demo.example")
    page.goto("/destruction/reconciliations/1")
    assert page.get_by_text("Verificada por el monitor").first.is_visible()
    page.goto("/destruction/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^DST-\d{4}-\d{6}$")).first.click()
    assert page.get_by_text("Firmado por el testigo").first.is_visible()
    batch_url = page.url
    assert page.locator("#device-count").inner_text() == "1"
    assert page.get_by_role("cell", name="PUMP-DST-0001", exact=True).is_visible()
    _sign(page, "Firmar", "wrong-password")
    assert page.get_by_text("La contraseña no es correcta").first.is_visible()
    _sign(page, "Firmar", "Demo-Ensayo-2026")
    assert page.get_by_text("Lote ejecutado").first.is_visible()
    screenshot(page, "destruction-executed")
    env = {**os.environ, "DATABASE_URL": _browser_database_url(), "APP_CONFIG": "development",
           "FLASK_APP": "wsgi", "PYTHONPATH": str(ROOT), "ARGON2_PROFILE": "test"}
    consumer = subprocess.Popen(
        [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.queue.huey", "-w", "1",
         "-k", "thread"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        with page.expect_navigation():
            page.get_by_role("button", name="Preparar el certificado").click()
        assert "/jobs/" in page.url
        screenshot(page, "destruction-certificate-job")
        link = page.get_by_role("link", name="Descargar el certificado (PDF)")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            page.goto(batch_url)
            if link.count():
                break
            time.sleep(1)
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el certificado (PDF)").click()
    path = download.value.path()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Certificado de destrucción CD-" in text and "SP-ONC-DEST-2026-01" in text
    assert "Dispositivos destruidos: 1" in text
    assert "B. Braun Perfusor Space PUMP-DST-0001 04046964000017" in [
        " ".join(line.split()) for line in text.splitlines()]
    assert serious_violations(page) == []
    certificate = Path(path).read_bytes()
    number = re.search(r"CD-\d{4}-\d{6}", text).group(0)
    _sent_with_the_pdf_and_in_the_sites_log(page, batch_url, number, certificate)


def _sent_with_the_pdf_and_in_the_sites_log(page, batch_url, number, certificate):
    """Logistics sends the certificate; site 001's log names it; the outbox attaches the PDF."""
    page.goto(batch_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar al promotor").click()
    assert page.get_by_text("Enviado el").first.is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Centro 001").click()
    table = page.locator("#dispositions")
    assert table.get_by_role("link", name=number).is_visible()
    screenshot(page, "destruction-accountability-disposition")
    assert serious_violations(page) == []
    page.context.clear_cookies()
    log_in(page, "admin@demo.example")
    page.goto(f"/admin/outbox?q={number}")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{number}.pdf").click()
    attached = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(attached).hexdigest() == hashlib.sha256(certificate).hexdigest()
    assert serious_violations(page) == []
