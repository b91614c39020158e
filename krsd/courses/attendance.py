"""Results of an edition's participants: recorded one at a time or from a file.

Every change locks the edition's enrolments it touches (then, for a Leergang module, the
programme row: always in that order), sends ``signals.result_changed`` so that the portfolio
credits or withdraws the accredited hours in the same transaction, lets the Leergang issue
or guard a diploma, and is audited. A file is applied whole or not at all.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from krsd import audit
from krsd.auth.models import User
from krsd.courses import leergang
from krsd.courses.attendance_rules import Result, changes, parse_grade, parse_yes_no, result_problem
from krsd.courses.models import Edition, Enrolment, EnrolmentState, Grade
from krsd.courses.signals import CreditLocked, registration_numbers, result_changed
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date


class ResultError(Exception):
    """A result that cannot be recorded; the message is Dutch."""


@dataclass(frozen=True)
class Participant:
    enrolment: Enrolment
    registration_number: str | None

    @property
    def user(self) -> User:
        return self.enrolment.user

    @property
    def result(self) -> Result:
        return current_result(self.enrolment)


def current_result(enrolment: Enrolment) -> Result:
    grade = enrolment.grade.value if enrolment.grade else None
    return Result(enrolment.attended, enrolment.passed, grade)


def participants(edition: Edition) -> list[Participant]:
    """The seated participants by name, with their registration numbers (two queries)."""
    rows = db.session.scalars(
        select(Enrolment)
        .join(Enrolment.user)
        .where(Enrolment.edition_id == edition.id, Enrolment.state == EnrolmentState.SEATED)
        .options(contains_eager(Enrolment.user))
        .order_by(User.name, Enrolment.id)
    ).all()
    numbers = registration_numbers(e.user_id for e in rows)
    return [Participant(e, numbers.get(e.user_id)) for e in rows]


def _locked_enrolments(edition: Edition, ids: list[int] | None = None) -> dict[int, Enrolment]:
    """The edition's seated enrolments (or those of ``ids``), locked in id order, fresh."""
    query = select(Enrolment).where(
        Enrolment.edition_id == edition.id, Enrolment.state == EnrolmentState.SEATED
    )
    if ids is not None:
        query = query.where(Enrolment.id.in_(ids))
    rows = db.session.scalars(
        query.order_by(Enrolment.id)
        .with_for_update()
        .options(selectinload(Enrolment.user))
        .execution_options(populate_existing=True)
    ).all()
    return {e.id: e for e in rows}


def _change(
    edition: Edition, enrolment: Enrolment, result: Result, actor: User, today: date, source: str
) -> list[str]:
    """Record ``result`` (flushed, credited, audited); returns what changed, in Dutch."""
    course = edition.course
    problem = result_problem(
        result,
        graded=course.graded,
        today=today,
        starts_on=edition.starts_on,
        ends_on=edition.ends_on,
        show_date=nl_date,
    )
    if problem:
        raise ResultError(problem)
    old = current_result(enrolment)
    if old == result:
        return []
    was_completed = enrolment.completed
    enrolment.attended, enrolment.passed = result.attended, result.passed
    enrolment.grade = Grade(result.grade) if result.grade else None
    enrolment.result_recorded_at = utcnow()
    enrolment.result_recorded_by_id = actor.id
    db.session.flush()
    try:
        result_changed.send(enrolment, was_completed=was_completed, actor=actor)
        leergang.after_result(enrolment, actor, today)
    except (CreditLocked, leergang.DiplomaRests) as exc:
        raise ResultError(str(exc)) from exc
    audit.record(
        "courses.result_recorded",
        enrolment,
        actor=actor,
        participant=enrolment.user_id,
        edition=edition.id,
        attended=result.attended,
        passed=result.passed,
        grade=result.grade,
        completed=enrolment.completed,
        source=source,
    )
    return changes(old, result)


def record_result(
    edition: Edition, enrolment_id: int, result: Result, actor: User, today: date
) -> list[str]:
    """One participant's result, from the attendance page; commits. Returns the changes."""
    try:
        enrolment = _locked_enrolments(edition, [enrolment_id]).get(enrolment_id)
        if enrolment is None:
            raise ResultError("Deze deelnemer heeft (nu) geen plaats in deze uitvoering.")
        changed = _change(edition, enrolment, result, actor, today, "formulier")
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return changed


