"""Conditional-permutation kernels for local statistics (numba, parallel over cells).

For cell i, its own value stays put and its ``k_i`` neighbour slots are filled with a random
sample of the other ``n - 1`` values. As in esda, one table of random ids (permutations x
max k, each row a sample without replacement from ``0 … n-2``) serves every cell: an id ``j >=
i`` stands for value ``j + 1``, so the cell never draws itself. Each cell's null distribution is
exact; the p-values of different cells share draws, which does not matter for their marginal
validity. Only tail counts are kept, never the cells x permutations matrix of simulated values.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def tail_counts(
    values: np.ndarray,
    indptr: np.ndarray,
    weights: np.ndarray,
    self_weight: np.ndarray,
    scale: np.ndarray,
    observed: np.ndarray,
    random_ids: np.ndarray,
    first: int,
    stop: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of simulated statistics >= and <= the observed one, for cells ``first … stop-1``.

    The statistic of cell i for a draw is ``scale[i] * (self_weight[i] * values[i] +
    sum_t weights[indptr[i] + t] * values[drawn_t])``; cells without neighbours get -1. Every
    cell uses the same draws, so a range of cells gives the counts the whole array would.
    """
    n = stop - first
    n_perm, max_k = random_ids.shape
    # The drawn values, looked up once: id j stands for value j (when j < i) or j + 1, so two
    # small tables replace random reads across the whole value array (cache-friendly).
    drawn_low = np.empty((n_perm, max_k))
    drawn_high = np.empty((n_perm, max_k))
    for p in range(n_perm):
        for t in range(max_k):
            drawn_low[p, t] = values[random_ids[p, t]]
            drawn_high[p, t] = values[random_ids[p, t] + 1]
    greater = np.zeros(n, dtype=np.int64)
    less = np.zeros(n, dtype=np.int64)
    for local in prange(n):
        i = first + local
        start = indptr[i]
        k = indptr[i + 1] - start
        if k == 0:
            greater[local] = -1
            less[local] = -1
            continue
        own = self_weight[i] * values[i]
        obs = observed[i]
        # a relative tolerance so that sums equal in exact arithmetic count as ties
        tol = 1e-12 * (abs(obs) + 1.0)
        g = 0
        le = 0
        for p in range(n_perm):
            s = own
            for t in range(k):
                if random_ids[p, t] >= i:
                    s += weights[start + t] * drawn_high[p, t]
                else:
                    s += weights[start + t] * drawn_low[p, t]
            stat = scale[i] * s
            if stat >= obs - tol:
                g += 1
            if stat <= obs + tol:
                le += 1
        greater[local] = g
        less[local] = le
    return greater, less


def random_ids(n: int, max_k: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """(permutations, max_k) ids, each row a sample without replacement from ``0 … n-2``."""
    if max_k > n - 1:
        raise ValueError("a neighbourhood cannot be larger than the other cells")
    out = np.empty((permutations, max_k), dtype=np.int64)
    for p in range(permutations):
        out[p] = rng.choice(n - 1, size=max_k, replace=False)
    return out
