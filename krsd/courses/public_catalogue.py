"""The public catalogue: published courses, searched and filtered, and a course's own page.

Each page runs a fixed number of statements whatever the number of courses or editions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from krsd.courses.enrolment import queue_position
from krsd.courses.lookups import accreditation_covering
from krsd.courses.models import (
    Accreditation,
    Course,
    CourseFormat,
    CourseStatus,
    CourseTargetGroup,
    Edition,
    Enrolment,
    EnrolmentState,
    TargetGroup,
)
from krsd.extensions import db

PER_PAGE = 25


def _covering(day: date):
    """The condition of ``lookups.accreditation_covering``, for the course of the row."""
    return (
        Accreditation.course_id == Course.id,
        Accreditation.valid_from <= day,
        Accreditation.valid_until >= day,
        or_(Accreditation.withdrawn_on.is_(None), Accreditation.withdrawn_on > day),
    )


@dataclass(frozen=True)
class Filters:
    query: str = ""
    group: TargetGroup | None = None
    format: CourseFormat | None = None
    accredited_only: bool = False


def search(filters: Filters, today: date) -> Select:
    """Published courses matching the filters, by title."""
    statement = select(Course).where(Course.status == CourseStatus.PUBLISHED)
    if filters.query:
        words = filters.query.split()
        for word in words:
            statement = statement.where(
                or_(
                    Course.title.icontains(word, autoescape=True),
                    Course.description.icontains(word, autoescape=True),
                    Course.provider.icontains(word, autoescape=True),
                )
            )
    if filters.group:
        statement = statement.where(
            exists().where(
                CourseTargetGroup.course_id == Course.id, CourseTargetGroup.group == filters.group
            )
        )
    if filters.format:
        statement = statement.where(Course.format == filters.format)
    if filters.accredited_only:
        statement = statement.where(exists().where(*_covering(today)))
    return statement.order_by(Course.title, Course.id)


@dataclass(frozen=True)
class Facts:
    """What a catalogue row shows besides the course itself."""

    #: accredited hours today; None: not accredited
    hours: Decimal | None
    next_start: date | None


def facts(course_ids: list[int], today: date) -> dict[int, Facts]:
    """Accredited hours today and the next edition's start of each course, in one query."""
    if not course_ids:
        return {}
    hours = (
        select(Accreditation.hours)
        .where(*_covering(today))
        .order_by(Accreditation.valid_from.desc())
        .limit(1)
        .correlate(Course)
        .scalar_subquery()
    )
    next_start = (
        select(func.min(Edition.starts_on))
        .where(Edition.course_id == Course.id, Edition.starts_on >= today)
        .correlate(Course)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Course.id, hours, next_start).where(Course.id.in_(course_ids))
    ).all()
    return {course_id: Facts(h, start) for course_id, h, start in rows}


@dataclass(frozen=True)
class Place:
    """The visitor's own place in an edition."""

    state: EnrolmentState
    position: int | None


@dataclass(frozen=True)
class CoursePage:
    course: Course
    accreditation: Accreditation | None
    editions: list[Edition]
    #: edition id → the signed-in person's enrolment (seated or waiting)
    places: dict[int, Place]


def course_page(course_id: int, today: date, user_id: int | None) -> CoursePage | None:
    """A published course with its accreditation today and its editions not yet ended."""
    course = db.session.scalar(
        select(Course)
        .where(Course.id == course_id, Course.status == CourseStatus.PUBLISHED)
        .options(selectinload(Course.target_groups))
    )
    if course is None:
        return None
    editions = db.session.scalars(
        select(Edition)
        .where(Edition.course_id == course.id, Edition.ends_on >= today)
        .options(selectinload(Edition.sessions))
        .order_by(Edition.starts_on, Edition.id)
    ).all()
    places = {}
    if user_id is not None and editions:
        rows = db.session.execute(
            select(Enrolment.edition_id, Enrolment.state, queue_position()).where(
                Enrolment.user_id == user_id,
                Enrolment.edition_id.in_([e.id for e in editions]),
                Enrolment.state != EnrolmentState.CANCELLED,
            )
        ).all()
        places = {
            edition_id: Place(state, position if state == EnrolmentState.WAITING else None)
            for edition_id, state, position in rows
        }
    return CoursePage(course, accreditation_covering(course.id, today), list(editions), places)
