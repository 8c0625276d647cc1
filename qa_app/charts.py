"""Small SVG charts drawn on the server, so a page (and a PDF of it) shows the same picture.

Each chart has a <title> and <desc> (referenced by aria-labelledby), axis labels, and is shown
next to a table of the same figures. Colours are SVG presentation attributes, not style
attributes, so the Content Security Policy (no inline styles) holds. Each chart is WIDTH units
wide with FONT-unit text and is shown at WIDTH px, so its text is the body's 16 px.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

BLUE = "#1d70b8"
RED = "#d4351c"
GREY = "#505a5f"
LIGHT = "#b1b4b6"
WIDTH = 800
FONT = 16
CHAR = 10  # a character's width at FONT, estimated for DejaVu Sans (wider than Arial)
_ids = count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    note: str = ""  # e.g. "n=7, few pairs"


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qa-chart" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" role="img"'
        f' aria-labelledby="{uid}-title {uid}-desc"'
        f' font-family="Arial, sans-serif" font-size="{FONT}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    return uid, head


def diverging_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    axis_label: str,
    limit: float,
    value_format: str = "{:+.2f}",
) -> Markup:
    """Horizontal bars either side of zero (e.g. the optimism index by auditor)."""
    row, left, right, top = 30, 260, 230, 30
    plot = WIDTH - left - right
    width, height = WIDTH, top + row * max(len(bars), 1) + 56
    zero = left + plot / 2
    scale = (plot / 2) / limit
    _, out = _open(width, height, title, desc)
    for index, bar in enumerate(bars):
        y = top + index * row
        out.append(
            f'<text x="{left - 8}" y="{y + 20}" text-anchor="end" fill="#0b0c0c">'
            f"{escape(_short(bar.label, (left - 16) // CHAR))}</text>"
        )
        if bar.value is None:
            out.append(f'<text x="{zero + 6}" y="{y + 20}" fill="{GREY}">no pairs</text>')
            continue
        clipped = max(-limit, min(limit, bar.value))
        x, w = (
            (zero + clipped * scale, -clipped * scale) if clipped < 0 else (zero, clipped * scale)
        )
        colour = RED if bar.value < 0 else BLUE
        out.append(
            f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row - 8}"'
            f' fill="{colour}"/>'
        )
        text = value_format.format(bar.value) + (f" ({bar.note})" if bar.note else "")
        out.append(f'<text x="{left + plot + 6}" y="{y + 20}" fill="#0b0c0c">{escape(text)}</text>')
    bottom = top + row * max(len(bars), 1)
    out.append(f'<line x1="{zero}" y1="{top - 6}" x2="{zero}" y2="{bottom + 4}" stroke="#0b0c0c"/>')
    for tick in (-limit, -limit / 2, 0, limit / 2, limit):
        x = zero + tick * scale
        out.append(f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 6}" stroke="{GREY}"/>')
        out.append(
            f'<text x="{x}" y="{bottom + 22}" text-anchor="middle" fill="{GREY}">'
            f"{value_format.format(tick)}</text>"
        )
    out.append(
        f'<text x="{zero}" y="{bottom + 46}" text-anchor="middle" fill="#0b0c0c">'
        f"{escape(axis_label)}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated value is escaped or numeric


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    y_min: float,
    y_max: float,
    value_format: str = "{:.2f}",
    reference: float | None = None,
) -> Markup:
    """One series over time (e.g. kappa by month); gaps where a value is undefined."""
    left, right, top, bottom_pad = 76, 20, 20, 64
    plot_w, plot_h = WIDTH - left - right, 220
    width, height = WIDTH, top + plot_h + bottom_pad
    _, out = _open(width, height, title, desc)

    def y_of(value: float) -> float:
        return top + plot_h - (value - y_min) / (y_max - y_min) * plot_h

    for step in range(5):
        value = y_min + (y_max - y_min) * step / 4
        y = y_of(value)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{LIGHT}"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" fill="{GREY}">'
            f"{value_format.format(value)}</text>"
        )
    if reference is not None:
        y = y_of(reference)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#0b0c0c"'
            ' stroke-dasharray="4 3"/>'
        )
    step_x = plot_w / max(len(points), 1)
    # However many months, the chart keeps its width and its text size: labels thin out.
    widest = max((len(label) for label, _value in points), default=1) * CHAR + 12
    every = max(1, math.ceil(widest / step_x))
    path, dots = [], []
    for index, (label, value) in enumerate(points):
        x = left + step_x * (index + 0.5)
        if index % every == 0:
            out.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 22}" text-anchor="middle" fill="{GREY}">'
                f"{escape(label)}</text>"
            )
        if value is None:
            path.append(None)
            continue
        y = y_of(max(y_min, min(y_max, value)))
        path.append((x, y))
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BLUE}"/>')
    segment: list[tuple[float, float]] = []
    for point in [*path, None]:
        if point is None:
            if len(segment) > 1:
                coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                out.append(
                    f'<polyline points="{coords}" fill="none" stroke="{BLUE}" stroke-width="3"/>'
                )
            segment = []
        else:
            segment.append(point)
    out.extend(dots)
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle" fill="#0b0c0c">'
        f"{escape(x_label)}</text>"
    )
    out.append(
        f'<text x="18" y="{top + plot_h / 2}" text-anchor="middle" fill="#0b0c0c"'
        f' transform="rotate(-90 18 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated value is escaped or numeric


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
