"""The therapy order from collection scheduling to infusion (one declared step at a time)."""


from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.celltherapy.models import LEG_LIMIT_C, TherapyOrder
from app.celltherapy.services import identity
from app.celltherapy.services.handoffs import record_custody
from app.celltherapy.services.shippers import dispatch_shipper
from app.celltherapy.states import ORDER
from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.core.states import apply_transition
from app.esign.services import sign
from app.trials.api import Subject


def move(session, order, event, by, **kwargs):
    """Apply a declared step and stamp when the order entered it."""
    values = kwargs.pop("values", None) or {}
    values.setdefault("step_at", utcnow())
    return apply_transition(session, ORDER, order, event, by=by, values=values, **kwargs)


def schedule(session, subject_id, *, collection_date, manufacturing_slot, product_kind, by):
    """Open a therapy order for a subject of a cell-therapy trial."""
    subject = session.get(Subject, subject_id or 0)
    if subject is None:
        raise DomainError(_("Choose a subject."), "subject_id")
    if subject.trial.kind != "cell_therapy":
        raise DomainError(_("%(code)s is not in a cell-therapy trial.", code=subject.code),
                          "subject_id")
    if not by.sees_site("celltherapy.site", subject.site_id):
        raise DomainError(_("Choose a subject of your own site."), "subject_id")
    if manufacturing_slot < collection_date:
        raise DomainError(_("The manufacturing slot cannot be before the collection."),
                          "manufacturing_slot")
    order = TherapyOrder(trial_id=subject.trial_id, site_id=subject.site_id,
                         subject_id=subject.id, product_kind=product_kind,
                         collection_date=collection_date, manufacturing_slot=manufacturing_slot)
    session.add(order)
    session.flush()
    return order


def collect(session, order, *, bag_ids, volume_ml, cell_count, by):
    """Record the collection; the first one allocates the Chain of Identity identifier."""
    values = {"bag_ids": bag_ids.strip(), "volume_ml": volume_ml,
              "cell_count": (cell_count or "").strip() or None}
    if order.coi is None:
        values["coi"] = identity.allocate(session, TherapyOrder, clock.today().year)
    try:
        with session.begin_nested():
            move(session, order, "collect", by, values=values)
    except IntegrityError as error:  # another collection took the number a moment ago
        raise DomainError(_("Another collection took this identifier a moment ago. Try "
                            "again.")) from error
    return order


def ship_to_lab(session, order, data, *, courier, logger_ids, by, password):
    """Hand the collected cells to the courier (scanned and signed)."""
    record_custody(session, order, "ship_to_lab", data, by, password=password,
                   meaning="performed")
    return move(session, order, "ship_to_lab", by,
                values={"courier": courier.strip(), "logger_ids": (logger_ids or "").strip()})


def receive_at_lab(session, order, data, *, by, password):
    """Receive the cells at the manufacturer (scanned, signed by the receiver)."""
    _custody, signature = record_custody(session, order, "receive_at_lab", data, by,
                                         password=password)
    return move(session, order, "receive_at_lab", by, signature=signature)


def refuse_open_excursions(order, doing):
    """Refuse a step while a leg waits for QA or was rejected."""
    for leg in order.legs:
        if leg.qa_status == "pending":
            raise DomainError(_("%(doing)s waits: a temperature excursion on the leg “%(leg)s” "
                                "needs a QA decision first.", doing=doing, leg=leg.leg_label))
        if leg.qa_status == "rejected":
            raise DomainError(_("QA rejected the product after an excursion on the leg "
                                "“%(leg)s”; it cannot be used.", leg=leg.leg_label))


def start_manufacturing(session, order, by):
    """Start manufacturing (not while the collection leg waits for QA)."""
    refuse_open_excursions(order, _("Manufacturing"))
    return move(session, order, "start_manufacturing", by)


def release(session, order, *, coa, by, password):
    """Release by the manufacturer's QP: certificate of analysis attached, signed."""
    if coa is None:
        raise DomainError(_("Attach the certificate of analysis."), "coa")
    order.coa_file_id = coa.id
    session.flush()
    signature = sign(session, order, meaning="released", signer=by, password=password)
    return move(session, order, "release", by, signature=signature)


def out_of_spec(session, order, *, reason, by):
    """Record that quality control found the product out of specification."""
    return move(session, order, "out_of_spec", by, reason=reason,
                values={"out_of_spec_reason": reason.strip()})


def release_by_exception(session, order, *, physician_consent, reason, by, password):
    """Release an out-of-specification product with the treating physician's consent."""
    if not (physician_consent or "").strip():
        raise DomainError(_("Record the physician's consent."), "physician_consent")
    order.physician_consent = physician_consent.strip()
    session.flush()
    signature = sign(session, order, meaning="approved", signer=by, password=password)
    return move(session, order, "release_by_exception", by, reason=reason,
                signature=signature)


def fail(session, order, *, reason, by):
    """Record a failed manufacture."""
    return move(session, order, "fail", by, reason=reason)


def recollect(session, order, *, collection_date, reason, by):
    """Schedule a new collection for the same patient after a failure (same identifier)."""
    return move(session, order, "recollect", by, reason=reason,
                values={"collection_number": order.collection_number + 1,
                        "collection_date": collection_date, "collected_at": None,
                        "to_lab_at": None, "at_lab_at": None, "manufacturing_at": None})


def ship_to_site(session, order, data, *, shipper_code, transit_hours, courier, by, password):
    """Ship the cryopreserved product back in a charged, qualified dry shipper."""
    refuse_open_excursions(order, _("Shipping"))
    shipper = dispatch_shipper(session, shipper_code, transit_hours, by)
    record_custody(session, order, "ship_to_site", data, by, password=password,
                   meaning="performed")
    return move(session, order, "ship_to_site", by,
                values={"shipper_id": shipper.id, "planned_transit_hours": transit_hours,
                        "courier": courier.strip()})


def receive_at_site(session, order, data, *, by, password):
    """Receive the product at the hospital, below -150 °C, signed by the receiver."""
    temperature = data.get("temperature_c")
    if temperature is None:
        raise DomainError(_("Enter the temperature read on arrival."), "temperature_c")
    if temperature > LEG_LIMIT_C["to_site"]:
        raise DomainError(_("%(t)s °C is above -150 °C: the product cannot be accepted as "
                            "received cryopreserved. Quarantine it and call QA.",
                            t=temperature), "temperature_c")
    _custody, signature = record_custody(session, order, "receive_at_site", data, by,
                                         password=password)
    return move(session, order, "receive_at_site", by, signature=signature)


def store(session, order, by):
    """Record the product stored in the hospital's cryogenic storage."""
    return move(session, order, "store", by)


def thaw(session, order, by):
    """Record the product thawed for infusion."""
    return move(session, order, "thaw", by)


def infuse(session, order, data, *, by, password):
    """Infuse after the bedside scan of bag and document; the person infusing signs."""
    if order.released_at is None or order.received_at is None:
        raise DomainError(_("The product has not been released and received: it cannot be "
                            "infused."))
    refuse_open_excursions(order, _("Infusion"))
    _custody, signature = record_custody(session, order, "infuse", data, by,
                                         password=password, meaning="performed")
    return move(session, order, "infuse", by, signature=signature,
                values={"infused_by_id": by.id})
