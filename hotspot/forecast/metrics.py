"""How good is a forecast? Hit rate, PAI, PEI, PEI* and the recapture rate index.

A forecast ranks cells by risk; the analyst flags the top cells until they cover a share ``c``
of the area and asks how many of the next window's incidents fell in them. The definitions
(``docs`` and the issue's specification) are the same in every file of the package:

* ``A`` is the total area of the cells scored (cells with a missing risk or no area are left
  out) and ``N`` the incidents that fall in them;
* flag cells by decreasing risk until the flagged area first reaches ``c * A`` (the last cell
  is taken whole, so the area share achieved, ``area_share``, is at least ``c``);
* ``hits`` n are the incidents in the flagged cells, ``hit_rate = n / N`` and
  ``PAI = (n / N) / (a / A)`` with ``a`` the flagged area (Chainey, Tompson and Uhlig 2008);
* ``best_hits`` n*(a) is the most incidents any set of cells of total area ``a`` could hold
  (fractional knapsack over count / area; exact on equal-area cells), ``PEI = n / n*(a)``
  (Hunt 2016's predictive efficiency index: PAI over the largest PAI possible);
* ``best_hits_same_cells`` n*_k is the sum of the ``k`` largest counts with ``k`` the number
  of cells flagged, ``PEI* = n / n*_k`` (Hunt 2016); on equal-area cells PEI == PEI*;
* with ``N = 0`` every rate is NaN: reported, never divided by zero.

:func:`hit_rates` is the array core (one sort, every coverage from cumulative sums), used
thousands of times by :func:`hotspot.forecast.backtesting.backtest`; :func:`hit_rate_curve` scores a
forecast's cells against incidents or counts; :func:`recapture_rate_index` is Levine's RRI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._result import rng_seed
from hotspot._validate import (
    as_generator,
    check_cells,
    check_choice,
    check_columns,
    check_incidents,
    check_integer,
    check_same_crs,
    check_share,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import cell_positions

__all__ = ["RecaptureRate", "hit_rate_curve", "hit_rates", "recapture_rate_index"]

TIES = ("expected", "order", "random")
COVERAGES = (0.01, 0.02, 0.05, 0.1, 0.2)
COLUMNS = (
    "coverage",
    "area_share",
    "cells_flagged",
    "hits",
    "total",
    "hit_rate",
    "pai",
    "best_hits",
    "pei",
    "best_hits_same_cells",
    "pei_star",
)
# Relative tolerance on cumulative areas: 0.2 * A may come out a hair above the area of two of
# ten equal cells; without it a third cell would be flagged.
_RTOL = 1e-9


def check_coverages(coverages: Any, *, func: str) -> np.ndarray:
    """The target area shares: a number or a non-empty sequence of numbers in (0, 1].

    Examples
    --------
    >>> check_coverages((0.05, 0.1), func="f").tolist()
    [0.05, 0.1]
    >>> check_coverages([0.05, 0], func="f")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: f: coverages=0 must be a number above 0 and up to 1, e.g. 0.05.
    """
    if isinstance(coverages, np.ndarray | pd.Series | pd.Index):
        coverages = coverages.tolist()
    if isinstance(coverages, str) or not isinstance(coverages, Sequence):
        values = [coverages]
    else:
        values = list(coverages)
    if not values:
        raise HotspotInputError(
            f"{func}: coverages=[] is empty; pass the shares of the area to flag, e.g. "
            "(0.01, 0.05, 0.1)."
        )
    for value in values:
        check_share(value, "coverages", func=func, low_open=True, example="0.05")
    return np.asarray(values, dtype=float)


def _numbers(value: Any, name: str, n: int | None, func: str, what: str) -> np.ndarray:
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise HotspotInputError(
            f"{func}: {name} must be numbers, one per cell; got {type(value).__name__}."
        ) from None
    if out.ndim != 1 or (n is not None and len(out) != n):
        got = out.shape if out.ndim != 1 else f"{len(out):,} values"
        raise HotspotInputError(
            f"{func}: {name} has {got} but risk has {n:,} cells; pass {what}, one per cell."
        )
    return out


def hit_rates(
    risk: Any,
    counts: Any,
    areas: Any,
    coverages: Any = COVERAGES,
    *,
    ties: str = "expected",
    rng: Any = None,
) -> pd.DataFrame:
    """Hits, PAI, PEI and PEI* of a risk ranking at several area coverages (arrays in, table out).

    Parameters
    ----------
    risk : array-like of float, shape (n_cells,)
        The forecast: higher means more incidents expected. NaN leaves the cell out of the
        scoring (out of ``A`` and of ``N``).
    counts : array-like of float, shape (n_cells,)
        Incidents (or weighted incidents) per cell in the evaluation window, >= 0.
    areas : array-like of float, shape (n_cells,)
        Cell areas (m², or any unit: only shares matter), >= 0; cells of zero area are left out.
    coverages : float or sequence of float, default=(0.01, 0.02, 0.05, 0.1, 0.2)
        Target shares of the scored area to flag, each in (0, 1].
    ties : {"expected", "order", "random"}, default="expected"
        Cells of equal risk. ``"expected"`` treats a tie group that straddles the boundary as
        a random draw from the group and credits its expected hits: the group's hits times the
        share of the group taken (deterministic and unbiased: the mean over every ordering of
        the group). ``"order"`` takes tied cells in cell order (biased when the input order
        means something). ``"random"`` breaks ties at random with ``rng``.
    rng : None, int or Generator
        Used by ``ties="random"`` only.

    Returns
    -------
    DataFrame
        One row per coverage, in the order given: ``coverage`` (the target), ``area_share``
        (a / A achieved, >= coverage), ``cells_flagged`` (int), ``hits`` (n, float),
        ``total`` (N), ``hit_rate`` (n / N), ``pai`` ((n / N) / (a / A)), ``best_hits``
        (n*(a)), ``pei`` (n / n*(a)), ``best_hits_same_cells`` (n*_k), ``pei_star``
        (n / n*_k). The rates are NaN when N = 0.

    Raises
    ------
    HotspotInputError
        Arrays of different lengths, negative or missing counts or areas, infinite risks,
        no cell left to score, a coverage outside (0, 1], or an unknown ``ties``.

    Notes
    -----
    One sort by risk and one by count / area, then every coverage is read from cumulative
    sums with a binary search: O(n log n) for all coverages together (about 1.5 ms for 32,566
    cells on one core).

    Under ``ties="expected"`` a tie group straddling the boundary of ``c * A`` contributes
    ``j`` of its ``m`` cells, ``j`` the fewest whole cells of the group's mean area that reach
    the target; hits, area and ``cells_flagged`` count the share ``j / m`` of the group. For a
    group of equal-area cells (every cell of a regular grid's interior) this is exactly the
    mean over all orderings of the group; for unequal areas it is the mean-area
    approximation. A forecast that ranks nothing (every risk equal, such as last week's
    counts in a quiet area) then scores exactly as a random choice would on average, instead
    of inheriting whatever meaning the cell order has.

    References
    ----------
    Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal 21, 4–28.

    Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the modifiable areal
    unit problem and modifiable temporal unit problem on crime hot spot stability. PhD thesis,
    American University (PEI and PEI*).

    Examples
    --------
    >>> t = hit_rates([5, 4, 3, 2, 1], [3, 0, 1, 0, 0], [1, 1, 1, 1, 1], [0.2, 0.6])
    >>> t[["coverage", "cells_flagged", "hits", "hit_rate", "pai", "pei"]].round(2)
       coverage  cells_flagged  hits  hit_rate   pai  pei
    0       0.2              1   3.0      0.75  3.75  1.0
    1       0.6              3   4.0      1.00  1.67  1.0
    """
    func = "hit_rates"
    ties = check_choice(ties, "ties", TIES, func=func)
    risk = _numbers(risk, "risk", None, func, "the forecast")
    n = len(risk)
    counts = _numbers(counts, "counts", n, func, "the incidents")
    areas = _numbers(areas, "areas", n, func, "the areas")
    targets = check_coverages(coverages, func=func)
    if np.isinf(risk).any():
        raise HotspotInputError(
            f"{func}: risk has infinite values; pass finite risks (NaN leaves a cell out)."
        )
    for name, values in (("counts", counts), ("areas", areas)):
        if not np.isfinite(values).all() or (values < 0).any():
            raise HotspotInputError(
                f"{func}: {name} must be finite numbers >= 0; fill or drop the bad cells first."
            )
    keep = ~np.isnan(risk) & (areas > 0)
    if not keep.any():
        raise HotspotInputError(
            f"{func}: no cell has both a risk and an area; nothing can be scored."
        )
    if not keep.all():
        risk, counts, areas = risk[keep], counts[keep], areas[keep]
    generator = as_generator(rng, func=func) if ties == "random" else None
    return _score(risk, counts, areas, targets, ties, generator)


def _from_zero(values: np.ndarray) -> np.ndarray:
    """``values`` with a 0 in front (cumulative sums from "nothing taken")."""
    out = np.empty(len(values) + 1)
    out[0] = 0.0
    out[1:] = values
    return out


def _score(
    risk: np.ndarray,
    counts: np.ndarray,
    areas: np.ndarray,
    targets: np.ndarray,
    ties: str,
    generator: np.random.Generator | None,
) -> pd.DataFrame:
    """The metrics on clean arrays (every cell scored)."""
    n = len(risk)
    if ties == "random":
        shuffle = generator.permutation(n)
        order = shuffle[np.argsort(-risk[shuffle], kind="stable")]
    elif ties == "order":
        order = np.argsort(-risk, kind="stable")
    else:  # only tie groups' totals are used: their inner order does not matter
        order = np.argsort(-risk)
    cum_area = np.cumsum(areas[order])
    cum_hits = np.cumsum(counts[order])
    total_area = cum_area[-1]
    total = float(cum_hits[-1])
    goal = targets * total_area
    # the first cell whose cumulative area reaches the goal
    last = np.searchsorted(cum_area, goal - _RTOL * total_area, side="left")
    last = np.minimum(last, n - 1)
    if ties == "expected":
        sorted_risk = risk[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_risk[1:] != sorted_risk[:-1])))
        group = np.searchsorted(starts, last, side="right") - 1
        first = starts[group]
        stop = np.append(starts[1:], n)[group]
    else:
        first, stop = last, last + 1
    zero = _from_zero(cum_area)
    zero_hits = _from_zero(cum_hits)
    area_before, hits_before = zero[first], zero_hits[first]
    group_area = zero[stop] - area_before
    group_hits = zero_hits[stop] - hits_before
    size = stop - first
    needed = goal - area_before
    mean_area = group_area / size
    taken = np.ceil(needed / mean_area - _RTOL * total_area / mean_area)
    taken = np.clip(taken, 1, size).astype(np.int64)
    share = taken / size
    hits = hits_before + share * group_hits
    flagged_area = area_before + share * group_area
    flagged = first + taken
    # the best any cells could do: fractional knapsack by density, and the k largest counts
    # (cells without incidents add nothing: only those with some are sorted; past them the
    # best stays at N)
    some = np.flatnonzero(counts > 0)
    density = some[np.argsort(-(counts[some] / areas[some]))]
    best = np.interp(
        flagged_area, _from_zero(np.cumsum(areas[density])), _from_zero(np.cumsum(counts[density]))
    )
    largest = _from_zero(np.cumsum(np.sort(counts[some])[::-1]))
    best_same = largest[np.minimum(flagged, len(some))]
    area_share = flagged_area / total_area
    with np.errstate(divide="ignore", invalid="ignore"):
        nan = np.full(len(targets), np.nan)
        hit_rate = hits / total if total > 0 else nan
        pai = hit_rate / area_share
        pei = np.where(best > 0, hits / best, np.nan) if total > 0 else nan
        pei_star = np.where(best_same > 0, hits / best_same, np.nan) if total > 0 else nan
    return pd.DataFrame(
        {
            "coverage": targets,
            "area_share": area_share,
            "cells_flagged": flagged.astype(np.int64),
            "hits": hits.astype(float),
            "total": np.full(len(targets), total),
            "hit_rate": hit_rate,
            "pai": pai,
            "best_hits": best,
            "pei": pei,
            "best_hits_same_cells": best_same,
            "pei_star": pei_star,
        },
        columns=list(COLUMNS),
    )


def _cell_counts(
    cells: gpd.GeoDataFrame, actual: Any, name: str, func: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Counts per cell (row order of ``cells``) from incidents or counts, and their accounting."""
    n = len(cells)
    if isinstance(actual, gpd.GeoDataFrame):
        check_incidents(actual, name)
        check_same_crs(cells, actual, ("forecast", name))
        pos, how = cell_positions(actual, cells)
        inside = pos >= 0
        counts = np.bincount(pos[inside], minlength=n).astype(float)
        note = {
            "given": "incidents",
            "incidents": len(actual),
            "outside_cells": int((~inside).sum()),
            "assigned_by": how,
        }
        return counts, note
    if isinstance(actual, pd.Series):
        if (
            not actual.index.is_unique
            or len(actual) != n
            or not actual.index.isin(cells.index).all()
        ):
            raise HotspotInputError(
                f"{func}: {name} is a Series whose index is not the forecast's cells; pass one "
                "count per cell indexed like the forecast (or an array in its row order)."
            )
        actual = actual.reindex(cells.index)
        values = actual.to_numpy(dtype=float, na_value=np.nan)
    elif isinstance(actual, np.ndarray | list | tuple):
        values = _numbers(actual, name, n, func, "the incidents")
    else:
        raise HotspotInputError(
            f"{func}: {name} must be incidents (a GeoDataFrame of points) or counts per cell "
            f"(a Series on the cells' index or an array), not {type(actual).__name__}."
        )
    if len(values) != n:
        raise HotspotInputError(
            f"{func}: {name} has {len(values):,} counts but the forecast has {n:,} cells; pass "
            "one count per cell."
        )
    if not np.isfinite(values).all() or (values < 0).any():
        raise HotspotInputError(
            f"{func}: {name} must be finite counts >= 0; fill missing cells with 0."
        )
    return values, {"given": "counts", "incidents": float(values.sum()), "outside_cells": 0}


def _forecast_risk(forecast: Any, risk_column: str, func: str) -> np.ndarray:
    check_cells(forecast, "forecast")
    check_columns(
        forecast,
        [risk_column],
        func=func,
        what="forecast",
        fix="pass the output of forecaster.predict(...) or name the column with risk_column=",
    )
    column = forecast[risk_column]
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise HotspotInputError(
            f"{func}: risk_column={risk_column!r} is {column.dtype}, not numbers; pass the "
            "column of forecast risks."
        )
    risk = column.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(risk).any():
        raise HotspotInputError(
            f"{func}: risk_column={risk_column!r} has infinite values; NaN leaves a cell out."
        )
    return risk


def _forecast_period(forecast: gpd.GeoDataFrame) -> Any:
    meta = forecast.attrs.get("hotspot") if isinstance(forecast.attrs, dict) else None
    return meta.get("period") if isinstance(meta, dict) else None


def _outside_window(forecast: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> int | None:
    """How many incidents fall outside the forecast's window (None: no window or no times)."""
    meta = forecast.attrs.get("hotspot") if isinstance(forecast.attrs, dict) else None
    window = ((meta or {}).get("forecast") or {}).get("window") if isinstance(meta, dict) else None
    if not isinstance(window, dict) or "time" not in incidents.columns:
        return None
    try:
        start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
        times = pd.DatetimeIndex(incidents["time"])
    except (KeyError, TypeError, ValueError):
        return None
    if times.tz is not None:
        times = times.tz_localize(None)
    inside = (times >= start) & (times < end)
    return int((~np.asarray(inside)).sum())


def hit_rate_curve(
    forecast: gpd.GeoDataFrame,
    actual: Any,
    *,
    coverages: Sequence[float] | float = COVERAGES,
    risk_column: str = "forecast_risk",
    ties: str = "expected",
    rng: Any = None,
) -> pd.DataFrame:
    """Score a forecast against what happened: hit rate, PAI, PEI and PEI* by area coverage.

    Parameters
    ----------
    forecast : GeoDataFrame
        Cells with a risk column, e.g. ``NaiveForecaster().fit(...).predict()``. Cells whose
        risk is NaN (or whose area is zero) are left out of the area ``A`` and of ``N``.
    actual : GeoDataFrame, Series or array-like
        What happened in the forecast's window: incidents (points in the forecast's CRS,
        assigned to the cells; those in no cell are counted in ``attrs``, not in ``N``), or
        counts per cell (a Series on the forecast's index, or an array in its row order).
        Incidents are not filtered by time: pass those of the forecast's window, e.g.
        ``inc[(inc.time >= "2020-01-06") & (inc.time < "2020-01-13")]`` (how many fall
        outside the window is recorded as ``outside_window``).
    coverages : float or sequence of float, default=(0.01, 0.02, 0.05, 0.1, 0.2)
        Target shares of the scored area to flag, each in (0, 1].
    risk_column : str, default="forecast_risk"
        The column ranking the cells (higher = more incidents expected).
    ties : {"expected", "order", "random"}, default="expected"
        How cells of equal risk are taken (see :func:`hit_rates`).
    rng : None, int or Generator
        Used by ``ties="random"`` only.

    Returns
    -------
    DataFrame
        One row per coverage with the columns of :func:`hit_rates`. ``attrs["hotspot"]`` is
        ``{"method": "hit_rate_curve", "period": the forecast's period, "hit_rate_curve":
        {coverages, ties, risk_column, "cells": {"given", "scored", "nan_risk", "zero_area"},
        "incidents": {"given" ("incidents" or "counts"), "incidents", "in_scored_cells",
        "in_unscored_cells", "outside_cells" and, for incidents, "outside_window" (those whose
        time is outside the forecast's window, None when either is unknown; they are still
        scored) and "assigned_by"}}, "rng_seed"}``; the rows are coverages, not cells or
        incidents, so no ``kind`` is stamped.

    See Also
    --------
    hit_rates : the same on plain arrays.
    hotspot.forecast.backtesting.backtest : the metrics over many forecast windows.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.forecast._base import NaiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> forecast = NaiveForecaster(periods=4).fit(inc, cells, until="2020-01-06").predict("7D")
    >>> week = inc[(inc["time"] >= "2020-01-06") & (inc["time"] < "2020-01-13")]
    >>> curve = hit_rate_curve(forecast, week, coverages=(0.05, 0.2))
    >>> bool((curve["pai"] > 1).all())
    True
    >>> curve.attrs["hotspot"]["hit_rate_curve"]["incidents"]["outside_window"]
    0
    """
    func = "hit_rate_curve"
    ties = check_choice(ties, "ties", TIES, func=func)
    risk = _forecast_risk(forecast, risk_column, func)
    targets = check_coverages(coverages, func=func)
    counts, note = _cell_counts(forecast, actual, "actual", func)
    areas = np.asarray(forecast.geometry.array.area, dtype=float)
    nan_risk = np.isnan(risk)
    zero_area = ~nan_risk & (areas <= 0)
    scored = ~nan_risk & ~zero_area
    if not scored.any():
        raise HotspotInputError(
            f"{func}: every cell's {risk_column!r} is missing (or its area is zero); there is "
            "nothing to score."
        )
    generator = as_generator(rng, func=func) if ties == "random" else None
    table = _score(risk[scored], counts[scored], areas[scored], targets, ties, generator)
    if note["given"] == "incidents":
        note["outside_window"] = _outside_window(forecast, actual)
    in_scored = float(counts[scored].sum())
    in_unscored = float(counts[~scored].sum())
    if note["given"] == "incidents":
        in_scored, in_unscored = int(in_scored), int(in_unscored)
    note = {
        "given": note["given"],
        "incidents": note["incidents"],
        "in_scored_cells": in_scored,
        "in_unscored_cells": in_unscored,
        "outside_cells": note["outside_cells"],
        **{k: note[k] for k in ("outside_window", "assigned_by") if k in note},
    }
    table.attrs["hotspot"] = {
        "method": "hit_rate_curve",
        "period": _forecast_period(forecast),
        "hit_rate_curve": {
            "coverages": targets.tolist(),
            "ties": ties,
            "risk_column": risk_column,
            "cells": {
                "given": len(forecast),
                "scored": int(scored.sum()),
                "nan_risk": int(nan_risk.sum()),
                "zero_area": int(zero_area.sum()),
            },
            "incidents": note,
        },
        "rng_seed": rng_seed(rng),
    }
    return table


@dataclass(frozen=True)
class RecaptureRate:
    """The recapture rate index of one set of flagged cells over two periods.

    Attributes
    ----------
    statistic : float
        ``(n2 / n1) / (N2 / N1)``: above 1 when the flagged cells held on to (or gained) a
        larger share of the incidents than the study area as a whole; NaN when ``n1``,
        ``N1`` or ``N2`` is 0.
    n1, n2 : float
        Incidents in the flagged cells in the first and second period.
    N1, N2 : float
        Incidents in all scored cells in the first and second period.
    cells : pandas.Index
        The flagged cells' labels, highest risk first.
    expected : float
        1.0: the index when the flagged cells change as the whole area does.
    z, pvalue : float
        NaN: the index is descriptive (``alternative="none"``, ``permutations=0``), in the
        vocabulary of :class:`hotspot._result.GlobalTest`.
    params : dict
        ``method`` ("recapture_rate_index"), ``period`` (the forecast's), ``rng_seed``,
        ``coverage``, ``n_cells``, ``area_share``, ``ties``, ``risk_column`` and the
        accounting of both periods' incidents.
    """

    statistic: float
    n1: float
    N1: float
    n2: float
    N2: float
    cells: pd.Index = field(repr=False)
    expected: float = 1.0
    z: float = float("nan")
    pvalue: float = float("nan")
    alternative: str = "none"
    permutations: int = 0
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def __str__(self) -> str:
        return (
            f"Recapture rate index {self.statistic:.4g}: {len(self.cells):,} cells held "
            f"{self.n1:,.6g} of {self.N1:,.6g} incidents in the first period and {self.n2:,.6g} "
            f"of {self.N2:,.6g} in the second"
        )


def recapture_rate_index(
    forecast: gpd.GeoDataFrame,
    first: Any,
    second: Any,
    *,
    coverage: float | None = None,
    n_cells: int | None = None,
    risk_column: str = "forecast_risk",
    ties: str = "order",
    rng: Any = None,
) -> RecaptureRate:
    """Levine's recapture rate index: do the flagged cells keep their share of crime?

    ``RRI = (n2 / n1) / (N2 / N1)``, with ``n1``, ``n2`` the incidents in the flagged cells
    in the first and second period and ``N1``, ``N2`` those in all scored cells. 1 means the
    flagged cells changed as the whole area did; above 1, they recaptured more than their
    share.

    Parameters
    ----------
    forecast : GeoDataFrame
        Cells with a risk column (e.g. a forecast, or counts from the first period); the
        cells flagged are those of highest risk. NaN risks are left out of the scoring.
    first, second : GeoDataFrame, Series or array-like
        The two periods' incidents (points in the forecast's CRS) or counts per cell (a Series
        on the forecast's index, or an array in its row order).
    coverage : float, optional
        Flag cells by decreasing risk until they cover this share of the scored area (the
        last cell taken whole). Default 0.05 when ``n_cells`` is not given.
    n_cells : int, optional
        Flag this many cells instead.
    risk_column : str, default="forecast_risk"
        The column ranking the cells.
    ties : {"order", "random"}, default="order"
        Cells of equal risk: in cell order, or at random with ``rng``. The index needs one
        definite set of cells, so ``"expected"`` is not offered here.
    rng : None, int or Generator
        Used by ``ties="random"`` only.

    Returns
    -------
    RecaptureRate

    References
    ----------
    Levine, N. (2008). The "hottest" part of a hotspot: comments on "The utility of hotspot
    mapping for predicting spatial patterns of crime". Security Journal 21, 295–302.

    Chainey, S. (2014). Examining the extent to which hotspot analysis can support spatial
    predictions of crime. PhD thesis, University College London.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"forecast_risk": [3.0, 2.0, 1.0, 0.0]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs=32617)
    >>> r = recapture_rate_index(cells, [6, 2, 1, 1], [3, 4, 2, 1], n_cells=1)
    >>> r.statistic, r.n1, r.N1, r.n2, r.N2
    (0.5, 6.0, 10.0, 3.0, 10.0)
    """
    func = "recapture_rate_index"
    ties = check_choice(ties, "ties", ("order", "random"), func=func)
    risk = _forecast_risk(forecast, risk_column, func)
    if coverage is not None and n_cells is not None:
        raise HotspotInputError(
            f"{func}: coverage={coverage!r} and n_cells={n_cells!r} both given; pass one."
        )
    counts1, note1 = _cell_counts(forecast, first, "first", func)
    counts2, note2 = _cell_counts(forecast, second, "second", func)
    areas = np.asarray(forecast.geometry.array.area, dtype=float)
    scored = ~np.isnan(risk) & (areas > 0)
    positions = np.flatnonzero(scored)
    if not len(positions):
        raise HotspotInputError(
            f"{func}: every cell's {risk_column!r} is missing; there is nothing to flag."
        )
    r = risk[scored]
    if ties == "random":
        shuffle = as_generator(rng, func=func).permutation(len(r))
        order = shuffle[np.argsort(-r[shuffle], kind="stable")]
    else:
        order = np.argsort(-r, kind="stable")
    cum_area = np.cumsum(areas[scored][order])
    if n_cells is not None:
        k = check_integer(n_cells, "n_cells", minimum=1, example="20", func=func)
        if k > len(r):
            raise HotspotInputError(
                f"{func}: n_cells={k} is more than the {len(r):,} cells scored; pass fewer."
            )
        target = None
    else:
        target = (
            0.05
            if coverage is None
            else check_share(coverage, "coverage", func=func, low_open=True, example="0.05")
        )
        goal = target * cum_area[-1]
        k = int(min(np.searchsorted(cum_area, goal - _RTOL * cum_area[-1]), len(r) - 1)) + 1
    flagged = positions[order[:k]]
    n1, n2 = float(counts1[flagged].sum()), float(counts2[flagged].sum())
    big1, big2 = float(counts1[scored].sum()), float(counts2[scored].sum())
    if n1 > 0 and big1 > 0 and big2 > 0:
        statistic = (n2 / n1) / (big2 / big1)
    else:
        statistic = float("nan")
    params = {
        "method": func,
        "period": _forecast_period(forecast),
        "rng_seed": rng_seed(rng),
        "coverage": target,
        "n_cells": k,
        "area_share": float(cum_area[k - 1] / cum_area[-1]),
        "ties": ties,
        "risk_column": risk_column,
        "first": note1,
        "second": note2,
    }
    return RecaptureRate(
        statistic=float(statistic),
        n1=n1,
        N1=big1,
        n2=n2,
        N2=big2,
        cells=forecast.index[flagged],
        params=params,
    )
