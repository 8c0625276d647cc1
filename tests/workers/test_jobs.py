"""Background tasks through RQ (fakeredis, synchronous) and the periodic schedule."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq.job import Job
from sqlalchemy import func, select

from qa_app import background
from qa_app.extensions import db
from qa_app.models import BackgroundTask, Case, EmailMessage, utcnow
from qa_app.services.platform import mail, notifications, tasks
from workers import jobs, schedule

UK = ZoneInfo("Europe/London")


def open_cases() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None)))


def queue_seed(cases=200):
    task = tasks.create_task("demo_seed", {"cases": cases, "seed": 3}, by=None)
    db.session.commit()
    background.enqueue_task(task)
    return task.id


def test_demo_seed_runs_as_a_background_task_and_reports_progress(app_ctx):
    task_id = queue_seed()
    db.session.expire_all()
    task = db.session.get(BackgroundTask, task_id)
    assert task.status == "complete" and task.attempts == 1
    assert task.result["open_cases"] == 200
    assert open_cases() == 200  # the demo adds closed cases for its events
    assert background.get_progress(task_id) == {"percent": 100, "message": "Demo council ready"}


def test_a_task_runs_once_however_often_it_is_enqueued(app_ctx):
    task_id = queue_seed()
    assert jobs.run_task(task_id) == "already complete"
    db.session.expire_all()
    assert db.session.get(BackgroundTask, task_id).attempts == 1
    assert open_cases() == 200  # the demo adds closed cases for its events


def test_a_task_held_by_another_worker_is_left_alone(app_ctx):
    task = tasks.create_task("demo_seed", {"cases": 60}, by=None)
    db.session.commit()
    with background.task_lock(task.id) as held:
        assert held
        assert jobs.run_task(task.id) == "running in another worker"
    db.session.expire_all()
    assert db.session.get(BackgroundTask, task.id).status == "queued"


def test_a_refused_task_fails_visibly_without_retrying(app_ctx):
    queue_seed()
    second = queue_seed()  # the database is no longer empty
    db.session.expire_all()
    task = db.session.get(BackgroundTask, second)
    assert task.status == "failed"
    assert "empty database" in task.error


def test_stranded_tasks_are_requeued(app_ctx):
    task = tasks.create_task("demo_seed", {"cases": 60, "seed": 1}, by=None)
    task.created_at = utcnow() - timedelta(minutes=10)
    db.session.commit()  # committed, but never enqueued (Redis was down)
    assert jobs.requeue_stranded_tasks("now") == 1
    db.session.expire_all()
    assert db.session.get(BackgroundTask, task.id).status == "complete"


def test_rules_give_one_key_per_period():
    daily = schedule.daily_at(datetime.strptime("07:00", "%H:%M").time())
    assert daily(datetime(2026, 11, 23, 6, 59, tzinfo=UK)) is None
    assert daily(datetime(2026, 11, 23, 7, 0, tzinfo=UK)) == "2026-11-23"
    monthly = schedule.first_working_day_at(datetime.strptime("07:00", "%H:%M").time())
    assert monthly(datetime(2026, 11, 1, 12, 0, tzinfo=UK)) is None  # Sunday 1 November
    assert monthly(datetime(2026, 11, 2, 6, 0, tzinfo=UK)) is None
    assert monthly(datetime(2026, 11, 2, 7, 0, tzinfo=UK)) == "2026-11"
    assert monthly(datetime(2026, 11, 20, 3, 0, tzinfo=UK)) == "2026-11"  # caught up later


def test_each_periodic_job_is_enqueued_once_per_period(app_ctx, monkeypatch):
    monkeypatch.setattr(
        schedule,
        "PERIODIC_JOBS",
        [
            schedule.Periodic(
                "probe",
                "workers.jobs.requeue_stranded_tasks",
                "default",
                schedule.every_minutes(5),
                60,
            )
        ],
    )
    now = datetime(2026, 11, 23, 10, 2, tzinfo=UK)
    assert schedule.enqueue_due(now) == [("probe", "2026-11-23T0120")]
    assert schedule.enqueue_due(now + timedelta(minutes=1)) == []
    assert schedule.enqueue_due(now + timedelta(minutes=5)) == [("probe", "2026-11-23T0121")]
    ran = [
        Job.fetch(f"periodic-probe-{key}", connection=background.connection()).get_status().value
        for key in ("2026-11-23T0120", "2026-11-23T0121")
    ]
    assert ran == ["finished", "finished"]


def test_every_job_name_resolves():
    import pkgutil  # noqa: PLC0415

    for name in (
        background.RUN_TASK,
        background.BUILD_REPORT,
        background.WARM_PERFORMANCE,
        background.JOB_CLASS,
        background.SEND_EMAIL,
        background.SEND_EMAILS,
        *(p.job for p in schedule.PERIODIC_JOBS),
    ):
        assert pkgutil.resolve_name(name) is not None


def test_an_email_batch_sends_what_it_can_and_is_retried_for_the_rest(app, app_ctx):
    from tests.support.factories import make_user  # noqa: PLC0415
    from tests.support.smtp import SmtpServer, free_port  # noqa: PLC0415

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listening
    now = datetime(2026, 11, 2, 8)
    users = [make_user("iro") for _ in range(3)]
    ids = [
        notifications.queue_email(
            dedupe_key=f"batch-{u.id}", to=u, subject="Hi", body="Hello", now=now
        ).id
        for u in users
    ]
    db.session.info.pop(notifications.OUTBOX_SESSION_KEY)  # sent by hand below, not at commit
    db.session.commit()
    with pytest.raises(mail.NotDelivered, match="3 of 3 emails"):
        jobs.send_emails(ids)
    db.session.expire_all()
    assert {(e.status, e.attempts) for e in db.session.scalars(select(EmailMessage))} == {
        ("queued", 1)
    }
    with SmtpServer() as server:
        app.config["MAIL_PORT"] = server.port
        assert jobs.send_emails(ids) == {"sent": 3}
        assert jobs.send_emails(ids) == {"nothing to send": 3}  # a retry sends nothing twice
        assert len(server.messages) == 3
