"""The demo PSW's notifications in Chromium: the chase's reminders grouped into one summary a
day (not hundreds of "Action N is 20 working days overdue"), whose link lists what it counts."""

import re
from datetime import datetime

from playwright.sync_api import Page, expect

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.services.actions.chase import run_chase
from tests.support.browser import axe_violations, screenshot, sign_in


def test_the_psw_sees_one_chase_summary_linking_to_what_it_counts(page: Page, live_server):
    with live_server.app.app_context():
        # The worker's first chase after the seed, as scripts/dev runs it.
        run_chase(local_today(), now=datetime.now(), base_url=live_server.url)
        db.session.commit()
        db.session.remove()
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    page.goto(f"{live_server.url}/notifications/")
    cards = page.get_by_test_id("notification")
    assert cards.count() < 20
    summaries = cards.filter(has=page.get_by_test_id("chase-summary-link"))
    unread = summaries.filter(has=page.locator(".govuk-tag--blue"))
    expect(unread).to_have_count(1)
    subject = unread.locator("h2").inner_text()
    overdue = int(re.search(r"(\d+) actions? (?:is|are) overdue", subject).group(1))
    assert overdue > 5, subject
    assert axe_violations(page) == []
    screenshot(page, "notifications-grouped-psw")
    unread.get_by_test_id("chase-summary-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions the chase reminded you of")
    # The PSW hears only of actions 20 working days overdue: the list is exactly the count.
    expect(page.get_by_test_id("chased-actions").locator("tbody tr")).to_have_count(overdue)
    expect(page.get_by_test_id("chased-actions").locator(".govuk-tag--red")).to_have_count(overdue)
    assert axe_violations(page) == []
    screenshot(page, "chased-actions-psw")
