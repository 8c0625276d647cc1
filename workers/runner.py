"""Running a worker: RQ's worker with its scheduler, plus a thread that enqueues periodic jobs."""

import logging
import os
import threading

import redis
from flask import Flask
from redis.exceptions import RedisError
from rq import Queue, Worker

from workers.appjob import AppJob
from workers.schedule import enqueue_due

log = logging.getLogger("workers")
TICK_SECONDS = 30


def _periodic_loop(app: Flask, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            with app.app_context():
                for name, key in enqueue_due():
                    log.info("enqueued periodic job %s for %s", name, key)
        except RedisError as exc:
            log.warning("periodic scheduler: Redis unavailable (%s)", type(exc).__name__)
        except Exception:
            log.exception("periodic scheduler tick failed")
        stop.wait(TICK_SECONDS)


def run_worker(
    app: Flask, queue_names: list[str], *, burst: bool = False, periodic: bool = True
) -> None:
    """Serve *queue_names* until stopped (or until empty with *burst*)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    AppJob.app = app
    AppJob.parent_pid = os.getpid()
    # The worker's own connection: no short socket timeout, since it blocks waiting for jobs.
    connection = redis.Redis.from_url(app.config["REDIS_URL"])
    queues = [Queue(name, connection=connection, job_class=AppJob) for name in queue_names]
    stop = threading.Event()
    if periodic and not burst:
        threading.Thread(
            target=_periodic_loop, args=(app, stop), name="periodic", daemon=True
        ).start()
    try:
        Worker(queues, connection=connection, job_class=AppJob).work(
            with_scheduler=True, burst=burst
        )
    finally:
        stop.set()
