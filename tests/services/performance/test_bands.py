"""The rating function: every value gets exactly one band, one-sided bands are monotonic,
two-sided bands rise to one best range and fall, symmetric bands rate symmetrically, and the
board's table reads as docs/thresholds.md says."""

import math
import re
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qa_app.services.performance.bands import (
    BANDS,
    RANK,
    Bands,
    BandsError,
    Step,
    parse_bands,
    rate_value,
)

ASYE = parse_bands(
    {
        "shape": "lower",
        "steps": [
            {"band": "outstanding", "below": 16},
            {"band": "good", "below": 20},
            {"band": "requires_improvement", "up_to": 25},
            {"band": "inadequate"},
        ],
    }
)
ONE_TO_THREE = parse_bands(
    {
        "shape": "lower",
        "steps": [
            {"band": "outstanding", "below": 20},
            {"band": "good", "below": 26},
            {"band": "requires_improvement", "up_to": 30},
            {"band": "inadequate"},
        ],
    }
)

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.integers(-1000, 1000)


@st.composite
def one_sided(draw) -> Bands:
    limits = sorted(
        draw(st.sets(st.integers(-500, 500) | st.floats(-500, 500), min_size=3, max_size=3))
    )
    assume(len({float(x) for x in limits}) == 3)
    shape = draw(st.sampled_from(["higher", "lower"]))
    order = BANDS if shape == "higher" else BANDS[::-1]
    inclusive = draw(st.lists(st.booleans(), min_size=3, max_size=3))
    steps = [Step(order[i], float(limits[i]), inclusive[i]) for i in range(3)]
    return Bands(shape, (*steps, Step(order[3], None)))


@st.composite
def two_sided(draw) -> Bands:
    peak = draw(st.integers(1, 3))  # good .. outstanding, with worse bands on both sides
    left = sorted(draw(st.sets(st.integers(0, peak - 1), min_size=1, max_size=peak)))
    right = sorted(draw(st.sets(st.integers(0, peak - 1), min_size=1, max_size=peak)), reverse=True)
    ranks = [*left, peak, *right]
    limits = sorted(draw(st.sets(st.integers(-300, 300), min_size=len(ranks) - 1,
                                 max_size=len(ranks) - 1)))  # fmt: skip
    inclusive = draw(st.lists(st.booleans(), min_size=len(limits), max_size=len(limits)))
    steps = [
        Step(BANDS[r], float(limit), inc)
        for r, limit, inc in zip(ranks, limits, inclusive, strict=False)
    ]
    return Bands("two_sided", (*steps, Step(BANDS[ranks[-1]], None)))


def _containing(bands: Bands, value: float) -> list[int]:
    """Indexes of the steps whose interval holds *value*, worked out interval by interval."""
    found = []
    low, low_inclusive = -math.inf, False
    for i, step in enumerate(bands.steps):
        high = math.inf if step.limit is None else step.limit
        above_low = value > low or (low_inclusive and value == low)
        below_high = value < high or (step.inclusive and value == high)
        if above_low and below_high:
            found.append(i)
        # The next interval starts where this one stops: it holds the limit only if this does not.
        low, low_inclusive = high, not step.inclusive
    return found


@given(st.one_of(one_sided(), two_sided()), values)
def test_every_value_gets_exactly_one_band(bands, value):
    found = _containing(bands, value)
    assert len(found) == 1
    assert rate_value(bands, value) == bands.steps[found[0]].band


@given(st.one_of(one_sided(), two_sided()))
def test_a_value_at_a_limit_stays_for_up_to_and_goes_on_for_below(bands):
    for step, following in pairwise(bands.steps):
        assert bands.rate(step.limit) == (step.band if step.inclusive else following.band)


@given(one_sided(), values, values)
def test_one_sided_bands_are_monotonic(bands, a, b):
    low, high = sorted([a, b])
    rank_low, rank_high = RANK[bands.rate(low)], RANK[bands.rate(high)]
    if bands.shape == "higher":
        assert rank_low <= rank_high
    else:
        assert rank_low >= rank_high


@given(two_sided(), values, values, values)
def test_two_sided_bands_never_improve_away_from_the_best_range(bands, a, b, c):
    low, mid, high = sorted([a, b, c])
    assert RANK[bands.rate(mid)] >= min(RANK[bands.rate(low)], RANK[bands.rate(high)])


