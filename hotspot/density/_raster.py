"""The raster of a density surface: its cell size, its extent, its values, and the
``xarray.DataArray`` that carries them (built here, and read back by :func:`check_surface`).

Cells are aligned to multiples of the cell size in the CRS, as :func:`hotspot.square_grid`'s,
and the DataArray holds the values at the cell centres, rows north to south, with the affine
``transform`` a GeoTIFF writer needs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
import xarray as xr
from pyproj import CRS

from hotspot._areas import CELLS_ON_SHORTER_SIDE, nice_floor
from hotspot._messages import announce
from hotspot._validate import check_metres
from hotspot.density._engine import (
    M2_PER_KM2,
    MAX_NODES,
    MIN_EDGE_SHARE,
    Smoothing,
    density_on_nodes,
    edge_correction_note,
    edge_share,
    nodes_inside,
    warn_coarse,
)
from hotspot.errors import HotspotInputError

#: Default raster cells are at most the kernel's standard deviation / this.
CELLS_PER_SD = 2
#: The default raster covers the data plus this many bandwidths (and at least the support).
PAD_BANDWIDTHS = 3
#: The default cell size is raised until the raster has at most this many cells.
DEFAULT_MAX_NODES = 4_000_000


def nice_above(value: float) -> float:
    """The next of 1, 2, 2.5, 5 x 10^k above ``value`` (a round number).

    Examples
    --------
    >>> nice_above(100.0), nice_above(260.0)
    (200.0, 500.0)
    """
    exponent = math.floor(math.log10(value))
    for k in (exponent, exponent + 1):
        for step in (1.0, 2.0, 2.5, 5.0):
            nice = float(f"{step * 10.0**k:.12g}")
            if nice > value * (1 + 1e-12):
                return nice
    return 10.0 ** (exponent + 2)


def plan_cell_size(
    spec: Smoothing,
    cell_size: Any,
    data_extent: tuple[float, float, float, float],
    raster_extent: tuple[float, float, float, float],
    quiet: bool,
    func: str,
) -> tuple[float, str]:
    """The raster's cell size: given, or the smaller of extent / 50 and sd / 2, made round."""
    if cell_size is not None:
        return check_metres(cell_size, "cell_size", func=func, example="250"), "given"
    minx, miny, maxx, maxy = data_extent
    shorter = min(maxx - minx, maxy - miny)
    bound_sd = spec.sd / CELLS_PER_SD
    limit = min(shorter / CELLS_ON_SHORTER_SIDE, bound_sd) if shorter > 0 else bound_sd
    size = nice_floor(limit)
    how = (
        f"the smaller of the extent's shorter side / {CELLS_ON_SHORTER_SIDE} "
        f"({shorter / CELLS_ON_SHORTER_SIDE:,.0f} m) and the kernel's standard deviation / "
        f"{CELLS_PER_SD} ({bound_sd:,.0f} m), rounded down to a round number"
    )
    width, height = raster_extent[2] - raster_extent[0], raster_extent[3] - raster_extent[1]
    if (width / size + 1) * (height / size + 1) > DEFAULT_MAX_NODES:
        while (width / size + 1) * (height / size + 1) > DEFAULT_MAX_NODES:
            size = nice_above(size)
        how += f", raised to keep the raster under {DEFAULT_MAX_NODES:,} cells"
    announce(
        f"cell_size not given: using {size:g} m ({how}); pass cell_size= to choose", quiet=quiet
    )
    return size, how


