"""Thin RQ jobs: ids in, one service call, commit; raise so RQ records and retries failures."""

import random
from datetime import date, timedelta

from flask import current_app

from qa_app import background, demo
from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.importers import Limits, StructuralError
from qa_app.models import BackgroundTask, ReportVersion
from qa_app.services.actions import chase
from qa_app.services.imports import uploads as import_uploads
from qa_app.services.imports.closures import ClosuresNotConfirmed
from qa_app.services.moderation import escalation
from qa_app.services.moderation import reminders as moderation_reminders
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.performance import warm
from qa_app.services.performance.indicators import Settings
from qa_app.services.platform import mail, months, notifications, tasks
from qa_app.services.reports import versions as report_versions
from qa_app.services.sampling import cycles


class PermanentTaskError(Exception):
    """Raised by handlers for input that will not improve on retry."""


def _upload_folder():
    return import_uploads.upload_folder(current_app.config, current_app.instance_path)


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _share() -> float:
    return float(current_app.config["IMPORT_CLOSURE_CONFIRM_SHARE"])


# kind -> handler(task, progress) -> result dict. Handlers are services: they flush, jobs commit.
TASK_HANDLERS = {
    "demo_seed": lambda task, progress: demo.seed_task(
        task, progress, now=utcnow(), today=local_today()
    ),
    "import_preview": lambda task, progress: import_uploads.preview_task(
        task, progress, folder=_upload_folder(), limits=_limits(), closure_share=_share()
    ),
    "import_cases": lambda task, progress: import_uploads.import_task(
        task,
        progress,
        now=utcnow(),
        folder=_upload_folder(),
        limits=_limits(),
        closure_share=_share(),
    ),
}
PERMANENT_ERRORS = (
    demo.DemoRefused,
    StructuralError,
    import_uploads.UploadError,
    ClosuresNotConfirmed,
)


def run_task(task_id: int) -> str:
    """Run the background task row *task_id* once, however often it is enqueued or retried."""
    task = db.session.get(BackgroundTask, task_id)
    if task is None:
        raise LookupError(f"background task {task_id} not found")
    if task.status == "complete":
        return "already complete"
    with background.task_lock(task_id) as held:
        if not held:
            return "running in another worker"
        db.session.refresh(task)
        if task.status == "complete":
            return "already complete"
        tasks.mark_running(task, now=utcnow())
        db.session.commit()

        def progress(percent: int, message: str) -> None:
            background.set_progress(task_id, percent, message)

        try:
            result = TASK_HANDLERS[task.kind](task, progress)
        except Exception as exc:
            db.session.rollback()
            task = db.session.get(BackgroundTask, task_id)
            tasks.mark_failed(task, exc, now=utcnow())
            db.session.commit()
            if isinstance(exc, PERMANENT_ERRORS):
                return "failed: not retried"
            raise
        tasks.mark_complete(task, result, now=utcnow())
        db.session.commit()
        return "complete"


def warm_performance(import_id: int) -> list[str]:
    """Compute and cache the performance board after import *import_id* (best effort)."""
    warmed = warm.warm_after_import(
        import_id, today=local_today(), settings=Settings.from_config(current_app.config)
    )
    db.session.commit()  # the working-day calendar, if it had to be filled
    return warmed


def requeue_stranded_tasks(period_key: str) -> int:
    """Re-enqueue tasks whose job was lost (Redis was down, or a worker died holding them)."""
    count = 0
    for task in tasks.unfinished_tasks(now=utcnow(), older_than=timedelta(minutes=2)):
        if background.job_pending(task.id) or background.task_locked(task.id):
            continue
        tasks.mark_enqueued(task, background.enqueue_task(task), now=utcnow())
        count += 1
    db.session.commit()
    return count


def purge_import_uploads(period_key: str) -> int:
    """Discard web uploads left unconfirmed for two days and delete files nobody needs."""
    discarded = import_uploads.discard_stale_uploads(now=utcnow(), older_than=timedelta(days=2))
    db.session.commit()
    import_uploads.remove_unused_files(_upload_folder())
    return discarded


def send_email(message_id: int) -> str:
    """Send one outbox email (at least once; see qa_app.services.platform.mail)."""
    message = mail.claim(message_id, now=utcnow())
    if message is None:
        db.session.rollback()
        return "nothing to send"
    db.session.commit()
    try:
        mail.deliver(message, mail.MailSettings.from_config(current_app.config), now=utcnow())
    finally:
        db.session.commit()
    return message.status


