"""Account use cases: each loads rows, applies the rules, writes the audit entry, commits once."""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from krsd import audit
from krsd.auth import email_confirmation
from krsd.auth.models import AuthSession, LoginAttempt, PasswordResetToken, User, UserRole
from krsd.auth.rules import (
    Function,
    Province,
    RoleName,
    ThrottleLimits,
    ThrottleState,
    login_is_throttled,
    needs_second_factor,
    throttle_message,
)
from krsd.auth.signals import profile_changed
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail
from krsd.urls import external_url

# Compared against when the e-mail address is unknown, so that timing gives nothing away.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A use case refused; the message is Dutch and meant for the user."""


class EmailTaken(AccountError):
    pass


class LoginThrottled(AccountError):
    pass


class InvalidCredentials(AccountError):
    pass


class InvalidResetToken(AccountError):
    pass


class LastAdmin(AccountError):
    pass


class EmailNotConfirmed(AccountError):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@dataclass(frozen=True)
class Registration:
    name: str
    email: str
    password: str
    function: Function
    employer: str
    public_listing_consent: bool
    #: where one works; optional
    province: Province | None = None


def create_user(
    data: Registration, roles: set[RoleName], actor: User | None = None, *, self_registered=False
) -> User:
    """Add a user with the given roles to the session (no commit). ``actor`` made the
    account: none for the CLI; a self-registration is by the user."""
    user = User(
        email=normalise_email(data.email),
        password_hash=hash_password(data.password),
        name=data.name.strip(),
        function=data.function,
        employer=data.employer.strip(),
        province=data.province,
        public_listing_consent=data.public_listing_consent,
        # Whoever makes an account for someone else vouches for the address; a stranger
        # registering themselves must prove it (krsd.auth.email_confirmation).
        email_confirmed_at=None if self_registered else utcnow(),
    )
    user.roles = [UserRole(role=r) for r in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "auth.account_created",
        user,
        actor=user if self_registered else actor,
        roles=sorted(r.value for r in roles),
    )
    return user


def register_professional(data: Registration) -> User:
    """Self-registration: a professional account that works once its address is confirmed.

    An address that has an account, confirmed or not, is refused: a second person cannot
    take over a registration waiting for confirmation (the owner of the mailbox can, with
    a password reset; an account never confirmed is removed by the daily job).
    """
    taken = EmailTaken(
        "Er bestaat al een account met dit e-mailadres. Log in of vraag een nieuw wachtwoord aan."
    )
    if email_exists(data.email):
        raise taken
    try:
        user = create_user(data, {RoleName.PROFESSIONAL}, self_registered=True)
        email_confirmation.send_link(user)
        db.session.commit()
    except IntegrityError as exc:  # the same address registered at the same moment
        db.session.rollback()
        raise taken from exc
    return user


def email_exists(email: str) -> bool:
    return (
        db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None
    )


def _throttle_state(email: str, ip: str) -> ThrottleState:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])

    def last_success(*where):
        return db.session.scalar(
            select(func.max(LoginAttempt.at)).where(LoginAttempt.succeeded.is_(True), *where)
        )

    def failures(after, *where) -> int:
        return db.session.scalar(
            select(func.count()).where(
                LoginAttempt.succeeded.is_(False), LoginAttempt.at > after, *where
            )
        )

    # A new password wipes the slate for the account: whoever forgot it can log in at once.
    reset_at = db.session.scalar(
        select(func.max(PasswordResetToken.used_at))
        .join(User, PasswordResetToken.user_id == User.id)
        .where(User.email == email)
    )
    by_account = LoginAttempt.email == email
    account_since = max(t for t in (since, last_success(by_account), reset_at) if t)
    # A success from elsewhere does not give an attacker here new tries.
    pair_since = max(
        t for t in (since, last_success(by_account, LoginAttempt.ip == ip), reset_at) if t
    )
    return ThrottleState(
        failures_for_account=failures(account_since, by_account),
        failures_for_address_and_account=failures(pair_since, by_account, LoginAttempt.ip == ip),
        failures_for_address=failures(since, LoginAttempt.ip == ip),
    )


