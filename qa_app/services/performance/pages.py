"""What the performance pages show (qa_app/views/performance.py): the board for a month and
scope with its teams, and one indicator's chart, breakdown and children. The views stay doors:
they resolve the user's scope (``access``), call these and render."""

import io
from datetime import date

from sqlalchemy import func, select

from qa_app.cache import cached_json
from qa_app.extensions import db
from qa_app.models import Case
from qa_app.services.performance import board, figures, triangulation
from qa_app.services.performance.bands import format_value
from qa_app.services.performance.indicators import BY_KEY, Settings
from qa_app.services.platform import csv_files, months
from qa_app.services.platform.paging import PAGE_SIZE
from qa_app.services.reports import figures as report_figures
from qa_app.services.reports.dashboard import data_stamp as audit_stamp
from qa_app.services.reports.scope import ReportScope
from qa_app.services.reports.spc_chart import xmr_chart
from qa_app.services.reports.tables import DEFAULT_INADEQUATE_TARGET

# The indicators shown beside each team's audit grades (each team's full board is a link away).
TEAM_KEYS = (
    "assessments_within_45_working_days",
    "cp_visits_in_timescale",
    "cp_seen_alone",
    "cla_visits_in_timescale",
    "unallocated_cases",
    "average_caseload",
)
CSV_COLUMNS = ("child_id", "team", "worker", "first_date", "second_date", "counted", "measure")


def month_of(text: str | None, today: date) -> tuple[str, str | None]:
    """The month asked for (``YYYY-MM``), else last month, with the error that says why."""
    default = months.previous(today)
    if not text:
        return default, None
    try:
        return months.check(text), None
    except months.MonthError as exc:
        return default, f"Month: {exc}. Showing {months.label(default)}."


def teams(
    month: str,
    scope: ReportScope,
    *,
    settings: Settings | None = None,
    accuracy: dict | None = None,
) -> list[dict]:
    """Each team in *scope* with records or audits in *month*: its audits and the share good or
    better (the reports' figures), its recording accuracy and the TEAM_KEYS indicators."""
    grades = {
        row["label"]: row
        for row in report_figures.grades(month, scope, target=DEFAULT_INADEQUATE_TARGET, by="team")
    }
    if accuracy is None:
        accuracy = triangulation.recording_accuracy(month, scope, settings=settings)
    by_team = {r["team"]: r for r in accuracy["teams"]}
    values: dict[str, dict] = {}
    for key in TEAM_KEYS:
        for row in figures.breakdown(key, month, scope, settings=settings, levels=("teams",))[
            "teams"
        ]:
            values.setdefault(row["name"], {})[key] = format_value(
                None if row["value"] is None else round(row["value"], 1), BY_KEY[key].unit
            )
    names = sorted(set(grades) | set(values) | set(by_team))
    return [
        {"name": name, "grades": grades.get(name), "accuracy": by_team.get(name),
         "values": values.get(name, {})}
        for name in names if name != "No team"
    ]  # fmt: skip


def dashboard(month: str, scope: ReportScope, *, settings: Settings | None = None) -> dict:
    """The board, the recording accuracy and (above team scope) the teams. The teams and the
    accuracy are cached like the board's figures, under both its stamp and the audits' (a
    submitted or moderated audit moves it)."""
    settings = settings or Settings()

    def compute() -> dict:
        accuracy = triangulation.recording_accuracy(month, scope, settings=settings)
        out = {"accuracy": accuracy}
        if scope.kind != "team":
            out["teams"] = teams(month, scope, settings=settings, accuracy=accuracy)
        return out

    stamps = [board.data_stamp(), audit_stamp()]
    key = [month, scope.key, settings.cp_visit_working_days, *stamps]
    data = board.board(month, scope, settings=settings)
    data |= cached_json("performance-teams", key, compute, seconds=board.CACHE_SECONDS)
    if scope.kind != "team":
        data["team_keys"] = [(k, BY_KEY[k].name) for k in TEAM_KEYS]
    return data


def _unit_suffix(unit: str) -> str:
    return "%" if unit == "percent" else ""


def chart(key: str, month: str, scope: ReportScope, *, settings: Settings | None = None):
    """The indicator's 12-month series, XmR chart, table rows and thresholds."""
    indicator = BY_KEY[key]
    series, result, rated = board.indicator_chart(key, month, scope, settings=settings)
    percent = indicator.unit == "percent"
    svg = xmr_chart(
        result,
        title=f"{indicator.name}, 12 months to {months.label(month)}",
        measure=indicator.definition,
        unit=_unit_suffix(indicator.unit),
        bounds=(0, 100) if percent else (0, None),
    )
    table = []
    for figure, point in zip(series, result.points, strict=True):
        limits = result.limits_of(point)
        table.append({**figure, "signal": point.describe(), "mean": limits.mean,
                      "lower": limits.lower, "upper": limits.upper})  # fmt: skip
    return {"indicator": indicator, "chart": svg, "spc": result, "table": table,
            "thresholds": rated, "latest": series[-1]}  # fmt: skip


def children_page(key: str, month: str, scope: ReportScope, page: int, *, settings=None) -> dict:
    total = figures.count_children(key, month, scope, settings=settings)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = figures.children(key, month, scope, settings=settings, limit=PAGE_SIZE,
                            offset=(page - 1) * PAGE_SIZE)  # fmt: skip
    return {"rows": rows, "total": total, "page": page, "pages": pages}


def children_csv(key: str, month: str, scope: ReportScope, *, settings=None) -> tuple[str, list]:
    """Every record behind the figure as CSV (the one CSV writer), and the rows (to log)."""
    rows = figures.children(key, month, scope, settings=settings)
    out = io.StringIO()
    writer = csv_files.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), rows


def cases_of(rows: list[dict]) -> list[int]:
    """The case ids of the children in *rows*, for the access log: one per child (the latest
    case), so a list of one child names it."""
    children = {r["child_row"] for r in rows}
    if len(children) != 1:
        # Only how many is logged for a list of several: one stand-in id per child.
        return [-c for c in children]
    return list(db.session.scalars(select(func.max(Case.id)).where(Case.child_id.in_(children))))
