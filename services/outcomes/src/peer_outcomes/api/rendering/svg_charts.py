"""Small bar charts as inline SVG: no scripts, no fonts or images to fetch, readable when printed.

A value that is not a number (a suppressed count such as `<5`) gets no bar, only its marker, so a chart
never shows more than the table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 56
COLOURS = ("#005eb8", "#ffb81c", "#009639", "#7c2855")


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[object]]]) -> str:
    """Vertical bars, one group per label and one bar per series in each group."""
    numbers = [n for _, values in series for n in map(_number, values) if n is not None]
    top = max(numbers, default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(labels), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" width="{WIDTH}" height="{HEIGHT}" font-family="Arial, sans-serif" '
        'font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#425563"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, (_, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            x = x0 + j * bar_w
            number = _number(value)
            if number is None:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" '
                    f'fill="#768692">{escape(str(value if value is not None else "-"))}</text>'
                )
                continue
            h = plot_h * number / top
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w * 0.9:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(label)}: {_fmt(number)}</title></rect>'
            )
        label_x = x0 + group_w * 0.4
        parts.append(
            f'<text x="{label_x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    if len(series) > 1:
        for j, (name, _) in enumerate(series):
            x = LEFT + j * 140
            parts.append(
                f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>'
                f'<text x="{x + 14}" y="{HEIGHT - 9}">{escape(name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"
