"""A certified person's name: changed only by the registerbureau, on the person's request.

The name on a certificate is what the register vouches for. Under *Mijn gegevens* a
certified person's new name becomes a request; approved, the account and every current
certificate take the new name (reissued: same registration number, same verification
code); refused, nothing changes. Function and employer change at once and leave issued
certificates as they were.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.auth import services as auth_services
from krsd.auth.models import User
from krsd.certification.bureau_requests import NameChangeRequest
from krsd.certification.models import Certificate, Registration
from krsd.certification.public import index_person
from krsd.certification.rules import NAME_CHANGE_DECISIONS, NameChangeState
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_mail

PENDING_MESSAGE = (
    "U heeft al een verzoek om uw naam te wijzigen. Het registerbureau beoordeelt dat eerst."
)


class NameChangeError(Exception):
    """Refused; the message is Dutch and meant for the user. ``field`` names the form field."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DetailsChange:
    #: the fields that changed at once
    changed: list[str]
    #: the name-change request made, if the new name needs the registerbureau
    request: NameChangeRequest | None


def current_certificates(user_id: int, today: date) -> list[Certificate]:
    """The person's certificates that are neither expired nor revoked on ``today``."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.holder_id == user_id, Certificate.current_on(today))
            .order_by(Certificate.valid_from)
        )
    )


def current_certificates_by_holder(
    user_ids: list[int], today: date
) -> dict[int, list[Certificate]]:
    """The current certificates of several people in one query, by holder id."""
    found: dict[int, list[Certificate]] = {user_id: [] for user_id in user_ids}
    for certificate in db.session.scalars(
        select(Certificate)
        .where(Certificate.holder_id.in_(user_ids), Certificate.current_on(today))
        .order_by(Certificate.valid_from)
    ):
        found[certificate.holder_id].append(certificate)
    return found


def holds_current_certificate(user_id: int, today: date) -> bool:
    """Certified for a name change: a certificate that is not expired or revoked.

    Suspended and not yet started certificates count: they name their holder too.
    """
    return (
        db.session.scalar(
            select(Certificate.id)
            .where(Certificate.holder_id == user_id, Certificate.current_on(today))
            .limit(1)
        )
        is not None
    )


def pending_request(user_id: int) -> NameChangeRequest | None:
    return db.session.scalar(
        select(NameChangeRequest).where(
            NameChangeRequest.user_id == user_id,
            NameChangeRequest.state == NameChangeState.PENDING,
        )
    )


def pending_requests() -> list[NameChangeRequest]:
    """Every request waiting for the registerbureau, oldest first."""
    return list(
        db.session.scalars(
            select(NameChangeRequest)
            .where(NameChangeRequest.state == NameChangeState.PENDING)
            .options(selectinload(NameChangeRequest.user))
            .order_by(NameChangeRequest.requested_at, NameChangeRequest.id)
        )
    )


def _request_name_change(user: User, new_name: str, explanation: str) -> NameChangeRequest:
    if not explanation:
        raise NameChangeError(
            "Uw naam staat op uw certificaat. Licht toe waarom uw naam verandert, "
            "dan beoordeelt het registerbureau uw verzoek.",
            field="name_change_explanation",
        )
    request = NameChangeRequest(
        user_id=user.id, old_name=user.name, requested_name=new_name, explanation=explanation
    )
    db.session.add(request)
    try:
        db.session.flush()  # the partial unique index: one pending request per person
    except IntegrityError as exc:
        db.session.rollback()
        raise NameChangeError(PENDING_MESSAGE) from exc
    audit.record(
        "register.name_change_requested",
        request,
        actor=user,
        old_name=user.name,
        requested_name=new_name,
    )
    return request


def update_details(
    user: User, profile: auth_services.Profile, explanation: str | None, today: date
) -> DetailsChange:
    """*Mijn gegevens*: details change at once; a certified person's name becomes a request."""
    new_name = profile.name.strip()
    request = None
    if new_name != user.name:
        if pending_request(user.id) is not None:
            raise NameChangeError(PENDING_MESSAGE)
        if holds_current_certificate(user.id, today):
            request = _request_name_change(user, new_name, (explanation or "").strip())
            profile = replace(profile, name=user.name)
    changed = auth_services.update_profile(user, profile)
    db.session.commit()
    return DetailsChange(changed, request)


def decide_name_change(
    request_id: int, admin: User, approve: bool, reason: str, today: date
) -> NameChangeRequest:
    """Approve (the name changes, current certificates are reissued) or refuse, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise NameChangeError("Geef een reden op; de aanvrager krijgt die te lezen.", "reason")
    state = NAME_CHANGE_DECISIONS[approve]
    now = utcnow()
    # A conditional UPDATE: of two simultaneous decisions exactly one wins.
    won = db.session.execute(
        update(NameChangeRequest)
        .where(
            NameChangeRequest.id == request_id,
            NameChangeRequest.state == NameChangeState.PENDING,
        )
        .values(state=state, decided_by_id=admin.id, decided_at=now, decision_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        db.session.rollback()
        raise NameChangeError("Over dit verzoek is al besloten.", "reason")
    request = db.session.get(NameChangeRequest, request_id, populate_existing=True)
    user = request.user
    reissued = []
    if approve:
        user.name = request.requested_name
        reissued = _reissue(user, admin, today, now)
    audit.record(
        f"register.name_change_{state.value}",
        request,
        actor=admin,
        reason=reason,
        old_name=request.old_name,
        requested_name=request.requested_name,
        reissued_certificates=[c.id for c in reissued],
    )
    send_mail(
        user.email,
        "Uw verzoek om naamswijziging is " + ("goedgekeurd" if approve else "geweigerd"),
        "name_change_decision",
        request=request,
        user=user,
        approved=approve,
        certificates=reissued,
    )
    db.session.commit()
    return request


def _reissue(user: User, admin: User, today: date, now: datetime) -> list[Certificate]:
    """Every current certificate takes the new name: same number, same code."""
    certificates = current_certificates(user.id, today)
    for certificate in certificates:
        certificate.holder_name = user.name
        certificate.reissued_at = now
        audit.record(
            "register.certificate_reissued",
            certificate,
            actor=admin,
            registration_number=certificate.registration_number,
            holder_name=user.name,
        )
    db.session.flush()
    registration = db.session.get(Registration, user.id)
    if registration is not None:
        index_person(user, registration)
    return certificates
