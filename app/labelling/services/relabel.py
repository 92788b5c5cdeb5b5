"""Expiry extensions: QA's new expiry for a lot and the campaign that relabels its kits.

A kit's expiry changes only when someone records that it carries the additional label (at
the depot, or at the site by the pharmacist); until then it keeps the old expiry for the
do-not-ship and do-not-dispense windows.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import set_reason
from app.core.errors import DomainError
from app.core.states import apply_transition
from app.core.templating import local_date
from app.labelling.models import ExpiryExtension, RelabelledKit
from app.labelling.services.runs import GONE_STATES
from app.labelling.states import RELABEL_CAMPAIGN
from app.stock.api import Kit


def open_campaign(session, lot, data, by, today=None):
    """Record a lot's new expiry with its justification and open its relabel campaign."""
    new_expiry = data.get("new_expiry")
    if not isinstance(new_expiry, date):
        raise DomainError(_("Give the new expiry date."), "new_expiry")
    if new_expiry <= lot.expires_on:
        raise DomainError(_("The new expiry %(new)s is not later than the current one "
                            "(%(old)s): a relabel only extends an expiry.",
                            new=local_date(new_expiry), old=local_date(lot.expires_on)),
                          "new_expiry")
    justification = (data.get("justification") or "").strip()
    reference = (data.get("stability_reference") or "").strip()
    if not justification:
        raise DomainError(_("Give the justification."), "justification")
    if not reference:
        raise DomainError(_("Give the stability data reference."), "stability_reference")
    if session.scalar(select(ExpiryExtension.id).where(ExpiryExtension.lot_id == lot.id,
                                                       ExpiryExtension.status == "open")):
        raise DomainError(_("Lot %(lot)s already has an open relabel campaign.",
                            lot=lot.number), "new_expiry")
    campaign = ExpiryExtension(lot_id=lot.id, old_expiry=lot.expires_on, new_expiry=new_expiry,
                               justification=justification, stability_reference=reference,
                               status="open", recorded_by_id=by.id)
    campaign.lot = lot
    session.add(campaign)
    set_reason(session, justification)
    lot.expires_on = new_expiry
    session.flush()
    return campaign


def campaign_kits(session, campaign):
    """Return [(kit, relabelled or None)] of the lot's kits wherever they are."""
    relabelled = {r.kit_id: r for r in session.scalars(select(RelabelledKit).where(
        RelabelledKit.campaign_id == campaign.id))}
    kits = session.scalars(select(Kit).where(Kit.lot_id == campaign.lot_id,
                                             Kit.state.not_in(GONE_STATES))
                           .order_by(Kit.kit_number)).all()
    return [(kit, relabelled.get(kit.id)) for kit in kits]


def relabel_kit(session, campaign, kit_number, by):
    """Record that a kit carries the additional label; its expiry changes now."""
    if campaign.status != "open":
        raise DomainError(_("This relabel campaign is closed."), "kit_number")
    kit = session.scalar(select(Kit).where(Kit.lot_id == campaign.lot_id,
                                           Kit.kit_number == (kit_number or "").strip()))
    if kit is None or kit.state in GONE_STATES:
        raise DomainError(_("Kit %(kit)s is not one of the kits of this campaign.",
                            kit=kit_number or "—"), "kit_number")
    location = kit.location
    site_id = location.site_id if location is not None else None
    scope = by.site_scope("labelling.relabel")  # None: every place
    if scope is not None and site_id not in scope:
        raise DomainError(_("Kit %(kit)s is not at one of your sites.", kit=kit.kit_number),
                          "kit_number")
    if session.scalar(select(RelabelledKit.id).where(RelabelledKit.campaign_id == campaign.id,
                                                     RelabelledKit.kit_id == kit.id)):
        raise DomainError(_("Kit %(kit)s is already relabelled.", kit=kit.kit_number),
                          "kit_number")
    record = RelabelledKit(campaign_id=campaign.id, kit_id=kit.id,
                           place="site" if site_id else "depot",
                           location_id=location.id if location else None,
                           relabelled_by_id=by.id)
    record.kit = kit
    session.add(record)
    set_reason(session, _("Relabelled for the expiry extension (%(ref)s)",
                          ref=campaign.stability_reference))
    kit.expires_on = campaign.new_expiry
    session.flush()
    return record


def close_campaign(session, campaign, by, reason=None):
    """Close a campaign (kits left unlabelled keep the old expiry)."""
    apply_transition(session, RELABEL_CAMPAIGN, campaign, "close", by=by, reason=reason)
    return campaign
