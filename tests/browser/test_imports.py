"""Importing case data in Chromium: upload, preview, confirm, then the pending records page."""

from pathlib import Path

from playwright.sync_api import expect

from qa_app.clock import local_today
from tests.support.browser import axe_violations, screenshot, sign_in

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "cases.csv"


def test_upload_preview_and_confirm_an_import(page, live_server, tmp_path):
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

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_text("This is a preview: nothing has been changed yet.")).to_be_visible()
    expect(page.locator("[data-testid=by-cohort]")).to_contain_text("Child protection")
    assert axe_violations(page) == []
    screenshot(page, "imports-preview")
    page.get_by_role("button", name="Import these cases").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Import as of")
    expect(page.get_by_text("Imported:")).to_be_visible()
    expect(page.locator("[data-testid=import-files]")).to_contain_text("cases.csv")
    assert axe_violations(page) == []
    screenshot(page, "imports-detail")

    page.goto(live_server.url + "/imports/pending")
    expect(page.locator("[data-testid=pending-person]").first).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "imports-pending")


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
