"""Registerbureau use cases for the accredited catalogue."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import column, func, select, table
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth.models import User
from krsd.courses.models import Accreditation, Course, CourseStatus, CourseTrainer
from krsd.extensions import db
from krsd.mail import send_mail
from krsd.urls import external_url

#: the portfolio's activities, read without importing the portfolio (a higher package)
_activities = table("activities", column("accreditation_id"), column("hours"))


class CatalogueError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def activities_keeping_hours(accreditation_id: int, hours: Decimal | None = None) -> int:
    """How many portfolio activities of an accreditation hold other hours than ``hours``.

    Activities keep the hours copied when they were logged; without ``hours``, all the
    activities logged with this accreditation are counted.
    """
    query = select(func.count()).select_from(_activities)
    query = query.where(_activities.c.accreditation_id == accreditation_id)
    if hours is not None:
        query = query.where(_activities.c.hours != hours)
    return db.session.scalar(query) or 0


def mail_trainers(course_id: int, subject: str, template: str, **context) -> int:
    """Mail every trainer of a course (in the current transaction); returns how many."""
    trainers = db.session.scalars(
        select(User)
        .join(CourseTrainer, CourseTrainer.user_id == User.id)
        .where(CourseTrainer.course_id == course_id)
        .order_by(User.id)
    ).all()
    link = external_url("courses.trainer_course", course_id=course_id)
    for trainer in trainers:
        send_mail(trainer.email, subject, template, user=trainer, link=link, **context)
    return len(trainers)


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
    """Add a course with its accreditation, or change an existing one.

    Changed hours apply to activities logged from now on: activities already in portfolios
    keep the hours they were logged with (the audit entry says how many).
    """
    taken = db.session.scalar(
        select(Accreditation.id).where(
            Accreditation.number == data.number,
            Accreditation.id != (accreditation.id if accreditation else -1),
        )
    )
    if taken:
        raise CatalogueError("Dit accreditatienummer is al in gebruik.", "number")
    hours_change = {}
    if accreditation is None:
        # A direct entry is a published course (as the migration made the earlier ones).
        course = Course(status=CourseStatus.PUBLISHED)
        accreditation = Accreditation(course=course, granted_by_id=actor.id)
        db.session.add(accreditation)
        action = "courses.accreditation_granted"
    else:
        action = "courses.accreditation_changed"
        if accreditation.hours != data.hours:
            hours_change = {
                "old_hours": str(accreditation.hours),
                "new_hours": str(data.hours),
                "activities_keeping_old_hours": activities_keeping_hours(
                    accreditation.id, data.hours
                ),
            }
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
        **hours_change,
    )
    if action == "courses.accreditation_changed":
        mail_trainers(
            course.id,
            f"Accreditatie {data.number} gewijzigd",
            "accreditation_changed",
            course=course,
            accreditation=accreditation,
            **hours_change,
        )
    db.session.commit()
    return accreditation
