"""The PSW builds last month's report from the demo history, reads it, and publishes it."""

from playwright.sync_api import expect

from qa_app.clock import local_today
from qa_app.services.platform import months
from tests.support.browser import SCREENSHOTS, axe_violations, screenshot, sign_in


def test_psw_builds_reads_and_publishes_the_monthly_report(page, live_server):
    month = months.previous(local_today())
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_label("Month").fill(month)
    # The build renders the PDF board paper in the request (about 20 s on a busy machine).
    page.get_by_role("button", name="Build a new version").click(timeout=90_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly audit report")
    expect(page.get_by_text("Draft", exact=True)).to_be_visible()
    expect(page.locator("svg.report-chart").first).to_be_visible()
    expect(page.get_by_role("link", name="Board paper (PDF)")).to_be_visible()
    # Each trend is an XmR chart whose text, at 100% zoom, is at least the body's 16 px.
    chart = page.locator("[data-spc=good_or_better] svg.report-chart")
    expect(chart).to_be_visible()
    smallest = chart.evaluate(
        """svg => Math.min(...[...svg.querySelectorAll('text')].map(t =>
            parseFloat(t.getAttribute('font-size')) * svg.getBoundingClientRect().width
            / svg.viewBox.baseVal.width))"""
    )
    assert smallest >= 16
    assert axe_violations(page) == []
    screenshot(page, "report-draft")
    page.locator("[data-spc=good_or_better]").screenshot(path=str(SCREENSHOTS / "report-xmr.png"))
    # Section 8: the Improvement Board's table, one row per indicator.
    board = page.locator("#performance [data-table=performance]")
    expect(board).to_be_visible()
    expect(board.locator("[data-indicator=assessments_within_45_working_days]")).to_contain_text(
        "90% or more"
    )
    page.locator("#performance").screenshot(path=str(SCREENSHOTS / "report-performance.png"))
    page.get_by_label("Key messages").fill("Completion is strong.\nChronologies remain weak.")
    page.get_by_role("button", name="Save key messages").click()
    expect(page.get_by_text("Key messages saved.")).to_be_visible()
    page.get_by_test_id("publish").click()
    expect(page.get_by_text("published. It can no longer change.")).to_be_visible()
    expect(page.get_by_text("Chronologies remain weak.")).to_be_visible()


def test_head_of_service_explores_grade_trends(page, live_server):
    sign_in(page, live_server.url, "hos.north@demo.casefile.test")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_test_id("sub-navigation").get_by_role("link", name="Grade trends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade trends")
    expect(page.locator("[data-table=by_team]")).to_contain_text("North")
    expect(page.locator("[data-table=by_team]")).not_to_contain_text("East ")
    assert axe_violations(page) == []
    screenshot(page, "grade-trends")
    page.get_by_label("Random sample only").check()
    page.get_by_label("Cohort", exact=True).select_option("cla")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Cohort", exact=True)).to_have_value("cla")
    expect(page.locator("[data-table=by_cohort]")).to_contain_text("Child in our care")
