"""Benchmark hotspot's HDBSCAN against the ``hdbscan`` and ``fast_hdbscan`` packages on 241k points.

Data: all 240,992 embedded Toronto incidents (``hotspot.datasets.load_toronto(quiet=True)``,
EPSG:32617, metres), 18,787 distinct locations, up to 917 incidents on one location. The peers
get the coordinates as an ``(n, 2)`` float array, ``xy = column_stack([inc.geometry.x,
inc.geometry.y])``; hotspot gets the GeoDataFrame, as a user calls it.

Timed, each run in a fresh child process, ``min_cluster_size=50`` everywhere:

* ``hotspot cold``: ``hotspot.cluster_incidents(inc, "hdbscan", min_cluster_size=50,
  quiet=True)`` right after deleting the numba cache files of hotspot's clustering kernels
  (``hotspot/clustering/__pycache__/_kernels.*.nbi``/``.nbc``): a user's first-ever
  call, compiling HDBSCAN's kernels (k-d tree, Borůvka's spanning tree, single linkage,
  condensed tree; one run; numba then writes the cache again);
* ``hotspot``: the same call in a later fresh process, the kernels loaded from the disk cache;
* ``hdbscan``: ``hdbscan.HDBSCAN(min_cluster_size=50).fit(xy)`` with the package's defaults
  (``algorithm="best"``, here Boruvka on a k-d tree, with ``core_dist_n_jobs=4`` loky worker
  processes for the core distances); it has no numba, so every run is a first run;
* ``fast_hdbscan cold``: ``fast_hdbscan.HDBSCAN(min_cluster_size=50).fit(xy)`` in a child whose
  ``NUMBA_CACHE_DIR`` is a new empty folder, so that its import and first fit compile everything
  (one run; its real cache, ``site-packages/fast_hdbscan/__pycache__``, is left alone);
* ``fast_hdbscan``: the same with its warm cache (numba-parallel on all cores);
* ``sklearn`` (information only, ``--with-sklearn``): ``sklearn.cluster.HDBSCAN(
  min_cluster_size=50).fit(xy)``, dropped when the fit takes longer than ``--sklearn-limit``
  seconds (default 300; the child is stopped a minute after that, setup included). PEERS.md
  measured 157 s; it comes close to the limit on a loaded machine.

min_samples: all four default to ``min_samples = min_cluster_size = 50``, but they count it
differently. hotspot and scikit-learn count the point itself (a location's core distance is the
distance at which 50 incidents, its own included, are within reach); the hdbscan and
fast_hdbscan packages count neighbours besides the point (``k = min_samples + 1`` in their
k-d tree query), so their default is hotspot's ``min_samples=51``. scikit-learn's defaults are
therefore the exactly comparable call; the two packages run with their own defaults (what a user
gets), and hotspot is also run once, untimed, with ``min_samples=51`` (``hotspot ms=51``) to
compare labels at the same convention.

Each child imports hotspot, numpy and pandas and loads the incidents untimed; it then imports
the method's module (timed separately, the ``import s`` column: for hotspot its HDBSCAN module,
numba and scipy being already in memory through ``import hotspot``, as they are in every child),
resets the kernel's peak-RSS mark (``/proc/self/clear_refs``), records its resident memory and
times the fit alone. Peak memory is the child's high-water mark after the fit (``VmHWM``, which
``getrusage(RUSAGE_SELF).ru_maxrss`` reports too; where the mark cannot be reset,
``ru_maxrss`` including the setup); the growth is the peak minus the post-setup RSS. hdbscan's
loky workers are separate processes, so the parent also samples the RSS of the child's process
tree every 20 ms during the fit (information only), and ``CPU s`` sums user and system time
of the child's threads and of its worker processes during the fit. Warm runs are the median of
``--repeats`` (default 3), interleaved.

Targets (from the issue): time ratio fastest peer (warm) / hotspot (warm) >= 2; peak-memory
growth ratio hotspot / each peer <= 1; and no split duplicate location for hotspot: counting,
for each method, the distinct locations whose incidents receive more than one label, hotspot
must have 0 (PEERS.md: 227 for hdbscan, 313 for fast_hdbscan). Checks: hotspot gives the same
labels in every run; the cold run compiled hotspot's kernels and the warm ones loaded them from
the cache. Reported too: clusters, noise share, the adjusted Rand index (noise as one more label)
between hotspot and each peer, and between the peers.

Scale (issue 15, the O(m log m) spanning tree), on simulated points, each method in its own
fresh child per run, interleaved, with ``min_cluster_size=50`` and the same density definition
everywhere (hotspot ``min_samples=51``, the packages their default 50, see above); every child
first fits the first 5,000 points untimed, so numba code is compiled or loaded (warm) before the
timed fit:

* ``distinct_1m``: 1,000,000 distinct points, 40 Gaussian clusters (sd 100-800 m) in a 50 km
  square plus 10 % uniform scatter; hotspot against fast_hdbscan (hdbscan is left out: minutes).
  Target: fast_hdbscan / hotspot >= 1.
* ``dup_200k``: 200,000 incidents drawn from 20,000 locations (the same kind of layout, rounded
  to the metre), drawn with heavy-tailed (log-normal) popularity, so that stacks of hundreds of
  incidents occur as in real data; hotspot against hdbscan and fast_hdbscan. Target: fastest
  peer / hotspot >= 2, and no split location for hotspot.

Usage::

    python benchmarks/bench_hdbscan.py [--repeats 3] [--quick] [--with-sklearn]
        [--sklearn-limit 300] [--scale {all,none,only}] [--strict] [--json FILE]

``--scale``: ``all`` (default) runs the Toronto benchmark and then the two scale cases; ``none``
only Toronto; ``only`` only the scale cases.

``--quick``: one run per variant and no ``fast_hdbscan cold`` row (it spends about a minute
compiling).
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

from _measure import (
    _measure_end,
    _measure_start,
)

MIN_CLUSTER_SIZE = 50
MATCHED_SAMPLES = MIN_CLUSTER_SIZE + 1  # hotspot's min_samples equal to the packages' default
TIME_TARGET = 2.0
MEMORY_TARGET = 1.0
SPLIT_TARGET = 0
SKLEARN_LIMIT = 300.0
SAMPLE_SECONDS = 0.02
PEERS = ("hdbscan", "fast_hdbscan")
SCALE_CASES = {
    "distinct_1m": {
        "title": "1,000,000 distinct points",
        "peers": ("fast_hdbscan",),
        "target": 1.0,
    },
    "dup_200k": {
        "title": "200,000 incidents drawn from 20,000 locations",
        "peers": ("hdbscan", "fast_hdbscan"),
        "target": 2.0,
    },
}
SCALE_METHODS = ("hotspot", "hdbscan", "fast_hdbscan")
WARMUP_POINTS = 5000
VARIANTS = {
    "hotspot_cold": "hotspot.cluster_incidents(inc, 'hdbscan', min_cluster_size=50, quiet=True), "
    "numba cache of the HDBSCAN kernels deleted first",
    "hotspot": "the same, later fresh process, warm numba disk cache",
    "hdbscan": "hdbscan.HDBSCAN(min_cluster_size=50).fit(xy), defaults (boruvka_kdtree, "
    "core_dist_n_jobs=4)",
    "fast_hdbscan_cold": "fast_hdbscan.HDBSCAN(min_cluster_size=50).fit(xy), empty "
    "NUMBA_CACHE_DIR (import and fit compile)",
    "fast_hdbscan": "the same, warm numba disk cache",
    "sklearn": "sklearn.cluster.HDBSCAN(min_cluster_size=50).fit(xy) [info]",
}
LABELS = {
    "hotspot_cold": "hotspot (cold)",
    "hotspot": "hotspot (warm)",
    "hdbscan": "hdbscan",
    "fast_hdbscan_cold": "fast_hdbscan (cold)",
    "fast_hdbscan": "fast_hdbscan (warm)",
    "sklearn": "sklearn",
}
CONVENTION = {
    "hotspot": "50 incl. the point",
    "hotspot_matched": "51 incl. the point",
    "hdbscan": "50 excl. (= ours 51)",
    "fast_hdbscan": "50 excl. (= ours 51)",
    "sklearn": "50 incl. (= ours 50)",
}


# ----------------------------------------------------------------------------- child side


def _descendants(pid: int) -> list[int]:
    """Ids of all processes below ``pid`` (Linux /proc; empty elsewhere)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(c) for c in f.read().split()]
                found.extend(kids)
                todo.extend(kids)
        except (OSError, ValueError):
            continue
    return found


