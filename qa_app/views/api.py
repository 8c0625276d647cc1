"""Read-only JSON for BI tools (Power BI, Excel): one endpoint per report table.

Authenticated by a personal API token (``Authorization: Bearer cqa_...``) or the browser
session; the same permission and scope rules as the pages apply. Nothing here changes data
except a token's last-used time.
"""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_login import current_user

from qa_app.clock import local_today, utcnow
from qa_app.extensions import csrf, db
from qa_app.permissions import can
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.people import api_tokens
from qa_app.services.platform import months
from qa_app.services.reports import export as report_export
from qa_app.services.reports.scope import ScopeError, parse_scope, scope_for_user, within
from qa_app.services.reports.tables import report_data, report_tables
from qa_app.views import shown

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _problem(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def api_view(permission: str) -> Callable:
    """Token (or session) authentication, then the permission check, as JSON errors."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            user = None
            if header.startswith("Bearer "):
                try:
                    user = api_tokens.user_for_token(header[7:].strip(), now=utcnow())
                except api_tokens.InvalidToken as exc:
                    return _problem(401, str(exc))
                db.session.commit()
            elif current_user.is_authenticated:
                user = current_user
            if user is None:
                return _problem(401, "Send a personal API token: Authorization: Bearer <token>")
            if not can(user, permission):
                return _problem(403, "Your roles do not include the report data")
            g.api_user = user
            return view(*args, **kwargs)

        wrapped.permission = permission
        return csrf.exempt(wrapped)

    return decorator


def _scope():
    mine = scope_for_user(g.api_user)
    if mine is None:
        abort(_problem(403, "You have no reporting scope"))
    try:
        scope = parse_scope(request.args["scope"]) if request.args.get("scope") else mine
    except ScopeError as exc:
        abort(_problem(400, str(exc)))
    if not within(mine, scope):
        abort(_problem(404, f"scope {scope.key!r}: not found within your scope"))
    return scope


def _month(month: str) -> str:
    try:
        return months.check(month)
    except months.MonthError as exc:
        abort(_problem(400, str(exc)))


@bp.route("/reports/<month>")
@api_view("api.read")
def tables(month: str):
    """The tables available for *month*, with their URLs."""
    month = _month(month)
    scope = _scope()
    data = report_data(month, scope, as_of=local_today(), small_n=_small_n())
    names = [t.key for t in report_tables(data)] + ["audits", "actions"]
    return jsonify(
        {"month": month, "scope": scope.key, "tables": names, "headline": data["headline"]}
    )


@bp.route("/reports/<month>/<table>")
@api_view("api.read")
def table(month: str, table: str):
    """One table as typed JSON rows: {"columns": [...], "rows": [{column: value}]}."""
    month = _month(month)
    found = report_export.api_table(
        month, _scope(), table, as_of=local_today(), reader=g.api_user, small_n=_small_n()
    )
    if found is not None and table in ("audits", "actions"):
        shown.cases_shown(found.pop("case_ids"), f"api_{table}", user=g.api_user)
    if found is None:
        return _problem(404, f"no table {table!r}: see /api/v1/reports/{month} for the list")
    return jsonify(found)


def _small_n() -> int:
    return ModerationRules.from_config(current_app.config).small_n
