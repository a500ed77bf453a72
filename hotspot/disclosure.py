"""Disclosure control for public briefings, applied to the data before anything is drawn.

A public map must not let a reader find where an individual victim lives. The rules:

- no incident-level result is drawn at all (points, near-repeat chains, clustered incidents);
- a cell with 1 to ``min_count − 1`` incidents shows "fewer than ``min_count``", never its count;
- values from which counts could be solved back are dropped: Gi* and LISA z-scores, p-values and
  statistics (a map of every cell's Gi* z and the neighbour list is a linear system in the counts),
  and the cell totals of a cube;
- cluster outlines that pass through incident locations (convex hulls) are dropped, only the
  standard deviational ellipses remain (their centre columns go too, being the ellipses'
  centres), a cluster's first and last times (each the time of one incident) are given to the
  month, and clusters of fewer than ``min_count`` incidents are dropped;
- a forecast (and the patrol areas chosen from it) is shown by rank only: its expected
  incidents per cell and risk shares are dropped (a cell with no risk stays 0), since a
  forecast made from recent counts gives the counts back, whatever their size;
- a density surface (or a :func:`hotspot.kde` density on cells) is shown only where it exceeds
  what ``min_count − 1`` incidents could make (``(min_count − 1)`` × the kernel's peak), so every
  visible pixel rests on at least ``min_count`` incidents; ratios of densities and other
  densities, whose floor is not defined, are refused.

The statement of the rule travels in ``attrs["hotspot"]["disclosure"]`` and is printed on the map.

Which rule applies is read from the method that made the result (``attrs["hotspot"]["method"]``,
see :mod:`hotspot._result`), never guessed from its columns: a result without one is refused.
The maps (:mod:`hotspot.maps`) and the report (:mod:`hotspot.report`) both apply this module; the
"fewer than 5" wording, the small-count test and the public label grid live only here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._result import method_of
from hotspot._validate import check_integer
from hotspot.density import M2_PER_KM2, peak_density
from hotspot.errors import HotspotInputError

DEFAULT_MIN_COUNT = 5
COUNT_COLUMNS = ("count", "n_incidents")
# Sums over a place's incidents (harm weights): hidden wherever its incident count is small.
WEIGHTED_COLUMNS = ("count_weighted",)
# Columns that would let a reader solve the counts back, or that are incident coordinates.
DROPPED_COLUMNS = (
    "gistar_z",
    "gistar_p",
    "gistar_p_sim",
    "lisa_i",
    "lisa_z",
    "lisa_p",
    "lisa_p_sim",
    "emerging_last_z",
    "centre_x",
    "centre_y",
    "hull",
    "n_locations",
    "persistence",
)
# What disclose() does with the result of each method (``attrs["hotspot"]["method"]``).
# One row per incident, or per chain of incidents: never published.
INCIDENT_METHODS = ("read_incidents", "cluster_incidents", "near_repeat_chains")
# Cells (or other areas) holding counts and statistics: small counts hidden, statistics dropped.
CELL_METHODS = (
    "square_grid",
    "hex_grid",
    "count_incidents",
    "gistar",
    "lisa",
    "optimized_hotspots",
    "emerging_hotspots",
)
# Densities with a floor that keeps every value above min_count - 1 incidents: an unweighted
# kde (a surface, or cells with ``kde_density``).
DENSITY_METHODS = ("kde",)
# Densities whose floor is not defined (a ratio of two densities, a surface's cells, polygons
# of a surface's mass): refused, as a weighted kde is.
UNDEFINED_DENSITY_METHODS = ("dual_kde", "density_to_cells", "density_hotspots")
CLUSTER_METHODS = ("cluster_summary",)
TABLE_METHODS = ("hotspot_table",)
CUBE_METHODS = ("space_time_cube",)
# Forecasts and the patrol areas chosen from them: cells whose numbers are dropped, ranks kept.
FORECAST_METHODS = ("forecast", "allocate_patrols")
# A forecast's numbers: expected incidents per cell and shares of the total risk. A forecast
# made from recent counts gives them back (the naive forecast of one week is last week's
# count), so none is shown, small or large; a cell with no risk stays 0 (as a count of 0 does).
FORECAST_VALUE_COLUMNS = ("forecast_risk", "patrol_risk_share")
# Place labels of a public copy sit on this grid (metres): a label at the median of an area's
# incidents must not be read as where one of them happened.
PUBLIC_LABEL_GRID = 500.0


def statement(min_count: int) -> str:
    """The rule, as printed on a public map.

    Examples
    --------
    >>> statement(5)[:60]
    "Public version: cells with 1 to 4 incidents are shown as 'fe"
    """
    return (
        f"Public version: cells with 1 to {min_count - 1} incidents are shown as "
        f"'{suppressed_text(min_count)}'; no individual incident locations, statistics from "
        f"which counts could be derived, or clusters of fewer than {min_count} incidents are "
        "shown."
    )


def forecast_statement(min_count: int) -> str:
    """The rule of a public forecast or patrol map, as printed on it.

    Examples
    --------
    >>> forecast_statement(5)[:72]
    'Public version: the forecast is shown by rank (top 1 %, 1–5 %, …) only; '
    """
    return (
        "Public version: the forecast is shown by rank (top 1 %, 1–5 %, …) only; its numbers "
        "(expected incidents per cell) are not, as a forecast made from recent counts would "
        f"give the counts back. Cells with 1 to {min_count - 1} incidents are shown as "
        f"'{suppressed_text(min_count)}'; no individual incident locations are shown."
    )


def suppressed_text(min_count: int) -> str:
    """How a hidden count reads: "fewer than 5".

    Examples
    --------
    >>> suppressed_text(10)
    'fewer than 10'
    """
    return f"fewer than {min_count}"


def small_counts(values: Any, min_count: int) -> np.ndarray:
    """Which counts a public copy hides: 1 to ``min_count − 1`` (none, zero and NaN are shown).

    Examples
    --------
    >>> small_counts([0, 1, 4, 5, np.nan], 5).tolist()
    [False, True, True, False, False]
    """
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (values >= 1) & (values < min_count)


def check_min_count(min_count: object, *, func: str | None = None) -> int:
    """``min_count`` (None: the default, 5) as a whole number of at least 2.

    Examples
    --------
    >>> check_min_count(None), check_min_count(10)
    (5, 10)
    """
    if min_count is None:
        return DEFAULT_MIN_COUNT
    return check_integer(min_count, "min_count", minimum=2, example="5", func=func)


def public_label_xy(xy: Any) -> np.ndarray:
    """Label positions moved to the public label grid (:data:`PUBLIC_LABEL_GRID`, 500 m).

    Examples
    --------
    >>> public_label_xy([[430_240.0, 433_760.0]]).tolist()
    [[430000.0, 434000.0]]
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return np.round(xy / PUBLIC_LABEL_GRID) * PUBLIC_LABEL_GRID


