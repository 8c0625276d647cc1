"""Twelve-month trends: monthly proportions with 95% Wilson intervals and their XmR charts.

Wilson intervals use the closed form with SciPy's normal quantile (checked in the tests against
SciPy's ``binomtest(...).proportion_ci(method="wilson")``, which is too slow to call per point).
Months with fewer than ``MIN_N`` audits keep their counts but their proportion is suppressed in
tables and left out of the charts.

Each trend is also a statistical process control series (``platform.spc.xmr``, the NHS "Making
Data Count" rules): good or better and compliance with higher is better, inadequate with lower
is better against the report's target. The interval and the XmR flags answer different
questions: how precisely one month's figure is known, and whether the process has changed.
"""

import math
from dataclasses import dataclass

from scipy.stats import norm
from sqlalchemy import func

from qa_app.extensions import db
from qa_app.models import Audit, AuditComplianceAnswer, AuditCycle, AuditSectionGrade, SampleItem
from qa_app.models.toolkit_definition import REPORTED_COMPLIANCE
from qa_app.services.platform.spc import XmrResult, xmr
from qa_app.services.reports.figures import (
    MIN_N,
    NO_FILTERS,
    Filters,
    dimension,
    reported_grade,
    submitted_audits,
)
from qa_app.services.reports.scope import ReportScope

DEFAULT_INADEQUATE_TARGET = 10.0  # % inadequate the report holds as "at most"


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
    direction: str = "higher_is_better"
    target: float | None = None
    xmr: XmrResult | None = None

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "points": [p.as_dict() for p in self.points],
            "direction": self.direction,
            "target": self.target,
            "xmr": self.xmr.as_dict() if self.xmr else None,
        }

    def as_row(self) -> dict:
        """The trend for a table of many (dashboards): points, the variation mark and how many
        months it rests on (under 12 its limits are trial limits)."""
        return {
            "key": self.key,
            "title": self.title,
            "points": [p.as_dict() for p in self.points],
            "variation": self.xmr.variation if self.xmr else None,
            "charted": sum(p.pct is not None for p in self.points),
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


def with_xmr(trend: Trend) -> Trend:
    """*trend* with its XmR result over the months whose percentage is shown."""
    trend.xmr = xmr(
        [(p.month, p.pct) for p in trend.points], direction=trend.direction, target=trend.target
    )
    return trend


def stored_xmr(trend: dict, inadequate_target: float | None) -> XmrResult:
    """A stored trend's XmR result. Versions built before the report used SPC hold none: it is
    computed from their stored points, as it would have been then."""
    if trend.get("xmr"):
        return XmrResult.from_dict(trend["xmr"])
    lower = trend["key"] == "inadequate"
    return xmr(
        [(p["month"], p["pct"]) for p in trend["points"]],
        direction="lower_is_better" if lower else "higher_is_better",
        target=inadequate_target if lower else None,
    )


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
    months: list[str],
    scope: ReportScope,
    *,
    filters: Filters = NO_FILTERS,
    counts=None,
    inadequate_target: float | None = DEFAULT_INADEQUATE_TARGET,
) -> list[Trend]:
    """% good or better and % inadequate per month, with intervals and XmR results."""
    if counts is None:
        counts = monthly_grade_counts(months, scope, filters=filters)
    return [
        with_xmr(
            _trend("good_or_better", "Audits graded good or better", months, counts, "All", (1, 2))
        ),
        with_xmr(
            _trend(
                "inadequate",
                "Audits graded inadequate",
                months,
                counts,
                "All",
                (4,),
                direction="lower_is_better",
                target=inadequate_target,
            )
        ),
    ]


def _trend(key, title, months, counts, label, success_grades, **spc) -> Trend:
    points = []
    for month in months:
        c = counts.get((month, label), {})
        n = sum(c.values())
        points.append(trend_point(month, sum(c.get(g, 0) for g in success_grades), n))
    return Trend(key, title, points, **spc)


def compliance_trends(
    months: list[str], scope: ReportScope, *, filters: Filters = NO_FILTERS
) -> list[Trend]:
    """% yes (of yes and no) per month for each reported compliance item, in one grouped query,
    with intervals and XmR results (higher is better, no target)."""
    rows = db.session.execute(
        submitted_audits(months, scope, filters)
        .join(AuditComplianceAnswer, AuditComplianceAnswer.audit_id == Audit.id)
        .where(
            AuditComplianceAnswer.question_key.in_(list(REPORTED_COMPLIANCE)),
            AuditComplianceAnswer.answer.in_(("yes", "no")),
        )
        .add_columns(
            AuditCycle.month.label("month"),
            AuditComplianceAnswer.question_key.label("key"),
            AuditComplianceAnswer.answer.label("answer"),
            func.count().label("n"),
        )
        .group_by(
            AuditCycle.month, AuditComplianceAnswer.question_key, AuditComplianceAnswer.answer
        )
    ).all()
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        counts.setdefault((row.month, row.key), {})[row.answer] = row.n
    return [
        with_xmr(
            Trend(
                key,
                f"Audits {label.removeprefix('% ')}",
                [
                    trend_point(
                        month,
                        counts.get((month, key), {}).get("yes", 0),
                        sum(counts.get((month, key), {}).values()),
                    )
                    for month in months
                ],
            )
        )
        for key, label in REPORTED_COMPLIANCE.items()
    ]


def trends_by(
    months: list[str], scope: ReportScope, by: str, *, filters: Filters = NO_FILTERS, counts=None
) -> list[Trend]:
    """% good or better per month for each team, cohort or section (*counts* if given), each
    with its XmR result."""
    counts = (
        counts
        if counts is not None
        else monthly_grade_counts(months, scope, by=by, filters=filters)
    )
    labels = sorted({label for _m, label in counts})
    return [
        with_xmr(_trend(str(label), str(label), months, counts, label, (1, 2))) for label in labels
    ]


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
