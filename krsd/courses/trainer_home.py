"""A trainer's block on the home page: the editions that need them and the registerbureau's
recent answers. A fixed number of statements, each bounded, whatever the number of courses,
editions or participants."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from krsd.clock import AMSTERDAM
from krsd.courses.catalogue import TrainerSummary, trainer_summary
from krsd.courses.models import (
    AccreditationRequest,
    Course,
    CourseTrainer,
    Edition,
    Enrolment,
    EnrolmentState,
    RequestState,
)
from krsd.extensions import db

#: at most this many editions (or answers) per list; the rest is counted
SHOWN = 5
#: an answer of the registerbureau is news for this many days
ANSWERED_DAYS = 30


@dataclass(frozen=True)
class EditionNote:
    edition_id: int
    title: str
    #: results: the edition's last day; waiting list: its first day
    day: date
    #: participants without a result, or people on the waiting list
    people: int


@dataclass(frozen=True)
class Answer:
    course_id: int
    title: str
    granted: bool
    decided_at: datetime


@dataclass(frozen=True)
class TrainerHome:
    summary: TrainerSummary
    #: ended editions with seated participants whose result is not recorded, oldest first
    results_due: list[EditionNote]
    results_due_total: int
    #: editions not yet ended with people on the waiting list, soonest first
    waiting_lists: list[EditionNote]
    waiting_lists_total: int
    #: accreditation requests decided in the last ANSWERED_DAYS days, latest first
    answered: list[Answer]

    @property
    def needs_attention(self) -> bool:
        return bool(self.results_due or self.waiting_lists or self.answered)


def _own_editions(user_id: int, *columns):
    return (
        select(Edition.id, Course.title, *columns)
        .join(Course, Course.id == Edition.course_id)
        .join(
            CourseTrainer,
            (CourseTrainer.course_id == Edition.course_id) & (CourseTrainer.user_id == user_id),
        )
        .join(Enrolment, Enrolment.edition_id == Edition.id)
    )


def _notes(statement) -> tuple[list[EditionNote], int]:
    rows = db.session.execute(statement.limit(SHOWN)).all()
    total = rows[0][-1] if rows else 0
    return [EditionNote(r[0], r[1], r[2], r[3]) for r in rows], total


def results_due(user_id: int, today: date) -> tuple[list[EditionNote], int]:
    """Ended editions of the trainer's courses in which a seated participant has no
    attendance, or attended without passed recorded (the portfolio waits for it)."""
    missing = or_(
        Enrolment.attended.is_(None),
        and_(Enrolment.attended.is_(True), Enrolment.passed.is_(None)),
    )
    return _notes(
        _own_editions(user_id, Edition.ends_on, func.count(Enrolment.id), func.count().over())
        .where(Edition.ends_on < today, Enrolment.state == EnrolmentState.SEATED, missing)
        .group_by(Edition.id, Course.title, Edition.ends_on)
        .order_by(Edition.ends_on, Edition.id)
    )


def waiting_lists(user_id: int, today: date) -> tuple[list[EditionNote], int]:
    """Editions of the trainer's courses, not yet ended, with people waiting for a seat."""
    return _notes(
        _own_editions(user_id, Edition.starts_on, func.count(Enrolment.id), func.count().over())
        .where(Edition.ends_on >= today, Enrolment.state == EnrolmentState.WAITING)
        .group_by(Edition.id, Course.title, Edition.starts_on)
        .order_by(Edition.starts_on, Edition.id)
    )


def recent_answers(user_id: int, today: date) -> list[Answer]:
    """Accreditation requests for the trainer's courses that the registerbureau decided in
    the last ANSWERED_DAYS days."""
    since = datetime.combine(today - timedelta(days=ANSWERED_DAYS), time(), AMSTERDAM)
    rows = db.session.execute(
        select(Course.id, Course.title, AccreditationRequest.state, AccreditationRequest.decided_at)
        .join(Course, Course.id == AccreditationRequest.course_id)
        .join(
            CourseTrainer,
            (CourseTrainer.course_id == Course.id) & (CourseTrainer.user_id == user_id),
        )
        .where(
            AccreditationRequest.state != RequestState.REQUESTED,
            AccreditationRequest.decided_at >= since,
        )
        .order_by(AccreditationRequest.decided_at.desc(), AccreditationRequest.id.desc())
        .limit(SHOWN)
    ).all()
    return [Answer(r[0], r[1], r[2] == RequestState.GRANTED, r[3]) for r in rows]


def trainer_home(user_id: int, today: date) -> TrainerHome:
    """Four statements whatever the size of the trainer's work."""
    due, due_total = results_due(user_id, today)
    waiting, waiting_total = waiting_lists(user_id, today)
    return TrainerHome(
        trainer_summary(user_id),
        due,
        due_total,
        waiting,
        waiting_total,
        recent_answers(user_id, today),
    )
