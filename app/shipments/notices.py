"""Tell the right people: the site of a dispatch, logistics and QA of problems."""

from flask import has_request_context, url_for

from app.notify.services import tell, users_with_roles  # noqa: F401 - used below


def shipment_link(shipment):
    """Return the shipment page path (no host: notices are read inside the app)."""
    if not has_request_context():  # CLI and demo seeding
        return f"/shipments/{shipment.id}"
    return url_for("shipments.show_shipment", shipment_id=shipment.id)
