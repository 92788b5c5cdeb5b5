"""Every list draws its filters, sort headers, pager and state badges with the shared macros."""

import re

import pytest
from flask import url_for

from app.core.badges import FAMILIES
from app.core.domains import run_demo

FILTER_FORM = '<form method="get" class="row g-2 align-items-end mb-3" role="search">'
BADGE = re.compile(r'<span class="badge state-([a-z]+)" data-state="([a-z_]+)">')

# endpoint -> whether its rows show a state
LISTS = {
    "shipments.board": True,
    "reimbursement.list_claims": True,
    "reimbursement.list_batches": True,
    "stock.list_kits": True,
    "stock.list_lots": True,
    "trials.list_trials": True,
    "trials.list_subjects": True,
    "trials.list_sites": True,
    "admin.list_users": True,
    "reimbursement.list_subjects": False,
    "stock.list_products": False,
    "stock.depot_stock": True,  # expiry status
    "stock.site_stock": False,
    "stock.ledger": False,
    "stock.expiry_report": True,  # expiry status
    "audit.log": False,
    "admin.outbox": False,
}


@pytest.fixture
def pages(app, client, login_as):
    """Log in someone who sees every list; return a GET of an endpoint's page."""
    login_as("admin", "logistics", "finance")

    def get(endpoint, **args):
        with app.test_request_context():
            url = url_for(endpoint, **args)
        response = client.get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    return get


@pytest.fixture
def demo_pages(app, db, pages):
    """The same, with the demo loaded (records in every state)."""
    with app.test_request_context():
        run_demo(db.session, [])
    db.session.commit()
    return pages


def test_every_list_uses_the_shared_filter_form_and_state_badges(demo_pages):
    for endpoint, has_states in LISTS.items():
        page = demo_pages(endpoint)
        assert page.count(FILTER_FORM) == 1, endpoint
        assert 'type="search"' not in page.replace(
            '<input class="form-control" type="search" id="q" name="q"', ""), endpoint
        badges = BADGE.findall(page)
        assert bool(badges) == has_states, endpoint
        assert {family for family, _state in badges} <= set(FAMILIES), endpoint


def test_a_filtered_list_keeps_its_choices_and_offers_clear(pages):
    page = pages("shipments.board", status="open", problem="overdue", sort="-created")
    assert '<option value="open" selected>' in page
    assert '<option value="overdue" selected>' in page
    assert '<input type="hidden" name="sort" value="-created">' in page
    assert ">Clear</a>" in page
    assert ">Clear</a>" not in pages("shipments.board")
    kits = pages("stock.list_kits", group="on_hand", lot="1")
    assert '<input type="hidden" name="group" value="on_hand">' in kits
    assert '<input type="hidden" name="lot" value="1">' in kits


def test_the_audit_log_filters_by_dates_and_shows_a_bad_date_beside_its_field(pages):
    page = pages("audit.log", date_from="2026-01-01", date_to="not-a-date")
    assert 'type="date" id="date_from" name="date_from" value="2026-01-01"' in page
    assert 'aria-invalid="true" aria-describedby="date_to-error"' in page
    assert 'id="date_to-error"' in page
