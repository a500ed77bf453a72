"""Emerging hot spot analysis: space-time Gi* over a cube, the Mann–Kendall trend of each cell's
z-scores, and ArcGIS's 17 pattern categories.

Categories are evaluated in this order, which makes them mutually exclusive (T bins,
"hot" = a significant bin with z > 0 after the FDR correction over that bin's cells when on,
share = hot bins / T):

1. **historical** — the last bin is not hot and at least 90 % of the earlier bins are;
2. **intensifying** — share ≥ 90 %, the last bin hot, a significant increasing trend;
3. **diminishing** — share ≥ 90 %, the last bin hot, a significant decreasing trend;
4. **persistent** — share ≥ 90 %, no significant trend;
5. **new** — the last bin hot and no earlier bin hot;
6. **consecutive** — one unbroken run of at least two hot bins ending with the last, no hot bin
   before the run, share < 90 %;
7. **oscillating** — the last bin hot, some earlier bin a significant cold bin, share < 90 %;
8. **sporadic** — the last bin hot, share < 90 %, no cold bin ever;

then the same eight for cold spots (trend directions reversed), else **no pattern**. Cells that
never had an incident are not analysed (ArcGIS's rule) and are labelled so.

Where R's sfdep (``emerging_hotspot_analysis``, version 0.2) departs from ArcGIS's wording, which
is followed here:

- *new*: sfdep needs exactly one significant bin of either sign, so an earlier cold bin rules it
  out; ArcGIS only asks that the location was never a hot spot before.
- *consecutive*: sfdep's final run and its "nothing before the run" count significant bins of
  either sign.
- *intensifying* / *diminishing*: sfdep counts the 90 % over significant bins of either sign and
  asks only that the last bin be significant (either sign); ArcGIS asks for hot bins, the last
  one included.
- *sporadic*: sfdep does not require the last bin to be hot.
- *oscillating*: sfdep uses "at most 90 %" where ArcGIS says "less than 90 %".
- *historical*: sfdep asks that the last z-score be negative (not merely not significant) and
  counts the 90 % over all bins, the last included.
- sfdep tests the bins on permutation p-values without a false-discovery-rate correction, uses
  the same threshold for the bins and the trend, and takes the first matching category in the
  order new, consecutive, intensifying, persistent, diminishing, oscillating, historical,
  sporadic (hot before cold for each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp

from hotspot._messages import announce
from hotspot._period import period_of_bins
from hotspot._random import normal_pvalue
from hotspot._result import stamp
from hotspot._validate import (
    check_alpha,
    check_choice,
    check_integer,
    check_permutation_count,
    check_permutations,
    check_rng,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cube import SpaceTimeCube, freq_word
from hotspot.grid.weights import build_weights
from hotspot.stats.mann_kendall import mann_kendall
from hotspot.stats.multiple_testing import fdr_adjust, significant
from hotspot.stats.permutation import conditional_pvalues

GLOBAL_WINDOWS = ("cube", "neighbourhood", "individual")
PARTIAL = ("drop", "keep")
PATTERNS = (
    "historical",
    "intensifying",
    "diminishing",
    "persistent",
    "new",
    "consecutive",
    "oscillating",
    "sporadic",
)
CATEGORIES = (
    *(f"{p} hot spot" for p in PATTERNS),
    *(f"{p} cold spot" for p in PATTERNS),
    "no pattern",
)
NOT_ANALYSED = "not analysed (no incidents)"
MIN_BINS = 10


@dataclass(frozen=True)
class EmergingArrays:
    """The per-bin results, bins × analysed cells (shared, never copied, by pandas attrs)."""

    z: np.ndarray
    p: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    cells: np.ndarray

    def __deepcopy__(self, memo: dict) -> EmergingArrays:
        return self


def space_time_gistar(
    counts: np.ndarray, star: sp.csr_array, time_window: int, global_window: str
) -> np.ndarray:
    """Analytical space-time Gi* z-scores, bins × cells.

    A bin's neighbourhood is its cell's spatial neighbours (itself included, binary weights) in
    that bin and the ``time_window`` bins before it. The mean and standard deviation come from
    the whole cube, from the bins of the neighbourhood, or from the single bin.
    """
    x = counts.astype(float)
    n_bins, n_cells = x.shape
    lag = (star @ x.T).T  # bins × cells: spatial neighbourhood sums
    spatial_k = np.asarray(star.sum(axis=1)).ravel()
    cumulative = np.vstack([np.zeros(n_cells), np.cumsum(lag, axis=0)])
    first = np.maximum(np.arange(n_bins) - time_window, 0)
    sums = cumulative[1:] - cumulative[first]
    depth = (np.arange(n_bins) - first + 1)[:, None]
    w = spatial_k[None, :] * depth  # W_i = S1_i for binary weights
    if global_window == "cube":
        n = x.size
        mean = x.mean()
        s = np.sqrt(max((x**2).mean() - mean**2, 0.0))  # fractional counts: no -0.0…01
        mean = np.full((n_bins, 1), mean)
        s = np.full((n_bins, 1), s)
        n = np.full((n_bins, 1), float(n))
    else:
        per_bin_sum = x.sum(axis=1)
        per_bin_sq = (x**2).sum(axis=1)
        if global_window == "individual":
            total, total_sq, count = per_bin_sum, per_bin_sq, np.full(n_bins, n_cells)
        else:
            c1 = np.concatenate([[0.0], np.cumsum(per_bin_sum)])
            c2 = np.concatenate([[0.0], np.cumsum(per_bin_sq)])
            total = c1[1:] - c1[first]
            total_sq = c2[1:] - c2[first]
            count = (np.arange(n_bins) - first + 1) * n_cells
        mean = (total / count)[:, None]
        s = np.sqrt(np.maximum(total_sq / count - (total / count) ** 2, 0))[:, None]
        n = count[:, None].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (sums - mean * w) / (s * np.sqrt((n * w - w**2) / (n - 1)))
    return z


def space_time_neighbours(star: sp.csr_array, n_bins: int, time_window: int) -> sp.csr_array:
    """The space-time neighbourhood as a sparse matrix over (bin, cell) positions, flattened
    bin-major: (t, i) links to (s, j) for j in i's star and t − time_window ≤ s ≤ t, itself
    excluded."""
    lag = sp.eye_array(n_bins, format="csr")
    for k in range(1, time_window + 1):
        lag = lag + sp.eye_array(n_bins, k=-k, format="csr")
    blocks = sp.kron(lag, star, format="csr")
    blocks.setdiag(0)
    blocks.eliminate_zeros()
    blocks.sort_indices()
    return blocks


def permutation_pvalues(
    counts: np.ndarray,
    star: sp.csr_array,
    time_window: int,
    permutations: int,
    rng: np.random.Generator,
    *,
    progress: bool | None = None,
) -> np.ndarray:
    """Two-sided conditional-permutation p-values of space-time Gi*, bins × cells: each
    space-time cell keeps its value, its neighbours are redrawn from all other space-time cells
    of the cube (the cube-wide null). A space-time cell without neighbours gets NaN."""
    n_bins, n_cells = counts.shape
    matrix = space_time_neighbours(star, n_bins, time_window)
    values = counts.astype(float).ravel()
    observed = values + matrix @ values
    n = len(values)
    max_k = int(np.diff(matrix.indptr).max()) if matrix.nnz else 0
    check_permutations(
        permutations, max_k, 24, what=f"{n:,} space-time cells with up to {max_k} neighbours"
    )
    p = conditional_pvalues(
        values,
        matrix,
        np.ones(n),
        np.ones(n),
        observed,
        permutations,
        "two-sided",
        rng,
        progress=progress,
        desc=f"space-time Gi*, {permutations:,} permutations",
    )
    return p.reshape(n_bins, n_cells)


def _trailing_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at the last bin, per cell (bins × cells input)."""
    n_bins = flags.shape[0]
    broken = ~flags[::-1]
    first_break = np.where(broken.any(axis=0), broken.argmax(axis=0), n_bins)
    return first_break