def disclosure_rule(result: Any) -> dict | None:
    """The rule a public copy carries (``min_count``, ``statement``, …), or None.

    A cube's rule is in its own attrs, its cells' or both.
    """
    holders = [result]
    if _is_cube(result):
        holders.append(result.cells)
    for holder in holders:
        meta = (getattr(holder, "attrs", None) or {}).get("hotspot")
        rule = meta.get("disclosure") if isinstance(meta, dict) else None
        if isinstance(rule, dict):
            return rule
    return None


def suppressed_label(result: Any) -> str | None:
    """``"fewer than N"`` when ``result`` went through :func:`disclose`, else ``None``."""
    rule = disclosure_rule(result)
    return suppressed_text(rule["min_count"]) if rule else None


def disclosure_note(result: Any) -> str | None:
    """The statement of the rule when ``result`` went through :func:`disclose`."""
    rule = disclosure_rule(result)
    return rule["statement"] if rule else None


def _is_cube(result: Any) -> bool:
    return hasattr(result, "counts") and hasattr(result, "bins") and hasattr(result, "cells")


def _meta(result: Any) -> dict:
    meta = (getattr(result, "attrs", None) or {}).get("hotspot")
    return meta if isinstance(meta, dict) else {}


def result_method(result: Any) -> str | None:
    """The method that made ``result`` (:func:`hotspot._result.method_of`); a space-time cube
    that does not record one is a ``"space_time_cube"`` by its type."""
    method = method_of(result)
    if method is None and _is_cube(result):
        return "space_time_cube"
    return method


