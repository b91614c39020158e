"""Accreditation as a workflow: a trainer asks, the registerbureau grants or refuses, and
later extends or withdraws. Every step is audited and mailed to the course's trainers.

Hours already in portfolios are never rewritten: an activity keeps the hours copied when
it was logged. A withdrawal counts from a day on (``Accreditation.covers``): activities
dated before it keep counting, new ones on or after it are refused.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from krsd import audit, storage
from krsd.auth.models import User
from krsd.courses.catalogue import lock_course
from krsd.courses.models import (
    Accreditation,
    AccreditationRequest,
    Course,
    CourseStatus,
    Programme,
    RequestAttachment,
    RequestState,
)
from krsd.courses.services import CatalogueError, activities_keeping_hours, mail_trainers
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date

#: files one request may carry
MAX_ATTACHMENTS = 10
OPEN_REQUEST = (
    "Voor deze cursus loopt al een accreditatieaanvraag. Wacht op het besluit van het "
    "registerbureau voordat u een nieuwe indient."
)
DECIDED = "Over deze aanvraag is al besloten."
NUMBER_TAKEN = "Dit accreditatienummer is al in gebruik."
#: the Leergang Leerplicht/RMC (inserted by the migration)
LEERGANG_CODE = "leergang-leerplicht-rmc"


@dataclass(frozen=True)
class RequestInput:
    hours_requested: Decimal
    programme_text: str
    learning_goals: str


@dataclass(frozen=True)
class GrantInput:
    number: str
    hours: Decimal
    valid_from: date
    valid_until: date
    remark: str


def open_request_of(course_id: int) -> AccreditationRequest | None:
    return db.session.scalar(
        select(AccreditationRequest).where(
            AccreditationRequest.course_id == course_id,
            AccreditationRequest.state == RequestState.REQUESTED,
        )
    )


def request_accreditation(
    course_id: int, data: RequestInput, files: list[storage.StagedFile], actor: User
) -> AccreditationRequest:
    """A trainer asks to accredit their course; one open request per course.

    ``files`` are staged before this call; they are placed here and removed again when
    anything fails. The course row is locked first, so of two simultaneous requests the
    second sees the first.
    """
    if len(files) > MAX_ATTACHMENTS:
        raise CatalogueError(f"Voeg hoogstens {MAX_ATTACHMENTS} bijlagen toe.", "files")
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    if course.status == CourseStatus.ARCHIVED:
        raise CatalogueError("Voor een gearchiveerde cursus kunt u geen accreditatie aanvragen.")
    if open_request_of(course.id) is not None:
        raise CatalogueError(OPEN_REQUEST)
    written: list[str] = []
    try:
        request = AccreditationRequest(
            course_id=course.id,
            requested_by_id=actor.id,
            hours_requested=data.hours_requested,
            programme_text=data.programme_text,
            learning_goals=data.learning_goals,
            state=RequestState.REQUESTED,
        )
        for staged in files:
            stored_name = storage.place(staged)
            written.append(stored_name)
            request.attachments.append(
                RequestAttachment(
                    stored_name=stored_name,
                    label=staged.label,
                    kind=staged.kind,
                    size=staged.size,
                    sha256=staged.sha256,
                )
            )
        db.session.add(request)
        db.session.flush()
        audit.record(
            "courses.accreditation_requested",
            request,
            actor=actor,
            course_id=course.id,
            course=course.title,
            hours_requested=str(data.hours_requested),
            attachments=[a.label for a in request.attachments],
        )
        mail_trainers(
            course.id,
            f"Accreditatie aangevraagd: {course.title}",
            "accreditation_requested",
            course=course,
            request=request,
            actor=actor,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.remove(written)
        raise
    return request


def lock_request(request_id: int) -> AccreditationRequest:
    request = db.session.execute(
        select(AccreditationRequest)
        .where(AccreditationRequest.id == request_id)
        .with_for_update(of=AccreditationRequest, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if request is None:
        raise CatalogueError("Deze aanvraag bestaat niet meer.")
    if request.state != RequestState.REQUESTED:
        raise CatalogueError(DECIDED)
    return request


def _number_taken(number: str, other_than: int | None = None) -> bool:
    return (
        db.session.scalar(
            select(Accreditation.id).where(
                Accreditation.number == number, Accreditation.id != (other_than or -1)
            )
        )
        is not None
    )


def grant(request_id: int, data: GrantInput, actor: User) -> Accreditation:
    """The registerbureau accredits the course of a request."""
    request = lock_request(request_id)
    if data.valid_until < data.valid_from:
        raise CatalogueError("De einddatum ligt vóór de begindatum.", "valid_until")
    if _number_taken(data.number):
        raise CatalogueError(NUMBER_TAKEN, "number")
    accreditation = Accreditation(
        course_id=request.course_id,
        number=data.number,
        hours=data.hours,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        granted_by_id=actor.id,
        request_id=request.id,
    )
    db.session.add(accreditation)
    request.state = RequestState.GRANTED
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_reason = data.remark
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same number, given by someone else just now
        db.session.rollback()
        raise CatalogueError(NUMBER_TAKEN, "number") from exc
    audit.record(
        "courses.accreditation_granted",
        accreditation,
        actor=actor,
        reason=data.remark,
        request_id=request.id,
        course_id=request.course_id,
        course=request.course.title,
        number=data.number,
        hours_requested=str(request.hours_requested),
        hours=str(data.hours),
        valid_from=data.valid_from.isoformat(),
        valid_until=data.valid_until.isoformat(),
    )
    mail_trainers(
        request.course_id,
        f"Accreditatie toegekend: {request.course.title}",
        "accreditation_granted",
        course=request.course,
        request=request,
        accreditation=accreditation,
    )
    db.session.commit()
    return accreditation


def refuse(request_id: int, reason: str, actor: User) -> AccreditationRequest:
    """The registerbureau refuses a request, with a reason the trainers read."""
    request = lock_request(request_id)
    request.state = RequestState.REFUSED
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_reason = reason
    audit.record(
        "courses.accreditation_refused",
        request,
        actor=actor,
        reason=reason,
        course_id=request.course_id,
        course=request.course.title,
    )
    mail_trainers(
        request.course_id,
        f"Accreditatie afgewezen: {request.course.title}",
        "accreditation_refused",
        course=request.course,
        request=request,
    )
    db.session.commit()
    return request


def lock_accreditation(accreditation_id: int) -> Accreditation:
    accreditation = db.session.execute(
        select(Accreditation)
        .where(Accreditation.id == accreditation_id)
        .with_for_update(of=Accreditation, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if accreditation is None:
        raise CatalogueError("Deze accreditatie bestaat niet meer.")
    return accreditation


def extend(accreditation_id: int, valid_until: date, reason: str, actor: User) -> Accreditation:
    """Move the end of an accreditation's validity later."""
    accreditation = lock_accreditation(accreditation_id)
    if accreditation.withdrawn_on is not None:
        raise CatalogueError("Een ingetrokken accreditatie kan niet worden verlengd.")
    if valid_until <= accreditation.valid_until:
        raise CatalogueError(
            "Kies een einddatum na de huidige "
            f"({nl_date(accreditation.valid_until)}); verkorten kan met intrekken.",
            "valid_until",
        )
    previous = accreditation.valid_until
    accreditation.valid_until = valid_until
    audit.record(
        "courses.accreditation_extended",
        accreditation,
        actor=actor,
        reason=reason,
        number=accreditation.number,
        old_valid_until=previous.isoformat(),
        new_valid_until=valid_until.isoformat(),
    )
    mail_trainers(
        accreditation.course_id,
        f"Accreditatie {accreditation.number} verlengd",
        "accreditation_extended",
        course=accreditation.course,
        accreditation=accreditation,
        previous_valid_until=previous,
        reason=reason,
    )
    db.session.commit()
    return accreditation


