"""Portfolio use cases: log, change and delete activities and their evidence."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from krsd import audit, storage
from krsd.auth.models import User
from krsd.courses.models import Accreditation
from krsd.extensions import db
from krsd.formatting import nl_date, nl_hours
from krsd.portfolio.models import Activity, Evidence, regulation_in_force
from krsd.portfolio.rules import (
    FREE_TYPES,
    REFLECTION_QUESTIONS,
    ActivityType,
    Category,
    Window,
    date_problem,
    reflection_problem,
)


class PortfolioError(Exception):
    """Refused input; ``field`` names the form field the Dutch message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ActivityLocked(PortfolioError):
    def __init__(self):
        super().__init__(
            "Deze activiteit hoort bij een ingediende of goedgekeurde aanvraag en kan niet "
            "meer worden gewijzigd of verwijderd."
        )


class CreditedByTrainer(PortfolioError):
    def __init__(self):
        super().__init__(
            "Deze activiteit is door de opleider op het platform geregistreerd en kan niet "
            "worden gewijzigd. Klopt er iets niet, neem dan contact op met de opleider."
        )


class ActivityRefused(PortfolioError):
    """Input refused for one or more reasons at once: ``problems`` maps each form field
    to its Dutch message (the first is also the exception's own message and field)."""

    def __init__(self, problems: dict[str, str]):
        field, message = next(iter(problems.items()))
        super().__init__(message, field)
        self.problems = problems


@dataclass(frozen=True)
class ActivityInput:
    """What the professional typed; a value the form could not read is None."""

    category: Category | None
    activity_date: date | None
    accreditation_id: int | None = None
    type: ActivityType | None = None
    title: str = ""
    provider: str = ""
    hours: Decimal | None = None
    #: the answers to the guided reflection (rules.REFLECTION_QUESTIONS)
    reflection_learned: str = ""
    reflection_applied: str = ""
    reflection_change: str = ""


def activity_problems(
    data: ActivityInput,
    today: date,
    window: Window,
    owner_id: int,
    activity_id: int | None = None,
    *,
    evidence_needed: bool = False,
) -> dict[str, str]:
    """Every problem with the input at once, form field → Dutch message; empty when fine.

    The form calls it before anything is written, so that one submit shows all messages;
    the use cases below check again inside their transaction."""
    return _check(data, today, window, owner_id, activity_id, evidence_needed)[1]


def _check(
    data: ActivityInput,
    today: date,
    window: Window,
    owner_id: int,
    activity_id: int | None,
    evidence_needed: bool,
) -> tuple[dict, dict[str, str]]:
    """The column values and the problems of the input (``activity_id``: the activity being
    changed, None for a new one)."""
    problems: dict[str, str] = {}
    day = data.activity_date
    if day is None:
        problems["activity_date"] = "Vul de datum in."
    elif problem := date_problem(day, today, window.start, nl_date):
        problems["activity_date"] = problem
    values: dict = {"category": data.category, "activity_date": day}
    if data.category == Category.ACCREDITED:
        values.update(_accredited(data, window, owner_id, activity_id, problems))
    elif data.category == Category.FREE:
        values.update(_free(data, regulation_in_force(today).max_activity_hours, problems))
    else:
        problems["category"] = "Kies geaccrediteerd of vrije ruimte."
    for question in REFLECTION_QUESTIONS:
        name = f"reflection_{question.key}"
        answer = (getattr(data, name) or "").strip()
        if problem := reflection_problem(answer, question.required):
            problems[name] = problem
        values[name] = answer or None
    values["reflection"] = ""  # the answers take the place of an earlier free text
    if evidence_needed:
        problems["files"] = "Voeg minstens één bewijsstuk toe (PDF, PNG, JPEG, DOCX of ODT)."
    return values, problems


def _accredited(
    data: ActivityInput,
    window: Window,
    owner_id: int,
    activity_id: int | None,
    problems: dict[str, str],
) -> dict:
    accreditation = (
        db.session.get(Accreditation, data.accreditation_id) if data.accreditation_id else None
    )
    if accreditation is None:
        problems["accreditation"] = "Kies de geaccrediteerde opleiding uit de lijst."
        return {}
    day = data.activity_date
    # A date that is wrong in itself cannot be checked against the accreditation.
    if "activity_date" not in problems:
        if not accreditation.covers(day):
            problems["activity_date"] = (
                "Op deze datum was de opleiding niet geaccrediteerd (geldig van "
                f"{nl_date(accreditation.valid_from)} tot en met "
                f"{nl_date(accreditation.valid_until)})."
            )
        elif problem := _second_entry(accreditation, day, window, owner_id, activity_id):
            problems["accreditation"] = problem
    return {
        "type": ActivityType.ACCREDITED_COURSE,
        "accreditation_id": accreditation.id,
        "title": accreditation.course.title,
        "provider": accreditation.course.provider,
        "hours": accreditation.hours,
    }


def _free(data: ActivityInput, max_hours: Decimal, problems: dict[str, str]) -> dict:
    if data.type not in FREE_TYPES:
        problems["type"] = "Kies het soort activiteit."
    if not data.title:
        problems["title"] = "Dit veld is verplicht."
    if data.hours is None:
        problems["hours"] = "Vul het aantal uren in."
    elif data.hours > max_hours:
        problems["hours"] = f"Eén activiteit telt hoogstens {nl_hours(max_hours)} uur."
    return {
        "type": data.type,
        "accreditation_id": None,
        "title": data.title,
        "provider": data.provider,
        "hours": data.hours,
    }


