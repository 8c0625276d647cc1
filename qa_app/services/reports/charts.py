"""SVG charts drawn on the server: the same markup goes into the web page and the PDF.

Each chart carries a ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), axis labels,
and sits next to its data table in the report; the XmR chart of a monthly series is in
``spc_chart``. Colours and fonts are SVG presentation attributes,
never ``style=`` (the page's Content Security Policy forbids inline styles). Small numbers
(n < 5) are drawn hollow and labelled, not hidden. Plain string building keeps this dependency
free: the charts are simple, and WeasyPrint renders SVG itself.
"""

from itertools import count
from xml.sax.saxutils import escape

from markupsafe import Markup

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


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
