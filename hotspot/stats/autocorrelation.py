"""Global spatial autocorrelation: Moran's I and Getis–Ord General G.

Incremental spatial autocorrelation (Moran's I by distance) and the distance band chosen from
its peak live in :mod:`hotspot.stats.incremental`; they are re-exported here, where they were.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp

from hotspot._random import normal_pvalue, simulation_pvalue
from hotspot._result import GlobalTest
from hotspot._validate import (
    check_alternative,
    check_cells,
    check_choice,
    check_permutation_count,
    check_permutations,
    check_rng,
    check_value_column,
)
from hotspot.errors import HotspotInputError
from hotspot.stats._checks import cells_period, check_transform, neighbours
from hotspot.stats._moments import ASSUMPTIONS, moran_moments, weight_sums
from hotspot.stats.incremental import (
    N_DISTANCES,
    choose_distance_band,
    incremental_autocorrelation,
    mark_peaks,
)

__all__ = [
    "ASSUMPTIONS",
    "N_DISTANCES",
    "choose_distance_band",
    "general_g",
    "incremental_autocorrelation",
    "mark_peaks",
    "moran",
]


def _permuted_cross_products(
    values: np.ndarray, w: sp.csr_array, permutations: int, rng: np.random.Generator
) -> np.ndarray:
    """v'Wv for ``permutations`` random permutations v of the values (64 at a time)."""
    check_permutations(permutations, 1, 24, what="the global statistic")
    out = np.empty(permutations)
    for start in range(0, permutations, 64):
        stop = min(start + 64, permutations)
        perm = np.stack([rng.permutation(values) for _ in range(start, stop)], axis=1)
        out[start:stop] = np.einsum("ij,ij->j", perm, w @ perm)
    return out


def moran(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    weights: Any = "queen",
    transform: str = "R",
    assumption: str = "randomisation",
    permutations: int = 999,
    alternative: str = "two-sided",
    rng: Any = None,
) -> GlobalTest:
    """Global Moran's I: are similar values near each other?

    Parameters
    ----------
    cells : GeoDataFrame
    column : str, default="count"
    weights : default="queen"
        See :func:`hotspot.build_weights` (``"auto"``: the distance band of
        :func:`hotspot.gistar`'s ``weights="auto"``); always state it when reporting I.
    transform : {"R", "B"}, default="R"
        Row-standardised (as esda and GeoDa) or binary weights.
    assumption : {"randomisation", "normality"}, default="randomisation"
        Null for the analytical variance (ArcGIS uses randomisation).
    permutations : int, default=999
        Random permutations of the values for ``pvalue_sim`` (0 to skip).
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
    rng : None, int or numpy Generator
        Randomness of the permutations (recorded as ``rng_seed`` when an int).

    Returns
    -------
    GlobalTest
        ``statistic`` is I, ``expected`` is E[I]; ``permutations`` as run; ``params`` holds
        ``method`` ("moran"), ``period`` (the cells' counts' period, or None), ``rng_seed``,
        the arguments, n and the weight sums S0, S1, S2.

    Notes
    -----
    I = (n / S0) Σ_ij w_ij z_i z_j / Σ_i z_i², z = x − x̄; E[I] = −1/(n − 1); the variances
    are Cliff & Ord's (1981) under normality and under randomisation.

    Examples
    --------
    >>> import hotspot as hs
    >>> from libpysal.weights import W
    >>> columbus = hs.datasets.load_columbus()
    >>> result = hs.moran(columbus, "CRIME", weights="queen", assumption="normality",
    ...                   permutations=0)
    >>> round(result.statistic, 6), round(result.z, 4), result.method
    (0.500189, 5.6303, 'moran')
    """
    func = "moran"
    check_cells(cells, require_crs=False)
    alternative = check_alternative(alternative, func=func)
    transform = check_transform(transform, func)
    assumption = check_choice(assumption, "assumption", ASSUMPTIONS, func=func)
    permutations = check_permutation_count(permutations, func=func)
    generator, seed = check_rng(rng, func=func)
    x = check_value_column(cells, column, func=func)
    nb = neighbours(cells, weights, column, quiet=False, func=func)
    w = nb.row_standardised() if transform == "R" else nb.matrix
    n = len(x)
    z = x - x.mean()
    s0, s1, s2 = weight_sums(w)
    statistic = float(n / s0 * (z @ (w @ z)) / (z @ z))
    expected, variance = moran_moments(n, s0, s1, s2, z, assumption)
    zscore = (statistic - expected) / np.sqrt(variance)
    null = None
    pvalue_sim = None
    if permutations:
        null = n / s0 * _permuted_cross_products(z, w, permutations, generator) / (z @ z)
        pvalue_sim = float(simulation_pvalue(statistic, null, expected, alternative))
    return GlobalTest(
        name="Moran's I",
        statistic=statistic,
        expected=expected,
        z=float(zscore),
        pvalue=float(normal_pvalue(zscore, alternative)),
        pvalue_sim=pvalue_sim,
        alternative=alternative,
        variance=variance,
        null_distribution=null,
        permutations=permutations,
        params={
            "method": func,
            "period": cells_period(cells),
            "rng_seed": seed,
            "column": column,
            "weights": nb.description,
            "transform": transform,
            "assumption": assumption,
            "permutations": permutations,
            "alternative": alternative,
            "n": n,
            "s0": s0,
            "s1": s1,
            "s2": s2,
            "n_islands": len(nb.islands),
        },
    )


