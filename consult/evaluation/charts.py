"""The evaluation's charts, drawn by pygal as standalone SVG files.

Each chart is its own ``image/svg+xml`` response shown with ``<img>``: its CSS lives inside the
SVG file (a page's Content-Security-Policy does not govern an image), pygal's JavaScript is left
out, and the page keeps the same figures in a table, which is what screen readers read. Bars
are horizontal so that community names and months stay whole on a 375 px phone; the fonts are
sized for a chart drawn about as wide as a phone, and larger again in large-text mode.
"""

from __future__ import annotations

import pygal
from pygal.etree import etree
from pygal.style import Style

WIDTH = 420  #: the SVG's own width; a phone shows it at about 340 px, so fonts shrink by a fifth at most
FONTS = "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def _style(large: bool) -> Style:
    size = 20 if large else 15
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#000000",
        foreground_subtle="#555555",
        colors=("#000000",) if large else ("#a3211a",),
        opacity=".25",
        opacity_hover=".25",
        font_family=FONTS,
        label_font_size=size,
        major_label_font_size=size,
        value_font_size=size,
        title_font_size=size + 2,
        legend_font_size=size,
        tooltip_font_size=size,
        no_data_font_size=size + 2,
        value_colors=("#000000",),
        stroke_opacity="1",
        stroke_width="2",
    )


def bar_chart(title: str, x_title: str, rows: list[tuple[str, float | None]], *, no_data: str, large: bool = False) -> bytes:
    """A horizontal bar chart of ``rows`` (label, value 0–100 or None), top to bottom, values printed on the bars."""
    row_height = 44 if large else 34
    chart = pygal.HorizontalBar(
        style=_style(large),
        width=WIDTH,
        height=140 + row_height * max(1, len(rows)),
        title=title,
        x_title=x_title,
        show_legend=False,
        print_values=True,
        print_values_position="center",
        range=(0, 100),
        y_labels=[0, 25, 50, 75, 100],
        value_formatter=lambda v: f"{v:.0f}",
        formatter=lambda v: f"{v:.1f}",
        truncate_label=-1,
        js=[],
        no_data_text=no_data,
        margin=8,
        margin_right=16,
        show_x_guides=False,
        spacing=6,
    )
    # pygal draws the first label at the bottom; reverse so the list reads top to bottom.
    shown = list(reversed(rows))
    chart.x_labels = [label for label, _ in shown]
    chart.add(title, [None if value is None else round(value, 1) for _, value in shown])
    return _without_scripts(chart.render_tree())


def _without_scripts(tree) -> bytes:
    """pygal always writes an inline config <script>, even with js=[]: the file carries none."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(tree, encoding="utf-8", xml_declaration=False)
