"""Months as the service writes them, "YYYY-MM" (cycles, reports, dashboards, exports).

One parser, so every door refuses a bad month with the same message, and the arithmetic the
domains share: a month n months before or after another, the months ending with one, the month
before a day's, a month's first and last day, and its labels. Pure: no database, no clock.
"""

import re
from datetime import date, timedelta

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
NAMES = [date(2000, m, 1).strftime("%B") for m in range(1, 13)]
SHORT_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class MonthError(ValueError):
    """Text that is not a month written YYYY-MM."""


def parse(text: str, error: type[Exception] = MonthError) -> tuple[int, int]:
    """(year, month) from "YYYY-MM", or *error* (a domain's own error class, so its callers
    need catch nothing new) with the one message every door shows."""
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if match is None or match[1] == "0000":
        raise error(f"Month {text!r} is not in the form YYYY-MM, like 2026-11")
    return int(match[1]), int(match[2])


def check(text: str, error: type[Exception] = MonthError) -> str:
    """*text* when it is a month "YYYY-MM"; *error* otherwise (see ``parse``)."""
    parse(text, error)
    return text


def key(year: int, month: int) -> str:
    """The month written YYYY-MM."""
    return f"{year:04d}-{month:02d}"


def of(day: date) -> str:
    """The month *day* falls in."""
    return key(day.year, day.month)


def shift(month: str, count: int) -> str:
    """The month *count* months after *month* (before it when *count* is negative)."""
    year, mon = parse(month)
    index = year * 12 + mon - 1 + count
    return key(index // 12, index % 12 + 1)


def previous(day: date) -> str:
    """The month before the one *day* falls in (the month a report or check looks back on)."""
    return shift(of(day), -1)


def months_back(month: str, count: int) -> str:
    """The first of the *count* months that end with *month* (12 -> the same month last year
    plus one)."""
    return shift(month, 1 - count)


def ending_with(month: str, count: int) -> list[str]:
    """The *count* months ending with *month*, oldest first."""
    return [shift(month, offset) for offset in range(1 - count, 1)]


def span(first: str, last: str) -> int:
    """How many months *first*..*last* covers, both included (0 or less when *first* is later)."""
    (y1, m1), (y2, m2) = parse(first), parse(last)
    return (y2 - y1) * 12 + m2 - m1 + 1


def first_day(month: str) -> date:
    year, mon = parse(month)
    return date(year, mon, 1)


def first_day_after(month: str) -> date:
    """The first day of the next month: the exclusive end of *month* as a date range."""
    return first_day(shift(month, 1))


def last_day(month: str) -> date:
    return first_day_after(month) - timedelta(days=1)


def bounds(month: str) -> tuple[date, date]:
    """The first and last day of *month*."""
    return first_day(month), last_day(month)


def label(month: str) -> str:
    """2026-10 -> October 2026."""
    year, mon = parse(month)
    return f"{NAMES[mon - 1]} {year}"


def short_label(month: str) -> str:
    """2026-10 -> Oct 26, for chart ticks and narrow table headings."""
    year, mon = parse(month)
    return f"{SHORT_NAMES[mon - 1]} {year % 100:02d}"


def same_day_months_before(day: date, count: int) -> date:
    """The day *count* months before *day*; days after the 28th become the 28th, so the
    answer exists in every month (a look-back window's start, where a day or two is immaterial)."""
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, min(day.day, 28))
