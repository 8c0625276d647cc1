"""Notifications and email: idempotent, sent after commit over real SMTP, digests, no names."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import EmailMessage, Notification
from qa_app.services.platform import mail, notifications
from qa_app.services.platform.notifications import Message
from tests.support.factories import make_user
from tests.support.smtp import SmtpServer, free_port
from workers import jobs

NOW = datetime(2026, 11, 2, 8)
BASE = "https://qa.council.test"


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_FROM="qa@council.test"
        )
        yield server


def tell(user, key="k1", **fields):
    message = Message(
        kind="test", subject="Your audits", body="Case 42 is yours.", link="/assignments/"
    )
    return notifications.notify(user, message, dedupe_key=key, now=NOW, base_url=BASE, **fields)


def test_notify_emails_after_commit_over_smtp_and_only_once(app_ctx, smtp):
    user = make_user("team_manager", email="tm@council.test")
    tell(user)
    assert smtp.messages == []  # nothing leaves before the transaction commits
    db.session.commit()
    assert len(smtp.messages) == 1
    sent = smtp.messages[0]
    assert sent["To"] == "tm@council.test" and sent["Subject"] == "Your audits"
    body = sent.get_payload(decode=True).decode()
    assert "https://qa.council.test/assignments/" in body and "Case 42" in body
    tell(user)  # the same event again: no new notification, no second email
    db.session.commit()
    assert len(smtp.messages) == 1
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    assert db.session.scalar(select(EmailMessage.status)) == "sent"


def test_a_rolled_back_notification_sends_nothing(app_ctx, smtp):
    user = make_user("team_manager")
    tell(user)
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == [] and db.session.scalar(select(func.count(EmailMessage.id))) == 0


def test_smtp_failure_is_recorded_and_retried_by_the_sweeper(app, app_ctx):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listening
    user = make_user("team_manager")
    tell(user)
    db.session.commit()  # the job fails; RQ records it (synchronous mode)
    db.session.expire_all()
    email = db.session.scalar(select(EmailMessage))
    assert (
        email.status == "queued" and email.attempts == 1 and "ConnectionRefused" in email.last_error
    )
    with SmtpServer() as server:
        app.config["MAIL_PORT"] = server.port
        email.created_at = NOW - timedelta(hours=1)
        db.session.commit()
        assert jobs.sweep_outbox("now") == 1
        assert len(server.messages) == 1
    db.session.expire_all()
    assert db.session.scalar(select(EmailMessage.status)) == "sent"


def test_without_a_mail_server_emails_are_recorded_not_sent(app_ctx):
    tell(make_user("team_manager"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(EmailMessage.status)) == "not_sent"


def test_digest_users_get_one_daily_email_listing_everything(app_ctx, smtp):
    user = make_user("iro", email="iro@council.test", notification_mode="digest")
    tell(user, "a")
    tell(user, "b")
    db.session.commit()
    assert smtp.messages == []
    assert (
        notifications.build_digests(date(2026, 11, 2), now=NOW + timedelta(hours=1), base_url=BASE)
        == 1
    )
    db.session.commit()
    assert (
        notifications.build_digests(date(2026, 11, 2), now=NOW + timedelta(hours=2), base_url=BASE)
        == 0
    )
    db.session.commit()
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"] == "Casefile QA: 2 notifications"


def test_unread_count_and_marking_read(app_ctx):
    user, other = make_user("iro"), make_user("iro")
    tell(user, "a")
    note = tell(user, "b")
    tell(other, "c")
    db.session.commit()
    assert notifications.unread_count(user) == 2
    assert notifications.mark_read(other, note.id, now=NOW) == 0  # not theirs
    assert notifications.mark_read(user, note.id, now=NOW) == 1
    assert notifications.unread_count(user) == 1
    assert notifications.mark_read(user, None, now=NOW) == 1
    assert notifications.unread_count(user) == 0


def test_claimed_message_is_not_sent_twice(app_ctx):
    tell(make_user("iro"))
    db.session.commit()
    email = db.session.scalar(select(EmailMessage))
    email.status = "sending"
    email.claimed_at = NOW
    db.session.commit()
    assert mail.claim(email.id, now=NOW + timedelta(minutes=1)) is None
    assert mail.claim(email.id, now=NOW + timedelta(minutes=30)) is not None


def test_notify_many_writes_what_notify_writes_and_emails_after_commit(app_ctx, smtp):
    one, many = make_user("iro", email="one@council.test"), make_user("iro", email="m@council.test")
    message = Message(kind="test", subject="Your audits", body="Case 42.", link="/assignments/")
    notifications.notify(one, message, dedupe_key="alone", now=NOW, base_url=BASE)
    told = notifications.notify_many([(many, message, "bulk")], now=NOW, base_url=BASE)
    assert told == notifications.Told(notified=1, emailed=1, for_digest=0, already=0)
    assert smtp.messages == []  # nothing leaves before the transaction commits
    db.session.commit()
    alone, bulk = (
        db.session.scalar(select(Notification).where(Notification.dedupe_key == key))
        for key in ("alone", "bulk")
    )
    columns = ("kind", "subject", "body", "link", "created_at", "wants_email", "read_at")
    assert [getattr(bulk, c) for c in columns] == [getattr(alone, c) for c in columns]
    alone_email, bulk_email = (db.session.get(EmailMessage, n.email_id) for n in (alone, bulk))
    assert alone_email.body.replace(one.name, many.name) == bulk_email.body
    assert bulk_email.dedupe_key == "n:bulk" and bulk_email.status == "sent"
    assert sorted(m["To"] for m in smtp.messages) == ["m@council.test", "one@council.test"]


def test_notify_many_tells_nobody_twice_per_dedupe_key(app_ctx, smtp):
    users = [make_user("iro") for _ in range(3)]
    message = Message(kind="test", subject="Reminder")
    tell(users[0], key="k0")
    db.session.commit()
    sent_before = len(smtp.messages)
    notices = [(u, message, f"k{i}") for i, u in enumerate(users)] + [(users[1], message, "k1")]
    told = notifications.notify_many(notices, now=NOW, base_url=BASE)
    assert (told.notified, told.emailed, told.already) == (2, 2, 2)
    db.session.commit()
    assert len(smtp.messages) == sent_before + 2
    again = notifications.notify_many(notices, now=NOW, base_url=BASE)
    assert (again.notified, again.emailed, again.already) == (0, 0, 4)
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 3
    assert db.session.scalar(select(func.count(EmailMessage.id))) == 3


def test_notify_many_keeps_digest_users_for_their_digest_and_emails_nobody_without_address(
    app_ctx, smtp
):
    digest = make_user("iro", email="d@council.test", notification_mode="digest")
    no_address = make_user("iro", email=None)
    message = Message(kind="test", subject="Reminder", link="/actions/1")
    told = notifications.notify_many(
        [(digest, message, "d"), (no_address, message, "n")], now=NOW, base_url=BASE
    )
    assert (told.notified, told.emailed, told.for_digest) == (2, 0, 1)
    db.session.commit()
    assert smtp.messages == []
    assert notifications.build_digests(NOW.date(), now=NOW + timedelta(hours=1), base_url=BASE) == 1
    db.session.commit()
    assert [m["To"] for m in smtp.messages] == ["d@council.test"]


def test_notify_many_without_email_writes_notifications_only(app_ctx, smtp):
    user = make_user("iro", notification_mode="digest")
    told = notifications.notify_many(
        [(user, Message(kind="test", subject="FYI"), "quiet")], now=NOW, base_url=BASE, email=False
    )
    assert (told.notified, told.emailed, told.for_digest) == (1, 0, 0)
    db.session.commit()
    assert notifications.build_digests(NOW.date(), now=NOW + timedelta(hours=1), base_url=BASE) == 0
    assert db.session.scalar(select(Notification.wants_email)) is False


def test_many_emails_in_one_commit_go_in_grouped_jobs(app, app_ctx, smtp, monkeypatch):
    from rq.job import Job  # noqa: PLC0415

    from qa_app import background  # noqa: PLC0415

    monkeypatch.setattr(background, "EMAILS_PER_JOB", 2)
    users = [make_user("iro") for _ in range(5)]
    notifications.notify_many(
        [(u, Message(kind="test", subject="Hi"), f"g{u.id}") for u in users],
        now=NOW,
        base_url=BASE,
    )
    db.session.commit()
    assert len(smtp.messages) == 5
    ids = list(db.session.scalars(select(EmailMessage.id).order_by(EmailMessage.id)))
    jobs_run = [
        f"emails-{ids[0]}-{ids[1]}",
        f"emails-{ids[2]}-{ids[3]}",
        f"emails-{ids[4]}-{ids[4]}",
    ]
    assert all(Job.exists(job_id, connection=background.connection()) for job_id in jobs_run)
