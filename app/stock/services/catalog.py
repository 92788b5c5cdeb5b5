"""Products, lots, blinded lots, supply settings and locations (services never commit)."""


from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import set_reason
from app.core import clock
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.unique import refuse_taken
from app.stock.models import (
    DEFAULT_DND,
    DEFAULT_DNS,
    Location,
    Lot,
    Product,
    ResupplyLevel,
    SupplySettings,
)
from app.stock.rules import check_lot_rules
from app.stock.services.stability import BUDGET_FIELDS, check_budget
from app.stock.states import LOT

PRODUCT_FIELDS = ("name", "kind", "strength", "form", "route", "units_per_kit",
                  "storage_min_c", "storage_max_c", "gtin", *BUDGET_FIELDS)


def gtin_is_valid(gtin):
    """Return True for a 14-digit GTIN whose last digit is its GS1 check digit."""
    if not gtin or len(gtin) != 14 or not gtin.isdigit():
        return False
    digits = [int(c) for c in gtin]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:13]))
    return (10 - total % 10) % 10 == digits[13]


def save_product(session, data, product=None):
    """Create or change a product after checking its storage range, units and GTIN."""
    if (data.get("units_per_kit") or 0) <= 0:
        raise DomainError(_("Units per kit must be more than zero."), "units_per_kit")
    if data["storage_min_c"] >= data["storage_max_c"]:
        raise DomainError(_("The minimum storage temperature must be below the maximum."),
                          "storage_max_c")
    check_budget(data)
    if data.get("gtin") and not gtin_is_valid(data["gtin"]):
        raise DomainError(_("This GTIN-14 is not valid: 14 digits, the last one the check "
                            "digit."), "gtin")
    refuse_taken(session, Product.name, data["name"], _("Another product already has this name."),
                 "name", record_id=product.id if product else None)
    product = product or Product()
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name] if data[name] != "" else None)
    session.add(product)
    session.flush()
    return product


def _check_lot_number(session, number, product_id, lot_id=None):
    other = session.scalar(select(Lot).where(func.lower(Lot.number) == number.lower(),
                                             Lot.id != (lot_id or 0)))
    if other is None:
        return
    if other.product_id != product_id:
        raise DomainError(_("Lot number %(number)s is already used for another product (%(p)s).",
                            number=number, p=other.product.name), "number")
    raise DomainError(_("Lot number %(number)s already exists.", number=number), "number")


def create_lot(session, data, today=None):
    """Register a manufacturing lot (in quarantine or released); its expiry may not be past."""
    today = today or clock.today()
    status = data.get("status") or "quarantine"
    _check_registered_status(status)
    _check_lot_number(session, data["number"], data["product_id"])
    if data["expires_on"] < today:
        raise DomainError(_("The expiry date is in the past; an expired lot cannot be "
                            "received."), "expires_on")
    if data.get("manufactured_on") and data["manufactured_on"] > data["expires_on"]:
        raise DomainError(_("The manufacture date must be before the expiry date."),
                          "manufactured_on")
    lot = Lot(number=data["number"], product_id=data["product_id"],
              trial_id=data.get("trial_id") or None, manufacturer=data.get("manufacturer"),
              manufactured_on=data.get("manufactured_on"), expires_on=data["expires_on"],
              status=status)
    session.add(lot)
    session.flush()
    return lot


def _check_registered_status(status):
    """Refuse a new lot in any status its machine does not register it in."""
    if LOT.find(None, "register", status) is None:
        raise DomainError(_("A new lot is registered in quarantine or already released."),
                          "status")


def create_blinded_lot(session, trial, number, members, status="released"):
    """Group matching active and placebo lots; the blinded lot takes the earliest expiry."""
    _check_registered_status(status)
    if len(members) < 2:
        raise DomainError(_("A blinded lot groups at least two lots (active and placebo)."),
                          "members")
    if any(m.blinded for m in members):
        raise DomainError(_("A blinded lot can only group manufacturing lots."), "members")
    active = [m for m in members if m.product.kind != "placebo"]
    if not active or len(active) == len(members):
        raise DomainError(_("A blinded lot needs at least one active and one placebo lot."),
                          "members")
    _check_lot_number(session, number, active[0].product_id)
    for member in members:
        check_lot_rules(session, member, "group")
    lot = Lot(number=number, product_id=active[0].product_id, trial_id=trial.id, blinded=True,
              expires_on=min(m.expires_on for m in members), status=status,
              manufacturer=None)
    lot.members = list(members)
    session.add(lot)
    session.flush()
    return lot


def change_lot_status(session, lot, event, *, reason, by=None):
    """Release, reject, recall, hold or expire a lot through its declared transition."""
    if event == "release":
        check_lot_rules(session, lot, event)
    return apply_transition(session, LOT, lot, event, by=by, reason=reason)


def supply_settings(session, trial):
    """Return the trial's DNS/DND settings (defaults when none were saved)."""
    settings = session.scalar(select(SupplySettings).where(SupplySettings.trial_id == trial.id))
    return settings or SupplySettings(trial_id=trial.id, dns_days=DEFAULT_DNS,
                                      dnd_days=DEFAULT_DND)


def save_supply_settings(session, trial, dns_days, dnd_days, reason):
    """Save a trial's do-not-ship and do-not-dispense windows (DNS > DND)."""
    if dnd_days < 0 or dns_days <= dnd_days:
        raise DomainError(_("The do-not-ship window must be longer than the do-not-dispense "
                            "window, and neither may be negative."), "dns_days")
    set_reason(session, reason)
    settings = session.scalar(select(SupplySettings).where(SupplySettings.trial_id == trial.id))
    if settings is None:
        settings = SupplySettings(trial_id=trial.id)
        session.add(settings)
    settings.dns_days, settings.dnd_days = dns_days, dnd_days
    session.flush()
    return settings


def save_resupply_level(session, site, minimum, maximum):
    """Set a site's resupply minimum and maximum (0 <= min < max)."""
    if minimum < 0 or maximum <= minimum:
        raise DomainError(_("The maximum must be more than the minimum, and the minimum may "
                            "not be negative."), "maximum")
    level = session.scalar(select(ResupplyLevel).where(ResupplyLevel.site_id == site.id))
    if level is None:
        level = ResupplyLevel(site_id=site.id, minimum=minimum, maximum=maximum)
        session.add(level)
    level.minimum, level.maximum = minimum, maximum
    session.flush()
    return level


def create_depot(session, code, name, zones=()):
    """Create a depot and its storage zones [(code, name, storage note)]."""
    refuse_taken(session, Location.code, code, _("A location with this code already exists."),
                 "code")
    depot = Location(kind="depot", code=code, name=name)
    session.add(depot)
    session.flush()
    for zone_code, zone_name, note in zones:
        session.add(Location(kind="zone", code=zone_code, name=zone_name, parent_id=depot.id,
                             storage_note=note))
    session.flush()
    return depot


def site_location(session, site):
    """Return the stock location of a trial site, creating it on first use."""
    location = session.scalar(select(Location).where(Location.site_id == site.id))
    if location is None:
        code = f"SITE-{site.trial.protocol_code}-{site.site_number}"[:40]
        location = Location(kind="site", code=code, name=f"{site.audit_label()} · "
                            f"{site.hospital}"[:200], site_id=site.id)
        session.add(location)
        session.flush()
    return location


def depot_location_ids(session, depot):
    """Return the ids of a depot and its zones."""
    return [depot.id, *session.scalars(select(Location.id).where(
        Location.parent_id == depot.id))]
