"""Account use cases: each loads rows, applies the rules, writes the audit entry, commits once."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from krsd import audit
from krsd.auth.models import AuthSession, LoginAttempt, PasswordResetToken, User, UserRole
from krsd.auth.rules import Function, RoleName, ThrottleState, login_is_throttled
from krsd.certification.public import refresh_person
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail

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


def create_user(
    data: Registration, roles: set[RoleName], actor: User | None = None, *, self_registered=False
) -> User:
    """Add a user with the given roles to the session (no commit).

    ``actor`` is who made the account; empty for the CLI. Self-registration is by the user.
    """
    user = User(
        email=normalise_email(data.email),
        password_hash=hash_password(data.password),
        name=data.name.strip(),
        function=data.function,
        employer=data.employer.strip(),
        public_listing_consent=data.public_listing_consent,
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


def register_professional(data: Registration, ip: str | None, user_agent: str) -> User:
    """Self-registration: a professional account, logged in at once."""
    taken = EmailTaken(
        "Er bestaat al een account met dit e-mailadres. Log in of vraag een nieuw wachtwoord aan."
    )
    if email_exists(data.email):
        raise taken
    try:
        user = create_user(data, {RoleName.PROFESSIONAL}, self_registered=True)
        _open_session(user, ip, user_agent)
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
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    failed = LoginAttempt.succeeded.is_(False)
    by_account = db.session.scalar(
        select(func.count()).where(
            failed, LoginAttempt.email == email, LoginAttempt.at > account_since
        )
    )
    by_ip = db.session.scalar(
        select(func.count()).where(failed, LoginAttempt.ip == ip, LoginAttempt.at > since)
    )
    return ThrottleState(by_account or 0, by_ip or 0)


def authenticate(email: str, password: str, ip: str, user_agent: str) -> tuple[User, str]:
    """Check a login; returns the user and a new session token, or raises."""
    email = normalise_email(email)
    state = _throttle_state(email, ip)
    if login_is_throttled(state, current_app.config["LOGIN_MAX_FAILURES"]):
        audit.record("auth.login_throttled", object_type="login", object_id=email)
        db.session.commit()
        minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
        raise LoginThrottled(
            f"Te veel mislukte inlogpogingen. Probeer het over {minutes} minuten opnieuw, "
            "of vraag een nieuw wachtwoord aan."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and valid and user.active):
        db.session.add(LoginAttempt(email=email, ip=ip, succeeded=False))
        audit.record("auth.login_failed", object_type="login", object_id=email)
        db.session.commit()
        raise InvalidCredentials("Deze combinatie van e-mailadres en wachtwoord is onbekend.")
    db.session.add(LoginAttempt(email=email, ip=ip, succeeded=True))
    token = _open_session(user, ip, user_agent)
    audit.record("auth.login", user, actor=user)
    db.session.commit()
    return user, token


def _open_session(user: User, ip: str | None, user_agent: str) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(token_hash=_digest(token), user_id=user.id, ip=ip, user_agent=user_agent[:255])
    )
    user.session_token = token
    return token


def load_session_user(token: str) -> User | None:
    """The user behind a session token, or None when it was ended or is too old."""
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    row = db.session.execute(
        select(AuthSession, User)
        .join(User, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == _digest(token))
    ).first()
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
        link=url_for("auth.reset_password", token=token, _external=True),
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
    db.session.commit()


@dataclass(frozen=True)
class Profile:
    name: str
    function: Function
    employer: str
    public_listing_consent: bool


def update_profile(user: User, profile: Profile) -> list[str]:
    """Change one's own details; returns the names of the fields that changed."""
    changed = {}
    for field in ("name", "function", "employer", "public_listing_consent"):
        new = getattr(profile, field)
        new = new.strip() if isinstance(new, str) else new
        if getattr(user, field) != new:
            changed[field] = new
            setattr(user, field, new)
    if not changed:
        return []
    refresh_person(user)
    audit.record(
        "auth.profile_changed", user, actor=user, **{k: str(v) for k, v in changed.items()}
    )
    db.session.commit()
    return sorted(changed)
