"""Benchmark ``cluster_incidents(..., "dbscan")`` against scikit-learn's DBSCAN on the raw points.

Data: the embedded Toronto incidents (``hotspot.datasets.load_toronto(quiet=True)``, 240,992
incidents on 18,787 distinct locations, up to 917 incidents on one location, EPSG:32617).

Timed, each run in a fresh child process that first imports its libraries and loads the data
untimed:

* ``hotspot``: ``hotspot.cluster_incidents(inc, "dbscan", eps=100, min_samples=20,
  quiet=True)``, from the GeoDataFrame to the labelled copy: validation, collapsing identical
  coordinates into weighted locations, scikit-learn's DBSCAN on the locations with sample
  weights, labels back to the incidents;
* ``sklearn``: the coordinates from the GeoDataFrame and
  ``sklearn.cluster.DBSCAN(eps=100, min_samples=20).fit(xy)`` on the 240,992 raw points;
* ``optics_hotspot`` (information only): ``cluster_incidents(sample, "optics", min_samples=20,
  quiet=True)`` on 20,000 incidents drawn at random (seed 20261127), defaults otherwise
  (``max_eps=inf``, ``xi=0.05``); the numba kernel is loaded (or compiled) by a tiny untimed
  call first;
* ``optics_sklearn`` (information only): ``sklearn.cluster.OPTICS(min_samples=20).fit(xy)`` on
  the same 20,000 raw points; skipped with ``--quick``, stopped after ``--optics-timeout``
  seconds (default 120).

Peak memory is the child's high-water mark after the timed call (``VmHWM``, reset after the
setup through ``/proc/self/clear_refs`` where the kernel allows it, else ``ru_maxrss``); the
growth is the peak minus the resident memory after the setup. Runs are interleaved and the
report gives the median of ``--repeats`` (default 3).

Targets (from the issue): hotspot at least 3x faster than scikit-learn (time ratio sklearn /
hotspot >= 3), and labels identical up to renumbering (adjusted Rand index 1, no incident
differing once clusters are matched, the same noise). DBSCAN gives a border point reachable
from two clusters to the cluster found first, so labels can legitimately depend on the order
of the points; hotspot processes the locations in the order of their first incident, which is
scikit-learn's order on the raw rows, so they agree exactly. The report counts those ambiguous
border incidents (border locations within ``eps`` of core locations of two or more clusters),
runs hotspot once more, untimed, on the rows shuffled (seed 20261127) to show that only they
move (no core or noise incident does), and counts the locations whose incidents
scikit-learn's OPTICS splits between labels (hotspot never does).

Usage::

    python benchmarks/bench_dbscan.py [--repeats 3] [--quick] [--strict] [--json FILE]
        [--optics-timeout 120]

``--quick``: one run of each variant, no scikit-learn OPTICS.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import _maxrss_mib, _reset_peak, _status_mib

EPS = 100.0
MIN_SAMPLES = 20
OPTICS_N = 20_000
OPTICS_MIN_SAMPLES = 20
SEED = 20261127
SPEED_TARGET = 3.0
VARIANTS = {
    "hotspot": "hotspot.cluster_incidents(inc, 'dbscan', eps=100, min_samples=20, quiet=True)",
    "sklearn": "sklearn DBSCAN(eps=100, min_samples=20).fit(xy), 240,992 raw points",
    "optics_hotspot": "hotspot.cluster_incidents(sample, 'optics', min_samples=20) on 20k [info]",
    "optics_sklearn": "sklearn OPTICS(min_samples=20).fit(xy) on the same 20k [info]",
}


# ----------------------------------------------------------------------------- child side


def _sample(n: int):
    import numpy as np

    return np.sort(np.random.default_rng(SEED).choice(n, OPTICS_N, replace=False))


def child(variant: str, out: Path, tag: str) -> dict:
    """One timed run of ``variant`` in this fresh process; labels saved as ``<tag>.npy``."""
    import gc

    import numpy as np
    import sklearn.cluster

    import hotspot

    inc = hotspot.datasets.load_toronto(quiet=True)
    extra: dict = {}
    if variant.startswith("optics"):
        inc = inc.iloc[_sample(len(inc))]
    if variant == "optics_hotspot":
        t0 = time.perf_counter()
        tiny = inc.iloc[:200]
        hotspot.cluster_incidents(tiny, "optics", min_samples=5, quiet=True)
        extra["warmup_seconds"] = time.perf_counter() - t0
    gc.collect()
    reset = _reset_peak()
    rss_setup = _status_mib("VmRSS") or _maxrss_mib()
    t0 = time.perf_counter()
    if variant == "hotspot":
        result = hotspot.cluster_incidents(
            inc, "dbscan", eps=EPS, min_samples=MIN_SAMPLES, quiet=True
        )
        labels = result["cluster"].to_numpy()
    elif variant == "sklearn":
        xy = np.column_stack([inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()])
        labels = sklearn.cluster.DBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit(xy).labels_
    elif variant == "optics_hotspot":
        result = hotspot.cluster_incidents(
            inc, "optics", min_samples=OPTICS_MIN_SAMPLES, quiet=True
        )
        labels = result["cluster"].to_numpy()
        extra["n_locations"] = result.attrs["hotspot"]["cluster_incidents"]["params"]["n_locations"]
    else:
        xy = np.column_stack([inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()])
        labels = sklearn.cluster.OPTICS(min_samples=OPTICS_MIN_SAMPLES).fit(xy).labels_
    seconds = time.perf_counter() - t0
    hwm = _status_mib("VmHWM")
    peak = hwm if reset and hwm is not None else _maxrss_mib()
    np.save(out / f"{tag}.npy", np.asarray(labels, dtype=np.int64))
    return {
        "variant": variant,
        "seconds": seconds,
        "rss_setup_mib": rss_setup,
        "peak_mib": peak,
        "peak_reset": reset,
        "rows": len(inc),
        "n_clusters": int(labels.max()) + 1,
        "n_noise": int((labels < 0).sum()),
        **extra,
    }


# ---------------------------------------------------------------------------- parent side


def run_child(variant: str, out: Path, tag: str, timeout: float | None = None) -> dict | None:
    cmd = [sys.executable, __file__, "--child", variant, "--out", str(out), "--tag", tag]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        sys.exit(f"child {variant} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(ours, theirs) -> dict:
    """ARI, and the incidents that differ once clusters are matched one-to-one so as to agree
    on the most incidents (``linear_sum_assignment`` on the contingency table; noise is only
    matched with noise)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    ours, theirs = np.asarray(ours), np.asarray(theirs)
    a_ids = np.unique(ours[ours >= 0])
    b_ids = np.unique(theirs[theirs >= 0])
    both = (ours >= 0) & (theirs >= 0)
    table = np.zeros((len(a_ids), len(b_ids)), dtype=np.int64)
    np.add.at(table, (np.searchsorted(a_ids, ours[both]), np.searchsorted(b_ids, theirs[both])), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    agree = int(table[rows, cols].sum()) + int(((ours < 0) & (theirs < 0)).sum())
    return {
        "ari": float(adjusted_rand_score(ours, theirs)),
        "differing": len(ours) - agree,
        "noise_only_ours": int(((ours < 0) & (theirs >= 0)).sum()),
        "noise_only_theirs": int(((ours >= 0) & (theirs < 0)).sum()),
        "clusters": [len(a_ids), len(b_ids)],
    }


def dbscan_facts(labels) -> dict:
    """Distinct locations, and the border incidents within eps of core points of 2+ clusters
    (the only ones whose label depends on the processing order)."""
    import numpy as np
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import NearestNeighbors

    import hotspot
    from hotspot.clustering._base import unique_locations

    inc = hotspot.datasets.load_toronto(quiet=True)
    loc = unique_locations(inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy())
    model = DBSCAN(eps=EPS, min_samples=MIN_SAMPLES).fit(loc.xy, sample_weight=loc.weight)
    core = np.zeros(loc.m, dtype=bool)
    core[model.core_sample_indices_] = True
    hoods = NearestNeighbors(radius=EPS).fit(loc.xy).radius_neighbors(loc.xy, return_distance=False)
    claims = np.array(
        [
            len(np.unique(model.labels_[h][core[h]])) if not core[k] else 0
            for k, h in enumerate(hoods)
        ]
    )
    ambiguous = claims >= 2
    split = _split_locations(labels, loc.inverse)
    # the order matters only for those: hotspot on shuffled rows versus sklearn on the original
    order = np.random.default_rng(SEED).permutation(len(inc))
    shuffled = hotspot.cluster_incidents(
        inc.iloc[order], "dbscan", eps=EPS, min_samples=MIN_SAMPLES, quiet=True
    )
    shuffled = shuffled["cluster"].reindex(inc.index).to_numpy()
    incident_core = core[loc.inverse]
    moved = _moved(shuffled, labels, incident_core)
    return {
        "rows": len(inc),
        "n_locations": loc.m,
        "max_multiplicity": int(loc.weight.max()),
        "core_locations": int(core.sum()),
        "border_locations": int(((claims >= 1) & ~core).sum()),
        "ambiguous_border_locations": int(ambiguous.sum()),
        "ambiguous_border_incidents": int(loc.weight[ambiguous].sum()),
        "sklearn_split_locations": split,
        "shuffled_differing": int(moved.sum()),
        "shuffled_differing_all_ambiguous": bool(ambiguous[loc.inverse][moved].all()),
        "shuffled_core_or_noise_moved": int((moved & (incident_core | (labels < 0))).sum()),
    }


def _moved(ours, theirs, core):
    """Incidents whose cluster differs once clusters are matched through their core incidents
    (which, like noise, never depend on the order)."""
    import numpy as np

    mapping = dict(zip(theirs[core].tolist(), ours[core].tolist(), strict=True))
    expected = np.array([mapping.get(b, -2) if b >= 0 else -1 for b in theirs.tolist()])
    return expected != ours


def _split_locations(labels, inverse) -> int:
    """Locations whose incidents carry more than one label."""
    import numpy as np

    pairs = np.unique(np.column_stack([inverse, labels]), axis=0)
    return int((np.bincount(pairs[:, 0]) > 1).sum())


def optics_facts(ours, theirs) -> dict:

    import hotspot
    from hotspot.clustering._base import unique_locations

    inc = hotspot.datasets.load_toronto(quiet=True)
    inc = inc.iloc[_sample(len(inc))]
    loc = unique_locations(inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy())
    multi = int((loc.weight > 1).sum())
    out = {"n_locations": loc.m, "multi_incident_locations": multi}
    out["hotspot_split_locations"] = _split_locations(ours, loc.inverse)
    if theirs is not None:
        out["sklearn_split_locations"] = _split_locations(theirs, loc.inverse)
        out["vs_sklearn"] = compare(ours, theirs)
    return out


def summarise(runs: list[dict]) -> dict:
    growth = [r["peak_mib"] - r["rss_setup_mib"] for r in runs]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "seconds_min": min(r["seconds"] for r in runs),
        "seconds_max": max(r["seconds"] for r in runs),
        "rss_setup_mib": statistics.median(r["rss_setup_mib"] for r in runs),
        "peak_mib": statistics.median(r["peak_mib"] for r in runs),
        "growth_mib": statistics.median(growth),
        "rows": runs[0]["rows"],
        "n_clusters": runs[0]["n_clusters"],
        "n_noise": runs[0]["n_noise"],
        "runs": len(runs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each variant (median)")
    parser.add_argument("--quick", action="store_true", help="1 run each, no sklearn OPTICS")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument(
        "--optics-timeout", type=float, default=120.0, help="seconds before sklearn OPTICS stops"
    )
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.out, args.tag)))
        return 0

    import numpy as np

    repeats = 1 if args.quick else max(1, args.repeats)
    print(f"DBSCAN benchmark: Toronto, eps={EPS:g} m, min_samples={MIN_SAMPLES}")
    print(f"median of {repeats} run(s), each in a fresh process (data loaded untimed)")
    runs: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-") as tmp:
        out = Path(tmp)
        labels: dict[str, list[np.ndarray]] = {v: [] for v in VARIANTS}
        for k in range(repeats):
            for variant in ("hotspot", "sklearn", "optics_hotspot"):
                runs[variant].append(run_child(variant, out, f"{variant}{k}"))
                labels[variant].append(np.load(out / f"{variant}{k}.npy"))
        if args.quick:
            skipped["optics_sklearn"] = "--quick"
        else:
            result = run_child("optics_sklearn", out, "optics_sklearn0", args.optics_timeout)
            if result is None:
                skipped["optics_sklearn"] = f"stopped after {args.optics_timeout:g} s"
            else:
                runs["optics_sklearn"].append(result)
                labels["optics_sklearn"].append(np.load(out / "optics_sklearn0.npy"))
    stats = {v: summarise(rs) for v, rs in runs.items() if rs}

    print()
    header = f"{'variant':<16}{'rows':>9}{'median s':>10}{'min-max s':>13}"
    header += f"{'setup MiB':>11}{'peak MiB':>10}{'growth MiB':>12}{'clusters':>10}{'noise':>9}"
    print(header)
    print("-" * len(header))
    for variant, s in stats.items():
        spread = f"{s['seconds_min']:.2f}-{s['seconds_max']:.2f}"
        print(
            f"{variant:<16}{s['rows']:>9,}{s['seconds']:>10.3f}{spread:>13}"
            f"{s['rss_setup_mib']:>11.0f}{s['peak_mib']:>10.0f}{s['growth_mib']:>12.0f}"
            f"{s['n_clusters']:>10,}{s['n_noise']:>9,}"
        )
    for variant, what in VARIANTS.items():
        note = f"  (skipped: {skipped[variant]})" if variant in skipped else ""
        print(f"  {variant}: {what}{note}")

    ours, theirs = labels["hotspot"][0], labels["sklearn"][0]
    stable = all((lab == ours).all() for lab in labels["hotspot"]) and all(
        (lab == theirs).all() for lab in labels["sklearn"]
    )
    agreement = compare(ours, theirs)
    facts = dbscan_facts(theirs)
    same_count = agreement["clusters"][0] == agreement["clusters"][1]
    identical = agreement["ari"] == 1.0 and agreement["differing"] == 0 and same_count and stable
    speed = stats["sklearn"]["seconds"] / stats["hotspot"]["seconds"]
    checks = {
        "speed": {"ratio": speed, "target": SPEED_TARGET, "pass": speed >= SPEED_TARGET},
        "labels": {
            "ari": agreement["ari"],
            "differing": agreement["differing"],
            "target": "identical up to renumbering",
            "pass": identical,
        },
    }
    print()
    print(
        f"speed-up sklearn / hotspot = {speed:.1f}x  (target >= {SPEED_TARGET:g}x)  "
        f"{'PASS' if checks['speed']['pass'] else 'FAIL'}"
    )
    print(
        f"labels: ARI = {agreement['ari']:.6f}, {agreement['differing']:,} incidents differ "
        f"after matching clusters one-to-one, same in every run = "
        f"{stable}  {'PASS' if identical else 'FAIL'}"
    )
    print(
        f"  {facts['rows']:,} incidents on {facts['n_locations']:,} distinct locations (up to "
        f"{facts['max_multiplicity']} on one); {facts['core_locations']:,} core and "
        f"{facts['border_locations']:,} border locations"
    )
    print(
        f"  {facts['ambiguous_border_incidents']:,} border incidents at "
        f"{facts['ambiguous_border_locations']:,} locations are within eps of core points of 2+ "
        "clusters: DBSCAN gives them to the cluster found first; hotspot visits locations in "
        "the order of their first incident, as sklearn visits the raw rows, so they agree"
    )
    print(
        f"  hotspot on the rows shuffled: {facts['shuffled_differing']} incidents differ from "
        f"sklearn on the original order ({facts['shuffled_core_or_noise_moved']} of them core or "
        f"noise), all ambiguous border incidents: {facts['shuffled_differing_all_ambiguous']}"
    )
    print(f"  sklearn DBSCAN split {facts['sklearn_split_locations']} locations (expected 0)")

    optics = {"n": OPTICS_N, "min_samples": OPTICS_MIN_SAMPLES}
    if "optics_sklearn" in stats:
        optics_theirs = labels["optics_sklearn"][0]
    else:
        optics_theirs = None
    optics.update(optics_facts(labels["optics_hotspot"][0], optics_theirs))
    oh = stats["optics_hotspot"]
    warmup = runs["optics_hotspot"][0]["warmup_seconds"]
    if "optics_sklearn" in stats:
        sk_seconds = stats["optics_sklearn"]["seconds"]
        versus = f"sklearn {sk_seconds:.1f} s = {sk_seconds / oh['seconds']:.0f}x"
    else:
        versus = f"sklearn skipped ({skipped.get('optics_sklearn')})"
    print(
        f"info: OPTICS on {OPTICS_N:,} incidents ({optics['n_locations']:,} locations): hotspot "
        f"{oh['seconds']:.2f} s, {versus}; hotspot's untimed first tiny call (imports, numba "
        f"cache) {warmup:.2f} s"
    )
    if optics_theirs is not None:
        vs = optics["vs_sklearn"]
        print(
            f"  labels vs sklearn on the raw rows: ARI {vs['ari']:.3f}; sklearn splits "
            f"{optics['sklearn_split_locations']} of {optics['multi_incident_locations']:,} "
            f"multi-incident locations, hotspot {optics['hotspot_split_locations']}"
        )
        optics["speedup"] = stats["optics_sklearn"]["seconds"] / oh["seconds"]

    if args.json:
        result = {
            "benchmark": "dbscan",
            "eps": EPS,
            "min_samples": MIN_SAMPLES,
            "repeats": repeats,
            "variants": stats,
            "runs": runs,
            "skipped": skipped,
            "agreement": agreement,
            "facts": facts,
            "optics": optics,
            "targets": checks,
        }
        args.json.write_text(json.dumps(result, indent=2))
    failed = [k for k, c in checks.items() if not c["pass"]]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
