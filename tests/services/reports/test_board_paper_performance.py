"""The board paper's practice performance section, laid out by WeasyPrint (the PDF's renderer)
for a council with 12 months of imported records: the board's table has a landscape page and
fits it, each indicator's XmR chart prints its text at the size of the tables, and no table
runs past the right margin."""

from datetime import date

from qa_app.services.reports.files import board_paper_html
from qa_app.services.reports.scope import COUNCIL
from qa_app.services.reports.tables import report_data
from tests.support.extracts import World, annex_a
from tests.support.importing import do_import, source
from tests.support.paper_layout import PX_PER_PT, SVG, boxes, font_sizes


def test_the_performance_section_fits_the_page_at_the_tables_size(app_ctx):
    from weasyprint import HTML  # noqa: PLC0415 - slow to import, as in the service

    world = World(seed=20240229)
    for as_of in (date(2024, 3, 28), date(2024, 4, 30)):
        do_import([source("annex_a.xlsx", annex_a(world, as_of))], as_of)
    data = report_data("2024-04", COUNCIL, as_of=date(2024, 5, 10))
    charted = [
        r for r in data["performance"]["rows"] if any(p["value"] is not None for p in r["points"])
    ]
    html = board_paper_html(data, key_messages="", version_number=1, status="draft")
    document = HTML(string=html).render()

    overflowing, charts, board_pages = [], [], []
    for number, page in enumerate(document.pages, start=1):
        body = page._page_box.children[0]
        right = body.content_box_x() + body.width
        for box in boxes(page._page_box):
            tag = getattr(box, "element_tag", None)
            if tag in ("table", "th", "td") and box.position_x + box.margin_width() > right + 0.5:
                overflowing.append((number, tag, "".join(box.element.itertext()).split()[:6]))
            if tag == "table" and box.element.get("data-table") == "performance":
                board_pages.append(page.width > page.height)
            if tag == f"{SVG}svg" and "last 12 months" in box.element.find(f"{SVG}title").text:
                scale = box.width / float(box.element.get("viewBox").split()[2])
                sizes = font_sizes(box.element)
                charts.append((min(sizes) * scale / PX_PER_PT, max(sizes) * scale / PX_PER_PT))
    assert overflowing == [], overflowing
    assert board_pages and all(board_pages)  # on landscape pages only
    perf_charts = charts[-len(charted) :]
    assert len(charted) > 15 and len(charts) >= len(charted)
    for smallest, largest in perf_charts:
        assert smallest >= 0.95 * 8.5 and largest <= 1.05 * 9.5, (smallest, largest)
    assert 'data-spc="perf_assessments_within_45_working_days"' in html
