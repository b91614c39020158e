"""The audit log: one model, one helper. Entries are never changed or removed."""

import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from krsd.database import UTCDateTime, utcnow
from krsd.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: when it happened, UTC
    at: Mapped[Any] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: who did it; empty for anonymous visitors and scheduled jobs
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: the actor's e-mail address at that moment (kept when the account changes)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    #: what happened, a dotted name such as ``auth.login`` or ``admin.roles_changed``
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: the kind of object it happened to, e.g. ``user``
    object_type: Mapped[str | None] = mapped_column(String(64))
    #: the object's id
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: the reason given by the actor, when the change asks for one
    reason: Mapped[str | None] = mapped_column(Text)
    #: further facts as JSON
    details: Mapped[str | None] = mapped_column(Text)
    #: the client's IP address
    ip: Mapped[str | None] = mapped_column(String(45))

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details) if self.details else {}


def record(
    action: str,
    obj: Any = None,
    *,
    reason: str | None = None,
    actor: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        object_type = object_type or getattr(obj, "audit_type", obj.__class__.__name__.lower())
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        reason=reason,
        details=json.dumps(details, default=str, ensure_ascii=False) if details else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _flush_context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")
