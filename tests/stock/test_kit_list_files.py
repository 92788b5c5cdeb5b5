"""Kit lists shaped as RTSM vendors deliver them: title rows, vendor column names, number
formats with leading zeros, Excel dates, footers, a cover sheet, Spanish Excel CSV."""

import io
from datetime import datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.core.errors import DomainError
from app.stock.models import Kit
from app.stock.services.kit_lists import KitListRefused, import_kit_list, preview_kit_list


def workbook(*sheets):
    """sheets: (title, rows); a cell given as (value, number format) gets that format."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                value, fmt = value if isinstance(value, tuple) else (value, None)
                cell = sheet.cell(row=r, column=c, value=value)
                if fmt:
                    cell.number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# An RTSM export (Medidata/Suvoda style): cover sheet, title rows, kit numbers stored as numbers
# shown with seven digits, an expiry as a real Excel date, a footer with the total.
RTSM = workbook(
    ("Cover", [["Study ABC-301 kit list"], ["Prepared for the depot"]]),
    ("Kit List", [["ABC-301 Kit List"], ["Generated 2026-11-20"], [],
                  ["Kit Number", "Lot Number", "Treatment", "Sequence", "Expiry Date"],
                  [(70201, "0000000"), "BL-7", "", 1, datetime(2027, 6, 30)],
                  [(70202, "0000000"), "BL-7", "", 2, datetime(2027, 6, 30)],
                  [(123, '"K"00000'), "BL-7", "", 3, datetime(2027, 6, 30)],
                  [], ["Total kits: 3"], [], []]))


def test_rtsm_workbook_keeps_its_zeros_and_skips_cover_title_and_footer(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="BL-7")
    user = make.user(roles=("logistics",))
    preview = preview_kit_list(db.session, trial, RTSM, "abc301.xlsx", user=user)
    assert preview["errors"] == [] and preview["count"] == 3
    assert (preview["table"].sheet, preview["table"].header_line) == ("Kit List", 4)
    assert preview["table"].footer_lines == 1
    assert [(str(label), header) for label, header in preview["mapping"]] == [
        ("kit number", "Kit Number"), ("blinded lot", "Lot Number"),
        ("sequence (shown, not stored)", "Sequence"),
        ("expiry (shown, not stored: the lot's expiry applies)", "Expiry Date")]
    # The empty "Treatment" column is not read and not refused: it says nothing.
    assert preview["first"][0] == (5, {"kit": "0070201", "lot": "BL-7", "sequence": "1",
                                       "expiry": "2027-06-30"})
    assert db.session.scalar(select(func.count()).select_from(Kit)) == 0  # a preview only
    kits = import_kit_list(db.session, trial, stock.make_depot(), RTSM, "abc301.xlsx",
                           user=user)
    assert [k.kit_number for k in kits] == ["0070201", "0070202", "00123"]


def test_spanish_excel_csv_windows_1252_semicolons(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="LOTE-7")
    data = ("Listado de kits – Año 2026, señal;;\nNº Kit;Lote;Secuencia\n0070201;LOTE-7;1\n"
            "0070202;LOTE-7;2\n;;\nNúmero de kits: 2;;\n").encode("cp1252")
    kits = import_kit_list(db.session, trial, stock.make_depot(), data, "kits.csv",
                           user=make.user(roles=("logistics",)))
    assert [k.kit_number for k in kits] == ["0070201", "0070202"]


def test_empty_first_sheet_and_the_sheet_the_user_chooses(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="BL-8")
    data = workbook(("Sheet1", []), ("A", [["Kit ID", "Batch"], ["A-1", "BL-8"]]),
                    ("B", [["Kit No.", "Lot"], ["B-1", "BL-8"], ["B-2", "BL-8"]]))
    user = make.user(roles=("logistics",))
    assert preview_kit_list(db.session, trial, data, "k.xlsx", user=user)["count"] == 1
    chosen = preview_kit_list(db.session, trial, data, "k.xlsx", user=user, sheet="B")
    assert chosen["count"] == 2 and chosen["table"].sheets == ["Sheet1", "A", "B"]
    with pytest.raises(DomainError, match="no sheet named C"):
        preview_kit_list(db.session, trial, data, "k.xlsx", user=user, sheet="C")
    with pytest.raises(DomainError, match=r"No sheet of the workbook \(Sheet1, Empty\)"):
        preview_kit_list(db.session, trial, workbook(("Sheet1", []), ("Empty", [[]])),
                         "k.xlsx", user=user)


def test_two_header_rows_and_zero_padded_twins_are_reported_by_row(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="BL-9")
    data = b"Kit Number,Lot Number\nKit No.,Batch\n0070201,BL-9\n70201,BL-9\n"
    with pytest.raises(KitListRefused) as refused:
        import_kit_list(db.session, trial, stock.make_depot(), data, "k.csv",
                        user=make.user(roles=("logistics",)))
    assert refused.value.lines == [
        (2, "This row repeats the header (line 1); a list has one header row."),
        (4, "Kit number 70201 and 0070201 (line 3) differ only by leading zeros; check the "
            "number format of the column.")]
    assert db.session.scalar(select(func.count()).select_from(Kit)) == 0
