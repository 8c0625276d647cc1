"""A council's first month in Chromium: overdue audits first, the grouped navigation, the demo's
sampling history passing its own check, and the auditors' pages on a 390 px phone screen."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.models import Assignment, Audit, AuditCycle, Case, SampleItem, User
from qa_app.services.platform.calendar import last_working_day, working_days_after
from tests.support.browser import SCREENSHOTS, axe_violations, screenshot, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def overdue(live_server):
    """An auditor with an audit from an earlier month still in progress (the demo's latest
    month leaves some unfinished; one is made so if the seed left none), and one submitted."""
    with live_server.app.app_context():
        today = local_today()
        earlier = (
            select(Assignment)
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
            .where(AuditCycle.month < f"{today:%Y-%m}", Assignment.due_on < today)
            .order_by(AuditCycle.month.desc(), Assignment.id)
        )
        assignment = db.session.scalar(
            earlier.where(Assignment.status.in_(("assigned", "in_progress")))
        )
        if assignment is None:
            cycle = db.session.scalar(
                select(AuditCycle)
                .where(AuditCycle.month < f"{today:%Y-%m}")
                .order_by(AuditCycle.month.desc())
            )
            sampled = select(SampleItem.case_id).where(SampleItem.cycle_id == cycle.id)
            case = db.session.scalar(
                select(Case).where(Case.closed_on.is_(None), Case.id.not_in(sampled)).limit(1)
            )
            auditor = db.session.scalar(select(User).where(User.email == "ap@demo.casefile.test"))
            item = SampleItem(
                cycle=cycle, case_id=case.id, team_id=case.team_id, cohort=case.cohort
            )
            assignment = Assignment(
                item=item,
                auditor=auditor,
                due_on=last_working_day(cycle.reference_date.year, cycle.reference_date.month),
                status="assigned",
            )
            db.session.add(assignment)
            db.session.flush()
        # Their audit to work on at 390 px: started, so the task list and pages exist.
        assignment.status = "in_progress"
        submitted = db.session.scalar(
            select(Audit.id).where(
                Audit.auditor_id == assignment.auditor_id, Audit.status == "submitted"
            )
        )
        facts = {
            "email": assignment.auditor.email,
            "assignment": assignment.id,
            "child": assignment.item.case.child.la_child_id,
            "late": working_days_after(assignment.effective_due, today),
            "submitted": submitted,
        }
        db.session.commit()
        db.session.remove()
    return facts


def test_an_auditor_sees_their_overdue_audit_first(page: Page, live_server, overdue):
    sign_in(page, live_server.url, overdue["email"])
    audits = page.get_by_test_id("home-audits")
    expect(audits.locator("li").first).to_contain_text(f"Child {overdue['child']}")
    expect(audits.locator("li").first.locator(".govuk-tag--red")).to_have_text("Overdue")
    days = overdue["late"]
    expect(audits.locator("li").first).to_contain_text(
        f"{days} working day{'s' if days != 1 else ''} overdue"
    )
    expect(page.get_by_text("None allocated to you this month yet")).to_have_count(0)
    assert axe_violations(page) == []
    page.get_by_role("link", name="All my audits").click()
    first = page.get_by_test_id("my-audits").locator("tbody tr").first
    expect(first).to_contain_text(overdue["child"])
    expect(first.locator(".govuk-tag--red")).to_have_text("Overdue")


def test_a_head_of_service_has_six_sections_and_pages_inside_them(page: Page, live_server):
    sign_in(page, live_server.url, "hos.north@demo.casefile.test")
    header = page.locator(".govuk-service-navigation__list > li:not(.qa-account)")
    sections = page.locator(".govuk-service-navigation__list > li.govuk-service-navigation__item")
    expect(sections.first).to_have_text("Home")
    labels = [t.strip() for t in header.all_inner_texts()]
    assert labels[:6] == ["Home", "Audits", "Actions", "Cases", "Moderation", "Reports"]
    # One row of header links on a laptop screen.
    tops = {round(box["y"]) for box in (a.bounding_box() for a in header.locator("a").all())}
    assert len(tops) == 1, tops
    page.get_by_role("link", name="Reports", exact=True).click()
    sub = page.get_by_test_id("sub-navigation")
    expect(sub.get_by_role("link")).to_have_text(
        ["Monthly reports", "Grade trends", "Performance", "Thresholds"]
    )
    sub.get_by_role("link", name="Grade trends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grade trends")
    expect(sub.locator('[aria-current="page"]')).to_have_text("Grade trends")
    expect(page.locator('.govuk-service-navigation__link[aria-current="true"]')).to_have_text(
        "Reports"
    )
    assert axe_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "navigation-head-of-service.png"), full_page=False)


def test_the_demos_past_samples_pass_their_own_check(page: Page, live_server):
    with live_server.app.app_context():
        months = db.session.scalars(select(AuditCycle.month).order_by(AuditCycle.month)).all()
        db.session.remove()
    sign_in(page, live_server.url, "qa.admin@demo.casefile.test")
    for month in (months[0], months[len(months) // 2], months[-1]):
        page.goto(f"{live_server.url}/cycles/{month}")
        expect(
            page.get_by_text("The random sample matches the stored frame and seed")
        ).to_be_visible()
        expect(page.get_by_test_id("verification-failed")).to_have_count(0)
        frame = page.locator(".govuk-summary-list__row", has_text="cases open on the reference")
        expect(frame).not_to_contain_text("Frame 0 cases")


def _overflow(page: Page) -> list[str]:
    """Elements sticking out past the right edge of the screen (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                && !(e.parentElement && e.parentElement.closest('.qa-table-scroll')))
            .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )


