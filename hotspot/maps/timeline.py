"""A time slider over a space-time cube's bins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspot._validate import check_integer
from hotspot.disclosure import disclosure_note, suppressed_label
from hotspot.errors import HotspotInputError
from hotspot.maps._cell_layer import FrameSlider
from hotspot.maps._layers import DEFAULT_TILES, draw_cells
from hotspot.maps._style import count_scheme, escape, legend_html


def bin_label(start: pd.Timestamp, freq: str) -> str:
    """A bin's start written at the resolution of its frequency.

    Examples
    --------
    >>> import pandas as pd
    >>> bin_label(pd.Timestamp("2019-03-01"), "MS"), bin_label(pd.Timestamp("2019-03-04"), "W")
    ('2019-03', 'week of 2019-03-04')
    """
    base = freq.lstrip("0123456789").upper()
    if base.startswith(("M", "Q")):
        return f"{start:%Y-%m}"
    if base.startswith(("Y", "A")):
        return f"{start:%Y}"
    if base.startswith("W"):
        return f"week of {start:%Y-%m-%d}"
    if base.startswith("H"):
        return f"{start:%Y-%m-%d %H}:00"
    return f"{start:%Y-%m-%d}"


def timeline_map(
    cube: Any,
    *,
    m: Any = None,
    title: str | None = None,
    start: int = 0,
    interval_ms: int = 800,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """Counts per cell with a time slider (and a play button) over the cube's bins.

    Only cells with at least one incident in the cube are drawn; every bin uses the same
    quantile classes (of all non-zero cell × bin counts), so colours compare across time.
    Under them, the cells with incidents in any bin (faint grey) and the study area; tooltips
    lead with "12 incidents, 2016-07" for the bin shown.

    Parameters
    ----------
    cube : SpaceTimeCube
        From :func:`hotspot.space_time_cube`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    start : int, default=0
        Bin shown when the map opens.
    interval_ms : int, default=800
        Time per bin when playing.
    labels : GeoDataFrame or False, optional
        Place names (a ``name`` column and points, busiest first); default: the names of
        the incidents the cube counted (``attrs["places"]`` of the cube); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the cells (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`hotspot.maps.counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.hex_grid(inc, 3000, quiet=True), "MS", quiet=True)
    >>> m = hs.maps.timeline_map(cube, title="Crimes per month")
    >>> "week of" in m.get_root().render(), "2016-07" in m.get_root().render()
    (False, True)
    """
    if not (hasattr(cube, "counts") and hasattr(cube, "bins") and hasattr(cube, "cells")):
        raise HotspotInputError(
            f"timeline_map: cube= is a {type(cube).__name__}, not a space-time cube; make one "
            "with hotspot.space_time_cube(incidents, cells, freq)."
        )
    start = check_integer(start, "start", example="0", func="timeline_map")
    interval_ms = check_integer(
        interval_ms, "interval_ms", minimum=1, example="800", func="timeline_map"
    )
    counts = np.asarray(cube.counts, dtype=float)
    if start >= len(cube.bins):
        raise HotspotInputError(
            f"timeline_map: start={start} is outside the cube's {len(cube.bins)} bins; pass a "
            f"bin from 0 to {len(cube.bins) - 1}."
        )
    active = np.nansum(counts, axis=0) > 0
    hidden = suppressed_label(cube)
    if hidden:
        active |= np.isnan(counts).any(axis=0)
    counts = counts[:, active]
    cells = cube.cells[active]
    classes, class_names, palette = count_scheme(counts.ravel(), hidden)
    classes = classes.reshape(counts.shape)
    frames = []
    for k, when in enumerate(cube.bins):
        row = counts[k]
        missing = np.isnan(row)
        values: Any = np.nan_to_num(row).astype(np.int64)
        if missing.any():
            values = values.astype(object)
            values[missing] = hidden or "–"
        frames.append((escape(bin_label(when, cube.freq)), classes[k], values))
    name = title or "Incidents per cell and bin"
    legend = legend_html(name, class_names, palette, note=disclosure_note(cube))
    m = draw_cells(
        {"cell": [escape(v) for v in cells.index], "count": frames[start][2]},
        cells.geometry,
        classes[start],
        palette,
        m=m,
        layer_name=name,
        legend=legend,
        fill_opacity=0.8,
        frames=frames,
        frame_field="count",
        frame_sentence=("{value} incident, {bin}", "{value} incidents, {bin}"),
        result=cube,
        labels=labels,
        context=context,
        tiles=tiles,
        func="timeline_map",
    )
    layer = [c for c in m._children.values() if type(c).__name__ == "CellLayer"][-1]
    FrameSlider(layer, len(frames), start=start, interval_ms=interval_ms).add_to(m)
    return m
