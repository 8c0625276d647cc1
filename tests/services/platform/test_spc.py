"""XmR charts: the rules' edges, bad input, and properties that hold for any series."""

import json
import math
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qa_app.services.platform.spc import SpcError, Target, XmrResult, xmr
from qa_app.services.platform.spc_rules import SCREEN


def months(count: int) -> list[str]:
    return [f"{2020 + i // 12:04d}-{i % 12 + 1:02d}" for i in range(count)]


def series(values) -> list[tuple[str, float | None]]:
    return list(zip(months(len(values)), values, strict=True))


def kinds(result) -> list[str | None]:
    return [p.kind for p in result.points]


def clear_of_edges(values: list[float], result) -> bool:
    """No value sits (within rounding) on the mean, a limit or a 2-sigma line, and no moving
    range on the screening edge: there, adding a constant may legitimately tip a comparison."""
    limits = result.latest
    if limits.mean_moving_range is None:
        return True
    lines = [limits.mean, limits.lower, limits.upper, limits.lower_near, limits.upper_near]
    scale = max(1.0, *(abs(v) for v in values))
    ranges = [abs(b - a) for a, b in pairwise(values)]
    raw = math.fsum(ranges) / len(ranges)
    return all(abs(v - line) > 1e-9 * scale for v in values for line in lines) and all(
        abs(r - SCREEN * raw) > 1e-9 * scale for r in ranges
    )


values_lists = st.lists(st.integers(-40, 40), min_size=2, max_size=30).map(
    lambda xs: [float(x) for x in xs]
)
directions = st.sampled_from(["higher_is_better", "lower_is_better", "neither"])


# --- properties --------------------------------------------------------------------------------


@given(values_lists, directions, st.integers(-1000, 1000), st.sampled_from([0.25, 1.0, 8.0]))
def test_shifting_and_scaling_moves_the_limits_and_keeps_the_flags(values, direction, add, times):
    before = xmr(series(values), direction=direction)
    assume(clear_of_edges(values, before))
    after = xmr(series([add + times * v for v in values]), direction=direction)
    assert [(p.rules, p.side, p.kind) for p in after.points] == [
        (p.rules, p.side, p.kind) for p in before.points
    ]
    assert after.variation == before.variation
    old, new = before.latest, after.latest
    assert new.mean == pytest.approx(add + times * old.mean, abs=1e-9 * (1 + abs(add)))
    if old.mean_moving_range is not None:
        assert new.upper == pytest.approx(add + times * old.upper, abs=1e-9 * (1 + abs(add)))
        assert new.lower == pytest.approx(add + times * old.lower, abs=1e-9 * (1 + abs(add)))


@given(values_lists, st.integers(-40, 40))
def test_reversing_the_direction_swaps_improvement_and_concern(values, target):
    up = xmr(series(values), direction="higher_is_better", target=target)
    down = xmr(series(values), direction="lower_is_better", target=target)
    swap = {"improvement": "concern", "concern": "improvement", "common_cause": "common_cause"}
    assert kinds(down) == [swap[k] for k in kinds(up)]
    assert [p.side for p in down.points] == [p.side for p in up.points]
    if up.variation != "common_cause":
        kind, side = up.variation.split("_")
        assert down.variation == f"{swap[kind]}_{side}"
    mirror = {"always_meets": "never_meets", "never_meets": "always_meets"}
    assert down.assurance == mirror.get(up.assurance, up.assurance)


@given(values_lists, directions)
def test_mirroring_the_values_mirrors_every_flag(values, direction):
    flipped = {"higher_is_better": "lower_is_better", "lower_is_better": "higher_is_better"}
    a = xmr(series(values), direction=direction)
    b = xmr(series([-v for v in values]), direction=flipped.get(direction, direction))
    other = {"high": "low", "low": "high", None: None}
    assert [p.rules for p in b.points] == [p.rules for p in a.points]
    assert [p.side for p in b.points] == [other[p.side] for p in a.points]
    if direction != "neither":
        assert kinds(b) == kinds(a)


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(2, 30), directions)
def test_a_constant_series_has_no_special_cause(value, count, direction):
    result = xmr(series([value] * count), direction=direction, target=value)
    assert not any(p.special_cause for p in result.points)
    assert result.variation == "common_cause"
    limits = result.latest
    assert limits.lower == limits.mean == limits.upper == pytest.approx(value)
    assert any("same" in w for w in result.warnings)


