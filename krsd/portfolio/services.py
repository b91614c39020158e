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
from krsd.formatting import nl_date
from krsd.portfolio.models import Activity, Evidence, regulation_in_force
from krsd.portfolio.rules import (
    FREE_TYPES,
    ActivityType,
    Category,
    Window,
    date_problem,
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


@dataclass(frozen=True)
class ActivityInput:
    category: Category
    activity_date: date
    reflection: str
    accreditation_id: int | None = None
    type: ActivityType | None = None
    title: str = ""
    provider: str = ""
    hours: Decimal | None = None


def _resolve(
    data: ActivityInput, today: date, window: Window, owner_id: int, activity_id: int | None
) -> dict:
    """Check the input against the rules; returns the column values or raises PortfolioError.

    ``activity_id`` is the activity being changed (None for a new one)."""
    regulation = regulation_in_force(today)
    problem = date_problem(data.activity_date, today, window.start)
    if problem:
        raise PortfolioError(problem, "activity_date")
    values = {"category": data.category, "activity_date": data.activity_date}
    if data.category == Category.ACCREDITED:
        accreditation = (
            db.session.get(Accreditation, data.accreditation_id) if data.accreditation_id else None
        )
        if accreditation is None:
            raise PortfolioError("Kies de geaccrediteerde opleiding uit de lijst.", "accreditation")
        if not accreditation.covers(data.activity_date):
            raise PortfolioError(
                "Op deze datum was de opleiding niet geaccrediteerd (geldig van "
                f"{accreditation.valid_from:%d-%m-%Y} tot en met "
                f"{accreditation.valid_until:%d-%m-%Y}).",
                "activity_date",
            )
        _refuse_second_entry(accreditation, data.activity_date, window, owner_id, activity_id)
        values.update(
            type=ActivityType.ACCREDITED_COURSE,
            accreditation_id=accreditation.id,
            title=accreditation.course.title,
            provider=accreditation.course.provider,
            hours=accreditation.hours,
        )
    else:
        if data.type not in FREE_TYPES:
            raise PortfolioError("Kies het soort activiteit.", "type")
        if not data.title:
            raise PortfolioError("Dit veld is verplicht.", "title")
        if data.hours is None:
            raise PortfolioError("Vul het aantal uren in.", "hours")
        if data.hours > regulation.max_activity_hours:
            raise PortfolioError(
                f"Eén activiteit telt hoogstens {regulation.max_activity_hours.normalize()} uur.",
                "hours",
            )
        values.update(
            type=data.type,
            accreditation_id=None,
            title=data.title,
            provider=data.provider,
            hours=data.hours,
        )
    values["reflection"] = data.reflection
    return values


def _refuse_second_entry(
    accreditation: Accreditation,
    day: date,
    window: Window,
    owner_id: int,
    activity_id: int | None,
) -> None:
    """An accredited course counts once per window: a second entry names the first."""
    if day not in window:
        return
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
    if first is not None:
        raise PortfolioError(
            f"Deze opleiding staat al in uw portfolio: ‘{first.title}’ op "
            f"{nl_date(first.activity_date)}. Een geaccrediteerde opleiding telt één keer "
            "per periode.",
            "accreditation",
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
        values = _resolve(data, today, window, owner.id, None)
        if not files:
            raise PortfolioError(
                "Voeg minstens één bewijsstuk toe (PDF, PNG, JPEG, DOCX of ODT).", "files"
            )
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
        values = _resolve(data, today, window, activity.owner_id, activity.id)
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
