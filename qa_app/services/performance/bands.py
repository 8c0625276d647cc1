"""Threshold bands and the rating of a value: pure, no database (docs/thresholds.md#bands).

Bands are written as *steps* in ascending order of value. Each step but the last has an upper
limit, either ``below`` (the limit itself belongs to the next step) or ``up_to`` (the limit
belongs to this step); the last step has no limit. So every real number falls in exactly one
step. The board's ">25 | 20-24 | 16-19 | <16" for an ASYE's caseload is::

    shape: lower
    steps:
      - {band: outstanding, below: 16}            # under 16
      - {band: good, below: 20}                   # 16 to under 20 (19.5 is Good)
      - {band: requires_improvement, up_to: 25}   # 20 to 25 (24.5 and 25 are RI)
      - {band: inadequate}                        # over 25

*shape* says how the bands run: ``higher`` (better as the value rises: Inadequate up to
Outstanding), ``lower`` (the reverse), or ``two_sided`` (too low is also a concern: the bands
rise to a best range and fall again, e.g. repeat CP plans 10-15% Good).
"""

import math
from dataclasses import dataclass
from itertools import pairwise
from numbers import Real

BANDS = ("inadequate", "requires_improvement", "good", "outstanding")
BAND_NAMES = {
    "inadequate": "Inadequate",
    "requires_improvement": "Requires improvement",
    "good": "Good",
    "outstanding": "Outstanding",
}
RANK = {band: rank for rank, band in enumerate(BANDS)}
SHAPES = {
    "higher": "Higher is better",
    "lower": "Lower is better",
    "two_sided": "Two-sided: too low is also a concern",
}
MAX_STEPS = 7
UNIT_SUFFIX = {"percent": "%"}


class BandsError(ValueError):
    """Bands that cannot be used; the message names the step and the field."""


@dataclass(frozen=True)
class Step:
    band: str
    limit: float | None  # None: the last step, no upper limit
    inclusive: bool = False  # True: the limit belongs to this step (``up_to``)


@dataclass(frozen=True)
class Bands:
    shape: str
    steps: tuple[Step, ...]

    def rate(self, value: float | None) -> str | None:
        """The band *value* falls in; None for a missing value (None or NaN)."""
        return rate_value(self, value)

    def as_dict(self) -> dict:
        """The stored and YAML form (``parse_bands`` reads it back)."""
        steps = []
        for step in self.steps:
            item: dict = {"band": step.band}
            if step.limit is not None:
                item["up_to" if step.inclusive else "below"] = plain(step.limit)
            steps.append(item)
        return {"shape": self.shape, "steps": steps}

    def describe(self, unit: str = "") -> list[tuple[str, str]]:
        """Each step as (band, range in words), e.g. ("good", "16 to under 20")."""
        suffix = UNIT_SUFFIX.get(unit, "")
        out = []
        previous: Step | None = None
        for step in self.steps:
            out.append((step.band, _range_text(previous, step, suffix)))
            previous = step
        return out


def format_value(value: float | None, unit: str = "") -> str:
    """A figure as the bands write it: ``85.7%``, ``16``, ``2.5``; an en dash when missing."""
    return "\u2013" if value is None else _fmt(value, UNIT_SUFFIX.get(unit, ""))


def plain(number: float) -> int | float:
    """16.0 as 16, 2.5 as 2.5."""
    return int(number) if float(number).is_integer() else float(number)


def _fmt(number: float, suffix: str) -> str:
    return f"{plain(number):,}{suffix}"


def _range_text(previous: Step | None, step: Step, suffix: str) -> str:
    if previous is None:
        if step.limit is None:
            return "any value"
        limit = _fmt(step.limit, suffix)
        return f"{limit} or less" if step.inclusive else f"under {limit}"
    low = _fmt(previous.limit, suffix)
    if step.limit is None:
        return f"over {low}" if previous.inclusive else f"{low} or more"
    high = _fmt(step.limit, suffix)
    start = f"over {low}" if previous.inclusive else low
    end = high if step.inclusive else f"under {high}"
    return f"{start} to {end}"


