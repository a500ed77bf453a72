"""``count_incidents`` on lazy incidents: cells counted per partition, the tallies summed.

Each partition's rows go through the cells' :class:`~hotspot.grid.cells.CellLocator`, made
once on the client by :func:`hotspot.grid.cells.cell_locator` (what the in-memory
:func:`hotspot.count_incidents` uses, through ``cell_positions``): arithmetic binning for a regular grid from
:func:`hotspot.square_grid` / :func:`hotspot.hex_grid`, a spatial join through an STRtree for
the user's own polygons (an incident on a shared edge goes to the first cell in index order,
as in memory; a dask-geopandas ``sjoin`` would give it to every cell it touches and need a
second pass to undo that). A partition returns sparse tallies (the cells it hit and how
often), its bounds, its times' range and its place-name tallies; a tree of tasks sums them,
so no task holds more than a few partitions' results. The result is built exactly as in
memory: the same columns, the same ``attrs["hotspot"]`` (accounting, period, places, the
summed load report).
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._messages import announce
from hotspot._period import period_of
from hotspot._result import stamp
from hotspot._validate import (
    check_cells,
    check_incident_weights,
    check_same_crs,
    report_of,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import CellLocator, cell_locator
from hotspot.grid.cells import count_incidents as count_in_memory
from hotspot.scale._common import (
    X,
    Y,
    check_found_rows,
    compute,
    dask_modules,
    dense,
    fsum_parts,
    merge_places,
    merge_tallies,
    place_records,
    place_tally,
    tally,
    tree_reduce,
)

__all__ = ["count_incidents", "count_lazy"]


def check_lazy_inputs(lazy: Any, cells: Any, incident_weights: Any, func: str) -> None:
    """The checks of the in-memory function that need no data: cells, CRS, weights column."""
    check_cells(cells)
    probe = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=lazy.crs))
    check_same_crs(probe, cells, ("incidents", "cells"))
    if incident_weights is None:
        return
    if not isinstance(incident_weights, str):
        raise HotspotInputError(
            f"{func}: incident_weights= is a {type(incident_weights).__name__}; on lazy "
            "incidents (hotspot.scale) pass the name of a column of the partitions."
        )
    if incident_weights not in lazy.columns:
        have = ", ".join(map(str, lazy.columns))
        raise HotspotInputError(
            f"{func}: incident_weights={incident_weights!r} is not a column of the incidents "
            f"(columns: {have}); pass a column name, e.g. the 'harm' column of "
            "hotspot.incidents.harm_weights(incidents, table) applied to each partition."
        )


def _bounds(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float] | None:
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    return (float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max()))


def _time_range(times: pd.Series) -> tuple[Any, Any, np.ndarray]:
    """First and last time and the months (period ordinals) present."""
    t = times.dropna()
    if not len(t):
        return None, None, np.array([], dtype=np.int64)
    months = np.unique(t.dt.to_period("M").array.asi8)
    return t.min(), t.max(), months


def count_partition(
    frame: pd.DataFrame, locator: CellLocator, weights: str | None
) -> dict[str, Any]:
    """One partition's share of :func:`hotspot.count_incidents`."""
    n = len(frame)
    if n == 0:
        return {"n": 0}
    x, y = frame[X].to_numpy(dtype=float), frame[Y].to_numpy(dtype=float)
    pos, method = locator.positions(x, y), locator.method
    inside = pos >= 0
    values = None
    out: dict[str, Any] = {"n": n, "method": method, "outside": int((~inside).sum())}
    if weights is not None:
        values, _ = check_incident_weights(frame, weights, func="count_incidents")
        out["w"] = (fsum_parts(values), fsum_parts(values[inside]), fsum_parts(values[~inside]))
    out["tally"] = tally(pos[inside], None if values is None else values[inside])
    out["bounds"] = _bounds(x, y)
    if "time" in frame.columns:
        out["time"] = _time_range(frame["time"][inside])
    if inside.any():
        out["places"] = place_tally(frame[inside], x[inside], y[inside])
    return out


