"""The header search opens the page that shows a number, within the user's scope."""

import pytest


def go(client, q):
    return client.get("/search", query_string={"q": q}, headers={"Accept-Language": "en"})


@pytest.mark.parametrize(("roles", "q", "target"), [
    (("logistics",), "SHP-2026-000001", "/shipments/?q=SHP-2026-000001"),
    (("logistics",), "1234567", "/stock/kits?q=1234567"),
    (("logistics",), "L2401A", "/stock/lots?q=L2401A"),
    (("finance",), "ENS-RB-20261127-ABC", "/reimbursement/batches?q=ENS-RB-20261127-ABC"),
    (("finance",), "rc-000042", "/reimbursement/claims/42"),
    (("monitor",), "ONC-001-002", "/trials/subjects?q=ONC-001-002"),
    (("patient",), "RC-000042", "/my/claims/42"),
])
def test_a_reference_opens_its_page(client, login_as, roles, q, target):
    login_as(*roles)
    response = go(client, q)
    assert response.status_code == 302 and response.headers["Location"] == target


def test_the_target_applies_the_scope_so_another_patients_claim_stays_hidden(
        client, login_as):
    login_as("patient")
    response = go(client, "RC-000001")
    assert client.get(response.headers["Location"]).status_code == 404


@pytest.mark.parametrize("q", ["%", "' OR 1=1", "x" * 4000, "\x00\x1b", "   "])
def test_bad_input_gets_a_page_never_a_500(client, login_as, q):
    login_as("patient")
    response = go(client, q)
    assert response.status_code in (200, 404)
    page = response.get_data(as_text=True)
    if len(q) > 100:
        assert "Search for a number or reference of at most 100 characters." in page
    assert "Nothing you can see matches" not in page or len(q.strip()) <= 100


def test_lists_escape_like_wildcards(client, login_as):
    login_as("logistics")
    response = go(client, "%")
    assert response.headers["Location"] == "/stock/lots?q=%25"
    assert client.get(response.headers["Location"]).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert go(client, "SHP").status_code == 302