def _cpu_seconds() -> float:
    """User + system time of this process's threads, its reaped children and its live
    descendants (hdbscan's loky workers)."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, ValueError, IndexError):
            continue
    return total


def _setup():
    """The Toronto incidents and their coordinates (untimed)."""
    import numpy as np

    import hotspot

    inc = hotspot.datasets.load_toronto(quiet=True)
    xy = np.column_stack([inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()])
    return hotspot, inc, xy


def _numba_stats(variant: str) -> dict:
    """Compilations and cache loads of the method's numba functions in this process."""
    if variant.startswith("hotspot"):
        from hotspot.clustering import _kernels

        dispatchers = [
            getattr(_kernels, name)
            for name in (
                "mutual_reachability_mst",
                "mutual_reachability_mst_boruvka",
                "single_linkage",
                "condense_tree",
            )
        ]
    elif variant.startswith("fast_hdbscan"):
        dispatchers = []
        for name, module in list(sys.modules.items()):
            if name.startswith("fast_hdbscan") and module is not None:
                for value in vars(module).values():
                    stats = getattr(value, "stats", None)
                    if hasattr(stats, "cache_misses") and value not in dispatchers:
                        dispatchers.append(value)
    else:
        return {}
    return {
        "numba_functions": len(dispatchers),
        "compiled": sum(sum(d.stats.cache_misses.values()) for d in dispatchers),
        "cache_hits": sum(sum(d.stats.cache_hits.values()) for d in dispatchers),
    }


