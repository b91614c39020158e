"""A certificate's standing: the registerbureau suspends, lifts a suspension or revokes.

Each change locks the certificate's row first, so that two changes (a double submit, two
staff members at once) go one after the other and the second sees what the first did.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.auth.models import User
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.cycle import expired
from krsd.certification.models import Certificate, Registration
from krsd.certification.public import refresh_person
from krsd.certification.register_rules import parse_register_query
from krsd.certification.rules import (
    SUSPENSION_ENDS_IN_THE_PAST,
    StandingAction,
    standing_problem,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail
from krsd.urls import external_url

#: the most certificates a search shows
SEARCH_LIMIT = 50


class StandingError(Exception):
    """Refused; the message is Dutch and meant for staff. ``field`` names the form field."""

    def __init__(self, message: str, field: str = "reason"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CertificateSearch:
    certificates: list[Certificate]
    #: more matched than are shown
    truncated: bool


def lock_certificate(certificate_id: int) -> Certificate | None:
    """Load a certificate for a change, its row locked until the commit and its data fresh.

    ``SELECT … FOR NO KEY UPDATE`` on PostgreSQL (the lock an UPDATE takes; rows that refer
    to the certificate can still be inserted); SQLite lets one writer in at a time.
    """
    return db.session.execute(
        select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(selectinload(Certificate.renewals))
        .with_for_update(of=Certificate, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _locked(certificate_id: int) -> Certificate:
    certificate = lock_certificate(certificate_id)
    if certificate is None:
        raise StandingError("Dit certificaat bestaat niet.")
    return certificate


def search_certificates(query: str) -> CertificateSearch:
    """Certificates by registration number (whole) or by a part of the holder's name.

    Two statements whatever the number of results: the certificates, and their renewals
    (which the status needs).
    """
    query = (query or "").strip()
    if not query:
        return CertificateSearch([], False)
    asked = parse_register_query(query)
    conditions = [Certificate.holder_name.icontains(query, autoescape=True)]
    if asked.numbers:
        conditions.append(
            Certificate.holder_id.in_(
                select(Registration.user_id).where(Registration.sequence.in_(asked.numbers))
            )
        )
    found = list(
        db.session.scalars(
            select(Certificate)
            .where(or_(*conditions))
            .options(selectinload(Certificate.renewals))
            .order_by(Certificate.holder_name, Certificate.valid_from.desc(), Certificate.id)
            .limit(SEARCH_LIMIT + 1)
        )
    )
    return CertificateSearch(found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT)


def holder_certificates(holder_id: int) -> list[Certificate]:
    """All certificates of one holder, newest first (with their renewals, for the status)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.holder_id == holder_id)
            .options(selectinload(Certificate.renewals))
            .order_by(Certificate.valid_from.desc(), Certificate.id.desc())
        )
    )


def certificate_history(certificate_id: int) -> list[audit.AuditEntry]:
    """The certificate's audit entries, newest first."""
    return list(
        db.session.scalars(
            select(audit.AuditEntry)
            .where(
                audit.AuditEntry.object_type == Certificate.audit_type,
                audit.AuditEntry.object_id == str(certificate_id),
            )
            .order_by(audit.AuditEntry.at.desc(), audit.AuditEntry.id.desc())
            .limit(50)
        )
    )


def extension_requests_of(certificate_id: int) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.certificate_id == certificate_id)
            .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
        )
    )


def _check(certificate: Certificate, action: StandingAction, today: date, until=None) -> None:
    problem = standing_problem(
        action,
        suspended=certificate.suspended_on(today),
        revoked=certificate.revoked_at is not None,
        expired=expired(
            certificate.valid_until, today, renewal_pending=certificate.renewal_pending
        ),
        suspend_until=until,
        today=today,
    )
    if problem:
        raise StandingError(
            problem, "until" if problem == SUSPENSION_ENDS_IN_THE_PAST else "reason"
        )


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise StandingError("Geef een reden op; de houder krijgt die te lezen.")
    return reason


def _mail(certificate: Certificate, template: str, subject: str, **context) -> None:
    send_mail(
        certificate.holder.email,
        subject,
        template,
        certificate=certificate,
        user=certificate.holder,
        verify_link=external_url("certification.verify", code=certificate.verification_code),
        **context,
    )


def suspend(
    certificate_id: int, admin: User, reason: str, until: date | None, today: date
) -> Certificate:
    """Suspend a running certificate, until lifted or up to and including ``until``."""
    reason = _reason(reason)
    certificate = _locked(certificate_id)
    _check(certificate, StandingAction.SUSPEND, today, until)
    certificate.suspended_at = utcnow()
    certificate.suspension_reason = reason
    certificate.suspended_until = until
    audit.record(
        "register.certificate_suspended",
        certificate,
        actor=admin,
        reason=reason,
        registration_number=certificate.registration_number,
        suspended_until=until.isoformat() if until else None,
    )
    _mail(certificate, "certificate_suspended", "Uw KRSD-certificaat is geschorst", until=until)
    db.session.commit()
    return certificate


def lift_suspension(certificate_id: int, admin: User, reason: str, today: date) -> Certificate:
    """End a suspension before its end date: the certificate is valid again (if in time)."""
    reason = _reason(reason)
    certificate = _locked(certificate_id)
    _check(certificate, StandingAction.LIFT, today)
    suspended_at, suspended_until = certificate.suspended_at, certificate.suspended_until
    previous_reason = certificate.suspension_reason
    certificate.suspended_at = None
    certificate.suspension_reason = None
    certificate.suspended_until = None
    audit.record(
        "register.certificate_suspension_lifted",
        certificate,
        actor=admin,
        reason=reason,
        registration_number=certificate.registration_number,
        suspended_at=suspended_at.isoformat(),
        suspended_until=suspended_until.isoformat() if suspended_until else None,
        suspension_reason=previous_reason,
    )
    _mail(
        certificate,
        "certificate_suspension_lifted",
        "De schorsing van uw KRSD-certificaat is opgeheven",
        reason=reason,
    )
    db.session.commit()
    return certificate


def revoke(certificate_id: int, admin: User, reason: str, today: date) -> Certificate:
    """Revoke a certificate for good; its code keeps answering, with "ingetrokken"."""
    reason = _reason(reason)
    certificate = _locked(certificate_id)
    _check(certificate, StandingAction.REVOKE, today)
    certificate.revoked_at = utcnow()
    certificate.revocation_reason = reason
    audit.record(
        "register.certificate_revoked",
        certificate,
        actor=admin,
        reason=reason,
        registration_number=certificate.registration_number,
    )
    db.session.flush()
    # The register's search terms come from the unrevoked certificates' names.
    refresh_person(certificate.holder)
    _mail(certificate, "certificate_revoked", "Uw KRSD-certificaat is ingetrokken")
    db.session.commit()
    return certificate
