"""SQL building blocks of the daily job: candidate certificates in keyset batches, and the
notices that make every mail go out once (INSERT … ON CONFLICT DO NOTHING)."""

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from krsd.auth.models import User
from krsd.certification.models import Application, Certificate, CertificateNotice
from krsd.certification.rules import State
from krsd.database import utcnow
from krsd.extensions import db

#: certificates per transaction
BATCH = 1000
#: a renewal that ended without a new certificate (the old one expires that day)
CLOSED_RENEWAL_STATES = (State.REJECTED, State.WITHDRAWN)


def notice_sent(kind):
    """SQL: a notice of ``kind`` (a value or an SQL expression) exists for the certificate."""
    return (
        select(CertificateNotice.id)
        .where(CertificateNotice.certificate_id == Certificate.id, CertificateNotice.kind == kind)
        .exists()
    )


def succeeded():
    """SQL: the holder has a certificate that starts after this one ends (a renewal)."""
    later = aliased(Certificate)
    return (
        select(later.id)
        .where(later.holder_id == Certificate.holder_id, later.valid_from > Certificate.valid_until)
        .exists()
    )


def renewal_closed():
    """SQL: a renewal of this certificate was rejected or withdrawn."""
    return (
        select(Application.id)
        .where(
            Application.previous_certificate_id == Certificate.id,
            Application.state.in_(CLOSED_RENEWAL_STATES),
        )
        .exists()
    )


def candidates(*criteria, extra=()) -> Select:
    return (
        select(
            Certificate.id,
            Certificate.valid_from,
            Certificate.valid_until,
            Certificate.registration_number,
            User.email,
            User.name,
            *extra,
        )
        .join(User, User.id == Certificate.holder_id)
        .where(*criteria)
        .order_by(Certificate.id)
        .limit(BATCH)
    )


def batches(query_after):
    """Keyset pages of candidate rows: ``query_after(last_id)`` selects the next BATCH."""
    last_id = 0
    while rows := db.session.execute(query_after(last_id)).all():
        yield rows
        last_id = rows[-1].id


def record_notices(kinds: dict[int, str], today: date) -> set[int]:
    """Insert the notices; the certificate ids whose insert took (not sent before)."""
    if not kinds:
        return set()
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = CertificateNotice.__table__
    now = utcnow()
    # One compiled statement, executed for many rows (batched into multi-row INSERTs).
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["certificate_id", "kind"])
        .returning(table.c.certificate_id)
    )
    rows = [
        {"certificate_id": cid, "kind": kind, "day": today, "created_at": now}
        for cid, kind in kinds.items()
    ]
    return set(db.session.connection().execute(statement, rows).scalars())
