"""Drawing each month's sample: a seeded, stratified, reproducible 10% of open cases.

The frame (``frame.py``) is every case open on the reference date, in case-id order. Cases whose child had an
audit completed in the previous 12 months (or one from an earlier month still under way) and
cases already in the cycle are excluded. The sample size is ceil(rate x eligible), split over
team x cohort strata in proportion to their eligible cases by largest remainder.

Which cases are picked is a pure function of the seed and the frame: each case gets a lottery
number, the first 8 bytes of SHA-256("casefile-qa-sample-v1:<seed>:<case id>"), and each stratum
takes its cases with the lowest numbers. Ties between strata in the apportionment go by the same
kind of number for the stratum. So the draw is the same on SQLite and PostgreSQL, on any Python,
and anyone holding the stored frame and seed can check it with a few lines of code.
"""

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    AuditCycle,
    SampleItem,
    SampleReplacement,
    Team,
    User,
)
from qa_app.services.platform import months
from qa_app.services.sampling.apportion import largest_remainder
from qa_app.services.sampling.frame import (
    AUDITED,
    IN_CYCLE,
    FrameRow,
    read_frame,
    store_frame,
    stored_frame,
)

DEFAULT_RATE_BP = 1000  # 10%
LOTTERY_PREFIX = "casefile-qa-sample-v1"


class SamplingError(ValueError):
    """A draw or change the rules do not allow; the message says why."""


@dataclass
class Stratum:
    team_id: int | None
    cohort: str
    frame: int = 0
    eligible: int = 0
    sample: int = 0

    def as_dict(self) -> dict:
        return {
            "team_id": self.team_id,
            "cohort": self.cohort,
            "frame": self.frame,
            "eligible": self.eligible,
            "sample": self.sample,
        }


@dataclass
class SamplePlan:
    strata: list[Stratum]
    selected: list[int]  # case ids, ascending
    frame: int
    eligible: int
    excluded_audited: int
    excluded_in_cycle: int


@dataclass
class DrawResult:
    cycle: AuditCycle
    already_drawn: bool
    verified: bool = True
    notes: list[str] = field(default_factory=list)


def parse_rate(text: str | float) -> int:
    """A rate such as 0.1, 10% or 0.125 as basis points; at most 4 decimal places."""
    raw = str(text).strip()
    percent = raw.endswith("%")
    try:
        value = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        raise SamplingError(f"Rate {raw!r} is not a number (use 0.1 or 10%)") from None
    basis = value * (100 if percent else 10000)
    if basis != basis.to_integral_value() or not 0 < basis <= 10000:
        raise SamplingError(f"Rate {raw!r} must be above 0 and at most 1 (100%), e.g. 0.1")
    return int(basis)


