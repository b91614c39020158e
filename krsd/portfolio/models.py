"""The regulation versions, portfolio activities and their evidence files."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.courses.models import Accreditation, Enrolment
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db
from krsd.portfolio.rules import (
    REFLECTION_QUESTIONS,
    ActivityType,
    Category,
    Entry,
    Labelled,
    RegulationTerms,
    reflection_answers,
)


class Regulation(db.Model):
    """A version of the Reglement Persoonscertificering, in force from ``starts_on``."""

    __tablename__ = "regulations"
    audit_type = "regulation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 1, 2, …
    version: Mapped[int] = mapped_column(Integer, unique=True)
    starts_on: Mapped[date] = mapped_column(Date, unique=True)
    total_hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    min_accredited: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_free: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    cycle_years: Mapped[int] = mapped_column(Integer)
    renewal_window_months: Mapped[int] = mapped_column(Integer)
    max_activity_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    #: days before expiry on which reminders go out, e.g. "180,90,30"
    reminder_days: Mapped[str] = mapped_column(String(64))
    #: longest extension (uitstel) of a certificate, in months after its original end
    max_extension_months: Mapped[int] = mapped_column(Integer, default=6)
    #: weeks after a rejection in which an objection (bezwaar) can be lodged
    appeal_weeks: Mapped[int] = mapped_column(Integer, default=6)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def terms(self) -> RegulationTerms:
        return RegulationTerms(
            total_hours=self.total_hours,
            min_accredited=self.min_accredited,
            max_free=self.max_free,
            cycle_years=self.cycle_years,
            renewal_window_months=self.renewal_window_months,
            max_activity_hours=self.max_activity_hours,
            reminder_days=tuple(int(d) for d in self.reminder_days.split(",") if d.strip()),
        )


def regulation_in_force(day: date) -> Regulation:
    """The version in force on ``day`` (the latest that started on or before it)."""
    regulation = db.session.scalar(
        select(Regulation).where(Regulation.starts_on <= day).order_by(Regulation.starts_on.desc())
    )
    if regulation is None:
        raise LookupError(f"no regulation in force on {day}")
    return regulation


class Activity(Labelled, db.Model):
    """One education activity in a professional's portfolio."""

    __tablename__ = "activities"
    audit_type = "activity"
    __table_args__ = (
        # Covering: the renewal reminders and the worklist sum hours per holder, window,
        # category and accreditation from the index alone, without visiting the rows.
        Index(
            "ix_activities_owner_date_hours",
            "owner_id",
            "activity_date",
            "locked_by_application_id",
            "category",
            "accreditation_id",
            "hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[Category] = mapped_column(str_enum(Category))
    type: Mapped[ActivityType] = mapped_column(str_enum(ActivityType))
    title: Mapped[str] = mapped_column(String(200))
    #: provider or organiser
    provider: Mapped[str] = mapped_column(String(160), default="")
    activity_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    #: the one free-text reflection of an activity logged before the guided questions
    #: (shown as it was written); empty for newer activities, which answer the questions
    reflection: Mapped[str] = mapped_column(Text, default="")
    #: answers to the guided reflection (rules.REFLECTION_QUESTIONS): what they learnt,
    #: how they use it in their work, what they will do differently (optional)
    reflection_learned: Mapped[str | None] = mapped_column(Text)
    reflection_applied: Mapped[str | None] = mapped_column(Text)
    reflection_change: Mapped[str | None] = mapped_column(Text)
    #: the accreditation of an accredited course (its hours and validity apply)
    accreditation_id: Mapped[int | None] = mapped_column(ForeignKey("accreditations.id"))
    #: recorded by the trainer on the platform: verified, no evidence needed
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the course enrolment that credited this activity (at most one activity each)
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), unique=True)
    #: the application holding this activity (submitted, in review or approved): while
    #: set, the activity cannot change and cannot count for another application
    locked_by_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship()
    accreditation: Mapped[Accreditation | None] = relationship()
    enrolment: Mapped[Enrolment | None] = relationship()
    locked_by = relationship("Application", foreign_keys=[locked_by_application_id])
    evidence_files: Mapped[list["Evidence"]] = relationship(
        back_populates="activity", order_by="Evidence.id", cascade="all, delete-orphan"
    )

    @property
    def locked(self) -> bool:
        return self.locked_by_application_id is not None

    @property
    def reflection_answers(self) -> tuple[tuple[str, str], ...]:
        """(question, answer) pairs; the earlier free text for an older activity."""
        answers = {q.key: getattr(self, f"reflection_{q.key}") for q in REFLECTION_QUESTIONS}
        return reflection_answers(answers, self.reflection)

    def entry(self) -> Entry:
        return Entry(
            self.category,
            self.type,
            self.hours,
            self.activity_date,
            key=self.id,
            once=self.accreditation_id,  # one accredited course counts once per window
        )


class Evidence(db.Model):
    """A bewijsstuk: a file stored under the upload folder with a random name."""

    __tablename__ = "evidence_files"
    audit_type = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    #: random file name in the evidence folder
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: the uploaded file name, sanitised, shown as a label only
    label: Mapped[str] = mapped_column(String(160))
    #: the type decided from the content: pdf, png, jpeg, docx, odt
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="evidence_files")
