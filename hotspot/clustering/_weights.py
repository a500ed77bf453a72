"""Incident weights (e.g. harm) for the clustering methods: checked once, one per incident."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from hotspot._validate import check_incident_weights as shared_check
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
    hotspot.errors.HotspotInputError: f: incident_weights must be >= 0; rows 1 are negative.
    """
    if weights is None:
        return None, None
    name = "incident_weights"
    if method in UNWEIGHTED:
        raise HotspotInputError(
            f"{func}: {name} cannot be used with method={method!r}: {UNWEIGHTED[method]}."
        )
    return shared_check(incidents, weights, func=func)
