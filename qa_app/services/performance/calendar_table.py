"""The ``calendar_days`` table: one row per day from 2000 to 2060 with its working-day ordinal,
filled from the service's calendar (``qa_app.services.platform.calendar``: Monday to Friday
except England and Wales bank holidays).

Bank holidays can change with the ``holidays`` package (a coronation, a jubilee), so the table is
checked against the calendar each time an import runs or indicators are computed, and rewritten
when it differs (22,000 rows, well under a second).
"""

import calendar as _days_in
from datetime import date, timedelta
from functools import cache

from sqlalchemy import delete, func, select

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import CalendarDay
from qa_app.services.platform.calendar import FIRST_YEAR, LAST_YEAR, working_day_flags

FIRST = date(FIRST_YEAR, 1, 1)
LAST = date(LAST_YEAR, 12, 31)


@cache
def calendar_rows() -> tuple[dict, ...]:
    rows = []
    ordinals = working_day_flags(FIRST, LAST).cumsum().tolist()
    day = FIRST
    for ordinal in ordinals:
        rows.append(
            {
                "day": day,
                "working_day": ordinal,
                "day_number": (day - FIRST).days,
                "month_number": day.year * 12 + day.month - 1,
                "month_day": day.day,
                "month_days": _days_in.monthrange(day.year, day.month)[1],
            }
        )
        day += timedelta(days=1)
    return tuple(rows)


def ensure_calendar() -> bool:
    """Fill or refresh the table when it differs from the calendar; returns whether it wrote.
    Flushes; the caller commits."""
    rows = calendar_rows()
    count, last = db.session.execute(select(func.count(), func.max(CalendarDay.working_day))).one()
    if count == len(rows) and last == rows[-1]["working_day"]:
        return False
    db.session.execute(delete(CalendarDay))
    for start in range(0, len(rows), 10_000):
        insert_rows(CalendarDay.__table__, list(rows[start : start + 10_000]))
    db.session.flush()
    return True