def refuse_when_throttled(email: str, ip: str) -> None:
    """Raise LoginThrottled (audited and committed) when this login may not try again yet."""
    config = current_app.config
    limits = ThrottleLimits(config["LOGIN_MAX_FAILURES"], config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    throttle = login_is_throttled(_throttle_state(email, ip), limits)
    if throttle is None:
        return
    audit.record(
        "auth.login_throttled", object_type="login", object_id=email[:64], ceiling=throttle.value
    )
    db.session.commit()
    raise LoginThrottled(throttle_message(throttle, config["LOGIN_WINDOW_MINUTES"], limits))


def record_failed_login(
    email: str, ip: str, action: str = "auth.login_failed", user: User | None = None, **details
) -> None:
    """Count a failed attempt (a wrong password or code) and audit it; the caller commits."""
    db.session.add(LoginAttempt(email=email, ip=ip, succeeded=False))
    if user is None:
        audit.record(action, object_type="login", object_id=email[:64], **details)
    else:
        audit.record(action, user, actor=user, **details)


def finish_login(user: User, ip: str, user_agent: str, **details) -> str:
    """The last step of a login: count the success, open a session; the caller commits."""
    db.session.add(LoginAttempt(email=user.email, ip=ip, succeeded=True))
    token = _open_session(user, ip, user_agent)
    audit.record("auth.login", user, actor=user, **details)
    return token


def authenticate(email: str, password: str, ip: str, user_agent: str) -> tuple[User, str | None]:
    """Check a login; returns the user and a new session token, or raises.

    For reviewers and the registerbureau the token is None: no session is opened and no
    success counted until the second factor (krsd.auth.second_factor) is done as well.
    """
    email = normalise_email(email)
    refuse_when_throttled(email, ip)
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and valid and user.active):
        record_failed_login(email, ip)
        db.session.commit()
        raise InvalidCredentials("Deze combinatie van e-mailadres en wachtwoord is onbekend.")
    if user.email_confirmed_at is None:
        # Said only after the right password: it tells nothing the registrant did not know.
        audit.record("auth.login_unconfirmed", user, actor=user)
        db.session.commit()
        raise EmailNotConfirmed(
            "Bevestig eerst uw e-mailadres met de link in de e-mail die wij u stuurden toen "
            "u het account aanmaakte. Daarna kunt u inloggen."
        )
    if needs_second_factor(user.role_names):
        audit.record("auth.password_accepted", user, actor=user)
        db.session.commit()
        return user, None
    token = finish_login(user, ip, user_agent)
    db.session.commit()
    return user, token


def _open_session(user: User, ip: str | None, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(token_hash=_digest(token), user_id=user.id, ip=ip, user_agent=user_agent[:255])
    )
    user.session_token = token
    return token


@functools.cache  # built once, on first use (the mappers are complete by then)
def _session_user_statement():
    """Every page a logged-in person opens runs it; the roles come with the user."""
    return (
        select(AuthSession, User)
        .join(User, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == bindparam("token_hash"))
        .options(joinedload(User.roles))
    )


def load_session_user(token: str) -> User | None:
    """The user behind a session token, or None when it was ended or is too old."""
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    found = db.session.execute(_session_user_statement(), {"token_hash": _digest(token)})
    row = found.unique().first()
    if row is None:
        return None
    auth_session, user = row
    if not user.active or auth_session.created_at < utcnow() - max_age:
        return None
    user.session_token = token
    return user


def logout(user: User) -> None:
    """End this session on the server."""
    if user.session_token:
        db.session.execute(
            delete(AuthSession).where(AuthSession.token_hash == _digest(user.session_token))
        )
    audit.record("auth.logout", user, actor=user)
    db.session.commit()


def _end_all_sessions(user: User) -> None:
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


def change_password(user: User, current: str, new: str, ip: str | None, user_agent: str) -> str:
    """Change the password and end every other session; returns the new session token."""
    if not check_password_hash(user.password_hash, current):
        raise InvalidCredentials("Uw huidige wachtwoord klopt niet.")
    user.password_hash = hash_password(new)
    _end_all_sessions(user)
    token = _open_session(user, ip, user_agent)
    audit.record("auth.password_changed", user, actor=user)
    db.session.commit()
    return token


def request_password_reset(email: str, ip: str | None) -> None:
    """Mail a reset link when the address is known; say nothing either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        audit.record("auth.reset_requested_unknown", object_type="login", object_id=email[:64])
        db.session.commit()
        return
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(
        PasswordResetToken(
            token_hash=_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(minutes=minutes),
            requested_ip=ip,
        )
    )
    send_mail(
        user.email,
        "Nieuw wachtwoord voor uw KRSD-account",
        "password_reset",
        user=user,
        link=external_url("auth.reset_password", token=token),
        minutes=minutes,
    )
    audit.record("auth.reset_requested", user, actor=user)
    db.session.commit()


def _valid_reset_token(token: str) -> PasswordResetToken:
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        raise InvalidResetToken(
            "Deze link is verlopen of al gebruikt. Vraag hieronder een nieuwe link aan."
        )
    return row


def check_reset_token(token: str) -> None:
    _valid_reset_token(token)


def reset_password(token: str, new: str) -> None:
    """Set a new password with a reset token; the token and all sessions end."""
    row = _valid_reset_token(token)
    now = utcnow()
    row.used_at = now
    user = row.user
    user.password_hash = hash_password(new)
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    _end_all_sessions(user)
    audit.record("auth.password_reset", user, actor=user)
    email_confirmation.mark_confirmed(user, via="password_reset")
    db.session.commit()


@dataclass(frozen=True)
class Profile:
    name: str
    function: Function
    employer: str
    public_listing_consent: bool
    #: where one works; optional
    province: Province | None = None


def update_profile(user: User, profile: Profile) -> list[str]:
    """Change one's own details (the caller commits); returns the fields that changed.

    Sends ``profile_changed`` so that higher packages (the register) follow in the same
    transaction.
    """
    changed = {}
    for field in ("name", "function", "employer", "province", "public_listing_consent"):
        new = getattr(profile, field)
        new = new.strip() if isinstance(new, str) else new
        if getattr(user, field) != new:
            changed[field] = new
            setattr(user, field, new)
    if not changed:
        return []
    profile_changed.send(user, changed=changed)
    audit.record(
        "auth.profile_changed",
        user,
        actor=user,
        **{k: "" if v is None else str(v) for k, v in changed.items()},
    )
    return sorted(changed)
