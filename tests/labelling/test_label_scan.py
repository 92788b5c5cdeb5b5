"""The printed label scans: a run's PDF is rendered at 300 dpi, its GS1 DataMatrix decoded by a
real decoder and sent as a scanner sends it (``]d2``, group separators) to picking, receipt and
dispensing, which record the kit; a label that disagrees with the kit is refused with the reason.
Also the run for a shipment's picked kits."""

import io
from datetime import date, timedelta

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.files.services import read_bytes
from app.labelling.services.render import write_pdf
from app.labelling.services.runs import label_of, request_run
from app.shipments.api import create_shipment, pick_kit, propose_kits, scan_at_receipt
from app.shipments.services.dispatch import dispatch_shipment
from app.shipments.services.picking import finish_picking, pack_shipment
from app.shipments.services.receipt import receive_shipment
from app.stock.api import site_location
from app.stock.services.site import dispense_kit, propose_kit
from tests.labelling.factories import GTIN, OUTER_ES, PASSWORD, run_job
from tests.labelling.scanner import scanned_labels

GS = "\x1d"
EXPIRY = date(2027, 12, 31)


@pytest.fixture
def journey(db, make, lab):
    """A released lot of four kits at the depot, its approved Spanish and Portuguese templates,
    a Spanish and a Portuguese site with a subject at a visit due today."""
    trial = lab.make_trial(protocol_code="ONC-2024-017", blinded=False)
    qp = make.user(roles=("qp",))
    logistics = make.user(roles=("logistics",))
    _record, lot, kits = lab.make_imported_lot(trial, kits=4, number="LOT-S1",
                                               expires_on=EXPIRY)
    lab.certify_and_release(lot, qp, countries=("ES", "PT"))
    template = lab.make_template(trial, approve_by=qp)
    portuguese = lab.make_template(trial, dict(OUTER_ES, name="Caixa exterior", language="pt"),
                                   approve_by=qp)
    site = make.site(trial, country="ES")
    pharmacist = make.user(roles=("site",), sites=[site])
    visit = make.visit(trial, number=1, day_offset=14)
    subject = make.subject(site, enrolment_date=clock.today() - timedelta(days=14))
    db.session.commit()
    return dict(trial=trial, lot=lot, kits=sorted(kits, key=lambda k: k.kit_number),
                template=template, portuguese=portuguese, site=site, qp=qp,
                logistics=logistics, pharmacist=pharmacist, visit=visit, subject=subject,
                depot=kits[0].location)


def _shipment(db, j, requested=2, site=None):
    shipment = create_shipment(db.session, trial=j["trial"], kind="resupply", origin=j["depot"],
                               destination=site_location(db.session, site or j["site"]),
                               requested_kits=requested, by=j["logistics"],
                               expected_arrival=clock.today() + timedelta(days=2))
    propose_kits(db.session, shipment, by=j["logistics"])
    return shipment


def _labels(db, j, tmp_path, **choice):
    """Print a run as its job does; return {serial: what the scanner sends}."""
    run = request_run(db.session, j["trial"], {"template_id": j["template"].id,
                                               "layout": "roll", **choice}, j["logistics"])
    job = run_job(db.session, j["logistics"], run)
    return run, scanned_labels(read_bytes(job.file), tmp_path)


def _forged(j, tmp_path, kit, *, gtin=GTIN, batch=None, expiry=EXPIRY):
    """Return what a scanner sends for a label of the kit that carries other data."""
    row = (kit.id, kit.kit_number, expiry, batch or kit.lot.number, gtin)
    pdf = io.BytesIO()
    write_pdf(pdf, j["template"], [label_of(j["template"], "ONC-2024-017", row)])
    return scanned_labels(pdf.getvalue(), tmp_path)[kit.kit_number]


def test_the_decoded_label_is_what_a_scanner_sends(db, journey, tmp_path):
    _run, sent = _labels(db, journey, tmp_path, scope="lot", lot_id=journey["lot"].id)
    first = journey["kits"][0]
    assert sorted(sent) == [k.kit_number for k in journey["kits"]]
    assert sent[first.kit_number] == (f"]d201{GTIN}17271231" f"10LOT-S1{GS}21{first.kit_number}"
                                      f"{GS}7240ONC-2024-017")


