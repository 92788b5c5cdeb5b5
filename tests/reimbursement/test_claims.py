"""Claims: lines against the policy, receipts, submission once, bad input refused."""

import io
import struct
import zlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from app.files.services import FileRefused, read_bytes
from app.reimbursement.claims import add_line, attach_receipt, create_claim, submit_claim
from app.reimbursement.errors import ReimbursementError
from app.reimbursement.models import Claim, ClaimStep
from app.reimbursement.policy import plain_language, policy_for
from app.reimbursement.receipts import clean_receipt
from tests.reimbursement.factories import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.usefixtures("english")


def test_mileage_amount_is_km_times_the_policy_rate(world):
    claim = world.claim(lines=(("car_mileage", None, "42"),))
    assert claim.lines[0].amount == Decimal("10.92")  # 42 km x 0.26
    assert claim.lines[0].kind == "flat_allowance"
    assert claim.total_claimed == Decimal("10.92")


def test_flat_per_diem_uses_the_policy_amount(world):
    claim = world.claim(lines=(("meals", None, "2"),))
    assert claim.lines[0].amount == Decimal("60.00")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "NaN", ""])
def test_zero_negative_and_non_numbers_are_refused(world, amount):
    claim = world.claim(lines=())
    with pytest.raises(ReimbursementError) as error:
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount=amount)
    assert error.value.field == "amount"
    assert claim.lines == []


def test_five_thousand_km_for_one_trip_is_refused(world):
    claim = world.claim(lines=())
    with pytest.raises(ReimbursementError, match="5000 km is more than") as error:
        add_line(world.session, claim, category="car_mileage", line_date=date(2026, 1, 24),
                 description="Car", quantity="5000")
    assert error.value.field == "quantity"


def test_future_dates_and_dates_before_enrolment_are_refused(world):
    claim = world.claim(lines=())
    for day, message in ((date.today() + timedelta(days=1), "future"),
                         (date(2026, 1, 9), "before you joined")):
        with pytest.raises(ReimbursementError, match=message):
            add_line(world.session, claim, category="taxi", line_date=day,
                     description="Taxi", amount="10")


def test_a_category_the_policy_forbids_is_refused(world):
    policy = policy_for(world.session, world.trial)
    from app.audit.services import set_reason

    set_reason(world.session, "sponsor pays no taxis")
    policy.rule("taxi").allowed = False
    world.session.flush()
    claim = world.claim(lines=())
    with pytest.raises(ReimbursementError, match="not paid in this trial"):
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount="10")


def test_html_renamed_jpg_is_refused(world):
    with pytest.raises(FileRefused, match="not one of them"):
        clean_receipt(b"<!doctype html><html><script>alert(1)</script></html>")


def _png_header_only(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_a_200_megapixel_png_is_refused_before_decoding(world):
    with pytest.raises(FileRefused, match="too large"):
        clean_receipt(_png_header_only(20000, 10000))
    assert Image.MAX_IMAGE_PIXELS == 89478485  # restored after the check


def test_a_50_mb_pdf_is_refused(world):
    with pytest.raises(FileRefused, match="larger than 10 MB"):
        clean_receipt(b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))


def test_images_are_reencoded_without_exif_and_gps(world):
    exif = Image.Exif()
    exif[0x8825] = {2: (40.0, 25.0, 0.0)}  # GPSInfo latitude
    exif[0x010F] = "PhoneMaker"
    original = jpeg_bytes(exif=exif.tobytes())
    assert b"PhoneMaker" in original
    cleaned, content_type = clean_receipt(original)
    assert content_type == "image/jpeg"
    assert b"PhoneMaker" not in cleaned and b"Exif" not in cleaned
    assert Image.open(io.BytesIO(cleaned)).getexif() == {}


def test_heic_photos_are_accepted_and_stored_as_jpeg(world):
    from pillow_heif import from_pillow

    heif = from_pillow(Image.new("RGB", (32, 32), (10, 200, 10)))
    out = io.BytesIO()
    heif.save(out, quality=50)
    cleaned, content_type = clean_receipt(out.getvalue())
    assert content_type == "image/jpeg" and cleaned.startswith(b"\xff\xd8")


