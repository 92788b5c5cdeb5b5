"""Proof that nothing leaks: arms carry markers; every blinded role crawls every page and download.

Each blinded role follows every link it can reach (pages, Excel and PDF downloads, JSON
endpoints) from the home page and fails on a marker anywhere. A per-arm count or a lot-to-arm
mapping would have to name the arm to mean anything, so the markers are the arms. Afterwards the audit
trail, notices and e-mails are searched for the markers as well.
"""

import html
import io
import re
import subprocess
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.blinding.services.randomise import randomise
from app.core import clock
from app.notify.models import Notice, OutboxMessage
from app.stock.services.catalog import create_blinded_lot
from app.stock.services.site import dispense_kit, propose_kit
from tests import factories
from tests.blinding.factories import give_arms, make_verified_list
from tests.stock import factories as stock_factories

# Arms exist only as these names (kit arms, list arms): any per-arm count or lot-to-arm
# mapping the app could show has to name one. Products and manufacturing lots (placebo ones
# included) are stock's catalogue, which logistics and QA manage; they map to no kit.
MARKERS = ("ARMMARK-ALPHA-7Q", "ARMMARK-BRAVO-9Z")
BLINDED_ROLES = ("site", "logistics", "qp", "finance", "monitor", "patient", "admin")
SKIP = ("/static/", "logout", "/auth/language")
LIMIT = 600


def _seed(session):
    """A blinded trial whose arms and products carry markers, used end to end."""
    trial = factories.make_trial(session, blinded=True)
    visit = factories.make_visit(session, trial, 1)
    site = factories.make_site(session, trial)
    soon = clock.today() + timedelta(days=400)
    active = stock_factories.make_lot(session, trial=trial, expires_on=soon,
                                      product=stock_factories.make_product(
                                          session, name="Activo 10 mg"))
    placebo = stock_factories.make_lot(session, trial=trial, expires_on=soon,
                                       product=stock_factories.make_product(
                                           session, name="Placebo 10 mg", kind="placebo"))
    blinded = create_blinded_lot(session, trial, "BL-LEAK-1", [active, placebo])
    kits = stock_factories.make_kits(session, trial, 12, lot=blinded)
    stock_factories.ship_to_site(session, kits[:9], site)
    give_arms(session, kits, [MARKERS[0]] * 7 + [MARKERS[1]] * 5)
    make_verified_list(session, trial, parameters={
        "arms": [[MARKERS[0], 1], [MARKERS[1], 1]], "block_sizes": [2, 4], "per_stratum": 20,
        "strata": [{"name": "sex", "levels": ["M", "F"]}]}, seed="leak-seed")
    investigator = factories.make_user(session, roles=("site",), sites=[site])
    subjects = [factories.make_subject(session, site, enrolment_date=None) for _ in range(4)]
    for subject in subjects:
        randomise(session, subject, strata={"sex": "F"}, eligible=True, by=investigator)
        kit = propose_kit(session, subject, visit=visit)
        if kit is not None:
            dispense_kit(session, subject, visit, kit, kit.kit_number, by=investigator)
    return dict(trial=trial, site=site, subjects=subjects, investigator=investigator)


def text_of(response):
    """The readable text of a response: HTML/JSON as is, Excel cells, PDF text."""
    kind = response.content_type or ""
    data = response.data
    if "spreadsheetml" in kind or data[:2] == b"PK":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                        for c in row if c is not None)
    if "pdf" in kind or data[:4] == b"%PDF":
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode()
    return response.get_data(as_text=True)


def crawl(client, role):
    """Visit every reachable page once; return the URLs seen."""
    seen, queue = set(), ["/"]
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, (role, url)
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(response.headers["Location"])._replace(
                scheme="", netloc="").geturl())
            continue
        text = text_of(response)
        for marker in MARKERS:
            assert marker not in text, (role, url, marker)
        if "html" in (response.content_type or ""):
            for href in re.findall(r'href="([^"#]*)"', text):
                link = urljoin(url, html.unescape(href))
                parts = urlsplit(link)
                if parts.netloc or not link.startswith("/") or any(s in link for s in SKIP):
                    continue
                if re.search(r"[?&](sort|page)=", link):
                    continue
                if link not in seen:
                    queue.append(link)
    return seen


@pytest.mark.parametrize("role", BLINDED_ROLES)
def test_no_blinded_role_reaches_an_arm_anywhere(client, db, login, role):
    world = _seed(db.session)
    # A code break by the investigator: its notices and log are crawled, its arm is not.
    from app.blinding.services.randomise import break_code

    break_code(db.session, world["subjects"][0], reason="Serious adverse event",
               adverse_event=True, by=world["investigator"], password=factories.PASSWORD)
    user = factories.make_user(db.session, roles=(role,), sites=[world["site"]]
                               if role == "site" else ())
    if role == "monitor":
        user.sites = [world["site"]]
    db.session.commit()
    login(user)
    seen = crawl(client, role)
    expected = {"site": "/blinding/subjects", "monitor": "/blinding/code-breaks",
                "logistics": "/stock/kits", "admin": "/audit/"}.get(role)
    if expected:
        assert any(u.startswith(expected) for u in seen), (role, sorted(seen)[:50])
    for text in [*(f"{e.entity_label} {e.changes} {e.reason}"
                   for e in db.session.scalars(select(AuditEntry))),
                 *(n.message for n in db.session.scalars(select(Notice))),
                 *(f"{m.subject} {m.body}" for m in db.session.scalars(select(OutboxMessage)))]:
        for marker in MARKERS:
            assert marker not in text


def test_the_unblinded_role_reads_the_markers_where_they_belong(client, db, login):
    """The crawl above is not blind by accident: the markers are there for the unblinded."""
    world = _seed(db.session)
    user = factories.make_user(db.session, roles=("unblinded",))
    db.session.commit()
    login(user)
    kits = client.get("/blinding/kits").get_data(as_text=True)
    assert MARKERS[0] in kits and MARKERS[1] in kits
    report = client.get(f"/blinding/reports?trial={world['trial'].id}").get_data(as_text=True)
    assert f"<td>{MARKERS[0]}</td>" in report
    assert "<td>sex=F</td>" in report
