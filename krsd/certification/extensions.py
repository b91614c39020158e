"""Uitstel (extension): a holder asks, the registerbureau grants a new end date or refuses.

Granted, the certificate is valid until the new date and hours up to it count (the
portfolio's window is the certificate's validity); ``original_valid_until`` keeps the end
before the extension, so that the renewed certificate keeps the three-year rhythm
(:func:`krsd.certification.cycle.renewal_validity`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from krsd import audit, storage
from krsd.auth.models import User
from krsd.certification import progress
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.cycle import (
    add_months,
    extension_grant_problem,
    extension_request_problem,
    renewal_opens,
)
from krsd.certification.models import Certificate
from krsd.certification.rules import (
    EXTENSION_DECISIONS,
    CertificateStatus,
    ExtensionReason,
    ExtensionState,
)
from krsd.certification.standing import lock_certificate
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import send_mail
from krsd.urls import external_url

PENDING_MESSAGE = "Er is al een verzoek om uitstel voor dit certificaat in behandeling."
DECIDED_MESSAGE = "Over dit verzoek is al besloten."


class ExtensionError(Exception):
    """Refused; the message is Dutch and meant for the user. ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ExtensionInput:
    reason: ExtensionReason
    explanation: str


@dataclass(frozen=True)
class HolderView:
    """What the holder's uitstel page shows."""

    #: the certificate an extension would be for (the one running today), if any
    certificate: Certificate | None
    #: why no request can be made today (Dutch), or None when one can
    problem: str | None
    #: the renewal window's first day for that certificate
    opens_on: date | None
    #: the latest end date the registerbureau can grant
    latest_end: date | None
    pending: ExtensionRequest | None
    requests: list[ExtensionRequest]


def running_certificate(holder_id: int, today: date) -> Certificate | None:
    """The holder's certificate that runs today (started, not past its end, not revoked)."""
    return db.session.scalar(
        select(Certificate)
        .where(
            Certificate.holder_id == holder_id,
            Certificate.valid_from <= today,
            Certificate.current_on(today),
        )
        .options(selectinload(Certificate.renewals))
        .order_by(Certificate.valid_until.desc(), Certificate.id.desc())
        .limit(1)
    )


def _request_problem(certificate: Certificate | None, today: date) -> str | None:
    if certificate is None:
        return "U heeft geen lopend certificaat; uitstel is er voor herregistratie."
    terms = progress.cycle_terms(progress.regulation_on(today))
    return extension_request_problem(
        certificate.valid_until,
        today,
        terms,
        valid=certificate.status_on(today) == CertificateStatus.VALID,
        renewal_pending=certificate.renewal_pending,
        show_date=nl_date,
    )


def latest_end(certificate: Certificate, today: date) -> date:
    """The latest end date an extension can reach: the regulation's maximum after the
    original end (the end before any extension)."""
    terms = progress.cycle_terms(progress.regulation_on(today))
    return add_months(
        certificate.original_valid_until or certificate.valid_until, terms.max_extension_months
    )


def _pending_for(certificate_id: int) -> ExtensionRequest | None:
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.certificate_id == certificate_id,
            ExtensionRequest.state == ExtensionState.PENDING,
        )
    )


def requests_of_holder(holder_id: int) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .join(Certificate, ExtensionRequest.certificate_id == Certificate.id)
            .where(Certificate.holder_id == holder_id)
            .options(selectinload(ExtensionRequest.certificate))
            .order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())
        )
    )


def holder_view(holder_id: int, today: date) -> HolderView:
    certificate = running_certificate(holder_id, today)
    requests = requests_of_holder(holder_id)
    pending = next((r for r in requests if r.state == ExtensionState.PENDING), None)
    problem = _request_problem(certificate, today)
    if pending is not None and problem is None:
        problem = PENDING_MESSAGE
    if certificate is None:
        return HolderView(None, problem, None, None, pending, requests)
    terms = progress.cycle_terms(progress.regulation_on(today))
    return HolderView(
        certificate,
        problem,
        renewal_opens(certificate.valid_until, terms),
        latest_end(certificate, today),
        pending,
        requests,
    )


