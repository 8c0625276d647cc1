"""Demo actions: raised on submitted audits, in every state, with reminders already sent."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from qa_app.demo.actions_history import seed_action_history
from qa_app.extensions import db
from qa_app.models import Action, ActionEvent, ActionReminder, ChaseNotice, Notification
from qa_app.services.actions.chase import reached_rungs, run_chase
from qa_app.services.actions.chase_summary import chased_actions, counts
from qa_app.services.platform.calendar import add_working_days
from tests.support.factories import CaseFactory, make_assignment, make_audit, make_toolkit_version
from tests.support.org import make_org

TODAY = date(2026, 11, 23)


def _audits(org, n: int):
    version = make_toolkit_version()
    days = [TODAY - timedelta(days=2 * i) for i in range(n)]  # one every 2 days
    for i, day in enumerate(days):
        case = CaseFactory(team=org.team, worker=org.worker)
        make_audit(
            assignment=make_assignment(case=case, auditor=org.auditor, month=f"{day:%Y-%m}"),
            toolkit_version=version,
            status="submitted",
            submitted_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=10),
        )
        del i


def test_nothing_without_submitted_audits(app_ctx):
    make_org()
    assert seed_action_history(today=TODAY, rng=random.Random(1)) == {"actions": 0}
    assert db.session.scalar(select(func.count(Action.id))) == 0


def test_actions_in_every_state_and_the_chase_has_only_todays_work(app_ctx):
    org = make_org()
    _audits(org, 180)
    summary = seed_action_history(today=TODAY, rng=random.Random(7))
    db.session.commit()
    for state in (
        "not_yet_due",
        "due_soon",
        "overdue_1_to_9",
        "overdue_10_to_19",
        "overdue_20_plus",
        "completed",
        "verified",
    ):
        assert summary.get(state, 0) > 0, (state, summary)
    assert db.session.scalar(select(func.count(Action.id))) == summary["actions"]
    verified = db.session.scalars(select(Action).where(Action.status == "verified")).all()
    assert all(a.effectiveness in ("yes", "partly", "no") and a.verified_at for a in verified)
    assert all(
        a.due_on == add_working_days(a.raised_at.date(), 20)
        for a in verified
        if a.priority == "normal"
    )
    # Every action has its history, starting with "raised".
    first = db.session.execute(
        select(ActionEvent.action_id, func.min(ActionEvent.id)).group_by(ActionEvent.action_id)
    ).all()
    assert len(first) == summary["actions"]
    assert db.session.scalar(select(func.count(ActionReminder.id))) == summary["reminders"] > 0
    # Reminders up to yesterday are recorded, so today's chase sends only today's rungs.
    result = run_chase(TODAY, now=datetime(2026, 11, 23, 7), base_url="http://x")
    open_actions = db.session.scalars(
        select(Action).where(Action.status.in_(("open", "in_progress", "reopened")))
    ).all()
    due_today = sum(
        len(
            set(reached_rungs(a.due_on, TODAY))
            - set(reached_rungs(a.due_on, TODAY - timedelta(days=1)))
        )
        for a in open_actions
    )
    assert sum(result.sent.values()) <= 2 * due_today
    # New rows after the seed get fresh ids (sequences moved on).
    later = Action(
        case_id=open_actions[0].case_id, owner_id=org.worker.id, description="x", due_on=TODAY
    )
    db.session.add(later)
    db.session.commit()
    assert later.id > max(a.id for a in open_actions)


def test_same_seed_same_actions(app_ctx):
    org = make_org()
    _audits(org, 30)
    first = seed_action_history(today=TODAY, rng=random.Random(3))
    rows = db.session.execute(select(Action.due_on, Action.status, Action.priority)).all()
    db.session.execute(Notification.__table__.delete())
    db.session.execute(ChaseNotice.__table__.delete())
    db.session.execute(ActionReminder.__table__.delete())
    db.session.execute(ActionEvent.__table__.delete())
    db.session.execute(Action.__table__.delete())
    assert seed_action_history(today=TODAY, rng=random.Random(3)) == first
    assert db.session.execute(select(Action.due_on, Action.status, Action.priority)).all() == rows


def test_a_fresh_demo_holds_one_chase_summary_per_person_not_a_flood(app_ctx):
    org = make_org()
    _audits(org, 180)
    summary = seed_action_history(today=TODAY, rng=random.Random(7))
    db.session.commit()
    assert summary["chase_notices"] > summary["chase_summaries"] > 0
    yesterday = TODAY - timedelta(days=1)
    for person in (org.worker, org.manager, org.head, org.dcs, org.psw):
        notes = db.session.scalars(select(Notification).where(Notification.user_id == person.id))
        (note,) = notes.all()  # one summary, however many actions are overdue
        assert note.kind == "action_chase" and note.email_id is None and not note.wants_email
        found = counts(person, yesterday)
        assert found.total == len(chased_actions(person)) > 0
        assert note.subject.startswith(f"{found.overdue} actions are overdue")
    assert len(chased_actions(org.psw)) > 5  # the demo leaves many 20 working days overdue
    # The worker's first run: at most one unread summary each, not hundreds of rows.
    run_chase(TODAY, now=datetime(2026, 11, 23, 7), base_url="http://x")
    db.session.commit()
    unread = db.session.scalars(
        select(Notification.user_id).where(Notification.read_at.is_(None))
    ).all()
    assert len(unread) == len(set(unread))
