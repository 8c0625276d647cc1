"""Importing case data in Chromium: upload, a preview that leads with what will close, the typed
confirmation, the pending records page, then undoing the import (issue 15)."""

import re
from pathlib import Path

from playwright.sync_api import expect

from qa_app.clock import local_today
from tests.support.browser import axe_violations, screenshot, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.csv"


def test_preview_warns_of_closures_needs_the_number_typed_and_can_be_undone(
    page, live_server, tmp_path
):
    live_server.app.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    today = local_today()
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_test_id("sub-navigation").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    page.get_by_role("button", name="Import case data").click()
    page.get_by_label("Case data files").set_input_files(str(EXAMPLE))
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    assert axe_violations(page) == []
    page.get_by_role("button", name="Upload and preview").click()

    # The README's four-row example would close nearly every open case of the demo council:
    # the page says so first, by cohort and team, and asks for the number.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    warning = page.locator(".govuk-warning-text").first
    expect(warning).to_contain_text("This import will close")
    closing = int(re.search(r"close ([\d,]+) cases", warning.inner_text())[1].replace(",", ""))
    assert closing > 100
    warning_top = warning.bounding_box()["y"]
    assert warning_top < page.get_by_test_id("by-cohort").bounding_box()["y"]
    expect(page.get_by_test_id("closing-by-cohort")).to_contain_text("Child in need")
    expect(page.get_by_test_id("closing-by-team")).to_be_visible()
    expect(page.get_by_role("button", name="Import these cases")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "imports-preview")

    label = "Type the number of cases that will close"
    page.get_by_label(label).fill(str(closing - 1))
    page.get_by_role("button", name=f"Import and close {closing:,} cases").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"Type {closing}, the number of cases this import will close, to import it"
    )
    assert axe_violations(page) == []
    screenshot(page, "imports-preview-wrong-number")

    page.get_by_label(label).fill(str(closing))
    page.get_by_role("button", name=f"Import and close {closing:,} cases").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import as of")
    expect(page.get_by_text(f"{closing:,} cases closed.")).to_be_visible()
    expect(page.locator("[data-testid=import-files]")).to_contain_text("cases.csv")
    assert axe_violations(page) == []
    screenshot(page, "imports-detail")
    detail_url = page.url

    page.goto(live_server.url + "/imports/pending")
    expect(page.locator("[data-testid=pending-person]").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "imports-pending")

    page.goto(detail_url)
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{closing:,} cases are as they were before it"
    )
    expect(page.get_by_test_id("undo")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "imports-undone")
    page.goto(live_server.url + "/imports/pending")
    expect(page.locator("[data-testid=pending-person]")).to_have_count(0)


def test_the_preview_lists_every_problem_of_a_row(page, live_server, tmp_path):
    live_server.app.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    today = local_today()
    bad = tmp_path / "three-problems.csv"
    bad.write_text(
        "child_id,cohort,opened_on,team,worker,dob,sex,ethnicity\n"
        "D-61,cin,01/01/2021,North,Ann Lee,31/02/2010,X,ZZZZ\n"
    )
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    page.goto(live_server.url + "/imports/new")
    page.get_by_label("Case data files").set_input_files(str(bad))
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    table = page.get_by_test_id("rejected-rows")
    expect(table.locator("tbody tr")).to_have_count(3)
    for column in ("dob", "sex", "ethnicity"):
        expect(table).to_contain_text(column)
    assert axe_violations(page) == []
    screenshot(page, "imports-preview-row-problems")
