"""England and Wales working days: weekends and bank holidays excluded.

Bank holidays come from the ``holidays`` package (offline data, no network); the arithmetic is
numpy's business-day calendar. Every due date in the service is computed here.
"""

from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np

from qa_app.services.platform import months

FIRST_YEAR, LAST_YEAR = 2000, 2060


@cache
def _calendar() -> np.busdaycalendar:
    bank_holidays = holidays.UnitedKingdom(subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.busdaycalendar(weekmask="1111100", holidays=sorted(bank_holidays))


@cache
def bank_holiday_names(year: int) -> dict[date, str]:
    return dict(holidays.UnitedKingdom(subdiv="ENG", years=[year]))


def _check(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day} is outside the working-day calendar ({FIRST_YEAR}-{LAST_YEAR})")


def working_day_flags(first: date, last: date) -> np.ndarray:
    """Whether each day from *first* to *last* (inclusive) is a working day, as an array."""
    _check(first)
    _check(last)
    days = np.arange(first, last + timedelta(days=1), dtype="datetime64[D]")
    return np.is_busday(days, busdaycal=_calendar())


def is_working_day(day: date) -> bool:
    _check(day)
    return bool(np.is_busday(day, busdaycal=_calendar()))


def add_working_days(day: date, days: int) -> date:
    """The date *days* working days after *day* (before, if negative).

    A non-working *day* counts from the working day before it, so one working day after a
    Saturday is the Monday.
    """
    _check(day)
    roll = "backward" if days >= 0 else "forward"
    result = np.busday_offset(day, days, roll=roll, busdaycal=_calendar())
    return result.astype(date)


def working_days_between(start: date, end: date) -> int:
    """Working days in the half-open range [start, end); negative if end is before start."""
    _check(start)
    _check(end)
    return int(np.busday_count(start, end, busdaycal=_calendar()))


def working_days_after(due: date, today: date) -> int:
    """Working days after *due* up to and including *today*; 0 when *today* <= *due*."""
    if today <= due:
        return 0
    return working_days_between(due + timedelta(days=1), today + timedelta(days=1))


def first_working_day(year: int, month: int) -> date:
    first = date(year, month, 1)
    _check(first)
    return np.busday_offset(first, 0, roll="forward", busdaycal=_calendar()).astype(date)


def last_working_day(year: int, month: int) -> date:
    last = months.last_day(months.key(year, month))
    _check(last)
    return np.busday_offset(last, 0, roll="backward", busdaycal=_calendar()).astype(date)
