"""The reflection window: 10 England and Wales working days from submission, to the day."""

from datetime import datetime, timedelta

import pytest

from qa_app.extensions import db
from qa_app.services.audits.reflections import ReflectionError, record_reflection, reflectors
from qa_app.services.platform.calendar import add_working_days
from tests.support.factories import CaseFactory, TeamFactory, make_assignment, make_audit, make_user


@pytest.fixture
def audit(app_ctx):
    team = TeamFactory()
    manager = make_user("team_manager", team=team)
    worker = make_user("social_worker", team=team, line_manager=manager)
    case = CaseFactory(team=team, worker=worker)
    # Submitted on Friday 18 December 2026: Christmas and Boxing Day (moved) are not counted.
    audit = make_audit(
        assignment=make_assignment(case=case),
        status="submitted",
        submitted_at=datetime(2026, 12, 18, 16, 0),
    )
    return audit


def test_the_window_closes_at_the_end_of_the_tenth_working_day(audit):
    worker = audit.case.worker
    due = add_working_days(audit.submitted_at.date(), 10)
    assert due == datetime(2027, 1, 6).date()  # 25, 28 December and 1 January skipped
    last_day = datetime.combine(due, datetime.min.time()) + timedelta(hours=17)
    record_reflection(audit, agreement="agree", comments="Fair.", by=worker, now=last_day)
    db.session.commit()
    with pytest.raises(ReflectionError, match="closed on 6 January 2027"):
        record_reflection(
            audit,
            agreement="disagree",
            comments="Changed my mind",
            by=worker,
            now=last_day + timedelta(days=1),
        )
    db.session.rollback()
    assert [r.agreement for r in audit.reflections] == ["agree"]


def test_only_the_worker_and_team_manager_reflect(audit):
    roles = {r.role for r in reflectors(audit)}
    assert roles == {"worker", "team_manager"}
    with pytest.raises(ReflectionError, match="Only the case's social worker and team manager"):
        record_reflection(
            audit,
            agreement="agree",
            comments="Hi",
            by=make_user("social_worker"),
            now=audit.submitted_at,
        )
