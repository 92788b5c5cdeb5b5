"""SEPA as Spanish banks require it: the ordering party's NIF + suffix in every pain.001,
the EPC's current country list, Spanish national check digits, pasted IBANs normalised."""

import pytest

from app.core.errors import DomainError
from app.reimbursement.services.bank import clean_iban
from app.reimbursement.services.payments import create_batch
from app.reimbursement.services.sepa import build_pain001, nif_ok, schema_problems, sepa_text
from app.reimbursement.services.sepa_countries import SEPA_COUNTRIES
from tests.reimbursement.factories import sepa_by_job

pytestmark = pytest.mark.usefixtures("english")


def with_check_digits(country, bban):
    """Return the IBAN of a BBAN with the right ISO 7064 check digits."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def test_pain001_carries_the_ordering_party_nif_and_suffix_and_validates(world, db, app):
    world.bank()
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    xml = sepa_by_job(world, batch)[1].decode()  # the file the background job stored
    start = xml.index("<InitgPty>")
    assert xml[start:xml.index("</InitgPty>") + 11] == (
        f"<InitgPty><Nm>{sepa_text(app.config['COMPANY_NAME'])}</Nm><Id><OrgId><Othr>"
        "<Id>B12345674000</Id></Othr></OrgId></Id></InitgPty>")
    assert schema_problems(xml.encode()) == []


def test_a_wrong_ordering_party_setting_is_refused_with_its_name(world, db, app):
    world.bank()
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    app.config["SEPA_INITIATOR_ID"] = "B12345675000"  # wrong CIF control digit
    try:
        with pytest.raises(DomainError, match="SEPA_INITIATOR_ID"):
            build_pain001(batch, batch.items)
        job, xml = sepa_by_job(world, batch)  # the job says failed, and why; no file
    finally:
        app.config["SEPA_INITIATOR_ID"] = "B12345674000"
    assert (job.status, job.file_id, xml) == ("failed", None, None)
    assert job.error == (
        "The setting SEPA_INITIATOR_ID must be the company's NIF followed by the "
        "three-character suffix agreed with the bank (for example B12345674000); it is "
        "“B12345675000”.")


def test_nif_controls():
    assert nif_ok("B12345674") and nif_ok("12345678Z") and nif_ok("X1234567L")
    assert not nif_ok("B12345675") and not nif_ok("12345678A")


@pytest.mark.parametrize("pasted", ["IBAN ES91 2100 0418 4502 0005 1332",
                                    "es91 2100 0418 4502 0005 1332",
                                    "iban: ES9121000418450200051332",
                                    "ES91\u00a02100\u00a00418\u00a04502\u00a00005\u00a01332"])
def test_pasted_ibans_are_normalised(app, pasted):
    assert clean_iban(pasted) == "ES9121000418450200051332"


@pytest.mark.parametrize("iban", ["AL35202111090000000001234567", "ME25505000012345678951",
                                  "MD21EX000000000001234567", "MK07250120000058984",
                                  "RS35105008123123123173"])
def test_countries_that_joined_sepa_in_2024_2025_are_accepted(app, iban):
    assert clean_iban(iban) == iban


def test_the_list_has_the_41_scheme_countries():
    assert len(SEPA_COUNTRIES) == 41 + 1  # and Gibraltar's own IBAN code
    assert {"AL", "ME", "MD", "MK", "RS", "AD", "VA"} <= SEPA_COUNTRIES
    assert "TR" not in SEPA_COUNTRIES


def test_spanish_national_check_digits(app):
    wrong = with_check_digits("ES", "21000418" + "46" + "0200051332")
    with pytest.raises(DomainError, match="own check digits"):
        clean_iban(wrong)


def test_an_iban_with_a_cyrillic_letter_is_refused_by_name(app):
    with pytest.raises(DomainError) as refused:
        clean_iban("\u0415S9121000418450200051332")  # Cyrillic capital IE
    assert refused.value.message.startswith("The IBAN contains “Е” (Cyrillic Capital Letter Ie)")
    with pytest.raises(DomainError, match="SEPA countries"):
        clean_iban("TR330006100519786457841326")
