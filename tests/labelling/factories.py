"""Labelling factories: an imported lot of a product with a GTIN, complete templates."""

from datetime import timedelta

from app.core import clock
from app.jobs import services as jobs
from app.labelling.services.release import certify_lot, create_import, release_for_country
from app.labelling.services.templates import approve_template, save_template
from tests import factories
from tests.stock.factories import make_depot, make_kits, make_lot, make_product

GTIN = "08412345678905"
PASSWORD = factories.PASSWORD

OUTER_ES = {
    "name": "Caja exterior", "packaging": "outer", "language": "es",
    "width_mm": 105, "height_mm": 80, "font_size": 7.5,
    "particular_a": "Promotor: Ensayos Clínicos SL, C/ Mayor 1, 28013 Madrid. "
                    "Tel. 24 h: +34 910 000 000",
    "particular_b": "XYZ-123 10 mg o placebo",
    "particular_c": "Comprimidos recubiertos · vía oral · 28 comprimidos",
    "particular_d": "Lote: [batch]",
    "particular_e": "Código del ensayo: [protocol]",
    "particular_f": "Kit n.º [kit] · Sujeto: ______ · Visita: ____",
    "particular_g": "Investigador: ________________",
    "particular_h": "Tomar un comprimido al día con agua.",
    "particular_i": "Exclusivamente para uso en ensayos clínicos.",
    "particular_j": "Conservar por debajo de 25 °C.",
    "particular_k": "Caducidad: [expiry]",
    "particular_l": "Mantener fuera de la vista y del alcance de los niños.",
}
EXTENSION_ES = {
    "name": "Etiqueta de ampliación de caducidad", "packaging": "extension", "language": "es",
    "width_mm": 75, "height_mm": 32, "font_size": 7.5,
    "particular_d": "Lote: [batch]", "particular_k": "Nueva caducidad: [expiry]",
}


def make_trial(session, **values):
    """Return a blinded trial running in Spain and Portugal."""
    values.setdefault("countries", "ES,PT")
    values.setdefault("blinded", True)
    return factories.make_trial(session, **values)


def make_imported_lot(session, trial, kits=4, cleared=True, by=None, **lot_values):
    """Return (import, lot, kits): a quarantined lot of a GTIN product imported from the US."""
    product = make_product(session, gtin=GTIN)
    lot = make_lot(session, product, trial, status="quarantine", **lot_values)
    depot = make_depot(session)
    kit_list = make_kits(session, trial, kits, lot=lot, depot=depot,
                         prefix=f"K{factories.next_number():03d}-") if kits else []
    data = {"reference": f"IMP-{factories.next_number():05d}", "origin_country": "US",
            "supplier": "Acme Pharma Inc.", "manufacturer": "Acme Manufacturing LLC",
            "received_on": clock.today() - timedelta(days=3),
            "customs_document": "26ES00281140012345" if cleared else "",
            "customs_cleared_on": clock.today() - timedelta(days=2) if cleared else None}
    record = create_import(session, trial, data, [lot], by=by)
    return record, lot, kit_list


def certify_and_release(session, lot, qp, countries=("ES",)):
    """Certify the lot as the QP and release it for the countries."""
    certify_lot(session, lot, signer=qp, password=PASSWORD)
    for country in countries:
        release_for_country(session, lot, {"country": country, "authorised_by": "Sponsor RA",
                                           "reference": f"REL-{country}-1",
                                           "released_on": clock.today()}, by=qp)


def make_template(session, trial, values=None, approve_by=None):
    """Return a template (approved when approve_by is a QA user)."""
    template = save_template(session, trial, dict(values or OUTER_ES))
    if approve_by is not None:
        approve_template(session, template, signer=approve_by, password=PASSWORD)
    return template


def run_job(session, user, run):
    """Run a label run's job at once; return the job (its file is the PDF)."""
    job = jobs.start_job(session, user, "label_run", {"run_id": run.id}, run.kit_count)
    run.job_id = job.id
    session.commit()
    assert jobs.run(session, job.id) is True
    session.refresh(job)
    session.refresh(run)
    return job
