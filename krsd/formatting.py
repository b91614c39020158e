"""Dutch dates, times, hours, numbers and counted words: the one place, through Babel.

Month names, decimal comma, digit grouping and plural rules come from Babel's CLDR data
rather than lists typed out by hand. The locale is Flask-Babel's when an app is active
(``BABEL_DEFAULT_LOCALE``, nl_NL) and nl_NL otherwise, so PDFs, mail and the CLI format
exactly as the pages do. Times are shown in the register's zone (``krsd.clock``).
"""

import functools
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app, g, has_app_context
from flask_babel import get_locale

from krsd.clock import AMSTERDAM

DEFAULT_LOCALE = "nl_NL"
DEFAULT_TIMEZONE = AMSTERDAM.key
_DUTCH = Locale.parse(DEFAULT_LOCALE)

Number = Decimal | int | float


# A page shows the same few dates and hours many times over, and Babel takes tens of
# microseconds for each: the results are kept per value, pattern and locale.
@functools.lru_cache(maxsize=8192)
def _date(value: date, pattern: str, locale: str) -> str:
    return format_date(value, pattern, locale=locale)


@functools.lru_cache(maxsize=8192)
def _decimal(value: Number, pattern: str, locale: str) -> str:
    return format_decimal(value, pattern, locale=locale)


def current_locale() -> Locale:
    """Flask-Babel's locale inside an app, Dutch outside one (scripts, unit tests)."""
    if has_app_context() and "babel" in current_app.extensions:
        return get_locale() or _DUTCH
    return _DUTCH


def _locale_id() -> str:
    """The locale's name, looked up once per app context (Flask-Babel's lookup is not free)."""
    if not has_app_context():
        return DEFAULT_LOCALE
    name = g.get("_krsd_locale")
    if name is None:
        name = g._krsd_locale = str(current_locale())
    return name


def nl_date(value: date | datetime | None) -> str:
    """3 maart 2026 (a moment: its day in Amsterdam)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date() if value.tzinfo else value.date()
    return _date(value, "long", _locale_id())


def nl_datetime(value: datetime | None) -> str:
    """3 maart 2026 14:05, in Dutch local time (a naive moment is taken as local already)."""
    if value is None:
        return ""
    locale = current_locale()
    pattern = f"{locale.date_formats['long'].pattern} {locale.time_formats['short'].pattern}"
    zone = AMSTERDAM if value.tzinfo else None
    return format_datetime(value, pattern, tzinfo=zone, locale=locale)


def nl_month(value: date, full: bool = False) -> str:
    """mrt 2026 in a table or chart; maart 2026 with ``full``."""
    return _date(value, "LLLL y" if full else "LLL y", _locale_id())


def nl_number(value: Number | None, decimals: int = 2) -> str:
    """1.234 or 12,5: Dutch grouping and a decimal comma, at most ``decimals`` decimals."""
    if value is None:
        return ""
    pattern = "#,##0." + "#" * decimals if decimals else "#,##0"
    return _decimal(value, pattern, _locale_id())


def nl_hours(value: Number | str | None) -> str:
    """8, 8,5 or 12,25 — a decimal comma, no trailing zeros (1.250 for a large total)."""
    if value is None:
        return ""
    return nl_number(Decimal(value), decimals=2)


def hours_input(value: Number | None) -> str:
    """8,5 as it stands in an input field: without grouping, which the field would refuse."""
    if value is None:
        return ""
    return _decimal(Decimal(value), "0.##", _locale_id())


def nl_plural(count: Number, one: str, other: str) -> str:
    """1 bewijsstuk, 2 bewijsstukken, 1,5 uur: the number and the word Dutch uses with it."""
    shown = Decimal(count)
    if shown == shown.to_integral_value():
        shown = int(shown)  # 1.00 hours read "1 uur": the plural rule sees what is shown
    word = one if current_locale().plural_form(shown) == "one" else other
    return f"{nl_number(shown)} {word}"


def reject_none(mapping: dict) -> dict:
    """Drop attributes without a value, so that templates can pass optional ones."""
    return {key: value for key, value in mapping.items() if value is not None}


def register_filters(app) -> None:
    app.jinja_env.filters.update(
        nl_date=nl_date,
        nl_datetime=nl_datetime,
        nl_hours=nl_hours,
        nl_month=nl_month,
        nl_number=nl_number,
        nl_plural=nl_plural,
        reject_none=reject_none,
    )
