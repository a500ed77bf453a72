"""Next week, as an analyst runs it: back-test the forecasters, pick the best, choose the cells.

:func:`plan_patrols` is what ``hotspot forecast`` and the report's "Next week" section run:
a weekly back-test over the last year of the data (every forecaster against the random and
naive baselines), the forecaster whose chosen cells captured the most of the next week's
incidents in that back-test, its forecast for the week after the data end, and the patrol
cells chosen from it, with the share of incidents the same choice captured week by week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.base import clone

from hotspot._messages import announce
from hotspot._validate import check_integer
from hotspot.errors import HotspotInputError
from hotspot.forecast._base import (
    DAY,
    Forecaster,
    NaiveForecaster,
    RandomForecaster,
    as_duration,
    prepare_training,
)
from hotspot.forecast.allocate import (
    allocate_patrols,
    random_verdict,
    sign_test_against_random,
)
from hotspot.forecast.backtesting import BacktestResult, backtest
from hotspot.forecast.kde import KDEForecaster
from hotspot.forecast.prospective import ProspectiveForecaster
from hotspot.forecast.sepp import SEPPForecaster

__all__ = ["PatrolPlan", "default_forecasters", "plan_patrols"]

FUNC = "plan_patrols"
#: The fewest back-test windows worth choosing a forecaster on.
MIN_WINDOWS = 4


def default_forecasters(horizon: Any = "7D") -> dict[str, Forecaster]:
    """The forecasters :func:`plan_patrols` compares, by name: a year's average count
    (``"average"``), kernel density (``"kde"``), prospective hot spots (``"prospective"``) and
    the self-exciting point process (``"sepp"``), each with its published defaults. The
    back-test adds the baselines ``"naive"`` (last window's counts) and ``"random"``.

    Examples
    --------
    >>> sorted(default_forecasters())
    ['average', 'kde', 'prospective', 'sepp']
    """
    period = as_duration(horizon, "horizon", func=FUNC)
    periods = max(1, int(round(pd.Timedelta(days=365) / period)))
    return {
        "average": NaiveForecaster(periods=periods, period=horizon),
        "kde": KDEForecaster(),
        "prospective": ProspectiveForecaster(),
        "sepp": SEPPForecaster(),
    }


@dataclass(frozen=True)
class PatrolPlan:
    """The outcome of :func:`plan_patrols`.

    Attributes
    ----------
    backtest : BacktestResult
        Every forecaster scored week by week over the back-test period.
    choice : DataFrame
        One row per forecaster (baselines included), best first: the share of each window's
        incidents that ``areas`` cells chosen from its forecast captured (``pooled``,
        ``mean``, ``q10``, ``q90``, ``min``, ``max``) and its pooled PAI at 5 % of the area.
    forecaster : str
        The forecaster chosen: the one whose cells captured the most (``choice``'s first row).
    forecast : GeoDataFrame
        Its forecast for ``[origin, origin + horizon)``, fitted on every incident before the
        origin (the midnight after the data's last day).
    patrols : GeoDataFrame
        The cells chosen from that forecast (:func:`hotspot.allocate_patrols`), with the
        back-test's ``expected_capture`` in their attrs.
    params : dict
        ``method`` (``"plan_patrols"``), ``origin``, ``horizon``, ``areas``, ``min_spacing``,
        ``windows``, the back-test's ``period`` and ``against_random``: in how many windows
        the chosen cells held more (``wins``) or less (``losses``) than the random cells, and
        a one-sided sign test's p-value Bonferroni-corrected for choosing the best of the
        ``candidates`` forecasters (``reliable``: below 0.05). On a city without any pattern
        the best of several forecasters still beats random in some weeks; this says whether
        it did so more often than chance.
    """

    backtest: BacktestResult = field(repr=False)
    choice: pd.DataFrame = field(repr=False)
    forecaster: str
    forecast: gpd.GeoDataFrame = field(repr=False)
    patrols: gpd.GeoDataFrame = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def capture(self) -> dict[str, Any]:
        """The chosen rule's ``expected_capture`` (see :func:`hotspot.allocate_patrols`)."""
        return self.patrols.attrs["hotspot"]["allocate_patrols"]["expected_capture"]

    def sentence(self) -> str:
        """One sentence for a briefing: what was chosen and how it did in the back-test."""
        c = self.capture
        window = self.forecast.attrs["hotspot"]["period"]
        unit = "week" if window["days"] == 7 else f"{window['days']}-day window"
        return (
            f"{self.params['areas']} cells for {window['start']} to {window['end']}, chosen "
            f"from the {self.forecaster} forecast. Chosen the same way each {unit} of the "
            f"back-test ({self.params['backtest_period']}), {self.params['areas']} cells held "
            f"{_pct(c['pooled'])} of the next {unit}'s incidents ({_pct(c['min'])}–"
            f"{_pct(c['max'])} by {unit}); the same number of cells picked at random held "
            f"{_pct(self._random_capture())}. {self._verdict(unit)}"
        )

    def _verdict(self, unit: str) -> str:
        """Whether the chosen cells beat random ones week by week, in words."""
        return random_verdict(self.params["against_random"], unit)

    def _random_capture(self) -> float:
        row = self.choice[self.choice["forecaster"] == "random"]
        return float(row["pooled"].iloc[0]) if len(row) else float("nan")

    def __str__(self) -> str:
        shown = self.choice.copy()
        for column in ("pooled", "mean", "q10", "q90"):
            shown[column] = shown[column].map(_pct)
        shown["pai_5pct"] = shown["pai_5pct"].map("{:.3g}".format)
        return (
            f"{self.sentence()}\n\nShare of each week's incidents in {self.params['areas']} "
            "cells chosen from each forecast:\n"
            + shown[["forecaster", "pooled", "mean", "q10", "q90", "pai_5pct"]].to_string(
                index=False
            )
        )


def _pct(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{100 * value:.2g} %" if value < 0.1 else f"{100 * value:.0f} %"


def plan_patrols(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    areas: int = 20,
    horizon: Any = "7D",
    windows: int = 52,
    forecasters: dict[str, Forecaster] | None = None,
    min_spacing: float | None = None,
    incident_weights: Any = None,
    rng: Any = 0,
    quiet: bool = False,
) -> PatrolPlan:
    """Back-test the forecasters, forecast the next window with the best, and choose the cells.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents`, with times (dates at least: a weekly forecast
        needs them).
    cells : GeoDataFrame
        The grid to forecast on (e.g. :func:`hotspot.square_grid` at 150–250 m).
    areas : int, default=20
        How many cells to choose.
    horizon : str, default="7D"
        The forecast window; the back-test steps by it too.
    windows : int, default=52
        Back-test windows, the last ending at the data's end (fewer when the data are
        shorter: every forecaster needs a year of past, so the back-test starts at least a
        year after the first incident where the data allow).
    forecasters : dict, optional
        Name -> unfitted forecaster; default :func:`default_forecasters`.
    min_spacing : float, optional
        Metres between chosen cells (:func:`hotspot.allocate_patrols`).
    incident_weights : str or array-like, optional
        Harm or other weights, passed to every fit.
    rng : None, int or Generator, default=0
        The random baseline's seed.
    quiet : bool, default=False
        Do not announce the steps.

    Returns
    -------
    PatrolPlan

    Notes
    -----
    The forecaster is chosen on the same back-test that reports how well it did, so the
    reported capture is a little optimistic (the best of several); the other forecasters'
    rows in ``choice`` show by how much they differed. The forecast window starts at the
    midnight after the data's last day: for an archive that is in the past, and the plan is
    then what would have been sent out that week.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> be = inc[inc["category"] == "Robbery"]
    >>> plan = plan_patrols(be, hs.square_grid(be, 500, quiet=True), areas=10, windows=4,
    ...                     forecasters={"kde": hs.KDEForecaster()}, quiet=True)
    >>> len(plan.patrols), plan.params["origin"]
    (10, '2022-01-01')
    """
    areas = check_integer(areas, "areas", minimum=1, func=FUNC)
    windows = check_integer(windows, "windows", minimum=1, func=FUNC)
    step = as_duration(horizon, "horizon", func=FUNC)
    if "time" not in incidents.columns or incidents["time"].isna().all():
        raise HotspotInputError(
            f"{FUNC}: the incidents have no times; a forecast learns from when crime happened."
        )
    times = pd.DatetimeIndex(incidents["time"]).as_unit("ns")
    if times.tz is not None:
        times = times.tz_localize(None)
    origin = times.max().normalize() + DAY
    first = times.min().normalize()
    room = int((origin - (first + pd.Timedelta(days=365))) // step)
    if room < MIN_WINDOWS:
        room = int((origin - first) // step) - 1
    n_windows = min(windows, room)
    if n_windows < MIN_WINDOWS:
        raise HotspotInputError(
            f"{FUNC}: the data span {first:%Y-%m-%d} to {origin - DAY:%Y-%m-%d}, too short "
            f"for a back-test of at least {MIN_WINDOWS} windows of {horizon} after some past "
            "to learn from; a forecast that cannot be back-tested is not reported."
        )
    start = origin - n_windows * step
    models = dict(forecasters) if forecasters is not None else default_forecasters(horizon)
    announce(
        f"back-testing {', '.join(models)} over {n_windows} windows of {horizon}, "
        f"{start:%Y-%m-%d} to {origin - DAY:%Y-%m-%d}",
        quiet=quiet,
    )
    result = backtest(
        incidents,
        cells,
        models,
        start=start,
        end=origin,
        horizon=horizon,
        step=step,
        incident_weights=incident_weights,
        rng=rng,
        quiet=True,
    )
    rows, plans = [], {}
    prepared = prepare_training(incidents, cells, incident_weights, func=FUNC)  # once for all
    for name in result.forecasters:
        model = _unfitted(models, name, horizon, rng)
        forecast = model.fit_prepared(prepared, until=origin).predict(horizon)
        chosen = allocate_patrols(
            forecast,
            areas,
            min_spacing=min_spacing,
            backtest=result,
            forecaster=name,
            compare_random=False,  # once below, for the chosen forecaster, corrected
            quiet=True,
        )
        capture = chosen.attrs["hotspot"]["allocate_patrols"]["expected_capture"]
        summary = result.summary
        at5 = summary[(summary["forecaster"] == name) & np.isclose(summary["coverage"], 0.05)]
        rows.append(
            {
                "forecaster": name,
                **{k: capture[k] for k in ("pooled", "mean", "q10", "q90", "min", "max")},
                "pai_5pct": float(at5["pai"].iloc[0]) if len(at5) else float("nan"),
            }
        )
        plans[name] = (forecast, chosen)
    choice = pd.DataFrame(rows)
    candidates = choice[choice["forecaster"] != "random"]
    best = str(
        candidates.sort_values("pooled", ascending=False, kind="stable")["forecaster"].iloc[0]
    )
    choice = choice.sort_values("pooled", ascending=False, kind="stable").reset_index(drop=True)
    forecast, patrols = plans[best]
    against_random = _against_random(plans, best, n_candidates=len(candidates))
    # the patrols carry the corrected comparison: patrol_map and the report print it
    patrols.attrs["hotspot"]["allocate_patrols"]["expected_capture"]["against_random"] = (
        against_random
    )
    params = {
        "method": FUNC,
        "origin": f"{origin:%Y-%m-%d}",
        "horizon": str(horizon),
        "areas": areas,
        "min_spacing": min_spacing,
        "windows": n_windows,
        "backtest_period": result.params["period"]["label"],
        "against_random": against_random,
        "rng_seed": result.params.get("rng_seed"),
    }
    return PatrolPlan(result, choice, best, forecast, patrols, params)


def _against_random(plans: dict[str, Any], best: str, *, n_candidates: int) -> dict[str, Any]:
    """Did the chosen cells beat random cells week by week? :func:`sign_test_against_random`
    with the Bonferroni correction for choosing the best of ``n_candidates`` forecasters on
    the same back-test."""

    def capture(name: str) -> dict[str, Any]:
        return plans[name][1].attrs["hotspot"]["allocate_patrols"]["expected_capture"]

    found = sign_test_against_random(
        capture(best)["by_period"], capture("random")["by_period"], candidates=n_candidates
    )
    found["random_pooled"] = capture("random")["pooled"]
    return found


def _unfitted(models: dict[str, Forecaster], name: str, horizon: Any, rng: Any) -> Forecaster:
    if name in models:
        return clone(models[name])
    if name == "naive":
        return NaiveForecaster(periods=1, period=horizon)
    return RandomForecaster(rng=rng)
