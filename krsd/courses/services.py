"""Registerbureau use cases for the accredited catalogue."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth.models import User
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db


class CatalogueError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AccreditedCourse:
    title: str
    provider: str
    description: str
    number: str
    hours: Decimal
    valid_from: date
    valid_until: date


def save_accredited_course(
    data: AccreditedCourse, actor: User, reason: str, accreditation: Accreditation | None = None
) -> Accreditation:
    """Add a course with its accreditation, or change an existing one."""
    taken = db.session.scalar(
        select(Accreditation.id).where(
            Accreditation.number == data.number,
            Accreditation.id != (accreditation.id if accreditation else -1),
        )
    )
    if taken:
        raise CatalogueError("Dit accreditatienummer is al in gebruik.", "number")
    if accreditation is None:
        accreditation = Accreditation(course=Course(), granted_by_id=actor.id)
        db.session.add(accreditation)
        action = "courses.accreditation_granted"
    else:
        action = "courses.accreditation_changed"
    course = accreditation.course
    course.title, course.provider, course.description = data.title, data.provider, data.description
    accreditation.number, accreditation.hours = data.number, data.hours
    accreditation.valid_from, accreditation.valid_until = data.valid_from, data.valid_until
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise CatalogueError("Dit accreditatienummer is al in gebruik.", "number") from exc
    audit.record(
        action,
        accreditation,
        actor=actor,
        reason=reason,
        course=course.title,
        number=data.number,
        hours=str(data.hours),
        valid_from=data.valid_from.isoformat(),
        valid_until=data.valid_until.isoformat(),
    )
    db.session.commit()
    return accreditation
