"""The permission layer: which roles may use which feature, and which records each user may see.

Every view declares one permission with ``@requires(...)`` (or ``@public``); every query of
case data filters with ``case_scope(user)``. Both are written once, here, and tested as a matrix
of every route and every role in tests/views/test_permission_matrix.py.
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, false, or_, select, true

from qa_app.extensions import db
from qa_app.models import Assignment, Case, SampleItem, Team, User
from qa_app.models.vocab import COUNCIL_WIDE_ROLES, ROLES

ALL_ROLES = frozenset(ROLES)
PUBLIC = "public"

# Feature permissions: which roles may use each feature. Scope (which records) is separate.
PERMISSIONS: dict[str, frozenset[str]] = {
    "home": ALL_ROLES,
    "account": ALL_ROLES,
    "cases.view": ALL_ROLES,
    "users.manage": frozenset({"qa_admin"}),
    "organisation.manage": frozenset({"qa_admin"}),
    "tasks.view": frozenset({"qa_admin"}),
    "imports.manage": frozenset({"qa_admin"}),
    # Undoing the latest import puts thousands of cases back: the QA lead only.
    "imports.undo": frozenset({"qa_admin"}),
    "access_log.view": frozenset({"qa_admin", "dcs"}),
    # Toolkits hold no personal data, and practitioners should know the standard their work is
    # audited against: every role may read them; only the QA lead loads new versions.
    "toolkits.view": ALL_ROLES,
    "toolkits.manage": frozenset({"qa_admin"}),
    "cycles.manage": frozenset({"qa_admin"}),
    "assignments.mine": frozenset(
        {"team_manager", "advanced_practitioner", "senior_manager", "iro", "head_of_service", "dcs"}
    ),
    # Scoped: line managers see their reports' requests, the PSW the long ones.
    "extensions.decide": frozenset(
        {"team_manager", "senior_manager", "head_of_service", "dcs", "psw"}
    ),
    "notifications.view": ALL_ROLES,
    # Absences change who is allocated audits; exemptions need the DCS's approval.
    "absences.view": frozenset({"qa_admin", "dcs"}),
    "absences.manage": frozenset({"qa_admin"}),
    "absences.approve": frozenset({"dcs"}),
    # The auditor's own audits (the audit form); scope: only audits allocated to them.
    "audits.work": frozenset(
        {"team_manager", "advanced_practitioner", "senior_manager", "iro", "head_of_service", "dcs"}
    ),
    # Reading a submitted audit: scoped to its auditor, the case's worker and team manager, the
    # head of service of its locality and the council-wide roles (services/audits/access.py).
    "audits.view": ALL_ROLES,
    "audits.reflect": frozenset({"social_worker", "team_manager"}),
    "audits.reopen": frozenset({"qa_admin"}),
    # Actions: anyone may own one; each action page is scoped (qa_app.services.actions.queries)
    # and each change is checked by qa_app.services.actions.lifecycle.
    "actions.mine": ALL_ROLES,
    "actions.view": ALL_ROLES,
    "actions.work": ALL_ROLES,
    "actions.team": frozenset({"team_manager"}),
    "actions.dashboard": frozenset({"psw", "dcs", "qa_admin", "head_of_service"}),
    # Moderation (docs/framework.md#moderation): the pool moderates; the result page is scoped to the
    # auditor, the moderator, the locality's head of service and council-wide roles.
    "moderation.moderate": frozenset(
        {"independent_auditor", "senior_manager", "head_of_service", "psw"}
    ),
    "moderation.result": ALL_ROLES,
    "moderation.dispute": frozenset(
        {"team_manager", "advanced_practitioner", "senior_manager", "iro", "head_of_service", "dcs"}
    ),
    # The locality's head of service; the DCS where that head moderated the audit.
    "moderation.decide": frozenset({"head_of_service", "dcs"}),
    "moderation.manage": frozenset({"qa_admin"}),
    "moderation.agreement": frozenset({"psw", "qa_admin"}),
    "tier3.review": frozenset({"head_of_service", "dcs"}),
    # The monthly report: each person sees the reports within their scope (council-wide roles
    # every report, a head of service their locality's, a team manager their team's).
    "reports.view": frozenset({"dcs", "psw", "qa_admin", "head_of_service", "team_manager"}),
    "reports.build": frozenset({"psw", "qa_admin"}),
    "reports.publish": frozenset({"psw"}),
    # Live grade trends: heads of service for their locality, the DCS, PSW and QA lead for all.
    "dashboards.view": frozenset({"dcs", "psw", "qa_admin", "head_of_service"}),
    # Read-only JSON of the report tables (BI tools), with the same scope as the pages.
    "api.read": frozenset({"dcs", "psw", "qa_admin", "head_of_service", "team_manager"}),
    "api_tokens.manage": frozenset({"dcs", "psw", "qa_admin", "head_of_service", "team_manager"}),
    # The board's thresholds are read by those who see the performance figures they rate (the
    # heads of service, team and senior managers, the DCS, PSW and QA lead); the PSW and the QA
    # lead change bands and comparators.
    "thresholds.view": frozenset(
        {"dcs", "psw", "qa_admin", "head_of_service", "senior_manager", "team_manager"}
    ),
    "thresholds.manage": frozenset({"psw", "qa_admin"}),
    # The Improvement Board dashboard: the council for the DCS, PSW, QA lead and senior
    # managers, a locality for its head of service, a team for its manager
    # (services/performance/access.py).
    "performance.view": frozenset(
        {"dcs", "psw", "qa_admin", "senior_manager", "head_of_service", "team_manager"}
    ),
}


def can(user: User, permission: str) -> bool:
    """Whether *user* holds a role that grants *permission*."""
    if not getattr(user, "is_authenticated", False):
        return False
    return not PERMISSIONS[permission].isdisjoint(user.roles)


def requires(permission: str) -> Callable:
    """View decorator: sign-in required, then 403 unless the user's roles grant *permission*."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapped)
        guarded.permission = permission
        return guarded

    return decorator


