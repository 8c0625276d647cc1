"""Background work with a real redis-server: an in-process worker and a `qa worker` process."""

import os
import subprocess
import sys
import time

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from qa_app import background
from qa_app.extensions import db
from qa_app.models import BackgroundTask, Case
from qa_app.services.platform import tasks
from tests.conftest import TEST_DATABASE_URL, make_app
from workers.appjob import AppJob

pytestmark = pytest.mark.redis


def test_simple_worker_runs_a_queued_task_in_its_own_app_context(redis_url, app):
    app.config.update(REDIS_URL=redis_url, RQ_ASYNC=True)
    app.extensions["qa_redis"] = None
    with app.app_context():
        task = tasks.create_task("demo_seed", {"cases": 120, "seed": 5}, by=None)
        db.session.commit()
        background.enqueue_task(task)
        assert background.job_pending(task.id)
        queue = background.get_queue("default")
        AppJob.app = app
        try:
            SimpleWorker([queue], connection=queue.connection, job_class=AppJob).work(burst=True)
        finally:
            AppJob.app = None
        db.session.expire_all()
        assert db.session.get(BackgroundTask, task.id).status == "complete"
        assert db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))) == 120
        assert not background.job_pending(task.id)


@pytest.mark.slow
def test_qa_worker_process_runs_a_task_enqueued_by_the_web_app(redis_url, tmp_path):
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path}/worker.sqlite"
    env = {
        **os.environ,
        "QA_CONFIG": "development",
        "QA_DATABASE_URL": database_url,
        "QA_REDIS_URL": redis_url,
    }
    qa = [sys.executable, "-m", "qa_app.cli"]
    if not TEST_DATABASE_URL:
        subprocess.run([*qa, "db", "upgrade"], env=env, check=True, capture_output=True)
    app = make_app(DATABASE_URL=database_url, REDIS_URL=redis_url, RQ_ASYNC=True)
    with app.app_context():
        task = tasks.create_task("demo_seed", {"cases": 150, "seed": 9}, by=None)
        db.session.commit()
        background.enqueue_task(task)
        task_id = task.id
    # A forking worker: the job runs in a work-horse process with fresh database connections.
    worker = subprocess.run(
        [*qa, "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr
    with app.app_context():
        deadline = time.monotonic() + 10
        while (
            db.session.get(BackgroundTask, task_id).status != "complete"
            and time.monotonic() < deadline
        ):
            db.session.expire_all()
            time.sleep(0.2)
        assert db.session.get(BackgroundTask, task_id).status == "complete"
        assert db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None))) == 150
        if TEST_DATABASE_URL:
            from tests.conftest import empty_all_tables  # noqa: PLC0415

            empty_all_tables()
        db.engine.dispose()
