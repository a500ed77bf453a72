"""Numerical kernels of :mod:`hotspot.spacetime.nearrepeat`: close pairs and their counts.

Everything here works on plain arrays. The close pairs are stored as a compressed row list in
the points' grid order: the pairs of point ``a`` are ``nb[offsets[a]:offsets[a + 1]]`` (int32
point numbers, each larger than ``a``) with their distance band in ``band`` (int8, int16 past
127 bands), 5 bytes a pair. Times are int64 nanoseconds and the finite time-band edges int64
nanoseconds. :mod:`hotspot.spacetime.nearrepeat` validates inputs, builds the grid, allocates
every array (the kernels allocate nothing but one time array per permutation in flight) and
builds the tables.

The kernels are compiled on their first call and cached on disk (``cache=True``); numba is
already imported with :mod:`hotspot` (the clustering and density kernels).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numba import njit, parallel_chunksize, prange

_CELLS_PER_TASK = 4  # cells handed to a thread at a time: crowded cells do not pile on one


def permuted_counts(
    offsets: np.ndarray,
    nb: np.ndarray,
    band: np.ndarray,
    t: np.ndarray,
    perms: np.ndarray,
    t_edges: np.ndarray,
    row_totals: np.ndarray,
) -> np.ndarray:
    """Counts of the listed pairs per (permutation, distance band, time band).

    Row ``p`` gives point ``a`` (in grid order) the time ``t[perms[p, a]]``: pair ``k`` of
    point ``a`` falls in time band ``e`` when ``t_edges[e - 1] < |t[perms[p, a]] -
    t[perms[p, nb[k]]]| <= t_edges[e]`` (band 0 starts at 0 inclusive; band ``len(t_edges)``
    is "beyond the last edge", the row totals minus the rest).

    Returns an int64 array of shape ``(len(perms), len(row_totals), len(t_edges) + 1)``.
    """
    n_t = t_edges.shape[0]
    out = np.zeros((perms.shape[0], row_totals.shape[0], n_t + 1), dtype=np.int64)
    if nb.shape[0]:
        grid_kernels()["csr_counts"](offsets, nb, band, t, perms, t_edges, out[:, :, :n_t])
    out[:, :, n_t] = row_totals[None, :] - out[:, :, :n_t].sum(axis=2)
    return out


def band_totals(band: np.ndarray, n_bands: int) -> np.ndarray:
    """Pairs per distance band (int64), without numpy.bincount's 8-byte-a-pair copy."""
    total = np.zeros(n_bands, dtype=np.int64)
    grid_kernels()["band_totals"](band, total)
    return total


