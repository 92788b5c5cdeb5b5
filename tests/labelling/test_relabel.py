"""Relabelling for an expiry extension: the kit's expiry changes only when relabelled."""

from datetime import timedelta

import pytest

from app.core import clock
from app.core.errors import DomainError
from app.core.templating import local_date
from app.labelling.services.relabel import campaign_kits, open_campaign, relabel_kit
from app.labelling.services.runs import request_run
from app.labelling.services.templates import validate
from app.stock.api import KitUse, eligible_kits, site_location
from tests.labelling.factories import EXTENSION_ES
from tests.stock.factories import ship_to_site


@pytest.fixture
def campaign_world(db, make, lab):
    trial = lab.make_trial()
    qp, logistics = make.user(roles=("qp",)), make.user(roles=("logistics",))
    site = make.site(trial)
    old = clock.today() + timedelta(days=90)
    _record, lot, kits = lab.make_imported_lot(trial, kits=3, expires_on=old)
    lab.certify_and_release(lot, qp)
    return trial, lot, kits, site, qp, logistics, old


def _extend(db, lot, qp, days=365):
    return open_campaign(db.session, lot, {
        "new_expiry": clock.today() + timedelta(days=days),
        "justification": "24-month stability data support 18 months",
        "stability_reference": "STAB-2026-014"}, qp)


def test_a_relabel_that_would_lower_the_expiry_is_refused(db, campaign_world):
    _trial, lot, _kits, _site, qp, _logistics, old = campaign_world
    with pytest.raises(DomainError) as refused:
        _extend(db, lot, qp, days=30)
    assert (str(refused.value), refused.value.field) == (
        f"The new expiry {local_date(clock.today() + timedelta(days=30))} is not later than "
        f"the current one ({local_date(old)}): a relabel only extends an expiry.",
        "new_expiry")
    assert lot.expires_on == old


def test_only_relabelled_kits_take_the_new_expiry(db, make, campaign_world):
    trial, lot, kits, site, qp, logistics, old = campaign_world
    at_site = kits[2]
    ship_to_site(db.session, [at_site], site)
    campaign = _extend(db, lot, qp)
    new = campaign.new_expiry
    assert [(k.kit_number, r) for k, r in campaign_kits(db.session, campaign)] == [
        (k.kit_number, None) for k in sorted(kits, key=lambda k: k.kit_number)]
    record = relabel_kit(db.session, campaign, kits[0].kit_number, logistics)
    assert (record.place, kits[0].expires_on, kits[1].expires_on) == ("depot", new, old)
    with pytest.raises(DomainError, match="is already relabelled"):
        relabel_kit(db.session, campaign, kits[0].kit_number, logistics)
    other_site = make.site(trial)
    stranger = make.user(roles=("site",), sites=[other_site])
    with pytest.raises(DomainError, match="is not at one of your sites"):
        relabel_kit(db.session, campaign, at_site.kit_number, stranger)
    pharmacist = make.user(roles=("site",), sites=[site])
    record = relabel_kit(db.session, campaign, at_site.kit_number, pharmacist)
    assert (record.place, record.relabelled_by_id, at_site.expires_on) == (
        "site", pharmacist.id, new)
    # The kit not relabelled keeps its old expiry for the do-not-ship window.
    depot = kits[1].location
    late = clock.today() + timedelta(days=60)
    shippable = eligible_kits(db.session, trial, [depot.id], on_date=late,
                              use=KitUse("ship", trial, site=site))
    assert [k.kit_number for k in shippable] == [kits[0].kit_number]
    assert site_location(db.session, site).id == at_site.location_id


def test_extension_template_and_campaign_run(db, lab, campaign_world):
    trial, lot, kits, _site, qp, logistics, _old = campaign_world
    template = lab.make_template(trial, EXTENSION_ES, approve_by=qp)
    assert [c.letter for c in validate(template) if c.required] == ["d", "k"]
    campaign = _extend(db, lot, qp)
    run = request_run(db.session, trial, {"template_id": template.id, "scope": "campaign",
                                          "campaign_id": campaign.id}, logistics)
    assert run.kit_count == 3
