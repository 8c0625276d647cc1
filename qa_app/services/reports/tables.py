"""The monthly audit report (docs/framework.md#the-monthly-report): every figure for a month
and a scope, as plain data.

``report_data`` gathers the figures (each a grouped SQL query in ``reports.figures`` or
``reports.trends``) into one JSON-serialisable dict; ``report_tables`` turns it into the tables the
HTML page, the PDF and the workbook all show, so the three never disagree. The data holds child
ids only through the audit lists of the export, never names; learning themes (strongest and
weakest sections) are about sections, never about a worker.

Agreement statistics and escalations / tier 3 reviews come from ``reports.moderation`` (over the
moderation feature's records).
"""

from datetime import date

from flask import current_app
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ToolkitVersion
from qa_app.services.moderation import agreement
from qa_app.services.moderation.agreement import DEFAULT_SMALL_N
from qa_app.services.performance.indicators import Settings
from qa_app.services.platform.months import check, ending_with, label
from qa_app.services.reports import figures
from qa_app.services.reports import moderation as report_moderation
from qa_app.services.reports.performance import performance_section, performance_tables
from qa_app.services.reports.scope import COUNCIL, ReportScope, ScopeError
from qa_app.services.reports.table_types import Column, Table
from qa_app.services.reports.trends import (
    DEFAULT_INADEQUATE_TARGET,
    compliance_trends,
    grade_trends,
    stored_xmr,
)

__all__ = ["DEFAULT_INADEQUATE_TARGET", "Column", "Table", "report_data", "report_tables"]
TREND_MONTHS = 12


def section_titles() -> dict[str, str]:
    """Section key -> title, from the toolkit versions (newest first wins)."""
    titles: dict[str, str] = {}
    versions = db.session.scalars(select(ToolkitVersion).order_by(ToolkitVersion.id.desc()))
    for version in versions:
        for section in version.definition.sections:
            titles.setdefault(section.key, section.title)
    return titles


def report_data(
    month: str,
    scope: ReportScope = COUNCIL,
    *,
    as_of: date,
    target: float = DEFAULT_INADEQUATE_TARGET,
    small_n: int = DEFAULT_SMALL_N,
) -> dict:
    """Every figure of the monthly report for *month* and *scope*, with trends to *month*.

    *as_of* is the day the report is built: audits not yet completed past their due date and open
    actions past theirs count as overdue on that day.
    """
    check(month, ScopeError)
    summary = figures.grade_summary(month, scope, target=target)
    completion = figures.completion(month, scope, as_of=as_of)[0]
    titles = section_titles()
    sections = figures.sections(month, scope)
    for row in sections:
        row["title"] = titles.get(row["key"], row["key"].replace("_", " ").capitalize())
    strongest, weakest = figures.strongest_and_weakest(sections)
    months = ending_with(month, TREND_MONTHS)
    actions = figures.actions(month, scope, as_of=as_of)
    return {
        "month": month,
        "month_label": label(month),
        "scope": scope.key,
        "scope_label": scope.label,
        "as_of": as_of.isoformat(),
        "target_inadequate_pct": target,
        "min_n": figures.MIN_N,
        "headline": {
            "audits_expected": completion["expected"],
            "audits_completed": completion["completed"],
            "late": completion["late"],
            "outstanding": completion["outstanding"],
            "overdue": completion["overdue"],
            "completed_pct": completion["completed_pct"],
            "grades": {g: summary[g] for g in ("1", "2", "3", "4")},
            "graded": summary["n"],
            "good_or_better_pct": summary["good_or_better_pct"],
            "inadequate_pct": summary["inadequate_pct"],
            "above_target": summary["above_target"],
        },
        "completion": {
            by: figures.completion(month, scope, as_of=as_of, by=by)
            for by in ("team", "role", "auditor")
        },
        "grades": {
            "all": summary,
            **{
                f"by_{by}": figures.grades(month, scope, target=target, by=by)
                for by in ("selection", "locality", "team", "cohort")
            },
        },
        "sections": sections,
        "strongest": [r["key"] for r in strongest],
        "weakest": [r["key"] for r in weakest],
        "compliance": figures.compliance(month, scope),
        "trends": [t.as_dict() for t in grade_trends(months, scope, inadequate_target=target)],
        "compliance_trends": [t.as_dict() for t in compliance_trends(months, scope)],
        "moderation": figures.moderation(month, scope),
        "agreement": report_moderation.agreement_figures(month, scope, small_n=small_n),
        "escalations": report_moderation.escalation_figures(month, scope, as_of=as_of),
        "actions": actions,
        "performance": performance_section(
            month, scope, settings=Settings.from_config(current_app.config)
        ),
    }


