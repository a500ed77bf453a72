"""Evaluating a kernel density: at the nodes of a regular lattice or at arbitrary points.

:class:`Smoothing` holds what is smoothed (points, weights, kernel, bandwidth). The numerical
work is in :mod:`hotspot.density._kernels`; this module chooses between its two engines, a
(refined) binned FFT lattice and a direct k-d tree kernel sum, for accuracy and cost, applies
the edge correction and records which was used. Densities here are per square metre, except
:func:`cells_density`, which gives incidents per km².
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot._messages import announce
from hotspot._validate import report_of
from hotspot.density._kernels import (
    NODES_PER_SD,
    bilinear_sample,
    count_pairs,
    direct_density,
    distinct_locations,
    edge_factor,
    kernel_sd,
    lattice_density,
    support_radius,
)
from hotspot.errors import HotspotInputError, HotspotWarning

#: Most nodes of a raster surface, or of the lattice it is computed on.
MAX_NODES = 16_000_000
#: Most (incident location, node) pairs of a direct kernel sum.
MAX_DIRECT_PAIRS = 150_000_000
#: Cost of one direct (location, node) kernel evaluation relative to one lattice node, used to
#: choose between a refined lattice and a direct sum when the cells are coarse for the kernel.
DIRECT_COST_PER_PAIR = 0.5
#: Edge correction never multiplies a density by more than 1 / this.
MIN_EDGE_SHARE = 0.1
#: Square metres per square kilometre: densities are computed per m², reported per km².
M2_PER_KM2 = 1e6


class Smoothing:
    """What is being smoothed: points, weights, kernel and bandwidth."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, w: np.ndarray, kernel: str, bandwidth: float
    ) -> None:
        self.x, self.y, self.w = x, y, w
        self.kernel, self.h = kernel, bandwidth
        self.sd = kernel_sd(kernel, bandwidth)
        self.radius = support_radius(kernel, bandwidth)
        self._distinct: tuple | None = None

    def distinct(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct locations with their weights summed (computed once)."""
        if self._distinct is None:
            self._distinct = distinct_locations(self.x, self.y, self.w)
        return self._distinct

    def near(self, bounds: tuple[float, float, float, float], margin: float) -> np.ndarray:
        """Which points lie within ``margin`` of the box ``bounds``."""
        minx, miny, maxx, maxy = bounds
        return (
            (self.x >= minx - margin)
            & (self.x <= maxx + margin)
            & (self.y >= miny - margin)
            & (self.y <= maxy + margin)
        )


def refinement(spec: Smoothing, step: float) -> int:
    """Smallest odd k such that step / k resolves the kernel (1 when it already does)."""
    need = NODES_PER_SD[spec.kernel]
    if need == 0 or step <= spec.sd / need * (1 + 1e-9):
        return 1
    k = math.ceil(step * need / spec.sd)
    return k if k % 2 else k + 1


def density_on_nodes(
    spec: Smoothing, xs: np.ndarray, ys: np.ndarray, step: float
) -> tuple[np.ndarray, dict]:
    """Density per m² at the regular nodes ``xs`` x ``ys`` (ascending; spacing ``step``).

    Returns an array of shape ``(len(ys), len(xs))`` and the record of the method.
    """
    bounds = (xs[0], ys[0], xs[-1], ys[-1])
    k = refinement(spec, step)
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
    n_distinct = len(distinct_locations(x, y, w)[0]) if k > 1 else len(x)
    pairs_estimate = n_distinct * math.pi * (spec.radius / step + 1.0) ** 2
    cheaper = pairs_estimate * DIRECT_COST_PER_PAIR <= n_lattice
    direct = k > 1 and (cheaper or n_lattice > MAX_NODES)
    if direct:
        px, py, pw = distinct_locations(x, y, w)
        gx, gy = np.meshgrid(xs, ys)
        n_pairs = count_pairs(px, py, gx.ravel(), gy.ravel(), spec.radius)
        if n_pairs > MAX_DIRECT_PAIRS:
            raise HotspotInputError(
                f"the {spec.kernel} bandwidth ({spec.h:,.0f} m) is small for cells of "
                f"{step:,.0f} m over this extent: an accurate surface needs {n_lattice:,} "
                f"lattice nodes or about {n_pairs:,} kernel evaluations. Use a larger bandwidth, a "
                "smaller study_area, or cells= with fewer cells."
            )
        values = direct_density(
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
    grid = lattice_density(
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


def square_grid_size(cells: gpd.GeoDataFrame | None) -> float | None:
    """The cell size of a hotspot square grid (centroids on a regular lattice), else None."""
    if cells is None:
        return None
    grid = report_of(cells).get("grid")
    if not isinstance(grid, dict) or grid.get("shape") != "square":
        return None
    if not {"row", "col"} <= set(cells.columns):
        return None
    return float(grid["cell_size"])


def density_at_points(
    spec: Smoothing,
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
    n_pairs = count_pairs(px, py, tx, ty, spec.radius)
    size = square_grid_size(cells)
    if size is not None:
        col = cells["col"].to_numpy()
        row = cells["row"].to_numpy()
        k = refinement(spec, size)
        n_nodes = (col.max() - col.min() + 1) * (row.max() - row.min() + 1) * k * k
        cheaper = n_pairs * DIRECT_COST_PER_PAIR > n_nodes and n_nodes <= MAX_NODES
        if cheaper or n_pairs > MAX_DIRECT_PAIRS:
            # the centroids of a square grid are the nodes of a lattice: exact there, and cheaper
            xs = (np.arange(col.min(), col.max() + 1) + 0.5) * size
            ys = (np.arange(row.min(), row.max() + 1) + 0.5) * size
            grid, method = density_on_nodes(spec, xs, ys, size)
            method["method"] += "; the nodes are the square cells' centroids"
            method["pairs_for_a_direct_sum"] = n_pairs
            return grid[row - row.min(), col - col.min()], method
    if n_pairs <= MAX_DIRECT_PAIRS:
        values = direct_density(
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
    grid, method = density_on_nodes(spec, xs, ys, step)
    announce(
        f"about {n_pairs:,} kernel evaluations are too many for a direct sum; the density at the "
        f"centroids is interpolated (bilinear) from a {step:,.1f} m lattice (within about 1 %)",
        quiet=quiet,
    )
    values = bilinear_sample(grid, xs[0], ys[0], step, tx, ty)
    method["method"] += f"; bilinear interpolation at the centroids from a {step:,.1f} m lattice"
    return values, method


def nodes_inside(
    area: shapely.Geometry, xs: np.ndarray, ys: np.ndarray, tile: int = 32
) -> np.ndarray:
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


def edge_share(
    spec: Smoothing, area: shapely.Geometry, tx: np.ndarray, ty: np.ndarray
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
    inside = nodes_inside(area, xs, ys)
    share = edge_factor(inside, step=step, kernel=spec.kernel, bandwidth=spec.h)
    return bilinear_sample(share, xs[0], ys[0], step, tx, ty), step


def edge_correction_note(step: float) -> str:
    """How the edge correction was computed, for the record."""
    return (
        f"divided by the share of each kernel inside the study area ({step:,.1f} m lattice), "
        f"at least {MIN_EDGE_SHARE}"
    )


def warn_coarse(bandwidth: float, cell: float, what: str) -> None:
    """Warn when the bandwidth is smaller than the cells the density is evaluated on."""
    if bandwidth < cell:
        warnings.warn(
            f"the bandwidth ({bandwidth:,.0f} m) is smaller than the {what} ({cell:,.0f} m): "
            "the density is evaluated at cell centres, so incidents between centres barely "
            "show. Use a larger bandwidth or smaller cells.",
            HotspotWarning,
            stacklevel=4,  # warn <- warn_coarse <- the helper <- kde/dual_kde <- the caller
        )


def cells_density(
    spec: Smoothing,
    cells: gpd.GeoDataFrame,
    area: shapely.Geometry | None,
    edge_correction: bool,
    quiet: bool,
) -> tuple[np.ndarray, dict]:
    """Density in incidents (or weight) per km² at the cells' centroids, NaN outside ``area``."""
    centroids = shapely.centroid(cells.geometry.array)
    tx = np.asarray(shapely.get_x(centroids))
    ty = np.asarray(shapely.get_y(centroids))
    side = float(math.sqrt(np.median(shapely.area(cells.geometry.array))))
    warn_coarse(spec.h, side, "typical cell side")
    values, method = density_at_points(spec, tx, ty, quiet, cells)
    values = values * M2_PER_KM2
    method["typical_cell_side"] = side
    if area is not None:
        outside = ~shapely.contains_xy(area, tx, ty)
        if edge_correction and (~outside).any():
            share, step = edge_share(spec, area, tx[~outside], ty[~outside])
            values[~outside] /= np.maximum(share, MIN_EDGE_SHARE)
            method["edge_correction_method"] = edge_correction_note(step)
        values[outside] = np.nan
    return values, method
