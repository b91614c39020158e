"""Pure rules of the three-year cycle: renewal window, validity without gaps, reminders,
extensions and appeals. Dates in, dates out; ``today`` is always a parameter."""

import calendar
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
    end: date, original_end: date, new_end: date, terms: CycleTerms
) -> str | None:
    """Why an extension to ``new_end`` cannot be granted (Dutch), or None."""
    latest = add_months(original_end, terms.max_extension_months)
    if new_end <= end:
        return "De nieuwe einddatum moet na de huidige einddatum liggen."
    if new_end > latest:
        return (
            f"Uitstel kan hoogstens {terms.max_extension_months} maanden: uiterlijk tot en met "
            f"{latest.day}-{latest.month}-{latest.year}."
        )
    return None


def appeal_deadline(decided_on: date, terms: CycleTerms) -> date:
    """The last day on which an objection (bezwaar) against a rejection can be lodged."""
    return decided_on + timedelta(weeks=terms.appeal_weeks)
