"""England and Wales working days."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.services.platform.calendar import (
    add_working_days,
    first_working_day,
    is_working_day,
    last_working_day,
    working_days_after,
    working_days_between,
)

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 12, 1))


def test_bank_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day (substitute)
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday (England)
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert is_working_day(date(2026, 11, 23))


def test_scottish_only_holidays_are_working_days_in_england():
    assert is_working_day(date(2026, 1, 2))  # 2 January is a holiday in Scotland only
    assert is_working_day(date(2026, 11, 30))  # St Andrew's Day


def test_adding_working_days_skips_christmas():
    assert add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)  # from a Saturday


def test_first_and_last_working_days_of_months():
    assert first_working_day(2026, 11) == date(2026, 11, 2)  # 1st is a Sunday
    assert first_working_day(2027, 1) == date(2027, 1, 4)  # New Year's Day is Friday
    assert last_working_day(2026, 12) == date(2026, 12, 31)
    assert last_working_day(2026, 5) == date(2026, 5, 29)  # 31st Sunday, 25th bank holiday


def test_working_days_overdue_counts_after_due_up_to_and_including_today():
    assert working_days_after(date(2026, 11, 20), date(2026, 11, 20)) == 0
    assert working_days_after(date(2026, 11, 20), date(2026, 11, 23)) == 1  # Fri -> Mon
    assert working_days_after(date(2026, 12, 23), date(2026, 12, 29)) == 2


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(ValueError, match="outside the working-day calendar"):
        is_working_day(date(1999, 1, 1))


@given(days, st.integers(min_value=0, max_value=60))
def test_adding_n_working_days_crosses_exactly_n_working_days(start, n):
    end = add_working_days(start, n)
    assert is_working_day(end) or n == 0
    if n > 0:
        assert end > start
    if is_working_day(start):
        assert working_days_between(start, end) == n


@given(days)
def test_first_working_day_is_the_earliest_working_day_of_the_month(day):
    first = first_working_day(day.year, day.month)
    assert is_working_day(first) and first.month == day.month
    probe = first.replace(day=1)
    while probe < first:
        assert not is_working_day(probe)
        probe += timedelta(days=1)
