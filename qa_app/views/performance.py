"""The Improvement Board dashboard: every indicator for a month and a scope, each indicator's
XmR chart, breakdown and the children behind it (docs/indicators.md#the-improvement-board-dashboard).

A scope outside the user's (or one that does not exist) is answered 404; the children's list
and export write the access log."""

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.permissions import requires
from qa_app.services.performance import access, pages
from qa_app.services.performance.bands import BAND_NAMES, format_value
from qa_app.services.performance.indicators import BY_KEY, Settings
from qa_app.services.platform import months
from qa_app.views import shown

bp = Blueprint("performance", __name__, url_prefix="/performance")


@bp.context_processor
def _helpers() -> dict:
    return {"month_label": months.label, "month_short": months.short_label,
            "band_names": BAND_NAMES, "fmt": _fmt}  # fmt: skip


def _fmt(value: float | None, unit: str) -> str:
    return format_value(None if value is None else round(value, 1), unit)


def _query() -> dict:
    """The month and scope asked for, checked against the user's scope (404 outside it)."""
    month, error = pages.month_of(request.args.get("month"), local_today())
    try:
        scope = access.resolve(current_user, request.args.get("scope"))
    except access.OutOfScope:
        abort(404)
    settings = Settings.from_config(current_app.config)
    return {"month": month, "scope": scope, "error": error, "settings": settings}


def _indicator(key: str) -> str:
    if key not in BY_KEY:
        abort(404)
    return key


@bp.route("/")
@requires("performance.view")
def index():
    q = _query()
    data = pages.dashboard(q["month"], q["scope"], settings=q["settings"])
    db.session.commit()  # the working-day calendar, if it had to be filled
    return render_template(
        "performance/index.html", **data, q=q, choices=access.choices(current_user)
    )


@bp.route("/<key>")
@requires("performance.view")
def indicator(key: str):
    q, key = _query(), _indicator(key)
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    shown_rows = pages.children_page(key, q["month"], q["scope"], number, settings=q["settings"])
    html = render_template(
        "performance/indicator.html",
        **pages.chart(key, q["month"], q["scope"], settings=q["settings"]),
        breakdown=pages.figures.breakdown(key, q["month"], q["scope"], settings=q["settings"]),
        children=shown_rows,
        q=q,
        args={"key": key, "month": q["month"], "scope": q["scope"].key},
    )
    purpose = f"performance: {key}, {q['month']}, page {shown_rows['page']}"
    shown.cases_shown(pages.cases_of(shown_rows["rows"]), "list_performance", purpose=purpose)
    return html


@bp.route("/<key>/children.csv")
@requires("performance.view")
def children_csv(key: str):
    q, key = _query(), _indicator(key)
    text, rows = pages.children_csv(key, q["month"], q["scope"], settings=q["settings"])
    purpose = f"performance export: {key}, {q['month']}"
    shown.cases_shown(pages.cases_of(rows), "export_performance", purpose=purpose)
    name = f"{key}-{q['month']}-{q['scope'].key.replace(':', '-')}.csv"
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
