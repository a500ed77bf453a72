"""The context layers a map draws under the result (``context=``): a force boundary, districts,
main roads, given by the caller.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot.errors import HotspotInputError

# Columns holding the names of context features (a road's name, a boundary's name).
NAME_COLUMNS = ("name", "Name", "NAME", "label", "road_name", "roadname")


def context_layers(context: Any, *, func: str = "context") -> list[tuple[str, gpd.GeoDataFrame]]:
    """``context=`` as a list of (layer name, GeoDataFrame).

    Takes a GeoDataFrame or GeoSeries, a list of them ("Context 1", "Context 2", …) or a dict
    of layer name to GeoDataFrame. Each needs a CRS.

    Examples
    --------
    >>> import shapely
    >>> roads = gpd.GeoDataFrame({"name": ["A64"]},
    ...     geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=4326)
    >>> [name for name, _ in context_layers([roads, roads])]
    ['Context 1', 'Context 2']
    >>> [name for name, _ in context_layers({"Main roads": roads})]
    ['Main roads']
    """
    if context is None:
        return []
    if isinstance(context, gpd.GeoDataFrame | gpd.GeoSeries):
        items = [("Context", context)]
    elif isinstance(context, dict):
        items = [(str(k), v) for k, v in context.items()]
    elif isinstance(context, list | tuple):
        items = [
            (f"Context {i + 1}" if len(context) > 1 else "Context", v)
            for i, v in enumerate(context)
        ]
    else:
        raise HotspotInputError(
            f"{func}: context= takes a GeoDataFrame, a list of GeoDataFrames or a dict of layer "
            f"name to GeoDataFrame, not a {type(context).__name__}; read a file first, e.g. "
            "geopandas.read_file('roads.gpkg')."
        )
    out = []
    for name, frame in items:
        if isinstance(frame, gpd.GeoSeries):
            frame = gpd.GeoDataFrame(geometry=frame)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise HotspotInputError(
                f"{func}: context layer {name!r} is a {type(frame).__name__}, not a "
                "GeoDataFrame; read it with geopandas.read_file(...)."
            )
        if frame.crs is None:
            raise HotspotInputError(
                f"{func}: context layer {name!r} has no CRS; set it first, e.g. "
                "frame.set_crs('EPSG:27700')."
            )
        frame = frame[~(frame.geometry.isna() | frame.geometry.is_empty)]
        out.append((name, frame))
    return out


def context_names(frame: gpd.GeoDataFrame) -> pd.Series | None:
    """The names of a context layer's features (a ``name``-like column), or None."""
    for column in NAME_COLUMNS:
        if column in frame.columns:
            names = frame[column].astype("string").str.strip()
            if names.notna().any():
                return names
    return None
