"""Server-drawn SVG charts: accessible, CSP-safe, small numbers flagged, signals marked."""

from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from qa_app.services.reports import charts
from qa_app.services.reports.trends import run_chart_signals, trend_point

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ElementTree.Element:
    return SafeElementTree.fromstring(str(markup))


def test_every_chart_has_a_title_description_and_no_inline_style():
    row = {"label": "North", "n": 3, "1": 0, "2": 1, "3": 2, "4": 0, "good_or_better_pct": None}
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    points = [trend_point(m, 10 + i, 20 + i) for i, m in enumerate(months)]
    points[3] = trend_point(months[3], 1, 3)  # a small month
    median, signals = run_chart_signals([p.pct for p in points], months)
    trend = {"points": [p.as_dict() for p in points], "median": median, "signals": signals}
    drawn = [
        charts.grade_bars({**row, "n": 3}, "Grades <all>"),
        charts.stacked_grades([row], "By locality", "locality"),
        charts.percent_bars([("Chronology", 40.0, 10), ("Planning", None, 2)], "Sections", "%"),
        charts.trend_chart(trend, "Good or better"),
    ]
    for markup in drawn:
        svg = parse(markup)
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title.text and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert "style=" not in str(markup) and "<script" not in str(markup)
    assert parse(drawn[0]).find(f"{SVG}title").text == "Grades <all>"  # escaped, then parsed
    assert "n=3 (n<5)" in str(drawn[1]).replace("&lt;", "<")
    assert "fewer than 5, not shown" in str(drawn[2])
    trend_svg = str(drawn[3])
    assert "n=3" in trend_svg  # the small month is flagged, not plotted
    assert trend_svg.count("<circle") == 11
    assert "trend rising" in parse(drawn[3]).find(f"{SVG}desc").text
    assert 'fill="#d4351c"' in trend_svg  # signal points are marked
