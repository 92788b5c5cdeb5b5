"""Label runs: which kits, the PDF built as a background job, every label recorded, and the
reconciliation that closes the run (EU GMP Annex 13: printed = applied + spoiled + destroyed)."""

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition
from app.labelling.gs1 import LabelCode, check_code
from app.labelling.models import ExpiryExtension, LabelPrint, LabelRun, LabelTemplate
from app.labelling.queries import LABELLED_SHIPMENTS
from app.labelling.services.render import LabelDrawer, write_pdf
from app.labelling.services.templates import (
    fill_placeholders,
    label_lines,
    particular_texts,
)
from app.labelling.states import LABEL_RUN
from app.shipments.api import Shipment, ShipmentKit
from app.stock.api import Kit, Lot, Product

# Kits that no longer need a label.
GONE_STATES = ("destroyed", "missing", "dispensed", "pending_destruction")
CHUNK = 500
# The language a destination country's labels are written in.
COUNTRY_LANGUAGES = {"ES": "es", "PT": "pt"}


def _kit_rows(run):
    """Return the select of (kit id, number, expiry, lot number, GTIN) a run labels."""
    stmt = (select(Kit.id, Kit.kit_number, Kit.expires_on, Lot.number, Product.gtin)
            .join(Lot, Kit.lot_id == Lot.id).join(Product, Kit.product_id == Product.id)
            .where(Kit.trial_id == run.trial_id, Kit.state.not_in(GONE_STATES))
            .order_by(Kit.kit_number))
    if run.scope == "lot":
        return stmt.where(Kit.lot_id == run.lot_id)
    if run.scope == "range":
        return stmt.where(Kit.kit_number >= run.first_kit, Kit.kit_number <= run.last_kit)
    if run.scope == "shipment":
        return stmt.join(ShipmentKit, ShipmentKit.kit_id == Kit.id).where(
            ShipmentKit.shipment_id == run.shipment_id, ShipmentKit.status == "picked")
    campaign = run.campaign_id
    return stmt.where(Kit.lot_id == select(ExpiryExtension.lot_id).where(
        ExpiryExtension.id == campaign).scalar_subquery())


def _new_expiry(session, run):
    if run.scope != "campaign":
        return None
    return session.get(ExpiryExtension, run.campaign_id).new_expiry


def label_of(template, protocol, row, expiry=None, texts=None):
    """Return (lines, code) of one kit's label from its row (texts: the template's
    particulars, when a run has them already)."""
    _id, number, expires_on, batch, gtin = row
    expiry = expiry or expires_on
    code = LabelCode(gtin or "", expiry, batch, number, protocol)
    values = {"batch": batch, "protocol": protocol, "kit": number,
              "expiry": expiry.strftime("%m/%Y")}
    if texts is None:
        return label_lines(template, values), code
    return fill_placeholders(texts, values), code


def _shipment_to_label(session, trial, template, data):
    """Return the picked shipment whose kits a run labels, in its destination's language."""
    shipment = session.get(Shipment, data.get("shipment_id") or 0)
    if shipment is None or shipment.trial_id != trial.id:
        raise DomainError(_("Choose a shipment of this trial."), "shipment_id")
    if shipment.status not in LABELLED_SHIPMENTS:
        raise DomainError(_("Shipment %(n)s is %(status)s: its kits are labelled once picked "
                            "and before dispatch.", n=shipment.number,
                            status=shipment.status_label), "shipment_id")
    site = shipment.destination.site
    language = COUNTRY_LANGUAGES.get(getattr(site, "country", None))
    if language and template.language != language:
        raise DomainError(_("Shipment %(n)s goes to %(country)s: choose a template in the "
                            "language of that country.", n=shipment.number,
                            country=site.country), "template_id")
    return shipment


def _check_kit_type(session, run, template):
    """Refuse a template written for one kit type (product) on kits of another."""
    if template.product_id is None:
        return
    other = session.scalar(_kit_rows(run).with_only_columns(Product.name)
                           .where(Product.id != template.product_id).limit(1))
    if other is not None:
        raise DomainError(_("Template %(name)s is written for %(product)s, and these kits "
                            "include %(other)s: choose the template of their kit type.",
                            name=template.name, product=template.product.name, other=other),
                          "template_id")


