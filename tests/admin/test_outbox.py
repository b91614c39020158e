"""The outbox shows staff every message, but never a live secret link."""

import re

import pytest
from sqlalchemy import select
from werkzeug.routing import Map, Rule

from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.urls import redact_secret_links


@pytest.fixture
def admin_browser(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser = make_browser()
    browser.login("bureau@example.nl")
    return browser


def test_the_outbox_never_shows_a_reset_token(browser, admin_browser, make_user):
    make_user(email="prof@example.nl")
    browser.submit("/wachtwoord-vergeten", {"email": "prof@example.nl"})
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "prof@example.nl")
    )
    token = re.search(r"/wachtwoord-herstellen/(\S+)", message.body).group(1)

    listing = admin_browser.get("/beheer/uitgaande-mail")
    page = admin_browser.get(f"/beheer/uitgaande-mail/{message.id}")
    assert listing.status_code == page.status_code == 200
    html = page.get_data(as_text=True)
    assert token not in listing.get_data(as_text=True) and token not in html
    assert "/wachtwoord-herstellen/[verborgen]" in html
    # Delivery still sends the real link: only the display hides it.
    assert token in db.session.get(OutboxMessage, message.id).body


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (
            "Klik: http://localhost/wachtwoord-herstellen/Ab-c_9.x?y=1\nGroet",
            "Klik: http://localhost/wachtwoord-herstellen/[verborgen]?y=1\nGroet",
        ),
        (
            "https://register.krsd.example/app/wachtwoord-herstellen/abc.",
            "https://register.krsd.example/app/wachtwoord-herstellen/[verborgen].",
        ),
        ("Bekijk http://localhost/aanvragen/12", "Bekijk http://localhost/aanvragen/12"),
    ],
)
def test_secret_links_are_redacted_and_other_links_stay(app, body, shown):
    assert redact_secret_links(body) == shown


def test_every_route_with_a_token_is_covered():
    # A future e-mail confirmation link is hidden as soon as its route exists.
    url_map = Map([Rule("/e-mail-bevestigen/<token>", endpoint="confirm")])
    body = "Bevestig: http://localhost/e-mail-bevestigen/geheim123 vandaag"
    shown = redact_secret_links(body, url_map)
    assert shown == "Bevestig: http://localhost/e-mail-bevestigen/[verborgen] vandaag"
