"""Benchmark ``hotspot.emerging_hotspots`` against the naive esda + pymannkendall loop.

Data: the embedded Toronto incidents (``hotspot.datasets.load_toronto``) on a 250 m square grid,
counted in weekly bins: ``space_time_cube(inc, square_grid(inc, 250), "W", start="2018-01-01",
end="2019-12-31")`` (about 11,600 cells x 105 weeks) for the permutation comparison, and the same
grid over 2014-01-01 .. 2021-12-31 (about 418 weeks) for the analytical run. Only cells with at
least one incident in the cube are analysed, on both sides (ArcGIS's rule, hotspot's default).

Timed, each run in a fresh child process that builds the cube untimed:

* ``hotspot``: ``emerging_hotspots(cube, permutations=99, rng=0, quiet=True)`` on the 2018-2019
  cube (warm numba disk cache; whether the kernel compiled is recorded);
* ``naive``: the loop a user would write with the peers (PEERS.md: 111 s for 20k cells x 104
  weeks). Queen weights among the analysed cells are built once, untimed
  (``libpysal.weights.Queen.from_dataframe``). Then, for each weekly slice, esda
  ``G_Local(slice_counts, w, transform="B", star=True, permutations=99, seed=0)`` (defaults
  otherwise: ``n_jobs=-1``, ``keep_simulations=True``), and ``pymannkendall.original_test`` on
  each cell's series of z-scores. Only a sample is timed and scaled linearly:

  - esda: ``--slices`` slices (default 10), evenly spread over the cube. The first call also
    compiles esda's numba functions (not cached on disk, so a user pays it once per process):
    ``compile = first call - mean of the other calls``, ``per-slice = mean of the other calls``,
    ``esda total = compile + T x per-slice``;
  - Mann-Kendall: ``--mk-cells`` cells (default 2,000, a fixed random sample) on their full
    T-long z-series (computed untimed with esda's analytical ``G_Local(..., permutations=0)``,
    whose ``Zs`` are the same as with permutations), ``MK total = N x per-cell``;
  - naive total = esda total + MK total. The FDR step and the categorisation, which the naive
    user still has to write, are left out (in the naive route's favour).

  As information, the same slices are timed again with ``n_jobs=1``, whose in-process numba
  functions compile on their own first call (the same split into compile and per-slice), and
  the ratio without esda's compile is printed. The z-series formula is checked against the
  ``Zs`` of the timed slices.
* ``analytical``: ``emerging_hotspots(cube, quiet=True)`` on the 2014-2021 cube.

Peak memory: each child resets its peak-RSS mark after the setup (``/proc/self/clear_refs``) and
reports ``VmHWM`` after the timed work, and its growth over the post-setup RSS; for the naive run
that covers the sampled work only. esda's loky workers are separate processes: the parent samples
the RSS of the child's process tree every 20 ms (information only).

Targets: naive total (scaled) / hotspot >= 20; analytical 2014-2021 under 10 s. Checks: both
sides analyse the same cells; hotspot's categories are identical in every run (``rng=0``); every
analysed cell gets one of the 17 categories. hotspot's category counts are printed, and (as
information, from an untimed second call in the same child) the counts with ``fdr=False``:
with 99 permutations the smallest two-sided p-value is 0.02, which the per-bin FDR correction
over thousands of cells never lets through.

Usage::

    python benchmarks/bench_emerging.py [--repeats 3] [--slices 10] [--mk-cells 2000] [--quick]
        [--strict] [--json FILE]

``--quick``: one run of each hotspot variant, 5 slices, 1,000 Mann-Kendall cells, no n_jobs=1
timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _measure import _measure_end, _measure_start, _tree_rss_mib

CELL = 250.0
FREQ = "W"
SHORT = ("2018-01-01", "2019-12-31")
LONG = ("2014-01-01", "2021-12-31")
PERMUTATIONS = 99
SEED = 0
SPEED_TARGET = 20.0
ANALYTICAL_TARGET = 10.0  # seconds
SAMPLE_SECONDS = 0.02
VARIANTS = {
    "hotspot": "emerging_hotspots(cube, permutations=99, rng=0), 2018-2019 weekly cube",
    "naive": "esda G_Local per weekly slice (99 permutations) + pymannkendall per cell, sampled "
    "and scaled",
    "analytical": "emerging_hotspots(cube), 2014-2021 weekly cube",
}
LABELS = {
    "hotspot": "hotspot, 99 perms",
    "naive": "naive (scaled)",
    "analytical": "hotspot analytical 2014-21",
}


# ----------------------------------------------------------------------------- child side


def _setup(period: tuple[str, str]):
    """The weekly cube of the Toronto incidents on a 250 m grid (untimed)."""
    import hotspot

    inc = hotspot.datasets.load_toronto(quiet=True)
    cells = hotspot.square_grid(inc, CELL, quiet=True)
    cube = hotspot.space_time_cube(inc, cells, FREQ, start=period[0], end=period[1], quiet=True)
    return hotspot, inc, cube


def _facts(inc, cube) -> dict:
    import numpy as np

    analysed = cube.counts.sum(axis=0) > 0
    return {
        "rows": len(inc),
        "n_bins": int(cube.counts.shape[0]),
        "n_cells": int(cube.counts.shape[1]),
        "n_analysed": int(analysed.sum()),
        "incidents": int(cube.counts.sum()),
        "first_bin": str(cube.bins[0].date()),
        "last_bin": str(cube.bins[-1].date()),
        "nonzero_share": float(np.count_nonzero(cube.counts) / cube.counts.size),
    }


def child_hotspot(out: Path, tag: str, permutations: int, period: tuple[str, str]) -> dict:
    import numpy as np
    import scipy.stats  # noqa: F401  (imported lazily by hotspot; untimed)

    hotspot, inc, cube = _setup(period)
    from hotspot.stats import mann_kendall  # noqa: F401
    from hotspot.stats._kernels import tail_counts

    facts = _facts(inc, cube)
    del inc
    start = _measure_start()
    t0 = time.perf_counter()
    result = hotspot.emerging_hotspots(cube, permutations=permutations, rng=SEED, quiet=True)
    seconds = time.perf_counter() - t0
    measured = _measure_end(start, seconds)
    meta = result.attrs["hotspot"]["emerging"]
    category = result["emerging_category"].to_numpy(dtype=str)
    np.save(out / f"{tag}_category.npy", category)
    del result
    plain = hotspot.emerging_hotspots(
        cube, permutations=permutations, rng=SEED, fdr=False, quiet=True
    )
    no_fdr = plain.attrs["hotspot"]["emerging"]["categories"]
    stats = tail_counts.stats
    return {
        **measured,
        "data": facts,
        "categories": meta["categories"],
        "categories_no_fdr": no_fdr,
        "n_analysed_result": int(meta["n_analysed"]),
        "compiled": sum(stats.cache_misses.values()) > 0 if permutations else None,
    }


def child_naive(out: Path, tag: str, n_slices: int, mk_cells: int, jobs1: bool) -> dict:
    import warnings

    import geopandas as gpd
    import libpysal
    import numpy as np
    import pymannkendall
    import scipy.sparse as sp
    import scipy.stats  # noqa: F401
    from esda.getisord import G_Local

    hotspot, inc, cube = _setup(SHORT)
    facts = _facts(inc, cube)
    del inc
    analysed = np.flatnonzero(cube.counts.sum(axis=0) > 0)
    counts = cube.counts[:, analysed].astype(float)
    n_bins, n_cells = counts.shape
    plain = gpd.GeoDataFrame(geometry=cube.cells.geometry.array[analysed], crs=cube.cells.crs)
    t0 = time.perf_counter()
    w = libpysal.weights.Queen.from_dataframe(plain, use_index=False, silence_warnings=True)
    w_seconds = time.perf_counter() - t0
    slices = np.unique(np.linspace(0, n_bins - 1, n_slices).round().astype(int))
    rng = np.random.default_rng(SEED)
    mk_sample = np.sort(rng.choice(n_cells, size=min(mk_cells, n_cells), replace=False))
    warnings.simplefilter("ignore")  # esda's crand 'alternative' DeprecationWarning, islands

    start = _measure_start()
    per_call, timed_z = [], []
    t_all = time.perf_counter()
    for t in slices:
        t0 = time.perf_counter()
        g = G_Local(counts[t], w, transform="B", star=True, permutations=PERMUTATIONS, seed=SEED)
        per_call.append(time.perf_counter() - t0)
        timed_z.append(np.asarray(g.Zs, dtype=float))
        del g
    esda_seconds = time.perf_counter() - t_all
    measured = _measure_end(start, esda_seconds)
    jobs1_calls = []
    if jobs1:  # the in-process numba functions of n_jobs=1 compile on their own first call
        for t in slices:
            t0 = time.perf_counter()
            G_Local(
                counts[t],
                w,
                transform="B",
                star=True,
                permutations=PERMUTATIONS,
                seed=SEED,
                n_jobs=1,
            )
            jobs1_calls.append(time.perf_counter() - t0)

    # the z-series for Mann-Kendall, untimed: esda's analytical formula for star=True and binary
    # weights (G_Local.calc), vectorised over the slices and checked on the timed slices' Zs
    t0 = time.perf_counter()
    star = (w.sparse.tocsr() + sp.eye_array(n_cells, format="csr")).tocsr()
    star.data[:] = 1.0
    total = counts.sum(axis=1, keepdims=True)
    mean = total / n_cells
    variance = (counts**2).sum(axis=1, keepdims=True) / n_cells - mean**2
    k = np.asarray(star.sum(axis=1)).ravel()[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        g_all = (star @ counts.T).T / total
        expected_variance = k * (n_cells - k) / (n_cells - 1) / n_cells**2 * variance / mean**2
        z = (g_all - k / n_cells) / np.sqrt(expected_variance)
    z_seconds = time.perf_counter() - t0
    z_diff = max(
        float(np.nanmax(np.abs(z[t] - zt), initial=0.0))
        for t, zt in zip(slices, timed_z, strict=True)
    )
    z_nan_mismatch = sum(
        int((np.isfinite(z[t]) != np.isfinite(zt)).sum())
        for t, zt in zip(slices, timed_z, strict=True)
    )
    z = np.nan_to_num(z)
    mk_start = _measure_start()
    trending = 0
    t0 = time.perf_counter()
    for i in mk_sample:
        trending += pymannkendall.original_test(z[:, i], alpha=0.05).h
    mk_seconds = time.perf_counter() - t0
    mk_measured = _measure_end(mk_start, mk_seconds)

    later = per_call[1:] if len(per_call) > 1 else per_call
    per_slice = statistics.mean(later)
    compile_s = max(per_call[0] - per_slice, 0.0)
    per_cell = mk_seconds / len(mk_sample)
    esda_total = compile_s + n_bins * per_slice
    mk_total = n_cells * per_cell
    return {
        **measured,
        "seconds": esda_total + mk_total,  # the scaled naive total
        "data": facts,
        "w_seconds": w_seconds,
        "z_series_seconds": z_seconds,
        "slices": [int(s) for s in slices],
        "per_call": per_call,
        "per_slice": per_slice,
        "compile": compile_s,
        "esda_total": esda_total,
        "esda_sampled_seconds": esda_seconds,
        "jobs1_calls": jobs1_calls,
        "jobs1_per_slice": statistics.mean(jobs1_calls[1:]) if jobs1_calls else None,
        "jobs1_compile": max(jobs1_calls[0] - statistics.mean(jobs1_calls[1:]), 0.0)
        if jobs1_calls
        else None,
        "z_max_abs_diff": z_diff,
        "z_nan_mismatch": z_nan_mismatch,
        "mk_cells": len(mk_sample),
        "mk_seconds": mk_seconds,
        "mk_per_cell": per_cell,
        "mk_total": mk_total,
        "mk_trending_share": trending / len(mk_sample),
        "mk_peak_mib": mk_measured["peak_mib"],
        "n_bins": n_bins,
        "n_analysed": n_cells,
        "w_islands": len(w.islands),
        "w_mean_neighbours": float(w.mean_neighbors),
    }


def child(variant: str, out: Path, tag: str, options: dict) -> None:
    if variant == "hotspot":
        result = child_hotspot(out, tag, PERMUTATIONS, SHORT)
    elif variant == "analytical":
        result = child_hotspot(out, tag, 0, LONG)
    else:
        result = child_naive(out, tag, options["slices"], options["mk_cells"], options["jobs1"])
    print(json.dumps({"variant": variant, "tag": tag, **result}))


# ---------------------------------------------------------------------------- parent side


def run_child(variant: str, out: Path, tag: str, options: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--out", str(out), "--tag", tag]
    cmd += ["--slices", str(options["slices"]), "--mk-cells", str(options["mk_cells"])]
    cmd += [] if options["jobs1"] else ["--no-jobs1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, float]] = []
    on_proc = os.path.exists(f"/proc/{proc.pid}/statm")

    def sample() -> None:
        while proc.poll() is None:
            samples.append((time.time(), _tree_rss_mib(proc.pid)))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    if on_proc:
        sampler.start()
    stdout, stderr = proc.communicate()
    if on_proc:
        sampler.join()
    if proc.returncode != 0:
        sys.exit(f"child {variant} failed:\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    window = [rss for t, rss in samples if result["wall_start"] <= t <= result["wall_end"]]
    before = [rss for t, rss in samples if t < result["wall_start"]]
    result["tree_peak_mib"] = max(window) if window else None
    result["tree_growth_mib"] = max(window) - before[-1] if window and before else None
    return result


def summarise(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for variant, rs in runs.items():
        trees = [r["tree_growth_mib"] for r in rs if r.get("tree_growth_mib") is not None]
        out[variant] = {
            "runs": len(rs),
            "seconds": statistics.median(r["seconds"] for r in rs),
            "seconds_min": min(r["seconds"] for r in rs),
            "seconds_max": max(r["seconds"] for r in rs),
            "rss_setup_mib": statistics.median(r["rss_setup_mib"] for r in rs),
            "peak_mib": statistics.median(r["peak_mib"] for r in rs),
            "growth_mib": statistics.median(r["peak_mib"] - r["rss_setup_mib"] for r in rs),
            "tree_growth_mib": statistics.median(trees) if trees else None,
            "peak_reset": all(r["peak_reset"] for r in rs),
        }
    return out


def _categories_table(a: dict, b: dict, label_a: str, label_b: str) -> None:
    names = sorted(set(a) | set(b), key=lambda k: (-(a.get(k, 0) + b.get(k, 0)), k))
    print(f"  {'category':<30}{label_a:>14}{label_b:>14}")
    for name in names:
        print(f"  {name:<30}{a.get(name, 0):>14,}{b.get(name, 0):>14,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each hotspot variant")
    parser.add_argument("--slices", type=int, default=10, help="esda slices timed (scaled)")
    parser.add_argument("--mk-cells", type=int, default=2000, help="Mann-Kendall cells timed")
    parser.add_argument("--quick", action="store_true", help="1 run, 5 slices, 1,000 MK cells")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--no-jobs1", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.slices, args.mk_cells, args.no_jobs1 = 1, 5, 1000, True
    options = {
        "slices": max(2, args.slices),
        "mk_cells": max(1, args.mk_cells),
        "jobs1": not args.no_jobs1,
    }
    if args.child:
        child(args.child, args.out, args.tag, options)
        return 0
    import numpy as np

    repeats = max(1, args.repeats)

    started = time.perf_counter()
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-emerging-") as tmp:
        folder = Path(tmp)
        order = ["naive"] + [v for _ in range(repeats) for v in ("hotspot", "analytical")]
        for k, variant in enumerate(order):
            runs[variant].append(run_child(variant, folder, f"{variant}{k}", options))
        cats = {
            v: [np.load(folder / f"{r['tag']}_category.npy") for r in runs[v]]
            for v in ("hotspot", "analytical")
        }
    stats = summarise(runs)
    h, n, a = runs["hotspot"][0], runs["naive"][0], runs["analytical"][0]
    short, long_ = h["data"], a["data"]
    print(
        f"Emerging hot spots: Toronto, {short['rows']:,} incidents, {CELL:g} m square grid, weekly "
        f"bins. 2018-2019 cube: {short['n_bins']} bins x {short['n_cells']:,} cells, "
        f"{short['n_analysed']:,} with incidents (analysed), {short['incidents']:,} incidents, "
        f"{short['nonzero_share']:.1%} of bins x cells non-zero"
    )
    print(
        f"2014-2021 cube: {long_['n_bins']} bins ({long_['first_bin']} .. {long_['last_bin']}) x "
        f"{long_['n_cells']:,} cells, {long_['n_analysed']:,} analysed, "
        f"{long_['incidents']:,} incidents"
    )
    print(
        f"each run a fresh process, setup untimed; hotspot variants: median of {repeats}; naive: "
        f"1 run, queen weights among the analysed cells ({n['w_mean_neighbours']:.2f} neighbours "
        f"on average, {n['w_islands']} islands, built in {n['w_seconds']:.1f} s, untimed)"
    )
    print()
    print(
        f"{'variant':<28}{'seconds':>9}{'min':>8}{'max':>8}{'setup RSS':>11}{'peak':>8}"
        f"{'growth':>8}{'tree growth':>13}"
    )
    for variant, s in stats.items():
        print(
            f"{LABELS[variant]:<28}{s['seconds']:>9.2f}{s['seconds_min']:>8.2f}"
            f"{s['seconds_max']:>8.2f}{s['rss_setup_mib']:>8.0f} MiB{s['peak_mib']:>8.0f}"
            f"{s['growth_mib']:>8.0f}"
            + (f"{s['tree_growth_mib']:>9.0f} MiB" if s["tree_growth_mib"] is not None else "")
        )
    print("  (naive: seconds = the scaled total; memory = the sampled esda calls)")

    T, N = n["n_bins"], n["n_analysed"]
    calls = ", ".join(f"{c:.2f}" for c in n["per_call"])
    print()
    print(f"naive, scaled linearly to the full cube ({T} slices x {N:,} cells):")
    print(
        f"  esda G_Local, 99 perms: {len(n['slices'])} slices timed ({calls} s); first call "
        f"includes numba compile {n['compile']:.2f} s (counted once); per slice "
        f"{n['per_slice']:.3f} s -> {n['compile']:.2f} + {T} x {n['per_slice']:.3f} = "
        f"{n['esda_total']:.1f} s"
    )
    print(
        f"  pymannkendall.original_test: {n['mk_cells']:,} cells timed in {n['mk_seconds']:.2f} s; "
        f"per cell {1e3 * n['mk_per_cell']:.3f} ms -> {N:,} x {1e3 * n['mk_per_cell']:.3f} ms = "
        f"{n['mk_total']:.1f} s ({n['mk_trending_share']:.1%} of the sampled cells trending)"
    )
    print(
        f"  naive total = {n['esda_total']:.1f} + {n['mk_total']:.1f} = {n['seconds']:.1f} s "
        "(FDR and categorisation not counted)"
    )
    hs = stats["hotspot"]["seconds"]
    no_compile = n["seconds"] - n["compile"]
    print(
        f"  info: without esda's compile the naive total is {no_compile:.1f} s, "
        f"{no_compile / hs:.1f}x hotspot"
    )
    if n["jobs1_per_slice"] is not None:
        jobs1_total = n["jobs1_compile"] + T * n["jobs1_per_slice"] + n["mk_total"]
        jobs1_calls = ", ".join(f"{c:.2f}" for c in n["jobs1_calls"])
        print(
            f"  info: esda n_jobs=1 (same slices: {jobs1_calls} s): compile "
            f"{n['jobs1_compile']:.2f} s, per slice {n['jobs1_per_slice']:.3f} s -> naive total "
            f"{jobs1_total:.1f} s, {jobs1_total / hs:.1f}x hotspot (without compile "
            f"{(jobs1_total - n['jobs1_compile']) / hs:.1f}x)"
        )
    else:
        jobs1_total = None

    speed = stats["naive"]["seconds"] / stats["hotspot"]["seconds"]
    analytical_s = stats["analytical"]["seconds"]
    targets = {
        "speed": (speed, SPEED_TARGET, speed >= SPEED_TARGET),
        "analytical": (analytical_s, ANALYTICAL_TARGET, analytical_s < ANALYTICAL_TARGET),
    }
    ok = {True: "PASS", False: "FAIL"}
    print()
    print(
        f"speed-up naive (scaled) / hotspot, 99 perms = {speed:6.1f}x  (target >= "
        f"{SPEED_TARGET:g}x)  {ok[targets['speed'][2]]}  [{stats['naive']['seconds']:.1f} s / "
        f"{stats['hotspot']['seconds']:.2f} s]"
    )
    print(
        f"analytical, 2014-2021 ({long_['n_bins']} bins)         = {analytical_s:6.2f} s  "
        f"(target < {ANALYTICAL_TARGET:g} s)  {ok[targets['analytical'][2]]}"
    )

    n_categories = 17
    checks = {
        f"naive z-series formula = esda Zs on the timed slices (max abs diff "
        f"{n['z_max_abs_diff']:.1e} <= 1e-9)": n["z_max_abs_diff"] <= 1e-9
        and n["z_nan_mismatch"] == 0,
        "same analysed cells on both sides": n["n_analysed"] == h["n_analysed_result"]
        and n["n_analysed"] == short["n_analysed"],
        "hotspot categories identical in every run (rng=0)": all(
            (c == cats["hotspot"][0]).all() for c in cats["hotspot"][1:]
        ),
        "analytical categories identical in every run": all(
            (c == cats["analytical"][0]).all() for c in cats["analytical"][1:]
        ),
        "every analysed cell has one of the 17 categories": all(
            sum(v for k, v in r["categories"].items() if not k.startswith("not analysed"))
            == r["data"]["n_analysed"]
            and len([k for k in r["categories"] if not k.startswith("not analysed")])
            <= n_categories
            for r in (h, a)
        ),
    }
    print()
    for label, passed in checks.items():
        print(f"  {ok[bool(passed)]}  {label}")
    compiled = [r["compiled"] for r in runs["hotspot"]]
    print(f"  info: hotspot permutation kernel compiled in the timed call: {compiled}")
    print()
    print("category counts (hotspot; cells never with an incident are 'not analysed'):")
    _categories_table(h["categories"], a["categories"], "2018-19 p=99", "2014-21 anal.")
    print("the same without the FDR correction (fdr=False; information only):")
    _categories_table(
        h["categories_no_fdr"], a["categories_no_fdr"], "2018-19 p=99", "2014-21 anal."
    )
    print(f"wall time {time.perf_counter() - started:.0f} s")

    if args.json:
        out = {
            "benchmark": "emerging",
            "repeats": repeats,
            "options": options,
            "data": {"short": short, "long": long_},
            "variants": stats,
            "runs": runs,
            "naive": {
                k: n[k]
                for k in (
                    "slices",
                    "per_call",
                    "per_slice",
                    "compile",
                    "esda_total",
                    "jobs1_per_slice",
                    "jobs1_compile",
                    "z_max_abs_diff",
                    "mk_cells",
                    "mk_per_cell",
                    "mk_total",
                    "n_bins",
                    "n_analysed",
                )
            }
            | {"total": n["seconds"], "total_jobs1": jobs1_total},
            "targets": {
                "speed": {"ratio": speed, "target": SPEED_TARGET, "pass": targets["speed"][2]},
                "analytical": {
                    "seconds": analytical_s,
                    "target": ANALYTICAL_TARGET,
                    "pass": targets["analytical"][2],
                },
            },
            "checks": {k: bool(v) for k, v in checks.items()},
            "categories": {"hotspot": h["categories"], "analytical": a["categories"]},
            "categories_no_fdr": {
                "hotspot": h["categories_no_fdr"],
                "analytical": a["categories_no_fdr"],
            },
        }
        args.json.write_text(json.dumps(out, indent=2))
    failed = [k for k, t in targets.items() if not t[2]] + [k for k, v in checks.items() if not v]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
