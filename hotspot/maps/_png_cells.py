"""Cell results as slide images: Gi*, LISA and emerging classes, counts (or a density on
cells) in quantile classes, and a cube's totals, each over the data's footprint, in the colours
and legend labels of the HTML maps.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._validate import check_columns
from hotspot.disclosure import suppressed_label
from hotspot.errors import HotspotInputError
from hotspot.maps._png_draw import (
    FOOTPRINT,
    DrawnLayer,
    add_polygons,
    bounds_of,
    draw_footprint,
    project,
    swatch,
)
from hotspot.maps._result_attrs import footprint_mask, method_params
from hotspot.maps._style import (
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    count_scheme,
)
from hotspot.maps.timeline import bin_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Words for a cube's bins: frequency letter -> (adjective for one, unit for several).
BIN_WORDS = {
    "H": ("hourly", "hour"),
    "D": ("daily", "day"),
    "W": ("weekly", "week"),
    "M": ("monthly", "month"),
    "Q": ("quarterly", "quarter"),
    "Y": ("yearly", "year"),
    "A": ("yearly", "year"),
}


def draw_classes(
    ax: Axes,
    cells: gpd.GeoDataFrame,
    crs: Any,
    keys: np.ndarray,
    scheme: dict[Any, tuple[str, str]],
    *,
    context: Any,
    title: str,
) -> DrawnLayer:
    """Cells coloured by a categorical scheme of ``key: (colour, label)``, over the footprint.

    The ``context`` class (not significant, no pattern) is not filled: where such a cell has
    incidents the footprint's grey shows, where it has none the paper. Cells with a key outside
    the scheme (never analysed) are not drawn. The legend lists the classes present, in the
    scheme's order, then the context class in the footprint's grey.
    """
    geometry = project(cells.geometry, crs)
    in_scheme = np.isin(keys, list(scheme))
    footprint = footprint_mask(cells)
    if footprint is None:  # no counts to tell: the cells analysed
        footprint = in_scheme
    drawn = in_scheme & (keys != context)
    draw_footprint(ax, geometry[footprint])
    add_polygons(ax, geometry[drawn], [scheme[k][0] for k in keys[drawn]], zorder=3)
    handles = [
        swatch(colour, label)
        for k, (colour, label) in scheme.items()
        if k != context and (keys[drawn] == k).any()
    ]
    if (footprint & (keys == context)).any():
        handles.append(swatch(FOOTPRINT, scheme[context][1], edge="#bdbdbd"))
    return DrawnLayer(title, handles, bounds_of(geometry))


def draw_gistar(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    """Gi* confidence bins, as :func:`hotspot.maps.gistar_map`."""
    check_columns(result, ["gistar_bin"], func="to_png", fix="run hotspot.gistar(cells) first")
    bins = result["gistar_bin"].to_numpy().astype(int)
    corrected = " (FDR-corrected)" if method_params(result, "gistar").get("fdr") else ""
    return draw_classes(
        ax, result, crs, bins, GISTAR_COLOURS, context=0, title=f"Gi* hot spots{corrected}"
    )


def draw_lisa(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    """LISA clusters and outliers, as :func:`hotspot.maps.lisa_map`."""
    check_columns(result, ["lisa_cluster"], func="to_png", fix="run hotspot.lisa(cells) first")
    cluster = result["lisa_cluster"].astype(str).to_numpy()
    unknown = sorted(set(cluster) - set(LISA_COLOURS))
    if unknown:
        raise HotspotInputError(
            f"to_png: lisa_cluster has values {unknown} outside {list(LISA_COLOURS)}; draw the "
            "result of hotspot.lisa(cells) as it is."
        )
    return draw_classes(
        ax,
        result,
        crs,
        cluster,
        LISA_COLOURS,
        context="not significant",
        title="Local Moran's I (LISA)",
    )


def draw_emerging(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    """The emerging hot spot categories, as :func:`hotspot.maps.emerging_map`."""
    check_columns(
        result,
        ["emerging_category"],
        func="to_png",
        fix="run hotspot.emerging_hotspots(cube) first",
    )
    category = result["emerging_category"].astype(str).to_numpy()
    # "no pattern" shows the footprint; cells never analysed (no incidents) are not drawn.
    scheme = {c: (colour, c) for c, colour in EMERGING_COLOURS.items()}
    return draw_classes(
        ax, result, crs, category, scheme, context="no pattern", title="Emerging hot spots"
    )


def draw_counts(
    ax: Axes,
    cells: gpd.GeoDataFrame,
    crs: Any,
    values: np.ndarray,
    *,
    hidden: str | None,
    title: str,
    footprint: np.ndarray | None,
) -> DrawnLayer:
    """Quantile classes of the non-zero counts (:func:`count_classes`); NaN where ``hidden``.

    Cells without incidents are not drawn (the study-area line shows where they are)."""
    classes, labels, palette = count_scheme(values, hidden)
    geometry = project(cells.geometry, crs)
    if footprint is not None:
        draw_footprint(ax, geometry[footprint])
    shown = classes >= 0
    add_polygons(ax, geometry[shown], [palette[c] for c in classes[shown]], zorder=3)
    handles = [swatch(c, label) for c, label in zip(palette, labels, strict=True)]
    return DrawnLayer(title, handles, bounds_of(geometry))


def bin_words(freq: str, n_bins: int) -> str:
    """How many bins of which length a cube has, in words.

    Examples
    --------
    >>> bin_words("W", 105), bin_words("MS", 1), bin_words("2W", 26), bin_words("W-SUN", 3)
    ('105 weekly bins', '1 monthly bin', '26 2-week bins', '3 weekly bins')
    """
    match = re.fullmatch(r"\s*(\d*)\s*([A-Za-z]+)(-\w+)?\s*", str(freq))
    multiple = int(match[1]) if match and match[1] else 1
    base = match[2].upper() if match else ""
    words = None
    if not base.startswith("MIN"):  # "min" is minutes, not months
        words = next((w for k, w in BIN_WORDS.items() if base.startswith(k)), None)
    plural = "bin" if n_bins == 1 else "bins"
    if words is None:
        return f"{n_bins:,} {plural} of {freq}"
    adjective, unit = words
    length = adjective if multiple == 1 else f"{multiple}-{unit}"
    return f"{n_bins:,} {length} {plural}"


def cube_period(cube: Any) -> str:
    """The period a cube's bins cover: the stamped label (without a trailing count of bins),
    else from its first bin's start to its last bin's end."""
    meta = {**cube.attrs, **(cube.attrs.get("hotspot") or {})}
    period = meta.get("period")
    if isinstance(period, dict) and period.get("label"):
        return re.sub(r"\s*\([^()]*\)\s*$", "", str(period["label"]))
    first, last = cube.bins[0], cube.bins[-1]
    if str(cube.freq).lstrip("0123456789").upper().startswith(("M", "Q", "Y", "A", "H")):
        a, b = bin_label(first, cube.freq), bin_label(last, cube.freq)
        return a if a == b else f"{a} to {b}"
    end = cube.bin_edges[-1] - pd.Timedelta(days=1)
    return f"{first:%Y-%m-%d} to {end:%Y-%m-%d}"


def draw_cube(ax: Axes, cube: Any, crs: Any) -> DrawnLayer:
    """The cube's cell totals over all bins, as counts, titled as a total (never "per week").

    In a public copy a cell with any hidden bin has no exact total (and showing it would let a
    reader solve the hidden bin back): it is drawn as suppressed.
    """
    counts = np.asarray(cube.counts, dtype=float)
    totals = counts.sum(axis=0)  # NaN wherever a bin was hidden
    hidden = suppressed_label(cube)
    words = bin_words(cube.freq, len(cube.bins))
    return draw_counts(
        ax,
        cube.cells,
        crs,
        totals,
        hidden=f"{hidden} in some bins" if hidden else None,
        title=f"Incidents per cell, total of {words}\n{cube_period(cube)}",
        footprint=footprint_mask(cube),
    )
