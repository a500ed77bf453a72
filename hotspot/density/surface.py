"""Kernel density surfaces of incidents, dual-kernel ratio surfaces, and density hot spots.

:func:`kde` turns incidents into a density in incidents per km²: a raster surface (an
``xarray.DataArray`` ready for a GeoTIFF) or a ``kde_density`` column on cells the user gives.
:func:`dual_kde` divides two densities on the same grid (e.g. burglaries per dwelling);
:func:`density_hotspots` outlines the densest cells as polygons. Helpers convert a surface to
square cells (:func:`density_to_cells`) or to the pieces a GeoTIFF writer needs
(:func:`surface_to_geotiff_array`); :func:`kde_bandwidth` shows the bandwidth a rule gives.

Coordinates are metres (incidents from :func:`hotspot.read_incidents`). The numerical work is
in :mod:`hotspot.density._kernels`: linear binning and FFT convolution with second-order and
exact edge corrections, or a direct k-d tree kernel sum, chosen for accuracy and cost.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr
from pyproj import CRS
from scipy import ndimage
from scipy.spatial import cKDTree

from hotspot._areas import as_area_geometry
from hotspot._messages import announce, first_rows
from hotspot._period import context_of
from hotspot._validate import (
    check_cells,
    check_incidents,
    check_positive,
    check_same_crs,
    incident_xy,
    report_of,
)
from hotspot.density import _kernels as dk
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.grid.cells import CELLS_ON_SHORTER_SIDE, MAX_CELLS, _nice_floor

__all__ = [
    "GeoTiffArray",
    "density_hotspots",
    "density_to_cells",
    "dual_kde",
    "kde",
    "kde_bandwidth",
    "surface_to_geotiff_array",
]

KERNELS = dk.KERNELS
BANDWIDTH_RULES = ("nn", "scott", "silverman")
#: The rule used when ``bandwidth`` is not given (see :func:`kde`, Notes, for why).
DEFAULT_RULE = "nn"
#: Order k of the nearest neighbour in the ``"nn"`` rule.
NN_ORDER = 10
#: Default raster cells are at most the kernel's standard deviation / this.
CELLS_PER_SD = 2
#: The default raster covers the data plus this many bandwidths (and at least the support).
PAD_BANDWIDTHS = 3
#: Most nodes of a raster surface, or of the lattice it is computed on.
MAX_NODES = 16_000_000
#: The default cell size is raised until the raster has at most this many cells.
DEFAULT_MAX_NODES = 4_000_000
#: Most (incident location, node) pairs of a direct kernel sum.
MAX_DIRECT_PAIRS = 150_000_000
#: Cost of one direct (location, node) kernel evaluation relative to one lattice node, used to
#: choose between a refined lattice and a direct sum when the cells are coarse for the kernel.
DIRECT_COST_PER_PAIR = 0.5
#: Edge correction never multiplies a density by more than 1 / this.
MIN_EDGE_SHARE = 0.1
M2_PER_KM2 = 1e6
_UNITS = "incidents per km²"


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def _check_kernel(kernel: object) -> str:
    if not isinstance(kernel, str) or kernel.lower() not in KERNELS:
        raise HotspotInputError(
            f"kernel={kernel!r} is not a known kernel; use one of {', '.join(KERNELS)}."
        )
    return kernel.lower()


def _weights(incidents: gpd.GeoDataFrame, weights: Any) -> tuple[np.ndarray, str | None]:
    """Per-incident weights (float, finite, >= 0, not all zero) and how they were given."""
    n = len(incidents)
    if weights is None:
        return np.ones(n), None
    if isinstance(weights, str):
        if weights not in incidents.columns:
            raise HotspotInputError(
                f"weights={weights!r} is not a column of the incidents; their columns are "
                f"{', '.join(map(str, incidents.columns))}."
            )
        column = incidents[weights]
        if not pd.api.types.is_numeric_dtype(column.dtype):
            raise HotspotInputError(
                f"weights column {weights!r} is {column.dtype}, not numbers; convert it with "
                f"pd.to_numeric(incidents[{weights!r}])."
            )
        values = column.to_numpy(dtype=float, na_value=np.nan)
        note = f"column {weights!r}"
    elif isinstance(weights, pd.Series | np.ndarray | list | tuple):
        if isinstance(weights, pd.Series) and not weights.index.equals(incidents.index):
            raise HotspotInputError(
                "weights is a Series whose index differs from the incidents'; align it with "
                "weights.reindex(incidents.index) or pass a column name."
            )
        try:
            if isinstance(weights, pd.Series):
                values = weights.to_numpy(dtype=float, na_value=np.nan)
            else:
                values = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise TypeError(f"weights must be numbers: {exc}") from None
        if len(values) != n:
            raise HotspotInputError(
                f"weights has {len(values):,} values but there are {n:,} incidents; pass one "
                "weight per incident."
            )
        note = "array"
    else:
        raise TypeError(
            "weights must be a column name or an array of one number per incident, not "
            f"{type(weights).__name__}"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise HotspotInputError(
            f"weights are missing or infinite in rows {first_rows(incidents.index[bad])}; "
            "fill or drop those incidents first."
        )
    negative = values < 0
    if negative.any():
        raise HotspotInputError(
            f"weights must be >= 0; rows {first_rows(incidents.index[negative])} are negative."
        )
    if not values.sum() > 0:
        raise HotspotInputError("weights sum to zero: there is no mass to spread.")
    return values, note


def _rule_sd(x: np.ndarray, y: np.ndarray, rule: str) -> tuple[float, str]:
    """The Gaussian-scale bandwidth (a per-axis standard deviation) of a rule, and its detail."""
    n = len(x)
    if rule == "nn":
        px, py, _ = dk.distinct_locations(x, y, np.ones(n))
        if len(px) <= NN_ORDER:
            raise HotspotInputError(
                f"bandwidth='nn' needs at least {NN_ORDER + 1} distinct incident locations "
                f"(there are {len(px)}); pass bandwidth= in metres."
            )
        dist, _ = cKDTree(np.column_stack([px, py])).query(
            np.column_stack([px, py]), k=[NN_ORDER + 1]
        )
        mean_knn = float(dist.mean())
        detail = (
            f"rule 'nn': the mean distance from each of the {len(px):,} distinct incident "
            f"locations to its {NN_ORDER}th nearest, {mean_knn:,.0f} m"
        )
        return mean_knn / dk.SD_FACTOR["quartic"], detail
    if n < 2:
        raise HotspotInputError(
            f"bandwidth={rule!r} needs at least two incidents; pass bandwidth= in metres."
        )
    spread = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2.0)
    factor = n ** (-1.0 / 6.0)
    if rule == "scott":
        sd = spread * factor
        detail = (
            f"rule 'scott': n^(-1/6) x pooled standard deviation = {n:,}^(-1/6) x "
            f"{spread:,.0f} m = {sd:,.0f} m"
        )
    else:
        qx = np.subtract(*np.percentile(x, [75, 25]))
        qy = np.subtract(*np.percentile(y, [75, 25]))
        robust = math.sqrt((qx**2 + qy**2) / 2.0) / 1.349
        scale = min(spread, robust) if robust > 0 else spread  # quartiles tied: use the sd
        sd = scale * factor
        detail = (
            f"rule 'silverman': n^(-1/6) x min(pooled sd {spread:,.0f} m, pooled IQR/1.349 "
            f"{robust:,.0f} m) = {sd:,.0f} m"
        )
    if not sd > 0:
        raise HotspotInputError(
            f"bandwidth={rule!r} gives zero: all incidents share one location. Pass "
            "bandwidth= in metres."
        )
    return sd, detail


def _bandwidth(
    x: np.ndarray, y: np.ndarray, bandwidth: Any, kernel: str, quiet: bool, source: str = ""
) -> tuple[float, dict]:
    """The bandwidth in metres for ``kernel`` and the record of how it was chosen."""
    if bandwidth is None or isinstance(bandwidth, str):
        rule = DEFAULT_RULE if bandwidth is None else bandwidth.lower()
        if rule not in BANDWIDTH_RULES:
            raise HotspotInputError(
                f"bandwidth={bandwidth!r} is not a known rule; use one of "
                f"{', '.join(BANDWIDTH_RULES)} or a number of metres."
            )
        sd, detail = _rule_sd(x, y, rule)
        value = sd * dk.SD_FACTOR[kernel]
        meaning = "standard deviation" if kernel == "gaussian" else "radius"
        if rule == "nn" and kernel != "quartic":
            converted = f", as a quartic radius, converted to the {kernel} kernel of that spread"
        elif rule != "nn" and kernel != "gaussian":
            converted = f"; x {dk.SD_FACTOR[kernel]:.3f} for the {kernel} radius of that spread"
        else:
            converted = ""
        how = "bandwidth not given" if bandwidth is None else f"bandwidth={rule!r}"
        announce(
            f"{how}: using {value:,.0f} m as the {kernel} {meaning} ({detail}{converted}"
            f"{source}); pass bandwidth= in metres to choose",
            quiet=quiet,
        )
        record = {"rule": rule, "detail": detail + converted, "kernel_sd": sd}
        return float(value), record
    value = check_positive(bandwidth, "bandwidth")
    return value, {"rule": "given", "detail": "given", "kernel_sd": value / dk.SD_FACTOR[kernel]}


def kde_bandwidth(
    incidents: gpd.GeoDataFrame, rule: str = DEFAULT_RULE, *, kernel: str = "quartic"
) -> float:
    """The bandwidth in metres that a rule gives for these incidents and this kernel.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres.
    rule : {"nn", "scott", "silverman"}, default="nn"
        See :func:`kde`, Notes, for the formulas.
    kernel : str, default="quartic"
        The kernel the bandwidth is for: the radius of the disc, or the standard deviation for
        ``"gaussian"``. Rules give a standard deviation, converted so that every kernel has the
        same spread.

    Returns
    -------
    float
        Metres.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> round(hs.kde_bandwidth(inc, "scott", kernel="gaussian"))
    1442
    >>> round(hs.kde_bandwidth(inc, "scott", kernel="quartic"))  # 2 * sqrt(2) x as wide
    4079
    """
    check_incidents(incidents)
    kernel = _check_kernel(kernel)
    if not isinstance(rule, str):
        raise TypeError(f"rule must be one of {', '.join(BANDWIDTH_RULES)}, not {rule!r}")
    x, y = incident_xy(incidents)
    value, _ = _bandwidth(x, y, rule, kernel, quiet=True)
    return value


# --------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------


class _Spec:
    """What is being smoothed: points, weights, kernel and bandwidth, and the record."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, w: np.ndarray, kernel: str, bandwidth: float
    ) -> None:
        self.x, self.y, self.w = x, y, w
        self.kernel, self.h = kernel, bandwidth
        self.sd = dk.kernel_sd(kernel, bandwidth)
        self.radius = dk.support_radius(kernel, bandwidth)
        self._distinct: tuple | None = None

    def distinct(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._distinct is None:
            self._distinct = dk.distinct_locations(self.x, self.y, self.w)
        return self._distinct

    def near(self, bounds: tuple[float, float, float, float], margin: float) -> np.ndarray:
        minx, miny, maxx, maxy = bounds
        return (
            (self.x >= minx - margin)
            & (self.x <= maxx + margin)
            & (self.y >= miny - margin)
            & (self.y <= maxy + margin)
        )


def _refinement(spec: _Spec, step: float) -> int:
    """Smallest odd k such that step / k resolves the kernel (1 when it already does)."""
    need = dk.NODES_PER_SD[spec.kernel]
    if need == 0 or step <= spec.sd / need * (1 + 1e-9):
        return 1
    k = math.ceil(step * need / spec.sd)
    return k if k % 2 else k + 1


def _density_on_nodes(
    spec: _Spec, xs: np.ndarray, ys: np.ndarray, step: float
) -> tuple[np.ndarray, dict]:
    """Density per m² at the regular nodes ``xs`` x ``ys`` (ascending; spacing ``step``).

    Returns an array of shape ``(len(ys), len(xs))`` and the record of the method.
    """
    bounds = (xs[0], ys[0], xs[-1], ys[-1])
    k = _refinement(spec, step)
    fine = step / k
    use = spec.near(bounds, spec.radius + fine)
    x, y, w = spec.x[use], spec.y[use], spec.w[use]
    method: dict[str, Any] = {"incidents_in_reach": int(use.sum())}
    # the lattice: every output node is a lattice node; margins hold the incidents in reach
    left = max(0, math.ceil((xs[0] - (x.min() if len(x) else xs[0])) / fine) + 2)
    right = max(0, math.ceil(((x.max() if len(x) else xs[-1]) - xs[-1]) / fine) + 2)
    below = max(0, math.ceil((ys[0] - (y.min() if len(y) else ys[0])) / fine) + 2)
    above = max(0, math.ceil(((y.max() if len(y) else ys[-1]) - ys[-1]) / fine) + 2)
    nx = (len(xs) - 1) * k + 1 + left + right
    ny = (len(ys) - 1) * k + 1 + below + above
    n_lattice = nx * ny
    n_distinct = len(dk.distinct_locations(x, y, w)[0]) if k > 1 else len(x)
    pairs_estimate = n_distinct * math.pi * (spec.radius / step + 1.0) ** 2
    cheaper = pairs_estimate * DIRECT_COST_PER_PAIR <= n_lattice
    direct = k > 1 and (cheaper or n_lattice > MAX_NODES)
    if direct:
        px, py, pw = dk.distinct_locations(x, y, w)
        gx, gy = np.meshgrid(xs, ys)
        n_pairs = dk.count_pairs(px, py, gx.ravel(), gy.ravel(), spec.radius)
        if n_pairs > MAX_DIRECT_PAIRS:
            raise HotspotInputError(
                f"the {spec.kernel} bandwidth ({spec.h:,.0f} m) is small for cells of "
                f"{step:,.0f} m over this extent: an accurate surface needs {n_lattice:,} "
                f"lattice nodes or about {n_pairs:,} kernel evaluations. Use a larger bandwidth, a "
                "smaller study_area, or cells= with fewer cells."
            )
        values = dk.direct_density(
            px, py, pw, gx.ravel(), gy.ravel(), kernel=spec.kernel, bandwidth=spec.h,
            n_pairs=n_pairs,
        ).reshape(len(ys), len(xs))  # fmt: skip
        method.update(method="direct kernel sum at the nodes (k-d tree)", pairs_estimate=n_pairs)
        return values, method
    if n_lattice > MAX_NODES:
        raise HotspotInputError(
            f"computing this surface needs a lattice of {n_lattice:,} nodes (limit "
            f"{MAX_NODES:,}); use a larger cell_size, a larger bandwidth or a smaller study_area."
        )
    x0, y0 = xs[0] - left * fine, ys[0] - below * fine
    grid = dk.lattice_density(
        x, y, w, x0=x0, y0=y0, step=fine, nx=nx, ny=ny, kernel=spec.kernel, bandwidth=spec.h
    )
    values = grid[
        below : below + (len(ys) - 1) * k + 1 : k, left : left + (len(xs) - 1) * k + 1 : k
    ]
    method.update(
        method=(
            "linear binning + FFT convolution with second-order binning correction"
            + ("" if spec.kernel == "gaussian" else " and exact kernel values at its edge")
        ),
        lattice_step=fine,
        lattice_nodes=n_lattice,
        refinement=k,
    )
    return np.ascontiguousarray(values), method


def _square_grid_size(cells: gpd.GeoDataFrame | None) -> float | None:
    """The cell size of a hotspot square grid (centroids on a regular lattice), else None."""
    if cells is None:
        return None
    grid = report_of(cells).get("grid")
    if not isinstance(grid, dict) or grid.get("shape") != "square":
        return None
    if not {"row", "col"} <= set(cells.columns):
        return None
    return float(grid["cell_size"])


def _density_at_points(
    spec: _Spec,
    tx: np.ndarray,
    ty: np.ndarray,
    quiet: bool,
    cells: gpd.GeoDataFrame | None = None,
) -> tuple[np.ndarray, dict]:
    """Density per m² at arbitrary points: a direct kernel sum, or a lattice if too many pairs.

    The centroids of a hotspot square grid are the nodes of a lattice, used when cheaper than
    the direct sum (the values agree within 1 %). Other cells beyond MAX_DIRECT_PAIRS get values
    interpolated (bilinear) from a lattice of sd / 8.
    """
    px, py, pw = spec.distinct()
    n_pairs = dk.count_pairs(px, py, tx, ty, spec.radius)
    size = _square_grid_size(cells)
    if size is not None:
        col = cells["col"].to_numpy()
        row = cells["row"].to_numpy()
        k = _refinement(spec, size)
        n_nodes = (col.max() - col.min() + 1) * (row.max() - row.min() + 1) * k * k
        cheaper = n_pairs * DIRECT_COST_PER_PAIR > n_nodes and n_nodes <= MAX_NODES
        if cheaper or n_pairs > MAX_DIRECT_PAIRS:
            # the centroids of a square grid are the nodes of a lattice: exact there, and cheaper
            xs = (np.arange(col.min(), col.max() + 1) + 0.5) * size
            ys = (np.arange(row.min(), row.max() + 1) + 0.5) * size
            grid, method = _density_on_nodes(spec, xs, ys, size)
            method["method"] += "; the nodes are the square cells' centroids"
            method["pairs_for_a_direct_sum"] = n_pairs
            return grid[row - row.min(), col - col.min()], method
    if n_pairs <= MAX_DIRECT_PAIRS:
        values = dk.direct_density(
            px, py, pw, tx, ty, kernel=spec.kernel, bandwidth=spec.h, n_pairs=n_pairs
        )
        method = {
            "method": "direct kernel sum at the centroids (k-d tree)",
            "pairs_estimate": n_pairs,
        }
        return values, method
    step = spec.sd / 8.0
    xs = np.arange(math.floor(tx.min() / step) - 1, math.ceil(tx.max() / step) + 2) * step
    ys = np.arange(math.floor(ty.min() / step) - 1, math.ceil(ty.max() / step) + 2) * step
    grid, method = _density_on_nodes(spec, xs, ys, step)
    announce(
        f"about {n_pairs:,} kernel evaluations are too many for a direct sum; the density at the "
        f"centroids is interpolated (bilinear) from a {step:,.1f} m lattice (within about 1 %)",
        quiet=quiet,
    )
    values = dk.bilinear_sample(grid, xs[0], ys[0], step, tx, ty)
    method["method"] += f"; bilinear interpolation at the centroids from a {step:,.1f} m lattice"
    return values, method


def _inside(area: shapely.Geometry, xs: np.ndarray, ys: np.ndarray, tile: int = 32) -> np.ndarray:
    """Which nodes of the lattice ``ys x xs`` (both ascending) lie in the area.

    Whole tiles of ``tile x tile`` nodes inside or outside the area are decided at once; only
    the nodes of tiles crossed by its boundary are tested one by one.
    """
    ny, nx = len(ys), len(xs)
    r0 = np.arange(0, ny, tile)
    c0 = np.arange(0, nx, tile)
    rr, cc = np.meshgrid(r0, c0, indexing="ij")
    r1, c1 = np.minimum(rr + tile, ny) - 1, np.minimum(cc + tile, nx) - 1
    boxes = shapely.box(xs[cc], ys[rr], xs[c1], ys[r1])
    state = np.where(shapely.contains_properly(area, boxes), 1, 0)
    state[shapely.intersects(area, boxes) & (state == 0)] = 2  # crossed by the boundary
    node_state = state[np.arange(ny)[:, None] // tile, np.arange(nx)[None, :] // tile]
    inside = node_state == 1
    todo = np.nonzero(node_state == 2)
    if len(todo[0]):
        inside[todo] = shapely.contains_xy(area, xs[todo[1]], ys[todo[0]])
    return inside


def _edge_share(
    spec: _Spec, area: shapely.Geometry, tx: np.ndarray, ty: np.ndarray
) -> tuple[np.ndarray, float]:
    """Share of the kernel mass around each target that lies in the study area."""
    step = spec.sd / 6.0
    minx, miny, maxx, maxy = tx.min(), ty.min(), tx.max(), ty.max()
    pad = spec.radius + 2 * step
    while True:  # nodes at the centres of step x step squares, each standing for its square
        xs = np.arange(math.floor((minx - pad) / step), math.ceil((maxx + pad) / step) + 1)
        ys = np.arange(math.floor((miny - pad) / step), math.ceil((maxy + pad) / step) + 1)
        xs, ys = (xs + 0.5) * step, (ys + 0.5) * step
        if len(xs) * len(ys) <= MAX_NODES:
            break
        step *= 1.5
    inside = _inside(area, xs, ys)
    share = dk.edge_factor(inside, step=step, kernel=spec.kernel, bandwidth=spec.h)
    return dk.bilinear_sample(share, xs[0], ys[0], step, tx, ty), step


def _nice_above(value: float) -> float:
    """The next of 1, 2, 2.5, 5 x 10^k above ``value`` (a round number)."""
    exponent = math.floor(math.log10(value))
    for k in (exponent, exponent + 1):
        for step in (1.0, 2.0, 2.5, 5.0):
            nice = float(f"{step * 10.0**k:.12g}")
            if nice > value * (1 + 1e-12):
                return nice
    return 10.0 ** (exponent + 2)


def _plan_cell_size(
    spec: _Spec,
    cell_size: Any,
    data_extent: tuple[float, float, float, float],
    raster_extent: tuple[float, float, float, float],
    quiet: bool,
) -> tuple[float, str]:
    """The raster's cell size: given, or the smaller of extent / 50 and sd / 2, made round."""
    if cell_size is not None:
        return check_positive(cell_size, "cell_size"), "given"
    minx, miny, maxx, maxy = data_extent
    shorter = min(maxx - minx, maxy - miny)
    bound_sd = spec.sd / CELLS_PER_SD
    limit = min(shorter / CELLS_ON_SHORTER_SIDE, bound_sd) if shorter > 0 else bound_sd
    size = _nice_floor(limit)
    how = (
        f"the smaller of the extent's shorter side / {CELLS_ON_SHORTER_SIDE} "
        f"({shorter / CELLS_ON_SHORTER_SIDE:,.0f} m) and the kernel's standard deviation / "
        f"{CELLS_PER_SD} ({bound_sd:,.0f} m), rounded down to a round number"
    )
    width, height = raster_extent[2] - raster_extent[0], raster_extent[3] - raster_extent[1]
    if (width / size + 1) * (height / size + 1) > DEFAULT_MAX_NODES:
        while (width / size + 1) * (height / size + 1) > DEFAULT_MAX_NODES:
            size = _nice_above(size)
        how += f", raised to keep the raster under {DEFAULT_MAX_NODES:,} cells"
    announce(
        f"cell_size not given: using {size:g} m ({how}); pass cell_size= to choose", quiet=quiet
    )
    return size, how


def _warn_coarse(bandwidth: float, cell: float, what: str) -> None:
    if bandwidth < cell:
        warnings.warn(
            f"the bandwidth ({bandwidth:,.0f} m) is smaller than the {what} ({cell:,.0f} m): "
            "the density is evaluated at cell centres, so incidents between centres barely "
            "show. Use a larger bandwidth or smaller cells.",
            HotspotWarning,
            stacklevel=4,  # warn <- _warn_coarse <- the helper <- kde/dual_kde <- the caller
        )


def _record(spec: _Spec, bw_record: dict, weights_note: str | None, n: int) -> dict:
    return {
        "kernel": spec.kernel,
        "bandwidth": spec.h,
        "bandwidth_rule": bw_record["rule"],
        "bandwidth_detail": bw_record["detail"],
        "kernel_sd": spec.sd,
        "support_radius": spec.radius,
        "weights": weights_note,
        "incidents": n,
        "total_weight": float(spec.w.sum()),
        "units": _UNITS if weights_note is None else f"weight ({weights_note}) per km²",
    }


def _surface(
    spec: _Spec,
    cell_size: Any,
    area: shapely.Geometry | None,
    edge_correction: bool,
    quiet: bool,
    extent_points: tuple[np.ndarray, np.ndarray] | None = None,
    warn: bool = True,
) -> tuple[np.ndarray, dict, dict]:
    """Raster values per km² (rows y descending, NaN outside the study area) and its grid."""
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
    size, size_how = _plan_cell_size(spec, cell_size, data_extent, extent, quiet)
    if warn:
        _warn_coarse(spec.h, size, "cell size")
    c0, r0 = math.floor(extent[0] / size), math.floor(extent[1] / size)
    c1 = max(c0, math.ceil(extent[2] / size) - 1)
    r1 = max(r0, math.ceil(extent[3] / size) - 1)
    n_cols, n_rows = c1 - c0 + 1, r1 - r0 + 1
    if n_cols * n_rows > MAX_NODES:
        raise HotspotInputError(
            f"a {size:g} m raster over {extent_note} would have {n_cols * n_rows:,} cells "
            f"(limit {MAX_NODES:,}); use a larger cell_size or a smaller study_area."
        )
    xs = (np.arange(c0, c1 + 1) + 0.5) * size
    ys = (np.arange(r0, r1 + 1) + 0.5) * size
    values, method = _density_on_nodes(spec, xs, ys, size)
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
        outside = ~_inside(area, xs, ys)
        if edge_correction:
            gx, gy = np.meshgrid(xs, ys)
            share, step = _edge_share(spec, area, gx[~outside], gy[~outside])
            values[~outside] /= np.maximum(share, MIN_EDGE_SHARE)
            method["edge_correction_method"] = (
                f"divided by the share of each kernel inside the study area ({step:,.1f} m "
                f"lattice), at least {MIN_EDGE_SHARE}"
            )
        values[outside] = np.nan
    return values[::-1], grid, method


def _surface_array(
    values: np.ndarray, grid: dict, crs: Any, record: dict, name: str
) -> xr.DataArray:
    size = grid["cell_size"]
    n_rows, n_cols = grid["shape"]
    c0, r0 = grid["col0"], grid["row0"]
    xs = (np.arange(c0, c0 + n_cols) + 0.5) * size
    ys = ((np.arange(r0, r0 + n_rows) + 0.5) * size)[::-1]
    top = (r0 + n_rows) * size
    transform = (float(size), 0.0, float(c0 * size), 0.0, -float(size), float(top))
    wkt = CRS.from_user_input(crs).to_wkt()
    attrs = {
        "long_name": record.get("long_name", "kernel density of incidents"),
        "units": record["units"],
        "crs": wkt,
        "transform": transform,
        "kernel": record["kernel"],
        "bandwidth": record["bandwidth"],
        "bandwidth_rule": record["bandwidth_rule"],
        "cell_size": float(size),
        "cell_size_rule": grid["cell_size_rule"],
        "hotspot": {"kind": "kde_surface", "kde": record},
    }
    return xr.DataArray(
        values,
        dims=("y", "x"),
        coords={"y": ys, "x": xs},
        name=name,
        attrs=attrs,
    )


def _cells_targets(cells: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, float]:
    centroids = shapely.centroid(cells.geometry.array)
    areas = shapely.area(cells.geometry.array)
    return (
        np.asarray(shapely.get_x(centroids)),
        np.asarray(shapely.get_y(centroids)),
        float(math.sqrt(np.median(areas))),
    )


def _cells_density(
    spec: _Spec,
    cells: gpd.GeoDataFrame,
    area: shapely.Geometry | None,
    edge_correction: bool,
    quiet: bool,
) -> tuple[np.ndarray, dict]:
    tx, ty, side = _cells_targets(cells)
    _warn_coarse(spec.h, side, "typical cell side")
    values, method = _density_at_points(spec, tx, ty, quiet, cells)
    values = values * M2_PER_KM2
    method["typical_cell_side"] = side
    if area is not None:
        outside = ~shapely.contains_xy(area, tx, ty)
        if edge_correction and (~outside).any():
            share, step = _edge_share(spec, area, tx[~outside], ty[~outside])
            values[~outside] /= np.maximum(share, MIN_EDGE_SHARE)
            method["edge_correction_method"] = (
                f"divided by the share of each kernel inside the study area ({step:,.1f} m "
                f"lattice), at least {MIN_EDGE_SHARE}"
            )
        values[outside] = np.nan
    return values, method


def _study_area(study_area: Any, crs: Any, edge_correction: bool) -> shapely.Geometry | None:
    if not isinstance(edge_correction, bool | np.bool_):
        raise TypeError(f"edge_correction must be True or False, not {edge_correction!r}")
    if study_area is None:
        if edge_correction:
            raise HotspotInputError(
                "edge_correction=True needs the edge: pass study_area= (a polygon, GeoSeries, "
                "GeoDataFrame or the path of a polygon file)."
            )
        return None
    return as_area_geometry(study_area, crs)


def kde(
    incidents: gpd.GeoDataFrame,
    *,
    cells: gpd.GeoDataFrame | None = None,
    cell_size: float | None = None,
    bandwidth: float | str | None = None,
    kernel: str = "quartic",
    weights: str | np.ndarray | pd.Series | None = None,
    study_area: Any = None,
    edge_correction: bool = False,
    quiet: bool = False,
) -> xr.DataArray | gpd.GeoDataFrame:
    """Kernel density of incidents, in incidents per km².

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres, e.g. from :func:`hotspot.read_incidents`.
    cells : GeoDataFrame, optional
        Polygons (:func:`hotspot.square_grid`, :func:`hotspot.hex_grid`, beats, LSOAs…). When
        given, the result is a copy of them with a ``kde_density`` column: the density at each
        cell's **centroid** (not the cell's average). Otherwise the result is a raster surface.
    cell_size : float, optional
        Side of the raster's square cells in metres (raster only). Default: the smaller of the
        data extent's shorter side / 50 (as :func:`hotspot.square_grid`) and half the kernel's
        standard deviation, rounded down to 1, 2, 2.5 or 5 x 10^k, and raised to the next
        round number while the raster would exceed 4 million cells; announced and recorded.
    bandwidth : float or {"nn", "scott", "silverman"}, optional
        Metres: the radius of the kernel's disc, or the standard deviation for
        ``kernel="gaussian"``. A rule name computes it from the incidents (see Notes); default
        ``"nn"``. The value and how it was obtained are announced and recorded.
    kernel : {"quartic", "gaussian", "epanechnikov", "triangular", "uniform"}, default="quartic"
        The quartic (biweight) kernel is the crime analysts' default (ArcGIS's Kernel Density
        uses it).
    weights : str or array-like, optional
        A column name or one non-negative number per incident (severity, value stolen…); each
        incident counts that many times. Units become weight per km².
    study_area : polygon, GeoSeries, GeoDataFrame or path, optional
        Raster nodes / cell centroids outside it are NaN, and the raster covers its bounds.
        Incidents outside it still contribute near its edge. A shapely polygon is taken to be
        in the incidents' CRS; frames and polygon files (the path, str or
        :class:`pathlib.Path`, of a GeoPackage, GeoJSON, Shapefile…, which needs a CRS) are
        reprojected. A grid's study area is ``cells.attrs["hotspot"]["study_area"]``.
    edge_correction : bool, default=False
        Divide the density at each node by the share of its kernel that falls inside the study
        area (Diggle's correction; at most x10), so that the edge of the study area does not
        look safer than it is. Needs ``study_area``. Not applied by default: it is right where
        crime beyond the edge happens but is not recorded (a force boundary), wrong where
        nothing can happen beyond it (a coast), and it changes the surface's total.
    quiet : bool, default=False
        Do not announce the automatic choices.

    Returns
    -------
    xarray.DataArray or GeoDataFrame
        Without ``cells``: a DataArray named ``kde_density`` with dims ``("y", "x")`` holding
        the density at the cell centres, ``y`` descending (north up, as in a GeoTIFF), NaN
        outside the study area. ``attrs``: ``crs`` (WKT), ``transform`` (the affine
        ``(cell, 0, left, 0, -cell, top)`` of rasterio and the ``affine`` package; GDAL's
        geotransform is ``(left, cell, 0, top, 0, -cell)``), ``units``, ``kernel``,
        ``bandwidth``, ``bandwidth_rule``, ``cell_size``, ``cell_size_rule`` and, under
        ``attrs["hotspot"]["kde"]``, the full record (method, lattice, incidents in reach, and
        ``mass``, the surface's integral: the incidents it holds inside the raster or study
        area).
        With ``cells``: a copy of them (same index and columns) plus ``kde_density``, the
        record in ``attrs["hotspot"]["kde"]``.

    Warns
    -----
    HotspotWarning
        When the bandwidth is smaller than the cell size.

    See Also
    --------
    dual_kde : the ratio of two densities on the same grid.
    density_hotspots : polygons around the densest cells.
    density_to_cells, surface_to_geotiff_array : use the raster elsewhere.

    Notes
    -----
    **Kernels.** With ``u = d / h`` (distance over bandwidth), each kernel integrates to one
    over the plane, so the surface integrates to the number of incidents (or the total weight):
    quartic ``3/π (1-u²)²``, Epanechnikov ``2/π (1-u²)``, triangular ``3/π (1-u)``, uniform
    ``1/π`` for ``u < 1``, divided by ``h²``; Gaussian ``exp(-u²/2) / 2π`` divided by ``σ²``
    (``h = σ``), truncated where the mass left out is below 10⁻⁶ (5.26 σ), not at a fixed kernel
    value (KDEpy's 10⁻⁴ cut-off loses tens of percent with bandwidths in metres). Densities are
    per km² (× 10⁶ the per-m² value).

    **Bandwidth rules.** ``"scott"``: σ = n^(-1/6) s, with s = √((s_x² + s_y²)/2) the pooled
    standard deviation of the coordinates (Scott 1992, d = 2). ``"silverman"``: the same with
    s = min(pooled sd, pooled IQR / 1.349) (the sd when the quartiles coincide), Silverman's (1986, §3.4.2, §4.3.2) scale that resists
    outliers; in two dimensions his normal-reference constant (4/(d+2))^(1/(d+4)) is 1, so the
    two rules differ only there. Both give a Gaussian σ, converted to each kernel by matching
    standard deviations: radius = 2√2 σ (quartic), √6 σ (Epanechnikov), √(20/3) σ (triangular),
    2 σ (uniform). ``"nn"``: the quartic radius is the mean distance from each distinct incident
    location to its 10th nearest distinct location (other kernels: the same standard deviation,
    radius / 2√2). Distinct locations, because crime records pile many incidents on one
    geocoded address, whose nearest-neighbour distances would be zero. This is the
    fixed-bandwidth use of k-nearest-neighbour distances proposed for crime maps by Williamson
    et al. (1998) and used by Chainey & Ratcliffe (2005); CrimeStat's own KDE routine (Levine,
    CrimeStat IV, ch. 10 "Kernel Density Interpolation") offers a fixed interval or an adaptive
    one holding a minimum number of incidents, and computes the mean nearest-neighbour
    distance in its distance-analysis routines; the rule here is the fixed analogue, not a
    CrimeStat option. Rules use the incident locations only, not the weights.

    **Why "nn" is the default.** Scott's and Silverman's rules are optimal for one Gaussian
    blob; crime is many small clusters, and they over-smooth it: on the Toronto data they give
    a 2.6 km quartic radius that merges street-level hot spots into a city-wide smear (ArcGIS's
    "spatial Silverman" default gives 0.74 km). The "nn" rule follows the spacing of the
    incidents (0.29 km on Toronto): a kernel reaches about ten neighbouring locations, the
    street-to-neighbourhood scale at which patrols and problem-solving are planned. Use
    ``"scott"`` for a smooth city-wide picture, or a number to match a previous map.

    **Computation.** The raster is computed on a lattice (Wand 1994): linear binning (each
    incident shared between the four nodes around it), FFT convolution with zero padding, a
    second-order correction of the binning error (third-order too for a coarse Gaussian), and
    exact kernel values in the lattice cells a compact kernel's edge crosses. The values are the
    kernel sum itself, within 1 % of a direct kernel sum wherever the density is above 1 % of its
    maximum (exact to rounding for the uniform and Epanechnikov kernels). The discrete kernel is
    not renormalised to sum to one: that would shift every value by the lattice's Riemann error
    (up to a few percent for the uniform kernel on coarse cells); instead ``sum × cell area``
    equals the incident count to that error, well under 1 %, recorded as ``mass``. If the cells
    are too coarse for the kernel, the lattice is refined by an odd factor (cell centres stay
    nodes) or the kernel is summed directly at the centres, whichever is cheaper. With
    ``cells`` the kernel is summed directly at the centroids (a k-d tree over the distinct
    locations), or, for a :func:`hotspot.square_grid` when cheaper, computed on the lattice of
    its centroids; other cells beyond 150 million (location, centroid) pairs are interpolated
    from a fine lattice (within about 1 %), which is announced. The method is recorded.
    Time: O(N log N) for N lattice nodes plus O(distinct locations × bandwidth / cell) for the
    edge values (0.2 s for the 241k Toronto incidents on 1000 x 1000 cells). The raster covers
    the data plus three bandwidths (or the Gaussian's 5.26 σ), so nothing leaks. At most 16
    million cells.

    **Edges.** By default nothing corrects for the study area's edge: near a coast or boundary
    the density is lower because nothing is recorded beyond it.

    References
    ----------
    Scott, D. W. (1992). *Multivariate Density Estimation*. Wiley.
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman & Hall.
    Williamson, D., McLafferty, S., Goldsmith, V., Mollenkopf, J., McGuire, P. (1998). Smoothing
    crime incident data: new methods for determining the bandwidth in kernel estimation. ESRI
    User Conference.
    Chainey, S., Ratcliffe, J. (2005). *GIS and Crime Mapping*. Wiley.
    Levine, N. (2013). CrimeStat IV, chapter 10: Kernel density interpolation. NIJ.
    Wand, M. P. (1994). Fast computation of multivariate kernel estimators. *JCGS* 3(4).
    Diggle, P. J. (1985). A kernel method for smoothing point process data. *Applied Statistics*.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=1000, cell_size=250, quiet=True)
    >>> surface.name, surface.dims, surface.attrs["units"]
    ('kde_density', ('y', 'x'), 'incidents per km²')
    >>> round(float(surface.sum()) * 0.25**2)  # integrates to the number of incidents
    83577
    >>> hexes = hs.kde(inc, cells=hs.hex_grid(inc, 1000, quiet=True), bandwidth=1000, quiet=True)
    >>> hexes[["hex_q", "hex_r", "kde_density"]].columns.tolist()
    ['hex_q', 'hex_r', 'kde_density']
    """
    check_incidents(incidents)
    kernel = _check_kernel(kernel)
    x, y = incident_xy(incidents)
    w, weights_note = _weights(incidents, weights)
    area = _study_area(study_area, incidents.crs, edge_correction)
    if cells is not None:
        check_cells(cells)
        check_same_crs(incidents, cells, ("incidents", "cells"))
        if cell_size is not None:
            raise HotspotInputError(
                "cell_size= sets the raster's cells; with cells= the density is evaluated at "
                "each of those cells' centroids. Pass one of them."
            )
    h, bw_record = _bandwidth(x, y, bandwidth, kernel, quiet)
    spec = _Spec(x, y, w, kernel, h)
    record = _record(spec, bw_record, weights_note, len(incidents))
    record["study_area"] = "given" if area is not None else None
    record["edge_correction"] = bool(edge_correction)
    if cells is not None:
        values, method = _cells_density(spec, cells, area, edge_correction, quiet)
        out = cells.copy()
        if "kde_density" in out.columns:
            announce("cells already had a 'kde_density' column; it was replaced", quiet=quiet)
        out["kde_density"] = values
        record.update(method)
        record["evaluated_at"] = "cell centroids"
        meta = dict(report_of(cells))
        meta["kde"] = record
        meta.update(context_of(incidents))
        out.attrs["hotspot"] = meta
        return out
    values, grid, method = _surface(spec, cell_size, area, edge_correction, quiet)
    record.update(method)
    record["cell_size"] = grid["cell_size"]
    record["cell_size_rule"] = grid["cell_size_rule"]
    record["extent"] = grid["extent"]
    record["evaluated_at"] = "cell centres"
    record["mass"] = float(np.nansum(values)) * grid["cell_size"] ** 2 / M2_PER_KM2
    surface = _surface_array(values, grid, incidents.crs, record, "kde_density")
    surface.attrs["hotspot"].update(context_of(incidents))
    return surface


# --------------------------------------------------------------------------------------------
# dual kernel density
# --------------------------------------------------------------------------------------------


def dual_kde(
    numerator: gpd.GeoDataFrame,
    denominator: gpd.GeoDataFrame,
    *,
    bandwidth: float | str | None = None,
    cell_size: float | None = None,
    kernel: str = "quartic",
    min_denominator: float | None = None,
    numerator_weights: str | np.ndarray | pd.Series | None = None,
    denominator_weights: str | np.ndarray | pd.Series | None = None,
    cells: gpd.GeoDataFrame | None = None,
    study_area: Any = None,
    quiet: bool = False,
) -> xr.DataArray | gpd.GeoDataFrame:
    """The ratio of two kernel densities on the same grid: risk, e.g. burglaries per dwelling.

    Parameters
    ----------
    numerator, denominator : GeoDataFrame
        Points in the same projected CRS in metres: the incidents, and the population at risk
        (dwellings, premises, people as points).
    bandwidth : float or {"nn", "scott", "silverman"}, optional
        One bandwidth for both densities, so that the ratio compares like with like. A rule
        (default ``"nn"``) is computed on the **numerator**, whose sparser points limit how
        finely the ratio can be resolved. See :func:`kde`.
    cell_size : float, optional
        Raster cell side; the default is :func:`kde`'s over both point sets.
    kernel : str, default="quartic"
        See :func:`kde`.
    min_denominator : float, optional
        Denominator density (per km²) below which the ratio is NaN, since a ratio over almost
        nothing is noise. Default: the density a single unit-weight denominator point makes at
        its own location (the kernel's peak, e.g. 3/(π h²) x 10⁶ for the quartic): the ratio is
        defined only where the denominator is supported by at least that much.
    numerator_weights, denominator_weights : str or array-like, optional
        Weights of each point set (e.g. dwellings per address point); see :func:`kde`.
    cells : GeoDataFrame, optional
        Evaluate at these cells' centroids instead of on a raster.
    study_area : polygon, GeoSeries, GeoDataFrame or path, optional
        As in :func:`kde` (a polygon, a frame or the path of a polygon file).
    quiet : bool, default=False
        Do not announce the automatic choices.

    Returns
    -------
    xarray.DataArray or GeoDataFrame
        A raster named ``kde_ratio`` (numerator per denominator unit; grid and attrs as
        :func:`kde`'s, with both records under ``attrs["hotspot"]["dual_kde"]``), or a copy of
        ``cells`` with ``kde_numerator``, ``kde_denominator`` (per km²) and ``kde_ratio``.

    Notes
    -----
    Both densities are per km², so their ratio is numerator incidents per denominator unit
    within the kernel's reach; where the two point sets are identical it is 1. This is
    CrimeStat's dual kernel "ratio of densities" (Levine, CrimeStat IV, ch. 10) with one
    bandwidth; CrimeStat can also use different or adaptive bandwidths, which this does not.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> burglary = inc[inc["category"] == "Burglary"]
    >>> risk = hs.dual_kde(burglary, inc, bandwidth=1500, cell_size=500, quiet=True)
    >>> risk.name, round(float(risk.median()), 2)  # burglaries per recorded crime nearby
    ('kde_ratio', 0.08)
    """
    check_incidents(numerator, "numerator")
    check_incidents(denominator, "denominator")
    check_same_crs(numerator, denominator, ("numerator", "denominator"))
    kernel = _check_kernel(kernel)
    nx_, ny_ = incident_xy(numerator, "numerator")
    dx_, dy_ = incident_xy(denominator, "denominator")
    nw, n_note = _weights(numerator, numerator_weights)
    dw, d_note = _weights(denominator, denominator_weights)
    area = _study_area(study_area, numerator.crs, False)
    if cells is not None:
        check_cells(cells)
        check_same_crs(numerator, cells, ("numerator", "cells"))
        if cell_size is not None:
            raise HotspotInputError(
                "cell_size= sets the raster's cells; with cells= the densities are evaluated "
                "at those cells' centroids. Pass one of them."
            )
    h, bw_record = _bandwidth(nx_, ny_, bandwidth, kernel, quiet, source=", from the numerator")
    num = _Spec(nx_, ny_, nw, kernel, h)
    den = _Spec(dx_, dy_, dw, kernel, h)
    if min_denominator is None:
        threshold = dk.peak_density(kernel, h) * M2_PER_KM2
        how = "the peak density of one denominator point (the kernel at distance 0)"
        announce(
            f"min_denominator not given: using {threshold:.4g} per km² ({how}); the ratio is "
            "NaN where the denominator density is lower. Pass min_denominator= to choose",
            quiet=quiet,
        )
    else:
        if isinstance(min_denominator, bool) or not isinstance(
            min_denominator, int | float | np.integer | np.floating
        ):
            raise TypeError(
                f"min_denominator must be a number per km², not {type(min_denominator).__name__}"
            )
        threshold = float(min_denominator)
        if not np.isfinite(threshold) or threshold < 0:
            raise HotspotInputError(f"min_denominator must be >= 0 per km², got {threshold}")
        how = "given"
    num_record = _record(num, bw_record, n_note, len(numerator))
    den_record = _record(den, bw_record, d_note, len(denominator))
    dual = {
        "numerator": num_record,
        "denominator": den_record,
        "min_denominator": threshold,
        "min_denominator_rule": how,
    }

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.full(a.shape, np.nan)
        ok = np.isfinite(b) & (b >= threshold) & (b > 0)
        out[ok] = a[ok] / b[ok]
        return out

    if cells is not None:
        a, method_a = _cells_density(num, cells, area, False, quiet)
        b, method_b = _cells_density(den, cells, area, False, quiet)
        out = cells.copy()
        out["kde_numerator"] = a
        out["kde_denominator"] = b
        out["kde_ratio"] = ratio(a, b)
        num_record.update(method_a)
        den_record.update(method_b)
        dual["defined"] = int(np.isfinite(out["kde_ratio"].to_numpy()).sum())
        meta = dict(report_of(cells))
        meta["dual_kde"] = dual
        out.attrs["hotspot"] = meta
        return out
    both = (np.concatenate([nx_, dx_]), np.concatenate([ny_, dy_]))
    a, grid, method_a = _surface(num, cell_size, area, False, quiet, both)
    b, _, method_b = _surface(den, grid["cell_size"], area, False, True, both, warn=False)
    num_record.update(method_a)
    den_record.update(method_b)
    values = ratio(a, b)
    dual["defined"] = int(np.isfinite(values).sum())
    record = {
        "kernel": kernel,
        "bandwidth": h,
        "bandwidth_rule": bw_record["rule"],
        "units": "numerator per denominator unit",
        "long_name": "ratio of kernel densities (numerator / denominator)",
        "cell_size": grid["cell_size"],
        "cell_size_rule": grid["cell_size_rule"],
    }
    surface = _surface_array(values, grid, numerator.crs, record, "kde_ratio")
    surface.attrs["min_denominator"] = threshold
    surface.attrs["hotspot"] = {"kind": "kde_ratio_surface", "dual_kde": dual, "kde": record}
    return surface


# --------------------------------------------------------------------------------------------
# using a surface
# --------------------------------------------------------------------------------------------


def _check_surface(surface: object) -> tuple[np.ndarray, float, tuple, str]:
    """Values (rows north to south), cell size, transform and CRS WKT of a kde surface."""
    if not isinstance(surface, xr.DataArray):
        raise TypeError(
            "expected a surface from hotspot.kde() (an xarray.DataArray), not "
            f"{type(surface).__name__}"
        )
    if surface.dims != ("y", "x") or "transform" not in surface.attrs or "crs" not in surface.attrs:
        raise HotspotInputError(
            "this DataArray is not a hotspot surface: it needs dims ('y', 'x') and attrs "
            "'transform' and 'crs', as hotspot.kde() returns. Do not drop its attrs."
        )
    transform = tuple(float(v) for v in surface.attrs["transform"])
    size = transform[0]
    ys = surface["y"].to_numpy()
    if len(ys) > 1 and not np.all(np.diff(ys) < 0):
        raise HotspotInputError(
            "the surface's y coordinate must descend (north up); do not sort or flip it, or "
            "use surface.sortby('y', ascending=False)."
        )
    left = float(surface["x"].to_numpy()[0]) - size / 2
    top = float(ys[0]) + size / 2
    transform = (size, 0.0, left, 0.0, -size, top)
    return surface.to_numpy().astype(float), size, transform, str(surface.attrs["crs"])


def density_to_cells(
    surface: xr.DataArray, *, min_density: float | None = None
) -> gpd.GeoDataFrame:
    """The raster as square polygons: one row per cell with a value (NaN cells are dropped).

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`kde` or :func:`dual_kde`.
    min_density : float, optional
        Also drop cells whose value is below this; a small positive number drops the empty
        background.

    Returns
    -------
    GeoDataFrame
        Index ``cell_id``, columns ``row``, ``col`` (the cell spans ``[col*s, (col+1)*s] x
        [row*s, (row+1)*s]``, as :func:`hotspot.square_grid`), the surface's value under its
        name (``kde_density``) and ``geometry``; ``attrs["hotspot"]`` holds the grid and the
        surface's record, so :func:`hotspot.count_incidents` can count into these cells.

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
    values, size, transform, wkt = _check_surface(surface)
    keep = np.isfinite(values)
    if min_density is not None:
        keep &= values >= float(min_density)
    n = int(keep.sum())
    if n > MAX_CELLS:
        raise HotspotInputError(
            f"the surface has {n:,} cells to convert (limit {MAX_CELLS:,}); pass "
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
    meta: dict[str, Any] = {"kind": "cells", "source": dict(surface.attrs.get("hotspot", {}))}
    if aligned:
        meta["grid"] = {
            "shape": "square",
            "cell_size": size,
            "n_cells": n,
            "cell_area_m2": size**2,
            "study_area": "cells of a kde surface",
            "chosen": {},
        }
    cells.attrs["hotspot"] = meta
    return cells


class GeoTiffArray(NamedTuple):
    """What a GeoTIFF writer needs: the band, its affine transform and its CRS."""

    array: np.ndarray
    """float32, rows north to south, ``nodata`` where the surface is NaN."""
    transform: tuple[float, float, float, float, float, float]
    """``(cell, 0, left, 0, -cell, top)``, rasterio / ``affine.Affine`` order."""
    crs_wkt: str
    """The CRS as WKT."""


def surface_to_geotiff_array(surface: xr.DataArray, *, nodata: float = -9999.0) -> GeoTiffArray:
    """The surface as a float32 band, its affine transform and CRS, ready for a GeoTIFF writer.

    hotspot does not depend on rasterio; with it installed (``pip install rasterio``)::

        import rasterio
        from affine import Affine

        band, transform, crs = hs.surface_to_geotiff_array(surface)
        with rasterio.open(
            "kde.tif", "w", driver="GTiff", width=band.shape[1], height=band.shape[0],
            count=1, dtype="float32", crs=crs, transform=Affine(*transform), nodata=-9999.0,
        ) as dst:
            dst.write(band, 1)

    With GDAL's Python bindings use ``SetGeoTransform((t[2], t[0], t[1], t[5], t[3], t[4]))``.

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`kde` or :func:`dual_kde`.
    nodata : float, default=-9999.0
        The value written where the surface is NaN (outside the study area); pass the same
        value to the writer. ``float("nan")`` keeps NaN.

    Returns
    -------
    GeoTiffArray
        A named tuple ``(array, transform, crs_wkt)``.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    >>> band, transform, crs = hs.surface_to_geotiff_array(surface)
    >>> band.dtype.name, band.shape == surface.shape, transform[0], transform[4]
    ('float32', True, 1000.0, -1000.0)
    """
    values, _, transform, wkt = _check_surface(surface)
    band = values.astype(np.float32)
    band[~np.isfinite(values)] = np.float32(nodata)
    return GeoTiffArray(band, transform, wkt)


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
        A surface from :func:`kde` / :func:`dual_kde`, or cells with a density column.
    top : float, default=0.05
        Share of the area (of the cells with a value; NaN cells do not count) to outline: the
        densest cells are taken until their area reaches it. Cells tied with the last one are
        included, and cells with zero density never are.
    column : str, optional
        The density column of a GeoDataFrame; default ``kde_density`` (or ``kde_ratio``).

    Returns
    -------
    GeoDataFrame
        One polygon per group of selected cells sharing an edge, index ``hotspot_id`` (by
        decreasing mass), columns ``n_cells``, ``area_km2``, ``density_max``, ``mass`` (the
        density integrated over the polygon: incidents, for a :func:`kde` surface) and
        ``mass_share`` (its share of the whole surface's mass, i.e. of the incidents), and
        ``geometry``. ``attrs["hotspot"]["density_hotspots"]`` records ``top``, the threshold
        density, the area share and mass share actually covered.

    Notes
    -----
    On cells the density is the centroid value (see :func:`kde`), so a cell's mass is that value
    x its area. Cells touching only at a corner are separate hot spots.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=1000, cell_size=250, quiet=True)
    >>> hot = hs.density_hotspots(surface, top=0.05)
    >>> list(hot.columns)
    ['n_cells', 'area_km2', 'density_max', 'mass', 'mass_share', 'geometry']
    >>> bool(hot["mass_share"].sum() > 0.4)  # 5 % of the area holds over 40 % of crime
    True
    """
    if isinstance(top, bool) or not isinstance(top, int | float | np.integer | np.floating):
        raise TypeError(f"top must be a share between 0 and 1, not {type(top).__name__}")
    top = float(top)
    if not 0 < top <= 1:
        raise HotspotInputError(f"top must be a share in (0, 1], e.g. 0.05 for 5 %; got {top}")
    if isinstance(density, gpd.GeoDataFrame):
        return _hotspots_from_cells(density, top, column)
    if column is not None:
        raise HotspotInputError("column= is for cells; a surface has one value per cell.")
    values, size, _, wkt = _check_surface(density)
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
    frame.attrs["hotspot"] = {
        "kind": "density_hotspots",
        "density_hotspots": {
            "top": top,
            "threshold": threshold,
            "cells": int(chosen.sum()),
            "area_share": float(chosen.sum() / valid_cells) if valid_cells else 0.0,
            "mass_share": float(frame["mass_share"].sum()) if len(frame) else 0.0,
            "connectivity": "cells sharing an edge",
        },
        "source": dict(density.attrs.get("hotspot", {})),
    }
    return frame


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
    frame = gpd.GeoDataFrame(
        {
            "n_cells": np.asarray(n_cells, dtype=np.int64),
            "area_km2": np.asarray(area, dtype=float),
            "density_max": np.asarray(peak, dtype=float),
            "mass": np.asarray(mass, dtype=float),
            "mass_share": np.asarray(mass, dtype=float) / total_mass if total_mass > 0 else 0.0,
        },
        geometry=polygons,
        crs=crs,
    )
    frame = frame.sort_values("mass", ascending=False, kind="stable").reset_index(drop=True)
    frame.index.name = "hotspot_id"
    return frame


def _hotspots_from_cells(
    cells: gpd.GeoDataFrame, top: float, column: str | None
) -> gpd.GeoDataFrame:
    check_cells(cells, "density")
    if column is None:
        column = next((c for c in ("kde_density", "kde_ratio") if c in cells.columns), None)
        if column is None:
            raise HotspotInputError(
                "the cells have no 'kde_density' (or 'kde_ratio') column; make them with "
                "hotspot.kde(incidents, cells=...) or name the column with column=."
            )
    elif column not in cells.columns:
        raise HotspotInputError(
            f"column={column!r} is not a column of the cells; they have "
            f"{', '.join(map(str, cells.columns))}."
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
    frame.attrs["hotspot"] = {
        "kind": "density_hotspots",
        "density_hotspots": {
            "top": top,
            "threshold": threshold,
            "column": column,
            "cells": int(chosen.sum()),
            "area_share": float(areas_km2[chosen].sum() / total_area) if total_area else 0.0,
            "mass_share": float(frame["mass_share"].sum()) if len(frame) else 0.0,
            "connectivity": "cells sharing an edge (polygons that touch only at a point stay apart)",
        },
        "source": dict(report_of(cells)),
    }
    return frame
