import smtplib

import pytest
from sqlalchemy import select

from krsd.extensions import db
from krsd.mail import OutboxMessage, deliver_pending


class FakeSMTP:
    sent: list = []
    fail = False

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        if FakeSMTP.fail:
            raise smtplib.SMTPConnectError(421, "niet bereikbaar")
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent = []
    FakeSMTP.fail = False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.nl")
    return FakeSMTP


def test_with_smtp_configured_mail_is_delivered_after_the_commit(browser, make_user, smtp):
    make_user(email="prof@example.nl")
    browser.submit("/wachtwoord-vergeten", {"email": "prof@example.nl"})
    assert [m["To"] for m in smtp.sent] == ["prof@example.nl"]
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is not None and message.error is None


def test_a_failed_delivery_stays_in_the_outbox_and_is_retried(browser, make_user, smtp):
    make_user(email="prof@example.nl")
    smtp.fail = True
    browser.submit("/wachtwoord-vergeten", {"email": "prof@example.nl"})
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and "niet bereikbaar" in message.error

    smtp.fail = False
    assert deliver_pending() == (1, 0)
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage)).sent_at is not None
