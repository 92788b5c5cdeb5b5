"""In Chromium: stock screens per role, axe on each, and a dispensing by typing the kit number."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot, serious_violations

PAGES = {
    "logistica@demo.example": ["/stock/depot", "/stock/sites", "/stock/kits", "/stock/lots",
                               "/stock/products", "/stock/expiry?days=120", "/stock/resupply",
                               "/stock/ledger", "/stock/kits/upload", "/stock/kits/generate",
                               "/stock/products/new", "/stock/lots/new",
                               "/stock/lots/blinded/new"],
    "farmacia@demo.example": ["/stock/sites", "/stock/kits", "/stock/ledger"],
    "ciego@demo.example": ["/stock/depot", "/stock/kits"],
    "monitor@demo.example": ["/stock/sites"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_stock_pages_open_and_pass_axe(page, email):
    log_in(page, email)
    problems = {}
    for path in PAGES[email]:
        response = page.goto(path)
        assert response.status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    screenshot(page, f"stock-{email.split('@')[0]}")
    assert problems == {}


def test_depot_stock_shows_expiry_in_words(page):
    log_in(page, "logistica@demo.example")
    page.goto("/stock/depot")
    assert page.get_by_text("Pasado el plazo de no envío").first.is_visible()
    screenshot(page, "stock-depot")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^\d+$")).first.click()
    assert "/stock/kits" in page.url and page.locator("tbody tr").count() >= 1


def test_pharmacist_dispenses_by_typing_the_kit_number(page):
    log_in(page, "farmacia@demo.example")
    page.goto("/stock/sites")
    page.get_by_role("link", name="001").first.click()
    page.get_by_role("link", name="Dispensar").click()
    page.select_option("#subject_id", index=1)
    page.select_option("#visit_id", index=3)
    page.get_by_role("button", name="Proponer un kit").click()
    kit_number = page.locator("#proposed-kit").inner_text().strip()
    assert serious_violations(page) == []
    page.fill("#off_window_reason", "Visita reprogramada")  # the demo visits are past due
    page.fill("#kit_number", "0000000")
    page.get_by_role("button", name="Confirmar y dispensar").click()  # refused without a reload
    page.locator(".scan-status.alert-danger").wait_for()
    assert page.get_by_text("no es el kit propuesto").first.is_visible()
    assert page.evaluate("document.activeElement.id") == "kit_number"
    page.fill("#kit_number", kit_number)
    page.fill("#off_window_reason", "Visita reprogramada")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmar y dispensar").click()
    assert page.get_by_text(f"Kit {kit_number} dispensado").is_visible()
    screenshot(page, "stock-dispensed")
    page.goto("/stock/accountability/site/1")
    assert page.get_by_role("heading", name=re.compile("Contabilidad de medicación")).is_visible()
    assert serious_violations(page) == []


def test_unblinded_user_sees_the_arm_and_logistics_does_not(page, browser, live_server):
    """Arms live in the blinding package (issue 14): the unblinded role reads a kit's arm
    there; the stock kit page shows it to nobody, and logistics cannot open the arm list."""
    log_in(page, "ciego@demo.example")
    page.goto("/blinding/kits")
    first = page.locator("tbody tr").first
    assert first.locator("td").nth(3).inner_text().strip()  # the arm, for this role only
    with page.expect_navigation():
        first.locator("a").first.click()  # the kit's stock page
    assert page.get_by_text("Brazo de tratamiento").count() == 0
    kit_url = page.url
    other = browser.new_context(base_url=live_server, locale="es-ES").new_page()
    log_in(other, "logistica@demo.example")
    other.goto(kit_url)
    assert other.get_by_text("Brazo de tratamiento").count() == 0
    assert other.goto("/blinding/kits").status == 403
    other.context.close()
