"""Allocating a cycle's sample to auditors, and the changes qa_admin makes by hand.

The algorithm is in ``allocation_solver`` (greedy water-filling with augmenting-path repair);
this module reads the people and cases, applies absences, and writes the assignments.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import aliased

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    Absence,
    Assignment,
    AuditCycle,
    Case,
    SampleItem,
    Team,
    User,
    UserRole,
)
from qa_app.models.vocab import TIER2_ROLES, TIER3_ROLES
from qa_app.services.platform import calendar, months
from qa_app.services.sampling.allocation_solver import (
    AuditorInfo,
    CaseInfo,
    Plan,
    conflicts,
    solve,
)
from qa_app.services.sampling.draw import SamplingError

AUDITOR_ROLES = (*TIER2_ROLES, *TIER3_ROLES)


def due_date(cycle: AuditCycle) -> date:
    """Audits are due on the last working day of the cycle's month."""
    return calendar.last_working_day(*months.parse(cycle.month))


def auditor_tier(roles: frozenset[str]) -> int | None:
    if roles & set(TIER3_ROLES):
        return 3
    if roles & set(TIER2_ROLES):
        return 2
    return None


def _unavailable_days(cycle: AuditCycle) -> dict[int, set[date]]:
    """Working days of the month each person is away or exempt (exemptions only when the DCS
    approved them)."""
    first, last = months.bounds(cycle.month)
    dcs_ids = select(UserRole.user_id).where(UserRole.role == "dcs")
    rows = db.session.execute(
        select(Absence.user_id, Absence.starts_on, Absence.ends_on, Absence.kind).where(
            Absence.starts_on <= last,
            Absence.ends_on >= first,
            (Absence.kind != "exemption") | Absence.approved_by_id.in_(dcs_ids),
        )
    ).all()
    away: dict[int, set[date]] = {}
    for user_id, starts, ends, _kind in rows:
        day = max(starts, first)
        while day <= min(ends, last):
            if calendar.is_working_day(day):
                away.setdefault(user_id, set()).add(day)
            day += timedelta(days=1)
    return away


def working_days_in(cycle: AuditCycle) -> int:
    first, last = months.bounds(cycle.month)
    return calendar.working_days_between(first, last + timedelta(days=1))


def monthly_capacity(user: User, away_days: int, month_days: int) -> int:
    """Capacity for the month: the person's figure, scaled down for days away (rounded half
    up), so a fortnight's leave halves it and a month's leave makes it 0."""
    base = user.effective_capacity
    if away_days <= 0:
        return base
    return max(0, math.floor(base * (month_days - away_days) / month_days + 0.5))


@dataclass
class Pool:
    auditors: list[AuditorInfo]
    users: dict[int, User]
    capacity: dict[int, int]
    away: dict[int, int]


def auditor_pool(cycle: AuditCycle) -> Pool:
    """Everyone who may audit this month, with their capacity after absences."""
    users = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.pending.is_(False),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(AUDITOR_ROLES))),
        )
        .order_by(User.id)
    ).all()
    away = _unavailable_days(cycle)
    month_days = working_days_in(cycle)
    localities = dict(db.session.execute(select(Team.id, Team.locality_id)).all())
    infos, capacity = [], {}
    for user in users:
        roles = user.roles
        tier = auditor_tier(roles)
        cap = monthly_capacity(user, len(away.get(user.id, ())), month_days)
        capacity[user.id] = cap
        infos.append(
            AuditorInfo(
                user_id=user.id,
                team_id=user.team_id,
                locality_id=user.locality_id or localities.get(user.team_id),
                capacity=cap,
                tier=tier,
                is_iro=tier == 2 and roles & set(TIER2_ROLES) == {"iro"},
                is_dcs="dcs" in roles,
            )
        )
    return Pool(
        infos,
        {u.id: u for u in users},
        capacity,
        {uid: len(days) for uid, days in away.items()},
    )


