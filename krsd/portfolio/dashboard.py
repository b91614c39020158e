"""*Mijn portfolio* as it is shown: the bars from summed rows, one page of the list, and
the activities of a window for the PDF. Reads only; a constant number of statements."""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from krsd.auth.models import User
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence, Regulation, regulation_in_force
from krsd.portfolio.rules import (
    ActivityType,
    Category,
    Entry,
    Labelled,
    Progress,
    Window,
    compute_progress,
    leaves_first_window,
)

#: activities per page of *Mijn portfolio*
PER_PAGE = 25


@dataclass(frozen=True, slots=True)
class Listed(Labelled):
    """An activity as the portfolio's list shows it, with its number of evidence files:
    the columns the list shows only (plain rows, no ORM objects: 25 per page view)."""

    id: int
    activity_date: date
    title: str
    provider: str | None
    category: Category
    type: ActivityType
    hours: Decimal
    verified: bool
    locked: bool
    evidence_count: int


@dataclass(frozen=True)
class Dropping:
    """For a first certification: the oldest hours now counted leave the rolling window."""

    #: the first day they no longer count
    day: date
    #: the hours of the activities of that oldest day
    hours: Decimal


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
    #: without a deadline (a first certification): when the oldest counted hours stop
    #: counting, and how many they are
    dropping: Dropping | None
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
    # The oldest day that counts (an uncorrelated subquery: run once), so that the hours
    # of that day come with the sums instead of from one more statement.
    other = aliased(Activity)
    oldest = (
        select(func.min(other.activity_date))
        .where(
            other.owner_id == bindparam("owner_id"),
            other.activity_date >= bindparam("start"),
            other.activity_date <= bindparam("end"),
            or_(
                other.locked_by_application_id.is_(None),
                ~other.locked_by.has(application.used_by_decision),
            ),
        )
        .scalar_subquery()
    )
    return (
        select(
            year.label("year"),
            Activity.category,
            Activity.type,
            Activity.accreditation_id,
            case((in_window, True), else_=False).label("in_window"),
            # most activities are held by no application: no look at applications for them
            case(
                (Activity.locked_by_application_id.is_(None), False), (used, True), else_=False
            ).label("used"),
            func.count().label("n"),
            func.sum(Activity.hours).label("hours"),
            func.max(Activity.hours).label("most_hours"),
            func.min(Activity.activity_date).label("first_day"),
            func.max(Activity.activity_date).label("last_day"),
            func.sum(case((Activity.activity_date == oldest, Activity.hours), else_=0)).label(
                "oldest_hours"
            ),
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
    # Core rows from the session's connection: the ORM adds nothing to sums.
    return db.session.connection().execute(_groups_statement(), params).all()


@functools.cache
def _page_statement(by_category: bool, by_year: bool):
    """One page of the owner's activities, newest first, each with its number of files."""
    evidence = (
        select(func.count(Evidence.id))
        .where(Evidence.activity_id == Activity.id)
        .correlate(Activity)
        .scalar_subquery()
    )
    listed = select(
        Activity.id,
        Activity.activity_date,
        Activity.title,
        Activity.provider,
        Activity.category,
        Activity.type,
        Activity.hours,
        Activity.verified,
        Activity.locked_by_application_id.is_not(None),
        evidence,
    ).where(Activity.owner_id == bindparam("owner_id"))
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


@dataclass(frozen=True)
class Counted:
    """The hours that count now, from the summed rows (one statement)."""

    progress: Progress
    oldest_counted: date | None
    dropping: Dropping | None


def _counted(groups, window: Window, deadline: date | None, regulation: Regulation) -> Counted:
    progress = compute_progress(_entries(groups), regulation.terms, window)
    counted = [g for g in groups if g.in_window and not g.used]
    oldest = min((g.first_day for g in counted), default=None)
    dropping = None
    if deadline is None and oldest is not None:
        hours = sum((Decimal(g.oldest_hours) for g in counted), Decimal(0))
        dropping = Dropping(leaves_first_window(oldest, regulation.cycle_years), hours)
    return Counted(progress, oldest, dropping)


def counted_hours(
    owner_id: int, counting: tuple[Window, date | None], regulation: Regulation
) -> Counted:
    """What the bars of "Mijn portfolio" show, for pages that show only that (the home
    page): one statement whatever the size of the portfolio."""
    window, deadline = counting
    return _counted(_groups(owner_id, window), window, deadline, regulation)


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
    counted = _counted(groups, window, deadline, regulation)
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
    rows = db.session.connection().execute(statement, params).all()
    return Dashboard(
        regulation,
        window,
        deadline,
        counted.progress,
        [Listed(*row) for row in rows],
        sorted(per_year.items(), reverse=True),
        counted.oldest_counted,
        counted.dropping,
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


@dataclass(frozen=True)
class PeriodOverview:
    """What the PDF of an earlier period prints above its activities."""

    regulation: Regulation
    window: Window
    progress: Progress


def period_overview(owner: User, window: Window) -> tuple[PeriodOverview, list[Activity]]:
    """An earlier period: every activity dated in it, and the count over them all (those an
    application used included: they are what the period earned)."""
    activities = activities_for_pdf(owner, window)
    regulation = regulation_in_force(window.end)
    entries = [a.entry() for a in activities]
    progress = compute_progress(entries, regulation.terms, window)
    return PeriodOverview(regulation, window, progress), activities
