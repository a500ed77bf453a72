"""``space_time_cube`` on lazy incidents: one pass over the partitions.

The in-memory cube spans the data's first to last incident, which no partition knows alone.
So each partition tallies its incidents by (cell, base period) with the period as an
absolute ordinal (weeks, months, days since pandas' epoch: ``Period.ordinal``), which does
not depend on where the cube starts, and reports its first and last time; a tree of tasks
sums the tallies and the spans, and the client then knows the bins and folds the ordinals
into them (a ``"2W"`` cube adds pairs of weeks counted from its first week). Only a cube with
an ``end`` but no ``start`` and a multiple frequency (``"2W"``) needs the span first, as its
last bin depends on its first: it makes a first pass for the span. Cells are found per
partition by the cells' ``CellLocator`` (made once on the client; a regular grid's indices
only are sent to the workers), as in memory. The bins, the accounting (``incidents ==
counted + outside_cells + outside_bins + missing_time``), the coverage, the padding and the
place labels are built as :func:`hotspot.space_time_cube` builds them.
``LazyIncidents.persist()`` keeps the rows in the cluster's memory for later passes.

The frequency parsing, the bins and their coverage are ``hotspot.grid.cube``'s own
(``parse_freq``, ``bin_of``, ``coverage_of``); the tests compare every attr with the in-memory
cube's.
"""

from __future__ import annotations

import uuid
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._period import period_of_bins
from hotspot._validate import check_incident_weights
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import CellLocator, cell_locator
from hotspot.grid.cube import (
    FINER_THAN_MONTH,
    SpaceTimeCube,
    announce_cube_notes,
    bin_of,
    bins_from,
    coverage_of,
    freq_word,
    parse_freq,
)
from hotspot.scale._common import (
    X,
    Y,
    check_found_rows,
    compute,
    dask_modules,
    merge_places,
    merge_tallies,
    place_records,
    place_tally,
    tally,
    tree_reduce,
)
from hotspot.scale.count import check_lazy_inputs

__all__ = ["cube_lazy", "space_time_cube"]

_NO_TIME = np.iinfo(np.int64).min


def _times(frame: pd.DataFrame) -> pd.Series:
    times = frame["time"]
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    return times


def time_partition(frame: pd.DataFrame) -> tuple[Any, Any]:
    """First pass: a partition's first and last time (None, None without any)."""
    if not len(frame):
        return None, None
    t = _times(frame).dropna()
    return (t.min(), t.max()) if len(t) else (None, None)


def combine_times(*parts: tuple[Any, Any]) -> tuple[Any, Any]:
    found = [p for p in parts if p[0] is not None]
    if not found:
        return None, None
    return min(p[0] for p in found), max(p[1] for p in found)


#: Tally keys are ``cell << ORDINAL_BITS | (ordinal + ORDINAL_SHIFT)``: sorted by cell first,
#: so that a range of cells is a contiguous run of a sorted tally (see :func:`tally_shard`).
ORDINAL_BITS = 32
ORDINAL_SHIFT = 1 << 31


def cube_partition(
    frame: pd.DataFrame,
    locator: CellLocator,
    weights: str | None,
    period: str,
    first_ord: int | None,
    last_ord: int | None,
) -> dict[str, Any]:
    """A partition's (cell, period ordinal) tallies, first and last time, accounting,
    coverage and places.

    ``first_ord``/``last_ord`` are the first and last base periods the cube will hold when
    they are known before the pass (from ``start``/``end``); None: the data's own first or
    last, which holds every incident.
    """
    n = len(frame)
    if n == 0:
        return {"n": 0}
    times = _times(frame)
    has_time = times.notna().to_numpy()
    ordinals = np.full(n, _NO_TIME, dtype=np.int64)
    ordinals[has_time] = times[has_time].dt.to_period(period).array.asi8
    x, y = frame[X].to_numpy(dtype=float), frame[Y].to_numpy(dtype=float)
    pos, method = locator.positions(x, y), locator.method
    in_cells = pos >= 0
    in_range = has_time.copy()
    if first_ord is not None:
        in_range &= ordinals >= first_ord
    if last_ord is not None:
        in_range &= ordinals <= last_ord
    use = in_cells & in_range
    timed = in_cells & has_time
    harm = None
    if weights is not None:
        harm, _ = check_incident_weights(frame, weights, func="space_time_cube")
    shifted = ordinals[use] + ORDINAL_SHIFT
    if len(shifted) and (shifted.min() < 0 or shifted.max() >= 1 << ORDINAL_BITS):
        raise HotspotInputError(
            f"space_time_cube: times span more {period} periods than a lazy cube can key "
            "(2^31 either side of 1970); use a coarser freq."
        )
    keys = (pos[use].astype(np.int64) << ORDINAL_BITS) | shifted
    spanned = times[has_time]
    out: dict[str, Any] = {
        "n": n,
        "method": method,
        "span": (spanned.min(), spanned.max()) if len(spanned) else (None, None),
        "tally": tally(keys, None if harm is None else harm[use]),
        "counted": int(use.sum()),
        "outside_cells": int((~in_cells).sum()),
        "outside_bins": int((timed & ~in_range).sum()),
        "missing_time": int((in_cells & ~has_time).sum()),
    }
    if harm is not None:
        out["w"] = {
            "total": float(harm.sum()),
            "counted": float(harm[use].sum()),
            "outside_cells": float(harm[~in_cells].sum()),
            "outside_bins": float(harm[timed & ~in_range].sum()),
            "missing_time": float(harm[in_cells & ~has_time].sum()),
        }
    covered = times[timed].dropna()
    out["covered"] = (covered.min(), covered.max()) if len(covered) else (None, None)
    if use.any():
        out["places"] = place_tally(frame[use], x[use], y[use])
    return out


