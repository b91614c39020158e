"""Portfolio use cases: log, change and delete activities, evidence, the dashboard."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from krsd import audit
from krsd.auth.models import User
from krsd.certification.models import Certificate
from krsd.certification.rules import State
from krsd.courses.models import Accreditation
from krsd.extensions import db
from krsd.portfolio import storage
from krsd.portfolio.models import Activity, Evidence, Regulation, regulation_in_force
from krsd.portfolio.rules import (
    FREE_TYPES,
    ActivityType,
    Category,
    Progress,
    Window,
    compute_progress,
    date_problem,
    first_certification_window,
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


def counting_window(
    user_id: int, today: date, regulation: Regulation
) -> tuple[Window, date | None]:
    """The window whose hours count now, and the deadline when there is one.

    A certificate holder works toward herregistratie: the current certificate's validity.
    Otherwise the three years up to today (a first certification).
    """
    certificate = db.session.scalar(
        select(Certificate)
        .where(
            Certificate.holder_id == user_id,
            Certificate.valid_from <= today,
            Certificate.valid_until >= today,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.valid_until.desc())
    )
    if certificate:
        return Window(certificate.valid_from, certificate.valid_until), certificate.valid_until
    return first_certification_window(today, regulation.cycle_years), None


def _resolve(owner: User, data: ActivityInput, today: date) -> dict:
    """Check the input against the rules; returns the column values or raises PortfolioError."""
    regulation = regulation_in_force(today)
    window, _deadline = counting_window(owner.id, today, regulation)
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


def _store_uploads(activity: Activity, uploads, written: list[str]) -> None:
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    for upload in uploads:
        stored = storage.store(upload, max_bytes)
        written.append(stored.stored_name)
        activity.evidence_files.append(
            Evidence(
                stored_name=stored.stored_name,
                label=stored.label,
                kind=stored.kind,
                size=stored.size,
                sha256=stored.sha256,
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


def log_activity(owner: User, data: ActivityInput, uploads, today: date) -> Activity:
    written: list[str] = []
    with _files_removed_on_error(written):
        values = _resolve(owner, data, today)
        uploads = [u for u in uploads if u and u.filename]
        if not uploads:
            raise PortfolioError(
                "Voeg minstens één bewijsstuk toe (PDF, PNG, JPEG, DOCX of ODT).", "files"
            )
        activity = Activity(owner_id=owner.id, **values)
        db.session.add(activity)
        _store_uploads(activity, uploads, written)
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


def update_activity(activity: Activity, data: ActivityInput, uploads, today: date) -> None:
    written: list[str] = []
    with _files_removed_on_error(written):
        _ensure_unlocked(activity)
        values = _resolve(activity.owner, data, today)
        for key, value in values.items():
            setattr(activity, key, value)
        _store_uploads(activity, [u for u in uploads if u and u.filename], written)
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
    """Unlocked, or its application waits for the applicant's additions."""
    return not activity.locked or activity.locked_by.state == State.MORE_INFO_REQUESTED


def add_evidence(activity: Activity, uploads) -> int:
    if not can_add_evidence(activity):
        raise ActivityLocked()
    uploads = [u for u in uploads if u and u.filename]
    if not uploads:
        raise PortfolioError("Kies een bestand om toe te voegen.", "files")
    written: list[str] = []
    with _files_removed_on_error(written):
        _store_uploads(activity, uploads, written)
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


@dataclass(frozen=True)
class Dashboard:
    regulation: Regulation
    window: Window
    deadline: date | None
    progress: Progress
    activities: list[Activity]
    years: list[int]
    oldest_counted: date | None


def dashboard(owner: User, today: date, category: Category | None, year: int | None) -> Dashboard:
    """Everything "Mijn portfolio" shows, in a fixed number of queries."""
    regulation = regulation_in_force(today)
    window, deadline = counting_window(owner.id, today, regulation)
    activities = db.session.scalars(
        select(Activity)
        .where(Activity.owner_id == owner.id)
        .options(
            selectinload(Activity.evidence_files),
            selectinload(Activity.locked_by),
            joinedload(Activity.accreditation).joinedload(Accreditation.course),
        )
        .order_by(Activity.activity_date.desc(), Activity.id.desc())
    ).all()
    # Activities already used by an approved application count no more.
    counted = [a for a in activities if not _used_by_earlier_decision(a)]
    progress = compute_progress([a.entry() for a in counted], regulation.terms, window)
    in_window = [a.activity_date for a in counted if a.activity_date in window]
    shown = [
        a
        for a in activities
        if (category is None or a.category == category)
        and (year is None or a.activity_date.year == year)
    ]
    years = sorted({a.activity_date.year for a in activities}, reverse=True)
    return Dashboard(
        regulation, window, deadline, progress, shown, years, min(in_window, default=None)
    )


def _used_by_earlier_decision(activity: Activity) -> bool:
    # Locked by an approved application: it counted for that certificate already.
    return activity.locked and activity.locked_by.state == State.APPROVED


def activities_for_pdf(owner: User, window: Window) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.owner_id == owner.id,
                Activity.activity_date >= window.start,
                Activity.activity_date <= window.end,
            )
            .options(selectinload(Activity.evidence_files))
            .order_by(Activity.activity_date)
        )
    )
