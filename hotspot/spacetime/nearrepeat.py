"""Near-repeat analysis: the Knox test on distance x time bands, and near-repeat chains.

The Knox test counts the pairs of incidents that are close in both space and time and compares
the counts with those obtained when the times are shuffled among the incidents (which keeps
where crime happens and when it happens, and breaks only the link between the two). It is the
method of Ratcliffe's Near Repeat Calculator (NRC); :func:`knox_test` gives the same table with
exact band labels, permutation p-values and z-scores, in memory that grows with the number of
pairs within the largest distance band, not with the square of the number of incidents.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._period import context_of, incidents_period
from hotspot._progress import progress_bar, show_progress
from hotspot._result import stamp
from hotspot._validate import (
    check_choice,
    check_incidents,
    check_integer,
    check_memory,
    check_permutation_count,
    check_permutations,
    check_rng,
    format_bytes,
    incident_xy,
)
from hotspot.errors import HotspotInputError
from hotspot.spacetime._kernels import (
    PairGrid,
    band_totals,
    candidate_pairs,
    chain_roots,
    fill_pairs,
    neighbour_counts,
    pair_grid,
    pair_offsets,
    pairs_within_time,
    permuted_counts,
)

__all__ = ["KnoxResult", "knox_test", "near_repeat_chain_ids", "near_repeat_chains"]

_NS_PER_DAY = 86_400 * 10**9
_CHUNK = 32  # permutations per kernel call: bounds memory to _CHUNK * n int32 permutations
#: Bytes of :func:`knox_test`'s peak memory per pair within the last distance band (an int32
#: point number and an int8 distance band) ...
PAIR_BYTES = 5
#: ... and per incident (coordinates, grid order and cells, row offsets, times, a chunk of 32
#: permutations twice, one time array per thread), for its memory estimate.
INCIDENT_BYTES = 512
_SAMPLE = 20_000  # at most this many incidents' neighbours are counted for the pair estimate
_SAMPLE_WORK = 50_000_000  # ... and at most about this many distances computed for it
#: Band label styles of :meth:`KnoxResult.nrc_table` and :func:`hotspot.maps.knox.knox_plot`.
LABELS = ("exact", "nrc")
#: Distances between incidents :func:`knox_test` offers.
METRICS = ("euclidean", "manhattan")
TIMES = ("start", "midpoint")
"""Which time of an incident recorded with a window :func:`knox_test` uses."""


@dataclass(frozen=True)
class KnoxResult:
    """Result of :func:`knox_test`: pair counts per distance band (rows) x time band (columns),
    in the vocabulary of :class:`hotspot._result.GlobalTest`, one table per quantity.

    Attributes
    ----------
    statistic : pandas.DataFrame
        Number of unordered pairs of incidents in each (distance band, time band) cell (int):
        the observed counts. :attr:`observed` is the same table.
    expected : pandas.DataFrame
        Mean count over the permutations (NaN when ``permutations=0``).
    z : pandas.DataFrame
        ``(observed - expected) / sd`` of the permuted counts (``ddof=1``; NaN where sd is 0).
    pvalue : pandas.DataFrame
        One-sided ``(k + 1) / (P + 1)``, ``k`` the number of the ``P`` permutations whose count
        is at least the observed one (small p: more close pairs than chance, a near repeat).
    alternative : str
        ``"greater"``: the test asks whether there are more pairs than chance gives.
    permutations : int
        Random permutations of the times behind ``expected``, ``z`` and ``pvalue``.
    ratio : pandas.DataFrame
        ``observed / expected`` (the NRC's "Knox ratio"; NaN where expected is 0).
    null_distribution : numpy.ndarray
        The permuted counts, shape ``(permutations, n_rows, n_columns)``, int64.
    params : dict
        ``method`` ("knox_test"), ``period`` (of the incidents' times), ``rng_seed``, the
        arguments, the band edges, the number of incidents and of pairs.

    Notes
    -----
    ``observed`` stays as a plain alias of ``statistic``: it is what the Near Repeat
    Calculator calls the table. ``zscore`` is the old name of ``z`` and warns
    (FutureWarning) until it goes in 0.3.
    """

    statistic: pd.DataFrame
    expected: pd.DataFrame
    z: pd.DataFrame
    pvalue: pd.DataFrame
    ratio: pd.DataFrame
    null_distribution: np.ndarray = field(repr=False)
    params: dict[str, Any] = field(repr=False)
    alternative: str = "greater"
    permutations: int = 0

    @property
    def observed(self) -> pd.DataFrame:
        """The observed pair counts: :attr:`statistic` under the Near Repeat Calculator's name."""
        return self.statistic

    @property
    def zscore(self) -> pd.DataFrame:
        """Deprecated: :attr:`z`."""
        warnings.warn(
            "KnoxResult.zscore is now KnoxResult.z; the old name will stop working in 0.3.",
            FutureWarning,
            stacklevel=2,
        )
        return self.z

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def nrc_table(
        self, *, labels: str = "exact", decimals: int = 2, marks: bool = True
    ) -> pd.DataFrame:
        """The Knox ratios as strings with significance marks, like the Near Repeat Calculator.

        Parameters
        ----------
        labels : {"exact", "nrc"}, default "exact"
            ``"exact"`` labels each band with the interval it counts (``"over 100 to 200 m"``
            is ``100 < d <= 200``; ``"0 to 7 days"`` is ``0 <= dt <= 7``). ``"nrc"`` copies
            the calculator's labels (``"Same location"``, ``"1 to 100 m"``, ``"101 to 200 m"``,
            ``"0 to 7 days"``, ``"8 to 14 days"``, ``"More than 400 m"``), which name the
            intervals as if distances were whole metres and times whole days; they describe
            the same half-open intervals ``(100, 200]``, ``(7, 14]``.
        decimals : int, default 2
            Decimals of the ratio.
        marks : bool, default True
            Append ``**`` when ``pvalue < 0.01`` and ``*`` when ``pvalue < 0.05``.

        Returns
        -------
        pandas.DataFrame
            Strings, same shape as :attr:`statistic`; ``print()`` it for the table.

        Examples
        --------
        >>> import hotspot as hs
        >>> from hotspot.spacetime.nearrepeat import knox_test
        >>> b = hs.datasets.load_burkitt()
        >>> res = knox_test(b, distance_bands=(0, 20000, 40000), time_bands=(0, 5, 10),
        ...                 permutations=99, rng=0)
        >>> res.nrc_table(labels="nrc").shape
        (4, 3)
        """
        func = "KnoxResult.nrc_table"
        labels = check_choice(labels, "labels", LABELS, func=func)
        decimals = check_integer(decimals, "decimals", minimum=0, example="2", func=func)
        ratio = self.ratio.to_numpy()
        pval = self.pvalue.to_numpy()
        text = np.empty(ratio.shape, dtype=object)
        for idx in np.ndindex(ratio.shape):
            r = ratio[idx]
            s = "-" if not np.isfinite(r) else f"{r:.{decimals}f}"
            if marks and np.isfinite(pval[idx]):
                s += "**" if pval[idx] < 0.01 else "*" if pval[idx] < 0.05 else ""
            text[idx] = s
        p = self.params
        rows, cols = _band_labels(
            p["distance_bands"], p["time_bands"], p["same_location"], style=labels
        )
        return pd.DataFrame(
            text,
            index=pd.Index(rows, name="distance"),
            columns=pd.Index(cols, name="time"),
        )

    def plot(self, *, ax: Any = None, labels: str = "nrc", title: str | None = None) -> Any:
        """The Knox ratios as a heat table (red above 1, blue below) with significance marks.

        Draws with :func:`hotspot.maps.knox.knox_plot`, which needs matplotlib
        (``pip install 'hotspot[notebooks]'``). Returns the matplotlib Axes.

        Examples
        --------
        >>> import hotspot as hs
        >>> res = hs.knox_test(hs.datasets.load_burkitt(), distance_bands=(0, 20000, 40000),
        ...                    time_bands=(0, 5, 10), permutations=19, rng=0)
        >>> len(res.plot().texts)
        12
        """
        from hotspot.maps.knox import knox_plot

        return knox_plot(self, ax=ax, labels=labels, title=title)


def knox_test(
    incidents: gpd.GeoDataFrame,
    *,
    distance_bands: Sequence[float] = (0, 100, 200, 300, 400),
    time_bands: Sequence[float] = (0, 7, 14, 21, 28),
    permutations: int = 999,
    metric: str = "euclidean",
    same_location: bool = True,
    time: str = "start",
    rng: None | int | np.random.Generator = None,
    progress: bool | None = None,
    memory_budget: int | None = None,
) -> KnoxResult:
    """Knox test for near repeats over several distance and time bands (Near Repeat Calculator).

    Every unordered pair of incidents is placed in one cell of a table of distance bands (rows)
    by time bands (columns). The null distribution shuffles the times among the incidents
    (``permutations`` random permutations of the ``time`` column), which keeps the spatial
    pattern and the time series and removes any space-time interaction.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in a projected CRS in metres with a datetime ``time`` column (from
        :func:`hotspot.read_incidents`). No missing times.
    distance_bands : sequence of float, default (0, 100, 200, 300, 400)
        Increasing edges in metres, starting at 0. Band ``k`` counts pairs at distance
        ``edge[k] < d <= edge[k+1]`` ("over 100 to 200 m"); the first band also includes
        ``d = 0`` unless `same_location`. A last row counts the pairs farther than the last edge.
    time_bands : sequence of float, default (0, 7, 14, 21, 28)
        Increasing edges in days, starting at 0. The first band is ``0 <= |dt| <= edge[1]``
        ("0 to 7 days"), band ``k`` is ``edge[k] < |dt| <= edge[k+1]`` ("over 7 to 14 days"),
        and a last column counts the pairs more than the last edge apart. ``|dt|`` is the
        exact difference of the ``time`` values (fractions of a day count).
    permutations : int, default 999
        Number of random permutations of the times (0: observed counts only). The default is
        999, where :func:`hotspot.emerging_hotspots` defaults to 0, because the Knox table has
        no analytical null here: its p-values come from the permutations alone.
    metric : {"euclidean", "manhattan"}, default "euclidean"
        Distance between incidents; Manhattan (|dx| + |dy|) approximates travel on a street
        grid, the Near Repeat Calculator's other option.
    same_location : bool, default True
        Add a first row for pairs at exactly the same point (``d == 0``), as the NRC does;
        the next row is then ``0 < d <= edge[1]``.
    time : {"start", "midpoint"}, default "start"
        For incidents recorded with a time window (``time_start`` to ``time_end``, from
        :func:`hotspot.read_incidents`): ``"start"`` uses the window's start, the recorded
        "from" (the ``time`` column), which is what the police wrote and what the other
        functions use; ``"midpoint"`` uses the middle of the window, the Near Repeat
        Calculator's usual way with windows (it takes one time per incident, and analysts
        feed it the midpoint). The midpoint is a time no one reported, and for long windows
        (a burglary found after a fortnight away) it can be a week from the start, so the
        default keeps the recorded start; with short windows the two agree to within hours
        and the day-scale bands barely change. Incidents without a window (``time_end`` NaT,
        or no window columns at all) use ``time`` either way.
    rng : None, int or numpy.random.Generator, default None
        Seed or generator for the permutations (the global numpy seed is never used).
    progress : bool or None, default None
        Show a progress bar of the permutations (a terminal bar, a widget in JupyterLab).
        ``None``: only when the work is long (permutations × pairs above a few seconds' worth).
    memory_budget : int or None, default None
        Bytes the test may allocate (the pair list, the per-incident arrays and the null
        distribution; see Notes). ``None``: the memory this process can still use
        (:func:`hotspot._validate.available_memory`). The number of pairs within the last
        distance band is estimated before anything per pair is allocated, and counted exactly
        before the list is filled; either above the budget raises with the numbers.

    Returns
    -------
    KnoxResult
        ``statistic`` (the observed counts, also ``observed``), ``expected``, ``z``, ``pvalue``
        and ``ratio`` DataFrames (rows: distance bands in increasing order, same-location
        first, beyond-the-last-band last; columns: time bands, beyond last), ``alternative``
        ("greater"), ``permutations``, ``null_distribution``, ``params`` (``method``,
        ``period``, ``rng_seed`` and the arguments), :meth:`KnoxResult.nrc_table` and
        :meth:`KnoxResult.plot`.

    Raises
    ------
    TypeError
        `incidents` is not a GeoDataFrame.
    HotspotInputError
        Bad bands, permutations, metric, same_location, time, rng or memory_budget (naming the
        parameter), no or missing times, fewer than 2 incidents, a geographic CRS; pairs
        within the last distance band that would need more memory than `memory_budget` (or
        than is available), with the estimate and what to change.

    See Also
    --------
    near_repeat_chains : the incidents linked by near repeats, chain by chain.

    Notes
    -----
    Only the pairs within the last finite distance band are listed, once, and only their
    places matter: a permutation moves the times among the incidents, so the pairs close in
    space stay the same and only their time differences change. The incidents are sorted
    into square cells of side a little over the last distance edge; a compiled pass counts
    each incident's close neighbours in its own and the neighbouring cells (no pair stored),
    then a second pass writes them into arrays allocated once at their exact size: an int32
    neighbour and an int8 distance band, ``PAIR_BYTES`` = 5 bytes a pair, plus about
    ``INCIDENT_BYTES`` = 512 bytes an incident. Before the first pass the number of pairs is
    estimated from the neighbours of up to 20,000 incidents spread over the cells (exact for
    smaller data); the test refuses, with the estimate, when the pairs, the incidents and the
    null distribution would need more than `memory_budget`. For Toronto's 239,935 incidents
    from 2014 there are 115 million pairs within 500 m: 0.7 GB (the listing with a k-d
    tree this replaced peaked at 41 bytes a pair, 4.5 GB). Each permutation re-bins only the
    pairs' time differences (a compiled numba loop, parallel over permutations; 999
    permutations of the 5.4 million pairs within 500 m of Toronto's 54,650 break-ins take
    about 20 s on two cores).
    The "beyond the last distance" row is the per-time-band total over all ``n(n-1)/2`` pairs,
    which no permutation changes and is counted from the sorted times in O(n log n), minus the
    listed pairs. Permutations are drawn in chunks of 32, so memory does not grow with
    `permutations` beyond the ``permutations x rows x columns`` null counts.

    The exact permutation mean of a cell is ``row total x column total / n_pairs`` (every pair
    gets a uniformly random pair of times); ``expected`` is the Monte-Carlo mean, as the NRC's.

    References
    ----------
    Knox, G. (1964). The detection of space-time interactions. Journal of the Royal Statistical
    Society C, 13(1), 25-30.

    Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3). Temple University.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.nearrepeat import knox_test
    >>> b = hs.datasets.load_burkitt()
    >>> res = knox_test(b, distance_bands=(0, 20000), time_bands=(0, 5),
    ...                 same_location=False, permutations=99, rng=0)
    >>> int(res.observed.iloc[0, 0])  # 13 pairs within 20 km and 5 days
    13
    >>> list(res.observed.index)
    ['0 to 20000 m', 'over 20000 m']
    """
    func = "knox_test"
    incidents = check_incidents(incidents)
    d_edges = _check_bands(distance_bands, "distance_bands", "metres", func=func)
    t_edges = _check_bands(time_bands, "time_bands", "days", func=func)
    permutations = check_permutation_count(permutations, func=func)
    metric = check_choice(metric, "metric", METRICS, func=func)
    which = check_choice(time, "time", TIMES, func=func)
    if not isinstance(same_location, bool | np.bool_):
        raise HotspotInputError(
            f"{func}: same_location={same_location!r} must be True or False; True counts the "
            "pairs at exactly one place in a row of their own, as the Near Repeat Calculator."
        )
    gen, seed = check_rng(rng, func=func)
    if memory_budget is not None:
        memory_budget = check_integer(
            memory_budget, "memory_budget", minimum=1, example="2 * 10**9 (2 GB)", func=func
        )
    n_table = (len(d_edges) + int(bool(same_location))) * len(t_edges)  # the null's shape
    check_permutations(permutations, n_table, 16, what="the Knox table")
    x, y = incident_xy(incidents)
    t = _times_ns(incidents, func)
    n_midpoints = 0
    if which == "midpoint":
        t, n_midpoints = _midpoints_ns(incidents, t)
    n = len(t)
    if n < 2:
        raise HotspotInputError(f"{func}: needs at least 2 incidents to form a pair.")

    # the pairs within the largest finite distance band, with their distance band: estimated,
    # counted, then listed into arrays of their exact size (5 bytes a pair)
    r = float(d_edges[-1])
    manhattan = metric == "manhattan"
    n_finite = len(d_edges) - 1 + int(same_location)
    fixed = n * INCIDENT_BYTES + 2 * permutations * n_table * 8  # incidents, the null and stats
    grid = pair_grid(x, y, r)
    estimate, sample = _estimate_pairs(grid, r, manhattan)
    _check_pair_memory(estimate, fixed, n, r, memory_budget, sample=sample, func=func)
    offsets = pair_offsets(grid, r, manhattan)
    n_listed = int(offsets[-1])
    _check_pair_memory(n_listed, fixed, n, r, memory_budget, sample=n, func=func)
    nb, band = fill_pairs(grid, offsets, r, manhattan, d_edges[1:], bool(same_location))
    order = grid.order.astype(np.int32 if n < 2**31 else np.int64)
    del grid
    row_totals = band_totals(band, n_finite)

    t_ns = np.rint(t_edges[1:] * _NS_PER_DAY).astype(np.int64)
    n_t = len(t_ns) + 1
    # per-time-band totals over all pairs (permutation-invariant)
    within = pairs_within_time(np.sort(t), t_ns)
    n_pairs = n * (n - 1) // 2
    col_total = np.diff(np.concatenate([[0], within, [n_pairs]]))

    def full(counts: np.ndarray) -> np.ndarray:
        beyond = col_total[None, :] - counts.sum(axis=1)
        return np.concatenate([counts, beyond[:, None, :]], axis=1)

    def counts_of(perms: np.ndarray) -> np.ndarray:
        # the permuted incident of each point in grid order
        return full(permuted_counts(offsets, nb, band, t, perms, t_ns, row_totals))

    identity = np.arange(n, dtype=np.int32)[None, :]
    obs = counts_of(order[None, :])[0]
    null = np.empty((permutations, n_finite + 1, n_t), dtype=np.int64)
    show = show_progress(progress, float(permutations) * n_listed)
    with progress_bar(permutations, "Knox permutations", show, unit="perm") as bar:
        for start in range(0, permutations, _CHUNK):
            stop = min(start + _CHUNK, permutations)
            perms = gen.permuted(np.broadcast_to(identity, (stop - start, n)), axis=1)
            null[start:stop] = counts_of(np.take(perms, order, axis=1))
            del perms
            bar.update(stop - start)

    with np.errstate(divide="ignore", invalid="ignore"):
        if permutations:
            expected = null.mean(axis=0)
            sd = null.std(axis=0, ddof=1) if permutations > 1 else np.zeros_like(expected)
            pvalue = ((null >= obs[None]).sum(axis=0) + 1.0) / (permutations + 1.0)
            z = np.where(sd > 0, (obs - expected) / sd, np.nan)
        else:
            expected = pvalue = z = np.full(obs.shape, np.nan)
        ratio = np.where(expected > 0, obs / expected, np.nan)

    rows, cols = _band_labels(d_edges, t_edges, bool(same_location), style="frame")

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            values, index=pd.Index(rows, name="distance"), columns=pd.Index(cols, name="time")
        )

    params = {
        "method": func,
        "period": incidents_period(incidents),
        "rng_seed": seed,
        "distance_bands": tuple(float(v) for v in d_edges),
        "time_bands": tuple(float(v) for v in t_edges),
        "permutations": permutations,
        "same_location": bool(same_location),
        "metric": metric,
        "time": which,
        "n_windows_at_midpoint": n_midpoints,
        "n_incidents": n,
        "n_pairs": n_pairs,
        "n_pairs_listed": n_listed,
        "n_pairs_listed_estimate": estimate,
        "estimate_sample": sample,
        "memory_budget": memory_budget,
        "distance_unit": "m",
        "time_unit": "days",
    }
    return KnoxResult(
        statistic=frame(obs),
        expected=frame(expected),
        z=frame(z),
        pvalue=frame(pvalue),
        ratio=frame(ratio),
        null_distribution=null,
        params=params,
        alternative="greater",
        permutations=permutations,
    )


def near_repeat_chain_ids(incidents: gpd.GeoDataFrame, distance: float, days: float) -> pd.Series:
    """The near-repeat chain of each incident (``-1``: in no chain).

    Two incidents are linked when they are at most `distance` metres and at most `days` days
    apart (both inclusive); a chain is a connected component of these links with at least two
    incidents. Chains are numbered 0, 1, ... in the order of their first incident's time.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in metres with a datetime ``time`` column.
    distance : float
        Link distance in metres (> 0).
    days : float
        Link time in days (>= 0).

    Returns
    -------
    pandas.Series
        int64 chain ids named ``"chain_id"``, with the index of `incidents`.

    Notes
    -----
    The incidents are sorted into square cells of side a little over `distance`; each link
    found among neighbouring cells joins two components at once (union-find), so no list of
    pairs is kept: memory is O(n) (about 130 bytes an incident), whatever the number of pairs
    close in space or in time. Time grows with the pairs within `distance`.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.nearrepeat import near_repeat_chain_ids
    >>> ids = near_repeat_chain_ids(hs.datasets.load_burkitt(), 20000, 5)
    >>> int((ids >= 0).sum()), int(ids.max() + 1)
    (26, 13)
    """
    func = "near_repeat_chain_ids"
    incidents = check_incidents(incidents)
    distance, days = _check_link(distance, days, func=func)
    x, y = incident_xy(incidents)
    t = _times_ns(incidents, func)
    return pd.Series(_chain_labels(x, y, t, distance, days), index=incidents.index, name="chain_id")


def near_repeat_chains(
    incidents: gpd.GeoDataFrame, distance: float, days: float
) -> gpd.GeoDataFrame:
    """Chains of near repeats: incidents linked within `distance` metres and `days` days.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        Points in metres with a datetime ``time`` column.
    distance : float
        Link distance in metres (> 0), inclusive.
    days : float
        Link time in days (>= 0), inclusive.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per chain of at least two incidents, indexed by ``chain_id`` (numbered in the
        order of their first time, as :func:`near_repeat_chain_ids`), with columns

        - ``size`` : number of incidents;
        - ``first``, ``last`` : earliest and latest ``time``;
        - ``span_days`` : ``(last - first)`` in days (float);
        - ``extent_m`` : largest distance between two members, in metres (the diameter of the
          chain, from the vertices of its convex hull);
        - ``members`` : list of the members' index labels in `incidents`, in time order;
        - ``geometry`` : convex hull of the members (a Point when they all share a location,
          a LineString when they are collinear), in the CRS of `incidents`.

        A chain links incidents transitively: its span and extent can exceed `days` and
        `distance`. ``attrs["hotspot"]`` is stamped with kind ``"chains"``, method
        ``"near_repeat_chains"``, the incidents' period and, under ``"near_repeat_chains"``,
        ``distance``, ``days``, ``n_incidents``, ``n_chains`` and ``n_in_chains``. The chain of
        each incident is :func:`near_repeat_chain_ids` (the same numbering).

    See Also
    --------
    near_repeat_chain_ids : the chain of each incident.
    knox_test : whether there are more near repeats than chance.

    Notes
    -----
    The links are found and joined without listing the pairs (see
    :func:`near_repeat_chain_ids`): memory O(n) besides the chains' own rows.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.spacetime.nearrepeat import near_repeat_chains
    >>> chains = near_repeat_chains(hs.datasets.load_burkitt(), 20000, 5)
    >>> len(chains), int(chains["size"].max())  # the 13 close pairs of the Knox test
    (13, 2)
    >>> chains.attrs["hotspot"]["kind"], chains.attrs["hotspot"]["near_repeat_chains"]["days"]
    ('chains', 5.0)
    """
    func = "near_repeat_chains"
    incidents = check_incidents(incidents)
    distance, days = _check_link(distance, days, func=func)
    x, y = incident_xy(incidents)
    ids = pd.Series(
        _chain_labels(x, y, _times_ns(incidents, func), distance, days),
        index=incidents.index,
        name="chain_id",
    )
    times = incidents["time"]
    in_chain = ids.to_numpy() >= 0
    sub = incidents.loc[in_chain]
    sub_ids = ids.to_numpy()[in_chain]
    order = np.lexsort((times.to_numpy()[in_chain], sub_ids))
    sub = sub.iloc[order]
    sub_ids = sub_ids[order]
    starts = np.flatnonzero(np.r_[True, sub_ids[1:] != sub_ids[:-1]])
    bounds = np.r_[starts, len(sub_ids)]
    geoms = sub.geometry.array
    labels = sub.index.to_list()
    sub_t = sub["time"]
    records = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True) if len(sub_ids) else ():
        hull = shapely.convex_hull(shapely.multipoints(np.asarray(geoms[a:b])))
        coords = shapely.get_coordinates(hull)
        diff = coords[:, None, :] - coords[None, :, :]
        first, last = sub_t.iloc[a], sub_t.iloc[b - 1]
        records.append(
            {
                "size": int(b - a),
                "first": first,
                "last": last,
                "span_days": (last - first) / pd.Timedelta(days=1),
                "extent_m": float(np.sqrt((diff**2).sum(axis=-1)).max()),
                "members": labels[a:b],
                "geometry": hull,
            }
        )
    columns = ["size", "first", "last", "span_days", "extent_m", "members", "geometry"]
    out = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, columns=columns),
        geometry="geometry",
        crs=incidents.crs,
    )
    out.index = pd.RangeIndex(len(out), name="chain_id")
    params = {
        "distance": distance,
        "days": days,
        "n_incidents": len(incidents),
        "n_chains": len(out),
        "n_in_chains": int(in_chain.sum()),
    }
    context = context_of(incidents)  # the period, and where the data's named areas are
    return stamp(
        out,
        kind="chains",
        method=func,
        params=params,
        source=incidents,
        period=context.get("period"),
        **({"places": context["places"]} if "places" in context else {}),
    )


