"""The shipment's PDFs: packing list, shipping label, proof of delivery."""

from flask_babel import gettext as _
from flask_login import current_user

from app.core.permissions import require
from app.esign.services import signatures_for
from app.exports.pdf import build_pdf, pdf_response
from app.exports.pdf_label import courier_label_pdf
from app.extensions import db
from app.shipments import bp
from app.shipments.exports import courier_label, packing_list_story, proof_of_delivery_story
from app.shipments.queries import delivery_address, qa_decisions_of
from app.shipments.services.logger import kit_minutes_out
from app.shipments.views.orders import shipment_or_404


@bp.route("/<int:shipment_id>/packing-list.pdf")
@require("shipments.view")
def packing_list_pdf(shipment_id):
    """Download the packing list."""
    shipment = shipment_or_404(shipment_id)
    data = build_pdf(_("Packing list %(n)s", n=shipment.number),
                     packing_list_story(shipment, delivery_address(shipment, current_user)),
                     subtitle=shipment.trial.protocol_code,
                     signature_lines=[_("Packed by"), _("Checked by")])
    return pdf_response(f"packing-list-{shipment.number}.pdf", data)


@bp.route("/<int:shipment_id>/label.pdf")
@require("shipments.view")
def label_pdf(shipment_id):
    """Download the 100 x 150 mm courier label with the shipment number as a barcode."""
    shipment = shipment_or_404(shipment_id)
    data = courier_label_pdf(courier_label(shipment, delivery_address(shipment, current_user)))
    return pdf_response(f"label-{shipment.number}.pdf", data)


def _receipt_and_decision_signatures(shipment):
    """Return the receipt signature and those of the QA decisions, oldest first."""
    found = list(signatures_for(db.session, shipment))
    for decision in qa_decisions_of(db.session, shipment):
        found.extend(signatures_for(db.session, decision))
    return sorted(found, key=lambda s: s.signed_at)


@bp.route("/<int:shipment_id>/proof-of-delivery.pdf")
@require("shipments.view")
def proof_of_delivery_pdf(shipment_id):
    """Download the proof of delivery with the temperature chart and the signatures."""
    shipment = shipment_or_404(shipment_id)
    exposure = kit_minutes_out(db.session, [line.kit_id for line in shipment.lines])
    data = build_pdf(_("Proof of delivery %(n)s", n=shipment.number),
                     proof_of_delivery_story(db.session, shipment, exposure,
                                             delivery_address(shipment, current_user)),
                     subtitle=shipment.trial.protocol_code,
                     signatures=_receipt_and_decision_signatures(shipment))
    return pdf_response(f"proof-of-delivery-{shipment.number}.pdf", data)
