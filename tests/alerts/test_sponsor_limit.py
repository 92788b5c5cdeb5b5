"""Daily alerts reach an account limited to some sponsors only for those sponsors' trials."""

from types import SimpleNamespace

from app.alerts.services import concerned
from app.auth.models import UserSponsor
from tests import factories


def test_a_limited_account_hears_only_of_its_sponsors_items(db):
    mine = factories.make_trial(db.session, sponsor="Alpha SA")
    other = factories.make_trial(db.session, sponsor="Beta SL")
    my_site, other_site = factories.make_site(db.session, mine), factories.make_site(
        db.session, other)
    limited = factories.make_user(db.session, roles=("logistics",))
    limited.sponsor_links = [UserSponsor(sponsor="Alpha SA")]
    everyone = factories.make_user(db.session, roles=("logistics",))
    db.session.flush()
    users = [limited, everyone]

    def told(**item):
        values = {"site_id": None, **item}
        return [u.id for u in concerned(users, SimpleNamespace(**values), ("logistics",))]

    assert told(trial_id=mine.id) == [limited.id, everyone.id]
    assert told(trial_id=other.id) == [everyone.id]
    assert told(site_id=my_site.id) == [limited.id, everyone.id]
    assert told(site_id=other_site.id) == [everyone.id]
