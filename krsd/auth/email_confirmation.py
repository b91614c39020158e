"""A self-registered account works only after its owner followed the link mailed to it.

The link is signed with the app's secret key, names the account (id, moment of creation,
a digest of the address) and says until when it works; it needs no table. It confirms
once: the conditional UPDATE of ``email_confirmed_at`` lets one request through, and a
link for a confirmed account says so. Accounts made by the registerbureau, the CLI,
imports and the demo are confirmed when they are created (``services.create_user``).
"""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth.models import User
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail
from krsd.urls import external_url

_SALT = "krsd-email-confirmation"


class ConfirmationLinkError(Exception):
    """The link cannot confirm anything; the message is Dutch and meant for the user."""


class LinkInvalid(ConfirmationLinkError):
    pass


class LinkExpired(ConfirmationLinkError):
    pass


def link_hours() -> int:
    return int(current_app.config["EMAIL_CONFIRMATION_HOURS"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _address_digest(email: str) -> str:
    # The address itself stays out of the link: links end up in proxy and browser logs.
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _claims(user: User) -> list:
    return [user.id, int(user.created_at.timestamp()), _address_digest(user.email)]


def make_token(user: User) -> str:
    expires = utcnow() + timedelta(hours=link_hours())
    return _serializer().dumps([*_claims(user), int(expires.timestamp())])


def send_link(user: User) -> None:
    """Queue the mail with a fresh link (the caller commits)."""
    send_mail(
        user.email,
        "Bevestig uw e-mailadres voor het KRSD",
        "email_confirmation",
        user=user,
        link=external_url("auth.confirm_email", token=make_token(user)),
        hours=link_hours(),
        days=current_app.config["UNCONFIRMED_ACCOUNT_DAYS"],
        reset_link=external_url("auth.forgot_password"),
    )


def account_for_link(token: str) -> User:
    """The account the link is for, confirmed or not; raises when it cannot be used."""
    invalid = LinkInvalid(
        "Deze bevestigingslink is ongeldig of het account bestaat niet meer. Controleer of u "
        "de hele link uit de e-mail heeft gebruikt, of vraag hieronder een nieuwe link aan."
    )
    try:
        claims = _serializer().loads(token)
        user_id, created, digest, expires = claims
    except (BadSignature, TypeError, ValueError) as exc:
        raise invalid from exc
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    # The id alone is not enough: a removed account's id may return with a new account.
    if user is None or _claims(user) != [user_id, created, digest]:
        raise invalid
    if user.email_confirmed_at is None and expires < utcnow().timestamp():
        raise LinkExpired(
            f"Deze bevestigingslink is verlopen: een link is {link_hours()} uur geldig. "
            "Vraag hieronder een nieuwe link aan."
        )
    return user


def confirm(token: str) -> tuple[User, bool]:
    """Confirm the address behind the link; (user, False) when it was confirmed already."""
    user = account_for_link(token)
    confirmed = mark_confirmed(user, via="link")
    db.session.commit()
    return user, confirmed


def mark_confirmed(user: User, *, via: str) -> bool:
    """Confirm the address once (the caller commits); False when it already was.

    A password reset also confirms: its link reached the same mailbox.
    """
    now = utcnow()
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email_confirmed_at.is_(None))
        .values(email_confirmed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    user.email_confirmed_at = now
    audit.record("auth.email_confirmed", user, actor=user, via=via)
    return True


def resend_link(email: str) -> None:
    """A new link when the address waits for confirmation; the same answer either way."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or user.email_confirmed_at is not None:
        audit.record("auth.confirmation_requested_other", object_type="login", object_id=email[:64])
    else:
        send_link(user)
        audit.record("auth.confirmation_resent", user, actor=user)
    db.session.commit()


def remove_unconfirmed() -> int:
    """The daily job: remove self-registered accounts never confirmed; returns how many.

    Frees the address for its real owner. The DELETE's RETURNING names what this run
    removed, so nodes running the job at once remove and audit each account once. An
    account something else refers to (the registerbureau acted on it) is left alone.
    """
    days = int(current_app.config["UNCONFIRMED_ACCOUNT_DAYS"])
    cutoff = utcnow() - timedelta(days=days)
    candidates = db.session.scalars(
        select(User.id)
        .where(User.email_confirmed_at.is_(None), User.created_at < cutoff)
        .order_by(User.id)
    ).all()
    removed = 0
    for user_id in candidates:
        try:
            with db.session.begin_nested():
                row = db.session.execute(
                    delete(User)
                    .where(User.id == user_id, User.email_confirmed_at.is_(None))
                    .returning(User.email)
                    .execution_options(synchronize_session=False)
                ).first()
        except IntegrityError:
            continue
        if row is None:
            continue
        audit.record(
            "auth.unconfirmed_account_removed",
            object_type="user",
            object_id=user_id,
            reason=f"E-mailadres niet binnen {days} dagen bevestigd.",
            email=row.email,
        )
        removed += 1
    db.session.commit()
    return removed
