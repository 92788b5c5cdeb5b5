"""SEPA credit transfer (ISO 20022 pain.001.001.03) with the EPC rules the XSD leaves out."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import DomainError
from app.reimbursement.services.bank import decrypt_iban

SCHEMA = "pain.001.001.03"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
# EPC Implementation Guidelines (EPC132-08, 1.4 "Character set"): the Latin characters
# every SEPA bank must accept.
SEPA_CHARS = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]*$")
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
AMOUNT = re.compile(r"^\d{1,9}\.\d{2}$")


@cache
def pain001_schema():
    """Return the pain.001.001.03 XSD that sepaxml ships, compiled once per process."""
    import sepaxml  # here, as below: xmlschema weighs 10 MB in every process that never pays
    import xmlschema

    return xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"))


def schema_problems(xml):
    """Return the XSD validation errors of a pain.001 document (at most ten)."""
    problems = []
    for error in pain001_schema().iter_errors(xml.decode("utf-8")):
        problems.append(f"{error.path}: {error.reason}")
        if len(problems) == 10:
            break
    return problems


def sepa_text(value, length=70):
    """Return value transliterated to the SEPA character set (José Núñez -> Jose Nunez)."""
    from text_unidecode import unidecode  # its table is 4 MB: loaded when a file is made

    text = _NOT_SEPA.sub(" ", unidecode(str(value or "")))
    return re.sub(r" {2,}", " ", text).strip()[:length] or "NOTPROVIDED"


def debtor():
    """Return the paying account from the settings."""
    config = current_app.config
    return {"name": sepa_text(config.get("SEPA_DEBTOR_NAME") or config["COMPANY_NAME"]),
            "IBAN": config["SEPA_DEBTOR_IBAN"], "BIC": config["SEPA_DEBTOR_BIC"]}


_INITIATOR = re.compile(r"^([A-Z0-9]{9})([A-Z0-9]{3})$")


def initiator_id():
    """Return the ordering party identification (NIF + 3-character suffix) from the settings."""
    value = re.sub(r"[\s-]", "", current_app.config.get("SEPA_INITIATOR_ID") or "").upper()
    match = _INITIATOR.match(value)
    if not match or not nif_ok(match.group(1)):
        raise DomainError(_("The setting SEPA_INITIATOR_ID must be the company's NIF followed "
                            "by the three-character suffix agreed with the bank (for example "
                            "B12345674000); it is “%(value)s”.", value=value))
    return value


def nif_ok(nif):
    """Return True when a Spanish NIF (company CIF, DNI or NIE) has its right control."""
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    if nif[0] in "XYZ" and nif[1:8].isdigit():
        return letters[int(str("XYZ".index(nif[0])) + nif[1:8]) % 23] == nif[8]
    if nif[:8].isdigit():
        return letters[int(nif[:8]) % 23] == nif[8]
    if nif[0] not in "ABCDEFGHJNPQRSUVW" or not nif[1:8].isdigit():
        return False
    digits = [int(d) for d in nif[1:8]]
    total = sum(digits[1::2]) + sum(sum(divmod(d * 2, 10)) for d in digits[0::2])
    control = (10 - total % 10) % 10
    return nif[8] in (str(control), "JABCDEFGHI"[control])


def _add_initiator(transfer, identification):
    """Write GrpHdr/InitgPty/Id/OrgId/Othr/Id after the name, where the XSD wants it."""
    party = transfer._xml.find("CstmrCdtTrfInitn/GrpHdr/InitgPty")
    ident = ET.SubElement(party, "Id")
    ET.SubElement(ET.SubElement(ET.SubElement(ident, "OrgId"), "Othr"), "Id").text = \
        identification


def transfer_text(claim_id):
    """Return the remittance text: the claim reference only, never trial, drug or disease."""
    return f"RC-{claim_id:06d}"


def build_pain001(batch, items, progress=None):
    """Return the validated pain.001 XML bytes of a batch's transfers.

    ``progress(done)`` is told the transfers written so far (the background job's bar); the
    XSD check of the whole document follows the last one.
    """
    config = {**debtor(), "batch": True, "currency": "EUR"}
    identification = initiator_id()
    from sepaxml import SepaTransfer

    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    _add_initiator(transfer, identification)
    header = transfer._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId")
    header.text = batch.message_id
    transfer.msg_id = batch.message_id
    for done, item in enumerate(items, start=1):
        payment = {
            "name": sepa_text(item.payee_name),
            "IBAN": decrypt_iban(item.iban_encrypted),
            "amount": int((Decimal(item.amount) * 100).to_integral_value()),
            "execution_date": batch.execution_date,
            "description": transfer_text(item.claim_id),
            "endtoend_id": transfer_text(item.claim_id),
        }
        if item.bic:
            payment["BIC"] = item.bic
        transfer.add_payment(payment)
        if progress is not None:
            progress(done)
    # sepaxml would validate too, but rebuilds the schema on every call.
    xml = transfer.export(validate=False)
    problems = schema_problems(xml)
    if problems:
        raise DomainError(_("The SEPA file does not validate against its schema: "
                                   "%(error)s", error="; ".join(problems)))
    problems = sepa_rule_problems(xml)
    if problems:
        raise DomainError(_("The SEPA file breaks the SEPA rules: %(list)s",
                                   list="; ".join(problems)))
    return xml


def sepa_rule_problems(xml):
    """Return what breaks the EPC rules the XSD allows: currency, decimals, characters."""
    root = ET.fromstring(xml)  # noqa: S314 - our own output, built just before
    problems = []
    for amount in root.iterfind(".//p:InstdAmt", NS):
        if amount.get("Ccy") != "EUR":
            problems.append(f"currency {amount.get('Ccy')} is not EUR")
        if not AMOUNT.match(amount.text or ""):
            problems.append(f"amount {amount.text} does not have two decimals")
    for total in root.iterfind(".//p:CtrlSum", NS):
        if not AMOUNT.match(total.text or ""):
            problems.append(f"control sum {total.text} does not have two decimals")
    for element in root.iter():
        text = (element.text or "").strip()
        if text and not SEPA_CHARS.match(text):
            problems.append(f"{element.tag.split('}')[-1]} has characters outside the SEPA set")
    for ustrd in root.iterfind(".//p:Ustrd", NS):
        if not re.fullmatch(r"RC-\d{6,}", ustrd.text or ""):
            problems.append("a transfer text carries more than the claim reference")
    return problems
