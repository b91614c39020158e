from datetime import timedelta

from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth import services
from krsd.auth.models import AuthSession, LoginAttempt, User
from krsd.auth.rules import ThrottleState
from krsd.database import utcnow
from krsd.extensions import db
from tests.auth.test_password_reset import _link_from_outbox as link_from_outbox
from tests.auth.test_password_reset import _new_password as set_new_password
from tests.auth.test_password_reset import _request as request_reset
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


def _failures(email, ip, count, at=None):
    db.session.add_all(
        LoginAttempt(email=email, ip=ip, at=at or utcnow(), succeeded=False) for _ in range(count)
    )
    db.session.commit()


def test_the_throttle_counts_per_account_per_address_and_account_and_per_address(app, make_user):
    make_user(email="a@example.nl")
    _failures("a@example.nl", "10.0.0.1", 3)
    _failures("a@example.nl", "10.0.0.2", 1)
    _failures("b@example.nl", "10.0.0.1", 2)
    state = services._throttle_state("a@example.nl", "10.0.0.1")
    assert state == ThrottleState(
        failures_for_account=4, failures_for_address_and_account=3, failures_for_address=5
    )


def test_five_wrong_passwords_of_one_colleague_do_not_lock_out_another_at_the_same_address(
    make_browser, make_user
):
    make_user(email="anna@gemeente.nl")
    make_user(email="bert@gemeente.nl")
    anna = make_browser()  # both behind the municipality's one NAT address, 127.0.0.1
    for _ in range(5):
        assert anna.login("anna@gemeente.nl", "verkeerd-wachtwoord").status_code == 200
    assert anna.login("anna@gemeente.nl").status_code == 429
    assert make_browser().login("bert@gemeente.nl").status_code == 302


def test_a_password_reset_after_being_throttled_lets_one_log_in_at_once(make_browser, make_user):
    make_user(email="prof@example.nl")
    browser = make_browser()
    for _ in range(5):
        browser.login("prof@example.nl", "verkeerd-wachtwoord")
    refused = browser.login("prof@example.nl")
    assert refused.status_code == 429
    assert "nieuw wachtwoord" in refused.get_data(as_text=True)

    request_reset(browser, "prof@example.nl")
    assert set_new_password(browser, link_from_outbox("prof@example.nl")).status_code == 302
    assert browser.login("prof@example.nl", "een nieuw wachtwoord").status_code == 302


def test_a_hundred_failures_over_many_accounts_from_one_address_lock_the_address(
    make_browser, make_user
):
    make_user(email="prof@example.nl")
    # 99 typos spread over 33 colleagues behind one address: still nobody is locked out.
    for n in range(33):
        _failures(f"collega{n}@gemeente.nl", "127.0.0.1", 3)
    assert make_browser().login("prof@example.nl").status_code == 302

    assert make_browser().login("gok@example.nl", "verkeerd").status_code == 200  # the 100th
    refused = make_browser().login("prof@example.nl")
    assert refused.status_code == 429
    assert "vanaf dit netwerk" in refused.get_data(as_text=True)
    # The account itself is fine from anywhere else.
    elsewhere = make_browser().login("prof@example.nl", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302


def test_a_login_elsewhere_does_not_give_an_attacker_new_tries(make_browser, make_user):
    make_user(email="prof@example.nl")
    attacker = make_browser()
    at_x = {"environ_base": {"REMOTE_ADDR": "10.9.9.9"}}
    for _ in range(4):
        attacker.login("prof@example.nl", "verkeerd", **at_x)
    # The owner logs in from the office; that clears the account, not the attacker's address.
    assert make_browser().login("prof@example.nl").status_code == 302
    attacker.login("prof@example.nl", "verkeerd", **at_x)
    assert attacker.login("prof@example.nl", "nog een gok", **at_x).status_code == 429
    assert make_browser().login("prof@example.nl").status_code == 302


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
