"""Requests a person or holder puts to the registerbureau: a change of the name on their
certificates, and uitstel (an extension) of a certificate."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.certification.models import Certificate
from krsd.certification.rules import ExtensionReason, ExtensionState, NameChangeState
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class NameChangeRequest(db.Model):
    """A certified person's request to change their name, decided by the registerbureau."""

    __tablename__ = "name_change_requests"
    audit_type = "name_change_request"
    __table_args__ = (
        # At most one pending request per person, also under simultaneous requests.
        Index(
            "uq_name_change_requests_pending_user_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the name on the account and the certificates when the request was made
    old_name: Mapped[str] = mapped_column(String(120))
    #: the name the person asks for
    requested_name: Mapped[str] = mapped_column(String(120))
    #: the person's explanation, e.g. a marriage or a corrected spelling
    explanation: Mapped[str] = mapped_column(Text)
    state: Mapped[NameChangeState] = mapped_column(
        str_enum(NameChangeState), default=NameChangeState.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the registerbureau's reason, required for approval and refusal; mailed to the person
    decision_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ExtensionRequest(db.Model):
    """A holder's request for uitstel (extension) of a certificate, decided by the
    registerbureau: granted (a new end date) or refused, always with a motivation."""

    __tablename__ = "extension_requests"
    audit_type = "extension_request"
    __table_args__ = (
        # At most one open request per certificate, also under simultaneous requests.
        Index(
            "uq_extension_requests_pending_certificate_id",
            "certificate_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    #: illness, leave or another reason beyond the holder's control
    reason: Mapped[ExtensionReason] = mapped_column(str_enum(ExtensionReason))
    #: the holder's explanation
    explanation: Mapped[str] = mapped_column(Text)
    state: Mapped[ExtensionState] = mapped_column(
        str_enum(ExtensionState), default=ExtensionState.PENDING
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: optional evidence (e.g. a doctor's statement): random name in the evidence folder
    evidence_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the uploaded file name, sanitised, shown as a label only
    evidence_label: Mapped[str | None] = mapped_column(String(160))
    #: the type decided from the content: pdf, png, jpeg, docx, odt
    evidence_kind: Mapped[str | None] = mapped_column(String(8))
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the registerbureau's motivation, required for granting and refusing; mailed
    motivation: Mapped[str | None] = mapped_column(Text)
    #: granted: the certificate's end before and after the extension
    previous_valid_until: Mapped[date | None] = mapped_column(Date)
    granted_until: Mapped[date | None] = mapped_column(Date)

    certificate: Mapped[Certificate] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