def combine_counts(*parts: dict[str, Any]) -> dict[str, Any]:
    """The sum of partitions' :func:`count_partition` results."""
    full = [p for p in parts if p["n"]]
    if not full:
        return {"n": 0}
    out: dict[str, Any] = {
        "n": sum(p["n"] for p in full),
        "method": full[0]["method"],
        "outside": sum(p["outside"] for p in full),
        "tally": merge_tallies([p["tally"] for p in full]),
    }
    boxes = [p["bounds"] for p in full if p["bounds"] is not None]
    out["bounds"] = (
        (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        if boxes
        else None
    )
    if "w" in full[0]:
        out["w"] = tuple(math.fsum(p["w"][k] for p in full) for k in range(3))
    if "time" in full[0]:
        times = [p["time"] for p in full if p["time"][0] is not None]
        out["time"] = (
            (
                min(t[0] for t in times),
                max(t[1] for t in times),
                np.unique(np.concatenate([t[2] for t in times])),
            )
            if times
            else (None, None, np.array([], dtype=np.int64))
        )
    out["places"] = merge_places([p.get("places") for p in full])
    return out


def _check_overlap(bounds: tuple[float, ...] | None, cells: gpd.GeoDataFrame) -> None:
    """As the in-memory count: refuse cells whose bounding box misses the incidents'."""
    cx0, cy0, cx1, cy1 = cells.total_bounds
    if bounds is None or not np.isfinite([cx0, cy0, cx1, cy1]).all():
        return
    ix0, iy0, ix1, iy1 = bounds
    gap_x = max(cx0 - ix1, ix0 - cx1, 0.0)
    gap_y = max(cy0 - iy1, iy0 - cy1, 0.0)
    if gap_x == 0 and gap_y == 0:
        return
    raise HotspotInputError(
        f"the cells (x {cx0:,.0f} to {cx1:,.0f}, y {cy0:,.0f} to {cy1:,.0f}) do not overlap "
        f"the incidents (x {ix0:,.0f} to {ix1:,.0f}, y {iy0:,.0f} to {iy1:,.0f}) at all: they "
        f"are {math.hypot(gap_x, gap_y) / 1000:,.1f} km apart (both in "
        f"{cells.crs.to_string()}), so no incident could be counted. Build the grid from "
        "these incidents' area, e.g. hotspot.square_grid(area, cell_size)."
    )


def period_times(found: tuple[Any, Any, np.ndarray], resolution: str | None) -> np.ndarray:
    """Times standing for the counted incidents' in :func:`hotspot._period.period_of`: the
    first, the last and, for month-resolution data, the start of each month present."""
    first, last, months = found
    stand_ins = [first, last]
    if resolution == "month":
        stand_ins += [pd.Period(ordinal=int(m), freq="M").start_time for m in months]
    return pd.DatetimeIndex(stand_ins).to_numpy()


def count_lazy(
    lazy: Any, cells: gpd.GeoDataFrame, *, incident_weights: str | None = None, quiet: bool = False
) -> gpd.GeoDataFrame:
    """:func:`count_incidents` (the work behind ``LazyIncidents.count_incidents``)."""
    dask, _ = dask_modules()
    check_lazy_inputs(lazy, cells, incident_weights, "count_incidents")
    lazy = lazy.settled_or_self()
    # the cells' locator, not the cells: a regular grid's indices only (see CellLocator)
    cells_task = dask.delayed(cell_locator(cells), name=f"hotspot-cells-{uuid.uuid4().hex}")
    counter = dask.delayed(count_partition, pure=True)
    parts = [counter(frame, cells_task, incident_weights) for frame in lazy.frames]
    total = tree_reduce(parts, combine_counts, f"hotspot-count-{dask.base.tokenize(*parts)}")
    found, reports = compute(lazy.client, total, lazy.reports)
    settled = lazy.settle(reports)
    if settled is not lazy:  # partitions read again with the whole archive's decisions
        return count_lazy(settled, cells, incident_weights=incident_weights, quiet=quiet)
    report = lazy.summed_report(list(reports))
    check_found_rows(lazy, found["n"], report.rows_kept)
    _check_overlap(found["bounds"], cells)
    method = found["method"]
    counts = dense(found["tally"], len(cells)).astype(np.int64)
    out = cells.copy()
    if "count" in out.columns:
        announce("cells already had a 'count' column; it was replaced", quiet=quiet)
    out["count"] = counts
    if incident_weights is not None:
        if "count_weighted" in out.columns:
            announce("cells already had a 'count_weighted' column; it was replaced", quiet=quiet)
        out["count_weighted"] = dense(found["tally"], len(cells), "w").astype(float)
    outside = int(found["outside"])
    if outside:
        far = (report_of(cells).get("grid") or {}).get("far_away") or 0
        why = (
            f" ({far:,} are the far-away incidents the grid's default study area leaves out; "
            "study_area='convex' keeps them in)"
            if far
            else ""
        )
        announce(
            f"{outside:,} of {found['n']:,} incidents lie outside every cell and were not "
            f"counted{why}; hotspot.assign_cells() shows which",
            quiet=quiet,
        )
    counted: dict[str, Any] = {
        "incidents": int(found["n"]),
        "counted": int(counts.sum()),
        "outside": outside,
        "method": method,
    }
    period = None
    if "time" in found and int(counts.sum()) and found["time"][0] is not None:
        period = period_of(
            period_times(found["time"], report.time_resolution), report.time_resolution
        )
        if period is not None:
            counted["period"] = (period["start"], period["end"])
    params: dict[str, Any] = {"column": "count", "cells_found_by": method}
    if incident_weights is not None:
        w_total, w_in, w_out = found["w"]
        counted.update(
            weights=incident_weights,
            weighted_total=w_total,
            weighted_counted=w_in,
            weighted_outside=w_out,
        )
        params.update(weighted_column="count_weighted", incident_weights=incident_weights)
    extra: dict[str, Any] = {"counts": counted, "incidents_report": report.to_dict()}
    if lazy.selection_label() is not None:
        extra["selection"] = lazy.selection_label()
    places = place_records(found["places"]) if int(counts.sum()) else None
    if places is not None:
        extra["places"] = places
    out.attrs = dict(out.attrs)
    return stamp(
        out,
        kind="cells",
        method="count_incidents",
        params=params,
        source=cells,
        period=period,
        **extra,
    )


def count_incidents(
    incidents: Any,
    cells: gpd.GeoDataFrame,
    *,
    incident_weights: str | None = None,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """Count lazy incidents per cell: :func:`hotspot.count_incidents`, reduced per partition.

    ``hotspot.count_incidents(lazy, cells)`` comes here too; in-memory incidents go to
    :func:`hotspot.count_incidents`.

    Parameters
    ----------
    incidents : LazyIncidents
        From :func:`hotspot.scale.read_partitions` (or in-memory incidents: passed on).
    cells : GeoDataFrame
        A grid from :func:`hotspot.square_grid` / :func:`hotspot.hex_grid` (binned by
        arithmetic in each partition) or any polygons (a spatial index in each partition).
    incident_weights : str, optional
        The name of a column of weights (finite, >= 0) to sum per cell as
        ``count_weighted``; arrays are not taken here (they would have to be aligned with
        rows that are not in memory).
    quiet : bool, default=False
        Do not announce incidents outside every cell.

    Returns
    -------
    GeoDataFrame
        As :func:`hotspot.count_incidents`: a copy of ``cells`` with ``count`` (and
        ``count_weighted``), ``attrs["hotspot"]["counts"]`` accounting for every kept
        incident, the counted incidents' period and place labels, and the summed load report
        under ``incidents_report``. Weighted sums are exact per partition (``math.fsum``)
        and summed across them: equal to the in-memory ones up to rounding.

    Raises
    ------
    HotspotInputError
        As :func:`hotspot.count_incidents`; also when ``incident_weights`` is not a column.

    Examples
    --------
    >>> import tempfile, pandas as pd, hotspot as hs
    >>> from hotspot import scale
    >>> from hotspot.datasets import data_path
    >>> raw = pd.read_parquet(data_path("toronto.parquet")).iloc[:2000]
    >>> folder = tempfile.mkdtemp()
    >>> raw.iloc[:1200].to_parquet(f"{folder}/a.parquet")
    >>> raw.iloc[1200:].to_parquet(f"{folder}/b.parquet")
    >>> lazy = scale.read_partitions(folder, quiet=True)
    >>> cells = hs.square_grid(hs.read_incidents(raw, quiet=True), 1000, quiet=True)
    >>> counted = hs.count_incidents(lazy, cells, quiet=True)
    >>> int(counted["count"].sum()) + counted.attrs["hotspot"]["counts"]["outside"]
    2000
    """
    if getattr(type(incidents), "is_lazy_incidents", False) is not True:
        return count_in_memory(incidents, cells, incident_weights=incident_weights, quiet=quiet)
    return count_lazy(incidents, cells, incident_weights=incident_weights, quiet=quiet)
