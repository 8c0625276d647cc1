"""Sampled cases that an import closed after the draw: flagged while the sample is unpublished,
replaced from the same stratum, and re-checked with the draw.

A closed case's replacement is the case of the same stratum (team x cohort) that was eligible
in the stored frame, is open now and is not in the cycle (nor was replaced out of it), with the
lowest replacement number: the first 8 bytes of
SHA-256("casefile-qa-sample-v1:<seed>:replace:<closed case id>:<candidate id>"). So the same
seed, frame and closed case give the same replacement, and the frame, seed and the recorded
replacements (with the closed cases passed over) let anyone check the sample again.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditCycle, Case, SampleItem, SampleReplacement, User
from qa_app.services.sampling import allocation
from qa_app.services.sampling.draw import (
    SamplingError,
    lottery_number,
    plan_sample,
    verify_cycle,
)
from qa_app.services.sampling.frame import ELIGIBLE, FrameRow, stored_frame


def replacement_number(seed: int, closed_case_id: int, candidate_id: int) -> int:
    return lottery_number(seed, f"replace:{closed_case_id}:{candidate_id}")


def ranked_candidates(
    frame: list[FrameRow], *, seed: int, closed_case_id: int, stratum: tuple[int | None, str]
) -> list[int]:
    """Pure: the stratum's eligible frame cases, best replacement for *closed_case_id* first."""
    members = [
        r.case_id
        for r in frame
        if r.exclusion == ELIGIBLE
        and (r.team_id, r.cohort) == stratum
        and r.case_id != closed_case_id
    ]
    return sorted(members, key=lambda c: (replacement_number(seed, closed_case_id, c), c))


def choose_replacement(
    frame: list[FrameRow],
    *,
    seed: int,
    closed_case_id: int,
    stratum: tuple[int | None, str],
    taken: set[int],
    closed: set[int],
) -> tuple[int | None, list[int]]:
    """Pure: the replacement (None when the stratum has no case left) and the closed cases
    ranked ahead of it, passed over. *taken*: cases in the cycle or replaced out of it."""
    passed_over: list[int] = []
    for case_id in ranked_candidates(
        frame, seed=seed, closed_case_id=closed_case_id, stratum=stratum
    ):
        if case_id in taken:
            continue
        if case_id in closed:
            passed_over.append(case_id)
            continue
        return case_id, passed_over
    return None, passed_over


def is_closed(case: Case, today: date) -> bool:
    """Closed by an import on or before *today* (a sampled case was open on the reference date)."""
    return case.closed_on is not None and case.closed_on <= today


def closed_items(cycle: AuditCycle, *, today: date) -> list[SampleItem]:
    """The cycle's sampled cases closed since the draw, in item order."""
    return list(
        db.session.scalars(
            select(SampleItem)
            .join(Case, Case.id == SampleItem.case_id)
            .where(
                SampleItem.cycle_id == cycle.id,
                Case.closed_on.is_not(None),
                Case.closed_on <= today,
            )
            .order_by(SampleItem.id)
        )
    )


def replacements(cycle: AuditCycle) -> list[SampleReplacement]:
    """The cycle's recorded replacements, oldest first."""
    return list(
        db.session.scalars(
            select(SampleReplacement)
            .where(SampleReplacement.cycle_id == cycle.id)
            .order_by(SampleReplacement.id)
        )
    )


@dataclass
class ReplaceResult:
    replaced: list[SampleReplacement] = field(default_factory=list)
    left: list[tuple[SampleItem, str]] = field(default_factory=list)  # (item, why it stays)


def outcome_message(result: ReplaceResult) -> str:
    """What a replacement did, in a sentence or two, naming children by their council id."""
    parts = []
    if result.replaced:
        n = len(result.replaced)
        parts.append(
            f"{n} closed case{'' if n == 1 else 's'} replaced by open cases of the same team "
            "and cohort."
        )
    for item, reason in result.left:
        parts.append(
            f"Child {item.case.child.la_child_id}'s case was left in the sample: {reason}."
        )
    return " ".join(parts)


def _taken(cycle: AuditCycle) -> set[int]:
    in_cycle = set(
        db.session.scalars(select(SampleItem.case_id).where(SampleItem.cycle_id == cycle.id))
    )
    return in_cycle | {r.closed_case_id for r in replacements(cycle)}


