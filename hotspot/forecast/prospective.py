"""Prospective hot-spotting (Bowers, Johnson & Pease 2004): recent crime raises the risk nearby.

Burglary is communicable: homes within about 400 m of a burgled one run a higher risk for about
two months. :class:`ProspectiveForecaster` turns that into a risk score per cell: every incident
of the last weeks adds to the cells around it, less the farther the cell and the older the
incident.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspot._validate import check_choice, check_flag, check_integer, check_metres
from hotspot.forecast._base import Events, Forecaster

__all__ = ["METRICS", "ProspectiveForecaster"]

METRICS = ("euclidean", "chebyshev", "manhattan")
_P = {"euclidean": 2.0, "chebyshev": math.inf, "manhattan": 1.0}
_FUNC = "ProspectiveForecaster"
#: Distances within this many cell widths of the bandwidth count as at it (rounding noise).
_EDGE = 1e-9


class ProspectiveForecaster(Forecaster):
    """Bowers, Johnson & Pease's prospective hot spots: near and recent incidents raise the risk.

    Parameters
    ----------
    bandwidth : float, default=400.0
        Metres: incidents add to the cells within this distance (the published 400 m). The
        distance ``d`` in the formula is counted in cell widths, so the bandwidth reaches
        ``bandwidth / cell size`` cells: 2 rings of 200 m cells, 8 of the paper's 50 m cells.
    time_bandwidth : int, default=8
        Weeks: incidents of the last ``time_bandwidth`` weeks before the forecast window count
        (the published two months). It is also the training lookback.
    metric : {"euclidean", "chebyshev", "manhattan"}, default="euclidean"
        The distance between cell centroids, in cell widths: straight-line (a disc of cells),
        the largest of the two axis offsets (diagonal neighbours are 1 away: a square of cells)
        or their sum (diagonal neighbours are 2 away: a diamond). Chebyshev and Manhattan are
        meant for square grids.
    whole_units : bool, default=True
        As the paper: ``d`` is the distance between the centroid of the incident's cell and the
        cell's centroid, rounded to whole cell widths (0 in the incident's own cell), and ``t``
        counts whole weeks. False: ``d`` is the distance from the incident itself to the cell's
        centroid and ``t`` its age, both with fractions (a continuous version of the same
        weights).

    Attributes
    ----------
    cell_size_ : float
        The distance unit, in metres: the cells' side (a hexagon's flat-to-flat width; the
        square root of the median area for other polygons).

    Notes
    -----
    The risk of cell ``c`` for a window starting at ``s`` is

    .. math:: R_c = \\sum_{i:\\ d_{ic} \\le B,\\ t_i < T} \\frac{w_i}{(1 + d_{ic})(1 + t_i)}

    over the incidents ``i`` before the forecast origin, with ``d_ic`` the distance between the
    incident's cell and ``c`` in cell widths (see ``metric`` and ``whole_units``), ``B`` the
    bandwidth in cell widths, ``t_i`` the whole weeks between the incident and ``s``
    (``t = ⌈age / 7 days⌉ − 1``: 0 for the week just before ``s``, 1 for the week before...),
    ``T`` = ``time_bandwidth`` and ``w_i`` the incident weight (1 without ``incident_weights``).
    With ``whole_units=False``, ``t_i = age / 7 days`` and the condition is ``t_i <= T``.
    Bowers et al. (2004) weight each burglary of the last two months within 400 m of a cell
    (cells of 50 m) by ``1/(1 + d)`` for distance and ``1/(1 + t)`` for time and sum the
    products. The paper is not explicit about how ``d`` is measured (it speaks of whole grid
    widths); here it is the distance between cell centroids over the cell size. The numbers
    are a score that orders the cells, not expected counts: the score does not depend on the
    window's length.

    **Edges** (the paper does not say; open_cp's ``ProspectiveHotSpot`` leaves both out): a
    cell exactly at the bandwidth counts (``d <= B``), and so does an incident exactly
    ``time_bandwidth`` weeks before the window. Week ``k`` is the half-open
    ``[s − 7(k+1), s − 7k)`` days, like every window in hotspot (open_cp floors ``age / 7``
    instead, so an incident exactly 7 days old is in its week 1, here in week 0); 8 weeks hold
    the incidents of the last 56 days, which is also the training lookback. With
    ``whole_units`` Euclidean distances are rounded to the nearest whole cell before the
    comparison (``√5 ≈ 2.24`` counts as 2; no grid offset falls on a half); Chebyshev and
    Manhattan distances between grid cells are whole already.

    A window that starts after the origin (``predict(start=...)``) counts weeks back from its
    start, so older incidents weigh less and those beyond ``time_bandwidth`` weeks drop out.

    Cost: the incidents are merged per cell and week, and a k-d tree finds the cells within
    the bandwidth: O(cells with incidents × cells in reach) per forecast.

    References
    ----------
    Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting: the future of
    crime mapping? *British Journal of Criminology* 44(5), 641–658.
    Johnson, S. D., Birks, D. J., McLaughlin, L., Bowers, K. J. & Pease, K. (2007). Prospective
    crime mapping in operational context. Home Office Online Report 19/07.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.forecast.prospective import ProspectiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> bne = inc[inc["category"] == "Break and Enter"]
    >>> cells = hs.square_grid(inc, 500, quiet=True)
    >>> f = ProspectiveForecaster(bandwidth=1000).fit(bne, cells, until="2020-01-06")
    >>> f.training_["start"], f.cell_size_
    ('2019-11-11', 500.0)
    >>> risk = f.predict("7D")
    >>> bool(risk["forecast_risk"].max() > 0), int(risk["forecast_rank"].min())
    (True, 1)
    """

    _units = (
        "a score that orders the cells: the sum over recent nearby incidents of "
        "weight / ((1 + distance in cells) (1 + age in weeks))"
    )

    def __init__(
        self,
        bandwidth: float = 400.0,
        time_bandwidth: int = 8,
        metric: str = "euclidean",
        whole_units: bool = True,
    ) -> None:
        self.bandwidth = bandwidth
        self.time_bandwidth = time_bandwidth
        self.metric = metric
        self.whole_units = whole_units

    def _check_params(self) -> tuple[float, int, str, bool]:
        bandwidth = check_metres(self.bandwidth, "bandwidth", func=_FUNC, example="400")
        weeks = check_integer(
            self.time_bandwidth, "time_bandwidth", minimum=1, example="8", func=_FUNC
        )
        metric = check_choice(self.metric, "metric", METRICS, func=_FUNC)
        whole = check_flag(self.whole_units, "whole_units", func=_FUNC)
        return bandwidth, weeks, metric, whole

    def _lookback(self) -> pd.Timedelta:
        _, weeks, _, _ = self._check_params()
        return pd.Timedelta(weeks=weeks)

    def _fit(self, events: Events) -> None:
        bandwidth, weeks, metric, whole = self._check_params()
        geo = self.geometry_
        self.cell_size_ = float(geo.size)
        if whole:  # the incident's cell stands for it
            x, y = geo.x[events.cell], geo.y[events.cell]
        else:
            x, y = events.x, events.y
        self._sources = (x / geo.size, y / geo.size, events.t, events.weight.astype(float))
        self._targets = cKDTree(np.column_stack([geo.x, geo.y]) / geo.size)

    def _risk(self, start: float, end: float) -> np.ndarray:
        bandwidth, weeks, metric, whole = self._check_params()
        x, y, t, w = self._sources
        age = (t + start) / 7.0  # weeks between the incident and the window's start
        if whole:
            age = np.ceil(age) - 1.0
            keep = age < weeks
        else:
            keep = age <= weeks
        x, y, age, w = x[keep], y[keep], age[keep], w[keep]
        value = w / (1.0 + age)
        reach = bandwidth / self.cell_size_
        out = np.zeros(self.geometry_.n)
        if not len(x):
            return out
        xy, inverse = np.unique(np.column_stack([x, y]), axis=0, return_inverse=True)
        value = np.bincount(inverse.ravel(), weights=value, minlength=len(xy))
        pairs = cKDTree(xy).sparse_distance_matrix(
            self._targets, reach + 0.5 + _EDGE, p=_P[metric], output_type="ndarray"
        )
        d = np.rint(pairs["v"]) if whole else pairs["v"]
        near = d <= reach + _EDGE
        i, j, d = pairs["i"][near], pairs["j"][near], d[near]
        out += np.bincount(j, weights=value[i] / (1.0 + d), minlength=len(out))
        return out

    def _fitted_summary(self) -> dict[str, Any]:
        bandwidth, weeks, metric, whole = self._check_params()
        return {
            "cell_size": self.cell_size_,
            "bandwidth_cells": bandwidth / self.cell_size_,
            "time_bandwidth_weeks": weeks,
        }
