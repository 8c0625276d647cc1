"""The XmR calculations against the worked examples published with NHS-R's NHSRplotthedots.

Sources (nhs-r-community/NHSRplotthedots at commit 050b07d7eacc011767532732f69b8fd7d6a28fd3,
release 0.2.2):
- README.md / man/figures/README-limits-example-1.png: RQM type 1 A&E breaches, April 2016 to
  March 2018, improvement "decrease", target 1200: limits labelled 740, 1 545 and 2 350;
  orange (concern) points Dec 2016 and Jan 2017, blue (improvement) May and Jun 2016;
  ``summary()`` gives variation "common_cause" and assurance "inconsistent".
- vignettes/NHSRplotthedots.Rmd: RRK type 1 breaches, same months, "decrease": "8 sequential
  points coloured in blue ... triggered by a rule that looks for >=7 points on one side of the
  mean".
- vignettes/deviations.Rmd: the series 1, 2, 1, 2, 10, 1, ... gives UPL 4.6, mean 1.94, LPL -0.72
  (outliers screened, the default) and UPL 6.95, mean 1.94, LPL -3.06 (screen_outliers = FALSE,
  "the same output as Excel"), one special cause improvement point (the 10); total attendances
  by month: 36 common cause points, and rebased at April 2017 and April 2018 three sections of 12
  common cause points with their own limits.
- tests/testthat/_snaps/ptd_spc_standard.md and _snaps/ptd_spc.md: ``set.seed(123); rnorm(20)``
  gives mean 0.1416238, limits -3.01138 and 3.294627; with y[15] = 10, mean 0.6694159 and limits
  -2.383666 / 3.722497 (screened) or -4.596625 / 5.935457 (not screened); split in two facets of
  10, limits -2.60 / 2.75 and -3.28 / 3.70.
- tests/testthat/test-ptd_spc_standard.R: two successive points in the outer thirds on opposite
  sides of the mean are common cause.
- tests/testthat/test-ptd_calculate_point_type.R and test-ptd_calculate_assurance_type.R: the
  rule and assurance cases re-run below on ``_flags`` and ``_assurance``.

The A&E figures are NHSRdatasets' ``ae_attendances``, read from the copy in
nhs-pycom/nhspy-plotthedots (nhspy_plotthedots/data/ae_attendances.csv at commit
bfdefe4ae0baca24b71dcd997e3d5ab7ce9f07e0). The rnorm values are R's ``set.seed(123); rnorm(20)``
(Mersenne-Twister, inversion); that they are right is shown by the snapshot means and limits they
reproduce to seven figures.
"""

import pytest

from qa_app.services.platform import spc, spc_rules
from qa_app.services.platform.spc import Limits, xmr


def months(count: int, year: int = 2016, month: int = 4) -> list[str]:
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


MONTHS_24 = months(24)  # April 2016 to March 2018
RQM_BREACHES = [
    1199, 929, 970, 1178, 1110, 1388, 2061, 1985, 2675, 3141, 1942, 2030,
    1309, 1960, 1169, 1117, 1085, 1492, 1280, 1197, 1569, 1406, 1328, 1564,
]  # fmt: skip
RRK_BREACHES = [
    1195, 1843, 1397, 1333, 1771, 1751, 2013, 1759, 2179, 2585, 1654, 1543,
    1632, 1558, 1190, 1357, 1279, 1683, 2190, 1804, 986, 2181, 2048, 2154,
]  # fmt: skip
TOTAL_ATTENDANCES = [
    1867781,
    2070340,
    1958802,
    2079034,
    1932901,
    1952464,
    2001816,
    1907871,
    1944567,
    1895272,
    1735619,
    2015834,
    1949762,
    2066789,
    1994056,
    2073944,
    1924663,
    1925961,
    2044137,
    1976971,
    2003954,
    2000086,
    1820012,
    2049785,
    1984369,
    2164458,
    2093942,
    2179896,
    1997854,
    2005695,
    2079492,
    2037847,
    2047518,
    2113413,
    1954947,
    2167550,
]  # fmt: skip  April 2016 to March 2019, every organisation and type
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
    -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
    -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def flagged(result) -> dict[str, str]:
    return {p.month: p.kind for p in result.points if p.special_cause}


def test_rqm_breaches_readme_example():
    result = xmr(
        zip(MONTHS_24, RQM_BREACHES, strict=True), direction="lower_is_better", target=1200
    )
    limits = result.latest
    assert (round(limits.lower), round(limits.mean), round(limits.upper)) == (740, 1545, 2350)
    assert flagged(result) == {
        "2016-05": "improvement",
        "2016-06": "improvement",
        "2016-12": "concern",
        "2017-01": "concern",
    }
    assert result.variation == "common_cause"
    assert result.assurance == "may_or_may_not"  # NHSRplotthedots: "inconsistent"


def test_rrk_breaches_vignette_run_of_eight_below_the_mean():
    result = xmr(zip(MONTHS_24, RRK_BREACHES, strict=True), direction="lower_is_better")
    run = [p for p in result.points if p.rules == ("shift",)]
    assert [p.month for p in run] == months(8, 2017, 2)  # February to September 2017
    assert {(p.kind, p.side) for p in run} == {("improvement", "low")}


@pytest.mark.parametrize(("screen", "upper", "lower"), [(True, 4.6, -0.72), (False, 6.95, -3.06)])
def test_deviations_vignette_outlier_screening(screen, upper, lower):
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    result = xmr(
        zip(months(18), data, strict=True), direction="higher_is_better", screen_outliers=screen
    )
    limits = result.latest
    assert (round(limits.upper, 2), round(limits.mean, 2), round(limits.lower, 2)) == (
        upper,
        1.94,
        lower,
    )
    assert limits.screened == (2 if screen else 0)
    assert flagged(result) == {"2016-08": "improvement"}  # the fifth point, 10


