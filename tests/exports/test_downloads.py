"""Download responses, file names, and the layer's independence from domains."""

import ast
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

import app.exports
from app.exports.downloads import safe_download_name
from app.exports.excel import XLSX_MIMETYPE, Sheet, xlsx_response
from app.exports.pdf import build_pdf, para, pdf_response


@pytest.fixture
def client(export_app):
    """Return a test client of export_app with one route per kind of download."""

    @export_app.get("/kits.xlsx")
    def kits_xlsx():
        rows = ([f"KIT-{n}", n] for n in range(3))
        return xlsx_response('Envíos/2024 "final".xlsx', [Sheet("Kits", ["Kit", "N"], rows)])

    @export_app.get("/kit.pdf")
    def kit_pdf():
        return pdf_response("kit 7", build_pdf("Kit 7", [para("Body")]), inline=True)

    @export_app.get("/kit-download.pdf")
    def kit_download_pdf():
        return pdf_response("kit 7.pdf", build_pdf("Kit 7", [para("Body")]))

    return export_app.test_client()


def test_xlsx_response_is_an_uncached_attachment(client):
    response = client.get("/kits.xlsx")

    assert response.status_code == 200
    assert response.mimetype == XLSX_MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Envios_2024 _final.xlsx"' in disposition
    assert "filename*=UTF-8''Env%C3%ADos_2024%20_final.xlsx" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content_length == len(response.data)
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["KIT-0", "KIT-1", "KIT-2"]


def test_pdf_response_inline_or_attachment(client):
    inline = client.get("/kit.pdf")
    assert inline.mimetype == "application/pdf"
    assert inline.headers["Content-Disposition"] == 'inline; filename="kit 7.pdf"'
    assert inline.headers["Cache-Control"] == "no-store"
    assert inline.data.startswith(b"%PDF")
    assert inline.content_length == len(inline.data)

    attachment = client.get("/kit-download.pdf")
    assert attachment.headers["Content-Disposition"] == 'attachment; filename="kit 7.pdf"'


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("trials.xlsx", "trials.xlsx"),
        ("trials", "trials.xlsx"),
        ("TRIALS.XLSX", "TRIALS.xlsx"),
        ("../../etc/passwd", "etc_passwd.xlsx"),
        ("a\r\nSet-Cookie: x", "a_Set-Cookie_ x.xlsx"),
        ('say "hi"', "say _hi.xlsx"),
        ("", "export.xlsx"),
        (None, "export.xlsx"),
        ("envíos año.xlsx", "envíos año.xlsx"),
        ("n" * 300, "n" * 145 + ".xlsx"),
    ],
)
def test_safe_download_name(filename, expected):
    assert safe_download_name(filename, ".xlsx") == expected


def test_export_layer_imports_no_domain_code():
    package = Path(app.exports.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name != "app" and not name.startswith("app."), f"{source.name}: {name}"
