"""Second factor use cases: an authenticator app (TOTP) and one-time recovery codes.

Reviewers and the registerbureau give a code after their password; only then is a session
opened (``services.finish_login``). Each use case commits once. A wrong code counts as a
failed login, so codes are throttled exactly like passwords.
"""

import hashlib
import hmac
import secrets

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth import services
from krsd.auth.models import AuthSession, RecoveryCode, SecondFactor, User
from krsd.auth.rules import (
    RECOVERY_CODE_COUNT,
    TOTP_STEP_SECONDS,
    looks_like_totp,
    needs_second_factor,
    normalise_code,
    totp_steps_around,
    usable_totp_step,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail

#: the name an authenticator app shows above the codes
ISSUER = "KRSD"
#: no 0/o, 1/l/i: easy to read from paper
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

WRONG_CODE = (
    "Deze code klopt niet. Gebruik de zescijferige code die uw app nu toont, of een van uw "
    "herstelcodes."
)


class InvalidCode(services.AccountError):
    pass


class SecondFactorError(services.AccountError):
    pass


def _digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def is_enrolled(user: User) -> bool:
    return db.session.get(SecondFactor, user.id) is not None


def pending_user(user_id) -> User | None:
    """The person halfway through logging in, while they still need and may use a second factor."""
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not needs_second_factor(user.role_names):
        return None
    return user


def new_secret() -> str:
    """A fresh shared secret (160 bits, base32), kept server-side only once confirmed."""
    return pyotp.random_base32()


def qr_data_uri(user: User, secret: str) -> str:
    """The otpauth:// link as a QR code, an SVG ``data:`` URI (the CSP allows img-src data:)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_steps(secret: str, code: str) -> list[int]:
    if not looks_like_totp(code):
        return []
    totp = pyotp.TOTP(secret, interval=TOTP_STEP_SECONDS)
    return [
        step
        for step in totp_steps_around(utcnow().timestamp())
        if hmac.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code)
    ]


def _claim_step(user_id: int, step: int) -> bool:
    # Conditional: of two requests with the same code at the same moment, one wins.
    result = db.session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.user_id == user_id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _claim_recovery_code(user_id: int, code: str) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes; the plain codes are returned once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        select(func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _refuse(user: User, ip: str, message: str, **details) -> InvalidCode:
    services.record_failed_login(user.email, ip, "auth.second_factor_failed", user, **details)
    db.session.commit()
    return InvalidCode(message)


def confirm_enrolment(
    user: User, secret: str, code: str, ip: str, user_agent: str
) -> tuple[str, list[str]]:
    """Link the app after its first correct code and log in.

    Returns the session token and the ten recovery codes, to be shown once.
    """
    linked = SecondFactorError("Uw app is al gekoppeld. Log opnieuw in met een code uit de app.")
    services.refuse_when_throttled(user.email, ip)
    if is_enrolled(user):
        raise linked
    steps = _matching_steps(secret, normalise_code(code))
    if not steps:
        raise _refuse(
            user,
            ip,
            "Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat en gebruik "
            "de code die de app nu toont.",
            step="enrolment",
        )
    db.session.add(SecondFactor(user_id=user.id, totp_secret=secret, last_used_step=max(steps)))
    try:
        db.session.flush()
    except IntegrityError as exc:  # linked at the same moment from another tab
        db.session.rollback()
        raise linked from exc
    codes = _new_recovery_codes(user)
    audit.record("auth.second_factor_enrolled", user, actor=user)
    # The first login of someone who never linked an app needs only the password: tell the
    # owner, so that a stolen password that was used to link an app does not go unnoticed.
    send_mail(
        user.email,
        "Er is een authenticator-app gekoppeld aan uw KRSD-account",
        "second_factor_enrolled",
        user=user,
    )
    token = services.finish_login(user, ip, user_agent, second_factor="totp")
    db.session.commit()
    return token, codes


def verify_login(user: User, code: str, ip: str, user_agent: str) -> tuple[str, str]:
    """The second step of a login: a code from the app, or an unused recovery code.

    Returns the session token and how it was done (``totp`` or ``recovery_code``).
    """
    services.refuse_when_throttled(user.email, ip)
    factor = db.session.get(SecondFactor, user.id)
    if factor is None:
        raise SecondFactorError("Koppel eerst uw app.")
    code = normalise_code(code)
    if looks_like_totp(code):
        matching = _matching_steps(factor.totp_secret, code)
        step = usable_totp_step(matching, factor.last_used_step)
        if step is None or not _claim_step(user.id, step):
            if matching:
                raise _refuse(
                    user,
                    ip,
                    "Deze code is al gebruikt. Wacht tot uw app een nieuwe code toont.",
                    replayed=True,
                )
            raise _refuse(user, ip, WRONG_CODE)
        method = "totp"
    elif code and _claim_recovery_code(user.id, code):
        method = "recovery_code"
    else:
        raise _refuse(user, ip, WRONG_CODE)
    token = services.finish_login(user, ip, user_agent, second_factor=method)
    db.session.commit()
    return token, method


def regenerate_recovery_codes(user: User, code: str, ip: str) -> list[str]:
    """New recovery codes for a logged-in person who proves the app; the old ones stop working."""
    services.refuse_when_throttled(user.email, ip)
    factor = db.session.get(SecondFactor, user.id)
    if factor is None:
        raise SecondFactorError("U heeft nog geen app gekoppeld.")
    code = normalise_code(code)
    step = usable_totp_step(_matching_steps(factor.totp_secret, code), factor.last_used_step)
    if step is None or not _claim_step(user.id, step):
        raise _refuse(
            user,
            ip,
            "Deze code klopt niet of is al gebruikt. Gebruik de volgende code uit uw app.",
            step="recovery_codes",
        )
    codes = _new_recovery_codes(user)
    audit.record("auth.recovery_codes_regenerated", user, actor=user)
    db.session.commit()
    return codes


def reset_second_factor(user: User, reason: str, actor: User) -> None:
    """The registerbureau unlinks someone's app (lost phone): sessions end, they enrol again."""
    if user.id == actor.id:
        raise SecondFactorError(
            "U kunt uw eigen tweede factor niet herstellen; vraag dit aan een collega van het "
            "registerbureau. Nieuwe herstelcodes maakt u zelf aan onder Tweestapsverificatie."
        )
    factor = db.session.get(SecondFactor, user.id)
    codes = db.session.scalar(select(func.count()).where(RecoveryCode.user_id == user.id))
    if factor is None and not codes:
        raise SecondFactorError("Dit account heeft geen app gekoppeld; er is niets te herstellen.")
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record("admin.second_factor_reset", user, reason=reason, actor=actor)
    send_mail(
        user.email,
        "Uw tweestapsverificatie voor KRSD is opnieuw ingesteld",
        "second_factor_reset",
        user=user,
        reason=reason,
    )
    db.session.commit()


def add_known_secret(user: User, secret: str) -> None:
    """Link a given secret without a first code: only for the documented demo accounts."""
    db.session.add(SecondFactor(user_id=user.id, totp_secret=secret))
    audit.record("auth.second_factor_enrolled", user, demo=True)
