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
- a density surface is shown only where it exceeds what ``min_count − 1`` incidents could make
  (``(min_count − 1)`` × the kernel's peak), so every visible pixel rests on at least
  ``min_count`` incidents.

The statement of the rule travels in ``attrs["hotspot"]["disclosure"]`` and is printed on the map.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError

DEFAULT_MIN_COUNT = 5
COUNT_COLUMNS = ("count", "n_incidents")
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


def statement(min_count: int) -> str:
    """The rule, as printed on a public map."""
    return (
        f"Public version: cells with 1 to {min_count - 1} incidents are shown as "
        f"'fewer than {min_count}'; no individual incident locations, statistics from which "
        f"counts could be derived, or clusters of fewer than {min_count} incidents are shown."
    )


def _rule(result: Any) -> dict | None:
    return (getattr(result, "attrs", None) or {}).get("hotspot", {}).get("disclosure")


def suppressed_label(result: Any) -> str | None:
    """``"fewer than N"`` when ``result`` went through :func:`disclose`, else ``None``."""
    rule = _rule(result)
    return f"fewer than {rule['min_count']}" if rule else None


def disclosure_note(result: Any) -> str | None:
    """The statement of the rule when ``result`` went through :func:`disclose`."""
    rule = _rule(result)
    return rule["statement"] if rule else None


def is_incident_level(result: Any) -> bool:
    """Whether ``result`` holds one row per incident (points, chains of incidents)."""
    meta = getattr(result, "attrs", {}).get("hotspot", {})
    if meta.get("kind") == "incidents" or "chain_id" in meta or "load_report" in meta:
        return True
    if isinstance(result, gpd.GeoDataFrame) and len(result):
        kinds = set(result.geometry.geom_type.dropna().unique())
        return bool(kinds) and kinds <= {"Point", "MultiPoint", "LineString"}
    return False


def disclose(result: Any, min_count: int | None = None) -> Any:
    """A copy of ``result`` safe to publish (see the module's rules).

    Parameters
    ----------
    result : GeoDataFrame, xarray.DataArray or SpaceTimeCube
        Cells (counts, Gi*, LISA, emerging), a cluster summary, a density surface or a cube.
    min_count : int, default=5
        Smallest count shown as a number.

    Returns
    -------
    GeoDataFrame, xarray.DataArray or SpaceTimeCube
        The same kind of object, with the rule in ``attrs["hotspot"]["disclosure"]``.

    Raises
    ------
    HotspotInputError
        For incident-level results, which a public map never shows.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"count": [0, 3, 12]},
    ...                          geometry=[shapely.box(i, 0, i + 1, 1) for i in range(3)],
    ...                          crs=27700)
    >>> disclose(cells)["count"].tolist()
    [0.0, nan, 12.0]
    """
    min_count = DEFAULT_MIN_COUNT if min_count is None else int(min_count)
    if min_count < 2:
        raise HotspotInputError(f"min_count={min_count}: a public export needs min_count >= 2")
    if is_incident_level(result):
        raise HotspotInputError(
            "public=True cannot show an incident-level result (points or chains of individual "
            "incidents): aggregate it first, e.g. hotspot.count_incidents(incidents, grid) or "
            "hotspot.cluster_summary(clustered), or export with public=False for internal use."
        )
    rule = {"min_count": min_count, "statement": statement(min_count)}
    if getattr(result, "attrs", {}).get("hotspot", {}).get("kind") == "hotspot_table":
        out = disclose_table(result, min_count)
        out.attrs = _with_rule(result.attrs, rule)
        return out
    if hasattr(result, "dims"):  # a density surface
        return _disclose_surface(result, min_count, rule)
    if hasattr(result, "counts") and hasattr(result, "bins"):  # a space-time cube
        counts = np.asarray(result.counts, dtype=float)
        hide = (counts >= 1) & (counts < min_count)
        rule["suppressed"] = int(hide.sum())
        cells = result.cells.drop(columns=[c for c in COUNT_COLUMNS if c in result.cells])
        cells.attrs = _with_rule(result.cells.attrs, rule)  # no study area, public labels
        return dataclasses.replace(
            result,
            cells=cells,
            counts=np.where(hide, np.nan, counts),
            attrs=_with_rule(result.attrs, rule),
        )
    if not isinstance(result, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"public=True takes a result GeoDataFrame or a density surface, not "
            f"{type(result).__name__}"
        )
    out = result.drop(columns=[c for c in DROPPED_COLUMNS if c in result.columns])
    if "n_incidents" in out.columns:  # a cluster summary: small clusters go entirely
        small = out["n_incidents"].to_numpy() < min_count
        rule["dropped_clusters"] = int(small.sum())
        out = out[~small]
        if "ellipse_1sd" in out.columns:
            out = out.set_geometry("ellipse_1sd")
        for column in ("first_time", "last_time"):  # exact times of single incidents
            if column in out.columns:
                out[column] = out[column].dt.strftime("%Y-%m").astype("str")
    suppressed = 0
    for column in COUNT_COLUMNS:
        if column in out.columns:
            values = out[column].to_numpy(dtype=float)
            hide = (values >= 1) & (values < min_count)
            suppressed += int(hide.sum())
            out[column] = np.where(hide, np.nan, values)
    rule["suppressed"] = suppressed
    out.attrs = _with_rule(result.attrs, rule)
    return out


def disclose_table(table: pd.DataFrame, min_count: int = DEFAULT_MIN_COUNT) -> pd.DataFrame:
    """A ranked hot spot table (:func:`hotspot.hotspot_table`) for a public release: counts
    below ``min_count``, and their yearly rates and shares, shown as "fewer than N".

    Examples
    --------
    >>> t = pd.DataFrame({"incidents": [40, 3], "incidents_per_year": [80.0, 6.0],
    ...                   "share": [0.2, 0.015]})
    >>> disclose_table(t)["incidents"].tolist()
    [40, 'fewer than 5']
    """
    out = table.copy()
    small = out["incidents"].to_numpy(dtype=float) < min_count
    for column in ("incidents", "incidents_per_year", "share"):
        if column in out:
            out[column] = out[column].astype(object)
            out.loc[small, column] = suppressed_text(min_count)
    return out


def suppressed_text(min_count: int) -> str:
    """How a hidden count reads: "fewer than 5"."""
    return f"fewer than {min_count}"


# Place labels of a public copy sit on this grid (metres): a label at the median of an area's
# incidents must not be read as where one of them happened.
PUBLIC_LABEL_GRID = 500.0


def _public_places(places: list[dict], min_count: int) -> list[dict]:
    """Labels of areas with at least ``min_count`` incidents, moved to a coarse grid."""
    g = PUBLIC_LABEL_GRID
    return [
        {**p, "x": round(p["x"] / g) * g, "y": round(p["y"] / g) * g}
        for p in places
        if p.get("n", 0) >= min_count
    ]


def _with_rule(attrs: dict, rule: dict) -> dict:
    meta = dict(attrs.get("hotspot", {}))
    meta.pop("study_area", None)  # may be the incidents' convex hull: vertices are incidents
    meta.pop("load_report", None)
    if meta.get("places"):
        meta["places"] = _public_places(meta["places"], rule["min_count"])
    meta["disclosure"] = rule
    out = {**attrs, "hotspot": meta}
    if out.get("places"):  # a cube keeps its own attrs at the top level
        out["places"] = _public_places(out["places"], rule["min_count"])
    return out


def _disclose_surface(surface: Any, min_count: int, rule: dict) -> Any:
    from hotspot.density._kernels import peak_density
    from hotspot.density.surface import M2_PER_KM2

    meta = surface.attrs.get("hotspot", {}).get("kde", {})
    if meta.get("weights") is not None or "kernel" not in meta:
        raise HotspotInputError(
            "public=True needs an unweighted hotspot.kde() surface: the floor that keeps every "
            "visible pixel above min_count incidents is only defined for counts."
        )
    floor = (min_count - 1) * peak_density(meta["kernel"], meta["bandwidth"]) * M2_PER_KM2
    values = surface.to_numpy()
    hidden = int(np.count_nonzero((values > 0) & (values <= floor)))
    out = surface.where(surface > floor)
    rule.update(floor=float(floor), hidden_pixels=hidden)
    out.attrs = _with_rule(surface.attrs, rule)
    return out