# ----------------------------------------------------------------------------- helpers


def _estimate_pairs(grid: PairGrid, r: float, manhattan: bool) -> tuple[int, int]:
    """The number of unordered pairs within ``r``, estimated before any is listed, and the
    number of incidents whose neighbours were counted for it (all of them: exact).

    The neighbours within ``r`` of a systematic sample of the incidents in grid order (every
    ``n / m``-th, so the sample is spread over the cells) are counted exactly; the pairs are
    ``n / (2 m)`` times their sum, capped by the pairs of neighbouring cells (an upper bound).
    ``m`` is at most ``_SAMPLE``, and smaller where the cells are crowded, so that the count
    computes about ``_SAMPLE_WORK`` distances at most: time O(n log n) whatever the radius.
    """
    n = len(grid.xs)
    upper = candidate_pairs(grid)
    if upper == 0:
        return 0, n
    per_point = 2.0 * upper / n + 1.0  # distances computed per sampled incident, on average
    m = min(n, _SAMPLE, max(200, int(_SAMPLE_WORK / per_point)))
    sample = (np.arange(m, dtype=np.int64) * n + n // 2) // m  # the middle of n/m strata
    total = int(neighbour_counts(grid, sample, r, manhattan).sum())
    if m >= n:
        return total // 2, n
    return min(round(total * n / (2.0 * m)), upper), m


def _check_pair_memory(
    n_pairs: int, fixed: int, n: int, r: float, budget: int | None, *, sample: int, func: str
) -> None:
    """Refuse to list ``n_pairs`` pairs (and hold the ``fixed`` bytes) above the budget;
    ``sample`` < ``n``: the count is an estimate from that many incidents' neighbours."""
    need = n_pairs * PAIR_BYTES + fixed
    source = (
        f"counted among the {n:,} incidents"
        if sample >= n
        else f"estimated from the neighbours of {sample:,} of the {n:,} incidents"
    )
    what = (
        f"{func}: {'' if sample >= n else 'about '}{n_pairs:,} pairs of incidents within "
        f"{_fmt(r)} m ({source}; {PAIR_BYTES} bytes a pair, {INCIDENT_BYTES} an incident)"
    )
    fix = (
        "use a smaller last distance band (distance_bands), fewer incidents (one category, a "
        "shorter period or a smaller area) or fewer permutations"
    )
    if budget is None:
        check_memory(need, what, fix + ".")
    elif need > budget:
        raise HotspotInputError(
            f"{what} would need about {format_bytes(need)} of memory, more than "
            f"memory_budget={budget:,} ({format_bytes(budget)}); {fix}, or raise memory_budget."
        )


def _chain_labels(
    x: np.ndarray, y: np.ndarray, t: np.ndarray, distance: float, days: float
) -> np.ndarray:
    """Chain of each incident (-1: none), chains numbered by their first time, then by their
    first incident's position. The links are found cell by cell and joined at once
    (union-find): memory O(n), whatever the number of close pairs."""
    n = len(x)
    grid = pair_grid(x, y, distance)
    max_dt = np.int64(round(days * _NS_PER_DAY))
    roots = chain_roots(grid, t[grid.order], distance, int(max_dt))
    comp = np.empty(n, dtype=np.int64)
    comp[grid.order] = roots  # each incident's component, named by a grid position
    sizes = np.bincount(comp, minlength=n)
    chained = sizes[comp] >= 2
    labels = np.full(n, -1, dtype=np.int64)
    if chained.any():
        idx = np.flatnonzero(chained)
        first = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(first, comp[idx], t[idx])
        lowest = np.full(n, n, dtype=np.int64)  # the first incident (input position)
        np.minimum.at(lowest, comp[idx], idx)
        multi = np.flatnonzero(sizes >= 2)
        rank = np.empty(n, dtype=np.int64)
        rank[multi[np.lexsort((lowest[multi], first[multi]))]] = np.arange(len(multi))
        labels[idx] = rank[comp[idx]]
    return labels


def _times_ns(incidents: gpd.GeoDataFrame, func: str) -> np.ndarray:
    """The ``time`` column as int64 nanoseconds from the earliest time (exact differences)."""
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            f"{func} needs a datetime 'time' column; load the incidents with "
            "hotspot.read_incidents(..., time='<your date column>')."
        )
    times = incidents["time"]
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = times.isna().to_numpy()
    if missing.any():
        raise HotspotInputError(
            f"{func}: {int(missing.sum())} incidents have no time; drop them first with "
            "incidents[incidents['time'].notna()]."
        )
    ns = times.dt.as_unit("ns").to_numpy().view(np.int64)
    return ns - ns.min()


