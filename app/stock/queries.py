"""What each user may see of stock: site users only their own sites' kits and ledger."""

from sqlalchemy import select

from app.stock.models import Kit, Location
from app.trials.models import Site


def visible_kits(user):
    """Return a select of the kits the user may open."""
    stmt = select(Kit)
    scope = site_scope(user)
    if scope is not None:
        stmt = stmt.join(Location, Kit.location_id == Location.id).where(scope)
    return stmt


def site_scope(user):
    """Return the location filter for a user who may not see all stock, else None.

    Site users see their own sites; roles without stock.view (the monitor) see sites only.
    """
    if user.is_site_scoped:
        return Location.site_id.in_(user.site_ids or {0})
    if not user.can("stock.view"):
        return Location.kind == "site"
    return None


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
