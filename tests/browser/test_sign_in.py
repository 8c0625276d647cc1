"""Signing in as every demo role, sign-out, lockout and accessibility, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from qa_app.demo import DEMO_LOGINS
from qa_app.extensions import db
from tests.support.browser import axe_violations, screenshot, sign_in, sign_out
from tests.support.factories import TEST_PASSWORD, make_user

SIGN_IN = re.compile(r"/auth/sign-in\?next=(/|%2F)$")
HOME_MARKERS = {
    "qa_admin": "[data-testid=open-cases]",
    "dcs": "[data-testid=council-table]",
    "psw": "[data-testid=council-table]",
    "head_of_service": "[data-testid=locality-table]",
    "team_manager": "[data-testid=team-table]",
    "social_worker": "[data-testid=my-cases]",
    "iro": "[data-testid=iro-cases]",
}


@pytest.mark.parametrize(("role", "email"), [(role, email) for role, email, _ in DEMO_LOGINS])
def test_each_demo_role_signs_in_sees_their_home_page_and_signs_out(page, live_server, role, email):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(SIGN_IN)
    sign_in(page, live_server.url, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")
    if role in HOME_MARKERS:
        expect(page.locator(HOME_MARKERS[role])).to_be_visible()
    else:
        expect(page.get_by_text("Monthly audit capacity")).to_be_visible()
    # GOV.UK Frontend's JavaScript ran (external module script, allowed by the CSP).
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    screenshot(page, f"home-{role}")
    sign_out(page)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(SIGN_IN)


def test_five_wrong_passwords_lock_the_account(page, live_server):
    with live_server.app.app_context():
        user = make_user("psw", email="lockout.test@council.test")
        email = user.email
        db.session.remove()
    for _ in range(4):
        sign_in(page, live_server.url, email, "wrong password!!")
        expect(page.get_by_text("Enter a correct email address and password").first).to_be_visible()
    sign_in(page, live_server.url, email, "wrong password!!")
    # A locked account gets the same refusal as a wrong password (no telling which accounts
    # exist or are locked); the message says a lock may be why.
    refusal = page.get_by_text("your account may be locked for a few minutes").first
    expect(refusal).to_be_visible()
    sign_in(page, live_server.url, email, TEST_PASSWORD)  # the right password does not open it
    expect(refusal).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casefile QA")


def test_sign_in_page_has_no_serious_accessibility_issues(page, live_server):
    page.goto(live_server.url + "/auth/sign-in")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign in").click()  # with the error summary showing
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize(("role", "email"), [(role, email) for role, email, _ in DEMO_LOGINS])
def test_home_pages_have_no_serious_accessibility_issues(page, live_server, role, email):
    sign_in(page, live_server.url, email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")
    assert axe_violations(page) == [], role


def test_keyboard_user_can_sign_in_without_a_mouse(page, live_server):
    page.goto(live_server.url + "/auth/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type(DEMO_LOGINS[1][1])
    page.keyboard.press("Tab")
    page.keyboard.type("Casefile-demo-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello,")
