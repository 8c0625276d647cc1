"""The XmR rules themselves: the mean, the mean moving range and each point's special causes.

Pure arithmetic over one period's values; ``spc.xmr`` validates the series, splits it into
periods and turns these flags into improvement or concern. Each choice (and where it follows or
departs from NHSRplotthedots) is set out in the docstring of ``qa_app.services.platform.spc``.
"""

import math
from itertools import pairwise

LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
NEAR = 2 * (LIMIT / 3)  # the "2 sigma" line: two thirds of the way to a limit
SIGMA = LIMIT / 3
SCREEN = 3.267  # D4 for ranges of two: moving ranges at or above D4 x mean are screened out
RUN = 7
RULES = ("outside_limits", "trend", "two_of_three", "shift")


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def mean_of(values: list[float]) -> float:
    # R's mean() refines the sum with a second pass; so does this, and equal values give
    # exactly their value (else a constant series sits an ulp off its own mean, in a "run").
    if min(values) == max(values):
        return values[0]
    first = math.fsum(values) / len(values)
    return first + math.fsum(v - first for v in values) / len(values)


def mean_moving_range(basis: list[float], screen_outliers: bool) -> tuple[float, int]:
    """The mean moving range of *basis* (2 or more values) and how many ranges were screened."""
    ranges = [abs(b - a) for a, b in pairwise(basis)]
    mr_bar = math.fsum(ranges) / len(ranges)
    if screen_outliers and mr_bar > 0:
        kept = [r for r in ranges if r < SCREEN * mr_bar]
        # Screening that would leave no spread at all is not applied (spc docstring).
        if any(kept):
            return math.fsum(kept) / len(kept), len(ranges) - len(kept)
    return mr_bar, 0


def _part_of(ends: list[bool]) -> list[bool]:
    """A point is in a run of RUN when the run ends at it or at one of the next RUN - 1."""
    return [any(ends[i : i + RUN]) for i in range(len(ends))]


def special_causes(y: list[float], lim) -> list[tuple[tuple[str, ...], str | None]]:
    """For each value, the rules that flag it (strongest first) and the side of the strongest.

    *lim* has ``mean`` and, when there are limits, ``lower``/``upper`` and the two-thirds lines
    ``lower_near``/``upper_near`` (an ``spc.Limits``).
    """
    n = len(y)
    above = [_sign(v - lim.mean) for v in y]
    if lim.upper is None:
        outside = close = [False] * n
    else:
        outside = [v > lim.upper or v < lim.lower for v in y]
        close = [
            not out and (v < lim.lower_near or v > lim.upper_near)
            for v, out in zip(y, outside, strict=True)
        ]
    shift = _part_of(
        [
            i >= RUN - 1 and above[i] != 0 and len(set(above[i - RUN + 1 : i + 1])) == 1
            for i in range(n)
        ]
    )
    steps = [_sign(b - a) for a, b in pairwise(y)]  # steps[i]: from point i to point i + 1
    trend = _part_of(
        [
            i >= RUN - 1 and steps[i - 1] != 0 and len(set(steps[i - RUN + 1 : i])) == 1
            for i in range(n)
        ]
    )
    windows = [
        s for s in range(n - 2) if sum(close[s : s + 3]) >= 2 and abs(sum(above[s : s + 3])) == 3
    ]
    in_window = [any(s <= i <= s + 2 for s in windows) for i in range(n)]
    out: list[tuple[tuple[str, ...], str | None]] = []
    for i in range(n):
        rules = tuple(
            rule
            for rule, hit in zip(
                RULES, (outside[i], trend[i], in_window[i] and close[i], shift[i]), strict=True
            )
            if hit
        )
        if not rules:
            out.append(((), None))
            continue
        if rules[0] == "trend":
            right = steps[i] if i + 1 < n and trend[i + 1] else 0
            sign = right or (steps[i - 1] if i > 0 else 0)
        else:
            sign = above[i]
        out.append((rules, "high" if sign > 0 else "low"))
    return out