def _midpoints_ns(incidents: gpd.GeoDataFrame, t: np.ndarray) -> tuple[np.ndarray, int]:
    """The times of :func:`_times_ns` (``t``, no missing ones) with each incident that has a
    window of positive length (``time_start``, else ``time``, to ``time_end``) moved to the
    window's middle, again from the earliest; and how many moved."""
    if "time_end" not in incidents.columns:
        return t, 0
    time = _naive(incidents["time"])
    start = _naive(incidents["time_start"]) if "time_start" in incidents.columns else time
    start = start.where(start.notna(), time)
    end = _naive(incidents["time_end"])
    window = (end.notna() & (end > start)).to_numpy()
    if not window.any():
        return t, 0
    start_ns = start.dt.as_unit("ns").to_numpy().view(np.int64)
    end_ns = np.where(window, end.dt.as_unit("ns").to_numpy().view(np.int64), start_ns)
    time_ns = time.dt.as_unit("ns").to_numpy().view(np.int64)
    mid = np.where(window, start_ns + (end_ns - start_ns) // 2, time_ns)
    return mid - mid.min(), int(window.sum())


def _naive(times: pd.Series) -> pd.Series:
    """Aware times in UTC without their zone, as :func:`_times_ns` compares them."""
    if getattr(times.dtype, "tz", None) is not None:
        return times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times


def _check_bands(bands: Any, name: str, unit: str, *, func: str) -> np.ndarray:
    example = "(0, 100, 200)" if unit == "metres" else "(0, 7, 14)"
    try:
        edges = np.asarray(bands, dtype=float)
    except (TypeError, ValueError):
        raise HotspotInputError(
            f"{func}: {name}={bands!r} must be a sequence of numbers ({unit}), e.g. {example}."
        ) from None
    if edges.ndim != 1 or len(edges) < 2:
        raise HotspotInputError(
            f"{func}: {name}={bands!r} must list at least two edges in {unit}, starting at 0, "
            f"e.g. {example}."
        )
    if not np.isfinite(edges).all() or edges[0] != 0 or (np.diff(edges) <= 0).any():
        raise HotspotInputError(
            f"{func}: {name}={bands!r} must be finite, start at 0 and strictly increase "
            f"({unit}), e.g. {example}; pairs beyond the last edge get their own band "
            "automatically."
        )
    return edges


def _check_link(distance: Any, days: Any, *, func: str) -> tuple[float, float]:
    for value, name, rule in (
        (distance, "distance", "a positive number of metres, e.g. 100"),
        (days, "days", "a number of days >= 0, e.g. 7"),
    ):
        number = not isinstance(value, bool) and isinstance(
            value, int | float | np.integer | np.floating
        )
        if (
            not number
            or not np.isfinite(value)
            or (value <= 0 if name == "distance" else value < 0)
        ):
            raise HotspotInputError(f"{func}: {name}={value!r} must be {rule}.")
    return float(distance), float(days)


def _fmt(v: float) -> str:
    return f"{v:g}"


def _band_labels(
    d_edges: Sequence[float], t_edges: Sequence[float], same_location: bool, style: str
) -> tuple[list[str], list[str]]:
    """Row and column labels: ``style`` "frame"/"exact" (the interval) or "nrc"."""
    d = [float(v) for v in d_edges]
    t = [float(v) for v in t_edges]
    rows: list[str] = []
    cols: list[str] = []
    if style == "nrc":
        if same_location:
            rows.append("Same location")
        for k in range(len(d) - 1):
            lo = 0 if (k == 0 and not same_location) else d[k] + 1
            rows.append(f"{_fmt(lo)} to {_fmt(d[k + 1])} m")
        rows.append(f"More than {_fmt(d[-1])} m")
        for k in range(len(t) - 1):
            lo = 0 if k == 0 else t[k] + 1
            cols.append(f"{_fmt(lo)} to {_fmt(t[k + 1])} days")
        cols.append(f"More than {_fmt(t[-1])} days")
        return rows, cols
    if same_location:
        rows.append("same location")
    for k in range(len(d) - 1):
        over = "over " if (k > 0 or same_location) else ""
        rows.append(f"{over}{_fmt(d[k])} to {_fmt(d[k + 1])} m")
    rows.append(f"over {_fmt(d[-1])} m")
    for k in range(len(t) - 1):
        over = "over " if k > 0 else ""
        cols.append(f"{over}{_fmt(t[k])} to {_fmt(t[k + 1])} days")
    cols.append(f"over {_fmt(t[-1])} days")
    return rows, cols
