"""Portfolio use cases: log, change and delete activities, evidence, the dashboard."""

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import selectinload

from krsd import audit, storage
from krsd.auth.models import User
from krsd.courses.models import Accreditation
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.portfolio.models import Activity, Evidence, Regulation, regulation_in_force
from krsd.portfolio.rules import (
    FREE_TYPES,
    ActivityType,
    Category,
    Entry,
    Progress,
    Window,
    compute_progress,
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


#: activities per page of *Mijn portfolio*
PER_PAGE = 25


@dataclass(frozen=True)
class Listed:
    """An activity as the portfolio's list shows it, with its number of evidence files."""

    activity: Activity
    evidence_count: int


@dataclass(frozen=True)
class Dashboard:
    regulation: Regulation
    window: Window
    deadline: date | None
    progress: Progress
    #: the page of activities shown (filtered), newest first
    activities: list[Listed]
    #: every year with activities, newest first, and how many each has
    years: list[tuple[int, int]]
    oldest_counted: date | None
    #: how many activities the filter matches, the page shown and the number of pages
    matching: int
    page: int
    pages: int


@functools.cache
def _groups_statement():
    """Built once (with parameters), like every statement of this page."""
    year = func.extract("year", Activity.activity_date)
    in_window = and_(
        Activity.activity_date >= bindparam("start"), Activity.activity_date <= bindparam("end")
    )
    # Held by an approved application: they counted for that certificate and count no more.
    application = Activity.locked_by.property.mapper.class_
    used = Activity.locked_by.has(application.used_by_decision)
    return (
        select(
            year.label("year"),
            Activity.category,
            Activity.type,
            Activity.accreditation_id,
            case((in_window, True), else_=False).label("in_window"),
            case((used, True), else_=False).label("used"),
            func.count().label("n"),
            func.sum(Activity.hours).label("hours"),
            func.max(Activity.hours).label("most_hours"),
            func.min(Activity.activity_date).label("first_day"),
            func.max(Activity.activity_date).label("last_day"),
        )
        .where(Activity.owner_id == bindparam("owner_id"))
        .group_by(
            year, Activity.category, Activity.type, Activity.accreditation_id, "in_window", "used"
        )
    )


def _groups(owner_id: int, window: Window):
    """The owner's activities summed per year, kind and accreditation: a few dozen rows
    whatever the size of the portfolio, from the covering index on activities."""
    params = {"owner_id": owner_id, "start": window.start, "end": window.end}
    return db.session.execute(_groups_statement(), params).all()


@functools.cache
def _page_statement(by_category: bool, by_year: bool):
    """One page of the owner's activities, newest first, each with its number of files."""
    evidence = (
        select(func.count(Evidence.id))
        .where(Evidence.activity_id == Activity.id)
        .correlate(Activity)
        .scalar_subquery()
    )
    listed = select(Activity, evidence).where(Activity.owner_id == bindparam("owner_id"))
    if by_category:
        listed = listed.where(Activity.category == bindparam("category"))
    if by_year:
        listed = listed.where(
            Activity.activity_date >= bindparam("year_start"),
            Activity.activity_date <= bindparam("year_end"),
        )
    return (
        listed.order_by(Activity.activity_date.desc(), Activity.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _entries(groups) -> list[Entry]:
    """The groups that count, as entries for the rules: an accredited course's group by its
    longest activity (it counts once per window), any other group by its sum."""
    return [
        Entry(
            Category(g.category),
            ActivityType(g.type),
            Decimal(g.most_hours if g.accreditation_id else g.hours),
            g.last_day,
            key=(int(g.year), g.category, g.type, g.accreditation_id),
            once=g.accreditation_id,
        )
        for g in groups
        if g.in_window and not g.used
    ]


def dashboard(
    owner: User,
    today: date,
    category: Category | None,
    year: int | None,
    page: int,
    counting: tuple[Window, date | None],
    regulation: Regulation,
) -> Dashboard:
    """Everything "Mijn portfolio" shows in two queries whatever the size: the bars and the
    years from aggregated rows, and one page of the list."""
    window, deadline = counting
    groups = _groups(owner.id, window)
    progress = compute_progress(_entries(groups), regulation.terms, window)
    counted = [g.first_day for g in groups if g.in_window and not g.used]
    per_year: dict[int, int] = {}
    matching = 0
    for g in groups:
        per_year[int(g.year)] = per_year.get(int(g.year), 0) + g.n
        if (category is None or g.category == category) and (year is None or int(g.year) == year):
            matching += g.n
    pages = max(1, -(-matching // PER_PAGE))
    page = max(1, min(page, pages))
    params = {"owner_id": owner.id, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}
    if category is not None:
        params["category"] = category
    if year is not None:
        params["year_start"], params["year_end"] = date(year, 1, 1), date(year, 12, 31)
    statement = _page_statement(category is not None, year is not None)
    rows = db.session.execute(statement, params).all()
    return Dashboard(
        regulation,
        window,
        deadline,
        progress,
        [Listed(activity, count) for activity, count in rows],
        sorted(per_year.items(), reverse=True),
        min(counted, default=None),
        matching,
        page,
        pages,
    )


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
