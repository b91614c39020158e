"""The home page's pure rules: the one next step of a professional, and waiting work."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from krsd.main.rules import (
    ApplicationStage,
    Situation,
    StepKind,
    Waiting,
    most_waited_first,
    next_step,
)

DEADLINE = date(2027, 2, 28)
OPENS = date(2026, 8, 28)
#: a first certification, 12 hours short (8 of them accredited), nothing running
SHORT = Situation(
    suspended=False,
    eligible=False,
    missing_accredited=Decimal(8),
    missing_total=Decimal(12),
    can_apply=True,
    renewal=False,
)
ENOUGH = replace(SHORT, eligible=True, missing_accredited=Decimal(0), missing_total=Decimal(0))


@pytest.mark.parametrize(
    ("situation", "kind"),
    [
        (SHORT, StepKind.ENROL),
        (replace(SHORT, enrolled_accredited=True), StepKind.ADD_ACTIVITIES),
        (replace(SHORT, missing_accredited=Decimal(0)), StepKind.ADD_ACTIVITIES),
        (ENOUGH, StepKind.APPLY),
        (replace(ENOUGH, can_apply=False, renewal_opens=OPENS), StepKind.APPLY_FROM),
        (replace(SHORT, application=ApplicationStage.WAITING), StepKind.APPLICATION_WAITING),
        (replace(ENOUGH, application=ApplicationStage.IN_REVIEW), StepKind.APPLICATION_WAITING),
        (replace(ENOUGH, application=ApplicationStage.MORE_INFO), StepKind.SUPPLEMENT),
        (replace(ENOUGH, appeal_running=True), StepKind.APPEAL_RUNNING),
        (replace(ENOUGH, appeal_until=date(2026, 7, 27)), StepKind.APPEAL_POSSIBLE),
        (replace(SHORT, cycle_starts=date(2026, 9, 1), can_apply=False), StepKind.CYCLE_STARTS),
        (replace(ENOUGH, suspended=True, can_apply=False), StepKind.SUSPENDED),
        (
            replace(ENOUGH, suspended=True, application=ApplicationStage.MORE_INFO),
            StepKind.SUSPENDED,
        ),
    ],
)
def test_the_one_step_follows_the_order_of_what_matters_most(situation, kind):
    assert next_step(situation).kind == kind


def test_short_of_hours_names_the_hours_and_the_renewal_deadline():
    step = next_step(replace(SHORT, renewal=True, deadline=DEADLINE, enrolled_accredited=True))
    assert step.kind == StepKind.ADD_ACTIVITIES
    assert (step.missing_total, step.missing_accredited, step.by) == (
        Decimal(12),
        Decimal(8),
        DEADLINE,
    )


def test_a_first_certification_has_no_deadline():
    assert next_step(SHORT).by is None


def test_enough_hours_for_a_renewal_says_apply_by_the_last_valid_day():
    step = next_step(replace(ENOUGH, renewal=True, deadline=DEADLINE))
    assert (step.kind, step.renewal, step.by) == (StepKind.APPLY, True, DEADLINE)


def test_enough_hours_before_the_renewal_window_says_from_when_until_when():
    step = next_step(replace(ENOUGH, can_apply=False, renewal_opens=OPENS, deadline=DEADLINE))
    assert (step.opens, step.by) == (OPENS, DEADLINE)


def test_objecting_names_the_last_day():
    step = next_step(replace(SHORT, appeal_until=date(2026, 7, 27)))
    assert step.by == date(2026, 7, 27)


situations = st.builds(
    Situation,
    suspended=st.booleans(),
    eligible=st.booleans(),
    missing_accredited=st.decimals(min_value=0, max_value=96, places=2),
    missing_total=st.decimals(min_value=0, max_value=96, places=2),
    can_apply=st.booleans(),
    renewal=st.booleans(),
    deadline=st.none() | st.dates(),
    renewal_opens=st.none() | st.dates(),
    cycle_starts=st.none() | st.dates(),
    application=st.none() | st.sampled_from(ApplicationStage),
    appeal_running=st.booleans(),
    appeal_until=st.none() | st.dates(),
    enrolled_accredited=st.booleans(),
)


@given(situations)
def test_never_asks_to_apply_when_that_is_impossible(s):
    step = next_step(s)
    if step.kind == StepKind.APPLY:
        assert s.eligible and s.can_apply and not s.suspended and s.application is None
    if s.suspended:
        assert step.kind == StepKind.SUSPENDED
    if s.application is not None and not s.suspended:
        assert step.kind in (StepKind.SUPPLEMENT, StepKind.APPLICATION_WAITING)


@given(situations)
def test_asks_for_hours_only_when_hours_are_missing(s):
    step = next_step(s)
    if step.kind in (StepKind.ENROL, StepKind.ADD_ACTIVITIES):
        assert step.missing_total == s.missing_total
        assert not (s.eligible and (s.can_apply or s.renewal_opens))
    if step.kind == StepKind.ENROL:
        assert s.missing_accredited > 0 and not s.enrolled_accredited


def test_waiting_days_count_from_the_oldest_day():
    assert Waiting("x", 3, date(2026, 5, 12)).days(date(2026, 6, 15)) == 34
    assert Waiting("x", 1, date(2026, 6, 15)).days(date(2026, 6, 15)) == 0
    assert Waiting("x", 0, None).days(date(2026, 6, 15)) == 0


def test_the_longest_waiting_work_comes_first_and_empty_kinds_are_left_out():
    items = [
        Waiting("a", 2, date(2026, 6, 1)),
        Waiting("b", 0, None),
        Waiting("c", 1, date(2026, 5, 1)),
        Waiting("d", 5, date(2026, 6, 1)),
    ]
    assert [w.kind for w in most_waited_first(items)] == ["c", "a", "d"]
