"""The XmR chart: what it draws for each kind of point, its lines, icons, text sizes and words."""

from defusedxml import ElementTree

from qa_app.services.platform.spc import xmr
from qa_app.services.reports import spc_chart
from qa_app.services.reports.spc_chart import spc_icon, xmr_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]


def draw(values, **options):
    result = xmr(zip(MONTHS[: len(values)], values, strict=True), **options)
    svg = xmr_chart(
        result,
        title="Good or better",
        measure="Each point: % of audits.",
        unit="%",
        bounds=(0, 100),
    )
    return result, ElementTree.fromstring(str(svg)), str(svg)


def texts(tree) -> list[str]:
    return ["".join(t.itertext()) for t in tree.iter(f"{SVG}text")]


# Limits from the first 8 months (baseline=8): mean 61.5, limits about 56.6 to 66.4.
STEADY = [60.0, 62.0, 61.0, 63.0, 60.0, 62.0, 61.0, 63.0]


def test_special_causes_are_coloured_and_shaped_by_kind():
    # Higher is better: a low month (concern) then a high one (improvement).
    values = [*STEADY, 40.0, 61.0, 62.0, 85.0]
    result, tree, _ = draw(values, direction="higher_is_better", baseline=8)
    assert [p.kind for p in result.points].count("common_cause") == 10
    squares = [r for r in tree.iter(f"{SVG}rect") if r.get("fill") == spc_chart.CONCERN]
    big_blue = [
        c
        for c in tree.iter(f"{SVG}circle")
        if c.get("fill") == spc_chart.IMPROVEMENT and c.get("r") == "7.5"
    ]
    grey = [
        c
        for c in tree.iter(f"{SVG}circle")
        if c.get("fill") == spc_chart.COMMON and c.get("r") == "5"
    ]
    # One of each in the plot, one of each in the legend.
    assert (len(squares), len(big_blue), len(grey)) == (2, 2, 11)
    assert "Special cause: improvement" in texts(tree)
    assert "Special cause: concern" in texts(tree)


def test_neither_direction_draws_purple_triangles_and_its_legend():
    _result, tree, _ = draw([*STEADY, 61.0, 62.0, 60.0, 85.0], direction="neither", baseline=8)
    triangles = [p for p in tree.iter(f"{SVG}polygon") if p.get("fill") == spc_chart.NEITHER]
    assert len(triangles) == 2  # the point and the legend
    assert "Special cause: neither better nor worse" in texts(tree)
    assert "Special cause: improvement" not in texts(tree)


def test_mean_limits_and_target_are_drawn_and_labelled():
    values = [60.0, 62.0, 61.0, 63.0, 60.0, 62.0, 61.0, 63.0, 60.0, 62.0, 61.0, 63.0]
    result, tree, _ = draw(values, direction="higher_is_better", target=55)
    lim = result.latest
    labels = texts(tree)
    assert f"Mean {lim.mean:.1f}%" in labels
    assert f"Upper {lim.upper:.1f}%" in labels and f"Lower {lim.lower:.1f}%" in labels
    assert "Target 55%" in labels and "Target" in labels  # the line's label and the legend
    dashed = [x for x in tree.iter(f"{SVG}line") if x.get("stroke-dasharray") == "8,5"]
    assert len(dashed) == 3  # two limits and the legend's sample
    assert result.assurance == "always_meets"
    assert "P" in labels  # the assurance icon: consistently passes


def test_no_target_no_assurance_icon():
    values = [60.0, 62.0, 61.0, 63.0] * 3
    _result, tree, _ = draw(values, direction="higher_is_better")
    assert "P" not in texts(tree) and "?" not in texts(tree) and "F" not in texts(tree)
    assert "Target" not in texts(tree)


def test_missing_months_leave_a_gap():
    values = [60.0, 62.0, None, 63.0, 60.0, 62.0]
    _result, tree, _ = draw(values, direction="higher_is_better")
    lines = [p for p in tree.iter(f"{SVG}polyline") if p.get("stroke") == spc_chart.LINE]
    assert [len(p.get("points").split()) for p in lines] == [2, 3]


def test_rebased_periods_each_have_their_mean():
    values = [60.0, 62.0] * 3 + [80.0, 82.0] * 3
    result = xmr(zip(MONTHS, values, strict=True), direction="higher_is_better", rebase=[MONTHS[6]])
    tree = ElementTree.fromstring(
        str(xmr_chart(result, title="t", measure="m", unit="%", bounds=(0, 100)))
    )
    means = [
        x
        for x in tree.iter(f"{SVG}line")
        if x.get("stroke") == spc_chart.INK and float(x.get("x1")) > 0
    ]
    assert len(means) == 2 and means[0].get("y1") != means[1].get("y1")


def test_text_is_at_least_body_size_at_the_drawn_width():
    values = [*STEADY, 5.0, 61.0, 62.0, 99.0]
    _result, tree, markup = draw(values, direction="lower_is_better", target=(10, 70))
    assert tree.get("viewBox").split()[2] == "800" and tree.get("width") == "800"
    sizes = [float(t.get("font-size")) for t in tree.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 16
    assert "style=" not in markup


def test_description_reads_the_chart_out():
    values = [*STEADY, 5.0, 61.0, 62.0, 61.0]
    result, tree, _ = draw(values, direction="higher_is_better", target=60, baseline=8)
    desc = tree.find(f"{SVG}desc").text
    assert desc.startswith("XmR chart. Each point: % of audits.")
    assert f"Variation: {result.variation_text}." in desc
    assert "Assurance: May or may not meet the target" in desc
    assert "2026-07 5% concern: below the lower limit" in desc


def test_short_series_warns_in_the_description():
    result, tree, _ = draw([60.0, 62.0, 61.0], direction="higher_is_better")
    assert "fewer than 12" in tree.find(f"{SVG}desc").text
    assert result.warnings


def test_icons_alone_carry_their_meaning_in_words():
    icon = ElementTree.fromstring(str(spc_icon("variation", "concern_low")))
    assert icon.get("role") == "img"
    assert icon.get("aria-label") == "Special cause concern: unusually low values"
    assert "L" in texts(icon)
    icon = ElementTree.fromstring(str(spc_icon("assurance", "never_meets")))
    assert icon.get("aria-label").startswith("Consistently misses the target")
    assert "F" in texts(icon)