def is_incident_level(result: Any) -> bool:
    """Whether ``result`` holds one row per incident (points, chains of incidents): its method
    or kind says so, or (a safety net, which only ever refuses) its geometry is points."""
    meta = _meta(result)
    if result_method(result) in INCIDENT_METHODS or meta.get("kind") in ("incidents", "chains"):
        return True
    if "load_report" in meta:  # only incidents carry it (hotspot._result.stamp)
        return True
    if isinstance(result, gpd.GeoDataFrame) and len(result):
        kinds = set(result.geometry.geom_type.dropna().unique())
        return bool(kinds) and kinds <= {"Point", "MultiPoint", "LineString"}
    return False


def check_not_incident_level(result: Any, *, func: str = "disclose") -> None:
    """Refuse an incident-level result (:func:`is_incident_level`), which is never published.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> points = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=27700)
    >>> check_not_incident_level(points, func="export_map")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: export_map: public=True cannot show an incident-level result (points or chains of individual incidents): aggregate it first, e.g. hotspot.count_incidents(incidents, grid) or hotspot.cluster_summary(clustered), or export with public=False for internal use.
    """
    if is_incident_level(result):
        raise HotspotInputError(
            f"{func}: public=True cannot show an incident-level result (points or chains of "
            "individual incidents): aggregate it first, e.g. hotspot.count_incidents(incidents, "
            "grid) or hotspot.cluster_summary(clustered), or export with public=False for "
            "internal use."
        )


def disclose(result: Any, min_count: int | None = None) -> Any:
    """A copy of ``result`` safe to publish (see the module's rules).

    The rule applied is the one for the method that made the result
    (``attrs["hotspot"]["method"]``); the input is left as it was.

    Parameters
    ----------
    result : GeoDataFrame, xarray.DataArray or SpaceTimeCube
        Cells (counts, Gi*, LISA, emerging, a kde density), a cluster summary, a ranked hot
        spot table, a kde surface or a cube.
    min_count : int, default=5
        Smallest count shown as a number (at least 2).

    Returns
    -------
    GeoDataFrame, xarray.DataArray or SpaceTimeCube
        The same kind of object, with the rule in ``attrs["hotspot"]["disclosure"]``.

    Raises
    ------
    HotspotInputError
        For incident-level results, which a public map never shows; for a result that does not
        record the method that made it (a frame built by hand); for densities whose floor is not
        defined (weighted, ratios).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from hotspot._result import stamp
    >>> cells = gpd.GeoDataFrame({"count": [0, 3, 12]},
    ...                          geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
    ...                          crs=27700)
    >>> cells = stamp(cells, kind="cells", method="count_incidents", params={})
    >>> disclose(cells)["count"].tolist()
    [0.0, nan, 12.0]
    """
    min_count = check_min_count(min_count, func="disclose")
    method = result_method(result)
    check_not_incident_level(result, func="disclose")
    if method is None:
        raise HotspotInputError(
            f"disclose: this {type(result).__name__} does not record the method that made it "
            "(attrs['hotspot']['method']), so which values to hide cannot be decided; make it "
            "with a hotspot function (e.g. hotspot.count_incidents(incidents, cells), then "
            "hotspot.gistar(cells)), or pass kind= to export_map()/to_png() to say what it is."
        )
    rule: dict[str, Any] = {"min_count": min_count, "statement": statement(min_count)}
    if method in TABLE_METHODS:
        out = disclose_table(result, min_count)
        out.attrs = _with_rule(result.attrs, rule)
        return out
    if method in CUBE_METHODS:
        return _disclose_cube(result, min_count, rule)
    if hasattr(result, "dims"):  # a density surface
        return _disclose_surface(result, method, min_count, rule)
    if not isinstance(result, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"disclose: public=True takes a result GeoDataFrame, a density surface or a cube, "
            f"not a {type(result).__name__}."
        )
    if method in CLUSTER_METHODS:
        return _disclose_frame(_clusters(result, min_count, rule), result, min_count, rule)
    if method in DENSITY_METHODS:
        out = result.copy()
        floor = _density_floor(result, method, min_count)
        values = pd.to_numeric(out["kde_density"], errors="coerce").to_numpy(dtype=float)
        hidden = int(np.count_nonzero((values > 0) & (values <= floor)))
        rule.update(floor=floor, hidden_cells=hidden)
        out["kde_density"] = np.where(values > floor, values, np.nan)
        return _disclose_frame(out, result, min_count, rule)
    if method in CELL_METHODS:
        return _disclose_frame(result, result, min_count, rule)
    if method in FORECAST_METHODS:
        out = result.copy()
        for column in FORECAST_VALUE_COLUMNS:
            if column in out.columns:
                values = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
                out[column] = np.where(values == 0, 0.0, np.nan)
        rule["statement"] = forecast_statement(min_count)
        return _disclose_frame(out, result, min_count, rule)
    if method in UNDEFINED_DENSITY_METHODS:
        raise HotspotInputError(_undefined_floor(method))
    raise HotspotInputError(
        f"disclose: there is no public rule for a {method} result; public=True takes cells "
        f"({', '.join(CELL_METHODS + DENSITY_METHODS + FORECAST_METHODS)}), a "
        "cluster_summary, a hotspot_table, "
        "a kde surface or a space_time_cube."
    )


