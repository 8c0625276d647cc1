"""Tier 3 reviews: the queue for heads of service and the DCS, and the review form."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.moderation import Tier3ReviewForm
from qa_app.models import Tier3Review
from qa_app.permissions import requires
from qa_app.services.moderation import tier3
from qa_app.views import shown

bp = Blueprint("tier3", __name__, url_prefix="/tier3")


@bp.route("/")
@requires("tier3.review")
def index():
    reviews = tier3.queue_for(current_user)
    html = render_template("tier3/index.html", reviews=reviews, labels=tier3.TRIGGER_LABELS)
    shown.cases_shown((r.trigger.case_id for r in reviews), "list_tier3_reviews")
    return html


@bp.route("/<int:review_id>", methods=["GET", "POST"])
@requires("tier3.review")
def review(review_id: int):
    row = db.session.get(Tier3Review, review_id)
    if row is None or not tier3.may_view(current_user, row):
        abort(404)
    form = _form()
    error = None
    if form.validate_on_submit():
        try:
            raised = tier3.complete_review(
                row,
                agrees_grade=form.agrees_grade.data,
                grade_comment=form.grade_comment.data or "",
                actions=(form.actions.data or "").splitlines(),
                overseen_by_id=form.overseen_by.data,
                reaudit_by=form.reaudit_by.data,
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
    refused = error is not None or bool(form.errors)
    html = render_template("tier3/review.html", **tier3.review_page(row), form=form, error=error)
    if row.trigger.case is not None:  # a team's trigger names no child
        shown.case_opened(row.trigger.case, "view_tier3_review")
    return html, 400 if refused else 200


def _form() -> Tier3ReviewForm:
    form = Tier3ReviewForm()
    form.overseen_by.choices = choices(
        [("", "Choose"), *((u.id, u.name) for u in tier3.overseers())]
    )
    return form
