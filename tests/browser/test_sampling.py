"""qa_admin draws, reviews and publishes the month; an auditor then finds the audit in My audits."""

from playwright.sync_api import expect
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.models import Assignment, AuditCycle, Case, SampleItem, User
from qa_app.services.platform import months
from tests.support.browser import axe_violations, screenshot, sign_in, sign_out


def test_review_publish_and_the_auditor_sees_the_audit(page, live_server):
    month = f"{local_today():%Y-%m}"
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    page.get_by_role("link", name="Audits", exact=True).click()
    page.get_by_test_id("sub-navigation").get_by_role("link", name="Sampling").click()
    expect(page.get_by_label("Month")).to_have_value(month)
    assert axe_violations(page) == []
    page.get_by_label("Seed").fill("2026")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Sample for {month}")
    expect(page.get_by_text("The random sample matches the stored frame and seed")).to_be_visible()
    page.get_by_role("button", name="Allocate to auditors").click()
    expect(page.get_by_text("An auditor has been proposed")).to_be_visible()
    expect(page.locator("[data-testid=loads]")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "cycle-allocated")
    # The demo closes cases during the month (its events), so a sample drawn today may hold
    # cases open on the 1st and closed since: replaced from their stratum before publishing.
    if page.get_by_test_id("closed-since-drawn").count():
        page.get_by_role("button", name="Replace closed cases").click()
        expect(page.get_by_text("replaced by open case")).to_be_visible()
        if page.get_by_label("Publish with", exact=False).count():
            page.get_by_label("Publish with", exact=False).check()
    page.get_by_role("button", name="Publish to auditors").click()
    expect(page.get_by_text("every auditor has been told")).to_be_visible()
    sign_out(page)

    with live_server.app.app_context():
        email, child_id = db.session.execute(
            select(User.email, Assignment.id)
            .join(Assignment, Assignment.auditor_id == User.id)
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
            # An audit of the month just published (the demo's history has earlier ones).
            .where(Assignment.tier == 2, AuditCycle.month == month)
            .order_by(User.email == "ap@demo.casefile.test", Assignment.id)
            .limit(1)
        ).one()
        assignment = db.session.get(Assignment, child_id)
        child_id = assignment.item.case.child.la_child_id
        db.session.remove()
    sign_in(page, live_server.url, email)
    expect(page.get_by_test_id("notifications-link")).to_contain_text("1")
    page.get_by_role("link", name="Audits", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My audits")
    expect(page.locator("[data-testid=my-audits]")).to_contain_text(child_id)
    assert axe_violations(page) == []
    screenshot(page, "my-audits")
    page.get_by_role("link", name=child_id).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Child {child_id}")


def _close_sampled(live_server, month: str, n: int) -> list[str]:
    """An import closes *n* of the month's sampled cases (the council child ids)."""
    with live_server.app.app_context():
        items = db.session.scalars(
            select(SampleItem)
            .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
            .join(Case, Case.id == SampleItem.case_id)
            .where(AuditCycle.month == month, Case.closed_on.is_(None))
            .order_by(SampleItem.id)
            .limit(n)
        ).all()
        ids = [item.case.child.la_child_id for item in items]
        for item in items:
            item.case.closed_on = local_today()
        db.session.commit()
        db.session.remove()
    return ids


def test_closed_cases_are_flagged_replaced_and_published_only_when_confirmed(page, live_server):
    month = months.shift(months.of(local_today()), 1)
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    page.goto(f"{live_server.url}/cycles/")
    page.get_by_label("Month").fill(month)
    page.get_by_label("Seed").fill("15")
    page.get_by_role("button", name="Draw the sample").click()
    page.get_by_role("button", name="Allocate to auditors").click()
    closed = _close_sampled(live_server, month, 2)

    page.reload()
    flagged = page.get_by_test_id("closed-since-drawn")
    expect(flagged).to_contain_text("2 cases closed since the draw")
    rows = page.get_by_test_id("sample").locator("tr", has_text="Closed since drawn")
    expect(rows).to_have_count(2)
    for child_id in closed:
        expect(rows.filter(has_text=child_id)).to_have_count(1)
    assert axe_violations(page) == []
    screenshot(page, "sample-closed-flagged")

    page.get_by_role("button", name="Publish to auditors").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "holds 2 cases closed since the draw"
    )
    assert axe_violations(page) == []
    screenshot(page, "sample-closed-publish-refused")

    page.get_by_role("button", name="Replace closed cases").click()
    expect(page.get_by_text("2 closed cases replaced by open cases")).to_be_visible()
    expect(page.get_by_test_id("closed-since-drawn")).to_have_count(0)
    expect(page.get_by_test_id("replacements")).to_contain_text(closed[0])
    expect(page.get_by_text("matches the stored frame and seed, with 2 recorded")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "sample-closed-replaced")

    _close_sampled(live_server, month, 1)
    page.reload()
    page.get_by_label("Publish with 1 case closed since the draw").check()
    page.get_by_role("button", name="Publish to auditors").click()
    expect(page.get_by_text("every auditor has been told")).to_be_visible()
