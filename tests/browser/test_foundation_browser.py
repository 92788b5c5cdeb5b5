"""In Chromium: log in as each role, switch language, axe on every page visited."""

import pytest

from tests.browser.conftest import log_in, screenshot, serious_violations

ROLES = {
    "admin@demo.example": ["/trials/", "/trials/sites", "/trials/subjects", "/audit/",
                           "/admin/users", "/admin/users/new", "/admin/outbox", "/trials/new"],
    "logistica@demo.example": ["/trials/", "/trials/sites", "/audit/"],
    "farmacia@demo.example": ["/trials/sites", "/trials/subjects", "/trials/subjects/new"],
    "ciego@demo.example": ["/trials/"],
    "qp@demo.example": ["/trials/", "/sign/mine"],
    "finanzas@demo.example": ["/trials/subjects"],
    "monitor@demo.example": ["/trials/", "/trials/subjects", "/audit/"],
}


def test_login_page_is_accessible(page):
    page.goto("/auth/login")
    assert page.locator("h1").inner_text() == "Iniciar sesión"
    assert serious_violations(page) == []


@pytest.mark.parametrize("email", list(ROLES))
def test_each_role_logs_in_and_every_page_passes_axe(page, email):
    log_in(page, email)
    assert page.url.endswith("/home"), page.url
    problems = {}
    for path in ["/home", *ROLES[email]]:
        response = page.goto(path)
        assert response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    screenshot(page, f"role-{email.split('@')[0]}")
    assert problems == {}


def test_detail_pages_pass_axe(page):
    log_in(page, "admin@demo.example")
    page.goto("/trials/")
    page.click("text=ONC-2024-017")
    assert "ONC-2024-017" in page.locator("h1").inner_text()
    assert serious_violations(page) == []
    page.click("a[href$='/edit']")
    assert serious_violations(page) == []
    page.goto("/trials/subjects")
    page.locator("table a").first.click()
    assert serious_violations(page) == []
    screenshot(page, "subject-detail")


def test_language_switch_changes_the_interface(page):
    log_in(page, "logistica@demo.example")
    page.goto("/trials/")
    assert page.locator("h1").inner_text() == "Ensayos"
    with page.expect_navigation():
        page.click("button[name=lang][value=en]")
    assert page.locator("h1").inner_text() == "Trials"
    assert page.url.endswith("/trials/")
    with page.expect_navigation():
        page.click("button[name=lang][value=es]")
    assert page.locator("h1").inner_text() == "Ensayos"


def test_wrong_password_shows_a_message_and_keeps_the_email(page):
    log_in(page, "admin@demo.example", "not the password")
    assert "incorrect" in page.locator(".alert-danger").inner_text().lower()
    assert page.input_value("input[name=email]") == "admin@demo.example"


def test_logout_then_back_shows_login(page):
    log_in(page, "monitor@demo.example")
    page.click("#user-menu")
    page.click("text=Log out")
    page.goto("/trials/")
    assert "/auth/login" in page.url


def test_qp_signs_a_trial_in_the_browser(page):
    log_in(page, "qp@demo.example")
    page.goto("/trials/")
    page.click("text=DEV-2025-021")
    page.fill("input[name=password]", "Demo-Ensayo-2026")
    page.check("input[name=confirm]")
    with page.expect_navigation():
        page.click("form[action$='/approve'] button[type=submit]")
    manifest = page.locator(".signature-manifest").first.inner_text()
    assert "Dr. Tomás Rivas (QP)" in manifest and "Aprobado" in manifest and "UTC" in manifest
    screenshot(page, "trial-signed")


def test_phone_layout_has_a_menu_button(phone):
    log_in(phone, "admin@demo.example")
    phone.goto("/trials/")
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    assert phone.locator("#main-nav .nav-link").first.is_visible()
    assert serious_violations(phone) == []
    screenshot(phone, "phone-trials")