def _undefined_floor(method: str) -> str:
    return (
        f"disclose: public=True needs an unweighted hotspot.kde() surface or cells, not a "
        f"{method} result: the floor that keeps every visible value above min_count incidents "
        "is only defined for counts."
    )


def _clusters(summary: gpd.GeoDataFrame, min_count: int, rule: dict) -> gpd.GeoDataFrame:
    """A cluster summary without its small clusters, drawn by its ellipses, times to the month."""
    n = pd.to_numeric(summary["n_incidents"], errors="coerce").to_numpy(dtype=float)
    small = n < min_count
    rule["dropped_clusters"] = int(small.sum())
    out = summary[~small].copy()
    if "ellipse_1sd" in out.columns:
        out = out.set_geometry("ellipse_1sd")
    for column in ("first_time", "last_time"):  # exact times of single incidents
        if column in out.columns:
            out[column] = out[column].dt.strftime("%Y-%m").astype("str")
    return out


def _disclose_frame(
    frame: gpd.GeoDataFrame, source: Any, min_count: int, rule: dict
) -> gpd.GeoDataFrame:
    """``frame`` without the columns that disclose, its small counts hidden, the rule stamped
    on top of ``source``'s attrs."""
    out = frame.drop(columns=[c for c in DROPPED_COLUMNS if c in frame.columns])
    suppressed = 0
    hidden_places = np.zeros(len(out), dtype=bool)
    for column in COUNT_COLUMNS:
        if column in out.columns:
            values = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
            hide = small_counts(values, min_count)
            suppressed += int(hide.sum())
            hidden_places |= hide
            out[column] = np.where(hide, np.nan, values)
    for column in WEIGHTED_COLUMNS:
        if column in out.columns:
            if "count" not in frame.columns:  # no incident count to judge the sums by
                out = out.drop(columns=column)
                continue
            values = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float)
            out[column] = np.where(hidden_places, np.nan, values)
    rule["suppressed"] = suppressed
    out.attrs = _with_rule(source.attrs, rule)
    return out


