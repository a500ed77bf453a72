"""A density surface as a slide image: head/tail classes on its own grid with a discrete
colour bar, per km² per year when the period is known."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hotspot.disclosure import disclosure_note
from hotspot.errors import HotspotInputError
from hotspot.maps._png_draw import DrawnLayer, metres_per_unit
from hotspot.maps._sentences import density_rate
from hotspot.maps._style import DENSITY_CLASS_COLOURS, density_classes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Densities at or below this share of the maximum are transparent (as :func:`density_map`).
DENSITY_FLOOR = 0.01


def spread(k: int, n: int) -> list[int]:
    """``k`` indices into ``n`` colours, from the lightest to the darkest, evenly apart.

    Examples
    --------
    >>> spread(3, 6), spread(1, 6), spread(8, 6)
    ([0, 2, 5], [3], [0, 1, 2, 3, 4, 5])
    """
    if k >= n:
        return list(range(n))
    if k == 1:
        return [n // 2]
    return [int(i) for i in np.round(np.linspace(0, n - 1, k))]


def draw_surface(ax: Axes, surface: Any) -> DrawnLayer:
    """A density surface on its own grid, in head/tail classes (:func:`density_classes`) and a
    discrete colour bar stated per km² per year when the period is known; at or below 1 % of
    the maximum, and NaN, transparent."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    values = surface.to_numpy().astype(float)
    if not np.isfinite(values).any() or np.nanmax(values) <= 0:
        raise HotspotInputError(
            "to_png: the surface has no density to draw"
            + (
                " above the public disclosure floor; lower min_count, or publish a coarser map"
                if disclosure_note(surface)
                else "; check the incidents it was made from"
            )
            + "."
        )
    vmax = float(np.nanmax(values))
    classes, edges = density_classes(values, DENSITY_FLOOR * vmax)
    if len(edges) < 2:  # one value everywhere it shows
        edges = np.array([DENSITY_FLOOR * vmax, vmax])
    scale, label = density_rate(surface)
    size_x, _, left, _, size_y, top = (float(v) for v in surface.attrs["transform"][:6])
    n_rows, n_cols = values.shape
    if size_y > 0:  # rows from the bottom up: turn them over, to draw from the top
        values, classes = values[::-1], classes[::-1]
        top, size_y = top + size_y * n_rows, -size_y
    extent = (left, left + size_x * n_cols, top + size_y * n_rows, top)
    colours = [DENSITY_CLASS_COLOURS[i] for i in spread(len(edges) - 1, len(DENSITY_CLASS_COLOURS))]
    clear = (1, 1, 1, 0)
    cmap = ListedColormap(colours, name="hotspot_density_classes").with_extremes(
        bad=clear, under=clear, over=colours[-1]
    )
    ticks = edges * scale
    norm = BoundaryNorm(ticks, len(colours), clip=True)
    shown = np.ma.masked_where(classes < 0, values * scale)
    image = ax.imshow(
        shown,
        cmap=cmap,
        norm=norm,
        extent=extent,
        origin="upper",
        interpolation="nearest",
        zorder=2,
    )
    rows = np.flatnonzero(~shown.mask.all(axis=1))
    cols = np.flatnonzero(~shown.mask.all(axis=0))
    y_edges = top + size_y * np.array([rows.min(), rows.max() + 1])
    x_edges = left + size_x * np.array([cols.min(), cols.max() + 1])
    bounds = np.array([x_edges.min(), y_edges.min(), x_edges.max(), y_edges.max()])
    layer = DrawnLayer("", [], bounds, colourbar=(image, label, ticks))
    layer.metres_per_unit = (
        metres_per_unit(surface.attrs["crs"]) if "crs" in surface.attrs else None
    )
    return layer
