"""Editions (uitvoeringen) with their sessions, enrolments with the waiting list, the
Leergang diploma and the private calendar feed."""

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class Edition(db.Model):
    """An uitvoering of a course: dates, capacity, place; self-study has no sessions.

    ``seats_taken`` is the number of seated enrolments, kept in the same transaction as
    the enrolments under a lock on this row, so capacity is never exceeded.
    """

    __tablename__ = "editions"
    audit_type = "edition"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    #: last day on which one can enrol or cancel
    enrolment_deadline: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    #: a place ("Zwolle, Stadskantoor") or "Online"
    location: Mapped[str] = mapped_column(String(200), default="")
    self_study: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped["Course"] = relationship(back_populates="editions")  # noqa: F821
    sessions: Mapped[list["CourseSession"]] = relationship(
        back_populates="edition",
        order_by="(CourseSession.day, CourseSession.starts_at)",
        cascade="all, delete-orphan",
    )
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="edition")

    @property
    def free_seats(self) -> int:
        return self.capacity - self.seats_taken


class CourseSession(db.Model):
    """A bijeenkomst of an edition: a day, times and place (Europe/Amsterdam local time)."""

    __tablename__ = "course_sessions"
    audit_type = "course_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(200), default="")
    #: when the trainers were reminded of missing attendance (once)
    attendance_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    edition: Mapped[Edition] = relationship(back_populates="sessions")


class EnrolmentState(enum.StrEnum):
    SEATED = "seated"
    WAITING = "waiting"
    CANCELLED = "cancelled"


ENROLMENT_STATE_LABELS = {
    EnrolmentState.SEATED: "Geplaatst",
    EnrolmentState.WAITING: "Wachtlijst",
    EnrolmentState.CANCELLED: "Geannuleerd",
}


class Grade(enum.StrEnum):
    VOLDOENDE = "voldoende"
    ONVOLDOENDE = "onvoldoende"


GRADE_LABELS = {Grade.VOLDOENDE: "Voldoende", Grade.ONVOLDOENDE: "Onvoldoende"}


class Enrolment(db.Model):
    """One person in one edition: seated or waiting (in ``queued_at`` order), or cancelled.

    One row per person and edition (a unique constraint): enrolling again after
    cancelling reuses the row and joins the end of the queue.
    """

    __tablename__ = "enrolments"
    audit_type = "enrolment"
    __table_args__ = (
        UniqueConstraint("edition_id", "user_id", name="uq_enrolments_edition_user"),
        Index("ix_enrolments_queue", "edition_id", "state", "queued_at", "id"),
        Index("ix_enrolments_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[EnrolmentState] = mapped_column(str_enum(EnrolmentState))
    #: arrival time on the list; the waiting list is ordered by (queued_at, id)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the result the trainer records (None: not yet recorded)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    grade: Mapped[Grade | None] = mapped_column(str_enum(Grade))
    result_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    edition: Mapped[Edition] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def state_label(self) -> str:
        return ENROLMENT_STATE_LABELS[self.state]

    @property
    def completed(self) -> bool:
        """Attended and passed (and voldoende when the course is graded)."""
        if not (self.attended and self.passed):
            return False
        return not self.edition.course.graded or self.grade == Grade.VOLDOENDE


class Diploma(db.Model):
    """The diploma of a programme, issued once all its modules are passed with voldoende."""

    __tablename__ = "diplomas"
    audit_type = "diploma"
    __table_args__ = (
        UniqueConstraint("user_id", "programme_id", name="uq_diplomas_user_programme"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    #: printed on the PDF; opens the public verification page
    verification_code: Mapped[str] = mapped_column(String(14), unique=True)
    #: the holder's name at issue, as printed
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    programme: Mapped["Programme"] = relationship()  # noqa: F821


class CalendarFeed(db.Model):
    """A person's private iCal feed: the secret token in its URL, renewable."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: url-safe random token (hash not needed: it only opens one's own timetable)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
