"""The XmR chart as server-drawn SVG, and the Making Data Count icons on their own.

``xmr_chart(result, title=..., measure=...)`` draws a ``platform.spc.XmrResult``: the values,
the mean (solid) and process limits (dashed) of each period, the target, special-cause points
coloured and shaped by kind (improvement blue circle, concern orange square, neither purple
triangle, common cause small grey circle, so print in grey still tells them apart), the
variation and assurance icons top right, a sentence saying what each point counts and a legend.
``spc_icon(kind, key)`` draws one icon alone (for tables and dashboards).

Sizes: the viewBox is 800 wide with no text under 16 units, as every report chart
(``charts.WIDTH``, ``charts.TEXT``), so the chart is drawn at 800 px in the page (16 px text, the
body size) and at 150 mm in the board paper and its PDF (16 units print at 8.5 pt, the size of
its tables). Colours meet 3:1 against white (WCAG 1.4.11); the
NHS palette's lighter blue and grey do not, so GOV.UK's blue and grey stand in for them.
"""

import math
from xml.sax.saxutils import escape

from markupsafe import Markup

from qa_app.services.platform.months import short_label
from qa_app.services.platform.spc import ASSURANCE_TEXT, VARIATION_TEXT, XmrResult
from qa_app.services.reports.charts import GREY, INK, _frame, _text

WIDTH = 800
FONT = 16
TITLE_FONT = 18
IMPROVEMENT = "#1d70b8"
CONCERN = "#e46c0a"
NEITHER = "#490092"
COMMON = GREY
TARGET = "#d4351c"
LINE = "#6f777b"
KIND_COLOURS = {
    "common_cause": COMMON,
    "improvement": IMPROVEMENT,
    "concern": CONCERN,
    "neither": NEITHER,
}
KIND_NAMES = {
    "common_cause": "Common cause",
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neither": "Special cause: neither better nor worse",
}
LEFT, PLOT_RIGHT, PLOT_H = 72, 672, 220
# Widths are estimated for DejaVu Sans, the widest sans-serif a server is likely to fall back
# on when Arial is missing: 10 px a character at 16 px, 11.5 at 18 px bold.
CHAR = 10
CHARS_PER_LINE = WIDTH // CHAR


def _marker(kind: str, x: float, y: float) -> str:
    colour = KIND_COLOURS[kind]
    if kind == "concern":
        return (
            f'<rect x="{x - 7:.1f}" y="{y - 7:.1f}" width="14" height="14" fill="{colour}" '
            'stroke="#ffffff" stroke-width="1.5"/>'
        )
    if kind == "neither":
        return (
            f'<polygon points="{x:.1f},{y - 9:.1f} {x + 8:.1f},{y + 6:.1f} {x - 8:.1f},{y + 6:.1f}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
        )
    radius = 7.5 if kind == "improvement" else 5
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" stroke="#ffffff" '
        'stroke-width="1.5"/>'
    )


def _icon_body(group: str, key: str | None, cx: float, cy: float) -> str:
    """One round icon: variation (a run of dots, H or L) or assurance (P, F or ?)."""
    if group == "variation":
        kind = "common_cause" if key in (None, "common_cause") else key.rsplit("_", 1)[0]
        colour = KIND_COLOURS[kind]
        letter = "" if kind == "common_cause" else key.rsplit("_", 1)[1][0].upper()
        lift = {"H": -6, "L": 6}.get(letter, 0)
        dots = [(-12, 2), (-6, -3), (0, 3), (6, lift or -2), (12, lift or 2)]
        body = (
            f'<polyline points="{" ".join(f"{cx + dx},{cy + dy}" for dx, dy in dots)}" '
            f'fill="none" stroke="{colour}" stroke-width="1.5"/>'
            + "".join(
                f'<circle cx="{cx + dx}" cy="{cy + dy}" r="2.5" fill="{colour}"/>'
                for dx, dy in dots
            )
        )
        if letter:
            body += _text(
                cx,
                cy + (17 if letter == "H" else -7),
                letter,
                size=FONT,
                anchor="middle",
                fill=colour,
                weight="bold",
            )
    else:
        colour, letter = {
            "always_meets": (IMPROVEMENT, "P"),
            "never_meets": (CONCERN, "F"),
            "may_or_may_not": (COMMON, "?"),
        }[key]
        body = _text(
            cx, cy + 6, letter, size=TITLE_FONT, anchor="middle", fill=colour, weight="bold"
        )
    ring = f'<circle cx="{cx}" cy="{cy}" r="22" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    return ring + body


