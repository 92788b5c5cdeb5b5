"""PDF receipts without active content: every page rewritten into a new document.

Only the pages travel (their content streams and the fonts and images those use). The
catalogue with its OpenAction, JavaScript name tree, embedded files, AcroForm and XFA is left
behind; page actions (/AA) and annotations (links, form widgets, file attachments) are
dropped. A receipt needs none of them, and a staff member opening it runs none of them.
"""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image

from app.files.services import FileRefused

MAX_PDF_PAGES = 20
_PAGE_KEYS_DROPPED = ("/AA", "/Annots", "/B", "/PieceInfo", "/Thumb")


def _read_errors():
    """Return what reading a broken PDF may raise (pypdf imported here: 13 MB)."""
    from pypdf.errors import PdfReadError, PyPdfError

    return (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError,
            AttributeError, IndexError, RecursionError)


def _reader(data):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner password only restricts printing or copying: open it with no password.
            if not reader.decrypt(""):
                raise FileRefused(_("This PDF is protected by a password. Save or print it "
                                    "again without a password and attach that copy."))
        pages = len(reader.pages)
    except FileRefused:
        raise
    except _read_errors():
        raise FileRefused(_("This PDF is damaged and cannot be read. Try another copy."))\
            from None
    if pages == 0 or pages > MAX_PDF_PAGES:
        raise FileRefused(_("A receipt PDF must have between 1 and %(n)d pages; this one "
                            "has %(pages)d.", n=MAX_PDF_PAGES, pages=pages))
    return reader


def _fonts_of(resources, depth=0):
    """Yield the font dictionaries a resource dictionary uses (form XObjects included)."""
    if resources is None or depth > 3:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        yield from (font.get_object() for font in fonts.get_object().values())
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts_of(xobject.get("/Resources"), depth + 1)


def _embedded(font):
    if font.get("/Subtype") == "/Type3":
        return True  # drawn by the PDF's own glyph procedures
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def has_unembedded_fonts(reader):
    """Return True when a page uses a font the PDF does not carry (Helvetica, Arial...)."""
    return any(not _embedded(font) for page in reader.pages
               for font in _fonts_of(page.get("/Resources")))


def rasterise(data, dpi=150):
    """Return an image-only PDF of the pages (no fonts, no scripts), or None without poppler."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(data)
        subprocess.run([tool, "-r", str(dpi), "-png", str(source), str(Path(folder) / "p")],
                       check=True, capture_output=True, timeout=120)
        pages = [Image.open(path).convert("RGB")
                 for path in sorted(Path(folder).glob("p*.png"))]
        out = io.BytesIO()
        pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def rewrite_pdf(data):
    """Return the bytes of a new PDF with the receipt's pages and no active content.

    Pages whose fonts the PDF does not embed are rasterised instead, so the Expense
    Reimbursement Sheet they are appended to embeds every font it shows.
    """
    from pypdf import PdfReader, PdfWriter

    reader = _reader(data)
    writer = PdfWriter()
    try:
        for page in reader.pages:
            for key in _PAGE_KEYS_DROPPED:
                if key in page:
                    del page[key]
            writer.add_page(page)
        writer.add_metadata({"/Producer": "receipt rewritten without active content"})
        out = io.BytesIO()
        writer.write(out)
    except _read_errors():
        raise FileRefused(_("This PDF is damaged and cannot be read. Try another copy."))\
            from None
    result = out.getvalue()
    if has_unembedded_fonts(PdfReader(io.BytesIO(result))):
        result = rasterise(result) or result
    if not has_no_active_content(result):
        raise FileRefused(_("This PDF carries scripts or attachments that could not be "
                            "removed. Print it to a new PDF, or attach a photo of the receipt."))
    return result


def has_no_active_content(data):
    """Return True when a PDF holds no JavaScript, actions, embedded files or forms."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    if any(key in root for key in ("/OpenAction", "/AA", "/AcroForm", "/Names")):
        return False
    for page in reader.pages:
        if any(key in page for key in ("/AA", "/Annots")):
            return False
    return b"/JavaScript" not in data and b"/EmbeddedFile" not in data and b"/Launch" not in data
