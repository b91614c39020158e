"""Courses, their accreditation, editions, sessions, enrolments and the Leergang diploma.

The courses package sits below the portfolio: a credited activity points at its
enrolment (``Activity.enrolment_id``), never the other way round.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class CourseFormat(enum.StrEnum):
    KLASSIKAAL = "klassikaal"
    ONLINE = "online"
    WEBINAR = "webinar"
    ZELFSTUDIE = "zelfstudie"


FORMAT_LABELS = {
    CourseFormat.KLASSIKAAL: "Klassikaal",
    CourseFormat.ONLINE: "Online",
    CourseFormat.WEBINAR: "Webinar",
    CourseFormat.ZELFSTUDIE: "Zelfstudie",
}


class TargetGroup(enum.StrEnum):
    LEERPLICHT = "leerplicht"
    RMC = "rmc"
    ONDERSTEUNERS = "ondersteuners"


TARGET_GROUP_LABELS = {
    TargetGroup.LEERPLICHT: "Leerplicht",
    TargetGroup.RMC: "RMC/doorstroom",
    TargetGroup.ONDERSTEUNERS: "Ondersteuners",
}


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


COURSE_STATUS_LABELS = {
    CourseStatus.DRAFT: "Concept",
    CourseStatus.PUBLISHED: "Gepubliceerd",
    CourseStatus.ARCHIVED: "Gearchiveerd",
}


class Programme(db.Model):
    """A programme of modules that ends in a diploma, e.g. the Leergang Leerplicht/RMC."""

    __tablename__ = "programmes"
    audit_type = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable key, e.g. "leergang-leerplicht-rmc"
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: how many modules make the programme (all must be passed with voldoende)
    module_count: Mapped[int] = mapped_column(Integer)

    modules: Mapped[list["Course"]] = relationship(
        back_populates="programme", order_by="Course.module_number"
    )


class Course(db.Model):
    """A course as its trainers describe it."""

    __tablename__ = "courses"
    audit_type = "course"
    __table_args__ = (
        UniqueConstraint("programme_id", "module_number", name="uq_courses_programme_module"),
        CheckConstraint("(programme_id IS NULL) = (module_number IS NULL)", name="module_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: the organisation that gives the course
    provider: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[CourseFormat] = mapped_column(
        str_enum(CourseFormat), default=CourseFormat.KLASSIKAAL
    )
    #: the study load the trainer states (not the accredited hours)
    study_load_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    status: Mapped[CourseStatus] = mapped_column(
        str_enum(CourseStatus), default=CourseStatus.DRAFT, index=True
    )
    #: the result is graded voldoende / onvoldoende (the Leergang modules are)
    graded: Mapped[bool] = mapped_column(Boolean, default=False)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"))
    #: 1, 2, 3 within the programme
    module_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    accreditations: Mapped[list["Accreditation"]] = relationship(
        back_populates="course", order_by="Accreditation.valid_from"
    )
    target_groups: Mapped[list["CourseTargetGroup"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseTargetGroup.group"
    )
    trainers: Mapped[list["CourseTrainer"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseTrainer.added_at"
    )
    editions: Mapped[list["Edition"]] = relationship(
        back_populates="course", order_by="Edition.starts_on"
    )
    programme: Mapped[Programme | None] = relationship(back_populates="modules")

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    @property
    def status_label(self) -> str:
        return COURSE_STATUS_LABELS[self.status]

    @property
    def group_values(self) -> list[TargetGroup]:
        return [g.group for g in self.target_groups]


class CourseTargetGroup(db.Model):
    __tablename__ = "course_target_groups"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[TargetGroup] = mapped_column(str_enum(TargetGroup), primary_key=True)

    course: Mapped[Course] = relationship(back_populates="target_groups")

    @property
    def label(self) -> str:
        return TARGET_GROUP_LABELS[self.group]


class CourseTrainer(db.Model):
    """A trainer of a course: sees and changes it, its editions and participants."""

    __tablename__ = "course_trainers"
    __table_args__ = (Index("ix_course_trainers_user", "user_id"),)

    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship(back_populates="trainers")
    user: Mapped[User] = relationship()


class RequestState(enum.StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


REQUEST_STATE_LABELS = {
    RequestState.REQUESTED: "Aangevraagd",
    RequestState.GRANTED: "Toegekend",
    RequestState.REFUSED: "Afgewezen",
}


class AccreditationRequest(db.Model):
    """A trainer's request to accredit a course; the registerbureau decides."""

    __tablename__ = "accreditation_requests"
    audit_type = "accreditation_request"
    __table_args__ = (Index("ix_accreditation_requests_state", "state", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hours_requested: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    programme_text: Mapped[str] = mapped_column(Text)
    learning_goals: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(
        str_enum(RequestState), default=RequestState.REQUESTED
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the reason of a refusal (or a remark with a grant)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    attachments: Mapped[list["RequestAttachment"]] = relationship(
        back_populates="request", order_by="RequestAttachment.id", cascade="all, delete-orphan"
    )
    accreditation: Mapped["Accreditation | None"] = relationship(back_populates="request")

    @property
    def state_label(self) -> str:
        return REQUEST_STATE_LABELS[self.state]


class RequestAttachment(db.Model):
    """A file attached to an accreditation request, stored like evidence (random name)."""

    __tablename__ = "accreditation_request_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("accreditation_requests.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[AccreditationRequest] = relationship(back_populates="attachments")


class Accreditation(db.Model):
    """The registerbureau's grant: a number, the accredited hours and a validity period.

    Hours credited to a portfolio are a copy taken when the activity is logged or the
    course completed: changing or withdrawing an accreditation never rewrites them.
    """

    __tablename__ = "accreditations"
    audit_type = "accreditation"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    #: e.g. KRSD-A-2025-014
    number: Mapped[str] = mapped_column(String(40), unique=True)
    #: hours credited for completing the course
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the trainer's request it answers (None: entered by the registerbureau directly)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("accreditation_requests.id"), unique=True
    )
    #: withdrawn from this day on (activities dated before it keep counting)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    course: Mapped[Course] = relationship(back_populates="accreditations")
    request: Mapped[AccreditationRequest | None] = relationship(back_populates="accreditation")

    def covers(self, day: date) -> bool:
        if self.withdrawn_on is not None and day >= self.withdrawn_on:
            return False
        return self.valid_from <= day <= self.valid_until

    @property
    def label(self) -> str:
        return f"{self.course.title} ({self.course.provider}) — {self.number}"


# Editions, sessions, enrolments, diplomas and calendar feeds live in edition_models; they
# are imported here so that every mapped class of the package is registered with this module.
from krsd.courses.edition_models import (  # noqa: E402
    ENROLMENT_STATE_LABELS,
    GRADE_LABELS,
    CalendarFeed,
    CourseSession,
    Diploma,
    Edition,
    Enrolment,
    EnrolmentState,
    Grade,
)

__all__ = [
    "ENROLMENT_STATE_LABELS",
    "GRADE_LABELS",
    "CalendarFeed",
    "CourseSession",
    "Diploma",
    "Edition",
    "Enrolment",
    "EnrolmentState",
    "Grade",
]
