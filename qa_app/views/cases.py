"""Cases: a scoped list, and the record of one case (each view is written to the access log)."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models.vocab import COHORTS
from qa_app.permissions import requires, visible_case
from qa_app.services.audits import access as audit_access
from qa_app.services.people import access_log as access
from qa_app.services.people import cases as case_queries
from qa_app.views import shown

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.route("/")
@requires("cases.view")
def index():
    filters = case_queries.CaseFilters.from_args(request.args)
    page = case_queries.list_cases(current_user, filters, today=local_today())
    teams = case_queries.visible_teams(current_user)
    html = render_template(
        "cases/index.html", page=page, filters=filters, teams=teams, cohorts=COHORTS
    )
    shown.cases_shown((c.id for c in page.items), "list_cases", purpose=_purpose(filters, page))
    return html


def _purpose(filters: case_queries.CaseFilters, page) -> str:
    """Which filters the search used, never their values (a child id searched for is shown
    by the row itself when the list found that one child)."""
    used = [
        name
        for name, value in (
            ("child id", filters.child_id),
            ("cohort", filters.cohort),
            ("team", filters.team_id),
            ("unallocated", filters.unallocated),
        )
        if value
    ]
    return f"case list, page {page.page}" + (f", searched by {', '.join(used)}" if used else "")


@bp.route("/<int:case_id>")
@requires("cases.view")
def detail(case_id: int):
    case = visible_case(current_user, case_id)
    if case is None:
        abort(404)
    access.log_case_access(
        current_user, case, action="view_case", now=utcnow(), endpoint=request.endpoint
    )
    db.session.commit()
    history = case_queries.other_cases_of_child(current_user, case)
    audits = audit_access.readable_audits_of_case(current_user, case.id)
    return render_template(
        "cases/detail.html", case=case, history=history, today=local_today(), audits=audits
    )