def categorise(
    hot: np.ndarray, cold: np.ndarray, trend_p: np.ndarray, trend_s: np.ndarray, alpha: float
) -> np.ndarray:
    """The category of each cell from its significant hot/cold bins and its trend."""
    n_bins, n_cells = hot.shape
    out = np.full(n_cells, "no pattern", dtype=object)
    decided = np.zeros(n_cells, dtype=bool)
    trend_up = (trend_p < alpha) & (trend_s > 0)
    trend_down = (trend_p < alpha) & (trend_s < 0)
    for kind, flags, other, rising, falling in (
        ("hot", hot, cold, trend_up, trend_down),
        ("cold", cold, hot, trend_down, trend_up),
    ):
        share = flags.mean(axis=0)
        last = flags[-1]
        earlier = flags[:-1]
        earlier_share = earlier.mean(axis=0) if n_bins > 1 else np.zeros(n_cells)
        any_earlier = earlier.any(axis=0)
        run = _trailing_run(flags)
        before_run = np.array([flags[: n_bins - r, i].any() for i, r in enumerate(run)])
        ever_other = other.any(axis=0)
        high = share >= 0.9
        rules = [
            ("historical", ~last & (earlier_share >= 0.9)),
            ("intensifying", high & last & rising),
            ("diminishing", high & last & falling),
            ("persistent", high & ~rising & ~falling),
            ("new", last & ~any_earlier),
            ("consecutive", last & (run >= 2) & ~before_run & ~high),
            ("oscillating", last & ~high & ever_other),
            ("sporadic", last & ~high & ~ever_other),
        ]
        for name, rule in rules:
            take = rule & ~decided
            out[take] = f"{name} {kind} spot"
            decided |= take
    return out


