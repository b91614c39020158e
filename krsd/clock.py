"""The register's day: the calendar day in Europe/Amsterdam, from this one function."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def register_today() -> date:
    """Today in the Netherlands, whatever the server's time zone (tests move it with
    time-machine)."""
    return datetime.now(AMSTERDAM).date()


def local_date(moment: datetime) -> date:
    """The Dutch calendar day of a timezone-aware moment (a decision at 23:30 UTC is the
    next day in Amsterdam in winter)."""
    return moment.astimezone(AMSTERDAM).date()