def test_labels_scan_at_picking_receipt_and_dispensing(app, client, db, journey, login,
                                                        tmp_path):
    j = journey
    _run, sent = _labels(db, j, tmp_path, scope="lot", lot_id=j["lot"].id)
    shipment = _shipment(db, j)
    proposed = sorted(line.kit.kit_number for line in shipment.lines)
    # Picking: the first through the page's scan field, as the scanner types it.
    db.session.commit()
    login(j["logistics"])
    response = client.post(f"/shipments/{shipment.id}/pick",
                           data={"kit_number": sent[proposed[0]]})
    assert response.status_code == 302
    pick_kit(db.session, shipment, sent[proposed[1]], by=j["logistics"])
    db.session.refresh(shipment)
    assert sorted((line.kit.kit_number, line.status) for line in shipment.lines) == [
        (number, "picked") for number in proposed]
    finish_picking(db.session, shipment, by=j["logistics"])
    pack_shipment(db.session, shipment, boxes=1)
    dispatch_shipment(db.session, shipment, courier="Courier", tracking_number="T1",
                      expected_arrival=clock.today(), by=j["logistics"])
    # Receipt at the site: both kits found by their labels.
    for number in proposed:
        line = scan_at_receipt(db.session, shipment, sent[number], "ok", by=j["pharmacist"])
        assert (line.kit.kit_number, line.receipt_outcome) == (number, "ok")
    receive_shipment(db.session, shipment, by=j["pharmacist"], password=PASSWORD)
    # Dispensing: the proposed kit, confirmed by its label.
    kit = propose_kit(db.session, j["subject"], visit=j["visit"])
    assert kit.kit_number in proposed
    given = dispense_kit(db.session, j["subject"], j["visit"], kit, sent[kit.kit_number],
                         by=j["pharmacist"])
    db.session.refresh(kit)
    assert (given.kit_id, given.subject_id, given.visit_id, kit.state) == (
        kit.id, j["subject"].id, j["visit"].id, "dispensed")


@pytest.mark.parametrize(("change", "reason"), [
    ({"gtin": "09506000134352"}, "the code's GTIN 09506000134352 is not its product's GTIN "
                                 f"{GTIN}. Nothing was recorded."),
    ({"batch": "LOT-OTHER"}, "the code's lot LOT-OTHER is not the kit's lot LOT-S1. Nothing "
                             "was recorded."),
    ({"expiry": date(2028, 6, 30)}, "the code's expiry Jun 30, 2028 is not the kit's expiry "
                                    "Dec 31, 2027. Nothing was recorded."),
])
def test_a_label_that_disagrees_with_the_kit_is_refused_at_picking(db, journey, tmp_path,
                                                                   change, reason):
    shipment = _shipment(db, journey, requested=1)
    kit = shipment.lines[0].kit
    with pytest.raises(DomainError) as refused:
        pick_kit(db.session, shipment, _forged(journey, tmp_path, kit, **change),
                 by=journey["logistics"])
    assert str(refused.value) == f"Kit {kit.kit_number}: {reason}"
    assert refused.value.field == "kit_number"
    assert shipment.lines[0].status == "proposed"


def test_a_label_with_another_expiry_is_refused_at_receipt_and_dispensing(db, journey,
                                                                         tmp_path):
    j = journey
    _run, sent = _labels(db, j, tmp_path, scope="lot", lot_id=j["lot"].id)
    shipment = _shipment(db, j, requested=1)
    kit = shipment.lines[0].kit
    pick_kit(db.session, shipment, sent[kit.kit_number], by=j["logistics"])
    finish_picking(db.session, shipment, by=j["logistics"])
    pack_shipment(db.session, shipment, boxes=1)
    dispatch_shipment(db.session, shipment, courier="Courier", tracking_number="T1",
                      expected_arrival=clock.today(), by=j["logistics"])
    wrong = _forged(j, tmp_path, kit, expiry=date(2028, 6, 30))
    expected = (f"Kit {kit.kit_number}: the code's expiry Jun 30, 2028 is not the kit's expiry "
                "Dec 31, 2027. Nothing was recorded.")
    with pytest.raises(DomainError) as refused:
        scan_at_receipt(db.session, shipment, wrong, "ok", by=j["pharmacist"])
    assert str(refused.value) == expected
    assert shipment.lines[0].receipt_outcome is None
    scan_at_receipt(db.session, shipment, sent[kit.kit_number], "ok", by=j["pharmacist"])
    receive_shipment(db.session, shipment, by=j["pharmacist"], password=PASSWORD)
    proposed = propose_kit(db.session, j["subject"], visit=j["visit"])
    with pytest.raises(DomainError) as refused:
        dispense_kit(db.session, j["subject"], j["visit"], proposed, wrong, by=j["pharmacist"])
    assert str(refused.value) == expected
    db.session.refresh(kit)
    assert kit.state != "dispensed"


