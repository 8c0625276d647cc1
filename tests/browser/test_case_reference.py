"""One reference for a case, in Chromium (issue 15): a notification, the action it opens and the
case that action links to all name the child the same way, "Child 02891558"."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Case, User
from qa_app.services.actions.raising import raise_action
from tests.support.browser import axe_violations, screenshot, sign_in

PSW = "psw@demo.casefile.test"


@pytest.fixture(scope="module")
def raised(live_server):
    """An action raised for the PSW on an open case, through the service that tells them."""
    with live_server.app.app_context():
        psw = db.session.scalar(select(User).where(User.email == PSW))
        case = db.session.scalar(
            select(Case).where(Case.closed_on.is_(None)).order_by(Case.id.desc()).limit(1)
        )
        action = raise_action(
            case,
            description="Check the chronology is up to date",
            by=None,
            now=datetime.now(),
            base_url=live_server.url,
            source="tier3",
            owner=psw,
        )
        facts = {"action": action.id, "case": case.id, "child": case.child.la_child_id}
        db.session.commit()
        db.session.remove()
    return facts


def test_a_notification_its_action_and_the_case_share_one_reference(
    page: Page, live_server, raised
):
    reference = f"Child {raised['child']}"
    sign_in(page, live_server.url, PSW)
    page.goto(f"{live_server.url}/notifications/")
    card = page.get_by_test_id("notification").filter(has_text=f"New action for {reference}")
    expect(card).to_have_count(1)
    assert not re.search(rf"\bcase {raised['case']}\b", card.inner_text(), re.IGNORECASE)
    screenshot(page, "case-reference-notifications")
    card.get_by_role("link", name=re.compile("^Open")).click()
    expect(page).to_have_url(re.compile(rf"/actions/{raised['action']}$"))
    expect(page.locator(".govuk-caption-l")).to_have_text(reference)
    assert axe_violations(page) == []
    screenshot(page, "case-reference-action")
    page.get_by_role("link", name=f"Open the case of {reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
