"""Demo labelling: an import from the US certified and released for Spain, another waiting for
customs, label templates (Spanish approved, Portuguese draft), a printed run, a relabel."""

import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.auth.demo import DEMO_PASSWORD
from app.core import clock
from app.core.errors import DomainError
from app.labelling.models import ImportRecord
from app.labelling.queries import shipments_to_label
from app.labelling.services.relabel import open_campaign, relabel_kit
from app.labelling.services.release import certify_lot, create_import, release_for_country
from app.labelling.services.runs import build_run, request_run
from app.labelling.services.templates import approve_template, save_template
from app.stock.api import Location, Lot, Product, random_kit_numbers, receive_new_kits
from app.trials.api import Trial

OUTER_ES = {
    "name": "Caja exterior IBX-201", "packaging": "outer", "language": "es",
    "width_mm": 105, "height_mm": 80, "font_size": 7.5,
    "particular_a": "Promotor: Iberia Pharma S.A. Contacto 24 h (también apertura del ciego): "
                    "Ensayo Logística Clínica, C/ de la Ciencia 12, 28760 Tres Cantos. "
                    "Tel. +34 910 000 111",
    "particular_b": "IBX-201 100 mg o placebo",
    "particular_c": "Comprimidos recubiertos · vía oral · 28 comprimidos",
    "particular_d": "Lote: [batch]",
    "particular_e": "Código del ensayo: [protocol] · EU CT 2024-512345-17-00",
    "particular_f": "Kit n.º [kit] · Sujeto: ________ · Visita: ____",
    "particular_g": "Investigador: ______________________",
    "particular_h": "Tomar un comprimido al día con agua, según indique el médico.",
    "particular_i": "Exclusivamente para uso en ensayos clínicos.",
    "particular_j": "Conservar entre 15 y 25 °C.",
    "particular_k": "Caducidad: [expiry]",
    "particular_l": "Mantener fuera de la vista y del alcance de los niños.",
}
OUTER_PT = dict(OUTER_ES, name="Embalagem exterior IBX-201", language="pt",
                particular_b="IBX-201 100 mg ou placebo",
                particular_c="Comprimidos revestidos · via oral · 28 comprimidos",
                particular_d="Lote: [batch]", particular_e="Código do ensaio: [protocol]",
                particular_f="Kit n.º [kit] · Participante: ______ · Visita: ____",
                particular_g="Investigador: ______________________",
                particular_h="Tomar um comprimido por dia com água.",
                particular_i="Exclusivamente para uso em ensaios clínicos.",
                particular_j="Conservar entre 15 e 25 °C.",
                particular_k="Validade: [expiry]",
                particular_l="Manter fora da vista e do alcance das crianças.")
OUTER_CMP_ES = dict(OUTER_ES, name="Caja exterior comparador ONC",
                    particular_b="Comparador ONC 100 mg/ml solución inyectable",
                    particular_c="Solución inyectable · vía subcutánea · 4 jeringas",
                    particular_h="Administrar según indique el médico del ensayo.",
                    particular_j="Conservar en nevera (entre 2 y 8 °C). No congelar.")
EXTENSION_ES = {
    "name": "Ampliación de caducidad IBX-201", "packaging": "extension", "language": "es",
    "width_mm": 75, "height_mm": 32, "font_size": 7.5,
    "particular_d": "Lote: [batch]", "particular_k": "Nueva caducidad: [expiry]",
}


COMPARATOR = "Comparador ONC refrigerado"  # the shipments demo's cold-chain kits


def _lot(session, number, product, trial, expires_on):
    lot = Lot(number=number, product_id=product.id, trial_id=trial.id, status="quarantine",
              manufacturer="Acme Biologics Inc., Durham NC", expires_on=expires_on)
    session.add(lot)
    session.flush()
    return lot


def _label_a_shipment(session, trial, template, logistics, report):
    """Print the labels of the kits picked for a Spanish site (the shipments demo's)."""
    for shipment in shipments_to_label(session, trial.id):
        site = shipment.destination.site
        if site is None or site.country != template.language.upper():
            continue
        try:
            run = request_run(session, trial, {"template_id": template.id, "scope": "shipment",
                                               "shipment_id": shipment.id, "layout": "a4"},
                              logistics)
        except DomainError:
            continue  # kits this template cannot label (another kit type, no GTIN)
        with tempfile.TemporaryDirectory() as folder:
            build_run(session, logistics, {"run_id": run.id}, Path(folder) / "labels.pdf",
                      progress=None)
        report.append(f"labels printed for the kits picked for shipment {shipment.number}")
        return


