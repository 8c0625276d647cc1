"""The figures: every indicator for a month and a scope, a monthly series, the breakdown by
locality and team, and the children behind a figure. All grouped SQL over the records each
indicator defines (``indicators``); Python only handles the few result rows.

A period figure needs an import holding its kinds of event for a period that overlaps the month
(its ``as_of`` is the end of the month or of the latest such period, whichever is earlier); a
snapshot figure is taken at D, the latest as-of date in the month of an import that holds all its
kinds. Otherwise the figure has no numerator or denominator, and ``reason`` says why.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.importers.events import KINDS
from qa_app.models import Child, EventCoverage, Import, Team, User
from qa_app.services.performance.calendar_table import ensure_calendar
from qa_app.services.performance.indicators import (
    BY_KEY,
    INDICATORS,
    PERIOD,
    Indicator,
    Settings,
    Window,
)
from qa_app.services.platform import months as month_helpers
from qa_app.services.reports.scope import COUNCIL, ReportScope


@dataclass
class Figure:
    key: str
    name: str
    unit: str
    direction: str
    timing: str
    numerator: int | None
    denominator: int | None
    value: float | None
    as_of: date | None
    reason: str | None = None
    parent: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        data["value"] = None if self.value is None else round(self.value, 4)
        return data


def _prepare() -> None:
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


def _window(indicator: Indicator, month: str, coverage: Coverage, settings: Settings):
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


def _totals(indicator: Indicator, records):
    numerator = func.coalesce(func.sum(records.c.num), 0)
    if indicator.distinct_workers:
        return numerator, func.count(func.distinct(records.c.worker_id))
    return numerator, func.coalesce(func.sum(records.c.den), 0)


def _split(indicator: Indicator, window: Window, scope: ReportScope, coverage) -> dict:
    """Records per part of a split (assessment outcomes), in one grouped query for all the
    parts, kept on *coverage* for the other parts of the same month and scope."""
    key = (indicator.parent, window, scope.key)
    if key not in coverage.splits:
        records = indicator.split(window).subquery()
        coverage.splits[key] = dict(
            db.session.execute(
                select(records.c.part, func.count())
                .where(scope.team_condition(records.c.team_id))
                .group_by(records.c.part)
            ).all()
        )
    return coverage.splits[key]


def figure(
    indicator: Indicator,
    month: str,
    scope: ReportScope = COUNCIL,
    *,
    coverage: Coverage | None = None,
    settings: Settings | None = None,
) -> Figure:
    """One indicator for *month* (``YYYY-MM``) and *scope*."""
    if coverage is None:
        _prepare()
        coverage = Coverage()
    window, as_of = _window(indicator, month, coverage, settings or Settings())
    base = Figure(indicator.key, indicator.name, indicator.unit, indicator.direction,
                  indicator.timing, None, None, None, None, parent=indicator.parent)  # fmt: skip
    if window is None:
        base.reason = as_of
        return base
    if indicator.split is not None:
        parts = _split(indicator, window, scope, coverage)
        numerator, denominator = parts.get(indicator.key.rpartition(".")[2], 0), sum(parts.values())
    else:
        records = indicator.records(window).subquery()
        numerator, denominator = db.session.execute(
            select(*_totals(indicator, records)).where(scope.team_condition(records.c.team_id))
        ).one()
    base.numerator, base.denominator, base.as_of = int(numerator), int(denominator), as_of
    base.value = indicator.value(base.numerator, base.denominator)
    if base.value is None:
        base.reason = f"Nothing to count in {month}"
    return base


def month_figures(
    month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> list[Figure]:
    """Every indicator for *month* and *scope*, in the registry's order."""
    _prepare()
    coverage = Coverage()
    return [figure(i, month, scope, coverage=coverage, settings=settings) for i in INDICATORS]


def kpi_show(month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None):
    """The ``qa kpi show --json`` shape: ``{"month", "scope", "kpis": [...]}``, each kpi with
    key, name, numerator, denominator, value, unit, as_of and reason (bands and England figures
    are added by the thresholds)."""
    kpis = []
    for f in month_figures(month, scope, settings=settings):
        # Bands and England figures belong to the thresholds, which fill these in.
        kpis.append({**f.as_dict(), "band": None, "england": None})
    return {"month": month, "scope": scope.key, "kpis": kpis}