@given(st.lists(st.integers(0, 10), min_size=12, max_size=36), st.data(), st.booleans())
def test_one_huge_outlier_is_flagged_above_the_limits(values, data, screen):
    where = data.draw(st.integers(0, len(values) - 1))
    values = [float(v) for v in values]
    values[where] = 1e6
    result = xmr(series(values), direction="lower_is_better", screen_outliers=screen)
    point = result.points[where]
    assert point.rules[0] == "outside_limits" and point.side == "high"
    assert point.kind == "concern" and result.variation is not None
    if not screen:
        # Unscreened (the Excel tools), its own moving ranges widen the limits around the rest.
        assert sum(p.rules[:1] == ("outside_limits",) for p in result.points) == 1


def _run_series(run: list[float]) -> list[float]:
    # Alternating 10, 0 either side keeps every other point off any run or trend, and the
    # mean near 5, below every point of the run.
    return [10.0, 0.0] * 4 + run + [0.0, 10.0] * 4


@given(st.lists(st.sampled_from([6.0, 7.0]), min_size=1, max_size=12))
def test_shift_needs_seven_in_a_row(run):
    result = xmr(series(_run_series(run)), direction="higher_is_better")
    flagged = [p for p in result.points if p.special_cause]
    if len(run) >= 7:
        assert [p.month for p in flagged] == months(len(run) + 8)[8:]
        assert {(p.rules, p.side, p.kind) for p in flagged} == {(("shift",), "high", "improvement")}
    else:
        assert flagged == []


@given(st.integers(2, 12))
def test_trend_needs_seven_rising_points_that_is_six_rises(length):
    run = [3.5 + 3 * i / (length - 1) for i in range(length)]
    result = xmr(series([4.0, 6.0] * 5 + run + [4.0, 6.0] * 5), direction="lower_is_better")
    flagged = [p for p in result.points if p.special_cause]
    if length >= 7:
        assert [p.value for p in flagged] == run
        assert {(p.rules[0], p.side, p.kind) for p in flagged} == {("trend", "high", "concern")}
    else:
        assert flagged == []


def test_six_versus_seven_exactly():
    six = xmr(series(_run_series([6.0, 7.0] * 3)), direction="higher_is_better")
    seven = xmr(series(_run_series([6.0, 7.0] * 3 + [6.0])), direction="higher_is_better")
    assert not any(p.special_cause for p in six.points)
    assert sum(p.special_cause for p in seven.points) == 7


def test_a_point_on_the_mean_breaks_a_run():
    # Limits fixed from [0, 10] * 7: a mean of exactly 5. Then ten points above it, the fifth
    # of them (in the middle of nine 6s) on it: runs of 5 and 4, no shift.
    values = [0.0, 10.0] * 7 + [6.0] * 4 + [5.0] + [6.0] * 4 + [0.0]
    result = xmr(series(values), direction="higher_is_better", baseline=14)
    assert result.latest.mean == 5.0
    assert not any(p.special_cause for p in result.points)
    values[18] = 6.0
    nine = xmr(series(values), direction="higher_is_better", baseline=14)
    assert [p.month for p in nine.points if "shift" in p.rules] == months(len(values))[13:23]


def test_json_round_trip():
    result = xmr(
        series([1, 2, None, 4, 9, 3, 2, 2, 1, 3, 4, 5, 6, 7]),
        direction="lower_is_better",
        target=3,
        rebase=[months(14)[6]],
    )
    again = XmrResult.from_dict(json.loads(json.dumps(result.as_dict())))
    assert again == result


# --- the rules in practice ---------------------------------------------------------------------


