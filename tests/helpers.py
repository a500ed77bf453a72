"""Inputs several test files share (imported as ``from helpers import ...``, like browser.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

CRS = "EPSG:32617"
T0 = pd.Timestamp("2024-01-01")

# Made-up numbers for the tests: NOT published harm weights.
EXAMPLE_HARM = {
    "Violence and sexual offences": 30.0,
    "Anti-social behaviour": 0.5,
    "Criminal damage and arson": 4.0,
    "Other theft": 2.0,
    "Burglary": 20.0,
    "Public order": 3.0,
    "Vehicle crime": 5.0,
    "Shoplifting": 1.0,
    "Other crime": 2.5,
    "Drugs": 6.0,
    "Theft from the person": 8.0,
    "Bicycle theft": 1.5,
    "Robbery": 100.0,
    "Possession of weapons": 40.0,
}


def make_incidents(x, y, days, index=None) -> gpd.GeoDataFrame:
    """Points in UTM 17N with times ``days`` after 2024-01-01."""
    return gpd.GeoDataFrame(
        {"time": T0 + pd.to_timedelta(np.asarray(days, dtype=float), unit="D")},
        geometry=gpd.points_from_xy(x, y),
        crs=CRS,
        index=index,
    )
