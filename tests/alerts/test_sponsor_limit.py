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


def test_notices_about_a_trial_skip_accounts_limited_to_other_sponsors(db):
    from app.notify.services import users_with_roles

    mine = factories.make_trial(db.session, sponsor="Alpha SA")
    other = factories.make_trial(db.session, sponsor="Beta SL")
    limited = factories.make_user(db.session, roles=("qp",))
    limited.sponsor_links = [UserSponsor(sponsor="Alpha SA")]
    everyone = factories.make_user(db.session, roles=("qp",))
    db.session.flush()

    def told(trial):
        return {u.id for u in users_with_roles(db.session, ("qp",), trial_id=trial.id)} & {
            limited.id, everyone.id}

    assert told(mine) == {limited.id, everyone.id}
    assert told(other) == {everyone.id}