def default_key_messages(data: dict) -> str:
    """A factual first draft of the key messages, for the PSW to rewrite."""
    head = data["headline"]
    lines = [
        f"{head['audits_completed']} of {head['audits_expected']} audits due in "
        f"{data['month_label']} were completed ({head['late']} late, "
        f"{head['outstanding']} not yet completed)."
    ]
    if head["good_or_better_pct"] is not None:
        lines.append(
            f"{head['good_or_better_pct']:g}% of audited cases were judged good or better; "
            f"{head['inadequate_pct']:g}% inadequate against a target of at most "
            f"{data['target_inadequate_pct']:g}%."
        )
    titles = {s["key"]: s["title"] for s in data["sections"]}
    if data["strongest"]:
        lines.append("Strongest areas: " + ", ".join(titles[k] for k in data["strongest"]) + ".")
    if data["weakest"]:
        lines.append(
            "Areas for development: " + ", ".join(titles[k] for k in data["weakest"]) + "."
        )
    return "\n".join(lines)


# --- tables shared by the page, the PDF and the workbook ---------------------------------------


GRADE_COLUMNS = [
    Column("n", "Audits"),
    Column("1", "Outstanding"),
    Column("2", "Good"),
    Column("3", "Requires improvement"),
    Column("4", "Inadequate"),
    Column("good_or_better_pct", "% good or better", "pct"),
    Column("inadequate_pct", "% inadequate", "pct"),
]
COMPLETION_COLUMNS = [
    Column("expected", "Expected"),
    Column("completed", "Completed"),
    Column("late", "Completed late"),
    # The key stays "outstanding" (frozen report data and the API); the words say what it is.
    Column("outstanding", "Not yet completed"),
    Column("overdue", "Overdue"),
    Column("completed_pct", "% completed", "pct"),
]
SUPPRESSED_NOTE = "Percentages of fewer than 5 audits are suppressed (shown as a dash)."


def _rows(items: list[dict], columns: list[Column], label: str = "label") -> list[list]:
    return [[item[label], *(item[c.key] for c in columns)] for item in items]


def report_tables(data: dict) -> list[Table]:
    """The report's tables, in the order the report shows them."""
    tables = [
        Table(
            "grades_by_selection",
            "Reported grades: all audits, random sample and thematic cases",
            [Column("label", "Audits", "text"), *GRADE_COLUMNS],
            _rows([data["grades"]["all"], *data["grades"]["by_selection"]], GRADE_COLUMNS),
            SUPPRESSED_NOTE,
        )
    ]
    for by, title in (("locality", "locality"), ("team", "team"), ("cohort", "cohort")):
        tables.append(
            Table(
                f"grades_by_{by}",
                f"Reported grades by {title}",
                [Column("label", title.capitalize(), "text"), *GRADE_COLUMNS],
                _rows(data["grades"][f"by_{by}"], GRADE_COLUMNS),
                SUPPRESSED_NOTE,
            )
        )
    section_columns = [Column("not_applicable", "Not applicable"), *GRADE_COLUMNS]
    tables.append(
        Table(
            "sections",
            "Grades by toolkit section",
            [Column("title", "Section", "text"), *section_columns],
            _rows(data["sections"], section_columns, label="title"),
            SUPPRESSED_NOTE,
        )
    )
    compliance_columns = [
        Column("yes", "Yes"),
        Column("no", "No"),
        Column("not_applicable", "Not applicable"),
        Column("yes_pct", "% yes", "pct"),
    ]
    tables.append(
        Table(
            "compliance",
            "Compliance",
            [Column("label", "Item", "text"), *compliance_columns],
            _rows(data["compliance"], compliance_columns),
            "% yes of the audits where the question applied.",
        )
    )
    for trend in [*data["trends"], *data.get("compliance_trends", [])]:
        tables.append(_trend_table(trend, data))
    for by, title in (("team", "team"), ("role", "auditor's role"), ("auditor", "auditor")):
        tables.append(
            Table(
                f"completion_by_{by}",
                f"Audits expected and completed by {title}",
                [Column("label", title.capitalize(), "text"), *COMPLETION_COLUMNS],
                _rows(data["completion"][by], COMPLETION_COLUMNS),
            )
        )
    mod = data["moderation"]
    act = data["actions"]
    tables.append(
        Table(
            "moderation_and_actions",
            "Moderation and actions",
            [Column("label", "Measure", "text"), Column("value", "Value", "int")],
            [
                ["Audits submitted", mod["audits"]],
                ["Audits moderated", mod["moderated"]],
                ["Grades changed by moderation", mod["changed"]],
                ["Actions raised in the month", act["raised"]],
                ["Actions completed in the month", act["completed"]],
                ["Actions verified in the month", act["verified"]],
                ["Actions overdue on the report date", act["overdue"]],
                ["Verified actions that made a difference", act["effective"]],
                ["Verified actions that partly made a difference", act["partly_effective"]],
            ],
        )
    )
    tables.append(_agreement_table(data["agreement"]))
    tables.append(_escalation_table(data["escalations"]))
    # Versions built before the section was added hold none.
    if data.get("performance"):
        tables.extend(performance_tables(data["performance"]))
    return tables


