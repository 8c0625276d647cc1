"""A cycle's life after the draw: the scheduled start of a month (draw, propose, tell qa_admin),
publishing and closing, and what its pages, exports and commands show."""

import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    AuditCycle,
    Case,
    Child,
    SampleItem,
    Team,
    User,
    UserRole,
)
from qa_app.models.cases import child_reference
from qa_app.services.platform import csv_files
from qa_app.services.platform.notifications import Message, notify
from qa_app.services.sampling import allocation, replace
from qa_app.services.sampling.draw import SamplingError, draw_sample

EXPORT_COLUMNS = [
    "child_id",
    "cohort",
    "case_team",
    "case_worker_email",
    "case_worker_line_manager_email",
    "case_iro_email",
    "selection",
    "tier",
    "auditor_email",
    "auditor_team",
    "due_date",
]


def list_cycles() -> list[AuditCycle]:
    return list(db.session.scalars(select(AuditCycle).order_by(AuditCycle.month.desc())))


def latest_cycle() -> AuditCycle | None:
    return db.session.scalar(select(AuditCycle).order_by(AuditCycle.month.desc()).limit(1))


def _admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "qa_admin", User.active.is_(True), User.pending.is_(False))
            .order_by(User.id)
        )
    )


def draw_and_propose(month: str, *, now: datetime, rng: random.Random, base_url: str) -> AuditCycle:
    """The scheduled start of *month*: draw its sample, propose an auditor for every case and
    tell each qa_admin, as one change (flushes; the caller commits once). Each step is skipped
    when done already, so running it again, or after a failure, changes nothing more."""
    cycle = draw_sample(month, by=None, now=now, rng=rng).cycle
    if cycle.status == "drawn":
        allocation.allocate_cycle(cycle, now=now)
    tell_admins_proposed(cycle, now=now, base_url=base_url)
    return cycle


def tell_admins_proposed(cycle: AuditCycle, *, now: datetime, base_url: str) -> int:
    """Tell every qa_admin the month is drawn and an allocation proposed (once per cycle draw)."""
    counts = item_counts(cycle)
    message = Message(
        kind="cycle_proposed",
        subject=f"{cycle.month} sample drawn and allocation proposed",
        body=(
            f"The {cycle.month} sample has {counts['sample']} cases; {counts['allocated']} have "
            f"a proposed auditor and {counts['unallocated']} could not be allocated. Review and "
            "publish it."
        ),
        link=f"/cycles/{cycle.month}",
    )
    admins = _admins()
    for admin in admins:
        notify(
            admin,
            message,
            dedupe_key=f"cycle-proposed:{cycle.month}:{cycle.draws}:{admin.id}",
            now=now,
            base_url=base_url,
        )
    return len(admins)


def item_counts(cycle: AuditCycle) -> dict[str, int]:
    rows = db.session.execute(
        select(SampleItem.selection, Assignment.tier, func.count(SampleItem.id))
        .outerjoin(Assignment, Assignment.sample_item_id == SampleItem.id)
        .where(SampleItem.cycle_id == cycle.id)
        .group_by(SampleItem.selection, Assignment.tier)
    ).all()
    counts: Counter = Counter()
    for selection, tier, n in rows:
        counts["sample"] += n
        counts[selection] += n
        counts["allocated" if tier else "unallocated"] += n
        if tier:
            counts[f"tier_{tier}"] += n
    keys = ("sample", "random", "thematic", "tier3", "allocated", "unallocated", "tier_2", "tier_3")
    return {k: counts.get(k, 0) for k in keys}


class ClosedCasesInSample(SamplingError):
    """Publishing was refused: the sample holds cases closed since the draw, not confirmed."""

    def __init__(self, month: str, count: int):
        self.count = count
        cases = "1 case" if count == 1 else f"{count} cases"
        super().__init__(
            f"The {month} sample holds {cases} closed since the draw. Replace them, or tick "
            f"“Publish with {cases} closed since the draw” and publish again"
        )


def publish_cycle(
    cycle: AuditCycle,
    *,
    by: User | None,
    now: datetime,
    base_url: str,
    today: date | None = None,
    confirm_closed: int | None = None,
) -> int:
    """Publish the allocation: every auditor is told (in the service and by email) which audits
    are theirs and when they are due. Returns the number of auditors told.

    :param confirm_closed: the number of cases closed since the draw the caller agreed to publish
        with; a sample holding closed cases is refused unless it is exactly that number, so a
        confirmation given before another import closed more does not count.
    """
    if cycle.status == "drawn":
        raise SamplingError(f"Allocate the {cycle.month} sample before publishing it")
    if cycle.status in ("published", "closed"):
        raise SamplingError(f"The {cycle.month} allocation is already published")
    closed = len(replace.closed_items(cycle, today=today or now.date()))
    if closed and confirm_closed != closed:
        raise ClosedCasesInSample(cycle.month, closed)
    assignments = db.session.scalars(
        select(Assignment)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .where(SampleItem.cycle_id == cycle.id)
        .options(joinedload(Assignment.auditor))
        .order_by(Assignment.auditor_id, Assignment.id)
    ).all()
    by_auditor: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        assignment.status = "assigned"
        by_auditor[assignment.auditor_id].append(assignment)
    cycle.status = "published"
    cycle.published_at = now
    cycle.published_by_id = by.id if by else None
    db.session.flush()
    children = dict(
        db.session.execute(
            select(Assignment.id, Child.la_child_id)
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .join(Case, Case.id == SampleItem.case_id)
            .join(Child, Child.id == Case.child_id)
            .where(SampleItem.cycle_id == cycle.id)
        ).all()
    )
    for auditor_id, theirs in by_auditor.items():
        auditor = theirs[0].auditor
        due = min(a.due_on for a in theirs)
        lines = [
            f"- {child_reference(children[a.id])} (tier {a.tier} audit), due {a.due_on:%-d %B %Y}"
            for a in theirs
        ]
        notify(
            auditor,
            Message(
                kind="audits_allocated",
                subject=f"Your {cycle.month} case file audits: {len(theirs)} due {due:%-d %B %Y}",
                body="You have been allocated these audits this month:\n" + "\n".join(lines),
                link="/assignments/",
            ),
            dedupe_key=f"cycle-published:{cycle.month}:{auditor_id}",
            now=now,
            base_url=base_url,
        )
    return len(by_auditor)


