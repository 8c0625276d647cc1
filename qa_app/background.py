"""The only qa_app module that talks to RQ: enqueueing, task progress and task locks.

Jobs are named by dotted string so that ``qa_app`` never imports ``workers``. A job is enqueued
only after the row it needs is committed: callers commit, then call ``enqueue_task``.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import redis
from flask import current_app
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job
from sqlalchemy import event
from sqlalchemy.orm import Session

from qa_app.extensions import redis_store
from qa_app.models import BackgroundTask

RUN_TASK = "workers.jobs.run_task"
BUILD_REPORT = "workers.jobs.build_report_version"
WARM_PERFORMANCE = "workers.jobs.warm_performance"
JOB_CLASS = "workers.appjob.AppJob"

TASK_QUEUES = {"import_cases": "imports", "import_preview": "imports", "build_report": "reports"}
LOCK_SECONDS = 60
PROGRESS_TTL_SECONDS = 7 * 24 * 3600


class BackgroundUnavailable(RuntimeError):
    """Redis cannot be reached: the work is recorded and will start when it is back."""


def connection() -> redis.Redis:
    return redis_store.connection


def get_queue(name: str = "default") -> Queue:
    return Queue(
        name,
        connection=connection(),
        is_async=current_app.config["RQ_ASYNC"],
        job_class=JOB_CLASS,
    )


def task_job_id(task_id: int) -> str:
    return f"task-{task_id}"


def _enqueue_once(queue: Queue, func: str, *args, job_id: str, **options) -> str:
    """Enqueue under a fixed job id unless that job is still pending; replace an ended one."""
    try:
        queue.enqueue(func, *args, job_id=job_id, unique=True, **options)
    except DuplicateJobError:
        if _pending(job_id):
            return job_id
        Job.fetch(job_id, connection=queue.connection).delete()
        queue.enqueue(func, *args, job_id=job_id, unique=True, **options)
    return job_id


def enqueue_task(task: BackgroundTask) -> str:
    """Queue the committed *task* for a worker; at most one pending job per task."""
    if task.id is None:
        raise ValueError("commit the task before enqueueing it")
    try:
        return _enqueue_once(
            get_queue(TASK_QUEUES.get(task.kind, "default")),
            RUN_TASK,
            task.id,
            job_id=task_job_id(task.id),
            job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
            retry=Retry(max=3, interval=[10, 60, 300]),
            result_ttl=24 * 3600,
            failure_ttl=14 * 24 * 3600,
        )
    except RedisError as exc:
        raise BackgroundUnavailable(str(exc)) from exc


def _pending(job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=connection())
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    return status is not None and status.value in ("queued", "started", "scheduled", "deferred")


def job_pending(task_id: int) -> bool:
    """Whether RQ still holds a queued, scheduled or running job for the task."""
    return _pending(task_job_id(task_id))


def set_progress(task_id: int, percent: int, message: str) -> None:
    """Live progress, kept in Redis so it shows while the job's transaction is still open."""
    data = json.dumps({"percent": max(0, min(100, int(percent))), "message": message[:300]})
    connection().set(f"qa:task:{task_id}:progress", data, ex=PROGRESS_TTL_SECONDS)


def get_progress(task_id: int) -> dict | None:
    try:
        raw = connection().get(f"qa:task:{task_id}:progress")
    except RedisError:
        return None
    return json.loads(raw) if raw else None


