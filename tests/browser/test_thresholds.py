"""Thresholds in Chromium: the PSW changes an indicator's bands and adds a comparator; the
pages pass axe-core."""

from playwright.sync_api import expect

from tests.support.browser import axe_violations, screenshot, sign_in


def test_the_psw_changes_bands_and_adds_a_comparator(page, live_server):
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.get_by_role("link", name="Reports", exact=True).click()  # Thresholds sit under Reports
    page.get_by_role("link", name="Thresholds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thresholds")
    expect(page.get_by_test_id("thresholds")).to_contain_text("85.7% (2025)")
    assert axe_violations(page) == []
    screenshot(page, "thresholds-index")

    page.get_by_role("link", name="Average caseload per ASYE (newly qualified)").click()
    page.get_by_role("button", name="Change the bands").click()
    assert axe_violations(page) == []
    page.get_by_label("Upper limit of row 2").fill("12")
    page.get_by_role("button", name="Save the bands").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Row 2: the limit 12 must be greater than the step before's (16)"
    )
    assert axe_violations(page) == []
    screenshot(page, "thresholds-bands-error")
    page.get_by_label("Upper limit of row 1").fill("14")
    page.get_by_label("Upper limit of row 2").fill("18")
    page.get_by_label("Upper limit of row 3").fill("22")
    page.get_by_label("Why are the bands changing?").fill("Board of 12 November: ASYE protection")
    page.get_by_role("button", name="Save the bands").click()
    expect(page.get_by_test_id("bands")).to_contain_text("18 to 22")
    expect(page.get_by_test_id("history")).to_contain_text("Board of 12 November")

    page.get_by_role("button", name="Add a comparator").click()
    page.get_by_label("Name").fill("Statistical neighbours")
    page.get_by_label("Figure").fill("17.5")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Source").fill("Regional workforce survey 2024")
    page.get_by_role("button", name="Save the comparator").click()
    expect(page.get_by_test_id("comparators")).to_contain_text("17.5")
    assert axe_violations(page) == []
    screenshot(page, "thresholds-detail")
