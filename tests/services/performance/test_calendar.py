"""Working days (the same day is 0; weekends and England and Wales bank holidays do not count)
and the month rules, in the calendar table and the thresholds, against walking the days."""

from datetime import date, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select

from qa_app.extensions import db
from qa_app.services.performance import dates
from qa_app.services.performance.calendar_table import calendar_rows, ensure_calendar
from qa_app.services.performance.sql import at_least_months_after, working_days

BANK = holidays.UnitedKingdom(subdiv="ENG", years=range(2000, 2061))
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
NEAR = st.integers(min_value=-400, max_value=400)


def walk(first: date, second: date) -> int:
    if second < first:
        return -walk(second, first)
    count, day = 0, first
    while day < second:
        day += timedelta(days=1)
        count += day.weekday() < 5 and day not in BANK
    return count


def ordinal(day: date) -> int:
    return calendar_rows()[(day - date(2000, 1, 1)).days]["working_day"]


@given(DAYS, NEAR)
@settings(max_examples=300, deadline=None)
def test_ordinal_difference_is_the_working_days_after_the_first_up_to_the_second(day, gap):
    other = min(max(day + timedelta(days=gap), date(2000, 1, 1)), date(2060, 12, 31))
    assert ordinal(other) - ordinal(day) == walk(day, other)


@given(DAYS)
def test_the_same_day_is_zero_and_a_weekend_adds_nothing(day):
    assert ordinal(day) - ordinal(day) == 0
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    if saturday.year <= 2060 and saturday + timedelta(days=1) <= date(2060, 12, 31):
        assert ordinal(saturday + timedelta(days=1)) == ordinal(saturday)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 12, 31)), st.integers(0, 45))
@settings(max_examples=200, deadline=None)
def test_earliest_within_working_days_is_exact(as_of, days):
    since = dates.earliest_within_working_days(as_of, days)
    assert walk(since, as_of) <= days
    assert walk(since - timedelta(days=1), as_of) > days


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2059, 12, 31)), st.integers(1, 30))
def test_month_thresholds_are_exact(as_of, months):
    earliest = dates.earliest_with_months(as_of, months)
    assert dates.add_months(earliest, months) >= as_of
    assert dates.add_months(earliest - timedelta(days=1), months) < as_of
    latest = dates.latest_with_months(as_of, months)
    assert dates.add_months(latest, months) <= as_of
    assert dates.add_months(latest + timedelta(days=1), months) > as_of


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert dates.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert dates.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert dates.add_months(date(2024, 1, 31), -2) == date(2023, 11, 30)


PAIRS = [
    (date(2024, 3, 28), date(2024, 4, 2), 1),  # Good Friday and Easter Monday
    (date(2023, 12, 22), date(2023, 12, 27), 1),  # Christmas and Boxing Day
    (date(2024, 2, 28), date(2024, 3, 1), 2),  # 29 February is a Thursday
    (date(2024, 6, 1), date(2024, 6, 2), 0),  # Saturday to Sunday
    (date(2024, 6, 1), date(2024, 6, 3), 1),  # Saturday to Monday
    (date(2024, 6, 5), date(2024, 6, 5), 0),
    (date(2024, 6, 10), date(2024, 6, 7), -1),
]


def test_sql_working_days_and_months_use_the_table(app_ctx):
    ensure_calendar()
    for first, second, expected in PAIRS:
        query = select(working_days(literal(first), literal(second)))
        assert db.session.scalar(query) == expected == walk(first, second)
    leap = select(at_least_months_after(literal(date(2024, 2, 29)), literal(date(2026, 2, 28)), 24))
    assert db.session.scalar(leap)
    short = select(at_least_months_after(literal(date(2024, 3, 1)), literal(date(2026, 2, 28)), 24))
    assert not db.session.scalar(short)
    assert ensure_calendar() is False  # already right: not rewritten
