"""The course catalogue. For now: courses and their accreditation by the registerbureau."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.database import UTCDateTime, utcnow
from krsd.extensions import db


class Course(db.Model):
    """A course as its provider describes it (editions and enrolment come later)."""

    __tablename__ = "courses"
    audit_type = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: the organisation that gives the course
    provider: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    accreditations: Mapped[list["Accreditation"]] = relationship(
        back_populates="course", order_by="Accreditation.valid_from"
    )


class Accreditation(db.Model):
    """The registerbureau's grant: a number, the accredited hours and a validity period."""

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

    course: Mapped[Course] = relationship(back_populates="accreditations")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until

    @property
    def label(self) -> str:
        return f"{self.course.title} ({self.course.provider}) — {self.number}"
