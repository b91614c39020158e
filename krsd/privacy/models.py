"""Requests for erasure (AVG art. 17) and the erasures the retention duty carries out."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class ErasureState(enum.StrEnum):
    PENDING = "pending"
    CARRIED_OUT = "carried_out"
    REFUSED = "refused"


ERASURE_STATE_LABELS = {
    ErasureState.PENDING: "Wacht op het registerbureau",
    ErasureState.CARRIED_OUT: "Uitgevoerd",
    ErasureState.REFUSED: "Geweigerd",
}


class ErasureOrigin(enum.StrEnum):
    #: the person asked under *Mijn gegevens*
    REQUEST = "request"
    #: the daily job: no certificate and no activity for the retention period
    RETENTION = "retention"


class ErasureRequest(db.Model):
    """One request for erasure and what became of it; kept after the erasure as the record
    that (and why) the register removed a person's data."""

    __tablename__ = "erasure_requests"
    audit_type = "erasure_request"
    __table_args__ = (
        # At most one pending request per person, also under simultaneous requests.
        Index(
            "uq_erasure_requests_pending_user_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the account (after the erasure an anonymous row that keeps the register's record)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    origin: Mapped[ErasureOrigin] = mapped_column(str_enum(ErasureOrigin))
    state: Mapped[ErasureState] = mapped_column(str_enum(ErasureState))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the registerbureau's member who decided; empty for the daily job
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: why it was carried out or refused (required for a refusal); mailed to the person
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: evidence files removed from disk by the erasure
    files_removed: Mapped[int | None] = mapped_column()
    #: the registration number kept, for the registerbureau's overview after the erasure
    registration_number: Mapped[str | None] = mapped_column(String(16))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return ERASURE_STATE_LABELS[self.state]
