"""The demo council's audit pool: capacities that fit a 10% sample, and a DCS-approved exemption.

Default capacities (TM 2, AP 6, SM 2, IRO 2) cover well under a 10% sample in a council staffed
like the demo, so the demo sets each auditor's own capacity (as a council would) to cover the
expected sample with about 20% to spare.
"""

import math
from datetime import date, timedelta
from random import Random

from sqlalchemy import select, update

from qa_app.extensions import db
from qa_app.models import Absence, User, UserRole
from qa_app.models.vocab import DEFAULT_CAPACITY, TIER2_ROLES

HEADROOM = 1.2
SAMPLE_RATE = 0.1


def size_audit_pool(open_cases: int, rng: Random, today: date) -> None:
    """Set tier 2 capacities to fit the expected sample; exempt one practitioner (DCS-approved)."""
    rows = db.session.execute(
        select(UserRole.user_id, UserRole.role).where(UserRole.role.in_(TIER2_ROLES))
    ).all()
    default: dict[int, int] = {}
    for user_id, role in rows:
        default[user_id] = max(default.get(user_id, 0), DEFAULT_CAPACITY[role])
    if not default:
        return
    needed = math.ceil(HEADROOM * math.ceil(SAMPLE_RATE * open_cases))
    factor = max(1.0, needed / sum(default.values()))
    by_capacity: dict[int, list[int]] = {}
    for user_id, base in default.items():
        by_capacity.setdefault(math.ceil(base * factor), []).append(user_id)
    for capacity, ids in sorted(by_capacity.items()):
        db.session.execute(update(User).where(User.id.in_(ids)).values(capacity=capacity))
    dcs = db.session.scalar(select(UserRole.user_id).where(UserRole.role == "dcs"))
    practitioners = sorted(
        db.session.scalars(select(UserRole.user_id).where(UserRole.role == "advanced_practitioner"))
    )
    if dcs is not None and len(practitioners) > 1:
        month_start = today.replace(day=1)
        db.session.add(
            Absence(
                user_id=rng.choice(practitioners[1:]),  # not the demo login
                starts_on=month_start,
                ends_on=month_start + timedelta(days=90),
                kind="exemption",
                reason="Leading the Ofsted inspection preparation",
                approved_by_id=dcs,
            )
        )
    db.session.flush()
