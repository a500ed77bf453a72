"""Local statistics on cells: Getis–Ord Gi* hot spots and local Moran's I (LISA)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._messages import announce
from hotspot._random import normal_pvalue
from hotspot._result import stamp
from hotspot._validate import (
    check_alpha,
    check_alternative,
    check_cells,
    check_flag,
    check_permutation_count,
    check_rng,
    check_value_column,
)
from hotspot.grid.weights import Neighbours
from hotspot.stats._checks import (
    TRANSFORMS,
    check_transform,
    neighbours,
)
from hotspot.stats.multiple_testing import confidence_bins, significant
from hotspot.stats.permutation import conditional_pvalues, permutation_tail_counts

__all__ = ["QUADRANTS", "TRANSFORMS", "gistar", "lisa", "permutation_tail_counts"]


def _report_islands(nb: Neighbours, cells: gpd.GeoDataFrame, what: str, quiet: bool) -> None:
    if len(nb.islands):
        shown = ", ".join(map(str, cells.index[nb.islands[:5]]))
        announce(
            f"{len(nb.islands):,} cells have no neighbours under {nb.description} (cells {shown}"
            f"{' …' if len(nb.islands) > 5 else ''}); their {what} is NaN. Use a larger distance "
            "band or 'knn:<k>' to give every cell neighbours",
            quiet=quiet,
        )


def _checked(
    func: str,
    cells: gpd.GeoDataFrame,
    column: str,
    weights: Any,
    transform: str,
    permutations: int,
    alternative: str,
    fdr: bool,
    alpha: float,
    rng: Any,
    quiet: bool,
) -> tuple[np.ndarray, Neighbours, str, int, str, bool, float, np.random.Generator, int | None]:
    """Every parameter of :func:`gistar` and :func:`lisa`, checked before any work."""
    check_cells(cells, require_crs=False)
    alternative = check_alternative(alternative, func=func)
    transform = check_transform(transform, func)
    permutations = check_permutation_count(permutations, func=func)
    fdr = check_flag(fdr, "fdr", func=func)
    alpha = check_alpha(alpha, func=func)
    generator, seed = check_rng(rng, func=func)
    x = check_value_column(cells, column, func=func)
    nb = neighbours(cells, weights, column, quiet=quiet, func=func, stacklevel=4)
    return x, nb, transform, permutations, alternative, fdr, alpha, generator, seed


def gistar(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    weights: Any = "queen",
    transform: str = "B",
    permutations: int = 999,
    alternative: str = "two-sided",
    fdr: bool = True,
    alpha: float = 0.05,
    rng: Any = None,
    quiet: bool = False,
    progress: bool | None = None,
) -> gpd.GeoDataFrame:
    """Getis–Ord Gi* hot spot analysis: where do high (or low) values cluster?

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a numeric ``column`` (e.g. from :func:`hotspot.count_incidents`).
    column : str, default="count"
    weights : str, float, libpysal W/Graph or Neighbours, default="queen"
        The neighbourhood (see :func:`hotspot.build_weights`); the cell itself is always
        included (the "star"). ``"queen"``, as :func:`lisa` and
        :func:`hotspot.emerging_hotspots`: the automatic band can be far wider than the hot
        spots (6 km on a county's footprint, where queen neighbours of 250 m cells see
        streets). ``"auto"``: a distance band chosen as ArcGIS's Optimized Hot Spot Analysis
        does (the first significant peak of incremental spatial autocorrelation, else the
        smallest distance giving every cell a neighbour), announced and recorded.
    transform : {"B", "R"}, default="B"
        Binary weights, as ArcGIS's Gi* (the same z as esda's ``G_Local(star=True,
        transform="B")``), or row-standardised. Binary here but row-standardised in
        :func:`lisa` and :func:`hotspot.moran`: each follows its reference implementation
        (ArcGIS for Gi*, esda and GeoDa for Moran's I).
    permutations : int, default=999
        Conditional permutations for ``gistar_p_sim`` (0 to skip; the column is then NaN).
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
    fdr : bool, default=True
        Bins from the Benjamini–Hochberg false-discovery-rate correction at each confidence
        level, as ArcGIS's FDR option. On by default here but off in :func:`lisa`: Gi*'s bins
        come from analytical p-values, which the correction handles well, while LISA's
        clusters come from permutation p-values, whose floor of 2 / (1 + permutations) leaves
        nothing significant after the correction unless the permutations run to many
        thousands.
    alpha : float, default=0.05
        Level for the summary of significant hot and cold spots in ``attrs``.
    rng : None, int or numpy Generator
        Randomness of the permutations (recorded as ``rng_seed`` when an int).
    quiet : bool, default=False
        Do not announce automatic choices or cells without neighbours.
    progress : bool or None, default=None
        Show a progress bar of the permutations (a terminal bar, a widget in JupyterLab).
        ``None``: only when the work is long (about a few seconds or more).

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` (same index) with ``gistar_z`` (analytical z-score), ``gistar_p``
        (its normal p-value for ``alternative``), ``gistar_p_sim`` (conditional-permutation
        p-value) and ``gistar_bin`` (−3…3). Cells without neighbours get NaN and bin 0.
        ``attrs["hotspot"]`` is stamped with ``kind="cells"``, ``method="gistar"``, the
        cells' period, ``rng_seed`` and, under ``"gistar"``, every parameter, the weights and
        the numbers of hot and cold spots at ``alpha``.

    Notes
    -----
    With weights w*_ij including the cell itself, mean x̄ and standard deviation S (population):

        z_i = (Σ_j w*_ij x_j − x̄ W_i) / (S · sqrt((n S1_i − W_i²) / (n − 1)))

    with ``W_i = Σ_j w*_ij`` and ``S1_i = Σ_j w*_ij²`` (Getis & Ord 1992; Ord & Getis 1995;
    ArcGIS).

    ``gistar_p_sim``: the cell's value stays, its k_i neighbour slots are filled with random
    draws (without replacement) from the other cells, ``permutations`` times; with G and the
    counts #{G_sim >= G_obs}, #{G_sim <= G_obs}, the one-sided p-values are (1 + count) /
    (1 + permutations) and the two-sided one is twice the smaller, capped at 1. esda's
    ``p_sim`` is the smaller one-sided value, folded with a strict inequality in the low tail:
    with counts, a cell whose whole neighbourhood is empty then gets p = 1/(1+permutations).

    ``gistar_bin`` comes from the analytical p-values (as ArcGIS): ±3 when significant at 99 %,
    ±2 at 95 %, ±1 at 90 %.

    Time O(n k) for z; O(n k P) for P permutations, in parallel, without storing the
    simulations (memory O(n + P k)).

    References
    ----------
    Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
    statistics. Geographical Analysis 24(3), 189–206. Ord, J. K. & Getis, A. (1995). Local
    spatial autocorrelation statistics. Geographical Analysis 27(4), 286–306.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 1000, quiet=True), quiet=True)
    >>> hot = hs.gistar(cells, permutations=99, rng=0, quiet=True)
    >>> int((hot["gistar_bin"] == 3).sum()) > 0  # hot spots at 99 % confidence, after FDR
    True
    >>> hot.attrs["hotspot"]["method"], hot.attrs["hotspot"]["gistar"]["weights"]
    ('gistar', 'queen contiguity')
    """
    func = "gistar"
    x, nb, transform, permutations, alternative, fdr, alpha, generator, seed = _checked(
        func, cells, column, weights, transform, permutations, alternative, fdr, alpha, rng, quiet
    )
    _report_islands(nb, cells, "Gi*", quiet)
    n = len(x)
    star = nb.with_self(1.0)
    if transform == "R":
        star = nb.row_standardised(include_self=True)
    w_sum = np.asarray(star.sum(axis=1)).ravel()
    w_sq = np.asarray(star.multiply(star).sum(axis=1)).ravel()
    mean = x.mean()
    s = np.sqrt((x**2).mean() - mean**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (star @ x - mean * w_sum) / (s * np.sqrt((n * w_sq - w_sum**2) / (n - 1)))
    island = np.zeros(n, dtype=bool)
    island[nb.islands] = True
    z[island] = np.nan
    p = np.asarray(normal_pvalue(z, alternative), dtype=float)
    p_sim = np.full(n, np.nan)
    if permutations:
        others = nb.matrix if transform == "B" else _off_diagonal(star)
        self_weight = np.ones(n) if transform == "B" else star.diagonal()
        p_sim = conditional_pvalues(
            x,
            others,
            self_weight,
            np.ones(n),
            star @ x,
            permutations,
            alternative,
            generator,
            progress=progress,
            desc=f"Gi*, {permutations:,} permutations",
        )
    bins = confidence_bins(z, p, fdr=fdr)
    bins[island] = 0
    out = cells.copy()
    out["gistar_z"] = z
    out["gistar_p"] = p
    out["gistar_p_sim"] = p_sim
    out["gistar_bin"] = bins
    hot = significant(p, alpha, fdr=fdr) & (z > 0)
    cold = significant(p, alpha, fdr=fdr) & (z < 0)
    params = {
        "column": column,
        "weights": nb.description,
        "weights_params": nb.params,
        "transform": transform,
        "permutations": permutations,
        "alternative": alternative,
        "fdr": fdr,
        "alpha": alpha,
        "rng_seed": seed,
        "n_cells": n,
        "n_islands": len(nb.islands),
        f"hot_at_{alpha:g}": int(hot.sum()),
        f"cold_at_{alpha:g}": int(cold.sum()),
    }
    return stamp(out, kind="cells", method=func, params=params, source=cells, rng=rng)


def _off_diagonal(matrix: Any) -> Any:
    m = matrix.tolil()
    m.setdiag(0)
    m = m.tocsr()
    m.eliminate_zeros()
    return m


QUADRANTS = np.array(["LL", "LH", "HL", "HH"])


def lisa(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    weights: Any = "queen",
    transform: str = "R",
    permutations: int = 999,
    alternative: str = "two-sided",
    fdr: bool = False,
    alpha: float = 0.05,
    rng: Any = None,
    quiet: bool = False,
    progress: bool | None = None,
) -> gpd.GeoDataFrame:
    """Local Moran's I (Anselin's LISA): clusters (HH, LL) and outliers (HL, LH).

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a numeric ``column``.
    column : str, default="count"
    weights : default="queen"
        See :func:`hotspot.build_weights`; ``"auto"``: the distance band chosen as for
        :func:`gistar`'s ``weights="auto"``.
    transform : {"R", "B"}, default="R"
        Row-standardised (esda's and GeoDa's default) or binary weights; row-standardised
        here but binary in :func:`gistar`, each as its reference implementation.
    permutations : int, default=999
        Conditional permutations for ``lisa_p_sim`` (0: ``lisa_cluster`` from ``lisa_p``).
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
    fdr : bool, default=False
        Use the Benjamini–Hochberg correction for ``lisa_cluster``. Off by default, as in
        GeoDa and esda, where :func:`gistar` has it on: the clusters come from permutation
        p-values, whose floor of 2 / (1 + permutations) leaves nothing significant after the
        correction unless the permutations run to many thousands (use ``fdr=True`` with
        9,999 or more for a map that will be acted on).
    alpha : float, default=0.05
        Significance level of ``lisa_cluster``.
    rng : None, int or numpy Generator
        Randomness of the permutations (recorded as ``rng_seed`` when an int).
    quiet : bool, default=False
        Do not announce automatic choices or cells without neighbours.
    progress : bool or None, default=None
        Show a progress bar of the permutations (a terminal bar, a widget in JupyterLab).
        ``None``: only when the work is long (about a few seconds or more).

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` with ``lisa_i``, ``lisa_z`` (analytical, total randomisation),
        ``lisa_p`` (its normal p-value), ``lisa_p_sim``, ``lisa_q`` (quadrant: ``HH``, ``LL``,
        ``HL``, ``LH``) and ``lisa_cluster`` (the quadrant where significant at ``alpha`` — by
        ``lisa_p_sim`` with permutations, else by ``lisa_p`` — else ``"not significant"``).
        ``attrs["hotspot"]`` is stamped with ``kind="cells"``, ``method="lisa"``, the cells'
        period, ``rng_seed`` and, under ``"lisa"``, every parameter and the cluster counts.

    Notes
    -----
    With z_i = (x_i − x̄)/S (population S) and lag_i = Σ_j w_ij z_j,
    I_i = (n − 1) z_i lag_i / Σ_j z_j², as esda's ``Moran_Local``; E[I_i] and Var[I_i] under
    total randomisation follow Sokal et al. (1998), eqs. A3–A4. The quadrant uses z_i > 0 and
    lag_i > 0 for "high" (a value equal to the mean counts as low, as in esda).

    References
    ----------
    Anselin, L. (1995). Local indicators of spatial association—LISA. Geographical Analysis
    27(2), 93–115.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 1000, quiet=True), quiet=True)
    >>> out = hs.lisa(cells, permutations=99, rng=0)
    >>> "HH" in set(out["lisa_cluster"]), out.attrs["hotspot"]["method"]
    (True, 'lisa')
    """
    func = "lisa"
    x, nb, transform, permutations, alternative, fdr, alpha, generator, seed = _checked(
        func, cells, column, weights, transform, permutations, alternative, fdr, alpha, rng, quiet
    )
    _report_islands(nb, cells, "local Moran's I", quiet)
    n = len(x)
    w = nb.row_standardised() if transform == "R" else nb.matrix
    z = (x - x.mean()) / x.std()
    lag = w @ z
    den = (z * z).sum()
    local_i = (n - 1) * z * lag / den
    wi = np.asarray(w.sum(axis=1)).ravel()
    wi2 = np.asarray(w.multiply(w).sum(axis=1)).ravel()
    m2 = den / n
    b2 = ((z**4).sum() / n) / m2**2
    expected = -wi / (n - 1)
    variance = wi2 * (n - b2) / (n - 1)
    variance += (wi**2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
    variance -= expected**2
    island = np.zeros(n, dtype=bool)
    island[nb.islands] = True
    with np.errstate(invalid="ignore", divide="ignore"):
        lisa_z = (local_i - expected) / np.sqrt(variance)
    lisa_z[island] = np.nan
    local_i = np.where(island, np.nan, local_i)
    p = np.asarray(normal_pvalue(lisa_z, alternative), dtype=float)
    p_sim = np.full(n, np.nan)
    if permutations:
        scale = (n - 1) * z / den
        p_sim = conditional_pvalues(
            z,
            w,
            np.zeros(n),
            scale,
            local_i,
            permutations,
            alternative,
            generator,
            progress=progress,
            desc=f"local Moran, {permutations:,} permutations",
        )
    quadrant = QUADRANTS[2 * (z > 0) + (lag > 0)]
    test_p = p_sim if permutations else p
    sig = significant(test_p, alpha, fdr=fdr)
    out = cells.copy()
    out["lisa_i"] = local_i
    out["lisa_z"] = lisa_z
    out["lisa_p"] = p
    out["lisa_p_sim"] = p_sim
    out["lisa_q"] = pd.Series(quadrant, index=cells.index, dtype="str")
    out["lisa_cluster"] = pd.Series(
        np.where(sig, quadrant, "not significant"), index=cells.index, dtype="str"
    )
    params = {
        "column": column,
        "weights": nb.description,
        "weights_params": nb.params,
        "transform": transform,
        "permutations": permutations,
        "alternative": alternative,
        "fdr": fdr,
        "alpha": alpha,
        "rng_seed": seed,
        "significance_from": "lisa_p_sim" if permutations else "lisa_p",
        "clusters": out["lisa_cluster"].value_counts().to_dict(),
    }
    return stamp(out, kind="cells", method=func, params=params, source=cells, rng=rng)
