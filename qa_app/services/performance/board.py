"""The Improvement Board table: every indicator for a month and a scope with its bands, the last
three months, the band of the latest, the England figure and the SPC marks of its 12-month
series (docs/indicators.md#the-improvement-board-dashboard).

The figures are the grouped SQL of ``figures.series_figures`` (a period indicator's 12 months in
one query grouped by month); they are cached in Redis under a stamp that moves whenever an import, a team's place in the
organisation or the calendar could change them. Bands and England figures are read fresh (two
queries): a change of bands shows at once.
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from qa_app.cache import cached_json
from qa_app.extensions import db
from qa_app.models import CalendarDay, EventCoverage, Import, Team, User
from qa_app.services.performance import figures
from qa_app.services.performance.bands import BAND_NAMES, RANK, Bands, format_value
from qa_app.services.performance.indicators import BY_KEY, INDICATORS, Settings
from qa_app.services.performance.thresholds import Thresholds, all_thresholds
from qa_app.services.platform import months as month_helpers
from qa_app.services.platform.spc import VARIATION_SHORT, XmrResult, xmr
from qa_app.services.reports.scope import COUNCIL, ReportScope

SERIES_MONTHS = 12
SHOWN_MONTHS = 3
CACHE_SECONDS = 600  # the teams table, which names teams (a rename moves no stamp)
# The figures name nothing; every change that can move them moves the stamp, so the expiry only
# bounds memory and a 100,000-child council computes its board a few times a day, not hourly.
FIGURES_CACHE_SECONDS = 6 * 3600
SPC_DIRECTION = {"higher": "higher_is_better", "lower": "lower_is_better", "neither": "neither"}


def data_stamp() -> str:
    """Moves whenever a figure may have changed: a newly complete import (events, cases and
    allocations come from imports), a team moved, added or removed, or a qualification date
    recorded or changed (the caseloads by experience). Aggregates over small tables."""
    teams = select(
        func.count(Team.id), func.sum(func.coalesce(Team.locality_id, 0) * Team.id)
    ).subquery()
    # Dates before the calendar (2000) join nothing: moving one to another changes no band,
    # since both are 5 years or more before any date the figures are taken at.
    qualified = (
        select(func.count(User.qualified_on)).scalar_subquery(),
        select(func.sum(CalendarDay.day_number * User.id))
        .join_from(User, CalendarDay, CalendarDay.day == User.qualified_on)
        .scalar_subquery(),
    )
    row = db.session.execute(
        select(
            select(func.max(Import.id)).where(Import.status == "complete").scalar_subquery(),
            select(func.max(EventCoverage.id)).scalar_subquery(),
            *teams.c,
            *qualified,
        )
    ).one()
    return ":".join(str(part or 0) for part in row)


def monthly_figures(
    month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None,
    count: int = SERIES_MONTHS,
) -> dict[str, list[dict]]:  # fmt: skip
    """``{key: [figure dict, ...]}``, the *count* months ending with *month*, oldest first."""
    settings = settings or Settings()
    series_months = month_helpers.ending_with(month, count)

    def compute() -> dict:
        found = figures.series_figures(series_months, scope, settings=settings)
        return {
            key: [{"month": m, **f.as_dict()} for m, f in zip(series_months, row, strict=True)]
            for key, row in found.items()
        }

    key = [scope.key, series_months, settings.cp_visit_working_days, data_stamp()]
    return cached_json("performance-board", key, compute, seconds=FIGURES_CACHE_SECONDS)


def good_target(bands: Bands | None):
    """The values rated Good or better, as an SPC target: a number (at least / at most, by the
    shape) or a (low, high) band for two-sided bands; None when not rated."""
    if bands is None:
        return None
    low = high = None
    previous = None
    seen_good = False
    for step in bands.steps:
        good = RANK[step.band] >= RANK["good"]
        if good and not seen_good:
            low, seen_good = (previous.limit if previous else None), True
        if seen_good and good:
            high = step.limit
        if seen_good and not good:
            break
        previous = step
    if not seen_good or (low is None and high is None):
        return None
    if bands.shape == "higher":
        return low
    if bands.shape == "lower":
        return high
    return (low, high)


def spc_of(series: list[dict], direction: str, bands: Bands | None) -> XmrResult:
    """The XmR result of a figure series, judged against the Good band as the target."""
    target = good_target(bands)
    spc_direction = SPC_DIRECTION[direction]
    if spc_direction == "neither" and not isinstance(target, tuple):
        target = None
    points = [(f["month"], f["value"]) for f in series]
    return xmr(points, direction=spc_direction, target=target)


@dataclass(frozen=True)
class BoardRow:
    key: str
    name: str
    unit: str
    direction: str
    parent: str | None
    ranges: dict  # band -> range in words, in the board's column order
    recent: list  # the last three months' figure dicts, oldest first
    latest: dict
    band: str | None
    england: dict
    comparators: list
    spc: dict

    @property
    def band_name(self) -> str | None:
        return BAND_NAMES.get(self.band)

    def format(self, value) -> str:
        return format_value(value, self.unit)


def _england(t: Thresholds) -> dict:
    e = t.england
    return {"figure": e.figure, "year": e.year, "source": e.source, "note": e.note}


def _spc_marks(result: XmrResult) -> dict:
    kinds = [p.kind for p in result.points if p.special_cause]
    return {
        "variation": result.variation,
        "variation_short": VARIATION_SHORT.get(result.variation, "No values"),
        "variation_text": result.variation_text,
        "assurance": result.assurance,
        "assurance_text": result.assurance_text,
        "improvements": kinds.count("improvement"),
        "concerns": kinds.count("concern"),
        "points": sum(p.value is not None for p in result.points),
        "warnings": list(result.warnings),
    }


def board(month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None) -> dict:
    """``{"month", "scope", "months": [last three], "rows": [BoardRow, ...]}`` in the
    registry's order."""
    data = monthly_figures(month, scope, settings=settings)
    rated = all_thresholds(month, [i.key for i in INDICATORS])
    rows = []
    for indicator in INDICATORS:
        series, t = data[indicator.key], rated[indicator.key]
        latest = series[-1]
        result = spc_of(series, indicator.direction, t.bands)
        rows.append(
            BoardRow(
                key=indicator.key,
                name=indicator.name,
                unit=indicator.unit,
                direction=indicator.direction,
                parent=indicator.parent,
                ranges=t.band_ranges,
                recent=series[-SHOWN_MONTHS:],
                latest=latest,
                band=t.rate(latest["value"]),
                england=_england(t),
                comparators=[c.__dict__ for c in t.comparators],
                spc=_spc_marks(result),
            )
        )
    return {
        "month": month,
        "scope": scope.key,
        "months": month_helpers.ending_with(month, SHOWN_MONTHS),
        "rows": rows,
    }


def indicator_chart(
    key: str, month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> tuple[list[dict], XmrResult, Thresholds]:
    """One indicator's 12-month series, its XmR result and its thresholds (the chart page)."""
    indicator = BY_KEY[key]
    series = monthly_figures(month, scope, settings=settings)[key]
    t = all_thresholds(month, [key])[key]
    return series, spc_of(series, indicator.direction, t.bands), t


def kpi_show(month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None):
    """``figures.kpi_show`` with each kpi's ``band`` (its rating in the month's bands, null when
    not rated or no value) and ``england`` (``{figure, year, source}``, null when none is
    published): the ``qa kpi show --json`` shape."""
    data = figures.kpi_show(month, scope, settings=settings)
    rated = all_thresholds(month, [k["key"] for k in data["kpis"]])
    for kpi in data["kpis"]:
        t = rated[kpi["key"]]
        kpi["band"] = t.rate(kpi["value"])
        e = t.england
        kpi["england"] = (
            None if e.figure is None else {"figure": e.figure, "year": e.year, "source": e.source}
        )
    return data
