"""What a result carries, read from its attrs: its method's parameters, its CRS, the study
area, and the footprint of the data (the cells with incidents).

Nothing here draws; the HTML maps and the PNGs both read a result through these helpers. A
result that went through :func:`hotspot.disclosure.disclose` (a public copy) gives no study
area (the disclosure step removes it, and a cube's cells must not bring it back).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot.disclosure import disclosure_rule, result_method
from hotspot.spacetime.emerging import NOT_ANALYSED

# Where results made before the result contract keep their parameters, by method.
LEGACY_PARAMS = {
    "emerging_hotspots": "emerging",
    "cluster_incidents": "cluster",
    "cluster_summary": "summary",
    "count_incidents": "counts",
}


def is_cube(result: Any) -> bool:
    """Whether ``result`` is a space-time cube (cells, bins and counts), not a surface."""
    return (
        not hasattr(result, "dims")
        and hasattr(result, "counts")
        and hasattr(result, "bins")
        and hasattr(result, "cells")
    )


def hotspot_attrs(result: Any) -> dict[str, Any]:
    """The ``attrs["hotspot"]`` a result carries; for a cube, its cells' merged with its own.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.hex_grid(inc, 5000, quiet=True), "MS", quiet=True)
    >>> meta = hotspot_attrs(cube)
    >>> meta["freq"], meta["study_area"].area > 0
    ('MS', True)
    """
    attrs = getattr(result, "attrs", None) or {}
    meta = attrs.get("hotspot")
    meta = dict(meta) if isinstance(meta, dict) else {}
    if is_cube(result):  # a cube keeps its own attrs at the top level, its cells' in the cells
        cells = (getattr(result.cells, "attrs", None) or {}).get("hotspot")
        inner = cells if isinstance(cells, dict) else {}
        top = {k: v for k, v in attrs.items() if k != "hotspot"}
        return {**inner, **top, **meta}
    return meta


def method_params(result: Any, method: str | None = None) -> dict[str, Any]:
    """The parameters ``method`` (default: the result's own) recorded in the result's attrs:
    ``attrs["hotspot"][method]`` (or, for a result made before the result contract, the key it
    used then, such as ``"emerging"``); empty when there are none.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot._result import stamp
    >>> hot = stamp(pd.DataFrame(), kind="cells", method="gistar", params={"alpha": 0.05})
    >>> method_params(hot), method_params(hot, "lisa")
    ({'alpha': 0.05}, {})
    """
    method = method or result_method(result)
    meta = hotspot_attrs(result)
    for key in (method, LEGACY_PARAMS.get(method or "")):
        params = meta.get(key) if key else None
        if isinstance(params, dict):
            return params
    return {}


def result_crs(result: Any) -> Any:
    """The CRS a result's geometry (or a surface's grid) is in, or None."""
    if is_cube(result):
        return result.cells.crs
    if isinstance(result, gpd.GeoDataFrame | gpd.GeoSeries):
        return result.crs
    attrs = getattr(result, "attrs", None) or {}
    return attrs.get("crs")


def study_area(result: Any) -> shapely.Geometry | None:
    """The study area polygon a result carries (in its CRS), or None.

    None for a public copy: :func:`~hotspot.disclosure.disclose` removes the study area
    (it may be the incidents' own convex hull), and a cube's cells must not bring it back.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> study_area(cells).area > 0, study_area(hs.maps.disclose(cells))
    (True, None)
    """
    if disclosure_rule(result) is not None:
        return None
    area = hotspot_attrs(result).get("study_area")
    if isinstance(area, str):
        try:
            area = shapely.from_wkt(area)
        except shapely.errors.GEOSException:
            return None
    if not isinstance(area, shapely.Geometry) or area.is_empty:
        return None
    if area.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return area


def footprint_mask(result: Any) -> np.ndarray | None:
    """Which of a result's cells had incidents, or None when the result cannot tell.

    Cells (counts, Gi*, LISA): ``count`` (or the column the method analysed) above zero, or
    hidden in a public copy ("fewer than 5" is at least one); an ``emerging_hotspots`` result:
    the analysed cells (the cube's total above zero); a cube: its total over the bins above
    zero.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> int(footprint_mask(cells).sum()) == int((cells["count"] > 0).sum())
    True
    """
    hidden = disclosure_rule(result) is not None
    if is_cube(result):
        counts = np.asarray(result.counts, dtype=float)
        mask = np.nansum(counts, axis=0) > 0
        return mask | (np.isnan(counts).any(axis=0) if hidden else False)
    if not isinstance(result, gpd.GeoDataFrame):
        return None
    method = result_method(result)
    if method == "emerging_hotspots" and "emerging_category" in result.columns:
        return result["emerging_category"].astype(str).to_numpy() != NOT_ANALYSED
    candidates = ["count", method_params(result).get("column")]
    column = next((c for c in candidates if c and c in result.columns), None)
    if column is None:
        return None
    values = pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)
    return (np.nan_to_num(values) > 0) | (np.isnan(values) & hidden)


def footprint(result: Any) -> gpd.GeoSeries | None:
    """The cells with incidents (a GeoSeries in the result's CRS), or None.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> hot = hs.gistar(cells, permutations=0, quiet=True)
    >>> len(footprint(hot)) == int((cells["count"] > 0).sum())
    True
    """
    mask = footprint_mask(result)
    if mask is None:
        return None
    geometry = result.cells.geometry if is_cube(result) else result.geometry
    return geometry[mask]


def footprint_outline(result: Any) -> shapely.Geometry | None:
    """The cells with incidents merged into one (multi)polygon, or None when there are none."""
    cells = footprint(result)
    if cells is None or not len(cells):
        return None
    merged = shapely.union_all(np.asarray(cells.array))
    return None if merged.is_empty else merged
