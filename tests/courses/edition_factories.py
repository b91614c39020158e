"""Test data for editions and enrolment: courses, editions, sessions, people enrolled."""

from datetime import date, time, timedelta
from decimal import Decimal

from krsd.courses.models import (
    Accreditation,
    Course,
    CourseFormat,
    CourseSession,
    CourseStatus,
    CourseTargetGroup,
    CourseTrainer,
    Edition,
    Enrolment,
    EnrolmentState,
    TargetGroup,
)
from krsd.database import utcnow
from krsd.extensions import db
from tests.clock import TODAY


def make_course(
    title="Leerplicht en RMC voor ondersteuners",
    *,
    trainers=(),
    status=CourseStatus.PUBLISHED,
    provider="Ingrado Academie",
    description="Wat ondersteuners moeten weten van leerplicht en RMC.",
    format=CourseFormat.KLASSIKAAL,
    groups=(TargetGroup.ONDERSTEUNERS,),
    hours=None,
    commit=True,
) -> Course:
    """A course; ``hours`` gives it an accreditation covering TODAY."""
    course = Course(
        title=title,
        provider=provider,
        description=description,
        format=format,
        status=status,
        study_load_hours=Decimal("8"),
    )
    course.target_groups = [CourseTargetGroup(group=g) for g in groups]
    course.trainers = [CourseTrainer(user_id=t.id) for t in trainers]
    db.session.add(course)
    db.session.flush()
    if hours is not None:
        db.session.add(
            Accreditation(
                course_id=course.id,
                number=f"KRSD-A-{course.id:04d}",
                hours=Decimal(hours),
                valid_from=TODAY - timedelta(days=100),
                valid_until=TODAY + timedelta(days=700),
            )
        )
    if commit:
        db.session.commit()
    return course


def make_edition(
    course: Course,
    *,
    capacity=20,
    starts_in=30,
    days=1,
    deadline_in=None,
    location="Zwolle, Stadskantoor",
    self_study=False,
    sessions=0,
    commit=True,
) -> Edition:
    starts_on = TODAY + timedelta(days=starts_in)
    edition = Edition(
        course_id=course.id,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        enrolment_deadline=TODAY
        + timedelta(days=starts_in - 7 if deadline_in is None else deadline_in),
        capacity=capacity,
        location=location,
        self_study=self_study,
    )
    edition.sessions = [
        CourseSession(day=starts_on, starts_at=time(9 + n), ends_at=time(10 + n), location=location)
        for n in range(sessions)
    ]
    db.session.add(edition)
    if commit:
        db.session.commit()
    return edition


def seat(edition: Edition, user, state=EnrolmentState.SEATED, **fields) -> Enrolment:
    """Put someone in an edition directly (seated or waiting), keeping seats_taken right."""
    enrolment = Enrolment(
        edition_id=edition.id, user_id=user.id, state=state, queued_at=utcnow(), **fields
    )
    db.session.add(enrolment)
    if state == EnrolmentState.SEATED:
        edition.seats_taken += 1
    db.session.commit()
    return enrolment


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)
