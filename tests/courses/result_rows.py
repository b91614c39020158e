"""Rows for the tests of results, credits, the Leergang, the calendar and the reminders."""

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.courses.models import (
    Accreditation,
    Course,
    CourseSession,
    CourseStatus,
    CourseTrainer,
    Edition,
    Enrolment,
    EnrolmentState,
    Programme,
)
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.clock import TODAY

LEERGANG_TITLES = {
    1: "Module 1 Wet- en regelgeving",
    2: "Module 2 Het netwerk in beeld",
    3: "Module 3 Methodisch handelen",
}


def course(
    title: str = "Leerplicht en RMC voor ondersteuners",
    *,
    trainers=(),
    hours: str | None = "8",
    graded: bool = False,
    module: int | None = None,
) -> Course:
    """A published course taught by ``trainers``, accredited for ``hours`` (None: not)."""
    row = Course(
        title=title,
        provider="Ingrado Academie",
        status=CourseStatus.PUBLISHED,
        graded=graded or module is not None,
    )
    if module is not None:
        programme = db.session.scalars(
            select(Programme).where(Programme.code == "leergang-leerplicht-rmc")
        ).one()
        row.programme_id, row.module_number = programme.id, module
    for trainer in trainers:
        row.trainers.append(CourseTrainer(user_id=trainer.id))
    db.session.add(row)
    if hours is not None:
        db.session.add(
            Accreditation(
                course=row,
                number=f"KRSD-A-T-{title[:20]}",
                hours=Decimal(hours),
                valid_from=TODAY - timedelta(days=400),
                valid_until=TODAY + timedelta(days=400),
            )
        )
    db.session.commit()
    return row


def leergang_module(number: int, trainers=(), hours: str = "16") -> Course:
    return course(LEERGANG_TITLES[number], trainers=trainers, hours=hours, module=number)


def edition(
    of: Course,
    *,
    starts: date | None = None,
    ends: date | None = None,
    sessions=(),
    self_study: bool = False,
    capacity: int = 20,
) -> Edition:
    """An edition (by default ended yesterday) with sessions ``(day, "09:00", "12:00")``."""
    ends = ends or TODAY - timedelta(days=1)
    starts = starts or ends - timedelta(days=7)
    row = Edition(
        course=of,
        starts_on=starts,
        ends_on=ends,
        enrolment_deadline=starts - timedelta(days=1),
        capacity=capacity,
        location="Utrecht, Stadskantoor",
        self_study=self_study,
    )
    for day, start, end in sessions:
        row.sessions.append(
            CourseSession(
                day=day,
                starts_at=time.fromisoformat(start),
                ends_at=time.fromisoformat(end),
                location="Zaal 2",
            )
        )
    db.session.add(row)
    db.session.commit()
    return row


def seat(of: Edition, *users, state: EnrolmentState = EnrolmentState.SEATED) -> list[Enrolment]:
    rows = [Enrolment(edition_id=of.id, user_id=u.id, state=state) for u in users]
    db.session.add_all(rows)
    if state == EnrolmentState.SEATED:
        of.seats_taken += len(rows)
    db.session.commit()
    return rows


def mails_to(address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
    )


def audit_count(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())
