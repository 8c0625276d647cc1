"""Benchmark: the action tracker with 100,000 open actions.

Targets (the README's Benchmarks table): the chase job over 100,000 open actions under 10 s on PostgreSQL, and a
second run the same day sends nothing and takes under 3 s; the PSW dashboard's median under
200 ms. The first run starts from an empty reminder table (the worst case: every rung reached
so far is caught up at once), so its counts are large. Prints times and counts.
Run with `bash benchmarks/run actions` (optional arguments: actions, cases).
"""

import os
import random
import sys
import tempfile
from datetime import date, datetime, timedelta

from sqlalchemy import select

from benchmarks.common import bench_app, database_urls, summarise, timed
from qa_app.bulk import insert_rows
from qa_app.demo import seed_demo
from qa_app.extensions import db, redis_store
from qa_app.models import Action, ActionReminder, Case, EmailMessage, Notification, User, UserRole
from qa_app.services.actions.chase import run_chase
from qa_app.services.platform.calendar import add_working_days

TODAY = date(2026, 11, 23)
REQUESTS = 30


def seed(n_actions: int, cases: int) -> None:
    seed_demo(cases=cases, seed=2026, today=TODAY, now=datetime(2026, 11, 23, 6), history_months=0)
    db.session.commit()
    rng = random.Random(7)
    case_rows = db.session.execute(select(Case.id, Case.worker_id)).all()
    workers = [c for c in case_rows if c.worker_id]
    # A third of staff chose the daily digest.
    users = list(db.session.scalars(select(User)))
    for user in users:
        if rng.random() < 0.33:
            user.notification_mode = "digest"
    db.session.commit()
    rows = []
    for _ in range(n_actions):
        case = rng.choice(workers)
        due = add_working_days(TODAY, rng.randint(-60, 40))
        raised = datetime.combine(add_working_days(due, -20), datetime.min.time())
        rows.append(
            {
                "case_id": case.id,
                "source": rng.choice(("audit", "audit", "audit", "moderation", "tier3")),
                "description": "Update the chronology",
                "owner_id": case.worker_id,
                "raised_at": raised,
                "due_on": due,
                "priority": rng.choices(("normal", "high", "safeguarding"), (90, 8, 2))[0],
                "status": rng.choice(("open", "open", "in_progress")),
                "version": 1,
            }
        )
    for start in range(0, len(rows), 20_000):
        insert_rows(Action.__table__, rows[start : start + 20_000])
    db.session.commit()


def record_yesterdays_reminders() -> int:
    """The steady state: the daily job ran every day up to yesterday."""
    from qa_app.demo.actions_history import _sent_reminders  # noqa: PLC0415

    rows = []
    for action_id, due in db.session.execute(select(Action.id, Action.due_on)):
        rows.extend(_sent_reminders(action_id, due, TODAY - timedelta(days=1)))
    for start in range(0, len(rows), 50_000):
        insert_rows(ActionReminder.__table__, rows[start : start + 50_000])
    db.session.commit()
    return len(rows)


def chase_once() -> tuple[float, dict]:
    result = {}

    def run():
        result["r"] = run_chase(
            TODAY, now=datetime(2026, 11, 23, 7), base_url="http://x", on_batch=db.session.commit
        )
        db.session.commit()

    seconds = timed(run)
    return seconds, result["r"].as_dict()


def dashboard_median(app) -> dict:
    with app.app_context():
        psw = db.session.scalar(
            select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "psw")
        )
        user_id = psw.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
    assert client.get("/actions/dashboard").status_code == 200  # warm up
    samples = [timed(lambda: client.get("/actions/dashboard")) for _ in range(REQUESTS)]
    filtered = [
        timed(lambda: client.get("/actions/dashboard?priority=high&overdue=1"))
        for _ in range(REQUESTS)
    ]

    def after_a_change():
        # The first view after any action changes: the cached counts no longer apply.
        with app.app_context():
            for key in redis_store.connection.scan_iter("qa:actions-dashboard:*"):
                redis_store.connection.delete(key)
        return timed(lambda: client.get("/actions/dashboard"))

    cold = [after_a_change() for _ in range(10)]
    return {
        "all": summarise(samples),
        "filtered": summarise(filtered),
        "first view after a change": summarise(cold),
    }


def main() -> None:
    n_actions = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in database_urls(tmp):
            if label == "SQLite" and len(database_urls(tmp)) > 1:
                continue  # the targets are for PostgreSQL
            app = bench_app(url)
            with app.app_context():
                seeded = timed(lambda: seed(n_actions, cases))
                recorded = record_yesterdays_reminders()
                if db.engine.dialect.name == "postgresql":
                    # As autovacuum would have by 07:00 after a bulk load: fresh statistics.
                    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                        c.exec_driver_sql("ANALYZE")
                daily, daily_counts = chase_once()
                again, again_counts = chase_once()

                catch_up, catch_up_counts = None, None
                if os.environ.get("BENCH_CATCH_UP"):  # slow: minutes
                    db.session.execute(ActionReminder.__table__.delete())
                    db.session.execute(
                        Notification.__table__.delete().where(
                            Notification.dedupe_key.like("chase:%")
                        )
                    )
                    db.session.execute(
                        EmailMessage.__table__.delete().where(
                            EmailMessage.dedupe_key.like("n:chase:%")
                        )
                    )
                    db.session.commit()
                    catch_up, catch_up_counts = chase_once()
            print(f"{label}: seeded {n_actions:,} open actions ({cases:,} cases) in {seeded:.1f} s")
            print(
                f"chase {label} daily run (reminders up to yesterday recorded: {recorded:,}): "
                f"{daily:.2f} s ({'meets' if daily < 10 else 'MISSES'} < 10 s) {daily_counts}"
            )
            sent_again = any(again_counts["sent"].values())
            print(
                f"chase {label} second run same day: {again:.2f} s "
                f"({'meets' if again < 3 and not sent_again else 'MISSES'} < 3 s, nothing sent) "
                f"{again_counts}"
            )
            if catch_up is not None:
                print(
                    f"chase {label} catch-up from an empty reminder table (worst case): "
                    f"{catch_up:.2f} s ({'meets' if catch_up < 10 else 'MISSES'} < 10 s) {catch_up_counts}"
                )
            stats = dashboard_median(app)
            for name, s in stats.items():
                print(
                    f"PSW dashboard {label} ({name}) {n_actions:,} actions: median "
                    f"{s['median_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms over {s['n']} requests "
                    + (
                        ""
                        if name.startswith("first")
                        else f" ({'meets' if s['median_ms'] < 200 else 'MISSES'} < 200 ms)"
                    )
                )
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
