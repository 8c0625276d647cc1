"""Property: for any sequence of chase runs and changes over a calendar with bank holidays, no
rung fires twice and none is skipped (or fired early)."""

from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Action, ActionReminder, ChaseNotice, Notification
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.chase import reached_rungs, run_chase
from qa_app.services.platform.calendar import add_working_days, is_working_day
from tests.support.factories import make_user
from tests.support.org import make_org, org_action

START = date(2026, 12, 1)  # Christmas, Boxing Day (substitute), New Year, then Easter 2027 ahead
URL = "http://qa.test"

step = st.one_of(
    st.tuples(st.just("run"), st.integers(0, 6)),  # advance n calendar days, then run the job
    st.tuples(st.just("run_twice"), st.integers(0, 3)),
    st.tuples(st.just("redate"), st.integers(0, 1), st.integers(1, 30)),  # action, +working days
    st.tuples(st.just("reassign"), st.integers(0, 1)),
    st.tuples(st.just("complete"), st.integers(0, 1)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    dues=st.lists(st.integers(0, 25), min_size=2, max_size=2),
    steps=st.lists(step, min_size=1, max_size=14),
)
def test_no_rung_twice_none_skipped(app_ctx, dues, steps):
    org = make_org()
    spare = make_user("social_worker", team=org.team)
    actions = [org_action(org, due_on=add_working_days(START, d), audited=False) for d in dues]
    today = START
    for op in steps:
        if op[0] in ("run", "run_twice"):
            today += timedelta(days=op[1])
            before = Counter(_owner_notes(actions))
            for _ in range(2 if op[0] == "run_twice" else 1):
                run_chase(today, now=datetime.combine(today, datetime.min.time()), base_url=URL)
                db.session.commit()
            after = Counter(_owner_notes(actions))
            # The owner hears at most once per action per day, however often the job runs.
            assert all(after[k] - before[k] <= 1 for k in after)
            _check_ladder(actions, today)
            # However often the job ran, each person has one unread chase summary at most.
            unread = Counter(
                db.session.scalars(
                    select(Notification.user_id).where(
                        Notification.kind == "action_chase", Notification.read_at.is_(None)
                    )
                )
            )
            assert all(n == 1 for n in unread.values())
            continue
        action = db.session.get(Action, actions[op[1]].id)
        if action.status not in ("open", "in_progress", "reopened"):
            continue
        if op[0] == "redate":
            new_due = add_working_days(today, op[2])
            if new_due != action.due_on and is_working_day(new_due):
                life.change_due_date(
                    action,
                    by=org.manager,
                    now=datetime(2026, 12, 1),
                    due_on=new_due,
                    reason="Moved",
                    expected_version=action.version,
                    today=today,
                )
        elif op[0] == "reassign":
            target = spare if action.owner_id == org.worker.id else org.worker
            life.reassign(
                action,
                by=org.manager,
                now=datetime(2026, 12, 1),
                owner_id=target.id,
                expected_version=action.version,
                base_url=URL,
            )
        else:
            life.complete(
                action,
                by=org.manager,
                now=datetime(2026, 12, 1),
                evidence="Done",
                expected_version=action.version,
            )
        db.session.commit()


def _owner_notes(actions):
    ids = {a.id for a in actions}
    rungs = ("due_soon", "due_today", "overdue_owner")
    notices = db.session.scalars(select(ChaseNotice).where(ChaseNotice.rung.in_(rungs))).all()
    for notice in notices:
        if notice.action_id in ids:
            yield notice.action_id


def _check_ladder(actions, today):
    for a in actions:
        action = db.session.get(Action, a.id)
        rows = db.session.scalars(
            select(ActionReminder).where(ActionReminder.action_id == action.id)
        ).all()
        keys = [(r.due_on, r.rung) for r in rows]
        assert len(keys) == len(set(keys)), "a rung fired twice"
        for row in rows:
            assert row.rung in reached_rungs(row.due_on, row.fired_on), "a rung fired early"
            sent = db.session.scalars(
                select(ChaseNotice).where(
                    ChaseNotice.action_id == action.id,
                    ChaseNotice.due_on == row.due_on,
                    ChaseNotice.rung == row.rung,
                )
            ).all()
            assert len(sent) == row.recipients
        if action.status in ("open", "in_progress", "reopened"):
            current = {r.rung for r in rows if r.due_on == action.due_on}
            assert current == set(reached_rungs(action.due_on, today)), "a rung was skipped"
