"""Figures for each role's home page. Every function runs a fixed number of grouped queries,
however many teams or cases there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import Absence, BackgroundTask, Case, Import, Locality, Team, User, UserRole
from qa_app.models.vocab import COHORTS
from qa_app.permissions import PERMISSIONS, case_scope
from qa_app.services.audits import due
from qa_app.services.sampling import cycles
from qa_app.services.sampling import extension_requests as extensions


@dataclass
class CohortTable:
    """Open cases by row (team or locality) and cohort, with totals."""

    rows: list[dict] = field(
        default_factory=list
    )  # {"label", "id", "cohorts", "total", "unallocated"}
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COHORTS, 0))
    unallocated: int = 0

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def _cohort_table(query_rows) -> CohortTable:
    table = CohortTable()
    by_row: dict[int | None, dict] = {}
    for row_id, label, cohort, count, unallocated in query_rows:
        entry = by_row.setdefault(
            row_id,
            {
                "id": row_id,
                "label": label or "No team",
                "cohorts": dict.fromkeys(COHORTS, 0),
                "total": 0,
                "unallocated": 0,
            },
        )
        entry["cohorts"][cohort] = entry["cohorts"].get(cohort, 0) + count
        entry["total"] += count
        entry["unallocated"] += unallocated or 0
        table.totals[cohort] = table.totals.get(cohort, 0) + count
        table.unallocated += unallocated or 0
    table.rows = sorted(by_row.values(), key=lambda r: (r["label"] == "No team", r["label"]))
    for row in table.rows:
        # Pre-formatted for the template: a locality can have hundreds of teams.
        row["cells"] = [f"{row['cohorts'][c]:,}" for c in COHORTS]
    return table


def _unallocated_sum():
    return func.sum(case((Case.unallocated.is_(True), 1), else_=0))


def open_cases_by_team(user: User, today: date, *, locality_id: int | None = None) -> CohortTable:
    """Open cases the user may see, by team and cohort (optionally one locality's teams)."""
    query = (
        select(Team.id, Team.name, Case.cohort, func.count(Case.id), _unallocated_sum())
        .select_from(Case)
        .outerjoin(Team, Case.team_id == Team.id)
        .where(Case.open_on(today), case_scope(user))
        .group_by(Team.id, Team.name, Case.cohort)
    )
    if locality_id is not None:
        query = query.where(Team.locality_id == locality_id)
    return _cohort_table(db.session.execute(query).all())


def open_cases_by_locality(user: User, today: date) -> CohortTable:
    query = (
        select(Locality.id, Locality.name, Case.cohort, func.count(Case.id), _unallocated_sum())
        .select_from(Case)
        .outerjoin(Team, Case.team_id == Team.id)
        .outerjoin(Locality, Team.locality_id == Locality.id)
        .where(Case.open_on(today), case_scope(user))
        .group_by(Locality.id, Locality.name, Case.cohort)
    )
    table = _cohort_table(db.session.execute(query).all())
    for row in table.rows:
        if row["id"] is None:
            row["label"] = "No locality"
    return table


def caseload_by_worker(team_id: int, today: date) -> list[dict]:
    """Each worker in the team with their open cases by cohort (one query)."""
    rows = db.session.execute(
        select(User.id, User.name, Case.cohort, func.count(Case.id))
        .select_from(User)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == "social_worker"))
        .outerjoin(Case, (Case.worker_id == User.id) & Case.open_on(today))
        .where(User.team_id == team_id, User.active.is_(True))
        .group_by(User.id, User.name, Case.cohort)
    ).all()
    workers: dict[int, dict] = {}
    for user_id, name, cohort, count in rows:
        entry = workers.setdefault(user_id, {"name": name, "total": 0, "cohorts": defaultdict(int)})
        if cohort is not None:
            entry["cohorts"][cohort] += count
            entry["total"] += count
    return sorted(workers.values(), key=lambda w: w["name"])


def my_cases(user: User, today: date, *, as_iro: bool = False, limit: int = 200) -> list[Case]:
    column = Case.iro_id if as_iro else Case.worker_id
    return list(
        db.session.scalars(
            select(Case)
            .where(column == user.id, Case.open_on(today))
            .order_by(Case.opened_on.desc())
            .limit(limit)
            .options(joinedload(Case.child), joinedload(Case.team))
        )
    )


@dataclass
class AdminOverview:
    latest_import: Import | None
    open_cases: int
    children: int
    active_staff: int
    staff_by_role: dict[str, int]
    pending_teams: int
    pending_staff: int
    locked_accounts: int
    recent_tasks: list[BackgroundTask]


