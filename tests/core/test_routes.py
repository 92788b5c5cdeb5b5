"""Every route is declared public or given a permission; anonymous and unauthorised users bounce."""

import pytest

PUBLIC_ENDPOINTS = {"static"}


def _endpoints(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_every_route_is_public_or_has_a_permission(app):
    undeclared = []
    for endpoint, rule in _endpoints(app).items():
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[endpoint]
        if not getattr(view, "public", False) and not getattr(view, "permission", None):
            undeclared.append(f"{endpoint} {rule.rule}")
    assert undeclared == []


def _concrete_url(rule):
    values = {arg: 1 for arg in rule.arguments}
    for arg in rule.arguments:
        if arg in ("token", "entity_type", "entity_id"):
            values[arg] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_anonymous_users_are_sent_to_log_in(app, client):
    for endpoint, rule in _endpoints(app).items():
        view = app.view_functions[endpoint]
        if endpoint in PUBLIC_ENDPOINTS or getattr(view, "public", False):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_concrete_url(rule), method=method)
        assert response.status_code == 302, endpoint
        assert "/auth/login" in response.headers["Location"], endpoint


@pytest.mark.parametrize("role", ["patient", "monitor"])
def test_users_without_the_permission_get_403(app, client, login_as, role):
    login_as(role)
    for endpoint, rule in _endpoints(app).items():
        view = app.view_functions[endpoint]
        permission = getattr(view, "permission", None)
        if not permission or permission == "login":
            continue
        from app.core.permissions import ROLE_PERMISSIONS

        if permission in ROLE_PERMISSIONS[role]:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_concrete_url(rule), method=method)
        assert response.status_code == 403, endpoint


def test_security_headers_on_every_response(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_templates():
    import re
    from pathlib import Path

    offenders = []
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text) \
                or re.search(r"\son[a-z]+=\"", text) or "<style" in text:
            offenders.append(str(path))
    assert offenders == []


def test_open_redirects_are_refused():
    from app.core.urls import safe_next

    assert safe_next("/trials/") == "/trials/"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x",
                "evil.example", "/ok\r\nSet-Cookie: x"):
        assert safe_next(bad) is None, bad


def test_error_pages_in_both_languages(client):
    response = client.get("/nope", headers={"Accept-Language": "en"})
    assert response.status_code == 404 and b"Page not found" in response.data
    response = client.get("/nope", headers={"Accept-Language": "es"})
    assert "Página no encontrada" in response.get_data(as_text=True)


def test_production_refuses_the_default_secret_key(monkeypatch):
    import config
    from app import create_app

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "dev-insecure-key")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_healthz_reports_the_database(client):
    # The whole report (jobs, storage, 503) is tested in tests/ops/test_health.py.
    assert client.get("/healthz").json["checks"]["database"] == {"ok": True}


def test_create_admin_command_prints_a_working_invitation(app, client, db):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "boss@test.example",
                                                "Boss"])
    assert result.exit_code == 0, result.output
    path = result.output.strip().splitlines()[-1]
    assert path.startswith("/auth/invitation/")
    assert client.get(path).status_code == 200
    again = app.test_cli_runner().invoke(args=["users", "create-admin", "BOSS@test.example",
                                               "Boss"])
    assert again.exit_code != 0 and "Ya existe" in again.output  # CLI speaks the default: es