def _disclose_cube(cube: Any, min_count: int, rule: dict) -> Any:
    """Small incident counts hidden: judged on the incidents in each (bin, cell), not on a
    weighted sum; a weighted cube's sums and its plain counts are both blanked there."""
    incidents = np.asarray(getattr(cube, "incident_counts", cube.counts), dtype=float)
    hide = small_counts(incidents, min_count)
    rule["suppressed"] = int(hide.sum())
    counted = (*COUNT_COLUMNS, *WEIGHTED_COLUMNS)
    cells = cube.cells.drop(columns=[c for c in counted if c in cube.cells])
    cells.attrs = _with_rule(cube.cells.attrs, rule)  # no study area, public labels
    changes: dict[str, Any] = {
        "cells": cells,
        "counts": np.where(hide, np.nan, np.asarray(cube.counts, dtype=float)),
        "attrs": _with_rule(cube.attrs, rule),
    }
    if getattr(cube, "counts_unweighted", None) is not None:
        changes["counts_unweighted"] = np.where(hide, np.nan, incidents)
    return dataclasses.replace(cube, **changes)


def disclose_table(table: pd.DataFrame, min_count: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """A ranked hot spot table (:func:`hotspot.hotspot_table`) for a public release: counts
    below ``min_count`` (zero too: a ranked row is a place, named by its coordinates), and their
    yearly rates and shares, shown as "fewer than N".

    Examples
    --------
    >>> t = pd.DataFrame({"incidents": [40, 3], "incidents_per_year": [80.0, 6.0],
    ...                   "share": [0.2, 0.015]})
    >>> disclose_table(t)["incidents"].tolist()
    [40, 'fewer than 5']
    """
    min_count = check_min_count(min_count, func="disclose_table")
    if "incidents" not in table.columns:
        raise HotspotInputError(
            "disclose_table: the table has no 'incidents' column (columns: "
            f"{', '.join(map(str, table.columns))}); pass the table from hotspot.hotspot_table()."
        )
    out = table.copy()
    small = pd.to_numeric(out["incidents"], errors="coerce").to_numpy(dtype=float) < min_count
    for column in ("incidents", "incidents_per_year", "share"):
        if column in out:
            out[column] = out[column].astype(object)
            out.loc[small, column] = suppressed_text(min_count)
    return out


def _public_places(places: list[dict], min_count: int) -> list[dict]:
    """Labels of areas with at least ``min_count`` incidents, moved to the public label grid."""
    kept = [p for p in places if p.get("n", 0) >= min_count]
    if not kept:
        return []
    xy = public_label_xy([(p["x"], p["y"]) for p in kept])
    return [{**p, "x": float(x), "y": float(y)} for p, (x, y) in zip(kept, xy, strict=True)]


def _with_rule(attrs: dict, rule: dict) -> dict:
    """New attrs (the input's are never changed) with the rule, no study area or load report,
    and only public place labels."""
    meta = dict(attrs.get("hotspot", {}))
    meta.pop("study_area", None)  # may be the incidents' convex hull: vertices are incidents
    meta.pop("load_report", None)
    if meta.get("places"):
        meta["places"] = _public_places(meta["places"], rule["min_count"])
    meta["disclosure"] = dict(rule)
    out = {**attrs, "hotspot": meta}
    if out.get("places"):  # a cube keeps its own attrs at the top level
        out["places"] = _public_places(out["places"], rule["min_count"])
    return out


def _density_floor(result: Any, method: str, min_count: int) -> float:
    """The highest density (per km²) that ``min_count − 1`` incidents can make: each at most
    the kernel's peak."""
    meta = _meta(result).get(method)
    meta = meta if isinstance(meta, dict) else {}
    if meta.get("weights") is not None or "kernel" not in meta or "bandwidth" not in meta:
        raise HotspotInputError(
            "disclose: public=True needs an unweighted hotspot.kde() surface or cells: the "
            "floor that keeps every visible value above min_count incidents is only defined "
            "for counts."
        )
    floor = (min_count - 1) * peak_density(meta["kernel"], meta["bandwidth"]) * M2_PER_KM2
    return float(floor)


def _disclose_surface(surface: Any, method: str, min_count: int, rule: dict) -> Any:
    if method not in DENSITY_METHODS:
        raise HotspotInputError(_undefined_floor(method))
    floor = _density_floor(surface, method, min_count)
    values = surface.to_numpy()
    hidden = int(np.count_nonzero((values > 0) & (values <= floor)))
    out = surface.where(surface > floor)
    rule.update(floor=floor, hidden_pixels=hidden)
    out.attrs = _with_rule(surface.attrs, rule)
    return out
