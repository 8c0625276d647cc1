"""Months written YYYY-MM: one parser with one message, and their arithmetic."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.services.platform import months

month_keys = st.builds(months.key, st.integers(1000, 9000), st.integers(1, 12))
offsets = st.integers(-1200, 1200)
days = st.dates(min_value=date(1001, 1, 1), max_value=date(8999, 12, 31))


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "26-11", "Nov", "2026-11-01", " 2026-11", "", None]
)
def test_anything_but_yyyy_mm_is_refused_with_the_one_message(text):
    with pytest.raises(months.MonthError) as refused:
        months.parse(text)
    assert str(refused.value) == f"Month {text!r} is not in the form YYYY-MM, like 2026-11"


def test_a_domain_gets_the_message_in_its_own_error():
    class DomainError(ValueError):
        pass

    with pytest.raises(DomainError, match="is not in the form YYYY-MM"):
        months.check("2026-13", DomainError)
    assert months.check("2026-11", DomainError) == "2026-11"


@given(month_keys)
def test_parse_reads_back_what_key_writes(month):
    assert months.key(*months.parse(month)) == month


@given(month_keys, offsets, offsets)
def test_shifts_add_up_and_undo(month, a, b):
    assert months.shift(months.shift(month, a), b) == months.shift(month, a + b)
    assert months.shift(months.shift(month, a), -a) == month


@given(month_keys, offsets)
def test_span_counts_the_months_a_shift_moves(month, n):
    assert months.span(month, months.shift(month, n)) == n + 1


def test_year_boundaries():
    assert months.shift("2026-12", 1) == "2027-01"
    assert months.shift("2027-01", -1) == "2026-12"
    assert months.shift("2026-11", -23) == "2024-12"
    assert months.previous(date(2027, 1, 15)) == "2026-12"
    assert months.months_back("2026-11", 12) == "2025-12"
    assert months.ending_with("2027-02", 3) == ["2026-12", "2027-01", "2027-02"]
    assert months.span("2026-11", "2026-10") == 0


@given(month_keys, st.integers(1, 36))
def test_ending_with_is_consecutive_and_starts_months_back(month, count):
    listed = months.ending_with(month, count)
    assert (
        len(listed) == count
        and listed[-1] == month
        and listed[0] == months.months_back(month, count)
    )
    assert all(months.shift(a, 1) == b for a, b in pairwise(listed))
    assert listed == sorted(listed)


@given(month_keys)
def test_bounds_cover_the_month_and_meet_the_next(month):
    first, last = months.bounds(month)
    assert months.of(first) == months.of(last) == month
    assert first.day == 1 and last + timedelta(days=1) == months.first_day_after(month)
    assert months.first_day_after(month) == months.first_day(months.shift(month, 1))


@given(days)
def test_previous_is_the_month_before_the_days(day):
    assert months.shift(months.previous(day), 1) == months.of(day)
    assert months.first_day(months.of(day)) <= day <= months.last_day(months.of(day))


def test_leap_februaries():
    assert months.bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert months.last_day("2100-02") == date(2100, 2, 28)


def test_labels():
    assert months.label("2026-10") == "October 2026"
    assert months.short_label("2026-01") == "Jan 26"
    assert months.short_label("2030-12") == "Dec 30"


@given(days, st.integers(0, 240))
def test_same_day_months_before_lands_that_many_months_earlier(day, count):
    earlier = months.same_day_months_before(day, count)
    assert months.of(earlier) == months.shift(months.of(day), -count)
    assert earlier.day == min(day.day, 28)


def test_same_day_months_before_across_a_year():
    assert months.same_day_months_before(date(2026, 3, 31), 13) == date(2025, 2, 28)
    assert months.same_day_months_before(date(2026, 11, 5), 11) == date(2025, 12, 5)