# --- a whole file ----------------------------------------------------------------------


@dataclass(frozen=True)
class RawRow:
    """One row of an uploaded file as typed (cells as text), with its row number."""

    row: int
    number: str = ""
    email: str = ""
    attended: str = ""
    passed: str = ""
    grade: str = ""


@dataclass(frozen=True)
class RowReport:
    row: int
    who: str
    changes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class UploadReport:
    rows: list[RowReport]
    applied: bool

    @property
    def errors(self) -> int:
        return sum(r.error is not None for r in self.rows)

    @property
    def changed(self) -> int:
        return sum(bool(r.changes) for r in self.rows)


def _typed(raw: RawRow, graded: bool) -> tuple[Result | None, str | None]:
    attended, problem_a = parse_yes_no(raw.attended, "Aanwezig")
    passed, problem_p = parse_yes_no(raw.passed, "Geslaagd")
    grade, problem_g = parse_grade(raw.grade)
    problems = [p for p in (problem_a, problem_p, problem_g) if p]
    if problems:
        return None, " ".join(problems)
    return Result(attended, passed, grade), None


def _who(
    raw: RawRow, by_number: dict[str, Participant], by_email: dict[str, Participant]
) -> tuple[Participant | None, str, str | None]:
    """The participant a row names, a label for the report, and the Dutch problem."""
    number, email = raw.number.strip().upper(), raw.email.strip().lower()
    typed = " / ".join(t for t in (raw.number.strip(), raw.email.strip()) if t) or "—"
    if not number and not email:
        return None, typed, "Vul het registratienummer of het e-mailadres van de deelnemer in."
    found_by_number = by_number.get(number) if number else None
    found_by_email = by_email.get(email) if email else None
    if number and found_by_number is None:
        return None, typed, f"Geen deelnemer van deze uitvoering met registratienummer {number}."
    if email and found_by_email is None:
        return None, typed, f"Geen deelnemer van deze uitvoering met e-mailadres {email}."
    if found_by_number and found_by_email and found_by_number is not found_by_email:
        return None, typed, "Het registratienummer en het e-mailadres horen bij twee deelnemers."
    person = found_by_number or found_by_email
    label = person.user.name + (
        f" ({person.registration_number})" if person.registration_number else ""
    )
    return person, label, None


def apply_rows(
    edition: Edition, raw_rows: list[RawRow], actor: User, today: date, *, apply: bool
) -> UploadReport:
    """Check every row by applying it; commit only when ``apply`` and no row is wrong.

    Each row runs in a savepoint, so a refused row (a locked credit, a diploma) is reported
    and the others are still checked; any error rolls everything back.
    """
    try:
        locked = _locked_enrolments(edition)
        numbers = registration_numbers(e.user_id for e in locked.values())
        people = [Participant(e, numbers.get(e.user_id)) for e in locked.values()]
        by_number = {p.registration_number.upper(): p for p in people if p.registration_number}
        by_email = {p.user.email.lower(): p for p in people}
        seen: dict[int, int] = {}
        reports = []
        for raw in raw_rows:
            person, who, problem = _who(raw, by_number, by_email)
            if person is not None and person.enrolment.id in seen:
                problem = f"Deze deelnemer staat ook in rij {seen[person.enrolment.id]}."
            result = None
            if problem is None:
                seen[person.enrolment.id] = raw.row
                result, problem = _typed(raw, edition.course.graded)
            done: list[str] = []
            if problem is None:
                merged = result.merged_into(current_result(person.enrolment))
                try:
                    with db.session.begin_nested():
                        done = _change(edition, person.enrolment, merged, actor, today, "bestand")
                except ResultError as exc:
                    problem = str(exc)
            reports.append(RowReport(raw.row, who, done, problem))
        report = UploadReport(reports, applied=apply and not any(r.error for r in reports))
    except BaseException:
        db.session.rollback()
        raise
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    return report