def _second_entry(
    accreditation: Accreditation,
    day: date,
    window: Window,
    owner_id: int,
    activity_id: int | None,
) -> str | None:
    """An accredited course counts once per window: a second entry names the first."""
    if day not in window:
        return None
    first = db.session.scalar(
        select(Activity)
        .where(
            Activity.owner_id == owner_id,
            Activity.accreditation_id == accreditation.id,
            Activity.activity_date >= window.start,
            Activity.activity_date <= window.end,
            Activity.id != (activity_id or 0),
        )
        .order_by(Activity.activity_date, Activity.id)
        .limit(1)
    )
    if first is None:
        return None
    return (
        f"Deze opleiding staat al in uw portfolio: ‘{first.title}’ op "
        f"{nl_date(first.activity_date)}. Een geaccrediteerde opleiding telt één keer "
        "per periode."
    )


def _place_files(activity: Activity, files: list[storage.StagedFile], written: list[str]) -> None:
    """Move staged files into place and record them (the caller's transaction commits)."""
    for staged in files:
        stored_name = storage.place(staged)
        written.append(stored_name)
        activity.evidence_files.append(
            Evidence(
                stored_name=stored_name,
                label=staged.label,
                kind=staged.kind,
                size=staged.size,
                sha256=staged.sha256,
            )
        )


@contextmanager
def _files_removed_on_error(written: list[str]):
    """One transaction with its files: when anything fails, no file written stays behind."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        storage.remove(written)
        raise


def log_activity(
    owner: User,
    data: ActivityInput,
    files: list[storage.StagedFile],
    today: date,
    window: Window,
) -> Activity:
    """A new activity with its evidence; ``files`` were staged before the transaction.

    ``window`` is the period whose hours count now (certification knows which)."""
    written: list[str] = []
    with _files_removed_on_error(written):
        values, problems = _check(data, today, window, owner.id, None, not files)
        if problems:
            raise ActivityRefused(problems)
        activity = Activity(owner_id=owner.id, **values)
        db.session.add(activity)
        _place_files(activity, files, written)
        db.session.flush()
        audit.record(
            "portfolio.activity_logged",
            activity,
            actor=owner,
            category=activity.category.value,
            hours=str(activity.hours),
            files=len(written),
        )
        db.session.commit()
    return activity


def _ensure_unlocked(activity: Activity) -> None:
    if activity.locked:
        raise ActivityLocked()


def update_activity(
    activity: Activity,
    data: ActivityInput,
    files: list[storage.StagedFile],
    today: date,
    window: Window,
) -> None:
    written: list[str] = []
    with _files_removed_on_error(written):
        if activity.enrolment_id is not None:
            raise CreditedByTrainer()
        _ensure_unlocked(activity)
        values, problems = _check(data, today, window, activity.owner_id, activity.id, False)
        if problems:
            raise ActivityRefused(problems)
        for key, value in values.items():
            setattr(activity, key, value)
        _place_files(activity, files, written)
        audit.record("portfolio.activity_changed", activity, actor=activity.owner)
        db.session.commit()


def delete_activity(activity: Activity) -> None:
    _ensure_unlocked(activity)
    names = [e.stored_name for e in activity.evidence_files]
    audit.record(
        "portfolio.activity_deleted",
        activity,
        actor=activity.owner,
        title=activity.title,
        hours=str(activity.hours),
    )
    db.session.delete(activity)
    db.session.commit()
    storage.remove(names)  # only after the commit: a failed delete keeps its files


def can_add_evidence(activity: Activity) -> bool:
    """Unlocked, or its application waits for the applicant's additions; never for an
    activity a course credited (verified, and removed whole when the result changes)."""
    if activity.enrolment_id is not None:
        return False
    return not activity.locked or activity.locked_by.accepts_additions


def add_evidence(activity: Activity, files: list[storage.StagedFile]) -> int:
    if not can_add_evidence(activity):
        raise ActivityLocked()
    if not files:
        raise PortfolioError("Kies een bestand om toe te voegen.", "files")
    written: list[str] = []
    with _files_removed_on_error(written):
        _place_files(activity, files, written)
        audit.record("portfolio.evidence_added", activity, actor=activity.owner, files=len(written))
        db.session.commit()
    return len(written)


def delete_evidence(evidence: Evidence) -> None:
    activity = evidence.activity
    _ensure_unlocked(activity)
    if len(activity.evidence_files) == 1 and not activity.verified:
        raise PortfolioError("Een activiteit houdt minstens één bewijsstuk.")
    name = evidence.stored_name
    audit.record("portfolio.evidence_deleted", activity, actor=activity.owner, label=evidence.label)
    db.session.delete(evidence)
    db.session.commit()
    storage.remove([name])


def record_evidence_download(evidence: Evidence, reader: User, application_id: int | None) -> None:
    """Someone other than the owner downloads evidence: written down and committed."""
    audit.record(
        "portfolio.evidence_downloaded",
        evidence,
        actor=reader,
        application_id=application_id,
        activity_id=evidence.activity_id,
    )
    db.session.commit()
