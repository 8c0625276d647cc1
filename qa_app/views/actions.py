"""The action tracker: my actions, the team view, the actions the chase reminded me of, one
action with its history, the PSW dashboard and its exports. Thin: one service call per change,
the service decides."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.forms import choices
from qa_app.forms.actions import (
    CompleteForm,
    DueDateForm,
    ReasonForm,
    ReassignForm,
    StartForm,
    VerifyForm,
)
from qa_app.permissions import requires
from qa_app.services.actions import changes, chase_summary, queries
from qa_app.services.actions import exports as action_exports
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.chase import reminders_for
from qa_app.textnorm import is_digits
from qa_app.views import shown

bp = Blueprint("actions", __name__, url_prefix="/actions")

AUDIT_ENDPOINTS = ("audits.view", "audits.detail", "audits.show")


@bp.app_template_global()
def action_source_url(action) -> str:
    """Drill-down target: the audit's page when the audits blueprint offers one, else the case."""
    if action.audit_id is not None:
        for endpoint in AUDIT_ENDPOINTS:
            if endpoint in current_app.view_functions:
                return url_for(endpoint, audit_id=action.audit_id)
    return url_for("cases.detail", case_id=action.case_id)


@bp.route("/")
@requires("actions.mine")
def mine():
    today = local_today()
    todo, done = queries.my_actions(current_user, today)
    html = render_template("actions/mine.html", todo=todo, done=done, today=today)
    shown.cases_shown((a.case_id for a in todo + done), "list_actions", purpose="my actions")
    return html


@bp.route("/team")
@requires("actions.team")
def team():
    today = local_today()
    to_verify, open_ = queries.team_actions(current_user, today)
    html = render_template("actions/team.html", to_verify=to_verify, open_=open_, today=today)
    shown.cases_shown(
        (a.case_id for a in to_verify + open_), "list_actions", purpose="team actions"
    )
    return html


def _day_arg() -> tuple[date | None, str | None]:
    value = (request.args.get("day") or "").strip()
    try:
        return (date.fromisoformat(value) if value else None), None
    except ValueError:
        return None, f"The day must be a date such as 2026-11-25, not {value[:20]!r}"


@bp.route("/chased")
@requires("actions.mine")
def chased():
    """What the daily chase summary notification counts: the open actions the chase has
    reminded me of (with ?day=, those it reminded me of on that day)."""
    day, error = _day_arg()
    rows = chase_summary.chased_actions(current_user, new_on=day)
    html = render_template(
        "actions/chased.html", actions=rows, day=day, error=error, today=local_today()
    )
    shown.cases_shown((a.case_id for a in rows), "list_actions", purpose="chased actions")
    return html, 400 if error else 200


def _forms(action, formdata=None, failed: str | None = None):
    forms = {
        "start": StartForm(prefix="start", formdata=None),
        "complete": CompleteForm(prefix="complete", formdata=None),
        "verify": VerifyForm(prefix="verify", formdata=None),
        "reopen": ReasonForm(prefix="reopen", formdata=None),
        "cancel": ReasonForm(prefix="cancel", formdata=None),
        "reassign": ReassignForm(prefix="reassign", formdata=None),
        "due-date": DueDateForm(prefix="due", formdata=None),
    }
    if failed is not None:
        prefix = {"due-date": "due"}.get(failed, failed)
        forms[failed] = type(forms[failed])(prefix=prefix, formdata=formdata)
    for form in forms.values():
        form.version.data = str(action.version)
    people = queries.possible_owners(current_user, action)
    forms["reassign"].owner.choices = choices(
        [("", "Choose a person"), *((u.id, u.name) for u in people)]
    )
    return forms


def _detail(action, *, forms, status: int = 200, form=None):
    today = local_today()
    html = render_template(
        "actions/detail.html",
        action=action,
        today=today,
        status=life.display_status(action, today),
        allowed=life.allowed(current_user, action),
        forms=forms,
        form=form,
        reminders=reminders_for(action),
        people=queries.history_people(action),
    )
    shown.case_opened(action.case, "view_action")
    return html, status


@bp.route("/<int:action_id>")
@requires("actions.view")
def detail(action_id: int):
    action = queries.visible_action(current_user, action_id)
    if action is None:
        abort(404)
    return _detail(action, forms=_forms(action))


def _apply(change: str, action, form) -> str:
    """Run the change through the service; returns the success message."""
    return changes.apply_change(
        change,
        action,
        form.data,
        by=current_user,
        now=utcnow(),
        today=local_today(),
        expected_version=int(form.version.data),
        base_url=current_app.config["BASE_URL"],
    )


@bp.route("/<int:action_id>/<change>", methods=["POST"])
@requires("actions.work")
def change(action_id: int, change: str):
    if change not in changes.CHANGES:
        abort(404)
    action = queries.visible_action(current_user, action_id)
    if action is None:
        abort(404)
    forms = _forms(action, formdata=request.form, failed=change)
    form = forms[change]
    if not form.validate_on_submit() or not is_digits(form.version.data or ""):
        form.version.errors = ["The form is out of date: reload the page and try again"]
        return _detail(action, forms=forms, status=400, form=form)
    try:
        message = _apply(change, action, form)
    except life.ActionInputError as exc:
        db.session.rollback()
        action = queries.visible_action(current_user, action_id)
        forms = _forms(action, formdata=request.form, failed=change)
        form = forms[change]
        form[exc.field].errors = [str(exc)]
        return _detail(action, forms=forms, status=400, form=form)
    except (life.ActionPermissionError, life.StaleActionError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("actions.detail", action_id=action_id)), 303
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("actions.detail", action_id=action_id))


def _filters():
    try:
        return queries.DashboardFilters.parse(request.args), None
    except queries.FilterError as exc:
        return queries.DashboardFilters(), exc


@bp.route("/dashboard")
@requires("actions.dashboard")
def dashboard():
    filters, error = _filters()
    today = local_today()
    page = request.args.get("page", "1")
    board = queries.dashboard(
        current_user, filters, today, page=int(page) if is_digits(page) else 1
    )
    html = render_template(
        "actions/dashboard.html",
        board=board,
        filters=filters,
        filter_error=error,
        today=today,
        labels={"priority": queries.PRIORITY_LABELS, "source": queries.SOURCE_LABELS},
    )
    shown.cases_shown(
        (a.case_id for a in board.rows),
        "list_actions",
        purpose=f"action dashboard, page {board.page}",
    )
    return html, 400 if error else 200


def _export_rows() -> list[dict]:
    """The export's rows, written to the access log as one entry (how many cases, not which)."""
    filters, error = _filters()
    if error is not None:
        abort(400, description=str(error))
    rows = list(
        action_exports.export_rows(
            status="open", today=local_today(), user=current_user, filters=filters
        )
    )
    shown.cases_shown((r["case_id"] for r in rows), "export_actions")
    return rows


@bp.route("/dashboard.csv")
@requires("actions.dashboard")
def dashboard_csv():
    return Response(
        action_exports.export_csv(_export_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=actions-{local_today()}.csv"},
    )


@bp.route("/dashboard.xlsx")
@requires("actions.dashboard")
def dashboard_xlsx():
    return Response(
        action_exports.export_xlsx(_export_rows()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=actions-{local_today()}.xlsx"},
    )
