"""E-mails sent outside a request (the daily alerts) carry a full link, not a bare path."""

from app.notify.services import absolute_link


def test_links_outside_a_request_use_the_public_address(app):
    with app.app_context():
        app.config["PUBLIC_BASE_URL"] = "https://ensayo.example/"
        try:
            assert absolute_link("/shipments/5") == "https://ensayo.example/shipments/5"
            assert absolute_link("https://elsewhere.example/x") == "https://elsewhere.example/x"
            assert absolute_link(None) is None
        finally:
            app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:8000"


def test_links_inside_a_request_use_its_host(app):
    with app.test_request_context(base_url="https://site.example"):
        assert absolute_link("/my/claims/3") == "https://site.example/my/claims/3"
