"""*Mijn portfolio* as it is shown: the bars from summed rows, one page of the list, and
the activities of a window for the PDF. Reads only; a constant number of statements."""

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import selectinload

from krsd.auth.models import User
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence, Regulation
from krsd.portfolio.rules import (
    ActivityType,
    Category,
    Entry,
    Progress,
    Window,
    compute_progress,
)

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