def child_check(out: Path) -> dict:
    """Data facts, distinct locations (numpy, independent of hotspot's own code), hotspot at
    the packages' min_samples convention, cache folders and versions (untimed)."""
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version

    t0 = time.perf_counter()
    import hotspot

    import_hotspot = time.perf_counter() - t0
    import numpy as np

    from hotspot.clustering._kernels import mutual_reachability_mst

    _, inc, xy = _setup()
    _, codes, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    np.save(out / "codes.npy", codes.ravel().astype(np.int64))
    matched = hotspot.cluster_incidents(
        inc,
        "hdbscan",
        min_cluster_size=MIN_CLUSTER_SIZE,
        min_samples=MATCHED_SAMPLES,
        quiet=True,
    )
    np.save(out / "hotspot_matched.npy", matched["cluster"].to_numpy(dtype=np.int64))
    fast_spec = importlib.util.find_spec("fast_hdbscan")
    fast_cache = Path(fast_spec.origin).parent / "__pycache__" if fast_spec else None
    packages = ("numpy", "scipy", "numba", "scikit-learn", "hdbscan", "fast_hdbscan", "joblib")
    versions = {}
    for package in packages:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "-"
    return {
        "rows": len(inc),
        "crs": str(inc.crs),
        "n_locations": len(counts),
        "n_multi_locations": int((counts > 1).sum()),
        "incidents_at_multi": int(counts[counts > 1].sum()),
        "max_stack": int(counts.max()),
        "import_hotspot_seconds": import_hotspot,
        "cache_path": str(mutual_reachability_mst.stats.cache_path),
        "fast_cache_path": str(fast_cache) if fast_cache else None,
        "fast_cache_files": len(list(fast_cache.glob("*.nbi"))) if fast_cache else 0,
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def child_fit(variant: str, out: Path, tag: str) -> dict:
    import importlib

    import numpy as np

    hotspot, inc, xy = _setup()
    t0 = time.perf_counter()
    if variant.startswith("hotspot"):
        importlib.import_module("hotspot.clustering._hdbscan")
    elif variant.startswith("fast_hdbscan"):
        import fast_hdbscan
    elif variant == "hdbscan":
        import hdbscan
    else:
        from sklearn.cluster import HDBSCAN
    import_seconds = time.perf_counter() - t0
    start = _measure_start()
    t0 = time.perf_counter()
    if variant.startswith("hotspot"):
        result = hotspot.cluster_incidents(
            inc, "hdbscan", min_cluster_size=MIN_CLUSTER_SIZE, quiet=True
        )
    elif variant.startswith("fast_hdbscan"):
        result = fast_hdbscan.HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE).fit(xy)
    elif variant == "hdbscan":
        result = hdbscan.HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE).fit(xy)
    else:
        result = HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE).fit(xy)
    seconds = time.perf_counter() - t0
    measured = _measure_end(start, seconds)
    if variant.startswith("hotspot"):
        labels = result["cluster"].to_numpy(dtype=np.int64)
    else:
        labels = np.asarray(result.labels_, dtype=np.int64)
    np.save(out / f"{tag}.npy", labels)
    return {**measured, "import_seconds": import_seconds, **_numba_stats(variant)}


def scale_data(case: str):
    """The simulated points of a scale case (deterministic): ``(n, 2)`` float coordinates."""
    import numpy as np

    rng = np.random.default_rng(2026)
    if case == "distinct_1m":
        n, side, clustered = 1_000_000, 50_000.0, 900_000
    else:
        n, side, clustered = 20_000, 30_000.0, 18_000
    centres = rng.uniform(0, side, (40, 2))
    spread = rng.uniform(100, 800, 40)
    which = rng.integers(0, 40, clustered)
    xy = np.vstack(
        [
            centres[which] + rng.normal(0, 1, (clustered, 2)) * spread[which, None],
            rng.uniform(0, side, (n - clustered, 2)),
        ]
    )
    if case == "distinct_1m":
        return xy
    locations = np.unique(np.round(xy), axis=0)
    popularity = rng.lognormal(0, 1.5, len(locations))
    pick = rng.choice(len(locations), 200_000, p=popularity / popularity.sum())
    return locations[pick]


