"""Every table of the board paper fits inside the printed page: laid out by WeasyPrint (the
PDF's renderer), no table and no cell runs past the page's right margin. The toolkit-section
table, with its long section titles beside seven number columns, used to."""

from datetime import date

import pytest

from qa_app.services.platform.months import ending_with
from qa_app.services.reports.files import board_paper_html
from qa_app.services.reports.scope import COUNCIL
from qa_app.services.reports.tables import report_data
from tests.support.factories import make_toolkit_version
from tests.support.paper_layout import boxes
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def document(app_ctx):
    from weasyprint import HTML  # noqa: PLC0415 - slow to import, as in the service

    world = make_world(make_toolkit_version())
    load(
        world,
        [
            Spec(month, i % 3, ("cin", "cp")[i % 2], "random", True, False, 1 + i % 4, None,
                 (2, 3, None), ("yes", "no", "yes", "yes"))
            for month in ending_with(MONTH, 3)
            for i in range(8)
        ],
    )  # fmt: skip
    data = report_data(MONTH, COUNCIL, as_of=date(2026, 11, 10))
    paper = board_paper_html(data, key_messages="", version_number=1, status="draft")
    return HTML(string=paper).render()


def test_no_table_runs_past_the_right_margin(document):
    overflowing, tables = [], 0
    for number, page in enumerate(document.pages, start=1):
        body = page._page_box.children[0]  # the page's content area
        right = body.content_box_x() + body.width
        for box in boxes(page._page_box):
            tag = getattr(box, "element_tag", None)
            if tag == "table":
                tables += 1
            if tag in ("table", "th", "td") and box.position_x + box.margin_width() > right + 0.5:
                overflowing.append(
                    (
                        number,
                        tag,
                        round(box.position_x + box.margin_width() - right),
                        "".join(box.element.itertext()).split()[:6],
                    )
                )
    assert tables > 10
    assert overflowing == [], "\n".join(map(repr, overflowing))
