"""Date rules of the indicators, in Python: months later, and the thresholds that turn "no more
than n working days / months before the as-of date" into a plain date comparison in SQL.

``add_months`` is a private minimal helper (a month helper module for the whole service is being
written elsewhere): the same day of the month n months on, or that month's last day when it is
shorter (31 August + 6 months is 28 or 29 February).
"""

import calendar as _days_in
from datetime import date, timedelta

from qa_app.services.platform.calendar import FIRST_YEAR, working_days_after


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _days_in.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def earliest_with_months(as_of: date, months: int) -> date:
    """The earliest date *x* with ``add_months(x, months) >= as_of``: a review on or after it is
    in timescale at *as_of* when the next is due *months* later. ``add_months`` never decreases
    as *x* grows, so this threshold is exact."""
    day = add_months(as_of, -months) - timedelta(days=4)
    while add_months(day, months) < as_of:
        day += timedelta(days=1)
    return day


def latest_with_months(as_of: date, months: int) -> date:
    """The latest date *x* with ``add_months(x, months) <= as_of`` (x at least *months* old)."""
    day = add_months(as_of, -months) + timedelta(days=4)
    while add_months(day, months) > as_of:
        day -= timedelta(days=1)
    return day


def earliest_within_working_days(as_of: date, days: int) -> date:
    """The earliest date *x* with no more than *days* working days after it up to and including
    *as_of* (``working_days_after(x, as_of) <= days``)."""
    day = as_of
    floor = date(FIRST_YEAR, 1, 2)
    while day > floor and working_days_after(day - timedelta(days=1), as_of) <= days:
        day -= timedelta(days=1)
    return day
