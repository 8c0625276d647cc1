"""A real worker running the chase job, killed with SIGKILL mid-run, then restarted."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ActionReminder
from tests.conftest import TEST_DATABASE_URL, make_app
from tests.services.actions.test_chase_concurrency import TODAY, assert_each_rung_once, seed_actions
from tests.support.org import make_org


@pytest.mark.redis
@pytest.mark.slow
def test_a_worker_killed_mid_run_resumes_without_duplicates_or_gaps(
    redis_url, tmp_path, _postgres_schema
):
    import redis  # noqa: PLC0415
    from rq import Queue  # noqa: PLC0415

    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path}/chase.sqlite"
    env = {
        **os.environ,
        "QA_CONFIG": "development",
        "QA_DATABASE_URL": database_url,
        "QA_REDIS_URL": redis_url,
        "QA_ACTION_CHASE_BATCH_SIZE": "10",
    }
    qa = [sys.executable, "-m", "qa_app.cli"]
    if not TEST_DATABASE_URL:
        subprocess.run([*qa, "db", "upgrade"], env=env, check=True, capture_output=True)
    n = 1500
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url, RQ_ASYNC=True)
    with app.app_context():
        org = make_org()
        expected = seed_actions(org, n)
    queue = Queue("default", connection=redis.Redis.from_url(redis_url))

    def start_worker():
        queue.enqueue("workers.jobs.chase_actions", TODAY.isoformat())
        return subprocess.Popen(
            [*qa, "worker", "--burst", "--no-scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches the work horse
        )

    def reminders() -> int:
        with app.app_context():
            count = db.session.scalar(select(func.count(ActionReminder.id)))
            db.session.remove()
            return count

    total = n * 6
    worker = start_worker()
    deadline = time.monotonic() + 60
    while reminders() < total // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    stopped_at = reminders()
    assert 0 < stopped_at < total, "the kill should land mid-run"
    restarted = start_worker()
    assert restarted.wait(120) == 0
    with app.app_context():
        assert_each_rung_once(n, expected)
        if TEST_DATABASE_URL:
            from tests.conftest import empty_all_tables  # noqa: PLC0415

            empty_all_tables()
        db.engine.dispose()
