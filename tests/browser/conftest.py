"""Browser fixtures: the app served from a thread, Debian's Chromium driven by Playwright."""

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("KRSD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@contextmanager
def serving(app):
    """Serve ``app`` from a thread on a free port, configured as a browser needs it."""
    # The served app answers for any host name, not only the test client's "localhost".
    app.config["SERVER_NAME"] = None
    # The server runs at the tests' frozen clock, Chromium at the real one: a session
    # cookie must not look expired to Chromium (its Expires is SESSION_MAX_HOURS away).
    max_hours = app.config["SESSION_MAX_HOURS"]
    app.config["SESSION_MAX_HOURS"] = 24 * 36_500
    public_url = app.config["PUBLIC_URL"]
    try:
        with LiveServer(app) as server:
            # Links in mail and on certificates point at this server, as KRSD_PUBLIC_URL would.
            app.config["PUBLIC_URL"] = server.url
            yield server
    finally:
        app.config["SERVER_NAME"] = "localhost"
        app.config["PUBLIC_URL"] = public_url
        app.config["SESSION_MAX_HOURS"] = max_hours


@pytest.fixture
def live_server(app):
    with serving(app) as server:
        yield server


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} ontbreekt: scripts/ensure-system-packages.sh test installeert het")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, the report shows every open page: its address and what it says."""
    outcome = yield
    report = outcome.get_result()
    browser = item.funcargs.get("chromium")
    if call.when != "call" or not report.failed or browser is None:
        return
    lines = []
    for context in browser.contexts:
        for open_page in context.pages:
            try:
                text = open_page.locator("body").inner_text(timeout=2_000)
            except Exception as error:  # the page may be gone or still loading
                text = f"(niet te lezen: {error})"
            lines.append(f"--- {open_page.url}\n{text[:1500]}")
    report.sections.append(("open pages at the failure", "\n".join(lines)))
