"""Looking forward: forecasters, back-tests and their metrics, and patrol allocation.

Forecasters follow scikit-learn's estimator contract (``fit`` on past incidents returns the
forecaster; ``predict`` returns the cells with ``forecast_risk``). Every forecast is judged by a
back-test against the naive and random baselines before it is used to allocate patrols.
"""

from hotspot.forecast._base import Forecaster, NaiveForecaster, RandomForecaster

__all__ = ["Forecaster", "NaiveForecaster", "RandomForecaster"]
