"""A trainer's editions (uitvoeringen) of their own course and the sessions of an edition."""

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, select

from krsd import audit
from krsd.auth.models import User
from krsd.courses import edition_rules as rules
from krsd.courses.enrolment import fill_free_seats, lock_edition
from krsd.courses.models import (
    Course,
    CourseSession,
    CourseStatus,
    Edition,
    Enrolment,
    EnrolmentState,
)
from krsd.extensions import db

ONLINE = "Online"


class EditionError(Exception):
    """Refused input, with the Dutch reason and the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _refuse(problems: list[rules.Problem]) -> None:
    if problems:
        raise EditionError(problems[0].message, problems[0].field)


@dataclass(frozen=True)
class EditionData:
    starts_on: date
    ends_on: date
    enrolment_deadline: date
    capacity: int
    #: a place, or "Online"
    location: str
    self_study: bool


@dataclass(frozen=True)
class SessionData:
    day: date
    starts_at: time
    ends_at: time
    #: empty: the edition's place
    location: str


def _details(data: EditionData) -> dict:
    return {
        "starts_on": data.starts_on.isoformat(),
        "ends_on": data.ends_on.isoformat(),
        "enrolment_deadline": data.enrolment_deadline.isoformat(),
        "capacity": data.capacity,
        "location": data.location,
        "self_study": data.self_study,
    }


def create_edition(course: Course, data: EditionData, actor: User) -> Edition:
    """Add an edition to a course (not to an archived one)."""
    if course.status == CourseStatus.ARCHIVED:
        raise EditionError("Deze cursus is gearchiveerd; er kunnen geen uitvoeringen bij.")
    _refuse(rules.edition_problems(data.starts_on, data.ends_on, data.enrolment_deadline, []))
    edition = Edition(
        course_id=course.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        enrolment_deadline=data.enrolment_deadline,
        capacity=data.capacity,
        location=data.location,
        self_study=data.self_study,
    )
    db.session.add(edition)
    db.session.flush()
    audit.record(
        "courses.edition_created", edition, actor=actor, course=course.id, **_details(data)
    )
    db.session.commit()
    return edition


def update_edition(edition_id: int, data: EditionData, actor: User) -> Edition:
    """Change an edition; a larger capacity seats people from the waiting list at once."""
    edition = lock_edition(edition_id)
    session_days = [s.day for s in edition.sessions]
    _refuse(
        rules.edition_problems(data.starts_on, data.ends_on, data.enrolment_deadline, session_days)
    )
    if data.self_study and session_days:
        raise EditionError(
            "Een zelfstudie-uitvoering heeft geen bijeenkomsten; verwijder die eerst.",
            "self_study",
        )
    problem = rules.capacity_problem(data.capacity, edition.seats_taken)
    if problem:
        raise EditionError(problem.message, problem.field)
    edition.starts_on, edition.ends_on = data.starts_on, data.ends_on
    edition.enrolment_deadline, edition.capacity = data.enrolment_deadline, data.capacity
    edition.location, edition.self_study = data.location, data.self_study
    audit.record("courses.edition_changed", edition, actor=actor, **_details(data))
    fill_free_seats(edition, actor)
    db.session.commit()
    return edition


def add_session(edition_id: int, data: SessionData, actor: User) -> CourseSession:
    """Add a session (bijeenkomst) on a day within the edition."""
    edition = lock_edition(edition_id)
    _refuse(
        rules.session_problems(
            data.day,
            data.starts_at,
            data.ends_at,
            edition.starts_on,
            edition.ends_on,
            edition.self_study,
        )
    )
    session = CourseSession(
        edition_id=edition.id,
        day=data.day,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        location=data.location or edition.location,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "courses.session_added",
        session,
        actor=actor,
        edition=edition.id,
        day=data.day.isoformat(),
        starts_at=data.starts_at.strftime("%H:%M"),
        ends_at=data.ends_at.strftime("%H:%M"),
        location=session.location,
    )
    db.session.commit()
    return session


def remove_session(session: CourseSession, actor: User) -> None:
    audit.record(
        "courses.session_removed",
        session,
        actor=actor,
        edition=session.edition_id,
        day=session.day.isoformat(),
        starts_at=session.starts_at.strftime("%H:%M"),
    )
    db.session.delete(session)
    db.session.commit()


@dataclass(frozen=True)
class EditionRow:
    edition: Edition
    waiting: int
    sessions: int


def course_editions(course_id: int) -> list[EditionRow]:
    """The editions of a course with the length of their waiting lists, in one query."""
    waiting = (
        select(func.count())
        .where(Enrolment.edition_id == Edition.id, Enrolment.state == EnrolmentState.WAITING)
        .correlate(Edition)
        .scalar_subquery()
    )
    sessions = (
        select(func.count())
        .where(CourseSession.edition_id == Edition.id)
        .correlate(Edition)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Edition, waiting, sessions)
        .where(Edition.course_id == course_id)
        .order_by(Edition.starts_on, Edition.id)
    ).all()
    return [EditionRow(edition, count, held) for edition, count, held in rows]