def admin_overview(today: date, now) -> AdminOverview:
    latest = db.session.scalar(
        select(Import)
        .where(Import.status == "complete")  # an undone import is no longer the case data
        .order_by(Import.created_at.desc(), Import.id.desc())
        .limit(1)
    )
    open_cases = db.session.scalar(select(func.count(Case.id)).where(Case.open_on(today)))
    children = db.session.scalar(
        select(func.count(func.distinct(Case.child_id))).where(Case.open_on(today))
    )
    staff_by_role = dict(
        db.session.execute(
            select(UserRole.role, func.count(UserRole.user_id))
            .join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True))
            .group_by(UserRole.role)
        ).all()
    )
    active_staff = db.session.scalar(
        select(func.count(User.id)).where(User.active.is_(True), User.pending.is_(False))
    )
    pending_teams = db.session.scalar(select(func.count(Team.id)).where(Team.pending.is_(True)))
    pending_staff = db.session.scalar(select(func.count(User.id)).where(User.pending.is_(True)))
    locked = db.session.scalar(select(func.count(User.id)).where(User.locked_until > now))
    tasks = list(
        db.session.scalars(select(BackgroundTask).order_by(BackgroundTask.id.desc()).limit(5))
    )
    return AdminOverview(
        latest,
        open_cases,
        children,
        active_staff,
        staff_by_role,
        pending_teams,
        pending_staff,
        locked,
        tasks,
    )


@dataclass
class Panel:
    kind: str  # names the template partial: templates/main/_panel_<kind>.html
    data: object


def home_panels(user: User, *, today: date, now) -> list[Panel]:
    """The home page of *user*: one panel per responsibility, most senior first."""
    roles = user.roles
    panels: list[Panel] = []
    if "qa_admin" in roles:
        panels.append(Panel("admin", admin_overview(today, now)))
    if roles & {"dcs", "psw"}:
        panels.append(Panel("council", open_cases_by_locality(user, today)))
    if "head_of_service" in roles and user.effective_locality_id is not None:
        locality = db.session.get(Locality, user.effective_locality_id)
        table = open_cases_by_team(user, today, locality_id=locality.id)
        panels.append(Panel("locality", {"locality": locality, "table": table}))
    if "team_manager" in roles and user.team_id is not None:
        panels.append(
            Panel("team", {"team": user.team, "workers": caseload_by_worker(user.team_id, today)})
        )
    if "social_worker" in roles:
        panels.append(Panel("my_cases", my_cases(user, today)))
    if "iro" in roles:
        panels.append(Panel("iro_cases", my_cases(user, today, as_iro=True)))
    if roles & {
        "team_manager",
        "advanced_practitioner",
        "senior_manager",
        "iro",
        "head_of_service",
        "dcs",
        "independent_auditor",
    }:
        panels.append(Panel("auditor", auditor_profile(user, today)))
    panels[1 if "qa_admin" in roles else 0 : 0] = audit_panels(user, today)
    return panels


def cases_on(panels: list[Panel]) -> list[int]:
    """The ids of the cases whose child ids the panels list (for the access log); the other
    panels show counts only."""
    ids = []
    for panel in panels:
        if panel.kind in ("my_cases", "iro_cases"):
            ids += [case.id for case in panel.data]
        elif panel.kind == "my_audits":
            ids += [m.assignment.item.case_id for m in panel.data["audits"].to_do]
    return ids


def audit_panels(user: User, today: date) -> list[Panel]:
    """The sampling cycle (qa_admin) and the audits still to do, overdue first (auditors,
    extension deciders)."""
    panels = []
    if "qa_admin" in user.roles:
        cycle = cycles.latest_cycle()
        counts = cycles.item_counts(cycle) if cycle else {}
        panels.append(Panel("cycle", {"cycle": cycle, "counts": counts}))
    auditor = bool(user.roles & set(PERMISSIONS["assignments.mine"]))
    waiting = (
        len(extensions.waiting_for(user)) if user.roles & PERMISSIONS["extensions.decide"] else 0
    )
    if auditor or waiting:
        mine = due.audits_to_do(user, today=today)
        panels.append(Panel("my_audits", {"audits": mine, "waiting": waiting}))
    return panels


def auditor_profile(user: User, today: date) -> dict:
    """What allocation will use: capacity, line manager and any absence covering this month."""
    absences = list(
        db.session.scalars(
            select(Absence)
            .where(Absence.user_id == user.id, Absence.ends_on >= today.replace(day=1))
            .order_by(Absence.starts_on)
        )
    )
    return {
        "capacity": user.effective_capacity,
        "line_manager": user.line_manager,
        "absences": absences,
    }