def icon_text(group: str, key: str | None) -> str:
    if group == "variation":
        return VARIATION_TEXT.get(key, "No values to assess")
    return ASSURANCE_TEXT.get(key, "No target set")


def spc_icon(group: str, key: str | None) -> Markup:
    """A 48 px icon alone: *group* "variation" or "assurance", *key* the result's mark (an
    assurance icon needs a mark: without a target there is none to draw)."""
    label = escape(icon_text(group, key), {'"': "&quot;"})
    # Built from constants and an escaped label only.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48" '
        f'role="img" aria-label="{label}" class="spc-icon">{_icon_body(group, key, 24, 24)}</svg>'
    )


def _nice_step(span: float) -> float:
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _y_range(result: XmrResult, bounds) -> tuple[float, float, float]:
    numbers = [p.value for p in result.points if p.value is not None]
    for lim in result.periods:
        numbers += [v for v in (lim.mean, lim.lower, lim.upper) if v is not None]
    if result.target:
        numbers += [v for v in (result.target.low, result.target.high) if v is not None]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    floor, ceiling = bounds
    low = low if floor is None else max(floor, low)
    high = high if ceiling is None else min(ceiling, high)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if floor is not None:
        low = max(floor, low)
    if ceiling is not None:
        high = min(ceiling, high)
    return low, high, step


def _fmt(value: float, unit: str) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") + unit


def _wrap(text: str, limit: int = CHARS_PER_LINE) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _right_labels(items: list[tuple[float, str, str]]) -> list[str]:
    """Labels at the right of the plot, pushed apart so that none overlap."""
    placed: list[tuple[float, str, str]] = []
    for y, text, colour in sorted(items):
        if placed and y - placed[-1][0] < FONT + 2:
            y = placed[-1][0] + FONT + 2
        placed.append((y, text, colour))
    return [
        _text(PLOT_RIGHT + 8, y + 5, text, size=FONT, fill=colour) for y, text, colour in placed
    ]