TREND_COLUMNS = [
    Column("month", "Month", "text"),
    Column("n", "Audits"),
    Column("successes", "Count"),
    Column("pct", "%", "pct"),
    Column("low", "95% interval from", "pct"),
    Column("high", "95% interval to", "pct"),
    Column("mean", "Mean", "pct"),
    Column("lower", "Lower limit", "pct"),
    Column("upper", "Upper limit", "pct"),
    Column("signal", "SPC signal", "text"),
]


def _trend_table(trend: dict, data: dict) -> Table:
    """A trend's months with their interval, the XmR mean and limits, and each month's flag."""
    result = stored_xmr(trend, data["target_inadequate_pct"])
    rows = []
    for p, spc in zip(trend["points"], result.points, strict=True):
        limits = result.limits_of(spc)
        signal = (
            spc.describe()
            if p["pct"] is not None
            else (f"Not charted: fewer than {data['min_n']} audits" if p["n"] else "No audits")
        )
        rows.append(
            [
                *(p[k] for k in ("month", "n", "successes", "pct", "low", "high")),
                *(_round(v) for v in (limits.mean, limits.lower, limits.upper)),
                signal,
            ]
        )
    target = f" Target: {result.target.describe('%')}." if result.target else ""
    return Table(
        f"trend_{trend['key']}"[:31],
        f"{trend['title']}: 12 months with 95% intervals and process limits",
        TREND_COLUMNS,
        rows,
        f"{SUPPRESSED_NOTE} Wilson score intervals. Mean and process limits of the XmR chart "
        f"(mean ± 2.66 times the mean moving range). Variation: {result.variation_text}. "
        f"Assurance: {result.assurance_text}.{target}" + "".join(f" {w}" for w in result.warnings),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _dec(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _agreement_table(ag: dict) -> Table:
    low, high = ag["kappa_ci"]
    return Table(
        "agreement",
        "Agreement between auditors and moderators (overall grade against the blind grade)",
        [
            Column("label", "Grade", "text"),
            Column("pairs", "Moderated audits"),
            Column("exact", "Exact agreement", "pct"),
            Column("within_one", "Within one grade", "pct"),
            Column("kappa", "Weighted kappa", "dec"),
            Column("kappa_low", "Kappa 95% CI low", "dec"),
            Column("kappa_high", "Kappa 95% CI high", "dec"),
            Column("optimism", "Optimism index", "dec"),
        ],
        [
            [
                "Overall grade",
                ag["pairs"],
                _pct(ag["exact_agreement"]),
                _pct(ag["within_one"]),
                _dec(ag["kappa_quadratic"]),
                _dec(low),
                _dec(high),
                _dec(ag["optimism_index"]),
            ]
        ]
        if ag["pairs"]
        else [],
        "Quadratic-weighted kappa with its 95% confidence interval. Optimism index: the "
        "auditor's grade code minus the moderator's, averaged; below zero means auditors "
        "grade more favourably than moderators."
        + (
            f" Fewer than {agreement.DEFAULT_SMALL_N} pairs: read with care."
            if ag["pairs"] > 0 and ag["small_n"]
            else ""
        ),
        empty="No audits of this month have been moderated yet.",
    )


def _escalation_table(esc: dict) -> Table:
    columns = [
        Column("label", "Trigger", "text"),
        Column("triggers", "Fired"),
        Column("reviews", "Tier 3 reviews"),
        Column("completed", "Completed"),
        Column("overdue", "Overdue"),
    ]
    return Table(
        "escalations",
        "Escalations fired in the month and their tier 3 reviews",
        columns,
        _rows(esc["by_kind"], columns[1:]),
        "Overdue: still open past the review's due date on the report date.",
        empty="No escalations this month.",
    )
