"""The Improvement Board dashboard in Chromium: the PSW opens Performance, reads the board and
an indicator's chart, breakdown and children; the pages pass axe-core."""

from playwright.sync_api import expect

from qa_app.clock import local_today
from qa_app.services.platform import months
from tests.support.browser import axe_violations, screenshot, sign_in
from tests.support.importing import do_import, sample


def test_the_psw_reads_the_board_and_an_indicator(page, live_server):
    last_month = months.previous(local_today())
    with live_server.app.app_context():
        # The sample Annex A as of the last day of last month: the month the board opens on.
        do_import([sample("Annex_A.xlsx")], months.last_day(last_month))
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Performance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Performance: {months.label(last_month)}"
    )
    board = page.get_by_test_id("board")
    expect(board).to_contain_text("Care leavers in touch")
    expect(board).to_contain_text("85.7% (2025)")
    # Caseloads by experience are rows of the board, with the board's bands.
    asye = board.get_by_role("row", name="Average caseload per ASYE (newly qualified)")
    expect(asye).to_contain_text("16 to under 20")
    assert axe_violations(page) == []
    screenshot(page, "performance-board")

    page.get_by_role("link", name="Care leavers in touch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Care leavers in touch")
    expect(page.get_by_test_id("series")).to_contain_text("6")
    expect(page.get_by_test_id("children")).to_contain_text("7961370")
    assert page.locator("svg").count() >= 1
    assert axe_violations(page) == []
    screenshot(page, "performance-indicator")
