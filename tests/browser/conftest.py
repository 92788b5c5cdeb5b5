"""A live server on a migrated, seeded database, and Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.dbsetup import ROOT, fresh_database

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"
DEMO_PASSWORD = "Demo-Ensayo-2026"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs Chromium for the browser tests; not found at {CHROMIUM}")
    reason = "browser tests skipped: Chromium is not installed (apt-get install chromium)"
    sys.stderr.write(f"\n*** {reason} ***\n")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server():
    """Migrate and seed a fresh database, then serve the app with gunicorn."""
    env = {**os.environ, "DATABASE_URL": fresh_database("browser"), "APP_CONFIG": "development",
           "FLASK_APP": "wsgi", "SESSION_COOKIE_SECURE": "0", "ARGON2_PROFILE": "test"}
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(ROOT / "instance" / "browser-server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # it answers: 503 only says no job consumer runs beside this server
        except OSError:
            time.sleep(0.1)
    else:
        server.terminate()
        raise RuntimeError("the live server did not start; see instance/browser-server.log")
    yield url
    server.terminate()
    try:
        server.wait(timeout=30)  # gunicorn lets busy workers finish; a loaded machine is slow
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="es-ES")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (iPhone 13-like viewport, touch)."""
    context = browser.new_context(base_url=live_server, locale="es-ES",
                                  viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, email, password=DEMO_PASSWORD):
    """Log in through the real form."""
    page.goto("/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # read the next page, never the one being left
        page.click("form button[type=submit]")


def serious_violations(page):
    """Run axe on the page and return serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n.get("target") else "" for n in v["nodes"][:3])
        for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]


def screenshot(page, name):
    """Save a full-page screenshot under tests/artifacts for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
