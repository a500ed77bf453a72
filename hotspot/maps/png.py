"""Static images of results for slide decks: matplotlib's Agg renderer, no basemap, no network.

Each result is drawn in a projected CRS (metres; a geographic one is reprojected to its UTM zone)
with the colours and legend labels of the folium maps, a scale bar, a north arrow, an optional
title and a footer of source, period, method and version read from the result's attrs. Only the
object API of matplotlib is used (``Figure`` + ``FigureCanvasAgg``), never pyplot's global state.

A map says where it is without a basemap: cell images draw the data's footprint (the cells with
incidents, faint grey) under the result and the study area as a thin dark line; place names from
the data's own area columns (:func:`hotspot.places.place_labels`, recorded in the result's attrs
by :func:`hotspot.count_incidents`) are written above, thinned so that no two overlap; optional
``context=`` layers (force boundaries, main roads) are drawn under the result.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspot._validate import check_output_file
from hotspot.disclosure import disclose, disclosure_note, suppressed_label
from hotspot.errors import HotspotInputError
from hotspot.maps._context import (
    context_layers,
    density_rate,
    footprint_mask,
    format_number,
    place_labels,
)
from hotspot.maps._style import (
    CHAIN_COLOURS,
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    DENSITY_CLASS_COLOURS,
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    chain_class,
    chain_labels,
    count_scheme,
    density_classes,
)
from hotspot.maps.export import result_facts
from hotspot.maps.timeline import bin_label

if TYPE_CHECKING:  # matplotlib is imported when an image is drawn, not with hotspot
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.path import Path as MplPath
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

# Outlines of classed cells (as the folium maps' #666666, lighter at print resolution).
CELL_EDGE = "#7a7a7a"
# The data's footprint: cells with incidents, drawn faint grey under the result (so a hot spot
# sits in the area that has crime, not in a void); also the colour of "not significant" cells
# that have incidents.
FOOTPRINT = "#e3e3e3"
# The study area: a clear thin dark line above the cells.
STUDY_AREA_EDGE = "#3c3c3c"
STUDY_AREA_WIDTH = 0.8
# ``context=`` layers (boundaries, roads) under the result.
CONTEXT_LINE = "#8f8f8f"
CONTEXT_WIDTH = 0.6
# Place names and cluster numbers: dark text with a white halo.
LABEL_COLOUR = "#1f1f1f"
LABEL_SIZE = 9.0
# A slide numbers this many clusters at most, the largest (the report's table lists 10).
MAX_CLUSTER_NUMBERS = 20
MINOR_LABEL_SIZE = 7.0
HALO_WIDTH = 2.6
# At most this many place names on one map; a name is "major" (larger, bold) when its area is
# among the MAX_MAJOR busiest and has at least MAJOR_SHARE of the busiest area's incidents.
MAX_LABELS = 30
MAX_MAJOR = 5
MAJOR_SHARE = 0.25
# Space kept clear around each label beyond its halo, in pixels at 100 dpi (scaled with dpi).
LABEL_GAP_PX = 2.0
PLACE_LABEL_GID = "hotspot-place-label"
CLUSTER_NUMBER_GID = "hotspot-cluster-number"
FOOTER_SIZE = 6.5
LEGEND_SIZE = 8.0
TITLE_SIZE = 14.0
# Densities at or below this share of the maximum are transparent (as :func:`density_map`).
DENSITY_FLOOR = 0.01
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


@dataclass
class _Layer:
    """What one result contributed to the map: its legend and the extent it covers."""

    legend_title: str
    handles: list[Artist] = field(default_factory=list)
    bounds: np.ndarray | None = None
    colourbar: Any = None  # (mappable, label, class edges) for a density surface
    metres_per_unit: float | None = 1.0  # None: the map is not in a projected CRS
    texts: list[Text] = field(default_factory=list)  # cluster numbers: place names avoid them


def nice_length(width: float, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k) nearest to ``fraction`` × ``width``.

    "Nearest" is on a log scale, so the bar is between about 0.13 and 0.32 of the width.

    Examples
    --------
    >>> nice_length(43_000), nice_length(1_200), nice_length(7_000)
    (10000.0, 200.0, 1000.0)
    """
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number of metres, not {width!r}")
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


# --- geometry -------------------------------------------------------------------------------


def _target_crs(series: gpd.GeoSeries) -> Any:
    """The CRS to draw in: the series' own if projected, else its UTM zone."""
    if series.crs is None:
        raise HotspotInputError(
            "to_png() needs a CRS to draw in metres; set it with frame.set_crs(...)"
        )
    if series.crs.is_geographic:
        return series.estimate_utm_crs()
    return series.crs


def _metres_per_unit(crs: Any) -> float | None:
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        return None
    return float(crs.axis_info[0].unit_conversion_factor)


