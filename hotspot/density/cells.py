"""Using a density surface: its cells as polygons (:func:`density_to_cells`) and the densest
cells outlined as hot spots (:func:`density_hotspots`)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from scipy import ndimage

from hotspot._result import stamp
from hotspot._validate import check_cells, check_value_column
from hotspot.density._engine import M2_PER_KM2
from hotspot.density._raster import check_surface
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import MAX_CELLS

__all__ = ["HOTSPOT_COLUMNS", "density_hotspots", "density_to_cells"]

#: The columns of :func:`density_hotspots`, besides ``geometry``.
HOTSPOT_COLUMNS = (
    "density_hotspots_n_cells",
    "density_hotspots_area_km2",
    "density_hotspots_density_max",
    "density_hotspots_mass",
    "density_hotspots_mass_share",
)
#: Density columns :func:`density_hotspots` looks for on cells, in order (``kde_ratio``: the
#: name of ``dual_kde_ratio`` before 0.2).
DENSITY_COLUMNS = ("kde_density", "dual_kde_ratio", "kde_ratio")


def density_to_cells(
    surface: xr.DataArray, *, min_density: float | None = None
) -> gpd.GeoDataFrame:
    """The raster as square polygons: one row per cell with a value (NaN cells are dropped).

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`hotspot.kde` or :func:`hotspot.dual_kde`.
    min_density : float, optional
        Also drop cells whose value is below this; a small positive number drops the empty
        background.

    Returns
    -------
    GeoDataFrame
        Index ``cell_id``, columns ``row``, ``col`` (the cell spans ``[col*s, (col+1)*s] x
        [row*s, (row+1)*s]``, as :func:`hotspot.square_grid`), the surface's value under its
        name (``kde_density``, ``dual_kde_ratio``) and ``geometry``. Stamped with method
        ``"density_to_cells"`` (kind ``"cells"``) over the surface's own record (its ``kde``,
        period and place labels); ``attrs["hotspot"]["grid"]`` describes the square grid, so
        :func:`hotspot.count_incidents` can count into these cells.

    Raises
    ------
    HotspotInputError
        ``surface`` is not a hotspot surface, ``min_density`` is not a number, or there are
        more than 5 million cells to convert.

    Notes
    -----
    A 1000 x 1000 raster is a million polygons (about 1 GB in geopandas): convert only what
    you need, e.g. ``density_to_cells(surface, min_density=1.0)``, or clip the surface first
    (``surface.sel(x=slice(x0, x1), y=slice(y1, y0))``). At most 5 million cells.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    >>> cells = hs.density_to_cells(surface, min_density=1.0)
    >>> list(cells.columns), float(cells.geometry.area.iloc[0])
    (['row', 'col', 'kde_density', 'geometry'], 1000000.0)
    """
    values, size, transform, wkt = check_surface(surface, func="density_to_cells")
    keep = np.isfinite(values)
    if min_density is not None:
        if isinstance(min_density, bool) or not isinstance(
            min_density, int | float | np.integer | np.floating
        ):
            raise HotspotInputError(
                f"density_to_cells: min_density={min_density!r} must be a number in the "
                "surface's units, e.g. 1.0 to drop the empty background."
            )
        keep &= values >= float(min_density)
    n = int(keep.sum())
    if n > MAX_CELLS:
        raise HotspotInputError(
            f"density_to_cells: the surface has {n:,} cells to convert (limit "
            f"{MAX_CELLS:,}); pass "
            "min_density=, clip the surface, or make it with a larger cell_size."
        )
    i, j = np.nonzero(keep)
    xs = surface["x"].to_numpy()[j]
    ys = surface["y"].to_numpy()[i]
    col = np.floor(xs / size).astype(np.int64)
    row = np.floor(ys / size).astype(np.int64)
    boxes = shapely.box(xs - size / 2, ys - size / 2, xs + size / 2, ys + size / 2)
    name = surface.name or "value"
    cells = gpd.GeoDataFrame(
        {"row": row, "col": col, name: values[keep]},
        geometry=boxes,
        crs=wkt,
        index=pd.RangeIndex(n, name="cell_id"),
    )
    aligned = abs(transform[2] / size - round(transform[2] / size)) < 1e-6
    extra: dict[str, Any] = {}
    if aligned:
        extra["grid"] = {
            "shape": "square",
            "cell_size": size,
            "n_cells": n,
            "cell_area_m2": size**2,
            "study_area": "cells of a kde surface",
            "chosen": {},
        }
    params = {"min_density": min_density, "value": name, "n_cells": n, "aligned": aligned}
    return stamp(
        cells, kind="cells", method="density_to_cells", params=params, source=surface, **extra
    )


def _selection(values: np.ndarray, areas: np.ndarray, top: float) -> tuple[np.ndarray, float]:
    """The densest cells whose area first reaches ``top`` of the total (ties included)."""
    valid = np.isfinite(values)
    order = np.argsort(-np.where(valid, values, -np.inf), kind="stable")
    order = order[: int(valid.sum())]
    cumulative = np.cumsum(areas[order])
    total = cumulative[-1] if len(cumulative) else 0.0
    k = int(np.searchsorted(cumulative, top * total * (1 - 1e-12)))
    k = min(k, len(order) - 1)
    threshold = float(values[order[k]]) if len(order) else np.inf
    chosen = valid & (values >= threshold) & (values > 0)
    return chosen, threshold


def density_hotspots(
    density: xr.DataArray | gpd.GeoDataFrame,
    top: float = 0.05,
    *,
    column: str | None = None,
) -> gpd.GeoDataFrame:
    """Polygons around the densest cells: the top ``top`` share of the area, dissolved.

    Parameters
    ----------
    density : xarray.DataArray or GeoDataFrame
        A surface from :func:`hotspot.kde` / :func:`hotspot.dual_kde`, or cells with a density
        column.
    top : float, default=0.05
        Share of the area (of the cells with a value; NaN cells do not count) to outline: the
        densest cells are taken until their area reaches it. Cells tied with the last one are
        included, and cells with zero density never are.
    column : str, optional
        The density column of a GeoDataFrame; default ``kde_density`` (or ``dual_kde_ratio``).

    Returns
    -------
    GeoDataFrame
        One polygon per group of selected cells sharing an edge, index ``hotspot_id`` (by
        decreasing mass), columns ``density_hotspots_n_cells``, ``density_hotspots_area_km2``,
        ``density_hotspots_density_max``, ``density_hotspots_mass`` (the density integrated
        over the polygon: incidents, for a :func:`hotspot.kde` surface) and
        ``density_hotspots_mass_share`` (its share of the whole surface's mass, i.e. of the
        incidents), and ``geometry``; until 0.2 the columns were ``n_cells``, ``area_km2``,
        ``density_max``, ``mass`` and ``mass_share``. Stamped with method
        ``"density_hotspots"`` and kind ``"clusters"`` over the density's own record (its
        ``kde``, period and places; for cells, their grid too):
        ``attrs["hotspot"]["density_hotspots"]`` records ``top``, the threshold density, the
        area share and the mass share actually covered.

    Raises
    ------
    HotspotInputError
        ``top`` is not a share in (0, 1], the density is neither a hotspot surface nor cells
        with a numeric density column, or ``column=`` is given with a surface.

    Notes
    -----
    On cells the density is the centroid value (see :func:`hotspot.kde`), so a cell's mass is
    that value x its area. Cells touching only at a corner are separate hot spots.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=1000, cell_size=250, quiet=True)
    >>> hot = hs.density_hotspots(surface, top=0.05)
    >>> hot.columns.tolist()[:2]
    ['density_hotspots_n_cells', 'density_hotspots_area_km2']
    >>> bool(hot["density_hotspots_mass_share"].sum() > 0.4)  # 5 % of the area, 40 % of crime
    True
    """
    if (
        isinstance(top, bool)
        or not isinstance(top, int | float | np.integer | np.floating)
        or not 0 < float(top) <= 1
    ):
        raise HotspotInputError(
            f"density_hotspots: top={top!r} must be a share in (0, 1], e.g. 0.05 for 5 %."
        )
    top = float(top)
    if isinstance(density, gpd.GeoDataFrame):
        return _hotspots_from_cells(density, top, column)
    if column is not None:
        raise HotspotInputError(
            f"density_hotspots: column={column!r} is for cells; a surface has one value per "
            "cell: leave column out."
        )
    values, size, _, wkt = check_surface(density, func="density_hotspots")
    cell_km2 = size**2 / M2_PER_KM2
    flat = values.ravel()
    chosen, threshold = _selection(flat, np.full(flat.shape, cell_km2), top)
    chosen = chosen.reshape(values.shape)
    labels, n_labels = ndimage.label(chosen)  # groups of cells sharing an edge
    i, j = np.nonzero(chosen)
    lab = labels[i, j] - 1
    xs = density["x"].to_numpy()[j]
    ys = density["y"].to_numpy()[i]
    boxes = shapely.box(xs - size / 2, ys - size / 2, xs + size / 2, ys + size / 2)
    vals = values[i, j]
    total_mass = float(np.nansum(values)) * cell_km2
    frame = _dissolve(boxes, lab, n_labels, vals, np.full(len(vals), cell_km2), total_mass, wkt)
    valid_cells = int(np.isfinite(values).sum())
    params = {
        "top": top,
        "threshold": threshold,
        "column": density.name,
        "cells": int(chosen.sum()),
        "area_share": float(chosen.sum() / valid_cells) if valid_cells else 0.0,
        "mass_share": _mass_share(frame),
        "connectivity": "cells sharing an edge",
    }
    return stamp(frame, kind="clusters", method="density_hotspots", params=params, source=density)


def _mass_share(frame: gpd.GeoDataFrame) -> float:
    return float(frame["density_hotspots_mass_share"].sum()) if len(frame) else 0.0


def _dissolve(
    geoms: np.ndarray,
    label: np.ndarray,
    n_labels: int,
    values: np.ndarray,
    areas_km2: np.ndarray,
    total_mass: float,
    crs: Any,
    outlines: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """One row per label: the union of its cells (or the given outline) and its totals."""
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(n_labels + 1))
    polygons, n_cells, area, peak, mass = [], [], [], [], []
    for g in range(n_labels):
        members = order[bounds[g] : bounds[g + 1]]
        if outlines is None:  # square cells of a raster: an exact coverage
            polygons.append(shapely.coverage_union_all(geoms[members]))
        else:
            polygons.append(outlines[g])
        n_cells.append(len(members))
        area.append(float(areas_km2[members].sum()))
        peak.append(float(values[members].max()))
        mass.append(float((values[members] * areas_km2[members]).sum()))
    mass_km = np.asarray(mass, dtype=float)
    share = mass_km / total_mass if total_mass > 0 else np.zeros(len(mass_km))
    columns = (
        np.asarray(n_cells, dtype=np.int64),
        np.asarray(area, dtype=float),
        np.asarray(peak, dtype=float),
        mass_km,
        share,
    )
    frame = gpd.GeoDataFrame(
        dict(zip(HOTSPOT_COLUMNS, columns, strict=True)), geometry=polygons, crs=crs
    )
    frame = frame.sort_values("density_hotspots_mass", ascending=False, kind="stable")
    frame = frame.reset_index(drop=True)
    frame.index.name = "hotspot_id"
    return frame


def _hotspots_from_cells(
    cells: gpd.GeoDataFrame, top: float, column: str | None
) -> gpd.GeoDataFrame:
    check_cells(cells, "density")
    if column is None:
        column = next((c for c in DENSITY_COLUMNS if c in cells.columns), None)
        if column is None:
            raise HotspotInputError(
                "density_hotspots: the cells have no 'kde_density' (or 'dual_kde_ratio') "
                "column; make them with hotspot.kde(incidents, cells=...) or name the column "
                "with column=."
            )
    # NaN is no density (outside the study area), not an error: only the other values are
    # checked to be numbers
    given = cells[column].notna().to_numpy() if column in cells.columns else slice(None)
    check_value_column(
        cells.loc[given],
        column,
        what="cells",
        fix="pass column= the name of the density column, e.g. 'kde_density'",
        varying=False,
        func="density_hotspots",
    )
    values = pd.to_numeric(cells[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    areas_km2 = np.asarray(shapely.area(cells.geometry.array)) / M2_PER_KM2
    chosen, threshold = _selection(values, areas_km2, top)
    geoms = np.asarray(cells.geometry.array)[chosen]
    if len(geoms):
        merged = shapely.get_parts(shapely.union_all(geoms))
        tree = shapely.STRtree(merged)
        probe = shapely.point_on_surface(geoms)
        cell_idx, part_idx = tree.query(probe, predicate="intersects")
        label = np.full(len(geoms), -1, dtype=np.int64)
        label[cell_idx] = part_idx
        n_labels = len(merged)
    else:
        merged, label, n_labels = np.array([]), np.array([], dtype=np.int64), 0
    valid = np.isfinite(values)
    total_mass = float((values[valid] * areas_km2[valid]).sum())
    frame = _dissolve(
        geoms, label, n_labels, values[chosen], areas_km2[chosen], total_mass, cells.crs, merged
    )
    total_area = float(areas_km2[valid].sum())
    params = {
        "top": top,
        "threshold": threshold,
        "column": column,
        "cells": int(chosen.sum()),
        "area_share": float(areas_km2[chosen].sum() / total_area) if total_area else 0.0,
        "mass_share": _mass_share(frame),
        "connectivity": "cells sharing an edge (polygons that touch only at a point stay apart)",
    }
    return stamp(frame, kind="clusters", method="density_hotspots", params=params, source=cells)
