"""The board paper's charts print their text at the size of its tables: measured in WeasyPrint's
own layout of the board paper (the PDF's renderer), as the width each chart is laid out at
over its viewBox width, times the chart's font sizes."""

from datetime import date

import pytest

from qa_app.services.platform.months import ending_with
from qa_app.services.reports.files import board_paper_html
from qa_app.services.reports.scope import COUNCIL
from qa_app.services.reports.tables import report_data
from tests.support.factories import make_toolkit_version
from tests.support.paper_layout import PX_PER_PT, SVG, boxes, font_sizes
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def paper(app_ctx):
    world = make_world(make_toolkit_version())
    load(
        world,
        [
            Spec(month, i % 3, ("cin", "cp")[i % 2], "random", True, False, 1 + i % 4, None,
                 (2, 3, None), ("yes", "no", "yes", "yes"))
            for month in ending_with(MONTH, 12)
            for i in range(8)
        ],
    )  # fmt: skip
    data = report_data(MONTH, COUNCIL, as_of=date(2026, 11, 10))
    return board_paper_html(data, key_messages="", version_number=1, status="draft")


def test_chart_text_prints_at_the_size_of_the_tables(paper):
    from weasyprint import HTML  # noqa: PLC0415 - slow to import, as in the service

    document = HTML(string=paper).render()
    charts, cells, captions = [], set(), set()
    for page in document.pages:
        for box in boxes(page._page_box):
            tag = getattr(box, "element_tag", None)
            if tag == f"{SVG}svg":
                view_width = float(box.element.get("viewBox").split()[2])
                scale = box.width / view_width  # CSS px per SVG unit, as laid out
                sizes = font_sizes(box.element)
                title = box.element.find(f"{SVG}title").text
                charts.append((title, min(sizes) * scale, max(sizes) * scale))
            elif tag == "td":
                cells.add(box.style["font_size"])
            elif tag == "caption":
                captions.add(box.style["font_size"])
    (cell,), (caption,) = cells, captions
    assert cell / PX_PER_PT == pytest.approx(8.5) and caption / PX_PER_PT == pytest.approx(9.5)
    # Every chart of the paper: grades, localities, cohorts, sections, compliance, the trends.
    assert len(charts) == 5 + 6
    for title, smallest, largest in charts:
        # The smallest text no smaller than the tables', titles no bigger than their captions.
        assert smallest >= 0.95 * cell, (title, smallest / PX_PER_PT)
        assert largest <= 1.05 * caption, (title, largest / PX_PER_PT)
