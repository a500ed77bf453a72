"""Incremental spatial autocorrelation (Moran's I by distance band) and the automatic distance
band chosen from its first significant peak, as ArcGIS's Optimized Hot Spot Analysis does."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspot._messages import announce
from hotspot._random import normal_pvalue
from hotspot._result import SeriesTest
from hotspot._validate import check_cells, check_choice, check_value_column, report_of
from hotspot.errors import HotspotInputError
from hotspot.grid.weights import Neighbours, build_weights, centroids, distance_band
from hotspot.stats._moments import ASSUMPTIONS, moran_moments

__all__ = ["N_DISTANCES", "choose_distance_band", "incremental_autocorrelation", "mark_peaks"]

N_DISTANCES = 10
"""Distance bands of the default series."""

TABLE_COLUMNS = ["distance", "moran_i", "expected", "variance", "z", "pvalue", "n_islands"]


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


def _moran_by_distance_bands(
    z: np.ndarray, xy: np.ndarray, distances: np.ndarray
) -> list[tuple[float, float, float, int]]:
    """The same sums from k-d tree distance bands, for any polygons."""
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
    return sums


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


def _check_distances(distances: Any, func: str) -> np.ndarray:
    try:
        d = np.asarray(distances, dtype=float)
    except (TypeError, ValueError):
        d = None
    if d is None or d.ndim != 1 or not len(d) or not np.isfinite(d).all() or (d <= 0).any():
        raise HotspotInputError(
            f"{func}: distances={distances!r} must be a non-empty list of positive metres, "
            "e.g. [500, 1000, 1500]; or leave it out for ten bands from the cells' spacing."
        )
    return d


def incremental_autocorrelation(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    distances: Any = None,
    *,
    assumption: str = "randomisation",
) -> SeriesTest:
    """Moran's I for a series of distance bands, and its peaks: the scale of clustering.

    Parameters
    ----------
    cells : GeoDataFrame
    column : str, default="count"
    distances : sequence of float, optional
        Distance bands in metres (between centroids, inclusive, binary weights). Default: ten
        bands starting at the smallest distance that gives every cell a neighbour, in steps of
        the mean nearest-neighbour distance (a grid's cell size).
    assumption : {"randomisation", "normality"}, default="randomisation"
        The null of the analytical variance of I.

    Returns
    -------
    SeriesTest
        ``statistic`` (Moran's I), ``expected``, ``z`` and ``pvalue`` (two-sided, analytical)
        as Series indexed by ``distance``; ``permutations`` is 0. ``table`` holds one row per
        distance: ``distance``, ``moran_i``, ``expected``, ``variance``, ``z``, ``pvalue``,
        ``n_islands``, ``peak`` (a local maximum of z), ``first_peak`` (the first peak with
        p < 0.05) and ``max_peak`` (the peak with the largest z). ``params`` holds
        ``method``, ``period``, ``rng_seed``, the arguments, ``peaks`` (the distances of the
        peaks), ``first_peak`` and ``max_peak`` (a distance, or None).

    Notes
    -----
    On regular grids the sums behind I (Σ w_ij z_i z_j, S0, S2) come from FFT convolutions of
    the value raster with a disc, so a 1 km band on a 100 m grid costs no neighbour lists;
    other polygons use k-d tree distance bands.

    Until release 0.2 this returned the table itself; ``result["z"]`` and the like still
    read the table, with a ``FutureWarning``.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 1000, quiet=True), quiet=True)
    >>> result = hs.incremental_autocorrelation(cells)
    >>> list(result.table.columns)[:5], result.statistic.index.name
    (['distance', 'moran_i', 'expected', 'variance', 'z'], 'distance')
    """
    func = "incremental_autocorrelation"
    check_cells(cells, require_crs=False)
    assumption = check_choice(assumption, "assumption", ASSUMPTIONS, func=func)
    x = check_value_column(cells, column, func=func)
    n = len(x)
    xy = centroids(cells)
    if distances is None:
        nn = cKDTree(xy).query(xy, k=2)[0][:, 1]
        start, step = float(nn.max()), float(nn.mean())
        distances = start + step * np.arange(N_DISTANCES)
    distances = _check_distances(distances, func)
    z = x - x.mean()
    lattice = _grid_lattice(cells)
    if lattice is not None:
        sums = _moran_by_distance_lattice(z, lattice, distances)
    else:
        sums = _moran_by_distance_bands(z, xy, distances)
    rows = []
    for d, (num, s0, s2, islands) in zip(distances, sums, strict=True):
        if s0 == 0:
            rows.append((d, np.nan, -1 / (n - 1), np.nan, np.nan, np.nan, islands))
            continue
        stat = n / s0 * num / (z @ z)
        expected, variance = moran_moments(n, s0, 2 * s0, s2, z, assumption)
        zscore = (stat - expected) / np.sqrt(variance)
        rows.append((d, stat, expected, variance, zscore, float(normal_pvalue(zscore)), islands))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    peak, first, best = mark_peaks(table["z"].to_numpy(), table["pvalue"].to_numpy())
    table["peak"] = peak
    table["first_peak"] = first
    table["max_peak"] = best
    period = report_of(cells).get("period")
    table.attrs["hotspot"] = {
        "method": func,
        "period": period,
        "column": column,
        "assumption": assumption,
        "weights": "binary distance bands",
    }
    index = pd.Index(table["distance"].to_numpy(), name="distance")

    def series(name: str) -> pd.Series:
        return pd.Series(table[name].to_numpy(), index=index, name=name)

    def distance_at(flags: np.ndarray) -> float | None:
        return float(distances[flags][0]) if flags.any() else None

    return SeriesTest(
        name="Moran's I by distance",
        statistic=series("moran_i"),
        expected=series("expected"),
        z=series("z"),
        pvalue=series("pvalue"),
        alternative="two-sided",
        permutations=0,
        table=table,
        params={
            "method": func,
            "period": period,
            "rng_seed": None,
            "column": column,
            "assumption": assumption,
            "weights": "binary distance bands",
            "distances": distances.tolist(),
            "peaks": distances[peak].tolist(),
            "first_peak": distance_at(first),
            "max_peak": distance_at(best),
        },
    )


def choose_distance_band(
    cells: gpd.GeoDataFrame, column: str, *, quiet: bool = False
) -> Neighbours:
    """A distance band as ArcGIS's Optimized Hot Spot Analysis chooses one (``weights="auto"``).

    The first significant peak of incremental spatial autocorrelation; without a peak, the
    smallest distance that gives every cell a neighbour. Announced, and recorded in the
    Neighbours' ``params`` (``chosen_by`` and the ``incremental`` table's distances, z-scores
    and peaks).

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a numeric ``column``.
    column : str
        The values whose clustering sets the scale.
    quiet : bool, default=False
        Do not announce the choice.

    Returns
    -------
    Neighbours

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 2000, quiet=True), quiet=True)
    >>> nb = choose_distance_band(cells, "count", quiet=True)
    >>> nb.params["kind"], "chosen_by" in nb.params
    ('distance', True)
    """
    result = incremental_autocorrelation(cells, column)
    table = result.table
    first = result.params["first_peak"]
    if first is not None:
        row = table.index[table["first_peak"]][0]
        distance = float(first)
        why = (
            f"the first peak of incremental spatial autocorrelation (z = {table.loc[row, 'z']:.2f})"
        )
    else:
        distance = float(table["distance"].iloc[0])
        why = (
            "no significant peak of incremental spatial autocorrelation: the smallest distance "
            "giving every cell a neighbour"
        )
    announce(
        f"automatic distance band {distance:,.0f} m ({why}); pass weights= to choose the "
        "neighbours yourself",
        quiet=quiet,
    )
    nb = build_weights(cells, distance)
    params = dict(
        nb.params, chosen_by=why, incremental=table[["distance", "z", "peak"]].to_dict("list")
    )
    return Neighbours(nb.matrix, nb.description, nb.islands, params)
