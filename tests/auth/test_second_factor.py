"""Reviewers and the registerbureau log in with a password and a code from an app."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import AuthSession, LoginAttempt, RecoveryCode, SecondFactor
from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests import second_factor as sf
from tests.conftest import PASSWORD

PROTECTED = "/account/wachtwoord"


def _password(browser, email, password=PASSWORD, url="/inloggen"):
    return browser.submit(url, {"email": email, "password": password})


def _enrol(browser, email) -> tuple[str, list[str]]:
    """Password, then link the app; returns the secret and the recovery codes shown."""
    _password(browser, email)
    secret = sf.secret_on_page(browser.get(sf.ENROL_PATH).get_data(as_text=True))
    page = browser.submit(sf.ENROL_PATH, {"code": sf.code_at(secret, sf.current_step())})
    assert page.status_code == 200
    return secret, sf.recovery_codes_on_page(page.get_data(as_text=True))


def _wrong_code(secret) -> str:
    now = sf.current_step()
    valid = {sf.code_at(secret, step) for step in range(now - 2, now + 3)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


def _sessions(user) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)
    )


def _actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.fixture
def reviewer(make_user):
    return make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl", name="Marleen")


@pytest.fixture
def enrolled(reviewer, make_browser):
    """The reviewer has linked an app (in another browser, then logged out)."""
    other = make_browser()
    secret, codes = _enrol(other, reviewer.email)
    other.logout()
    return secret, codes


def test_a_password_alone_does_not_log_a_reviewer_in(browser, reviewer):
    response = _password(browser, reviewer.email)
    assert response.status_code == 302
    assert response.headers["Location"] == sf.ENROL_PATH
    page = browser.get(PROTECTED)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/inloggen?next=")
    assert _sessions(reviewer) == 0
    assert "auth.login" not in _actions()
    # No success counted either: the password step does not clear failed codes.
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_enrolment_shows_a_qr_code_and_the_secret_then_ten_recovery_codes_once(browser, reviewer):
    _password(browser, reviewer.email)
    html = browser.get(sf.ENROL_PATH).get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html  # the CSP allows img-src data:
    assert "<script>" not in html and "<style" not in html and "style=" not in html
    secret = sf.secret_on_page(html)
    assert len(secret) == 32
    assert db.session.get(SecondFactor, reviewer.id) is None  # nothing stored before confirming

    page = browser.submit(sf.ENROL_PATH, {"code": sf.code_at(secret, sf.current_step())})
    assert page.status_code == 200
    codes = sf.recovery_codes_on_page(page.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert browser.get(PROTECTED).status_code == 200
    assert db.session.get(SecondFactor, reviewer.id).totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert not any(
        code in browser.get("/account/tweestapsverificatie").get_data(as_text=True)
        for code in codes
    )
    assert "auth.second_factor_enrolled" in _actions()
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == reviewer.email))
    assert "authenticator-app gekoppeld" in mail.subject
    assert "registerbureau" in mail.body


def test_each_login_attempt_gets_a_new_secret_until_one_is_linked(make_browser, reviewer):
    first, second = make_browser(), make_browser()
    _password(first, reviewer.email)
    _password(second, reviewer.email)
    secret_one = sf.secret_on_page(first.get(sf.ENROL_PATH).get_data(as_text=True))
    secret_two = sf.secret_on_page(second.get(sf.ENROL_PATH).get_data(as_text=True))
    assert secret_one != secret_two
    # The same browser keeps its secret while it scans and types.
    assert sf.secret_on_page(first.get(sf.ENROL_PATH).get_data(as_text=True)) == secret_one


def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(browser, reviewer, enrolled):
    secret, _codes = enrolled
    assert _password(browser, reviewer.email).headers["Location"] == sf.CODE_PATH
    response = browser.submit(sf.CODE_PATH, {"code": _wrong_code(secret)})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.get_data(as_text=True)
    assert browser.get(PROTECTED).status_code == 302
    failed = db.session.scalars(select(LoginAttempt).where(LoginAttempt.succeeded.is_(False)))
    assert [a.email for a in failed] == [reviewer.email]
    assert "auth.second_factor_failed" in _actions()


def test_wrong_codes_are_throttled_like_wrong_passwords(browser, reviewer, enrolled):
    secret, _codes = enrolled
    _password(browser, reviewer.email)
    for _ in range(5):
        assert browser.submit(sf.CODE_PATH, {"code": _wrong_code(secret)}).status_code == 200
    refused = browser.submit(sf.CODE_PATH, {"code": sf.fresh_code(reviewer.email)})
    assert refused.status_code == 429
    assert "Te veel mislukte inlogpogingen" in refused.get_data(as_text=True)
    # Typing the password again does not give new tries.
    assert _password(browser, reviewer.email).status_code == 429


def test_a_correct_code_logs_in_and_goes_where_the_person_was_going(browser, reviewer, enrolled):
    _password(browser, reviewer.email, url="/inloggen?next=/account/tweestapsverificatie")
    response = browser.submit(sf.CODE_PATH, {"code": sf.fresh_code(reviewer.email)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/tweestapsverificatie"
    assert browser.get(PROTECTED).status_code == 200
    assert _sessions(reviewer) == 1
    login = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login"))
    assert login.details_dict == {"second_factor": "totp"}


def test_a_replayed_code_is_refused(make_browser, reviewer, enrolled):
    code = sf.fresh_code(reviewer.email)
    first = make_browser()
    _password(first, reviewer.email)
    assert first.submit(sf.CODE_PATH, {"code": code}).status_code == 302
    # Someone who saw the code over the shoulder tries it within its 30 seconds.
    second = make_browser()
    _password(second, reviewer.email)
    replay = second.submit(sf.CODE_PATH, {"code": code})
    assert replay.status_code == 200
    assert "al gebruikt" in replay.get_data(as_text=True)
    assert second.get(PROTECTED).status_code == 302


def test_a_recovery_code_works_once(make_browser, reviewer, enrolled):
    _secret, codes = enrolled
    first = make_browser()
    _password(first, reviewer.email)
    response = first.submit(sf.CODE_PATH, {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert "nog 9" in first.get("/").get_data(as_text=True)
    assert first.get(PROTECTED).status_code == 200

    second = make_browser()
    _password(second, reviewer.email)
    again = second.submit(sf.CODE_PATH, {"code": codes[3]})
    assert "Deze code klopt niet" in again.get_data(as_text=True)
    assert second.get(PROTECTED).status_code == 302


def test_a_pending_login_expires(browser, reviewer, enrolled, register_clock):
    _password(browser, reviewer.email)
    token = browser.csrf_token(sf.CODE_PATH)
    register_clock.shift(timedelta(minutes=6))
    code = sf.fresh_code(reviewer.email)
    response = browser.post(sf.CODE_PATH, data={"code": code, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen"
    assert "Uw inlogpoging is verlopen" in browser.get("/inloggen").get_data(as_text=True)
    assert browser.get(PROTECTED).status_code == 302


def test_the_code_step_without_a_password_leads_to_the_login_page(browser, reviewer, enrolled):
    for path in (sf.CODE_PATH, sf.ENROL_PATH):
        assert browser.get(path).headers["Location"] == "/inloggen"


@pytest.mark.parametrize("role", [RoleName.PROFESSIONAL, RoleName.TRAINER])
def test_professionals_and_trainers_are_not_asked_for_a_second_factor(browser, make_user, role):
    make_user(roles={role}, email="iemand@example.nl")
    response = _password(browser, "iemand@example.nl")
    assert response.headers["Location"] == "/"
    assert browser.get(PROTECTED).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(
    make_browser, browser, reviewer, enrolled, register_clock
):
    _secret, old_codes = enrolled
    browser.login(reviewer.email)
    register_clock.shift(timedelta(seconds=30))  # the next code: the login used this one
    page = browser.submit("/account/tweestapsverificatie", {"code": sf.fresh_code(reviewer.email)})
    new_codes = sf.recovery_codes_on_page(page.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert "auth.recovery_codes_regenerated" in _actions()

    other = make_browser()
    _password(other, reviewer.email)
    assert "klopt niet" in other.submit(sf.CODE_PATH, {"code": old_codes[0]}).get_data(as_text=True)
    assert other.submit(sf.CODE_PATH, {"code": new_codes[0]}).status_code == 302


def test_seed_demo_gives_the_demo_staff_the_documented_secret(app, browser, monkeypatch):
    from krsd.cli import DEMO_PASSWORD, DEMO_TOTP_SECRET

    # Only the accounts matter here, not the demo portfolios.
    monkeypatch.setattr("krsd.cli.seed_portfolios_and_applications", lambda _today: 0)
    result = app.test_cli_runner().invoke(args=["krsd", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_TOTP_SECRET in result.output
    code = sf.code_at(DEMO_TOTP_SECRET, sf.current_step())
    for email in ("commissie@krsd-demo.nl", "bureau@krsd-demo.nl"):
        assert _password(browser, email, DEMO_PASSWORD).headers["Location"] == sf.CODE_PATH
        assert browser.submit(sf.CODE_PATH, {"code": code}).status_code == 302
        assert browser.get(PROTECTED).status_code == 200
        browser.logout()
