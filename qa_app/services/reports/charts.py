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
# Every chart is drawn WIDTH units wide with no text under TEXT units, and shown at WIDTH px in
# the page, so its text is the body's 16 px; the board paper prints every chart at one width
# (templates/reports/board_paper.html), so their text matches its 8.5 pt tables.
WIDTH = 800
TEXT = 16
TITLE = 18
# Widths are estimated for DejaVu Sans, the widest sans-serif a server is likely to fall back on
# when Arial is missing: 10 units a character at 16, 11.5 at 18 bold.
CHAR = 10
TITLE_CHAR = 11.5
_ids = count(1)


def _text(x, y, content, *, size=TEXT, anchor="start", fill=INK, weight="normal", extra=""):
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


def wrap(text: str, chars: int, lines: int | None = None) -> list[str]:
    """*text* in lines of at most *chars* characters (a longer word stands alone); with *lines*,
    at most that many, the last cut short with an ellipsis."""
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out = [*out, line] if line else out
    if lines is not None and len(out) > lines:
        out = [*out[: lines - 1], _short(" ".join(out[lines - 1 :]), chars)]
    return out


def _heading(title: str) -> tuple[list[str], float]:
    """The chart's title in bold lines across the chart, and the y below it."""
    lines = wrap(title, int(WIDTH / TITLE_CHAR))
    parts = [_text(0, 20 + 24 * i, line, size=TITLE, weight="bold") for i, line in enumerate(lines)]
    return parts, 20 + 24 * len(lines)


def grade_bars(row: dict, title: str) -> Markup:
    """Horizontal bars: audits per reported grade, with count and percentage."""
    left, bar, gap = 230, 28, 12
    n = row["n"]
    scale = (WIDTH - left - 130) / max(1, max(row[g] for g in GRADE_NAMES))
    parts, top = _heading(title)
    top += 14
    for i, grade in enumerate(GRADE_NAMES):
        y = top + i * (bar + gap)
        value = row[grade]
        share = f" ({100 * value / n:.0f}%)" if n >= 5 else ""
        parts.append(_text(left - 10, y + 20, GRADE_NAMES[grade], anchor="end"))
        parts.append(
            f'<rect x="{left}" y="{y}" width="{max(1, value * scale):.1f}" height="{bar}" '
            f'fill="{GRADE_COLOURS[grade]}"/>'
        )
        parts.append(_text(left + value * scale + 8, y + 20, f"{value}{share}"))
    height = top + 4 * (bar + gap) + 24
    parts.append(_text(left, height - 8, f"Number of audits (n = {n})", fill=GREY))
    desc = f"{n} audits: " + ", ".join(f"{GRADE_NAMES[g]} {row[g]}" for g in GRADE_NAMES) + "."
    return _frame(WIDTH, height, title, desc, "".join(parts), "grades")


def _legend(top: float) -> tuple[list[str], float]:
    """The grade colours in a row (two if they do not fit), and the y below them."""
    parts, x, y = [], 0.0, top
    for grade, name in GRADE_NAMES.items():
        width = 22 + CHAR * len(name)
        if x and x + width > WIDTH:
            x, y = 0.0, y + 24
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 13:.1f}" width="14" height="14" '
            f'fill="{GRADE_COLOURS[grade]}"/>'
        )
        parts.append(_text(x + 20, y, name))
        x += width + 22
    return parts, y + 12


def stacked_grades(rows: list[dict], title: str, axis: str) -> Markup:
    """One 100% bar per row (locality, cohort...) split by grade; small n flagged."""
    left, bar, gap = 240, 26, 10
    span = WIDTH - left - 130
    parts, top = _heading(title)
    legend, top = _legend(top + 22)
    parts += legend
    top += 12
    for i, row in enumerate(rows):
        y = top + i * (bar + gap)
        parts.append(_text(left - 10, y + 19, _short(row["label"], 22), anchor="end"))
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
        parts.append(_text(left + span + 8, y + 19, f"n={n}{flag}", fill=GREY))
    height = top + len(rows) * (bar + gap) + 30
    parts.append(_text(left, height - 10, f"Share of audits by grade, per {axis}", fill=GREY))
    desc = "; ".join(
        f"{r['label']}: n={r['n']}, good or better "
        f"{'suppressed' if r['good_or_better_pct'] is None else str(r['good_or_better_pct']) + '%'}"
        for r in rows
    )
    return _frame(WIDTH, height, title, desc or "No audits.", "".join(parts), "stacked")


def percent_bars(rows: list[tuple[str, float | None, int]], title: str, axis: str) -> Markup:
    """Horizontal bars of a percentage per label (sections, compliance); None drawn as a note.
    Long labels take two lines."""
    left, bar, line = 320, 22, 19
    span = WIDTH - left - 70
    label_chars = (left - 14) // CHAR
    parts, top = _heading(title)
    top += 16
    body, y = [], float(top)
    for label, value, n in rows:
        lines = wrap(label, label_chars, 2)
        pitch = max(bar + 10, line * len(lines) + 10)
        middle = y + pitch / 2 - 5
        first = middle - line * (len(lines) - 1) / 2 + 6
        body += [_text(left - 10, first + line * j, t, anchor="end") for j, t in enumerate(lines)]
        if value is None:
            body.append(_text(left + 6, middle + 6, f"n={n}: fewer than 5, not shown"))
        else:
            body.append(
                f'<rect x="{left}" y="{middle - bar / 2:.1f}" width="{span * value / 100:.1f}" '
                f'height="{bar}" fill="{BLUE}"/>'
            )
            body.append(_text(left + span * value / 100 + 6, middle + 6, f"{value:g}%"))
        y += pitch
    grid = []
    for tick in (0, 25, 50, 75, 100):
        x = left + span * tick / 100
        grid.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{y + 2:.1f}" '
            f'stroke="{LIGHT}" stroke-width="1"/>'
        )
        grid.append(_text(x, y + 22, f"{tick}%", anchor="middle", fill=GREY))
    axis_lines = wrap(axis, (WIDTH - left) // CHAR)
    notes = [_text(left, y + 46 + 20 * j, t, fill=GREY) for j, t in enumerate(axis_lines)]
    height = int(y + 46 + 20 * len(axis_lines))
    desc = "; ".join(
        f"{label}: {'suppressed' if v is None else f'{v:g}%'}" for label, v, _n in rows
    )
    body = "".join(parts + grid + body + notes)
    return _frame(WIDTH, height, title, desc or "No data.", body, "bars")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
