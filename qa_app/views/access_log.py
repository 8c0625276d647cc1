"""Who viewed which child's record (qa_admin, DCS)."""

from flask import Blueprint, render_template, request

from qa_app.permissions import requires
from qa_app.services.people import access_log as access
from qa_app.textnorm import is_digits
from qa_app.views import shown

bp = Blueprint("access_log", __name__, url_prefix="/access-log")


@bp.route("/")
@requires("access_log.view")
def index():
    page_arg = request.args.get("page", "1")
    filters = access.AccessFilters(
        child_id=request.args.get("child_id", "").strip()[:40],
        email=request.args.get("email", "").strip().lower()[:254],
        page=int(page_arg) if is_digits(page_arg) else 1,
    )
    page = access.search_access_log(filters)
    html = render_template("access_log/index.html", page=page, filters=filters)
    # The log names children too: reading it (say, who opened one child's record) is logged.
    shown.cases_shown((e.case_id for e in page.items), "read_access_log")
    return html
