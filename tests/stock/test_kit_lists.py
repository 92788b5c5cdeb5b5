"""Kit list uploads (CSV and Excel), lots and products: every bad row reported, nothing saved."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.core import clock
from app.core.errors import DomainError
from app.core.templating import local_date
from app.stock.models import Kit
from app.stock.services.catalog import (
    create_blinded_lot,
    create_lot,
    gtin_is_valid,
    save_product,
)
from app.stock.services.kit_lists import KitListRefused, import_kit_list


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode()


def upload(*args, **kwargs):
    """Import a kit list; return (kits, []) or, when it is refused, ([], the bad lines)."""
    try:
        return import_kit_list(*args, **kwargs), []
    except KitListRefused as refused:
        return [], refused.lines


def kit_count(db, trial):
    return db.session.scalar(select(func.count()).where(Kit.trial_id == trial.id))


def test_a_csv_kit_list_is_imported_in_file_order(db, make, stock):
    trial = make.trial(blinded=True)
    lot = stock.make_lot(trial=trial, number="BL-1")
    depot = stock.make_depot()
    user = make.user(roles=("logistics",))
    kits, errors = upload(db.session, trial, depot, csv_bytes(
        "kit number;blinded lot", "K-100;BL-1", "K-207;bl-1"), "kits.csv", user=user)
    assert errors == [] and [k.kit_number for k in kits] == ["K-100", "K-207"]
    assert kits[0].lot_id == lot.id and kits[0].state == "available"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="GOOD")
    stock.make_lot(trial=trial, number="OLD", expires_on=clock.today() - timedelta(days=3))
    stock.make_lot(trial=make.trial(), number="OTHER")
    stock.make_kits(trial, 1, lot=None)
    existing = db.session.scalar(select(Kit.kit_number).where(Kit.trial_id == trial.id))
    user = make.user(roles=("logistics",))
    data = csv_bytes("kit,lot", "A1,GOOD", "A1,GOOD", f"{existing},GOOD", "A2,NOPE", ",GOOD",
                     "A3,OLD", "A4,OTHER", "bad kit!,GOOD", "A5,GOOD")
    kits, errors = upload(db.session, trial, stock.make_depot(), data, "k.csv",
                                   user=user)
    assert kits == []
    assert [line for line, _ in errors] == [3, 4, 5, 6, 7, 8, 9]
    old_expiry = local_date(clock.today() - timedelta(days=3))
    assert errors == [
        (3, "Kit number A1 appears twice in the file (first on line 2)."),
        (4, f"Kit number {existing} already exists in this trial."),
        (5, "Lot NOPE is unknown."),
        (6, "The kit number is missing."),
        (7, f"Lot OLD expired on {old_expiry}; expired stock cannot be received."),
        (8, "Lot OTHER belongs to another trial."),
        (9, "Kit number bad kit! may only hold letters, digits and hyphens (at most 40)."),
    ]
    assert kit_count(db, trial) == 1


def test_a_column_stock_does_not_read_refuses_the_file_without_naming_rows(db, make, stock):
    trial = make.trial(blinded=True)
    stock.make_lot(trial=trial, number="BL-2")
    user = make.user(roles=("unblinded",))
    kits, errors = upload(db.session, trial, stock.make_depot(), csv_bytes(
        "kit,lot,Treatment", "K1,BL-2,", "K2,BL-2,Placebo"), "k.csv", user=user)
    assert kits == [] and errors == [(1, "Column Treatment is not read by this upload; "
                                         "nothing was imported.")]
    assert kit_count(db, trial) == 0


def test_an_excel_kit_list_is_read(db, make, stock):
    trial = make.trial()
    stock.make_lot(trial=trial, number="XL-1")
    book = Workbook()
    sheet = book.active
    sheet.append(["Kit number", "Blinded lot"])
    sheet.append([1234567, "XL-1"])
    sheet.append(["7654321", "XL-1"])
    buffer = io.BytesIO()
    book.save(buffer)
    kits, errors = upload(db.session, trial, stock.make_depot(), buffer.getvalue(),
                                   "kits.xlsx", user=make.user(roles=("logistics",)))
    assert errors == [] and {k.kit_number for k in kits} == {"1234567", "7654321"}


def test_files_without_the_columns_or_rows_are_refused(db, make, stock):
    trial = make.trial()
    user = make.user(roles=("logistics",))
    depot = stock.make_depot()
    with pytest.raises(DomainError, match="No header row naming the kit number and lot"):
        import_kit_list(db.session, trial, depot, b"a,b\n1,2\n", "k.csv", user=user)
    assert upload(db.session, trial, depot, b"kit,lot\n", "k.csv", user=user) == (
        [], [(1, "The file has no kit rows.")])
    with pytest.raises(DomainError, match="Excel"):
        import_kit_list(db.session, trial, depot, b"PK\x03\x04garbage", "k.xlsx", user=user)
    with pytest.raises(DomainError, match="UTF-8 or Windows-1252"):
        import_kit_list(db.session, trial, depot, b"kit,lot\n\x00\x81", "k.csv", user=user)


def test_a_lot_number_reused_for_another_product_is_refused(db, make, stock):
    first, second = stock.make_product(), stock.make_product()
    data = dict(number="LOT-9", product_id=first.id, expires_on=clock.today() + timedelta(400))
    create_lot(db.session, data)
    with pytest.raises(DomainError, match="another product"):
        create_lot(db.session, {**data, "number": "lot-9", "product_id": second.id})
    with pytest.raises(DomainError, match="already exists"):
        create_lot(db.session, data)
    with pytest.raises(DomainError, match="past"):
        create_lot(db.session, {**data, "number": "LOT-10",
                                "expires_on": clock.today() - timedelta(days=1)})


def test_a_blinded_lot_takes_the_earliest_expiry(db, make, stock):
    trial = make.trial(blinded=True)
    active = stock.make_lot(product=stock.make_product(kind="investigational"),
                            expires_on=date(2028, 5, 31))
    placebo = stock.make_lot(product=stock.make_product(kind="placebo"),
                             expires_on=date(2028, 1, 31))
    blinded = create_blinded_lot(db.session, trial, "BLX-1", [active, placebo])
    assert blinded.expires_on == date(2028, 1, 31) and blinded.blinded
    with pytest.raises(DomainError, match="placebo"):
        create_blinded_lot(db.session, trial, "BLX-2", [active, stock.make_lot()])


def test_products_check_gtin_units_and_storage_range(db):
    from decimal import Decimal

    assert gtin_is_valid("09506000134352") and not gtin_is_valid("09506000134353")
    data = dict(name="IBX", kind="investigational", strength="10 mg", form="Tablet",
                route="Oral", units_per_kit=28, storage_min_c=Decimal(2),
                storage_max_c=Decimal(8), gtin="09506000134353")
    with pytest.raises(DomainError, match="GTIN"):
        save_product(db.session, data)
    with pytest.raises(DomainError, match="more than zero"):
        save_product(db.session, {**data, "units_per_kit": 0})
    with pytest.raises(DomainError, match="below"):
        save_product(db.session, {**data, "storage_min_c": Decimal(9)})
    assert save_product(db.session, {**data, "gtin": "09506000134352"}).id
