"""What the accreditation pages show: standings in words, worklists, a request's page.

Each list loads in a fixed number of statements, whatever its length.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from krsd.courses.models import (
    Accreditation,
    AccreditationRequest,
    Course,
    CourseTrainer,
    RequestState,
)
from krsd.extensions import db
from krsd.formatting import nl_date, nl_hours


def standing_label(accreditation: Accreditation, today: date) -> str:
    """Geldig, verlopen, nog niet geldig, ingetrokken: as the lists show it."""
    if accreditation.withdrawn_on is not None and accreditation.withdrawn_on <= today:
        return f"Ingetrokken per {nl_date(accreditation.withdrawn_on)}"
    if accreditation.valid_until < today:
        return "Verlopen"
    label = "Nog niet geldig" if accreditation.valid_from > today else "Geldig"
    if accreditation.withdrawn_on is not None:
        label += f"; wordt ingetrokken per {nl_date(accreditation.withdrawn_on)}"
    return label


def course_label(course: Course, open_request: bool, today: date) -> str:
    """A course's accreditation in one phrase (from its loaded ``accreditations``)."""
    current = next(
        (a for a in reversed(course.accreditations) if a.covers(today)),
        None,
    )
    if current is not None:
        label = f"Geaccrediteerd, {nl_hours(current.hours)} uur, t/m {nl_date(current.valid_until)}"
        if current.withdrawn_on is not None:
            label += f" (ingetrokken per {nl_date(current.withdrawn_on)})"
    elif open_request:
        return "Aanvraag in behandeling"
    elif course.accreditations:
        latest = course.accreditations[-1]
        label = f"{standing_label(latest, today)} ({latest.number})"
    else:
        return "Niet geaccrediteerd"
    return label + ("; nieuwe aanvraag in behandeling" if open_request else "")


def open_requests() -> list[AccreditationRequest]:
    """The registerbureau's worklist: open requests, oldest first (two statements)."""
    return list(
        db.session.scalars(
            select(AccreditationRequest)
            .where(AccreditationRequest.state == RequestState.REQUESTED)
            .options(
                joinedload(AccreditationRequest.course),
                joinedload(AccreditationRequest.requested_by),
                selectinload(AccreditationRequest.attachments),
            )
            .order_by(AccreditationRequest.requested_at, AccreditationRequest.id)
        )
    )


def recently_decided(limit: int = 20) -> list[AccreditationRequest]:
    return list(
        db.session.scalars(
            select(AccreditationRequest)
            .where(AccreditationRequest.state != RequestState.REQUESTED)
            .options(
                joinedload(AccreditationRequest.course),
                joinedload(AccreditationRequest.decided_by),
            )
            .order_by(AccreditationRequest.decided_at.desc(), AccreditationRequest.id.desc())
            .limit(limit)
        )
    )


def requests_of_course(course_id: int) -> list[AccreditationRequest]:
    """A course's requests, newest first, with their files and grants (two statements)."""
    return list(
        db.session.scalars(
            select(AccreditationRequest)
            .where(AccreditationRequest.course_id == course_id)
            .options(
                selectinload(AccreditationRequest.attachments),
                joinedload(AccreditationRequest.accreditation),
            )
            .order_by(AccreditationRequest.requested_at.desc(), AccreditationRequest.id.desc())
        )
    )


def request_for_page(request_id: int) -> AccreditationRequest | None:
    return db.session.scalar(
        select(AccreditationRequest)
        .where(AccreditationRequest.id == request_id)
        .options(
            joinedload(AccreditationRequest.course),
            joinedload(AccreditationRequest.requested_by),
            joinedload(AccreditationRequest.decided_by),
            joinedload(AccreditationRequest.accreditation),
            selectinload(AccreditationRequest.attachments),
        )
    )


def course_for_bureau(course_id: int) -> Course | None:
    return db.session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .options(
            selectinload(Course.trainers).joinedload(CourseTrainer.user),
            selectinload(Course.target_groups),
            selectinload(Course.accreditations),
            joinedload(Course.programme),
        )
    )