@contextmanager
def task_lock(task_id: int) -> Iterator[bool]:
    """Hold a Redis lock while a task runs, renewed in the background.

    Yields False when another worker holds it. If this worker dies, the lock lapses after
    LOCK_SECONDS and a retry (or the periodic re-queue) can take the task over.
    """
    lock = connection().lock(
        f"qa:task:{task_id}:lock", timeout=LOCK_SECONDS, blocking=False, thread_local=False
    )
    if not lock.acquire():
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LOCK_SECONDS / 3):
            try:
                lock.extend(LOCK_SECONDS, replace_ttl=True)
            except RedisError:
                return

    renewer = threading.Thread(target=renew, name=f"task-{task_id}-lock", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join(timeout=5)
        with suppress(RedisError):
            lock.release()


def task_locked(task_id: int) -> bool:
    return bool(connection().exists(f"qa:task:{task_id}:lock"))


def enqueue_report_build(version_id: int) -> str:
    """Queue the build of a committed report version (at most one pending job per version)."""
    try:
        return _enqueue_once(
            get_queue("reports"),
            BUILD_REPORT,
            version_id,
            job_id=f"report-{version_id}",
            job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
            retry=Retry(max=2, interval=[30, 300]),
            failure_ttl=30 * 24 * 3600,
        )
    except RedisError as exc:
        raise BackgroundUnavailable(str(exc)) from exc


def enqueue_performance_warm(import_id: int) -> str | None:
    """After a committed import (``performance.warm.request_warming``, queued by the
    after-commit listener below): queue the computing of its performance board, once per
    import. Best effort: when Redis is down, or warming is
    switched off (``QA_PERFORMANCE_WARM_AFTER_IMPORT``), the first request computes it."""
    if not current_app.config["PERFORMANCE_WARM_AFTER_IMPORT"]:
        return None
    try:
        return _enqueue_once(
            get_queue("default"),
            WARM_PERFORMANCE,
            import_id,
            job_id=f"performance-warm-{import_id}",
            job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
            result_ttl=24 * 3600,
        )
    except RedisError:
        return None


def claim_period(name: str, period_key: str, ttl_seconds: int) -> bool:
    """True once per (periodic job, period) across every scheduler process."""
    return bool(connection().set(f"qa:periodic:{name}:{period_key}", "1", nx=True, ex=ttl_seconds))


def enqueue_periodic(func_path: str, name: str, period_key: str, queue_name: str) -> str:
    return _enqueue_once(
        get_queue(queue_name),
        func_path,
        period_key,
        job_id=f"periodic-{name}-{period_key}",
        job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
        retry=Retry(max=3, interval=[30, 120, 600]),
        result_ttl=7 * 24 * 3600,
        failure_ttl=30 * 24 * 3600,
    )


def redis_status() -> tuple[bool, str]:
    """(ok, detail) for the health check and the 'work is delayed' banner."""
    try:
        connection().ping()
    except RedisError as exc:
        return False, type(exc).__name__
    return True, "ok"


def queue_lengths() -> dict[str, int]:
    return {name: get_queue(name).count for name in current_app.config["RQ_QUEUES"]}


# What a queued job is, from its fixed job id (see the enqueue_* helpers above), so the page can
# sum thousands of queued jobs without loading each one.
JOB_KINDS = (
    ("email-", "Send an email"),
    ("task-", "Run a background task"),
    ("report-", "Build a report"),
    ("periodic-", "Periodic job"),
    ("performance-warm-", "Compute the performance board after an import"),
)


def job_kind(job_id: str) -> str:
    """What a job is, from its id: "periodic-action-chase-2026-11-25" -> "Periodic job:
    action-chase"."""
    for prefix, label in JOB_KINDS:
        if job_id.startswith(prefix):
            if prefix == "periodic-":
                name = job_id.removeprefix(prefix).rsplit("-", 1)[0]
                # Period keys hold dashes too (2026-11-25, 2026-11): drop them from the name.
                while name and name.rsplit("-", 1)[-1].isdigit():
                    name = name.rsplit("-", 1)[0]
                return f"{label}: {name}"
            return label
    return "Other job"


def queue_overview() -> list[dict]:
    """Each queue's work: waiting, running, scheduled (waiting to be retried or run later) and
    failed, with what the waiting jobs are. Raises RedisError when Redis is down."""
    overview = []
    for name in current_app.config["RQ_QUEUES"]:
        queue = get_queue(name)
        waiting: dict[str, int] = {}
        for job_id in queue.get_job_ids():
            kind = job_kind(job_id)
            waiting[kind] = waiting.get(kind, 0) + 1
        overview.append(
            {
                "name": name,
                "waiting": sum(waiting.values()),
                "running": queue.started_job_registry.count,
                "scheduled": queue.scheduled_job_registry.count,
                "failed": queue.failed_job_registry.count,
                "kinds": sorted(waiting.items(), key=lambda kv: (-kv[1], kv[0])),
            }
        )
    return overview


def release_period(name: str, period_key: str) -> None:
    """Undo a claim whose job could not be enqueued, so the next tick tries again."""
    with suppress(RedisError):
        connection().delete(f"qa:periodic:{name}:{period_key}")


# --- Email: every outbox row written in a transaction is queued for sending once it commits.

SEND_EMAIL = "workers.jobs.send_email"
SEND_EMAILS = "workers.jobs.send_emails"
EMAILS_PER_JOB = 100  # a chase after an outage writes 100,000: not one RQ job each


def enqueue_email(message_id: int) -> str:
    """Queue the sending of a committed outbox row (one job per message, at most one pending)."""
    return _enqueue_once(
        get_queue("default"),
        SEND_EMAIL,
        message_id,
        job_id=f"email-{message_id}",
        job_timeout=120,
        retry=Retry(max=4, interval=[30, 120, 600, 1800]),
        result_ttl=24 * 3600,
        failure_ttl=14 * 24 * 3600,
    )


def enqueue_emails(message_ids: list[int]) -> list[str]:
    """Queue the sending of committed outbox rows: a job of its own for a lone message, one
    job per EMAILS_PER_JOB otherwise (retried as a whole; messages already sent are skipped)."""
    ids = sorted(message_ids)
    if len(ids) == 1:
        return [enqueue_email(ids[0])]
    queued = []
    for start in range(0, len(ids), EMAILS_PER_JOB):
        chunk = ids[start : start + EMAILS_PER_JOB]
        queued.append(
            _enqueue_once(
                get_queue("default"),
                SEND_EMAILS,
                chunk,
                job_id=f"emails-{chunk[0]}-{chunk[-1]}",
                job_timeout=current_app.config["JOB_TIMEOUT_SECONDS"],
                retry=Retry(max=4, interval=[30, 120, 600, 1800]),
                result_ttl=24 * 3600,
                failure_ttl=14 * 24 * 3600,
            )
        )
    return queued


def _send_outbox_after_commit(session: Session) -> None:
    from qa_app.services.platform.notifications import OUTBOX_SESSION_KEY  # noqa: PLC0415

    message_ids = session.info.pop(OUTBOX_SESSION_KEY, ())
    if not message_ids:
        return
    try:
        enqueue_emails(list(message_ids))
    except RedisError:
        # The outbox sweeper (workers/schedule.py) sends them when Redis is back.
        current_app.logger.warning("%d emails not queued: Redis unavailable", len(message_ids))


def _warm_after_commit(session: Session) -> None:
    from qa_app.services.performance.warm import WARM_SESSION_KEY  # noqa: PLC0415

    for import_id in session.info.pop(WARM_SESSION_KEY, ()):
        enqueue_performance_warm(import_id)


def _forget_outbox(session: Session, transaction) -> None:
    if transaction.parent is None:
        from qa_app.services.performance.warm import WARM_SESSION_KEY  # noqa: PLC0415
        from qa_app.services.platform.notifications import OUTBOX_SESSION_KEY  # noqa: PLC0415

        session.info.pop(OUTBOX_SESSION_KEY, None)
        session.info.pop(WARM_SESSION_KEY, None)


event.listen(Session, "after_commit", _send_outbox_after_commit)
event.listen(Session, "after_commit", _warm_after_commit)
event.listen(Session, "after_transaction_end", _forget_outbox)
