"""The agreement dashboard (PSW and qa_admin): how far auditors agree with moderators, per
auditor, per section and over months, as tables and server-drawn SVG charts."""

from flask import Blueprint, current_app, render_template, request

from qa_app.clock import local_today
from qa_app.models.vocab import GRADES
from qa_app.permissions import requires
from qa_app.services.moderation import agreement_page
from qa_app.services.moderation.rules import ModerationRules

bp = Blueprint("agreement", __name__, url_prefix="/agreement")


@bp.route("/")
@requires("moderation.agreement")
def index():
    rules = ModerationRules.from_config(current_app.config)
    page = agreement_page.page(request.args, today=local_today(), small_n=rules.small_n)
    return render_template("agreement/index.html", grades=GRADES, **page), (
        400 if page["error"] else 200
    )
