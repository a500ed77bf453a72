"""Where a slide image is, without a basemap: the study-area outline, the ``context=`` layers
(boundaries, roads) under the result, and place names written over it, thinned so that no two
overlap and none covers the legend, the scale bar or a cluster number."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot.maps._labels import place_labels
from hotspot.maps._png_draw import (
    HALO_WIDTH,
    LABEL_COLOUR,
    LABEL_SIZE,
    add_polygons,
    bounds_of,
    halo,
    main_geometry,
    project,
)
from hotspot.maps._result_attrs import study_area

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

# The study area: a clear thin dark line above the cells.
STUDY_AREA_EDGE = "#3c3c3c"


STUDY_AREA_WIDTH = 0.8


# ``context=`` layers (boundaries, roads) under the result.
CONTEXT_LINE = "#8f8f8f"


CONTEXT_WIDTH = 0.6


MINOR_LABEL_SIZE = 7.0


# At most this many place names on one map; a name is "major" (larger, bold) when its area is
# among the MAX_MAJOR busiest and has at least MAJOR_SHARE of the busiest area's incidents.
MAX_LABELS = 30


MAX_MAJOR = 5


MAJOR_SHARE = 0.25


# Space kept clear around each label beyond its halo, in pixels at 100 dpi (scaled with dpi).
LABEL_GAP_PX = 2.0


PLACE_LABEL_GID = "hotspot-place-label"


# Where a name may go when its own point is taken: just above, below, right or left of it, in
# units of the name's height (vertical) or half-width (horizontal).
LABEL_SHIFTS = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))


def source_crs(result: Any) -> Any:
    """The CRS the result's geometry (or a surface's grid) is in."""
    if hasattr(result, "dims"):
        return result.attrs.get("crs")
    return main_geometry(result).crs


def draw_study_area(ax: Axes, result: Any, crs: Any, near: np.ndarray | None) -> np.ndarray | None:
    """Outline the study area with a thin dark line, if the attrs hold one that overlaps the
    drawing.

    (A result reprojected after the analysis still carries the area in the old CRS: it would land
    elsewhere, and is left out.)
    """
    area = study_area(result)
    if area is None:
        return None
    with np.errstate(all="ignore"):
        geometry = project(gpd.GeoSeries([area], crs=source_crs(result)), crs)
    bounds = bounds_of(geometry)
    if bounds is None or not np.isfinite(bounds).all():
        return None
    if near is not None and not shapely.box(*bounds).intersects(shapely.box(*near)):
        return None
    add_polygons(
        ax, geometry, "none", edgecolor=STUDY_AREA_EDGE, linewidth=STUDY_AREA_WIDTH, zorder=4
    )
    return bounds


def draw_context(ax: Axes, layers: list[tuple[str, gpd.GeoDataFrame]], crs: Any) -> None:
    """Context layers under the result, reprojected: polygons as grey outlines, lines as grey
    lines, points as small grey dots. They do not widen the view."""
    from matplotlib.collections import LineCollection

    for _, layer in layers:
        with np.errstate(all="ignore"):
            geometry = (
                project(layer.geometry, crs)
                if crs is not None
                else np.asarray(layer.geometry.array)
            )
        geometry = geometry[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
        kind = shapely.get_type_id(geometry)
        polygons, points = np.isin(kind, (3, 6)), np.isin(kind, (0, 4))
        lines = np.isin(kind, (1, 2, 5))
        add_polygons(
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


def labels_to_draw(result: Any, labels: Any, crs: Any) -> pd.DataFrame | None:
    """Names, positions in ``crs`` and incident counts (NaN if unknown) of the candidate
    labels, most important first; None when there are none.

    The labels are the HTML maps' (:func:`hotspot.maps._labels.place_labels`): the result's
    own or those given, and in a public copy only areas of at least ``min_count`` incidents,
    placed on a 500 m grid (a name at the median of one or two incidents would show where
    they are).
    """
    frame = place_labels(result, labels, func="to_png")
    if frame is None or not len(frame):
        return None
    with np.errstate(all="ignore"):  # labels recorded before a reprojection land nowhere
        projected = project(frame.geometry, crs) if crs is not None else frame.geometry.array
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


def inside(box: Bbox, outer: Bbox) -> bool:
    """Whether ``box`` lies wholly within ``outer``."""
    return bool(
        box.x0 >= outer.x0 and box.y0 >= outer.y0 and box.x1 <= outer.x1 and box.y1 <= outer.y1
    )


def obstacles(artists: list[Any], renderer: RendererBase) -> list[Bbox]:
    """Window extents (pixels) of the map furniture and cluster numbers that names must avoid."""
    boxes = []
    for artist in artists:
        if artist is None:
            continue
        box = artist.get_tightbbox(renderer) if hasattr(artist, "arrow_patch") else None
        boxes.append(box if box is not None else artist.get_window_extent(renderer))
    return boxes


def add_place_labels(
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
    taken = obstacles(avoid, renderer)
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
            path_effects=halo(),
            parse_math=False,
            zorder=6,
            gid=PLACE_LABEL_GID,
        )
        box = free_place(text, renderer, pad, frame, taken)
        if box is None:
            text.remove()
            continue
        taken.append(box)
        drawn.append(text)
    return drawn


def free_place(
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
        if inside(padded, frame) and not any(padded.overlaps(other) for other in taken):
            return padded
    return None