TREND_SERIES = ("spatial", "space-time")


def _whole_bins(cube: SpaceTimeCube) -> tuple[SpaceTimeCube, list[str]]:
    """The cube without its leading and trailing partial bins, and the bins left out."""
    whole = np.flatnonzero(~cube.partial_bins)
    if not cube.partial_bins.any() or not len(whole):
        return cube, []
    first, last = int(whole[0]), int(whole[-1])
    keep = np.zeros(len(cube.bins), dtype=bool)
    keep[first : last + 1] = True
    dropped = [f"{b:%Y-%m-%d}" for b in cube.bins[~keep]]
    trimmed = SpaceTimeCube(
        cells=cube.cells,
        bins=cube.bins[keep],
        counts=cube.counts[keep],
        freq=cube.freq,
        attrs=cube.attrs,
        partial_bins=cube.partial_bins[keep],
        counts_unweighted=(
            None if cube.counts_unweighted is None else cube.counts_unweighted[keep]
        ),
    )
    return trimmed, dropped


def _counts_word(cube: SpaceTimeCube) -> str:
    """What the cube's counts are: incidents, aoristic (window-spread) incidents, weights."""
    made = cube.attrs.get("space_time_cube") or {}
    weights = made.get("incident_weights")
    word = "aoristic " if made.get("aoristic") else ""
    return f"{word}sums of incident_weights ({weights})" if weights else f"{word}incidents"