def rate_value(bands: Bands, value: float | None) -> str | None:
    """The band of *value* under *bands*: the first step whose limit it is under (or at, for an
    ``up_to`` limit); None when the value is missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for step in bands.steps:
        if step.limit is None or value < step.limit or (step.inclusive and value == step.limit):
            return step.band
    raise AssertionError("validated bands always end with an unlimited step")


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise BandsError(f"{where}: must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise BandsError(f"{where}: must be a finite number")
    return number


def parse_bands(data: object, where: str = "bands") -> Bands:
    """Bands from their stored form (``{"shape", "steps": [{"band", "below" | "up_to"}]}``),
    checked: known shape and bands, limits rising, and bands running as the shape says."""
    if not isinstance(data, dict):
        raise BandsError(f"{where}: must be a mapping with shape and steps")
    unknown = sorted(set(data) - {"shape", "steps"})
    if unknown:
        raise BandsError(f"{where}: unknown field(s) {', '.join(unknown)}")
    shape = data.get("shape")
    if shape not in SHAPES:
        raise BandsError(f"{where}.shape: must be one of {', '.join(SHAPES)}, not {shape!r}")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise BandsError(f"{where}.steps: must be a list of steps")
    steps = tuple(
        _parse_step(raw, f"{where}.steps[{i}]", last=i == len(raw_steps) - 1)
        for i, raw in enumerate(raw_steps)
    )
    for i in range(1, len(steps) - 1):
        if steps[i].limit <= steps[i - 1].limit:
            raise BandsError(
                f"{where}.steps[{i}]: the limit {_fmt(steps[i].limit, '')} must be greater than "
                f"the step before's ({_fmt(steps[i - 1].limit, '')})"
            )
    bands = Bands(shape=shape, steps=steps)
    check_shape(bands, where)
    return bands


def _parse_step(raw: object, where: str, *, last: bool) -> Step:
    if not isinstance(raw, dict):
        raise BandsError(f"{where}: must be a mapping such as {{band: good, below: 20}}")
    unknown = sorted(set(raw) - {"band", "below", "up_to"})
    if unknown:
        raise BandsError(f"{where}: unknown field(s) {', '.join(unknown)}")
    band = raw.get("band")
    if band not in BANDS:
        raise BandsError(f"{where}.band: must be one of {', '.join(BANDS)}, not {band!r}")
    limits = [k for k in ("below", "up_to") if k in raw]
    if last:
        if limits:
            raise BandsError(f"{where}: the last step has no limit (it takes every value above)")
        return Step(band, None)
    if len(limits) != 1:
        raise BandsError(f"{where}: give exactly one of below (limit excluded) or up_to")
    return Step(band, _number(raw[limits[0]], f"{where}.{limits[0]}"), limits[0] == "up_to")


def check_shape(bands: Bands, where: str = "bands") -> None:
    """The bands run as their shape says: one-sided bands are the four bands in order (rising
    for ``higher``, falling for ``lower``); two-sided bands rise to one best range and fall."""
    ranks = [RANK[step.band] for step in bands.steps]
    if bands.shape in ("higher", "lower"):
        expected = list(range(4)) if bands.shape == "higher" else list(range(3, -1, -1))
        if ranks != expected:
            order = [BANDS[r] for r in expected]
            raise BandsError(
                f"{where}.steps: {bands.shape}-is-better bands are four steps, in order "
                f"{', '.join(order)}"
            )
        return
    if not 3 <= len(ranks) <= MAX_STEPS:
        raise BandsError(f"{where}.steps: two-sided bands have 3 to {MAX_STEPS} steps")
    peak = ranks.index(max(ranks))
    rising, falling = ranks[: peak + 1], ranks[peak:]
    if not (
        all(a < b for a, b in pairwise(rising))
        and all(a > b for a, b in pairwise(falling))
        and 0 < peak < len(ranks) - 1
    ):
        raise BandsError(
            f"{where}.steps: two-sided bands must get better step by step up to one best range "
            "and worse step by step after it, with a worse band on each side"
        )