def test_auditors_pages_fit_a_390_px_phone(page: Page, live_server, overdue):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, overdue["email"])
    page.goto(f"{live_server.url}/assignments/")
    first = page.get_by_test_id("my-audits").locator("tbody tr").first
    first.locator("[data-testid=start-audit], [data-testid=continue-audit]").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    tasks_url = page.url
    pages = {
        "my-audits": f"{live_server.url}/assignments/",
        "audit-tasks": tasks_url,
        "audit-section": None,  # the first section of the task list, found below
        "audit-check": tasks_url.replace("/tasks", "/check"),
    }
    page.goto(tasks_url)
    pages["audit-section"] = page.locator(".govuk-task-list__link").first.get_attribute("href")
    if overdue["submitted"]:
        pages["audit-view"] = f"{live_server.url}/audits/{overdue['submitted']}"
    for name, url in pages.items():
        page.goto(url if url.startswith("http") else live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (name, width, _overflow(page))
        assert axe_violations(page) == [], name
        if name == "audit-section":
            screenshot(page, "audit-section-390px")
            page.screenshot(path=str(SCREENSHOTS / "audit-section-390px-top.png"))
            page.get_by_test_id("case-facts").screenshot(
                path=str(SCREENSHOTS / "audit-section-390px-facts.png")
            )

    page.context.clear_cookies()
    sign_in(page, live_server.url, "psw@demo.casefile.test")
    for name, path in (
        ("actions-dashboard", "/actions/dashboard"),
        ("grade-trends", "/reports/dashboard"),
    ):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (name, width, _overflow(page))
        assert axe_violations(page) == [], name
        screenshot(page, f"{name}-390px")
    # The chart scales to the screen.
    chart = page.locator(".report-figure svg").first
    assert chart.bounding_box()["width"] <= PHONE["width"]
    chart.screenshot(path=str(SCREENSHOTS / "grade-trends-390px-chart.png"))
    # A wide table scrolls inside its own region, which the keyboard can reach.
    region = page.locator(".qa-table-scroll").first
    expect(region).to_have_attribute("role", "region")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.get_attribute("aria-label")