def emerging_hotspots(
    cube: SpaceTimeCube,
    *,
    weights: Any = "queen",
    time_window: int = 1,
    global_window: str = "cube",
    permutations: int = 0,
    alpha: float = 0.05,
    fdr: bool = True,
    rng: Any = None,
    partial: str = "drop",
    trend_series: str = "spatial",
    quiet: bool = False,
    progress: bool | None = None,
) -> gpd.GeoDataFrame:
    """Emerging hot spot analysis (ArcGIS's 17 categories) on a space-time cube.

    Parameters
    ----------
    cube : SpaceTimeCube
        From :func:`hotspot.space_time_cube`; at least 10 bins. Its counts may be fractions
        (``aoristic=True``: time windows spread over bins) or weighted sums
        (``incident_weights=``, e.g. harm): Gi* and the trend test run on whatever the cube
        holds. A cell is analysed when it had an incident (``cube.incident_counts``), even one
        of weight 0.
    weights : default="queen"
        Spatial neighbours (see :func:`hotspot.build_weights`), binary, the cell itself included.
    time_window : int, default=1
        Preceding bins in each neighbourhood (ArcGIS's neighbourhood time step); at least 1 and at
        most 75 % of the bins.
    global_window : {"cube", "neighbourhood", "individual"}, default="cube"
        Where the mean and variance come from: the whole cube (ArcGIS), the neighbourhood's
        bins, or the single bin.
    permutations : int, default=0
        0: analytical z-scores and p-values (as ArcGIS). More: conditional permutations — each
        space-time cell keeps its value and its neighbourhood is redrawn from the whole cube —
        give the p-values that decide significance (the z-scores stay analytical); needs
        ``global_window="cube"``. The smallest two-sided p-value is 2 / (1 + permutations): with
        ``fdr=True`` over a few thousand cells per bin, use 9,999 or more. The default is 0,
        unlike the 999 of :func:`hotspot.knox_test`, because a cube has an analytical test and
        enough space-time cells that permutations deep enough for the FDR take minutes.
    alpha : float, default=0.05
        Significance of a bin (after the Benjamini–Hochberg correction over the cells of that
        bin when ``fdr``) and of the Mann–Kendall trend (after the correction over the
        analysed cells when ``fdr``).
    fdr : bool, default=True
        Apply the Benjamini–Hochberg false-discovery-rate correction to each bin's cells
        before calling a bin hot or cold, and to the analysed cells' trend tests before
        calling a trend significant (thousands of cells are tested: without it, one in twenty
        cells of a city where nothing changes would "trend").
    rng : None, int or numpy Generator
        Randomness of the permutations (unused with ``permutations=0``).
    partial : {"drop", "keep"}, default="drop"
        ``"drop"``: leave the cube's partial bins (``cube.partial_bins``: a first or last bin
        the data cover only in part, and padding before the first or after the last incident)
        out of the analysis, so a half-empty first week cannot read as a rising trend.
        ``"keep"``: analyse every bin, as ArcGIS does.
    trend_series : {"spatial", "space-time"}, default="spatial"
        The series each cell's Mann–Kendall test runs on. ``"spatial"``: the Gi* z-score of
        the cell's spatial neighbourhood in each bin alone — successive values share no
        incidents, as the test assumes. ``"space-time"``: the space-time z-scores that decide
        the hot and cold bins (ArcGIS); with ``time_window`` ≥ 1 successive values overlap,
        the test's independence assumption fails and a stationary city shows about three
        times the nominal rate of trends (15 % instead of 5 % measured on simulated data).
    quiet : bool, default=False
        Do not announce how many cells and bins were analysed.
    progress : bool or None, default=None
        Show a progress bar of the permutations (a terminal bar, a widget in JupyterLab).
        ``None``: only when the work is long (about a few seconds or more).

    Returns
    -------
    GeoDataFrame
        The cube's cells with ``emerging_category``, ``emerging_trend_tau``,
        ``emerging_trend_p``, ``emerging_n_hot``, ``emerging_n_cold``, ``emerging_last_z``,
        ``emerging_last_bin`` (1 hot, −1 cold, 0). ``attrs["hotspot"]`` is stamped with kind
        ``"cells"``, method ``"emerging_hotspots"``, the period of the bins analysed and the
        seed; the record under ``"emerging_hotspots"`` — also under ``"emerging"``, the key
        maps and reports read — holds the parameters, the category counts, the partial bins
        left out and ``arrays`` (z and p, bins × analysed cells).

    Raises
    ------
    TypeError
        ``cube`` is not a :class:`~hotspot.SpaceTimeCube`.
    hotspot.errors.HotspotInputError
        A parameter out of its range or choices (naming it), fewer than 10 bins, or
        permutations with a ``global_window`` other than "cube".

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 1000, quiet=True), "MS",
    ...                           start="2019-01", end="2021-12", quiet=True)
    >>> out = hs.emerging_hotspots(cube, quiet=True)
    >>> "emerging_category" in out.columns, out.attrs["hotspot"]["method"]
    (True, 'emerging_hotspots')
    """
    func = "emerging_hotspots"
    if not isinstance(cube, SpaceTimeCube):
        raise HotspotInputError(
            f"{func}: cube= is a {type(cube).__name__}, not a SpaceTimeCube; make one with "
            "hotspot.space_time_cube(incidents, cells)."
        )
    partial = check_choice(partial, "partial", PARTIAL, func=func)
    global_window = check_choice(global_window, "global_window", GLOBAL_WINDOWS, func=func)
    trend_series = check_choice(trend_series, "trend_series", TREND_SERIES, func=func)
    permutations = check_permutation_count(permutations, func=func)
    alpha = check_alpha(alpha, func=func)
    gen, seed = check_rng(rng, func=func)
    if permutations and global_window != "cube":
        raise HotspotInputError(
            f"{func}: permutations={permutations} draw neighbourhoods from the whole cube; use "
            "global_window='cube' (or permutations=0 for the other windows)."
        )
    # the bins analysed, so that every check below is against them
    cube, dropped = _whole_bins(cube) if partial == "drop" else (cube, [])
    n_bins = cube.counts.shape[0]
    if n_bins < MIN_BINS:
        left_out = f" (partial ones left out: {len(dropped)})" if dropped else ""
        raise HotspotInputError(
            f"{func}: the cube has {n_bins} whole bins{left_out}; the trend test needs at least "
            f"{MIN_BINS}. Use a finer freq or a longer period in hotspot.space_time_cube()"
            + (", or partial='keep'." if dropped else ".")
        )
    time_window = check_integer(time_window, "time_window", minimum=1, example="1", func=func)
    if time_window > 0.75 * n_bins:
        raise HotspotInputError(
            f"{func}: time_window={time_window} must be between 1 and 75 % of the {n_bins} bins "
            f"({int(0.75 * n_bins)}); use a shorter window or more bins."
        )
    analysed = cube.incident_counts.sum(axis=0) > 0
    cells = cube.cells
    nb = build_weights(cells, weights)
    keep = np.flatnonzero(analysed)
    star = (nb.matrix[keep][:, keep] + sp.eye_array(len(keep), format="csr")).tocsr()
    star.data[:] = 1.0
    counts = cube.counts[:, keep]
    z = space_time_gistar(counts, star, time_window, global_window)
    p = np.asarray(normal_pvalue(z), dtype=float)
    if permutations:
        p = permutation_pvalues(counts, star, time_window, permutations, gen, progress=progress)
    # the false-discovery-rate correction runs per time step, over that bin's cells (ArcGIS's
    # Gi* per slice); over the whole cube at once, hundreds of thousands of tests would leave
    # permutation p-values (at best 2/(1 + permutations)) no chance
    sig = np.vstack([significant(p[t], alpha, fdr=fdr) for t in range(n_bins)])
    hot = sig & (z > 0)
    cold = sig & (z < 0)
    series = z if trend_series == "space-time" else space_time_gistar(counts, star, 0, "cube")
    trend = mann_kendall(np.nan_to_num(series), axis=0)
    trend_p = np.asarray(trend.pvalue, dtype=float)
    if fdr and len(trend_p):
        trend_p = fdr_adjust(trend_p)
    category = categorise(hot, cold, trend_p, trend.statistic, alpha)
    out = cells.copy()
    full = np.full(len(cells), NOT_ANALYSED, dtype=object)
    full[keep] = category
    out["emerging_category"] = full.astype(str)
    for name, values, fill in (
        ("emerging_trend_tau", trend.tau, np.nan),
        ("emerging_trend_p", trend_p, np.nan),
        ("emerging_n_hot", hot.sum(axis=0), 0),
        ("emerging_n_cold", cold.sum(axis=0), 0),
        ("emerging_last_z", z[-1], np.nan),
        ("emerging_last_bin", hot[-1].astype(int) - cold[-1].astype(int), 0),
    ):
        column = np.full(len(cells), fill, dtype=float if np.isnan(fill) else np.int64)
        column[keep] = values
        out[name] = column
    counts_by = out["emerging_category"].value_counts().to_dict()
    record = {
        "weights": nb.description,
        "time_window": time_window,
        "global_window": global_window,
        "permutations": permutations,
        "significance_from": "permutations" if permutations else "analytical z",
        "rng_seed": seed,
        "alpha": alpha,
        "fdr": fdr,
        "freq": cube.freq,
        "counts": _counts_word(cube),
        "bins": (str(cube.bins[0]), str(cube.bins[-1]), n_bins),
        "partial_bins_left_out": dropped,
        "trend_series": trend_series,
        "trend_p": "Benjamini–Hochberg adjusted over the analysed cells" if fdr else "raw",
        "n_analysed": int(len(keep)),
        "n_not_analysed": int(len(cells) - len(keep)),
        "categories": counts_by,
        "arrays": EmergingArrays(z=z, p=p, hot=hot, cold=cold, cells=cells.index.to_numpy()[keep]),
    }
    extra = {k: cube.attrs[k] for k in ("incidents_report", "places") if k in cube.attrs}
    stamp(
        out,
        kind="cells",
        method=func,
        params=record,
        source=cells,
        period=period_of_bins(cube.bins[0], cube.bin_edges[-1], freq_word(cube.freq), n_bins),
        rng=rng,
        emerging=record,  # the same record under its older key, which maps and reports read
        **extra,
    )
    announce(
        f"emerging hot spots: {len(keep):,} of {len(cells):,} cells analysed (the rest never had an "
        f"incident); {n_bins} bins, neighbourhood {nb.description} × {time_window + 1} bins",
        quiet=quiet,
    )
    return out
