"""The Leergang Leerplicht/RMC: a person's progress through its modules and the diploma.

A programme's modules are the courses the registerbureau gave its ``programme_id`` and a
``module_number`` (1..module_count). The diploma is issued in the transaction that records
the last module's voldoende; a correction that would take away a module it rests on is
refused.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from krsd import audit
from krsd.auth.models import User
from krsd.courses.diploma_pdf import DiplomaData, render_diploma
from krsd.courses.leergang_rules import (
    MODULE_STATUS_LABELS,
    Attempt,
    ModuleStatus,
    module_status,
    new_diploma_code,
    normalise_diploma_code,
    programme_completed,
)
from krsd.courses.models import Course, Diploma, Edition, Enrolment, Programme
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import send_mail
from krsd.urls import external_url

#: the programme of the Leergang (a row the courses migration inserts)
LEERGANG_CODE = "leergang-leerplicht-rmc"


class DiplomaRests(Exception):
    """A result a diploma rests on cannot be taken away; the message is Dutch."""


@dataclass(frozen=True)
class ModuleProgress:
    number: int
    #: the module's course (None while the registerbureau has not assigned one)
    course: Course | None
    status: ModuleStatus

    @property
    def status_label(self) -> str:
        return MODULE_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: Programme
    modules: list[ModuleProgress]
    diploma: Diploma | None

    @property
    def completed(self) -> bool:
        return programme_completed((m.status for m in self.modules), self.programme.module_count)

    @property
    def passed_count(self) -> int:
        return sum(m.status == ModuleStatus.PASSED for m in self.modules)


def leergang_programme() -> Programme:
    return db.session.scalars(select(Programme).where(Programme.code == LEERGANG_CODE)).one()


def progress(user_id: int, programme: Programme) -> ProgrammeProgress:
    """Per module passed / enrolled / waiting / not passed / not started, and the diploma."""
    courses = {
        c.module_number: c
        for c in db.session.scalars(select(Course).where(Course.programme_id == programme.id))
    }
    enrolments = db.session.scalars(
        select(Enrolment)
        .join(Enrolment.edition)
        .join(Edition.course)
        .where(Enrolment.user_id == user_id, Course.programme_id == programme.id)
        .options(contains_eager(Enrolment.edition).contains_eager(Edition.course))
    ).all()
    attempts: dict[int, list[Attempt]] = {}
    for e in enrolments:
        attempts.setdefault(e.edition.course.module_number, []).append(
            Attempt(state=e.state.value, passed=e.passed, completed=e.completed)
        )
    diploma = db.session.scalar(
        select(Diploma).where(Diploma.user_id == user_id, Diploma.programme_id == programme.id)
    )
    modules = [
        ModuleProgress(n, courses.get(n), module_status(attempts.get(n, [])))
        for n in range(1, programme.module_count + 1)
    ]
    return ProgrammeProgress(programme, modules, diploma)


def after_result(enrolment: Enrolment, actor: User, today: date) -> Diploma | None:
    """After a module's result changed (flushed): issue the diploma when every module is
    passed now; refuse the change when it takes away a module a diploma rests on."""
    programme_id = enrolment.edition.course.programme_id
    if programme_id is None:
        return None
    # One result at a time per programme: two trainers recording the last two modules of one
    # person at the same moment would otherwise each miss the other's (PostgreSQL).
    programme = db.session.scalars(
        select(Programme).where(Programme.id == programme_id).with_for_update()
    ).one()
    state = progress(enrolment.user_id, programme)
    if state.diploma is not None:
        if not state.completed:
            raise DiplomaRests(
                f"{enrolment.user.name} kreeg op {nl_date(state.diploma.issued_on)} het diploma "
                f"van de {programme.name}; dit resultaat is daar een onderdeel van en kan niet "
                "meer worden gewijzigd. Neem contact op met het registerbureau."
            )
        return None
    if state.completed:
        return issue_diploma(enrolment.user, programme, today, actor)
    return None


def _unused_code() -> str:
    while True:
        code = new_diploma_code()
        if not db.session.scalar(select(Diploma.id).where(Diploma.verification_code == code)):
            return code


def issue_diploma(user: User, programme: Programme, today: date, actor: User) -> Diploma:
    """Add the diploma, audit and mail it (the caller commits)."""
    diploma = Diploma(
        user_id=user.id,
        programme_id=programme.id,
        verification_code=_unused_code(),
        holder_name=user.name,
        issued_on=today,
    )
    db.session.add(diploma)
    db.session.flush()
    audit.record(
        "courses.diploma_issued",
        diploma,
        actor=actor,
        holder=user.id,
        programme=programme.code,
        verification_code=diploma.verification_code,
    )
    send_mail(
        user.email,
        f"Uw diploma {programme.name}",
        "diploma_issued",
        user=user,
        programme=programme,
        diploma=diploma,
        link=external_url("courses.leergang"),
        verification_link=verification_url(diploma.verification_code),
    )
    return diploma


def verification_url(code: str) -> str:
    """The address in the QR code and under it: on KRSD_PUBLIC_URL."""
    return external_url("courses.diploma_verify", code=code)


def diploma_for_code(text: str) -> Diploma | None:
    code = normalise_diploma_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Diploma).where(Diploma.verification_code == code))


def _module_line(module: ModuleProgress) -> str:
    title = module.course.title
    return title if title.lower().startswith("module") else f"Module {module.number}: {title}"


def diploma_pdf(diploma: Diploma, modules: list[ModuleProgress]) -> bytes:
    data = DiplomaData(
        name=diploma.holder_name,
        programme=diploma.programme.name,
        modules=[_module_line(m) for m in modules if m.course],
        issued_on=diploma.issued_on,
        verification_code=diploma.verification_code,
        verification_url=verification_url(diploma.verification_code),
    )
    return render_diploma(data, current_app.config["PDF_FONT_DIR"])
