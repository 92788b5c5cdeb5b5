"""SEPA pain.001: validates against the XSD and the EPC rules, carries only the reference."""

import pytest

from app.reimbursement.services.payments import create_batch
from app.reimbursement.services.sepa import sepa_rule_problems, sepa_text
from tests.reimbursement.factories import sepa_by_job

pytestmark = pytest.mark.usefixtures("english")


def test_pain001_validates_and_carries_only_the_reference(world, db, app):
    world.bank(holder="José Núñez Peña & Hijos")
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    job, xml = sepa_by_job(world, batch)  # the background job, as finance prepares it
    assert (job.status, job.file_name, job.rows_total) == (
        "ready", f"{batch.message_id}.xml", 1)
    text = xml.decode()
    assert batch.message_id in text
    assert f"<Ustrd>{claim.reference}</Ustrd>" in text
    assert world.trial.protocol_code not in text and "Jose Nunez Pena" in text
    assert "<InstdAmt Ccy=\"EUR\">25.00</InstdAmt>" in text
    assert sepa_rule_problems(xml) == []


def test_sepa_rule_checks_catch_what_the_schema_allows():
    bad = ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><x>'
           '<InstdAmt Ccy="USD">1.5</InstdAmt><Nm>Zoë</Nm><Ustrd>ONC-2024 RC-000001</Ustrd>'
           '</x></Document>').encode()
    problems = " ".join(sepa_rule_problems(bad))
    assert "USD" in problems and "two decimals" in problems
    assert "SEPA set" in problems and "more than the claim reference" in problems
    assert sepa_text("Zoë Müller-Łukasz ñ") == "Zoe Muller-Lukasz n"


def test_the_xsd_check_refuses_what_the_schema_forbids(world, db):
    from app.reimbursement.services.sepa import schema_problems

    world.bank()
    claim = world.approved()
    batch = create_batch(world.session, [claim.id], world.finance)
    xml = sepa_by_job(world, batch)[1]
    assert schema_problems(xml) == []
    too_long = xml.replace(batch.message_id.encode(), b"M" * 40, 1)
    assert schema_problems(too_long)
