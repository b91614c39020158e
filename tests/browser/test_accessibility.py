"""Every page for every role, at 1280 and at 390 px: no axe-core violation of WCAG 2.1 A/AA
and no sideways scrolling on a phone; the pages with a form error shown too.

The pages come from ``app.url_map`` (tests/browser/site_pages.py), the data from
``flask krsd seed-demo`` (tests/browser/demo_site.py), loaded once for the module.
KRSD_SCREENSHOTS=<folder> also saves a full-page screenshot of every page at 390 px.
"""

import os

import pytest
import time_machine

from krsd.cli import DEMO_PASSWORD
from tests import second_factor
from tests.browser.axe import DESKTOP, check_both_widths, install_axe
from tests.browser.conftest import serving
from tests.browser.demo_site import NEW_REVIEWER, ROLES, load_demo_site
from tests.browser.form_errors import FORM_ERRORS, show_form_error
from tests.browser.site_pages import EXCLUDED, address_of, get_routes
from tests.browser.sweep import Sweep, report
from tests.clock import FROZEN_NOW
from tests.conftest import empty_database

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        bool(os.environ.get("KRSD_TEST_DATABASE_URL")),
        reason="runs once, in the SQLite pass: the markup is under test, not the database",
    ),
]


@pytest.fixture(scope="module")
def module_clock():
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def register_clock(module_clock):
    """One clock for the module: a session cookie of one test must not look signed in the
    future to the next (as it would when every test started at FROZEN_NOW again)."""
    return module_clock


@pytest.fixture(scope="module")
def sweep(base_app, module_clock, chromium, tmp_path_factory):
    """The demo site, served, with a logged-in browser context per role; the database is
    emptied again after the module."""
    upload_folder = base_app.config["UPLOAD_FOLDER"]
    base_app.config["UPLOAD_FOLDER"] = tmp_path_factory.mktemp("uploads")
    try:
        with base_app.app_context():
            tokens = load_demo_site(base_app)
            extra_ids = {
                "auth.reset_password": {"token": tokens.reset_password},
                "auth.confirm_email": {"token": tokens.confirm_email},
            }
            with serving(base_app) as server:
                sweep = Sweep(chromium, base_app, server.url, extra_ids)
                yield sweep
                sweep.close()
            empty_database(base_app)
    finally:
        base_app.config["UPLOAD_FOLDER"] = upload_folder


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_and_fits_a_phone(sweep, role):
    result = sweep.run(role)
    assert len(result.reached) > 3, f"{role} reached only {sorted(result.reached)}"
    assert not result.problems, f"{len(result.problems)} pages:\n{report(result.problems)}"


def test_every_route_is_visited_or_excluded(sweep):
    reached = set().union(*(sweep.run(role).reached for role in ROLES))
    never = sorted(set(get_routes(sweep.app)) - reached - set(EXCLUDED))
    assert not never, (
        "no role reached these pages (status 200, HTML): give their ids in FILLERS or "
        f"exclude them with a reason in EXCLUDED (tests/browser/site_pages.py): {never}"
    )


@pytest.mark.parametrize("form", FORM_ERRORS, ids=lambda form: f"{form.role}-{form.endpoint}")
def test_a_page_with_a_form_error_passes_axe_and_fits_a_phone(sweep, form):
    page = sweep.page(form.role)
    show_form_error(
        page, address_of(sweep.app, sweep.who(form.role), form.endpoint, sweep.extra_ids), form
    )
    problems = check_both_widths(page)
    assert not problems, report({page.url: problems})


def test_the_steps_of_a_first_login_with_a_second_factor_pass_axe(chromium, sweep):
    context = chromium.new_context(base_url=sweep.url, locale="nl-NL", viewport=DESKTOP)
    install_axe(context)
    try:
        page = context.new_page()
        page.goto("/inloggen")
        page.get_by_label("E-mailadres").fill(NEW_REVIEWER)
        page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"**{second_factor.ENROL_PATH}")
        problems = {"enrol": check_both_widths(page)}
        page.get_by_label("Code").fill("000000")
        page.get_by_role("button", name="Koppelen en inloggen").click()
        page.wait_for_load_state()
        problems["wrong code"] = check_both_widths(page)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(second_factor.code_at(secret, second_factor.current_step()))
        page.get_by_role("button", name="Koppelen en inloggen").click()
        page.locator(".recovery-codes").wait_for()
        problems["recovery codes"] = check_both_widths(page)
        assert not any(problems.values()), report({k: v for k, v in problems.items() if v})
    finally:
        context.close()
