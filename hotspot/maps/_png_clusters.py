"""Cluster summaries and near-repeat chains as slide images: hulls and 1-SD ellipses numbered
with their cluster id (as in the report's cluster table), chains coloured by size."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot._validate import check_columns
from hotspot.errors import HotspotInputError
from hotspot.maps._png_draw import (
    LABEL_COLOUR,
    LABEL_SIZE,
    DrawnLayer,
    add_polygons,
    bounds_of,
    halo,
    main_geometry,
    outline_swatch,
    project,
    swatch,
    union_bounds,
)
from hotspot.maps._style import (
    CHAIN_COLOURS,
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    chain_class,
    chain_labels,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# A slide numbers this many clusters at most, the largest (the report's table lists 10).
MAX_CLUSTER_NUMBERS = 20


CLUSTER_NUMBER_GID = "hotspot-cluster-number"


def cluster_centres(rows: gpd.GeoDataFrame, crs: Any) -> np.ndarray:
    """(n, 2) centre of each cluster in ``crs``: its mean centre, else (a public copy drops
    the centre columns) its ellipse's centre, else its hull's; NaN when none is known."""
    source = main_geometry(rows).crs
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
        projected = project(gpd.GeoSeries(points, crs=source), crs)
    xy = np.full((len(rows), 2), np.nan)
    ok = ~(shapely.is_missing(projected) | shapely.is_empty(projected))
    xy[ok] = shapely.get_coordinates(projected[ok])
    return xy


def cluster_number(value: Any) -> str:
    """A cluster's id as written on the map: ``3`` for 3 or 3.0, else as it is."""
    number = float(value) if isinstance(value, int | float | np.number) else None
    return str(int(number)) if number is not None and number.is_integer() else str(value)


def draw_cluster_summary(ax: Axes, summary: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    """Convex hulls (when present: a public copy has none) and 1-SD ellipses of order 1, each
    cluster numbered at its centre with its id (the summary's index, as in the report's
    cluster table)."""
    from matplotlib.colors import to_rgba

    check_columns(
        summary,
        ["n_incidents"],
        func="to_png",
        what="summary",
        fix="pass the output of hotspot.cluster_summary(clustered)",
    )
    rows = summary[summary["order"] == 1] if "order" in summary.columns else summary
    numbered = rows.index
    if len(rows) > MAX_CLUSTER_NUMBERS and "n_incidents" in rows.columns:
        largest = rows["n_incidents"].sort_values(ascending=False, kind="stable")
        numbered = largest.index[:MAX_CLUSTER_NUMBERS]
        layer = DrawnLayer(f"Clusters (number = cluster id, the {MAX_CLUSTER_NUMBERS} largest)")
    else:
        layer = DrawnLayer("Clusters (number = cluster id)")
    bounds = []
    if "hull" in rows.columns:
        hulls = project(rows["hull"], crs)
        add_polygons(ax, hulls, to_rgba(CLUSTER_HULL, 0.25), edgecolor=CLUSTER_HULL, linewidth=1.2)
        layer.handles.append(swatch(CLUSTER_HULL, "Convex hull", edge=CLUSTER_HULL, alpha=0.25))
        bounds.append(bounds_of(hulls))
    if "ellipse_1sd" in rows.columns:
        ellipses = project(rows["ellipse_1sd"], crs)
        add_polygons(ax, ellipses, "none", edgecolor=CLUSTER_ELLIPSE, linewidth=1.4, zorder=4)
        layer.handles.append(outline_swatch(CLUSTER_ELLIPSE, "Standard deviational ellipse (1 SD)"))
        bounds.append(bounds_of(ellipses))
    for cluster, (x, y) in zip(rows.index, cluster_centres(rows, crs), strict=True):
        if np.isfinite(x) and np.isfinite(y) and cluster in numbered:
            layer.texts.append(
                ax.text(
                    x,
                    y,
                    cluster_number(cluster),
                    ha="center",
                    va="center",
                    fontsize=LABEL_SIZE,
                    fontweight="bold",
                    color=LABEL_COLOUR,
                    path_effects=halo(),
                    parse_math=False,
                    zorder=7,
                    gid=CLUSTER_NUMBER_GID,
                )
            )
    layer.bounds = union_bounds(bounds)
    return layer


def draw_chains(ax: Axes, chains: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    """Near-repeat chains of two or more incidents coloured by size, as :func:`near_repeat_map`:
    the hull of each chain's incidents, a line where they lie in a row, a dot where they share
    one place."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    check_columns(
        chains,
        ["size"],
        func="to_png",
        what="chains",
        fix="pass the output of hotspot.near_repeat_chains(incidents, distance, days)",
    )
    rows = chains[chains["size"] >= 2]
    if rows.empty:
        raise HotspotInputError(
            "to_png: no chain has 2 or more incidents; there is nothing to draw."
        )
    size_class = chain_class(rows["size"].to_numpy())
    colours = np.asarray(CHAIN_COLOURS)[size_class]
    geometry = project(rows.geometry, crs)
    kind = shapely.get_type_id(geometry)
    areas, lines, points = np.isin(kind, (3, 6)), np.isin(kind, (1, 5)), np.isin(kind, (0, 4))
    faces = [to_rgba(c, 0.3) for c in colours[areas]]
    add_polygons(
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
        swatch(colour, label, edge=colour)
        for k, (colour, label) in enumerate(zip(CHAIN_COLOURS, chain_labels(), strict=True))
        if k in present
    ]
    return DrawnLayer("Near-repeat chains (incidents per chain)", handles, bounds_of(geometry))
