"""SVG charts drawn on the server: the same markup goes into the web page and the PDF.

Each chart carries a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), axis labels,
and sits next to its data table in the report. Colours and fonts are SVG presentation attributes,
never ``style=`` (the page's Content Security Policy forbids inline styles). Small numbers
(n < 5) are drawn hollow and labelled, not hidden. Plain string building keeps this dependency
free: the charts are simple, and WeasyPrint renders SVG itself.
"""

from itertools import count
from xml.sax.saxutils import escape

from markupsafe import Markup

from qa_app.services.platform.months import short_label

GRADE_COLOURS = {"1": "#00703c", "2": "#85994b", "3": "#f47738", "4": "#d4351c"}
GRADE_NAMES = {"1": "Outstanding", "2": "Good", "3": "Requires improvement", "4": "Inadequate"}
INK = "#0b0c0c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
BLUE = "#1d70b8"
FONT = 'font-family="Arial, Helvetica, sans-serif"'
_ids = count(1)


def _text(x, y, content, *, size=12, anchor="start", fill=INK, weight="normal", extra=""):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" {extra}>{escape(str(content))}</text>'
    )


def _frame(width, height, title, desc, body, key) -> Markup:
    uid = f"{key}-{next(_ids)}"
    # Every piece of text in *body*, *title* and *desc* is escaped where it is built.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" class="report-chart" '
        f'aria-labelledby="{uid}-t {uid}-d"><title id="{uid}-t">{escape(title)}</title>'
        f'<desc id="{uid}-d">{escape(desc)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>'
    )


def grade_bars(row: dict, title: str) -> Markup:
    """Horizontal bars: audits per reported grade, with count and percentage."""
    width, height, left, top, bar = 640, 210, 170, 40, 30
    n = row["n"]
    scale = (width - left - 90) / max(1, max(row[g] for g in GRADE_NAMES))
    parts = [_text(0, 18, title, size=15, weight="bold")]
    for i, grade in enumerate(GRADE_NAMES):
        y = top + i * (bar + 10)
        value = row[grade]
        share = f" ({100 * value / n:.0f}%)" if n >= 5 else ""
        parts.append(_text(left - 8, y + 20, GRADE_NAMES[grade], anchor="end"))
        parts.append(
            f'<rect x="{left}" y="{y}" width="{max(1, value * scale):.1f}" height="{bar}" '
            f'fill="{GRADE_COLOURS[grade]}"/>'
        )
        parts.append(_text(left + value * scale + 6, y + 20, f"{value}{share}"))
    parts.append(_text(left, height - 4, f"Number of audits (n = {n})", size=11, fill=GREY))
    desc = f"{n} audits: " + ", ".join(f"{GRADE_NAMES[g]} {row[g]}" for g in GRADE_NAMES) + "."
    return _frame(width, height, title, desc, "".join(parts), "grades")


def stacked_grades(rows: list[dict], title: str, axis: str) -> Markup:
    """One 100% bar per row (locality, cohort...) split by grade; small n flagged."""
    left, top, bar, gap = 200, 48, 22, 8
    width = 640
    height = top + len(rows) * (bar + gap) + 40
    span = width - left - 70
    parts = [_text(0, 18, title, size=15, weight="bold")]
    legend_x = 0
    for grade, name in GRADE_NAMES.items():
        parts.append(
            f'<rect x="{legend_x}" y="28" width="10" height="10" fill="{GRADE_COLOURS[grade]}"/>'
        )
        parts.append(_text(legend_x + 14, 37, name, size=11))
        legend_x += 20 + 7 * len(name)
    for i, row in enumerate(rows):
        y = top + i * (bar + gap)
        parts.append(_text(left - 8, y + 15, _short(row["label"], 28), anchor="end", size=11))
        n = row["n"]
        x = float(left)
        for grade in GRADE_NAMES:
            w = span * row[grade] / n if n else 0
            opacity = "0.35" if n < 5 else "1"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" '
                f'fill="{GRADE_COLOURS[grade]}" fill-opacity="{opacity}"/>'
            )
            x += w
        flag = " (n<5)" if n < 5 else ""
        parts.append(_text(left + span + 6, y + 15, f"n={n}{flag}", size=11, fill=GREY))
    parts.append(
        _text(left, height - 8, f"Share of audits by grade, per {axis}", size=11, fill=GREY)
    )
    desc = "; ".join(
        f"{r['label']}: n={r['n']}, good or better "
        f"{'suppressed' if r['good_or_better_pct'] is None else str(r['good_or_better_pct']) + '%'}"
        for r in rows
    )
    return _frame(width, height, title, desc or "No audits.", "".join(parts), "stacked")


