"""The pure rules of editions, sessions and the waiting list (no database)."""

from datetime import date, time

import pytest

from krsd.courses import edition_rules as rules

START, END = date(2026, 9, 1), date(2026, 9, 30)


def fields(problems):
    return [p.field for p in problems]


def test_an_edition_with_sound_dates_has_no_problems():
    assert rules.edition_problems(START, END, START, [START, END]) == []


@pytest.mark.parametrize(
    ("ends_on", "deadline", "sessions", "expected"),
    [
        (date(2026, 8, 31), START, [], ["ends_on"]),
        (END, date(2026, 9, 2), [], ["enrolment_deadline"]),
        (END, START, [date(2026, 10, 1)], ["starts_on"]),
        (END, START, [date(2026, 8, 31)], ["starts_on"]),
    ],
)
def test_edition_problems(ends_on, deadline, sessions, expected):
    assert fields(rules.edition_problems(START, ends_on, deadline, sessions)) == expected


def test_the_capacity_cannot_drop_below_the_seats_taken():
    assert rules.capacity_problem(3, 3) is None
    assert rules.capacity_problem(2, 3).message.startswith("Er zijn al 3 plaatsen bezet")
    assert rules.capacity_problem(0, 1).message.startswith("Er is al 1 plaats bezet")


def test_sessions_lie_within_the_edition_and_end_after_they_start():
    ok = rules.session_problems(START, time(9), time(12), START, END, False)
    assert ok == []
    assert fields(rules.session_problems(END, time(12), time(12), START, END, False)) == ["ends_at"]
    assert fields(
        rules.session_problems(date(2026, 10, 1), time(9), time(10), START, END, False)
    ) == ["day"]
    assert fields(rules.session_problems(START, time(9), time(10), START, END, True)) == ["day"]


def test_changes_are_open_up_to_and_including_the_deadline():
    assert rules.open_for_changes(START, START)
    assert not rules.open_for_changes(START, date(2026, 9, 2))


@pytest.mark.parametrize(
    ("capacity", "taken", "waiting", "seated"),
    [(20, 19, 0, True), (20, 20, 0, False), (20, 19, 1, False), (1, 0, 0, True)],
)
def test_a_newcomer_gets_a_seat_only_when_one_is_free_and_nobody_waits(
    capacity, taken, waiting, seated
):
    assert rules.gets_seat(capacity, taken, waiting) is seated
