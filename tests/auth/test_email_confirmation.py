"""A self-registered account works only after the link mailed to its address was used."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.extensions import db, limiter
from krsd.mail import OutboxMessage
from tests.auth.mailbox import confirm_address, confirmation_path
from tests.auth.test_registration import VALID

EMAIL = VALID["email"]
PASSWORD = VALID["password"]
NOT_YET = "Bevestig eerst uw e-mailadres"
EXPIRED = "Deze bevestigingslink is verlopen"
ALREADY = "Uw e-mailadres is al bevestigd"
RESENT = "Als er voor dit e-mailadres een account op bevestiging wacht"


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _register(browser, **fields):
    return browser.submit("/registreren", {**VALID, **fields})


def _user(email=EMAIL) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _mails(recipient=EMAIL) -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.recipient == recipient))


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_registering_asks_to_check_the_mail_and_logs_nobody_in(browser):
    response = _register(browser)
    assert response.headers["Location"] == "/registreren/controleer-uw-email"
    page = _text(browser.get("/registreren/controleer-uw-email"))
    assert "Controleer uw e-mail" in page
    assert EMAIL in page and "24 uur" in page
    assert _user().email_confirmed_at is None
    assert _mails() == 1
    assert "24 uur geldig" in db.session.scalar(select(OutboxMessage.body))
    assert browser.get("/account/gegevens").headers["Location"].startswith("/inloggen")


def test_an_unconfirmed_account_cannot_log_in_and_is_offered_a_new_link(browser):
    _register(browser)
    response = browser.login(EMAIL, PASSWORD)
    page = _text(response)
    assert response.status_code == 200
    assert NOT_YET in page
    assert 'action="/registreren/nieuwe-link"' in page
    assert browser.get("/account/gegevens").status_code == 302
    assert len(_audits("auth.login_unconfirmed")) == 1
    # With a wrong password the answer is the usual one: nothing about the account.
    wrong = _text(browser.login(EMAIL, "een verkeerd wachtwoord"))
    assert NOT_YET not in wrong and "combinatie van e-mailadres en wachtwoord" in wrong


def test_the_link_confirms_within_24_hours_and_then_the_login_works(
    browser, make_browser, register_clock
):
    _register(browser)
    path = confirmation_path(EMAIL)
    register_clock.shift(timedelta(hours=23, minutes=59))
    other_device = make_browser()  # the mail is often read on another device
    page = _text(other_device.get(path))
    assert "E-mailadres bevestigen" in page and EMAIL in page
    assert _user().email_confirmed_at is None  # opening the link alone confirms nothing
    response = other_device.submit(path)
    assert response.headers["Location"] == "/inloggen"
    assert "Uw e-mailadres is bevestigd" in _text(other_device.get("/inloggen"))
    assert _user().email_confirmed_at is not None
    [entry] = _audits("auth.email_confirmed")
    assert entry.object_id == str(_user().id) and entry.details_dict == {"via": "link"}
    assert browser.login(EMAIL, PASSWORD).headers["Location"] == "/"


def test_a_link_older_than_24_hours_is_refused_and_a_new_one_can_be_asked_for(
    browser, register_clock
):
    _register(browser)
    old = confirmation_path(EMAIL)
    register_clock.shift(timedelta(hours=24, minutes=1))
    refused = browser.get(old)
    assert refused.headers["Location"] == "/registreren/nieuwe-link"
    assert EXPIRED in _text(browser.get("/registreren/nieuwe-link"))
    assert browser.submit(old, form_url="/inloggen").headers["Location"] == (
        "/registreren/nieuwe-link"
    )
    assert _user().email_confirmed_at is None

    # The login page offers the new link: the same form, the address filled in.
    assert NOT_YET in _text(browser.login(EMAIL, PASSWORD))
    asked = browser.submit("/registreren/nieuwe-link", {"email": EMAIL}, form_url="/inloggen")
    assert asked.headers["Location"] == "/inloggen"
    assert _mails() == 2
    new = confirmation_path(EMAIL)
    assert new != old
    assert confirm_address(browser, EMAIL).headers["Location"] == "/inloggen"
    assert browser.login(EMAIL, PASSWORD).headers["Location"] == "/"


def test_a_link_used_twice_confirms_once_and_says_so_kindly(browser, make_browser):
    _register(browser)
    path = confirmation_path(EMAIL)
    confirm_address(browser, EMAIL)
    again = make_browser()
    assert again.get(path).headers["Location"] == "/inloggen"
    assert ALREADY in _text(again.get("/inloggen"))
    assert again.submit(path, form_url="/inloggen").headers["Location"] == "/inloggen"
    assert len(_audits("auth.email_confirmed")) == 1


def test_a_changed_link_is_refused(browser):
    _register(browser)
    path = confirmation_path(EMAIL)
    for bad in (path[:-2], path + "x", "/registreren/bevestigen/onzin"):
        assert browser.get(bad).headers["Location"] == "/registreren/nieuwe-link"
        assert "ongeldig" in _text(browser.get("/registreren/nieuwe-link"))
    assert _user().email_confirmed_at is None


def test_someone_registering_an_address_they_do_not_own_cannot_use_the_account(
    make_browser,
):
    stranger = make_browser()
    _register(
        stranger,
        name="Iemand Anders",
        password="wachtwoord van de vreemde",
        confirm=("wachtwoord van de vreemde"),
    )
    assert NOT_YET in _text(stranger.login(EMAIL, "wachtwoord van de vreemde"))
    # A second registration for the address is refused: nobody takes it over that way.
    second = _register(make_browser(), name="Nog Iemand")
    assert "Er bestaat al een account met dit e-mailadres" in _text(second)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1

    # The owner of the mailbox takes the address back with a password reset: the reset
    # link reached the mailbox, so it confirms, and the stranger's password is gone.
    owner = make_browser()
    owner.submit("/wachtwoord-vergeten", {"email": EMAIL})
    reset = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.subject.contains("wachtwoord"))
    )
    path = reset.split("http://localhost", 1)[1].split()[0]
    new = {"password": "het eigen wachtwoord", "confirm": "het eigen wachtwoord"}
    owner.submit(path, new)
    assert _user().email_confirmed_at is not None
    assert _audits("auth.email_confirmed")[0].details_dict == {"via": "password_reset"}
    assert stranger.login(EMAIL, "wachtwoord van de vreemde").status_code == 200
    assert owner.login(EMAIL, "het eigen wachtwoord").headers["Location"] == "/"


def test_asking_for_a_new_link_reveals_nothing_about_the_address(browser, make_user):
    make_user(email="bevestigd@example.nl")
    _register(browser)
    for email in (EMAIL, "bevestigd@example.nl", "niemand@example.nl"):
        response = browser.submit(
            "/registreren/nieuwe-link", {"email": email}, follow_redirects=True
        )
        assert RESENT in _text(response)
    assert _mails() == 2  # registration and the new link
    assert _mails("bevestigd@example.nl") == _mails("niemand@example.nl") == 0
    assert len(_audits("auth.confirmation_resent")) == 1
    assert len(_audits("auth.confirmation_requested_other")) == 2


def test_new_links_are_limited_per_address_with_a_dutch_message(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "CONFIRMATION_LIMIT_PER_EMAIL", "2 per hour")
    _register(browser)
    statuses = [
        browser.submit("/registreren/nieuwe-link", {"email": EMAIL}).status_code for _ in range(3)
    ]
    assert statuses == [302, 302, 429]
    limited = browser.submit("/registreren/nieuwe-link", {"email": EMAIL})
    assert "te vaak een nieuwe bevestigingslink aangevraagd" in _text(limited)
    assert f'value="{EMAIL}"' in _text(limited)  # the input stays filled in
    assert _mails() == 3


def test_accounts_made_by_others_count_as_confirmed(make_user, browser):
    user = make_user(email="door-bureau@example.nl")
    assert user.email_confirmed_at is not None
    assert browser.login("door-bureau@example.nl").headers["Location"] == "/"


def test_the_confirmation_page_costs_the_same_whatever_the_number_of_accounts(
    browser, make_browser
):
    _register(browser)
    path = confirmation_path(EMAIL)
    few = make_browser().queries_for(path)
    for n in range(10):
        _register(make_browser(), email=f"ander{n}@example.nl")
    assert make_browser().queries_for(path) == few