@st.composite
def symmetric(draw) -> tuple[Bands, int]:
    """Two-sided bands mirrored about a centre: a limit at centre + d keeping its value in the
    inner step is matched by a limit at centre - d that sends its value inward too."""
    centre = draw(st.integers(-100, 100))
    depth = draw(st.integers(1, 3))
    widths = sorted(draw(st.sets(st.integers(1, 60), min_size=depth, max_size=depth)))
    outward = [BANDS[3 - depth + i] for i in range(depth, -1, -1)]  # best first
    keeps = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    left = [
        Step(outward[i + 1], float(centre - widths[i]), not keeps[i])
        for i in range(depth - 1, -1, -1)
    ]
    right = [Step(outward[i], float(centre + widths[i]), keeps[i]) for i in range(depth)]
    steps = (*left, *right, Step(outward[depth], None))
    return parse_bands(Bands("two_sided", steps).as_dict()), centre


@given(symmetric(), st.integers(0, 100))
def test_symmetric_two_sided_bands_rate_symmetrically(pair, distance):
    bands, centre = pair
    assert bands.rate(centre - distance) == bands.rate(centre + distance)


def test_the_boards_caseload_table_reads_as_documented():
    # ">25 | 20-24 | 16-19 | <16" for an ASYE
    assert ASYE.rate(15.99) == "outstanding"
    assert ASYE.rate(16) == "good"
    assert ASYE.rate(19.5) == "good"
    assert ASYE.rate(20) == "requires_improvement"
    assert ASYE.rate(24.5) == "requires_improvement"
    assert ASYE.rate(25) == "requires_improvement"
    assert ASYE.rate(25.01) == "inadequate"
    # ">30 | 26-30 | 20-25 | <20" for 1-3 years
    assert [ONE_TO_THREE.rate(v) for v in (19.9, 20, 25.5, 26, 30, 30.5)] == [
        "outstanding",
        "good",
        "good",
        "requires_improvement",
        "requires_improvement",
        "inadequate",
    ]
    assert ASYE.describe("ratio") == [
        ("outstanding", "under 16"),
        ("good", "16 to under 20"),
        ("requires_improvement", "20 to 25"),
        ("inadequate", "over 25"),
    ]


@pytest.mark.parametrize("missing", [None, math.nan])
def test_a_missing_value_has_no_band(missing):
    assert ASYE.rate(missing) is None


@given(st.one_of(one_sided(), two_sided()))
def test_stored_form_reads_back_the_same(bands):
    assert parse_bands(bands.as_dict()) == bands


@pytest.mark.parametrize(
    ("steps", "shape", "message"),
    [
        (
            [{"band": "inadequate", "below": 70}, {"band": "requires_improvement", "below": 60},
             {"band": "good", "below": 90}, {"band": "outstanding"}],
            "higher",
            "bands.steps[1]: the limit 60 must be greater than the step before's (70)",
        ),
        (
            [{"band": "good", "below": 70}, {"band": "requires_improvement", "below": 80},
             {"band": "inadequate", "below": 90}, {"band": "outstanding"}],
            "higher",
            "in order inadequate, requires_improvement, good, outstanding",
        ),
        (
            [{"band": "good", "below": 10}, {"band": "requires_improvement", "up_to": 15},
             {"band": "good"}],
            "two_sided",
            "one best range",
        ),
        (
            [{"band": "inadequate", "below": 70}, {"band": "requires_improvement", "below": 80},
             {"band": "good", "below": 90}, {"band": "outstanding", "up_to": 100}],
            "higher",
            "bands.steps[3]: the last step has no limit",
        ),
        (
            [{"band": "poor", "below": 70}, {"band": "good"}],
            "higher",
            "bands.steps[0].band: must be one of",
        ),
        (
            [{"band": "inadequate", "below": "seventy"}, {"band": "outstanding"}],
            "higher",
            "bands.steps[0].below: must be a number",
        ),
        (
            [{"band": "inadequate", "below": 70, "up_to": 70}, {"band": "outstanding"}],
            "higher",
            "bands.steps[0]: give exactly one of below",
        ),
    ],
)  # fmt: skip
def test_bad_bands_are_refused_naming_the_step_and_field(steps, shape, message):
    with pytest.raises(BandsError, match=re.escape(message)):
        parse_bands({"shape": shape, "steps": steps})
