"""Dutch words for dates, hours, numbers and counts (krsd/formatting.py), and the hours input."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import has_app_context, render_template_string

from krsd.formatting import (
    hours_input,
    nl_date,
    nl_datetime,
    nl_hours,
    nl_month,
    nl_number,
    nl_plural,
)
from krsd.forms_common import HOURS_MESSAGE, TOO_PRECISE, parse_hours


def test_dates_are_written_in_words():
    assert nl_date(date(2026, 3, 3)) == "3 maart 2026"
    assert nl_date(None) == ""


def test_formatting_needs_no_app_or_request():
    """PDFs, mail and the CLI format the same way without a request."""
    assert not has_app_context()
    assert nl_date(date(2026, 3, 3)) == "3 maart 2026" and nl_hours(Decimal("8.5")) == "8,5"


def test_a_moment_is_dated_and_timed_in_amsterdam():
    # 23:30 UTC on 31 December is already New Year in Amsterdam (winter, +1).
    assert nl_date(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "1 januari 2026"
    assert nl_datetime(datetime(2026, 3, 3, 13, 5, tzinfo=UTC)) == "3 maart 2026 14:05"
    assert nl_datetime(datetime(2026, 7, 3, 13, 5, tzinfo=UTC)) == "3 juli 2026 15:05"
    assert nl_datetime(None) == ""


def test_months_for_tables_and_titles():
    assert nl_month(date(2026, 3, 1)) == "mrt 2026"
    assert nl_month(date(2026, 3, 1), full=True) == "maart 2026"


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (8, "8"),
        (Decimal("8.00"), "8"),
        (Decimal("8.5"), "8,5"),
        (Decimal("12.25"), "12,25"),
        (Decimal("4E+1"), "40"),  # never "4E+1 uur"
        ("16.00", "16"),  # as the audit log keeps them
        (Decimal("1250.5"), "1.250,5"),
        (None, ""),
    ],
)
def test_hours_have_a_decimal_comma_and_no_trailing_zeros(hours, shown):
    assert nl_hours(hours) == shown


def test_hours_in_an_input_field_are_not_grouped():
    assert hours_input(Decimal("1250.50")) == "1250,5"
    assert hours_input(Decimal("8.00")) == "8"
    assert hours_input(None) == ""


def test_numbers_use_dutch_grouping():
    assert nl_number(1234) == "1.234"
    assert nl_number(1234567) == "1.234.567"
    assert nl_number(12.35, decimals=1) == "12,4"
    assert nl_number(7.0, decimals=1) == "7"


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 bewijsstukken"),
        (1, "1 bewijsstuk"),
        (2, "2 bewijsstukken"),
        (1234, "1.234 bewijsstukken"),
    ],
)
def test_a_count_takes_the_word_dutch_uses_with_it(count, shown):
    assert nl_plural(count, "bewijsstuk", "bewijsstukken") == shown


def test_hours_counted_read_as_shown():
    assert nl_plural(Decimal("1.00"), "uur", "uur") == "1 uur"
    assert nl_plural(Decimal("1.5"), "dag", "dagen") == "1,5 dagen"


def test_the_locale_is_flask_babels_inside_the_app(app, monkeypatch):
    """Inside the app the formatting follows Flask-Babel's configuration (nl_NL)."""
    with app.app_context():
        assert nl_date(date(2026, 3, 3)) == "3 maart 2026"
    monkeypatch.setattr(app.extensions["babel"], "default_locale", "en_GB")
    with app.app_context():
        assert nl_date(date(2026, 3, 3)) == "3 March 2026"
        assert nl_hours(Decimal("8.5")) == "8.5"


def test_templates_reach_the_same_formatting_as_filters(app):
    template = (
        "{{ day|nl_date }}|{{ h|nl_hours }}|{{ n|nl_number }}|"
        "{{ 1|nl_plural('bewijsstuk', 'bewijsstukken') }}|{{ day|nl_month }}"
    )
    with app.test_request_context():
        shown = render_template_string(template, day=date(2026, 3, 3), h=Decimal("8.50"), n=1234)
    assert shown == "3 maart 2026|8,5|1.234|1 bewijsstuk|mrt 2026"


@pytest.mark.parametrize(
    ("typed", "hours"),
    [("8", "8"), ("8,5", "8.5"), ("8.5", "8.5"), (" 8,50 ", "8.50"), ("0,25", "0.25"), ("", None)],
)
def test_hours_are_read_with_a_comma_or_a_point(typed, hours):
    assert parse_hours(typed) == (Decimal(hours) if hours else None)


@pytest.mark.parametrize(
    "typed", ["1e1", "4E+1", "NaN", "Infinity", "-inf", "1.000,5", "1,000.5", "1.000", "8,", "drie"]
)
def test_hours_that_are_not_plainly_written_are_refused_in_dutch(typed):
    with pytest.raises(ValueError, match="^Vul een aantal uren in, bijv. 8 of 8,5.$"):
        parse_hours(typed)
    assert HOURS_MESSAGE == "Vul een aantal uren in, bijv. 8 of 8,5."


def test_more_than_two_decimals_are_refused():
    with pytest.raises(ValueError, match=TOO_PRECISE):
        parse_hours("1,255")
