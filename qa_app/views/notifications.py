"""Notifications: everyone's list, marking read, and the choice of single emails or a digest."""

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.forms.sampling import NotificationModeForm, ReadForm
from qa_app.permissions import requires
from qa_app.security import safe_next_url
from qa_app.services.platform import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def unread_notifications() -> dict:
    """The header's unread count, counted once per page and only when the page shows it."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        if "qa_unread" not in g:
            g.qa_unread = notifications.unread_count(current_user)
        return g.qa_unread

    return {"unread_notifications": count}


@bp.route("/")
@requires("notifications.view")
def index():
    form = NotificationModeForm(data={"mode": current_user.notification_mode})
    return render_template(
        "notifications/index.html", items=notifications.recent(current_user), mode_form=form
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@requires("notifications.view")
def read(notification_id: int):
    notifications.mark_read(current_user, notification_id, now=utcnow())
    db.session.commit()
    form = ReadForm()
    target = form.next.data if form.validate_on_submit() else None
    return redirect(safe_next_url(target or url_for("notifications.index")))


@bp.route("/read-all", methods=["POST"])
@requires("notifications.view")
def read_all():
    count = notifications.mark_read(current_user, None, now=utcnow())
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/mode", methods=["POST"])
@requires("notifications.view")
def mode():
    form = NotificationModeForm()
    if form.validate_on_submit():
        notifications.set_mode(current_user, form.mode.data)
        db.session.commit()
        flash("Your email preference has been saved.", "success")
        return redirect(url_for("notifications.index"))
    return render_template(
        "notifications/index.html",
        items=notifications.recent(current_user),
        mode_form=form,
        form=form,
    ), 400
