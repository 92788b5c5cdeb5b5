"""In-app notices: a user sees only their own, opening marks read, the badge counts."""

from app.notify.services import notify


def test_notices_are_private_and_marked_read(client, login_as, make, db):
    me = login_as("logistics")
    other = make.user()
    mine = notify(db.session, me, "Shipment SH-1 dispatched", link="/trials/")
    secret = notify(db.session, other, "Not for you")
    db.session.commit()
    page = client.get("/notices/").get_data(as_text=True)
    assert "Shipment SH-1 dispatched" in page and "Not for you" not in page
    assert ">1<span" in client.get("/home").get_data(as_text=True).replace(" ", "")
    response = client.post(f"/notices/{mine.id}/open")
    assert response.headers["Location"].endswith("/trials/")
    response = client.post(f"/notices/{secret.id}/open")
    db.session.refresh(secret)
    assert secret.read_at is None


def test_notice_links_never_leave_the_site(client, login_as, db):
    me = login_as("logistics")
    evil = notify(db.session, me, "click", link="https://evil.example/")
    db.session.commit()
    response = client.post(f"/notices/{evil.id}/open")
    assert response.headers["Location"].endswith("/notices/")
