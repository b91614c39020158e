"""Pure rules of the three-year cycle: renewal window, validity without gaps, reminders,
extensions and appeals. Dates in, dates out; ``today`` is always a parameter."""

import calendar
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from krsd.portfolio.rules import Window, add_years


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day:
    31 August − 6 months = 28 (29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class CycleTerms:
    """The regulation's numbers that the cycle needs."""

    cycle_years: int
    renewal_window_months: int
    reminder_days: tuple[int, ...]
    max_extension_months: int
    appeal_weeks: int


def renewal_opens(end: date, terms: CycleTerms) -> date:
    """The first day a renewal can be submitted: ``renewal_window_months`` before the end."""
    return add_months(end, -terms.renewal_window_months)


def renewal_window_open(end: date, today: date, terms: CycleTerms) -> bool:
    """Renewal can be submitted from the opening day up to and including the last valid day."""
    return renewal_opens(end, terms) <= today <= end


def renewal_hours_window(valid_from: date, end: date, today: date) -> Window:
    """Hours that count for a renewal: earned within the current validity, up to today."""
    return Window(valid_from, min(today, end))


class Route(enum.StrEnum):
    """What a person can apply for today."""

    #: no current certificate (never certified, expired without renewal, revoked)
    FIRST = "first"
    #: a current certificate whose renewal window is open
    RENEWAL = "renewal"
    #: a current certificate whose renewal window opens later
    RENEWAL_LATER = "renewal_later"
    #: past the last valid day (only while a renewal submitted in time is pending)
    CLOSED = "closed"
    #: a certificate of theirs is suspended: no application until the suspension ends
    SUSPENDED = "suspended"


def application_route(
    end: date | None,
    today: date,
    terms: CycleTerms,
    *,
    suspended: bool,
    original_end: date | None = None,
) -> Route:
    """What may be applied for today, from the (possibly extended) end of the current
    certificate, or None without one.

    A holder renews, within the window, and never starts a second first certification;
    once a certificate has expired without renewal, a first certification again. An
    extension moves the last day, not the opening day: the window stays open.
    """
    if suspended:
        return Route.SUSPENDED
    if end is None:
        return Route.FIRST
    if today < renewal_opens(original_end or end, terms):
        return Route.RENEWAL_LATER
    if today <= end:
        return Route.RENEWAL
    return Route.CLOSED


def renewal_validity(
    previous_end: date, original_end: date | None, cycle_years: int
) -> tuple[date, date]:
    """The renewed certificate: from the day after the (possibly extended) end, until where
    it would have ended without the extension, so the three-year rhythm is kept."""
    start = previous_end + timedelta(days=1)
    rhythm_start = (original_end or previous_end) + timedelta(days=1)
    return start, add_years(rhythm_start, cycle_years) - timedelta(days=1)


def reminder_due(end: date, today: date, days: tuple[int, ...], sent: set[int]) -> int | None:
    """The reminder to send today (days before the end), or None.

    Only the latest reminder that fell due is sent: a job that did not run for a week sends
    the 90-day reminder, not also the 180-day one; each at most once.
    """
    if today > end:
        return None
    due = [d for d in days if today >= end - timedelta(days=d)]
    if not due:
        return None
    latest = min(due)
    return None if latest in sent else latest


def expired(end: date, today: date, *, renewal_pending: bool) -> bool:
    """The day after the end, without a pending renewal, the certificate has expired."""
    return today > end and not renewal_pending


def suspended_on(suspended: bool, suspended_until: date | None, today: date) -> bool:
    """A suspension holds until its end date (included) or until it is lifted."""
    return suspended and (suspended_until is None or today <= suspended_until)


def extension_problem(
    end: date,
    original_end: date,
    new_end: date,
    terms: CycleTerms,
    show_date: Callable[[date], str] = date.isoformat,
) -> str | None:
    """Why an extension to ``new_end`` cannot be granted (Dutch), or None. ``show_date``
    writes a date (the caller passes krsd.formatting's, which this module cannot import)."""
    latest = add_months(original_end, terms.max_extension_months)
    if new_end <= end:
        return "De nieuwe einddatum moet na de huidige einddatum liggen."
    if new_end > latest:
        months = terms.max_extension_months
        return (
            f"Uitstel kan hoogstens {months} {'maand' if months == 1 else 'maanden'}: "
            f"uiterlijk tot en met {show_date(latest)}."
        )
    return None


def extension_grant_problem(
    end: date,
    original_end: date,
    new_end: date,
    today: date,
    terms: CycleTerms,
    show_date: Callable[[date], str] = date.isoformat,
) -> str | None:
    """Why the registerbureau cannot grant an extension to ``new_end`` today (Dutch), or None:
    as :func:`extension_problem`, and an end that has already passed helps nobody."""
    if new_end < today:
        return "De nieuwe einddatum ligt in het verleden."
    return extension_problem(end, original_end, new_end, terms, show_date)


def extension_request_problem(
    end: date,
    today: date,
    terms: CycleTerms,
    *,
    valid: bool,
    renewal_pending: bool,
    show_date: Callable[[date], str] = date.isoformat,
) -> str | None:
    """Why a holder cannot ask for an extension today (Dutch), or None.

    Only while the renewal window is open, for a valid certificate without a renewal
    already submitted (that keeps the certificate valid until the decision anyway).
    """
    if not valid:
        return "Uitstel kan alleen voor een geldig certificaat."
    if renewal_pending:
        return (
            "U heeft herregistratie al aangevraagd; uw certificaat blijft geldig tot het besluit."
        )
    if not renewal_window_open(end, today, terms):
        opens = renewal_opens(end, terms)
        if today < opens:
            return (
                "Uitstel kunt u aanvragen zodra herregistratie openstaat, vanaf "
                f"{show_date(opens)}."
            )
        return "Uw certificaat is verlopen; uitstel kan alleen vóór de einddatum."
    return None


def appeal_deadline(decided_on: date, terms: CycleTerms) -> date:
    """The last day on which an objection (bezwaar) against a rejection can be lodged."""
    return decided_on + timedelta(weeks=terms.appeal_weeks)


def appeal_open(decided_on: date, today: date, terms: CycleTerms) -> bool:
    """An objection can be lodged from the day of the rejection up to and including the
    deadline (6 weeks later: a rejection on Monday 1 June can be objected to until Monday
    13 July)."""
    return decided_on <= today <= appeal_deadline(decided_on, terms)


#: an expiry longer ago than this is history, not news: a daily job started for the first
#: time (or after a long pause) does not mail people whose certificate ended long ago
EXPIRY_NOTICE_DAYS = 30


def reminder_bands(today: date, days: tuple[int, ...]) -> list[tuple[int, date, date]]:
    """Per reminder (days before the end), the ends for which it is the latest that fell due
    on ``today``: ``(days, first end, last end)``, the nearest first.

    The ranges follow :func:`reminder_due`; the daily job selects its candidates with them.
    """
    bands, first = [], today
    for before in sorted({d for d in days if d >= 0}):
        last = today + timedelta(days=before)
        bands.append((before, first, last))
        first = last + timedelta(days=1)
    return bands


def expiry_notice_due(
    end: date, today: date, *, renewal_pending: bool, renewal_closed: bool
) -> bool:
    """Whether the holder is told (once) that the certificate expired.

    From the day after the end, without a pending renewal; within EXPIRY_NOTICE_DAYS of
    the end, or later when a renewal that kept it valid was rejected or withdrawn since.
    """
    if not expired(end, today, renewal_pending=renewal_pending):
        return False
    return renewal_closed or today - end <= timedelta(days=EXPIRY_NOTICE_DAYS)
