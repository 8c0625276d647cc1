"""The service's navigation, defined once: a few sections in the header, pages inside them.

GOV.UK's service navigation holds the sections (at most seven for any role: the header stays
on one row and the same for a person from page to page); the section's own pages are a
sub-navigation under the header on every page of the section. Each page is shown only to users
whose roles grant its permission, and a section only when it has a page for them; a section's
link opens its first such page, and a section with one page for the user is named after it.

Sections follow what people come to do, not the organisation chart: their home page; audits
(their own audits and what surrounds them: extension requests, sampling, absences, the
toolkits); actions; cases; moderation (moderating, tier 3 reviews, disputes, agreement); reports;
and administration (QA lead and access log). Notifications and the account sit at the end of the
header (base.html).

Performance pages (the improvement board's indicators) are in the Reports section, after
Grade trends, so heads of service, the DCS, PSW, QA lead, senior and team managers find them
beside the audit figures without another header item.
"""

from dataclasses import dataclass

from flask import request, url_for

from qa_app.permissions import can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str
    # Other endpoints (or whole blueprints) whose pages belong to this item, e.g. a cycle's
    # page under Sampling: the item is marked current there.
    current_on: tuple[str, ...] = ()
    # The section's name in the header when this is the user's only page in it (default: the
    # item's own label).
    alone: str | None = None


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]
    blueprints: tuple[str, ...]  # every page of these blueprints belongs to the section


SECTIONS: tuple[NavSection, ...] = (
    NavSection("Home", (NavItem("Home", "main.home", "home"),), ("main",)),
    NavSection(
        "Audits",
        (
            NavItem(
                "My audits",
                "assignments.index",
                "assignments.mine",
                ("assignments.extension", "audits"),
            ),
            NavItem("Extension requests", "assignments.extensions_index", "extensions.decide"),
            NavItem("Sampling", "cycles.index", "cycles.manage", ("cycles",)),
            NavItem("Absences", "absences.index", "absences.view", ("absences",)),
            NavItem("Toolkits", "toolkits.index", "toolkits.view", ("toolkits",)),
        ),
        ("assignments", "audits", "cycles", "absences", "toolkits"),
    ),
    NavSection(
        "Actions",
        (
            NavItem("My actions", "actions.mine", "actions.mine"),
            NavItem("Team actions", "actions.team", "actions.team"),
            NavItem("Actions dashboard", "actions.dashboard", "actions.dashboard"),
        ),
        ("actions",),
    ),
    NavSection("Cases", (NavItem("Cases", "cases.index", "cases.view", ("cases",)),), ("cases",)),
    NavSection(
        "Moderation",
        (
            NavItem(
                "Moderation queue",
                "moderation.queue",
                "moderation.moderate",
                ("moderation.moderate",),
                alone="Moderation",
            ),
            NavItem("Tier 3 reviews", "tier3.index", "tier3.review", ("tier3",)),
            NavItem("Disputes", "moderation.disputes", "moderation.decide", ("moderation.decide",)),
            NavItem("All moderations", "moderation.manage", "moderation.manage"),
            NavItem("Agreement", "agreement.index", "moderation.agreement", ("agreement",)),
        ),
        ("moderation", "tier3", "agreement"),
    ),
    NavSection(
        "Reports",
        (
            NavItem(
                "Monthly reports", "reports.index", "reports.view", ("reports.show",), "Reports"
            ),
            NavItem("Grade trends", "reports.dashboard", "dashboards.view"),
            NavItem("Performance", "performance.index", "performance.view", ("performance",)),
            NavItem("Thresholds", "thresholds.index", "thresholds.view", ("thresholds",)),
        ),
        ("reports", "performance", "thresholds"),
    ),
    NavSection(
        "Admin",
        (
            NavItem("Imports", "imports.index", "imports.manage", ("imports",)),
            NavItem("Users", "users.index", "users.manage", ("users",)),
            NavItem("Organisation", "organisation.index", "organisation.manage", ("organisation",)),
            NavItem("Background tasks", "tasks.index", "tasks.view", ("tasks",)),
            NavItem("Access log", "access_log.index", "access_log.view", ("access_log",)),
        ),
        ("imports", "users", "organisation", "tasks", "access_log"),
    ),
)


def _visible(user) -> list[tuple[NavSection, list[NavItem]]]:
    sections = []
    for section in SECTIONS:
        items = [item for item in section.items if can(user, item.permission)]
        if items:
            sections.append((section, items))
    return sections


def _current_section(sections: list[tuple[NavSection, list[NavItem]]]) -> NavSection | None:
    for section, items in sections:
        if request.blueprint in section.blueprints or any(
            item.endpoint == request.endpoint for item in items
        ):
            return section
    return None


def _is_current(item: NavItem) -> bool:
    return request.endpoint == item.endpoint or bool(
        {request.endpoint, request.blueprint} & set(item.current_on)
    )


def navigation_for(user) -> list[dict]:
    """The sections *user* may use, for govukServiceNavigation, the current one marked."""
    sections = _visible(user)
    current = _current_section(sections)
    return [
        {
            # A section with one page for this user is named after that page (a social
            # worker's Audits section holds only the toolkits: "Toolkits" says what is there).
            "text": section.label if len(items) > 1 else (items[0].alone or items[0].label),
            "href": url_for(items[0].endpoint),
            "active": section == current,
            "current": request.endpoint == items[0].endpoint,
        }
        for section, items in sections
    ]


def sub_navigation_for(user) -> dict | None:
    """The current section's pages *user* may use (None when it has fewer than two)."""
    sections = _visible(user)
    current = _current_section(sections)
    items = next((items for section, items in sections if section == current), [])
    if len(items) < 2:
        return None
    return {
        "label": current.label,
        "items": [
            {"text": item.label, "href": url_for(item.endpoint), "current": _is_current(item)}
            for item in items
        ],
    }
