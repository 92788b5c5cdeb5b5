"""In Chromium: a list generated and verified by two unblinded users, a subject randomised by
the site, an emergency code break that shows the arm to the investigator only; axe on each."""

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD, log_in, screenshot, serious_violations

PAGES = {
    "ciego@demo.example": ["/blinding/lists", "/blinding/lists/generate", "/blinding/lists/upload",
                           "/blinding/kits", "/blinding/reports", "/blinding/subjects"],
    "farmacia@demo.example": ["/blinding/subjects", "/blinding/code-breaks"],
    "monitor@demo.example": ["/blinding/subjects", "/blinding/lists", "/blinding/code-breaks"],
}


@pytest.mark.parametrize("email", list(PAGES))
def test_blinding_pages_open_and_pass_axe(page, email):
    log_in(page, email)
    problems = {}
    for path in PAGES[email]:
        response = page.goto(path)
        assert response.status == 200, path
        if found := serious_violations(page):
            problems[path] = found
    screenshot(page, f"blinding-{email.split('@')[0]}")
    assert problems == {}


def test_a_list_is_generated_verified_and_a_subject_randomised_and_unblinded(browser,
                                                                            live_server):
    contexts = []
    try:
        _journey(browser, live_server, contexts)
    finally:
        for context in contexts:
            context.close()


def _journey(browser, live_server, contexts):
    def tab():
        contexts.append(browser.new_context(base_url=live_server, locale="es-ES"))
        return contexts[-1].new_page()

    maker = tab()
    log_in(maker, "ciego@demo.example")
    maker.goto("/blinding/lists/generate")
    maker.fill("#name", "Formación navegador")
    maker.select_option("#purpose", "training")
    maker.fill("#arms", "A:1, B:1")
    maker.fill("#block_sizes", "3")
    maker.fill("#per_stratum", "20")
    with maker.expect_navigation():
        maker.get_by_role("button", name="Guardar la lista").click()
    assert maker.get_by_text("no respeta la proporción 1:1").first.is_visible()
    maker.fill("#block_sizes", "2, 4")
    with maker.expect_navigation():
        maker.get_by_role("button", name="Guardar la lista").click()
    assert maker.get_by_text("Pendiente de verificación").first.is_visible()
    list_url = maker.url
    checker = tab()
    log_in(checker, "ciego2@demo.example")
    checker.goto(list_url)
    checker.fill("#password", DEMO_PASSWORD)
    with checker.expect_navigation():
        checker.get_by_role("button", name="Verificar y firmar").click()
    assert checker.get_by_text("Lista verificada").first.is_visible()
    screenshot(checker, "blinding-list-verified")

    site = tab()
    log_in(site, "farmacia@demo.example")
    site.goto("/blinding/subjects")
    site.get_by_role("link", name="ONC-001-002").click()
    with site.expect_navigation():
        site.get_by_role("link", name="Aleatorizar").click()
    site.select_option("#stratum_0", "2")
    site.check("#eligible")
    with site.expect_navigation():
        site.get_by_role("button", name="Aleatorizar").click()
    number = site.locator("#randomisation-number").inner_text().strip()
    assert re.fullmatch(r"R\d{4}", number)
    assert serious_violations(site) == []
    with site.expect_navigation():
        site.get_by_role("link", name="Apertura del ciego de urgencia").click()
    site.fill("#reason", "Reacción anafiláctica; el médico debe conocer el tratamiento")
    site.check("#adverse_event")
    site.check("#confirm")
    site.fill("#password", DEMO_PASSWORD)
    with site.expect_navigation():
        site.get_by_role("button", name="Abrir el ciego").click()
    arm = site.locator("#revealed-arm strong").inner_text().strip()
    assert arm in ("A", "B")
    screenshot(site, "blinding-code-broken")

    monitor = tab()
    log_in(monitor, "monitor@demo.example")
    monitor.goto("/blinding/code-breaks")
    with monitor.expect_navigation():
        monitor.locator("tbody a").first.click()
    assert monitor.locator("#revealed-arm").count() == 0
    assert monitor.locator(".code-broken").first.is_visible()  # the monitor reads English
