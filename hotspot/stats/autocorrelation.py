"""Global spatial autocorrelation: Moran's I, Getis–Ord General G, and incremental spatial
autocorrelation (Moran's I by distance) with the choice of a distance band from its peak."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from hotspot._messages import announce
from hotspot._random import as_generator, check_alternative, normal_pvalue, simulation_pvalue
from hotspot._result import GlobalTest
from hotspot._validate import check_cells, check_permutations, report_of
from hotspot.errors import HotspotInputError
from hotspot.grid.weights import Neighbours, build_weights, centroids, distance_band
from hotspot.stats.local import _values

ASSUMPTIONS = ("randomisation", "normality")
N_DISTANCES = 10


def _weights(cells: gpd.GeoDataFrame, weights: Any) -> Neighbours:
    return weights if isinstance(weights, Neighbours) else build_weights(cells, weights)


def _check_permutations(permutations: int) -> None:
    if isinstance(permutations, bool) or not isinstance(permutations, int | np.integer):
        raise TypeError(f"permutations must be an integer, not {type(permutations).__name__}")
    if permutations < 0:
        raise HotspotInputError(f"permutations must be >= 0, got {permutations}")


def _moran_moments(
    n: int, s0: float, s1: float, s2: float, z: np.ndarray, assumption: str
) -> tuple[float, float]:
    expected = -1.0 / (n - 1)
    if assumption == "normality":
        variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    else:
        b2 = n * (z**4).sum() / ((z**2).sum() ** 2)
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
        b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        c = (n - 1) * (n - 2) * (n - 3) * s0 * s0
        variance = (a - b) / c - expected**2
    return expected, float(variance)


def _weight_sums(w: sp.csr_array) -> tuple[float, float, float]:
    """Cliff & Ord's S0, S1 and S2 of a weights matrix."""
    s0 = float(w.sum())
    sym = w + w.T
    s1 = float(0.5 * sym.multiply(sym).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    return s0, s1, s2


def _permuted_cross_products(
    values: np.ndarray, w: sp.csr_array, permutations: int, rng: Any
) -> np.ndarray:
    """v'Wv for ``permutations`` random permutations v of the values (64 at a time)."""
    gen = as_generator(rng)
    check_permutations(permutations, 1, 24, what="the global statistic")
    out = np.empty(permutations)
    for start in range(0, permutations, 64):
        stop = min(start + 64, permutations)
        perm = np.stack([gen.permutation(values) for _ in range(start, stop)], axis=1)
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
        See :func:`hotspot.build_weights`; always state it when reporting I.
    transform : {"R", "B"}, default="R"
        Row-standardised or binary weights.
    assumption : {"randomisation", "normality"}, default="randomisation"
        Null for the analytical variance (ArcGIS uses randomisation).
    permutations : int, default=999
        Random permutations of the values for ``pvalue_sim`` (0 to skip).
    alternative : {"two-sided", "greater", "less"}
    rng : None, int or numpy Generator

    Returns
    -------
    GlobalTest

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
    >>> round(result.statistic, 6), round(result.z, 4)
    (0.500189, 5.6303)
    """
    check_cells(cells, require_crs=False)
    check_alternative(alternative)
    _check_permutations(permutations)
    if assumption not in ASSUMPTIONS:
        raise HotspotInputError(f"assumption={assumption!r} is not one of {ASSUMPTIONS}")
    x = _values(cells, column)
    nb = _weights(cells, weights)
    if str(transform).upper() not in ("R", "B"):
        raise HotspotInputError(f"transform={transform!r} is not 'R' or 'B'")
    w = nb.row_standardised() if str(transform).upper() == "R" else nb.matrix
    n = len(x)
    z = x - x.mean()
    s0, s1, s2 = _weight_sums(w)
    statistic = float(n / s0 * (z @ (w @ z)) / (z @ z))
    expected, variance = _moran_moments(n, s0, s1, s2, z, assumption)
    zscore = (statistic - expected) / np.sqrt(variance)
    null = None
    pvalue_sim = None
    if permutations:
        null = n / s0 * _permuted_cross_products(z, w, permutations, rng) / (z @ z)
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
        params={
            "column": column,
            "weights": nb.description,
            "transform": str(transform).upper(),
            "assumption": assumption,
            "permutations": permutations,
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

    Returns
    -------
    GlobalTest
        ``statistic`` is G, ``expected`` is E[G]; z above 0 means high values are near high
        values more than chance would put them.

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
    check_cells(cells, require_crs=False)
    check_alternative(alternative)
    _check_permutations(permutations)
    x = _values(cells, column)
    if (x < 0).any():
        raise HotspotInputError(f"General G needs non-negative values; {column!r} has negatives.")
    nb = _weights(cells, weights)
    w = nb.matrix.copy()
    w.data[:] = 1.0
    n = len(x)
    s0, s1, s2 = _weight_sums(w)
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
        null = _permuted_cross_products(x, w, permutations, rng) / den
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
        params={"column": column, "weights": nb.description, "permutations": permutations, "n": n},
    )


def _grid_lattice(cells: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, str, float] | None:
    grid = report_of(cells).get("grid")
    if not isinstance(grid, dict):
        return None
    if grid.get("shape") == "square" and {"row", "col"} <= set(cells.columns):
        return cells["row"].to_numpy(), cells["col"].to_numpy(), "square", grid["cell_size"]
    if grid.get("shape") == "hex" and {"hex_q", "hex_r"} <= set(cells.columns):
        return cells["hex_r"].to_numpy(), cells["hex_q"].to_numpy(), "hex", grid["cell_size"]
    return None


def _lattice_kernel(distance: float, cell_size: float, shape: str) -> np.ndarray:
    reach = int(np.ceil(distance / (cell_size * (np.sqrt(3) / 2 if shape == "hex" else 1)))) + 1
    a, b = np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1), indexing="ij")
    if shape == "square":
        d2 = (a * a + b * b) * cell_size**2
    else:  # a = Δr, b = Δq in axial coordinates
        d2 = (b * b + a * b + a * a) * cell_size**2
    kernel = (d2 <= distance**2 * (1 + 1e-9)).astype(float)
    kernel[reach, reach] = 0.0
    return kernel


def _moran_by_distance_lattice(
    z: np.ndarray, lattice: tuple, distances: np.ndarray
) -> list[tuple[float, float, float, int]]:
    """(I numerator, S0, S2, islands) per distance for binary distance bands on a regular grid,
    by FFT convolution of the value raster with a disc: no neighbour lists at all."""
    from scipy.signal import fftconvolve

    a, b, shape, cell_size = lattice
    a = a - a.min()
    b = b - b.min()
    raster = np.zeros((a.max() + 1, b.max() + 1))
    mask = np.zeros_like(raster)
    raster[a, b] = z
    mask[a, b] = 1.0
    out = []
    for d in distances:
        kernel = _lattice_kernel(d, cell_size, shape)
        degree = np.rint(fftconvolve(mask, kernel, mode="same"))[a, b]
        lag = fftconvolve(raster, kernel, mode="same")[a, b]
        out.append(
            (
                float(z @ lag),
                float(degree.sum()),
                float(((2 * degree) ** 2).sum()),
                int((degree == 0).sum()),
            )
        )
    return out


def mark_peaks(
    z: np.ndarray, pvalue: np.ndarray, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Peaks of a z-score series (strictly above the previous value, at least the next; not at
    either end), the first significant one, and the significant one with the largest z.

    Examples
    --------
    >>> peak, first, best = mark_peaks(np.array([1.0, 3.0, 2.0, 5.0, 4.0]), np.zeros(5))
    >>> peak.tolist(), first.tolist(), best.tolist()
    ([False, True, False, True, False], [False, True, False, False, False], [False, False, False, True, False])
    """
    m = len(z)
    peak = np.zeros(m, dtype=bool)
    for k in range(1, m - 1):
        peak[k] = bool(np.isfinite(z[k]) and z[k] > z[k - 1] and z[k] >= z[k + 1])
    candidates = np.flatnonzero(peak & (pvalue < alpha))
    first = np.zeros(m, dtype=bool)
    best = np.zeros(m, dtype=bool)
    if len(candidates):
        first[candidates[0]] = True
        best[candidates[np.argmax(z[candidates])]] = True
    return peak, first, best


def incremental_autocorrelation(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    distances: Any = None,
    *,
    assumption: str = "randomisation",
) -> pd.DataFrame:
    """Moran's I for a series of distance bands, and its peaks: the scale of clustering.

    Parameters
    ----------
    cells : GeoDataFrame
    column : str, default="count"
    distances : sequence of float, optional
        Distance bands in metres (between centroids, inclusive, binary weights). Default: ten
        bands starting at the smallest distance that gives every cell a neighbour, in steps of
        the mean nearest-neighbour distance (a grid's cell size).
    assumption : {"randomisation", "normality"}

    Returns
    -------
    DataFrame
        One row per distance: ``distance``, ``moran_i``, ``expected``, ``variance``, ``z``,
        ``pvalue``, ``n_islands``, ``peak`` (a local maximum of z), ``first_peak`` (the first
        peak with p < 0.05) and ``max_peak`` (the peak with the largest z).

    Notes
    -----
    On regular grids the sums behind I (Σ w_ij z_i z_j, S0, S2) come from FFT convolutions of
    the value raster with a disc, so a 1 km band on a 100 m grid costs no neighbour lists;
    other polygons use k-d tree distance bands.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 1000, quiet=True), quiet=True)
    >>> table = hs.incremental_autocorrelation(cells)
    >>> list(table.columns)[:5]
    ['distance', 'moran_i', 'expected', 'variance', 'z']
    """
    if assumption not in ASSUMPTIONS:
        raise HotspotInputError(f"assumption={assumption!r} is not one of {ASSUMPTIONS}")
    x = _values(cells, column)
    n = len(x)
    xy = centroids(cells)
    if distances is None:
        nn = cKDTree(xy).query(xy, k=2)[0][:, 1]
        start, step = float(nn.max()), float(nn.mean())
        distances = start + step * np.arange(N_DISTANCES)
    distances = np.asarray(distances, dtype=float)
    if distances.ndim != 1 or not len(distances) or (distances <= 0).any():
        raise HotspotInputError("distances must be a non-empty list of positive metres")
    z = x - x.mean()
    lattice = _grid_lattice(cells)
    if lattice is not None:
        sums = _moran_by_distance_lattice(z, lattice, distances)
    else:
        sums = []
        for d in distances:
            w = distance_band(xy, d)
            degree = np.asarray(w.sum(axis=1)).ravel()
            sums.append(
                (
                    float(z @ (w @ z)),
                    float(degree.sum()),
                    float(((2 * degree) ** 2).sum()),
                    int((degree == 0).sum()),
                )
            )
    rows = []
    for d, (num, s0, s2, islands) in zip(distances, sums, strict=True):
        if s0 == 0:
            rows.append((d, np.nan, -1 / (n - 1), np.nan, np.nan, np.nan, islands))
            continue
        stat = n / s0 * num / (z @ z)
        expected, variance = _moran_moments(n, s0, 2 * s0, s2, z, assumption)
        zscore = (stat - expected) / np.sqrt(variance)
        rows.append((d, stat, expected, variance, zscore, float(normal_pvalue(zscore)), islands))
    table = pd.DataFrame(
        rows, columns=["distance", "moran_i", "expected", "variance", "z", "pvalue", "n_islands"]
    )
    peak, first, best = mark_peaks(table["z"].to_numpy(), table["pvalue"].to_numpy())
    table["peak"] = peak
    table["first_peak"] = first
    table["max_peak"] = best
    table.attrs["hotspot"] = {
        "column": column,
        "assumption": assumption,
        "weights": "binary distance bands",
    }
    return table


def choose_distance_band(
    cells: gpd.GeoDataFrame, column: str, *, quiet: bool = False
) -> Neighbours:
    """A distance band as ArcGIS's Optimized Hot Spot Analysis chooses one: the first
    significant peak of incremental spatial autocorrelation; without a peak, the smallest
    distance that gives every cell a neighbour. Announced and recorded in the Neighbours."""
    table = incremental_autocorrelation(cells, column)
    first = table.index[table["first_peak"]]
    if len(first):
        distance = float(table.loc[first[0], "distance"])
        why = f"the first peak of incremental spatial autocorrelation (z = {table.loc[first[0], 'z']:.2f})"
    else:
        distance = float(table["distance"].iloc[0])
        why = "no significant peak of incremental spatial autocorrelation: the smallest distance giving every cell a neighbour"
    announce(
        f"weights not given: distance band {distance:,.0f} m ({why}); pass weights= to choose",
        quiet=quiet,
    )
    nb = build_weights(cells, distance)
    params = dict(
        nb.params, chosen_by=why, incremental=table[["distance", "z", "peak"]].to_dict("list")
    )
    return Neighbours(nb.matrix, nb.description, nb.islands, params)


__all__ = [
    "choose_distance_band",
    "general_g",
    "incremental_autocorrelation",
    "mark_peaks",
    "moran",
]