def case_infos(cycle: AuditCycle, item_ids: list[int] | None = None) -> list[CaseInfo]:
    """The sampled cases with what the hard rules need: team, worker, their manager, IRO."""
    worker = aliased(User)
    query = (
        select(
            SampleItem.id,
            Case.id,
            Case.team_id,
            Team.locality_id,
            Case.cohort,
            Case.worker_id,
            worker.line_manager_id,
            Case.iro_id,
            SampleItem.selection,
        )
        .join(Case, Case.id == SampleItem.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(worker, worker.id == Case.worker_id)
        .where(SampleItem.cycle_id == cycle.id)
        .order_by(SampleItem.id)
    )
    if item_ids is not None:
        query = query.where(SampleItem.id.in_(item_ids))
    return [CaseInfo(*row) for row in db.session.execute(query)]


def _check_open(cycle: AuditCycle) -> None:
    if cycle.status in ("published", "closed"):
        raise SamplingError(f"The {cycle.month} allocation has been published")


def allocate_cycle(cycle: AuditCycle, *, now: datetime) -> Plan:
    """Propose an auditor for every sampled case without one chosen by hand (replacing earlier
    proposals). Cases that cannot be allocated keep the reason on their sample item."""
    _check_open(cycle)
    item_ids = select(SampleItem.id).where(SampleItem.cycle_id == cycle.id)
    db.session.execute(
        delete(Assignment).where(
            Assignment.sample_item_id.in_(item_ids), Assignment.manual.is_(False)
        )
    )
    manual = dict(
        db.session.execute(
            select(Assignment.sample_item_id, Assignment.auditor_id).where(
                Assignment.sample_item_id.in_(item_ids)
            )
        ).all()
    )
    pool = auditor_pool(cycle)
    preload: dict[int, int] = {}
    for auditor_id in manual.values():
        preload[auditor_id] = preload.get(auditor_id, 0) + 1
    auditors = [
        AuditorInfo(**{**a.__dict__, "load": preload.get(a.user_id, 0)}) for a in pool.auditors
    ]
    cases = [c for c in case_infos(cycle) if c.item_id not in manual]
    plan = solve(cases, auditors, seed=cycle.seed)
    due = due_date(cycle)
    insert_rows(
        Assignment.__table__,
        [
            {
                "sample_item_id": item_id,
                "auditor_id": user_id,
                "tier": tier,
                "due_on": due,
                "status": "proposed",
                "manual": False,
                "assigned_at": now,
            }
            for item_id, (user_id, tier) in sorted(plan.assigned.items())
        ],
    )
    db.session.execute(
        update(SampleItem).where(SampleItem.cycle_id == cycle.id).values(unallocated_reason=None)
    )
    if plan.unallocated:
        db.session.connection().execute(
            SampleItem.__table__.update()
            .where(SampleItem.__table__.c.id == bindparam("item_id"))
            .values(unallocated_reason=bindparam("reason")),
            [{"item_id": i, "reason": r} for i, r in sorted(plan.unallocated.items())],
        )
    cycle.status = "allocated"
    cycle.allocated_at = now
    db.session.flush()
    db.session.expire_all()
    return plan


@dataclass
class Candidate:
    user: User
    capacity: int
    load: int
    tier: int
    problems: list[str]

    @property
    def allowed(self) -> bool:
        return not self.problems


def _loads(cycle: AuditCycle) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Assignment.auditor_id, db.func.count(Assignment.id))
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .where(SampleItem.cycle_id == cycle.id)
            .group_by(Assignment.auditor_id)
        ).all()
    )


def candidates(item: SampleItem) -> list[Candidate]:
    """Everyone who might audit *item*, allowed first (least loaded first), each conflict
    explained: what qa_admin sees when reassigning."""
    cycle = item.cycle
    pool = auditor_pool(cycle)
    (case,) = case_infos(cycle, [item.id])
    loads = _loads(cycle)
    current = item.assignment.auditor_id if item.assignment else None
    result = []
    for info in pool.auditors:
        if info.user_id == current:
            continue
        problems = conflicts(info, case)
        load = loads.get(info.user_id, 0)
        if load >= info.capacity:
            problems.append(f"no capacity left ({load} of {info.capacity} this month)")
        result.append(Candidate(pool.users[info.user_id], info.capacity, load, info.tier, problems))
    return sorted(
        result,
        key=lambda c: (not c.allowed, c.load / c.capacity if c.capacity else 9, c.user.name),
    )