def _project(series: gpd.GeoSeries, crs: Any) -> np.ndarray:
    """The geometries of ``series`` in ``crs`` as a shapely array."""
    series = gpd.GeoSeries(series)
    if series.crs is not None and series.crs != crs:
        series = series.to_crs(crs)
    return np.asarray(series.array)


def _polygon_paths(geometry: np.ndarray) -> tuple[list[MplPath], np.ndarray]:
    """Each (multi)polygon as one compound path, exteriors counter-clockwise and holes clockwise
    (so any fill rule leaves the holes open); also the index of the geometry of each path
    (empty and non-polygonal geometries have none)."""
    from matplotlib.path import Path as MplPath

    geometry = np.asarray(geometry, dtype=object)
    parts, part_geometry = shapely.get_parts(geometry, return_index=True)
    polygons = shapely.get_type_id(parts) == 3
    parts, part_geometry = parts[polygons], part_geometry[polygons]
    parts = _orient(parts)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, vertex_ring = shapely.get_coordinates(rings, return_index=True)
    if not len(xy):
        return [], np.array([], dtype=int)
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.flatnonzero(np.r_[True, np.diff(vertex_ring) != 0])
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:], len(xy)] - 1] = MplPath.CLOSEPOLY
    vertex_geometry = part_geometry[ring_part[vertex_ring]]
    owners, first = np.unique(vertex_geometry, return_index=True)
    bounds = np.r_[first, len(xy)]
    paths = [MplPath(xy[a:b], codes[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return paths, owners


def _orient(polygons: np.ndarray) -> np.ndarray:
    if hasattr(shapely, "orient_polygons"):  # shapely >= 2.1
        return shapely.orient_polygons(polygons)
    return np.array([shapely.geometry.polygon.orient(p, 1.0) for p in polygons], dtype=object)


def _add_polygons(
    ax: Axes,
    geometry: np.ndarray,
    facecolor: Any,
    *,
    edgecolor: Any = CELL_EDGE,
    linewidth: float = 0.25,
    zorder: float = 2,
) -> None:
    """Draw polygons as one collection; each colour is one colour or one per geometry."""
    from matplotlib.collections import PathCollection

    paths, owners = _polygon_paths(geometry)
    if not paths:
        return
    collection = PathCollection(
        paths,
        facecolors=_colours(facecolor, len(np.asarray(geometry)))[owners],
        edgecolors=_colours(edgecolor, len(np.asarray(geometry)))[owners],
        linewidths=linewidth,
        zorder=zorder,
    )
    ax.add_collection(collection, autolim=False)


def _colours(colour: Any, n: int) -> np.ndarray:
    """``n`` RGBA rows from one colour (``"none"`` too) or from one colour per row."""
    from matplotlib.colors import to_rgba, to_rgba_array

    if isinstance(colour, str) or (isinstance(colour, tuple) and len(colour) in (3, 4)):
        return np.tile(to_rgba(colour), (n, 1))
    return to_rgba_array(colour)


def _bounds(geometry: np.ndarray) -> np.ndarray | None:
    geometry = np.asarray(geometry)
    geometry = geometry[~shapely.is_empty(geometry) & ~shapely.is_missing(geometry)]
    return shapely.total_bounds(geometry) if len(geometry) else None


def _swatch(colour: str, label: str, *, edge: str = CELL_EDGE, alpha: float = 1.0) -> Patch:
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    return Patch(facecolor=to_rgba(colour, alpha), edgecolor=edge, linewidth=0.6, label=label)


def _outline_swatch(colour: str, label: str) -> Patch:
    from matplotlib.patches import Patch

    return Patch(facecolor="none", edgecolor=colour, linewidth=1.8, label=label)


# --- one function per kind of result ----------------------------------------------------------


def _line_swatch(colour: str, label: str, *, width: float) -> Line2D:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, linewidth=width, label=label)


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=HALO_WIDTH, foreground="white")]


def _draw_footprint(ax: Axes, geometry: np.ndarray) -> None:
    """The cells with incidents, faint grey and seamless (edges in the fill colour)."""
    _add_polygons(ax, geometry, FOOTPRINT, edgecolor=FOOTPRINT, linewidth=0.3, zorder=1)


