"""The demo council: realistic, deterministic, refused on a database that holds data."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.demo import DEMO_LOGINS, DemoRefused, seed_demo, wipe_all_data
from qa_app.extensions import db
from qa_app.models import Case, Child, Locality, Team, User, UserRole

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0)


def seed(cases=600, seed_value=7):
    summary = seed_demo(cases=cases, seed=seed_value, today=TODAY, now=NOW)
    db.session.commit()
    return summary


def snapshot():
    """The council by names, not ids (PostgreSQL does not reuse ids after a wipe)."""
    staff = db.session.execute(select(User.email, User.name).order_by(User.email)).all()
    cases = db.session.execute(
        select(Child.la_child_id, Case.cohort, Team.name, User.email, Case.opened_on)
        .join(Child, Case.child_id == Child.id)
        .join(Team, Case.team_id == Team.id)
        .outerjoin(User, Case.worker_id == User.id)
        .order_by(Child.la_child_id)
    ).all()
    return staff, cases


def test_demo_council_has_the_shape_the_issue_asks_for(app_ctx):
    summary = seed(cases=1500)
    assert summary.open_cases == 1500
    assert {loc.name for loc in db.session.scalars(select(Locality))} == {
        "North",
        "Central",
        "East",
    }

    def count(role):
        return db.session.scalar(
            select(func.count()).select_from(UserRole).where(UserRole.role == role)
        )

    assert count("advanced_practitioner") == 12
    assert count("head_of_service") == 3
    assert count("dcs") == count("psw") == count("qa_admin") == count("independent_auditor") == 1
    assert count("team_manager") == db.session.scalar(
        select(func.count(Team.id)).where(Team.service.is_not(None))
    )
    # About one social worker per 15 cases.
    assert 1500 / 15 <= count("social_worker") <= 1500 / 15 * 1.3
    assert count("iro") >= 2 and count("senior_manager") >= 6
    # Every cohort is present, with more children in need than short breaks.
    assert all(n > 0 for n in summary.by_cohort.values())
    assert summary.by_cohort["cin"] > summary.by_cohort["short_breaks"]


def test_every_demo_login_exists_with_its_role(app_ctx):
    seed()
    for role, email, _ in DEMO_LOGINS:
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None and role in user.roles, email


def test_line_management_is_realistic(app_ctx):
    seed()
    workers = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == "social_worker")
    ).all()
    assert all(
        w.line_manager is not None and "team_manager" in w.line_manager.roles for w in workers
    )
    assert all(w.line_manager.team_id == w.team_id for w in workers)
    hos = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == "head_of_service")
    ).all()
    assert all("dcs" in h.line_manager.roles and h.locality_id for h in hos)


def test_cases_are_believable(app_ctx):
    seed()
    for case in db.session.scalars(select(Case).join(Child)):
        assert case.opened_on <= TODAY and case.child.dob < case.opened_on
        if case.cohort in ("cp", "cla"):
            assert case.iro is not None
        if case.cohort == "care_leaver":
            assert (TODAY - case.child.dob).days >= 18 * 365
        if not case.unallocated:
            assert case.worker.team_id == case.team_id


def test_same_seed_gives_the_same_council(app):
    with app.app_context():
        seed(seed_value=11)
        first = snapshot()
        wipe_all_data()
        db.session.commit()
        seed(seed_value=11)
        assert snapshot() == first
        wipe_all_data()
        db.session.commit()
        seed(seed_value=12)
        assert snapshot() != first


def test_demo_is_refused_when_the_database_has_staff(app_ctx):
    seed()
    with pytest.raises(DemoRefused, match="empty database"):
        seed()
