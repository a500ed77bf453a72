"""Looking forward: forecasters, back-tests and their metrics, and patrol allocation.

Forecasters follow scikit-learn's estimator contract (``fit`` on past incidents returns the
forecaster; ``predict`` returns the cells with ``forecast_risk``). Every forecast is judged by a
back-test against the naive and random baselines before it is used to allocate patrols.
"""

from hotspot.forecast._base import Forecaster, NaiveForecaster, RandomForecaster
from hotspot.forecast.allocate import allocate_patrols
from hotspot.forecast.backtesting import BacktestResult, backtest
from hotspot.forecast.kde import KDEForecaster
from hotspot.forecast.metrics import (
    RecaptureRate,
    hit_rate_curve,
    hit_rates,
    recapture_rate_index,
)
from hotspot.forecast.plan import PatrolPlan, plan_patrols
from hotspot.forecast.prospective import ProspectiveForecaster
from hotspot.forecast.sepp import SEPPForecaster

__all__ = [
    "BacktestResult",
    "Forecaster",
    "KDEForecaster",
    "NaiveForecaster",
    "PatrolPlan",
    "ProspectiveForecaster",
    "RandomForecaster",
    "RecaptureRate",
    "SEPPForecaster",
    "allocate_patrols",
    "backtest",
    "hit_rate_curve",
    "hit_rates",
    "plan_patrols",
    "recapture_rate_index",
]