def close_cycle(cycle: AuditCycle, *, now: datetime) -> None:
    if cycle.status != "published":
        raise SamplingError("Only a published cycle can be closed")
    cycle.status = "closed"
    cycle.closed_at = now
    db.session.flush()


@dataclass
class CycleView:
    cycle: AuditCycle
    counts: dict
    strata: list[dict]
    items: list[SampleItem]
    unallocated: list[SampleItem]
    loads: list[dict]
    verified: bool
    by_selection: dict = field(default_factory=dict)
    closed: set[int] = field(default_factory=set)  # sample item ids closed since the draw
    replacements: list = field(default_factory=list)


def cycle_view(cycle: AuditCycle, *, today: date) -> CycleView:
    """Everything the cycle page shows: frame, exclusions, strata, allocation and loads, and the
    cases closed since the draw."""
    names = dict(db.session.execute(select(Team.id, Team.name)).all())
    strata = [
        {**s, "team": names.get(s["team_id"], "No team") if s["team_id"] else "No team"}
        for s in cycle.strata
    ]
    strata.sort(key=lambda s: (s["team"], s["cohort"]))
    items = list(
        db.session.scalars(
            select(SampleItem)
            .where(SampleItem.cycle_id == cycle.id)
            .options(
                joinedload(SampleItem.case).joinedload(Case.child),
                joinedload(SampleItem.team),
                selectinload(SampleItem.assignment).joinedload(Assignment.auditor),
            )
            .order_by(SampleItem.id)
        ).unique()
    )
    return CycleView(
        cycle=cycle,
        counts=item_counts(cycle),
        strata=strata,
        items=items,
        unallocated=[i for i in items if i.assignment is None],
        loads=allocation.load_table(cycle),
        verified=replace.check_sample(cycle),
        closed={i.id for i in items if replace.is_closed(i.case, today)},
        replacements=replace.replacements(cycle),
    )


def allocation_summary(cycle: AuditCycle) -> dict:
    """The `qa sample allocate --json` document."""
    unallocated = db.session.execute(
        select(Child.la_child_id, SampleItem.unallocated_reason)
        .join(Case, Case.id == SampleItem.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(Assignment, Assignment.sample_item_id == SampleItem.id)
        .where(SampleItem.cycle_id == cycle.id, Assignment.id.is_(None))
        .order_by(Child.la_child_id)
    ).all()
    by_tier = dict(
        db.session.execute(
            select(Assignment.tier, func.count(Assignment.id))
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .where(SampleItem.cycle_id == cycle.id)
            .group_by(Assignment.tier)
        ).all()
    )
    loads = allocation.load_table(cycle)
    return {
        "month": cycle.month,
        "allocated": sum(by_tier.values()),
        "unallocated": [
            {"child_id": child_id, "reason": reason or "Not yet allocated"}
            for child_id, reason in unallocated
        ],
        "by_tier": {"2": by_tier.get(2, 0), "3": by_tier.get(3, 0)},
        "auditors": [
            {
                "email": row["user"].email,
                "roles": sorted(row["user"].roles),
                "capacity": row["capacity"],
                "assigned": row["load"],
            }
            for row in sorted(loads, key=lambda r: r["user"].email or "")
        ],
    }


def sample_case_ids(cycle: AuditCycle) -> list[int]:
    """The cases in *cycle*'s sample (what its export lists)."""
    return list(
        db.session.scalars(select(SampleItem.case_id).where(SampleItem.cycle_id == cycle.id))
    )


def export_csv(cycle: AuditCycle) -> str:
    """One row per sampled case (blank auditor when unallocated), named by its child's council
    id as the case page names it; no names, no internal case numbers."""
    worker, manager, iro, auditor = (aliased(User) for _ in range(4))
    case_team, auditor_team = aliased(Team), aliased(Team)
    rows = db.session.execute(
        select(
            Child.la_child_id,
            Case.cohort,
            case_team.name,
            worker.email,
            manager.email,
            iro.email,
            SampleItem.selection,
            Assignment.tier,
            auditor.email,
            auditor_team.name,
            Assignment.due_on,
            Assignment.extended_to,
        )
        .select_from(SampleItem)
        .join(Case, Case.id == SampleItem.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(case_team, case_team.id == Case.team_id)
        .outerjoin(worker, worker.id == Case.worker_id)
        .outerjoin(manager, manager.id == worker.line_manager_id)
        .outerjoin(iro, iro.id == Case.iro_id)
        .outerjoin(Assignment, Assignment.sample_item_id == SampleItem.id)
        .outerjoin(auditor, auditor.id == Assignment.auditor_id)
        .outerjoin(auditor_team, auditor_team.id == auditor.team_id)
        .where(SampleItem.cycle_id == cycle.id)
        .order_by(Child.la_child_id)
    ).all()
    out = io.StringIO()
    writer = csv_files.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        *values, due, extended = row
        due_on = extended or due
        writer.writerow([*values, due_on.isoformat() if due_on else None])
    return out.getvalue()
