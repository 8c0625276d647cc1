"""The demo council's staff have believable social work qualification dates, the same for the
same seed, so caseloads by experience show every band on a fresh install."""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.demo import seed_demo, wipe_all_data
from qa_app.extensions import db
from qa_app.models import User, UserRole
from qa_app.services.performance.caseloads import caseload_by_experience, experience_band

TODAY = date(2026, 11, 23)


def _seed(seed: int) -> dict[str, date | None]:
    seed_demo(cases=900, seed=seed, today=TODAY, now=datetime(2026, 11, 23, 9), history_months=0)
    db.session.commit()
    return dict(
        db.session.execute(
            select(User.email, User.qualified_on)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "social_worker")
        ).all()
    )


def test_social_workers_have_believable_qualification_dates(app_ctx):
    dates = _seed(11)
    bands = [experience_band(d, TODAY) for d in dates.values()]
    shares = {band: bands.count(band) / len(bands) for band in set(bands)}
    assert set(shares) == {"asye", "1_3_years", "3_5_years", "5_plus_years", "not_recorded"}
    assert 0.05 < shares["asye"] < 0.3 and shares["5_plus_years"] > 0.2
    assert shares["not_recorded"] < 0.1
    assert all(d is None or date(2000, 1, 1) < d <= TODAY for d in dates.values())
    managers = db.session.scalars(
        select(User.qualified_on)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "team_manager")
    ).all()
    assert all(experience_band(d, TODAY) == "5_plus_years" for d in managers)
    result = caseload_by_experience(TODAY)
    assert all(b.workers > 0 for b in result.bands[:5])
    assert 10 < result.average < 20


def test_the_same_seed_gives_the_same_dates(app_ctx):
    first = _seed(11)
    wipe_all_data()
    db.session.commit()
    assert _seed(11) == first
    wipe_all_data()
    db.session.commit()
    assert _seed(12) != first
