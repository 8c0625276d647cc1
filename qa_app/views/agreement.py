"""The agreement dashboard (PSW and qa_admin): how far auditors agree with moderators, per
auditor, per section and over months, as tables and server-drawn SVG charts."""

from flask import Blueprint, current_app, render_template, request

from qa_app import charts
from qa_app.clock import local_today
from qa_app.models.vocab import GRADES
from qa_app.permissions import requires
from qa_app.services.moderation import agreement as service
from qa_app.services.moderation.export import ExportError, check_month

bp = Blueprint("agreement", __name__, url_prefix="/agreement")


def _months_back(month: str, count: int) -> str:
    year, mon = int(month[:4]), int(month[5:])
    index = year * 12 + mon - 1 - (count - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _note(row: dict) -> str:
    return f"n={row['pairs']}" + (", few pairs" if row["small_n"] else "")


@bp.route("/")
@requires("moderation.agreement")
def index():
    today = local_today()
    to = request.args.get("to") or f"{today:%Y-%m}"
    error = None
    try:
        check_month(to)
        start = request.args.get("from") or _months_back(to, 12)
        check_month(start)
        if start > to:
            raise ExportError("The first month must not be after the last")
    except ExportError as exc:
        error = str(exc)
        to = f"{today:%Y-%m}"
        start = _months_back(to, 12)
    small_n = int(current_app.config.get("AGREEMENT_SMALL_N", 10))
    result = service.agreement(start, to, small_n=small_n)
    titles = service.section_titles()
    for row in result["by_section"]:
        row["title"] = titles.get(row["section"], row["section"])
    auditors = sorted(
        result["by_auditor"],
        key=lambda row: (row["optimism_index"] is None, row["optimism_index"] or 0),
    )
    optimism_chart = charts.diverging_bars(
        [charts.Bar(row["name"], row["optimism_index"], _note(row)) for row in auditors],
        title=f"Optimism index by auditor, {start} to {to}",
        desc=(
            "Mean of the auditor's grade code minus the moderator's blind grade code, one bar "
            "per auditor. Bars to the left (red) mean the auditor grades more generously than "
            "moderators; to the right, more severely. The table below gives the same figures."
        ),
        axis_label="Optimism index (grade codes; negative = more generous)",
        limit=2.0,
    )
    section_chart = charts.diverging_bars(
        [
            charts.Bar(row["title"], row["optimism_index"], _note(row))
            for row in result["by_section"]
        ],
        title=f"Optimism index by toolkit section, {start} to {to}",
        desc="Mean auditor minus moderator section grade code, one bar per toolkit section.",
        axis_label="Optimism index (grade codes; negative = more generous)",
        limit=2.0,
    )
    kappa_chart = charts.line_chart(
        [(row["month"], row["kappa_quadratic"]) for row in result["by_month"]],
        title=f"Weighted kappa by month, {start} to {to}",
        desc=(
            "Quadratic-weighted Cohen's kappa between auditors' and moderators' overall grades "
            "for each month's audits. 1 is perfect agreement, 0 is chance; the dashed line "
            "marks 0.6. Months without enough variation to compute it are gaps."
        ),
        x_label="Audit month",
        y_label="Weighted kappa",
        y_min=-0.2,
        y_max=1.0,
        reference=0.6,
    )
    months = [row["month"] for row in result["by_month"]]
    trend = [
        (row, [result["by_auditor_month"].get(f"{row['auditor_id']}:{m}") for m in months])
        for row in result["by_auditor"]
    ]
    return render_template(
        "agreement/index.html",
        months=months,
        trend=trend,
        result=result,
        start=start,
        to=to,
        error=error,
        grades=GRADES,
        optimism_chart=optimism_chart,
        section_chart=section_chart,
        kappa_chart=kappa_chart,
        small_n=small_n,
    ), 400 if error else 200
