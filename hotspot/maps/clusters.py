"""Cluster outlines (hulls and ellipses) and near-repeat chains."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._validate import check_columns, check_geodataframe, check_integer
from hotspot.disclosure import disclosure_note, suppressed_label
from hotspot.errors import HotspotInputError
from hotspot.maps._cell_layer import FeatureTooltip
from hotspot.maps._layers import (
    DEFAULT_TILES,
    add_labels,
    add_layer_control,
    add_legend,
    add_surroundings,
    new_map,
    to_lonlat,
    view_bounds,
)
from hotspot.maps._sentences import cluster_sentences
from hotspot.maps._style import (
    CHAIN_COLOURS,
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    chain_class,
    chain_labels,
    escape,
    legend_html,
)
from hotspot.places import place_labels

# The property holding a feature's tooltip sentence.
SENTENCE = "_about"


def _geojson_layer(
    m: Any,
    tips: dict[str, Any],
    geometry: gpd.GeoSeries,
    name: str,
    style: dict,
    sentences: list[str] | None = None,
) -> None:
    import folium

    columns = {k: np.asarray(v) for k, v in tips.items()}
    if sentences is not None:
        columns[SENTENCE] = np.asarray([escape(s) for s in sentences], dtype=object)
    frame = gpd.GeoDataFrame(columns, geometry=to_lonlat(geometry), crs=4326)
    layer = folium.GeoJson(
        frame.to_json(drop_id=True),
        name=escape(name),
        style_function=lambda feature: style,
    )
    FeatureTooltip(list(tips), SENTENCE).add_to(layer)
    layer.add_to(m)


def _labels_of(labels: Any, incidents: gpd.GeoDataFrame | None) -> Any:
    """``labels=``, or with none given, the area names of ``incidents`` when there are some."""
    if labels is None and incidents is not None:
        return place_labels(incidents)
    return labels


# Cluster numbers at the opening view are this fraction of the view's shorter side apart (about
# 25 pixels); each zoom step halves it, and after this many steps every number shows.
CLUSTER_NUMBER_FRACTION = 1 / 30
CLUSTER_NUMBER_LEVELS = 8


def _day(value: Any) -> str:
    """A time to the day (a public copy already gives it as a month, as text)."""
    return value if isinstance(value, str) else f"{value:%Y-%m-%d}"


def cluster_map(
    summary: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    ellipses: bool = True,
    order: int = 1,
    incidents: gpd.GeoDataFrame | None = None,
    max_points: int = 20_000,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """Cluster outlines from :func:`hotspot.cluster_summary`: convex hulls and 1-SD ellipses.

    Each cluster is numbered at its centre (its mean centre; a public copy's ellipse centre)
    with its label in the summary, the index named ``cluster``: the number the report's table
    of the largest clusters shows in its first column. Numbers that would overlap at the
    opening view appear as the reader zooms in, the largest clusters first. Tooltips lead
    with "Cluster 3: 1,250 incidents in 0.841 km²", then the incident count, locations, area,
    the top categories and the period. Incident points are drawn only when ``incidents`` is
    given (an internal map); a public copy (:func:`hotspot.disclosure.disclose`) has no
    hulls: only the ellipses are drawn.

    Parameters
    ----------
    summary : GeoDataFrame
        Output of :func:`hotspot.cluster_summary`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    ellipses : bool, default=True
        Also draw the standard deviational ellipses (one standard deviation).
    order : int, default=1
        Which NNH order to draw (other methods have only order 1).
    incidents : GeoDataFrame, optional
        The output of :func:`hotspot.cluster_incidents`: its clustered incidents are drawn as
        dots in their cluster's hull colour (noise is left out).
    max_points : int, default=20_000
        With more clustered incidents than this, the dots are left out and the legend says so.
    labels : GeoDataFrame or False, optional
        Place names (a ``name`` column and points, busiest first); default: the area names of
        ``incidents`` when given (and the summary's own, if it carries any); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the clusters (a force boundary, main roads).
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
    >>> clusters = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=100, quiet=True)
    >>> from hotspot.places import place_labels
    >>> m = hs.maps.cluster_map(hs.cluster_summary(clusters), labels=place_labels(inc))
    >>> page = m.get_root().render()
    >>> "Convex hull" in page, "hotspot-cluster-label" in page, "Leeds" in page
    (True, True, True)
    >>> m = hs.maps.cluster_map(hs.cluster_summary(clusters), incidents=clusters)
    >>> "dots omitted above 20,000" in m.get_root().render()  # 50,616 incidents in clusters
    True
    """
    fix = "pass the output of hotspot.cluster_summary(clustered)"
    check_geodataframe(summary, func="cluster_map", name="summary", fix=fix)
    check_columns(summary, ["n_incidents", "area_km2"], func="cluster_map", what="summary", fix=fix)
    if "hull" not in summary.columns and "ellipse_1sd" not in summary.columns:
        check_columns(summary, ["hull"], func="cluster_map", what="summary", fix=fix)
    order = check_integer(order, "order", minimum=1, example="1", func="cluster_map")
    max_points = check_integer(max_points, "max_points", example="20000", func="cluster_map")
    rows = summary[summary["order"] == order] if "order" in summary.columns else summary
    if rows.empty:
        raise HotspotInputError(
            f"cluster_map: the summary has no clusters at order={order}; pick one of its "
            f"orders ({', '.join(map(str, sorted(set(summary.get('order', [1])))))})."
        )
    hidden = suppressed_label(summary)
    tips: dict[str, Any] = {
        "cluster": [escape(v) for v in rows.index],
        "incidents": [
            (hidden or "–") if pd.isna(v) else int(v) for v in rows["n_incidents"].to_numpy()
        ],
    }
    if "n_locations" in rows.columns:
        tips["locations"] = rows["n_locations"].to_numpy()
    tips["area_km2"] = rows["area_km2"].round(3).to_numpy()
    if "top_categories" in rows.columns:
        tips["top"] = [escape(v) for v in rows["top_categories"]]
    if "first_time" in rows.columns:
        tips["period"] = [
            escape(f"{_day(a)} to {_day(b)}") if pd.notna(a) else ""
            for a, b in zip(rows["first_time"], rows["last_time"], strict=True)
        ]
    sentences = cluster_sentences(rows, hidden)
    outlines = rows["hull"] if "hull" in rows.columns else rows["ellipse_1sd"]
    view = outlines[~outlines.is_empty]
    if m is None:
        m = new_map(view_bounds(to_lonlat(view)), tiles=tiles, func="cluster_map")
    add_surroundings(
        m,
        summary,
        view,
        labels=_labels_of(labels, incidents),
        context=context,
        func="cluster_map",
    )
    names, colours = [], []
    if "hull" in rows.columns:
        _geojson_layer(
            m,
            tips,
            rows["hull"],
            "Convex hulls",
            {"color": CLUSTER_HULL, "weight": 2, "fillOpacity": 0.25},
            sentences,
        )
        names.append("Convex hull")
        colours.append(CLUSTER_HULL)
    if (ellipses or "hull" not in rows.columns) and "ellipse_1sd" in rows.columns:
        keep = ~rows["ellipse_1sd"].is_empty.to_numpy()
        _geojson_layer(
            m,
            {k: np.asarray(v)[keep] for k, v in tips.items()},
            rows["ellipse_1sd"][keep],
            "Standard deviational ellipses (1 SD)",
            {"color": CLUSTER_ELLIPSE, "weight": 2, "fillOpacity": 0.0},
            [t for t, k in zip(sentences, keep, strict=True) if k],
        )
        names.append("Standard deviational ellipse (1 SD)")
        colours.append(CLUSTER_ELLIPSE)
    _number_clusters(m, rows, view)
    shapes = ["line"] * len(names)
    note = disclosure_note(summary)
    if incidents is not None:
        note = _draw_cluster_points(m, incidents, order, max_points) or note
        if note is None:
            names.append("Clustered incidents")
            colours.append(CLUSTER_HULL)
            shapes.append("dot")
    add_legend(m, legend_html(title or "Clusters", names, colours, shapes=shapes, note=note))
    add_layer_control(m)
    return m


def cluster_centres(rows: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Where each cluster's number goes: its mean centre (``centre_x``, ``centre_y``), or in a
    public copy (which drops them) the centre of its ellipse, else of its hull."""
    if {"centre_x", "centre_y"} <= set(rows.columns):
        points = gpd.points_from_xy(rows["centre_x"], rows["centre_y"])
        return gpd.GeoSeries(points, index=rows.index, crs=rows.crs)
    outline = rows["ellipse_1sd"] if "ellipse_1sd" in rows.columns else rows.geometry
    return gpd.GeoSeries(outline, crs=rows.crs).centroid


def _number_clusters(m: Any, rows: gpd.GeoDataFrame, view: gpd.GeoSeries) -> None:
    """Each cluster's label at its centre; the largest first where they would overlap."""
    centres = cluster_centres(rows)
    size = pd.to_numeric(rows["n_incidents"], errors="coerce").fillna(0).to_numpy()
    valid = ~(centres.is_empty | centres.isna()).to_numpy()
    order = np.argsort(-size[valid], kind="stable")
    numbers = gpd.GeoDataFrame(
        {"name": [str(v) for v in rows.index[valid][order]]},
        geometry=np.asarray(centres.array)[valid][order],
        crs=rows.crs,
    )
    add_labels(
        m,
        numbers,
        view,
        name="Cluster numbers",
        class_name="hotspot-cluster-label",
        fraction=CLUSTER_NUMBER_FRACTION,
        levels=CLUSTER_NUMBER_LEVELS,
        keep_all=True,
    )


def _draw_cluster_points(
    m: Any, incidents: gpd.GeoDataFrame, order: int, max_points: int
) -> str | None:
    """Dots of the clustered incidents; returns a note instead when there are too many."""
    import folium

    column = "cluster" if order == 1 else f"cluster_order_{order}"
    check_columns(
        incidents,
        [column],
        func="cluster_map",
        what="incidents",
        fix="pass the output of hotspot.cluster_incidents() as incidents=",
    )
    clustered = incidents[incidents[column].to_numpy() >= 0]
    if len(clustered) > max_points:
        return f"{len(clustered):,} clustered incidents: dots omitted above {max_points:,}."
    dots = gpd.GeoDataFrame(
        {"cluster": [escape(v) for v in clustered[column]]},
        geometry=to_lonlat(clustered.geometry),
        crs=4326,
    )
    folium.GeoJson(
        dots.to_json(drop_id=True),
        name="Clustered incidents",
        marker=folium.CircleMarker(radius=2, weight=0, fill=True, fill_opacity=0.7),
        style_function=lambda f: {"fillColor": CLUSTER_HULL, "color": CLUSTER_HULL},
        tooltip=folium.GeoJsonTooltip(fields=["cluster"]),
    ).add_to(m)
    return None


def near_repeat_map(
    chains: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None = None,
    *,
    m: Any = None,
    title: str | None = None,
    min_size: int = 2,
    max_points: int = 20_000,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """Near-repeat chains from :func:`hotspot.near_repeat_chains`, coloured by size.

    Each chain is drawn as its outline (the convex hull of its incidents; a dot when they share
    one place); with ``incidents``, each chain's incidents are also drawn as dots joined in time
    order, so the sequence can be followed. This is an incident-level map: it is for internal
    use and a public export refuses it.

    Parameters
    ----------
    chains : GeoDataFrame
        Output of :func:`hotspot.near_repeat_chains`.
    incidents : GeoDataFrame, optional
        The incidents the chains were built from (to draw each chain's path).
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    min_size : int, default=2
        Smallest chain drawn.
    max_points : int, default=20_000
        Incident dots beyond this number are left out (the outlines are always drawn) and the
        legend says so.
    labels : GeoDataFrame or False, optional
        Place names (a ``name`` column and points, busiest first); default: the area names of
        ``incidents`` when given; False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the chains (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`hotspot.maps.counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> b = inc[(inc["category"] == "Break and Enter") & (inc["time"].dt.year == 2019)]
    >>> chains = hs.near_repeat_chains(b, distance=100, days=7)
    >>> m = hs.maps.near_repeat_map(chains, b)
    >>> "Near-repeat chains" in m.get_root().render()
    True
    """
    import folium

    fix = "pass the output of hotspot.near_repeat_chains(incidents, distance, days)"
    check_geodataframe(chains, func="near_repeat_map", name="chains", fix=fix)
    check_columns(
        chains,
        ["members", "size", "first", "last", "span_days", "extent_m"],
        func="near_repeat_map",
        what="chains",
        fix=fix,
    )
    min_size = check_integer(min_size, "min_size", minimum=1, example="2", func="near_repeat_map")
    max_points = check_integer(max_points, "max_points", example="20000", func="near_repeat_map")
    # Smallest first, so a large chain is drawn over the small ones sharing its place.
    rows = chains[chains["size"] >= min_size].sort_values("size", kind="stable")
    if rows.empty:
        raise HotspotInputError(
            f"near_repeat_map: no chain has min_size={min_size} or more incidents; lower "
            "min_size (2 draws every chain of two or more)."
        )
    size = rows["size"].to_numpy()
    colour = np.asarray(CHAIN_COLOURS)[chain_class(size)]
    lonlat = to_lonlat(rows.geometry)
    if m is None:
        m = new_map(view_bounds(lonlat), tiles=tiles, func="near_repeat_map")
    add_surroundings(
        m,
        chains,
        rows.geometry,
        labels=_labels_of(labels, incidents),
        context=context,
        func="near_repeat_map",
    )
    tips = {
        "chain": [escape(i) for i in rows.index],
        "incidents": size,
        "first": [f"{t:%Y-%m-%d %H:%M}" for t in rows["first"]],
        "last": [f"{t:%Y-%m-%d %H:%M}" for t in rows["last"]],
        "span_days": rows["span_days"].round(1).to_numpy(),
        "extent_m": rows["extent_m"].round().to_numpy(),
    }
    outlines = gpd.GeoDataFrame({**tips, "_fill": colour}, geometry=lonlat, crs=4326)
    folium.GeoJson(
        outlines.to_json(drop_id=True),
        name="Near-repeat chains",
        marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.9),
        style_function=lambda f: {
            "color": f["properties"]["_fill"],
            "fillColor": f["properties"]["_fill"],
            "weight": 3,
            "fillOpacity": 0.3 if f["geometry"]["type"] != "Point" else 0.9,
        },
        tooltip=folium.GeoJsonTooltip(fields=list(tips)),
    ).add_to(m)
    note = None
    if incidents is not None:
        members = rows["members"].explode()
        if len(members) > max_points:
            note = f"{len(members):,} incidents in chains: dots omitted above {max_points:,}."
        else:
            points = to_lonlat(incidents.geometry.loc[members.to_numpy()])
            ends = np.cumsum(size)
            paths = [
                shapely.LineString(points[end - n : end]) for n, end in zip(size, ends, strict=True)
            ]
            lines = gpd.GeoDataFrame(
                {"chain": tips["chain"], "_fill": colour}, geometry=paths, crs=4326
            )
            dots = gpd.GeoDataFrame(
                {"chain": np.repeat(tips["chain"], size), "_fill": np.repeat(colour, size)},
                geometry=points,
                crs=4326,
            )
            for frame, name in ((lines, "Chain paths (time order)"), (dots, "Chain incidents")):
                folium.GeoJson(
                    frame.to_json(drop_id=True),
                    name=name,
                    marker=folium.CircleMarker(radius=3, weight=1, fill=True, fill_opacity=1),
                    style_function=lambda f: {
                        "color": f["properties"]["_fill"],
                        "fillColor": f["properties"]["_fill"],
                        "weight": 2,
                    },
                    tooltip=folium.GeoJsonTooltip(fields=["chain"]),
                ).add_to(m)
    add_legend(
        m,
        legend_html(
            title or "Near-repeat chains (incidents per chain)",
            chain_labels(),
            list(CHAIN_COLOURS),
            note=note,
            shapes=["dot"] * len(CHAIN_COLOURS),
        ),
    )
    add_layer_control(m)
    return m
