"""What every forecaster shares: the estimator contract, the training window and the risk frame.

A forecaster follows scikit-learn's estimator contract: ``__init__`` stores its parameters
unchanged, ``fit(incidents, cells, until=...)`` learns from the incidents before ``until`` and
returns ``self``, and fitted attributes end in ``_``. ``predict(horizon)`` returns the cells
with a ``forecast_risk`` column for the window ``[until, until + horizon)``.

A subclass writes two methods, on plain arrays:

* ``_fit(events)``: learn from :class:`Events` (coordinates, times in days before ``until``,
  weights, cell positions) over :class:`CellGeometry` (centroids, areas);
* ``_risk(start, end)``: one number per cell for the window ``[start, end)`` in days after
  ``until`` (higher = more incidents expected there).

and may set ``_lookback()`` (how far back the training data go) and ``_units`` (what the risk
means: expected incidents in the window, or a score that only orders the cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from hotspot._messages import announce
from hotspot._result import stamp
from hotspot._validate import (
    check_cells,
    check_incident_weights,
    check_incidents,
    check_rng,
    check_same_crs,
    incident_xy,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import cell_positions

__all__ = [
    "CellGeometry",
    "Events",
    "Forecaster",
    "NaiveForecaster",
    "Prepared",
    "RandomForecaster",
    "as_duration",
    "cell_geometry",
    "prepare_training",
]

DAY = pd.Timedelta(days=1)


def as_duration(value: Any, name: str, *, func: str) -> pd.Timedelta:
    """A positive length of time from ``"7D"``, ``"12h"``, ``"2W"`` or a Timedelta.

    Examples
    --------
    >>> as_duration("2W", "horizon", func="f")
    Timedelta('14 days 00:00:00')
    """
    try:
        duration = pd.Timedelta(value)
    except (TypeError, ValueError):
        duration = pd.NaT
    if pd.isna(duration) or duration <= pd.Timedelta(0):
        raise HotspotInputError(
            f"{func}: {name}={value!r} is not a positive length of time; pass e.g. '7D', "
            "'14D', '12h' or a pandas.Timedelta (months vary in length: use '28D' or '30D')."
        )
    return duration


def as_timestamp(value: Any, name: str, *, func: str) -> pd.Timestamp:
    """A timezone-naive Timestamp (local wall time, as ``read_incidents`` stores ``time``)."""
    try:
        stamp_ = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp_ = pd.NaT
    if pd.isna(stamp_):
        raise HotspotInputError(
            f"{func}: {name}={value!r} is not a date; pass e.g. '2019-01-07' or a Timestamp."
        )
    if stamp_.tzinfo is not None:
        stamp_ = stamp_.tz_localize(None)
    return stamp_


@dataclass(frozen=True)
class CellGeometry:
    """The cells as arrays: centroids ``x``, ``y`` (metres), ``area`` (m²), ``size`` (the side
    of a square cell or the flat-to-flat width of a hexagon, from the grid's ``attrs``; the
    square root of the median area for other polygons)."""

    x: np.ndarray
    y: np.ndarray
    area: np.ndarray
    size: float

    @property
    def n(self) -> int:
        return len(self.x)


def cell_geometry(cells: gpd.GeoDataFrame) -> CellGeometry:
    """Centroids, areas and a typical cell size of ``cells``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = cell_geometry(gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs=27700))
    >>> float(g.x[0]), float(g.area[0]), g.size
    (50.0, 10000.0, 100.0)
    """
    geoms = cells.geometry.array
    centroids = geoms.centroid
    area = np.asarray(geoms.area, dtype=float)
    grid = cells.attrs.get("hotspot", {}).get("grid") if isinstance(cells.attrs, dict) else None
    size = None
    if isinstance(grid, dict):
        size = grid.get("cell_size")
    if not size:
        size = float(np.sqrt(np.median(area))) if len(area) else 1.0
    return CellGeometry(
        x=np.asarray(centroids.x, dtype=float),
        y=np.asarray(centroids.y, dtype=float),
        area=area,
        size=float(size),
    )


@dataclass(frozen=True)
class Events:
    """The training incidents as arrays: ``x``, ``y`` (metres), ``t`` (days before the forecast
    origin, so 0.5 is twelve hours before it; always > 0), ``weight`` (1.0 each unless
    incident weights were given), ``cell`` (row position in the cells, -1 for none: such
    incidents are not in the arrays, they are counted in ``training_``)."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    weight: np.ndarray
    cell: np.ndarray

    @property
    def n(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class Prepared:
    """Incidents and cells checked and turned into arrays once (:func:`prepare_training`):
    coordinates, times (int64 ns, local wall time), ``missing`` times, cell positions (-1 for
    none), weights, and the cells with their :class:`CellGeometry`."""

    x: np.ndarray
    y: np.ndarray
    ns: np.ndarray
    missing: np.ndarray
    pos: np.ndarray
    weights: np.ndarray | None
    weights_note: str | None
    cells: gpd.GeoDataFrame
    geometry: CellGeometry


def prepare_training(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    incident_weights: Any = None,
    *,
    func: str = "Forecaster.fit",
) -> Prepared:
    """Check incidents and cells for a forecaster and turn them into arrays, once.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> p = prepare_training(inc, hs.square_grid(inc, 1000, quiet=True))
    >>> int((p.pos >= 0).sum()) == len(inc)
    True
    """
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    if "time" not in incidents.columns:
        raise HotspotInputError(
            f"{func}: the incidents have no 'time' column; a forecast learns from when "
            "crime happened. Load them with hotspot.read_incidents(..., time=...)."
        )
    weights, weights_note = check_incident_weights(incidents, incident_weights, func=func)
    times = pd.DatetimeIndex(incidents["time"]).as_unit("ns")  # pandas 3 may hold "us"
    if times.tz is not None:
        times = times.tz_localize(None)
    missing = np.asarray(times.isna())
    if missing.all():
        raise HotspotInputError(f"{func}: every incident's 'time' is missing.")
    pos, _ = cell_positions(incidents, cells)
    x, y = incident_xy(incidents)
    return Prepared(
        x=x,
        y=y,
        ns=np.asarray(times.asi8),
        missing=missing,
        pos=pos,
        weights=weights,
        weights_note=weights_note,
        cells=cells,
        geometry=cell_geometry(cells),
    )


class Forecaster(BaseEstimator):
    """Base class of the forecasters (see the module docstring for what a subclass writes).

    Fitted attributes
    -----------------
    cells_ : GeoDataFrame
        The cells the forecaster was fitted on.
    until_ : Timestamp
        The forecast origin: the end (exclusive) of the training data.
    training_ : dict
        The training window and the accounting of the incidents: ``start`` and ``end``
        (ISO dates, ``end`` exclusive), ``incidents`` (rows given) ``== used + outside_cells +
        missing_time + after_until + before_lookback``, and ``weighted`` (the weights' column,
        ``"array"`` or None).
    """

    _units = "a score that orders the cells (higher = more incidents expected)"
    _needs_events = True

    def _lookback(self) -> pd.Timedelta | None:
        """How far before ``until`` the training data go (None: all the past)."""
        return None

    def _fit(self, events: Events) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _risk(self, start: float, end: float) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the public contract ------------------------------------------------------------------
    def fit(
        self,
        incidents: gpd.GeoDataFrame,
        cells: gpd.GeoDataFrame,
        *,
        until: Any = None,
        incident_weights: Any = None,
        quiet: bool = True,
    ) -> Forecaster:
        """Learn from the incidents before ``until``.

        Parameters
        ----------
        incidents : GeoDataFrame
            From :func:`hotspot.read_incidents`, with a ``time`` column.
        cells : GeoDataFrame
            The cells to forecast for (a grid or the user's polygons), in the incidents' CRS.
        until : date-like, optional
            The forecast origin; incidents at or after it are left out (counted as
            ``after_until``). Default: midnight after the last incident's day.
        incident_weights : str or array-like, optional
            A weight per incident, such as harm (:func:`hotspot.harm_weights`): each incident
            then counts with its weight.
        quiet : bool, default=True
            Do not announce the training window.

        Returns
        -------
        self
        """
        prepared = prepare_training(
            incidents, cells, incident_weights, func=f"{type(self).__name__}.fit"
        )
        return self.fit_prepared(prepared, until=until, quiet=quiet)

    def fit_prepared(
        self, prepared: Prepared, *, until: Any = None, quiet: bool = True
    ) -> Forecaster:
        """:meth:`fit` on incidents and cells checked once by :func:`prepare_training`.

        A back-test refits every forecaster for every window on the same incidents and cells:
        preparing them once (coordinates, times, cell positions, cell centroids) leaves only
        the learning to each fit.
        """
        func = f"{type(self).__name__}.fit"
        p = prepared
        if until is None:
            until = pd.Timestamp(p.ns[~p.missing].max()).normalize() + DAY
        until = as_timestamp(until, "until", func=func).as_unit("ns")
        lookback = self._lookback()
        since = None if lookback is None else until - lookback
        after = ~p.missing & (p.ns >= until.value)
        before = ~p.missing & ~after
        before &= p.ns < since.value if since is not None else False
        in_time = ~p.missing & ~after & ~before
        outside = in_time & (p.pos < 0)
        used = in_time & (p.pos >= 0)
        if self._needs_events and not used.any():
            raise HotspotInputError(
                f"{func}: no incident falls in the cells between {since or 'the start'} and "
                f"{until}; there is nothing to learn from. Check until= and the cells' area."
            )
        self.cells_ = p.cells
        self.until_ = until
        self.geometry_ = p.geometry
        first = pd.Timestamp(p.ns[used].min()) if used.any() else until
        self.training_ = {
            "start": f"{(since if since is not None else first):%Y-%m-%d}",
            "end": f"{until:%Y-%m-%d}",
            "incidents": len(p.ns),
            "used": int(used.sum()),
            "outside_cells": int(outside.sum()),
            "missing_time": int(p.missing.sum()),
            "after_until": int(after.sum()),
            "before_lookback": int(before.sum()),
            "weighted": p.weights_note,
        }
        announce(
            f"{type(self).__name__} learns from {self.training_['used']:,} incidents, "
            f"{self.training_['start']} to {until:%Y-%m-%d} (exclusive)",
            quiet=quiet,
        )
        events = Events(
            x=p.x[used],
            y=p.y[used],
            t=(until.value - p.ns[used]) / DAY.value,
            weight=np.ones(int(used.sum())) if p.weights is None else p.weights[used],
            cell=p.pos[used],
        )
        self._fit(events)
        return self

    def predict(self, horizon: Any = "7D", *, start: Any = None) -> gpd.GeoDataFrame:
        """The risk in each cell over ``[start, start + horizon)``.

        Parameters
        ----------
        horizon : str or Timedelta, default="7D"
            The window's length.
        start : date-like, optional
            The window's start, at or after ``until``; default ``until``.

        Returns
        -------
        GeoDataFrame
            A copy of the cells with ``forecast_risk`` (float, >= 0) and ``forecast_rank``
            (1 = highest risk; equal risks in cell order), stamped with kind ``"cells"``,
            method ``"forecast"`` and the window as its period; ``attrs["hotspot"]["forecast"]``
            holds ``forecaster`` (the class), ``params``, ``training``, ``window`` and ``risk``
            (what the numbers mean).
        """
        func = f"{type(self).__name__}.predict"
        start, horizon, risk = self._window_risk(horizon, start, func)
        out = self.cells_.copy()
        out["forecast_risk"] = risk
        order = np.argsort(-risk, kind="stable")
        rank = np.empty(len(risk), dtype=np.int64)
        rank[order] = np.arange(1, len(risk) + 1)
        out["forecast_rank"] = rank
        end = start + horizon
        window = {
            "start": f"{start:%Y-%m-%d %H:%M}",
            "end": f"{end:%Y-%m-%d %H:%M}",
            "horizon": str(horizon),
        }
        last_day = (end - pd.Timedelta(1, "ns")).normalize()
        period = {
            "start": f"{start:%Y-%m-%d}",
            "end": f"{last_day:%Y-%m-%d}",
            "label": f"{start:%Y-%m-%d} to {last_day:%Y-%m-%d} (forecast)",
            "days": max(1, int(np.ceil(horizon / DAY))),
        }
        params = {
            "forecaster": type(self).__name__,
            "params": {k: _plain(v) for k, v in self.get_params(deep=False).items()},
            "training": dict(self.training_),
            "window": window,
            "risk": self._units,
        }
        params.update(self._fitted_summary())
        return stamp(
            out,
            kind="cells",
            method="forecast",
            params=params,
            source=self.cells_,
            period=period,
            rng=getattr(self, "rng", None),
        )

    def predict_risk(self, horizon: Any = "7D", *, start: Any = None) -> np.ndarray:
        """:meth:`predict`'s ``forecast_risk`` alone, as an array in the cells' order (no
        copy of the cells: what a back-test needs thousands of times)."""
        return self._window_risk(horizon, start, f"{type(self).__name__}.predict")[2]

    def _window_risk(
        self, horizon: Any, start: Any, func: str
    ) -> tuple[pd.Timestamp, pd.Timedelta, np.ndarray]:
        if not hasattr(self, "until_"):
            raise HotspotInputError(
                f"{func}: the forecaster is not fitted; call .fit(incidents, cells) first."
            )
        horizon = as_duration(horizon, "horizon", func=func)
        start = self.until_ if start is None else as_timestamp(start, "start", func=func)
        if start < self.until_:
            raise HotspotInputError(
                f"{func}: start={start} is before the training data end ({self.until_}); a "
                "forecast looks forward: refit with an earlier until= instead."
            )
        a = (start - self.until_) / DAY
        b = a + horizon / DAY
        risk = np.asarray(self._risk(float(a), float(b)), dtype=float)
        if risk.shape != (self.geometry_.n,) or not np.isfinite(risk).all() or (risk < 0).any():
            raise RuntimeError(f"{type(self).__name__}._risk returned an invalid risk")  # a bug
        return start, horizon, risk

    def _fitted_summary(self) -> dict[str, Any]:
        """Fitted numbers worth recording with a forecast (e.g. SEPP's parameters)."""
        return {}


def _plain(value: Any) -> Any:
    """A parameter as it can be stored in attrs (a Generator becomes its type name)."""
    if isinstance(value, np.random.Generator):
        return "Generator"
    return value


class NaiveForecaster(Forecaster):
    """Next window's risk is the recent past: the mean count per cell over the last periods.

    Parameters
    ----------
    periods : int, default=1
        How many past periods to average: 1 is "last period's counts", more is a moving average.
    period : str or Timedelta, default="7D"
        The length of a period; the risk is the expected count over the forecast window
        (the mean count per period times ``horizon / period``).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> risk = hs.NaiveForecaster(periods=4).fit(inc, cells, until="2020-01-06").predict("7D")
    >>> risk.attrs["hotspot"]["forecast"]["training"]["start"]
    '2019-12-09'
    """

    _units = "expected incidents in the window (the recent mean count, scaled to its length)"

    def __init__(self, periods: int = 1, period: Any = "7D") -> None:
        self.periods = periods
        self.period = period

    def _lookback(self) -> pd.Timedelta:
        from hotspot._validate import check_integer

        periods = check_integer(self.periods, "periods", minimum=1, func="NaiveForecaster")
        return periods * as_duration(self.period, "period", func="NaiveForecaster")

    def _fit(self, events: Events) -> None:
        totals = np.bincount(events.cell, weights=events.weight, minlength=self.geometry_.n)
        self.mean_per_period_ = totals / self.periods

    def _risk(self, start: float, end: float) -> np.ndarray:
        period_days = as_duration(self.period, "period", func="NaiveForecaster") / DAY
        return self.mean_per_period_ * (end - start) / period_days


class RandomForecaster(Forecaster):
    """The baseline every forecast must beat: a risk drawn at random for each cell.

    Its expected PAI is 1 at every coverage: flagging cells at random captures incidents in
    proportion to the area flagged. :func:`hotspot.backtest` always includes it.

    Parameters
    ----------
    rng : None, int or Generator
        The source of the random risks; the same ``rng`` gives the same risks.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> f = hs.RandomForecaster(rng=0).fit(inc, cells)
    >>> f.predict()["forecast_risk"].between(0, 1).all()
    np.True_
    """

    _units = "a uniform random number per cell (the no-skill baseline)"
    _needs_events = False

    def __init__(self, rng: Any = None) -> None:
        self.rng = rng

    def _lookback(self) -> pd.Timedelta:
        return DAY  # it learns nothing: the window is short so that fitting costs nothing

    def _fit(self, events: Events) -> None:
        self._generator, _ = check_rng(self.rng, func="RandomForecaster")

    def _risk(self, start: float, end: float) -> np.ndarray:
        return self._generator.random(self.geometry_.n)
