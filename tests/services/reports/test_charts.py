"""Server-drawn SVG charts: accessible, CSP-safe, small numbers flagged."""

from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from qa_app.services.platform.spc import xmr
from qa_app.services.reports import charts
from qa_app.services.reports.spc_chart import xmr_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ElementTree.Element:
    return SafeElementTree.fromstring(str(markup))


def test_every_chart_has_a_title_description_and_no_inline_style():
    row = {"label": "North", "n": 3, "1": 0, "2": 1, "3": 2, "4": 0, "good_or_better_pct": None}
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    spc = xmr(zip(months, [50.0, 52.0, None, *range(40, 49)], strict=True), direction="neither")
    drawn = [
        charts.grade_bars({**row, "n": 3}, "Grades <all>"),
        charts.stacked_grades([row], "By locality", "locality"),
        charts.percent_bars([("Chronology", 40.0, 10), ("Planning", None, 2)], "Sections", "%"),
        xmr_chart(spc, title="Good <or> better", measure="Each point: a % & more", unit="%"),
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
    assert parse(drawn[3]).find(f"{SVG}title").text == "Good <or> better"
