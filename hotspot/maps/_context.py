"""What a map needs to say where it is and what it shows, shared by the HTML maps and the PNGs.

Nothing here draws. These helpers read a result (cells, a cube, a density surface, a cluster
summary) and return plain values: the footprint of the data (the cells with incidents), the
study-area outline, the place names to label (thinned so they never pile up, with the zoom
level at which each one appears), the context layers the user gave, and the sentences a
tooltip leads with ("Hot spot, 99 % confidence: 450 incidents, 5.1× the average of all 942
cells (88.7)"). Sentences are plain text: whoever puts them into HTML escapes them.

A result that went through :func:`hotspot.disclosure.disclose` (a public copy) gets no
study-area outline (the disclosure step removes it), only place labels that rest on at least
``min_count`` incidents, and those snapped to a 500 m grid
(:data:`hotspot.disclosure.PUBLIC_LABEL_GRID`), so no label sits on an incident.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._period import period_label, years_covered
from hotspot.disclosure import PUBLIC_LABEL_GRID
from hotspot.errors import HotspotInputError
from hotspot.maps._style import GISTAR_COLOURS, LISA_COLOURS
from hotspot.places import labels_from_records, thin_labels
from hotspot.spacetime.emerging import NOT_ANALYSED

# Place labels at the opening view are at least this fraction of the view's shorter side apart.
PLACE_LABEL_FRACTION = 1 / 8
# Each zoom level in halves the spacing; labels not placed after this many levels are left out.
PLACE_LABEL_LEVELS = 4
# At most this many place names are considered (the busiest), so thinning stays quick.
MAX_PLACE_LABELS = 300

# What each LISA quadrant means, for a reader who does not know the quadrant names.
LISA_PHRASES = {
    "HH": "a busy cell among busy neighbours",
    "LL": "a quiet cell among quiet neighbours",
    "HL": "a busy cell among quiet neighbours",
    "LH": "a quiet cell among busy neighbours",
}
# Time-bin words by pandas offset alias (the letters after any multiple).
BIN_WORDS = (
    ("W", "week"),
    ("D", "day"),
    ("B", "business day"),
    ("H", "hour"),
    ("Q", "quarter"),
    ("M", "month"),
    ("Y", "year"),
    ("A", "year"),
)
# Columns holding the names of context features (a road's name, a boundary's name).
NAME_COLUMNS = ("name", "Name", "NAME", "label", "road_name", "roadname")


# --- what a result carries -----------------------------------------------------------------


def is_cube(result: Any) -> bool:
    """Whether ``result`` is a space-time cube (cells, bins and counts), not a surface."""
    return (
        not hasattr(result, "dims")
        and hasattr(result, "counts")
        and hasattr(result, "bins")
        and hasattr(result, "cells")
    )


def hotspot_attrs(result: Any) -> dict[str, Any]:
    """The ``attrs["hotspot"]`` a result carries; for a cube, its cells' merged with its own.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.hex_grid(inc, 5000, quiet=True), "MS", quiet=True)
    >>> meta = hotspot_attrs(cube)
    >>> meta["freq"], meta["study_area"].area > 0
    ('MS', True)
    """
    attrs = getattr(result, "attrs", None) or {}
    meta = attrs.get("hotspot")
    meta = dict(meta) if isinstance(meta, dict) else {}
    if is_cube(result):  # a cube keeps its own attrs at the top level, its cells' in the cells
        cells = (getattr(result.cells, "attrs", None) or {}).get("hotspot")
        inner = cells if isinstance(cells, dict) else {}
        top = {k: v for k, v in attrs.items() if k != "hotspot"}
        return {**inner, **top, **meta}
    return meta


def result_crs(result: Any) -> Any:
    """The CRS a result's geometry (or a surface's grid) is in, or None."""
    if is_cube(result):
        return result.cells.crs
    if isinstance(result, gpd.GeoDataFrame | gpd.GeoSeries):
        return result.crs
    attrs = getattr(result, "attrs", None) or {}
    return attrs.get("crs")


def disclosure_rule(result: Any) -> dict[str, Any] | None:
    """The disclosure rule a public copy carries (``min_count``, ``statement``), or None."""
    rule = hotspot_attrs(result).get("disclosure")
    return rule if isinstance(rule, dict) else None


def study_area(result: Any) -> shapely.Geometry | None:
    """The study area polygon a result carries (in its CRS), or None.

    None for a public copy: :func:`~hotspot.disclosure.disclose` removes the study area
    (it may be the incidents' own convex hull), and a cube's cells must not bring it back.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> study_area(cells).area > 0, study_area(hs.maps.disclose(cells))
    (True, None)
    """
    meta = hotspot_attrs(result)
    if meta.get("disclosure"):
        return None
    area = meta.get("study_area")
    if isinstance(area, str):
        try:
            area = shapely.from_wkt(area)
        except shapely.errors.GEOSException:
            return None
    if not isinstance(area, shapely.Geometry) or area.is_empty:
        return None
    if area.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return area


def footprint_mask(result: Any) -> np.ndarray | None:
    """Which of a result's cells had incidents, or None when the result cannot tell.

    Cells (counts, Gi*, LISA): ``count`` (or the analysed column) above zero, or hidden in a
    public copy ("fewer than 5" is at least one); emerging hot spots: the analysed cells (the
    cube's total above zero); a cube: its total over the bins above zero.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> int(footprint_mask(cells).sum()) == int((cells["count"] > 0).sum())
    True
    """
    hidden = disclosure_rule(result) is not None
    if is_cube(result):
        counts = np.asarray(result.counts, dtype=float)
        mask = np.nansum(counts, axis=0) > 0
        return mask | (np.isnan(counts).any(axis=0) if hidden else False)
    if not isinstance(result, gpd.GeoDataFrame):
        return None
    if "emerging_category" in result.columns:
        return result["emerging_category"].astype(str).to_numpy() != NOT_ANALYSED
    meta = hotspot_attrs(result)
    candidates = ["count"] + [
        meta[m].get("column") for m in ("gistar", "lisa") if isinstance(meta.get(m), dict)
    ]
    column = next((c for c in candidates if c and c in result.columns), None)
    if column is None:
        return None
    values = pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)
    return (np.nan_to_num(values) > 0) | (np.isnan(values) & hidden)


def footprint(result: Any) -> gpd.GeoSeries | None:
    """The cells with incidents (a GeoSeries in the result's CRS), or None.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> hot = hs.gistar(cells, permutations=0, quiet=True)
    >>> len(footprint(hot)) == int((cells["count"] > 0).sum())
    True
    """
    mask = footprint_mask(result)
    if mask is None:
        return None
    geometry = result.cells.geometry if is_cube(result) else result.geometry
    return geometry[mask]


def footprint_outline(result: Any) -> shapely.Geometry | None:
    """The cells with incidents merged into one (multi)polygon, or None when there are none."""
    cells = footprint(result)
    if cells is None or not len(cells):
        return None
    merged = shapely.union_all(np.asarray(cells.array))
    return None if merged.is_empty else merged


# --- place labels ---------------------------------------------------------------------------


def place_labels(result: Any, labels: Any = None) -> gpd.GeoDataFrame | None:
    """The place labels to put on a map of ``result``, busiest first, in the result's CRS.

    Parameters
    ----------
    result : GeoDataFrame, SpaceTimeCube or xarray.DataArray
        The result drawn; its ``attrs["hotspot"]["places"]`` (from
        :func:`hotspot.count_incidents` or :func:`hotspot.kde`) give the labels by default.
    labels : GeoDataFrame, False or None, default=None
        Labels of your own (a ``name`` column, point geometries, optionally ``n_incidents``
        to rank them; in their order otherwise), ``False`` for none, ``None`` for the
        result's own.

    Returns
    -------
    GeoDataFrame or None
        Columns ``name``, ``n_incidents`` and point ``geometry``. In a public copy, only the
        names of at least ``min_count`` incidents, placed on the public label grid (500 m).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> place_labels(cells)["name"].head(3).tolist()
    ['Leeds', 'Bradford', 'Kirklees']
    >>> place_labels(cells, labels=False) is None
    True
    """
    crs = result_crs(result)
    if labels is False:
        return None
    if labels is None:
        records = hotspot_attrs(result).get("places")
        if not records:
            return None
        frame = labels_from_records(records, crs)
    else:
        frame = _own_labels(labels, crs)
    frame = frame[frame["name"].astype(str).str.strip() != ""]
    rule = disclosure_rule(result)
    if rule is not None and len(frame):
        n = pd.to_numeric(frame["n_incidents"], errors="coerce").to_numpy(dtype=float)
        frame = frame[~(n < rule["min_count"])]
        xy = np.round(shapely.get_coordinates(frame.geometry.array) / PUBLIC_LABEL_GRID)
        frame = frame.set_geometry(
            gpd.points_from_xy(xy[:, 0] * PUBLIC_LABEL_GRID, xy[:, 1] * PUBLIC_LABEL_GRID),
            crs=frame.crs,
        )
    return frame.reset_index(drop=True) if len(frame) else None


def _own_labels(labels: Any, crs: Any) -> gpd.GeoDataFrame:
    if not isinstance(labels, gpd.GeoDataFrame) or "name" not in labels.columns:
        raise TypeError(
            "labels= takes a GeoDataFrame with a 'name' column and point geometries (such as "
            "hotspot.places.place_labels(incidents)), or False for no labels"
        )
    if labels.crs is None:
        raise HotspotInputError(
            "labels= has no CRS; set it first, e.g. labels.set_crs('EPSG:4326')"
        )
    frame = labels.to_crs(crs) if crs is not None else labels
    geometry = frame.geometry
    if len(frame) and not geometry.geom_type.isin(["Point"]).all():
        geometry = geometry.representative_point()
    n = frame["n_incidents"] if "n_incidents" in frame.columns else np.full(len(frame), np.nan)
    return gpd.GeoDataFrame(
        {"name": frame["name"].astype(str).to_numpy(), "n_incidents": np.asarray(n)},
        geometry=np.asarray(geometry.array),
        crs=frame.crs,
    )


def label_spacing(bounds: Any, fraction: float = PLACE_LABEL_FRACTION) -> float:
    """``fraction`` of the shorter side of ``(minx, miny, maxx, maxy)`` (its longer one if flat).

    Examples
    --------
    >>> label_spacing((0, 0, 80_000, 40_000))
    5000.0
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    sides = [s for s in (maxx - minx, maxy - miny) if s > 0]
    return fraction * min(sides) if sides else 0.0


def thin_for_view(
    labels: gpd.GeoDataFrame, bounds: Any, fraction: float = PLACE_LABEL_FRACTION
) -> gpd.GeoDataFrame:
    """The labels shown on a view of ``bounds`` (the labels' CRS): busiest first, each at least
    ``fraction`` of the view's shorter side from every other (a PNG's one fixed scale).

    Examples
    --------
    >>> import shapely
    >>> labels = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
    ...     geometry=shapely.points([(0, 0), (1000, 0), (5000, 0)]))
    >>> thin_for_view(labels, (0, 0, 16_000, 16_000))["name"].tolist()
    ['a', 'c']
    """
    return thin_labels(labels, label_spacing(bounds, fraction))


def label_levels(
    labels: gpd.GeoDataFrame,
    min_distance: float,
    levels: int = PLACE_LABEL_LEVELS,
    *,
    keep_all: bool = False,
) -> np.ndarray:
    """The zoom level (steps in from the opening view) at which each label appears.

    Level 0 holds the labels that are ``min_distance`` apart (the busiest kept first, as
    :func:`hotspot.places.thin_labels` does); each further level halves the distance (as one
    zoom step halves the ground per pixel) and adds the labels that then fit, keeping those
    shown before. Labels that do not fit within ``levels`` get ``-1`` (never shown), or with
    ``keep_all`` the level ``levels`` (shown once zoomed in that far).

    Examples
    --------
    >>> import shapely
    >>> labels = gpd.GeoDataFrame({"name": list("abcd")},
    ...     geometry=shapely.points([(0, 0), (300, 0), (5000, 0), (5010, 0)]))
    >>> label_levels(labels, 1000, 3).tolist()
    [0, 2, 0, -1]
    >>> label_levels(labels, 1000, 3, keep_all=True).tolist()
    [0, 2, 0, 3]
    """
    n = len(labels)
    level = np.full(n, -1, dtype=int)
    if not n:
        return level
    positions = np.arange(n)
    geometry = np.asarray(labels.geometry.array)
    for k in range(levels):
        ranked = positions[np.lexsort((positions, level < 0))]  # shown before, then by rank
        frame = gpd.GeoDataFrame({"pos": ranked}, geometry=geometry[ranked])
        kept = thin_labels(frame, min_distance / 2**k)["pos"].to_numpy()
        level[kept[level[kept] < 0]] = k
        if (level >= 0).all():
            break
    if keep_all:
        level[level < 0] = levels
    return level


# --- context layers -------------------------------------------------------------------------


def context_layers(context: Any) -> list[tuple[str, gpd.GeoDataFrame]]:
    """``context=`` as a list of (layer name, GeoDataFrame).

    Takes a GeoDataFrame or GeoSeries, a list of them ("Context 1", "Context 2", …) or a dict
    of layer name to GeoDataFrame. Each needs a CRS.

    Examples
    --------
    >>> import shapely
    >>> roads = gpd.GeoDataFrame({"name": ["A64"]},
    ...     geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=4326)
    >>> [name for name, _ in context_layers([roads, roads])]
    ['Context 1', 'Context 2']
    >>> [name for name, _ in context_layers({"Main roads": roads})]
    ['Main roads']
    """
    if context is None:
        return []
    if isinstance(context, gpd.GeoDataFrame | gpd.GeoSeries):
        items = [("Context", context)]
    elif isinstance(context, dict):
        items = [(str(k), v) for k, v in context.items()]
    elif isinstance(context, list | tuple):
        items = [
            (f"Context {i + 1}" if len(context) > 1 else "Context", v)
            for i, v in enumerate(context)
        ]
    else:
        raise TypeError(
            "context= takes a GeoDataFrame, a list of GeoDataFrames or a dict of layer name to "
            f"GeoDataFrame, not {type(context).__name__}"
        )
    out = []
    for name, frame in items:
        if isinstance(frame, gpd.GeoSeries):
            frame = gpd.GeoDataFrame(geometry=frame)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise TypeError(
                f"context layer {name!r} is a {type(frame).__name__}, not a GeoDataFrame"
            )
        if frame.crs is None:
            raise HotspotInputError(
                f"context layer {name!r} has no CRS; set it first, e.g. frame.set_crs('EPSG:27700')"
            )
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        out.append((name, frame))
    return out


def context_names(frame: gpd.GeoDataFrame) -> pd.Series | None:
    """The names of a context layer's features (a ``name``-like column), or None."""
    for column in NAME_COLUMNS:
        if column in frame.columns:
            names = frame[column].astype("string").str.strip()
            if names.notna().any():
                return names
    return None


# --- numbers and sentences ------------------------------------------------------------------


def format_number(value: float) -> str:
    """A number to three significant figures, with thousands separators and no exponent.

    Examples
    --------
    >>> [format_number(v) for v in (0, 0.012345, 3.14159, 88.66, 1234.5, float("nan"))]
    ['0', '0.0123', '3.14', '88.7', '1,234', '–']
    """
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def class_labels(edges: Any) -> list[str]:
    """Legend labels ``lo–hi`` of the classes between consecutive ``edges``.

    Examples
    --------
    >>> class_labels([0.5, 3.14159, 12.0, 480.2])
    ['0.500–3.14', '3.14–12.0', '12.0–480']
    """
    edges = [float(e) for e in edges]
    return [
        f"{format_number(a)}–{format_number(b)}" for a, b in zip(edges, edges[1:], strict=False)
    ]


def times_text(ratio: float) -> str:
    """A ratio as "12×", "2.3×" or "0.45×".

    Examples
    --------
    >>> times_text(12.4), times_text(2.26), times_text(0.449)
    ('12×', '2.3×', '0.45×')
    """
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    if ratio >= 1:
        return f"{ratio:.1f}×"
    return f"{ratio:.2g}×"


def quantity_text(value: Any, column: str = "count", hidden: str | None = None) -> str:
    """A cell's value in words: "450 incidents", "1 incident", "no incidents",
    "fewer than 5 incidents" (hidden in a public copy), or "rate 3.2" for another column.

    Examples
    --------
    >>> quantity_text(1450), quantity_text(1), quantity_text(float("nan"), hidden="fewer than 5")
    ('1,450 incidents', '1 incident', 'fewer than 5 incidents')
    >>> quantity_text(3.25, "rate")
    'rate 3.25'
    """
    number = _number(value)
    if column != "count":
        return (
            f"{column} {hidden or 'not known'}"
            if number is None
            else f"{column} {format_number(number)}"
        )
    if number is None:
        return f"{hidden} incidents" if hidden else "incidents not known"
    if number == 0:
        return "no incidents"
    if number == 1:
        return "1 incident"
    return (
        f"{number:,.0f} incidents"
        if number == int(number)
        else f"{format_number(number)} incidents"
    )


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def average_per_cell(result: gpd.GeoDataFrame, column: str = "count") -> float | None:
    """The mean of ``column`` over all the result's cells, or None when it cannot be known.

    A public copy hides small counts; its mean is then the counted incidents
    (``attrs["hotspot"]["counts"]["counted"]``) over the grid's cells, when the result still
    has all of them.
    """
    if column not in result.columns or not len(result):
        return None
    values = pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)
    if not np.isnan(values).any():
        return float(values.mean())
    meta = hotspot_attrs(result)
    counted = (meta.get("counts") or {}).get("counted")
    n_cells = (meta.get("grid") or {}).get("n_cells")
    if column == "count" and counted is not None and n_cells == len(result):
        return float(counted) / len(result)
    return None


def significance_label(result: Any, method: str) -> tuple[str | None, str]:
    """The p-value column a method's bins or clusters were decided by, and its tooltip name.

    Gi*'s confidence bins come from ``gistar_p`` (the normal approximation) unless the
    result's attrs record ``significance_from``; LISA records it (``lisa_p_sim`` with
    permutations). Returns ``(column, "p (permutation)" | "p (normal approximation)")``.
    """
    meta = hotspot_attrs(result).get(method)
    meta = meta if isinstance(meta, dict) else {}
    source = meta.get("significance_from") or (
        f"{method}_p_sim" if method == "lisa" and meta.get("permutations") else f"{method}_p"
    )
    column = source if isinstance(result, pd.DataFrame) and source in result.columns else None
    simulated = "sim" in str(source) or "permutation" in str(source)
    return column, "p (permutation)" if simulated else "p (normal approximation)"


def _cells_text(n: int) -> str:
    return f"all {n:,} cells" if n != 1 else "the one cell"


def gistar_sentences(result: gpd.GeoDataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cell: its confidence bin, its count and how it compares with the
    average of all the result's cells (the mean Gi* compares with). Gi* weighs a cell with its
    neighbours, so a quiet cell can be in a hot spot: the sentence then says so.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"count": [450, 0, 30, 20], "gistar_bin": [3, -2, 1, 0]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> for sentence in gistar_sentences(cells)[:3]:
    ...     print(sentence)
    Hot spot, 99 % confidence: 450 incidents, 3.6× the average of all 4 cells (125)
    Cold spot, 95 % confidence: no incidents (all 4 cells average 125)
    Hot spot, 90 % confidence: 30 incidents, 0.24× the average of all 4 cells (125); hot because of its busy neighbours
    """
    column = _analysed_column(result, "gistar")
    mean = average_per_cell(result, column)
    out = []
    for b, value in zip(
        result["gistar_bin"].to_numpy().astype(int), _values(result, column), strict=True
    ):
        text = f"{GISTAR_COLOURS[int(b)][1]}: " + _compared(
            value, column, mean, len(result), hidden
        )
        number = _number(value)
        if number is not None and mean is not None and mean > 0:
            # Gi* weighs the cell with its neighbours: a quiet cell can be part of a hot spot
            if b > 0 and number < mean:
                text += "; hot because of its busy neighbours"
            elif b < 0 and number > mean:
                text += "; cold because of its quiet neighbours"
        out.append(text)
    return out


def _analysed_column(result: gpd.GeoDataFrame, method: str) -> str:
    meta = hotspot_attrs(result).get(method)
    column = meta.get("column") if isinstance(meta, dict) else None
    if column and column in result.columns:
        return str(column)
    return "count"


def _values(result: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in result.columns:
        return np.full(len(result), np.nan)
    return pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)


def _compared(value: float, column: str, mean: float | None, n: int, hidden: str | None) -> str:
    text = quantity_text(value, column, hidden)
    number = _number(value)
    if number is None or mean is None or mean <= 0:
        return text
    if number == 0:
        return f"{text} ({_cells_text(n)} average {format_number(mean)})"
    return f"{text}, {times_text(number / mean)} the average of {_cells_text(n)} ({format_number(mean)})"


def lisa_sentences(result: gpd.GeoDataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cell: what its LISA type means, the confidence it was called at and its
    count ("High-high cluster: a busy cell among busy neighbours, 95 % confidence: 450
    incidents").

    The confidence is the level the clusters were tested at (``1 − alpha``, after the FDR
    correction when it was applied), as every significant cell passed it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"count": [450, 2], "lisa_cluster": ["HH", "not significant"]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(2)], crs=27700)
    >>> for sentence in lisa_sentences(cells):
    ...     print(sentence)
    High-high cluster: a busy cell among busy neighbours, 95 % confidence: 450 incidents
    Not significant: 2 incidents
    """
    meta = hotspot_attrs(result).get("lisa")
    alpha = float(meta.get("alpha", 0.05)) if isinstance(meta, dict) else 0.05
    confidence = f"{(1 - alpha) * 100:g} % confidence"
    column = _analysed_column(result, "lisa")
    out = []
    for q, value in zip(result["lisa_cluster"].astype(str), _values(result, column), strict=True):
        amount = quantity_text(value, column, hidden)
        if q in LISA_PHRASES:
            out.append(f"{LISA_COLOURS[q][1]}: {LISA_PHRASES[q]}, {confidence}: {amount}")
        else:
            out.append(f"Not significant: {amount}")
    return out


def bin_unit(freq: str | None, n: int | None = None) -> str:
    """The word for a cube's bins: "week", "months", "2-week bins".

    Examples
    --------
    >>> bin_unit("W", 105), bin_unit("MS", 1), bin_unit("2W", 26), bin_unit(None, 3)
    ('weeks', 'month', '2-week bins', 'bins')
    """
    match = re.match(r"^\s*(\d*)\s*([A-Za-z]+)", str(freq or ""))
    plural = n is None or n != 1
    if match is None:
        return "bins" if plural else "bin"
    multiple = int(match[1]) if match[1] else 1
    base = match[2].upper()
    word = next((w for prefix, w in BIN_WORDS if base.startswith(prefix)), None)
    if word is None:
        return "bins" if plural else "bin"
    if multiple > 1:
        return f"{multiple}-{word} bins" if plural else f"{multiple}-{word} bin"
    return f"{word}s" if plural else word


def emerging_sentences(result: gpd.GeoDataFrame) -> list[str]:
    """One sentence per cell: its category, in how many bins it was hot (or cold) and its
    trend ("Intensifying hot spot: a hot spot in 95 of 105 weeks, rising").

    The bin word and number of bins come from ``attrs["hotspot"]["emerging"]``; the trend is
    the Mann–Kendall test of the cell's Gi* z-scores over time, "rising" or "falling" when
    significant at the analysis's ``alpha``.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 2000, quiet=True), "MS",
    ...                           start="2019-01", end="2021-12", quiet=True)
    >>> out = hs.emerging_hotspots(cube, quiet=True)
    >>> [s for s in emerging_sentences(out) if "of 36 months" in s] != []
    True
    """
    meta = hotspot_attrs(result).get("emerging")
    meta = meta if isinstance(meta, dict) else {}
    bins = meta.get("bins")
    n_bins = int(bins[2]) if isinstance(bins, list | tuple) and len(bins) > 2 else None
    unit = bin_unit(meta.get("freq"), n_bins)
    alpha = float(meta.get("alpha", 0.05))
    of = f"of {n_bins:,} {unit}" if n_bins is not None else unit
    category = result["emerging_category"].astype(str).to_numpy()
    n_hot = _values(result, "emerging_n_hot")
    n_cold = _values(result, "emerging_n_cold")
    tau = _values(result, "emerging_trend_tau")
    p = _values(result, "emerging_trend_p")
    out = []
    for c, hot, cold, t, pt in zip(category, n_hot, n_cold, tau, p, strict=True):
        name = c[:1].upper() + c[1:]
        hot_n, cold_n = _count_word(hot), _count_word(cold)
        if "hot spot" in c:
            core = f"a hot spot in {hot_n} {of}"
        elif "cold spot" in c:
            core = f"a cold spot in {cold_n} {of}"
        else:
            core = f"hot in {hot_n} and cold in {cold_n} {of}"
        if math.isfinite(t) and math.isfinite(pt) and pt <= alpha and t != 0:
            trend = "rising" if t > 0 else "falling"
        else:
            trend = "no clear trend"
        out.append(f"{name}: {core}, {trend}")
    return out


def _count_word(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else "–"


def count_sentences(
    result: Any, values: Any, column: str = "count", hidden: str | None = None
) -> list[str]:
    """One sentence per value: "450 incidents (Jul 2016, Jul 2017, Jul 2018)", with the period
    the result covers (``attrs["hotspot"]["period"]``) when it carries one.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> for sentence in count_sentences(cells, [450, 1]):
    ...     print(sentence)
    450 incidents (Jul 2016, Jul 2017, Jul 2018)
    1 incident (Jul 2016, Jul 2017, Jul 2018)
    """
    period = period_label(result)
    if period is None and is_cube(result):
        period = hotspot_attrs(result).get("period", {}).get("label")
    suffix = f" ({period})" if period else ""
    return [quantity_text(v, column, hidden) + suffix for v in values]


def cluster_sentences(summary: pd.DataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cluster: "Cluster 3: 1,250 incidents in 0.84 km²".

    The number is the summary's index (its ``cluster`` label), as the report's table of the
    largest clusters shows it.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"n_incidents": [1250, 40], "area_km2": [0.8412, 0.0]},
    ...                        index=pd.Index([3, 7], name="cluster"))
    >>> for sentence in cluster_sentences(summary):
    ...     print(sentence)
    Cluster 3: 1,250 incidents in 0.841 km²
    Cluster 7: 40 incidents at one place or along one line
    """
    area = _values(summary, "area_km2") if "area_km2" in summary.columns else None
    out = []
    for i, (label, n) in enumerate(
        zip(summary.index, _values(summary, "n_incidents"), strict=True)
    ):
        text = f"Cluster {label}: {quantity_text(n, 'count', hidden)}"
        if area is not None and math.isfinite(area[i]):
            text += (
                f" in {format_number(area[i])} km²"
                if area[i] > 0
                else " at one place or along one line"
            )
        out.append(text)
    return out


def density_rate(surface: Any) -> tuple[float, str]:
    """The factor and unit a density surface is shown in: per year when its period is known.

    A surface of "incidents per km²" over a period of ``days`` is shown as "incidents per km²
    per year" (× 365.25 / days); without a period as "incidents per km² (whole period)".
    Other units (a ratio of two surfaces) are shown as they are.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    >>> factor, unit = density_rate(surface)
    >>> round(factor, 3), unit  # three Julys: 93 days
    (3.927, 'incidents per km² per year')
    """
    attrs = getattr(surface, "attrs", None) or {}
    units = str(attrs.get("units", ""))
    if not units.endswith("per km²"):
        return 1.0, units
    years = years_covered(surface)
    if years:
        return 1.0 / years, f"{units} per year"
    return 1.0, f"{units} (whole period)"
