"""Accounts, roles, server-side sessions, login attempts, reset tokens and second factors."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.rules import FUNCTION_LABELS, PROVINCE_LABELS, Function, Province, RoleName
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"
    audit_type = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower-case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: scrypt hash (werkzeug), never the password itself
    password_hash: Mapped[str] = mapped_column(String(255))
    #: full name as printed on certificates
    name: Mapped[str] = mapped_column(String(120))
    #: the professional's function
    function: Mapped[Function] = mapped_column(str_enum(Function), default=Function.OTHER)
    #: the province one works in (None: not given)
    province: Mapped[Province | None] = mapped_column(str_enum(Province))
    #: employer, e.g. a gemeente or RMC-regio
    employer: Mapped[str] = mapped_column(String(160), default="")
    #: consent to be listed in the public register
    public_listing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: a deactivated account cannot log in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the owner followed the confirmation link; None: cannot log in yet.
    #: Only self-registration leaves it empty, every other way in confirms at creation.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Consent and standing beside the id: the public register checks them per match
    # without reading the account's row.
    __table_args__ = (Index("ix_users_listing", "id", "public_listing_consent", "active"),)

    #: the raw session token this object was loaded with (not a column)
    session_token = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: the server-side session, not the user id.
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_names(self) -> set[RoleName]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: RoleName) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def function_label(self) -> str:
        return FUNCTION_LABELS.get(self.function, "")

    @property
    def province_label(self) -> str:
        return PROVINCE_LABELS.get(self.province, "") if self.province else ""


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: one of the four roles; a person may hold several
    role: Mapped[RoleName] = mapped_column(str_enum(RoleName), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")


class AuthSession(db.Model):
    """A login. Logging out deletes it, so a copied cookie stops working."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the token kept in the signed cookie
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: browser and address at login, shown to the user
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login attempt, for throttling per account and per IP address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the e-mail address typed, lower-case (also for unknown addresses)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class PasswordResetToken(db.Model):
    """A single-use, expiring token sent by e-mail; only its hash is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


class SecondFactor(db.Model):
    """A confirmed authenticator app (TOTP, RFC 6238); at most one per person."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: the shared secret, base32, shown once as a QR code at enrolment
    totp_secret: Mapped[str] = mapped_column(String(64))
    #: when the person confirmed it with a first code
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the newest 30-second time step whose code was accepted; older and equal ones are refused
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code for when the authenticator is lost; only its hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the normalised code (the codes are random, about 50 bits)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when it was used to log in; a used code never works again
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