def request_run(session, trial, data, by):
    """Create a run for the kits chosen; refuse it before anything is printed when it cannot be."""
    template = session.get(LabelTemplate, data.get("template_id") or 0)
    if template is None or template.trial_id != trial.id:
        raise DomainError(_("Choose a label template of this trial."), "template_id")
    if template.status != "approved":
        raise DomainError(_("Template %(name)s v%(version)s is not approved by QA; it cannot "
                            "be printed.", name=template.name, version=template.version),
                          "template_id")
    scope = data.get("scope")
    run = LabelRun(trial_id=trial.id, template_id=template.id, scope=scope,
                   layout=data.get("layout") or "roll", status="requested",
                   requested_by_id=by.id)
    if scope == "lot":
        lot = session.get(Lot, data.get("lot_id") or 0)
        if lot is None or lot.trial_id not in (None, trial.id):
            raise DomainError(_("Choose a lot of this trial."), "lot_id")
        run.lot_id = lot.id
    elif scope == "range":
        first, last = (data.get("first_kit") or "").strip(), (data.get("last_kit") or "").strip()
        if not first or not last or first > last:
            raise DomainError(_("Give the first and last kit numbers, first before last."),
                              "first_kit")
        run.first_kit, run.last_kit = first, last
    elif scope == "shipment":
        run.shipment_id = _shipment_to_label(session, trial, template, data).id
    elif scope == "campaign":
        campaign = session.get(ExpiryExtension, data.get("campaign_id") or 0)
        if campaign is None or campaign.status != "open":
            raise DomainError(_("Choose an open relabel campaign."), "campaign_id")
        if template.packaging != "extension":
            raise DomainError(_("A relabel campaign prints the additional expiry label: choose "
                                "a template for an expiry extension."), "template_id")
        run.campaign_id = campaign.id
    else:
        raise DomainError(_("Choose which kits to label."), "scope")
    run.template = template
    rows = session.execute(_kit_rows(run)).all()
    if not rows:
        raise DomainError(_("No kits to label in this choice."), "scope")
    _check_kit_type(session, run, template)
    run.kit_count = len(rows)
    expiry = _new_expiry(session, run)
    longest = max(rows, key=lambda row: len(row[1]))
    for row in (rows[0], longest):
        lines, code = label_of(template, trial.protocol_code, row, expiry)
        check_code(code)
        LabelDrawer(template).layout(lines, code)
    session.add(run)
    session.flush()
    return run


def run_count(session, user, params):
    """Return how many labels a run's job prints."""
    run = session.get(LabelRun, params["run_id"])
    return run.kit_count if run else 0


def build_run(session, user, params, path, progress):
    """Write a run's PDF and record every label printed (the job's body)."""
    run = session.get(LabelRun, params["run_id"])
    template, protocol = run.template, run.trial.protocol_code
    expiry = _new_expiry(session, run)
    texts = particular_texts(template)  # read once, filled in for each kit
    printed = []

    def labels():
        for row in session.execute(_kit_rows(run).execution_options(yield_per=CHUNK)):
            printed.append(row[0])
            yield label_of(template, protocol, row, expiry, texts)

    total = write_pdf(path, template, labels(), run.layout, title=run.audit_label(),
                      progress=progress)
    now = utcnow()
    for start in range(0, len(printed), CHUNK):
        session.execute(insert(LabelPrint), [
            {"run_id": run.id, "kit_id": kit_id, "template_id": template.id,
             "template_version": template.version, "printed_at": now}
            for kit_id in printed[start:start + CHUNK]])
    apply_transition(session, LABEL_RUN, run, "print", values={"printed": total})
    return total


def close_run(session, run, data, by):
    """Reconcile a printed run; a discrepancy needs a reason before the run closes."""
    counts = {name: data.get(name) for name in ("applied", "spoiled", "destroyed")}
    if any(value is None or value < 0 for value in counts.values()):
        raise DomainError(_("Give the applied, spoiled and destroyed counts (0 or more)."),
                          "applied")
    accounted = sum(counts.values())
    reason = (data.get("reason") or "").strip()
    if accounted != run.printed and not reason:
        raise DomainError(_("%(printed)s labels were printed and %(accounted)s are accounted "
                            "for: give the reason for the difference to close the run.",
                            printed=run.printed, accounted=accounted), "reason")
    apply_transition(session, LABEL_RUN, run, "close", by=by, reason=reason or None,
                     values={**counts, "discrepancy_reason": reason or None})
    return run


def labels_of_kit(session, kit):
    """Return the labels printed for a kit, newest first."""
    return session.scalars(select(LabelPrint).where(LabelPrint.kit_id == kit.id)
                           .order_by(LabelPrint.printed_at.desc(), LabelPrint.id.desc())).all()
