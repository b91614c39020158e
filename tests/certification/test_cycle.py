"""The cycle's pure rules, with dates as parameters."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krsd.certification.cycle import (
    CycleTerms,
    add_months,
    appeal_deadline,
    expired,
    extension_problem,
    reminder_due,
    renewal_hours_window,
    renewal_opens,
    renewal_validity,
    renewal_window_open,
    suspended_on,
)

TERMS = CycleTerms(
    cycle_years=3,
    renewal_window_months=6,
    reminder_days=(180, 90, 30),
    max_extension_months=6,
    appeal_weeks=6,
)
END = date(2029, 2, 28)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2029, 2, 28), -6, date(2028, 8, 28)),
        (date(2028, 8, 31), 6, date(2029, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_the_renewal_window_opens_six_months_before_the_end_and_closes_after_the_last_day():
    assert renewal_opens(END, TERMS) == date(2028, 8, 28)
    assert not renewal_window_open(END, date(2028, 8, 27), TERMS)
    assert renewal_window_open(END, date(2028, 8, 28), TERMS)
    assert renewal_window_open(END, END, TERMS)
    assert not renewal_window_open(END, date(2029, 3, 1), TERMS)


def test_renewal_hours_count_from_the_start_of_validity_up_to_the_day_of_applying():
    window = renewal_hours_window(date(2026, 3, 1), END, date(2028, 10, 1))
    assert (window.start, window.end) == (date(2026, 3, 1), date(2028, 10, 1))


def test_a_renewal_starts_the_day_after_the_end_whatever_the_decision_date():
    assert renewal_validity(END, None, 3) == (date(2029, 3, 1), date(2032, 2, 29))


def test_after_an_extension_the_renewal_starts_after_it_and_keeps_the_rhythm():
    extended = date(2029, 6, 30)
    assert renewal_validity(extended, END, 3) == (date(2029, 7, 1), date(2032, 2, 29))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_consecutive_cycles_leave_no_gap_and_no_overlap(end):
    start, new_end = renewal_validity(end, None, 3)
    assert (start - end).days == 1
    follow_start, _ = renewal_validity(new_end, None, 3)
    assert (follow_start - new_end).days == 1


@pytest.mark.parametrize(
    ("today", "sent", "expected"),
    [
        (date(2028, 9, 1), set(), 180),  # 180 days before 28 Feb 2029 is 1 Sep 2028
        (date(2028, 8, 31), set(), None),
        (date(2028, 9, 2), {180}, None),
        (date(2028, 11, 30), {180}, 90),
        (date(2028, 12, 10), set(), 90),  # the job did not run: only the latest that fell due
        (date(2029, 1, 29), {180, 90}, 30),
        (date(2029, 2, 20), {30}, None),
        (date(2029, 3, 1), set(), None),  # past the end: no reminder, expiry instead
    ],
)
def test_only_the_latest_reminder_that_fell_due_is_sent_once(today, sent, expected):
    assert reminder_due(END, today, TERMS.reminder_days, sent) == expected


def test_expiry_is_the_day_after_the_end_unless_a_renewal_is_pending():
    assert not expired(END, END, renewal_pending=False)
    assert expired(END, date(2029, 3, 1), renewal_pending=False)
    assert not expired(END, date(2029, 5, 1), renewal_pending=True)


def test_a_suspension_holds_until_its_end_date():
    assert suspended_on(True, None, date(2030, 1, 1))
    assert suspended_on(True, date(2028, 5, 1), date(2028, 5, 1))
    assert not suspended_on(True, date(2028, 5, 1), date(2028, 5, 2))
    assert not suspended_on(False, None, date(2028, 5, 2))


def test_an_extension_is_at_most_six_months_after_the_original_end():
    assert extension_problem(END, END, date(2029, 8, 28), TERMS) is None
    assert "hoogstens 6 maanden" in extension_problem(END, END, date(2029, 8, 29), TERMS)
    assert "na de huidige einddatum" in extension_problem(END, END, END, TERMS)


def test_an_objection_can_be_lodged_within_six_weeks():
    assert appeal_deadline(date(2028, 3, 1), TERMS) == date(2028, 4, 12)