def test_strongest_rule_labels_a_point_and_colours_it():
    # Limits fixed from [5, 6] * 6: mean 5.5, limits 2.84 to 8.16, outer thirds from 7.27 and
    # below 3.73. Higher is better. Seven months above the mean, one beyond the upper limit:
    base = [5.0, 6.0] * 6
    result = xmr(
        series([*base, 6.5, 6.2, 9.0, 6.4, 6.1, 6.6, 6.3, 5.0]),
        direction="higher_is_better",
        baseline=12,
    )
    peak = result.points[14]
    assert peak.rules == ("outside_limits", "shift") and peak.kind == "improvement"
    assert peak.describe() == "Improvement: above the upper limit"
    assert [p.describe() for p in result.points[12:]] == [
        *["Improvement: 7 or more above the mean"] * 2,
        "Improvement: above the upper limit",
        *["Improvement: 7 or more above the mean"] * 4,
        "Common cause",
    ]
    # Seven falling months, all above the mean: the trend outranks the shift, so a measure
    # where higher is better shows them as a concern.
    falling = [7.2, 7.0, 6.8, 6.6, 6.4, 6.2, 6.0]
    result = xmr(series([*base, *falling, 6.5, 5.0]), direction="higher_is_better", baseline=12)
    run = result.points[12:19]
    assert {(p.rules, p.side, p.kind) for p in run} == {(("trend", "shift"), "low", "concern")}
    assert run[0].describe() == "Concern: 7 or more falling in a row"


def test_two_of_three_in_the_outer_third():
    # Limits fixed from the first 10 points: mean 5.5, mean moving range 1, so the outer third
    # is 7.27 to 8.16 (and 2.84 to 3.73).
    values = [5.0, 6.0] * 5 + [7.7, 5.9, 7.7] + [6.0, 5.0, 6.0] + [3.3, 4.0, 6.0, 3.3]
    result = xmr(series(values), direction="lower_is_better", baseline=10)
    marked = {p.month: p for p in result.points if p.special_cause}
    assert set(marked) == {months(20)[10], months(20)[12]}  # not the middle point
    assert {(p.rules, p.side, p.kind) for p in marked.values()} == {
        (("two_of_three",), "high", "concern")
    }  # and 3.3, 4.0, 6.0, 3.3: two low ones, but not all three below the mean


def test_variation_icon_is_the_latest_points():
    up = xmr(series([5.0, 6.0] * 7 + [40.0]), direction="higher_is_better")
    assert up.variation == "improvement_high"
    down = xmr(series([5.0, 6.0] * 7 + [40.0]), direction="lower_is_better")
    assert down.variation == "concern_high"
    neither = xmr(series([5.0, 6.0] * 7 + [-40.0]), direction="neither")
    assert neither.variation == "neither_low"
    assert neither.points[-1].describe() == "Special cause: below the lower limit"
    gap = xmr(series([5.0, 6.0] * 7 + [40.0, None]), direction="higher_is_better")
    assert gap.variation == "improvement_high"  # the latest month with a value


@pytest.mark.parametrize(
    ("direction", "target", "expected"),
    [
        ("higher_is_better", 1, "always_meets"),  # below the lower limit
        ("higher_is_better", 50, "never_meets"),
        ("higher_is_better", 5.5, "may_or_may_not"),
        ("lower_is_better", 50, "always_meets"),
        ("lower_is_better", 1, "never_meets"),
        ("neither", 5.5, None),
        ("neither", (1, 50), "always_meets"),
        ("neither", (20, 50), "never_meets"),
        ("higher_is_better", (5, 50), "may_or_may_not"),
        ("higher_is_better", None, None),
    ],
)
def test_assurance_against_a_target_or_band(direction, target, expected):
    result = xmr(series([5.0, 6.0] * 7), direction=direction, target=target)
    assert result.assurance == expected  # limits about 2.8 to 8.2


def test_a_target_on_a_limit_may_or_may_not_be_met():
    result = xmr(series([5.0, 6.0] * 7), direction="higher_is_better")
    on_limit = xmr(series([5.0, 6.0] * 7), direction="higher_is_better", target=result.latest.lower)
    assert on_limit.assurance == "may_or_may_not"


