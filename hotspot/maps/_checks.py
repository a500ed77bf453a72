"""The checks the map functions make of what they are given, in the parameter layer's style.

One error type (:class:`~hotspot.errors.HotspotInputError`) and one message style:
``"<func>: <what is wrong>; <what to do>."``. Parameters with a fixed set of values, whole
numbers and significance levels go through :mod:`hotspot._validate`; these are the checks of
the maps' own inputs: the columns a result must hold, the type of result a map draws, and the
numbers (opacity, shares) that must lie between 0 and 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np

from hotspot.errors import HotspotInputError


def require_columns(
    frame: Any, columns: Iterable[str], *, func: str, fix: str, what: str = "result"
) -> None:
    """Raise naming the first of ``columns`` that ``frame`` lacks, the columns it has and
    ``fix`` (what to run first).

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"count": [1]}), ["count"], func="counts_map", fix="")
    >>> require_columns(pd.DataFrame({"n": [1]}), ["gistar_bin"], func="gistar_map",
    ...                 fix="run hotspot.gistar(cells) first")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: gistar_map: the result has no 'gistar_bin' column (columns: n); run hotspot.gistar(cells) first.
    """
    present = list(getattr(frame, "columns", []))
    for column in columns:
        if column not in present:
            have = ", ".join(map(str, present)) or "none"
            raise HotspotInputError(
                f"{func}: the {what} has no {column!r} column (columns: {have}); {fix}."
            )


def require_geodataframe(value: Any, *, func: str, name: str, fix: str) -> gpd.GeoDataFrame:
    """``value`` when it is a GeoDataFrame, else an error saying what to pass.

    Examples
    --------
    >>> require_geodataframe([1], func="cluster_map", name="summary",
    ...                      fix="pass the output of hotspot.cluster_summary(clustered)")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: cluster_map: summary= is a list, not a GeoDataFrame; pass the output of hotspot.cluster_summary(clustered).
    """
    if not isinstance(value, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"{func}: {name}= is a {type(value).__name__}, not a GeoDataFrame; {fix}."
        )
    return value


def check_share(
    value: Any, name: str, *, func: str, low_open: bool = False, example: str = "0.7"
) -> float:
    """A number from 0 to 1 (above 0 with ``low_open``).

    Examples
    --------
    >>> check_share(0.7, "opacity", func="density_map")
    0.7
    >>> check_share(2, "opacity", func="density_map")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: density_map: opacity=2 must be a number from 0 to 1, e.g. 0.7.
    """
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok:
        number = float(value)
        ok = (0 < number if low_open else 0 <= number) and number <= 1
    if not ok:
        low = "above 0 and up" if low_open else "from 0"
        raise HotspotInputError(
            f"{func}: {name}={value!r} must be a number {low} to 1, e.g. {example}."
        )
    return float(value)
