"""Conditional permutation p-values of local statistics (Gi*, local Moran's I, space-time Gi*).

For cell i, its own value stays put and its ``k_i`` neighbour slots are filled with a random
sample of the other ``n - 1`` values (see :mod:`hotspot.stats._kernels`); only tail counts are
kept, never the cells x permutations matrix of simulated statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspot._progress import chunk_bounds, progress_bar, show_progress
from hotspot._random import as_generator
from hotspot._validate import check_permutations
from hotspot.stats._kernels import random_ids, tail_counts

__all__ = ["conditional_pvalues", "permutation_tail_counts", "random_ids"]


def permutation_tail_counts(
    values: np.ndarray,
    matrix: Any,
    self_weight: np.ndarray,
    scale: np.ndarray,
    observed: np.ndarray,
    ids: np.ndarray,
    *,
    progress: bool | None,
    desc: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of simulated statistics >= and <= the observed one, for every cell.

    The statistic of cell i for a draw is ``scale[i] * (self_weight[i] * values[i] + sum_t
    matrix[i, t] * values[drawn_t])``. The cells are processed in ranges behind a progress bar
    when the work is long; every range uses the same draws, so the counts do not depend on
    the ranges. Cells without neighbours get -1.

    Parameters
    ----------
    values : ndarray
        The values of the cells.
    matrix : scipy.sparse.csr_array
        The neighbour weights (no diagonal).
    self_weight, scale, observed : ndarray
        Per cell: the weight of its own value, a factor on the whole sum, the observed
        statistic.
    ids : ndarray
        The draws, from :func:`random_ids`.
    progress : bool or None
        Show a bar (``None``: only when the work is long).
    desc : str
        The bar's label.

    Returns
    -------
    (ndarray, ndarray)
        #{simulated >= observed} and #{simulated <= observed} per cell.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> values = np.array([0.0, 1.0, 2.0, 3.0])
    >>> ring = sp.csr_array(np.roll(np.eye(4), 1, axis=1))
    >>> ids = random_ids(4, 1, 50, np.random.default_rng(0))
    >>> ge, le = permutation_tail_counts(values, ring, np.ones(4), np.ones(4),
    ...                                  values + ring @ values, ids, progress=False, desc="")
    >>> bool(((ge + le) >= 50).all())
    True
    """
    n = len(values)
    work = float(ids.shape[0]) * matrix.nnz
    show = show_progress(progress, work)
    arrays = (
        matrix.indptr.astype(np.int64),
        matrix.data.astype(float),
        self_weight.astype(float),
        scale.astype(float),
        observed.astype(float),
    )
    greater = np.empty(n, dtype=np.int64)
    less = np.empty(n, dtype=np.int64)
    with progress_bar(n, desc, show, unit="cell") as bar:
        for first, stop in chunk_bounds(n, show):
            greater[first:stop], less[first:stop] = tail_counts(values, *arrays, ids, first, stop)
            bar.update(stop - first)
    return greater, less


def conditional_pvalues(
    values: np.ndarray,
    matrix: Any,
    self_weight: np.ndarray,
    scale: np.ndarray,
    observed: np.ndarray,
    permutations: int,
    alternative: str,
    rng: None | int | np.random.Generator,
    *,
    progress: bool | None = None,
    desc: str = "permutations",
) -> np.ndarray:
    """Conditional-permutation p-values, ``(1 + count) / (1 + permutations)`` per tail.

    Two-sided: twice the smaller one-sided value, capped at 1. Cells without neighbours get
    NaN. The memory the draws need is checked first.

    Parameters
    ----------
    values, matrix, self_weight, scale, observed
        As for :func:`permutation_tail_counts`.
    permutations : int
        Number of draws (checked by the caller: a whole number >= 1).
    alternative : {"two-sided", "greater", "less"}
    rng : None, int or numpy.random.Generator
        The draws' randomness (a Generator is used as it is, and advanced).
    progress : bool or None, default=None
        Show a progress bar (``None``: only when the work is long).
    desc : str, default="permutations"
        The bar's label.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> values = np.array([9.0, 8.0, 0.0, 1.0, 0.0, 1.0])
    >>> ring = sp.csr_array(np.roll(np.eye(6), 1, axis=1))
    >>> p = conditional_pvalues(values, ring, np.ones(6), np.ones(6), values + ring @ values,
    ...                         99, "greater", np.random.default_rng(0))
    >>> bool(p[0] < p[2])
    True
    """
    n = len(values)
    max_k = int(np.diff(matrix.indptr).max()) if matrix.nnz else 0
    if max_k == 0:
        return np.full(n, np.nan)
    check_permutations(permutations, max_k, 24, what=f"{n:,} cells with up to {max_k} neighbours")
    ids = random_ids(n, max_k, permutations, as_generator(rng))
    greater, less = permutation_tail_counts(
        values, matrix, self_weight, scale, observed, ids, progress=progress, desc=desc
    )
    p_greater = (1.0 + greater) / (1.0 + permutations)
    p_less = (1.0 + less) / (1.0 + permutations)
    if alternative == "greater":
        p = p_greater
    elif alternative == "less":
        p = p_less
    else:
        p = np.minimum(1.0, 2.0 * np.minimum(p_greater, p_less))
    p[greater < 0] = np.nan
    return p