def lottery_number(seed: int, key: object) -> int:
    digest = hashlib.sha256(f"{LOTTERY_PREFIX}:{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def sample_size(rate_bp: int, eligible: int) -> int:
    return -(-rate_bp * eligible // 10000)  # exact ceil(rate x eligible)


def plan_sample(frame: list[FrameRow], *, seed: int, rate_bp: int) -> SamplePlan:
    """Pure: the strata and the selected case ids for a frame, seed and rate."""
    strata: dict[tuple[int | None, str], Stratum] = {}
    members: dict[tuple[int | None, str], list[int]] = defaultdict(list)
    audited = in_cycle = 0
    for row in frame:
        key = (row.team_id, row.cohort)
        stratum = strata.get(key) or strata.setdefault(key, Stratum(row.team_id, row.cohort))
        stratum.frame += 1
        if row.exclusion == AUDITED:
            audited += 1
        elif row.exclusion == IN_CYCLE:
            in_cycle += 1
        else:
            stratum.eligible += 1
            members[key].append(row.case_id)
    eligible = sum(s.eligible for s in strata.values())
    # Strata in lottery order, so ties in the apportionment fall differently each month.
    order = sorted(strata, key=lambda k: (lottery_number(seed, f"stratum:{k[0]}:{k[1]}"), k[1]))
    parts = largest_remainder(
        sample_size(rate_bp, eligible), {k: strata[k].eligible for k in order}
    )
    selected: list[int] = []
    for key in order:
        strata[key].sample = parts[key]
        if parts[key]:
            ranked = sorted(members[key], key=lambda case_id: lottery_number(seed, case_id))
            selected.extend(ranked[: parts[key]])
    return SamplePlan(
        strata=[strata[k] for k in order],
        selected=sorted(selected),
        frame=len(frame),
        eligible=eligible,
        excluded_audited=audited,
        excluded_in_cycle=in_cycle,
    )


def _apply_plan(cycle: AuditCycle, plan: SamplePlan, frame: list[FrameRow], now: datetime) -> None:
    cycle.frame_count = plan.frame
    cycle.eligible_count = plan.eligible
    cycle.excluded_audited = plan.excluded_audited
    cycle.excluded_in_cycle = plan.excluded_in_cycle
    cycle.strata = [s.as_dict() for s in plan.strata]
    by_id = {row.case_id: row for row in frame}
    insert_rows(
        SampleItem.__table__,
        [
            {
                "cycle_id": cycle.id,
                "case_id": case_id,
                "team_id": by_id[case_id].team_id,
                "cohort": by_id[case_id].cohort,
                "selection": "random",
                "added_at": now,
            }
            for case_id in plan.selected
        ],
    )
    store_frame(cycle, frame)


def new_seed(rng: random.Random) -> int:
    return rng.randrange(1, 2**31)


def draw_sample(
    month: str,
    *,
    by: User | None,
    now: datetime,
    rng: random.Random,
    seed: int | None = None,
    rate_bp: int | None = None,
    reference_date: date | None = None,
    redraw: bool = False,
) -> DrawResult:
    """Draw the sample for *month* ("YYYY-MM"), or return the one already drawn.

    :param by: the acting user (None for the command line and the scheduled job).
    :param rng: supplies the seed when *seed* is not given (pass ``random.SystemRandom()``).
    :param redraw: discard the random part of an unpublished cycle's sample and draw again
        (qa_admin only); thematic and tier 3 cases stay.
    """
    key = months.check(month, SamplingError)
    reference = reference_date or months.first_day(key)
    if months.of(reference) != key:
        raise SamplingError(f"The reference date {reference.isoformat()} is not in {key}")
    cycle = db.session.scalar(select(AuditCycle).where(AuditCycle.month == key))
    if cycle is not None and not redraw:
        return DrawResult(cycle, already_drawn=True)
    if cycle is not None:
        _check_redraw(cycle, by)
        return _redraw(
            cycle,
            by=by,
            now=now,
            seed=seed if seed is not None else new_seed(rng),
            rate_bp=rate_bp,
            reference=reference_date,
        )
    if redraw:
        raise SamplingError(f"There is no sample for {key} to redraw")
    cycle = AuditCycle(
        month=key,
        reference_date=reference,
        rate_bp=rate_bp or DEFAULT_RATE_BP,
        seed=seed if seed is not None else new_seed(rng),
        status="drawn",
        drawn_at=now,
        drawn_by_id=by.id if by else None,
    )
    db.session.add(cycle)
    try:
        db.session.flush()
    except IntegrityError:
        raise SamplingError(
            f"The {key} sample was drawn by another process at the same moment: try again to see it"
        ) from None
    frame = read_frame(reference, cycle=cycle)
    _apply_plan(cycle, plan_sample(frame, seed=cycle.seed, rate_bp=cycle.rate_bp), frame, now)
    db.session.flush()
    return DrawResult(cycle, already_drawn=False)


def _check_redraw(cycle: AuditCycle, by: User | None) -> None:
    if by is not None and "qa_admin" not in by.roles:
        raise SamplingError("Only the QA lead (qa_admin) can redraw a sample")
    if cycle.status in ("published", "closed"):
        raise SamplingError(f"The {cycle.month} sample has been published and cannot be redrawn")


def _redraw(cycle, *, by, now, seed, rate_bp, reference) -> DrawResult:
    # The allocation is redone after a redraw: every proposed assignment goes.
    db.session.execute(
        delete(Assignment).where(
            Assignment.sample_item_id.in_(
                select(SampleItem.id).where(SampleItem.cycle_id == cycle.id)
            )
        )
    )
    db.session.execute(
        delete(SampleItem).where(SampleItem.cycle_id == cycle.id, SampleItem.selection == "random")
    )
    db.session.execute(delete(SampleReplacement).where(SampleReplacement.cycle_id == cycle.id))
    db.session.execute(
        SampleItem.__table__.update()
        .where(SampleItem.cycle_id == cycle.id)
        .values(unallocated_reason=None)
    )
    db.session.expire(cycle)
    cycle.seed = seed
    if rate_bp:
        cycle.rate_bp = rate_bp
    if reference:
        cycle.reference_date = reference
    cycle.status = "drawn"
    cycle.allocated_at = None
    cycle.drawn_at = now
    cycle.drawn_by_id = by.id if by else None
    cycle.draws += 1
    frame = read_frame(cycle.reference_date, cycle=cycle)
    _apply_plan(cycle, plan_sample(frame, seed=cycle.seed, rate_bp=cycle.rate_bp), frame, now)
    db.session.flush()
    db.session.expire(cycle, ["items"])
    return DrawResult(cycle, already_drawn=False)


def verify_cycle(cycle: AuditCycle) -> bool:
    """Whether the random part of the stored sample, with any recorded replacement of a closed
    case undone, is exactly what the stored frame and seed give: the check an external auditor
    would make (``replace.check_sample`` also checks each replacement)."""
    plan = plan_sample(stored_frame(cycle), seed=cycle.seed, rate_bp=cycle.rate_bp)
    ids = set(
        db.session.scalars(
            select(SampleItem.case_id).where(
                SampleItem.cycle_id == cycle.id, SampleItem.selection == "random"
            )
        )
    )
    undo = db.session.execute(
        select(SampleReplacement.closed_case_id, SampleReplacement.replacement_case_id)
        .where(SampleReplacement.cycle_id == cycle.id)
        .order_by(SampleReplacement.id.desc())
    ).all()
    for closed_case_id, replacement_case_id in undo:
        ids.discard(replacement_case_id)
        ids.add(closed_case_id)
    return sorted(ids) == plan.selected


def get_cycle(month: str) -> AuditCycle:
    months.check(month, SamplingError)
    cycle = db.session.scalar(select(AuditCycle).where(AuditCycle.month == month))
    if cycle is None:
        raise SamplingError(f"No sample has been drawn for {month}")
    return cycle


def draw_summary(result: DrawResult) -> dict:
    """The `qa sample draw --json` document."""
    cycle = result.cycle
    names = dict(db.session.execute(select(Team.id, Team.name)).all())
    sampled = db.session.scalar(
        select(db.func.count(SampleItem.id)).where(SampleItem.cycle_id == cycle.id)
    )
    return {
        "month": cycle.month,
        "reference_date": cycle.reference_date.isoformat(),
        "seed": cycle.seed,
        "frame": cycle.frame_count,
        "eligible": cycle.eligible_count,
        "excluded": {
            "audited_last_12_months": cycle.excluded_audited,
            "already_in_cycle": cycle.excluded_in_cycle,
        },
        "sample": sampled,
        "already_drawn": result.already_drawn,
        "strata": [
            {
                "team": names.get(s["team_id"]) if s["team_id"] else None,
                "cohort": s["cohort"],
                "eligible": s["eligible"],
                "sample": s["sample"],
            }
            for s in sorted(
                cycle.strata,
                key=lambda s: (names.get(s["team_id"]) or "~", s["cohort"]),
            )
        ],
    }
