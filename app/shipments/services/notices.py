"""Who is told what about a shipment: the site of a dispatch, logistics and QA of problems."""

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import update

from app.core.models import utcnow
from app.core.templating import local_date, number
from app.notify.models import Notice
from app.notify.services import tell, users_with_roles

SHIPMENT_NOTICES = "/shipments/%"


def shipment_link(shipment):
    """Return the shipment page path (no host: notices are read inside the app)."""
    if not has_request_context():  # CLI and demo seeding
        return f"/shipments/{shipment.id}"
    return url_for("shipments.show_shipment", shipment_id=shipment.id)


def mark_notices_read(session, user):
    """Mark the user's unread shipment notices as read."""
    session.execute(update(Notice).where(
        Notice.user_id == user.id, Notice.read_at.is_(None),
        Notice.link.like(SHIPMENT_NOTICES)).values(read_at=utcnow()))


def tell_dispatched(session, shipment, kits, courier, tracking, expected_arrival):
    """Tell the destination site's staff that the shipment is on its way."""
    tell(session, users_with_roles(session, ("site",), site_id=shipment.destination.site_id),
         lambda: (_("Shipment %(n)s is on its way", n=shipment.number),
                  _("Shipment %(n)s with %(k)s kits left %(origin)s with %(courier)s "
                    "(tracking %(tracking)s). Expected on %(date)s. Scan the kits when "
                    "it arrives and sign the receipt.", n=shipment.number, k=kits,
                    origin=shipment.origin.name, courier=courier,
                    tracking=tracking or "—", date=local_date(expected_arrival))),
         shipment_link(shipment))


def tell_excursion(session, shipment, upload, report):
    """Tell logistics and QA that a logger of the shipment went out of range."""
    tell(session, users_with_roles(session, ("logistics", "qp"),
                                  trial_id=shipment.trial_id),
         lambda: (_("Temperature excursion on shipment %(n)s", n=shipment.number),
                  _("Logger %(logger)s of shipment %(n)s was outside %(low)s to %(high)s °C "
                    "for %(minutes)s minutes in %(count)s excursions (lowest %(min)s °C, "
                    "highest %(max)s °C). The kits will be quarantined on receipt until QA "
                    "decides.", logger=upload.logger_serial, n=shipment.number,
                    low=number(report.low_c, 1), high=number(report.high_c, 1),
                    minutes=number(report.minutes_out, 1),
                    count=len(report.excursions), min=number(report.min_c, 1),
                    max=number(report.max_c, 1))),
         shipment_link(shipment))


def tell_discrepancies(session, shipment, opened):
    """Tell logistics and QA that kits arrived damaged or were missing."""
    tell(session, users_with_roles(session, ("logistics", "qp"),
                                  trial_id=shipment.trial_id),
         lambda: (_("Discrepancy at receipt of shipment %(n)s", n=shipment.number),
                  _("%(count)s kits of shipment %(n)s arrived damaged or were missing at "
                    "%(place)s. Resolve the discrepancy records.", count=len(opened),
                    n=shipment.number, place=shipment.destination.name)),
         shipment_link(shipment))


def tell_quarantine(session, shipment, count):
    """Tell QA and logistics that received kits wait for a QA decision."""
    tell(session, users_with_roles(session, ("qp", "logistics"),
                                  trial_id=shipment.trial_id),
         lambda: (_("Kits quarantined: shipment %(n)s awaits a QA decision", n=shipment.number),
                  _("%(count)s kits of shipment %(n)s were received after a temperature "
                    "excursion of %(minutes)s minutes and are quarantined at %(place)s. "
                    "Release or reject them.", count=count, n=shipment.number,
                    minutes=number(shipment.minutes_out, 1),
                    place=shipment.destination.name)),
         shipment_link(shipment))
