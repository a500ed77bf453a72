"""What the reading and the reductions share: dask itself, computing, sparse tallies, places."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError
from hotspot.places import AREA_COLUMNS, area_names

#: The projected coordinates in metres in each partition of ``LazyIncidents.frame``.
X, Y = "x_m", "y_m"
#: Partition results merged by one task of a reduction tree.
SPLIT_EVERY = 8


def dask_modules() -> tuple[Any, Any]:
    """``dask`` and ``dask.dataframe``, or an install hint."""
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as err:  # pragma: no cover - the scale extra is installed in CI
        raise HotspotInputError(
            "the Dask path needs dask: install the scale extra, pip install 'hotspot[scale]'."
        ) from err
    return dask, dd


def compute(client: Any, *things: Any) -> tuple[Any, ...]:
    """Compute dask objects together (shared tasks run once) on ``client``, or on dask's
    default scheduler (a ``distributed.Client`` made before is the default)."""
    dask, _ = dask_modules()
    if client is None:
        return dask.compute(*things)
    return dask.compute(*things, scheduler=client)


def check_found_rows(lazy: Any, n_found: int, rows_kept: int) -> None:
    """Refuse a count or cube of no incidents, naming the selection when it is the cause."""
    if n_found:
        return
    label = lazy.selection_label()
    if label is not None and rows_kept:
        raise HotspotInputError(
            f"the selection where({label}) kept none of the {rows_kept:,} incidents read from "
            "the files; check the values the files hold (e.g. on the collection read_partitions "
            "gave, before where: lazy.frame['category'].unique().compute())."
        )
    raise HotspotInputError("incidents is empty: there is nothing to analyse.")


def tree_reduce(items: list[Any], combine: Any, name: str) -> Any:
    """One delayed result from many: ``combine(*group)`` over groups of ``SPLIT_EVERY``,
    level by level (no task holds more than a few partitions' results)."""
    dask, _ = dask_modules()
    merge = dask.delayed(combine, pure=True)
    level = 0
    while len(items) > 1 or level == 0:
        items = [
            merge(*items[i : i + SPLIT_EVERY], dask_key_name=f"{name}-{level}-{i}")
            for i in range(0, len(items), SPLIT_EVERY)
        ]
        level += 1
    return items[0]


def tally(keys: np.ndarray, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Sparse counts: the distinct ``keys`` (int64), how often each occurs and, with
    ``weights``, their weights' sum."""
    unique, inverse = np.unique(keys, return_inverse=True)
    out = {"keys": unique, "n": np.bincount(inverse, minlength=len(unique)).astype(np.int64)}
    if weights is not None:
        out["w"] = np.bincount(inverse, weights=weights, minlength=len(unique))
    return out


def merge_tallies(tallies: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The sum of sparse counts."""
    keys = np.concatenate([t["keys"] for t in tallies])
    unique, inverse = np.unique(keys, return_inverse=True)
    n = np.bincount(
        inverse, weights=np.concatenate([t["n"] for t in tallies]), minlength=len(unique)
    )
    out = {"keys": unique, "n": np.rint(n).astype(np.int64)}
    if all("w" in t for t in tallies) and tallies:
        w = np.concatenate([t["w"] for t in tallies])
        out["w"] = np.bincount(inverse, weights=w, minlength=len(unique))
    return out


def dense(t: dict[str, np.ndarray], size: int, what: str = "n") -> np.ndarray:
    """Sparse counts as a dense vector of ``size``."""
    values = t[what]
    out = np.zeros(size, dtype=values.dtype)
    out[t["keys"]] = values
    return out


def fsum_parts(values: np.ndarray) -> float:
    """``math.fsum`` of a partition's values, combined across partitions by fsum again."""
    return math.fsum(values.tolist())


# --------------------------------------------------------------------------------------------
# place labels (hotspot.places.place_labels) from per-partition tallies
# --------------------------------------------------------------------------------------------


def place_tally(frame: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    """What :func:`hotspot.places.place_labels` needs of a partition's rows: per area-name
    column, how many rows have each (name, x) and each (name, y)."""
    names = area_names(frame)
    if names is None:
        return None
    table = pd.DataFrame({"name": names.to_numpy(), "x": x, "y": y}).dropna()
    return {
        names.attrs["column"]: (
            table.groupby(["name", "x"]).size(),
            table.groupby(["name", "y"]).size(),
        )
    }


def merge_places(places: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """The sum of :func:`place_tally` results."""
    out: dict[str, Any] = {}
    for found in places:
        for column, (vx, vy) in (found or {}).items():
            if column in out:
                ox, oy = out[column]
                vx, vy = ox.add(vx, fill_value=0), oy.add(vy, fill_value=0)
            out[column] = (vx, vy)
    return out or None


def _median(counts: pd.Series) -> float:
    """The median of values given as (value → how many), as pandas computes it."""
    values = counts.index.to_numpy(dtype=float)
    order = np.argsort(values, kind="stable")
    values, n = values[order], counts.to_numpy()[order].astype(np.int64)
    total = int(n.sum())
    cum = np.cumsum(n)
    upper = values[np.searchsorted(cum, total // 2 + 1)]
    if total % 2:
        return float(upper)
    lower = values[np.searchsorted(cum, total // 2)]
    return float((lower + upper) / 2)


def place_records(places: dict[str, Any] | None) -> list[dict] | None:
    """Place label records (``hotspot.places.labels_to_records``) from the merged tallies:
    the first area-name column that names anything, one label per name at the median of its
    incidents, busiest first (ties in count and x: by name)."""
    if not places:
        return None
    column = next(c for c, _ in AREA_COLUMNS if c in places)
    vx, vy = places[column]
    rows = []
    for name, cx in vx.groupby(level=0, sort=True):
        cy = vy.xs(name, level=0)
        rows.append(
            {
                "name": str(name),
                "x": _median(cx.droplevel(0)),
                "y": _median(cy),
                "n": int(round(cx.sum())),
            }
        )
    rows.sort(key=lambda r: (-r["n"], r["x"]))
    return rows
