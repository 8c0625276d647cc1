"""The health check and the background-task pages."""

import pytest

from qa_app.extensions import db
from qa_app.models import BackgroundTask
from tests.support.factories import make_user
from tests.support.pages import page_text


def test_healthz_reports_database_and_redis(client, app_ctx):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert set(body["queues"]) == {"default", "imports", "reports"}


@pytest.mark.app_config(REDIS_URL="redis://127.0.0.1:1/0", REDIS_SOCKET_TIMEOUT=0.2)
def test_healthz_is_degraded_not_failing_when_redis_is_down(client, auth, app_ctx):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["redis"] == "ConnectionError"
    # Pages keep working and say background work is delayed.
    auth.login(make_user("qa_admin"))
    assert client.get("/").status_code == 200
    assert "Background processing is unavailable" in page_text(client.get("/tasks/"))


def test_task_pages_show_status_progress_and_errors(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    failed = BackgroundTask(
        kind="demo_seed", params={}, status="failed", error="DemoRefused: not empty"
    )
    queued = BackgroundTask(kind="demo_seed", params={}, status="queued")
    db.session.add_all([failed, queued])
    db.session.commit()
    assert "The task failed: DemoRefused: not empty" in page_text(client.get(f"/tasks/{failed.id}"))
    status = client.get(f"/tasks/{queued.id}/status").get_json()
    assert status == {"status": "queued", "percent": 0, "message": "", "finished": False}
    assert "Load the demo council" in page_text(client.get("/tasks/"))


def test_background_tasks_shows_the_work_queued_for_the_worker(client, auth, app_ctx):
    from rq import Queue  # noqa: PLC0415

    from qa_app import background  # noqa: PLC0415

    # Jobs waiting for a worker that has not started (the test app runs jobs inline).
    queue = Queue("default", connection=background.connection(), is_async=True)
    for message_id in (1, 2, 3):
        queue.enqueue("workers.jobs.send_email", message_id, job_id=f"email-{message_id}")
    queue.enqueue(
        "workers.jobs.chase_actions", "2026-11-25", job_id="periodic-action-chase-2026-11-25"
    )
    auth.login(make_user("qa_admin"))
    text = page_text(client.get("/tasks/"))
    assert "No background tasks yet" not in text
    assert "default 4 0 0 0 Send an email: 3 Periodic job: action-chase: 1" in text
    assert "imports 0 0 0 0 Nothing" in text
