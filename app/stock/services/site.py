"""At the site: propose and dispense a kit to a subject at a visit, record its return."""

from datetime import timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.errors import DomainError
from app.core.models import utcnow
from app.stock.models import Dispensing, Kit, KitReturn, Location
from app.stock.rules import KitUse, check_kit_rules
from app.stock.scanning import kit_number_from_scan
from app.stock.services.catalog import supply_settings
from app.stock.services.kittypes import next_kit_type, visit_needs
from app.stock.services.ledger import check_kit_move, transition
from app.stock.services.supply import eligible_kits
from app.stock.services.visits import check_second_kit, check_visit
from app.stock.states import USABLE_STATES


def dispensing_use(subject, visit=None, on_date=None, kit_type=None):
    """Return the KitUse the kit rules judge a dispensing by.

    The kit type rule (app/stock/kit_rules.py) reads visit and kit_type; other domains'
    rules read subject (and visit) for what else this subject may receive.
    """
    return KitUse("dispense", subject.trial, site=subject.site, subject=subject, visit=visit,
                  on_date=on_date or clock.today(), kit_type=kit_type)


def propose_kit(session, subject, on_date=None, visit=None, kit_type=None):
    """Return the kit the system proposes to dispense to a subject at their site, or None.

    At a visit that names kit types, the kit is of the first type the visit still needs
    (or of the type asked for, for a replacement).
    """
    location = session.scalar(select(Location).where(Location.site_id == subject.site_id))
    if location is None:
        return None
    if kit_type is None and visit is not None:
        kit_type = next_kit_type(session, subject, visit)
        if kit_type is None and visit_needs(session, visit):
            return None  # the visit's kits have all been given
    kits = eligible_kits(session, subject.trial, [location.id], window="dnd", on_date=on_date,
                         limit=1, use=dispensing_use(subject, visit, on_date, kit_type))
    return kits[0] if kits else None


def dispense_kit(session, subject, visit, proposed_kit, scanned_number, *, by, on_date=None,
                 replacement_reason=None, explanation=None, off_window_reason=None):
    """Give the proposed kit to the subject at a visit once the scanned number matches it.

    Only kits of the type the visit needs; a second kit of a type at the same visit only as
    a replacement (damaged, lost) with a reason; outside the visit window only with a reason.
    """
    scanned = kit_number_from_scan(session, subject.trial_id, scanned_number)
    if visit.trial_id != subject.trial_id or not visit.active:
        raise DomainError(_("This visit is not in the trial's schedule."), "visit_id")
    if subject.status not in ("enrolled", "screening"):
        raise DomainError(_("Subject %(s)s is not on treatment; nothing can be dispensed.",
                            s=subject.code), "subject_id")
    if by is not None and not by.sees_site("stock.dispense", subject.site_id):
        raise DomainError(_("You can only dispense at your own sites."), "subject_id")
    settings = supply_settings(session, subject.trial)
    on_date = on_date or clock.today()
    scanned_kit = session.scalar(select(Kit).where(Kit.trial_id == subject.trial_id,
                                                   Kit.kit_number == scanned))
    use = dispensing_use(subject, visit, on_date)
    # The kit in hand first: a wrong kit is said before any reason the visit asks for.
    if scanned_kit is not None and (proposed_kit is None or scanned_kit.id != proposed_kit.id):
        _explain_unusable(scanned_kit, subject, settings, on_date)
        check_kit_rules(session, scanned_kit, use)
    if proposed_kit is None:
        raise DomainError(_("No kit at this site can be dispensed; ask for a resupply."),
                          "kit_number")
    if scanned != proposed_kit.kit_number:
        raise DomainError(_("The kit number you scanned (%(scanned)s) is not the proposed kit "
                            "(%(kit)s). Nothing was dispensed.", scanned=scanned or "—",
                            kit=proposed_kit.kit_number), "kit_number")
    extra = check_visit(session, subject, visit, on_date, replacement_reason=replacement_reason,
                        explanation=explanation, off_window_reason=off_window_reason)
    kit = proposed_kit
    _explain_unusable(kit, subject, settings, on_date)
    check_kit_rules(session, kit, use)
    replaces = check_second_kit(session, subject, visit, kit, extra)
    entry = transition(session, kit, "dispensed", "dispense", by=by,
                       document_ref=f"{subject.code} V{visit.number}",
                       reason=extra["explanation"] if replaces else extra["off_window_reason"])
    dispensing = Dispensing(kit_id=kit.id, subject_id=subject.id, visit_id=visit.id,
                            site_id=subject.site_id, dispensed_at=entry.occurred_at,
                            dispensed_by_id=by.id if by else None, entry_id=entry.id,
                            replaces_id=replaces.id if replaces else None,
                            replacement_reason=extra["replacement_reason"] if replaces else None,
                            explanation=extra["explanation"] if replaces else None,
                            off_window_reason=extra["off_window_reason"])
    session.add(dispensing)
    session.flush()
    return dispensing


