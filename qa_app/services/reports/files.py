"""The report's files: the board paper as HTML and PDF (WeasyPrint), and the XLSX workbook.

The board paper is rendered from ``templates/reports/board_paper.html`` with the application's
Jinja environment (an app context is needed, as for any service that reads configuration); the
in-app page includes the same ``reports/_body.html``, tables and SVG charts, so page and PDF
show the same picture. The workbook is written with XlsxWriter (already a dependency; it writes
typed cells and is faster than openpyxl for writing): one sheet per table, numbers as numbers,
suppressed percentages as empty cells.
"""

import io
from dataclasses import dataclass

import xlsxwriter
from flask import current_app
from markupsafe import Markup

from qa_app.services.platform import csv_files
from qa_app.services.platform.spc import XmrResult
from qa_app.services.reports import charts, spc_chart
from qa_app.services.reports import performance as perf
from qa_app.services.reports.tables import Table, report_tables
from qa_app.services.reports.trends import stored_xmr


@dataclass
class ReportFiles:
    html: bytes
    pdf: bytes
    xlsx: bytes


def report_charts(data: dict) -> dict[str, Markup]:
    """The report's charts as SVG markup, by key."""
    titles = {s["key"]: s["title"] for s in data["sections"]}
    out = {
        "grades": charts.grade_bars(
            data["grades"]["all"], f"Reported grades, {data['month_label']}"
        ),
        "by_locality": charts.stacked_grades(
            data["grades"]["by_locality"], "Reported grades by locality", "locality"
        ),
        "by_cohort": charts.stacked_grades(
            data["grades"]["by_cohort"], "Reported grades by cohort", "cohort"
        ),
        "sections": charts.percent_bars(
            [(titles[r["key"]], r["good_or_better_pct"], r["n"]) for r in data["sections"]],
            "Sections graded good or better",
            "% of audits graded good or better in the section",
        ),
        "compliance": charts.percent_bars(
            [
                (r["label"].lstrip("% "), r["yes_pct"], r["yes"] + r["no"])
                for r in data["compliance"]
            ],
            "Compliance",
            "% yes of audits where the question applied",
        ),
    }
    for trend, result in trend_results(data):
        out[f"trend_{trend['key']}"] = trend_chart(
            trend, result, f"{trend['title']}, last 12 months (%)", data["min_n"]
        )
    return out


def trend_chart(
    trend: dict, result: XmrResult, title: str, min_n: int, measure: str | None = None
) -> Markup:
    """The XmR chart of one monthly % trend (the report's and the grade-trend dashboard's);
    *measure* says what each point counts, by default as ``trend_measure`` words it."""
    return spc_chart.xmr_chart(
        result,
        title=title,
        measure=measure or trend_measure(trend, min_n),
        unit="%",
        bounds=(0, 100),
    )


def trend_results(data: dict) -> list[tuple[dict, XmrResult]]:
    """Every trend of the report (grades, then compliance) with its XmR result."""
    return [
        (trend, stored_xmr(trend, data["target_inadequate_pct"]))
        for trend in [*data["trends"], *data.get("compliance_trends", [])]
    ]


def trend_measure(trend: dict, min_n: int) -> str:
    """What each point of a trend's chart counts, in words."""
    what = {
        "good_or_better": "graded good or better (outstanding or good)",
        "inadequate": "graded inadequate",
    }.get(trend["key"], "answering yes, of those where the question applied")
    return (
        f"Each point: the % of the month's submitted audits {what}, by reported grade. "
        f"Months with fewer than {min_n} audits are not charted."
        if trend["key"] in ("good_or_better", "inadequate")
        else f"Each point: the % of the month's submitted audits {what}. Months with fewer "
        f"than {min_n} such audits are not charted."
    )


def render_context(data: dict, key_messages: str, *, full_tables: bool = True) -> dict:
    """What ``reports/_body.html`` needs; the board paper leaves out the long per-team and
    per-auditor tables (they are in the workbook and on the page)."""
    return {
        "full_tables": full_tables,
        "data": data,
        "tables": {t.key: t for t in report_tables(data)},
        "charts": report_charts(data),
        "spc": {trend["key"]: result for trend, result in trend_results(data)},
        "key_messages": key_messages,
        "performance": performance_context(data.get("performance")),
    }


