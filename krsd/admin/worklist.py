"""The worklist "verloopt binnenkort": certificates ending in the next months, with what each
holder still misses for the renewal today, and whether a renewal is pending.

The hours are summed in SQL per certificate and counted by the portfolio's own rule through
``certification.daily.renewal_progress`` (the reminders' counting), for a page of the list or
for the whole list at once (the export), in a constant number of queries.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.certification import daily, progress
from krsd.certification.daily_sql import succeeded
from krsd.certification.models import Certificate
from krsd.extensions import db
from krsd.portfolio.rules import Progress

#: the horizons the registerbureau chooses from (months ahead); the first default is 6
MONTH_CHOICES = (3, 6, 12)
DEFAULT_MONTHS = 6
PER_PAGE = 50

#: the export's columns, in order (Dutch, as the spreadsheet shows them)
COLUMNS = (
    "Registratienummer",
    "Naam",
    "E-mail",
    "Geldig tot en met",
    "Herregistratie aangevraagd",
    "Geaccrediteerde uren",
    "Vrije ruimte (telt mee)",
    "Uren totaal (telt mee)",
    "Ontbreekt geaccrediteerd",
    "Ontbreekt totaal",
)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ExpiringCertificate:
    """One line of the worklist. ``progress`` is None while a renewal is pending: its
    activities are held by that application, which the commission now judges."""

    certificate_id: int
    registration_number: str
    name: str
    email: str
    valid_until: date
    renewal_pending: bool
    progress: Progress | None


@dataclass(frozen=True)
class WorklistPage:
    """One page of the worklist, shaped for the ``pager`` macro."""

    items: list[ExpiringCertificate]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _criteria(today: date, months: int) -> tuple:
    """SQL: valid today, ending between today and the horizon, not yet succeeded by a renewal."""
    return (
        Certificate.valid_until >= today,
        Certificate.valid_until <= add_months(today, months),
        Certificate.valid_on(today),
        ~succeeded(),
    )


def _rows(today: date, months: int):
    return (
        select(
            Certificate.id,
            Certificate.registration_number,
            Certificate.valid_from,
            Certificate.valid_until,
            User.name,
            User.email,
            Certificate.renewal_pending_clause().label("renewal_pending"),
        )
        .join(User, User.id == Certificate.holder_id)
        .where(*_criteria(today, months))
        .order_by(Certificate.valid_until, Certificate.registration_number, Certificate.id)
    )


def _lines(rows, today: date, *criteria) -> list[ExpiringCertificate]:
    terms = progress.regulation_on(today).terms
    counted = daily.renewal_progress(rows, today, terms, *criteria)
    return [
        ExpiringCertificate(
            row.id,
            row.registration_number,
            row.name,
            row.email,
            row.valid_until,
            bool(row.renewal_pending),
            None if row.renewal_pending else counted[row.id],
        )
        for row in rows
    ]


def worklist_page(today: date, months: int, number: int) -> WorklistPage:
    """One page (PER_PAGE lines, sorted by end date): three queries whatever the size."""
    total = db.session.scalar(
        select(func.count()).select_from(Certificate).where(*_criteria(today, months))
    )
    pages = max(1, -(-total // PER_PAGE))
    number = min(max(number, 1), pages)
    rows = db.session.execute(
        _rows(today, months).limit(PER_PAGE).offset((number - 1) * PER_PAGE)
    ).all()
    return WorklistPage(_lines(rows, today), number, pages, total)


def worklist_all(today: date, months: int) -> list[ExpiringCertificate]:
    """The whole list; the hours of all its certificates summed in one aggregated query."""
    rows = db.session.execute(_rows(today, months)).all()
    return _lines(rows, today, *_criteria(today, months))


def _hours(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def worklist_frame(lines: list[ExpiringCertificate]):
    """The list as a pandas DataFrame with Dutch columns, dates as dates, hours as numbers."""
    import pandas as pd  # half a second to import: only downloads need it

    records = []
    for line in lines:
        p = line.progress
        records.append(
            (
                line.registration_number,
                line.name,
                line.email,
                line.valid_until,
                "ja" if line.renewal_pending else "nee",
                _hours(p and p.accredited),
                _hours(p and p.free_counted),
                _hours(p and p.total_counted),
                _hours(p and p.missing_accredited),
                _hours(p and p.missing_total),
            )
        )
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    # Hour columns stay numeric (empty while a renewal is pending).
    for column in COLUMNS[5:]:
        frame[column] = frame[column].astype("float64")
    return frame
