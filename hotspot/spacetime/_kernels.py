"""Numerical kernels of :mod:`hotspot.spacetime.nearrepeat`: pair counts per (distance band, time band).

Everything here works on plain arrays: pair index arrays ``i``, ``j`` (int32), the distance band
of each pair (int8/int16), times as int64 nanoseconds and the finite time-band edges as int64
nanoseconds. :mod:`hotspot.spacetime.nearrepeat` validates inputs and builds the tables.

numba is imported lazily on the first call (its import and compilation take a few seconds, cached
on disk with ``cache=True`` afterwards).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_KERNEL: Callable | None = None


def _build_kernel() -> Callable:
    from numba import njit, prange

    @njit(parallel=True, cache=True, nogil=True)
    def _counts(pi, pj, dbin, t, perms, t_edges, out):  # pragma: no cover - compiled
        n_edges = t_edges.shape[0]
        last = t_edges[n_edges - 1]
        for p in prange(perms.shape[0]):
            tp = t[perms[p]]
            row = out[p]
            for k in range(pi.shape[0]):
                a = tp[pi[k]]
                b = tp[pj[k]]
                dt = a - b if a >= b else b - a
                if dt > last:  # most pairs: counted by subtraction from the row totals
                    continue
                tb = 0
                while dt > t_edges[tb]:
                    tb += 1
                row[dbin[k], tb] += 1

    return _counts


def pair_count_kernel() -> Callable:
    """The numba pair-count kernel, built on the first call (numba imported, the kernel
    compiled or loaded from the on-disk cache); its ``stats`` say which."""
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = _build_kernel()
    return _KERNEL


def permuted_counts(
    pi: np.ndarray,
    pj: np.ndarray,
    dbin: np.ndarray,
    t: np.ndarray,
    perms: np.ndarray,
    t_edges: np.ndarray,
    n_distance: int,
) -> np.ndarray:
    """Counts of the listed pairs per (permutation, distance band, time band).

    Row ``p`` uses the times ``t[perms[p]]``: pair ``k`` falls in time band ``b`` when
    ``t_edges[b - 1] < |t[perms[p, i[k]]] - t[perms[p, j[k]]]| <= t_edges[b]`` (band 0 starts
    at 0 inclusive; band ``len(t_edges)`` is "beyond the last edge").

    Returns an int64 array of shape ``(len(perms), n_distance, len(t_edges) + 1)``.
    """
    n_t = t_edges.shape[0]
    out = np.zeros((perms.shape[0], n_distance, n_t + 1), dtype=np.int64)
    if pi.shape[0]:
        pair_count_kernel()(pi, pj, dbin, t, perms, t_edges, out[:, :, :n_t])
    # beyond the last time edge: the row totals (fixed by the pairs' distances) minus the rest
    rows = np.bincount(dbin, minlength=n_distance)[:n_distance]
    out[:, :, n_t] = rows[None, :] - out[:, :, :n_t].sum(axis=2)
    return out


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
