"""Site scoping belongs to the permission: a second role never opens another site's objects.

The demo is seeded once; every object URL (routes with integer ids) of a site that is not the
account's own is requested as the site role alone and as the site role plus each other role.
"""

import pytest
from sqlalchemy import select

from app.core.permissions import ROLE_PERMISSIONS, ROLES
from app.reimbursement.models import Claim, ClaimLine, Receipt
from app.shipments.models import Discrepancy, LoggerUpload, Shipment
from app.stock.models import AccountabilityReview, Kit, Location
from app.trials.models import Site, Subject, SubjectIdentity
from tests import factories
from tests.audit.conftest import demo_db  # noqa: F401 - the demo, seeded once per module

REFUSED = {403, 404}
OTHER_ROLES = [r for r in ROLES if r not in ("site", "patient")]


def _home_site(session):
    """The site with the most claims: the account's own; every other site is foreign."""
    counts = {}
    for site_id in session.scalars(select(Claim.site_id)):
        counts[site_id] = counts.get(site_id, 0) + 1
    return session.get(Site, max(counts, key=counts.get))


def _foreign_ids(session, home):
    """Return {url argument: [ids of another site's objects]} (a few of each)."""
    other_locations = select(Location.id).where(Location.kind == "site",
                                                Location.site_id != home.id)
    claims = session.scalars(select(Claim).where(Claim.site_id != home.id)
                             .order_by(Claim.id)).all()
    shipments = session.scalars(select(Shipment).where(
        Shipment.destination_id.in_(other_locations)).order_by(Shipment.id)).all()
    ids = {
        "subject_id": session.scalars(select(Subject.id).where(Subject.site_id != home.id)
                                      .limit(3)).all(),
        "site_id": session.scalars(select(Site.id).where(Site.id != home.id).limit(3)).all(),
        "ident": session.scalars(select(Site.id).where(Site.id != home.id).limit(3)).all(),
        "claim_id": [c.id for c in claims[:4]],
        "shipment_id": [s.id for s in shipments[:4]],
        "kit_id": session.scalars(select(Kit.id).where(Kit.location_id.in_(other_locations))
                                  .limit(3)).all(),
        "location_id": session.scalars(other_locations.limit(3)).all(),
        "review_id": session.scalars(select(AccountabilityReview.id).where(
            AccountabilityReview.site_id != home.id).limit(3)).all(),
        "discrepancy_id": session.scalars(select(Discrepancy.id).where(
            Discrepancy.shipment_id.in_([s.id for s in shipments])).limit(3)).all(),
    }
    # Arguments that depend on the first one: a claim's lines and receipts, a shipment's logs.
    lines = {c.id: session.scalars(select(ClaimLine.id).where(ClaimLine.claim_id == c.id))
             .all() for c in claims}
    receipts = {c.id: session.scalars(select(Receipt.id).join(ClaimLine).where(
        ClaimLine.claim_id == c.id)).all() for c in claims}
    uploads = {s.id: session.scalars(select(LoggerUpload.id).where(
        LoggerUpload.shipment_id == s.id)).all() for s in shipments}
    return ids, {"line_id": lines, "receipt_id": receipts, "upload_id": uploads}


def _object_urls(app, session, home):
    """Return [(endpoint, method, url, permission)] for every object URL of other sites."""
    ids, nested = _foreign_ids(session, home)
    urls = []
    for rule in app.url_map.iter_rules():
        args = set(rule.arguments) - {"kind"}
        if not args or not args <= set(ids) | set(nested):
            continue
        first = next(a for a in rule.arguments if a in ids)
        view = app.view_functions[rule.endpoint]
        for value in ids[first]:
            values = {first: value, "kind": "site"}
            for arg in args - {first}:
                children = nested[arg].get(value) or []
                if not children:
                    break
                values[arg] = children[0]
            else:
                url = rule.build(values, append_unknown=False)[1]
                for method in sorted(rule.methods & {"GET", "POST"}):
                    urls.append((rule.endpoint, method, url, view.permission))
    return urls


def _secrets(session, home):
    """Who the other sites' subjects are: names, national ids, addresses, e-mails."""
    secrets = set()
    for identity in session.scalars(select(SubjectIdentity).join(Subject).where(
            Subject.site_id != home.id)):
        secrets |= {v for v in (identity.full_name, identity.national_id, identity.address,
                                identity.email) if v and len(v) > 5}
    return secrets


@pytest.fixture(scope="module")
def sweep(app, demo_db):  # noqa: F811
    session = demo_db.session
    home = _home_site(session)
    with app.test_request_context():  # a frozen accountability review at another site
        from app.stock.services.accountability import freeze

        freeze(session, site=session.scalar(select(Site).where(Site.id != home.id)))
        session.commit()
    urls = _object_urls(app, session, home)
    kinds = {endpoint.split(".")[-1] for endpoint, *_ in urls}
    # The sweep covers the examples: identity, claims, receipts, dispensing, shipments.
    assert {"subject_identity", "show_claim", "receipt", "dispense", "show_shipment",
            "show_review", "show_kit"} <= kinds
    return home, urls, _secrets(session, home)


def _open(app, user, method, url):
    client = app.test_client()
    with client.session_transaction() as browser:
        browser["_user_id"] = user.get_id()
        browser["_fresh"] = True
    response = client.open(url, method=method)
    return response.status_code, response.get_data().decode("utf-8", "replace")


def _account(session, roles, sites=()):
    user = factories.make_user(session, roles=roles, sites=sites)
    session.commit()
    return user


def test_site_staff_open_no_object_of_another_site(app, demo_db, sweep):  # noqa: F811
    home, urls, _ = sweep
    user = _account(demo_db.session, ("site",), [home])
    opened = [(method, url, status) for _, method, url, _ in urls
              if (status := _open(app, user, method, url)[0]) not in REFUSED]
    assert opened == []


@pytest.mark.parametrize("other", OTHER_ROLES)
def test_a_second_role_opens_nothing_more_of_another_site(app, demo_db, sweep, other):  # noqa: F811
    """Site + X reaches another site's objects only as X alone would, and shows no identity."""
    home, urls, secrets = sweep
    both = _account(demo_db.session, ("site", other), [home])
    alone = _account(demo_db.session, (other,))
    leaks = []
    for _, method, url, permission in urls:
        if method == "POST":
            # A post only the site role allows must be refused before anything happens; what
            # X itself may post (finance approving, logistics dispatching) is X's own business.
            if permission in ROLE_PERMISSIONS[other]:
                continue
            status, _ = _open(app, both, method, url)
            if status not in REFUSED:
                leaks.append((method, url, status))
            continue
        status_alone, page_alone = _open(app, alone, method, url)
        status, page = _open(app, both, method, url)
        if status_alone in REFUSED and status not in REFUSED:
            leaks.append((method, url, status))
        shown = {s for s in secrets if s in page and s not in page_alone}
        if shown:
            leaks.append((method, url, sorted(shown)))
    assert leaks == []
