"""The scan field: kit numbers typed or read as Code 128, GS1 DataMatrix strings as scanners
send them (with or without ]d2, with group separators), checked against the kit."""

import pytest

from app.core.errors import DomainError
from app.stock.api import kit_number_from_scan, parse_scan
from tests.shipments.factories import make_world

pytestmark = pytest.mark.usefixtures("english")
GS = "\x1d"
GTIN = "09506000134352"  # valid check digit


def gs1(kit, *, gtin=GTIN, lot=None, expiry=None, prefix="]d2", sep=GS):
    lot = kit.lot.number if lot is None else lot
    expiry = kit.expires_on.strftime("%y%m%d") if expiry is None else expiry
    return f"{prefix}01{gtin}17{expiry}10{lot}{sep}21{kit.kit_number}"


@pytest.fixture
def world(db):
    built = make_world(db.session)
    built.product.gtin = GTIN
    db.session.commit()
    return built


def test_plain_numbers_and_code128_prefix_are_kit_numbers():
    assert parse_scan(" 1234567 ") == ("1234567", {})
    assert parse_scan("]C01234567") == ("1234567", {})


def test_gs1_with_and_without_prefix_and_in_brackets():
    number, details = parse_scan(f"]d201{GTIN}17281231101234{GS}21KIT123")
    assert number == "KIT123" and details["gtin"] == GTIN and details["lot"] == "1234"
    assert details["expiry"].isoformat() == "2028-12-31"
    assert parse_scan(f"01{GTIN}17281231101234{GS}21KIT123")[0] == "KIT123"
    assert parse_scan(f"01{GTIN}17281231101234<GS>21KIT123")[0] == "KIT123"
    assert parse_scan(f"(01){GTIN}(17)281231(10)1234(21)KIT123")[0] == "KIT123"


@pytest.mark.parametrize(("text", "reason"), [
    ("]Q1HELLO", "is not a kit label"),
    ("]d1" + f"01{GTIN}21KIT1", "is not a kit label"),
    (f"]d201{GTIN}17281231101234", "has no serial number (21)"),
    ("]d20109506000134355" + "21KIT1", "GTIN in this code is not valid"),
    ("]d2zzz", "could not be read"),
])
def test_bad_codes_are_refused_with_the_reason(text, reason):
    with pytest.raises(DomainError) as refused:
        parse_scan(text)
    assert reason in str(refused.value) and refused.value.field == "kit_number"


def test_a_code_that_matches_the_kit_names_it(db, world):
    kit = world.kits[0]
    assert kit_number_from_scan(db.session, world.trial.id, gs1(kit)) == kit.kit_number
    assert kit_number_from_scan(db.session, world.trial.id, gs1(kit, prefix="")) == kit.kit_number


@pytest.mark.parametrize(("change", "reason"), [
    ({"gtin": "00000000000017"}, "the code's GTIN 00000000000017 is not its product's GTIN"),
    ({"lot": "OTHER-LOT"}, "the code's lot OTHER-LOT is not the kit's lot"),
    ({"expiry": "300101"}, "the code's expiry Jan 1, 2030 is not the kit's expiry"),
])
def test_a_code_that_contradicts_the_kit_is_refused(db, world, change, reason):
    kit = world.kits[0]
    with pytest.raises(DomainError) as refused:
        kit_number_from_scan(db.session, world.trial.id, gs1(kit, **change))
    assert reason in str(refused.value)
    assert "Nothing was recorded." in str(refused.value)


def test_a_product_without_gtin_checks_lot_and_expiry_only(db, world):
    world.product.gtin = None
    kit = world.kits[1]
    assert kit_number_from_scan(db.session, world.trial.id,
                                gs1(kit, gtin="00000000000017")) == kit.kit_number


def test_an_unknown_serial_is_left_to_the_caller(db, world):
    text = f"]d201{GTIN}17281231101234{GS}21NO-SUCH-KIT"
    assert kit_number_from_scan(db.session, world.trial.id, text) == "NO-SUCH-KIT"