def public(view: Callable) -> Callable:
    """Mark a view as open to anyone (sign-in page, health check); the matrix test needs it."""
    view.permission = PUBLIC
    return view


def is_council_wide(user: User) -> bool:
    return not COUNCIL_WIDE_ROLES.isdisjoint(user.roles)


def team_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Team``: the teams whose figures *user* may see."""
    if is_council_wide(user):
        return true()
    clauses = []
    if "head_of_service" in user.roles and user.effective_locality_id is not None:
        clauses.append(Team.locality_id == user.effective_locality_id)
    if "team_manager" in user.roles and user.team_id is not None:
        clauses.append(Team.id == user.team_id)
    return or_(*clauses) if clauses else false()


def case_scope(user: User) -> ColumnElement[bool]:
    """SQL condition on ``Case``: the cases whose records *user* may open."""
    if is_council_wide(user):
        return true()
    clauses = []
    if "head_of_service" in user.roles and user.effective_locality_id is not None:
        locality_teams = select(Team.id).where(Team.locality_id == user.effective_locality_id)
        clauses.append(Case.team_id.in_(locality_teams))
    if "team_manager" in user.roles and user.team_id is not None:
        clauses.append(Case.team_id == user.team_id)
    if "social_worker" in user.roles:
        clauses.append(Case.worker_id == user.id)
    if "iro" in user.roles:
        clauses.append(Case.iro_id == user.id)
    # Whatever their roles, auditors see the cases allocated to them once published. The
    # clause is added only for people with such audits, to keep everyone else's queries simple.
    audited = (
        select(SampleItem.case_id)
        .join(Assignment, Assignment.sample_item_id == SampleItem.id)
        .where(Assignment.auditor_id == user.id, Assignment.status != "proposed")
    )
    if db.session.scalar(audited.limit(1)) is not None:
        clauses.append(Case.id.in_(audited))
    return or_(*clauses) if clauses else false()


def visible_case(user: User, case_id: int) -> Case | None:
    """The case if *user* may see it, else None (the view answers 404 either way)."""
    return db.session.scalar(select(Case).where(Case.id == case_id, case_scope(user)))
