"""Patrol allocation: the cells to patrol next, chosen from a forecast under practical rules.

:func:`allocate_patrols` picks ``n_areas`` cells with the highest total forecast risk, keeping
patrols apart (``min_spacing``), spread over districts (``per_area``) and away from places to
leave out (``exclude``); with a back-test it also says what the same rule would have captured
in each past period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.optimize import LinearConstraint, milp
from scipy.spatial import cKDTree

from hotspot._messages import announce, first_rows
from hotspot._result import stamp
from hotspot._validate import (
    check_cells,
    check_columns,
    check_flag,
    check_integer,
    check_metres,
    check_same_crs,
    check_value_column,
)
from hotspot.errors import HotspotInputError

__all__ = ["TIME_LIMIT", "allocate_patrols"]

FUNC = "allocate_patrols"

TIME_LIMIT = 10.0
"""Seconds HiGHS may spend on one allocation before the best answer found so far is used."""

_SLACK = 1e-9  # widen k-d tree radii by this share so no pair nearer than the spacing is lost


@dataclass(frozen=True)
class _Rule:
    """The constraints on cell positions (the forecast's row order), reusable for any risk row."""

    n: int
    eligible: np.ndarray  # bool per cell: not excluded and, with districts, in one
    x: np.ndarray
    y: np.ndarray
    spacing: float | None
    tree: cKDTree | None  # over every cell's centroid, for the spacing
    depth: int  # most eligible cells within the spacing of one eligible cell (itself included)
    district: np.ndarray | None  # int code per cell (-1: none)
    per_area: int | None
    interior: np.ndarray | None  # bool per cell: every eligible cell within the spacing is in
    # the cell's own district (so only chosen cells of that district can crowd it out)

    def neighbours(self, p: int) -> np.ndarray:
        """Cells whose centroid is nearer than the spacing to cell ``p``'s (``p`` included)."""
        near = np.asarray(
            self.tree.query_ball_point([self.x[p], self.y[p]], self.spacing * (1 + _SLACK)),
            dtype=np.int64,
        )
        return near[np.hypot(self.x[near] - self.x[p], self.y[near] - self.y[p]) < self.spacing]

    def conflicts(self, cand: np.ndarray) -> np.ndarray:
        """Pairs (as rows of positions into ``cand``) of candidates nearer than the spacing."""
        if self.spacing is None or len(cand) < 2:
            return np.empty((0, 2), dtype=np.int64)
        x, y = self.x[cand], self.y[cand]
        pairs = cKDTree(np.column_stack([x, y])).query_pairs(
            self.spacing * (1 + _SLACK), output_type="ndarray"
        )
        near = np.hypot(x[pairs[:, 0]] - x[pairs[:, 1]], y[pairs[:, 0]] - y[pairs[:, 1]])
        return pairs[near < self.spacing].astype(np.int64)


@dataclass(frozen=True)
class _Choice:
    """One allocation: the chosen positions (best first) and how they were found."""

    chosen: np.ndarray
    solver: str
    optimal: bool
    candidates: int
    greedy_total: float | None  # the greedy answer's total risk when greedy placed n cells


def allocate_patrols(
    forecast: gpd.GeoDataFrame,
    n_areas: int,
    *,
    min_spacing: float | None = None,
    per_area: int | None = None,
    districts: str | gpd.GeoDataFrame | None = None,
    exclude: Any = None,
    backtest: Any = None,
    forecaster: str | None = None,
    compare_random: bool = True,
    risk_column: str = "forecast_risk",
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """The ``n_areas`` cells to patrol: the highest total risk the rules allow, found exactly.

    Parameters
    ----------
    forecast : GeoDataFrame
        A forecaster's ``predict(...)`` output (cells with ``forecast_risk``), or any cells
        with a risk column (``risk_column``).
    n_areas : int
        How many cells to choose (at least 1).
    min_spacing : float, optional
        Metres: the chosen cells' centroids are at least this far apart, so that patrols do
        not bunch on adjacent cells (a pair exactly ``min_spacing`` apart is allowed).
    per_area : int, optional
        At most this many chosen cells per district (needs ``districts``).
    districts : str or GeoDataFrame, optional
        The districts for ``per_area``: the name of a column of ``forecast`` (one district
        label per cell), or a GeoDataFrame of polygons (police divisions, neighbourhoods) in
        the forecast's CRS whose **index labels** name the districts. A cell belongs to the
        polygon that covers its centroid (the first such row when polygons overlap; a centroid
        on a shared edge goes to the first too). Cells in no district (a missing label, or a
        centroid outside every polygon) are left out of the choice: a rule per district says
        nothing about them. The polygons' labels are added as ``patrol_district``.
    exclude : str, list-like or geometry, optional
        Cells never to choose (a station, a park): the name of a boolean column of
        ``forecast`` (True = leave out), a list of index labels, or polygons (a shapely
        geometry, GeoSeries or GeoDataFrame in the forecast's CRS): the cells whose interior
        they meet are left out.
    backtest : BacktestResult, optional
        From :func:`hotspot.backtest` on the same cells: adds ``expected_capture``, the share
        of each back-test period's incidents that this rule would have captured.
    forecaster : str, optional
        Which of ``backtest.forecasters`` to replay. Default: the one matching the forecast's
        own forecaster (``"naive"`` for a ``NaiveForecaster`` forecast).
    compare_random : bool, default=True
        With ``backtest``, replay the rule on the back-test's ``random`` forecaster too and
        test, period by period, whether the chosen cells held more of the next period's
        incidents than as many cells picked at random (a one-sided sign test:
        ``expected_capture["against_random"]``, see :func:`sign_test_against_random`). A
        rule that does not beat random cells is said to (maps and reports print it).
    risk_column : str, default="forecast_risk"
        The column to maximise (finite, >= 0).
    quiet : bool, default=False
        Do not announce choices made for you (the back-test forecaster, cells left out, a
        solver that ran out of time).

    Returns
    -------
    GeoDataFrame
        The chosen rows of ``forecast`` (a copy), ordered by ``patrol_rank`` (1 = highest
        risk; equal risks in cell order), with ``patrol_rank`` and ``patrol_risk_share`` (the
        cell's risk / the total risk of all cells in ``forecast``). ``attrs["hotspot"]`` is
        stamped with kind ``"cells"``, method ``"allocate_patrols"`` and the forecast's
        period; ``attrs["hotspot"]["allocate_patrols"]`` holds ``n_areas``, ``min_spacing``,
        ``per_area``, ``districts``, ``outside_districts``, ``excluded`` (cells left out by
        ``exclude``), ``risk_column``, ``solver`` (below), ``optimal``, ``candidates``,
        ``greedy_risk_share`` and ``greedy_gap`` (the greedy answer's shortfall, ``1 -
        greedy/best``, when both ran), ``risk_share`` (the chosen cells' total share), and
        ``expected_capture`` (None without ``backtest``): ``forecaster``, ``period`` (the
        back-test's evaluated span, from its ``params``), ``periods``
        (periods with incidents), ``empty_periods`` (periods without, left out of the
        statistics), ``mean``, ``min``, ``max``, ``q10``, ``q90`` of the per-period shares,
        ``pooled`` (the incidents captured over all periods / all incidents), ``by_period``
        (each period's share, NaN for a period without incidents), ``solvers``, and
        ``against_random`` (with ``compare_random``; None otherwise or when the back-test
        has no ``random`` forecaster or replays it): ``wins``, ``losses``, ``ties``,
        ``pvalue``, ``candidates``, ``reliable``, ``random_pooled``.

    Raises
    ------
    HotspotInputError
        When the rules leave fewer than ``n_areas`` possible cells (the message says how
        many are possible), and for invalid arguments.

    See Also
    --------
    hotspot.backtest : how well a forecaster's top cells captured the next period's crime.

    Notes
    -----
    Without ``min_spacing`` the answer is the greedy one, which is exact: the cells in order of
    risk (ties in cell order), skipping excluded cells and full districts (district caps form a
    partition matroid, on which greedy is optimal). ``solver`` is ``"ranking"`` when no rule
    moved the top ``n_areas`` cells, ``"greedy"`` otherwise.

    With ``min_spacing`` the best choice is a maximum-weight independent set of exactly
    ``n_areas`` cells in the conflict graph (an edge between cells nearer than the spacing)
    with a capacity per district, an NP-hard integer program. When the greedy choice (highest
    risk first, skipping conflicts) is not simply the top cells, the program is solved exactly
    by HiGHS through :func:`scipy.optimize.milp` (``solver="highs"``) on the candidate cells
    only. The pruning is exact: let ``D`` be the most cells within the spacing of one cell (that
    cell included). In an optimal set, a chosen cell ``c`` below the top
    ``K = (n-1)·D + 1`` eligible cells could be swapped for one of them: the other ``n-1``
    chosen cells occupy or block at most ``(n-1)·D`` of them, so one is free and at least as
    risky. With districts the swap stays inside ``c``'s district, whose cap the swap leaves
    unchanged: with ``p = min(per_area, n)`` the candidates are each district's top
    ``p + (n-1)·(D-1)`` cells, and no more than down to its ``((p-1)·D + 1)``-th *interior*
    cell (one with no eligible cell of another district within the spacing: only the ``p-1``
    other chosen cells of its own district can occupy or block it). An impossible request is
    also decided on the candidates (any feasible set can be swapped into them), by maximising
    the number of cells instead. For 20 areas 500 m apart on a 150 m grid (``D = 37``) HiGHS
    sees 704 of Toronto's 32,566 cells and answers in about 0.1 s; with 5 km districts and
    ``per_area=1``, 448 cells.

    HiGHS is given :data:`TIME_LIMIT` seconds (its presolve of a very large model can overrun
    them). When it runs out, the better of its best set so far and the greedy set is returned
    (``solver`` ``"highs (time limit)"`` or ``"greedy (time limit)"``, ``optimal`` False) and
    announced. So on a slow machine a hard instance can give
    a different (never infeasible) answer; an instance solved to optimality is reproducible,
    though among equally good sets HiGHS picks one (ties are not broken in cell order there).
    "Exact" is to HiGHS's tolerance: the relative gap is set to 0 and its absolute gap is
    1e-6 of the largest candidate risk. The worst case is many areas far apart with several
    per district on a fine grid: 50 areas 1 km apart, 2 per 5 km district on Toronto's 150 m
    grid leaves 14,471 candidates and 650,817 conflicting pairs, and greedy's answer is used.

    Why scipy's HiGHS rather than a modelling package such as spopt or PuLP: it is already a
    dependency (nothing to install, no solver binary to find on the user's machine, as PuLP's
    CBC needs), HiGHS is among the fastest open-source MIP solvers, and the model here is a
    few sparse constraint rows, which ``milp`` takes directly; spopt's coverage models would
    also pull in PuLP and do not express a pairwise spacing with district caps.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.forecast import NaiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> risk = NaiveForecaster(periods=4).fit(inc, cells, until="2020-01-06").predict("7D")
    >>> patrols = allocate_patrols(risk, 5, min_spacing=3000, quiet=True)
    >>> patrols["patrol_rank"].tolist()
    [1, 2, 3, 4, 5]
    >>> from scipy.spatial.distance import pdist
    >>> bool(pdist(patrols.geometry.centroid.get_coordinates()).min() >= 3000)
    True
    """
    check_cells(forecast, "forecast")
    n = check_integer(n_areas, "n_areas", minimum=1, example="20", func=FUNC)
    quiet = check_flag(quiet, "quiet", func=FUNC)
    risk = check_value_column(
        forecast,
        risk_column,
        what="the forecast's cells",
        fix="pass a forecaster's predict(...) output, or name its risk with risk_column=",
        varying=False,
        func=FUNC,
    )
    if (risk < 0).any():
        raise HotspotInputError(
            f"{FUNC}: {risk_column!r} has negative values (cells "
            f"{first_rows(forecast.index[risk < 0])}); a risk is 0 or more."
        )
    spacing = None
    if min_spacing is not None:
        spacing = check_metres(min_spacing, "min_spacing", func=FUNC, example="500")
    if per_area is not None:
        per_area = check_integer(per_area, "per_area", minimum=1, example="2", func=FUNC)
    if (per_area is None) != (districts is None):
        given, missing = (
            ("per_area", "districts") if districts is None else ("districts", "per_area")
        )
        raise HotspotInputError(
            f"{FUNC}: {given} is given without {missing}; a cap per district needs both, e.g. "
            "per_area=2, districts='division'."
        )

    excluded = _excluded(forecast, exclude)
    code, names, district_note = (None, None, None)
    outside = None
    if districts is not None:
        code, names, district_note = _districts(forecast, districts)
        outside = int((code < 0).sum())
        if outside:
            announce(
                f"{FUNC}: {outside:,} cells are in no district and are left out of the choice",
                quiet=quiet,
            )
    eligible = ~excluded if code is None else ~excluded & (code >= 0)
    rule = _rule(forecast, n, eligible, spacing, code, per_area)
    choice = _choose(risk, rule)
    if not choice.optimal:
        announce(
            f"{FUNC}: HiGHS did not prove the best choice ({choice.solver}, limit "
            f"{TIME_LIMIT:g} s); the best set found is used, not proven optimal",
            quiet=quiet,
        )

    total = float(risk.sum())
    chosen = choice.chosen
    out = forecast.iloc[chosen].copy()
    out["patrol_rank"] = np.arange(1, len(chosen) + 1, dtype=np.int64)
    share = risk[chosen] / total if total > 0 else np.full(len(chosen), np.nan)
    out["patrol_risk_share"] = share
    if names is not None and isinstance(districts, gpd.GeoDataFrame):
        out["patrol_district"] = names[code[chosen]]

    greedy_share = greedy_gap = None
    if choice.greedy_total is not None and choice.solver != "ranking":
        best = float(risk[chosen].sum())
        greedy_share = choice.greedy_total / total if total > 0 else None
        greedy_gap = max(0.0, 1.0 - choice.greedy_total / best) if best > 0 else 0.0
    capture = None
    if backtest is not None:
        capture = _expected_capture(
            forecast, rule, backtest, forecaster, compare_random=compare_random, quiet=quiet
        )
    elif forecaster is not None:
        raise HotspotInputError(
            f"{FUNC}: forecaster={forecaster!r} is given without backtest; pass "
            "backtest=hotspot.backtest(...) to replay the rule on its periods."
        )
    params = {
        "n_areas": n,
        "min_spacing": spacing,
        "per_area": per_area,
        "districts": district_note,
        "outside_districts": outside,
        "excluded": int(excluded.sum()),
        "risk_column": risk_column,
        "solver": choice.solver,
        "optimal": choice.optimal,
        "candidates": choice.candidates,
        "greedy_risk_share": greedy_share,
        "greedy_gap": greedy_gap,
        "risk_share": float(np.sum(share)),
        "time_limit": TIME_LIMIT,
        "expected_capture": capture,
    }
    period = (forecast.attrs.get("hotspot") or {}).get("period")
    return stamp(out, kind="cells", method=FUNC, params=params, source=forecast, period=period)


# -- the rules ----------------------------------------------------------------------------------
def _excluded(forecast: gpd.GeoDataFrame, exclude: Any) -> np.ndarray:
    """True for the cells ``exclude`` leaves out (a bool column, index labels or polygons)."""
    n = len(forecast)
    if exclude is None:
        return np.zeros(n, dtype=bool)
    if isinstance(exclude, str):
        check_columns(
            forecast,
            [exclude],
            func=FUNC,
            what="forecast",
            fix="exclude= names a boolean column (True = leave the cell out)",
        )
        column = forecast[exclude]
        if not (pd.api.types.is_bool_dtype(column.dtype)) or column.isna().any():
            raise HotspotInputError(
                f"{FUNC}: exclude={exclude!r} is not a column of True/False values (it holds "
                f"{column.dtype}); make one, e.g. forecast['{exclude}'] = forecast[...] > 0."
            )
        return column.to_numpy(dtype=bool)
    if isinstance(exclude, shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame):
        if isinstance(exclude, gpd.GeoDataFrame | gpd.GeoSeries):
            if exclude.crs is not None:
                check_same_crs(
                    gpd.GeoDataFrame(geometry=exclude.geometry), forecast, ("exclude", "forecast")
                )
            geoms = np.asarray(exclude.geometry.array, dtype=object)
        else:
            geoms = np.array([exclude], dtype=object)
        geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
        cells = np.asarray(forecast.geometry.array, dtype=object)
        cell_idx, geom_idx = shapely.STRtree(geoms).query(cells, predicate="intersects")
        # a cell that only shares an edge or a corner with the geometry is not excluded
        inner = ~shapely.touches(cells[cell_idx], geoms[geom_idx])
        out = np.zeros(n, dtype=bool)
        out[cell_idx[inner]] = True
        return out
    if isinstance(exclude, list | tuple | set | np.ndarray | pd.Index | pd.Series):
        labels = pd.Index(list(exclude))
        if len(labels) and pd.api.types.is_bool_dtype(labels.dtype):
            raise HotspotInputError(
                f"{FUNC}: exclude= is a list of True/False; pass index labels, or put the flags "
                "in a column and pass its name, e.g. exclude='is_park'."
            )
        where = forecast.index.get_indexer(labels)
        if (where < 0).any():
            raise HotspotInputError(
                f"{FUNC}: exclude= names cells not in the forecast: "
                f"{first_rows(labels[where < 0])}; pass labels of forecast.index."
            )
        out = np.zeros(n, dtype=bool)
        out[where] = True
        return out
    raise HotspotInputError(
        f"{FUNC}: exclude= is a {type(exclude).__name__}; pass a boolean column's name, a list "
        "of cell labels, or polygons (a shapely geometry or GeoDataFrame) to leave out."
    )


def _districts(forecast: gpd.GeoDataFrame, districts: Any) -> tuple[np.ndarray, np.ndarray, str]:
    """Each cell's district code (-1 for none), the district labels, and a note for attrs."""
    if isinstance(districts, str):
        check_columns(
            forecast,
            [districts],
            func=FUNC,
            what="forecast",
            fix="districts= names a column with each cell's district, or pass polygons",
        )
        codes, uniques = pd.factorize(forecast[districts], use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object), districts
    if isinstance(districts, gpd.GeoDataFrame):
        if len(districts) == 0:
            raise HotspotInputError(f"{FUNC}: districts= is an empty GeoDataFrame.")
        if districts.crs is not None:
            check_same_crs(districts, forecast, ("districts", "forecast"))
        if not districts.index.is_unique:
            raise HotspotInputError(
                f"{FUNC}: districts= has repeated index labels; its index names the districts: "
                "districts.set_index('name') with a unique name column."
            )
        geoms = np.asarray(districts.geometry.array, dtype=object)
        centroids = np.asarray(forecast.geometry.array.centroid, dtype=object)
        point_idx, poly_idx = shapely.STRtree(geoms).query(centroids, "covered_by")
        code = np.full(len(forecast), len(geoms), dtype=np.int64)
        np.minimum.at(code, point_idx, poly_idx)
        code[code == len(geoms)] = -1
        names = np.asarray(districts.index, dtype=object)
        return code, names, f"district ({len(districts)} polygons)"
    raise HotspotInputError(
        f"{FUNC}: districts= is a {type(districts).__name__}; pass the name of a column of the "
        "forecast, or a GeoDataFrame of district polygons whose index names them."
    )


def _rule(
    forecast: gpd.GeoDataFrame,
    n: int,
    eligible: np.ndarray,
    spacing: float | None,
    code: np.ndarray | None,
    per_area: int | None,
) -> _Rule:
    centroids = forecast.geometry.array.centroid
    x = np.asarray(centroids.x, dtype=float)
    y = np.asarray(centroids.y, dtype=float)
    tree, depth, interior = None, 1, None
    if spacing is not None:
        radius = spacing * (1 + _SLACK)
        tree = cKDTree(np.column_stack([x, y]))
        if eligible.any():
            where = np.flatnonzero(eligible)
            pts = np.column_stack([x[where], y[where]])
            near = cKDTree(pts).query_ball_point(pts, radius, return_length=True)
            depth = int(np.max(near))
            if code is not None:
                same = np.zeros(len(where), dtype=np.int64)
                groups = pd.Series(np.arange(len(where))).groupby(code[where]).indices
                for members in groups.values():
                    own = pts[members]
                    same[members] = cKDTree(own).query_ball_point(own, radius, return_length=True)
                interior = np.zeros(len(x), dtype=bool)
                interior[where] = same == near
    return _Rule(
        n=n,
        eligible=eligible,
        x=x,
        y=y,
        spacing=spacing,
        tree=tree,
        depth=depth,
        district=code,
        per_area=per_area,
        interior=interior,
    )


# -- choosing -----------------------------------------------------------------------------------
def _greedy(order: np.ndarray, rule: _Rule, limit: int) -> tuple[np.ndarray, bool]:
    """Highest risk first, skipping conflicts, up to ``limit`` cells; and whether it skipped."""
    blocked = np.zeros(len(rule.x), dtype=bool)
    used = Counter()
    chosen: list[int] = []
    skipped = False
    for p in order.tolist():
        if blocked[p] or (rule.district is not None and used[rule.district[p]] >= rule.per_area):
            skipped = True
            continue
        chosen.append(p)
        if len(chosen) == limit:
            break
        if rule.spacing is not None:
            blocked[rule.neighbours(p)] = True
        if rule.district is not None:
            used[rule.district[p]] += 1
    return np.asarray(chosen, dtype=np.int64), skipped


def _candidates(order: np.ndarray, rule: _Rule, n: int) -> np.ndarray:
    """The cells (in ``order``) that some optimal choice of ``n`` is made of (Notes)."""
    if rule.district is None:
        return order[: (n - 1) * rule.depth + 1]
    p = min(rule.per_area, n)
    codes = rule.district[order]
    within = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    keep = within < p + (n - 1) * (rule.depth - 1)
    if rule.interior is not None:  # up to the district's ((p-1)·D + 1)-th interior cell
        inner = rule.interior[order].astype(np.int64)
        before = pd.Series(inner).groupby(codes).cumsum().to_numpy() - inner
        keep &= before < (p - 1) * rule.depth + 1
    return order[keep]


def _program(
    cand: np.ndarray, pairs: np.ndarray, rule: _Rule
) -> tuple[sparse.csr_array, np.ndarray]:
    """The spacing and district rows over the candidates: ``A @ x <= upper``."""
    m = len(cand)
    rows = [pairs[:, 0], pairs[:, 1]]
    row_id = [np.arange(len(pairs)), np.arange(len(pairs))]
    upper = [np.ones(len(pairs))]
    if rule.district is not None:
        codes, group = np.unique(rule.district[cand], return_inverse=True)
        sizes = np.bincount(group)
        full = sizes > rule.per_area  # only districts with more candidates than the cap
        if full.any():
            new_id = np.cumsum(full) - 1 + len(pairs)
            take = full[group]
            rows.append(np.flatnonzero(take))
            row_id.append(new_id[group[take]])
            upper.append(np.full(int(full.sum()), float(rule.per_area)))
    cols = np.concatenate(rows)
    ids = np.concatenate(row_id)
    ub = np.concatenate(upper)
    a = sparse.csr_array((np.ones(len(cols)), (ids, cols)), shape=(len(ub), m))
    return a, ub


def _solve(weight: np.ndarray, cand: np.ndarray, rule: _Rule, exactly: int | None) -> Any:
    """HiGHS on the candidates: maximise ``weight @ x`` with ``sum(x) == exactly`` (or <= n)."""
    pairs = rule.conflicts(cand)
    a, ub = _program(cand, pairs, rule)
    total = sparse.csr_array(np.ones((1, len(cand))))
    if exactly is None:
        count = LinearConstraint(total, 0, rule.n)
    else:
        count = LinearConstraint(total, exactly, exactly)
    constraints = [count]
    if a.shape[0]:
        constraints.append(LinearConstraint(a, -np.inf, ub))
    return milp(
        -weight,
        integrality=np.ones(len(cand)),
        bounds=(0, 1),
        constraints=constraints,
        options={"time_limit": TIME_LIMIT, "mip_rel_gap": 0.0},
    )


def _feasible(chosen: np.ndarray, rule: _Rule) -> bool:
    """Whether ``chosen`` keeps every rule (a check on the solver's answer)."""
    if len(np.unique(chosen)) != len(chosen) or not rule.eligible[chosen].all():
        return False
    if rule.district is not None:
        if np.bincount(rule.district[chosen]).max(initial=0) > rule.per_area:
            return False
    if rule.spacing is not None and len(chosen) > 1:
        return len(rule.conflicts(chosen)) == 0
    return True


def _by_risk(positions: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """``positions`` ordered by risk, highest first, equal risks in cell order."""
    positions = np.sort(positions)
    return positions[np.argsort(-risk[positions], kind="stable")]


def _choose(risk: np.ndarray, rule: _Rule, *, where: str = "") -> _Choice:
    """The best ``rule.n`` cells for one risk row (positions, highest risk first)."""
    n = rule.n
    ok = rule.eligible & np.isfinite(risk)
    order = _by_risk(np.flatnonzero(ok), risk)
    greedy, skipped = _greedy(order, rule, n)
    complete = len(greedy) == n
    if complete and not skipped:
        return _Choice(greedy, "ranking", True, len(order), float(risk[greedy].sum()))
    if rule.spacing is None:  # a partition matroid: greedy is optimal, and maximal when short
        if not complete:
            _impossible(rule, len(greedy), exact=True, where=where)
        return _Choice(greedy, "greedy", True, len(order), float(risk[greedy].sum()))
    cand = _candidates(order, rule, n)
    greedy_total = float(risk[greedy].sum()) if complete else None
    if len(cand) == 0:
        _impossible(rule, 0, exact=True, where=where)
    top = risk[cand].max()
    weight = risk[cand] / top if top > 0 else np.zeros(len(cand))
    res = _solve(weight, cand, rule, exactly=n)
    found = None
    if res.x is not None:
        found = cand[np.flatnonzero(res.x > 0.5)]
        if len(found) != n or not _feasible(found, rule):
            found = None  # a tolerance artefact: never hand back a set that breaks a rule
    if res.status == 0 and found is not None:
        return _Choice(_by_risk(found, risk), "highs", True, len(cand), greedy_total)
    if res.status == 2:  # infeasible: how many are possible?
        most = _solve(np.ones(len(cand)), cand, rule, exactly=None)
        if most.status == 0 and most.x is not None:
            _impossible(rule, int(round(-most.fun)), exact=True, where=where)
        _impossible(rule, len(greedy), exact=False, where=where)
    # out of time (or an answer that broke a rule): the better of HiGHS's best and greedy's
    why = "time limit" if res.status == 1 else "solver failed"
    if found is not None and (greedy_total is None or risk[found].sum() > greedy_total):
        return _Choice(_by_risk(found, risk), f"highs ({why})", False, len(cand), greedy_total)
    if complete:
        return _Choice(greedy, f"greedy ({why})", False, len(cand), greedy_total)
    _impossible(rule, len(greedy), exact=False, where=where)
    raise AssertionError("unreachable")  # pragma: no cover


def _impossible(rule: _Rule, possible: int, *, exact: bool, where: str) -> None:
    rules = []
    if rule.spacing is not None:
        rules.append(f"min_spacing={rule.spacing:g}")
    if rule.per_area is not None:
        rules.append(f"per_area={rule.per_area}")
    rules.append(f"{int(rule.eligible.sum()):,} eligible cells")
    said = (
        f"at most {possible:,} are possible"
        if exact
        else f"greedy placed {possible:,} and HiGHS settled nothing more within {TIME_LIMIT:g} s"
    )
    raise HotspotInputError(
        f"{FUNC}: n_areas={rule.n} cannot be placed{where} under these rules "
        f"({', '.join(rules)}): {said}; ask for fewer areas or loosen min_spacing, per_area "
        "or exclude."
    )


# -- what the rule would have captured ----------------------------------------------------------
def _short_name(cls: str) -> str:
    return cls.removesuffix("Forecaster").lower()


def _backtest_forecaster(forecast: gpd.GeoDataFrame, backtest: Any, forecaster: Any) -> str:
    names = tuple(backtest.forecasters)
    listed = ", ".join(repr(n) for n in names)
    if forecaster is not None:
        if forecaster not in names:
            raise HotspotInputError(
                f"{FUNC}: forecaster={forecaster!r} is not in the back-test; pass one of {listed}."
            )
        return forecaster
    meta = (forecast.attrs.get("hotspot") or {}).get("forecast") or {}
    cls = meta.get("forecaster")
    if isinstance(cls, str):
        if cls in names:
            return cls
        if _short_name(cls) in names:
            return _short_name(cls)
        reprs = (backtest.params or {}).get("forecasters") or {}
        same = [k for k in names if str(reprs.get(k, "")).startswith(f"{cls}(")]
        if len(same) == 1:
            return same[0]
    what = (
        f"the forecast's forecaster ({cls}) is not in the back-test"
        if isinstance(cls, str)
        else "the forecast does not name its forecaster"
    )
    raise HotspotInputError(f"{FUNC}: {what}; pass forecaster= one of {listed}.")


def _expected_capture(
    forecast: gpd.GeoDataFrame,
    rule: _Rule,
    backtest: Any,
    forecaster: Any,
    *,
    compare_random: bool,
    quiet: bool,
) -> dict[str, Any]:
    for field in ("risks", "actual", "cells", "forecasters", "periods"):
        if not hasattr(backtest, field):
            raise HotspotInputError(
                f"{FUNC}: backtest= has no {field!r}; pass the result of hotspot.backtest(...)."
            )
    name = _backtest_forecaster(forecast, backtest, forecaster)
    if forecaster is None:
        announce(f"{FUNC}: expected capture replays the back-test's {name!r}", quiet=quiet)
    where = backtest.cells.index.get_indexer(forecast.index)
    if len(backtest.cells) != len(forecast) or (where < 0).any():
        raise HotspotInputError(
            f"{FUNC}: the back-test was run on other cells ({len(backtest.cells):,} cells, "
            f"the forecast has {len(forecast):,}); back-test on the forecast's cells."
        )
    actual = np.asarray(backtest.actual)[:, where]
    starts = pd.DatetimeIndex(backtest.periods["start"])

    def replay(forecaster_name: str) -> tuple[np.ndarray, float, float, Counter]:
        """Each period's captured share, the incidents captured and in all, the solvers."""
        risks = np.asarray(backtest.risks[forecaster_name], dtype=float)[:, where]
        shares, hits, totals, solvers = [], 0.0, 0.0, Counter()
        for k in range(len(risks)):
            choice = _choose(
                risks[k], rule, where=f" in the back-test period from {starts[k]:%Y-%m-%d}"
            )
            solvers[choice.solver] += 1
            total = float(actual[k].sum())
            hit = float(actual[k][choice.chosen].sum())
            hits += hit
            totals += total
            shares.append(hit / total if total > 0 else np.nan)
        return np.asarray(shares, dtype=float), hits, totals, solvers

    by_period, hits, totals, solvers = replay(name)
    shares_ = by_period[~np.isnan(by_period)]
    against = None
    if compare_random and name != "random" and "random" in backtest.forecasters:
        blind, blind_hits, blind_totals, _ = replay("random")
        against = sign_test_against_random(by_period, blind)
        against["random_pooled"] = blind_hits / blind_totals if blind_totals > 0 else None

    def stat(f: Any) -> float | None:
        return float(f(shares_)) if len(shares_) else None

    period = (getattr(backtest, "params", None) or {}).get("period")
    return {
        "forecaster": name,
        "period": period,
        "periods": len(shares_),
        "empty_periods": len(by_period) - len(shares_),
        "mean": stat(np.mean),
        "min": stat(np.min),
        "max": stat(np.max),
        "q10": stat(lambda s: np.quantile(s, 0.1)),
        "q90": stat(lambda s: np.quantile(s, 0.9)),
        "pooled": hits / totals if totals > 0 else None,
        "by_period": by_period.tolist(),
        "solvers": dict(solvers),
        "against_random": against,
    }


def sign_test_against_random(
    chosen: Any, random: Any, *, candidates: int = 1, alpha: float = 0.05
) -> dict[str, Any]:
    """Did the chosen cells hold more than random cells, period by period?

    A one-sided sign test over the periods where the two shares differ (ties and periods
    without incidents left out), its p-value multiplied by ``candidates`` (Bonferroni) when
    the rule was the best of several compared on the same back-test: the best of several
    looks better than it is, even on data without any pattern.

    Parameters
    ----------
    chosen, random : array-like of float
        Each period's share of incidents in the chosen and in the random cells (NaN: a period
        without incidents).
    candidates : int, default=1
        How many forecasters the rule was chosen from on the same back-test.
    alpha : float, default=0.05
        The level below which the rule is called reliably better (``reliable``).

    Returns
    -------
    dict
        ``wins``, ``losses``, ``ties``, ``pvalue`` (corrected), ``candidates``, ``reliable``.

    Examples
    --------
    >>> found = sign_test_against_random([0.3, 0.2, 0.25, 0.4, 0.1], [0.1, 0.1, 0.3, 0.2, 0.0])
    >>> found["wins"], found["losses"], round(found["pvalue"], 4), found["reliable"]
    (4, 1, 0.1875, False)
    """
    from scipy.stats import binomtest

    chosen = np.asarray(chosen, dtype=float)
    random = np.asarray(random, dtype=float)
    both = ~np.isnan(chosen) & ~np.isnan(random)
    wins = int((chosen[both] > random[both]).sum())
    losses = int((chosen[both] < random[both]).sum())
    p = binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue if wins + losses else 1.0
    pvalue = min(1.0, float(p) * max(1, int(candidates)))
    return {
        "wins": wins,
        "losses": losses,
        "ties": int(both.sum()) - wins - losses,
        "pvalue": pvalue,
        "candidates": int(candidates),
        "reliable": pvalue < alpha,
    }


def random_verdict(against: dict[str, Any], unit: str = "week") -> str:
    """:func:`sign_test_against_random`'s answer in words, for a briefing.

    Examples
    --------
    >>> random_verdict({"wins": 50, "losses": 2, "pvalue": 1e-12, "candidates": 1,
    ...                 "reliable": True})
    'They held more than as many cells picked at random in 50 of 52 weeks (sign test: p = 1e-12).'
    """
    counted = against["wins"] + against["losses"]
    test = (
        f"sign test, corrected for choosing the best of {against['candidates']} forecasters"
        if against.get("candidates", 1) > 1
        else "sign test"
    )
    said = (
        f"They held more than as many cells picked at random in {against['wins']} of "
        f"{counted} {unit}s ({test}: p = {against['pvalue']:.2g})"
    )
    if against["reliable"]:
        return said + "."
    return (
        said + ": not reliably better than cells picked at random. On these data the "
        "forecast adds little to choosing blindly; do not send patrols on it alone."
    )
