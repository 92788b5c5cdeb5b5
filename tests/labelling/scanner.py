"""A scanner in a test: render a label PDF at 300 dpi and read its DataMatrix symbols."""

import subprocess

import biip
import zxingcpp
from PIL import Image


def decode_pages(pdf_bytes, tmp_path):
    """Render every page at 300 dpi and decode its DataMatrix symbols with zxing-cpp."""
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(pdf_bytes)
    for old in tmp_path.glob("page*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        with Image.open(png) as image:
            found += zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix,
                                            text_mode=zxingcpp.TextMode.Plain)
    return found


def scanned_labels(pdf_bytes, tmp_path):
    """Return {kit serial: what a scanner sends} for every label: the symbology identifier
    ``]d2`` then the data with its group separators, as a keyboard-wedge scanner types it."""
    sent = {}
    for symbol in decode_pages(pdf_bytes, tmp_path):
        text = symbol.symbology_identifier + symbol.text
        serial = biip.parse(text).gs1_message.element_strings.get(ai="21").value
        sent[serial] = text
    return sent
