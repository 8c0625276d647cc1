"""The chase job run concurrently against PostgreSQL: each rung still fires once."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Action, ActionReminder, ChaseNotice, Notification
from qa_app.services.actions.chase import reached_rungs, run_chase
from tests.support.factories import CaseFactory
from tests.support.org import make_org

TODAY = date(2027, 1, 21)  # 20 working days after 21 December 2026: every rung reached
URL = "http://qa.test"


def seed_actions(org, n: int) -> int:
    """*n* open actions due on 21 December 2026 (each reaches all six rungs by TODAY)."""
    case = CaseFactory(team=org.team, worker=org.worker)
    # Digest mode: the outbox (tested elsewhere) would otherwise send 5 emails per action.
    for person in (org.worker, org.manager, org.head, org.dcs, org.psw):
        person.notification_mode = "digest"
    db.session.execute(
        Action.__table__.insert(),
        [
            {
                "case_id": case.id,
                "source": "audit",
                "description": "Update the chronology",
                "owner_id": org.worker.id,
                "raised_at": datetime(2026, 11, 1),
                "due_on": date(2026, 12, 21),
                "priority": "normal",
                "status": "open",
                "version": 1,
            }
            for _ in range(n)
        ],
    )
    db.session.commit()
    # Per action: owner 1 (latest owner rung), line manager 1, head 1, DCS + PSW 2.
    return n * 5


def assert_each_rung_once(n_actions: int, expected_notes: int) -> None:
    rows = db.session.execute(
        select(ActionReminder.action_id, ActionReminder.rung, func.count()).group_by(
            ActionReminder.action_id, ActionReminder.rung
        )
    ).all()
    assert all(count == 1 for *_key, count in rows)
    assert len(rows) == n_actions * len(reached_rungs(date(2026, 12, 21), TODAY))
    notices = db.session.scalar(select(func.count(ChaseNotice.id)))
    assert notices == expected_notes
    # One summary per person, counting every action whichever run told them of it.
    summaries = db.session.scalars(select(Notification).where(Notification.kind == "action_chase"))
    assert (
        sorted(n.subject for n in summaries)
        == [f"{n_actions} actions are overdue ({n_actions} new today)"] * 5
    )


@pytest.mark.postgres_only
def test_concurrent_runs_send_each_rung_once(app):
    with app.app_context():
        org = make_org()
        expected = seed_actions(org, 300)
    results = []
    errors = []

    def run():
        try:
            with app.app_context():
                result = run_chase(
                    TODAY,
                    now=datetime(2027, 1, 21, 7),
                    base_url=URL,
                    on_batch=db.session.commit,
                    batch_size=25,
                )
                db.session.commit()
                results.append(result)
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sum(r.sent.values()) for r in results) == expected
    # Every rung reached was either fired by one run or skipped by the others.
    assert sum(r.skipped_already_sent for r in results) == 300 * 6 * 3
    with app.app_context():
        assert_each_rung_once(300, expected)
