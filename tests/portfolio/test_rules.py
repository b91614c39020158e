from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from krsd.portfolio.rules import (
    ActivityType,
    Category,
    Entry,
    RegulationTerms,
    Window,
    compute_progress,
    date_problem,
    first_certification_window,
)

TERMS = RegulationTerms(
    total_hours=Decimal(96),
    min_accredited=Decimal(24),
    max_free=Decimal(72),
    cycle_years=3,
    renewal_window_months=6,
    max_activity_hours=Decimal(40),
    reminder_days=(180, 90, 30),
)
WINDOW = Window(date(2023, 11, 25), date(2026, 11, 24))
DAY = date(2025, 6, 1)


def acc(hours, day=DAY, **kw):
    return Entry(
        Category.ACCREDITED, ActivityType.ACCREDITED_COURSE, Decimal(str(hours)), day, **kw
    )


def free(hours, day=DAY, **kw):
    return Entry(Category.FREE, ActivityType.INTERVISIE, Decimal(str(hours)), day, **kw)


def progress(*entries):
    return compute_progress(entries, TERMS, WINDOW)


def test_just_under_24_accredited_is_not_eligible_whatever_the_free_hours():
    result = progress(acc("23.99"), free(40), free(40), free(20))
    assert not result.eligible
    assert result.missing_accredited == Decimal("0.01")
    assert result.total_counted == Decimal("95.99")


def test_24_accredited_and_72_free_is_eligible():
    result = progress(acc(24), free(36), free(36))
    assert result.eligible
    assert result.missing_total == 0 and result.missing_accredited == 0


def test_96_accredited_alone_is_eligible():
    assert progress(acc(40), acc(40), acc(16)).eligible


def test_free_space_hours_above_72_do_not_count():
    result = progress(acc(24), free(40), free(40))
    assert result.eligible
    assert result.free == 80 and result.free_counted == 72
    assert result.free_not_counted == 8
    assert result.total_counted == 96


def test_an_activity_one_day_outside_the_window_does_not_count():
    before = acc(24, day=WINDOW.start - timedelta(days=1))
    first_day = free(10, day=WINDOW.start)
    result = progress(before, first_day)
    assert result.accredited == 0 and result.free == 10
    assert result.outside_window == (before,)


def test_rejected_entries_do_not_count():
    assert progress(acc(24, accepted=False)).accredited == 0


def test_hours_per_type():
    result = progress(acc(8), free(3), free(2))
    assert result.hours_per_type == {
        ActivityType.ACCREDITED_COURSE: Decimal(8),
        ActivityType.INTERVISIE: Decimal(5),
    }


def test_the_window_of_a_first_certification_is_the_three_years_up_to_today():
    assert first_certification_window(date(2026, 11, 24), 3) == WINDOW


def test_dates_in_the_future_or_before_the_window_are_refused():
    today = date(2026, 11, 24)
    assert "toekomst" in date_problem(today + timedelta(days=1), today, WINDOW.start)
    assert "vóór de periode" in date_problem(WINDOW.start - timedelta(days=1), today, WINDOW.start)
    assert date_problem(today, today, WINDOW.start) is None
    written = date_problem(
        WINDOW.start - timedelta(days=1), today, WINDOW.start, "dag {:%j}".format
    )
    assert "(vanaf dag 329)" in written  # the caller decides how a date is written


hours = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(40), places=2)
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 1, 1))
entries = st.builds(
    Entry,
    category=st.sampled_from(Category),
    type=st.sampled_from(ActivityType),
    hours=hours,
    day=days,
    accepted=st.booleans(),
)


@given(st.lists(entries, max_size=30), entries)
def test_adding_an_entry_never_lowers_the_total_counted(existing, extra):
    before = compute_progress(existing, TERMS, WINDOW)
    after = compute_progress([*existing, extra], TERMS, WINDOW)
    assert after.total_counted >= before.total_counted
    assert after.accredited >= before.accredited


@given(st.lists(entries, max_size=30))
def test_the_free_space_cap_holds(items):
    result = compute_progress(items, TERMS, WINDOW)
    assert result.free_counted <= TERMS.max_free
    assert result.free_counted == min(result.free, TERMS.max_free)
    assert result.total_counted == result.accredited + result.free_counted


@given(st.lists(entries, max_size=30), st.randoms())
def test_the_order_of_entries_does_not_matter(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert compute_progress(items, TERMS, WINDOW) == compute_progress(shuffled, TERMS, WINDOW)


@given(st.lists(entries, max_size=30))
def test_eligible_exactly_when_both_conditions_hold(items):
    result = compute_progress(items, TERMS, WINDOW)
    both = result.accredited >= 24 and result.total_counted >= 96
    assert result.eligible == both
    assert result.eligible == (result.missing_accredited == 0 and result.missing_total == 0)


def test_one_accredited_course_counts_once_in_the_window():
    result = progress(acc(16, once=7), acc(16, once=7), acc(8, once=9), free(36))
    assert result.accredited == Decimal(24)
    assert result.hours_per_type[ActivityType.ACCREDITED_COURSE] == Decimal(24)


def test_of_alike_entries_the_one_with_most_accepted_hours_counts():
    result = progress(acc(16, once=7, accepted=False), acc(12, once=7), acc(10, once=7))
    assert result.accredited == Decimal(12)


def test_alike_entries_outside_the_window_do_not_take_the_place_of_one_inside():
    outside = WINDOW.start - timedelta(days=1)
    assert progress(acc(16, outside, once=7), acc(16, once=7)).accredited == Decimal(16)


@given(st.lists(entries, max_size=20), st.lists(st.integers(1, 4), max_size=20), st.randoms())
def test_alike_entries_count_the_same_in_any_order(items, keys, random):
    alike = [
        Entry(e.category, e.type, e.hours, e.day, e.accepted, once=k)
        for e, k in zip(items, keys, strict=False)
    ]
    shuffled = list(alike)
    random.shuffle(shuffled)
    assert compute_progress(alike, TERMS, WINDOW) == compute_progress(shuffled, TERMS, WINDOW)