def xmr_chart(
    result: XmrResult,
    *,
    title: str,
    measure: str,
    unit: str = "",
    bounds: tuple[float | None, float | None] = (None, None),
) -> Markup:
    """The XmR chart of *result*. *measure* says what each point counts (shown under the
    chart); *unit* follows every value ("%"); *bounds* clamp the axis (0, 100 for a %)."""
    low, high, step = _y_range(result, bounds)
    plot_w = PLOT_RIGHT - LEFT
    count = max(1, len(result.points))
    slot = plot_w / count

    def x_of(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    def y_of(value: float) -> float:
        return top + PLOT_H * (1 - (value - low) / (high - low))

    def inside(value: float | None) -> bool:
        return value is not None and low - 1e-9 <= value <= high + 1e-9

    heading = _wrap(title, (WIDTH - 120) * 2 // 23)
    parts = [
        _text(0, 22 + 24 * j, line, size=TITLE_FONT, weight="bold")
        for j, line in enumerate(heading)
    ]
    top = 54 + 24 * len(heading)
    if result.assurance:
        parts.append(_icon_body("variation", result.variation, WIDTH - 80, 34))
        parts.append(_icon_body("assurance", result.assurance, WIDTH - 26, 34))
    else:
        parts.append(_icon_body("variation", result.variation, WIDTH - 26, 34))
    tick = low
    while tick <= high + 1e-9:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" stroke="#e5e6e7" '
            'stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 8, y + 5, _fmt(tick, unit), size=FONT, anchor="end", fill=GREY))
        tick += step
    every = max(1, math.ceil(count * 46 / plot_w))  # a month label needs about 46 px
    last_year = None
    for i, point in enumerate(result.points):
        if i % every:
            continue
        year = point.month[:4]
        parts.append(
            _text(
                x_of(i),
                top + PLOT_H + 22,
                short_label(point.month)[:3],
                size=FONT,
                anchor="middle",
                fill=GREY,
            )
        )
        if year != last_year:
            parts.append(
                _text(x_of(i), top + PLOT_H + 42, year, size=FONT, anchor="middle", fill=GREY)
            )
            last_year = year
    lines, right = _period_lines(result, x_of, y_of, inside, slot, unit)
    parts.extend(lines)
    if result.target:
        for value in {result.target.low, result.target.high} - {None}:
            if inside(value):
                y = y_of(value)
                parts.append(
                    f'<line x1="{LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" '
                    f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="2,4"/>'
                )
                right.append((y, f"Target {_fmt(value, unit)}", TARGET))
    parts.extend(_right_labels(right))
    parts.extend(_series(result, x_of, y_of, bounds))
    bottom = top + PLOT_H + 50
    caption = _wrap(measure)
    for j, line in enumerate(caption):
        parts.append(_text(0, bottom + 22 + 22 * j, line, size=FONT, fill=INK))
    legend_top = bottom + 22 * len(caption) + 24
    legend, height = _legend(result, legend_top)
    parts.extend(legend)
    return _frame(WIDTH, height, title, _describe(result, measure, unit), "".join(parts), "xmr")


def _period_lines(result, x_of, y_of, inside, slot, unit):
    parts, right = [], []
    for number, lim in enumerate(result.periods):
        members = [i for i, p in enumerate(result.points) if p.period == number]
        if not members or lim.mean is None:
            continue
        x1, x2 = x_of(members[0]) - slot / 2 + 2, x_of(members[-1]) + slot / 2 - 2
        latest = number == len(result.periods) - 1
        for value, name, dash, colour in (
            (lim.mean, "Mean", "", INK),
            (lim.upper, "Upper", ' stroke-dasharray="8,5"', GREY),
            (lim.lower, "Lower", ' stroke-dasharray="8,5"', GREY),
        ):
            if not inside(value):
                continue
            y = y_of(value)
            parts.append(
                f'<line x1="{x1:.1f}" y1="{y:.1f}" x2="{x2:.1f}" y2="{y:.1f}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
            if latest:
                right.append((y, f"{name} {_fmt(value, unit)}", colour))
    return parts, right


def _series(result, x_of, y_of, bounds) -> list[str]:
    parts, segment, markers = [], [], []
    floor, ceiling = bounds

    def flush() -> None:
        if len(segment) > 1:
            parts.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{LINE}" '
                'stroke-width="2"/>'
            )
        segment.clear()

    for i, point in enumerate(result.points):
        if point.value is None:
            flush()
            continue
        value = point.value
        value = value if floor is None else max(floor, value)
        value = value if ceiling is None else min(ceiling, value)
        x, y = x_of(i), y_of(value)
        segment.append(f"{x:.1f},{y:.1f}")
        markers.append(_marker(point.kind, x, y))
    flush()
    return parts + markers


def _legend(result: XmrResult, top: float) -> tuple[list[str], int]:
    kinds = ["common_cause"] + (
        ["neither"] if result.direction == "neither" else ["improvement", "concern"]
    )
    items: list[tuple[str, str]] = []
    for kind in kinds:
        items.append((_marker(kind, 0, 0), KIND_NAMES[kind]))
    items.append(
        (f'<line x1="-10" y1="0" x2="10" y2="0" stroke="{INK}" stroke-width="2"/>', "Mean")
    )
    items.append(
        (
            f'<line x1="-10" y1="0" x2="10" y2="0" stroke="{GREY}" stroke-width="2" '
            'stroke-dasharray="8,5"/>',
            "Process limits",
        )
    )
    if result.target:
        items.append(
            (
                f'<line x1="-10" y1="0" x2="10" y2="0" stroke="{TARGET}" stroke-width="2" '
                'stroke-dasharray="2,4"/>',
                "Target",
            )
        )
    parts, x, y = [], 12.0, top
    for marker, label in items:
        width = 30 + len(label) * CHAR
        if x + width > WIDTH:
            x, y = 12.0, y + 26
        parts.append(f'<g transform="translate({x:.1f},{y - 5:.1f})">{marker}</g>')
        parts.append(_text(x + 18, y, label, size=FONT))
        x += width + 14
    return parts, int(y + 14)


def _describe(result: XmrResult, measure: str, unit: str) -> str:
    lim = result.latest
    head = [f"XmR chart. {measure}"]
    if lim is not None and lim.mean is not None:
        if lim.lower is not None:
            head.append(
                f"Mean {_fmt(lim.mean, unit)}, process limits {_fmt(lim.lower, unit)} to "
                f"{_fmt(lim.upper, unit)}."
            )
        else:
            head.append(f"Mean {_fmt(lim.mean, unit)}.")
    head.append(f"Variation: {result.variation_text}. Assurance: {result.assurance_text}.")
    months = "; ".join(
        f"{p.month} {_fmt(p.value, unit)} {p.describe().lower()}"
        for p in result.points
        if p.value is not None
    )
    return " ".join([*head, f"Months: {months}." if months else "No values.", *result.warnings])
