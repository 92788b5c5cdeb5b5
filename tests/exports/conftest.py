"""Fixtures: a bare Flask app, so the export layer is tested without any domain."""

import shutil
import subprocess

import pytest
from flask import Flask
from flask_babel import Babel

from tests.demo import demo, demo_connection  # noqa: F401 - the PDF fonts test uses the demo

COMPANY = {
    "COMPANY_NAME": "Ensayo Logística Clínica S.L.",
    "COMPANY_ADDRESS": "Calle de la Ciencia 12, 28760 Tres Cantos, Madrid",
    "COMPANY_PHONE": "+34 910 000 000",
}


@pytest.fixture
def export_app():
    """Yield a minimal app with Babel and company details, its context pushed."""
    app = Flask(__name__)
    app.config.update(TESTING=True, **COMPANY)
    Babel(app)
    with app.app_context():
        yield app


@pytest.fixture
def pdf_text(tmp_path):
    """Return a function giving the text of PDF bytes, one string per page."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; PDF text checks skipped")

    def extract(data):
        path = tmp_path / "document.pdf"
        path.write_bytes(data)
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            check=True,
            text=True,
        )
        # pdftotext ends every page with a form feed.
        return result.stdout.split("\f")[:-1]

    return extract
