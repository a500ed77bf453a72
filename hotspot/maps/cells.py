"""Maps of cell results: counts, Gi* hot spots, LISA clusters, emerging patterns, a timeline.

Each function draws one result as a single canvas layer with a vertical legend, tooltips that
lead with a sentence ("Hot spot, 99 % confidence: 450 incidents, …") above the numbers, and a
layer control; it returns a ``folium.Map`` (or adds to ``m=``). Under the result go the data's
footprint (the cells with incidents, faint grey), the study-area outline and any ``context=``
layers; over it the place names of the data (``labels=``). Maps never compute statistics: they
read the columns the analyses wrote.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._validate import check_cells, check_columns, check_geodataframe
from hotspot.disclosure import COUNT_COLUMNS, disclosure_note, suppressed_label
from hotspot.errors import HotspotInputError
from hotspot.maps._layers import DEFAULT_TILES, draw_cells
from hotspot.maps._result_attrs import method_params
from hotspot.maps._sentences import (
    bin_unit,
    count_sentences,
    emerging_sentences,
    gistar_sentences,
    lisa_sentences,
    significance_label,
)
from hotspot.maps._style import (
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    count_scheme,
    escape,
    format_number,
    legend_html,
)


def _check_result(result: object, func: str, columns: list[str], fix: str) -> None:
    """A GeoDataFrame of polygons in metres holding ``columns``, else what to run first."""
    check_geodataframe(
        result, func=func, name="result" if func != "counts_map" else "cells", fix=fix
    )
    check_columns(result, columns, func=func, fix=fix)
    check_cells(result, require_crs=True)


def _ids(frame: pd.DataFrame) -> list[str]:
    return [escape(v) for v in frame.index]


def _draw_categories(
    result: gpd.GeoDataFrame,
    shown: gpd.GeoDataFrame,
    fields: dict[str, Any],
    keys: np.ndarray,
    scheme: dict[Any, tuple[str, str]],
    *,
    legend_keys: list[Any],
    title: str,
    layer_name: str,
    m: Any,
    sentences: list[str],
    labels: Any,
    context: Any,
    tiles: Any,
    func: str,
) -> Any:
    """Cells coloured by a categorical scheme (key -> (colour, label)) with its legend."""
    order = list(scheme)
    legend = legend_html(
        title,
        [scheme[k][1] for k in legend_keys],
        [scheme[k][0] for k in legend_keys],
        note=disclosure_note(result),
    )
    return draw_cells(
        fields,
        shown.geometry,
        np.array([order.index(k) for k in keys], dtype=int),
        [scheme[k][0] for k in order],
        m=m,
        layer_name=layer_name,
        legend=legend,
        fill_opacity=0.8,
        extent=result.geometry,
        sentences=sentences,
        result=result,
        labels=labels,
        context=context,
        tiles=tiles,
        func=func,
    )


def _count_text(values: np.ndarray, hidden: str | None) -> list[Any]:
    """Counts for a tooltip: integers (other values, such as densities, to three figures), or
    the suppression label where a public copy hid them."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    whole = bool(np.all(finite == np.round(finite)))
    return [
        (hidden or "–") if np.isnan(v) else (int(v) if whole else format_number(v)) for v in values
    ]


#: The weighted count :func:`hotspot.count_incidents` writes with ``incident_weights=``.
WEIGHTED_COUNT = "count_weighted"


def _value_name(cells: gpd.GeoDataFrame, column: str) -> str:
    """What a mapped column is called on the map: a weighted count says so, in words."""
    if column != WEIGHTED_COUNT:
        return column
    counts = cells.attrs.get("hotspot", {}).get("counts") if isinstance(cells.attrs, dict) else None
    counts = counts if isinstance(counts, dict) else {}
    harm = counts.get("weights") == "harm" or isinstance(counts.get("harm_weights"), dict)
    return "harm-weighted count" if harm else "weighted count"


