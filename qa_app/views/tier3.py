"""Tier 3 reviews: the queue for heads of service and the DCS, and the review form."""

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.models import Tier3Review
from qa_app.permissions import requires
from qa_app.services.moderation import tier3

bp = Blueprint("tier3", __name__, url_prefix="/tier3")


@bp.route("/")
@requires("tier3.review")
def index():
    return render_template(
        "tier3/index.html", reviews=tier3.queue_for(current_user), labels=tier3.TRIGGER_LABELS
    )


def _date(form) -> date | None:
    parts = [form.get(f"reaudit-{p}", "").strip() for p in ("year", "month", "day")]
    if not any(parts):
        return None
    try:
        return date(*(int(p) for p in parts))
    except ValueError as exc:
        raise tier3.Tier3Error("Enter the re-audit date as a real date, e.g. 15 1 2027") from exc


@bp.route("/<int:review_id>", methods=["GET", "POST"])
@requires("tier3.review")
def review(review_id: int):
    row = db.session.get(Tier3Review, review_id)
    if row is None or not tier3.may_view(current_user, row):
        abort(404)
    error = None
    if request.method == "POST":
        form = request.form
        try:
            overseer = form.get("overseen_by", "")
            raised = tier3.complete_review(
                row,
                agrees_grade=form.get("agrees_grade"),
                grade_comment=form.get("grade_comment", ""),
                actions=form.get("actions", "").splitlines(),
                overseen_by_id=int(overseer) if overseer.isdigit() else None,
                reaudit_by=_date(form),
                by=current_user,
                now=utcnow(),
                base_url=current_app.config["BASE_URL"],
            )
        except tier3.Tier3Error as exc:
            db.session.rollback()
            error = str(exc)
            row = db.session.get(Tier3Review, review_id)
        else:
            db.session.commit()
            flash(f"Tier 3 review recorded; {len(raised)} action(s) raised.", "success")
            return redirect(url_for("tier3.index"))
    values = request.form if request.method == "POST" else {}
    return render_template(
        "tier3/review.html", **tier3.review_page(row), values=values, error=error
    ), 400 if error else 200
