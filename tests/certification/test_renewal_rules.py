"""What a person may apply for, with dates as parameters (issue 8, rules 1–2)."""

from datetime import date, timedelta

import pytest

from krsd.certification.cycle import (
    CycleTerms,
    Route,
    application_route,
    renewal_hours_window,
)
from krsd.certification.renewal import route_problem

TERMS = CycleTerms(
    cycle_years=3,
    renewal_window_months=6,
    reminder_days=(180, 90, 30),
    max_extension_months=6,
    appeal_weeks=6,
)
END = date(2029, 2, 28)
OPENS = date(2028, 8, 28)


@pytest.mark.parametrize(
    ("today", "route"),
    [
        (date(2026, 3, 1), Route.RENEWAL_LATER),
        (OPENS - timedelta(days=1), Route.RENEWAL_LATER),
        (OPENS, Route.RENEWAL),
        (END, Route.RENEWAL),
        (END + timedelta(days=1), Route.CLOSED),
    ],
)
def test_a_holder_renews_within_the_window_and_never_applies_as_new(today, route):
    assert application_route(END, today, TERMS, suspended=False) == route


def test_without_a_current_certificate_a_first_certification():
    assert application_route(None, date(2029, 3, 1), TERMS, suspended=False) == Route.FIRST


@pytest.mark.parametrize("end", [END, None])
def test_nothing_while_suspended(end):
    assert application_route(end, OPENS, TERMS, suspended=True) == Route.SUSPENDED


def test_before_the_window_the_problem_names_the_opening_day():
    problem = route_problem(Route.RENEWAL_LATER, END, TERMS)
    assert "vanaf 28 augustus 2028" in problem and "28 februari 2029" in problem


@pytest.mark.parametrize("route", [Route.FIRST, Route.RENEWAL])
def test_open_routes_have_no_problem(route):
    assert route_problem(route, END, TERMS) is None


@pytest.mark.parametrize("route", [Route.CLOSED, Route.SUSPENDED])
def test_closed_routes_say_why(route):
    assert route_problem(route, END, TERMS)


def test_a_renewed_certificate_that_has_not_started_counts_no_hours_yet():
    window = renewal_hours_window(END + timedelta(days=1), date(2032, 2, 29), date(2028, 10, 1))
    assert window.start > window.end
    assert date(2028, 10, 1) not in window


def test_an_extension_moves_the_last_day_not_the_opening_day():
    extended = date(2029, 8, 31)
    assert application_route(extended, OPENS, TERMS, suspended=False, original_end=END) == (
        Route.RENEWAL
    )
    assert application_route(extended, extended, TERMS, suspended=False, original_end=END) == (
        Route.RENEWAL
    )
    assert "vanaf 28 augustus 2028" in route_problem(Route.RENEWAL_LATER, extended, TERMS, END)