def _explain_unusable(kit, subject, settings, on_date):
    """Refuse, in plain words, a kit that cannot be dispensed to this subject today."""
    if kit.state == "dispensed":
        raise DomainError(_("Kit %(kit)s has already been dispensed; it was scanned twice.",
                            kit=kit.kit_number), "kit_number")
    location = kit.location
    if kit.state in USABLE_STATES and (location is None or location.site_id != subject.site_id):
        raise DomainError(_("Kit %(kit)s is not at this subject's site; it cannot be dispensed "
                            "here.", kit=kit.kit_number), "kit_number")
    try:
        check_kit_move(kit, "dispensed", "dispense")
    except DomainError as error:
        raise DomainError(str(error), "kit_number") from error
    if kit.expires_on < on_date:
        raise DomainError(_("Kit %(kit)s expired on %(date)s; it cannot be dispensed.",
                            kit=kit.kit_number, date=format_date(kit.expires_on)), "kit_number")
    if kit.expires_on < on_date + timedelta(days=settings.dnd_days):
        raise DomainError(_("Kit %(kit)s expires on %(date)s, inside the do-not-dispense "
                            "window; it cannot be dispensed.", kit=kit.kit_number,
                            date=format_date(kit.expires_on)), "kit_number")


def return_kit(session, kit, *, units_returned, units_missing, condition, explanation=None,
               by=None):
    """Record a dispensed kit brought back by its subject, with units returned and missing."""
    dispensing = session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
    if dispensing is None or kit.state != "dispensed":
        raise DomainError(_("Kit %(kit)s has not been dispensed, so it cannot be returned.",
                            kit=kit.kit_number), "kit_number")
    if by is not None and not by.sees_site("stock.dispense", dispensing.site_id):
        raise DomainError(_("You can only record returns at your own sites."), "kit_number")
    units = kit.product.units_per_kit
    if units_returned is None or units_missing is None or units_returned < 0 \
            or units_missing < 0:
        raise DomainError(_("Units returned and missing cannot be negative."), "units_returned")
    if units_returned + units_missing > units:
        raise DomainError(_("A kit holds %(n)s units; returned and missing together cannot be "
                            "more.", n=units), "units_returned")
    if units_missing and not (explanation or "").strip():
        raise DomainError(_("Explain the missing units."), "explanation")
    entry = transition(session, kit, "returned", "return", by=by,
                       reason=(explanation or "").strip() or None,
                       document_ref=dispensing.subject.code)
    kit_return = KitReturn(kit_id=kit.id, subject_id=dispensing.subject_id,
                           site_id=dispensing.site_id, units_returned=units_returned,
                           units_missing=units_missing, condition=condition,
                           explanation=(explanation or "").strip() or None,
                           returned_at=utcnow(), entry_id=entry.id)
    session.add(kit_return)
    session.flush()
    return kit_return


def record_return_at_site(session, site, kit_number, **details):
    """Record the return of a kit, known by its number or its label's scan (GS1 DataMatrix
    checked against the kit), that was dispensed at this site."""
    kit_number = kit_number_from_scan(session, site.trial_id, kit_number)
    kit = session.scalar(select(Kit).where(Kit.trial_id == site.trial_id,
                                           Kit.kit_number == kit_number))
    if kit is None:
        raise DomainError(_("Kit %(kit)s is unknown in this trial.", kit=kit_number),
                          "kit_number")
    dispensing = session.scalar(select(Dispensing).where(Dispensing.kit_id == kit.id))
    if dispensing is not None and dispensing.site_id != site.id:
        raise DomainError(_("Kit %(kit)s was dispensed at another site.", kit=kit.kit_number),
                          "kit_number")
    return return_kit(session, kit, **details)
