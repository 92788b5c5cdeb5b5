"""The shipping label is a 100 x 150 mm courier label: sender and recipient addresses, the
site contact and phone, storage conditions and a barcode a scanner reads; long texts wrap or
end with an ellipsis."""

import io
import shutil
import subprocess

from pypdf import PdfReader

from app.exports.pdf_fonts import FONT, register_fonts
from app.exports.pdf_label import fit_lines
from app.shipments.models import Shipment
from tests.shipments.test_views import dispatched_via_screens, pdftotext


def test_label_is_100_by_150_mm_with_addresses_contact_storage_and_barcode(
        client, login, db, world, tmp_path):
    sid = dispatched_via_screens(client, login, db, world)
    shipment = db.session.get(Shipment, sid)
    data = client.get(f"/shipments/{sid}/label.pdf").data
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4),
            round(float(page.mediabox.height) / 72 * 25.4)) == (100, 150)
    text = " ".join(pdftotext(data).split())
    site = world.site
    assert "FROM" in text and "TO" in text and site.hospital in text
    assert f"Contact: {site.principal_investigator}" in text
    assert "Store at 2 to 8" in text and shipment.number in text
    assert client.application.config["COMPANY_PHONE"] in text
    assert shutil.which("zbarimg") and shutil.which("pdftoppm")
    (tmp_path / "label.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "label.pdf"),
                    str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "-q", str(next(tmp_path.glob("page*.png")))],
                         capture_output=True).stdout
    assert f"CODE-128:{shipment.number}".encode() in out


def test_long_texts_wrap_then_end_with_an_ellipsis(app):
    register_fonts()
    name = "Hospital Universitario " + "Muy Largo " * 30
    lines = fit_lines(name, FONT, 10, 200, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert fit_lines("Short", FONT, 10, 200, 3) == ["Short"]
