"""Tell the right people: the site of a dispatch, logistics and QA of problems."""

from flask import has_request_context, request, url_for
from flask_babel import force_locale
from sqlalchemy import select

from app.auth.models import User, UserRole
from app.notify.services import notify, queue_email


def users_with_roles(session, roles, site_id=None):
    """Return active users holding any of the roles (and, when given, assigned to the site)."""
    stmt = (select(User).join(UserRole).where(UserRole.role.in_(roles), User.active.is_(True))
            .order_by(User.id).distinct())
    users = session.scalars(stmt).all()
    if site_id is not None:
        users = [u for u in users if site_id in u.site_ids]
    return users


def shipment_link(shipment):
    """Return the shipment page path (no host: notices are read inside the app)."""
    if not has_request_context():  # CLI and demo seeding
        return f"/shipments/{shipment.id}"
    return url_for("shipments.show_shipment", shipment_id=shipment.id)


def tell(session, users, compose, link):
    """Leave a notice and queue an e-mail for each user, written in the user's language.

    compose() returns (subject, body) and is called with each user's locale in force.
    """
    absolute = request.host_url.rstrip("/") + link if has_request_context() else link
    for user in users:
        with force_locale(user.language or "es"):
            subject, body = compose()
        notify(session, user, subject, link)
        queue_email(session, user.email, subject, f"{body}\n\n{absolute}")
    return len(users)
