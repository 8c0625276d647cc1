"""Twelve-month trends: monthly proportions with 95% Wilson intervals and run-chart signals.

Wilson intervals use the closed form with SciPy's normal quantile (checked in the tests against
SciPy's ``binomtest(...).proportion_ci(method="wilson")``, which is too slow to call per point). Months with fewer than ``MIN_N`` audits keep their
counts but their proportion is suppressed in tables and flagged in charts.

Run-chart rules (NHS Improvement "Making data count"): a *shift* is six or more consecutive
points on one side of the median (points on the median neither break nor extend a run); a
*trend* is five or more consecutive points each higher (or each lower) than the one before (equal
neighbours break the run).
"""

import math
from dataclasses import dataclass, field
from itertools import pairwise

from scipy.stats import norm
from sqlalchemy import func

from qa_app.extensions import db
from qa_app.models import Audit, AuditCycle, AuditSectionGrade, SampleItem
from qa_app.services.reports.figures import (
    MIN_N,
    NO_FILTERS,
    Filters,
    dimension,
    reported_grade,
    submitted_audits,
)
from qa_app.services.reports.scope import ReportScope

SHIFT_LENGTH = 6
TREND_LENGTH = 5


# The normal quantile for a two-sided 95% interval, from SciPy rather than a typed constant.
Z95 = float(norm.ppf(0.975))


def wilson(successes: int, n: int) -> tuple[float, float] | None:
    """The 95% Wilson score interval for successes/n, as percentages; None when n is 0.

    The closed form (Wilson 1927), as SciPy's ``binomtest(...).proportion_ci(method="wilson")``
    computes it; the tests check the two agree. Calling binomtest itself costs ~5 ms a point (it
    also computes a p-value), too slow for dashboards with hundreds of points.
    """
    if n == 0:
        return None
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1)


@dataclass
class TrendPoint:
    month: str
    n: int
    successes: int
    pct: float | None  # None when suppressed (n < MIN_N) or no audits
    low: float | None
    high: float | None
    small: bool  # n < MIN_N: flagged in charts, suppressed in tables

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Trend:
    key: str
    title: str
    points: list[TrendPoint]
    median: float | None = None
    signals: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "points": [p.as_dict() for p in self.points],
            "median": self.median,
            "signals": self.signals,
        }


def trend_point(month: str, successes: int, n: int) -> TrendPoint:
    small = n < MIN_N
    interval = wilson(successes, n) if not small else None
    return TrendPoint(
        month=month,
        n=n,
        successes=successes,
        pct=None if small else round(100 * successes / n, 1),
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        small=small,
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def run_chart_signals(values: list[float | None], labels: list[str]) -> tuple[float | None, list]:
    """The median of the shown values and the shift and trend signals among them."""
    shown = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    if not shown:
        return None, []
    median = _median([v for _l, v in shown])
    signals: list[dict] = []

    def flush(run: list[str], direction: int, kind: str, length: int, words: tuple) -> None:
        if direction and len(run) >= length:
            word = words[0] if direction > 0 else words[1]
            signals.append({"kind": kind, "direction": word, "from": run[0], "to": run[-1]})

    run: list[str] = []
    side = 0
    for label, value in shown:
        here = _sign(value - median)
        if here == 0:
            continue
        if here != side:
            flush(run, side, "shift", SHIFT_LENGTH, ("above", "below"))
            run, side = [], here
        run.append(label)
    flush(run, side, "shift", SHIFT_LENGTH, ("above", "below"))

    run, direction = [shown[0][0]], 0
    for (prev_label, prev), (label, value) in pairwise(shown):
        step = _sign(value - prev)
        if step != 0 and step == direction:
            run.append(label)
            continue
        flush(run, direction, "trend", TREND_LENGTH, ("rising", "falling"))
        run, direction = ([prev_label, label], step) if step else ([label], 0)
    flush(run, direction, "trend", TREND_LENGTH, ("rising", "falling"))
    return median, signals


def monthly_grade_counts(
    months: list[str], scope: ReportScope, *, by=None, filters: Filters = NO_FILTERS
) -> dict[tuple[str, str], dict[int, int]]:
    """{(month, label): {grade: count}} over *months*, in one grouped query.

    *by* is None (label "All"), ``"team"``, ``"cohort"`` or ``"section"`` (section grades).
    """
    base = submitted_audits(months, scope, filters)
    if by == "section":
        base = base.join(AuditSectionGrade, AuditSectionGrade.audit_id == Audit.id).where(
            AuditSectionGrade.grade.is_not(None)
        )
        label, grade = AuditSectionGrade.section_key, AuditSectionGrade.grade
    else:
        base, label = dimension(base, by)
        grade = reported_grade()
    rows = db.session.execute(
        base.add_columns(
            AuditCycle.month.label("month"),
            label.label("label"),
            grade.label("grade"),
            func.count().label("n"),
        ).group_by(AuditCycle.month, label, grade)
    ).all()
    out: dict[tuple[str, str], dict[int, int]] = {}
    for row in rows:
        out.setdefault((row.month, row.label), {})[row.grade] = row.n
    return out


def grade_trends(
    months: list[str], scope: ReportScope, *, filters: Filters = NO_FILTERS, counts=None
) -> list[Trend]:
    """% good or better and % inadequate per month, with intervals and signals."""
    if counts is None:
        counts = monthly_grade_counts(months, scope, filters=filters)
    return [
        _trend("good_or_better", "Audits graded good or better", months, counts, "All", (1, 2)),
        _trend("inadequate", "Audits graded inadequate", months, counts, "All", (4,)),
    ]


def _trend(key, title, months, counts, label, success_grades) -> Trend:
    points = []
    for month in months:
        c = counts.get((month, label), {})
        n = sum(c.values())
        points.append(trend_point(month, sum(c.get(g, 0) for g in success_grades), n))
    median, signals = run_chart_signals([p.pct for p in points], months)
    return Trend(key, title, points, median, signals)


def trends_by(
    months: list[str], scope: ReportScope, by: str, *, filters: Filters = NO_FILTERS, counts=None
) -> list[Trend]:
    """% good or better per month for each team, cohort or section (*counts* if given)."""
    counts = (
        counts
        if counts is not None
        else monthly_grade_counts(months, scope, by=by, filters=filters)
    )
    labels = sorted({label for _m, label in counts})
    return [_trend(str(label), str(label), months, counts, label, (1, 2)) for label in labels]


def team_cohort_counts(
    months: list[str], scope: ReportScope, *, filters: Filters = NO_FILTERS
) -> dict[str, dict]:
    """Monthly grade counts overall, by team and by cohort from ONE grouped query.

    Returns {"all": counts, "team": counts, "cohort": counts} in the shape of
    ``monthly_grade_counts``; the query groups by month, team, cohort and grade, and the few
    hundred group rows are then summed three ways (dashboards need all three at once).
    """
    base, team = dimension(submitted_audits(months, scope, filters), "team")
    grade = reported_grade()
    rows = db.session.execute(
        base.add_columns(
            AuditCycle.month.label("month"),
            team.label("team"),
            SampleItem.cohort.label("cohort"),
            grade.label("grade"),
            func.count().label("n"),
        ).group_by(AuditCycle.month, team, SampleItem.cohort, grade)
    ).all()
    out: dict[str, dict] = {"all": {}, "team": {}, "cohort": {}}
    for row in rows:
        for kind, label in (("all", "All"), ("team", row.team), ("cohort", row.cohort)):
            cell = out[kind].setdefault((row.month, label), {})
            cell[row.grade] = cell.get(row.grade, 0) + row.n
    return out
