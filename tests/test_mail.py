import re
import smtplib
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select

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


def test_every_delivered_message_carries_date_and_message_id(
    app, browser, make_user, smtp, monkeypatch
):
    # Receiving servers mark mail without them as spam; the domain is the sender's.
    monkeypatch.setitem(app.config, "MAIL_SENDER", "KRSD Registerbureau <noreply@register.krsd.nl>")
    make_user(email="prof@example.nl")
    browser.submit("/wachtwoord-vergeten", {"email": "prof@example.nl"})
    [message] = smtp.sent
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^@<>\s]+@register\.krsd\.nl>", message["Message-ID"])


def test_send_mail_on_every_node_at_once_sends_each_message_once(app, smtp, monkeypatch):
    """``flask krsd send-mail`` from cron on four nodes: each message goes out once."""
    import threading

    from krsd import mail
    from krsd.mail import send_many

    # Queued while the SMTP server was down: thirty messages wait in the outbox.
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    send_many(
        [(f"p{n}@example.nl", f"Bericht {n}", "privacy_erased", {"reason": "x"}) for n in range(30)]
    )
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.nl")
    # The worst interleaving, without sleeping: no node delivers anything until all four
    # have read the whole list of waiting messages.
    everyone_has_read = threading.Barrier(4, timeout=30)
    waited = threading.local()
    deliver = mail.deliver

    def deliver_after_everyone_read(*message):
        if not getattr(waited, "done", False):
            waited.done = True
            everyone_has_read.wait()
        return deliver(*message)

    monkeypatch.setattr(mail, "deliver", deliver_after_everyone_read)
    barrier = threading.Barrier(4)
    results = []

    def node():
        with app.app_context():
            barrier.wait()
            results.append(deliver_pending())
            db.session.remove()

    threads = [threading.Thread(target=node) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["To"] for m in smtp.sent) == sorted(f"p{n}@example.nl" for n in range(30))
    assert sum(sent for sent, _failed in results) == 30
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None))) == 0
