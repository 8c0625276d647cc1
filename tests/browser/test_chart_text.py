"""Chart text is as legible as the body text: at 100% zoom in a 1366 px window every piece of
text in every chart of the report, the grade trends and the agreement dashboard is at least
16 px on screen; in the HTML board paper it is the size of the paper's tables. A chart's text
is measured as drawn: its computed font size times the scale the SVG is shown at."""

from datetime import datetime

import pytest

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.services.platform import months
from qa_app.services.reports import versions
from qa_app.services.reports.scope import COUNCIL
from tests.support.browser import screenshot, sign_in

# [smallest, largest, how many texts] over the given SVGs, in CSS px as shown on screen.
MEASURE = """svgs => {
    const sizes = svgs.flatMap(svg => [...svg.querySelectorAll('text')].map(t => {
        const m = t.getScreenCTM();
        return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    }));
    return [Math.min(...sizes), Math.max(...sizes), sizes.length];
}"""


@pytest.fixture(scope="module")
def report(live_server) -> int:
    """Last month's council report, built from the demo history; its id."""
    with live_server.app.app_context():
        month = months.previous(local_today())
        version = versions.request_build(month, COUNCIL, by=None, now=datetime.now())
        versions.build(version, now=datetime.now())
        db.session.commit()
        return version.id


def test_chart_text_is_at_least_the_body_size_in_every_page(page, live_server, report):
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.goto(f"{live_server.url}/reports/{report}")
    assert page.evaluate("innerWidth") == 1366
    charts = page.locator("svg.report-chart")
    assert charts.count() >= 11  # grades, localities, cohorts, sections, compliance, 6 trends
    smallest, _largest, texts = charts.evaluate_all(MEASURE)
    assert texts > 100 and smallest >= 16, smallest
    screenshot(page, "report-charts")

    page.goto(f"{live_server.url}/reports/dashboard")
    page.get_by_label("Toolkit section", exact=True).select_option(index=1)
    section = page.get_by_label("Toolkit section", exact=True).evaluate(
        "s => s.selectedOptions[0].text"
    )
    page.get_by_role("button", name="Show").click()
    chart = page.locator("figure.report-figure--spc svg")
    assert (
        chart.locator("title")
        .text_content()
        .startswith(f"Audits whose {section} section was graded good or better")
    )
    assert f"whose {section} section was graded good or better" in (
        chart.locator("desc").text_content()
    )
    assert chart.evaluate_all(MEASURE)[0] >= 16
    screenshot(page, "grade-trends-section")

    page.goto(f"{live_server.url}/agreement/")
    charts = page.locator("svg.qa-chart")
    assert charts.count() == 3
    smallest, _largest, _texts = charts.evaluate_all(MEASURE)
    assert smallest >= 16, smallest
    screenshot(page, "agreement-charts")


def test_board_paper_chart_text_is_the_size_of_its_tables(page, live_server, report):
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    paper = page.request.get(f"{live_server.url}/reports/{report}/download/html")
    # As a file opened from disk: the app's Content Security Policy (which forbids the paper's
    # <style>) would otherwise carry over into the written document.
    page.goto("about:blank")
    page.set_content(paper.text())
    cell = float(page.locator("td").first.evaluate("c => getComputedStyle(c).fontSize")[:-2])
    caption = float(
        page.locator("caption").first.evaluate("c => getComputedStyle(c).fontSize")[:-2]
    )
    smallest, largest, _texts = page.locator("svg.report-chart").evaluate_all(MEASURE)
    # 8.5 pt tables (11.3 px) and 9.5 pt captions: chart text from the one to the other.
    assert 0.95 * cell <= smallest and largest <= 1.05 * caption, (cell, smallest, largest)
    screenshot(page, "board-paper-html")
