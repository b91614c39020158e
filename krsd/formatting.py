"""Dutch presentation of dates, times and hours (used as Jinja filters)."""

from datetime import date, datetime
from decimal import Decimal

from krsd.clock import AMSTERDAM

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def nl_date(value: date | datetime | None) -> str:
    """3 maart 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date() if value.tzinfo else value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def nl_datetime(value: datetime | None) -> str:
    """3 maart 2026 14:05, in Dutch local time."""
    if value is None:
        return ""
    local = value.astimezone(AMSTERDAM) if value.tzinfo else value
    return f"{nl_date(local)} {local:%H:%M}"


def nl_hours(value: Decimal | int | None) -> str:
    """12,5 — a decimal comma, no trailing zeros beyond what is needed."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def reject_none(mapping: dict) -> dict:
    """Drop attributes without a value, so that templates can pass optional ones."""
    return {key: value for key, value in mapping.items() if value is not None}


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        nl_date=nl_date, nl_datetime=nl_datetime, nl_hours=nl_hours, reject_none=reject_none
    )
