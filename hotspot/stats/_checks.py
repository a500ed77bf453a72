"""Parameters the statistics share, checked through the parameter layer of
:mod:`hotspot._validate`: the alternative, the weights transform, the neighbours (with the
automatic distance band) and the period a result covers."""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot._validate import check_choice, report_of
from hotspot.errors import HotspotInputError
from hotspot.grid.weights import Neighbours, build_weights
from hotspot.stats.incremental import choose_distance_band

TRANSFORMS = ("B", "R")
"""Binary or row-standardised weights."""


AUTO = "auto"
"""``weights="auto"``: the distance band at the first significant peak of incremental spatial
autocorrelation (:func:`hotspot.stats.incremental.choose_distance_band`)."""


def check_transform(transform: object, func: str) -> str:
    """ "B" or "R" (either case), upper-cased."""
    upper = transform.upper() if isinstance(transform, str) else transform
    if isinstance(upper, str) and upper in TRANSFORMS:
        return upper
    return check_choice(transform, "transform", TRANSFORMS, func=func)  # raises


def neighbours(
    cells: gpd.GeoDataFrame,
    weights: Any,
    column: str,
    *,
    quiet: bool,
    func: str,
    stacklevel: int = 3,
) -> Neighbours:
    """The Neighbours for ``weights``: given ones (checked against the cells), ``"auto"`` (the
    automatic distance band, announced unless ``quiet``) or anything
    :func:`hotspot.build_weights` takes. ``None`` is the old spelling of ``"auto"`` (a
    FutureWarning, pointing ``stacklevel`` frames up: at the caller of the public function)."""
    if isinstance(weights, Neighbours):
        if weights.n != len(cells):
            raise HotspotInputError(
                f"{func}: weights are Neighbours of {weights.n:,} cells but cells has "
                f"{len(cells):,} rows; build them for these cells with hotspot.build_weights(cells, ...)."
            )
        return weights
    if weights is None:
        warnings.warn(
            f"{func}: weights=None is now spelled weights='auto' (the automatic distance band); "
            "None will stop working in 0.3.",
            FutureWarning,
            stacklevel=stacklevel,
        )
        weights = AUTO
    if isinstance(weights, str) and weights.strip().lower() == AUTO:
        return choose_distance_band(cells, column, quiet=quiet)
    return build_weights(cells, weights)


def cells_period(cells: pd.DataFrame) -> dict[str, Any] | None:
    """The period the cells' counts cover (``attrs["hotspot"]["period"]``), or None."""
    period = report_of(cells).get("period")
    return period if isinstance(period, dict) else None
