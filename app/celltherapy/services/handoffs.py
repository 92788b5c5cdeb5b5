"""Handoffs: both scans must carry the order's identifier; the receiver signs the custody."""

from flask_babel import gettext as _

from app.audit.services import record_event
from app.celltherapy.models import Custody
from app.celltherapy.services.identity import read_scan
from app.core.errors import DomainError
from app.esign.services import sign


class IdentityMismatch(DomainError):
    """A scan carried another identifier: the step is refused and QA is told.

    ``keep`` re-writes the audit entry and the notices after the request's other writes are
    rolled back (see app.core.actions.roll_back_refusal), so a mismatch is never forgotten.
    """

    def __init__(self, message, field, keep):
        super().__init__(message, field)
        self.keep = keep


def tell_mismatch(session, order, step, field, scanned, by):
    """Write the mismatch to the audit trail and tell QA, in their language."""
    from app.notify.services import tell, users_with_roles

    record_event(session, "coi_mismatch", "therapy_order", order.id, label=order.reference,
                 changes={"scanned": (order.coi, scanned)},
                 reason=f"{step}: {field} by {by.email}")
    link = f"/cell-therapy/orders/{order.id}"

    def compose():
        return (_("Identifier mismatch on %(coi)s", coi=order.reference),
                _("At the step “%(step)s” the scanned identifier %(scanned)s did not match "
                  "%(coi)s. The step was blocked.", step=step, scanned=scanned,
                  coi=order.reference))

    tell(session, users_with_roles(session, ["qp"], trial_id=order.trial_id), compose, link)


def verify_scans(session, order, step, bag_scan, document_scan, by):
    """Return the identifier both scans carry, or refuse (a mismatch also tells QA)."""
    for field, text in (("bag_scan", bag_scan), ("document_scan", document_scan)):
        scanned = read_scan(text) if text else None
        if scanned is None:
            raise DomainError(_("Scan the identifier on the bag and on the document."), field)
        if scanned != order.coi:
            def keep(again, field=field, scanned=scanned):
                tell_mismatch(again, order, step, field, scanned, by)

            keep(session)
            raise IdentityMismatch(
                _("%(scanned)s is not this order's identifier (%(coi)s). The step is blocked "
                  "and QA has been told.", scanned=scanned, coi=order.coi), field, keep)
    return order.coi


def record_custody(session, order, step, data, by, *, password, meaning="received"):
    """Verify both scans, write the custody record and the signer's signature; return both."""
    verify_scans(session, order, step, data.get("bag_scan"), data.get("document_scan"), by)
    for name in ("handed_over_by", "received_by", "location"):
        if not (data.get(name) or "").strip():
            raise DomainError(_("This field is required."), name)
    custody = Custody(order_id=order.id, step=step,
                      handed_over_by=data["handed_over_by"].strip(),
                      received_by=data["received_by"].strip(), recorded_by_id=by.id,
                      location=data["location"].strip(), condition=data["condition"],
                      temperature_c=data.get("temperature_c"),
                      bag_scan=data["bag_scan"].strip()[:40],
                      document_scan=data["document_scan"].strip()[:40])
    session.add(custody)
    session.flush()
    signature = sign(session, custody, meaning=meaning, signer=by, password=password)
    return custody, signature