def pairs_within_time(t_sorted: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """For each edge ``e``, the number of unordered pairs with ``|t_a - t_b| <= e``.

    ``t_sorted`` ascending int64; O(n log n) per edge with ``searchsorted``, no pair list.
    """
    n = t_sorted.shape[0]
    idx = np.arange(n, dtype=np.int64)
    return np.array(
        [
            int((np.searchsorted(t_sorted, t_sorted + e, side="right") - idx - 1).sum())
            for e in edges
        ],
        dtype=np.int64,
    )


class PairGrid(NamedTuple):
    """The points sorted by square grid cell: ``xs = x[order]``, ``ys = y[order]``; cell ``c``
    (row ``cell_y[c]``, column ``cell_x[c]``, sorted by row then column) holds the points
    ``cell_start[c]`` to ``cell_start[c + 1] - 1``. ``side`` (>= the search radius) is the cell
    side in metres."""

    order: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    cell_start: np.ndarray
    cell_y: np.ndarray
    cell_x: np.ndarray
    side: float


def pair_grid(x: np.ndarray, y: np.ndarray, r: float) -> PairGrid:
    """Sort the points into square cells of side a little over ``r`` (O(n log n), 80 bytes a
    point at the peak), so that any two points at most ``r`` apart (Euclidean or Manhattan)
    share a cell or sit in neighbouring ones, floating-point rounding included."""
    n = x.shape[0]
    x0, y0 = float(x.min()), float(y.min())
    span = max(float(x.max()) - x0, float(y.max()) - y0)
    scale = max(abs(x0), abs(y0), abs(float(x.max())), abs(float(y.max())), 1.0)
    # the margin covers the rounding of (x - x0) / side; at most 2**40 columns or rows
    side = max(r * (1 + 1e-6) + 1e-9 * scale, span / 2.0**40)
    ix = np.floor((x - x0) / side).astype(np.int64)
    iy = np.floor((y - y0) / side).astype(np.int64)
    order = np.lexsort((ix, iy))
    ix = ix[order]
    iy = iy[order]
    new = np.ones(n, dtype=bool)
    new[1:] = (ix[1:] != ix[:-1]) | (iy[1:] != iy[:-1])
    starts = np.flatnonzero(new)
    del new
    cell_start = np.append(starts, n).astype(np.int64)
    return PairGrid(order, x[order], y[order], cell_start, iy[starts], ix[starts], side)


def candidate_pairs(grid: PairGrid) -> int:
    """Pairs in one cell or two neighbouring ones: an upper bound of the pairs within the
    radius, counted from the cell sizes alone."""
    return int(grid_kernels()["candidates"](grid.cell_start, grid.cell_y, grid.cell_x))


def neighbour_counts(grid: PairGrid, sample: np.ndarray, r: float, manhattan: bool) -> np.ndarray:
    """For each point ``sample[s]`` (a position in grid order), the number of other points at
    distance ``<= r`` (int64)."""
    sample = np.ascontiguousarray(sample, dtype=np.int64)
    cell_of = np.searchsorted(grid.cell_start, sample, side="right") - 1
    counts = np.empty(sample.shape[0], dtype=np.int64)
    with parallel_chunksize(_CELLS_PER_TASK):
        grid_kernels()["around"](
            grid.xs,
            grid.ys,
            grid.cell_start,
            grid.cell_y,
            grid.cell_x,
            cell_of,
            sample,
            float(r),
            bool(manhattan),
            counts,
        )
    return counts


def pair_offsets(grid: PairGrid, r: float, manhattan: bool) -> np.ndarray:
    """The row offsets of the close-pair list (int64, n + 1): ``offsets[-1]`` is the exact
    number of unordered pairs at distance ``<= r``; nothing per pair is allocated."""
    n = grid.xs.shape[0]
    offsets = np.zeros(n + 1, dtype=np.int64)
    with parallel_chunksize(_CELLS_PER_TASK):
        grid_kernels()["count"](
            grid.xs,
            grid.ys,
            grid.cell_start,
            grid.cell_y,
            grid.cell_x,
            float(r),
            bool(manhattan),
            offsets[1:],
        )
    np.cumsum(offsets[1:], out=offsets[1:])
    return offsets


def fill_pairs(
    grid: PairGrid,
    offsets: np.ndarray,
    r: float,
    manhattan: bool,
    edges: np.ndarray,
    same_location: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The close pairs listed by :func:`pair_offsets`: ``nb`` (int32, the later point of each
    pair in grid order) and ``band`` (int8; int16 past 127 bands), the distance band of each:
    the number of ``edges`` below the distance (:func:`numpy.searchsorted`, side "left"),
    plus one, and 0 at distance 0, with `same_location`. Exactly 5 bytes a pair."""
    n_pairs = int(offsets[-1])
    n_bands = edges.shape[0] + int(same_location)
    nb = np.empty(n_pairs, dtype=np.int32 if grid.xs.shape[0] < 2**31 else np.int64)
    band = np.empty(n_pairs, dtype=np.int8 if n_bands <= 127 else np.int16)
    if n_pairs:
        with parallel_chunksize(_CELLS_PER_TASK):
            grid_kernels()["fill"](
                grid.xs,
                grid.ys,
                grid.cell_start,
                grid.cell_y,
                grid.cell_x,
                float(r),
                bool(manhattan),
                np.ascontiguousarray(edges, dtype=np.float64),
                bool(same_location),
                offsets,
                nb,
                band,
            )
    return nb, band


def chain_roots(grid: PairGrid, t_sorted: np.ndarray, r: float, max_dt: int) -> np.ndarray:
    """Union-find over the pairs at most ``r`` metres (Euclidean) and ``max_dt`` nanoseconds
    apart, without listing them: for each point in grid order, the smallest grid position
    of its connected component (int64; O(n) memory)."""
    parent = np.arange(grid.xs.shape[0], dtype=np.int64)
    grid_kernels()["link"](
        grid.xs,
        grid.ys,
        np.ascontiguousarray(t_sorted, dtype=np.int64),
        grid.cell_start,
        grid.cell_y,
        grid.cell_x,
        float(r),
        np.int64(max_dt),
        parent,
    )
    return parent


# ------------------------------------------------------------------ close pairs on a grid
#
# The points are sorted by square grid cell (row ``iy``, then column ``ix``; the cell side at
# least the search radius), so every pair within the radius lies in one cell or in two
# neighbouring ones. Each point ``a`` (in the sorted order) looks at the points after it in
# its own cell and in the cell to its east, which follow it contiguously, and at the three
# cells of the row above (north-west, north, north-east), also contiguous: every unordered
# pair is seen exactly once, from its earlier point. Nothing is allocated inside the kernels:
# the caller gives every array, so the memory is what it allocates (and tracemalloc sees it).


@njit(cache=True, nogil=True)
def _first_cell(cell_y, cell_x, qy, qx):  # pragma: no cover - compiled
    lo = 0
    hi = cell_y.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if cell_y[mid] < qy or (cell_y[mid] == qy and cell_x[mid] < qx):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, nogil=True)
def _row_points(cell_start, cell_y, cell_x, qy, qx0, qx1):  # pragma: no cover - compiled
    """The points of the cells ``(qy, qx0..qx1)``: one contiguous range."""
    k0 = _first_cell(cell_y, cell_x, qy, qx0)
    k1 = k0
    while k1 < cell_y.shape[0] and cell_y[k1] == qy and cell_x[k1] <= qx1:
        k1 += 1
    return cell_start[k0], cell_start[k1]


@njit(cache=True, nogil=True)
def _distance(xs, ys, a, b, manhattan, r2):  # pragma: no cover - compiled
    """The distance of points ``a`` and ``b``; ``inf`` for a Euclidean one whose squared
    distance is above ``r2`` (a cheap test that rejects most candidates before hypot)."""
    dx = xs[a] - xs[b]
    dy = ys[a] - ys[b]
    if manhattan:
        return abs(dx) + abs(dy)
    if dx * dx + dy * dy > r2:
        return np.inf
    return math.hypot(dx, dy)  # libm's hypot, as numpy.hypot: identical bits


@njit(cache=True, nogil=True)
def _squared(r):  # pragma: no cover - compiled
    """A bound on the squared distance of the points within ``r``, rounding included."""
    return (r * (1.0 + 1e-6)) ** 2


@njit(cache=True, nogil=True)
def _forward(cell_start, cell_y, cell_x, c):  # pragma: no cover - compiled
    """Ends of the two ranges a point of cell ``c`` pairs with: its own cell (from the
    point on) and the east cell, then the three cells of the row above."""
    n_cells = cell_y.shape[0]
    end = cell_start[c + 1]
    if c + 1 < n_cells and cell_y[c + 1] == cell_y[c] and cell_x[c + 1] == cell_x[c] + 1:
        end = cell_start[c + 2]
    lo, hi = _row_points(cell_start, cell_y, cell_x, cell_y[c] + 1, cell_x[c] - 1, cell_x[c] + 1)
    return end, lo, hi


@njit(parallel=True, cache=True, nogil=True)
def _count(xs, ys, cell_start, cell_y, cell_x, r, manhattan, counts):  # pragma: no cover
    r2 = _squared(r)
    for c in prange(cell_y.shape[0]):
        end, lo, hi = _forward(cell_start, cell_y, cell_x, c)
        for a in range(cell_start[c], cell_start[c + 1]):
            m = 0
            for b in range(a + 1, end):
                if _distance(xs, ys, a, b, manhattan, r2) <= r:
                    m += 1
            for b in range(lo, hi):
                if _distance(xs, ys, a, b, manhattan, r2) <= r:
                    m += 1
            counts[a] = m


@njit(cache=True, nogil=True)
def _band(d, edges, same_location):  # pragma: no cover - compiled
    k = 0  # the number of edges below d: numpy.searchsorted(edges, d, side="left")
    while k < edges.shape[0] and edges[k] < d:
        k += 1
    if same_location:
        return 0 if d == 0.0 else k + 1
    return k


@njit(parallel=True, cache=True, nogil=True)
def _fill(
    xs, ys, cell_start, cell_y, cell_x, r, manhattan, edges, same_location, offsets, nb, band
):  # pragma: no cover - compiled
    r2 = _squared(r)
    for c in prange(cell_y.shape[0]):
        end, lo, hi = _forward(cell_start, cell_y, cell_x, c)
        for a in range(cell_start[c], cell_start[c + 1]):
            w = offsets[a]
            for b in range(a + 1, end):
                d = _distance(xs, ys, a, b, manhattan, r2)
                if d <= r:
                    nb[w] = b
                    band[w] = _band(d, edges, same_location)
                    w += 1
            for b in range(lo, hi):
                d = _distance(xs, ys, a, b, manhattan, r2)
                if d <= r:
                    nb[w] = b
                    band[w] = _band(d, edges, same_location)
                    w += 1


@njit(cache=True, nogil=True)
def _candidates(cell_start, cell_y, cell_x):  # pragma: no cover - compiled
    total = 0
    for c in range(cell_y.shape[0]):
        end, lo, hi = _forward(cell_start, cell_y, cell_x, c)
        size = cell_start[c + 1] - cell_start[c]
        total += size * (size - 1) // 2 + size * (end - cell_start[c + 1] + hi - lo)
    return total


@njit(parallel=True, cache=True, nogil=True)
def _around(
    xs, ys, cell_start, cell_y, cell_x, cell_of, sample, r, manhattan, counts
):  # pragma: no cover - compiled
    r2 = _squared(r)
    for s in prange(sample.shape[0]):
        a = sample[s]
        c = cell_of[s]
        m = 0
        for qy in range(cell_y[c] - 1, cell_y[c] + 2):
            lo, hi = _row_points(cell_start, cell_y, cell_x, qy, cell_x[c] - 1, cell_x[c] + 1)
            for b in range(lo, hi):
                if b != a and _distance(xs, ys, a, b, manhattan, r2) <= r:
                    m += 1
        counts[s] = m


@njit(cache=True, nogil=True)
def _root(parent, a):  # pragma: no cover - compiled
    while parent[a] != a:
        parent[a] = parent[parent[a]]  # path halving
        a = parent[a]
    return a


@njit(cache=True, nogil=True)
def _link(xs, ys, ts, cell_start, cell_y, cell_x, r, max_dt, parent):  # pragma: no cover - compiled
    r2 = _squared(r)
    for c in range(cell_y.shape[0]):
        end, lo, hi = _forward(cell_start, cell_y, cell_x, c)
        for a in range(cell_start[c], cell_start[c + 1]):
            for k in range(2):
                b0 = a + 1 if k == 0 else lo
                b1 = end if k == 0 else hi
                for b in range(b0, b1):
                    dt = ts[a] - ts[b] if ts[a] >= ts[b] else ts[b] - ts[a]
                    if dt <= max_dt and _distance(xs, ys, a, b, False, r2) <= r:
                        ra = _root(parent, a)
                        rb = _root(parent, b)
                        if ra != rb:
                            if ra < rb:
                                parent[rb] = ra
                            else:
                                parent[ra] = rb
    for a in range(parent.shape[0]):
        parent[a] = _root(parent, a)


@njit(parallel=True, cache=True, nogil=True)
def _csr_counts(offsets, nb, band, t, perms, t_edges, out):  # pragma: no cover - compiled
    n_edges = t_edges.shape[0]
    last = t_edges[n_edges - 1]
    n = offsets.shape[0] - 1
    for p in prange(perms.shape[0]):
        row = out[p]
        tp = t[perms[p]]  # the times of the points in grid order: n int64 per thread
        for a in range(n):
            ta = tp[a]
            for k in range(offsets[a], offsets[a + 1]):
                tb = tp[nb[k]]
                dt = ta - tb if ta >= tb else tb - ta
                if dt > last:  # most pairs: counted by subtraction from the row totals
                    continue
                e = 0
                while dt > t_edges[e]:
                    e += 1
                row[band[k], e] += 1


@njit(cache=True, nogil=True)
def _band_totals(band, out):  # pragma: no cover - compiled
    for k in range(band.shape[0]):
        out[band[k]] += 1


_GRID: dict[str, Callable] = {
    "count": _count,
    "fill": _fill,
    "candidates": _candidates,
    "around": _around,
    "link": _link,
    "csr_counts": _csr_counts,
    "band_totals": _band_totals,
}


def grid_kernels() -> dict[str, Callable]:
    """The numba kernels by name (their ``stats`` tell whether they came from the disk cache)."""
    return _GRID
