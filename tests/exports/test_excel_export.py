"""The .xlsx writer: formula neutralising, layout, types and streaming."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask_babel import lazy_gettext
from openpyxl import load_workbook
from openpyxl.styles.numbers import is_date_format
from python_calamine import CalamineWorkbook

from app.exports.excel import (
    MONEY_FORMAT,
    FormulaText,
    Sheet,
    neutralise,
    sanitise_sheet_title,
    write_xlsx,
)

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")']


def render(*sheets):
    """Return the bytes of a workbook holding sheets."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def reopen(data):
    """Return the first worksheet of data, loaded by openpyxl."""
    return load_workbook(io.BytesIO(data)).worksheets[0]


def calamine_rows(data):
    """Return the first sheet of data as python values, read by calamine."""
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("text", DANGEROUS + [" =1", "+cmd|' /C calc'!A0", "-A1"])
def test_neutralise_marks_formula_triggers_as_text(text):
    assert neutralise(text) == text and type(neutralise(text)) is FormulaText


@pytest.mark.parametrize("text", ["Madrid", "", "a=b", "3-4", "kit @ site", "+34 910 000 111",
                                  "-5", "- see the note", "@kit-site", "+ (34) 91 000"])
def test_neutralise_leaves_harmless_text_alone(text):
    assert neutralise(text) == text and type(neutralise(text)) is str


def test_formula_text_is_a_quote_prefixed_text_cell_and_a_phone_number_plain_text():
    sheet = reopen(render(Sheet("t", ["h"], [['=HYPERLINK("http://x","y")', "+34 910 000 111"]])))
    formula, phone = sheet["A2"], sheet["B2"]
    assert (formula.value, formula.data_type, formula.quotePrefix) == (
        '=HYPERLINK("http://x","y")', "s", True)
    assert (phone.value, phone.data_type, phone.quotePrefix) == ("+34 910 000 111", "s", False)


@pytest.mark.parametrize("value", [7, -5, 1.5, Decimal("-12.50"), date(2024, 1, 2), None, True])
def test_neutralise_leaves_other_types_alone(value):
    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_neutralise_strips_control_characters_openpyxl_refuses():
    assert neutralise("a\x00b\x07c") == "abc"
    assert neutralise("\x01=cmd") == "=cmd" and type(neutralise("\x01=cmd")) is FormulaText
    assert neutralise("line\nnext") == "line\nnext"


def test_neutralise_decodes_bytes_before_checking_for_formulas():
    assert type(neutralise(b"=1+1")) is FormulaText


def test_rows_given_as_iterators_survive_width_estimation():
    rows = (iter([f"K-{n}", n]) for n in range(3))
    sheet = reopen(render(Sheet("Iterators", ["Kit", "N"], rows)))
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["K-0", 0],
        ["K-1", 1],
        ["K-2", 2],
    ]


def test_neutralise_turns_aware_datetimes_into_naive_utc():
    madrid = datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Madrid"))
    assert neutralise(madrid) == datetime(2024, 7, 1, 10, 30)
    assert neutralise(datetime(2024, 7, 1, 12, 30)) == datetime(2024, 7, 1, 12, 30)


