"""Enrolment and the waiting list: a seat while one is free, otherwise a place in the queue.

Every change to who sits in an edition starts by locking the edition's row
(``lock_edition``): enrolling, cancelling and changing the capacity of one edition never
interleave, so ``seats_taken`` (changed in the same transaction) never passes the capacity
and the queue order is the order in which people got the lock. On SQLite a writing
transaction already holds the database's write lock (BEGIN IMMEDIATE).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from krsd import audit
from krsd.auth.models import User
from krsd.clock import register_today
from krsd.courses import edition_rules as rules
from krsd.courses.models import CourseStatus, Edition, Enrolment, EnrolmentState
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import send_mail
from krsd.urls import external_url

ALREADY_ENROLLED = "U bent al ingeschreven voor deze uitvoering."


class EnrolmentError(Exception):
    """An enrolment or cancellation that is refused, with the reason in Dutch."""


@dataclass(frozen=True)
class Enrolled:
    enrolment: Enrolment
    #: place on the waiting list; None when seated
    position: int | None


def lock_edition(edition_id: int) -> Edition | None:
    """Load an edition for a change of its seats: its row locked until the commit, fresh.

    ``FOR NO KEY UPDATE`` (the lock an UPDATE takes) still lets enrolments that merely
    refer to the edition be inserted by the lock holder's successors once it commits.
    """
    return db.session.scalar(
        select(Edition)
        .where(Edition.id == edition_id)
        .options(joinedload(Edition.course))
        .with_for_update(of=Edition, key_share=True)
        .execution_options(populate_existing=True)
    )


def queue_position():
    """A column: the place of a waiting enrolment on its edition's list (1 = next in line)."""
    ahead = aliased(Enrolment)
    return (
        select(func.count())
        .where(
            ahead.edition_id == Enrolment.edition_id,
            ahead.state == EnrolmentState.WAITING,
            or_(
                ahead.queued_at < Enrolment.queued_at,
                and_(ahead.queued_at == Enrolment.queued_at, ahead.id <= Enrolment.id),
            ),
        )
        .correlate(Enrolment)
        .scalar_subquery()
    )


def _queue(edition_id: int) -> tuple[int, datetime | None]:
    """How many wait, and the arrival time of the last of them."""
    count, last = db.session.execute(
        select(func.count(), func.max(Enrolment.queued_at)).where(
            Enrolment.edition_id == edition_id, Enrolment.state == EnrolmentState.WAITING
        )
    ).one()
    return count, last


def _subject(prefix: str, title: str) -> str:
    return f"{prefix}: {title}"[:200]


def enrol(edition_id: int, user: User, today: date | None = None) -> Enrolled:
    """Enrol ``user``: a seat if one is free, otherwise the end of the waiting list."""
    today = today or register_today()
    edition = lock_edition(edition_id)
    if edition is None or edition.course.status != CourseStatus.PUBLISHED:
        raise EnrolmentError("Voor deze cursus kunt u zich niet inschrijven.")
    if not rules.open_for_changes(edition.enrolment_deadline, today):
        raise EnrolmentError(
            f"De inschrijving is gesloten: dat kon tot en met "
            f"{nl_date(edition.enrolment_deadline)}."
        )
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.edition_id == edition.id, Enrolment.user_id == user.id)
    )
    if enrolment is not None and enrolment.state != EnrolmentState.CANCELLED:
        if enrolment.state == EnrolmentState.WAITING:
            raise EnrolmentError("U staat al op de wachtlijst van deze uitvoering.")
        raise EnrolmentError(ALREADY_ENROLLED)
    waiting, last_arrival = _queue(edition.id)
    seated = rules.gets_seat(edition.capacity, edition.seats_taken, waiting)
    now = utcnow()
    if last_arrival is not None and now <= last_arrival:
        now = last_arrival + timedelta(microseconds=1)  # arrival order, whatever the clocks say
    if enrolment is None:
        # re-enrolling after a cancel reuses the row (one per person and edition)
        enrolment = Enrolment(edition_id=edition.id, user_id=user.id)
        db.session.add(enrolment)
    enrolment.state = EnrolmentState.SEATED if seated else EnrolmentState.WAITING
    enrolment.queued_at = enrolment.enrolled_at = now
    enrolment.cancelled_at = None
    if seated:
        edition.seats_taken += 1
    try:
        db.session.flush()
    except IntegrityError as exc:  # the unique constraint: enrolled in the same instant
        db.session.rollback()
        raise EnrolmentError(ALREADY_ENROLLED) from exc
    position = None if seated else waiting + 1
    audit.record(
        "courses.enrolled",
        enrolment,
        actor=user,
        edition=edition.id,
        course=edition.course.title,
        state=enrolment.state.value,
        position=position,
    )
    send_mail(
        user.email,
        _subject("Ingeschreven" if seated else "Wachtlijst", edition.course.title),
        "enrolment_confirmed",
        name=user.name,
        edition=edition,
        course=edition.course,
        position=position,
        url=external_url("courses.my_enrolments"),
    )
    db.session.commit()
    return Enrolled(enrolment, position)


def fill_free_seats(edition: Edition, actor: User | None) -> list[Enrolment]:
    """Seat the first people waiting for the seats that are free (the edition is locked)."""
    free = edition.capacity - edition.seats_taken
    if free <= 0:
        return []
    moved = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.edition_id == edition.id, Enrolment.state == EnrolmentState.WAITING)
        .order_by(Enrolment.queued_at, Enrolment.id)
        .limit(free)
        .options(joinedload(Enrolment.user))
    ).all()
    for enrolment in moved:
        enrolment.state = EnrolmentState.SEATED
        edition.seats_taken += 1
        audit.record(
            "courses.enrolment_promoted",
            enrolment,
            actor=actor,
            edition=edition.id,
            course=edition.course.title,
        )
        send_mail(
            enrolment.user.email,
            _subject("U bent geplaatst", edition.course.title),
            "enrolment_promoted",
            name=enrolment.user.name,
            edition=edition,
            course=edition.course,
            url=external_url("courses.my_enrolments"),
        )
    return moved


def cancel(enrolment: Enrolment, actor: User, today: date | None = None) -> list[Enrolment]:
    """Cancel an enrolment until the deadline; a freed seat goes to the first person waiting.

    Returns the enrolments that moved from the waiting list to a seat (none or one).
    """
    today = today or register_today()
    edition = lock_edition(enrolment.edition_id)
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .execution_options(populate_existing=True)
    )
    if enrolment.state == EnrolmentState.CANCELLED:
        raise EnrolmentError("Deze inschrijving is al geannuleerd.")
    if not rules.open_for_changes(edition.enrolment_deadline, today):
        raise EnrolmentError(
            f"Annuleren kon tot en met {nl_date(edition.enrolment_deadline)}; "
            "neem contact op met de trainer."
        )
    was = enrolment.state
    enrolment.state = EnrolmentState.CANCELLED
    enrolment.cancelled_at = utcnow()
    if was == EnrolmentState.SEATED:
        edition.seats_taken -= 1
    audit.record(
        "courses.enrolment_cancelled",
        enrolment,
        actor=actor,
        edition=edition.id,
        course=edition.course.title,
        was=was.value,
    )
    moved = fill_free_seats(edition, actor)
    db.session.commit()
    return moved
