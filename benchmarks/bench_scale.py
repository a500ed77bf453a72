"""Benchmark the Dask path on a national archive: 50 million incidents to a weekly 250 m cube.

Data: ``hotspot.simulate.write_partitioned_incidents(folder, n, years=1, rows_per_file=500_000,
rng=seed)``: data.police.uk-like Parquet files (``Date``, ``Longitude``/``Latitude`` in
degrees, ``Crime type``, ``Falls within``), 43 simulated forces in a 330 km x 460 km box of
British National Grid (the land area of England and Wales), one or more files per force. The
folder is ``<--folder>/n<n>-years<y>-rows<r>-seed<s>`` and is reused when its
``simulation.json`` records the same parameters and every file is there.

Every measurement runs in a fresh child process (``sys.executable <this file> --child ...``):

1. ``generate`` (only when the folder is missing): writing the archive; its time and the
   child's peak RSS (VmHWM), which stays bounded by one file whatever ``n``.
2. ``dask``: a ``distributed.LocalCluster(n_workers=2, threads_per_worker=1,
   memory_limit="4GiB")``. Untimed: the cluster, and the grid, ``hotspot.square_grid`` of 250 m
   over the national box (given as the study area: the default footprint would need the
   points in memory), about 2.43 million cells (its build time is reported apart). Timed:
   ``hotspot.scale.read_partitions(folder, client=client)`` then
   ``hotspot.space_time_cube(lazy, cells, "W")`` (one pass over the files: tallies keyed by
   calendar week, folded into the cube's bins on the client). Reported: wall time, throughput (incidents per second), each
   worker's peak RSS (``VmHWM`` read on the worker with ``client.run``, the mark reset after
   the cluster started) and CPU seconds, the client's peak, the cube's shape and the
   accounting (``incidents == counted`` must hold: every incident is in the box and the
   year). Target (from the issue): each worker's peak under 2 GiB.
3. ``memory``: the in-memory path on a ``--memory-n`` (default 5,000,000) row subset
   (``rows * memory_n / n`` evenly spaced rows of every file, so the whole year and every
   force, written once to one Parquet file next to the folder, untimed):
   ``hotspot.read_incidents(file)`` then ``hotspot.space_time_cube(inc, cells, "W")`` on the
   same grid. Reported: time, CPU time, throughput, peak RSS.

Measured (2 December 2026, quiet 2-core machine, one-pass cube): 50 million in 82.2 s
(608,000 incidents/s), workers' peaks 986 and 1,112 MiB, client 3.2 GiB; in memory 5 million in
17.3 s (288,000/s), 5.1 GiB; ratio 2.11. (Before: 364 s and 2.3/3.1 GiB workers with the grid
shipped to every worker; 162 s, ratio 0.86, with two passes over the files.) See docs/scale.md.

The ratio printed is the Dask path's throughput over the in-memory path's, both in incidents
per second, measured in the same run (the machine is shared: only same-run ratios count). The
Dask path uses two worker processes, the in-memory path one.

Usage::

    python benchmarks/bench_scale.py [--n 50000000] [--quick] [--memory-n 5000000]
        [--years 1] [--rows-per-file 500000] [--seed 0] [--folder DIR] [--strict] [--json FILE]

``--quick``: 2,000,000 incidents and a 500,000-row in-memory subset.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _measure import _measure_end, _measure_start

N_DEFAULT = 50_000_000
N_QUICK = 2_000_000
MEMORY_N = 5_000_000
MEMORY_N_QUICK = 500_000
CELL = 250.0
FREQ = "W"
WORKERS = 2
WORKER_MEMORY = "4GiB"
WORKER_PEAK_TARGET_MIB = 2048.0
TIMEOUT = 4 * 3600


# ----------------------------------------------------------------------------- child side


def _worker_start() -> dict:
    """Runs on a worker: reset its peak-RSS mark; its RSS and CPU time now."""
    from _measure import _measure_start

    return _measure_start()


def _worker_end(start: dict) -> dict:
    """Runs on a worker: its peak RSS since the reset (MiB) and CPU seconds used since."""
    from _measure import _measure_end

    return _measure_end(start, 0.0)


def _grid(manifest: dict):
    import geopandas as gpd
    import shapely

    import hotspot

    area = gpd.GeoDataFrame(geometry=[shapely.from_wkt(manifest["study_area"])], crs="EPSG:27700")
    t0 = time.perf_counter()
    cells = hotspot.square_grid(area, CELL, quiet=True)
    return cells, time.perf_counter() - t0


def child_generate(folder: str, n: int, years: int, rows: int, seed: int) -> dict:
    from hotspot.simulate import write_partitioned_incidents

    start = _measure_start()
    t0 = time.perf_counter()
    truth = write_partitioned_incidents(folder, n, years=years, rows_per_file=rows, rng=seed)
    seconds = time.perf_counter() - t0
    return {
        **_measure_end(start, seconds),
        "files": len(truth["files"]),
        "rows_per_s": n / seconds,
    }


def child_dask(folder: str) -> dict:
    import logging
    import sys as _sys

    import distributed

    import hotspot
    from hotspot import scale

    manifest = json.loads((Path(folder) / "simulation.json").read_text())
    cells, grid_seconds = _grid(manifest)
    here = str(Path(__file__).resolve().parent)
    cluster = distributed.LocalCluster(
        n_workers=WORKERS,
        threads_per_worker=1,
        processes=True,
        memory_limit=WORKER_MEMORY,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster, set_as_default=False, timeout="120s")
    client.wait_for_workers(WORKERS, timeout=300)
    client.run(lambda: _sys.path.insert(0, here) if here not in _sys.path else None)
    before = client.run(_worker_start)
    start = _measure_start()
    t0 = time.perf_counter()
    lazy = scale.read_partitions(folder, client=client, quiet=True)
    t1 = time.perf_counter()
    cube = hotspot.space_time_cube(lazy, cells, FREQ, quiet=True)
    seconds = time.perf_counter() - t0
    client_end = _measure_end(start, seconds)
    after = {w: client.run(_worker_end, before[w], workers=[w])[w] for w in before}
    counts = cube.attrs["counts"]
    out = {
        "seconds": seconds,
        "read_partitions_seconds": t1 - t0,
        "grid_seconds": grid_seconds,
        "n": int(counts["incidents"]),
        "counted": int(counts["counted"]),
        "cube_total": int(cube.counts.sum()),
        "n_bins": int(cube.counts.shape[0]),
        "n_cells": int(cube.counts.shape[1]),
        "npartitions": lazy.npartitions,
        "worker_rss_start_mib": sorted(b["rss_setup_mib"] for b in before.values()),
        "worker_peak_mib": sorted(a["peak_mib"] for a in after.values()),
        "worker_cpu_seconds": sorted(a["cpu_seconds"] for a in after.values()),
        "client_peak_mib": client_end["peak_mib"],
        "client_cpu_seconds": client_end["cpu_seconds"],
        "client_rss_setup_mib": start["rss_setup_mib"],
        "incidents_per_s": counts["incidents"] / seconds,
    }
    client.close()
    cluster.close()
    return out


def child_memory(path: str, folder: str) -> dict:
    import hotspot

    manifest = json.loads((Path(folder) / "simulation.json").read_text())
    cells, _ = _grid(manifest)
    start = _measure_start()
    t0 = time.perf_counter()
    inc = hotspot.read_incidents(path, quiet=True)
    t1 = time.perf_counter()
    cube = hotspot.space_time_cube(inc, cells, FREQ, quiet=True)
    seconds = time.perf_counter() - t0
    counts = cube.attrs["counts"]
    return {
        **_measure_end(start, seconds),
        "read_incidents_seconds": t1 - t0,
        "n": int(counts["incidents"]),
        "counted": int(counts["counted"]),
        "cube_total": int(cube.counts.sum()),
        "n_bins": int(cube.counts.shape[0]),
        "incidents_per_s": counts["incidents"] / seconds,
    }


# ----------------------------------------------------------------------------- parent side


def _run_child(*args: str) -> dict:
    cmd = [sys.executable, __file__, "--child", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _archive_ok(folder: Path, n: int, years: int, rows: int, seed: int) -> bool:
    manifest = folder / "simulation.json"
    if not manifest.is_file():
        return False
    m = json.loads(manifest.read_text())
    same = (m["n_incidents"], m["years"], m["rows_per_file"], m["seed"]) == (n, years, rows, seed)
    return same and all((folder / f["file"]).is_file() for f in m["files"])


def _memory_subset(folder: Path, memory_n: int) -> Path:
    """``rows * memory_n / n`` evenly spaced rows of every file (exactly ``memory_n`` in all), as
    one Parquet file beside the folder; reused when present."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder.parent / f"{folder.name}-memory-{memory_n}-spread.parquet"
    if path.is_file() and pq.ParquetFile(path).metadata.num_rows == memory_n:
        return path
    m = json.loads((folder / "simulation.json").read_text())
    rows = np.array([f["rows"] for f in m["files"]], dtype=np.int64)
    take = np.floor(rows * memory_n / rows.sum()).astype(np.int64)
    short = memory_n - int(take.sum())
    take[np.argsort(-(rows * memory_n / rows.sum() - take), kind="stable")[:short]] += 1
    # evenly spaced rows of each file (its rows are sorted by time: the subset spans the year)
    tables = [
        pq.read_table(folder / f["file"]).take(
            np.linspace(0, f["rows"] - 1, int(k)).round().astype(np.int64)
        )
        for f, k in zip(m["files"], take, strict=True)
    ]
    pq.write_table(pa.concat_tables(tables), path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-n", type=int, default=None)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--rows-per-file", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "hotspot-bench-scale"
    )
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "generate":
            folder, n, years, rows, seed = rest
            out = child_generate(folder, int(n), int(years), int(rows), int(seed))
        elif kind == "dask":
            out = child_dask(rest[0])
        else:
            out = child_memory(rest[0], rest[1])
        print(json.dumps(out))
        return 0

    n = args.n or (N_QUICK if args.quick else N_DEFAULT)
    memory_n = args.memory_n or (MEMORY_N_QUICK if args.quick else MEMORY_N)
    memory_n = min(memory_n, n)
    folder = args.folder / f"n{n}-years{args.years}-rows{args.rows_per_file}-seed{args.seed}"
    results: dict = {"n": n, "memory_n": memory_n, "folder": str(folder)}

    if _archive_ok(folder, n, args.years, args.rows_per_file, args.seed):
        print(f"reusing {folder}")
    else:
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        print(f"writing {n:,} incidents to {folder} ...", flush=True)
        gen = _run_child(
            "generate",
            str(folder),
            str(n),
            str(args.years),
            str(args.rows_per_file),
            str(args.seed),
        )
        results["generate"] = gen
        print(
            f"generate: {gen['seconds']:.1f} s ({gen['rows_per_s']:,.0f} rows/s), "
            f"{gen['files']} files, peak RSS {gen['peak_mib']:.0f} MiB",
            flush=True,
        )
    size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    results["archive_bytes"] = size
    print(f"archive: {size / 2**30:.2f} GiB of Parquet", flush=True)
    subset = _memory_subset(folder, memory_n)

    dask_run = _run_child("dask", str(folder))
    results["dask"] = dask_run
    print(
        f"dask ({WORKERS} workers x 1 thread, {WORKER_MEMORY}): {dask_run['n']:,} incidents, "
        f"{dask_run['seconds']:.1f} s ({dask_run['incidents_per_s']:,.0f} incidents/s); "
        f"cube {dask_run['n_bins']} weeks x {dask_run['n_cells']:,} cells "
        f"(grid {dask_run['grid_seconds']:.1f} s, untimed), counted {dask_run['counted']:,}; "
        f"worker peak RSS {', '.join(f'{p:.0f}' for p in dask_run['worker_peak_mib'])} MiB "
        f"(CPU {', '.join(f'{c:.0f}' for c in dask_run['worker_cpu_seconds'])} s), "
        f"client peak {dask_run['client_peak_mib']:.0f} MiB",
        flush=True,
    )
    mem = _run_child("memory", str(subset), str(folder))
    results["memory"] = mem
    print(
        f"in memory: {mem['n']:,} incidents, {mem['seconds']:.1f} s "
        f"({mem['incidents_per_s']:,.0f} incidents/s; read_incidents "
        f"{mem['read_incidents_seconds']:.1f} s; CPU {mem['cpu_seconds']:.0f} s), "
        f"peak RSS {mem['peak_mib']:.0f} MiB",
        flush=True,
    )
    ratio = dask_run["incidents_per_s"] / mem["incidents_per_s"]
    results["throughput_ratio_dask_over_memory"] = ratio
    worker_ok = max(dask_run["worker_peak_mib"]) < WORKER_PEAK_TARGET_MIB
    complete = dask_run["counted"] == dask_run["n"] == n == dask_run["cube_total"]
    complete = complete and mem["counted"] == mem["n"] == memory_n
    results["targets"] = {"complete": complete, "worker_peak_under_2GiB": worker_ok}
    print(
        f"ratio dask / in-memory throughput: {ratio:.2f} "
        f"({dask_run['incidents_per_s']:,.0f} vs {mem['incidents_per_s']:,.0f} incidents/s)"
    )
    print(f"targets: every incident counted {complete}; worker peak < 2 GiB {worker_ok}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.strict and not (worker_ok and complete):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