def child_scale(case: str, method: str, out: Path, tag: str) -> dict:
    """One timed fit of a scale case after an untimed warm-up fit on its first points."""
    import geopandas as gpd
    import numpy as np

    import hotspot

    xy = scale_data(case)
    t0 = time.perf_counter()
    if method == "hotspot":
        inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32617)

        def fit(rows):
            return hotspot.cluster_incidents(
                inc.iloc[:rows] if rows else inc,
                "hdbscan",
                min_cluster_size=MIN_CLUSTER_SIZE,
                min_samples=MATCHED_SAMPLES,
                quiet=True,
            )["cluster"].to_numpy(dtype=np.int64)
    elif method == "fast_hdbscan":
        import fast_hdbscan

        def fit(rows):
            data = xy[:rows] if rows else xy
            return fast_hdbscan.HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE).fit(data).labels_
    else:
        import hdbscan

        def fit(rows):
            data = xy[:rows] if rows else xy
            return hdbscan.HDBSCAN(min_cluster_size=MIN_CLUSTER_SIZE).fit(data).labels_

    fit(WARMUP_POINTS)
    warmup_seconds = time.perf_counter() - t0
    start = _measure_start()
    t0 = time.perf_counter()
    labels = fit(None)
    seconds = time.perf_counter() - t0
    measured = _measure_end(start, seconds)
    np.save(out / f"{tag}.npy", np.asarray(labels, dtype=np.int64))
    return {**measured, "import_seconds": warmup_seconds, "case": case, "method": method}


def child(variant: str, out: Path, tag: str, case: str | None = None) -> None:
    if variant == "check":
        result = child_check(out)
    elif variant.startswith("scale_"):
        result = child_scale(case, variant.removeprefix("scale_"), out, tag)
    else:
        result = child_fit(variant, out, tag)
    print(json.dumps({"variant": variant, "tag": tag, **result}))


# ---------------------------------------------------------------------------- parent side


def _tree_rss_mib(pid: int) -> float:
    """Summed RSS of ``pid`` and all its descendants (Linux /proc), in MiB."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for p in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError):
            continue
    return total / 2**20


def run_child(
    variant: str,
    out: Path,
    tag: str = "",
    env: dict | None = None,
    timeout: float | None = None,
    case: str | None = None,
) -> dict | None:
    """One child run; None when it was stopped after ``timeout`` seconds."""
    cmd = [sys.executable, __file__, "--child", variant, "--out", str(out), "--tag", tag]
    if case:
        cmd += ["--case", case]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    samples: list[tuple[float, float]] = []
    on_proc = os.path.exists(f"/proc/{proc.pid}/statm")

    def sample() -> None:
        while proc.poll() is None:
            samples.append((time.time(), _tree_rss_mib(proc.pid)))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    if on_proc:
        sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()  # this child only, by its own id
        proc.communicate()
        if on_proc:
            sampler.join()
        return None
    if on_proc:
        sampler.join()
    if proc.returncode != 0:
        sys.exit(f"child {variant} failed:\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    if "wall_start" in result:
        window = [rss for t, rss in samples if result["wall_start"] <= t <= result["wall_end"]]
        result["tree_peak_mib"] = max(window) if window else None
        result["tree_samples"] = len(window)
    return result


def clear_hotspot_cache(folder: Path) -> list[str]:
    """Delete the numba cache files of hotspot's clustering kernels (HDBSCAN's among them)."""
    removed = []
    for pattern in ("_kernels.*.nbi", "_kernels.*.nbc"):
        for path in sorted(folder.glob(pattern)):
            path.unlink()
            removed.append(path.name)
    return removed


def summarise(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for variant, rs in runs.items():
        if not rs:
            continue
        trees = [r for r in rs if r.get("tree_peak_mib") is not None]
        out[variant] = {
            "runs": len(rs),
            "seconds": statistics.median(r["seconds"] for r in rs),
            "seconds_min": min(r["seconds"] for r in rs),
            "seconds_max": max(r["seconds"] for r in rs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in rs),
            "import_seconds": statistics.median(r["import_seconds"] for r in rs),
            "first_use_seconds": statistics.median(r["import_seconds"] + r["seconds"] for r in rs),
            "rss_setup_mib": statistics.median(r["rss_setup_mib"] for r in rs),
            "peak_mib": statistics.median(r["peak_mib"] for r in rs),
            "growth_mib": statistics.median(r["peak_mib"] - r["rss_setup_mib"] for r in rs),
            "tree_peak_mib": statistics.median(r["tree_peak_mib"] for r in trees)
            if trees
            else None,
            "tree_growth_mib": statistics.median(
                r["tree_peak_mib"] - r["rss_setup_mib"] for r in trees
            )
            if trees
            else None,
            "peak_reset": all(r["peak_reset"] for r in rs),
            "compiled": [r.get("compiled") for r in rs],
            "cache_hits": [r.get("cache_hits") for r in rs],
        }
    return out


def label_facts(labels, codes, n_locations: int) -> dict:
    """Clusters, noise share and split locations of one labelling."""
    import numpy as np

    pairs = np.unique(codes * (int(labels.max()) + 2) + (labels + 1))  # distinct (location, label)
    per_location = np.bincount(pairs // (int(labels.max()) + 2), minlength=n_locations)
    split = per_location > 1
    at_split = np.bincount(codes, minlength=n_locations)[split].sum()
    return {
        "n_clusters": len(np.unique(labels[labels >= 0])),
        "noise_share": float((labels < 0).mean()),
        "split_locations": int(split.sum()),
        "incidents_at_split": int(at_split),
    }


def compare(folder: Path, runs: dict[str, list[dict]], n_locations: int) -> dict:
    """Labels of every method (its first run) against hotspot's, and run-to-run stability."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    codes = np.load(folder / "codes.npy")
    labels: dict[str, np.ndarray] = {"hotspot_matched": np.load(folder / "hotspot_matched.npy")}
    by_method: dict[str, list[np.ndarray]] = {}
    for variant, rs in runs.items():  # warm runs first, then the cold one
        method = variant.removesuffix("_cold")
        loaded = [np.load(folder / f"{r['tag']}.npy") for r in rs]
        if variant.endswith("_cold"):
            by_method[method] = by_method.get(method, []) + loaded
        else:
            by_method[method] = loaded + by_method.get(method, [])
    same_every_run = {}
    for method, all_labels in by_method.items():
        if all_labels:
            same_every_run[method] = all(np.array_equal(all_labels[0], a) for a in all_labels[1:])
            labels[method] = all_labels[0]
    order = ["hotspot", "hotspot_matched", *(k for k in labels if not k.startswith("hotspot"))]
    labels = {name: labels[name] for name in order}
    facts = {name: label_facts(lab, codes, n_locations) for name, lab in labels.items()}
    ari = {}
    others = [name for name in labels if name not in ("hotspot", "hotspot_matched")]
    for name in others:
        ari[f"hotspot~{name}"] = adjusted_rand_score(labels["hotspot"], labels[name])
        ari[f"hotspot_matched~{name}"] = adjusted_rand_score(
            labels["hotspot_matched"], labels[name]
        )
    ari["hotspot~hotspot_matched"] = adjusted_rand_score(
        labels["hotspot"], labels["hotspot_matched"]
    )
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            ari[f"{a}~{b}"] = adjusted_rand_score(labels[a], labels[b])
    return {"labels": facts, "ari": ari, "same_every_run": same_every_run}


