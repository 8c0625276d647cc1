"""The monthly report's practice performance section (docs/indicators.md#the-board-paper): the
Improvement Board table (each indicator's bands, its last three months, the band of the latest,
the England figure and the SPC marks) and a 12-month XmR series per indicator.

``performance_section`` computes it once, when a version is built, and the result is stored in
the version's data with the bands it was rated against (``Thresholds.as_dict``): a published
version keeps its bands and figures after the board changes the thresholds, because the page, the
PDF, the workbook and the API all read the stored section (``performance_tables``), never the
thresholds in force now. The figures, bands and SPC marks come from the Improvement Board
service (``performance.board``), the dashboard's own, so the two never disagree.
"""

from qa_app.services.performance import board
from qa_app.services.performance.bands import BAND_NAMES, format_value, plain
from qa_app.services.performance.indicators import BY_KEY, Settings
from qa_app.services.performance.thresholds import all_thresholds
from qa_app.services.platform import months as month_helpers
from qa_app.services.platform.months import short_label
from qa_app.services.platform.spc import VARIATION_SHORT, XmrResult
from qa_app.services.reports.scope import COUNCIL, ReportScope
from qa_app.services.reports.table_types import Column, Table

ASSURANCE_SHORT = {
    "always_meets": "Consistently meets Good",
    "never_meets": "Consistently misses Good",
    "may_or_may_not": "May or may not meet Good",
}
UNIT_WORDS = {
    "percent": "%",
    "working_days": "working days",
    "weeks": "weeks",
    "count": "cases",
    "ratio": "cases per worker",
}


def _point(f: dict) -> dict:
    return {k: f[k] for k in ("month", "numerator", "denominator", "value", "as_of", "reason")}


def performance_section(
    month: str, scope: ReportScope = COUNCIL, *, settings: Settings | None = None
) -> dict:
    """Every indicator for the 12 months ending with *month* in *scope*, with the bands in force
    for *month*, frozen as plain data. The rows are the Improvement Board's
    (``performance.board``), so the report and the dashboard never disagree."""
    table = board.board(month, scope, settings=settings)
    series = board.monthly_figures(month, scope, settings=settings)  # cached by ``board``
    rated = all_thresholds(month, [row.key for row in table["rows"]])
    rows = []
    for row in table["rows"]:
        th = rated[row.key]
        rows.append(
            {
                "key": row.key,
                "name": row.name,
                "definition": BY_KEY[row.key].definition,
                "unit": row.unit,
                "direction": row.direction,
                "parent": row.parent,
                "thresholds": th.as_dict(),
                "value": row.latest["value"],
                "band": row.band,
                "points": [_point(f) for f in series[row.key]],
                "xmr": board.spc_of(series[row.key], row.direction, th.bands).as_dict(),
            }
        )
    return {
        "month": month,
        "months": month_helpers.ending_with(month, board.SERIES_MONTHS),
        "recent": table["months"],
        "rows": rows,
    }


def xmr_of(row: dict) -> XmrResult:
    return XmrResult.from_dict(row["xmr"])


def charted(row: dict) -> bool:
    """Whether the indicator has a value in any of the months (else it gets no chart)."""
    return any(p["value"] is not None for p in row["points"])


def value_text(row: dict, value) -> str:
    """A value as the board reads it: one decimal place, with % for a percentage."""
    return format_value(None if value is None else round(value, 1), row["unit"])


def england_text(row: dict) -> str:
    th = row["thresholds"]
    if th is None or th["england"]["figure"] is None:
        return "Not published"
    eng = th["england"]
    return f"{value_text(row, eng['figure'])} ({eng['year']})"


def spc_text(row: dict) -> tuple[str, str]:
    """The variation and assurance marks in short words."""
    result = xmr_of(row)
    if not charted(row):
        return "No figures", ""
    variation = VARIATION_SHORT.get(result.variation, "No values")
    if sum(p.value is not None for p in result.points) < 2:
        variation = "Too few months"
    return variation, ASSURANCE_SHORT.get(result.assurance, "")


def band_name(band: str | None) -> str:
    return BAND_NAMES.get(band, "") if band else ""


def month_heading(month: str) -> str:
    return short_label(month)


# --- tables: the workbook's and the API's, and the data table under each chart ---------------


def _round(value: float | None) -> float | int | None:
    return None if value is None else plain(round(value, 1))


def _ranges(row: dict) -> dict[str, str]:
    """Each band's range in words (a band on both sides of a two-sided indicator joined)."""
    out: dict[str, list[str]] = {}
    for item in (row["thresholds"] or {}).get("ranges", []):
        out.setdefault(item["band"], []).append(item["range"])
    return {band: " or ".join(texts) for band, texts in out.items()}