def _draw_classes(
    ax: Axes,
    cells: gpd.GeoDataFrame,
    crs: Any,
    keys: np.ndarray,
    scheme: dict[Any, tuple[str, str]],
    *,
    context: Any,
    title: str,
) -> _Layer:
    """Cells coloured by a categorical scheme of ``key: (colour, label)``, over the footprint.

    The ``context`` class (not significant, no pattern) is not filled: where such a cell has
    incidents the footprint's grey shows, where it has none the paper. Cells with a key outside
    the scheme (never analysed) are not drawn. The legend lists the classes present, in the
    scheme's order, then the context class in the footprint's grey.
    """
    geometry = _project(cells.geometry, crs)
    in_scheme = np.isin(keys, list(scheme))
    footprint = footprint_mask(cells)
    if footprint is None:  # no counts to tell: the cells analysed
        footprint = in_scheme
    drawn = in_scheme & (keys != context)
    _draw_footprint(ax, geometry[footprint])
    _add_polygons(ax, geometry[drawn], [scheme[k][0] for k in keys[drawn]], zorder=3)
    handles = [
        _swatch(colour, label)
        for k, (colour, label) in scheme.items()
        if k != context and (keys[drawn] == k).any()
    ]
    if (footprint & (keys == context)).any():
        handles.append(_swatch(FOOTPRINT, scheme[context][1], edge="#bdbdbd"))
    return _Layer(title, handles, _bounds(geometry))


