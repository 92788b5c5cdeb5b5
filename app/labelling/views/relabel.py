"""Relabel campaigns: the kits of the lot wherever they are, relabelling by scan, closing."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.queries import history_of
from app.core.actions import perform
from app.core.forms import ReasonForm
from app.core.permissions import require
from app.core.queries import get_or_404
from app.core.templating import local_date
from app.extensions import db
from app.labelling import bp
from app.labelling.forms import RelabelForm
from app.labelling.models import ExpiryExtension
from app.labelling.services.relabel import campaign_kits, close_campaign, relabel_kit


def _campaign_page(campaign, form=None, close_form=None):
    kits = campaign_kits(db.session, campaign)
    scope = current_user.site_scope("labelling.relabel")
    if scope is not None:  # a pharmacist sees the kits at their own sites
        kits = [(kit, done) for kit, done in kits
                if kit.location is not None and kit.location.site_id in scope]
    return render_template("labelling/campaign.html", campaign=campaign, kits=kits,
                           done=sum(1 for _k, r in kits if r is not None),
                           form=form or RelabelForm(formdata=None),
                           close_form=close_form or ReasonForm(formdata=None),
                           history=history_of(db.session, campaign))


@bp.route("/campaigns/<int:campaign_id>")
@require("labelling.relabel")
def show_campaign(campaign_id):
    """Show a relabel campaign: each kit, relabelled or not, by whom, where."""
    return _campaign_page(get_or_404(ExpiryExtension, campaign_id))


@bp.route("/campaigns/<int:campaign_id>/relabel", methods=["POST"])
@require("labelling.relabel")
def relabel(campaign_id):
    """Record a kit as relabelled (scan of its number): its expiry changes now."""
    campaign = get_or_404(ExpiryExtension, campaign_id)
    form = RelabelForm()
    return perform(lambda: relabel_kit(db.session, campaign, form.kit_number.data,
                                       current_user),
                   form=form, render=lambda: _campaign_page(campaign, form=form),
                   success=lambda r: _("Kit %(kit)s relabelled; its expiry is now %(date)s.",
                                       kit=r.kit.kit_number,
                                       date=local_date(campaign.new_expiry)),
                   next_url=url_for("labelling.show_campaign", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/close", methods=["POST"])
@require("labelling.manage")
def close(campaign_id):
    """Close the campaign; kits not relabelled keep their old expiry."""
    campaign = get_or_404(ExpiryExtension, campaign_id)
    form = ReasonForm()
    return perform(lambda: close_campaign(db.session, campaign, current_user,
                                          form.reason.data),
                   form=form, render=lambda: _campaign_page(campaign, close_form=form),
                   success=_("Relabel campaign closed."),
                   next_url=url_for("labelling.show_campaign", campaign_id=campaign.id))
