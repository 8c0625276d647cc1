"""The figures: every indicator for a month and a scope, a monthly series, the breakdown by
locality and team, and the children behind a figure. All grouped SQL over the records each
indicator defines (``indicators``); Python only handles the few result rows.

A period figure needs an import holding its kinds of event for a period that overlaps the month
(its ``as_of`` is the end of the month or of the latest such period, whichever is earlier); a
snapshot figure is taken at D, the latest as-of date in the month of an import that holds all its
kinds (``coverage``). Otherwise the figure has no numerator or denominator, and ``reason`` says
why.
"""

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import CalendarDay, Child, Team, User
from qa_app.services.performance.coverage import Coverage, prepare
from qa_app.services.performance.coverage import window as window_of
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


def _totals(indicator: Indicator, records):
    numerator = func.coalesce(func.sum(records.c.num), 0)
    if indicator.distinct_workers:
        return numerator, func.count(func.distinct(records.c.worker_id))
    return numerator, func.coalesce(func.sum(records.c.den), 0)


def _run(query):
    """Execute *query* on the session's connection: the figures are plain rows, and the ORM's
    per-execution set-up, which walks every column of these deep queries, costs a cold board
    about a tenth of a second."""
    return db.session.connection().execute(query)


def _month_number(month: str) -> int:
    start = month_helpers.first_day(month)
    return start.year * 12 + start.month - 1


def _by_month(records, *columns):
    """``records`` joined to its calendar month (``month_number``) through ``event_date``."""
    return (
        select(CalendarDay.month_number, *columns)
        .select_from(records)
        .join(CalendarDay, CalendarDay.day == records.c.event_date)
        .group_by(CalendarDay.month_number)
    )


def _month_totals(indicator: Indicator, window: Window, scope: ReportScope, coverage) -> dict:
    """``{month_number: (numerator, denominator)}`` of a period indicator for every month of
    *window*, in one query grouped by month. A part of a split (assessment outcomes) counts its
    part among all the parts, which are grouped once for the whole split and kept on
    *coverage* for its other parts."""
    if indicator.split is None:
        records = indicator.records(window).subquery()
        rows = _run(
            _by_month(records, *_totals(indicator, records)).where(
                scope.team_condition(records.c.team_id)
            )
        ).all()
        return {month: (int(n), int(d)) for month, n, d in rows}
    key = (indicator.parent, window, scope.key)
    if key not in coverage.splits:
        records = indicator.split(window).subquery()
        query = _by_month(records, records.c.part, func.count()).group_by(records.c.part)
        parts: dict[int, dict[str, int]] = {}
        for month, part, count in _run(query.where(scope.team_condition(records.c.team_id))):
            parts.setdefault(month, {})[part] = int(count)
        coverage.splits[key] = parts
    part = indicator.key.rpartition(".")[2]
    return {
        month: (counts.get(part, 0), sum(counts.values()))
        for month, counts in coverage.splits[key].items()
    }


def _blank(indicator: Indicator) -> Figure:
    return Figure(indicator.key, indicator.name, indicator.unit, indicator.direction,
                  indicator.timing, None, None, None, None, parent=indicator.parent)  # fmt: skip


def _filled(base: Figure, numerator: int, denominator: int, as_of: date, month: str) -> Figure:
    base.numerator, base.denominator, base.as_of = int(numerator), int(denominator), as_of
    base.value = BY_KEY[base.key].value(base.numerator, base.denominator)
    if base.value is None:
        base.reason = f"Nothing to count in {month}"
    return base


def _period_series(indicator, months, scope, coverage, settings) -> list[Figure]:
    """A period indicator for each of *months*: one grouped query over the months an import
    covers, not a query per month."""
    windows = {m: window_of(indicator, m, coverage, settings) for m in months}
    covered = [window for window, _as_of in windows.values() if window is not None]
    totals = {}
    if covered:
        span = Window(min(w.start for w in covered), max(w.end for w in covered), None, settings)
        totals = _month_totals(indicator, span, scope, coverage)
    out = []
    for month in months:
        window, as_of = windows[month]
        base = _blank(indicator)
        if window is None:
            base.reason = as_of
        else:
            _filled(base, *totals.get(_month_number(month), (0, 0)), as_of, month)
        out.append(base)
    return out


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
        prepare()
        coverage = Coverage()
    settings = settings or Settings()
    if indicator.timing == PERIOD:
        return _period_series(indicator, [month], scope, coverage, settings)[0]
    window, as_of = window_of(indicator, month, coverage, settings)
    base = _blank(indicator)
    if window is None:
        base.reason = as_of
        return base
    records = indicator.records(window).subquery()
    numerator, denominator = _run(
        select(*_totals(indicator, records)).where(scope.team_condition(records.c.team_id))
    ).one()
    return _filled(base, numerator, denominator, as_of, month)


def series_figures(
    months: list[str],
    scope: ReportScope = COUNCIL,
    *,
    settings: Settings | None = None,
    keys: list[str] | None = None,
) -> dict[str, list[Figure]]:
    """``{key: [Figure per month]}`` for *months* (oldest first) and the indicators *keys*
    (all by default): a period indicator in one query grouped by month, a snapshot indicator
    once per month that has an import (the others cost no query)."""
    prepare()
    coverage = Coverage()
    settings = settings or Settings()
    chosen = [BY_KEY[k] for k in keys] if keys else INDICATORS
    out = {}
    for indicator in chosen:
        if indicator.timing == PERIOD:
            out[indicator.key] = _period_series(indicator, months, scope, coverage, settings)
        else:
            out[indicator.key] = [
                figure(indicator, m, scope, coverage=coverage, settings=settings) for m in months
            ]
    return out


def month_figures(
    month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> list[Figure]:
    """Every indicator for *month* and *scope*, in the registry's order."""
    return [f[0] for f in series_figures([month], scope, settings=settings).values()]


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
    window = month_helpers.ending_with(month, months)
    return series_figures(window, scope, settings=settings, keys=[key])[key]


LEVELS = {"teams": Team.id, "localities": Team.locality_id}


def breakdown(
    key: str,
    month: str,
    scope: ReportScope = COUNCIL,
    *,
    settings: Settings | None = None,
    levels: tuple[str, ...] = ("localities", "teams"),
) -> dict[str, list[dict]]:
    """The figure by locality and by team inside *scope* (or only the *levels* asked for):
    ``{"localities": [...], "teams": [...]}``, each ``{id, name, numerator, denominator,
    value}`` (records with no team are in neither)."""
    prepare()
    indicator = BY_KEY[key]
    window, _as_of = window_of(indicator, month, Coverage(), settings or Settings())
    if window is None:
        return {level: [] for level in levels}
    records = indicator.records(window).subquery()
    totals = _totals(indicator, records)
    joined = records.join(Team, Team.id == records.c.team_id)
    where = scope.team_condition(records.c.team_id)
    out = {}
    for label in levels:
        group = LEVELS[label]
        rows = _run(select(group, *totals).select_from(joined).where(where).group_by(group)).all()
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
    for row in out.get("teams", []):
        row["name"] = teams.get(row["id"], "")
    for row in out.get("localities", []):
        row["name"] = localities.get(row["id"], "")
    for rows in out.values():
        rows.sort(key=lambda r: r["name"])


def records_for(key: str, month: str, *, settings: Settings | None = None):
    """The records subquery of indicator *key* for *month* (columns as ``indicators`` says) and
    its as-of date, or ``(None, reason)`` when no import holds its kinds for the month."""
    prepare()
    window, as_of = window_of(BY_KEY[key], month, Coverage(), settings or Settings())
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
