"""The periodic jobs: the only schedule in the repository.

Each rule maps the current UK local time to the key of the period that is due (or None). A job
is enqueued once per (job, period) across every worker process (a Redis claim), with a fixed RQ
job id, and the jobs themselves are idempotent; a job missed while no worker ran is enqueued when
one starts, if its period is still current.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app
from redis.exceptions import RedisError

from qa_app import background
from qa_app.clock import local_now
from qa_app.services.platform import months
from qa_app.services.platform.calendar import first_working_day

Rule = Callable[[datetime], str | None]


def every_minutes(minutes: int) -> Rule:
    def rule(now: datetime) -> str:
        slot = (now.hour * 60 + now.minute) // minutes
        return f"{now:%Y-%m-%d}T{slot:04d}"

    rule.describe = f"every {minutes} minutes"
    return rule


def daily_at(at: time) -> Rule:
    def rule(now: datetime) -> str | None:
        return now.date().isoformat() if now.time() >= at else None

    rule.describe = f"daily at {at:%H:%M}"
    return rule


def first_working_day_at(at: time) -> Rule:
    """Due from the month's first working day at *at* until the month ends."""

    def rule(now: datetime) -> str | None:
        first = first_working_day(now.year, now.month)
        today = now.date()
        if today > first or (today == first and now.time() >= at):
            return months.of(today)
        return None

    rule.describe = f"first working day of the month at {at:%H:%M}"
    return rule


@dataclass(frozen=True)
class Periodic:
    name: str
    job: str  # dotted path of a function in workers.jobs taking the period key
    queue: str
    rule: Rule
    keep_seconds: int  # how long the once-per-period claim is kept


PERIODIC_JOBS: list[Periodic] = [
    Periodic(
        "requeue-stranded-tasks",
        "workers.jobs.requeue_stranded_tasks",
        "default",
        every_minutes(5),
        keep_seconds=3600,
    ),
    Periodic(
        "purge-import-uploads",
        "workers.jobs.purge_import_uploads",
        "default",
        daily_at(time(3, 0)),
        keep_seconds=2 * 24 * 3600,
    ),
    Periodic(
        "monthly-sampling",
        "workers.jobs.monthly_sampling",
        "default",
        first_working_day_at(time(7, 0)),
        keep_seconds=40 * 24 * 3600,
    ),
    Periodic(
        "action-chase",
        "workers.jobs.chase_actions",
        "default",
        daily_at(time(7, 0)),
        keep_seconds=2 * 24 * 3600,
    ),
    Periodic(
        "team-escalation-check",
        "workers.jobs.check_team_escalations",
        "default",
        daily_at(time(6, 45)),
        keep_seconds=2 * 24 * 3600,
    ),
    Periodic(
        "moderation-reminders",
        "workers.jobs.chase_moderation",
        "default",
        daily_at(time(7, 15)),
        keep_seconds=2 * 24 * 3600,
    ),
    Periodic(
        "monthly-report",
        "workers.jobs.monthly_report",
        "reports",
        first_working_day_at(time(6, 0)),
        keep_seconds=40 * 24 * 3600,
    ),
    Periodic(
        "email-digests",
        "workers.jobs.send_digests",
        "default",
        daily_at(time(7, 30)),
        keep_seconds=2 * 24 * 3600,
    ),
    Periodic(
        "email-outbox-sweep",
        "workers.jobs.sweep_outbox",
        "default",
        every_minutes(5),
        keep_seconds=3600,
    ),
]


def enqueue_due(now: datetime | None = None) -> list[tuple[str, str]]:
    """Enqueue every periodic job whose period is due and not yet claimed. Needs an app context."""
    now = now or local_now()
    enqueued = []
    for periodic in PERIODIC_JOBS:
        key = periodic.rule(now)
        if key is None or not background.claim_period(periodic.name, key, periodic.keep_seconds):
            continue
        try:
            background.enqueue_periodic(periodic.job, periodic.name, key, periodic.queue)
        except RedisError:
            background.release_period(periodic.name, key)
            current_app.logger.warning("could not enqueue periodic job %s", periodic.name)
            raise
        enqueued.append((periodic.name, key))
    return enqueued


def describe(now: datetime | None = None) -> list[str]:
    now = now or local_now()
    return [
        f"{p.name}: {p.rule.describe} -> {p.job} on '{p.queue}' (now due: {p.rule(now) or 'no'})"
        for p in PERIODIC_JOBS
    ]
