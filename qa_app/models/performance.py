"""What each import held of each kind of event, and the calendar the indicators join to."""

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.extensions import db


class EventCoverage(db.Model):
    """One kind of event an import held, the period it replaced, and what changed.

    An import replaces, for each kind it holds, the rows of the period it covers (the 12 months
    up to its as-of date; docs/indicators.md). ``rows`` is what the files held; ``added``,
    ``removed`` and ``unchanged`` what the import did to the rows already kept.
    """

    __tablename__ = "event_coverage"
    __table_args__ = (UniqueConstraint("import_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    period_start: Mapped[date]
    period_end: Mapped[date]
    rows: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)


class CalendarDay(db.Model):
    """One row per day, so that working days and calendar arithmetic are joins, identical on
    SQLite and PostgreSQL (``qa_app.services.performance.calendar_table``).

    ``working_day`` counts the working days (Monday to Friday except England and Wales bank
    holidays) from the first day of the table up to and including this day: the working days
    after *a* up to and including *b* are ``working_day(b) - working_day(a)``. ``day_number``
    counts days, ``month_number`` months (year * 12 + month - 1); ``month_day`` is the day of the
    month and ``month_days`` the length of its month, for "n months later" comparisons.
    """

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    working_day: Mapped[int]
    day_number: Mapped[int]
    month_number: Mapped[int]
    month_day: Mapped[int]
    month_days: Mapped[int]
