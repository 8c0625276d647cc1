"""Home pages, the health check and the service's statements."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from redis.exceptions import RedisError

from qa_app import background
from qa_app.clock import local_today, utcnow
from qa_app.permissions import public, requires
from qa_app.services.platform import health
from qa_app.services.reports import home as dashboards
from qa_app.views import shown

bp = Blueprint("main", __name__)


@bp.route("/")
@requires("home")
def home():
    panels = dashboards.home_panels(current_user, today=local_today(), now=utcnow())
    html = render_template("main/home.html", panels=panels, today=local_today())
    shown.cases_shown(dashboards.cases_on(panels), "home_page", purpose="home page lists")
    return html


@bp.route("/healthz")
@public
def healthz():
    """Database and Redis status. Redis down is "degraded": pages work, background work waits."""
    db_ok, db_detail = health.database_status()
    redis_ok, redis_detail = background.redis_status()
    queues = {}
    if redis_ok:
        try:
            queues = background.queue_lengths()
        except RedisError:
            redis_ok, redis_detail = False, "unavailable"
    status = "ok" if db_ok and redis_ok else ("degraded" if db_ok else "down")
    body = {"status": status, "database": db_detail, "redis": redis_detail, "queues": queues}
    return jsonify(body), 200 if db_ok else 503


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@public
def privacy():
    return render_template("main/privacy.html")
