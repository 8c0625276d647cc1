"""What the complete imports hold, for the figures (``figures``): the as-of date a snapshot
figure is taken at in a month, and the date up to which a month's events are known for a period
figure; ``window`` turns them into the indicator's ``Window`` or the reason there is none.
"""

from datetime import date, timedelta

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers.events import KINDS
from qa_app.models import EventCoverage, Import
from qa_app.services.performance.calendar_table import ensure_calendar
from qa_app.services.performance.indicators import PERIOD, Indicator, Settings, Window
from qa_app.services.platform import months as month_helpers


def prepare() -> None:
    """The calendar table filled; on PostgreSQL no JIT for this transaction: the correlated
    subqueries look expensive to the planner, which then spent a second compiling each figure's
    query that runs in a tenth of it."""
    ensure_calendar()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def _label(kind: str) -> str:
    return "open cases" if kind == "cases" else KINDS[kind].label


class Coverage:
    """What the complete imports held, loaded once: each import's as-of date and, per kind of
    event, the period it covered."""

    def __init__(self) -> None:
        self.imports: dict[int, date] = dict(
            db.session.execute(
                select(Import.id, Import.as_of).where(Import.status == "complete")
            ).all()
        )
        self.periods: dict[str, list[tuple[int, date, date]]] = {}
        self.splits: dict[tuple, dict[str, int]] = {}  # see _split
        for import_id, kind, start, end in db.session.execute(
            select(
                EventCoverage.import_id,
                EventCoverage.kind,
                EventCoverage.period_start,
                EventCoverage.period_end,
            )
        ):
            if import_id in self.imports:
                self.periods.setdefault(kind, []).append((import_id, start, end))

    def _holding(self, kind: str) -> set[int]:
        if kind == "cases":
            return set(self.imports)
        return {i for i, _s, _e in self.periods.get(kind, [])}

    def snapshot_date(self, kinds: tuple[str, ...], start: date, end: date) -> date | None:
        ids = set(self.imports)
        for kind in kinds:
            ids &= self._holding(kind)
        dates = [self.imports[i] for i in ids if start <= self.imports[i] < end]
        return max(dates, default=None)

    def period_end(self, kinds: tuple[str, ...], start: date, end: date) -> date | None:
        """The date up to which the month's events are known, or None if a kind is not held."""
        known = end - timedelta(days=1)
        for kind in kinds:
            ends = [e for _i, s, e in self.periods.get(kind, []) if s < end and e >= start]
            if not ends:
                return None
            known = min(known, max(ends))
        return known


def window(indicator: Indicator, month: str, coverage: Coverage, settings: Settings):
    start = month_helpers.first_day(month)
    end = month_helpers.first_day_after(month)  # exclusive
    labels = ", ".join(_label(k) for k in indicator.kinds)
    if indicator.timing == PERIOD:
        as_of = coverage.period_end(indicator.kinds, start, end)
        if as_of is None:
            return None, f"No import holds {labels} for {month}"
        return Window(start, end, None, settings), as_of
    as_of = coverage.snapshot_date(indicator.kinds, start, end)
    if as_of is None:
        return None, f"No import with an as-of date in {month} holds {labels}"
    return Window(start, end, as_of, settings), as_of
