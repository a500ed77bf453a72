"""Benchmark ``hotspot.count_incidents`` on a 100 m square grid against geopandas ``sjoin``.

Data (seeded, EPSG:27700, a 20 km x 20 km box from (420000, 420000) to (440000, 440000)):

* 1,000,000 simulated incidents: 600,000 uniform and 400,000 in five Gaussian clusters
  (sigma 250-1,200 m; draws outside the box are redrawn);
* 5,000 incidents placed exactly on the grid: 2,000 on vertical lines, 2,000 on horizontal
  lines, 1,000 on vertices (all inside the grid, so each touches 2 or 4 cells);
* 500 incidents on the outer edge of the grid: 400 on outer edges, 100 on outer corners of cells.

The grid is ``hotspot.square_grid(incidents, 100, quiet=True)`` over the first 1,005,000
incidents (the default study area: their convex hull buffered by one cell). The outer-edge
incidents are placed on the boundary of that grid afterwards, since adding them first would
grow the hull and the grid. All 1,005,500 then go through ``hotspot.read_incidents(gdf)``.
Grid building is timed separately from counting.

Timed, median of ``--repeats`` runs, each on fresh frames so geopandas builds its spatial index
inside the call, as it does the first time a user joins:

* ``hotspot``: ``hotspot.count_incidents(incidents, cells, quiet=True)``;
* ``sjoin within``: ``gpd.sjoin(points, cells, predicate="within")`` + groupby count;
* ``sjoin intersects``: the same with ``predicate="intersects"``, keeping the first cell of each
  point (``drop_duplicates``) so that every point is counted once;
* ``numpy floor [info]``: the bare arithmetic (``get_x``/``get_y``, floor, lookup, bincount) with
  no checks, to show hotspot's own overhead.

Checks: per-cell counts of hotspot and ``sjoin within`` are identical for every cell with no
incident on its boundary, and hotspot over the strictly-inside incidents equals ``sjoin within``
over all of them in every cell; the differences are explained by the incidents on grid lines.
Target (from the issue): hotspot at least 10x faster than ``sjoin within`` + groupby.

Usage::

    python benchmarks/bench_count_incidents.py [--repeats 5] [--grid-repeats 2] [--seed 20261127]
        [--strict] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import hotspot

CRS = "EPSG:27700"
X0, Y0, SIDE = 420_000.0, 420_000.0, 20_000.0
CELL = 100.0
N_UNIFORM = 600_000
# (centre x, centre y, sigma in metres, incidents)
CLUSTERS = (
    (425_000.0, 433_000.0, 400.0, 120_000),
    (431_500.0, 428_000.0, 250.0, 60_000),
    (436_000.0, 436_500.0, 1_200.0, 100_000),
    (428_000.0, 424_000.0, 800.0, 70_000),
    (434_000.0, 422_500.0, 600.0, 50_000),
)
N_VLINE, N_HLINE, N_VERTEX = 2_000, 2_000, 1_000
N_OUTER_EDGE, N_OUTER_CORNER = 400, 100
SPEED_TARGET = 10.0


def uniform_in_box(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(X0, X0 + SIDE, n), rng.uniform(Y0, Y0 + SIDE, n)


def clustered(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for cx, cy, sigma, n in CLUSTERS:
        x, y = np.empty(0), np.empty(0)
        while len(x) < n:  # redraw the few that fall outside the box
            px, py = rng.normal(cx, sigma, n), rng.normal(cy, sigma, n)
            ok = (px > X0) & (px < X0 + SIDE) & (py > Y0) & (py < Y0 + SIDE)
            x, y = np.concatenate([x, px[ok]]), np.concatenate([y, py[ok]])
        xs.append(x[:n])
        ys.append(y[:n])
    return np.concatenate(xs), np.concatenate(ys)


def on_grid(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points exactly on interior grid lines and vertices (x, y multiples of CELL)."""
    lines = np.arange(X0 / CELL + 1, (X0 + SIDE) / CELL)  # interior line numbers
    vx = rng.choice(lines, N_VLINE) * CELL
    vy = rng.uniform(Y0, Y0 + SIDE, N_VLINE)
    hx = rng.uniform(X0, X0 + SIDE, N_HLINE)
    hy = rng.choice(lines, N_HLINE) * CELL
    cx = rng.choice(lines, N_VERTEX) * CELL
    cy = rng.choice(lines, N_VERTEX) * CELL
    kind = np.repeat(["grid line", "grid line", "grid vertex"], [N_VLINE, N_HLINE, N_VERTEX])
    return np.concatenate([vx, hx, cx]), np.concatenate([vy, hy, cy]), kind


