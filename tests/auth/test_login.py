from datetime import timedelta

from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.models import AuthSession, LoginAttempt, User
from krsd.database import utcnow
from krsd.extensions import db
from tests.conftest import PASSWORD

UNKNOWN = "Deze combinatie van e-mailadres en wachtwoord is onbekend."


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_login_opens_a_session_and_is_audited(browser, make_user):
    user = make_user(email="prof@example.nl", name="Anna de Boer")
    response = browser.login("prof@example.nl", follow_redirects=True)
    assert "Welkom, Anna de Boer" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert "auth.login" in _actions()


def test_email_is_not_case_sensitive(browser, make_user):
    make_user(email="prof@example.nl")
    response = browser.login("  Prof@Example.NL ")
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(browser, make_user):
    make_user(email="prof@example.nl")
    wrong = browser.login("prof@example.nl", "verkeerd-wachtwoord")
    unknown = browser.login("niemand@example.nl", "verkeerd-wachtwoord")
    for response in (wrong, unknown):
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert UNKNOWN in html
        assert 'value="' in html  # the typed e-mail address stays filled in
    assert _actions().count("auth.login_failed") == 2


def test_the_password_is_not_stored_readable(make_user):
    user = make_user(password="een geheim wachtwoord")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert "een geheim wachtwoord" not in stored
    assert stored.startswith("scrypt:")


def test_the_sixth_failed_login_within_15_minutes_is_refused(browser, make_user):
    make_user(email="prof@example.nl")
    for _ in range(5):
        assert browser.login("prof@example.nl", "verkeerd-wachtwoord").status_code == 200
    refused = browser.login("prof@example.nl")  # even the right password
    assert refused.status_code == 429
    assert "Te veel mislukte inlogpogingen" in refused.get_data(as_text=True)
    assert "auth.login_throttled" in _actions()


def test_failures_older_than_the_window_do_not_count(browser, make_user):
    make_user(email="prof@example.nl")
    old = utcnow() - timedelta(minutes=16)
    db.session.add_all(
        LoginAttempt(email="prof@example.nl", ip="127.0.0.1", at=old) for _ in range(5)
    )
    db.session.commit()
    assert browser.login("prof@example.nl").status_code == 302


def test_throttling_per_address_covers_other_accounts(browser, make_user):
    make_user(email="prof@example.nl")
    for n in range(5):
        browser.login(f"gok{n}@example.nl", "verkeerd-wachtwoord")
    assert browser.login("prof@example.nl").status_code == 429


def test_throttling_per_account_covers_other_addresses(make_browser, make_user):
    make_user(email="prof@example.nl")
    attacker = make_browser()
    for n in range(5):
        attacker.login(
            "prof@example.nl", "verkeerd", environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        )
    assert make_browser().login("prof@example.nl").status_code == 429


def test_a_blocked_account_cannot_log_in(browser, make_user):
    user = make_user(email="prof@example.nl")
    user.active = False
    db.session.commit()
    response = browser.login("prof@example.nl", PASSWORD)
    assert response.status_code == 200
    assert UNKNOWN in response.get_data(as_text=True)
