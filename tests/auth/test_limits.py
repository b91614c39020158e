"""Reset requests and registrations are limited per client address and per e-mail address."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.config import Config
from krsd.extensions import db, limiter
from krsd.mail import OutboxMessage
from tests.auth.test_registration import VALID


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _mails() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _reset(browser, email, address="127.0.0.1"):
    return browser.submit(
        "/wachtwoord-vergeten", {"email": email}, environ_base={"REMOTE_ADDR": address}
    )


def test_fifty_reset_requests_for_one_address_send_five_mails(app, browser, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_EMAIL", Config.RESET_LIMIT_PER_EMAIL)
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", Config.RESET_LIMIT_PER_ADDRESS)
    make_user(email="prof@example.nl")
    statuses = [_reset(browser, "Prof@Example.nl ").status_code for _ in range(50)]
    assert statuses == [302] * 5 + [429] * 45
    assert _mails() == 5


def test_a_limited_reset_request_says_so_in_dutch_and_sends_nothing(
    app, browser, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_EMAIL", "2 per hour")
    make_user(email="prof@example.nl")
    _reset(browser, "prof@example.nl")
    _reset(browser, "prof@example.nl")
    response = _reset(browser, "prof@example.nl")
    assert response.status_code == 429
    assert "te vaak een nieuwe link aangevraagd" in response.get_data(as_text=True)
    assert _mails() == 2


def test_the_reset_limit_per_e_mail_address_holds_from_any_client_address(
    app, browser, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_EMAIL", "2 per hour")
    make_user(email="prof@example.nl")
    statuses = [
        _reset(browser, "prof@example.nl", address=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_the_reset_limit_per_client_address_holds_for_any_e_mail_address(
    app, browser, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_ADDRESS", "3 per hour")
    for n in range(4):
        make_user(email=f"prof{n}@example.nl")
    statuses = [_reset(browser, f"prof{n}@example.nl").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert _mails() == 3
    assert _reset(browser, "prof3@example.nl", address="10.0.0.2").status_code == 302


def test_the_reset_limit_frees_up_after_the_hour(
    app, browser, make_user, monkeypatch, register_clock
):
    monkeypatch.setitem(app.config, "RESET_LIMIT_PER_EMAIL", "1 per hour")
    make_user(email="prof@example.nl")
    assert _reset(browser, "prof@example.nl").status_code == 302
    assert _reset(browser, "prof@example.nl").status_code == 429
    register_clock.shift(timedelta(minutes=61))
    assert _reset(browser, "prof@example.nl").status_code == 302
    assert _mails() == 2


def _register(browser, email, address="127.0.0.1"):
    return browser.submit(
        "/registreren", {**VALID, "email": email}, environ_base={"REMOTE_ADDR": address}
    )


def test_registrations_that_reveal_an_existing_address_are_limited_per_client_address(
    app, make_browser, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ADDRESS", "2 per hour")
    make_user(email="bestaand@example.nl")
    browser = make_browser()
    for _ in range(2):
        page = _register(browser, "bestaand@example.nl").get_data(as_text=True)
        assert "Er bestaat al een account" in page
    limited = _register(browser, "bestaand@example.nl")
    html = limited.get_data(as_text=True)
    assert limited.status_code == 429
    assert "te vaak geprobeerd" in html and "Er bestaat al een account" not in html
    # Nor can a new account be made from that address until the hour has passed ...
    assert _register(make_browser(), "nieuw@example.nl").status_code == 429
    assert _users() == 1
    # ... but from another address it can.
    assert _register(make_browser(), "nieuw@example.nl", address="10.0.0.2").status_code == 302


def test_new_accounts_do_not_use_up_the_registration_limit(app, make_browser, monkeypatch):
    # Colleagues behind one municipal address register on the same morning.
    monkeypatch.setitem(app.config, "REGISTRATION_LIMIT_PER_ADDRESS", "2 per hour")
    statuses = [_register(make_browser(), f"collega{n}@example.nl").status_code for n in range(5)]
    assert statuses == [302] * 5
    assert _users() == 5