def series(
    key: str,
    month: str,
    months: int = 12,
    scope: ReportScope = COUNCIL,
    *,
    settings: Settings | None = None,
) -> list[Figure]:
    """The monthly figures of one indicator, the *months* months ending with *month*, oldest
    first (for the XmR charts)."""
    _prepare()
    indicator = BY_KEY[key]
    coverage = Coverage()
    return [
        figure(indicator, m, scope, coverage=coverage, settings=settings)
        for m in month_helpers.ending_with(month, months)
    ]


def breakdown(
    key: str, month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> dict[str, list[dict]]:
    """The figure by locality and by team inside *scope*: ``{"localities": [...], "teams":
    [...]}``, each ``{id, name, numerator, denominator, value}`` (records with no team are in
    neither)."""
    _prepare()
    indicator = BY_KEY[key]
    window, _as_of = _window(indicator, month, Coverage(), settings or Settings())
    if window is None:
        return {"localities": [], "teams": []}
    records = indicator.records(window).subquery()
    totals = _totals(indicator, records)
    joined = records.join(Team, Team.id == records.c.team_id)
    where = scope.team_condition(records.c.team_id)
    out = {}
    for label, group in (("teams", Team.id), ("localities", Team.locality_id)):
        rows = db.session.execute(
            select(group, *totals).select_from(joined).where(where).group_by(group)
        ).all()
        out[label] = [
            {"id": gid, "numerator": int(n), "denominator": int(d),
             "value": indicator.value(int(n), int(d))}
            for gid, n, d in rows if gid is not None
        ]  # fmt: skip
    _names(out)
    return out


def _names(out: dict) -> None:
    from qa_app.models import Locality  # noqa: PLC0415 - only for the labels

    teams = dict(db.session.execute(select(Team.id, Team.name)).all())
    localities = dict(db.session.execute(select(Locality.id, Locality.name)).all())
    for row in out["teams"]:
        row["name"] = teams.get(row["id"], "")
    for row in out["localities"]:
        row["name"] = localities.get(row["id"], "")
    for rows in out.values():
        rows.sort(key=lambda r: r["name"])


def records_for(key: str, month: str, *, settings: Settings | None = None):
    """The records subquery of indicator *key* for *month* (columns as ``indicators`` says) and
    its as-of date, or ``(None, reason)`` when no import holds its kinds for the month."""
    _prepare()
    window, as_of = _window(BY_KEY[key], month, Coverage(), settings or Settings())
    if window is None:
        return None, as_of
    return BY_KEY[key].records(window).subquery(), as_of


def _children_query(key: str, month: str, scope: ReportScope, settings: Settings | None):
    records, _as_of = records_for(key, month, settings=settings)
    if records is None:
        return None
    return (
        select(
            Child.la_child_id,
            Team.name,
            User.name,
            records.c.first_date,
            records.c.second_date,
            records.c.num,
            records.c.child_id,
        )
        .select_from(records)
        .join(Child, Child.id == records.c.child_id)
        .outerjoin(Team, Team.id == records.c.team_id)
        .outerjoin(User, User.id == records.c.worker_id)
        .where(scope.team_condition(records.c.team_id))
    )


def count_children(
    key: str, month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> int:
    """How many records ``children`` lists (for paging)."""
    query = _children_query(key, month, scope, settings)
    if query is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def children(
    key: str,
    month: str,
    scope: ReportScope = COUNCIL,
    *,
    settings: Settings | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """The records behind a figure in *scope*: ``{child_id, team, worker, first_date,
    second_date, counted, measure, child_row}``; ``counted`` says whether the record is in the
    numerator, ``measure`` is its contribution (working days, days) for averages, ``child_row``
    the child's row id (for the access log). The caller logs access."""
    query = _children_query(key, month, scope, settings)
    if query is None:
        return []
    query = query.order_by(Team.name, Child.la_child_id, "first_date").limit(limit).offset(offset)
    averaged = BY_KEY[key].unit in ("working_days", "weeks")
    return [
        {"child_id": la, "team": team, "worker": worker, "first_date": first,
         "second_date": second, "counted": bool(num) if not averaged else True,
         "measure": int(num) if averaged else None, "child_row": row}
        for la, team, worker, first, second, num, row in db.session.execute(query)
    ]  # fmt: skip