def send_emails(message_ids: list[int]) -> dict:
    """Send several outbox emails (as ``send_email`` each). A failed one does not stop the
    rest; the job then raises so RQ retries it, and the retry skips those already sent."""
    settings = mail.MailSettings.from_config(current_app.config)
    outcome: dict[str, int] = {}
    failed = []
    for message_id in message_ids:
        message = mail.claim(message_id, now=utcnow())
        if message is None:
            db.session.rollback()
            outcome["nothing to send"] = outcome.get("nothing to send", 0) + 1
            continue
        db.session.commit()
        try:
            mail.deliver(message, settings, now=utcnow())
        except mail.DELIVERY_ERRORS as exc:
            failed.append(f"{message_id}: {exc}")
        finally:
            db.session.commit()
        outcome[message.status] = outcome.get(message.status, 0) + 1
    if failed:
        raise mail.NotDelivered(
            f"{len(failed)} of {len(message_ids)} emails: " + "; ".join(failed[:5])
        )
    return outcome


def sweep_outbox(period_key: str) -> int:
    """Queue emails whose job was lost (Redis down, worker died mid-send)."""
    ids = mail.stranded(now=utcnow())
    db.session.rollback()
    for message_id in ids:
        background.enqueue_email(message_id)
    return len(ids)


def send_digests(period_key: str) -> int:
    """The daily digest for people who chose one (idempotent per day)."""
    count = notifications.build_digests(
        date.fromisoformat(period_key), now=utcnow(), base_url=current_app.config["BASE_URL"]
    )
    db.session.commit()
    return count


def monthly_sampling(period_key: str) -> str:
    """Draw the month's sample, propose its allocation and tell qa_admin, in one transaction:
    running twice (or after a crash) changes nothing more (see ``cycles.draw_and_propose``)."""
    cycle = cycles.draw_and_propose(
        period_key,
        now=utcnow(),
        rng=random.SystemRandom(),
        base_url=current_app.config["BASE_URL"],
    )
    db.session.commit()
    return cycle.status


def chase_actions(period_key: str) -> dict:
    """The daily chase ladder. Commits per batch, so a killed run resumes where it stopped;
    running twice (or concurrently) sends nothing twice (see qa_app.services.actions.chase)."""
    result = chase.run_chase(
        date.fromisoformat(period_key),
        now=utcnow(),
        base_url=current_app.config["BASE_URL"],
        on_batch=db.session.commit,
        batch_size=current_app.config["ACTION_CHASE_BATCH_SIZE"],
    )
    db.session.commit()
    return result.as_dict()


def check_team_escalations(period_key: str) -> int:
    """The daily team-month escalation check (this month and last; idempotent)."""
    fired = escalation.check_recent_team_months(
        date.fromisoformat(period_key),
        now=utcnow(),
        rules=ModerationRules.from_config(current_app.config),
        base_url=current_app.config["BASE_URL"],
    )
    db.session.commit()
    return len(fired)


def chase_moderation(period_key: str) -> int:
    """Moderations due or overdue and overdue tier 3 reviews (each message sent once)."""
    count = moderation_reminders.chase(
        date.fromisoformat(period_key), now=utcnow(), base_url=current_app.config["BASE_URL"]
    )
    db.session.commit()
    return count


def build_report_version(version_id: int) -> str:
    """Build one committed report version; a failure is recorded on it (shown in the UI)."""
    version = db.session.get(ReportVersion, version_id)
    if version is None:
        raise LookupError(f"report version {version_id} not found")
    if version.status in ("draft", "published"):
        return "already built"
    try:
        report_versions.build(
            version, now=utcnow(), small_n=ModerationRules.from_config(current_app.config).small_n
        )
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        report_versions.mark_failed(db.session.get(ReportVersion, version_id), exc)
        db.session.commit()
        raise
    return "built"


def monthly_report(period_key: str) -> str:
    """The previous month's council draft, on the 1st working day (period key YYYY-MM)."""
    version = report_versions.last_months_draft(months.first_day(period_key), now=utcnow())
    if version is None:
        db.session.rollback()
        return "already built"
    db.session.commit()
    return build_report_version(version.id)
