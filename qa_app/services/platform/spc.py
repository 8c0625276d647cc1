"""Statistical process control: XmR charts the NHS "Making Data Count" way.

``xmr(points, direction=..., target=...)`` takes a monthly series of ``(month, value)`` and the
measure's direction and returns an ``XmrResult``: the process limits, each point's special-cause
flags (improvement or concern), the variation icon, the assurance mark against the target and
any warnings, i.e. everything a chart and its data table need. It is pure: no database, no
clock. ``XmrResult.as_dict`` / ``from_dict`` round-trip it through JSON (report versions freeze
it). docs/spc.md explains the rules for readers. One module on purpose: the limits, the rules'
precedence and the marks depend on each other's details, which read best side by side (the
rules themselves are in ``spc_rules``).

The calculations follow NHS-R's ``NHSRplotthedots`` 0.2 (R/ptd_spc_standard.R,
R/ptd_calculate_point_type.R, R/ptd_calculate_assurance_type.R, R/geom_ptd_icon.R) and are
checked against its published examples in tests/services/platform/test_spc_published.py. No
Python library implements these rules (nhspy-plotthedots has no assurance and no rebasing), so
they are written here. Each choice, as NHSRplotthedots makes it:

* **Limits.** Mean of the values; moving ranges |x(i) - x(i-1)|; process limits at
  mean ± 2.66 x mean moving range. Outlying moving ranges are screened (NHSRplotthedots'
  default ``screen_outliers = TRUE``, after Nelson 1982): a moving range of 3.267 x the mean
  moving range or more is left out and the mean moving range recalculated. The MDC Excel tools
  do not screen; pass ``screen_outliers=False`` to match them. The mean is never screened, so
  a huge outlier lifts it. (Deviation: when screening would leave only zero moving ranges, e.g.
  a flat series with one spike, nothing is screened; NHSRplotthedots would draw limits of no
  width and flag every ordinary point.)
* **Baseline and rebasing.** ``baseline=N`` fixes the mean and limits of each period from its
  first N values (``fix_after_n_points``); ``rebase=[months]`` starts a new period at each month
  with its own mean and limits (``ptd_rebase``). Moving ranges, runs and trends never cross a
  rebase.
* **Rule 1, outside the limits:** a value strictly above the upper or below the lower limit.
* **Rule 2, shift:** 7 points in a row on the same side of the mean. A point exactly on the mean
  breaks the run. Every point of the run is flagged (all 8 of a run of 8).
* **Rule 3, trend:** 7 points in a row each strictly higher (or each lower) than the one before,
  i.e. 6 increases; an equal neighbour breaks the trend. The trend rule ignores the mean, so a
  trend may cross it.
* **Rule 4, two of three:** in 3 consecutive points, at least 2 are beyond two thirds of the
  way from the mean to a limit (outside mean ± 2 x 2.66/3 x mean moving range, the "2 sigma"
  line) but not beyond the limit itself, and all 3 are on the same side of the mean. Only the
  points in the outer third are flagged, not the third point of the window (issue #143 of
  NHSRplotthedots fixed the same-side condition).
* **One label per point.** A point flagged by several rules is labelled by the first of:
  outside the limits, trend, two of three, shift. Its side (high or low) comes from that rule:
  the side of the mean for limits, two-of-three and shifts; for a trend, the direction of the
  step to the next point when that point is in the trend too, otherwise of the step from the
  previous one. So in a run above the mean that also falls for 7 points, the falling points are
  labelled by the trend. (Deviation: NHSRplotthedots takes a flat step to the next point as
  "decreasing"; here a flat step defers to the previous step, which is the trend's direction.)
* **Improvement or concern** by the measure's direction: higher_is_better makes high points
  improvement and low points concern, lower_is_better the reverse, neither gives a neutral
  special cause ("neither high" / "neither low").
* **Variation icon:** the label of the latest point with a value: common cause, improvement
  high/low, concern high/low or neither high/low.
* **Assurance** uses the latest period's limits. Higher is better, target T ("at least T"):
  always meets when T is below the lower limit, never meets when T is above the upper limit,
  may or may not otherwise (a target equal to a limit is "may or may not"). Lower is better
  mirrors it. A target band (low, high) always meets when it contains both limits and never
  meets when it lies wholly outside them. No target, or a single target with direction
  neither (NHSRplotthedots gives none for "neutral"), gives no assurance mark.
* **Warnings.** A period whose limits rest on fewer than 12 values has trial limits (the
  issue's rule; NHSRplotthedots' code warns below 13, although its message and documentation
  say 12). With fewer than 2 values there are no limits and no flags. When every baseline value
  is equal the mean moving range is 0: the limits sit on the mean, no moving range is screened,
  and any later value that differs is outside the limits (said in a warning).
* **Missing months** (value ``None``, e.g. suppressed small numbers) are left out of the
  calculation: the points either side are treated as neighbours. They stay in the result so a
  chart can leave a gap.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from itertools import pairwise
from numbers import Real

from qa_app.services.platform import spc_rules

DIRECTIONS = ("higher_is_better", "lower_is_better", "neither")
MIN_POINTS = 12
VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
)
ASSURANCES = ("always_meets", "never_meets", "may_or_may_not")
VARIATION_TEXT = {
    "common_cause": "Common cause variation: no signal of change",
    "improvement_high": "Special cause improvement: unusually high values",
    "improvement_low": "Special cause improvement: unusually low values",
    "concern_high": "Special cause concern: unusually high values",
    "concern_low": "Special cause concern: unusually low values",
    "neither_high": "Special cause variation (neither better nor worse): unusually high values",
    "neither_low": "Special cause variation (neither better nor worse): unusually low values",
}
VARIATION_SHORT = {
    "common_cause": "Common cause",
    "improvement_high": "Improvement (high)",
    "improvement_low": "Improvement (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neither_high": "Special cause (high)",
    "neither_low": "Special cause (low)",
}
ASSURANCE_TEXT = {
    "always_meets": "Consistently meets the target: it lies outside the process limits on the "
    "good side",
    "never_meets": "Consistently misses the target: it lies outside the process limits on the "
    "bad side, so it will not be met without a change to the process",
    "may_or_may_not": "May or may not meet the target: it lies between the process limits",
}
RULE_TEXT = {
    "outside_limits": {"high": "above the upper limit", "low": "below the lower limit"},
    "trend": {"high": "7 or more rising in a row", "low": "7 or more falling in a row"},
    "two_of_three": {
        "high": "2 of 3 in the upper third near the limit",
        "low": "2 of 3 in the lower third near the limit",
    },
    "shift": {"high": "7 or more above the mean", "low": "7 or more below the mean"},
}
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class SpcError(ValueError):
    """The series or an option cannot be charted (the message names what and where)."""


@dataclass(frozen=True)
class Target:
    """What meets the target: at least ``low``, at most ``high``, or both (a band)."""

    low: float | None = None
    high: float | None = None

    def describe(self, unit: str = "") -> str:
        """E.g. "at most 10%"."""
        if self.low == self.high:
            return f"{self.low:g}{unit}"
        if self.low is not None and self.high is not None:
            return f"between {self.low:g}{unit} and {self.high:g}{unit}"
        if self.low is not None:
            return f"at least {self.low:g}{unit}"
        return f"at most {self.high:g}{unit}"


@dataclass(frozen=True)
class Limits:
    """One period's process: its months, the values its limits rest on and the lines."""

    start: str
    end: str
    n: int  # values in the period
    basis: int  # values the mean and limits were calculated from (the baseline)
    mean: float | None
    mean_moving_range: float | None
    screened: int  # moving ranges left out as outliers
    lower: float | None = None
    upper: float | None = None
    lower_near: float | None = None  # two thirds of the way to the lower limit (2 sigma)
    upper_near: float | None = None
    lower_sigma: float | None = None  # one third of the way (1 sigma)
    upper_sigma: float | None = None

    @property
    def trial(self) -> bool:
        """Limits from fewer than MIN_POINTS values: they will move as months are added."""
        return self.basis < MIN_POINTS


