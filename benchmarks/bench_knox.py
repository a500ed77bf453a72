"""Benchmark ``hotspot.knox_test`` on Toronto's break-ins, and against pointpats' ``Knox`` class.

Data: the embedded Toronto incidents (``hotspot.datasets.load_toronto``), category
``"Break and Enter"``: 54,650 incidents, times on whole hours.

Timed, each run in a fresh child process:

* ``full``: ``hotspot.knox_test(be, distance_bands=(0, 100, 200, 300, 400, 500),
  time_bands=(0, 7, 14, 21, 28, 35), permutations=999, rng=0)`` on all the break-ins. Target:
  it completes with a peak RSS under 2 GB (absolute, imports and data included);
* ``all``: the same call on all 239,935 Toronto incidents from 2014 (every category; issue 15's
  scale case: 115 million pairs within 500 m; PEERS.md: 185 s / 3.6 GB before the close-pair
  search was blocked). Target: a peak RSS under 2 GB as well. Reported with the bytes per
  listed pair (growth over the post-setup RSS / pairs within 500 m), the pair count estimated
  before the listing and the CPU seconds of all threads (wall time on a shared machine says
  little); skipped with ``--no-all``;
* ``hotspot <n>``: one band, ``knox_test(subset, distance_bands=(0, 200), time_bands=(0, 7),
  same_location=False, permutations=99, rng=0)`` on a random subset of ``n`` break-ins
  (``numpy.random.default_rng(0)``; the subsets are nested: the first ``n`` of one permutation);
* ``pointpats <n>``: ``pointpats.Knox(s_coords, t_coords, delta=200, tau=7, permutations=99)``
  on the same subset, ``s_coords`` the (n, 2) metres, ``t_coords`` an (n, 1) float array of days
  since the subset's earliest time (nanoseconds / 86,400e9), after ``numpy.random.seed(0)``
  (pointpats draws from the global generator). Sizes 5,000, 10,000, 20,000 in turn; the next
  size is skipped when its predicted time (the last one x 2**1.6, pointpats' growth between 20k
  and 50k in PEERS.md) exceeds ``--budget`` (default 90 s). The comparison is at the largest
  size pointpats managed.

Each child imports its libraries and builds the subset untimed. It then resets the kernel's
peak-RSS mark (``/proc/self/clear_refs``), records its resident memory and times the call alone.
Peak memory is the child's high-water mark after the call (``VmHWM``; ``ru_maxrss`` including the
setup where the mark cannot be reset); growth is the peak minus the post-setup RSS. A ``check``
child runs first: it counts the close pairs of every subset by brute force (all pairs within
200 m from a k-d tree queried slightly wider, then filtered) under both definitions, and runs a
small ``knox_test`` so that hotspot's numba kernel is in its disk cache (as after a first use).

Band inclusivity. hotspot: ``0 <= d <= 200`` (``hypot``) and ``|dt| <= 7`` days, ``dt`` exact
int64 nanoseconds. pointpats: scipy ``KDTree.query_ball_tree(r=delta)`` on the coordinates
(``d**2 <= 200**2``) and on the float days (``|dt| <= 7.0`` after float rounding), both
inclusive, self pairs removed. Pairs exactly 7 days apart exist here (whole-hour times), so
the check child counts how many pairs sit on either boundary and confirms that both
definitions give the same count by brute force; the check is then that hotspot's observed
close-close cell, pointpats' ``nst`` and the brute-force count are identical.

Usage::

    python benchmarks/bench_knox.py [--repeats 3] [--budget 90] [--quick] [--strict]
        [--no-all] [--json FILE]

``--quick``: one hotspot run per size and pointpats at 5,000 and 10,000 only (the full run still
uses 999 permutations, the target's setting).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _measure import (
    _measure_end,
    _measure_start,
)

CATEGORY = "Break and Enter"
FULL_D = (0, 100, 200, 300, 400, 500)
FULL_T = (0, 7, 14, 21, 28, 35)
FULL_PERMUTATIONS = 999
ALL_FROM = "2014-01-01"  # the "all" variant: every category from this date (239,935 incidents)
DELTA = 200.0
TAU = 7.0
PERMUTATIONS = 99
SEED = 0
SIZES = (5_000, 10_000, 20_000)
QUICK_SIZES = (5_000, 10_000)
GROWTH_EXPONENT = 1.6  # pointpats 18 s at 20k, 79 s at 50k (PEERS.md)
MEMORY_TARGET_MIB = 2048.0
NS_PER_DAY = 86_400 * 10**9
TIMEOUT = 1800  # the "all" variant took 185 s (PEERS.md) and far longer on a busy machine


# ----------------------------------------------------------------------------- child side


def _setup():
    """The break-ins (untimed)."""
    import hotspot

    inc = hotspot.datasets.load_toronto(quiet=True)
    be = inc[inc["category"] == CATEGORY]
    return hotspot, be


def _subset(be, n: int):
    import numpy as np

    order = np.random.default_rng(SEED).permutation(len(be))
    return be.iloc[np.sort(order[:n])]


def _arrays(sub):
    """Metres (n, 2), int64 ns since the earliest time, float days (n, 1) as given to pointpats."""
    import numpy as np

    xy = np.column_stack([sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy()])
    ns = sub["time"].dt.as_unit("ns").to_numpy().view(np.int64)
    ns = ns - ns.min()
    return xy, ns, (ns / NS_PER_DAY).reshape(-1, 1)


def _kernel_stats() -> dict:
    """Whether the permutation kernel was compiled in this process or loaded from the disk
    cache. Also reads the kernel of the code before issue 15 (``pair_count_kernel``), so that
    one script measures before and after (``PYTHONPATH`` at a copy of the older tree)."""
    from hotspot.spacetime import _kernels

    if hasattr(_kernels, "grid_kernels"):
        kernel = _kernels.grid_kernels()["csr_counts"]
    else:
        kernel = _kernels.pair_count_kernel()
    stats = getattr(kernel, "stats", None)
    if stats is None:
        return {"compiled": None, "cache_hits": None}
    return {
        "compiled": sum(stats.cache_misses.values()) > 0,
        "cache_hits": sum(stats.cache_hits.values()),
    }


def child_check(sizes: list[int]) -> dict:
    from importlib.metadata import version

    import numpy as np
    from scipy.spatial import cKDTree

    hotspot, be = _setup()
    t0 = time.perf_counter()
    hotspot.knox_test(be.iloc[:2000], distance_bands=(0, 200), time_bands=(0, 7), permutations=9)
    warm_seconds = time.perf_counter() - t0
    brute = {}
    for n in sizes:
        xy, ns, days = _arrays(_subset(be, n))
        d = days[:, 0]
        pairs = cKDTree(xy).query_pairs(DELTA * (1 + 1e-9) + 1e-9, output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        dx, dy = xy[i, 0] - xy[j, 0], xy[i, 1] - xy[j, 1]
        near_h = np.hypot(dx, dy) <= DELTA
        near_p = dx * dx + dy * dy <= DELTA * DELTA
        dt = np.abs(ns[i] - ns[j])
        soon_h = dt <= round(TAU * NS_PER_DAY)
        soon_p = np.abs(d[i] - d[j]) <= TAU
        brute[str(n)] = {
            "hotspot_definition": int((near_h & soon_h).sum()),
            "pointpats_definition": int((near_p & soon_p).sum()),
            "pairs_within_200m": int(near_h.sum()),
            "same_point_pairs": int((dx * dx + dy * dy == 0).sum()),
            "pairs_at_exactly_7_days": int((near_h & (dt == round(TAU * NS_PER_DAY))).sum()),
            "distance_definitions_differ": int((near_h != near_p).sum()),
            "time_definitions_differ": int((near_h & (soon_h != soon_p)).sum()),
        }
    ns_all = be["time"].dt.as_unit("ns").to_numpy().view(np.int64)
    packages = ("numpy", "scipy", "numba", "pointpats", "pandas", "geopandas")
    return {
        "rows": len(be),
        "time_resolution_s": int(np.gcd.reduce((ns_all - ns_all.min()) // 10**9)),
        "warmup_seconds": warm_seconds,
        **{f"warmup_{k}": v for k, v in _kernel_stats().items()},
        "brute": brute,
        "versions": {p: version(p) for p in packages},
    }


def _setup_all():
    """All incidents from ``ALL_FROM`` (untimed)."""
    import pandas as pd

    import hotspot

    inc = hotspot.datasets.load_toronto(quiet=True)
    start = pd.Timestamp(ALL_FROM, tz=getattr(inc["time"].dtype, "tz", None))
    return hotspot, inc[inc["time"] >= start]


def child_full(variant: str = "full") -> dict:
    hotspot, be = _setup() if variant == "full" else _setup_all()
    start = _measure_start()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    res = hotspot.knox_test(
        be,
        distance_bands=FULL_D,
        time_bands=FULL_T,
        permutations=FULL_PERMUTATIONS,
        rng=SEED,
    )
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - cpu0  # all threads: comparable on a busy machine
    measured = _measure_end(start, seconds)
    obs = res.observed.to_numpy()
    listed = res.params["n_pairs_listed"]
    return {
        **measured,
        "bytes_per_listed_pair": (measured["peak_mib"] - measured["rss_setup_mib"])
        * 2**20
        / max(listed, 1),
        "n_pairs_listed_estimate": res.params.get("n_pairs_listed_estimate"),
        "cpu_seconds": cpu_seconds,
        **_kernel_stats(),
        "n": len(be),
        "n_pairs": res.params["n_pairs"],
        "n_pairs_listed": res.params["n_pairs_listed"],
        "observed_total": int(obs.sum()),
        "null_shape": list(res.null_distribution.shape),
        "null_mib": res.null_distribution.nbytes / 2**20,
        "observed": res.observed.to_dict(orient="split"),
        "ratio_same_0_7": float(res.ratio.iloc[0, 0]),
        "pvalue_same_0_7": float(res.pvalue.iloc[0, 0]),
        "ratio_100_0_7": float(res.ratio.iloc[1, 0]),
        "pvalue_100_0_7": float(res.pvalue.iloc[1, 0]),
    }


def child_hotspot(n: int) -> dict:
    hotspot, be = _setup()
    sub = _subset(be, n)
    del be
    start = _measure_start()
    t0 = time.perf_counter()
    res = hotspot.knox_test(
        sub,
        distance_bands=(0, DELTA),
        time_bands=(0, TAU),
        same_location=False,
        permutations=PERMUTATIONS,
        rng=SEED,
    )
    seconds = time.perf_counter() - t0
    return {
        **_measure_end(start, seconds),
        **_kernel_stats(),
        "n": n,
        "nst": int(res.observed.iloc[0, 0]),
        "p_sim": float(res.pvalue.iloc[0, 0]),
        "expected": float(res.expected.iloc[0, 0]),
    }


def child_pointpats(n: int) -> dict:
    import numpy as np
    from pointpats import Knox

    _, be = _setup()
    xy, _, days = _arrays(_subset(be, n))
    del be
    np.random.seed(SEED)  # noqa: NPY002  (pointpats draws from the global generator)
    start = _measure_start()
    t0 = time.perf_counter()
    k = Knox(xy, days, delta=DELTA, tau=TAU, permutations=PERMUTATIONS)
    seconds = time.perf_counter() - t0
    return {
        **_measure_end(start, seconds),
        "n": n,
        "nst": int(k.nst),
        "p_sim": float(k.p_sim),
        "expected": float(k.expected[0, 0]),
    }


def child(variant: str, n: int, sizes: list[int]) -> None:
    if variant == "check":
        result = child_check(sizes)
    elif variant in ("full", "all"):
        result = child_full(variant)
    elif variant == "hotspot":
        result = child_hotspot(n)
    else:
        result = child_pointpats(n)
    print(json.dumps({"variant": variant, **result}))


# ---------------------------------------------------------------------------- parent side


def run_child(variant: str, n: int = 0, sizes: tuple[int, ...] = ()) -> dict | None:
    cmd = [sys.executable, __file__, "--child", variant, "--n", str(n)]
    cmd += ["--sizes", ",".join(map(str, sizes))] if sizes else []
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        print(f"  {variant} {n}: timed out after {TIMEOUT} s", flush=True)
        return None
    if proc.returncode != 0:
        print(f"  {variant} {n}: failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarise(rs: list[dict]) -> dict:
    return {
        "runs": len(rs),
        "seconds": statistics.median(r["seconds"] for r in rs),
        "seconds_min": min(r["seconds"] for r in rs),
        "seconds_max": max(r["seconds"] for r in rs),
        "rss_setup_mib": statistics.median(r["rss_setup_mib"] for r in rs),
        "peak_mib": statistics.median(r["peak_mib"] for r in rs),
        "growth_mib": statistics.median(r["peak_mib"] - r["rss_setup_mib"] for r in rs),
        "peak_reset": all(r["peak_reset"] for r in rs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="hotspot runs per size")
    parser.add_argument("--budget", type=float, default=90.0, help="pointpats seconds per size")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--no-all", action="store_true", help="skip the all-incidents run")
    parser.add_argument("--only-all", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.n, [int(s) for s in args.sizes.split(",") if s])
        return 0

    started = time.perf_counter()
    if args.only_all:  # the scale case alone (used to measure before/after a change)
        result = run_child("all")
        print(json.dumps(result))
        return 0 if result else 1
    sizes = QUICK_SIZES if args.quick else SIZES
    repeats = 1 if args.quick else max(1, args.repeats)
    ok = {True: "PASS", False: "FAIL"}
    check = run_child("check", sizes=sizes)
    if check is None:
        sys.exit("the check child failed")
    print(
        f"data: {check['rows']:,} '{CATEGORY}' incidents (times on multiples of "
        f"{check['time_resolution_s']} s); pointpats sizes {', '.join(f'{s:,}' for s in sizes)}"
        f" (budget {args.budget:g} s each); hotspot {repeats} run(s) per size"
    )
    print(
        f"numba kernel warmed by the check child ({check['warmup_seconds']:.1f} s, compiled: "
        f"{check['warmup_compiled']}); versions: "
        + ", ".join(f"{k} {v}" for k, v in check["versions"].items()),
        flush=True,
    )
    full = run_child("full")
    if full is not None:
        print(f"  full: {full['seconds']:.1f} s, peak {full['peak_mib']:.0f} MiB", flush=True)
    every = None if args.no_all else run_child("all")
    if every is not None:
        print(f"  all: {every['seconds']:.1f} s, peak {every['peak_mib']:.0f} MiB", flush=True)
    hs_runs: dict[int, list[dict]] = {}
    pp_runs: dict[int, dict] = {}
    skipped: dict[int, str] = {}
    last = None
    for n in sizes:
        if last is not None and last * 2**GROWTH_EXPONENT > args.budget:
            skipped[n] = f"predicted {last * 2**GROWTH_EXPONENT:.0f} s > budget"
            continue
        pp = run_child("pointpats", n)
        hs_runs[n] = [r for r in (run_child("hotspot", n) for _ in range(repeats)) if r]
        if pp is None:
            skipped[n] = "failed or timed out"
            break
        pp_runs[n] = pp
        last = pp["seconds"]
        print(
            f"  {n:,}: pointpats {pp['seconds']:.1f} s, hotspot "
            f"{statistics.median(r['seconds'] for r in hs_runs[n]):.3f} s",
            flush=True,
        )
        if pp["seconds"] > args.budget:
            break

    print()
    header = (
        f"{'variant':<20}{'runs':>5}{'median s':>10}{'min-max s':>15}{'setup MiB':>11}"
        f"{'peak MiB':>10}{'growth MiB':>12}{'close pairs':>13}"
    )
    print(header)
    print("-" * len(header))
    stats: dict[str, dict] = {}
    rows = []
    if full is not None:
        stats["full"] = summarise([full])
        rows.append(("full", "hotspot full table", stats["full"], "-"))
    if every is not None:
        stats["all"] = summarise([every])
        rows.append(("all", "hotspot all 2014-", stats["all"], "-"))
    for n in sizes:
        if n in pp_runs:
            key = f"pointpats_{n}"
            stats[key] = {**summarise([pp_runs[n]]), "nst": pp_runs[n]["nst"]}
            rows.append((key, f"pointpats {n:,}", stats[key], f"{pp_runs[n]['nst']:,}"))
        if hs_runs.get(n):
            key = f"hotspot_{n}"
            nst = hs_runs[n][0]["nst"]
            stats[key] = {**summarise(hs_runs[n]), "nst": nst}
            rows.append((key, f"hotspot {n:,}", stats[key], f"{nst:,}"))
    for _, label, s, nst in rows:
        spread = f"{s['seconds_min']:.2f}-{s['seconds_max']:.2f}"
        print(
            f"{label:<20}{s['runs']:>5}{s['seconds']:>10.2f}{spread:>15}{s['rss_setup_mib']:>11.0f}"
            f"{s['peak_mib']:>10.0f}{s['growth_mib']:>12.0f}{nst:>13}"
        )
    print(
        f"  hotspot full table: knox_test(be, distance_bands={FULL_D}, time_bands={FULL_T}, "
        f"permutations={FULL_PERMUTATIONS}, rng={SEED}) on all {check['rows']:,} break-ins"
    )
    print(
        f"  pointpats <n>: Knox(xy, days, delta={DELTA:g}, tau={TAU:g}, permutations="
        f"{PERMUTATIONS}); hotspot <n>: knox_test(sub, distance_bands=(0, {DELTA:g}), "
        f"time_bands=(0, {TAU:g}), same_location=False, permutations={PERMUTATIONS}, rng={SEED})"
    )
    for n, why in skipped.items():
        print(f"  pointpats {n:,}: skipped ({why})")
    print(
        "  peak: the child's high-water RSS after the call, reset after setup"
        + ("" if all(s["peak_reset"] for s in stats.values()) else " (NOT reset: includes setup)")
        + "; growth = peak - post-setup RSS"
    )
    if full is not None:
        print(
            f"  full: {full['n_pairs_listed']:,} pairs within {FULL_D[-1]} m of "
            f"{full['n_pairs']:,}; null distribution {full['null_shape']} ({full['null_mib']:.1f}"
            f" MiB); kernel compiled in this process: {full['compiled']}; same location & 0-7 "
            f"days: ratio {full['ratio_same_0_7']:.2f} (p {full['pvalue_same_0_7']:.3f}), "
            f"0-100 m & 0-7 days: ratio {full['ratio_100_0_7']:.2f} "
            f"(p {full['pvalue_100_0_7']:.3f})"
        )

    for name, run in (("full", full), ("all", every)):
        if run is not None:
            estimate = run.get("n_pairs_listed_estimate")
            print(
                f"  {name}: {run['n']:,} incidents, {run['n_pairs_listed']:,} pairs within "
                f"{FULL_D[-1]} m (estimated beforehand: "
                + (f"{estimate:,}" if estimate is not None else "n/a")
                + f"); {run['bytes_per_listed_pair']:.1f} bytes of peak growth per listed pair"
            )

    targets: dict[str, dict] = {}
    if full is not None:
        targets["memory_full"] = {
            "peak_mib": full["peak_mib"],
            "growth_mib": full["peak_mib"] - full["rss_setup_mib"],
            "target_mib": MEMORY_TARGET_MIB,
            "seconds": full["seconds"],
            "pass": full["peak_mib"] < MEMORY_TARGET_MIB,
        }
    else:
        targets["memory_full"] = {"pass": False, "target_mib": MEMORY_TARGET_MIB}
    if every is not None:
        targets["memory_all"] = {
            "peak_mib": every["peak_mib"],
            "growth_mib": every["peak_mib"] - every["rss_setup_mib"],
            "target_mib": MEMORY_TARGET_MIB,
            "seconds": every["seconds"],
            "pass": every["peak_mib"] < MEMORY_TARGET_MIB,
        }
    compared = max((n for n in pp_runs if hs_runs.get(n)), default=None)
    per_size = {
        n: pp_runs[n]["seconds"] / stats[f"hotspot_{n}"]["seconds"]
        for n in pp_runs
        if hs_runs.get(n)
    }
    if compared is not None:
        ratio = per_size[compared]
        targets["time_vs_pointpats"] = {
            "ratio": ratio,
            "n": compared,
            "per_size": {str(n): r for n, r in per_size.items()},
            "memory_growth_ratio": stats[f"hotspot_{compared}"]["growth_mib"]
            / stats[f"pointpats_{compared}"]["growth_mib"],
            "pass": None,  # reported, no target
        }
    print()
    m = targets["memory_full"]
    if full is not None:
        print(
            f"full table peak RSS = {m['peak_mib']:.0f} MiB (target < {MEMORY_TARGET_MIB:.0f} MiB)"
            f"  {ok[m['pass']]}  [growth {m['growth_mib']:.0f} MiB over the post-setup RSS, "
            f"{m['seconds']:.1f} s]"
        )
    else:
        print(f"full table did not complete (target < {MEMORY_TARGET_MIB:.0f} MiB)  FAIL")
    if every is not None:
        m = targets["memory_all"]
        print(
            f"all 2014- peak RSS = {m['peak_mib']:.0f} MiB (target < {MEMORY_TARGET_MIB:.0f} MiB)"
            f"  {ok[m['pass']]}  [growth {m['growth_mib']:.0f} MiB, {m['seconds']:.1f} s, "
            f"{every['cpu_seconds']:.0f} s of CPU]"
        )
    if compared is not None:
        t = targets["time_vs_pointpats"]
        hs, pp = stats[f"hotspot_{compared}"], stats[f"pointpats_{compared}"]
        print(
            f"time ratio   pointpats / hotspot at {compared:,} = {t['ratio']:6.1f}x  (reported)  "
            f"[{pp['seconds']:.1f} s / {hs['seconds']:.3f} s]"
        )
        print(
            "  info: per size "
            + ", ".join(f"{n:,}: {r:.0f}x" for n, r in per_size.items())
            + f"; memory growth hotspot / pointpats at {compared:,} = "
            f"{t['memory_growth_ratio']:.3f} ({hs['growth_mib']:.0f} / {pp['growth_mib']:.0f} MiB)"
        )

    checks: dict[str, bool] = {}
    for name, run in (("full", full), ("all", every)):
        if run is not None:
            checks[f"{name} table: observed counts sum to n(n-1)/2 pairs"] = (
                run["observed_total"] == run["n_pairs"]
            )
    for n in sizes:
        b = check["brute"][str(n)]
        if n in pp_runs and hs_runs.get(n):
            hs_nst = {r["nst"] for r in hs_runs[n]}
            same = (
                hs_nst == {pp_runs[n]["nst"]}
                and b["hotspot_definition"] == b["pointpats_definition"] == pp_runs[n]["nst"]
            )
            checks[
                f"{n:,}: close-close count identical: hotspot {'/'.join(map(str, hs_nst))}, "
                f"pointpats {pp_runs[n]['nst']}, brute force {b['hotspot_definition']}"
            ] = same
        if hs_runs.get(n):
            checks[f"{n:,}: hotspot p_sim identical in every run (rng=0)"] = (
                len({r["p_sim"] for r in hs_runs[n]}) == 1
            )
    if compared is None:
        checks["pointpats completed at some size"] = False
    print()
    for label, passed in checks.items():
        print(f"  {ok[bool(passed)]}  {label}")
    for n in sizes:
        b = check["brute"][str(n)]
        extra = ""
        if n in pp_runs and hs_runs.get(n):
            extra = (
                f"; p_sim hotspot {hs_runs[n][0]['p_sim']:.2f} / pointpats "
                f"{pp_runs[n]['p_sim']:.2f}, expected {hs_runs[n][0]['expected']:.1f} (MC) / "
                f"{pp_runs[n]['expected']:.1f} (analytic)"
            )
        print(
            f"  info {n:,}: {b['pairs_within_200m']:,} pairs within 200 m ({b['same_point_pairs']:,}"
            f" at the same point), {b['pairs_at_exactly_7_days']} of them exactly 7 days apart; "
            f"the two definitions differ on {b['distance_definitions_differ']} (distance) / "
            f"{b['time_definitions_differ']} (time) pairs{extra}"
        )
    print(f"wall time {time.perf_counter() - started:.0f} s")

    if args.json:
        out = {
            "benchmark": "knox",
            "repeats": repeats,
            "data": check,
            "variants": stats,
            "runs": {
                "full": full,
                "all": every,
                "hotspot": {str(n): rs for n, rs in hs_runs.items()},
                "pointpats": {str(n): r for n, r in pp_runs.items()},
                "skipped": {str(n): why for n, why in skipped.items()},
            },
            "targets": targets,
            "checks": {k: bool(v) for k, v in checks.items()},
        }
        args.json.write_text(json.dumps(out, indent=2))
    failed = [k for k, t in targets.items() if t.get("pass") is False]
    failed += [k for k, passed in checks.items() if not passed]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
