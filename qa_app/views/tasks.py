"""Background tasks and their progress (qa_admin)."""

from flask import Blueprint, abort, jsonify, render_template
from redis.exceptions import RedisError

from qa_app import background
from qa_app.extensions import db
from qa_app.models import BackgroundTask
from qa_app.permissions import requires
from qa_app.services.platform import tasks

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.route("/")
@requires("tasks.view")
def index():
    redis_ok, _ = background.redis_status()
    try:
        queues = background.queue_overview() if redis_ok else []
    except RedisError:
        redis_ok, queues = False, []
    return render_template(
        "tasks/index.html",
        tasks=tasks.recent_tasks(),
        queues=queues,
        redis_ok=redis_ok,
        kinds=tasks.TASK_KINDS,
    )


@bp.route("/<int:task_id>")
@requires("tasks.view")
def detail(task_id: int):
    task = db.session.get(BackgroundTask, task_id) or abort(404)
    return render_template(
        "tasks/detail.html",
        task=task,
        progress=background.get_progress(task.id),
        kinds=tasks.TASK_KINDS,
    )


@bp.route("/<int:task_id>/status")
@requires("tasks.view")
def status(task_id: int):
    """Polled by the task page's script to update the progress bar."""
    task = db.session.get(BackgroundTask, task_id) or abort(404)
    live = background.get_progress(task.id) or {}
    return jsonify(
        {
            "status": task.status,
            "percent": 100 if task.status == "complete" else live.get("percent", task.progress),
            "message": live.get("message", task.message) if not task.finished else task.message,
            "finished": task.finished,
        }
    )
