import pytest
from playwright.sync_api import expect

from krsd.auth.rules import RoleName
from tests import second_factor
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_logs_in_through_the_form_and_sees_the_admin_navigation(page, make_user):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau Beheer")
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.goto("/")
    page.get_by_role("link", name="Inloggen").first.click()
    page.get_by_label("E-mailadres").fill("bureau@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    # The registerbureau links an authenticator app: a QR code the CSP lets through.
    page.wait_for_url("**/inloggen/app-koppelen")
    assert page.locator("img.totp-qr").evaluate("img => img.complete && img.naturalWidth") > 0
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(second_factor.code_at(secret, second_factor.current_step()))
    page.get_by_role("button", name="Koppelen en inloggen").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)  # waits for the answer
    page.get_by_role("link", name="Ik heb de codes bewaard").click()

    page.wait_for_url("**/")
    assert not refused
    assert page.get_by_role("heading", level=1).inner_text() == "Welkom, Bureau Beheer"
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Accounts en rollen").is_visible()
    menu.get_by_role("link", name="Auditlog").click()
    page.wait_for_url("**/beheer/auditlog")
    assert "Ingelogd" in page.locator("table").inner_text()


def test_wrong_password_keeps_the_email_and_shows_a_dutch_message(page, make_user):
    make_user(email="prof@example.nl")
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("prof@example.nl")
    page.get_by_label("Wachtwoord").fill("niet-het-goede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert "onbekend" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("E-mailadres").input_value() == "prof@example.nl"
