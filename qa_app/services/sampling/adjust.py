"""Changing a month's sample and allocation by hand (qa_admin, on the cycle's pages or with
``qa sample``): add a case, give a case to another auditor, swap two cases' auditors.

Once the allocation is published the auditors concerned are told, here, so the page and the
command line tell the same people. ``allocation.reassign`` and ``allocation.swap`` check the
allocation rules and tell nobody: they are the steps, these are the doors.
"""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assignment, AuditCycle, Case, Child, SampleItem, User
from qa_app.services.platform.notifications import Message, notify
from qa_app.services.sampling import allocation
from qa_app.services.sampling.draw import SamplingError


def add_child(
    cycle: AuditCycle,
    la_child_id: str,
    *,
    by: User | None,
    now: datetime,
    base_url: str,
    selection: str = "thematic",
    note: str | None = None,
) -> SampleItem:
    """Add the child's case open on the cycle's reference date; once the cycle is allocated,
    give it an auditor at once (told if the allocation is published)."""
    case = find_open_case(la_child_id, cycle.reference_date)
    if case is None:
        raise SamplingError(
            f"No case of child {la_child_id.strip()} is open on {cycle.reference_date:%-d %B %Y}"
        )
    item = add_case(cycle, case, by=by, now=now, selection=selection, note=note)
    if cycle.status != "drawn":
        assignment = allocation.allocate_item(item, now=now)
        if assignment is not None:
            tell_reassigned(None, assignment, now=now, base_url=base_url)
    return item


def add_case(
    cycle: AuditCycle,
    case: Case,
    *,
    by: User | None,
    now: datetime,
    selection: str = "thematic",
    note: str | None = None,
) -> SampleItem:
    """Add a case to the cycle by hand, flagged thematic (or tier 3), so statistics can be shown
    with and without it."""
    if selection not in ("thematic", "tier3"):
        raise SamplingError("A case added by hand is either thematic or tier 3")
    if cycle.status == "closed":
        raise SamplingError(f"The {cycle.month} cycle is closed")
    if not case.is_open_on(cycle.reference_date) and not case.is_open_on(now.date()):
        raise SamplingError(f"{case.reference}'s case is not open")
    existing = db.session.scalar(
        select(SampleItem).where(SampleItem.cycle_id == cycle.id, SampleItem.case_id == case.id)
    )
    if existing is not None:
        raise SamplingError(
            f"{case.reference}'s case is already in the {cycle.month} sample ({existing.selection})"
        )
    item = SampleItem(
        cycle_id=cycle.id,
        case_id=case.id,
        team_id=case.team_id,
        cohort=case.cohort,
        selection=selection,
        note=(note or "").strip()[:300] or None,
        added_by_id=by.id if by else None,
        added_at=now,
    )
    db.session.add(item)
    db.session.flush()
    return item


def find_open_case(la_child_id: str, day: date) -> Case | None:
    return db.session.scalar(
        select(Case)
        .join(Child, Child.id == Case.child_id)
        .where(Child.la_child_id == la_child_id.strip(), Case.open_on(day))
    )


def sample_item(cycle: AuditCycle, la_child_id: str) -> SampleItem:
    """The child's case in *cycle*'s sample."""
    item = db.session.scalar(
        select(SampleItem)
        .join(SampleItem.case)
        .join(Child)
        .where(SampleItem.cycle_id == cycle.id, Child.la_child_id == la_child_id.strip())
    )
    if item is None:
        raise SamplingError(f"Child {la_child_id.strip()} has no case in the {cycle.month} sample")
    return item


def reassign(item: SampleItem, auditor: User, *, now: datetime, base_url: str) -> Assignment:
    """Give *item* to *auditor* (the allocation rules apply; the error says which one refused)
    and, once published, tell the new auditor and the one who no longer has it."""
    previous, assignment = allocation.reassign(item, auditor, now=now)
    tell_reassigned(previous, assignment, now=now, base_url=base_url)
    return assignment


def swap(first: SampleItem, second: SampleItem, *, now: datetime, base_url: str) -> None:
    """Exchange the auditors of two cases of one cycle and, once published, tell both."""
    first_auditor = first.assignment.auditor if first.assignment else None
    allocation.swap(first, second, now=now)
    tell_reassigned(first_auditor, first.assignment, now=now, base_url=base_url)
    tell_reassigned(first.assignment.auditor, second.assignment, now=now, base_url=base_url)


def tell_reassigned(
    previous: User | None, assignment: Assignment, *, now: datetime, base_url: str
) -> None:
    """After publication, tell the new auditor (and the one who no longer has it)."""
    cycle = assignment.item.cycle
    if cycle.status != "published":
        return
    case = assignment.item.case.reference
    stamp = now.strftime("%Y%m%d%H%M%S%f")
    notify(
        assignment.auditor,
        Message(
            kind="audit_assigned",
            subject=f"{case} has been allocated to you for audit",
            body=f"{case} (tier {assignment.tier} audit) is due "
            f"{assignment.effective_due:%-d %B %Y}.",
            link="/assignments/",
        ),
        dedupe_key=f"assigned:{assignment.id}:{assignment.auditor_id}:{stamp}",
        now=now,
        base_url=base_url,
    )
    if previous is not None and previous.id != assignment.auditor_id:
        notify(
            previous,
            Message(
                kind="audit_reassigned",
                subject=f"{case} has been given to another auditor",
                body=f"You no longer need to audit {case} this month.",
                link="/assignments/",
            ),
            dedupe_key=f"unassigned:{assignment.id}:{previous.id}:{stamp}",
            now=now,
            base_url=base_url,
        )