def _closed_case_ids(case_ids: set[int], today: date) -> set[int]:
    if not case_ids:
        return set()
    return set(
        db.session.scalars(
            select(Case.id).where(
                Case.id.in_(sorted(case_ids)),
                Case.closed_on.is_not(None),
                Case.closed_on <= today,
            )
        )
    )


def replace_closed(
    cycle: AuditCycle, *, by: User | None, now: datetime, today: date
) -> ReplaceResult:
    """Replace each randomly drawn case closed since the draw by the next open case of its stratum
    (module docstring), allocated as allocation would; record each replacement. Cases added by
    hand and cases whose stratum has nothing left stay, with the reason."""
    if cycle.status not in ("drawn", "allocated"):
        raise SamplingError(
            f"The {cycle.month} sample has been published: its cases can no longer be replaced"
        )
    closed = closed_items(cycle, today=today)
    if not closed:
        raise SamplingError(f"No case in the {cycle.month} sample has been closed since the draw")
    frame = stored_frame(cycle)
    all_closed = _closed_case_ids({r.case_id for r in frame}, today)
    taken = _taken(cycle)
    result = ReplaceResult()
    for item in closed:
        if item.selection != "random":
            result.left.append((item, "Added by hand, so not replaced at random"))
            continue
        stratum = (item.team_id, item.cohort)
        chosen, passed_over = choose_replacement(
            frame,
            seed=cycle.seed,
            closed_case_id=item.case_id,
            stratum=stratum,
            taken=taken,
            closed=all_closed,
        )
        if chosen is None:
            result.left.append((item, "No open eligible case is left in its team and cohort"))
            continue
        taken.add(chosen)
        result.replaced.append(_swap_in(cycle, item, chosen, passed_over, by=by, now=now))
    db.session.flush()
    return result


def _swap_in(
    cycle: AuditCycle,
    item: SampleItem,
    chosen: int,
    passed_over: list[int],
    *,
    by: User | None,
    now: datetime,
) -> SampleReplacement:
    record = SampleReplacement(
        cycle_id=cycle.id,
        closed_case_id=item.case_id,
        replacement_case_id=chosen,
        team_id=item.team_id,
        cohort=item.cohort,
        closed_on=item.case.closed_on,
        passed_over=passed_over,
        replaced_at=now,
        replaced_by_id=by.id if by else None,
    )
    new_item = SampleItem(
        cycle_id=cycle.id,
        case_id=chosen,
        team_id=item.team_id,
        cohort=item.cohort,
        selection="random",
        added_by_id=by.id if by else None,
        added_at=now,
    )
    previous = item.assignment.auditor if item.assignment else None
    db.session.delete(item)
    db.session.add_all([record, new_item])
    db.session.flush()
    if cycle.status == "allocated":
        _allocate(new_item, previous, now=now)
    return record


def _allocate(item: SampleItem, previous: User | None, *, now: datetime) -> None:
    """The closed case's proposed auditor keeps the slot when the rules allow them this case (so
    loads and tiers stay as allocated); otherwise the case is allocated as one added by hand."""
    allowed = {c.user.id for c in allocation.candidates(item) if c.allowed}
    if previous is None or previous.id not in allowed:
        allocation.allocate_item(item, now=now)
        return
    _, assignment = allocation.reassign(item, previous, now=now)
    assignment.manual = False
    db.session.flush()


def check_sample(cycle: AuditCycle) -> bool:
    """The cycle page's check: the draw matches the stored frame and seed
    (``draw.verify_cycle``) and each recorded replacement is the one the rule gives from the
    frame, the seed and the closed cases it passed over."""
    if not verify_cycle(cycle):
        return False
    records = replacements(cycle)
    if not records:
        return True
    frame = stored_frame(cycle)
    drawn = plan_sample(frame, seed=cycle.seed, rate_bp=cycle.rate_bp).selected
    hand = set(
        db.session.scalars(
            select(SampleItem.case_id).where(
                SampleItem.cycle_id == cycle.id, SampleItem.selection != "random"
            )
        )
    )
    taken = set(drawn) | hand
    for record in records:
        taken.add(record.closed_case_id)
        chosen, _ = choose_replacement(
            frame,
            seed=cycle.seed,
            closed_case_id=record.closed_case_id,
            stratum=(record.team_id, record.cohort),
            taken=taken,
            closed=set(record.passed_over),
        )
        if chosen != record.replacement_case_id:
            return False
        taken.add(chosen)
    return True