def test_a_shipment_run_labels_the_picked_kits_in_the_destination_language(db, journey,
                                                                           tmp_path):
    j = journey
    shipment = _shipment(db, j, requested=3)
    picked = sorted(line.kit.kit_number for line in shipment.lines)[:2]
    for number in picked:
        pick_kit(db.session, shipment, number, by=j["logistics"])
    choice = {"scope": "shipment", "shipment_id": shipment.id}
    with pytest.raises(DomainError) as refused:  # still being picked
        request_run(db.session, j["trial"], {"template_id": j["template"].id, **choice},
                    j["logistics"])
    assert (str(refused.value), refused.value.field) == (
        f"Shipment {shipment.number} is Ordered: its kits are labelled once picked and before "
        "dispatch.", "shipment_id")
    finish_picking(db.session, shipment, by=j["logistics"])  # the third is dropped
    with pytest.raises(DomainError) as refused:
        request_run(db.session, j["trial"], {"template_id": j["portuguese"].id, **choice},
                    j["logistics"])
    assert (str(refused.value), refused.value.field) == (
        f"Shipment {shipment.number} goes to ES: choose a template in the language of that "
        "country.", "template_id")
    run, sent = _labels(db, j, tmp_path, **choice)
    assert (run.scope, run.shipment_id, run.kit_count, run.printed) == (
        "shipment", shipment.id, 2, 2)
    assert sorted(sent) == picked
    # The labels of the shipment scan at receipt like any other.
    pack_shipment(db.session, shipment, boxes=1)
    dispatch_shipment(db.session, shipment, courier="Courier", tracking_number="T1",
                      expected_arrival=clock.today(), by=j["logistics"])
    line = scan_at_receipt(db.session, shipment, sent[picked[0]], "ok", by=j["pharmacist"])
    assert line.kit.kit_number == picked[0]
    with pytest.raises(DomainError) as refused:
        request_run(db.session, j["trial"], {"template_id": j["template"].id, **choice},
                    j["logistics"])
    assert str(refused.value).endswith("its kits are labelled once picked and before dispatch.")


def test_the_shipment_page_leads_to_its_label_run(client, db, journey, login, inline_jobs):
    j = journey
    shipment = _shipment(db, j, requested=2)
    for line in list(shipment.lines):
        pick_kit(db.session, shipment, line.kit.kit_number, by=j["logistics"])
    finish_picking(db.session, shipment, by=j["logistics"])
    db.session.commit()
    login(j["qp"])  # sees the shipment, prints no labels
    assert "Print the kits' labels" not in client.get(f"/shipments/{shipment.id}").get_data(
        as_text=True)
    login(j["logistics"])
    page = client.get(f"/shipments/{shipment.id}").get_data(as_text=True)
    url = (f"/labelling/trials/{j['trial'].id}/runs/new?scope=shipment&amp;"
           f"shipment_id={shipment.id}")
    assert f'href="{url}">Print the kits\' labels</a>' in page
    form = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option selected value="{shipment.id}">{shipment.number} → ' in form
    data = {"scope": "shipment", "shipment_id": shipment.id, "layout": "roll", "lot_id": 0,
            "campaign_id": 0}
    page = client.post(f"/labelling/trials/{j['trial'].id}/runs/new",
                       data={**data, "template_id": j["portuguese"].id}).get_data(as_text=True)
    assert (f"Shipment {shipment.number} goes to ES: choose a template in the language of "
            "that country.") in page
    response = client.post(f"/labelling/trials/{j['trial'].id}/runs/new",
                           data={**data, "template_id": j["template"].id},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The kits picked for a shipment" in page and shipment.number in page
    assert "Download the labels (PDF)" in page


def test_a_template_of_another_kit_type_is_refused(db, journey, lab):
    from tests.stock.factories import make_product

    j = journey
    other = make_product(db.session, name="Comparador X", gtin="09506000134352")
    template = lab.make_template(j["trial"], dict(OUTER_ES, name="Comparador",
                                                  product_id=other.id), approve_by=j["qp"])
    with pytest.raises(DomainError) as refused:
        request_run(db.session, j["trial"], {"template_id": template.id, "scope": "lot",
                                             "lot_id": j["lot"].id}, j["logistics"])
    assert (str(refused.value), refused.value.field) == (
        f"Template Comparador is written for Comparador X, and these kits include "
        f"{j['lot'].product.name}: choose the template of their kit type.", "template_id")