def board_rows(section: dict) -> list[dict]:
    """The board table's rows in words and numbers, for the page and the board paper."""
    rows = []
    for row in section["rows"]:
        recent = row["points"][-len(section["recent"]) :]
        variation, assurance = spc_text(row)
        th = row["thresholds"]
        rows.append(
            {
                "key": row["key"],
                "name": row["name"],
                "rated": bool(th and th["bands"]),
                "ranges": _ranges(row),
                "values": [value_text(row, p["value"]) for p in recent],
                "band": row["band"],
                "band_name": band_name(row["band"]),
                "england": england_text(row),
                "comparators": [
                    f"{c['label']}: {value_text(row, c['figure'])}"
                    for c in (th["comparators"] if th else [])
                ],
                "variation": variation,
                "assurance": assurance,
                "reason": recent[-1]["reason"],
            }
        )
    return rows


BAND_COLUMNS = [Column(b, BAND_NAMES[b], "text") for b in BAND_NAMES]


def board_table(section: dict) -> Table:
    recent = section["recent"]
    columns = [
        Column("indicator", "Indicator", "text"),
        Column("key", "Key", "text"),
        Column("unit", "Unit", "text"),
        *BAND_COLUMNS,
        Column("bands_from", "Bands in force from", "text"),
        *(Column(k, short_label(m), "num") for k, m in zip(VALUE_KEYS, recent, strict=True)),
        Column("numerator", "Numerator"),
        Column("denominator", "Denominator"),
        Column("band", "Band", "text"),
        Column("england", "England", "num"),
        Column("england_year", "England year"),
        Column("variation", "SPC variation", "text"),
        Column("assurance", "SPC assurance", "text"),
        Column("reason", "Why there is no figure", "text"),
    ]
    rows = []
    for row, words in zip(section["rows"], board_rows(section), strict=True):
        th = row["thresholds"] or {}
        latest = row["points"][-1]
        england = th.get("england") or {}
        rows.append(
            [
                row["name"],
                row["key"],
                UNIT_WORDS.get(row["unit"], row["unit"]),
                *(words["ranges"].get(c.key) for c in BAND_COLUMNS),
                th.get("effective_from") or ("Defaults" if th.get("bands") else "Not rated"),
                *(_round(p["value"]) for p in row["points"][-len(recent) :]),
                latest["numerator"],
                latest["denominator"],
                words["band_name"] or None,
                england.get("figure"),
                england.get("year") if england.get("figure") is not None else None,
                words["variation"],
                words["assurance"] or None,
                latest["reason"],
            ]
        )
    return Table(
        "performance",
        f"Practice performance, {recent[-1]}: bands, the last three months, England and SPC",
        columns,
        rows,
        "Values in the indicator's unit (percentages 0-100). The band is the latest month's, "
        "rated against the bands in force for the report's month when it was built. SPC: "
        "the XmR variation of the latest month with a value, and assurance against Good.",
        empty="No indicators.",
    )


VALUE_KEYS = ("previous_2", "previous_1", "latest")
SERIES_COLUMNS = [
    Column("month", "Month", "text"),
    Column("numerator", "Numerator"),
    Column("denominator", "Denominator"),
    Column("value", "Value", "num"),
    Column("mean", "Mean", "num"),
    Column("lower", "Lower limit", "num"),
    Column("upper", "Upper limit", "num"),
    Column("signal", "SPC signal", "text"),
]


def _series_rows(row: dict) -> list[list]:
    result = xmr_of(row)
    out = []
    for p, spc in zip(row["points"], result.points, strict=True):
        limits = result.limits_of(spc)
        signal = spc.describe() if p["value"] is not None else f"No figure: {p['reason']}"
        out.append(
            [
                p["month"],
                p["numerator"],
                p["denominator"],
                _round(p["value"]),
                *(_round(v) for v in (limits.mean, limits.lower, limits.upper)),
                signal,
            ]
        )
    return out


def series_table(section: dict) -> Table:
    """Every indicator's 12 months, one row per indicator and month (the charts' data)."""
    rows = [
        [row["name"], row["key"], *values]
        for row in section["rows"]
        for values in _series_rows(row)
    ]
    return Table(
        "performance_series",
        "Practice performance: 12 months of each indicator with its XmR mean and limits",
        [Column("indicator", "Indicator", "text"), Column("key", "Key", "text"), *SERIES_COLUMNS],
        rows,
        "Mean and process limits of each indicator's XmR chart (mean ± 2.66 times the mean "
        "moving range).",
        empty="No indicators.",
    )


def chart_table(row: dict) -> Table:
    """The data table under one indicator's chart."""
    result = xmr_of(row)
    unit = "%" if row["unit"] == "percent" else ""
    target = f" Target (Good or better): {result.target.describe(unit)}." if result.target else ""
    return Table(
        f"perf_{row['key']}",
        f"{row['name']}: 12 months with process limits",
        SERIES_COLUMNS,
        _series_rows(row),
        f"Variation: {result.variation_text}. Assurance: {result.assurance_text}.{target}"
        + "".join(f" {w}" for w in result.warnings),
    )


def performance_tables(section: dict) -> list[Table]:
    """The section's tables for the workbook, the API and the appendix."""
    return [board_table(section), series_table(section)]
