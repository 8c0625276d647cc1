"""The agreement dashboard's page: its months from the query string, the figures of
``agreement.agreement`` arranged for the tables, and the three charts drawn from them."""

from collections.abc import Mapping
from datetime import date

from qa_app import charts
from qa_app.services.moderation import agreement
from qa_app.services.platform import months

MONTHS_SHOWN = 12  # when the page does not say which months


def months_asked(args: Mapping[str, str], *, today: date) -> tuple[str, str, str | None]:
    """(first month, last month, error) from the ``from`` and ``to`` arguments; with an error,
    the twelve months to *today*'s instead."""
    to = args.get("to") or months.of(today)
    try:
        months.check(to)
        start = args.get("from") or months.months_back(to, MONTHS_SHOWN)
        months.check(start)
        if start > to:
            raise months.MonthError("The first month must not be after the last")
    except months.MonthError as exc:
        to = months.of(today)
        return months.months_back(to, MONTHS_SHOWN), to, str(exc)
    return start, to, None


def _note(row: dict) -> str:
    return f"n={row['pairs']}" + (", few pairs" if row["small_n"] else "")


def page(args: Mapping[str, str], *, today: date, small_n: int) -> dict:
    """Everything the dashboard shows for the months *args* ask for (``error`` says why they
    could not be used): the figures, each auditor's trend over the months, and the charts."""
    start, to, error = months_asked(args, today=today)
    result = agreement.agreement(start, to, small_n=small_n)
    titles = agreement.section_titles()
    for row in result["by_section"]:
        row["title"] = titles.get(row["section"], row["section"])
    shown = [row["month"] for row in result["by_month"]]
    return {
        "result": result,
        "start": start,
        "to": to,
        "error": error,
        "small_n": small_n,
        "months": shown,
        "trend": [
            (row, [result["by_auditor_month"].get(f"{row['auditor_id']}:{m}") for m in shown])
            for row in result["by_auditor"]
        ],
        **_charts(result, start, to),
    }


def _charts(result: dict, start: str, to: str) -> dict:
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
    return {
        "optimism_chart": optimism_chart,
        "section_chart": section_chart,
        "kappa_chart": kappa_chart,
    }
