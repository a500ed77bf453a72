"""The back-test: refit each forecaster at each origin, forecast the next window, score it.

The honest protocol for judging a forecast of crime: at each forecast origin ``t0`` the
forecasters learn from the incidents before ``t0`` only, forecast ``[t0, t0 + horizon)``, and
are scored (hit rate, PAI, PEI, PEI*: :mod:`hotspot.forecast.metrics`) against what happened
in that window. A random forecast and the naive one (last period's counts) always take part:
a forecaster that does not beat them is not worth a patrol.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.base import clone

from hotspot._messages import announce
from hotspot._progress import progress_bar, show_progress
from hotspot._validate import (
    check_cells,
    check_choice,
    check_flag,
    check_incident_weights,
    check_incidents,
    check_rng,
    check_same_crs,
)
from hotspot.errors import HotspotInputError
from hotspot.forecast._base import (
    Forecaster,
    NaiveForecaster,
    RandomForecaster,
    as_duration,
    as_timestamp,
    prepare_training,
)
from hotspot.forecast.metrics import COVERAGES, TIES, check_coverages, hit_rates

__all__ = ["BacktestResult", "backtest"]

FUNC = "backtest"
TABLE_COLUMNS = (
    "forecaster",
    "period_start",
    "period_end",
    "coverage",
    "area_share",
    "cells_flagged",
    "hits",
    "total",
    "hit_rate",
    "pai",
    "pei",
    "pei_star",
)
# A fit costs about 2-3 microseconds per incident and cell (0.24 s for 54,650 incidents on
# 31,908 cells), some 2,000 of _progress's elementary steps: a bar shows for long back-tests.
_STEPS_PER_ROW = 2000


@dataclass(frozen=True)
class BacktestResult:
    """What a back-test measured: one row per forecaster, period and coverage, and a summary.

    Attributes
    ----------
    table : DataFrame
        One row per forecaster × period × coverage: ``forecaster`` (str), ``period_start``,
        ``period_end`` (Timestamps, the window ``[start, end)``), ``coverage`` (the target
        share of the area), ``area_share`` (achieved), ``cells_flagged``, ``hits``, ``total``
        (N, the incidents in the cells in the window), ``hit_rate``, ``pai``, ``pei``,
        ``pei_star`` (NaN when ``total`` is 0).
    summary : DataFrame
        One row per forecaster × coverage: ``forecaster``, ``coverage``, ``periods`` (windows
        scored), ``hit_rate`` (pooled: the sum of hits over the sum of totals),
        ``hit_rate_mean``, ``hit_rate_min``, ``hit_rate_q10``, ``hit_rate_q90``,
        ``hit_rate_max``, ``pai`` (pooled: pooled hit rate over the mean area share),
        ``pai_mean``, ``pai_median``, ``pai_min``, ``pai_q10``, ``pai_q90``, ``pai_max``,
        ``pei_mean``, ``pei_star_mean``. Windows without incidents (NaN rates) are left out of
        the means and quantiles.
    risks : dict of str to ndarray
        Each forecaster's forecasts, shape (n_periods, n_cells), cells in the row order of
        ``cells``.
    actual : ndarray of int64
        Incidents per cell in each window, shape (n_periods, n_cells).
    periods : DataFrame
        ``start`` and ``end`` (Timestamps, ``end`` exclusive), one row per window.
    cells : GeoDataFrame
        The cells scored (their areas come from their geometry).
    forecasters : tuple of str
        The forecasters' names, in order; ``"random"`` and ``"naive"`` are always there.
    params : dict
        ``method`` ("backtest"), ``period`` (``{start, end, label, days}`` of the windows
        evaluated), ``rng_seed``, ``horizon``, ``step``, ``coverages``, ``ties``,
        ``incident_weights``, ``forecasters`` (name to the estimator's ``repr``), ``training``
        (name to the last fit's training accounting) and ``incidents`` (the accounting of the
        incidents given: ``incidents == in_cells + outside_cells + missing_time +
        before_start + after_end + between_windows``).
    """

    table: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    risks: dict[str, np.ndarray] = field(repr=False)
    actual: np.ndarray = field(repr=False)
    periods: pd.DataFrame = field(repr=False)
    cells: gpd.GeoDataFrame = field(repr=False)
    forecasters: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def plot(self, ax: Any = None) -> Any:
        """PAI by coverage for each forecaster, with its spread over the periods.

        Draws with :func:`hotspot.maps.forecast.backtest_plot` (matplotlib).
        """
        from hotspot.maps.forecast import backtest_plot

        return backtest_plot(self, ax=ax)

    def __str__(self) -> str:
        p = self.params
        period = (p.get("period") or {}).get("label", "")
        acc = p.get("incidents", {})
        head = [
            f"Back-test: {len(self.periods)} windows of {_days(p.get('horizon'))} every "
            f"{_days(p.get('step'))}, {period}; forecasters refitted before each window.",
            f"{acc.get('in_cells', 0):,} incidents in the cells in the windows "
            f"(of {acc.get('incidents', 0):,} given). Ties in risk: {p.get('ties')}.",
            "PAI: pooled, then the median and the 10-90 % range over windows; hit rate: "
            "pooled, then the 10-90 % range.",
        ]
        s = self.summary
        name_width = max([len("forecaster"), *(len(n) for n in self.forecasters)])
        lines = [
            f"{'coverage':>8}  {'forecaster':<{name_width}}  {'PAI':>6}  {'median':>6}  "
            f"{'10-90 %':>13}  {'hit rate':>8}  {'10-90 %':>13}"
        ]
        for coverage in sorted(s["coverage"].unique()):
            rows = s[s["coverage"] == coverage]
            for _, row in rows.iterrows():
                lines.append(
                    f"{_pct(coverage):>8}  {row['forecaster']:<{name_width}}  "
                    f"{_num(row['pai']):>6}  {_num(row['pai_median']):>6}  "
                    f"{_num(row['pai_q10']) + '-' + _num(row['pai_q90']):>13}  "
                    f"{_pct(row['hit_rate']):>8}  "
                    f"{_pct(row['hit_rate_q10']) + '-' + _pct(row['hit_rate_q90']):>13}"
                )
        return "\n".join(head + [""] + lines)


def _days(value: Any) -> str:
    try:
        days = pd.Timedelta(value) / pd.Timedelta(days=1)
    except (TypeError, ValueError):
        return str(value)
    return f"{days:g} day" + ("" if days == 1 else "s")


def _pct(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{100 * value:.3g} %" if value < 0.1 else f"{100 * value:.0f} %"


def _num(value: float) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.3g}"


def _name_of(estimator: Forecaster) -> str:
    name = type(estimator).__name__.lower().removesuffix("forecaster")
    return name or "forecaster"


def _forecasters(forecasters: Any) -> dict[str, Forecaster]:
    """Name -> unfitted forecaster, from a dict, a list, or one forecaster."""
    if isinstance(forecasters, Forecaster):
        forecasters = [forecasters]
    if forecasters is None:
        forecasters = {}
    if isinstance(forecasters, Mapping):
        items = list(forecasters.items())
        for name, _ in items:
            if not isinstance(name, str) or not name:
                raise HotspotInputError(
                    f"{FUNC}: forecasters has the name {name!r}; name each forecaster with a "
                    "non-empty string, e.g. {'kde': hotspot.KDEForecaster()}."
                )
    elif isinstance(forecasters, Sequence) and not isinstance(forecasters, str):
        items, seen = [], {}
        for estimator in forecasters:
            base = _name_of(estimator) if isinstance(estimator, Forecaster) else "?"
            seen[base] = seen.get(base, 0) + 1
            items.append((base if seen[base] == 1 else f"{base}_{seen[base]}", estimator))
    else:
        raise HotspotInputError(
            f"{FUNC}: forecasters={forecasters!r} must be a dict of name -> forecaster or a "
            "list of forecasters, e.g. [hotspot.KDEForecaster()]."
        )
    for name, estimator in items:
        if isinstance(estimator, type) and issubclass(estimator, Forecaster):
            raise HotspotInputError(
                f"{FUNC}: forecaster {name!r} is the class {estimator.__name__}, not a "
                f"forecaster; pass an instance: {estimator.__name__}()."
            )
        if not isinstance(estimator, Forecaster):
            raise HotspotInputError(
                f"{FUNC}: forecaster {name!r} is a {type(estimator).__name__}, not a hotspot "
                "forecaster; pass e.g. hotspot.KDEForecaster(), hotspot.NaiveForecaster() "
                "(subclasses of hotspot.forecast.Forecaster)."
            )
    return dict(items)


def _times(incidents: gpd.GeoDataFrame) -> pd.DatetimeIndex:
    """The incidents" times, timezone-naive (local wall time), in nanoseconds."""
    times = pd.DatetimeIndex(incidents["time"]).as_unit("ns")
    if times.tz is not None:
        times = times.tz_localize(None)
    return times


def backtest(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    forecasters: Mapping[str, Forecaster] | Sequence[Forecaster] | Forecaster | None,
    *,
    start: Any,
    end: Any,
    horizon: Any = "7D",
    step: Any = "7D",
    coverages: Sequence[float] = COVERAGES,
    ties: str = "expected",
    incident_weights: Any = None,
    rng: Any = None,
    quiet: bool = False,
) -> BacktestResult:
    """Judge forecasters the honest way: refit before each window, forecast it, score it.

    At each origin ``t0 = start, start + step, start + 2 * step, ...`` while ``t0 + horizon
    <= end``, every forecaster is cloned (:func:`sklearn.base.clone`), fitted on the incidents
    before ``t0`` (``fit(incidents, cells, until=t0)``), asked for ``[t0, t0 + horizon)`` and
    scored against the incidents of that window with :func:`hotspot.forecast.metrics.hit_rates`
    at each coverage.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents`, with a ``time`` column; both the training data
        and the truth.
    cells : GeoDataFrame
        The cells to forecast and score (a grid or polygons), in the incidents' CRS.
    forecasters : dict of str to Forecaster, list of Forecaster, or Forecaster
        Unfitted forecasters (they are cloned, never fitted in place). A list names each by its
        class in lower case without "Forecaster" (``"kde"``, ``"prospective"``, ``"sepp"``,
        ``"naive"``; ``"kde_2"`` for a second one). ``"random"`` (a
        :class:`~hotspot.forecast.RandomForecaster` drawing from ``rng``) and ``"naive"``
        (``NaiveForecaster(periods=1, period=horizon)``: last window's counts) are added
        unless a forecaster of that name is given. An empty dict runs the two baselines.
    start : date-like
        The first forecast origin (the start of the first window).
    end : date-like
        The end of the evaluation, exclusive: the last window ``[t0, t0 + horizon)`` ends at
        or before ``end``. Weekly windows over 2019 are ``start="2019-01-01",
        end="2020-01-01"`` (52 windows, the last from 2019-12-24 to 2019-12-30 inclusive).
    horizon : str or Timedelta, default="7D"
        Each window's length.
    step : str or Timedelta, default="7D"
        From one origin to the next (``step < horizon`` gives overlapping windows; ``step >
        horizon`` leaves gaps, whose incidents are counted as ``between_windows``).
    coverages : sequence of float, default=(0.01, 0.02, 0.05, 0.1, 0.2)
        Shares of the area flagged, each in (0, 1].
    ties : {"expected", "order", "random"}, default="expected"
        How cells of equal risk are taken (see :func:`hotspot.forecast.metrics.hit_rates`);
        ``"random"`` draws from ``rng``.
    incident_weights : str or array-like, optional
        Passed to each forecaster's ``fit`` (e.g. harm weights): they learn from weighted
        incidents. The scoring counts incidents, unweighted.
    rng : None, int or Generator
        The random baseline's draws (a generator spawned per window) and the tie breaks of
        ``ties="random"``; the same ``rng`` gives the same table. Forecasters given with their
        own ``rng`` keep it.
    quiet : bool, default=False
        Do not announce the windows or show a progress bar.

    Returns
    -------
    BacktestResult
        ``table`` (forecaster × window × coverage), ``summary`` (forecaster × coverage),
        ``risks``, ``actual``, ``periods``, ``cells``, ``forecasters`` and ``params``.

    Raises
    ------
    HotspotInputError
        ``start`` not before ``end``, a ``horizon`` longer than the span, a forecaster that is
        not one, an unknown ``ties``, incidents without times, or a forecaster that cannot be
        fitted at some origin (the message names it and the window).

    Notes
    -----
    The incidents are assigned to the cells once, for the scoring; each forecaster's ``fit``
    reads them again (that is its contract). The cost is the fits: (windows × forecasters)
    fits, each reading every incident, plus one sort of the cells per forecast for the
    metrics (about 1-2 ms for 32,566 cells). Weekly over a year with three forecasters on
    Toronto's 31,908 cells of 150 m (54,650 burglaries) takes about 40 s on two cores, nearly
    all of it in the fits; the scoring takes under half a second. ``risks`` holds
    ``n_periods * n_cells`` floats per forecaster (13 MB for that example).

    The random baseline's expected PAI is 1 at every coverage; the naive forecaster is what
    an analyst does without a model. Chainey, Tompson and Uhlig (2008) and Hunt (2016)
    describe the metrics; Mohler et al. (2015) used this protocol in a field trial.

    References
    ----------
    Mohler, G. O. et al. (2015). Randomized controlled field trials of predictive policing.
    Journal of the American Statistical Association 110, 1399–1411.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.forecast._base import NaiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> inc = inc[inc["category"] == "Break and Enter"]
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> bt = backtest(inc, cells, {"naive4": NaiveForecaster(periods=4)}, start="2019-01-01",
    ...               end="2019-01-15", coverages=(0.05,), rng=0, quiet=True)
    >>> bt.forecasters, len(bt.periods)
    (('naive4', 'random', 'naive'), 2)
    >>> s = bt.summary.set_index("forecaster")
    >>> bool(s.loc["naive4", "pai"] > s.loc["random", "pai"])
    True
    """
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    quiet = check_flag(quiet, "quiet", func=FUNC)
    ties = check_choice(ties, "ties", TIES, func=FUNC)
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            f"{FUNC}: the incidents have no 'time' column of dates; a back-test replays time. "
            "Load them with hotspot.read_incidents(..., time=...)."
        )
    start = as_timestamp(start, "start", func=FUNC).as_unit("ns")
    end = as_timestamp(end, "end", func=FUNC).as_unit("ns")
    if start >= end:
        raise HotspotInputError(
            f"{FUNC}: start={start:%Y-%m-%d %H:%M} is not before end={end:%Y-%m-%d %H:%M}; "
            "pass a start earlier than the end, e.g. start='2019-01-01', end='2020-01-01'."
        )
    horizon = as_duration(horizon, "horizon", func=FUNC)
    step = as_duration(step, "step", func=FUNC)
    if start + horizon > end:
        raise HotspotInputError(
            f"{FUNC}: horizon={horizon} is longer than the span from start to end "
            f"({end - start}); pass a shorter horizon or a later end."
        )
    coverages = tuple(check_coverages(coverages, func=FUNC).tolist())
    check_incident_weights(incidents, incident_weights, func=FUNC)
    generator, seed = check_rng(rng, func=FUNC)
    models = _forecasters(forecasters)
    if "naive" not in models:
        models["naive"] = NaiveForecaster(periods=1, period=horizon)
    add_random = "random" not in models
    if add_random:
        models["random"] = RandomForecaster()
    names = tuple(n for n in models if n not in ("random", "naive")) + ("random", "naive")

    n_periods = int((end - start - horizon) // step) + 1
    origins = pd.DatetimeIndex([start + k * step for k in range(n_periods)])
    periods = pd.DataFrame({"start": origins, "end": origins + horizon})
    stop = periods["end"].iloc[-1]

    # the truth: every incident assigned to a cell once
    times = _times(incidents)
    ns = times.asi8
    missing = np.asarray(times.isna())
    prepared = prepare_training(incidents, cells, incident_weights, func=FUNC)
    pos = prepared.pos
    n_cells = len(cells)
    before = ~missing & (ns < start.value)
    after = ~missing & (ns >= stop.value)
    span = ~missing & ~before & ~after
    if step <= horizon:
        covered = span
    else:
        covered = span & ((ns - start.value) % step.value < horizon.value)
    gaps = span & ~covered
    inside = covered & (pos >= 0)
    order = np.argsort(ns[inside], kind="stable")
    when, where = ns[inside][order], pos[inside][order]
    lo = np.searchsorted(
        when, periods["start"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    )
    hi = np.searchsorted(when, periods["end"].to_numpy().astype("datetime64[ns]").astype(np.int64))
    actual = np.zeros((n_periods, n_cells), dtype=np.int64)
    for k in range(n_periods):
        actual[k] = np.bincount(where[lo[k] : hi[k]], minlength=n_cells)
    accounting = {
        "incidents": len(incidents),
        "in_cells": int(inside.sum()),
        "outside_cells": int((covered & (pos < 0)).sum()),
        "missing_time": int(missing.sum()),
        "before_start": int(before.sum()),
        "after_end": int(after.sum()),
        "between_windows": int(gaps.sum()),
    }

    areas = np.asarray(cells.geometry.array.area, dtype=float)
    baseline_rngs = generator.spawn(n_periods)
    tie_rngs = generator.spawn(n_periods * len(names)) if ties == "random" else None
    last_day = (stop - pd.Timedelta(1, "ns")).normalize()
    period = {
        "start": f"{start:%Y-%m-%d}",
        "end": f"{last_day:%Y-%m-%d}",
        "label": f"{start:%Y-%m-%d} to {last_day:%Y-%m-%d}",
        "days": max(1, math.ceil((stop - start) / pd.Timedelta(days=1))),
    }
    announce(
        f"{FUNC}: {n_periods} windows of {_days(horizon)} every {_days(step)}, "
        f"{period['label']}; refitting {', '.join(names)} before each",
        quiet=quiet,
    )
    work = n_periods * len(names) * (len(incidents) + n_cells) * _STEPS_PER_ROW
    show = show_progress(False if quiet else None, work)
    risks = {name: np.empty((n_periods, n_cells)) for name in names}
    frames, training = [], {}
    with progress_bar(n_periods, "back-test", show, unit="window") as bar:
        for k, t0 in enumerate(origins):
            for j, name in enumerate(names):
                if name == "random" and add_random:
                    model = RandomForecaster(rng=baseline_rngs[k])
                else:
                    model = clone(models[name])
                try:
                    model.fit_prepared(prepared, until=t0)
                except HotspotInputError as exc:
                    raise HotspotInputError(
                        f"{FUNC}: forecaster {name!r} could not be fitted for the window from "
                        f"{t0:%Y-%m-%d %H:%M}: {exc}"
                    ) from exc
                risk = model.predict_risk(horizon)
                risks[name][k] = risk
                training[name] = dict(model.training_)
                scored = hit_rates(
                    risk,
                    actual[k],
                    areas,
                    coverages,
                    ties=ties,
                    rng=tie_rngs[k * len(names) + j] if tie_rngs is not None else None,
                )
                scored.insert(0, "period_end", periods["end"].iloc[k])
                scored.insert(0, "period_start", t0)
                scored.insert(0, "forecaster", name)
                frames.append(scored)
            bar.update(1)
    table = pd.concat(frames, ignore_index=True)[list(TABLE_COLUMNS)]
    params = {
        "method": FUNC,
        "period": period,
        "rng_seed": seed,
        "horizon": str(horizon),
        "step": str(step),
        "coverages": list(coverages),
        "ties": ties,
        "incident_weights": incident_weights
        if isinstance(incident_weights, str)
        else (None if incident_weights is None else "array"),
        "forecasters": {
            name: (
                "RandomForecaster(rng=<a generator spawned from rng for each window>)"
                if name == "random" and add_random
                else repr(models[name])
            )
            for name in names
        },
        "training": training,
        "incidents": accounting,
    }
    return BacktestResult(
        table=table,
        summary=_summary(table, names),
        risks=risks,
        actual=actual,
        periods=periods,
        cells=cells.copy(),
        forecasters=names,
        params=params,
    )


def _summary(table: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """One row per forecaster × coverage: pooled rates and their spread over the windows."""
    rows = []
    for (name, coverage), group in table.groupby(["forecaster", "coverage"], sort=False):
        hits, total = group["hits"].sum(), group["total"].sum()
        pooled = hits / total if total > 0 else np.nan
        rate, pai = group["hit_rate"].dropna(), group["pai"].dropna()
        rows.append(
            {
                "forecaster": name,
                "coverage": coverage,
                "periods": len(group),
                "hit_rate": pooled,
                "hit_rate_mean": rate.mean(),
                "hit_rate_min": rate.min(),
                "hit_rate_q10": rate.quantile(0.1),
                "hit_rate_q90": rate.quantile(0.9),
                "hit_rate_max": rate.max(),
                "pai": pooled / group["area_share"].mean(),
                "pai_mean": pai.mean(),
                "pai_median": pai.median(),
                "pai_min": pai.min(),
                "pai_q10": pai.quantile(0.1),
                "pai_q90": pai.quantile(0.9),
                "pai_max": pai.max(),
                "pei_mean": group["pei"].mean(),
                "pei_star_mean": group["pei_star"].mean(),
            }
        )
    summary = pd.DataFrame(rows)
    rank = {name: i for i, name in enumerate(names)}
    summary = summary.sort_values(
        ["coverage", "forecaster"], key=lambda s: s.map(rank) if s.name == "forecaster" else s
    )
    return summary.reset_index(drop=True)
