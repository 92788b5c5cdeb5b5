"""What each user may see of stock: site users only their own sites' kits and ledger."""

from sqlalchemy import select

from app.stock.models import Kit, Location
from app.trials.models import Site


def visible_kits(user):
    """Return a select of the kits the user may open."""
    stmt = select(Kit)
    if user.is_site_scoped or not user.can("stock.view"):
        stmt = stmt.join(Location, Kit.location_id == Location.id).where(
            Location.site_id.in_(user.site_ids or {0}))
    return stmt


def visible_site_locations(user):
    """Return a select of the site locations the user may see."""
    stmt = select(Location).join(Site, Site.id == Location.site_id).where(Location.kind == "site")
    if user.is_site_scoped:
        stmt = stmt.where(Location.site_id.in_(user.site_ids or {0}))
    return stmt


def can_see_location(user, location):
    """Return True when the user may see the stock of this location."""
    if location.kind == "site":
        return not user.is_site_scoped or location.site_id in user.site_ids
    return user.can("stock.view")


def depots(session):
    """Return the depots (not their zones), by name."""
    return session.scalars(select(Location).where(Location.kind == "depot")
                           .order_by(Location.name)).all()