def on_outer_edge(
    rng: np.random.Generator, cells: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on the outer boundary of the grid: on cell edges and corners with no cell beyond."""
    row, col = cells["row"].to_numpy(), cells["col"].to_numpy()
    present = set(zip(row.tolist(), col.tolist(), strict=True))
    xs, ys = [], []
    # (neighbour offset, edge as (x0, y0, dx, dy) in cell units from the cell's lower left)
    sides = (
        ((0, 1), (1, 0, 0, 1)),  # right
        ((0, -1), (0, 0, 0, 1)),  # left
        ((1, 0), (0, 1, 1, 0)),  # top
        ((-1, 0), (0, 0, 1, 0)),  # bottom
    )
    edges = []
    for (dr, dc), edge in sides:
        outer = [
            (r, c)
            for r, c in zip(row.tolist(), col.tolist(), strict=True)
            if (r + dr, c + dc) not in present
        ]
        edges.extend((r, c, edge) for r, c in outer)
    pick = rng.choice(len(edges), N_OUTER_EDGE + N_OUTER_CORNER, replace=False)
    for i, k in enumerate(pick):
        r, c, (ex, ey, dx, dy) = edges[k]
        t = rng.uniform(0.01, 0.99) if i < N_OUTER_EDGE else 1.0  # corner: the edge's end
        xs.append((c + ex + t * dx) * CELL)
        ys.append((r + ey + t * dy) * CELL)
    kind = np.repeat(["outer edge", "outer corner"], [N_OUTER_EDGE, N_OUTER_CORNER])
    return np.array(xs), np.array(ys), kind


def frame(x: np.ndarray, y: np.ndarray, kind: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": kind}, geometry=gpd.points_from_xy(x, y), crs=CRS)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def sjoin_counts(points: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, predicate: str) -> pd.Series:
    """Incidents per cell by spatial join; with intersects each point keeps its first cell."""
    joined = gpd.sjoin(points, cells, how="inner", predicate=predicate)
    if predicate == "intersects":
        joined = joined[~joined.index.duplicated(keep="first")]
    right = cells.index.name or "index_right"
    return joined.groupby(right).size().reindex(cells.index, fill_value=0)


def numpy_counts(points: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> np.ndarray:
    """The bare arithmetic (info only): coordinates, floor, a row/col lookup and bincount.

    No input checks and no rule for points on the grid's top or right outer edge, whose floor
    falls in a missing cell: those are not counted.
    """
    x = shapely.get_x(points.geometry.array)
    y = shapely.get_y(points.geometry.array)
    row, col = cells["row"].to_numpy(), cells["col"].to_numpy()
    r0, c0 = row.min(), col.min()
    lookup = np.full((row.max() - r0 + 1, col.max() - c0 + 1), -1, dtype=np.int64)
    lookup[row - r0, col - c0] = np.arange(len(cells))
    r = np.floor(y / CELL).astype(np.int64) - r0
    c = np.floor(x / CELL).astype(np.int64) - c0
    ok = (r >= 0) & (r < lookup.shape[0]) & (c >= 0) & (c < lookup.shape[1])
    pos = np.full(len(x), -1, dtype=np.int64)
    pos[ok] = lookup[r[ok], c[ok]]
    return np.bincount(pos[pos >= 0], minlength=len(cells))


def sjoin_pairs(points: gpd.GeoDataFrame, cells: gpd.GeoDataFrame) -> pd.Series:
    """Incidents per cell counting every (point, cell) pair: edge points count in each cell."""
    joined = gpd.sjoin(points, cells, how="inner", predicate="intersects")
    right = cells.index.name or "index_right"
    return joined.groupby(right).size().reindex(cells.index, fill_value=0)


def fresh(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy without a cached spatial index (geopandas caches it on the geometry array)."""
    geoms = np.asarray(gdf.geometry.array)
    out = gpd.GeoDataFrame(
        pd.DataFrame(gdf.drop(columns=gdf.geometry.name)),
        geometry=gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs),
    )
    out.attrs = gdf.attrs
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--grid-repeats", type=int, default=2, help="timed square_grid runs")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    # --- data -----------------------------------------------------------------------------
    ux, uy = uniform_in_box(rng, N_UNIFORM)
    cx, cy = clustered(rng)
    lx, ly, lkind = on_grid(rng)
    kind = np.concatenate([np.repeat(["uniform", "cluster"], [len(ux), len(cx)]), lkind])
    base = frame(np.concatenate([ux, cx, lx]), np.concatenate([uy, cy, ly]), kind)

    grid_times = []
    for _ in range(args.grid_repeats):
        seconds, cells = timed(lambda: hotspot.square_grid(base, CELL, quiet=True))
        grid_times.append(seconds)
    ox, oy, okind = on_outer_edge(rng, cells)
    raw = pd.concat([base, frame(ox, oy, okind)], ignore_index=True)
    read_seconds, incidents = timed(lambda: hotspot.read_incidents(raw, quiet=True))
    n = len(incidents)
    x = shapely.get_x(incidents.geometry.array)
    y = shapely.get_y(incidents.geometry.array)
    on_line = (np.fmod(x, CELL) == 0) | (np.fmod(y, CELL) == 0)
    print(
        f"count_incidents benchmark: {n:,} incidents in {CRS} "
        f"({len(ux) + len(cx):,} simulated, {int(on_line.sum()):,} exactly on grid lines), "
        f"seed {args.seed}"
    )
    print(
        f"grid: {len(cells):,} cells of {CELL:g} m; square_grid median "
        f"{statistics.median(grid_times):.3f} s over {args.grid_repeats} runs (not in the "
        f"counting times); read_incidents(GeoDataFrame) {read_seconds:.2f} s"
    )

    # --- timings --------------------------------------------------------------------------
    points = incidents[["geometry"]]
    cells_only = cells[["geometry"]]
    methods: dict[str, Callable[[gpd.GeoDataFrame, gpd.GeoDataFrame], object]] = {
        "hotspot": lambda p, c: hotspot.count_incidents(p, c, quiet=True),
        "sjoin within": lambda p, c: sjoin_counts(p, c, "within"),
        "sjoin intersects": lambda p, c: sjoin_counts(p, c, "intersects"),
        "numpy floor [info]": numpy_counts,
    }
    inputs = {"hotspot": (incidents, cells), "sjoin within": (points, cells_only)}
    inputs["sjoin intersects"] = (points, cells_only)
    inputs["numpy floor [info]"] = (points, cells)
    times: dict[str, list[float]] = {m: [] for m in methods}
    results: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(args.repeats):
            for name, fn in methods.items():  # interleaved, so drift hits every method alike
                p, c = (fresh(f) for f in inputs[name])  # untimed
                seconds, results[name] = timed(lambda fn=fn, p=p, c=c: fn(p, c))
                times[name].append(seconds)
        # warm: geopandas' spatial index already cached on the frames (info only)
        warm_p, warm_c = fresh(points), fresh(cells_only)
        sjoin_counts(warm_p, warm_c, "within")
        warm_within = statistics.median(
            timed(lambda: sjoin_counts(warm_p, warm_c, "within"))[0]
            for _ in range(min(3, args.repeats))
        )
        pairs = sjoin_pairs(points, cells_only)

    med = {m: statistics.median(t) for m, t in times.items()}
    print()
    print(f"{'method':<20}{'median s':>10}{'min-max s':>14}{'counted':>12}{'time / hotspot':>16}")
    print("-" * 72)
    totals = {
        "hotspot": int(results["hotspot"]["count"].sum()),
        "sjoin within": int(results["sjoin within"].sum()),
        "sjoin intersects": int(results["sjoin intersects"].sum()),
        "numpy floor [info]": int(results["numpy floor [info]"].sum()),
    }
    for m, t in times.items():
        spread = f"{min(t):.3f}-{max(t):.3f}"
        print(
            f"{m:<20}{med[m]:>10.3f}{spread:>14}{totals[m]:>12,}{med[m] / med['hotspot']:>15.2f}x"
        )
    print(
        f"{'  within, warm index':<20}{warm_within:>10.3f}{'':>14}{'':>12}"
        f"{warm_within / med['hotspot']:>15.2f}x  (info: spatial index cached by a first call)"
    )
    speedup = med["sjoin within"] / med["hotspot"]
    speed_ok = speedup >= SPEED_TARGET
    print()
    print(
        f"speed: sjoin within / hotspot = {speedup:.1f}x  (target >= {SPEED_TARGET:g}x)  "
        f"{'PASS' if speed_ok else 'FAIL'}"
    )
    print(f"       sjoin intersects / hotspot = {med['sjoin intersects'] / med['hotspot']:.1f}x")
    bare = med["numpy floor [info]"]
    print(
        f"       hotspot spends {med['hotspot'] - bare:.3f} s more than the bare numpy arithmetic "
        f"({bare:.3f} s): input checks and the edge rule"
    )

    # --- agreement ------------------------------------------------------------------------
    ours = results["hotspot"]["count"]
    within = results["sjoin within"]
    intersects_first = results["sjoin intersects"]
    inside = incidents.loc[~on_line]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_inside = hotspot.count_incidents(inside, cells, quiet=True)["count"]
        edge_pts = incidents.loc[on_line, ["geometry"]]
        touched = gpd.sjoin(edge_pts, cells_only, predicate="intersects")
    right = cells.index.name or "index_right"
    touched_cells = pd.Index(touched[right].unique())
    clean = ~cells.index.isin(touched_cells)
    same_clean = int((ours[clean] == within[clean]).sum())
    same_inside = bool((ours_inside == within).all())
    checks = {
        "hotspot counts every incident once": totals["hotspot"] == n,
        "within == hotspot in every cell with no incident on its boundary": (
            same_clean == int(clean.sum())
        ),
        "within == hotspot over strictly-inside incidents, every cell": same_inside,
        "within misses exactly the on-line incidents": n - totals["sjoin within"]
        == int(on_line.sum()),
    }
    print()
    print("agreement (per-cell counts):")
    print(
        f"  cells with no incident on their boundary: {int(clean.sum()):,} of {len(cells):,}; "
        f"hotspot == sjoin within in {same_clean:,} of them"
    )
    print(
        f"  hotspot over the {len(inside):,} strictly-inside incidents == sjoin within over "
        f"all {n:,}: {'identical in every cell' if same_inside else 'DIFFERENT'}"
    )
    for label, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")

    print()
    print(
        "incidents on grid lines, by kind: cells each one touches (sjoin intersects pairs) "
        "and what each method counts"
    )
    matches = touched.groupby(level=0).size()
    kinds = incidents.loc[on_line, "kind"]
    table = pd.DataFrame({"kind": kinds, "cells touched": matches.reindex(kinds.index)})
    summary = table.groupby(["kind", "cells touched"]).size().rename("incidents").reset_index()
    summary["hotspot"] = summary["incidents"]
    summary["within"] = 0
    summary["intersects pairs"] = summary["incidents"] * summary["cells touched"]
    print("  " + summary.to_string(index=False).replace("\n", "\n  "))
    moved = int((ours != intersects_first).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours_cell = hotspot.assign_cells(incidents.loc[on_line], cells)
        first = gpd.sjoin(edge_pts, cells_only, predicate="intersects")
    first_cell = first[~first.index.duplicated(keep="first")][right].reindex(ours_cell.index)
    differ = ours_cell.to_numpy() != first_cell.to_numpy()
    lower = int((first_cell.to_numpy()[differ] < ours_cell.to_numpy()[differ]).sum())
    print(
        f"  sjoin within counts {totals['sjoin within']:,} = {n:,} - "
        f"{n - totals['sjoin within']:,}: a point on a cell's boundary is not *within* it, "
        "so every incident on a grid line or the outer edge is lost."
    )
    print(
        f"  sjoin intersects without de-duplication counts {int(pairs.sum()):,} "
        f"(+{int(pairs.sum()) - n:,}): a point on a shared edge is in 2 cells, on an "
        "interior vertex in 4."
    )
    print(
        f"  sjoin intersects keeping the first cell counts {totals['sjoin intersects']:,} "
        f"(each once), but {moved:,} cells differ from hotspot: of the {len(ours_cell):,} "
        f"on-line incidents it puts {int(differ.sum()):,} in another cell than hotspot, "
        f"{lower:,} of them in the lower-id one (left/below): it keeps whichever cell the "
        "spatial index returns first, while hotspot's rule is fixed (the cell right of / "
        "above a shared line; on the outer edge, the one cell there)."
    )

    if args.json:
        result = {
            "benchmark": "count_incidents",
            "incidents": n,
            "on_line": int(on_line.sum()),
            "cells": len(cells),
            "seconds": med,
            "runs": times,
            "sjoin_within_warm_seconds": warm_within,
            "square_grid_seconds": statistics.median(grid_times),
            "read_incidents_seconds": read_seconds,
            "ratios": {
                "speed_vs_within": speedup,
                "speed_vs_intersects": med["sjoin intersects"] / med["hotspot"],
            },
            "targets": {"speed": {"ratio": speedup, "target": SPEED_TARGET, "pass": speed_ok}},
            "checks": checks,
        }
        args.json.write_text(json.dumps(result, indent=2))
    ok = speed_ok and all(checks.values())
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
