"""Mijn inschrijvingen: a person's seats and waiting places, and the editions behind them."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from krsd.courses.edition_rules import open_for_changes
from krsd.courses.enrolment import queue_position
from krsd.courses.models import Accreditation, Course, Edition, Enrolment, EnrolmentState
from krsd.extensions import db


@dataclass(frozen=True)
class Line:
    enrolment: Enrolment
    #: place on the waiting list; None when seated
    position: int | None
    can_cancel: bool


@dataclass(frozen=True)
class Overview:
    #: editions not yet ended, by start
    current: list[Line]
    #: ended editions in which the person had a seat, the latest first
    past: list[Line]

    @property
    def results_recorded(self) -> dict[str, bool]:
        """Which result columns to show: only those the trainers filled in somewhere."""
        rows = [line.enrolment for line in self.past]
        return {
            "attended": any(e.attended is not None for e in rows),
            "passed": any(e.passed is not None for e in rows),
            "grade": any(e.grade is not None for e in rows),
        }


def overview(user_id: int, today: date) -> Overview:
    """In one query, whatever the number of enrolments."""
    rows = db.session.execute(
        select(Enrolment, queue_position())
        .join(Enrolment.edition)
        .where(Enrolment.user_id == user_id, Enrolment.state != EnrolmentState.CANCELLED)
        .options(joinedload(Enrolment.edition).joinedload(Edition.course))
        .order_by(Edition.starts_on, Edition.id)
    ).all()
    current, past = [], []
    for enrolment, position in rows:
        edition = enrolment.edition
        waiting = enrolment.state == EnrolmentState.WAITING
        if edition.ends_on >= today:
            line = Line(
                enrolment,
                position if waiting else None,
                open_for_changes(edition.enrolment_deadline, today),
            )
            current.append(line)
        elif not waiting:
            past.append(Line(enrolment, None, False))
    past.reverse()
    return Overview(current, past)


@dataclass(frozen=True)
class Upcoming:
    """For the home page: the person's next course, and whether a course not yet ended
    will bring accredited hours."""

    title: str | None
    starts_on: date | None
    #: place on the waiting list; None when seated (or no course)
    position: int | None
    accredited: bool


def upcoming(user_id: int, today: date) -> Upcoming:
    """One statement, whatever the number of enrolments."""
    mine = (Enrolment.user_id == user_id, Enrolment.state != EnrolmentState.CANCELLED)
    other, edition = aliased(Enrolment), aliased(Edition)
    accredited = (
        select(other.id)
        .join(edition, edition.id == other.edition_id)
        .join(Accreditation, Accreditation.course_id == edition.course_id)
        .where(
            other.user_id == user_id,
            other.state != EnrolmentState.CANCELLED,
            edition.ends_on >= today,
            Accreditation.valid_from <= edition.ends_on,
            Accreditation.valid_until >= edition.ends_on,
            or_(Accreditation.withdrawn_on.is_(None), Accreditation.withdrawn_on > edition.ends_on),
        )
        .exists()
    )
    row = db.session.execute(
        select(Course.title, Edition.starts_on, Enrolment.state, queue_position(), accredited)
        .select_from(Enrolment)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(*mine, Edition.ends_on >= today)
        .order_by(Edition.starts_on, Edition.id)
        .limit(1)
    ).first()
    if row is None:
        return Upcoming(None, None, None, False)
    title, starts_on, state, position, is_accredited = row
    waiting = state == EnrolmentState.WAITING
    return Upcoming(title, starts_on, position if waiting else None, bool(is_accredited))