@contextmanager
def _files_removed_on_error(written: list[str]) -> Iterator[None]:
    """One transaction with its file: when anything fails, no file written stays behind."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        storage.remove(written)
        raise


def request_extension(
    holder: User,
    data: ExtensionInput,
    evidence: storage.StagedFile | None,
    today: date,
) -> ExtensionRequest:
    """The holder asks for uitstel of their running certificate, with optional evidence.

    ``evidence`` is staged before this call (no lock held while a file is read); it is
    placed here and removed again when the request fails.
    """
    explanation = (data.explanation or "").strip()
    if not explanation:
        raise ExtensionError("Licht toe waarom u de uren niet op tijd kunt halen.", "explanation")
    certificate = running_certificate(holder.id, today)
    if certificate is not None:
        certificate = lock_certificate(certificate.id)
    problem = _request_problem(certificate, today)
    if problem:
        raise ExtensionError(problem)
    if _pending_for(certificate.id) is not None:
        raise ExtensionError(PENDING_MESSAGE)
    written: list[str] = []
    with _files_removed_on_error(written):
        request = ExtensionRequest(
            certificate_id=certificate.id, reason=data.reason, explanation=explanation
        )
        if evidence is not None:
            stored_name = storage.place(evidence)
            written.append(stored_name)
            request.evidence_stored_name = stored_name
            request.evidence_label = evidence.label
            request.evidence_kind = evidence.kind
            request.evidence_size = evidence.size
            request.evidence_sha256 = evidence.sha256
        db.session.add(request)
        try:
            db.session.flush()  # the partial unique index: one open request per certificate
        except IntegrityError as exc:
            raise ExtensionError(PENDING_MESSAGE) from exc
        audit.record(
            "register.extension_requested",
            request,
            actor=holder,
            reason=explanation,
            certificate_id=certificate.id,
            registration_number=certificate.registration_number,
            extension_reason=data.reason.value,
            valid_until=certificate.valid_until.isoformat(),
            evidence=request.evidence_label,
        )
        send_mail(
            holder.email,
            "Uw verzoek om uitstel is ontvangen",
            "extension_requested",
            extension=request,
            certificate=certificate,
            user=holder,
            link=external_url("certification.extension"),
        )
        db.session.commit()
    return request


def pending_requests() -> list[ExtensionRequest]:
    """Every request waiting for the registerbureau, oldest first (two statements)."""
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.state == ExtensionState.PENDING)
            .options(selectinload(ExtensionRequest.certificate))
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
        )
    )


def recently_decided(limit: int = 20) -> list[ExtensionRequest]:
    return list(
        db.session.scalars(
            select(ExtensionRequest)
            .where(ExtensionRequest.state != ExtensionState.PENDING)
            .options(
                selectinload(ExtensionRequest.certificate),
                selectinload(ExtensionRequest.decided_by),
            )
            .order_by(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc())
            .limit(limit)
        )
    )


def decide_extension(
    request_id: int,
    admin: User,
    grant: bool,
    new_end: date | None,
    motivation: str,
    today: date,
) -> ExtensionRequest:
    """Grant (the certificate runs until ``new_end``) or refuse, always with a motivation."""
    motivation = (motivation or "").strip()
    if not motivation:
        raise ExtensionError(
            "Geef een motivering op; de aanvrager krijgt die te lezen.", "motivation"
        )
    request = db.session.get(ExtensionRequest, request_id)
    if request is None:
        raise ExtensionError("Dit verzoek bestaat niet.")
    # Every change of the certificate takes its row lock first: a double submit, or a
    # suspension at the same moment, waits and then sees what the first one did.
    certificate = lock_certificate(request.certificate_id)
    db.session.refresh(request)
    if request.state != ExtensionState.PENDING:
        raise ExtensionError(DECIDED_MESSAGE)
    if grant:
        if new_end is None:
            raise ExtensionError("Vul de nieuwe einddatum in.", "new_end")
        if certificate.revoked_at is not None:
            raise ExtensionError("Dit certificaat is ingetrokken; uitstel kan niet meer.")
        terms = progress.cycle_terms(progress.regulation_on(today))
        original = certificate.original_valid_until or certificate.valid_until
        problem = extension_grant_problem(
            certificate.valid_until, original, new_end, today, terms, nl_date
        )
        if problem:
            raise ExtensionError(problem, "new_end")
        request.previous_valid_until = certificate.valid_until
        request.granted_until = new_end
        certificate.original_valid_until = original
        certificate.valid_until = new_end
    request.state = EXTENSION_DECISIONS[grant]
    request.decided_by_id = admin.id
    request.decided_at = utcnow()
    request.motivation = motivation
    audit.record(
        f"register.extension_{request.state.value}",
        request,
        actor=admin,
        reason=motivation,
        certificate_id=certificate.id,
        registration_number=certificate.registration_number,
        previous_valid_until=request.previous_valid_until,
        granted_until=request.granted_until,
    )
    if grant:
        audit.record(
            "register.certificate_extended",
            certificate,
            actor=admin,
            reason=motivation,
            extension_request_id=request.id,
            previous_valid_until=request.previous_valid_until.isoformat(),
            valid_until=new_end.isoformat(),
            original_valid_until=certificate.original_valid_until.isoformat(),
        )
    send_mail(
        certificate.holder.email,
        "Uw verzoek om uitstel is " + ("toegekend" if grant else "geweigerd"),
        "extension_decision",
        extension=request,
        certificate=certificate,
        user=certificate.holder,
        granted=grant,
        link=external_url("certification.extension"),
    )
    db.session.commit()
    return request
