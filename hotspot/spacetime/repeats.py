"""Repeat locations and repeat victimisation: where crime comes back, and how soon.

A *location* is a set of incidents at the same point (``distance=0``: identical coordinates)
or linked by single linkage within ``distance`` metres. :func:`repeat_location_ids` gives each
incident its location, :func:`repeat_locations` one row per location (counts, first and last
time, the median gap), and :func:`repeat_summary` the share of incidents at repeat locations
and the classic time course of repeats: how many repeats follow the previous incident at the
same location after 0, 1, 2, ... days.

Police data often place incidents on anonymised points (data.police.uk snaps them to "on or
near" map points; Toronto offsets them to the nearest intersection): a repeat location there is
a street segment or an intersection, not an address. The results say so in a ``note``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._period import incidents_period
from hotspot._result import stamp
from hotspot._validate import (
    check_incidents,
    check_integer,
    check_metres,
    incident_xy,
    report_of,
    time_resolution,
)
from hotspot.errors import HotspotInputError, HotspotWarning

__all__ = ["RepeatSummary", "repeat_location_ids", "repeat_locations", "repeat_summary"]

_NS_PER_DAY = 86_400 * 10**9
#: A location whose incidents span more than this many times ``distance`` is reported as a
#: chain grown by single linkage (a warning, and ``n_long_chains`` in the params).
CHAIN_FACTOR = 10
#: Mean incidents per distinct point from which coordinates are taken to be snapped points.
SNAPPED_MEAN = 3.0

SNAPPED_NOTES = {
    "police.uk": (
        "locations are snapped points (police.uk anonymisation): a repeat location is a street "
        "segment or area, not an address"
    ),
    "Toronto MCI": (
        "locations are offset to the nearest road intersection (Toronto Police anonymisation): "
        "a repeat location is an intersection and its surroundings, not an address"
    ),
    "heuristic": (
        "locations look like snapped points ({n:,} incidents on {m:,} distinct points, "
        "{mean:.1f} per point): a repeat location may be a street segment or area, not an address"
    ),
}
MONTH_NOTE = (
    "times are months only: day gaps are differences between month starts, so repeats within "
    "a week cannot be told from repeats within the month (share_within_7_days is NaN)"
)


# ----------------------------------------------------------------------------- public


def repeat_location_ids(incidents: gpd.GeoDataFrame, distance: float = 0) -> pd.Series:
    """The location of each incident: identical points (``distance=0``) or single linkage.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in a projected CRS in metres.
    distance : float, default 0
        ``0`` groups incidents with exactly the same coordinates. Above 0, two incidents are
        linked when they are at most ``distance`` metres apart (inclusive) and a location is a
        connected component of these links (single linkage): chains can grow far beyond
        ``distance`` along a street, and a warning says when one spans more than
        ``CHAIN_FACTOR`` (10) times ``distance``.

    Returns
    -------
    pandas.Series
        int64 location ids named ``"location_id"`` with the index of ``incidents``, numbered
        0, 1, ... in the order of each location's first row.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from hotspot.spacetime.repeats import repeat_location_ids
    >>> pts = gpd.GeoDataFrame(geometry=shapely.points([[0, 0], [5, 0], [0, 0], [100, 0]]),
    ...                        crs=27700)
    >>> repeat_location_ids(pts).tolist(), repeat_location_ids(pts, 10).tolist()
    ([0, 1, 0, 2], [0, 0, 0, 1])
    """
    func = "repeat_location_ids"
    incidents = check_incidents(incidents)
    distance = check_metres(distance, "distance", func=func, example="0 or 25", allow_zero=True)
    x, y = incident_xy(incidents)
    labels, _ = _locations(x, y, distance, func)
    return pd.Series(labels, index=incidents.index, name="location_id")


def repeat_locations(
    incidents: gpd.GeoDataFrame, distance: float = 0, *, within_days: float | None = None
) -> gpd.GeoDataFrame:
    """One row per location that has incidents, with how often and how soon crime came back.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in metres, with a datetime ``time`` column when there is one (incidents
        without a time still count at their location; they are left out of the gaps).
    distance : float, default 0
        How incidents are grouped into locations (see :func:`repeat_location_ids`).
    within_days : float, optional
        When given, a location is a repeat location only when two of its incidents are at
        most ``within_days`` days apart (elapsed time, inclusive); it needs a ``time`` column.

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``location_id`` (as :func:`repeat_location_ids`), with columns

        - ``repeat_n_incidents`` : incidents at the location (int);
        - ``repeat_n_untimed`` : of them, incidents without a time (int);
        - ``repeat_first``, ``repeat_last`` : earliest and latest time (NaT without times);
        - ``repeat_median_days`` : median of the elapsed days between consecutive timed
          incidents (NaN with fewer than two);
        - ``repeat_is_repeat`` : at least two incidents (within ``within_days`` of each other
          when given);
        - ``repeat_extent_m`` : largest distance between two of its incidents (0 for
          ``distance=0``);
        - ``geometry`` : the mean point of its incidents.

        Stamped with kind ``"clusters"``, method ``"repeat_locations"`` and the params
        ``distance``, ``within_days``, ``n_incidents``, ``n_untimed``, ``n_locations``,
        ``n_repeat_locations``, ``n_at_repeat_locations``, ``n_long_chains`` and ``note``
        (why a location may not be an address; None when nothing is to be said).

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.repeats import repeat_locations
    >>> locs = repeat_locations(hs.datasets.load_burkitt())
    >>> len(locs), int(locs["repeat_is_repeat"].sum()), int(locs["repeat_n_incidents"].sum())
    (177, 11, 188)
    """
    func = "repeat_locations"
    incidents = check_incidents(incidents)
    distance = check_metres(distance, "distance", func=func, example="0 or 25", allow_zero=True)
    if within_days is not None:
        within_days = check_metres(
            within_days, "within_days", func=func, example="7", allow_zero=True
        )
        within_days = float(within_days)
    x, y = incident_xy(incidents)
    labels, extent = _locations(x, y, distance, func)
    ns = _times_ns(incidents, func, need=within_days is not None)
    n_loc = len(extent)
    counts = np.bincount(labels, minlength=n_loc)
    timed = ns != _NAT
    untimed = np.bincount(labels[~timed], minlength=n_loc)
    gaps_loc, gaps_ns = _consecutive_gaps(labels, ns)
    first = np.full(n_loc, _NAT)
    last = np.full(n_loc, _NAT)
    if timed.any():
        big = np.full(n_loc, np.iinfo(np.int64).max)
        np.minimum.at(big, labels[timed], ns[timed])
        first = np.where(big == np.iinfo(np.int64).max, _NAT, big)
        small = np.full(n_loc, np.iinfo(np.int64).min)
        np.maximum.at(small, labels[timed], ns[timed])
        last = np.where(small == np.iinfo(np.int64).min, _NAT, small)
    gap_days = pd.Series(gaps_ns / _NS_PER_DAY)
    median = gap_days.groupby(gaps_loc).median().reindex(range(n_loc)).to_numpy()
    if within_days is None:
        is_repeat = counts >= 2
    else:
        close = gaps_ns <= round(within_days * _NS_PER_DAY)
        is_repeat = np.bincount(gaps_loc[close], minlength=n_loc) > 0
    mean_x = np.bincount(labels, weights=x, minlength=n_loc) / counts
    mean_y = np.bincount(labels, weights=y, minlength=n_loc) / counts
    out = gpd.GeoDataFrame(
        {
            "repeat_n_incidents": counts.astype(np.int64),
            "repeat_n_untimed": untimed.astype(np.int64),
            "repeat_first": pd.to_datetime(first, unit="ns"),
            "repeat_last": pd.to_datetime(last, unit="ns"),
            "repeat_median_days": median,
            "repeat_is_repeat": is_repeat,
            "repeat_extent_m": extent,
        },
        geometry=shapely.points(mean_x, mean_y),
        crs=incidents.crs,
        index=pd.RangeIndex(n_loc, name="location_id"),
    )
    params = {
        "distance": distance,
        "within_days": within_days,
        "n_incidents": len(incidents),
        "n_untimed": int((~timed).sum()),
        "n_locations": n_loc,
        "n_repeat_locations": int(is_repeat.sum()),
        "n_at_repeat_locations": int(counts[is_repeat].sum()),
        "n_long_chains": _n_long_chains(extent, distance),
        "note": snapped_note(incidents, x, y),
    }
    return stamp(
        out,
        kind="locations",
        method=func,
        params=params,
        source=incidents,
        period=incidents_period(incidents) if "time" in incidents.columns else None,
    )


@dataclass(frozen=True)
class RepeatSummary:
    """Result of :func:`repeat_summary`, in the vocabulary of :class:`hotspot._result.GlobalTest`.

    Attributes
    ----------
    statistic : float
        The share of incidents at repeat locations (:attr:`share_at_repeat_locations`).
    expected, z, pvalue : float
        NaN: the summary describes, it tests nothing.
    alternative : str
        ``"none"`` (no test).
    permutations : int
        0.
    share_at_repeat_locations : float
        Incidents at locations with at least two incidents / all incidents.
    n_incidents, n_untimed, n_locations, n_repeat_locations, n_at_repeat_locations : int
        Incidents (and of them, without a time), locations, locations with at least two
        incidents and the incidents there.
    n_pairs : int
        Repeat pairs: consecutive timed incidents at the same location (``curve`` counts them).
    share_within_7_days : float
        Share of the repeat pairs at most 7 calendar days apart (NaN without pairs, and when
        the times are months only: the load report's time resolution is "month").
    curve : pandas.DataFrame
        Indexed by ``days`` 0 .. ``max_days``: ``pairs`` (repeat pairs whose calendar dates are
        that many days apart), ``share`` (of all repeat pairs, those beyond ``max_days``
        included) and ``cumulative_share`` (pairs at most ``days`` apart / all pairs).
    top : pandas.DataFrame
        The repeat locations with the most incidents (:func:`repeat_locations`' columns).
    note : str or None
        Why a location may not be an address (snapped points) or days not be days (months).
    params : dict
        ``method`` ("repeat_summary"), ``period``, ``rng_seed`` (None), the arguments, the
        counts, ``n_pairs_beyond`` (pairs more than ``max_days`` apart), ``months_only`` and
        ``note``.
    """

    statistic: float
    share_at_repeat_locations: float
    n_incidents: int
    n_untimed: int
    n_locations: int
    n_repeat_locations: int
    n_at_repeat_locations: int
    n_pairs: int
    share_within_7_days: float
    curve: pd.DataFrame = field(repr=False)
    top: pd.DataFrame = field(repr=False)
    note: str | None = None
    params: dict[str, Any] = field(default_factory=dict, repr=False)
    expected: float = float("nan")
    z: float = float("nan")
    pvalue: float = float("nan")
    alternative: str = "none"
    permutations: int = 0

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def __str__(self) -> str:
        period = (self.params.get("period") or {}).get("label", "no dates")
        lines = [
            f"Repeat locations ({period}; distance {self.params.get('distance', 0):g} m)",
            f"  {self.n_incidents:,} incidents at {self.n_locations:,} locations; "
            f"{self.n_repeat_locations:,} locations had 2 or more incidents",
            f"  {self.share_at_repeat_locations:.1%} of incidents "
            f"({self.n_at_repeat_locations:,}) were at a repeat location",
        ]
        if self.n_pairs:
            c = self.curve["cumulative_share"]
            if self.params.get("months_only"):
                at = {0: "in the same month", 365: "within a year"}
            else:
                at = {0: "on the same day", 7: "within 7 days", 30: "within 30 days"}
                at[365] = "within a year"
            when = ", ".join(f"{c.loc[d]:.1%} {text}" for d, text in at.items() if d in c.index)
            lines.append(f"  {self.n_pairs:,} repeats (time since the previous incident): {when}")
        if self.n_untimed:
            lines.append(f"  {self.n_untimed:,} incidents without a time: counted, not timed")
        if self.note:
            lines.append(f"  Note: {self.note}.")
        if len(self.top):
            lines.append(f"  Top {len(self.top)} locations:")
            cols = ["repeat_n_incidents", "repeat_first", "repeat_last", "repeat_median_days"]
            lines.append(self.top[cols].to_string())
        return "\n".join(lines)


def repeat_summary(
    incidents: gpd.GeoDataFrame, distance: float = 0, *, max_days: int = 365, top: int = 10
) -> RepeatSummary:
    """How much crime comes back to the same place, and how soon: the repeat curve.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in metres, with a datetime ``time`` column when there is one.
    distance : float, default 0
        How incidents are grouped into locations (see :func:`repeat_location_ids`).
    max_days : int, default 365
        Last day of the curve; pairs further apart are counted in the shares' denominator
        and in ``params["n_pairs_beyond"]``.
    top : int, default 10
        How many repeat locations :attr:`RepeatSummary.top` lists (most incidents first,
        then earliest first incident).

    Returns
    -------
    RepeatSummary

    Notes
    -----
    The pairs counted are the **consecutive** timed incidents at each location: with
    incidents at times t1 <= t2 <= t3 at a location, the pairs (t1, t2) and (t2, t3), not
    (t1, t3). A location with k timed incidents gives k - 1 pairs. The gap of a pair is the
    number of calendar days between the dates of the two incidents (0: the same day), which
    is what "days since the previous incident" means to a reader. Incidents without a time
    are counted at their location but make no pair. Ties in time are ordered by row.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.repeats import repeat_summary
    >>> s = repeat_summary(hs.datasets.load_burkitt(), max_days=30)
    >>> s.n_repeat_locations, s.n_pairs, round(s.share_at_repeat_locations, 3)
    (11, 11, 0.117)
    """
    func = "repeat_summary"
    incidents = check_incidents(incidents)
    distance = check_metres(distance, "distance", func=func, example="0 or 25", allow_zero=True)
    max_days = check_integer(max_days, "max_days", minimum=0, example="365", func=func)
    top = check_integer(top, "top", minimum=0, example="10", func=func)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HotspotWarning)
        locs = repeat_locations(incidents, distance)
    for w in caught:  # re-raise under this function's name
        warnings.warn(str(w.message).replace("repeat_locations", func), HotspotWarning, 2)
    meta = locs.attrs["hotspot"]["repeat_locations"]
    x, y = incident_xy(incidents)
    labels, _ = _locations(x, y, distance, func, warn=False)
    ns = _times_ns(incidents, func, need=False)
    days = _calendar_days(ns)
    _, gap = _consecutive_gaps(labels, days)
    gap = gap.astype(np.int64)
    n_pairs = len(gap)
    pairs = np.bincount(gap[gap <= max_days], minlength=max_days + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = pairs / n_pairs if n_pairs else np.full(max_days + 1, np.nan)
    curve = pd.DataFrame(
        {
            "pairs": pairs,
            "share": share,
            "cumulative_share": np.cumsum(pairs) / n_pairs
            if n_pairs
            else np.full(max_days + 1, np.nan),
        },
        index=pd.RangeIndex(max_days + 1, name="days"),
    )
    months_only = time_resolution(incidents) == "month"
    within_7 = float((gap <= 7).sum() / n_pairs) if n_pairs and not months_only else np.nan
    repeats = locs[locs["repeat_is_repeat"]]
    order = np.lexsort((repeats["repeat_first"].to_numpy(), -repeats["repeat_n_incidents"]))
    top_table = pd.DataFrame(repeats.iloc[order[:top]])
    note = _join_notes(meta["note"], MONTH_NOTE if months_only else None)
    share = meta["n_at_repeat_locations"] / meta["n_incidents"]
    params = {
        "method": func,
        "period": locs.attrs["hotspot"]["period"],
        "rng_seed": None,
        "distance": distance,
        "max_days": max_days,
        "top": top,
        "n_incidents": meta["n_incidents"],
        "n_untimed": meta["n_untimed"],
        "n_locations": meta["n_locations"],
        "n_repeat_locations": meta["n_repeat_locations"],
        "n_at_repeat_locations": meta["n_at_repeat_locations"],
        "n_pairs": n_pairs,
        "n_pairs_beyond": int((gap > max_days).sum()),
        "n_long_chains": meta["n_long_chains"],
        "months_only": months_only,
        "note": note,
    }
    return RepeatSummary(
        statistic=share,
        share_at_repeat_locations=share,
        n_incidents=meta["n_incidents"],
        n_untimed=meta["n_untimed"],
        n_locations=meta["n_locations"],
        n_repeat_locations=meta["n_repeat_locations"],
        n_at_repeat_locations=meta["n_at_repeat_locations"],
        n_pairs=n_pairs,
        share_within_7_days=within_7,
        curve=curve,
        top=top_table,
        note=note,
        params=params,
    )


def snapped_note(
    incidents: gpd.GeoDataFrame, x: np.ndarray | None = None, y: np.ndarray | None = None
) -> str | None:
    """Why the incidents' locations may not be addresses, or None.

    The load report's schema names known anonymised exports (data.police.uk, Toronto MCI);
    otherwise, when incidents average :data:`SNAPPED_MEAN` (3) or more per distinct point,
    the points look snapped.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.repeats import snapped_note
    >>> snapped_note(hs.datasets.load_west_yorkshire())[:54]
    'locations are snapped points (police.uk anonymisation)'
    >>> snapped_note(hs.datasets.load_burkitt()) is None
    True
    """
    schema = str(getattr(report_of(incidents).get("load_report"), "schema", "") or "")
    for key in ("police.uk", "Toronto MCI"):
        if schema.startswith(key):
            return SNAPPED_NOTES[key]
    if x is None or y is None:
        x, y = incident_xy(incidents)
    n = len(x)
    m = len(np.unique(np.column_stack([x, y]), axis=0)) if n else 0
    if m and n / m >= SNAPPED_MEAN:
        return SNAPPED_NOTES["heuristic"].format(n=n, m=m, mean=n / m)
    return None


# ----------------------------------------------------------------------------- helpers

_NAT = np.iinfo(np.int64).min  # NaT as int64 nanoseconds


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _times_ns(incidents: gpd.GeoDataFrame, func: str, *, need: bool) -> np.ndarray:
    """The ``time`` column as int64 ns (``_NAT`` where missing); all missing without one."""
    if "time" not in incidents.columns:
        if need:
            raise HotspotInputError(
                f"{func}: within_days needs a datetime 'time' column; load the incidents with "
                "hotspot.read_incidents(..., time='<your date column>') or leave within_days out."
            )
        return np.full(len(incidents), _NAT, dtype=np.int64)
    times = incidents["time"]
    if not pd.api.types.is_datetime64_any_dtype(times.dtype):
        raise HotspotInputError(
            f"{func}: the 'time' column is {times.dtype}, not datetimes; load the incidents "
            "with hotspot.read_incidents(..., time='<your date column>')."
        )
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_localize(None)  # local wall-clock time, as everywhere else
    return times.dt.as_unit("ns").to_numpy().view(np.int64).copy()


def _calendar_days(ns: np.ndarray) -> np.ndarray:
    """Whole days since the epoch of each time's date (``_NAT`` stays ``_NAT``)."""
    out = np.full(len(ns), _NAT, dtype=np.int64)
    ok = ns != _NAT
    out[ok] = np.floor_divide(ns[ok], _NS_PER_DAY)
    return out


def _consecutive_gaps(labels: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Location and gap of each pair of consecutive timed incidents at the same location."""
    timed = np.flatnonzero(t != _NAT)
    lab, tt = labels[timed], t[timed]
    order = np.lexsort((timed, tt, lab))  # by location, then time, then row
    lab, tt = lab[order], tt[order]
    same = lab[1:] == lab[:-1]
    return lab[1:][same], (tt[1:] - tt[:-1])[same]


def _first_seen(comp: np.ndarray) -> np.ndarray:
    """Relabel ``comp`` 0, 1, ... in the order of each label's first row."""
    _, first, inverse = np.unique(comp, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.ravel()]


def _locations(
    x: np.ndarray, y: np.ndarray, distance: float, func: str, *, warn: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Location labels (first-seen order) and each location's extent in metres."""
    xy = np.column_stack([x, y])
    _, exact = np.unique(xy, axis=0, return_inverse=True)
    exact = exact.ravel()
    if distance == 0:
        labels = _first_seen(exact)
        return labels, np.zeros(int(labels.max()) + 1 if len(labels) else 0)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    n = len(x)
    pairs = cKDTree(xy).query_pairs(distance * (1 + 1e-9) + 1e-9, output_type="ndarray")
    pi, pj = pairs[:, 0], pairs[:, 1]
    keep = np.hypot(x[pi] - x[pj], y[pi] - y[pj]) <= distance
    graph = coo_matrix((np.ones(int(keep.sum()), np.int8), (pi[keep], pj[keep])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    labels = _first_seen(comp)
    extent = _extents(xy, labels)
    if warn:
        long = _n_long_chains(extent, distance)
        if long:
            warnings.warn(
                f"{func}: {long:,} locations span more than {CHAIN_FACTOR} × distance="
                f"{distance:g} m (the largest {extent.max():,.0f} m): single linkage chains "
                "nearby points along streets. Use a smaller distance, or distance=0 for "
                "identical points.",
                HotspotWarning,
                stacklevel=3,
            )
    return labels, extent


def _n_long_chains(extent: np.ndarray, distance: float) -> int:
    return int((extent > CHAIN_FACTOR * distance).sum()) if distance > 0 else 0


def _extents(xy: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The largest distance between two points of each label (from its convex hull)."""
    n_loc = int(labels.max()) + 1 if len(labels) else 0
    extent = np.zeros(n_loc)
    order = np.argsort(labels, kind="stable")
    hulls = shapely.convex_hull(shapely.multipoints(xy[order], indices=labels[order]))
    coords, which = shapely.get_coordinates(hulls, return_index=True)
    starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]]) if len(which) else []
    bounds = np.r_[starts, len(which)]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if b - a > 1:
            c = coords[a:b]
            d = c[:, None, :] - c[None, :, :]
            extent[which[a]] = float(np.sqrt((d**2).sum(axis=-1)).max())
    return extent
