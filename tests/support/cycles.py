"""A published month for tests of changes by hand: two teams of six open cases, their managers
and three advanced practitioners as auditors, every case sampled, allocated and published."""

import random
from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import SampleItem
from qa_app.services.sampling import allocation, cycles
from qa_app.services.sampling.draw import draw_sample
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user

NOW = datetime(2026, 11, 2, 8)


def published_cycle(month: str = "2026-11") -> list[SampleItem]:
    """The sampled cases of a published *month*, in id order (each with an auditor)."""
    north = LocalityFactory(name="North")
    teams = [TeamFactory(name=f"North {i}", locality=north) for i in range(2)]
    psw = make_user("psw")
    tms = [make_user("team_manager", team=t, line_manager=psw) for t in teams]
    workers = [
        make_user("social_worker", team=t, line_manager=m) for t, m in zip(teams, tms, strict=True)
    ]
    for n in range(3):
        make_user("advanced_practitioner", line_manager=psw, email=f"ap{n}@council.test")
    for i in range(12):
        CaseFactory(
            team=teams[i % 2], worker=workers[i % 2], cohort="cin", opened_on=date(2026, 1, 5)
        )
    cycle = draw_sample(month, by=None, now=NOW, rng=random.Random(3), seed=3, rate_bp=10_000).cycle
    allocation.allocate_cycle(cycle, now=NOW)
    cycles.publish_cycle(cycle, by=None, now=NOW, base_url="http://x")
    db.session.commit()
    return list(db.session.scalars(select(SampleItem).order_by(SampleItem.id)))