def test_receipts_are_kept_and_pdfs_accepted(world):
    claim = world.claim(lines=(("taxi", Decimal("20"), None),), receipt=False)
    receipt = attach_receipt(world.session, claim.lines[0], pdf_bytes(), "factura.pdf",
                             world.patient)
    assert receipt.file.content_type == "application/pdf"
    assert read_bytes(receipt.file).startswith(b"%PDF-")


def test_submit_twice_changes_nothing_the_second_time(world):
    claim = world.claim()
    submit_claim(world.session, claim, world.patient, declaration=True)
    with pytest.raises(ReimbursementError, match="already|submitted"):
        submit_claim(world.session, claim, world.patient, declaration=True)
    steps = world.session.query(ClaimStep).filter_by(claim_id=claim.id).all()
    assert [s.status for s in steps] == ["submitted"]


def test_submit_needs_the_declaration(world):
    claim = world.claim()
    with pytest.raises(ReimbursementError) as error:
        submit_claim(world.session, claim, world.patient, declaration=False)
    assert error.value.field == "declaration" and claim.status == "draft"


def test_editing_after_submission_is_refused(world):
    claim = world.submitted()
    with pytest.raises(ReimbursementError, match="can no longer be changed"):
        add_line(world.session, claim, category="taxi", line_date=date(2026, 1, 24),
                 description="Taxi", amount="10")
    with pytest.raises(ReimbursementError, match="only when the site asks"):
        attach_receipt(world.session, claim.lines[0], jpeg_bytes(), "late.jpg", world.patient)


def test_same_creation_token_gives_one_claim(world):
    kwargs = dict(subject=world.subject, claimant=world.patient, entered_by=world.patient,
                  visit=world.visit, creation_token="tok-1")
    first = create_claim(world.session, **kwargs)
    second = create_claim(world.session, **kwargs)
    assert first.id == second.id
    assert world.session.query(Claim).filter_by(subject_id=world.subject.id).count() == 1


def test_submission_notifies_the_patient_in_their_language(world, db):
    from app.notify.models import Notice, OutboxMessage

    world.patient.language = "es"
    claim = world.submitted()
    notice = db.session.query(Notice).filter_by(user_id=world.patient.id).one()
    assert claim.reference in notice.message
    mail = db.session.query(OutboxMessage).filter_by(recipient=world.patient.email).one()
    assert "Enviada" in mail.subject or "enviada" in mail.subject.lower()


def test_stay_claims_for_cell_therapy(world):
    claim = create_claim(world.session, subject=world.subject, claimant=world.patient,
                         entered_by=world.patient, stay_start=date(2026, 2, 1),
                         stay_end=date(2026, 2, 10))
    line = add_line(world.session, claim, category="lodging", line_date=date(2026, 2, 1),
                    description="Apartment near the hospital", amount="600", quantity="9")
    assert claim.visit is None and line.amount == Decimal("600.00")
    with pytest.raises(ReimbursementError, match="end before"):
        create_claim(world.session, subject=world.subject, claimant=world.patient,
                     entered_by=world.patient, stay_start=date(2026, 2, 10),
                     stay_end=date(2026, 2, 1))


def test_plain_language_policy_mentions_rate_and_receipts(world, app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        text = " ".join(plain_language(policy_for(world.session, world.trial)))
    assert "0.26" in text and "receipt" in text


def test_huge_typed_numbers_are_a_field_message_not_an_error_page():
    import pytest

    from app.reimbursement.claims import ReimbursementError, _decimal

    for typed in ("1e400", "1E+12", "Infinity", "NaN"):
        with pytest.raises(ReimbursementError) as refused:
            _decimal(typed, "amount")
        assert refused.value.field == "amount"
    assert str(_decimal("12,50", "amount")) == "12.50"
