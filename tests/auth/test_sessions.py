from datetime import timedelta

from sqlalchemy import select

from krsd.auth.models import AuthSession
from krsd.database import utcnow
from krsd.extensions import db
from tests.conftest import PASSWORD

PROTECTED = "/account/wachtwoord"


def _session_cookie(browser) -> str:
    return browser.client.get_cookie("krsd_session").value


def test_session_cookie_flags(browser, make_user):
    make_user(email="prof@example.nl")
    response = browser.login("prof@example.nl")
    header = next(h for h in response.headers.getlist("Set-Cookie") if "krsd_session=" in h)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_production_cookies_are_secure():
    from krsd.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.HSTS is True


def test_login_starts_a_new_session(browser, make_user):
    make_user(email="prof@example.nl")
    browser.get("/inloggen")
    before = _session_cookie(browser)
    browser.login("prof@example.nl")
    assert _session_cookie(browser) != before


def test_an_old_session_cookie_is_refused_after_logout(browser, make_browser, make_user):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    copied = _session_cookie(browser)
    assert browser.get(PROTECTED).status_code == 200

    assert browser.logout().status_code == 302
    assert browser.get(PROTECTED).status_code == 302

    thief = make_browser()
    thief.client.set_cookie("krsd_session", copied, domain="localhost")
    response = thief.get(PROTECTED)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen")


def test_a_password_change_ends_the_other_sessions(make_browser, make_user):
    make_user(email="prof@example.nl")
    laptop, phone = make_browser(), make_browser()
    laptop.login("prof@example.nl")
    phone.login("prof@example.nl")
    response = laptop.submit(
        "/account/wachtwoord",
        {
            "current": PASSWORD,
            "password": "een nieuw wachtwoord",
            "confirm": "een nieuw wachtwoord",
        },
    )
    assert response.status_code == 302
    assert laptop.get(PROTECTED).status_code == 200
    assert phone.get(PROTECTED).status_code == 302
    assert make_browser().login("prof@example.nl", "een nieuw wachtwoord").status_code == 302


def test_a_wrong_current_password_changes_nothing(browser, make_user):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    response = browser.submit(
        "/account/wachtwoord",
        {
            "current": "fout-wachtwoord",
            "password": "een nieuw wachtwoord",
            "confirm": "een nieuw wachtwoord",
        },
    )
    assert "Uw huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    browser.logout()
    assert browser.login("prof@example.nl").status_code == 302


def test_an_idle_session_expires(app, browser, make_user, register_clock):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    register_clock.shift(timedelta(minutes=29))
    assert browser.get(PROTECTED).status_code == 200  # activity keeps the session alive
    register_clock.shift(timedelta(minutes=31))
    assert browser.get(PROTECTED).status_code == 302


def test_a_session_has_a_hard_maximum_age(browser, make_user):
    user = make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    row = db.session.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    row.created_at = utcnow() - timedelta(hours=13)
    db.session.commit()
    assert browser.get(PROTECTED).status_code == 302