def test_deviations_vignette_total_attendances_with_and_without_rebasing():
    series = list(zip(months(36), TOTAL_ATTENDANCES, strict=True))
    assert flagged(xmr(series, direction="higher_is_better")) == {}
    rebased = xmr(series, direction="higher_is_better", rebase=["2017-04", "2018-04"])
    assert [(p.start, p.end, p.n) for p in rebased.periods] == [
        ("2016-04", "2017-03", 12),
        ("2017-04", "2018-03", 12),
        ("2018-04", "2019-03", 12),
    ]
    assert len({p.mean for p in rebased.periods}) == 3
    assert flagged(rebased) == {}
    assert [p.period for p in rebased.points] == [0] * 12 + [1] * 12 + [2] * 12


def test_rnorm_snapshots_of_ptd_spc_standard():
    series = list(zip(months(20), RNORM_123, strict=True))
    limits = xmr(series, direction="higher_is_better").latest
    assert limits.mean == pytest.approx(0.1416238, abs=5e-8)
    assert (limits.lower, limits.upper) == pytest.approx((-3.01138, 3.294627), abs=5e-6)
    spiked = [(m, 10.0 if i == 14 else v) for i, (m, v) in enumerate(series)]
    screened = xmr(spiked, direction="higher_is_better").latest
    assert screened.mean == pytest.approx(0.6694159, abs=5e-8)
    assert (screened.lower, screened.upper) == pytest.approx((-2.383666, 3.722497), abs=5e-7)
    raw = xmr(spiked, direction="higher_is_better", screen_outliers=False).latest
    assert (raw.lower, raw.upper) == pytest.approx((-4.596625, 5.935457), abs=5e-7)
    # Printed to three significant figures in the facet snapshot.
    for part, (mean, lower, upper) in (
        (series[:10], (0.0746, -2.60, 2.75)),
        (series[10:], (0.209, -3.28, 3.70)),
    ):
        got = xmr(part, direction="higher_is_better").latest
        assert got.mean == pytest.approx(mean, abs=0.0005 if mean > 0.1 else 0.00005)
        assert (got.lower, got.upper) == pytest.approx((lower, upper), abs=0.005)


def test_two_outer_third_points_on_opposite_sides_are_common_cause():
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    result = xmr(zip(months(16), data, strict=True), direction="higher_is_better")
    assert [p.kind for p in result.points[-2:]] == ["common_cause", "common_cause"]


# --- the package's unit tests of its rules, on the same inputs -------------------------------

WIDE = Limits("2016-04", "2016-04", 0, 0, 0.0, 1.0, 0, -1e9, 1e9, -1e9, 1e9, -1e9, 1e9)


def rules_of(values, limits=WIDE):
    return [rules for rules, _side in spc_rules.special_causes([float(v) for v in values], limits)]


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([1] * 6, [False] * 6),
        ([1] * 6 + [-1], [False] * 7),
        ([1] * 8 + [-1], [True] * 8 + [False]),
        ([-1] * 8 + [1], [True] * 8 + [False]),
    ],
)
def test_seven_point_one_side_mean(sides, expected):
    # ptd_seven_point_one_side_mean + ptd_part_of_seven_trend: values ±1 about a mean of 0, but
    # alternating in size so that no 7-point trend hides the shift.
    values = [s * (1 + i % 2) for i, s in enumerate(sides)]
    assert ["shift" in r for r in rules_of(values)] == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 7)), [None] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [None] * 7),
        (list(range(1, 8)), ["high"] * 7),
        ([2, *range(1, 8), 3], [None] + ["high"] * 7 + [None]),
        (list(range(7, 0, -1)), ["low"] * 7),
        ([2, *range(7, 0, -1), 3], [None] + ["low"] * 7 + [None]),
    ],
)
def test_seven_point_trend(values, expected):
    # ptd_seven_point_trend(c(2, 1:7, 3)) flags the 7 points from 1 to 7, rising.
    flags = spc_rules.special_causes([float(v) for v in values], WIDE)
    assert [side if "trend" in rules else None for rules, side in flags] == expected


@pytest.mark.parametrize(
    ("close", "sides", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three(close, sides, expected):
    # ptd_two_in_three + ptd_part_of_two_in_three: only the outer-third points are flagged.
    limits = Limits("2016-04", "2016-04", 0, 0, 0.0, 1.0, 0, -3.0, 3.0, -2.0, 2.0, -1.0, 1.0)
    values = [s * (2.5 if c else 0.5) for c, s in zip(close, sides, strict=True)]
    assert [int("two_of_three" in r) for r in rules_of(values, limits)] == expected


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("higher_is_better", ["never_meets", "always_meets", "may_or_may_not"]),
        ("lower_is_better", ["always_meets", "never_meets", "may_or_may_not"]),
        ("neither", [None, None, None]),
    ],
)
def test_assurance_cases(direction, expected):
    # test-ptd_calculate_assurance_type.R: limits (1, 3), (5, 7), (1, 5) against a target of 4;
    # NHSRplotthedots' consistent_fail / consistent_pass / inconsistent.
    got = []
    for lower, upper in ((1, 3), (5, 7), (1, 5)):
        limits = Limits("2016-04", "2016-04", 12, 12, (lower + upper) / 2, 1.0, 0, lower, upper)
        got.append(spc._assurance(spc.as_target(direction, 4), direction, limits))
    assert got == expected