def test_dangerous_text_is_stored_as_text_for_openpyxl_and_calamine():
    data = render(Sheet("Hostile", ["Value"], [[text] for text in DANGEROUS]))
    # XML parsers read a literal carriage return back as a line feed.
    expected = [text.replace("\r", "\n") for text in DANGEROUS]

    cells = [row[0] for row in reopen(data).iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == expected
    assert {(cell.data_type, cell.quotePrefix) for cell in cells} == {("s", True)}
    assert [row[0] for row in calamine_rows(data)[1:]] == expected
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_layout_header_style_frozen_pane_filter_and_widths():
    rows = [["KIT-1", 3, "Madrid"], ["KIT-2", 4, "Bilbao"], ["KIT-3", 5, "Sevilla"]]
    sheet = reopen(render(Sheet("Kits", ["Kit", "Qty", "Site"], rows, widths=[12, 6, 30])))

    header = sheet[1]
    assert [cell.value for cell in header] == ["Kit", "Qty", "Site"]
    assert all(cell.font.b for cell in header)
    assert all(cell.fill.fill_type == "solid" for cell in header)
    assert all(cell.border.bottom.style == "thin" for cell in header)
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C4"
    widths = [sheet.column_dimensions[letter].width for letter in "ABC"]
    assert widths == [12, 6, 30]


def test_estimated_widths_fit_headers_and_first_rows():
    rows = [["x", "a much longer value than the header"]]
    sheet = reopen(render(Sheet("Kits", ["Protocol code", "Note"], rows)))
    assert sheet.column_dimensions["A"].width >= len("Protocol code")
    assert sheet.column_dimensions["B"].width >= len("a much longer value than the header")


def test_empty_sheet_keeps_header_and_filter():
    sheet = reopen(render(Sheet("Empty", ["A", "B"], iter(()))))
    assert [cell.value for cell in sheet[1]] == ["A", "B"]
    assert sheet.auto_filter.ref == "A1:B1"


def test_money_dates_and_custom_number_formats():
    madrid = datetime(2024, 7, 1, 12, 30, tzinfo=ZoneInfo("Europe/Madrid"))
    new_year = datetime(2024, 1, 1, tzinfo=UTC)
    row = [Decimal("1234.50"), madrid, date(2024, 1, 2), 0.25, None, new_year]
    headers = ["Price", "Shipped", "Expiry", "Share", "Empty", "Created"]
    sheet = reopen(render(Sheet("Types", headers, [row], number_formats={3: "0%"})))
    price, shipped, expiry, share, empty, created = sheet[2]

    assert price.data_type == "n"
    assert price.value == Decimal("1234.50")
    assert price.number_format == MONEY_FORMAT
    assert shipped.value == datetime(2024, 7, 1, 10, 30)
    assert is_date_format(shipped.number_format)
    assert expiry.value == datetime(2024, 1, 2)
    assert is_date_format(expiry.number_format)
    assert share.number_format == "0%"
    assert empty.value is None
    assert created.value == datetime(2024, 1, 1)


def test_money_format_survives_in_calamine():
    data = render(Sheet("Money", ["Price"], [[Decimal("9.99")], [Decimal("-0.01")]]))
    assert [row[0] for row in calamine_rows(data)[1:]] == [9.99, -0.01]


def test_lazy_translated_headers_are_written_as_text(export_app):
    sheet = reopen(render(Sheet(lazy_gettext("Kits"), [lazy_gettext("Kit")], [["K-1"]])))
    assert sheet.title == "Kits"
    assert sheet["A1"].value == "Kit"


def test_ten_thousand_rows_from_a_generator():
    def rows():
        for number in range(10_000):
            yield (f"KIT-{number:05d}", number, Decimal(number) / 100, date(2025, 1, 1))

    data = render(Sheet("Kits", ["Kit", "Number", "Price", "Expiry"], rows()))
    values = calamine_rows(data)[1:]  # calamine reads 10,000 rows far faster than openpyxl
    assert len(values) == 10_000
    assert values[-1] == ["KIT-09999", 9999, 99.99, date(2025, 1, 1)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert '<autoFilter ref="A1:D10001"' in archive.read("xl/worksheets/sheet1.xml").decode()


class RecordingRow(list):
    """A row that notes its number each time the writer iterates it."""

    def __init__(self, number, seen):
        super().__init__([number])
        self.number, self.seen = number, seen

    def __iter__(self):
        self.seen.append(self.number)
        return super().__iter__()


@pytest.mark.parametrize(("widths", "look_ahead"), [([10], 0), (None, 50)])
def test_rows_are_consumed_as_they_are_produced(widths, look_ahead):
    seen = []

    def rows():
        for number in range(500):
            # Everything but a bounded sample (for width estimation) is already written.
            assert len(set(seen)) >= number - look_ahead
            yield RecordingRow(number, seen)

    render(Sheet("Stream", ["N"], rows(), widths=widths))
    assert len(set(seen)) == 500


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Envíos: 2024/25 [draft]", "Envíos_ 2024_25 _draft_"),
        ("a*b?c\\d", "a_b_c_d"),
        ("x" * 40, "x" * 31),
        ("", "Sheet"),
        (None, "Sheet"),
        ("'quoted'", "quoted"),
        ("History", "History (2)"),
        ("tab\there", "tab_here"),
    ],
)
def test_sanitise_sheet_title(title, expected):
    assert sanitise_sheet_title(title) == expected


def test_sanitise_sheet_title_avoids_taken_names_within_31_characters():
    assert sanitise_sheet_title("kits", taken=["Kits"]) == "kits (2)"
    assert sanitise_sheet_title("Kits", taken=["Kits", "Kits (2)"]) == "Kits (3)"
    long_title = "y" * 31
    renamed = sanitise_sheet_title(long_title, taken=[long_title])
    assert renamed == "y" * 27 + " (2)"
    assert len(renamed) == 31


def test_workbook_with_duplicate_and_hostile_titles_opens():
    data = render(Sheet("Kits", ["A"], [[1]]), Sheet("Kits", ["A"], [[2]]), Sheet("[x]", [], []))
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Kits", "Kits (2)", "_x_"]


def test_no_sheets_still_gives_a_valid_workbook():
    assert load_workbook(io.BytesIO(render())).sheetnames == ["Sheet"]


def test_a_date_format_does_not_leak_into_the_next_cells():
    sheet = reopen(render(Sheet("Cells", ["A", "B"], [[date(2024, 1, 2), 5], [1, Decimal(2)]])))
    assert is_date_format(sheet["A2"].number_format)
    assert sheet["B2"].number_format == "General"
    assert sheet["A3"].number_format == "General"
    assert sheet["B3"].number_format == MONEY_FORMAT
