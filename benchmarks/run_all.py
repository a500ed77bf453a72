"""Run every hotspot benchmark, each in its own process, and summarise the ratios.

Runs the ``bench_*.py`` scripts listed in ``BENCHMARKS`` one after the other with this
interpreter, prints their output as it comes, then a summary of the same-run ratios against the
targets. Absolute seconds drift between runs on a shared machine; compare ratios only.

Usage::

    python benchmarks/run_all.py [--strict] [--quick]

``--quick`` uses 1 repeat of each measurement (a smoke test; the ratios are then noisier).
``--strict`` exits non-zero when a target or a check fails; otherwise the exit code is 0 unless a
benchmark crashes. ``make bench`` runs this script.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCHMARKS = (
    "bench_read_incidents.py",
    "bench_count_incidents.py",
    "bench_gistar.py",
    "bench_kde.py",
    "bench_dbscan.py",
    "bench_hdbscan.py",
    "bench_knox.py",
    "bench_emerging.py",
    "bench_maps.py",
    "bench_sepp.py",
    "bench_backtest.py",
    "bench_scale.py",
)


def environment() -> str:
    versions = []
    packages = ("hotspot", "numpy", "pandas", "geopandas", "shapely", "pyproj", "pyarrow", "folium")
    for package in packages:
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} -")
    git = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "hotspot"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    state = f"{git or 'unknown'}, {len(changed)} uncommitted file(s) under hotspot/"
    return (
        f"{datetime.date.today()}  Python {platform.python_version()}  {os.cpu_count()} CPUs\n"
        f"{', '.join(versions)}\n"
        f"git {state}"
    )


def run(script: str, json_path: Path, extra: list[str]) -> tuple[int, float]:
    cmd = [sys.executable, str(HERE / script), "--json", str(json_path), *extra]
    print(f"\n=== {script} {' '.join(extra)}".rstrip(), flush=True)
    start = time.perf_counter()
    code = subprocess.run(cmd, check=False).returncode
    return code, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--quick", action="store_true", help="1 repeat of each measurement")
    args = parser.parse_args(argv)
    print(environment())

    extra = {script: [] for script in BENCHMARKS}
    if args.quick:
        extra["bench_read_incidents.py"] = ["--repeats", "1"]
        extra["bench_count_incidents.py"] = ["--repeats", "1", "--grid-repeats", "1"]
        extra["bench_gistar.py"] = ["--quick"]
        extra["bench_kde.py"] = ["--repeats", "1"]
        extra["bench_dbscan.py"] = ["--quick"]
        extra["bench_hdbscan.py"] = ["--quick"]
        extra["bench_knox.py"] = ["--quick"]
        extra["bench_emerging.py"] = ["--quick"]
        extra["bench_maps.py"] = ["--quick"]
        extra["bench_sepp.py"] = ["--quick"]
        extra["bench_backtest.py"] = ["--quick"]
        extra["bench_scale.py"] = ["--quick"]
    results, crashed, elapsed = {}, [], {}
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-") as tmp:
        for script in BENCHMARKS:
            path = Path(tmp) / f"{script}.json"
            code, elapsed[script] = run(script, path, extra[script])
            if code != 0 or not path.exists():
                crashed.append(script)
                continue
            results[script] = json.loads(path.read_text())

    print("\n=== summary (ratios from the same run; absolute seconds drift between runs)")
    rows = []
    if "bench_read_incidents.py" in results:
        r = results["bench_read_incidents.py"]
        t, v = r["targets"], r["variants"]
        rows.append(
            (
                "read_incidents time, hotspot / baseline",
                f"{t['time']['ratio']:.2f}",
                f"<= {t['time']['target']}",
                t["time"]["pass"],
                f"{v['hotspot']['seconds']:.2f} s / {v['baseline']['seconds']:.2f} s",
            )
        )
        rows.append(
            (
                "read_incidents peak memory growth",
                f"{t['memory']['ratio']:.2f}",
                f"<= {t['memory']['target']}",
                t["memory"]["pass"],
                f"{v['hotspot']['growth_mib']:.0f} / {v['baseline']['growth_mib']:.0f} MiB"
                f" (absolute peak ratio {r['ratios']['memory_peak']:.2f})",
            )
        )
    if "bench_count_incidents.py" in results:
        r = results["bench_count_incidents.py"]
        t, s = r["targets"]["speed"], r["seconds"]
        rows.append(
            (
                "count_incidents speed-up vs sjoin within",
                f"{t['ratio']:.1f}x",
                f">= {t['target']:g}x",
                t["pass"],
                f"{s['sjoin within']:.2f} s / {s['hotspot']:.3f} s",
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "count_incidents agrees with sjoin within",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "per-cell counts of strictly-inside incidents identical",
            )
        )
    if "bench_gistar.py" in results:
        r = results["bench_gistar.py"]
        t, v = r["targets"], r["variants"]
        for key, variant, label in (
            ("time_warm", "hotspot", "warm cache"),
            ("time_cold", "hotspot_cold", "first run"),
        ):
            rows.append(
                (
                    f"gistar speed-up vs esda ({label})",
                    f"{t[key]['ratio']:.1f}x",
                    f">= {t[key]['target']:g}x",
                    t[key]["pass"],
                    f"{v['esda']['seconds']:.1f} s / {v[variant]['seconds']:.2f} s",
                )
            )
        rows.append(
            (
                "gistar peak memory growth, hotspot / esda",
                f"{t['memory']['ratio']:.2f}",
                f"<= {t['memory']['target']:g}",
                t["memory"]["pass"],
                f"{v['hotspot']['growth_mib']:.0f} / {v['esda']['growth_mib']:.0f} MiB",
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "gistar agrees with esda",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "same weights, z identical, p_sim within Monte Carlo error",
            )
        )
    if "bench_kde.py" in results and "targets" in results["bench_kde.py"]:
        r = results["bench_kde.py"]
        t = r["targets"]
        rows.append(
            (
                "kde time, hotspot / KDEpy FFTKDE",
                f"{t['time']['ratio']:.2f}",
                f"<= {t['time']['target']:g}",
                t["time"]["pass"],
                "Toronto, 1000 x 1000 grid, Gaussian",
            )
        )
        rows.append(
            (
                "kde max relative error vs direct sum",
                f"{100 * t['accuracy']['max_error']:.3f}%",
                f"< {100 * t['accuracy']['target']:g}%",
                t["accuracy"]["pass"],
                "nodes above 1 % of the maximum",
            )
        )
    elif "bench_kde.py" in results:
        print(f"bench_kde.py: {results['bench_kde.py'].get('skipped')}")
    notes = []
    if "bench_dbscan.py" in results:
        r = results["bench_dbscan.py"]
        t, v = r["targets"], r["variants"]
        rows.append(
            (
                "dbscan speed-up vs sklearn (241k raw)",
                f"{t['speed']['ratio']:.1f}x",
                f">= {t['speed']['target']:g}x",
                t["speed"]["pass"],
                f"{v['sklearn']['seconds']:.2f} s / {v['hotspot']['seconds']:.3f} s",
            )
        )
        rows.append(
            (
                "dbscan labels identical to sklearn",
                f"{t['labels']['differing']}",
                "0 differ",
                t["labels"]["pass"],
                f"ARI {t['labels']['ari']:.6f}; {r['facts']['ambiguous_border_incidents']} "
                "ambiguous border incidents agree",
            )
        )
        if "speedup" in r["optics"]:
            notes.append(
                f"info: optics 20k: hotspot {v['optics_hotspot']['seconds']:.2f} s, sklearn "
                f"{v['optics_sklearn']['seconds']:.1f} s ({r['optics']['speedup']:.0f}x)"
            )
    if "bench_hdbscan.py" in results:
        r = results["bench_hdbscan.py"]
        t, v = r["targets"], r["variants"]
        peer = t["time_warm"]["peer"]
        rows.append(
            (
                f"hdbscan speed-up vs {peer} (warm)",
                f"{t['time_warm']['ratio']:.1f}x",
                f">= {t['time_warm']['target']:g}x",
                t["time_warm"]["pass"],
                f"{v[peer]['seconds']:.2f} s / {v['hotspot']['seconds']:.2f} s",
            )
        )
        per_peer = t["memory"]["per_peer"]
        rows.append(
            (
                "hdbscan peak memory growth, hotspot / peer",
                f"{t['memory']['ratio']:.2f}",
                f"<= {t['memory']['target']:g}",
                t["memory"]["pass"],
                f"{v['hotspot']['growth_mib']:.0f} MiB vs "
                + ", ".join(f"{p} {v[p]['growth_mib']:.0f}" for p in per_peer)
                + " (worst ratio)",
            )
        )
        facts = r["comparison"]["labels"]
        rows.append(
            (
                "hdbscan split duplicate locations",
                f"{t['split_locations']['value']}",
                f"= {t['split_locations']['target']}",
                t["split_locations"]["pass"],
                "peers: " + ", ".join(f"{p} {facts[p]['split_locations']}" for p in per_peer),
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "hdbscan checks",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "labels identical every run; kernel compiled cold, cached warm",
            )
        )
    if "bench_knox.py" in results:
        r = results["bench_knox.py"]
        t, m = r["targets"], r["targets"]["memory_full"]
        rows.append(
            (
                "knox full table peak RSS (54,650 B&E)",
                f"{m['peak_mib']:.0f} MiB" if "peak_mib" in m else "-",
                "< 2 GB",
                m["pass"],
                f"growth {m['growth_mib']:.0f} MiB, {m['seconds']:.1f} s, 6x6 bands, 999 perms"
                if "peak_mib" in m
                else "did not complete",
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "knox agrees with pointpats Knox",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "close-close count = pointpats nst = brute force, every size",
            )
        )
        if "time_vs_pointpats" in t:
            s = t["time_vs_pointpats"]
            pp, ours = r["variants"][f"pointpats_{s['n']}"], r["variants"][f"hotspot_{s['n']}"]
            notes.append(
                f"info: knox one band (200 m, 7 days, 99 perms) at {s['n']:,}: pointpats Knox "
                f"{pp['seconds']:.1f} s / hotspot {ours['seconds']:.2f} s = {s['ratio']:.1f}x; "
                f"memory growth ratio hotspot / pointpats {s['memory_growth_ratio']:.2f}"
            )
    if "bench_emerging.py" in results:
        r = results["bench_emerging.py"]
        t, v, n = r["targets"], r["variants"], r["naive"]
        rows.append(
            (
                "emerging speed-up vs esda+MK (scaled)",
                f"{t['speed']['ratio']:.1f}x",
                f">= {t['speed']['target']:g}x",
                t["speed"]["pass"],
                f"{n['total']:.0f} s / {v['hotspot']['seconds']:.2f} s, 99 perms, "
                f"{n['n_analysed']:,} cells x {n['n_bins']} weeks",
            )
        )
        rows.append(
            (
                "emerging analytical, 2014-2021 weekly",
                f"{t['analytical']['seconds']:.2f} s",
                f"< {t['analytical']['target']:g} s",
                t["analytical"]["pass"],
                f"{r['data']['long']['n_analysed']:,} cells x {r['data']['long']['n_bins']} weeks",
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "emerging checks",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "same cells both sides; categories identical every run",
            )
        )
    if "bench_maps.py" in results:
        r = results["bench_maps.py"]
        t, v = r["targets"]["export_size"], r["variants"]
        peer, ratios = r["fastest_peer"], r["ratios"]
        rows.append(
            (
                "maps offline export, Toronto 100 m grid",
                f"{t['bytes'] / 1e6:.1f} MB",
                f"< {t['target'] / 1e6:g} MB",
                t["pass"],
                f"{t['cells']:,} cells, every one drawn",
            )
        )
        checks = r["checks"]
        rows.append(
            (
                "maps checks",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "every page holds every cell with the same count"
                + ("; all drawn in Chromium" if r["browser"] else ""),
            )
        )
        load = (
            f", browser load {r['load_ratio']:.1f}x (vs {r.get('load_peer')})"
            if r["load_ratio"] is not None
            else ""
        )
        notes.append(
            f"info: maps, {r.get('fastest_peer_label', peer)} / hotspot on the {r['cell']:g} m grid "
            f"({r['n_cells']:,} cells): size {ratios['size']:.2f}x "
            f"({v[peer]['bytes'] / 1e6:.1f} / {v['hotspot']['bytes'] / 1e6:.1f} MB), time "
            f"{ratios['time']:.1f}x ({v[peer]['seconds']:.1f} / {v['hotspot']['seconds']:.2f} s), "
            f"memory growth {ratios['memory_growth']:.1f}x{load}"
        )
    if "bench_scale.py" in results:
        r = results["bench_scale.py"]
        t = r["targets"]
        rows.append(
            (
                f"scale: {r['n']:,} incidents -> weekly cube, 2 workers",
                f"{r['throughput_ratio_dask_over_memory']:.2f}",
                "info (Dask / in memory)",
                t["complete"] and t["worker_peak_under_2GiB"],
                "every incident counted; worker peak < 2 GiB",
            )
        )
    if "bench_backtest.py" in results:
        r = results["bench_backtest.py"]
        t, ratios, checks = r["targets"]["time"], r["ratios"], r["checks"]
        peer_ratio = ratios.get("time_peer_over_hotspot", float("nan"))
        rows.append(
            (
                f"backtest {r['weeks']} weeks x 4 forecasters, Toronto 150 m",
                f"{t['seconds']:.1f} s" if "seconds" in t else "-",
                f"< {t['target']:g} s (52 weeks)",
                t["pass"],
                f"peer loop / backtest {peer_ratio:.2f}x; peak {t.get('peak_mib', float('nan')):.0f} MiB",
            )
        )
        rows.append(
            (
                "backtest agrees with the clone/fit/hit_rate_curve loop",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "PAI per forecaster x week x coverage and pooled, to 1e-9",
            )
        )
    if "bench_sepp.py" in results:
        r = results["bench_sepp.py"]
        t, runs = r["targets"], r["runs"]
        fit = t["fit_seconds"]
        first = runs["fit"][0] if runs.get("fit") else {}
        rows.append(
            (
                "sepp fit, 2019 break-ins (median)",
                f"{fit['seconds']:.2f} s" if "seconds" in fit else "-",
                f"< {fit['target']:g} s",
                fit["pass"],
                f"{first['events']:,} events, {first['n_pairs']:,} pairs, peak growth "
                f"{fit['growth_mib']:.0f} MiB"
                if first and "growth_mib" in fit
                else "did not complete",
            )
        )
        lin = t["memory_linear"]
        if "ratio" in lin:
            per_event = lin["bytes_per_event"]
            rows.append(
                (
                    "sepp memory per event, most / fewest years",
                    f"{lin['ratio']:.2f}",
                    f"<= {lin['target']:g}",
                    lin["pass"],
                    ", ".join(f"{y} y {b:,.0f} B" for y, b in per_event.items()),
                )
            )
        else:
            rows.append(("sepp memory per event", "-", "<= 2", False, "did not complete"))
        checks = r["checks"]
        rows.append(
            (
                "sepp pruned EM agrees with a dense EM",
                f"{sum(checks.values())}/{len(checks)}",
                "all pass",
                all(checks.values()),
                "same events, pairs and iterations; parameters within 1e-6",
            )
        )
        if "dense_speedup" in t:
            d = t["dense_speedup"]
            pruned, dense = runs["pruned"][0], runs["dense"][0]
            notes.append(
                f"info: sepp pruned vs dense (n x n) EM on {d['events']:,} events: "
                f"{d['ratio']:.1f}x ({d['dense_seconds']:.2f} s / {d['pruned_seconds']:.3f} s), "
                f"peak growth {dense['peak_mib'] - dense['rss_setup_mib']:.0f} / "
                f"{pruned['peak_mib'] - pruned['rss_setup_mib']:.0f} MiB"
            )
    print(f"{'measure':<42}{'value':>8}  {'target':<10}{'':<6}detail")
    for label, value, target, ok, detail in rows:
        verdict = "INFO" if ok is None else ("PASS" if ok else "FAIL")  # None: a --quick run
        print(f"{label:<42}{value:>8}  {target:<10}{verdict:<6}{detail}")
    for note in notes:
        print(note)
    for script in crashed:
        print(f"{script}: CRASHED (see its output above)")
    total = sum(elapsed.values())
    print(
        f"wall time: {', '.join(f'{k} {v:.0f} s' for k, v in elapsed.items())}; total {total:.0f} s"
    )

    failed = [label for label, _, _, ok, _ in rows if ok is False]
    if crashed:
        return 2
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