def withdraw(
    accreditation_id: int, withdrawn_on: date, reason: str, actor: User, today: date
) -> Accreditation:
    """Withdraw an accreditation from a day on (today or later, never in the past).

    Activities dated before that day keep counting with the hours they were logged with.
    """
    accreditation = lock_accreditation(accreditation_id)
    if accreditation.withdrawn_on is not None:
        raise CatalogueError(
            f"Deze accreditatie is al ingetrokken per {nl_date(accreditation.withdrawn_on)}."
        )
    if withdrawn_on < today:
        raise CatalogueError(
            "Intrekken kan vanaf vandaag, niet met terugwerkende kracht.", "withdrawn_on"
        )
    if withdrawn_on > accreditation.valid_until:
        raise CatalogueError(
            "Deze datum ligt na het einde van de accreditatie "
            f"({nl_date(accreditation.valid_until)}).",
            "withdrawn_on",
        )
    accreditation.withdrawn_on, accreditation.withdrawn_reason = withdrawn_on, reason
    audit.record(
        "courses.accreditation_withdrawn",
        accreditation,
        actor=actor,
        reason=reason,
        number=accreditation.number,
        withdrawn_on=withdrawn_on.isoformat(),
        activities_keeping_hours=activities_keeping_hours(accreditation.id),
    )
    mail_trainers(
        accreditation.course_id,
        f"Accreditatie {accreditation.number} ingetrokken",
        "accreditation_withdrawn",
        course=accreditation.course,
        accreditation=accreditation,
        reason=reason,
    )
    db.session.commit()
    return accreditation


def leergang() -> Programme:
    return db.session.scalar(select(Programme).where(Programme.code == LEERGANG_CODE))


def set_module(course_id: int, module_number: int | None, reason: str, actor: User) -> Course:
    """Make a course module 1, 2 or 3 of the Leergang, or none; one course per module."""
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    programme = leergang()
    if module_number is not None and not 1 <= module_number <= programme.module_count:
        raise CatalogueError("Kies module 1, 2 of 3.", "module")
    if module_number is not None:
        other = db.session.scalar(
            select(Course).where(
                Course.programme_id == programme.id,
                Course.module_number == module_number,
                Course.id != course.id,
            )
        )
        if other is not None:
            raise CatalogueError(
                f"Module {module_number} van de {programme.name} is al ‘{other.title}’. "
                "Maak die cursus eerst los van de module.",
                "module",
            )
    old = course.module_number
    course.programme_id = programme.id if module_number is not None else None
    course.module_number = module_number
    try:
        db.session.flush()
    except IntegrityError as exc:  # taken by a simultaneous change
        db.session.rollback()
        raise CatalogueError(
            f"Module {module_number} is zojuist aan een andere cursus gegeven.", "module"
        ) from exc
    audit.record(
        "courses.programme_module_set",
        course,
        actor=actor,
        reason=reason,
        programme=programme.code,
        old_module=old,
        new_module=module_number,
    )
    db.session.commit()
    return course
