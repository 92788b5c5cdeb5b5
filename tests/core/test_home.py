"""Each demo role lands on its work queues: the right counts, each equal to the rows of the
list it links to; empty queues say so; patients go straight to /my."""

import re

import pytest
from sqlalchemy import select

from app.auth.models import User

PAGER = re.compile(r"([\d.,]+) (?:results?|resultados?) ·")
DEMO_PASSWORD = "Demo-Ensayo-2026"

# What each demo account finds waiting on the freshly seeded demo.
EXPECTED = {
    "logistica": {"overdue": (1, "/shipments/?problem=overdue"),
                  "discrepancies": (1, "/shipments/?problem=discrepancy"),
                  "resupply": (2, "/shipments/resupply?short=1"),
                  "batches_to_execute": (1, "/destruction/?waiting=execute"),
                  "to_pick": (2, "/shipments/?status=ordered"),
                  "to_pack": (1, "/shipments/?status=picked"),
                  "to_dispatch": (1, "/shipments/?status=packed"),
                  "runs_to_reconcile": (2, "/labelling/runs?status=printed"),
                  "calibrations_overdue": (1, "/devices/due?when=overdue")},
    "farmacia": {"to_receive": (2, "/shipments/?status=to_receive"),
                 "claims_to_validate": (2, "/reimbursement/validation"),
                 "calibrations_overdue_here": (1, "/devices/due?when=overdue")},
    "qp": {"qa_decisions": (1, "/shipments/?problem=qa"),
           "storage_excursions": (1, "/stock/storage-excursions?waiting=qa"),
           "lots_to_certify": (1, "/labelling/?waiting=certify"),
           "templates_to_approve": (1, "/labelling/templates?status=draft"),
           "impacts_open": (1, "/devices/impacts?status=open"),
           "calibrations_to_authorise": (1, "/devices/records?status=performed")},
    "finanzas": {"claims_to_approve": (2, "/reimbursement/approval"),
                 "claims_to_pay": (1, "/reimbursement/?status=approved")},
    "laboratorio": {"products_to_ship_to_site": (1, "/cell-therapy/orders?status=released"),
                    "products_to_release": (1, "/cell-therapy/orders?status=manufacturing")},
    "monitor": {},
    "admin": {"calibrations_overdue_here": (1, "/devices/due?when=overdue")},
}
# The queues each role holds that are empty on the demo ("nothing waiting in ...").
EMPTY = {
    "logistica": ["to_receive", "batches_to_witness", "reconciliations_to_close"],
    "farmacia": ["out_of_spec_decisions", "products_to_receive", "cells_to_send_to_lab",
                 "logs_to_sign", "reconciliations_to_close"],
    "qp": ["batch_records_to_release", "cell_excursions", "lots_to_release",
           "batches_to_witness", "batches_to_execute"],
    "finanzas": ["batches_to_release", "batches_to_mark_paid"],
    "monitor": ["reconciliations_to_verify", "logs_to_verify"],
    "admin": ["audit_chain", "invited_users", "failed_jobs"],
    "laboratorio": ["cells_to_receive_at_lab", "cells_to_manufacture"],
}


def login_demo(client, session, name):
    user = session.scalar(select(User).where(User.email == f"{name}@demo.example"))
    with client.session_transaction() as s:
        s["_user_id"] = user.get_id()
        s["_fresh"] = True
    return user


def queues_on(html):
    """Return {queue name: (count, url)} of the home page's waiting queues, in page order."""
    found = re.findall(r'href="([^"]+)" data-queue="(\w+)">\s*<span>[^<]*</span>\s*'
                       r'<span class="badge[^"]*" data-count="(\d+)"', html)
    return {name: (int(count), url.replace("&amp;", "&")) for url, name, count in found}


def empty_on(html):
    return re.findall(r'class="clear-queue" data-queue="(\w+)"', html)


def rows_of(client, url):
    """Return how many rows the list at url holds (its pager's total, or the table rows)."""
    html = client.get(url).get_data(as_text=True)
    total = PAGER.search(html)
    if total:
        return int(total.group(1).replace(".", "").replace(",", ""))
    return html.count("<tr data-need=")  # the resupply page: one row per site


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_demo_role_sees_its_queues_and_each_count_is_its_list(client, demo, name):
    login_demo(client, demo.session, name)
    html = client.get("/home").get_data(as_text=True)
    queues = queues_on(html)
    assert queues == EXPECTED[name]
    assert empty_on(html) == EMPTY[name]
    for count, url in queues.values():
        assert rows_of(client, url) == count, url