def raster_density(
    spec: Smoothing,
    cell_size: Any,
    area: shapely.Geometry | None,
    edge_correction: bool,
    quiet: bool,
    *,
    func: str,
    extent_points: tuple[np.ndarray, np.ndarray] | None = None,
    warn: bool = True,
) -> tuple[np.ndarray, dict, dict]:
    """Raster values per km² (rows y descending, NaN outside the study area), its grid and the
    record of the method."""
    ex, ey = extent_points if extent_points is not None else (spec.x, spec.y)
    pad = max(PAD_BANDWIDTHS * spec.h, spec.radius)
    if area is not None:
        extent = area.bounds
        extent_note = "the study area's bounds"
    else:
        extent = (ex.min() - pad, ey.min() - pad, ex.max() + pad, ey.max() + pad)
        extent_note = (
            f"the incidents' bounds + {pad:,.0f} m ({PAD_BANDWIDTHS} bandwidths or the "
            "kernel's reach)"
        )
    data_extent = (ex.min(), ey.min(), ex.max(), ey.max()) if area is None else extent
    size, size_how = plan_cell_size(spec, cell_size, data_extent, extent, quiet, func)
    if warn:
        warn_coarse(spec.h, size, "cell size")
    c0, r0 = math.floor(extent[0] / size), math.floor(extent[1] / size)
    c1 = max(c0, math.ceil(extent[2] / size) - 1)
    r1 = max(r0, math.ceil(extent[3] / size) - 1)
    n_cols, n_rows = c1 - c0 + 1, r1 - r0 + 1
    if n_cols * n_rows > MAX_NODES:
        raise HotspotInputError(
            f"{func}: a {size:g} m raster over {extent_note} would have {n_cols * n_rows:,} "
            f"cells (limit {MAX_NODES:,}); use a larger cell_size or a smaller study_area."
        )
    xs = (np.arange(c0, c1 + 1) + 0.5) * size
    ys = (np.arange(r0, r1 + 1) + 0.5) * size
    values, method = density_on_nodes(spec, xs, ys, size)
    values = values * M2_PER_KM2
    grid = {
        "cell_size": size,
        "cell_size_rule": size_how,
        "extent": extent_note,
        "shape": (n_rows, n_cols),
        "col0": c0,
        "row0": r0,
    }
    if area is not None:
        outside = ~nodes_inside(area, xs, ys)
        if edge_correction:
            gx, gy = np.meshgrid(xs, ys)
            share, step = edge_share(spec, area, gx[~outside], gy[~outside])
            values[~outside] /= np.maximum(share, MIN_EDGE_SHARE)
            method["edge_correction_method"] = edge_correction_note(step)
        values[outside] = np.nan
    return values[::-1], grid, method


def surface_array(
    values: np.ndarray, grid: dict, crs: Any, record: dict, name: str
) -> xr.DataArray:
    """The raster as a DataArray: dims ``("y", "x")`` at the cell centres, ``y`` descending,
    with ``crs`` (WKT), ``transform``, ``units`` and the kernel's facts in ``attrs``."""
    size = grid["cell_size"]
    n_rows, n_cols = grid["shape"]
    c0, r0 = grid["col0"], grid["row0"]
    xs = (np.arange(c0, c0 + n_cols) + 0.5) * size
    ys = ((np.arange(r0, r0 + n_rows) + 0.5) * size)[::-1]
    top = (r0 + n_rows) * size
    transform = (float(size), 0.0, float(c0 * size), 0.0, -float(size), float(top))
    attrs = {
        "long_name": record.get("long_name", "kernel density of incidents"),
        "units": record["units"],
        "crs": CRS.from_user_input(crs).to_wkt(),
        "transform": transform,
        "kernel": record["kernel"],
        "bandwidth": record["bandwidth"],
        "bandwidth_rule": record["bandwidth_rule"],
        "cell_size": float(size),
        "cell_size_rule": grid["cell_size_rule"],
    }
    return xr.DataArray(values, dims=("y", "x"), coords={"y": ys, "x": xs}, name=name, attrs=attrs)


def check_surface(surface: object, *, func: str) -> tuple[np.ndarray, float, tuple, str]:
    """Values (rows north to south), cell size, transform and CRS WKT of a hotspot surface."""
    if not isinstance(surface, xr.DataArray):
        raise HotspotInputError(
            f"{func}: expected a surface from hotspot.kde() or hotspot.dual_kde() (an "
            f"xarray.DataArray), not a {type(surface).__name__}; make one with "
            "hotspot.kde(incidents)."
        )
    if surface.dims != ("y", "x") or "transform" not in surface.attrs or "crs" not in surface.attrs:
        raise HotspotInputError(
            f"{func}: this DataArray is not a hotspot surface: it needs dims ('y', 'x') and "
            "attrs 'transform' and 'crs', as hotspot.kde() returns. Do not drop its attrs."
        )
    transform = tuple(float(v) for v in surface.attrs["transform"])
    size = transform[0]
    ys = surface["y"].to_numpy()
    if len(ys) > 1 and not np.all(np.diff(ys) < 0):
        raise HotspotInputError(
            f"{func}: the surface's y coordinate must descend (north up); do not sort or flip "
            "it, or use surface.sortby('y', ascending=False)."
        )
    left = float(surface["x"].to_numpy()[0]) - size / 2
    top = float(ys[0]) + size / 2
    transform = (size, 0.0, left, 0.0, -size, top)
    return surface.to_numpy().astype(float), size, transform, str(surface.attrs["crs"])
