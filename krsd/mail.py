"""Outgoing mail: every message is kept in the outbox; SMTP delivers it when configured."""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

import jinja2
from flask import current_app, render_template
from sqlalchemy import String, Text, event, insert, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from krsd.database import UTCDateTime, utcnow
from krsd.extensions import db

log = logging.getLogger(__name__)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: set when an SMTP server accepted it; empty while it waits in the outbox
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last delivery error, if any
    error: Mapped[str | None] = mapped_column(Text)
    #: a node is handing it to the SMTP server until then; others leave it alone (a node
    #: that dies meanwhile lets the claim run out, and the message is tried again)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: how long a node may take to hand one message over before another may try
CLAIM = timedelta(minutes=10)


def send_mail(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Queue a message in the current transaction; it is delivered after the commit."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    if current_app.config.get("MAIL_SERVER"):
        db.session.info.setdefault("krsd_mail", []).append((message, recipient, subject, body))
    return message


def send_many(messages: list[tuple[str, str, str, dict]]) -> None:
    """Queue ``(recipient, subject, template, context)`` messages in the current transaction.

    Without an SMTP server they go into the outbox in one statement (the daily job queues
    thousands); with one, each is queued as by send_mail and delivered after the commit.
    """
    if current_app.config.get("MAIL_SERVER"):
        for recipient, subject, template, context in messages:
            send_mail(recipient, subject, template, **context)
        return
    now = utcnow()
    templates = {}
    rows = []
    for recipient, subject, name, context in messages:
        if name not in templates:
            templates[name] = _bulk_templates().get_template(f"mail/{name}.txt")
        body = templates[name].render(context)
        rows.append({"created_at": now, "recipient": recipient, "subject": subject, "body": body})
    if rows:
        db.session.connection().execute(insert(OutboxMessage.__table__), rows)


def _bulk_templates() -> jinja2.Environment:
    """The app's templates and filters without Flask's request globals and context
    processors, which mail bodies do not use: rendering thousands costs half as much."""
    env = current_app.extensions.get("krsd_bulk_mail_templates")
    if env is None:
        # Flask's escaping rule: by extension, so none for the .txt mail bodies.
        env = jinja2.Environment(
            loader=current_app.jinja_env.loader,
            autoescape=jinja2.select_autoescape(("html", "htm", "xml", "xhtml", "svg")),
        )
        env.filters.update(current_app.jinja_env.filters)
        current_app.extensions["krsd_bulk_mail_templates"] = env
    return env


def sender_domain() -> str:
    """The domain of the sender address (for Message-ID), else of the public address."""
    address = parseaddr(current_app.config["MAIL_SENDER"] or "")[1]
    domain = address.rpartition("@")[2].strip()
    return domain or urlsplit(current_app.config.get("PUBLIC_URL") or "").hostname or "krsd.nl"


def _claim(message_id: int) -> bool:
    """Take the message for this node, unless it was sent or another node is sending it.

    A conditional UPDATE in its own transaction: of the nodes and requests that try at the
    same moment, one gets it, so ``flask krsd send-mail`` may run on every node.
    """
    now = utcnow()
    with db.engine.begin() as conn:
        taken = conn.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=now + CLAIM)
        )
    return taken.rowcount == 1


def deliver(message_id: int, recipient: str, subject: str, body: str) -> bool | None:
    """Hand one message to the SMTP server and mark it sent. True on success, False on an
    error (it stays in the outbox), None when it was sent or taken by another node."""
    if not _claim(message_id):
        return None
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_SENDER"]
    email["To"] = recipient
    email["Subject"] = subject
    # Receiving servers mark mail without these two as spam.
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=sender_domain())
    email.set_content(body)
    error = None
    try:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail %s to %s not delivered: %s", message_id, recipient, exc)
        error = str(exc)[:1000]
    values = {"error": error} if error else {"sent_at": utcnow(), "error": None}
    values["claimed_until"] = None
    with db.engine.begin() as conn:
        conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
    return error is None


def deliver_pending() -> tuple[int, int]:
    """Try every unsent message again (``flask krsd send-mail``); returns (sent, failed)."""
    pending = db.session.execute(
        db.select(
            OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body
        )
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.rollback()  # hold no lock while talking to the SMTP server
    results = [deliver(*row) for row in pending]
    return results.count(True), results.count(False)


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    queued = session.info.pop("krsd_mail", [])
    for message, recipient, subject, body in queued:
        identity = db.inspect(message).identity  # known without a query after the flush
        if identity:
            deliver(identity[0], recipient, subject, body)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("krsd_mail", None)
