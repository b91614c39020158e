import re
from datetime import timedelta

from sqlalchemy import func, select

from krsd.auth.models import PasswordResetToken
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import OutboxMessage

SAID = "Als dit e-mailadres bij ons bekend is"


def _request(browser, email):
    return browser.submit("/wachtwoord-vergeten", {"email": email}, follow_redirects=True)


def _link_from_outbox(recipient) -> str:
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id.desc())
    )
    return re.search(r"http://localhost(/wachtwoord-herstellen/\S+)", message.body).group(1)


def _new_password(browser, path, password="een nieuw wachtwoord"):
    return browser.submit(path, {"password": password, "confirm": password}, form_url="/inloggen")


def test_reset_never_reveals_whether_an_address_exists(browser, make_user):
    make_user(email="prof@example.nl")
    known = _request(browser, "prof@example.nl").get_data(as_text=True)
    unknown = _request(browser, "niemand@example.nl").get_data(as_text=True)
    assert SAID in known and SAID in unknown
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_link_sets_a_new_password_and_works_once(browser, make_browser, make_user):
    make_user(email="prof@example.nl")
    other_device = make_browser()
    other_device.login("prof@example.nl")
    _request(browser, "prof@example.nl")
    path = _link_from_outbox("prof@example.nl")

    assert _new_password(browser, path).status_code == 302
    assert make_browser().login("prof@example.nl", "een nieuw wachtwoord").status_code == 302
    assert other_device.get("/account/wachtwoord").status_code == 302  # sessions ended

    again = _new_password(browser, path, "nog een ander wachtwoord")
    assert again.headers["Location"] == "/wachtwoord-vergeten"
    assert make_browser().login("prof@example.nl", "nog een ander wachtwoord").status_code == 200


def test_an_expired_link_is_refused(browser, make_user):
    make_user(email="prof@example.nl")
    _request(browser, "prof@example.nl")
    path = _link_from_outbox("prof@example.nl")
    token = db.session.scalar(select(PasswordResetToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = _new_password(browser, path)
    assert response.headers["Location"] == "/wachtwoord-vergeten"
    follow = browser.get("/wachtwoord-vergeten").get_data(as_text=True)
    assert "verlopen of al gebruikt" in follow


def test_a_tampered_token_is_refused(browser):
    response = browser.get("/wachtwoord-herstellen/abc")
    assert response.status_code == 302


def test_only_the_hash_of_the_token_is_stored(browser, make_user):
    make_user(email="prof@example.nl")
    _request(browser, "prof@example.nl")
    raw = _link_from_outbox("prof@example.nl").rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordResetToken.token_hash))
    assert raw not in stored and len(stored) == 64
