"""SQL building blocks of the indicators, the same on SQLite and PostgreSQL.

Working days and calendar arithmetic between two columns are lookups in the ``calendar_days``
table (``calendar_table``): the working days after *a* up to and including *b* are
``working_day(b) - working_day(a)``; "*b* is at least n months after *a*" compares month numbers
and days of the month. A date outside the table (before 2000 or after 2060) looks up NULL, and a
NULL comparison counts as false. Where a query would look the same dates up for every record,
the indicators join the table instead (``indicators._gap``), and compare plain dates where the
rule allows (``year_before``): joins and index ranges are what keep a 100,000-child board fast.
"""

from datetime import date

from sqlalchemy import Date, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import GenericFunction

from qa_app.models import CalendarDay, Case


def cal(column, attribute: str):
    """The calendar value (working_day, day_number, month_number...) of a date column."""
    day = aliased(CalendarDay)
    # Explicit: the date may belong to a query two levels out, which auto-correlation misses.
    query = select(getattr(day, attribute)).where(day.day == column).correlate_except(day)
    return query.scalar_subquery()


def working_days(first, second):
    """Working days after *first* up to and including *second* (the same day is 0)."""
    return cal(second, "working_day") - cal(first, "working_day")


def days(first, second):
    return cal(second, "day_number") - cal(first, "day_number")


def _months(first, second, months: int, strictly: bool):
    gap = cal(second, "month_number") - cal(first, "month_number")
    first_day, second_day = cal(first, "month_day"), cal(second, "month_day")
    length = cal(second, "month_days")
    capped = case((first_day > length, length), else_=first_day)
    same_month = second_day > capped if strictly else second_day >= capped
    return or_(gap > months, and_(gap == months, same_month))


def at_least_months_after(first, second, months: int):
    """*second* is on or after *first* + *months* months (the same day of the month, or the
    month's last day when it is shorter)."""
    return _months(first, second, months, strictly=False)


def more_than_months_after(first, second, months: int):
    return _months(first, second, months, strictly=True)


class add_days(GenericFunction):  # noqa: N801 - SQL function name
    """A date *n* days on: ``date + n`` on PostgreSQL, ``date(d, '+n days')`` on SQLite."""

    type = Date()
    inherit_cache = True


@compiles(add_days)
def _add_days(element, compiler, **kw):
    day, number = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {int(number.value)})"


@compiles(add_days, "sqlite")
def _add_days_sqlite(element, compiler, **kw):
    day, number = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+{int(number.value)} days')"


class year_before(GenericFunction):  # noqa: N801 - SQL function name
    """The same day a year earlier, and 1 March for a 29 February: the earliest date that is
    not more than 12 months before (``more_than_months_after``), as a plain date to compare
    with an index rather than a calendar lookup per pair of records."""

    type = Date()
    inherit_cache = True


@compiles(year_before)
def _year_before(element, compiler, **kw):
    day = compiler.process(next(iter(element.clauses)), **kw)
    leap_day = f"extract(month from {day}) = 2 AND extract(day from {day}) = 29"
    return (
        f"(CASE WHEN {leap_day} THEN make_date(CAST(extract(year from {day}) AS INTEGER) - 1, 3, 1)"
        f" ELSE CAST({day} - interval '1 year' AS DATE) END)"
    )


@compiles(year_before, "sqlite")
def _year_before_sqlite(element, compiler, **kw):
    # SQLite carries a 29 February that does not exist forward to 1 March.
    return f"date({compiler.process(next(iter(element.clauses)), **kw)}, '-1 year')"


def case_at(child_id, day, column):
    """A column of the child's case open on *day* (a column or a date), for events whose row
    names no team or worker."""
    return (
        select(column)
        .where(Case.child_id == child_id)
        .where(or_(Case.opened_on.is_(None), Case.opened_on <= day))
        .where(or_(Case.closed_on.is_(None), Case.closed_on > day))
        .order_by(Case.opened_on.desc().nulls_last())
        .limit(1)
        .correlate_except(Case)
        .scalar_subquery()
    )


def attributed(row, day) -> tuple:
    """(team_id, worker_id) of an event: the row's own where it names them, else the child's
    case open on *day*."""
    team = getattr(row, "team_id", None)
    worker = getattr(row, "worker_id", None)
    case_team = case_at(row.child_id, day, Case.team_id)
    case_worker = case_at(row.child_id, day, Case.worker_id)
    return (
        case_team if team is None else func.coalesce(team, case_team),
        case_worker if worker is None else func.coalesce(worker, case_worker),
    )


def open_on(start, end, day: date):
    """Open on *day*: started on or before it, not ended on or before it."""
    return and_(start <= day, or_(end.is_(None), end > day))


def flag(condition):
    return case((condition, 1), else_=0)


ONE = literal(1)
