"""The service navigation: each item is shown only to users whose roles grant its permission."""

from dataclasses import dataclass

from flask import request, url_for

from qa_app.permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    section: str  # the blueprint that marks the item as current


NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "main.home", "home", "main"),
    NavItem("My audits", "assignments.index", "assignments.mine", "assignments"),
    NavItem("My actions", "actions.mine", "actions.mine", "-"),
    NavItem("Team actions", "actions.team", "actions.team", "-"),
    NavItem("Actions dashboard", "actions.dashboard", "actions.dashboard", "-"),
    NavItem("Cases", "cases.index", "cases.view", "cases"),
    NavItem("Grade trends", "reports.dashboard", "dashboards.view", "-"),
    NavItem("Reports", "reports.index", "reports.view", "reports"),
    NavItem("Thresholds", "thresholds.index", "thresholds.manage", "thresholds"),
    NavItem("Sampling", "cycles.index", "cycles.manage", "cycles"),
    NavItem("Absences", "absences.index", "absences.view", "absences"),
    NavItem("Moderation", "moderation.queue", "moderation.moderate", "moderation"),
    NavItem("Tier 3 reviews", "tier3.index", "tier3.review", "tier3"),
    NavItem("Moderation disputes", "moderation.disputes", "moderation.decide", "-"),
    NavItem("Extension requests", "assignments.extensions_index", "extensions.decide", "-"),
    NavItem("Agreement", "agreement.index", "moderation.agreement", "agreement"),
    NavItem("All moderations", "moderation.manage", "moderation.manage", "-"),
    NavItem("Imports", "imports.index", "imports.manage", "imports"),
    NavItem("Toolkits", "toolkits.index", "toolkits.view", "toolkits"),
    NavItem("Users", "users.index", "users.manage", "users"),
    NavItem("Organisation", "organisation.index", "organisation.manage", "organisation"),
    NavItem("Background tasks", "tasks.index", "tasks.view", "tasks"),
    NavItem("Access log", "access_log.index", "access_log.view", "access_log"),
]


def navigation_for(user) -> list[dict]:
    """Items for govukServiceNavigation, the current section marked."""
    items = [item for item in NAV_ITEMS if can(user, item.permission)]
    # An item whose own page is open is the current one; otherwise its blueprint decides.
    exact = any(item.endpoint == request.endpoint for item in items)
    return [
        {
            "text": item.label,
            "href": url_for(item.endpoint),
            "active": item.endpoint == request.endpoint
            if exact
            else request.blueprint == item.section,
        }
        for item in items
    ]
