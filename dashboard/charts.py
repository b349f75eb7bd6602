"""Charts as inline SVG drawn on the server: no JavaScript, no external library, works offline.

Right-to-left pages get mirrored charts (labels on the right, bars growing leftward, oldest
week on the right), as Arabic readers expect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#999999")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str


def _text(x: float, y: float, content: str, anchor: str, size: int = 12,
          extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
            f'{extra}>{escape(content)}</text>')


def horizontal_bars(items: Sequence[tuple[str, int]], title: str, *, rtl: bool,
                    colour: str = PALETTE[0], width: int = 520) -> Markup:
    """One bar per item, its value written at the end of the bar."""
    row, label_width, gap = 26, 150, 8
    height = max(1, len(items)) * row + 10
    top = max((value for _, value in items), default=0) or 1
    room = width - label_width - 50
    parts = [_svg_open(width, height, title)]
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = room * value / top
        if rtl:
            label_x, bar_x, value_x, anchor, value_anchor = (
                width - 4, width - label_width - length, width - label_width - length - gap,
                "end", "end",
            )
        else:
            label_x, bar_x, value_x, anchor, value_anchor = (
                4, label_width, label_width + length + gap, "start", "start",
            )
        parts.append(_text(label_x, y + 15, label, anchor))
        parts.append(f'<rect x="{bar_x:.1f}" y="{y + 3}" width="{max(length, 1):.1f}" '
                     f'height="{row - 8}" fill="{colour}"><title>{escape(label)}: {value}'
                     f'</title></rect>')
        parts.append(_text(value_x, y + 15, str(value), value_anchor))
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(labels: Sequence[str], series: Sequence[Series], title: str, *, rtl: bool,
                    width: int = 720, height: int = 260) -> Markup:
    """One column per label (a week), stacked by series (a category), with a legend below."""
    count = max(1, len(labels))
    legend_rows = -(-len(series) // 3)
    plot_top, plot_bottom, side = 10, height - 40 - legend_rows * 20, 36
    plot_height = plot_bottom - plot_top
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    slot = (width - 2 * side) / count
    bar = slot * 0.7
    parts = [_svg_open(width, height, title)]
    axis_x = width - side if rtl else side
    parts.append(f'<line x1="{axis_x}" y1="{plot_top}" x2="{axis_x}" y2="{plot_bottom}" '
                 f'stroke="#888"/>')
    parts.append(f'<line x1="{side}" y1="{plot_bottom}" x2="{width - side}" y2="{plot_bottom}" '
                 f'stroke="#888"/>')
    parts.append(_text(axis_x + (6 if rtl else -6), plot_top + 10, str(top),
                       "start" if rtl else "end", 11))
    for index, label in enumerate(labels):
        position = count - 1 - index if rtl else index
        x = side + position * slot + (slot - bar) / 2
        y = float(plot_bottom)
        for entry in series:
            value = entry.values[index]
            if not value:
                continue
            bar_height = plot_height * value / top
            y -= bar_height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                         f'height="{bar_height:.1f}" fill="{entry.colour}"><title>'
                         f'{escape(label)} · {escape(entry.label)}: {value}</title></rect>')
        if totals[index]:
            parts.append(_text(x + bar / 2, y - 3, str(totals[index]), "middle", 10))
        parts.append(_text(x + bar / 2, plot_bottom + 15, label, "middle", 10))
    for index, entry in enumerate(series):
        column, line = index % 3, index // 3
        y = plot_bottom + 30 + line * 20
        if rtl:
            x = width - side - column * (width - 2 * side) / 3
            parts.append(f'<rect x="{x - 12:.1f}" y="{y}" width="12" height="12" '
                         f'fill="{entry.colour}"/>')
            parts.append(_text(x - 18, y + 11, entry.label, "end", 12))
        else:
            x = side + column * (width - 2 * side) / 3
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" '
                         f'fill="{entry.colour}"/>')
            parts.append(_text(x + 18, y + 11, entry.label, "start", 12))
    parts.append("</svg>")
    return Markup("".join(parts))


def _svg_open(width: int, height: int, title: str) -> str:
    # direction="ltr": coordinates and text anchors mean the same on RTL pages.
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" direction="ltr" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>')
