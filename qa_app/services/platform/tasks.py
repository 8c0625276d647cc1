"""Background task rows: created by a view or command, run by ``workers.jobs.run_task``."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import BackgroundTask, User

# A task's handler reports progress through this: (percent 0-100, short message).
Progress = Callable[[int, str], None]

TASK_KINDS = {
    "demo_seed": "Load the demo council",
    "import_preview": "Preview a case data import",
    "import_cases": "Import case data",
}


def create_task(kind: str, params: dict, *, by: User | None) -> BackgroundTask:
    """A new queued task; the caller commits, then enqueues it."""
    if kind not in TASK_KINDS:
        raise ValueError(f"unknown task kind {kind!r}")
    task = BackgroundTask(kind=kind, params=params, created_by=by, status="queued")
    db.session.add(task)
    db.session.flush()
    return task


def mark_enqueued(task: BackgroundTask, job_id: str, *, now: datetime) -> None:
    task.rq_job_id = job_id
    task.enqueued_at = now


def mark_running(task: BackgroundTask, *, now: datetime) -> None:
    task.status = "running"
    task.started_at = now
    task.attempts += 1
    task.error = None


def mark_complete(task: BackgroundTask, result: dict, *, now: datetime) -> None:
    task.status = "complete"
    task.progress = 100
    task.result = result
    task.finished_at = now
    task.message = "Finished"


def mark_failed(task: BackgroundTask, error: BaseException, *, now: datetime) -> None:
    """Record a failure for the UI: the exception's message, never a traceback or data."""
    task.status = "failed"
    task.finished_at = now
    task.error = f"{type(error).__name__}: {error}"[:2000]
    task.message = "Failed"


def unfinished_tasks(*, now: datetime, older_than: timedelta) -> list[BackgroundTask]:
    """Queued or running tasks created before ``now - older_than``: candidates to re-queue."""
    return list(
        db.session.scalars(
            select(BackgroundTask)
            .where(
                BackgroundTask.status.in_(("queued", "running")),
                BackgroundTask.created_at < now - older_than,
            )
            .order_by(BackgroundTask.id)
        )
    )


def recent_tasks(limit: int = 50) -> list[BackgroundTask]:
    return list(
        db.session.scalars(select(BackgroundTask).order_by(BackgroundTask.id.desc()).limit(limit))
    )
