"""The PDF base: letterhead, page numbers, signatures and hostile text."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from reportlab.platypus import PageBreak, Paragraph

from app.exports import pdf_page, pdf_signatures
from app.exports.pdf import build_pdf, escape_text, para, styles, table
from app.exports.pdf_fonts import FONT, FONT_BOLD

from .conftest import COMPANY

HASH = "0123456789abcdef" + "f" * 48
HOSTILE = "<script>alert(1)</script>"
FIXED_LABELS = ["Page 1 of 1", "Electronic signatures", "Name", "Meaning", "Signature", "Date"]
FIXED_LABELS += ["Date and time (UTC)", "Content hash"]
GENERATED_AT = re.compile(r"Generated at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def test_pdf_bytes(export_app):
    assert build_pdf("Shipment SH-1", [para("Hello")]).startswith(b"%PDF")


def test_every_page_has_letterhead_title_time_and_page_count(export_app, pdf_text):
    story = [para("First page"), PageBreak(), para("Second page")]
    pages = pdf_text(build_pdf("Kit return KR-7", story, subtitle="Hospital Clínic"))

    assert len(pages) == 2
    for number, page in enumerate(pages, 1):
        assert COMPANY["COMPANY_NAME"] in page
        assert COMPANY["COMPANY_ADDRESS"] in page
        assert COMPANY["COMPANY_PHONE"] in page
        assert "Kit return KR-7" in page
        assert GENERATED_AT.search(page)
        assert f"Page {number} of 2" in page
    assert "Hospital Clínic" in pages[0]


def test_generated_at_is_now_in_utc(export_app, pdf_text):
    before = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    page = pdf_text(build_pdf("Now", []))[0]
    after = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    stamp = GENERATED_AT.search(page).group(0)
    assert stamp in {f"Generated at {before} UTC", f"Generated at {after} UTC"}


def test_missing_company_details_fall_back_to_blank(export_app, pdf_text):
    for key in COMPANY:
        export_app.config.pop(key)
    page = pdf_text(build_pdf("No company", [para("Body")]))[0]
    assert "No company" in page
    assert "Tel." not in page
    assert "Page 1 of 1" in page


def test_electronic_signatures_show_name_meaning_utc_time_and_hash_prefix(export_app, pdf_text):
    signed_in_madrid = datetime(2025, 3, 1, 15, 5, 9, tzinfo=ZoneInfo("Europe/Madrid"))
    signatures = [
        {
            "printed_name": "Ana Pérez",
            "meaning": "Approved",
            "signed_at": signed_in_madrid,
            "content_hash": HASH,
        },
        SimpleNamespace(
            printed_name="Jon Etxeberria",
            meaning="released",
            meaning_label="Released for shipment",
            signed_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC),
            content_hash=HASH,
        ),
    ]
    text = "".join(pdf_text(build_pdf("Release", [], signatures=signatures)))

    assert "Electronic signatures" in text
    assert "Ana Pérez" in text
    assert "Approved" in text
    assert "2025-03-01 14:05:09 UTC" in text
    assert "Jon Etxeberria" in text
    assert "Released for shipment" in text
    assert "2025-03-02 09:00:00 UTC" in text
    assert HASH[:16] in text
    assert HASH[:17] not in text


def test_signature_lines_give_name_signature_and_date(export_app, pdf_text):
    text = pdf_text(build_pdf("Destruction", [], signature_lines=["Responsible person", "Witness"]))
    text = "".join(text)
    assert "Responsible person" in text
    assert "Witness" in text
    assert text.count("Signature") == 2
    assert "Electronic signatures" not in text


def test_fixed_labels_go_through_gettext(export_app, pdf_text, monkeypatch):
    def marked(message, **variables):
        return "«" + (message % variables) + "»"

    monkeypatch.setattr(pdf_page, "_", marked)
    monkeypatch.setattr(pdf_signatures, "_", marked)
    signature = {"printed_name": "A", "meaning": "B", "signed_at": datetime.now(UTC)}
    text = pdf_text(build_pdf("T", [], signatures=[signature], signature_lines=["Witness"]))[0]
    for label in FIXED_LABELS:
        assert f"«{label}»" in text
    assert GENERATED_AT.search(text.replace("«", "").replace("»", ""))
    assert f"«Tel. {COMPANY['COMPANY_PHONE']}»" in text


def test_hostile_text_is_printed_literally(export_app, pdf_text):
    hostile_rows = [[HOSTILE, "&amp; <b>bold</b> <para>", "a\x00b\x07c"]]
    story = [para(HOSTILE), table(["Value", "Markup", "Control"], hostile_rows)]
    text = "".join(pdf_text(build_pdf(HOSTILE, story, subtitle=HOSTILE)))
    assert text.count(HOSTILE) >= 4  # letterhead, title, subtitle, paragraph, table
    assert "&amp; <b>bold</b> <para>" in text
    assert "abc" in text


def test_letterhead_keeps_control_characters_and_line_breaks_out(export_app, pdf_text):
    export_app.config["COMPANY_NAME"] = "Ensayo\x00 Logística\nS.L."
    page = pdf_text(build_pdf("Kit\r\nreturn\x07 KR-7", [para("Body")]))[0]
    assert "Ensayo Logística S.L." in page
    assert "Kit return KR-7" in page


def test_long_unbroken_and_multilingual_text_does_not_crash(export_app, pdf_text):
    long_word = "x" * 10_000
    long_prose = "palabra " * 1_250
    multilingual = "Envío € ñ — مرحبا بالعالم — שלום עולם — 😀🧪 — Ωμέγα — Привет"
    story = [
        para(long_word),
        para(multilingual),
        table(["Comment", "Note"], [[long_prose, long_word], [multilingual, HOSTILE]]),
    ]
    pages = pdf_text(build_pdf(long_word, story, subtitle=multilingual, landscape=True))
    text = "".join(pages)
    assert len(pages) > 2
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Envío € ñ" in text
    assert "Привет" in text
    assert HOSTILE in text


def test_table_accepts_plain_values_and_default_widths(export_app, pdf_text):
    rows = [[1, None, Decimal("12.50"), date(2025, 1, 2), datetime(2025, 1, 2, 8, 0, tzinfo=UTC)]]
    built = table(["N", "Empty", "Price", "Day", "When"], rows)
    assert built.repeatRows == 1
    text = " ".join(pdf_text(build_pdf("Table", [built]))[0].split())  # cells wrap
    for expected in ("12.50", "2025-01-02", "2025-01-02 08:00:00 UTC"):
        assert expected in text


def test_landscape_turns_the_page(export_app):
    portrait = build_pdf("P", [])
    landscape = build_pdf("L", [], landscape=True)
    assert re.search(rb"/MediaBox \[ 0 0 595\.2756 841\.8898 \]", portrait)
    assert re.search(rb"/MediaBox \[ 0 0 841\.8898 595\.2756 \]", landscape)


def test_styles_and_para_use_dejavu(export_app):
    sheet = styles()
    assert sheet["Normal"].fontName == FONT
    assert sheet["Heading1"].fontName == FONT_BOLD
    assert sheet["Code"].fontName == FONT
    paragraph = para("x", "Heading2")
    assert isinstance(paragraph, Paragraph)
    assert paragraph.style.fontName == FONT_BOLD


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("one\r\ntwo\rthree", "one<br/>two<br/>three"),
        (None, ""),
        (42, "42"),
        ("bell\x07", "bell"),
    ],
)
def test_escape_text(text, expected):
    assert escape_text(text) == expected