def test_most_urgent_first(client, demo):
    login_demo(client, demo.session, "logistica")
    assert list(queues_on(client.get("/home").get_data(as_text=True))) == [
        "overdue", "discrepancies", "resupply", "batches_to_execute", "to_pick", "to_pack",
        "to_dispatch", "runs_to_reconcile", "calibrations_overdue"]


def test_an_empty_home_says_so_kindly(client, demo):
    login_demo(client, demo.session, "monitor")  # English
    html = client.get("/home").get_data(as_text=True)
    assert "Nothing is waiting for you right now. Enjoy the calm." in html
    assert "Nothing waiting in:" in html and "Accountability logs to verify" in html


def test_spanish_home(client, demo):
    login_demo(client, demo.session, "qp")
    html = client.get("/home").get_data(as_text=True)
    assert "Lo que te espera ahora" in html
    assert "Desviaciones pendientes de tu decisión de QA" in html


@pytest.mark.parametrize("name", ["paciente1", "cuidador1"])
def test_patients_land_on_my_claims(client, demo, name):
    login_demo(client, demo.session, name)
    for path in ("/", "/home"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/my/"


def test_queues_that_are_empty_on_the_demo_count_their_lists(client, demo):
    """Invited users, batches to release or mark paid, logs to sign and verify."""
    from app.core import clock
    from app.reimbursement.models import PaymentBatch
    from app.stock.services.accountability import SIGN_MEANING, freeze, sign_review
    from app.trials.api import Site
    from tests import factories

    s = demo.session
    factories.make_user(s, roles=("site",), password=None)  # invited, no password yet
    factories.make_user(s, roles=("site",), password=None, active=False)  # not counted
    finance = s.scalar(select(User).where(User.email == "finanzas@demo.example"))
    for status in ("draft", "draft", "released"):
        s.add(PaymentBatch(message_id=f"MSG-{status}-{factories.next_number()}",
                           status=status, execution_date=clock.today(),
                           total=0, count=0, created_by_id=finance.id))
    pharmacist = s.scalar(select(User).where(User.email == "farmacia@demo.example"))
    sites = sorted(pharmacist.sites, key=lambda site: site.id)
    signed = freeze(s, site=sites[0], by=pharmacist)
    freeze(s, site=sites[1], by=pharmacist)
    other = s.scalar(select(Site).where(Site.id.not_in([x.id for x in sites])))
    freeze(s, site=other, by=pharmacist)  # another site's log: not the pharmacist's queue
    sign_review(s, signed, meaning=SIGN_MEANING, signer=pharmacist, password=DEMO_PASSWORD)
    s.commit()

    expected = {
        "admin": {"invited_users": (1, "/admin/users?status=invited"),
                  "calibrations_overdue_here": (1, "/devices/due?when=overdue")},
        "finanzas": {"claims_to_approve": (2, "/reimbursement/approval"),
                     "claims_to_pay": (1, "/reimbursement/?status=approved"),
                     "batches_to_release": (2, "/reimbursement/batches?status=draft"),
                     "batches_to_mark_paid": (1, "/reimbursement/batches?status=released")},
        "farmacia": {"to_receive": (2, "/shipments/?status=to_receive"),
                     "claims_to_validate": (2, "/reimbursement/validation"),
                     "logs_to_sign": (1, "/stock/accountability/reviews?waiting=sign"),
                     "calibrations_overdue_here": (1, "/devices/due?when=overdue")},
        "monitor": {"logs_to_verify": (1, "/stock/accountability/reviews?waiting=verify")},
    }
    for name, queues in expected.items():
        login_demo(client, s, name)
        on_page = queues_on(client.get("/home").get_data(as_text=True))
        assert on_page == queues, name
        for count, url in on_page.values():
            assert rows_of(client, url) == count, url


def test_charts_for_logistics_and_finance_only(client, demo):
    login_demo(client, demo.session, "logistica")
    html = client.get("/home").get_data(as_text=True)
    assert 'id="chart-depot_expiry"' in html and "js/home.js" in html
    assert "<script>" not in html
    login_demo(client, demo.session, "finanzas")
    html = client.get("/home").get_data(as_text=True)
    assert 'id="chart-claims_by_month"' in html and 'id="chart-depot_expiry"' not in html
    login_demo(client, demo.session, "qp")
    assert "home-chart-canvas" not in client.get("/home").get_data(as_text=True)