@dataclass(frozen=True)
class Point:
    month: str
    value: float | None
    period: int  # index into XmrResult.periods
    moving_range: float | None = None
    rules: tuple[str, ...] = ()  # every rule that flags the point, strongest first
    side: str | None = None  # "high" | "low": the side of the strongest rule
    kind: str | None = (
        None  # "common_cause" | "improvement" | "concern" | "neither"; None: no value
    )

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)

    def describe(self) -> str:
        """Plain words for a table cell, e.g. "Concern: above the upper limit"."""
        if self.value is None:
            return "No value"
        if not self.rules:
            return "Common cause"
        word = {"improvement": "Improvement", "concern": "Concern", "neither": "Special cause"}
        return f"{word[self.kind]}: {RULE_TEXT[self.rules[0]][self.side]}"


@dataclass(frozen=True)
class XmrResult:
    direction: str
    target: Target | None
    points: tuple[Point, ...]
    periods: tuple[Limits, ...]
    variation: str | None  # one of VARIATIONS; None when no point has a value
    assurance: str | None  # one of ASSURANCES; None without a target or limits
    warnings: tuple[str, ...]

    @property
    def latest(self) -> Limits | None:
        """The latest period's limits (the ones the assurance mark uses)."""
        return self.periods[-1] if self.periods else None

    def limits_of(self, point: Point) -> Limits:
        return self.periods[point.period]

    @property
    def variation_text(self) -> str:
        return VARIATION_TEXT.get(self.variation, "No values to assess")

    @property
    def assurance_text(self) -> str:
        if self.assurance is None:
            return "No target set" if self.target is None else "Not assessed"
        return ASSURANCE_TEXT[self.assurance]

    def as_dict(self) -> dict:
        """JSON-ready (report versions store it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "XmrResult":
        target = data.get("target")
        return cls(
            direction=data["direction"],
            target=Target(**target) if target else None,
            points=tuple(Point(**{**p, "rules": tuple(p["rules"])}) for p in data["points"]),
            periods=tuple(Limits(**p) for p in data["periods"]),
            variation=data["variation"],
            assurance=data["assurance"],
            warnings=tuple(data["warnings"]),
        )


def as_target(direction: str, target) -> Target | None:
    """A number means "at least" when higher is better and "at most" when lower is better; a
    (low, high) pair is a band; a ``Target`` is taken as it is."""
    if target is None or isinstance(target, Target):
        return target
    if isinstance(target, tuple | list):
        if len(target) != 2:
            raise SpcError(f"target {target!r}: give one number or a (low, high) band")
        low, high = (None if t is None else _number(t, "target") for t in target)
        if low is None and high is None:
            raise SpcError("target band: give at least one end")
        if low is not None and high is not None and low > high:
            raise SpcError(f"target band {low:g} to {high:g}: the low end is above the high end")
        return Target(low, high)
    value = _number(target, "target")
    if direction == "lower_is_better":
        return Target(high=value)
    return Target(low=value) if direction == "higher_is_better" else Target(value, value)


def xmr(
    points: Iterable[tuple[str, float | None]],
    *,
    direction: str,
    target=None,
    baseline: int | None = None,
    rebase: Sequence[str] = (),
    screen_outliers: bool = True,
) -> XmrResult:
    """The XmR chart of a monthly series ``[(YYYY-MM, value or None), ...]`` in month order.

    *direction* is one of DIRECTIONS; *target* a number, a (low, high) band or a ``Target``;
    *baseline* fixes each period's limits from its first N values; *rebase* lists the months
    where a new period (new mean and limits) starts. Raises SpcError on bad input.
    """
    if direction not in DIRECTIONS:
        raise SpcError(f"direction {direction!r}: choose one of {', '.join(DIRECTIONS)}")
    series = _checked(points)
    goal = as_target(direction, target)
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, int)):
        raise SpcError(f"baseline {baseline!r}: give a whole number of points")
    if baseline is not None and baseline < 2:
        raise SpcError(f"baseline {baseline}: limits need at least 2 points")
    months = [m for m, _v in series]
    for month in rebase:
        if month not in months:
            raise SpcError(f"rebase month {month!r} is not in the series")
    starts = sorted({0, *(months.index(m) for m in rebase)}) if series else []
    out_points: list[Point] = []
    periods: list[Limits] = []
    warnings: list[str] = []
    for number, (first, stop) in enumerate(pairwise([*starts, len(series)])):
        chunk = series[first:stop]
        limits = _limits(chunk, baseline, screen_outliers)
        periods.append(limits)
        out_points.extend(_classify(chunk, limits, number, direction))
        warnings.extend(_warnings(limits, len(starts) > 1))
    if not series:
        warnings.append("No values: nothing to chart.")
    shown = [p for p in out_points if p.value is not None]
    variation = _icon(shown[-1]) if shown else None
    latest = periods[-1] if periods else None
    assurance = _assurance(goal, direction, latest)
    return XmrResult(
        direction, goal, tuple(out_points), tuple(periods), variation, assurance, tuple(warnings)
    )


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise SpcError(f"{what} {value!r} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise SpcError(f"{what} {value!r} is not a finite number")
    return number


def _checked(points) -> list[tuple[str, float | None]]:
    series: list[tuple[str, float | None]] = []
    for item in points:
        try:
            month, value = item
        except (TypeError, ValueError):
            raise SpcError(f"point {item!r}: give (month, value)") from None
        if not isinstance(month, str) or not _MONTH.fullmatch(month):
            raise SpcError(f"month {month!r}: write months as YYYY-MM")
        if series and month <= series[-1][0]:
            raise SpcError(
                f"month {month} comes after {series[-1][0]}: give months in order, each once"
            )
        series.append((month, None if value is None else _number(value, f"value for {month}")))
    return series


def _limits(chunk, baseline, screen_outliers) -> Limits:
    values = [v for _m, v in chunk if v is not None]
    basis = values[:baseline] if baseline else values
    common = {"start": chunk[0][0], "end": chunk[-1][0], "n": len(values), "basis": len(basis)}
    if not basis:
        return Limits(**common, mean=None, mean_moving_range=None, screened=0)
    mean = spc_rules.mean_of(basis)
    if len(basis) < 2:
        return Limits(**common, mean=mean, mean_moving_range=None, screened=0)
    mr_bar, screened = spc_rules.mean_moving_range(basis, screen_outliers)
    return Limits(
        **common,
        mean=mean,
        mean_moving_range=mr_bar,
        screened=screened,
        lower=mean - spc_rules.LIMIT * mr_bar,
        upper=mean + spc_rules.LIMIT * mr_bar,
        lower_near=mean - spc_rules.NEAR * mr_bar,
        upper_near=mean + spc_rules.NEAR * mr_bar,
        lower_sigma=mean - spc_rules.SIGMA * mr_bar,
        upper_sigma=mean + spc_rules.SIGMA * mr_bar,
    )


def _kind(side: str | None, direction: str) -> str:
    if side is None:
        return "common_cause"
    if direction == "neither":
        return "neither"
    good = "high" if direction == "higher_is_better" else "low"
    return "improvement" if side == good else "concern"


def _classify(chunk, limits: Limits, period: int, direction: str) -> list[Point]:
    present = [(m, v) for m, v in chunk if v is not None]
    flags = dict(
        zip(
            [m for m, _v in present],
            spc_rules.special_causes([v for _m, v in present], limits),
            strict=True,
        )
    )
    previous = None
    out = []
    for month, value in chunk:
        if value is None:
            out.append(Point(month, None, period))
            continue
        rules, side = flags[month]
        moving_range = None if previous is None else abs(value - previous)
        previous = value
        out.append(Point(month, value, period, moving_range, rules, side, _kind(side, direction)))
    return out


def _icon(point: Point) -> str:
    return "common_cause" if point.kind == "common_cause" else f"{point.kind}_{point.side}"


def _assurance(goal: Target | None, direction: str, lim: Limits | None) -> str | None:
    if goal is None or lim is None or lim.upper is None:
        return None
    if direction == "neither" and goal.low == goal.high:
        return None  # a single target with no better direction: NHSRplotthedots gives none
    low_ok = goal.low is None or goal.low < lim.lower
    high_ok = goal.high is None or goal.high > lim.upper
    if low_ok and high_ok:
        return "always_meets"
    if (goal.low is not None and goal.low > lim.upper) or (
        goal.high is not None and goal.high < lim.lower
    ):
        return "never_meets"
    return "may_or_may_not"


def _warnings(lim: Limits, rebased: bool) -> list[str]:
    where = f" from {lim.start}" if rebased else ""
    if lim.n == 0:
        return [f"No values{where}: nothing to chart."]
    if lim.mean_moving_range is None:
        return [f"Only 1 value{where}: at least 2 are needed for process limits."]
    out = []
    if lim.trial:
        out.append(
            f"Limits{where} rest on {lim.basis} points, fewer than {MIN_POINTS}: treat them as "
            "trial limits, which will move as months are added."
        )
    if lim.mean_moving_range == 0:
        out.append(
            f"Every value the limits{where} rest on is the same, so the limits sit on the mean "
            "and any different value falls outside them."
        )
    return out