def _draw_gistar(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> _Layer:
    bins = result["gistar_bin"].to_numpy().astype(int)
    meta = result.attrs.get("hotspot", {}).get("gistar", {})
    corrected = " (FDR-corrected)" if meta.get("fdr") else ""
    return _draw_classes(
        ax, result, crs, bins, GISTAR_COLOURS, context=0, title=f"Gi* hot spots{corrected}"
    )


def _draw_lisa(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> _Layer:
    cluster = result["lisa_cluster"].astype(str).to_numpy()
    unknown = sorted(set(cluster) - set(LISA_COLOURS))
    if unknown:
        raise ValueError(f"lisa_cluster has values {unknown} outside {list(LISA_COLOURS)}")
    return _draw_classes(
        ax,
        result,
        crs,
        cluster,
        LISA_COLOURS,
        context="not significant",
        title="Local Moran's I (LISA)",
    )


def _draw_emerging(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> _Layer:
    category = result["emerging_category"].astype(str).to_numpy()
    # "no pattern" shows the footprint; cells never analysed (no incidents) are not drawn.
    scheme = {c: (colour, c) for c, colour in EMERGING_COLOURS.items()}
    return _draw_classes(
        ax, result, crs, category, scheme, context="no pattern", title="Emerging hot spots"
    )


def _draw_counts(
    ax: Axes,
    cells: gpd.GeoDataFrame,
    crs: Any,
    values: np.ndarray,
    *,
    hidden: str | None,
    title: str,
    footprint: np.ndarray | None,
) -> _Layer:
    """Quantile classes of the non-zero counts (:func:`count_classes`); NaN where ``hidden``.

    Cells without incidents are not drawn (the study-area line shows where they are)."""
    classes, labels, palette = count_scheme(values, hidden)
    geometry = _project(cells.geometry, crs)
    if footprint is not None:
        _draw_footprint(ax, geometry[footprint])
    shown = classes >= 0
    _add_polygons(ax, geometry[shown], [palette[c] for c in classes[shown]], zorder=3)
    handles = [_swatch(c, label) for c, label in zip(palette, labels, strict=True)]
    return _Layer(title, handles, _bounds(geometry))


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


def _cube_period(cube: Any) -> str:
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


def _draw_cube(ax: Axes, cube: Any, crs: Any) -> _Layer:
    """The cube's cell totals over all bins, as counts, titled as a total (never "per week").

    In a public copy a cell with any hidden bin has no exact total (and showing it would let a
    reader solve the hidden bin back): it is drawn as suppressed.
    """
    counts = np.asarray(cube.counts, dtype=float)
    totals = counts.sum(axis=0)  # NaN wherever a bin was hidden
    hidden = suppressed_label(cube)
    words = bin_words(cube.freq, len(cube.bins))
    return _draw_counts(
        ax,
        cube.cells,
        crs,
        totals,
        hidden=f"{hidden} in some bins" if hidden else None,
        title=f"Incidents per cell, total of {words}\n{_cube_period(cube)}",
        footprint=footprint_mask(cube),
    )


def _cluster_centres(rows: gpd.GeoDataFrame, crs: Any) -> np.ndarray:
    """(n, 2) centre of each cluster in ``crs``: its mean centre, else (a public copy drops
    the centre columns) its ellipse's centre, else its hull's; NaN when none is known."""
    source = _main_geometry(rows).crs
    if {"centre_x", "centre_y"} <= set(rows.columns):
        points = shapely.points(rows["centre_x"].to_numpy(), rows["centre_y"].to_numpy())
    else:
        points = np.full(len(rows), None, dtype=object)
        for column in ("hull", "ellipse_1sd"):
            if column in rows.columns:
                shapes = np.asarray(rows[column].array, dtype=object)
                ok = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
                points[ok] = shapely.centroid(shapes[ok])
    with np.errstate(all="ignore"):
        projected = _project(gpd.GeoSeries(points, crs=source), crs)
    xy = np.full((len(rows), 2), np.nan)
    ok = ~(shapely.is_missing(projected) | shapely.is_empty(projected))
    xy[ok] = shapely.get_coordinates(projected[ok])
    return xy


def _cluster_number(value: Any) -> str:
    number = float(value) if isinstance(value, int | float | np.number) else None
    return str(int(number)) if number is not None and number.is_integer() else str(value)


def _draw_cluster_summary(ax: Axes, summary: gpd.GeoDataFrame, crs: Any) -> _Layer:
    """Convex hulls (when present: a public copy has none) and 1-SD ellipses of order 1, each
    cluster numbered at its centre with its id (the summary's index, as in the report's
    cluster table)."""
    from matplotlib.colors import to_rgba

    rows = summary[summary["order"] == 1] if "order" in summary.columns else summary
    numbered = rows.index
    if len(rows) > MAX_CLUSTER_NUMBERS and "n_incidents" in rows.columns:
        largest = rows["n_incidents"].sort_values(ascending=False, kind="stable")
        numbered = largest.index[:MAX_CLUSTER_NUMBERS]
        layer = _Layer(f"Clusters (number = cluster id, the {MAX_CLUSTER_NUMBERS} largest)")
    else:
        layer = _Layer("Clusters (number = cluster id)")
    bounds = []
    if "hull" in rows.columns:
        hulls = _project(rows["hull"], crs)
        _add_polygons(ax, hulls, to_rgba(CLUSTER_HULL, 0.25), edgecolor=CLUSTER_HULL, linewidth=1.2)
        layer.handles.append(_swatch(CLUSTER_HULL, "Convex hull", edge=CLUSTER_HULL, alpha=0.25))
        bounds.append(_bounds(hulls))
    if "ellipse_1sd" in rows.columns:
        ellipses = _project(rows["ellipse_1sd"], crs)
        _add_polygons(ax, ellipses, "none", edgecolor=CLUSTER_ELLIPSE, linewidth=1.4, zorder=4)
        layer.handles.append(
            _outline_swatch(CLUSTER_ELLIPSE, "Standard deviational ellipse (1 SD)")
        )
        bounds.append(_bounds(ellipses))
    for cluster, (x, y) in zip(rows.index, _cluster_centres(rows, crs), strict=True):
        if np.isfinite(x) and np.isfinite(y) and cluster in numbered:
            layer.texts.append(
                ax.text(
                    x,
                    y,
                    _cluster_number(cluster),
                    ha="center",
                    va="center",
                    fontsize=LABEL_SIZE,
                    fontweight="bold",
                    color=LABEL_COLOUR,
                    path_effects=_halo(),
                    parse_math=False,
                    zorder=7,
                    gid=CLUSTER_NUMBER_GID,
                )
            )
    layer.bounds = _union_bounds(bounds)
    return layer


def _draw_chains(ax: Axes, chains: gpd.GeoDataFrame, crs: Any) -> _Layer:
    """Near-repeat chains of two or more incidents coloured by size, as :func:`near_repeat_map`:
    the hull of each chain's incidents, a line where they lie in a row, a dot where they share
    one place."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    rows = chains[chains["size"] >= 2]
    if rows.empty:
        raise ValueError("no chain has 2 or more incidents")
    size_class = chain_class(rows["size"].to_numpy())
    colours = np.asarray(CHAIN_COLOURS)[size_class]
    geometry = _project(rows.geometry, crs)
    kind = shapely.get_type_id(geometry)
    areas, lines, points = np.isin(kind, (3, 6)), np.isin(kind, (1, 5)), np.isin(kind, (0, 4))
    faces = [to_rgba(c, 0.3) for c in colours[areas]]
    _add_polygons(
        ax, geometry[areas], faces, edgecolor=list(colours[areas]), linewidth=1.4, zorder=3
    )
    parts, part_index = shapely.get_parts(geometry[lines], return_index=True)
    segments = [np.asarray(part.coords)[:, :2] for part in parts]
    ax.add_collection(
        LineCollection(segments, colors=list(colours[lines][part_index]), linewidths=1.4, zorder=3),
        autolim=False,
    )
    xy, point_index = shapely.get_coordinates(geometry[points], return_index=True)
    if len(xy):
        ax.scatter(
            xy[:, 0], xy[:, 1], s=10, c=list(colours[points][point_index]), linewidths=0, zorder=4
        )
    present = set(size_class.tolist())
    handles = [
        _swatch(colour, label, edge=colour)
        for k, (colour, label) in enumerate(zip(CHAIN_COLOURS, chain_labels(), strict=True))
        if k in present
    ]
    return _Layer("Near-repeat chains (incidents per chain)", handles, _bounds(geometry))


def _spread(k: int, n: int) -> list[int]:
    """``k`` indices into ``n`` colours, from the lightest to the darkest, evenly apart."""
    if k >= n:
        return list(range(n))
    if k == 1:
        return [n // 2]
    return [int(i) for i in np.round(np.linspace(0, n - 1, k))]


def _draw_surface(ax: Axes, surface: Any) -> _Layer:
    """A density surface on its own grid, in head/tail classes (:func:`density_classes`) and a
    discrete colour bar stated per km² per year when the period is known; at or below 1 % of
    the maximum, and NaN, transparent."""
    from matplotlib.colors import BoundaryNorm, ListedColormap

    values = surface.to_numpy().astype(float)
    if not np.isfinite(values).any() or np.nanmax(values) <= 0:
        raise ValueError(
            "the surface has no density to draw"
            + (" above the public disclosure floor" if disclosure_note(surface) else "")
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
    colours = [
        DENSITY_CLASS_COLOURS[i] for i in _spread(len(edges) - 1, len(DENSITY_CLASS_COLOURS))
    ]
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
    layer = _Layer("", [], bounds, colourbar=(image, label, ticks))
    layer.metres_per_unit = (
        _metres_per_unit(surface.attrs["crs"]) if "crs" in surface.attrs else None
    )
    return layer


def _union_bounds(bounds: list[np.ndarray | None]) -> np.ndarray | None:
    bounds = [b for b in bounds if b is not None]
    if not bounds:
        return None
    stacked = np.vstack(bounds)
    return np.array([*stacked[:, :2].min(axis=0), *stacked[:, 2:].max(axis=0)])


# --- dispatch ---------------------------------------------------------------------------------


def _is_surface(result: Any) -> bool:
    return hasattr(result, "dims") and "transform" in getattr(result, "attrs", {})


def _is_cube(result: Any) -> bool:
    return hasattr(result, "counts") and hasattr(result, "bins")


def _main_geometry(result: Any) -> gpd.GeoSeries:
    if _is_cube(result):
        return result.cells.geometry
    if "hull" in result.columns:
        return result["hull"]
    if "ellipse_1sd" in result.columns:
        return result["ellipse_1sd"]
    return result.geometry


def _draw_result(ax: Axes, result: Any) -> tuple[_Layer, Any]:
    """Draw ``result`` the way :func:`hotspot.maps.export.default_map` would; the layer and CRS."""
    if _is_surface(result):
        return _draw_surface(ax, result), result.attrs.get("crs")
    if not _is_cube(result) and not isinstance(result, gpd.GeoDataFrame):
        raise TypeError(
            "to_png() takes a result GeoDataFrame, a density surface or a space-time cube, "
            f"not {type(result).__name__}"
        )
    if isinstance(result, gpd.GeoDataFrame) and result.empty:
        raise HotspotInputError("the result is empty: nothing to draw")
    crs = _target_crs(_main_geometry(result))
    if _is_cube(result):
        layer = _draw_cube(ax, result, crs)
    else:
        layer = _draw_frame(ax, result, crs)
    layer.metres_per_unit = _metres_per_unit(crs)
    return layer, crs


def _draw_frame(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> _Layer:
    columns = set(result.columns)
    if "emerging_category" in columns:
        return _draw_emerging(ax, result, crs)
    if "gistar_bin" in columns:
        return _draw_gistar(ax, result, crs)
    if "lisa_cluster" in columns:
        return _draw_lisa(ax, result, crs)
    if "members" in columns:
        return _draw_chains(ax, result, crs)
    if "n_incidents" in columns:
        return _draw_cluster_summary(ax, result, crs)
    if "count" in columns:
        values = pd.to_numeric(result["count"]).to_numpy(dtype=float)
        return _draw_counts(
            ax,
            result,
            crs,
            values,
            hidden=suppressed_label(result),
            title="Incidents per cell",
            footprint=footprint_mask(result),
        )
    raise TypeError(
        "to_png() does not know how to draw this GeoDataFrame: it has none of the columns "
        "emerging_category, gistar_bin, lisa_cluster, members, n_incidents or count"
    )


def _study_area(result: Any) -> Any:
    """The study area geometry in the result's attrs (WKT or shapely), or None."""
    for holder in (result, getattr(result, "cells", None)):
        meta = (getattr(holder, "attrs", None) or {}).get("hotspot", {})
        area = meta.get("study_area") if isinstance(meta, dict) else None
        if isinstance(area, str):
            try:
                area = shapely.from_wkt(area)
            except shapely.errors.GEOSException:
                area = None
        if isinstance(area, shapely.Geometry) and not area.is_empty:
            return area
    return None


def _source_crs(result: Any) -> Any:
    if _is_surface(result):
        return result.attrs.get("crs")
    return _main_geometry(result).crs


def _draw_study_area(ax: Axes, result: Any, crs: Any, near: np.ndarray | None) -> np.ndarray | None:
    """Outline the study area with a thin dark line, if the attrs hold one that overlaps the
    drawing.

    (A result reprojected after the analysis still carries the area in the old CRS: it would land
    elsewhere, and is left out.)
    """
    area = _study_area(result)
    if area is None:
        return None
    with np.errstate(all="ignore"):
        geometry = _project(gpd.GeoSeries([area], crs=_source_crs(result)), crs)
    bounds = _bounds(geometry)
    if bounds is None or not np.isfinite(bounds).all():
        return None
    if near is not None and not shapely.box(*bounds).intersects(shapely.box(*near)):
        return None
    _add_polygons(
        ax, geometry, "none", edgecolor=STUDY_AREA_EDGE, linewidth=STUDY_AREA_WIDTH, zorder=4
    )
    return bounds


# --- where the map is: context layers and place names ------------------------------------------


def _draw_context(ax: Axes, layers: list[tuple[str, gpd.GeoDataFrame]], crs: Any) -> None:
    """Context layers under the result, reprojected: polygons as grey outlines, lines as grey
    lines, points as small grey dots. They do not widen the view."""
    from matplotlib.collections import LineCollection

    for _, layer in layers:
        with np.errstate(all="ignore"):
            geometry = (
                _project(layer.geometry, crs)
                if crs is not None
                else np.asarray(layer.geometry.array)
            )
        geometry = geometry[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
        kind = shapely.get_type_id(geometry)
        polygons, points = np.isin(kind, (3, 6)), np.isin(kind, (0, 4))
        lines = np.isin(kind, (1, 2, 5))
        _add_polygons(
            ax,
            geometry[polygons],
            "none",
            edgecolor=CONTEXT_LINE,
            linewidth=CONTEXT_WIDTH * 1.4,
            zorder=1.5,
        )
        parts = shapely.get_parts(geometry[lines])
        if len(parts):
            segments = [np.asarray(part.coords)[:, :2] for part in parts]
            ax.add_collection(
                LineCollection(segments, colors=CONTEXT_LINE, linewidths=CONTEXT_WIDTH, zorder=1.5),
                autolim=False,
            )
        xy = shapely.get_coordinates(geometry[points])
        if len(xy):
            ax.scatter(xy[:, 0], xy[:, 1], s=3, c=CONTEXT_LINE, linewidths=0, zorder=1.5)


def _labels_to_draw(result: Any, labels: Any, crs: Any) -> pd.DataFrame | None:
    """Names, positions in ``crs`` and incident counts (NaN if unknown) of the candidate
    labels, most important first; None when there are none.

    The labels are the HTML maps' (:func:`hotspot.maps._context.place_labels`): the result's
    own or those given, and in a public copy only areas of at least ``min_count`` incidents,
    placed on a 500 m grid (a name at the median of one or two incidents would show where
    they are).
    """
    frame = place_labels(result, None if labels is True else labels)
    if frame is None or not len(frame):
        return None
    with np.errstate(all="ignore"):  # labels recorded before a reprojection land nowhere
        projected = _project(frame.geometry, crs) if crs is not None else frame.geometry.array
    projected = np.asarray(projected, dtype=object)
    xy = np.full((len(frame), 2), np.nan)
    # points (polygons were given a point inside), not empty
    ok = (shapely.get_type_id(projected) == 0) & ~shapely.is_empty(projected)
    xy[ok] = shapely.get_coordinates(projected[ok])
    out = pd.DataFrame(
        {
            "name": frame["name"].astype(str).to_numpy(),
            "x": xy[:, 0],
            "y": xy[:, 1],
            "n": pd.to_numeric(frame["n_incidents"], errors="coerce").to_numpy(dtype=float),
        }
    )
    return out[np.isfinite(xy).all(axis=1)].reset_index(drop=True)


def _inside(box: Bbox, outer: Bbox) -> bool:
    return bool(
        box.x0 >= outer.x0 and box.y0 >= outer.y0 and box.x1 <= outer.x1 and box.y1 <= outer.y1
    )


def _obstacles(artists: list[Any], renderer: RendererBase) -> list[Bbox]:
    """Window extents (pixels) of the map furniture and cluster numbers that names must avoid."""
    boxes = []
    for artist in artists:
        if artist is None:
            continue
        box = artist.get_tightbbox(renderer) if hasattr(artist, "arrow_patch") else None
        boxes.append(box if box is not None else artist.get_window_extent(renderer))
    return boxes


def _add_place_labels(
    ax: Axes, candidates: pd.DataFrame, avoid: list[Any], max_labels: int = MAX_LABELS
) -> list[Text]:
    """Write place names, most important first, keeping each only if its box (with its halo and
    a small gap) lies inside the map and overlaps no name kept before and no furniture.

    The boxes are measured by the renderer at the figure's resolution, so what is kept is what
    fits on this image: a small figure gets fewer names than a large one.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    taken = _obstacles(avoid, renderer)
    pad = (HALO_WIDTH / 2 + LABEL_GAP_PX * 72 / 100) * fig.dpi / 72
    n = candidates["n"].to_numpy(dtype=float)
    counted = np.isfinite(n).any()
    major = (n >= MAJOR_SHARE * np.nanmax(n)) if counted else np.zeros(len(n), dtype=bool)
    major &= np.arange(len(n)) < MAX_MAJOR
    drawn: list[Text] = []
    for i, (name, x, y) in enumerate(candidates[["name", "x", "y"]].itertuples(index=False)):
        if len(drawn) >= max_labels:
            break
        text = ax.text(
            x,
            y,
            name,
            ha="center",
            va="center",
            fontsize=LABEL_SIZE if major[i] or not counted else MINOR_LABEL_SIZE,
            fontweight="bold" if major[i] else "normal",
            color=LABEL_COLOUR,
            path_effects=_halo(),
            parse_math=False,
            zorder=6,
            gid=PLACE_LABEL_GID,
        )
        box = _free_place(text, renderer, pad, frame, taken)
        if box is None:
            text.remove()
            continue
        taken.append(box)
        drawn.append(text)
    return drawn


# Where a name may go when its own point is taken: just above, below, right or left of it, in
# units of the name's height (vertical) or half-width (horizontal).
LABEL_SHIFTS = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))


def _free_place(
    text: Text, renderer: RendererBase, pad: float, frame: Bbox, taken: list[Bbox]
) -> Bbox | None:
    """Move ``text`` to the first of :data:`LABEL_SHIFTS` where its padded box is inside
    ``frame`` and overlaps nothing ``taken``; that box, or None when there is no such place."""
    ax = text.axes
    anchor = ax.transData.transform(text.get_position())
    box = text.get_window_extent(renderer)
    step = np.array([box.width / 2 + pad, box.height + pad])
    for shift in LABEL_SHIFTS:
        text.set_position(ax.transData.inverted().transform(anchor + step * shift))
        padded = text.get_window_extent(renderer).padded(pad)
        if _inside(padded, frame) and not any(padded.overlaps(other) for other in taken):
            return padded
    return None


# --- furniture: scale bar, north arrow, legend, title, footer ---------------------------------


def _fit_view(ax: Axes, bounds: np.ndarray, pad: float = 0.04) -> None:
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


def _add_scale_bar(ax: Axes, metres_per_unit: float) -> Artist:
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


def _add_north_arrow(ax: Axes) -> Artist:
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


def _add_legend(ax: Axes, layer: _Layer) -> Artist | None:
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


def _footer_lines(result: Any, public: bool, width_chars: int) -> list[str]:
    """Source, period, method and version (as :func:`export_map`'s footer, without the time),
    then the disclosure statement of a public copy."""
    from hotspot import __version__

    facts = result_facts(result)
    facts["Made with"] = f"hotspot {__version__}"
    text = " · ".join(f"{key}: {value}" for key, value in facts.items())
    lines = textwrap.wrap(text, width_chars)
    note = disclosure_note(result) if public else None
    if note:
        lines += textwrap.wrap(note, width_chars)
    return lines


def _new_figure(
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


def _add_colourbar(
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


def _add_texts(fig: Figure, title: str | None, footer: list[str]) -> None:
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


def _figure(
    result: Any,
    *,
    title: str | None = None,
    public: bool = False,
    min_count: int | None = None,
    figsize: tuple[float, float] = (8, 8),
    labels: gpd.GeoDataFrame | bool | None = None,
    context: gpd.GeoDataFrame | list[gpd.GeoDataFrame] | dict[str, gpd.GeoDataFrame] | None = None,
    dpi: float = 100,
) -> Figure:
    """The finished figure of ``result`` (see :func:`to_png`), attached to an Agg canvas at
    ``dpi`` (the resolution the place names are fitted at)."""
    if min_count is not None and not public:
        raise HotspotInputError("min_count= applies to public=True images only")
    layers = context_layers(context)
    if public:
        result = disclose(result, min_count)
    chars = int((float(figsize[0]) - 0.3) * 72 / (FOOTER_SIZE * 0.6))
    footer = _footer_lines(result, public, chars)
    fig, ax = _new_figure(
        figsize,
        title=bool(title),
        footer_lines=len(footer),
        colourbar=_is_surface(result),
        dpi=dpi,
    )
    layer, crs = _draw_result(ax, result)
    _draw_context(ax, layers, crs)
    area_bounds = None if public else _draw_study_area(ax, result, crs, layer.bounds)
    if area_bounds is not None:
        layer.handles.append(_line_swatch(STUDY_AREA_EDGE, "Study area", width=1.2))
    bounds = _union_bounds([layer.bounds, area_bounds])
    if bounds is None:
        raise ValueError("the result has nothing to draw")
    _fit_view(ax, bounds)
    furniture: list[Any] = [*layer.texts]
    if layer.metres_per_unit:
        furniture += [_add_scale_bar(ax, layer.metres_per_unit), _add_north_arrow(ax)]
    furniture.append(_add_legend(ax, layer))
    if layer.colourbar is not None:
        _add_colourbar(fig, ax, *layer.colourbar)
    candidates = _labels_to_draw(result, labels, crs)
    if candidates is not None and len(candidates):
        _add_place_labels(ax, candidates, furniture)
    _add_texts(fig, title, footer)
    return fig


def to_png(
    result: Any,
    path: str | Path,
    *,
    title: str | None = None,
    public: bool = False,
    min_count: int | None = None,
    labels: gpd.GeoDataFrame | bool | None = None,
    context: gpd.GeoDataFrame | list[gpd.GeoDataFrame] | dict[str, gpd.GeoDataFrame] | None = None,
    dpi: int = 150,
    figsize: tuple[float, float] = (8, 8),
) -> Path:
    """Write a static map of a result to a PNG image, for slides and reports.

    The result is drawn as :func:`hotspot.maps.export_map` would draw it, with the same colours
    and legend labels: cells with counts, Gi*, LISA or emerging categories, a cluster summary
    (each cluster numbered with its id, as in the report's cluster table), near-repeat chains,
    a density surface (head/tail classes, per km² per year when its period is known) or a
    space-time cube (its cell totals over all bins, titled as such). It is drawn in its
    projected CRS (a geographic one is reprojected to its UTM zone), so the scale bar is true.

    There is no basemap and nothing is fetched from the network; the map says where it is by
    itself. Cell images draw the data's footprint (cells with incidents, faint grey) under the
    result and the study area as a thin dark line; place names from the data's own area
    columns (data.police.uk districts, Toronto neighbourhoods: recorded by
    :func:`hotspot.count_incidents`) are written with a white halo, the busiest area first,
    each kept only where it overlaps no other name, the legend, the scale bar or a cluster
    number. The same input gives the same bytes.

    Parameters
    ----------
    result : GeoDataFrame, xarray.DataArray or SpaceTimeCube
        What to draw.
    path : str or Path
        The PNG file to write (parent folders are created).
    title : str, optional
        Title at the top of the image.
    public : bool, default=False
        Disclosure control, applied to the result before anything is drawn
        (:func:`hotspot.disclosure.disclose`): small counts shown as "fewer than
        ``min_count``", no study-area outline, no place name of an area with fewer than
        ``min_count`` incidents (placed on a 500 m grid), and the rule stated in
        the footer. Refuses incident-level results.
    min_count : int, default=5
        The smallest count a public image shows.
    labels : GeoDataFrame or bool, optional
        Place names to write. None or True (default): those recorded in the result's attrs
        (``attrs["hotspot"]["places"]``), if any. A GeoDataFrame with a ``name`` column and
        points (or polygons, labelled at a point inside), most important first and optionally
        ``n_incidents`` (e.g. :func:`hotspot.places.place_labels`), in any CRS. False: none.
    context : GeoDataFrame, list of GeoDataFrame or dict of name to GeoDataFrame, optional
        Layers drawn in grey under the result, reprojected: boundary polygons (police force,
        districts, beats) as outlines, main roads as lines. They do not widen the view. The
        same argument as the HTML maps' (:func:`hotspot.maps._context.context_layers`).
    dpi : int, default=150
        Resolution; the image is ``figsize × dpi`` pixels.
    figsize : (float, float), default=(8, 8)
        Width and height in inches.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    HotspotInputError
        ``public=True`` with an incident-level result, ``min_count`` without ``public``, a
        result, ``labels`` or ``context`` layer without a CRS, or a ``path`` that is a folder.
    TypeError
        A result of a kind no map draws, or ``labels``/``context`` of the wrong type.

    Examples
    --------
    >>> import tempfile, hotspot as hs
    >>> from PIL import Image
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> out = hs.maps.to_png(cells, tempfile.mkdtemp() + "/counts.png",
    ...                      title="Crime, West Yorkshire", public=True)
    >>> Image.open(out).size
    (1200, 1200)

    Own place names and a boundary layer under the result:

    >>> from hotspot.places import place_labels
    >>> districts = inc.dissolve(inc["LSOA name"].str[:-5]).convex_hull.to_frame("geometry")
    >>> out = hs.maps.to_png(cells, tempfile.mkdtemp() + "/named.png",
    ...                      labels=place_labels(inc).head(5), context=districts)
    """
    path = check_output_file(path, "map.png")  # before drawing: a folder given by mistake
    fig = _figure(
        result,
        title=title,
        public=public,
        min_count=min_count,
        figsize=figsize,
        labels=labels,
        context=context,
        dpi=dpi,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png", facecolor="white", metadata={"Software": None})
    return path