def counts_map(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    m: Any = None,
    title: str | None = None,
    show_empty: bool = False,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """A choropleth of incident counts per cell (quantile classes of the non-zero counts).

    Tooltips read "450 incidents (Jul 2016, Jul 2017, Jul 2018)": the count and the period the
    cells cover. A weighted count (``column="count_weighted"``, from
    :func:`hotspot.count_incidents` with ``incident_weights=``) is called "harm-weighted count"
    (weights from :func:`hotspot.incidents.harm_weights`) or "weighted count" in the legend and
    the tooltips, never "incidents".

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a count column (from :func:`hotspot.count_incidents`).
    column : str, default="count"
        Column to map.
    m : folium.Map, optional
        Map to add the layer to (default: a new map fitted to the cells).
    title : str, optional
        Legend title (escaped).
    show_empty : bool, default=False
        Draw cells with no incidents too (as outlines).
    labels : GeoDataFrame or False, optional
        Place names to label (a ``name`` column and points, busiest first); default: the names
        the cells carry (``attrs["hotspot"]["places"]``, from the incidents' own area names);
        ``False`` for none. Thinned so they never pile up: at the opening view each is at
        least 1/8 of the view's shorter side from the others; more appear on zooming in.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads): polygons outlined,
        lines in grey, features with a ``name`` column labelled; each its own layer.
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map: a tile name, the URL template of a tile server (an internal
        one: ``"https://tiles.force.local/{z}/{x}/{y}.png"``), a local tile folder
        (``"tiles/{z}/{x}/{y}.png"``), or None for none. Ignored with ``m=``.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 2000, quiet=True), quiet=True)
    >>> m = hs.maps.counts_map(cells, title="Crimes, July 2016–2018")
    >>> "Crimes, July 2016–2018" in m.get_root().render()
    True
    """
    _check_result(
        cells,
        "counts_map",
        [column],
        "count incidents first with hotspot.count_incidents(incidents, cells)",
    )
    values = pd.to_numeric(cells[column], errors="coerce").to_numpy(dtype=float)
    # a public copy hides small counts; other values (a density under its floor) are not drawn
    hidden = suppressed_label(cells) if column in COUNT_COLUMNS else None
    classes, class_names, palette = count_scheme(values, hidden)
    suppressed = np.isnan(values) if hidden else np.zeros(len(values), dtype=bool)
    keep = (
        np.ones(len(cells), dtype=bool) if show_empty else (np.nan_to_num(values) > 0) | suppressed
    )
    shown = cells[keep]
    name = _value_name(cells, column)
    legend = legend_html(title or name, class_names, palette, note=disclosure_note(cells))
    return draw_cells(
        {"cell": _ids(shown), name: _count_text(values[keep], hidden)},
        shown.geometry,
        classes[keep],
        palette,
        m=m,
        layer_name=title or name,
        legend=legend,
        fill_opacity=0.75,
        extent=cells.geometry,
        sentences=count_sentences(cells, values[keep], name, hidden),
        result=cells,
        labels=labels,
        context=context,
        tiles=tiles,
        func="counts_map",
    )


def gistar_map(
    result: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    show_not_significant: bool = False,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """Hot and cold spots from :func:`hotspot.gistar` in ArcGIS's colours.

    Red for hot spots at 99/95/90 % confidence, blue for cold, pale grey for not significant.
    Tooltips lead with a sentence ("Hot spot, 99 % confidence: 450 incidents, 5.1× the average
    of all 942 cells (88.7)": the average Gi* compares with is that of all the study area's
    cells, empty ones included), then the cell, its count, z and the p-value its bin came from
    (``gistar_p``, "p (normal approximation)", unless the attrs record another). A public copy
    has no z or p; its sentences still read.

    Parameters
    ----------
    result : GeoDataFrame
        Output of :func:`hotspot.gistar` or :func:`hotspot.optimized_hotspots`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped); default names the confidence bins and the correction.
    show_not_significant : bool, default=False
        Draw the not-significant cells too, in pale grey (otherwise they are left out; the
        footprint layer shows where the data are).
    labels : GeoDataFrame or False, optional
        Place names (default: the result's own, ``attrs["hotspot"]["places"]``); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 2000, quiet=True), quiet=True)
    >>> m = hs.maps.gistar_map(hs.gistar(cells, weights="queen", permutations=0, quiet=True))
    >>> page = m.get_root().render()
    >>> "Hot spot, 99 % confidence" in page, "hotspot-place-label" in page
    (True, True)
    """
    _check_result(result, "gistar_map", ["gistar_bin"], "run hotspot.gistar(cells) first")
    bins = result["gistar_bin"].to_numpy().astype(int)
    keep = np.ones(len(result), dtype=bool) if show_not_significant else bins != 0
    shown = result[keep]
    hidden = suppressed_label(result)
    fields: dict[str, Any] = {"cell": _ids(shown)}
    if "count" in result.columns:
        fields["count"] = _count_text(shown["count"], hidden)
    if "gistar_z" in result.columns:
        fields["z"] = shown["gistar_z"].round(2).to_numpy()
    p_column, p_name = significance_label(result, "gistar")
    if p_column is not None:
        fields[p_name] = [f"{p:.3g}" for p in shown[p_column]]
    sentences = np.asarray(gistar_sentences(result, hidden), dtype=object)[keep]
    corrected = " (FDR-corrected)" if method_params(result, "gistar").get("fdr") else ""
    return _draw_categories(
        result,
        shown,
        fields,
        bins[keep],
        GISTAR_COLOURS,
        legend_keys=list(GISTAR_COLOURS),
        title=title or f"Gi* hot spots{corrected}",
        layer_name=title or "Gi* hot spots",
        m=m,
        sentences=list(sentences),
        labels=labels,
        context=context,
        tiles=tiles,
        func="gistar_map",
    )


def lisa_map(
    result: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    show_not_significant: bool = False,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """Local Moran clusters and outliers from :func:`hotspot.lisa`: HH, LL, HL, LH.

    High-high (red) and low-low (blue) are clusters of similar values; high-low (orange) and
    low-high (light blue) are spatial outliers: a busy cell among quiet ones, or the reverse.
    Tooltips say so in words ("High-high cluster: a busy cell among busy neighbours, 95 %
    confidence: 450 incidents", the confidence being the level the clusters were tested at),
    then the cell, its count, I and the p-value the cluster was decided by ("p (permutation)"
    with permutations, else "p (normal approximation)").

    Parameters
    ----------
    result : GeoDataFrame
        Output of :func:`hotspot.lisa` (``lisa_cluster`` column).
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    show_not_significant : bool, default=False
        Draw the not-significant cells too, in pale grey.
    labels : GeoDataFrame or False, optional
        Place names (default: the result's own, ``attrs["hotspot"]["places"]``); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> m = hs.maps.lisa_map(hs.lisa(cells, permutations=99, rng=0, quiet=True))
    >>> page = m.get_root().render()
    >>> "High-high cluster" in page, "p (permutation)" in page
    (True, True)
    """
    _check_result(result, "lisa_map", ["lisa_cluster"], "run hotspot.lisa(cells) first")
    cluster = result["lisa_cluster"].astype(str).to_numpy()
    order = list(LISA_COLOURS)
    unknown = sorted(set(cluster) - set(order))
    if unknown:
        raise HotspotInputError(
            f"lisa_map: lisa_cluster has values {unknown} outside {order}; draw the result of "
            "hotspot.lisa(cells) as it is."
        )
    keep = np.ones(len(result), dtype=bool) if show_not_significant else cluster != order[-1]
    shown = result[keep]
    hidden = suppressed_label(result)
    fields: dict[str, Any] = {"cell": _ids(shown)}
    if "count" in result.columns:
        fields["count"] = _count_text(shown["count"], hidden)
    if "lisa_i" in result.columns:
        fields["I"] = shown["lisa_i"].round(3).to_numpy()
    p_column, p_name = significance_label(result, "lisa")
    if p_column is not None:
        fields[p_name] = [f"{p:.3g}" for p in shown[p_column]]
    sentences = np.asarray(lisa_sentences(result, hidden), dtype=object)[keep]
    return _draw_categories(
        result,
        shown,
        fields,
        cluster[keep],
        LISA_COLOURS,
        legend_keys=order,
        title=title or "Local Moran's I (LISA)",
        layer_name=title or "LISA clusters",
        m=m,
        sentences=list(sentences),
        labels=labels,
        context=context,
        tiles=tiles,
        func="lisa_map",
    )


def emerging_map(
    result: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    show_no_pattern: bool = False,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """The 17 emerging hot spot categories from :func:`hotspot.emerging_hotspots`.

    Cells with no pattern are left out unless ``show_no_pattern``; cells never analysed (no
    incidents) are never drawn, the footprint layer shows the analysed ones. Tooltips lead
    with a sentence ("Intensifying hot spot: a hot spot in 95 of 105 weeks, rising", in the
    cube's bins), then the hot and cold bin counts and the trend's Kendall τ.

    Parameters
    ----------
    result : GeoDataFrame
        Output of :func:`hotspot.emerging_hotspots`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    show_no_pattern : bool, default=False
        Draw the analysed cells with no pattern too.
    labels : GeoDataFrame or False, optional
        Place names (a ``name`` column and points, busiest first); default: the names of
        the incidents the cube counted (``attrs["places"]`` of the cube); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 1000, quiet=True), "MS",
    ...                           start="2019-01", end="2021-12", quiet=True)
    >>> m = hs.maps.emerging_map(hs.emerging_hotspots(cube, quiet=True))
    >>> page = m.get_root().render()
    >>> "Emerging hot spots" in page, "of 36 months" in page
    (True, True)
    """
    _check_result(
        result,
        "emerging_map",
        ["emerging_category", "emerging_n_hot", "emerging_n_cold", "emerging_trend_tau"],
        "run hotspot.emerging_hotspots(cube) first",
    )
    category = result["emerging_category"].astype(str).to_numpy()
    keep = np.isin(category, list(EMERGING_COLOURS)) & (
        show_no_pattern | (category != "no pattern")
    )
    shown = result[keep]
    order = list(EMERGING_COLOURS)
    present = [c for c in order if (category == c).any() and (c != "no pattern" or show_no_pattern)]
    unit = bin_unit(method_params(result, "emerging_hotspots").get("freq"), None)
    fields = {
        "cell": _ids(shown),
        f"hot {unit}": shown["emerging_n_hot"].to_numpy(),
        f"cold {unit}": shown["emerging_n_cold"].to_numpy(),
        "trend (Kendall τ)": shown["emerging_trend_tau"].round(3).to_numpy(),
    }
    sentences = np.asarray(emerging_sentences(result), dtype=object)[keep]
    return _draw_categories(
        result,
        shown,
        fields,
        category[keep],
        {c: (colour, c) for c, colour in EMERGING_COLOURS.items()},
        legend_keys=present,
        title=title or "Emerging hot spots",
        layer_name=title or "Emerging hot spots",
        m=m,
        sentences=list(sentences),
        labels=labels,
        context=context,
        tiles=tiles,
        func="emerging_map",
    )
