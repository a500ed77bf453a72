"""The ranked hot spot table: the first slide of a briefing.

Where the top hot spots are (cell centre in longitude/latitude, the area and street the data
name), how much crime they hold (incidents, per year, share of all), how confident the
statistics are, and which way they are trending.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._period import years_covered
from hotspot._result import stamp
from hotspot._validate import check_cells, check_integer, check_value_column
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import cell_positions
from hotspot.places import area_names, location_texts

CONFIDENCE = {3: "99 %", 2: "95 %", 1: "90 %", 0: "not significant", -1: "cold, 90 %"}
CONFIDENCE.update({-2: "cold, 95 %", -3: "cold, 99 %"})
COLUMNS = (
    "rank",
    "cell_id",
    "lon",
    "lat",
    "area",
    "location",
    "incidents",
    "incidents_per_year",
    "share",
    "confidence",
    "emerging_category",
    "trend",
)


def _most_common(values: pd.Series, groups: np.ndarray, wanted: np.ndarray) -> list[Any]:
    """The most common value of ``values`` in each wanted group (None where there is none)."""
    frame = pd.DataFrame({"group": groups, "value": values.to_numpy()})
    frame = frame[np.isin(frame["group"], wanted)].dropna()
    if frame.empty:
        return [None] * len(wanted)
    counts = frame.groupby(["group", "value"], sort=False).size().reset_index(name="n")
    counts = counts.sort_values(["group", "n", "value"], ascending=[True, False, True])
    top = counts.drop_duplicates("group").set_index("group")["value"]
    return [top.get(g) for g in wanted]


def _trend_words(emerging: gpd.GeoDataFrame, ids: pd.Index) -> tuple[list[Any], list[Any]]:
    meta = emerging.attrs.get("hotspot", {}).get("emerging", {})
    alpha = meta.get("alpha", 0.05)
    found = emerging.reindex(ids)
    category = found["emerging_category"].astype(object).where(found.index.isin(emerging.index))
    p, tau = found["emerging_trend_p"].to_numpy(), found["emerging_trend_tau"].to_numpy()
    words = np.where(
        np.isnan(p), None, np.where(p < alpha, np.where(tau > 0, "rising", "falling"), "no trend")
    )
    return category.tolist(), words.tolist()


def _id_order(index: pd.Index) -> np.ndarray:
    """Each row's place among the sorted cell ids (ties in the ranking go to the smaller id,
    whatever the order of the rows); row order when the ids cannot be sorted."""
    try:
        order = np.argsort(index.to_numpy(), kind="stable")
    except TypeError:
        return np.arange(len(index))
    place = np.empty(len(index), dtype=np.int64)
    place[order] = np.arange(len(index))
    return place


def hotspot_table(
    result: gpd.GeoDataFrame,
    n: int = 20,
    *,
    incidents: gpd.GeoDataFrame | None = None,
    emerging: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """The top ``n`` hot spots, ranked, with where they are and how they are changing.

    Cells that are Gi* hot spots come first, the busiest first (most incidents, then the higher
    confidence, then the smaller cell id, so ties are broken the same way whatever the order of
    the rows); after them, if
    ``n`` asks for more, the busiest of the other cells. Without a ``gistar_bin`` column (plain
    counts) the cells are ranked by incidents alone.

    Parameters
    ----------
    result : GeoDataFrame
        Cells from :func:`hotspot.gistar` (or :func:`hotspot.count_incidents`), with ``count``.
    n : int, default=20
        Rows in the table.
    incidents : GeoDataFrame, optional
        The incidents counted into ``result``: gives each cell's most common area name (police.uk
        district, Toronto neighbourhood) and street text ("On or near Briggate") when the data
        have them.
    emerging : GeoDataFrame, optional
        :func:`hotspot.emerging_hotspots` on the same cells: adds the emerging category and the
        trend ("rising", "falling", "no trend": the Mann–Kendall test at the analysis's alpha).

    Returns
    -------
    DataFrame
        Columns ``rank``, ``cell_id``, ``lon``, ``lat`` (the cell centre, WGS 84), ``area``,
        ``location``, ``incidents``, ``incidents_per_year`` (over the days the result's period
        covers), ``share`` (of all incidents counted), ``confidence``, ``emerging_category``,
        ``trend``. A new frame whose rows are cells, stamped (:mod:`hotspot._result`) with
        kind ``"cells"`` and method ``"hotspot_table"``: ``attrs["hotspot"]["hotspot_table"]``
        records ``n``, what the rows are ranked by and the basis of the yearly rate
        (``per_year_basis``, also at the top level with ``ranked_by``); ``period`` is the
        result's.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 1000, quiet=True), quiet=True)
    >>> hot = hs.gistar(cells, permutations=99, rng=0, quiet=True)
    >>> table = hs.hotspot_table(hot, 5, incidents=inc)
    >>> table.loc[0, ["area", "confidence"]].tolist(), int(table.loc[0, "rank"])
    (['Leeds', '99 %'], 1)
    """
    if not isinstance(result, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"hotspot_table: result= is a {type(result).__name__}, not a GeoDataFrame; pass the "
            "cells from hotspot.gistar(cells) or hotspot.count_incidents(incidents, cells)."
        )
    check_cells(result, require_crs=True)
    counts = check_value_column(
        result,
        "count",
        varying=False,
        fix="pass the cells from hotspot.count_incidents() or hotspot.gistar()",
        func="hotspot_table",
    )
    n = check_integer(
        n, "n", minimum=1, example="20 (a positive whole number of rows)", func="hotspot_table"
    )
    if emerging is not None:
        _check_emerging(emerging)
    bins = (
        result["gistar_bin"].to_numpy().astype(int)
        if "gistar_bin" in result.columns
        else np.zeros(len(result), dtype=int)
    )
    order = np.lexsort((_id_order(result.index), -bins, -np.nan_to_num(counts), bins <= 0))
    top = order[:n]
    chosen = result.iloc[top]
    centres = chosen.geometry.centroid.to_crs(4326)
    total = float(np.nansum(counts))
    years = years_covered(result)
    table = pd.DataFrame(
        {
            "rank": np.arange(1, len(top) + 1),
            "cell_id": chosen.index.to_numpy(),
            "lon": centres.x.round(5).to_numpy(),
            "lat": centres.y.round(5).to_numpy(),
            "area": None,
            "location": None,
            "incidents": counts[top],
            "incidents_per_year": counts[top] / years if years else np.nan,
            "share": counts[top] / total if total else np.nan,
            "confidence": [CONFIDENCE.get(int(b), "") for b in bins[top]]
            if "gistar_bin" in result.columns
            else None,
            "emerging_category": None,
            "trend": None,
        },
        columns=list(COLUMNS),
    )
    if incidents is not None:
        positions, _ = cell_positions(incidents, result)
        for column, values in (
            ("area", area_names(incidents)),
            ("location", location_texts(incidents)),
        ):
            if values is not None:
                table[column] = _most_common(values, positions, top)
    if emerging is not None:
        category, trend = _trend_words(emerging, chosen.index)
        table["emerging_category"], table["trend"] = category, trend
    if np.isfinite(table["incidents"]).all():
        table["incidents"] = table["incidents"].astype(np.int64)
    table = table.dropna(axis=1, how="all")
    period = (result.attrs.get("hotspot") or {}).get("period")
    record = {
        "n": n,
        "ranked_by": "Gi* hot spots first, then incidents"
        if "gistar_bin" in result.columns
        else "incidents",
        "per_year_basis": (
            f"{period['days']:,} days of data ({period['label']})" if years else None
        ),
        "incidents": incidents is not None,
        "emerging": emerging is not None,
    }
    table.attrs = {}
    return stamp(
        table,
        kind="cells",
        method="hotspot_table",
        params=record,
        period=period,
        ranked_by=record["ranked_by"],
        per_year_basis=record["per_year_basis"],
    )


def _check_emerging(emerging: Any) -> None:
    """``emerging=`` must be an emerging hot spot result with its category and trend."""
    fix = "pass the result of hotspot.emerging_hotspots(cube) on the same cells"
    if not isinstance(emerging, pd.DataFrame):
        raise HotspotInputError(
            f"hotspot_table: emerging= is a {type(emerging).__name__}, not a GeoDataFrame; {fix}."
        )
    needed = ("emerging_category", "emerging_trend_p", "emerging_trend_tau")
    missing = [c for c in needed if c not in emerging.columns]
    if missing:
        raise HotspotInputError(
            f"hotspot_table: emerging= has no {missing[0]!r} column (columns: "
            f"{', '.join(map(str, emerging.columns))}); {fix}."
        )