def reassign(item: SampleItem, auditor: User, *, now: datetime) -> tuple[User | None, Assignment]:
    """Give *item* to *auditor* by hand; the hard rules and capacity are enforced, with the
    reason in the error. Returns the previous auditor (to be told) and the assignment."""
    cycle = item.cycle
    if cycle.status == "closed":
        raise SamplingError(f"The {cycle.month} cycle is closed")
    current = item.assignment
    if current is not None and current.status in ("in_progress", "completed"):
        raise SamplingError("The audit has been started, so it cannot be reassigned")
    found = next((c for c in candidates(item) if c.user.id == auditor.id), None)
    if found is None:
        raise SamplingError(f"{auditor.name} is not an auditor available this month")
    if found.problems:
        raise SamplingError(f"{auditor.name} cannot audit this case: " + "; ".join(found.problems))
    previous = current.auditor if current is not None else None
    status = "assigned" if cycle.status == "published" else "proposed"
    if current is None:
        current = Assignment(item=item, due_on=due_date(cycle))
        db.session.add(current)
    current.auditor = auditor
    current.tier = found.tier
    current.status = status
    current.manual = True
    current.assigned_at = now
    item.unallocated_reason = None
    db.session.flush()
    return previous, current


def swap(first: SampleItem, second: SampleItem, *, now: datetime) -> None:
    """Exchange the auditors of two cases in the same cycle, if the hard rules allow both."""
    if first.cycle_id != second.cycle_id or first.id == second.id:
        raise SamplingError("Choose two different cases from the same month to swap")
    if first.assignment is None or second.assignment is None:
        raise SamplingError("Both cases need an auditor to swap them")
    for item in (first, second):
        if item.assignment.status in ("in_progress", "completed"):
            raise SamplingError("An audit that has been started cannot be swapped")
    a, b = first.assignment.auditor, second.assignment.auditor
    pool = {info.user_id: info for info in auditor_pool(first.cycle).auditors}
    for item, auditor in ((first, b), (second, a)):
        (case,) = case_infos(item.cycle, [item.id])
        problems = conflicts(pool[auditor.id], case) if auditor.id in pool else ["not available"]
        if problems:
            raise SamplingError(
                f"{auditor.name} cannot audit {item.case.reference}: " + "; ".join(problems)
            )
    first.assignment.auditor, second.assignment.auditor = b, a
    first.assignment.tier, second.assignment.tier = (
        pool[b.id].tier,
        pool[a.id].tier,
    )
    for item in (first, second):
        item.assignment.manual = True
        item.assignment.assigned_at = now
    db.session.flush()


def allocate_item(item: SampleItem, *, now: datetime) -> Assignment | None:
    """Find an auditor for one case added after allocation: the least loaded allowed auditor
    with capacity (tier 2), or None with the reason on the item."""
    choices = [c for c in candidates(item) if c.allowed and c.tier == 2]
    if item.selection == "tier3":
        choices = [c for c in candidates(item) if c.allowed and c.tier == 3]
    if not choices:
        item.unallocated_reason = "No auditor with capacity may audit this case"
        db.session.flush()
        return None
    _, assignment = reassign(item, choices[0].user, now=now)
    assignment.manual = False
    db.session.flush()
    return assignment


def load_table(cycle: AuditCycle) -> list[dict]:
    """Each auditor's load and capacity this month, most loaded (relative to capacity) first."""
    pool = auditor_pool(cycle)
    loads = _loads(cycle)
    rows = [
        {
            "user": pool.users[a.user_id],
            "tier": a.tier,
            "capacity": a.capacity,
            "load": loads.get(a.user_id, 0),
            "away_days": pool.away.get(a.user_id, 0),
        }
        for a in pool.auditors
    ]
    return sorted(
        rows,
        key=lambda r: (-(r["load"] / r["capacity"]) if r["capacity"] else 0, r["user"].name),
    )