def seed_labelling(session, report):
    """Create the labelling demo once; later runs say it is already there."""
    if session.scalar(select(ImportRecord.id).where(ImportRecord.reference == "IMP-2026-001")):
        report.append("labelling demo already present")
        return
    from app.auth.models import User

    trial = session.scalar(select(Trial).where(Trial.protocol_code == "ONC-2024-017"))
    product = session.scalar(select(Product).where(Product.name == "IBX-201"))
    zone = session.scalar(select(Location).where(Location.code == "DEP-MAD-AMB"))
    users = {u.email: u for u in session.scalars(select(User))}
    qp, logistics = users["qp@demo.example"], users["logistica@demo.example"]
    today = clock.today()
    lot = _lot(session, "IBX26U05", product, trial, today + timedelta(days=420))
    record = create_import(session, trial, {
        "reference": "IMP-2026-001", "origin_country": "US", "supplier": "Acme Biologics Inc.",
        "manufacturer": "Acme Biologics Inc., Durham NC", "received_on": today - timedelta(12),
        "arrival_temperature_c": 19, "customs_document": "26ES00281140012345",
        "customs_cleared_on": today - timedelta(days=10)}, [lot], by=logistics)
    kits = receive_new_kits(session, trial, zone, [
        (number, lot, None) for number in random_kit_numbers(session, trial, 24)],
        by=logistics, document_ref=record.reference)
    certify_lot(session, lot, signer=qp, password=DEMO_PASSWORD,
                comment="Certificado de análisis y GMP revisados")
    release_for_country(session, lot, {"country": "ES", "authorised_by": "Iberia Pharma S.A. "
                                       "(Dirección Regulatoria)", "reference": "REL-ES-2026-07",
                                       "released_on": today - timedelta(days=7)}, by=qp)
    waiting = _lot(session, "IBX26U09", product, trial, today + timedelta(days=500))
    receive_new_kits(session, trial, zone, [
        (number, waiting, None) for number in random_kit_numbers(session, trial, 6)],
        by=logistics, document_ref="IMP-2026-002")
    create_import(session, trial, {
        "reference": "IMP-2026-002", "origin_country": "US", "supplier": "Acme Biologics Inc.",
        "manufacturer": "Acme Biologics Inc., Durham NC", "received_on": today - timedelta(2),
        "arrival_temperature_c": 21}, [waiting], by=logistics)
    report.append("imports IMP-2026-001 (certified, released for ES, 24 kits) and "
                  "IMP-2026-002 (6 kits waiting for customs)")
    outer = save_template(session, trial, dict(OUTER_ES, product_id=product.id))
    approve_template(session, outer, signer=qp, password=DEMO_PASSWORD)
    save_template(session, trial, dict(OUTER_PT, product_id=product.id))
    extension = save_template(session, trial, dict(EXTENSION_ES, product_id=product.id))
    approve_template(session, extension, signer=qp, password=DEMO_PASSWORD)
    run = request_run(session, trial, {"template_id": outer.id, "scope": "lot",
                                       "lot_id": lot.id, "layout": "roll"}, logistics)
    with tempfile.TemporaryDirectory() as folder:
        build_run(session, logistics, {"run_id": run.id}, Path(folder) / "labels.pdf",
                  progress=None)
    comparator = session.scalar(select(Product).where(Product.name == COMPARATOR))
    if comparator is not None:
        cmp_outer = save_template(session, trial, dict(OUTER_CMP_ES, product_id=comparator.id))
        approve_template(session, cmp_outer, signer=qp, password=DEMO_PASSWORD)
        _label_a_shipment(session, trial, cmp_outer, logistics, report)
    campaign = open_campaign(session, lot, {
        "new_expiry": lot.expires_on + timedelta(days=180),
        "justification": "Datos de estabilidad a 24 meses avalan 6 meses más",
        "stability_reference": "STAB-IBX-2026-03"}, qp)
    for kit in kits[:3]:
        relabel_kit(session, campaign, kit.kit_number, logistics)
    report.append("label templates (ES approved, PT draft), a printed run of 24 labels, "
                  "a relabel campaign with 3 kits relabelled")