def performance_context(section: dict | None) -> dict | None:
    """The practice performance section as the templates show it: the board table's rows, and
    for each indicator with a figure in the 12 months its XmR result, chart and data table."""
    if not section:
        return None
    blocks = []
    for row in section["rows"]:
        if not perf.charted(row):
            continue
        result = perf.xmr_of(row)
        percent = row["unit"] == "percent"
        chart = spc_chart.xmr_chart(
            result,
            title=f"{row['name']}, last 12 months",
            measure=f"Each point: {row['definition']}",
            unit="%" if percent else "",
            bounds=(0, 100) if percent else (0, None),
        )
        blocks.append(
            {"row": row, "result": result, "chart": chart, "table": perf.chart_table(row)}
        )
    return {
        "section": section,
        "months": [perf.month_heading(m) for m in section["recent"]],
        "rows": perf.board_rows(section),
        "blocks": blocks,
        "uncharted": [r["name"] for r in section["rows"] if not perf.charted(r)],
    }


def board_paper_html(
    data: dict, *, key_messages: str, version_number: int, status: str, published_at=None
) -> str:
    template = current_app.jinja_env.get_template("reports/board_paper.html")
    return template.render(
        **render_context(data, key_messages, full_tables=False),
        council_name=current_app.config["COUNCIL_NAME"],
        version_number=version_number,
        status=status,
        published_at=published_at,
    )


def pdf_bytes(html: str) -> bytes:
    # Imported here: WeasyPrint takes ~1 s to import and only report builds need it.
    from weasyprint import HTML  # noqa: PLC0415

    return HTML(string=html).write_pdf()


def xlsx_bytes(data: dict, tables: list[Table] | None = None) -> bytes:
    """One sheet per table (plus a cover sheet), typed cells, suppressed cells left empty."""
    tables = tables if tables is not None else report_tables(data)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **csv_files.XLSX_TEXT_CELLS})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
    percent = book.add_format({"num_format": "0.0"})
    decimal = book.add_format({"num_format": "0.00"})
    cover = book.add_worksheet("About")
    about = [
        ("Report", "Monthly case file audit report"),
        ("Month", data["month"]),
        ("Scope", data["scope_label"]),
        ("Figures as at", data["as_of"]),
        ("Percentages", "0-100, one decimal place; empty where fewer than 5 audits"),
    ]
    for row, (key, value) in enumerate(about):
        cover.write_string(row, 0, key, bold)
        cover.write_string(row, 1, str(value))
    cover.set_column(0, 0, 18)
    cover.set_column(1, 1, 60)
    for table in tables:
        sheet = book.add_worksheet(table.key[:31])
        sheet.write_string(0, 0, table.title, bold)
        for col, column in enumerate(table.columns):
            label = (
                f"{column.label} (%)"
                if column.kind == "pct" and "%" not in column.label
                else column.label
            )
            sheet.write_string(1, col, label, header)
        for r, values in enumerate(table.rows, start=2):
            for col, (column, value) in enumerate(zip(table.columns, values, strict=True)):
                if value is None:
                    sheet.write_blank(r, col, None)
                elif column.kind == "text":
                    sheet.write_string(r, col, str(value))
                elif column.kind == "pct":
                    sheet.write_number(r, col, float(value), percent)
                elif column.kind == "dec":
                    sheet.write_number(r, col, float(value), decimal)
                elif column.kind == "num":
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_number(r, col, value)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(table.columns), 14)
        if table.note:
            sheet.write_string(len(table.rows) + 3, 0, table.note)
        sheet.freeze_panes(2, 1)
    book.close()
    return buffer.getvalue()


def build_files(
    data: dict, *, key_messages: str, version_number: int, status: str, published_at=None
) -> ReportFiles:
    html = board_paper_html(
        data,
        key_messages=key_messages,
        version_number=version_number,
        status=status,
        published_at=published_at,
    )
    return ReportFiles(html=html.encode("utf-8"), pdf=pdf_bytes(html), xlsx=xlsx_bytes(data))
