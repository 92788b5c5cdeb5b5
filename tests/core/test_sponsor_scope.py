"""A monitor limited to one sponsor sees nothing of the other sponsors' trials.

The limited monitor crawls the demo from the home page (pages, JSON, Excel and PDF downloads)
and fails on any marker of another sponsor's trials: protocol code, title, the hospitals and
subject codes only those trials have, their shipments, kits, claims and cell-therapy orders.
Direct addresses of those records answer 404 and the header search finds none of them; an
unlimited monitor still reaches both.
"""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.auth.models import User, UserSponsor
from app.celltherapy.models import TherapyOrder
from app.reimbursement.models import Claim
from app.shipments.models import Shipment
from app.stock.models import Kit
from app.trials.models import Site, Subject, Trial
from tests import factories
from tests.blinding.test_leaks import text_of
from tests.shipments.factories import make_dispatched, make_world
from tests.stock.factories import ship_to_site

ALLOWED = "Iberia Pharma S.A."
SKIP = ("/static/", "logout", "/auth/language", "/auth/", "/jobs/")
LIMIT = 450


def _monitor(session, sponsors, name="monitor"):
    user = session.scalar(select(User).where(User.email == f"{name}@demo.example"))
    user.sponsor_links = [UserSponsor(sponsor=s) for s in sponsors]
    session.commit()
    return user


def _log_in(client, user):
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _others(session):
    """Records of the other sponsors' trials, and the texts only they carry.

    The demo's other sponsors run cell-therapy and device trials; a drug trial of a third
    sponsor adds shipments, kits at a site and a subject to them.
    """
    world = make_world(session, kits=8)
    make_dispatched(session, world, requested=2)
    ship_to_site(session, world.kits[-3:], world.site)
    factories.make_subject(session, world.site)
    session.commit()
    mine = set(session.scalars(select(Trial.id).where(Trial.sponsor == ALLOWED)))
    trials = session.scalars(select(Trial).where(Trial.id.notin_(mine))).all()
    ids = [t.id for t in trials]

    def values(column, where, allowed_where):
        theirs = set(session.scalars(select(column).where(where)))
        return theirs - set(session.scalars(select(column).where(allowed_where)))

    markers = {t.protocol_code for t in trials}
    markers |= values(Site.hospital, Site.trial_id.in_(ids), Site.trial_id.in_(mine))
    markers |= values(Subject.code, Subject.trial_id.in_(ids), Subject.trial_id.in_(mine))
    markers |= values(Shipment.number, Shipment.trial_id.in_(ids), Shipment.trial_id.in_(mine))
    markers |= values(Kit.kit_number, Kit.trial_id.in_(ids), Kit.trial_id.in_(mine))
    orders = session.scalars(select(TherapyOrder).where(TherapyOrder.trial_id.in_(ids))).all()
    markers |= {o.reference for o in orders}
    claims = session.scalars(select(Claim).join(Subject, Claim.subject_id == Subject.id)
                             .where(Subject.trial_id.in_(ids))).all()
    markers |= {c.reference for c in claims}
    titles = {t.title[:30] for t in trials}
    return dict(trials=trials, titles=titles, orders=orders, claims=claims, markers=markers, mine=mine,
                shipments=session.scalars(select(Shipment).where(
                    Shipment.trial_id.in_(ids))).all(),
                subjects=session.scalars(select(Subject).where(
                    Subject.trial_id.in_(ids))).all(),
                sites=session.scalars(select(Site).where(Site.trial_id.in_(ids))).all(),
                kits=session.scalars(select(Kit).where(Kit.trial_id.in_(ids)).limit(5)).all())


def _pattern(others):
    """Whole codes and names of the other sponsors' records, and the starts of their titles."""
    codes = [rf"(?<![\w-]){re.escape(m)}(?![\w-])"
             for m in sorted(others["markers"], key=len, reverse=True)]
    return re.compile("|".join(codes + [re.escape(t) for t in others["titles"]]))


def crawl(client):
    """Visit every page reachable from home (downloads too); return {url: text}."""
    seen, queue, texts = set(), ["/"], {}
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(response.headers["Location"])._replace(
                scheme="", netloc="").geturl())
            continue
        if response.status_code != 200:
            continue
        kind = response.content_type or ""
        if not any(k in kind for k in ("html", "json", "text", "spreadsheet", "pdf")):
            continue
        text = text_of(response)
        texts[url] = text
        if "html" in (response.content_type or ""):
            for href in re.findall(r'href="([^"#]*)"', text):
                link = urljoin(url, html.unescape(href))
                parts = urlsplit(link)
                if parts.netloc or not link.startswith("/") or any(s in link for s in SKIP):
                    continue
                if re.search(r"[?&](sort|page|q)=", link):
                    continue
                if link not in seen:
                    queue.append(link)
    return texts


@pytest.mark.parametrize("name", ["monitor", "logistica", "qp", "finanzas"])
def test_a_user_limited_to_one_sponsor_sees_nothing_of_the_others(client, demo, name):
    others = _others(demo.session)
    assert others["trials"] and others["shipments"] and others["subjects"] and others["kits"]
    user = _monitor(demo.session, [ALLOWED], name)
    _log_in(client, user)
    texts = crawl(client)
    assert any("ONC-2024-017" in t for t in texts.values())
    pattern = _pattern(others)
    leaks = sorted({f"{url}: {m.group(0)}" for url, text in texts.items()
                    for m in pattern.finditer(text)})
    assert leaks == [], "\n".join(leaks)


def test_direct_addresses_of_the_other_sponsors_records_answer_404(client, demo):
    others = _others(demo.session)
    user = _monitor(demo.session, [ALLOWED])
    _log_in(client, user)
    urls = [f"/trials/{t.id}" for t in others["trials"]]
    urls += [f"/trials/sites/{s.id}" for s in others["sites"]]
    urls += [f"/trials/subjects/{s.id}" for s in others["subjects"]]
    urls += [f"/shipments/{s.id}" for s in others["shipments"]]
    urls += [f"/stock/kits/{k.id}" for k in others["kits"]]
    urls += [f"/cell-therapy/orders/{o.id}" for o in others["orders"]]
    answers = {url: client.get(url).status_code for url in urls}
    assert set(answers.values()) == {404}, answers


def test_the_search_finds_nothing_of_the_other_sponsors(client, demo):
    others = _others(demo.session)
    user = _monitor(demo.session, [ALLOWED])
    _log_in(client, user)
    terms = ([s.number for s in others["shipments"][:3]] + [s.code for s in others["subjects"]
             if s.code in others["markers"]][:3] + [k.kit_number for k in others["kits"][:3]]
             + [o.reference for o in others["orders"][:2]])
    pattern = _pattern(others)
    for term in terms:
        response = client.get("/search", query_string={"q": term}, follow_redirects=True)
        assert response.status_code in (200, 404), term
        page = re.sub(r'(value|href|action)="[^"]*"', "", response.get_data(as_text=True))
        assert not pattern.search(page), term


@pytest.mark.parametrize("every", [False, True])
def test_an_unlimited_monitor_still_sees_every_sponsor(client, demo, every):
    """No limit, or a limit naming every sponsor: both sponsors' records are there."""
    others = _others(demo.session)
    sponsors = demo.session.scalars(select(Trial.sponsor).distinct()).all() if every else []
    user = _monitor(demo.session, sponsors)
    _log_in(client, user)
    trials = client.get("/trials/").get_data(as_text=True)
    assert "ONC-2024-017" in trials
    assert all(t.protocol_code in trials for t in others["trials"])
    assert client.get(f"/shipments/{others['shipments'][0].id}").status_code == 200
