"""The furniture of a slide image: the figure and its axes, the view, a scale bar and a north
arrow, the legend and colour bar, the title and the footer of source, period, method and
version."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from hotspot.disclosure import disclosure_note
from hotspot.errors import HotspotInputError
from hotspot.maps._facts import made_with, result_facts
from hotspot.maps._png_draw import DrawnLayer
from hotspot.maps._style import format_number

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FOOTER_SIZE = 6.5


LEGEND_SIZE = 8.0


TITLE_SIZE = 14.0


def nice_length(width: float, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k) nearest to ``fraction`` × ``width``.

    "Nearest" is on a log scale, so the bar is between about 0.13 and 0.32 of the width.

    Examples
    --------
    >>> nice_length(43_000), nice_length(1_200), nice_length(7_000)
    (10000.0, 200.0, 1000.0)
    """
    if not (math.isfinite(width) and width > 0):
        raise HotspotInputError(
            f"to_png: the map is {width!r} m wide; a scale bar needs a positive width."
        )
    target = width * fraction
    exponent = math.floor(math.log10(target))
    candidates = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log10(c / target)))


def length_label(metres: float) -> str:
    """``"200 m"`` or ``"10 km"``.

    Examples
    --------
    >>> length_label(200.0), length_label(10_000.0), length_label(0.5)
    ('200 m', '10 km', '0.5 m')
    """
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


def fit_view(ax: Axes, bounds: np.ndarray, pad: float = 0.04) -> None:
    """Centre ``bounds`` (with a margin) in the axes at one data unit per unit in both axes."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, maxy - miny, 1.0)
    width, height = maxx - minx + 2 * pad * span, maxy - miny + 2 * pad * span
    box = ax.get_position(original=True)
    fig_w, fig_h = ax.figure.get_size_inches()
    box_ratio = (box.height * fig_h) / (box.width * fig_w)
    if height / width > box_ratio:
        width = height / box_ratio
    else:
        height = width * box_ratio
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")


def add_scale_bar(ax: Axes, metres_per_unit: float) -> Artist:
    """A round-length bar at the bottom right, in a white box."""
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    metres = nice_length((x1 - x0) * metres_per_unit)
    label = length_label(metres)
    bar = AnchoredSizeBar(
        ax.transData,
        metres / metres_per_unit,
        label,
        loc="lower right",
        pad=0.5,
        borderpad=0.8,
        sep=4,
        frameon=True,
        size_vertical=(y1 - y0) * 0.006,
        color="black",
        label_top=True,
        fontproperties=FontProperties(size=LEGEND_SIZE),
    )
    bar.patch.set_facecolor("white")
    bar.patch.set_edgecolor("#999999")
    bar.patch.set_alpha(0.9)
    bar.set_zorder(10)
    ax.add_artist(bar)
    return bar


def add_north_arrow(ax: Axes) -> Artist:
    """An arrow marked N at the top right."""
    return ax.annotate(
        "N",
        xy=(0.955, 0.965),
        xytext=(0.955, 0.895),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5, "headwidth": 9},
        zorder=10,
    )


def add_legend(ax: Axes, layer: DrawnLayer) -> Artist | None:
    """The layer's legend at the top left (None when it has no entries)."""
    if not layer.handles:
        return None
    legend = ax.legend(
        handles=layer.handles,
        title=layer.legend_title or None,
        loc="upper left",
        fontsize=LEGEND_SIZE,
        title_fontsize=LEGEND_SIZE + 1,
        frameon=True,
        framealpha=0.92,
        edgecolor="#999999",
        fancybox=False,
        alignment="left",
    )
    legend.set_zorder(10)
    return legend


def footer_lines(result: Any, public: bool, width_chars: int) -> list[str]:
    """Source, period, method and version (as :func:`hotspot.maps.export_map`'s footer, without
    the time), wrapped at ``width_chars``, then the disclosure statement of a public copy."""
    facts = result_facts(result)
    facts["Made with"] = made_with()
    text = " · ".join(f"{key}: {value}" for key, value in facts.items())
    lines = textwrap.wrap(text, width_chars)
    note = disclosure_note(result) if public else None
    if note:
        lines += textwrap.wrap(note, width_chars)
    return lines


def new_figure(
    figsize: tuple[float, float],
    *,
    title: bool,
    footer_lines: int,
    colourbar: bool,
    dpi: float = 100,
) -> tuple[Figure, Axes]:
    """A white figure on an Agg canvas and the map's axes, leaving room for the title above,
    the footer below and a colour bar on the right."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = (float(v) for v in figsize)
    fig = Figure(figsize=(width, height), dpi=float(dpi), facecolor="white")
    FigureCanvasAgg(fig)
    footer_h = 0.12 + footer_lines * FOOTER_SIZE * 1.35 / 72
    top_h = 0.55 if title else 0.15
    right = 1.05 if colourbar else 0.15
    ax = fig.add_axes(
        (
            0.15 / width,
            footer_h / height,
            (width - 0.15 - right) / width,
            (height - top_h - footer_h) / height,
        )
    )
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#cccccc")
    return fig, ax


def add_colourbar(
    fig: Figure, ax: Axes, mappable: Any, label: str, ticks: np.ndarray | None = None
) -> None:
    """A colour bar right of the map; with ``ticks`` (class edges), one equal box per class."""
    width = fig.get_size_inches()[0]
    box = ax.get_position(original=True)
    cax = fig.add_axes(
        (box.x1 + 0.15 / width, box.y0 + box.height * 0.25, 0.18 / width, box.height * 0.5)
    )
    if ticks is None:
        bar = fig.colorbar(mappable, cax=cax)
    else:
        bar = fig.colorbar(mappable, cax=cax, spacing="uniform", ticks=ticks, drawedges=True)
        bar.ax.set_yticklabels([format_number(t) for t in ticks])
        bar.ax.minorticks_off()
        bar.dividers.set_color("white")
        bar.dividers.set_linewidth(0.6)
    bar.set_label(label, fontsize=LEGEND_SIZE + 1)
    bar.ax.tick_params(labelsize=LEGEND_SIZE)


def add_texts(fig: Figure, title: str | None, footer: list[str]) -> None:
    """Title at the top, footer at the bottom left (taken literally: no ``$…$`` mathtext)."""
    width, height = fig.get_size_inches()
    if title:
        fig.text(
            0.5,
            1 - 0.12 / height,
            title,
            ha="center",
            va="top",
            fontsize=TITLE_SIZE,
            fontweight="bold",
            parse_math=False,
        )
    fig.text(
        0.15 / width,
        0.06 / height,
        "\n".join(footer),
        ha="left",
        va="bottom",
        fontsize=FOOTER_SIZE,
        color="#444444",
        linespacing=1.25,
        parse_math=False,
    )