_KEYS = ("counted", "outside_cells", "outside_bins", "missing_time")


#: Grids with more cells than this sum their tallies in SHARDS ranges of cells, each by its own
#: tree: the task at the top of a tree holds a share of the cube's non-empty slots, not all of
#: them (50 million incidents on 2.4 million cells: one top task held 2.3 GiB).
SHARD_CELLS = 200_000
SHARDS = 8


def tally_shard(part: dict[str, Any], lo: int, hi: int) -> dict[str, np.ndarray]:
    """A partition's tallies of the cells in ``[lo, hi)``."""
    if not part["n"]:
        return {}
    t = part["tally"]
    # the keys are sorted (np.unique) and lead with the cell
    a, b = np.searchsorted(t["keys"], [lo << ORDINAL_BITS, hi << ORDINAL_BITS])
    return {key: values[a:b] for key, values in t.items()}


def combine_tallies(*tallies: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The sum of :func:`tally_shard` results (an empty dict: a partition with no rows)."""
    full = [t for t in tallies if t]
    if not full:
        return {}
    return merge_tallies(full)


def without_tally(part: dict[str, Any]) -> dict[str, Any]:
    """A partition's result without its tallies (summed apart, by ranges of cells)."""
    return {k: v for k, v in part.items() if k != "tally"}


def combine_cubes(*parts: dict[str, Any]) -> dict[str, Any]:
    """The sum of partitions' :func:`cube_partition` results, less their tallies."""
    full = [p for p in parts if p["n"]]
    if not full:
        return {"n": 0}
    out: dict[str, Any] = {
        "n": sum(p["n"] for p in full),
        "method": full[0]["method"],
        **{k: sum(p[k] for p in full) for k in _KEYS},
        "places": merge_places([p.get("places") for p in full]),
    }
    if "w" in full[0]:
        out["w"] = {k: sum(p["w"][k] for p in full) for k in ("total", *_KEYS)}
    for key in ("span", "covered"):
        found = [p[key] for p in full if p[key][0] is not None]
        out[key] = (min(c[0] for c in found), max(c[1] for c in found)) if found else (None, None)
    return out


def _check_found(report: Any, t_first: Any, base: str, freq: str) -> None:
    """Refuse what a pass over the partitions found unfit for a cube, as in memory."""
    if report.rows_kept == 0:
        raise HotspotInputError("incidents is empty: there is nothing to analyse.")
    if report.time_resolution == "month" and base in FINER_THAN_MONTH:
        raise HotspotInputError(
            f"these incidents are dated by month only (e.g. data.police.uk), so freq={freq!r} "
            "would pile each month into its first bin; use freq='MS' (or 'QS', 'YS')."
        )
    if t_first is None:
        raise HotspotInputError("every incident's time is missing; nothing to put in bins.")


def cube_lazy(
    lazy: Any,
    cells: gpd.GeoDataFrame,
    freq: str = "W",
    *,
    start: Any = None,
    end: Any = None,
    aoristic: bool = False,
    incident_weights: str | None = None,
    quiet: bool = False,
) -> SpaceTimeCube:
    """:func:`space_time_cube` (the work behind ``LazyIncidents.space_time_cube``)."""
    func = "space_time_cube"
    dask, _ = dask_modules()
    check_lazy_inputs(lazy, cells, incident_weights, func)
    lazy = lazy.settled_or_self()

    def again(settled: Any) -> SpaceTimeCube:
        """The cube of the collection whose partitions were read again with the whole
        archive's decisions (``LazyIncidents.settle``)."""
        return cube_lazy(
            settled,
            cells,
            freq,
            start=start,
            end=end,
            aoristic=aoristic,
            incident_weights=incident_weights,
            quiet=quiet,
        )

    period, multiple, base = parse_freq(freq, func)
    if aoristic is not False:
        raise HotspotInputError(
            f"{func}: aoristic=True is not available on lazy incidents (hotspot.scale) yet; "
            "use aoristic=False, or load the incidents in memory (lazy.compute()) for an "
            "aoristic cube."
        )
    first = bin_of(start, "start", period)
    last = bin_of(end, "end", period)
    if "time" not in lazy.columns or not pd.api.types.is_datetime64_any_dtype(
        lazy.frame.dtypes["time"]
    ):
        raise HotspotInputError(
            "incidents have no datetime 'time' column; load them with "
            "hotspot.scale.read_partitions(..., time='<your date column>')."
        )
    first_ord = None if first is None else first.ordinal
    last_ord = None if last is None else last.ordinal
    if first_ord is not None and last_ord is not None and last_ord < first_ord:
        raise HotspotInputError(
            f"space_time_cube: end={end!r} is before start={start!r}; swap them."
        )
    pass_last = last_ord
    if last_ord is not None and multiple > 1:
        # the last bin of a "2W" cube depends on its first: with no start, that is the data's
        # first time, found in a pass of its own
        if first_ord is None:
            timer = dask.delayed(time_partition, pure=True)
            span = tree_reduce(
                [timer(frame) for frame in lazy.frames],
                combine_times,
                f"hotspot-times-{dask.base.tokenize(*lazy.frames)}",
            )
            (t_first, _), reports = compute(lazy.client, span, lazy.reports)
            if (settled := lazy.settle(reports)) is not lazy:
                return again(settled)
            _check_found(lazy.summed_report(list(reports)), t_first, base, freq)
            first_ord = pd.Period(t_first, freq=period).ordinal
        if last_ord >= first_ord:
            pass_last = first_ord + ((last_ord - first_ord) // multiple + 1) * multiple - 1
    n_cells = len(cells)
    # the cells' locator, not the cells: a regular grid's indices only (see CellLocator)
    cells_task = dask.delayed(cell_locator(cells), name=f"hotspot-cells-{uuid.uuid4().hex}")
    binner = dask.delayed(cube_partition, pure=True)
    parts = [
        binner(frame, cells_task, incident_weights, period, first_ord, pass_last)
        for frame in lazy.frames
    ]
    token = dask.base.tokenize(*parts)
    shards = SHARDS if n_cells > SHARD_CELLS else 1
    edges_c = np.linspace(0, n_cells, shards + 1).astype(np.int64)
    cutter = dask.delayed(tally_shard, pure=True)
    trees = [
        tree_reduce(
            [cutter(part, int(lo), int(hi)) for part in parts],
            combine_tallies,
            f"hotspot-cube-{token}-cells-{lo}",
        )
        for lo, hi in zip(edges_c[:-1], edges_c[1:], strict=True)
    ]
    stripper = dask.delayed(without_tally, pure=True)
    found, reports, *pieces = compute(
        lazy.client,
        tree_reduce([stripper(part) for part in parts], combine_cubes, f"hotspot-cube-{token}"),
        lazy.reports,
        *trees,
    )
    if (settled := lazy.settle(reports)) is not lazy:
        return again(settled)
    report = lazy.summed_report(list(reports))
    check_found_rows(lazy, found["n"], report.rows_kept)
    t_first, t_last = found["span"]
    _check_found(report, t_first, base, freq)
    if first_ord is None:
        first_ord = pd.Period(t_first, freq=period).ordinal
    if last_ord is None:
        last_ord = pd.Period(t_last, freq=period).ordinal
    bins, edges = bins_from(first_ord, last_ord, period, multiple, start, end)
    n_bins = len(bins)
    size = n_bins * n_cells
    pieces = [piece for piece in pieces if piece]
    keys = np.concatenate([piece["keys"] for piece in pieces]) if pieces else np.empty(0, int)
    cell = keys >> ORDINAL_BITS
    slot = ((keys & ((1 << ORDINAL_BITS) - 1)) - ORDINAL_SHIFT - first_ord) // multiple
    slot = slot * n_cells + cell
    del keys, cell
    # a "2W" cube folds two weeks' tallies of a cell into one slot: add, not assign
    plain = np.zeros(size, dtype=np.int64)
    np.add.at(plain, slot, np.concatenate([p["n"] for p in pieces]) if pieces else 0)
    plain = plain.reshape(n_bins, n_cells)
    if incident_weights is None:
        counts, unweighted = plain, None
    else:
        weighted = np.zeros(size, dtype=float)
        np.add.at(weighted, slot, np.concatenate([p["w"] for p in pieces]) if pieces else 0.0)
        counts, unweighted = weighted.reshape(n_bins, n_cells), plain
    del slot, pieces
    c_first, c_last = found["covered"]
    if c_first is None:
        c_first, c_last = t_first, t_last
    partial, coverage, padding = coverage_of(c_first, c_last, edges, base)
    accounting: dict[str, Any] = {"incidents": int(found["n"])}
    accounting.update({k: int(found[k]) for k in _KEYS})
    accounting["method"] = found["method"]
    weight_accounting = None
    if incident_weights is not None:
        w = found["w"]
        weight_accounting = {
            "given_as": f"column {incident_weights!r}",
            "total": float(w["total"]),
            **{k: float(w[k]) for k in _KEYS},
        }
    announce_cube_notes(accounting, found["n"], padding, coverage, quiet=quiet)
    grid = (
        cells.attrs.get("hotspot", {}).get("grid")
        if isinstance(cells.attrs.get("hotspot"), dict)
        else None
    )
    attrs: dict[str, Any] = {
        "kind": "cube",
        "method": "space_time_cube",
        "rng_seed": None,
        "space_time_cube": {
            "freq": freq,
            "start": None if start is None else str(start),
            "end": None if end is None else str(end),
            "n_bins": n_bins,
            "n_cells": n_cells,
            "cells_found_by": found["method"],
            "aoristic": False,
            "incident_weights": None
            if incident_weights is None
            else f"column {incident_weights!r}",
        },
        "counts": accounting,
        "freq": freq,
        "start": str(bins[0]),
        "end": str(bins[-1]),
        "grid": grid,
        "period": period_of_bins(bins[0], edges[-1], freq_word(freq), n_bins),
        "coverage": coverage,
        "padding": padding,
    }
    places = place_records(found["places"]) if accounting["counted"] else None
    if places:
        attrs["places"] = places
    attrs["incidents_report"] = report.to_dict()
    if lazy.selection_label() is not None:
        attrs["selection"] = lazy.selection_label()
    if weight_accounting is not None:
        attrs["incident_weights"] = weight_accounting
    return SpaceTimeCube(
        cells=cells.copy(),
        bins=bins,
        counts=counts,
        freq=freq,
        attrs=attrs,
        partial_bins=partial,
        counts_unweighted=unweighted,
    )


def space_time_cube(
    incidents: Any,
    cells: gpd.GeoDataFrame,
    freq: str = "W",
    *,
    start: Any = None,
    end: Any = None,
    aoristic: bool = False,
    incident_weights: str | None = None,
    quiet: bool = False,
) -> SpaceTimeCube:
    """A space-time cube of lazy incidents: :func:`hotspot.space_time_cube`, per partition.

    ``hotspot.space_time_cube(lazy, cells, freq)`` comes here too; in-memory incidents go to
    :func:`hotspot.space_time_cube`.

    Parameters
    ----------
    incidents : LazyIncidents
        From :func:`hotspot.scale.read_partitions` (or in-memory incidents: passed on).
    cells : GeoDataFrame
        The cells, as in memory.
    freq, start, end, quiet
        As :func:`hotspot.space_time_cube`. Without ``start``/``end`` the bins span the
        first to the last incident, found in the same pass over the partitions as the counts.
    aoristic : bool, default=False
        Only False here: spreading time windows over bins is in memory only for now.
    incident_weights : str, optional
        The name of a column of weights; the cube's ``counts`` are then their sums (float64;
        equal to the in-memory sums up to rounding) and ``counts_unweighted`` the counts.

    Returns
    -------
    SpaceTimeCube
        The same counts, bins, partial bins and ``attrs`` (accounting, period, coverage,
        padding, places) as :func:`hotspot.space_time_cube` on the same incidents in memory,
        with the summed load report under ``incidents_report``.

    Raises
    ------
    HotspotInputError
        As :func:`hotspot.space_time_cube`; also ``aoristic=True`` and an
        ``incident_weights`` that is not a column name.

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
    >>> inc = hs.read_incidents(raw, quiet=True)
    >>> cells = hs.square_grid(inc, 2000, quiet=True)
    >>> cube = hs.space_time_cube(lazy, cells, "YS", quiet=True)
    >>> same = hs.space_time_cube(inc, cells, "YS", quiet=True)
    >>> cube.attrs["counts"]["incidents"], bool((cube.counts == same.counts).all())
    (2000, True)
    """
    if getattr(type(incidents), "is_lazy_incidents", False) is not True:
        from hotspot.grid.cube import space_time_cube as in_memory

        return in_memory(
            incidents,
            cells,
            freq,
            start=start,
            end=end,
            aoristic=aoristic,
            incident_weights=incident_weights,
            quiet=quiet,
        )
    return cube_lazy(
        incidents,
        cells,
        freq,
        start=start,
        end=end,
        aoristic=aoristic,
        incident_weights=incident_weights,
        quiet=quiet,
    )
