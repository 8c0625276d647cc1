"""Shared steps for browser tests."""

from pathlib import Path

from playwright.sync_api import Page, expect

from qa_app.demo import DEMO_PASSWORD

AXE = Path(__file__).resolve().parents[1] / "browser" / "vendor" / "axe.min.js"
# Not test-results/: pytest-playwright empties that folder at the start of each run.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def axe_violations(page: Page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) and return violations of the given impacts."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
