"""An administrator limits an account to chosen sponsors' trials: audited, shown in words."""

import json

from sqlalchemy import select

from app.audit.models import AuditEntry
from tests import factories


def test_the_limit_is_chosen_from_the_sponsors_audited_and_shown(client, login_as, make, db):
    factories.make_trial(db.session, sponsor="Alpha SA")
    factories.make_trial(db.session, sponsor="Beta SL")
    login_as("admin")
    user = make.user(roles=["monitor"])
    db.session.commit()
    form = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'name="sponsors" id="sponsors-1" value="Alpha SA"' in form
    assert 'name="sponsors" id="sponsors-2" value="Beta SL"' in form
    assert "Sees the trials of every sponsor." in client.get(
        f"/admin/users/{user.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{user.id}/edit", data={
        "full_name": user.full_name, "language": "en", "roles": ["monitor"],
        "sponsors": ["Alpha SA"], "active": "y", "reason": "Alpha's monitor only"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.sponsors == ["Alpha SA"]
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Sees only the trials of: Alpha SA." in page
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(user.id),
        AuditEntry.action == "update")).all()[-1]
    assert json.loads(entry.changes)["sponsor_links"] == [[], ["Alpha SA"]]
    assert entry.reason == "Alpha's monitor only"


def test_an_unknown_sponsor_and_a_limited_administrator_are_refused(client, login_as, make,
                                                                      db):
    factories.make_trial(db.session, sponsor="Alpha SA")
    login_as("admin")
    user = make.user(roles=["monitor"])
    db.session.commit()
    data = {"full_name": user.full_name, "language": "en", "roles": ["monitor"],
            "sponsors": ["Nobody SA"], "active": "y", "reason": "x"}
    refused = client.post(f"/admin/users/{user.id}/edit", data=data)
    assert refused.status_code in (200, 422)
    assert "&#39;Nobody SA&#39; is not a valid choice for this field." in refused.get_data(
        as_text=True)
    refused = client.post(f"/admin/users/{user.id}/edit", data={
        **data, "roles": ["admin"], "sponsors": ["Alpha SA"]})
    page = refused.get_data(as_text=True)
    assert "An administrator manages the accounts of every sponsor and cannot be limited to " \
           "some sponsors&#39; trials." in page
    db.session.refresh(user)
    assert user.roles == {"monitor"} and user.sponsors == []
