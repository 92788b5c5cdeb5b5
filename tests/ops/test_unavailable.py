"""Database down: every page is the app's own 503 page and /healthz answers 503 in JSON."""

import pytest

from tests.dbsetup import ROOT, make_test_app

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://app@127.0.0.1:9/gone?connect_timeout=2",
    "sqlite": f"sqlite:///{ROOT / 'instance' / 'no-such-folder' / 'gone.db'}",
}


def _pages():
    """Every GET page without URL arguments, plus a detail page and an unknown path."""
    app = make_test_app(UNREACHABLE["sqlite"])
    paths = sorted(rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments
                   and rule.endpoint not in ("static", "ops.healthz"))
    return [*paths, "/trials/1", "/no-such-page"]


PAGES = _pages()


@pytest.fixture(params=sorted(UNREACHABLE))
def down_client(request):
    app = make_test_app(UNREACHABLE[request.param])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-token"  # a logged-in visitor: loading the user needs the database
        session["_fresh"] = True
    return client


def test_healthz_answers_503_json_naming_the_database(down_client):
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/json"
    assert response.json["status"] == "unavailable"
    assert "database" in response.json["down"]
    assert response.json["checks"]["database"] == {"ok": False,
                                                   "error": "the database does not answer"}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_the_service_unavailable_page(down_client, path):
    response = down_client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "<h1 class=\"h2\">Service unavailable</h1>" in page
    assert ("The database cannot be reached at the moment. Nothing was saved; please try "
            "again in a few minutes.") in page


def test_a_form_post_gets_the_same_page_in_spanish(down_client):
    response = down_client.post("/auth/login", data={"email": "a@b.example",
                                                     "password": "x"})
    assert response.status_code == 503
    assert "Servicio no disponible" in response.get_data(as_text=True)


def test_json_clients_get_json(down_client):
    response = down_client.get("/home", headers={"Accept": "application/json"})
    assert (response.status_code, response.json) == (503, {"error": 503,
                                                          "status": "unavailable"})
