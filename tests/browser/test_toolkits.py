"""Toolkit pages in Chromium: reading a toolkit, and the QA lead's upload with its preview."""

from pathlib import Path

from playwright.sync_api import expect

from tests.support.browser import axe_violations, screenshot, sign_in
from tests.support.toolkit_docs import SHIPPED

CIN_CP = next(p for p in SHIPPED if p.name == "cin_cp.yaml")


def test_an_auditor_reads_a_toolkit_with_its_descriptors(page, live_server):
    sign_in(page, live_server.url, "tm.north@demo.casefile.test")
    page.get_by_role("link", name="Audits", exact=True).click()
    page.get_by_test_id("sub-navigation").get_by_role("link", name="Toolkits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit toolkits")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Child in need and child protection", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child in need and child protection")
    visits = page.get_by_role("button", name="Statutory visits")
    visits.click()
    expect(
        page.get_by_text("Visits are within timescale, the child is seen alone").first
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Show all sections").click()
    screenshot(page, "toolkit-version")


def test_the_qa_lead_uploads_a_new_version_after_a_preview(page, live_server, tmp_path: Path):
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    page.goto(f"{live_server.url}/toolkits/upload")
    bad = tmp_path / "cin_cp.yaml"
    bad.write_text(CIN_CP.read_text().replace("version: 1", "version: one", 1))
    page.get_by_label("Toolkit file (YAML)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_test_id("problems")).to_contain_text("must be a whole number, not text")
    assert axe_violations(page) == []
    screenshot(page, "toolkit-upload-problems")

    good = tmp_path / "cin_cp_v2.yaml"
    good.write_text(
        CIN_CP.read_text()
        .replace("version: 1", "version: 2", 1)
        .replace("    title: Recording\n", "    title: Recording and case records\n", 1)
    )
    page.get_by_label("Toolkit file (YAML)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("changes")).to_contain_text(
        "Section 'Recording' renamed 'Recording and case records'"
    )
    assert axe_violations(page) == []
    screenshot(page, "toolkit-upload-preview")
    page.get_by_role("button", name="Load version 2 and make it active").click()
    expect(page.get_by_text("version 2 is loaded and now active")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child in need and child protection")
