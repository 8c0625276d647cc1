"""A moderator grades an audit blind, compares and records the moderated grades; the PSW then
reads the agreement dashboard."""

from datetime import date, datetime

from playwright.sync_api import expect
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Moderation, User
from tests.support.browser import axe_violations, screenshot, sign_in, sign_out
from tests.support.factories import make_submitted_audit


def _audit_to_moderate(app) -> tuple[int, int, list[str]]:
    with app.app_context():
        moderator = db.session.scalar(
            select(User).where(User.email == "independent.auditor@demo.casefile.test")
        )
        audit = make_submitted_audit(grade=2)
        audit.overall_rationale = "The auditor's own rationale"
        moderation = Moderation(
            audit_id=audit.id,
            moderator_id=moderator.id,
            reason="random",
            status="assigned",
            due_on=date(2026, 12, 7),
            selected_at=datetime(2026, 11, 23, 9),
        )
        db.session.add(moderation)
        db.session.commit()
        titles = [s.title for s in audit.toolkit_version.definition.sections]
        result = moderation.id, audit.id, titles
        db.session.remove()
    return result


def test_blind_moderation_and_the_dashboard(page, live_server):
    moderation_id, audit_id, titles = _audit_to_moderate(live_server.app)
    sign_in(page, live_server.url, "independent.auditor@demo.casefile.test")
    page.get_by_role("link", name="Moderation", exact=True).click()
    page.get_by_role("link", name=f"Audit {audit_id}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your grades")
    expect(page.get_by_text("The auditor's own rationale")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "moderation-blind")
    for title in titles:
        group = page.get_by_role("group", name=title, exact=True)
        group.get_by_label("3 Requires improvement to be good").check()
    page.get_by_role("group", name="Overall grade").get_by_label(
        "3 Requires improvement to be good"
    ).check()
    page.get_by_label("Why this overall grade").fill("Plans drift; risks are assessed.")
    page.get_by_role("button", name="Record my grades and compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compare and record the moderated grades"
    )
    expect(page.get_by_text("The auditor's own rationale")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "moderation-compare")
    page.get_by_role("button", name="Record the moderated grades").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason")
    for title in titles:
        page.get_by_label(f"Reason for a change to “{title}” (if any)").fill("Drift in plans")
    page.get_by_label("Reason for a change to the overall grade (if any)").fill("Drift")
    page.get_by_role("button", name="Record the moderated grades").click()
    expect(page.get_by_text("The moderated grades are recorded")).to_be_visible()
    sign_out(page)
    with live_server.app.app_context():
        assert db.session.get(Moderation, moderation_id).audit.reported_grade == 3
        db.session.remove()

    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.get_by_role("link", name="Moderation", exact=True).click()
    page.get_by_test_id("sub-navigation").get_by_role("link", name="Agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation agreement")
    expect(page.locator("svg.qa-chart")).to_have_count(3)
    assert axe_violations(page) == []
    screenshot(page, "agreement-dashboard")
