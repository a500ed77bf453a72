"""Incident weights (e.g. harm) for the clustering methods: checked once, one per incident."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._messages import first_rows
from hotspot.errors import HotspotInputError

#: Methods whose definition has no weighted form, with the reason shown to the user.
UNWEIGHTED = {
    "nnh": (
        "NNH's threshold distance is a nearest-neighbour statistic of the number of points "
        "under complete spatial randomness and min_points counts incidents, so a weight has no "
        "meaning in it; use 'dbscan', 'optics', 'hdbscan' or 'st-dbscan', or cluster without "
        "weights and sum them per cluster with cluster_summary"
    ),
}


def check_incident_weights(
    incidents: gpd.GeoDataFrame, weights: Any, *, method: str, func: str
) -> tuple[np.ndarray | None, str | None]:
    """One weight per incident (float, finite, >= 0) and how it was given, or ``(None, None)``.

    ``weights`` is None, the name of a numeric column, or an array or Series (aligned on the
    incidents' index) of one number per incident.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> inc = gpd.GeoDataFrame({"harm": [1.0, 2.5]}, geometry=shapely.points([0, 1], [0, 0]),
    ...                        crs=27700)
    >>> check_incident_weights(inc, "harm", method="dbscan", func="f")[0].tolist()
    [1.0, 2.5]
    >>> check_incident_weights(inc, [1, -1], method="dbscan", func="f")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: f: incident_weights must be >= 0; rows 1 are negative; fix or drop those incidents first.
    """
    if weights is None:
        return None, None
    name = "incident_weights"
    if method in UNWEIGHTED:
        raise HotspotInputError(
            f"{func}: {name} cannot be used with method={method!r}: {UNWEIGHTED[method]}."
        )
    n = len(incidents)
    if isinstance(weights, str):
        if weights not in incidents.columns:
            raise HotspotInputError(
                f"{func}: {name}={weights!r} is not a column of the incidents; their columns "
                f"are {', '.join(map(str, incidents.columns))}."
            )
        column = incidents[weights]
        if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(
            column.dtype
        ):
            raise HotspotInputError(
                f"{func}: {name} column {weights!r} is {column.dtype}, not numbers; convert it "
                f"with pd.to_numeric(incidents[{weights!r}])."
            )
        values = column.to_numpy(dtype=float, na_value=np.nan)
        note = f"column {weights!r}"
    elif isinstance(weights, pd.Series | np.ndarray | list | tuple):
        if isinstance(weights, pd.Series) and not weights.index.equals(incidents.index):
            raise HotspotInputError(
                f"{func}: {name} is a Series whose index differs from the incidents'; align it "
                f"with {name}.reindex(incidents.index) or pass a column name."
            )
        try:
            if isinstance(weights, pd.Series):
                values = weights.to_numpy(dtype=float, na_value=np.nan)
            else:
                values = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise HotspotInputError(
                f"{func}: {name} must be numbers ({exc}); pass one number per incident."
            ) from None
        if len(values) != n:
            raise HotspotInputError(
                f"{func}: {name} has {len(values):,} values but there are {n:,} incidents; pass "
                "one weight per incident."
            )
        note = "array"
    else:
        raise HotspotInputError(
            f"{func}: {name}={weights!r} must be a column name or an array of one number per "
            f"incident, not a {type(weights).__name__}."
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise HotspotInputError(
            f"{func}: {name} are missing or infinite in rows {first_rows(incidents.index[bad])}; "
            "fill or drop those incidents first."
        )
    negative = values < 0
    if negative.any():
        raise HotspotInputError(
            f"{func}: {name} must be >= 0; rows {first_rows(incidents.index[negative])} are "
            "negative; fix or drop those incidents first."
        )
    return values, note
