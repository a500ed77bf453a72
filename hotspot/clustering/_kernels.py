"""Numba kernels of the clustering methods: HDBSCAN's minimum spanning tree of the mutual
reachability graph (Prim's algorithm on the complete graph) and OPTICS' ordering loops (over all
pairs, or over a neighbour graph with a binary heap)."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, fastmath=True)
def mutual_reachability_mst(xy: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Edges (a, b, distance) of the minimum spanning tree of the mutual reachability graph,
    d_mr(a, b) = max(core[a], core[b], |a - b|), in the order Prim's algorithm adds them.

    O(m²) time, O(m) memory. The candidates are kept compacted in their own arrays (coordinates,
    core distances, best distance so far), so each step is one branch-free pass the compiler
    vectorises, then an arg-min.
    """
    m = xy.shape[0]
    edges = np.empty((max(m - 1, 0), 3))
    if m < 2:
        return edges
    n = m - 1
    ids = np.arange(1, m)
    cx_ = xy[1:, 0].copy()
    cy_ = xy[1:, 1].copy()
    cc_ = core[1:].copy()
    best = np.full(n, np.inf)
    source = np.zeros(n, dtype=np.int64)
    current = 0
    px = xy[0, 0]
    py = xy[0, 1]
    pc = core[0]
    for step in range(m - 1):
        for k in range(n):
            dx = cx_[k] - px
            dy = cy_[k] - py
            d = max(np.sqrt(dx * dx + dy * dy), pc, cc_[k])
            if d < best[k]:
                best[k] = d
                source[k] = current
        arg = 0
        value = best[0]
        for k in range(1, n):
            if best[k] < value:
                value = best[k]
                arg = k
        chosen = ids[arg]
        edges[step, 0] = source[arg]
        edges[step, 1] = chosen
        edges[step, 2] = value
        current = chosen
        px = cx_[arg]
        py = cy_[arg]
        pc = cc_[arg]
        n -= 1
        ids[arg] = ids[n]
        cx_[arg] = cx_[n]
        cy_[arg] = cy_[n]
        cc_[arg] = cc_[n]
        best[arg] = best[n]
        source[arg] = source[n]
    return edges


ROUND = 1e15  # scikit-learn rounds distances to np.finfo(float).precision = 15 decimals


@njit(cache=True)
def optics_order_dense(
    x: np.ndarray, y: np.ndarray, core: np.ndarray, max_eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """The OPTICS loop over all pairs: O(m²) time, O(m) memory."""
    m = x.shape[0]
    reach = np.full(m, np.inf)
    pred = np.full(m, -1, dtype=np.int64)
    done = np.zeros(m, dtype=np.bool_)
    ordering = np.empty(m, dtype=np.int64)
    p = 0  # nothing is reachable yet: the first location
    for k in range(m):
        done[p] = True
        ordering[k] = p
        cp = core[p]
        is_core = cp < np.inf
        px = x[p]
        py = y[p]
        best = -1
        best_r = np.inf
        for j in range(m):
            if done[j]:
                continue
            if is_core:
                dx = px - x[j]
                dy = py - y[j]
                d = np.sqrt(dx * dx + dy * dy)
                if d <= max_eps:
                    v = d if d > cp else cp
                    v = np.rint(v * ROUND) / ROUND
                    if v < reach[j]:
                        reach[j] = v
                        pred[j] = p
            if best == -1 or reach[j] < best_r:
                best = j
                best_r = reach[j]
        p = best
    return ordering, reach, pred


@njit(cache=True)
def heap_less(r1: float, i1: int, r2: float, i2: int) -> bool:  # pragma: no cover
    return r1 < r2 or (r1 == r2 and i1 < i2)


@njit(cache=True)
def optics_order_graph(
    indptr: np.ndarray, indices: np.ndarray, dist: np.ndarray, core: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """The OPTICS loop over a neighbour graph (CSR, distances within max_eps) with a binary
    heap keyed by (reachability, location); stale entries are skipped when popped."""
    m = core.shape[0]
    reach = np.full(m, np.inf)
    pred = np.full(m, -1, dtype=np.int64)
    done = np.zeros(m, dtype=np.bool_)
    ordering = np.empty(m, dtype=np.int64)
    capacity = indices.shape[0] + 1
    heap_r = np.empty(capacity)
    heap_i = np.empty(capacity, dtype=np.int64)
    size = 0
    scan = 0
    for k in range(m):
        p = -1
        while size > 0:
            r = heap_r[0]
            i = heap_i[0]
            size -= 1  # pop: move the last entry to the root and sift it down
            lr = heap_r[size]
            li = heap_i[size]
            pos = 0
            while True:
                child = 2 * pos + 1
                if child >= size:
                    break
                if child + 1 < size and heap_less(
                    heap_r[child + 1], heap_i[child + 1], heap_r[child], heap_i[child]
                ):
                    child += 1
                if heap_less(heap_r[child], heap_i[child], lr, li):
                    heap_r[pos] = heap_r[child]
                    heap_i[pos] = heap_i[child]
                    pos = child
                else:
                    break
            heap_r[pos] = lr
            heap_i[pos] = li
            if not done[i] and r == reach[i]:
                p = i
                break
        if p == -1:  # nothing reachable: the next unprocessed location
            while done[scan]:
                scan += 1
            p = scan
        done[p] = True
        ordering[k] = p
        cp = core[p]
        if cp == np.inf:
            continue
        for e in range(indptr[p], indptr[p + 1]):
            j = indices[e]
            if done[j]:
                continue
            d = dist[e]
            v = d if d > cp else cp
            v = np.rint(v * ROUND) / ROUND
            if v < reach[j]:
                reach[j] = v
                pred[j] = p
                pos = size  # push and sift up
                size += 1
                while pos > 0:
                    parent = (pos - 1) // 2
                    if heap_less(v, j, heap_r[parent], heap_i[parent]):
                        heap_r[pos] = heap_r[parent]
                        heap_i[pos] = heap_i[parent]
                        pos = parent
                    else:
                        break
                heap_r[pos] = v
                heap_i[pos] = j
    return ordering, reach, pred