def general_g(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    weights: Any = "queen",
    permutations: int = 999,
    alternative: str = "two-sided",
    rng: Any = None,
) -> GlobalTest:
    """Getis–Ord General G: are high values (rather than similar ones) concentrated?

    G = Σ_{i≠j} w_ij x_i x_j / Σ_{i≠j} x_i x_j with binary weights; E[G] = S0 / (n(n − 1));
    the variance under randomisation is Getis & Ord's (1992), as in esda's ``G``. Values must
    be non-negative.

    Parameters
    ----------
    cells : GeoDataFrame
    column : str, default="count"
        Non-negative values (a negative value is an error).
    weights : default="queen"
        See :func:`hotspot.build_weights`; the weights are made binary. Always state them
        when reporting G.
    permutations : int, default=999
        Random permutations of the values for ``pvalue_sim`` (0 to skip).
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
    rng : None, int or numpy Generator
        Randomness of the permutations (recorded as ``rng_seed`` when an int).

    Returns
    -------
    GlobalTest
        ``statistic`` is G, ``expected`` is E[G]; z above 0 means high values are near high
        values more than chance would put them. ``params`` holds ``method`` ("general_g"),
        ``period``, ``rng_seed``, the arguments and n.

    References
    ----------
    Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189–206.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 2000, quiet=True), quiet=True)
    >>> hs.general_g(cells, weights=2000, permutations=0).z > 3
    True
    """
    func = "general_g"
    check_cells(cells, require_crs=False)
    alternative = check_alternative(alternative, func=func)
    permutations = check_permutation_count(permutations, func=func)
    generator, seed = check_rng(rng, func=func)
    x = check_value_column(cells, column, func=func)
    if (x < 0).any():
        raise HotspotInputError(
            f"{func}: column {column!r} has {int((x < 0).sum()):,} negative values; General G "
            "needs non-negative values (counts, rates): use hotspot.moran for values of any sign."
        )
    nb = neighbours(cells, weights, column, quiet=False, func=func)
    w = nb.matrix.copy()
    w.data[:] = 1.0
    n = len(x)
    s0, s1, s2 = weight_sums(w)
    den = x.sum() ** 2 - (x**2).sum()
    statistic = float(x @ (w @ x) / den)
    expected = s0 / (n * (n - 1))
    n2 = n * n
    b0 = (n2 - 3 * n + 3) * s1 - n * s2 + 3 * s0**2
    b1 = -((n2 - n) * s1 - 2 * n * s2 + 6 * s0**2)
    b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s0**2)
    b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s0**2
    b4 = s1 - s2 + s0**2
    m1, m2, m3, m4 = x.sum(), (x**2).sum(), (x**3).sum(), (x**4).sum()
    eg2 = b0 * m2**2 + b1 * m4 + b2 * m1**2 * m2 + b3 * m1 * m3 + b4 * m1**4
    eg2 /= den**2 * n * (n - 1) * (n - 2) * (n - 3)
    variance = float(eg2 - expected**2)
    zscore = (statistic - expected) / np.sqrt(variance)
    null = None
    pvalue_sim = None
    if permutations:
        null = _permuted_cross_products(x, w, permutations, generator) / den
        pvalue_sim = float(simulation_pvalue(statistic, null, expected, alternative))
    return GlobalTest(
        name="General G",
        statistic=statistic,
        expected=float(expected),
        z=float(zscore),
        pvalue=float(normal_pvalue(zscore, alternative)),
        pvalue_sim=pvalue_sim,
        alternative=alternative,
        variance=variance,
        null_distribution=null,
        permutations=permutations,
        params={
            "method": func,
            "period": cells_period(cells),
            "rng_seed": seed,
            "column": column,
            "weights": nb.description,
            "permutations": permutations,
            "alternative": alternative,
            "n": n,
        },
    )
