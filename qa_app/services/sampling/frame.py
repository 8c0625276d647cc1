"""The sampling frame: every case open on a cycle's reference date, in case-id order, each
marked eligible or excluded (audited in the previous 12 months, or already in the cycle).

The frame a cycle was drawn from is stored with it, compressed, so the draw can be checked
later from the stored frame and seed alone (``draw.verify_cycle``).
"""

import hashlib
import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Assignment, AuditCycle, Case, CycleFrame, SampleItem
from qa_app.models.vocab import COHORTS

ELIGIBLE, AUDITED, IN_CYCLE = 0, 1, 2
_COHORT_CODES = {cohort: i for i, cohort in enumerate(COHORTS)}
_COHORT_NAMES = list(COHORTS)


@dataclass(frozen=True)
class FrameRow:
    case_id: int
    team_id: int | None
    cohort: str
    exclusion: int = ELIGIBLE


def _year_before(day: date) -> date:
    return (
        day.replace(year=day.year - 1, day=28)
        if (day.month, day.day) == (2, 29)
        else (day.replace(year=day.year - 1))
    )


def recently_audited_children(reference_date: date, *, exclude_cycle_id: int | None) -> set[int]:
    """Children with an audit completed in the 12 months to *reference_date*, or one from an
    earlier published cycle still under way."""
    completed = (
        (Assignment.status == "completed")
        & (Assignment.completed_on > _year_before(reference_date))
        & (Assignment.completed_on <= reference_date)
    )
    under_way = Assignment.status.in_(("assigned", "in_progress"))
    query = (
        select(Case.child_id)
        .join(SampleItem, SampleItem.case_id == Case.id)
        .join(Assignment, Assignment.sample_item_id == SampleItem.id)
        .where(completed | under_way)
    )
    if exclude_cycle_id is not None:
        query = query.where(SampleItem.cycle_id != exclude_cycle_id)
    return set(db.session.scalars(query))


def read_frame(reference_date: date, *, cycle: AuditCycle | None) -> list[FrameRow]:
    """The frame from the database: open cases in case-id order, with their exclusions."""
    audited = recently_audited_children(
        reference_date, exclude_cycle_id=cycle.id if cycle is not None else None
    )
    in_cycle: set[int] = set()
    if cycle is not None and cycle.id is not None:
        in_cycle = set(
            db.session.scalars(select(SampleItem.case_id).where(SampleItem.cycle_id == cycle.id))
        )
    rows = db.session.execute(
        select(Case.id, Case.team_id, Case.cohort, Case.child_id)
        .where(Case.open_on(reference_date))
        .order_by(Case.id)
    ).all()
    return [
        FrameRow(
            case_id,
            team_id,
            cohort,
            IN_CYCLE if case_id in in_cycle else AUDITED if child_id in audited else ELIGIBLE,
        )
        for case_id, team_id, cohort, child_id in rows
    ]


def encode_frame(frame: list[FrameRow]) -> tuple[bytes, str]:
    """The frame as zlib(int64 case ids | int64 team ids, 0 = none | uint8 cohort | uint8
    exclusion), and the SHA-256 of those uncompressed bytes."""
    raw = b"".join(
        [
            np.array([r.case_id for r in frame], dtype="<i8").tobytes(),
            np.array([r.team_id or 0 for r in frame], dtype="<i8").tobytes(),
            np.array([_COHORT_CODES[r.cohort] for r in frame], dtype="u1").tobytes(),
            np.array([r.exclusion for r in frame], dtype="u1").tobytes(),
        ]
    )
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


def decode_frame(stored: CycleFrame) -> list[FrameRow]:
    """The frame ``encode_frame`` stored."""
    raw = zlib.decompress(stored.data)
    n = stored.case_count
    ids = np.frombuffer(raw, dtype="<i8", count=n)
    teams = np.frombuffer(raw, dtype="<i8", count=n, offset=8 * n)
    cohorts = np.frombuffer(raw, dtype="u1", count=n, offset=16 * n)
    exclusions = np.frombuffer(raw, dtype="u1", count=n, offset=17 * n)
    return [
        FrameRow(int(i), int(t) or None, _COHORT_NAMES[c], int(e))
        for i, t, c, e in zip(ids, teams, cohorts, exclusions, strict=True)
    ]


def store_frame(cycle: AuditCycle, frame: list[FrameRow]) -> None:
    """Keep *frame* with *cycle* (replacing the frame of an earlier draw)."""
    data, digest = encode_frame(frame)
    stored = db.session.get(CycleFrame, cycle.id)
    if stored is None:
        db.session.add(
            CycleFrame(cycle_id=cycle.id, case_count=len(frame), digest=digest, data=data)
        )
    else:
        stored.case_count, stored.digest, stored.data = len(frame), digest, data


def stored_frame(cycle: AuditCycle) -> list[FrameRow]:
    """The frame *cycle* was drawn from (empty before its first draw)."""
    stored = db.session.get(CycleFrame, cycle.id)
    return decode_frame(stored) if stored else []
