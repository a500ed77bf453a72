"""Numba kernels for HDBSCAN on weighted locations: core distances and the minimum spanning
tree of the mutual reachability graph (Prim's algorithm on the complete graph)."""

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
