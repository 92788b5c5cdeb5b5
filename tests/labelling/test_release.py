"""Import, customs, QP certification and release per country; shipping obeys them."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.esign.models import Signature
from app.labelling.services.release import (
    certify_lot,
    record_clearance,
    release_for_country,
)
from app.shipments.services.orders import create_shipment
from app.shipments.services.picking import pick_kit, propose_kits
from app.stock.api import KitUse, Lot, check_kit_rules, site_location
from tests.labelling.factories import PASSWORD
from tests.stock.factories import make_depot


def _release(country="ES", **values):
    return {"country": country, "authorised_by": "Sponsor RA", "reference": "REL-1",
            "released_on": clock.today(), **values}


def test_certify_needs_customs_clearance_then_lot_moves_to_certified_and_released(
        db, make, lab):
    trial = lab.make_trial()
    qp = make.user(roles=("qp",))
    record, lot, _kits = lab.make_imported_lot(trial, kits=0, cleared=False)
    with pytest.raises(DomainError) as refused:
        certify_lot(db.session, lot, signer=qp, password=PASSWORD)
    assert str(refused.value) == (f"Lot {lot.number} was imported ({record.reference}) and "
                                  "customs clearance is not recorded: record the DUA first.")
    assert lot.status == "quarantine"
    with pytest.raises(DomainError, match="Customs cannot clear goods before they arrive."):
        record_clearance(db.session, record, "26ES0028", record.received_on - timedelta(days=1))
    record_clearance(db.session, record, "26ES0028", clock.today())
    with pytest.raises(DomainError, match="not certified by a QP yet"):
        release_for_country(db.session, lot, _release(), by=qp)
    certification = certify_lot(db.session, lot, signer=qp, password=PASSWORD)
    assert lot.status == "certified"
    signature = db.session.scalar(select(Signature).where(
        Signature.entity_type == "qp_certification",
        Signature.entity_id == str(certification.id)))
    assert (signature.meaning, signature.signer_id) == ("certified", qp.id)
    with pytest.raises(DomainError) as refused:
        certify_lot(db.session, lot, signer=qp, password=PASSWORD)
    assert str(refused.value) == f"Lot {lot.number} is already certified by a QP."
    with pytest.raises(DomainError) as refused:
        release_for_country(db.session, lot, _release("FR"), by=qp)
    assert (str(refused.value), refused.value.field) == (
        f"Trial {trial.protocol_code} does not run in FR (its countries: ES, PT).", "country")
    release_for_country(db.session, lot, _release("ES"), by=qp)
    assert lot.status == "released"
    with pytest.raises(DomainError, match="already released for ES"):
        release_for_country(db.session, lot, _release("ES"), by=qp)
    db.session.commit()  # audit entries are chained and written at commit
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "lot", AuditEntry.entity_id == str(lot.id))
        .order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("lot_")] == ["lot_certify", "lot_release"]


def test_a_wrong_password_certifies_nothing(db, make, lab):
    trial = lab.make_trial()
    qp = make.user(roles=("qp",))
    _record, lot, _kits = lab.make_imported_lot(trial, kits=0)
    with pytest.raises(DomainError):
        certify_lot(db.session, lot, signer=qp, password="wrong")
    assert lot.status == "quarantine"


def test_only_a_qp_certifies(db, make, lab):
    trial = lab.make_trial()
    _record, lot, _kits = lab.make_imported_lot(trial, kits=0)
    logistics = make.user(roles=("logistics",))
    with pytest.raises(DomainError, match="Only a Qualified Person may certify a lot."):
        certify_lot(db.session, lot, signer=logistics, password=PASSWORD)


def test_a_lot_released_for_spain_only_ships_to_spain_and_is_refused_for_portugal(
        db, make, lab):
    trial = lab.make_trial()
    qp, logistics = make.user(roles=("qp",)), make.user(roles=("logistics",))
    spain = make.site(trial, country="ES")
    portugal = make.site(trial, country="PT")
    _record, lot, kits = lab.make_imported_lot(trial, kits=4)
    depot = kits[0].location
    lab.certify_and_release(lot, qp, countries=("ES",))

    def shipment_to(site):
        return create_shipment(db.session, trial=trial, kind="resupply", origin=depot,
                               destination=site_location(db.session, site), requested_kits=2,
                               by=logistics, expected_arrival=clock.today() + timedelta(days=2))

    to_spain = shipment_to(spain)
    propose_kits(db.session, to_spain)
    assert len(to_spain.lines) == 2
    pick_kit(db.session, to_spain, to_spain.lines[0].kit.kit_number, by=logistics)
    to_portugal = shipment_to(portugal)
    with pytest.raises(DomainError, match="No kit at .* can be shipped"):
        propose_kits(db.session, to_portugal)
    assert to_portugal.lines == []
    free = next(k for k in kits if k.id not in {li.kit_id for li in to_spain.lines})
    for purpose in ("ship", "dispense"):  # the check every scan runs (picking, dispensing)
        with pytest.raises(DomainError) as refused:
            check_kit_rules(db.session, free, KitUse(purpose, trial, site=portugal))
        assert (str(refused.value), refused.value.field) == (
            f"Kit {free.kit_number} belongs to lot {lot.number}, which is not released for PT: "
            "it may not go to this site.", "kit_number")
        check_kit_rules(db.session, free, KitUse(purpose, trial, site=spain))


def test_a_kit_of_an_uncertified_imported_lot_is_never_proposed(db, make, lab):
    trial = lab.make_trial()
    logistics = make.user(roles=("logistics",))
    spain = make.site(trial, country="ES")
    _record, lot, kits = lab.make_imported_lot(trial, kits=2)
    # even a status forced by hand in the database does not let it ship
    db.session.execute(update(Lot).where(Lot.id == lot.id).values(status="released"))
    db.session.refresh(lot)
    shipment = create_shipment(db.session, trial=trial, kind="resupply",
                               origin=kits[0].location,
                               destination=site_location(db.session, spain), requested_kits=2,
                               by=logistics, expected_arrival=clock.today() + timedelta(days=2))
    with pytest.raises(DomainError, match="No kit at .* can be shipped"):
        propose_kits(db.session, shipment)
    with pytest.raises(DomainError, match="which a QP has not certified"):
        check_kit_rules(db.session, kits[0], KitUse("ship", trial, site=spain))


def test_lots_outside_release_control_still_ship(db, make, lab):
    trial = lab.make_trial()
    logistics = make.user(roles=("logistics",))
    spain = make.site(trial, country="PT")
    depot = make_depot(db.session)
    from tests.stock.factories import make_kits
    make_kits(db.session, trial, 2, depot=depot, prefix="DOM-")
    shipment = create_shipment(db.session, trial=trial, kind="resupply", origin=depot,
                               destination=site_location(db.session, spain), requested_kits=2,
                               by=logistics, expected_arrival=clock.today() + timedelta(days=2))
    propose_kits(db.session, shipment)
    assert len(shipment.lines) == 2