def test_baseline_fixes_the_limits_from_the_first_points():
    values = [5.0, 6.0] * 6 + [9.0] * 7
    fixed = xmr(series(values), direction="higher_is_better", baseline=12)
    assert fixed.latest.mean == 5.5 and fixed.latest.basis == 12 and fixed.latest.n == 19
    assert [p.kind for p in fixed.points[12:]] == ["improvement"] * 7
    assert fixed.points[12].rules[0] == "outside_limits"
    free = xmr(series(values), direction="higher_is_better")
    assert free.latest.mean > 5.5
    assert xmr(series(values), direction="higher_is_better", baseline=50).latest.basis == 19


def test_rebase_starts_new_limits_and_runs_do_not_cross_it():
    values = [5.0, 6.0] * 6 + [20.0, 21.0] * 6
    rebased = xmr(series(values), direction="higher_is_better", rebase=[months(24)[12]])
    first, second = rebased.periods
    assert (first.mean, second.mean) == (5.5, 20.5)
    assert not any(p.special_cause for p in rebased.points)
    assert rebased.points[12].moving_range is None
    assert xmr(series(values), direction="higher_is_better").points[12].special_cause


def test_missing_months_are_skipped_and_kept():
    result = xmr(series([5.0, None, 7.0, 6.0]), direction="higher_is_better")
    assert [p.value for p in result.points] == [5.0, None, 7.0, 6.0]
    assert result.points[1].kind is None and result.points[1].describe() == "No value"
    assert result.points[2].moving_range == 2.0
    assert result.latest.n == 3 and result.latest.mean == 6.0


@pytest.mark.parametrize(
    ("values", "warning"),
    [
        ([], "No values"),
        ([None, None], "No values"),
        ([4.0], "Only 1 value"),
        ([4.0, 5.0], "fewer than 12"),
        ([4.0, 5.0] * 5 + [4.0], "rest on 11 points, fewer than 12"),
    ],
)
def test_short_series_warn(values, warning):
    result = xmr(series(values), direction="higher_is_better", target=3)
    assert any(warning in w for w in result.warnings)
    if len([v for v in values if v is not None]) < 2:
        assert result.assurance is None
        assert not any(p.special_cause for p in result.points)


def test_twelve_points_are_not_trial_limits():
    result = xmr(series([4.0, 5.0] * 6), direction="higher_is_better")
    assert result.warnings == () and not result.latest.trial


def test_texts_for_tables_and_pages():
    result = xmr(series([5.0, 6.0] * 7), direction="lower_is_better", target=10)
    assert result.variation_text.startswith("Common cause")
    assert result.assurance_text.startswith("Consistently meets the target")
    assert result.target.describe("%") == "at most 10%"
    assert Target(10, 15).describe("%") == "between 10% and 15%"
    assert xmr(series([1.0, 2.0]), direction="neither").assurance_text == "No target set"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "up"}, "direction 'up'"),
        ({"points": [("2026-13", 1)]}, "month '2026-13': write months as YYYY-MM"),
        ({"points": [("2026-02", 1), ("2026-01", 2)]}, "month 2026-01 comes after 2026-02"),
        ({"points": [("2026-02", 1), ("2026-02", 2)]}, "each once"),
        ({"points": [("2026-01", "7")]}, "value for 2026-01 '7' is not a number"),
        ({"points": [("2026-01", math.nan)]}, "value for 2026-01 nan is not a finite number"),
        ({"points": [("2026-01", True)]}, "value for 2026-01 True is not a number"),
        ({"points": [("2026-01",)]}, "give (month, value)"),
        ({"rebase": ["2027-01"]}, "rebase month '2027-01' is not in the series"),
        ({"baseline": 1}, "baseline 1: limits need at least 2 points"),
        ({"target": (10, 5)}, "the low end is above the high end"),
        ({"target": (None, None)}, "give at least one end"),
        ({"target": "ten"}, "target 'ten' is not a number"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(kwargs, message):
    args = {"points": series([1.0, 2.0, 3.0]), "direction": "higher_is_better", **kwargs}
    with pytest.raises(SpcError, match=message.replace("(", r"\(").replace(")", r"\)")):
        xmr(args.pop("points"), **args)
