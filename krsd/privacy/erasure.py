"""Erasure that keeps the register honest (AVG art. 17).

The account row stays as an anonymous anchor: registration number, certificate periods
and verification codes, applications and their decisions keep pointing at it, so the
register's legal record survives while the person's data go. The audit log is append-only
(a database trigger) and is kept whole as the legal record of what happened.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, or_, select, update

from krsd import audit
from krsd.auth.drafts import FormDraft
from krsd.auth.models import (
    AuthSession,
    LoginAttempt,
    PasswordResetToken,
    RecoveryCode,
    SecondFactor,
    User,
)
from krsd.auth.rules import Function, RoleName
from krsd.certification.bureau_requests import ExtensionRequest, NameChangeRequest
from krsd.certification.models import (
    Appeal,
    Application,
    ApplicationActivity,
    ApplicationEvent,
    Certificate,
    RegisterTerm,
    Registration,
)
from krsd.courses.enrolment import fill_free_seats, lock_edition
from krsd.courses.models import (
    CalendarFeed,
    CourseTrainer,
    Diploma,
    Edition,
    Enrolment,
    EnrolmentState,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import OutboxMessage, send_mail
from krsd.portfolio.models import Activity, Evidence
from krsd.privacy.models import ErasureOrigin, ErasureRequest, ErasureState

#: what an erased account is called wherever a name is still shown (e.g. the audit log)
ERASED_NAME = "Verwijderde persoon"
#: the placeholder address: the .invalid top-level domain never delivers, and the
#: password hash below matches no password, so the account can never log in again
ERASED_DOMAIN = "verwijderd.invalid"
UNUSABLE_PASSWORD = "!verwijderd"  # noqa: S105 (not a hash: matches nothing)
#: what remains of texts that described the person's work
REMOVED_TEXT = "(verwijderd)"


class ErasureError(Exception):
    """A request that cannot be made or carried out; the message is Dutch."""


@dataclass(frozen=True)
class Erased:
    request: ErasureRequest
    #: stored names of evidence files; the caller removes them after the commit
    stored_names: list[str]


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def pending_request(user_id: int) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user_id, ErasureRequest.state == ErasureState.PENDING
        )
    )


def has_open_application(user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Application.open_applicant_id == user_id))))


def request_erasure(user: User) -> ErasureRequest:
    """The person asks; the registerbureau decides (the caller commits)."""
    if pending_request(user.id) is not None:
        raise ErasureError("U heeft al een verzoek om verwijdering ingediend.")
    request = ErasureRequest(
        user_id=user.id, origin=ErasureOrigin.REQUEST, state=ErasureState.PENDING
    )
    db.session.add(request)
    db.session.flush()
    audit.record("privacy.erasure_requested", request, actor=user, person=user.id)
    send_mail(
        user.email,
        "Uw verzoek om verwijdering van uw gegevens",
        "privacy_erasure_requested",
        name=user.name,
    )
    return request


def refuse(request: ErasureRequest, actor: User, reason: str) -> None:
    """Refuse with a reason, mailed to the person (the caller commits)."""
    if request.state != ErasureState.PENDING:
        raise ErasureError("Over dit verzoek is al besloten.")
    if not reason.strip():
        raise ErasureError("Geef een reden voor de weigering.")
    request.state = ErasureState.REFUSED
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    request.decision_reason = reason.strip()
    audit.record(
        "privacy.erasure_refused",
        request,
        actor=actor,
        reason=reason.strip(),
        person=request.user_id,
    )
    send_mail(
        request.user.email,
        "Uw verzoek om verwijdering: besluit",
        "privacy_erasure_refused",
        name=request.user.name,
        reason=reason.strip(),
    )


def carry_out(request: ErasureRequest, actor: User, reason: str, today: date) -> Erased:
    """The registerbureau carries out a pending request (the caller commits, then removes
    the files). Refused while an application is open: its review needs the portfolio."""
    if request.state != ErasureState.PENDING:
        raise ErasureError("Over dit verzoek is al besloten.")
    return _erase(request, actor, reason.strip() or "Op verzoek van de persoon.", today)


def erase_for_retention(user: User, today: date, years: int) -> Erased:
    """The daily job erases an account past the retention period (the caller commits)."""
    request = pending_request(user.id)
    if request is None:
        request = ErasureRequest(
            user_id=user.id, origin=ErasureOrigin.RETENTION, state=ErasureState.PENDING
        )
        db.session.add(request)
    reason = f"Bewaartermijn van {years} jaar verstreken: geen certificaat en geen activiteit."
    return _erase(request, None, reason, today)


def _erase(request: ErasureRequest, actor: User | None, reason: str, today: date) -> Erased:
    user = db.session.get(User, request.user_id, with_for_update=True)
    if has_open_application(user.id):
        raise ErasureError(
            "Deze persoon heeft een lopende aanvraag. Verwijderen kan pas als die is afgerond "
            "of ingetrokken; weiger het verzoek zo nodig met een reden."
        )
    if user.has_role(RoleName.ADMIN):
        raise ErasureError(
            "Dit account heeft de rol registerbureau. Neem eerst die rol weg onder "
            "Accounts en rollen."
        )
    old_email = user.email
    registration = db.session.get(Registration, user.id)
    # Mailed before the address goes; this one message keeps the address in the outbox
    # so that it can be delivered (it names no one).
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == old_email))
    send_mail(
        old_email,
        "Uw gegevens zijn verwijderd uit het KRSD",
        "privacy_erased",
        registration_number=registration.number if registration else None,
        reason=reason,
    )
    stored_names = _remove_portfolio(user.id)
    stored_names += _remove_requests(user.id)
    _cancel_enrolments(user, actor, today)
    _clear_register_record(user.id)
    _remove_account_data(user.id, old_email)
    user.name = ERASED_NAME
    user.email = f"verwijderd-{user.id}@{ERASED_DOMAIN}"
    user.password_hash = UNUSABLE_PASSWORD
    user.employer = ""
    user.function = Function.OTHER
    user.province = None
    user.public_listing_consent = False
    user.active = False
    user.roles.clear()
    request.state = ErasureState.CARRIED_OUT
    request.decided_at = utcnow()
    request.decided_by_id = actor.id if actor else None
    request.decision_reason = reason
    request.files_removed = len(stored_names)
    request.registration_number = registration.number if registration else None
    db.session.flush()
    audit.record(
        "privacy.erased",
        request,
        actor=actor,
        reason=reason,
        person=user.id,
        origin=request.origin.value,
        files_removed=len(stored_names),
    )
    return Erased(request, stored_names)


def _remove_portfolio(user_id: int) -> list[str]:
    """Evidence goes; activities a decision counted keep hours and dates without texts."""
    activity_ids = select(Activity.id).where(Activity.owner_id == user_id)
    stored_names = list(
        db.session.scalars(
            select(Evidence.stored_name).where(Evidence.activity_id.in_(activity_ids))
        )
    )
    db.session.execute(delete(Evidence).where(Evidence.activity_id.in_(activity_ids)))
    # Kept (without texts) when an application holds it or a review judged it.
    held = or_(
        Activity.locked_by_application_id.is_not(None),
        Activity.id.in_(select(ApplicationActivity.activity_id)),
    )
    db.session.execute(
        update(Activity)
        .where(Activity.owner_id == user_id, held)
        .values(
            title=REMOVED_TEXT,
            provider="",
            reflection="",
            reflection_learned=None,
            reflection_applied=None,
            reflection_change=None,
        )
    )
    db.session.execute(
        delete(Activity)
        .where(Activity.owner_id == user_id, ~held)
        .execution_options(synchronize_session=False)
    )
    # Free texts of the decisions: comments and motivations describe the person's work.
    applications = select(Application.id).where(Application.applicant_id == user_id)
    db.session.execute(
        update(ApplicationActivity)
        .where(
            ApplicationActivity.application_id.in_(applications),
            ApplicationActivity.comment.is_not(None),
        )
        .values(comment=REMOVED_TEXT)
    )
    db.session.execute(
        update(ApplicationEvent)
        .where(
            ApplicationEvent.application_id.in_(applications),
            ApplicationEvent.message.is_not(None),
        )
        .values(message=REMOVED_TEXT)
    )
    db.session.execute(
        update(Application)
        .where(Application.applicant_id == user_id, Application.motivation.is_not(None))
        .values(motivation=REMOVED_TEXT)
    )
    db.session.execute(
        update(Appeal)
        .where(Appeal.application_id.in_(applications))
        .values(reason=REMOVED_TEXT, motivation=None)
        .execution_options(synchronize_session=False)
    )
    return stored_names


def _remove_requests(user_id: int) -> list[str]:
    """Name-change requests go; uitstel requests keep their decision without texts or file."""
    db.session.execute(delete(NameChangeRequest).where(NameChangeRequest.user_id == user_id))
    certificates = select(Certificate.id).where(Certificate.holder_id == user_id)
    stored_names = list(
        db.session.scalars(
            select(ExtensionRequest.evidence_stored_name).where(
                ExtensionRequest.certificate_id.in_(certificates),
                ExtensionRequest.evidence_stored_name.is_not(None),
            )
        )
    )
    db.session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.certificate_id.in_(certificates))
        .values(
            explanation=REMOVED_TEXT,
            evidence_stored_name=None,
            evidence_label=None,
            evidence_kind=None,
            evidence_size=None,
            evidence_sha256=None,
        )
        .execution_options(synchronize_session=False)
    )
    return stored_names


def _cancel_enrolments(user: User, actor: User | None, today: date) -> None:
    """Seats in editions still to come are freed for the waiting list; past enrolments stay
    (the trainer's attendance record) and now point at the anonymous account."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.state != EnrolmentState.CANCELLED,
            Edition.ends_on >= today,
        )
    ).all()
    for enrolment in enrolments:
        edition = lock_edition(enrolment.edition_id)
        was = enrolment.state
        enrolment.state = EnrolmentState.CANCELLED
        enrolment.cancelled_at = utcnow()
        if was == EnrolmentState.SEATED:
            edition.seats_taken -= 1
        audit.record("courses.enrolment_cancelled", enrolment, actor=actor, was=was.value)
        fill_free_seats(edition, actor)
    db.session.execute(delete(CourseTrainer).where(CourseTrainer.user_id == user.id))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.execute(update(Diploma).where(Diploma.user_id == user.id).values(holder_name=""))


def _clear_register_record(user_id: int) -> None:
    """Certificates keep number, period, status and code; the holder's details go."""
    db.session.execute(
        update(Certificate)
        .where(Certificate.holder_id == user_id)
        .values(
            holder_name="",
            holder_employer="",
            holder_function=Function.OTHER,
            holder_erased_at=utcnow(),
            suspension_reason=None,
            revocation_reason=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(RegisterTerm).where(RegisterTerm.user_id == user_id))


def _remove_account_data(user_id: int, old_email: str) -> None:
    for model in (AuthSession, PasswordResetToken, SecondFactor, RecoveryCode, FormDraft):
        db.session.execute(delete(model).where(model.user_id == user_id))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == old_email))


#: the kind of work the home page counts (``certification.waiting.bureau_work``)
WAITING_KIND = "erasures"


def waiting_part():
    """Pending erasure requests as a part of the registerbureau's count of waiting work."""
    return (WAITING_KIND, ErasureRequest.requested_at, ErasureRequest.state == ErasureState.PENDING)
