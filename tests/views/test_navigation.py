"""The navigation: a short, stable header for every role, and every page still reachable."""

import re
from urllib.parse import urlsplit

import pytest

from qa_app.models.vocab import ROLES
from qa_app.navigation import SECTIONS
from qa_app.permissions import PUBLIC
from tests.support.factories import LocalityFactory, TeamFactory, make_user
from tests.support.pages import nav_labels, page_text

MAX_SECTIONS = 7
# Pages that are a step from another page rather than a place to go (a form, a download, the
# API token page of the reports): each must be one click from a page in the navigation.
ONE_CLICK_AWAY = {
    "actions.dashboard_csv",
    "actions.dashboard_xlsx",
    "imports.new",
    "imports.pending_records",
    "toolkits.upload",
    "users.new",
    "users.import_staff",
    "reports.tokens",
    "actions.chased",  # from My actions, and from each daily chase summary
}


def _user(role):
    team = TeamFactory(locality=LocalityFactory())
    if role == "head_of_service":
        return make_user(role, locality=team.locality)
    return make_user(role, team=team)


def _links(html: str) -> set[str]:
    return {urlsplit(h).path for h in re.findall(r'href="([^"#]+)"', html) if h.startswith("/")}


def _sub_navigation(html: str) -> list[str]:
    found = re.search(r'data-testid="sub-navigation">(.*?)</nav>', html, flags=re.S)
    return re.findall(r'href="([^"]+)"', found.group(1)) if found else []


def _header_links(html: str) -> list[str]:
    header = html.split('<header class="govuk-template__header">')[1].split("</header>")[0]
    return re.findall(r'href="([^"]+)"', header)


def _pages_for(app, role: str) -> dict[str, str]:
    """Every page *role* may open without an id in its address: endpoint -> path."""
    user = {role}
    pages = {}
    for rule in app.url_map.iter_rules():
        permission = getattr(app.view_functions[rule.endpoint], "permission", PUBLIC)
        if "GET" not in rule.methods or rule.arguments or permission == PUBLIC:
            continue
        from qa_app.permissions import PERMISSIONS  # noqa: PLC0415

        if user & PERMISSIONS[permission]:
            pages[rule.endpoint] = rule.rule
    return pages


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_has_a_short_header_and_reaches_every_page_it_may_use(
    role, app, client, auth, app_ctx
):
    auth.login(_user(role))
    home = client.get("/").get_data(as_text=True)
    sections = nav_labels(home)
    assert 2 <= len(sections) <= MAX_SECTIONS, sections
    assert sections[0] == "Home"
    reachable = set(_header_links(home))
    section_pages = {}
    for href in _header_links(home):
        if href.startswith("/") and href not in section_pages:
            page = client.get(href).get_data(as_text=True)
            section_pages[href] = page
            # The header is the same on every page of the service.
            assert nav_labels(page) == sections, href
            reachable.update(_sub_navigation(page))
    pages = _pages_for(app, role)
    in_navigation = {e: p for e, p in pages.items() if e not in ONE_CLICK_AWAY}
    missing = {e for e, path in in_navigation.items() if path not in reachable}
    assert not missing, f"{role}: not in the header or a sub-navigation: {sorted(missing)}"
    one_click = set()
    for path in reachable:
        if path.startswith("/") and path in set(in_navigation.values()):
            one_click |= _links(section_pages.get(path) or client.get(path).get_data(as_text=True))
    far = {e for e, path in pages.items() if e in ONE_CLICK_AWAY and path not in one_click}
    assert not far, f"{role}: more than one click from the navigation: {sorted(far)}"


def test_a_head_of_service_sees_six_sections_and_the_pages_of_the_one_they_are_in(
    client, auth, app_ctx
):
    auth.login(_user("head_of_service"))
    assert nav_labels(client.get("/").get_data(as_text=True)) == [
        "Home",
        "Audits",
        "Actions",
        "Cases",
        "Moderation",
        "Reports",
    ]
    page = client.get("/reports/dashboard").get_data(as_text=True)
    sub = re.search(r'data-testid="sub-navigation">(.*?)</nav>', page, flags=re.S).group(1)
    assert page_text(sub) == "Monthly reports Grade trends Performance Thresholds"
    assert re.search(r'href="/reports/dashboard" aria-current="page"', sub)
    assert 'aria-current="true"' in page.split("Reports</strong>")[0][-400:]
    # A page inside a section keeps its section's sub-navigation (an audit's page under Audits).
    moderation = client.get("/tier3/").get_data(as_text=True)
    sub = re.search(r'data-testid="sub-navigation">(.*?)</nav>', moderation, flags=re.S).group(1)
    assert page_text(sub) == "Moderation queue Tier 3 reviews Disputes"


def test_every_permission_in_the_navigation_exists():
    from qa_app.permissions import PERMISSIONS  # noqa: PLC0415

    for section in SECTIONS:
        for item in section.items:
            assert item.permission in PERMISSIONS, item