def run_scale(repeats: int) -> dict:
    """The scale cases: each method in a fresh child per run, interleaved; prints a table per
    case and returns the measurements, label comparisons and targets."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    ok = {True: "PASS", False: "FAIL"}
    cases, targets = {}, {}
    for case, spec in SCALE_CASES.items():
        xy = scale_data(case)
        _, codes, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
        codes = codes.ravel().astype(np.int64)
        n_locations = len(counts)
        methods = ("hotspot", *spec["peers"])
        print()
        print(
            f"scale {case}: {spec['title']} ({len(xy):,} rows, {n_locations:,} distinct, "
            f"{int((counts > 1).sum()):,} with several rows, up to {int(counts.max())} on one); "
            f"min_cluster_size={MIN_CLUSTER_SIZE}, density as the packages' default "
            f"(hotspot min_samples={MATCHED_SAMPLES}); warm (untimed {WARMUP_POINTS:,}-point fit "
            f"first); median of {repeats}, interleaved",
            flush=True,
        )
        runs: dict[str, list[dict]] = {m: [] for m in methods}
        with tempfile.TemporaryDirectory(prefix="hotspot-bench-hdbscan-scale-") as tmp:
            folder = Path(tmp)
            for i in range(repeats):
                for method in methods:
                    tag = f"{case}_{method}{i}"
                    r = run_child(f"scale_{method}", folder, tag, case=case)
                    runs[method].append(r)
                    print(f"  {method:<13} run {i + 1}: {r['seconds']:.2f} s", flush=True)
            labels = {m: np.load(folder / f"{case}_{m}0.npy") for m in methods}
            same = {
                m: all(
                    np.array_equal(labels[m], np.load(folder / f"{case}_{m}{i}.npy"))
                    for i in range(1, repeats)
                )
                for m in methods
            }
        stats = summarise(runs)
        facts = {m: label_facts(labels[m], codes, n_locations) for m in methods}
        ari = {m: adjusted_rand_score(labels["hotspot"], labels[m]) for m in spec["peers"]}
        header = (
            f"{'method':<14}{'runs':>5}{'median s':>10}{'min-max s':>14}{'CPU s':>8}"
            f"{'peak MiB':>10}{'growth MiB':>12}{'clusters':>10}{'noise':>8}{'split loc.':>12}"
            f"{'ARI vs hotspot':>16}"
        )
        print(header)
        print("-" * len(header))
        for m in methods:
            st, f = stats[m], facts[m]
            spread = f"{st['seconds_min']:.2f}-{st['seconds_max']:.2f}"
            print(
                f"{m:<14}{st['runs']:>5}{st['seconds']:>10.2f}{spread:>14}"
                f"{st['cpu_seconds']:>8.1f}{st['peak_mib']:>10.0f}{st['growth_mib']:>12.0f}"
                f"{f['n_clusters']:>10,}{f['noise_share']:>8.1%}{f['split_locations']:>12,}"
                f"{'-' if m == 'hotspot' else format(ari[m], '.3f'):>16}"
            )
        fastest = min(spec["peers"], key=lambda p: stats[p]["seconds"])
        ratio = stats[fastest]["seconds"] / stats["hotspot"]["seconds"]
        passed = ratio >= spec["target"]
        print(
            f"time ratio   fastest peer ({fastest}) / hotspot, warm = {ratio:5.2f}x  (target >= "
            f"{spec['target']:g}x)  {ok[passed]}"
        )
        per_peer = {p: stats[p]["seconds"] / stats["hotspot"]["seconds"] for p in spec["peers"]}
        cpu = {p: stats[p]["cpu_seconds"] / stats["hotspot"]["cpu_seconds"] for p in spec["peers"]}
        print(
            "  info: "
            + ", ".join(f"{p} {per_peer[p]:.2f}x" for p in spec["peers"])
            + "; in CPU time: "
            + ", ".join(f"{p} {cpu[p]:.2f}x" for p in spec["peers"])
            + "; same labels in every run: "
            + ", ".join(f"{m} {v}" for m, v in same.items())
        )
        targets[f"{case}_time"] = {
            "ratio": ratio,
            "target": spec["target"],
            "pass": passed,
            "peer": fastest,
        }
        split = facts["hotspot"]["split_locations"]
        if case == "dup_200k":
            targets[f"{case}_split_locations"] = {
                "value": split,
                "target": SPLIT_TARGET,
                "pass": split <= SPLIT_TARGET,
            }
            print(
                f"split duplicate locations, hotspot = {split}  (target {SPLIT_TARGET})  "
                f"{ok[split <= SPLIT_TARGET]}"
            )
        cases[case] = {
            "rows": len(xy),
            "n_locations": n_locations,
            "variants": stats,
            "runs": runs,
            "labels": facts,
            "ari_vs_hotspot": ari,
            "same_every_run": same,
            "time_per_peer": per_peer,
            "cpu_per_peer": cpu,
        }
    return {"cases": cases, "targets": targets}


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm runs of each method (median)")
    parser.add_argument("--quick", action="store_true", help="1 run each, no fast_hdbscan cold")
    parser.add_argument("--with-sklearn", action="store_true", help="add scikit-learn [info]")
    parser.add_argument(
        "--sklearn-limit", type=float, default=SKLEARN_LIMIT, help="stop sklearn after this (s)"
    )
    parser.add_argument(
        "--scale",
        choices=["all", "none", "only"],
        default="all",
        help="the simulated scale cases: after Toronto (all), never (none), alone (only)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--child",
        choices=["check", *VARIANTS, *(f"scale_{m}" for m in SCALE_METHODS)],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--case", choices=list(SCALE_CASES), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.out, args.tag, args.case)
        return 0
    repeats = 1 if args.quick else max(1, args.repeats)
    if args.scale == "only":
        started = time.perf_counter()
        scale = run_scale(repeats)
        print(f"wall time {time.perf_counter() - started:.0f} s")
        if args.json:
            args.json.write_text(json.dumps({"benchmark": "hdbscan", "scale": scale}, indent=2))
        failed = [k for k, t in scale["targets"].items() if not t["pass"]]
        return 1 if args.strict and failed else 0
    variants = ["hotspot_cold", "hotspot", "hdbscan", "fast_hdbscan"]
    if not args.quick:
        variants.insert(3, "fast_hdbscan_cold")
    warm = ["hotspot", "hdbscan", "fast_hdbscan"]

    started = time.perf_counter()
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    sklearn_stopped = False
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-hdbscan-") as tmp:
        folder = Path(tmp)
        check = run_child("check", folder)
        print(
            f"HDBSCAN benchmark: Toronto, {check['rows']:,} incidents ({check['crs']}) on "
            f"{check['n_locations']:,} distinct locations, {check['n_multi_locations']:,} of them "
            f"with more than one incident ({check['incidents_at_multi']:,} incidents; up to "
            f"{check['max_stack']} on one)"
        )
        print(
            f"min_cluster_size={MIN_CLUSTER_SIZE}, every method with its default min_samples; each "
            f"run a fresh process, setup untimed; warm rows: median of {repeats}, interleaved"
        )
        removed = clear_hotspot_cache(Path(check["cache_path"]))
        print(
            f"hotspot numba cache cleared in {check['cache_path']}: "
            f"{', '.join(removed) or 'was empty'}"
        )
        print(
            f"fast_hdbscan's numba cache: {check['fast_cache_path']} ({check['fast_cache_files']} "
            "index files; the cold run uses an empty NUMBA_CACHE_DIR instead)"
        )
        print(
            "versions: " + ", ".join(f"{k} {v}" for k, v in check["versions"].items()), flush=True
        )

        runs["hotspot_cold"].append(run_child("hotspot_cold", folder, "hotspot_cold0"))
        if "fast_hdbscan_cold" in runs:
            with tempfile.TemporaryDirectory(prefix="hotspot-bench-numba-") as cache:
                runs["fast_hdbscan_cold"].append(
                    run_child(
                        "fast_hdbscan_cold",
                        folder,
                        "fast_hdbscan_cold0",
                        env={"NUMBA_CACHE_DIR": cache},
                    )
                )
        for i in range(repeats):  # interleaved
            for variant in warm:
                runs[variant].append(run_child(variant, folder, f"{variant}{i}"))
        if args.with_sklearn:
            # the limit is on the fit; the child's setup and import get a minute on top
            r = run_child("sklearn", folder, "sklearn0", timeout=args.sklearn_limit + 60)
            if r is None or r["seconds"] > args.sklearn_limit:
                sklearn_stopped = True
            else:
                runs["sklearn"] = [r]
        result = compare(folder, runs, check["n_locations"])
    stats = summarise(runs)

    print()
    header = (
        f"{'variant':<21}{'runs':>5}{'median s':>10}{'min-max s':>14}{'CPU s':>8}{'import s':>10}"
        f"{'setup MiB':>11}{'peak MiB':>10}{'growth MiB':>12}{'tree peak MiB':>15}"
    )
    print(header)
    print("-" * len(header))
    for variant, s in stats.items():
        spread = f"{s['seconds_min']:.2f}-{s['seconds_max']:.2f}"
        print(
            f"{LABELS[variant]:<21}{s['runs']:>5}{s['seconds']:>10.2f}{spread:>14}"
            f"{s['cpu_seconds']:>8.1f}{s['import_seconds']:>10.2f}{s['rss_setup_mib']:>11.0f}"
            f"{s['peak_mib']:>10.0f}{s['growth_mib']:>12.0f}{_fmt(s['tree_peak_mib'], '.0f'):>15}"
        )
    if sklearn_stopped:
        print(f"{LABELS['sklearn']:<21}  stopped: no result within {args.sklearn_limit:.0f} s")
    for variant in [*variants, *(["sklearn"] if args.with_sklearn else [])]:
        print(f"  {LABELS[variant]}: {VARIANTS[variant]}")
    print(
        "  peak: the child's high-water RSS after the fit, reset after setup"
        + ("" if all(s["peak_reset"] for s in stats.values()) else " (NOT reset: includes setup)")
        + "; growth = peak - post-setup RSS; tree peak: child + its worker processes, sampled;"
        " CPU s: all threads and worker processes during the fit; import s: the method's module,"
        f" untimed (import hotspot itself: {check['import_hotspot_seconds']:.2f} s, in every child)"
    )
    cold, warm_runs = runs["hotspot_cold"][0], runs["hotspot"]
    cache_ok = bool(
        cold.get("compiled") and all(r["cache_hits"] and not r["compiled"] for r in warm_runs)
    )
    print(
        f"  hotspot cold compiled its kernels: {bool(cold.get('compiled'))}; warm runs loaded it "
        f"from the cache: {all(r['cache_hits'] and not r['compiled'] for r in warm_runs)}"
    )
    if "fast_hdbscan_cold" in runs:
        fc, fw = runs["fast_hdbscan_cold"][0], runs["fast_hdbscan"][0]
        print(
            f"  fast_hdbscan cold: {fc['compiled']} compilations of {fc['numba_functions']} numba "
            f"functions (import {fc['import_seconds']:.1f} s + fit {fc['seconds']:.1f} s); warm: "
            f"{fw['compiled']} compilations, {fw['cache_hits']} cache loads"
        )

    h = stats["hotspot"]
    fastest = min(PEERS, key=lambda p: stats[p]["seconds"])
    time_warm = stats[fastest]["seconds"] / h["seconds"]
    memory = {p: h["growth_mib"] / stats[p]["growth_mib"] for p in PEERS}
    memory_worst = max(memory.values())
    split = result["labels"]["hotspot"]["split_locations"]
    targets = {
        "time_warm": {
            "ratio": time_warm,
            "target": TIME_TARGET,
            "pass": time_warm >= TIME_TARGET,
            "peer": fastest,
        },
        "memory": {
            "ratio": memory_worst,
            "target": MEMORY_TARGET,
            "pass": memory_worst <= MEMORY_TARGET,
            "per_peer": memory,
        },
        "split_locations": {
            "value": split,
            "target": SPLIT_TARGET,
            "pass": split <= SPLIT_TARGET,
        },
    }
    ok = {True: "PASS", False: "FAIL"}
    print()
    print(
        f"time ratio   fastest peer ({fastest}) / hotspot, warm = {time_warm:5.1f}x  (target >= "
        f"{TIME_TARGET:g}x)  {ok[targets['time_warm']['pass']]}"
    )
    others = ", ".join(
        f"{p} {stats[p]['seconds'] / h['seconds']:.1f}x" for p in PEERS if p != fastest
    )
    cpu = ", ".join(f"{p} {stats[p]['cpu_seconds'] / h['cpu_seconds']:.1f}x" for p in PEERS)
    print(f"  info: {others}; in CPU time (all threads and workers): {cpu}")
    hc_first = stats["hotspot_cold"]["first_use_seconds"]
    first = [f"hdbscan {stats['hdbscan']['first_use_seconds'] / hc_first:.1f}x"]
    if "fast_hdbscan_cold" in stats:
        first.append(
            f"fast_hdbscan {stats['fast_hdbscan_cold']['first_use_seconds'] / hc_first:.1f}x"
        )
    print(
        "  info: first use in a fresh process (import + first fit; numba caches empty) peer / "
        f"hotspot: {', '.join(first)} [hotspot cold {hc_first:.2f} s]"
    )
    print(
        f"memory ratio hotspot / peer (growth), worst = {memory_worst:5.2f}   (target <= "
        f"{MEMORY_TARGET:g})  {ok[targets['memory']['pass']]}  ["
        + ", ".join(
            f"{p}: {memory[p]:.2f} = {h['growth_mib']:.0f} / {stats[p]['growth_mib']:.0f} MiB"
            for p in PEERS
        )
        + "]"
    )
    trees = [
        f"{p} {stats[p]['tree_growth_mib']:.0f} MiB"
        for p in ("hotspot", *PEERS)
        if stats[p]["tree_growth_mib"] is not None
    ]
    if trees:
        print(f"  info: process-tree growth (workers included, sampled): {', '.join(trees)}")
    print(
        f"split duplicate locations, hotspot = {split}  (target {SPLIT_TARGET})  "
        f"{ok[targets['split_locations']['pass']]}"
    )

    print()
    header = (
        f"{'labels':<16}{'min_samples':>22}{'clusters':>10}{'noise':>8}{'split loc.':>12}"
        f"{'(incidents)':>13}{'ARI vs hotspot':>16}{'vs ms=51':>10}"
    )
    print(header)
    print("-" * len(header))
    ari = result["ari"]
    for name, facts in result["labels"].items():
        label = "hotspot ms=51" if name == "hotspot_matched" else name
        if name == "hotspot":
            vs, vs_matched = "-", f"{ari['hotspot~hotspot_matched']:.3f}"
        elif name == "hotspot_matched":
            vs, vs_matched = f"{ari['hotspot~hotspot_matched']:.3f}", "-"
        else:
            vs, vs_matched = (
                f"{ari[f'hotspot~{name}']:.3f}",
                f"{ari[f'hotspot_matched~{name}']:.3f}",
            )
        print(
            f"{label:<16}{CONVENTION[name]:>22}{facts['n_clusters']:>10,}"
            f"{facts['noise_share']:>8.1%}{facts['split_locations']:>12,}"
            f"{facts['incidents_at_split']:>13,}{vs:>16}{vs_matched:>10}"
        )
    peer_pairs = [k for k in ari if not k.startswith("hotspot")]
    print(
        "  ARI: adjusted Rand index over all incidents, noise as one more label; between peers: "
        + ", ".join(f"{k.replace('~', ' ~ ')} {ari[k]:.3f}" for k in peer_pairs)
    )
    print(
        f"  split loc.: distinct locations (of {check['n_multi_locations']:,} with several "
        "incidents) whose incidents get more than one label; hotspot ms=51: hotspot with the "
        "packages' min_samples convention, untimed"
    )
    print(
        "  same labels in every run: "
        + ", ".join(f"{k} {v}" for k, v in result["same_every_run"].items())
    )

    checks = {
        "hotspot labels identical in every run (cold and warm)": result["same_every_run"][
            "hotspot"
        ],
        "hotspot cold run compiled, warm runs hit the cache": cache_ok,
    }
    print()
    for label, passed in checks.items():
        print(f"  {ok[bool(passed)]}  {label}")
    scale = run_scale(repeats) if args.scale == "all" else None
    if scale:
        targets.update(scale["targets"])
    print(f"wall time {time.perf_counter() - started:.0f} s")

    if args.json:
        out = {
            "benchmark": "hdbscan",
            "repeats": repeats,
            "data": check,
            "variants": stats,
            "runs": runs,
            "sklearn_stopped": sklearn_stopped,
            "ratios": {
                "time_warm": time_warm,
                "time_warm_per_peer": {p: stats[p]["seconds"] / h["seconds"] for p in PEERS},
                "cpu_per_peer": {p: stats[p]["cpu_seconds"] / h["cpu_seconds"] for p in PEERS},
                "memory_growth_per_peer": memory,
                "memory_peak_per_peer": {p: h["peak_mib"] / stats[p]["peak_mib"] for p in PEERS},
            },
            "targets": targets,
            "checks": {k: bool(v) for k, v in checks.items()},
            "comparison": result,
            "scale": scale,
        }
        args.json.write_text(json.dumps(out, indent=2))
    failed = [k for k, t in targets.items() if not t["pass"]]
    failed += [k for k, passed in checks.items() if not passed]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