def percent_bars(rows: list[tuple[str, float | None, int]], title: str, axis: str) -> Markup:
    """Horizontal bars of a percentage per label (sections, compliance); None drawn as a note."""
    left, top, bar, gap, width = 290, 36, 18, 7, 640
    height = top + len(rows) * (bar + gap) + 36
    span = width - left - 60
    parts = [_text(0, 18, title, size=15, weight="bold")]
    for tick in (0, 25, 50, 75, 100):
        x = left + span * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 30}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
        parts.append(_text(x, height - 18, f"{tick}%", size=10, anchor="middle", fill=GREY))
    for i, (label, value, n) in enumerate(rows):
        y = top + i * (bar + gap)
        parts.append(_text(left - 8, y + 13, _short(label, 44), anchor="end", size=11))
        if value is None:
            parts.append(_text(left + 4, y + 13, f"n={n}: fewer than 5, not shown", size=10))
            continue
        parts.append(
            f'<rect x="{left}" y="{y}" width="{span * value / 100:.1f}" height="{bar}" '
            f'fill="{BLUE}"/>'
        )
        parts.append(_text(left + span * value / 100 + 4, y + 13, f"{value:g}%", size=10))
    parts.append(_text(left, height - 2, axis, size=11, fill=GREY))
    desc = "; ".join(
        f"{label}: {'suppressed' if v is None else f'{v:g}%'}" for label, v, _n in rows
    )
    return _frame(width, height, title, desc or "No data.", "".join(parts), "bars")


def trend_chart(trend: dict, title: str) -> Markup:
    """Monthly % with 95% interval bars, the median line and run-chart signals marked."""
    width, height, left, right, top, bottom = 640, 280, 50, 20, 36, 56
    points = trend["points"]
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(points) - 1)

    def y_of(value):
        return top + plot_h * (1 - value / 100)

    parts = [_text(0, 18, title, size=15, weight="bold")]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, f"{tick}%", size=10, anchor="end", fill=GREY))
    signalled = _signalled_months(trend)
    line, markers = [], []
    for i, p in enumerate(points):
        x = left + i * step
        parts.append(
            _text(x, height - bottom + 16, short_label(p["month"]), size=10, anchor="middle")
        )
        if p["pct"] is None:
            if p["n"]:
                parts.append(_text(x, y_of(4), f"n={p['n']}", size=9, anchor="middle", fill=GREY))
            continue
        if p["low"] is not None:
            markers.append(
                f'<line x1="{x:.1f}" y1="{y_of(p["low"]):.1f}" x2="{x:.1f}" '
                f'y2="{y_of(p["high"]):.1f}" stroke="{GREY}" stroke-width="1.5"/>'
            )
        line.append(f"{x:.1f},{y_of(p['pct']):.1f}")
        colour = "#d4351c" if p["month"] in signalled else BLUE
        markers.append(
            f'<circle cx="{x:.1f}" cy="{y_of(p["pct"]):.1f}" r="4" fill="{colour}" '
            f'stroke="{colour}"/>'
        )
    if line:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        )
    parts.extend(markers)
    if trend["median"] is not None:
        y = y_of(trend["median"])
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{INK}" stroke-width="1" stroke-dasharray="5,4"/>'
        )
        parts.append(_text(left + 4, y - 5, f"median {trend['median']:g}%", size=10))
    parts.append(
        _text(
            left + plot_w / 2,
            height - 18,
            "Month of the audit cycle",
            size=11,
            anchor="middle",
            fill=GREY,
        )
    )
    parts.append(
        _text(
            0,
            height - 4,
            "Vertical bars: 95% Wilson interval. Red points: run-chart signal. "
            "Months with fewer than 5 audits are not plotted.",
            size=10,
            fill=GREY,
        )
    )
    shown = [f"{p['month']} {p['pct']:g}% (n={p['n']})" for p in points if p["pct"] is not None]
    signals = "; ".join(
        f"{s['kind']} {s['direction']} from {s['from']} to {s['to']}" for s in trend["signals"]
    )
    desc = ", ".join(shown) + (f". Signals: {signals}." if signals else ". No run-chart signals.")
    return _frame(width, height, title, desc, "".join(parts), "trend")


def _signalled_months(trend: dict) -> set[str]:
    months = [p["month"] for p in trend["points"]]
    out: set[str] = set()
    for signal in trend["signals"]:
        start, end = months.index(signal["from"]), months.index(signal["to"])
        out.update(months[start : end + 1])
    return out


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
