"""The audit form in Chromium: a whole audit by keyboard alone (with a reload mid-way and a
safeguarding concern), and two pages saving the same audit. axe runs on every audit page."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.models import Assignment, Audit, AuditCycle, Case, SampleItem, User
from tests.support.browser import axe_violations, screenshot, sign_in

AUDITOR = "ap@demo.casefile.test"


@pytest.fixture(scope="module")
def assignments(live_server):
    """Two published CIN audits for the demo advanced practitioner."""
    with live_server.app.app_context():
        auditor = db.session.scalar(select(User).where(User.email == AUDITOR))
        cases = db.session.scalars(
            select(Case)
            .where(Case.cohort == "cin", Case.closed_on.is_(None), Case.worker_id.is_not(None))
            .order_by(Case.id)
            .limit(2)
        ).all()
        # This month's cycle: the demo's history holds the twelve months before it.
        today = local_today()
        cycle = AuditCycle(
            month=f"{today:%Y-%m}",
            reference_date=today.replace(day=1),
            seed=1,
            status="published",
        )
        ids = []
        for case in cases:
            item = SampleItem(cycle=cycle, case_id=case.id, team_id=case.team_id, cohort="cin")
            assignment = Assignment(
                item=item, auditor=auditor, due_on=today + timedelta(days=14), status="assigned"
            )
            db.session.add(assignment)
            db.session.flush()
            ids.append((assignment.id, case.child.la_child_id))
        db.session.commit()
        db.session.remove()
    return ids


def tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches *selector* (keyboard only, no clicks)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def no_serious_axe_issues(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def choose_radio(page: Page, name: str, steps_down: int) -> None:
    tab_to(page, f'input[type=radio][name="{name}"]')
    page.keyboard.press("Space")
    for _ in range(steps_down):
        page.keyboard.press("ArrowDown")


def test_an_audit_is_completed_and_submitted_with_the_keyboard_alone(
    page, live_server, assignments
):
    assignment_id, child_id = assignments[0]
    sign_in(page, live_server.url, AUDITOR)
    page.goto(f"{live_server.url}/assignments/")
    tab_to(page, f'form[action="/audits/start/{assignment_id}"] button')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit of Child {child_id}")
    no_serious_axe_issues(page)
    screenshot(page, "audit-task-list")
    audit_url = page.url.removesuffix("/tasks")

    sections = page.locator("[data-testid=task-list] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href').split('/').pop())"
    )
    tab_to(page, "[data-testid=task-list] a")
    page.keyboard.press("Enter")
    for index, key in enumerate(sections):
        expect(page).to_have_url(f"{audit_url}/pages/{key}")
        if index == 0:
            no_serious_axe_issues(page)
            screenshot(page, "audit-section")
        choose_radio(page, f"sections.{key}.grade", 1)  # Good
        tab_to(page, f'textarea[name="sections.{key}.evidence"]')
        page.keyboard.type(f"Evidence for {key}: seen on the file.\nSecond line.")
        if index == 2:
            # Leave the field (autosave), then reload mid-way: every answer is still there.
            page.keyboard.press("Tab")
            expect(page.get_by_test_id("saved-status")).to_contain_text("Saved at")
            page.reload()
            expect(page.locator(f'textarea[name="sections.{key}.evidence"]')).to_have_value(
                f"Evidence for {key}: seen on the file.\nSecond line."
            )
            expect(page.locator(f'input[name="sections.{key}.grade"][value="2"]')).to_be_checked()
            # The safeguarding button is on every audit page; the auditor returns to it.
            tab_to(page, "[data-testid=safeguarding-button]")
            page.keyboard.press("Enter")
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Raise a safeguarding concern"
            )
            no_serious_axe_issues(page)
            tab_to(page, "textarea#what")
            page.keyboard.type("Bruising noted in a visit record and not followed up.")
            tab_to(page, "textarea#why")
            page.keyboard.type("No strategy discussion or medical recorded.")
            tab_to(page, "[data-testid=raise-concern]")
            page.keyboard.press("Enter")
            expect(page).to_have_url(f"{audit_url}/pages/{key}")
            expect(page.get_by_text("Safeguarding concern raised.")).to_be_visible()
        if index == 1:
            # Draft an action from this section.
            tab_to(page, "[data-testid=add-action] summary")
            page.keyboard.press("Enter")
            tab_to(page, 'textarea[name="new_action.description"]')
            page.keyboard.type("Update the chronology with the last three months.")
        tab_to(page, "[data-testid=save-continue]")
        page.keyboard.press("Enter")

    expect(page).to_have_url(f"{audit_url}/pages/compliance")
    no_serious_axe_issues(page)
    names = page.locator("input[type=radio]").evaluate_all(
        "inputs => [...new Set(inputs.map(i => i.name))]"
    )
    for name in names:
        choose_radio(page, name, 0)  # Yes
    tab_to(page, "[data-testid=save-continue]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{audit_url}/pages/overall")
    expect(page.get_by_test_id("suggestion")).to_contain_text("Suggested grade: Good")
    no_serious_axe_issues(page)
    screenshot(page, "audit-overall")
    choose_radio(page, "overall.grade", 1)  # Good, as suggested
    tab_to(page, 'textarea[name="overall.rationale"]')
    page.keyboard.type("Consistently good practice; the chronology needs updating.")
    tab_to(page, "[data-testid=save-continue]")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{audit_url}/check")
    expect(page.get_by_test_id("problems")).to_have_count(0)
    no_serious_axe_issues(page)
    screenshot(page, "audit-check")
    tab_to(page, "[data-testid=submit-audit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(audit_url)
    expect(page.get_by_text("Audit submitted.")).to_be_visible()
    expect(page.get_by_test_id("overall-grade")).to_have_text("Good")
    expect(page.get_by_test_id("actions")).to_contain_text("Update the chronology")
    no_serious_axe_issues(page)
    with live_server.app.app_context():
        audit = db.session.scalar(select(Audit).where(Audit.assignment_id == assignment_id))
        assert audit.status == "submitted" and audit.safeguarding_flag
        assert audit.answers["sections"][sections[2]]["evidence"].endswith("Second line.")
        db.session.remove()


def test_two_pages_saving_one_audit_show_a_conflict_and_lose_nothing(
    page, live_server, assignments
):
    assignment_id, _ = assignments[1]
    sign_in(page, live_server.url, AUDITOR)
    page.goto(f"{live_server.url}/assignments/")
    page.locator(f'form[action="/audits/start/{assignment_id}"] button').click()
    url = page.url.removesuffix("/tasks") + "/pages/assessment"
    other = page.context.new_page()
    page.goto(url)
    other.goto(url)
    field = 'textarea[name="sections.assessment.evidence"]'

    page.locator(field).fill("Written in the first tab.")
    page.locator(field).blur()
    expect(page.get_by_test_id("saved-status")).to_contain_text("Saved at")

    other.locator(field).fill("Written in the second tab.")
    other.locator(field).blur()
    conflict = other.locator("[data-autosave-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Written in the first tab.")
    expect(conflict).to_contain_text("Written in the second tab.")
    expect(other.locator(field)).to_have_value("Written in the second tab.")
    no_serious_axe_issues(other)

    # A whole-page save from the first tab's stale form also meets the conflict page.
    stale = page.context.new_page()
    stale.goto(url)
    other.get_by_role("button", name="Save my version").click()
    expect(other.get_by_test_id("saved-status")).to_contain_text("Saved at")
    stale.locator(field).fill("Typed in a third tab, saved by the button.")
    stale.evaluate("() => document.querySelector('[data-autosave-version]').value = '1'")
    stale.get_by_test_id("save-continue").click()
    expect(stale.get_by_role("heading", level=1)).to_have_text(
        "This audit was changed somewhere else"
    )
    expect(stale.get_by_test_id("conflict-yours")).to_contain_text("Typed in a third tab")
    expect(stale.get_by_test_id("conflict-stored")).to_contain_text("Written in the second tab.")
    no_serious_axe_issues(stale)
    with live_server.app.app_context():
        audit = db.session.scalar(select(Audit).where(Audit.assignment_id == assignment_id))
        assert audit.answers["sections"]["assessment"]["evidence"] == "Written in the second tab."
        db.session.remove()
