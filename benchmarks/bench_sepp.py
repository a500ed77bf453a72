"""Benchmark ``SEPPForecaster`` on Toronto's break-ins: time, memory per event, and a dense EM.

Data: the embedded Toronto incidents (``hotspot.datasets.load_toronto``), category
``"Break and Enter"``, the 150 m square grid over them (``hotspot.square_grid(be, 150)``).
Every measurement runs in a fresh child process which loads the data and builds the grid
untimed, resets the kernel's peak-RSS mark (``/proc/self/clear_refs``), records its resident
memory and times the call alone; peak memory is the child's high-water mark after the call
(``VmHWM``), growth is the peak minus the post-setup RSS.

1. ``fit``: ``SEPPForecaster().fit(be, cells, until="2020-01-01")``, the defaults
   (``background="kde"``, bandwidth 300 m, cut-offs 60 days and 500 m, lookback 365 days: the
   2019 break-ins), then ``predict("7D")`` timed separately. Target: the fit under 60 s.
2. ``scale <years>``: the same fit with ``lookback`` of 1, 2 and 4 years (2019; 2018-2019;
   2016-2019), i.e. about n, 2n and 4n events over the same city. Reported: the memory growth
   per event and the pairs per event. Target: bytes per event at 4n within 2x of those at n
   (linear memory: the close pairs grow with the events, never as n²).
3. ``pruned`` / ``dense``: the fit on the break-ins of the last ``--dense-days`` days of 2019
   (default 100, about 2,300 events) with the defaults, against ``dense_em`` below, a plain-numpy
   EM of the same model on n x n arrays (every pair of events, masked by the same cut-offs;
   the background kernel truncated at the same 4 bandwidths; the same start, M-step, sigma
   floor and stopping rule). Reported: the time ratio dense / pruned (fit only, same data,
   fresh processes, interleaved) and the parameters of both, which must agree to 1e-6.

Usage::

    python benchmarks/bench_sepp.py [--repeats 3] [--dense-days 100] [--quick] [--strict]
        [--json FILE]

``--quick``: one run of each, the scale series at 1 and 2 years only.
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
    _status_mib,
)

CATEGORY = "Break and Enter"
UNTIL = "2020-01-01"
CELL_SIZE = 150
YEARS = (1, 2, 4)
QUICK_YEARS = (1, 2)
FIT_TARGET_S = 60.0
LINEAR_TARGET = 2.0
AGREEMENT = 1e-6
TIMEOUT = 900


# ----------------------------------------------------------------------------- child side


def _setup():
    import hotspot
    from hotspot.forecast.sepp import SEPPForecaster

    inc = hotspot.datasets.load_toronto(quiet=True)
    be = inc[inc["category"] == CATEGORY]
    cells = hotspot.square_grid(be, CELL_SIZE, quiet=True)
    return SEPPForecaster, be, cells


def _params(f) -> dict:
    return {
        "theta": f.theta_,
        "omega": f.omega_,
        "mean_delay_days": 1 / f.omega_,
        "sigma": f.sigma_,
        "background_rate": f.background_rate_,
        "n_iter": f.n_iter_,
        "converged": bool(f.converged_),
        "n_pairs": f.n_pairs_,
        "events": f.training_["used"],
        "span_days": f.span_days_,
    }


def child_fit() -> dict:
    SEPPForecaster, be, cells = _setup()
    start = _measure_start()
    t0 = time.perf_counter()
    f = SEPPForecaster().fit(be, cells, until=UNTIL)
    seconds = time.perf_counter() - t0
    out = _measure_end(start, seconds)
    t0 = time.perf_counter()
    risk = f.predict("7D")
    out["predict_seconds"] = time.perf_counter() - t0
    out["predict_peak_mib"] = _status_mib("VmHWM")
    out["risk_total"] = float(risk["forecast_risk"].sum())
    out["cells"] = len(cells)
    return {**out, **_params(f)}


def child_scale(years: int) -> dict:
    SEPPForecaster, be, cells = _setup()
    start = _measure_start()
    t0 = time.perf_counter()
    f = SEPPForecaster(lookback=f"{365 * years}D").fit(be, cells, until=UNTIL)
    seconds = time.perf_counter() - t0
    return {**_measure_end(start, seconds), "years": years, **_params(f)}


def _subset_arrays(be, cells, days: int):
    """The events the forecaster uses over the last ``days`` days, as it sees them."""
    import numpy as np
    import pandas as pd

    until = pd.Timestamp(UNTIL)
    since = until - pd.Timedelta(days=days)
    t = be["time"]
    sub = be[(t >= since) & (t < until)]
    x, y = sub.geometry.x.to_numpy(), sub.geometry.y.to_numpy()
    ns = sub["time"].dt.as_unit("ns").to_numpy().view(np.int64)
    age = (until.value - ns) / 86_400e9
    return x, y, age


def dense_em(x, y, age, span, *, bandwidth, tau, radius, min_sigma, max_iter, tol):
    """The EM of ``SEPPForecaster(background="kde")`` on n x n arrays (the O(n²) peer).

    ``[i, j]`` holds parent ``i`` and child ``j``; the masks apply the same cut-offs
    (``0 < lag <= tau``, distance ``<= radius``; the background kernel within 4 bandwidths).
    """
    import numpy as np

    s = span - age
    lag = s[None, :] - s[:, None]
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    pair = (lag > 0) & (lag <= tau) & (d2 <= radius**2)
    lag = np.where(pair, lag, 0.0)
    kernel = np.where(
        d2 <= (4 * bandwidth) ** 2,
        np.exp(-d2 / (2 * bandwidth**2)) / (2 * np.pi * bandwidth**2),
        0.0,
    )
    theta, omega, sigma = 0.5, 1 / (0.1 * tau), 0.1 * radius
    q = np.ones(len(x))
    converged, n_iter = False, 0
    while n_iter < max_iter:
        n_iter += 1
        nu = kernel @ q / span
        g = np.where(
            pair,
            theta
            * omega
            * np.exp(-omega * lag)
            * np.exp(-d2 / (2 * sigma**2))
            / (2 * np.pi * sigma**2),
            0.0,
        )
        lam = nu + g.sum(axis=0)
        p = g / lam[None, :]
        q_new = nu / lam
        total = p.sum()
        weighted_lag = (p * lag).sum()
        w = total / weighted_lag
        for _ in range(200):  # the edge-corrected omega (the same fixed point)
            e = np.exp(-w * age)
            w_new = total / (weighted_lag + total * (age @ e) / np.sum(-np.expm1(-w * age)))
            done = abs(w_new - w) <= 1e-12 * w
            w = w_new
            if done:
                break
        sigma_new = max(np.sqrt((p * d2).sum() / (2 * total)), min_sigma)
        theta_new = total / np.sum(-np.expm1(-w * age))
        old = (theta, omega, sigma, q.sum())
        new = (theta_new, w, sigma_new, q_new.sum())
        change = max(abs(a - b) / abs(b) for a, b in zip(new, old, strict=True))
        theta, omega, sigma, q = theta_new, w, sigma_new, q_new
        if change < tol:
            converged = True
            break
    return {
        "theta": theta,
        "omega": omega,
        "mean_delay_days": 1 / omega,
        "sigma": sigma,
        "background_rate": q.sum() / span,
        "n_iter": n_iter,
        "converged": converged,
        "n_pairs": int(pair.sum()),
        "events": len(x),
        "span_days": span,
    }


def child_pruned(days: int) -> dict:
    SEPPForecaster, be, cells = _setup()
    start = _measure_start()
    t0 = time.perf_counter()
    f = SEPPForecaster(lookback=f"{days}D").fit(be, cells, until=UNTIL)
    seconds = time.perf_counter() - t0
    return {**_measure_end(start, seconds), **_params(f)}


def child_dense(days: int) -> dict:
    import pandas as pd

    SEPPForecaster, be, cells = _setup()
    x, y, age = _subset_arrays(be, cells, days)
    ref = SEPPForecaster()  # the defaults, read from the class (not fitted)
    # the span as the forecaster takes it: the lookback when earlier data were cut
    span = float(days)
    start = _measure_start()
    t0 = time.perf_counter()
    out = dense_em(
        x,
        y,
        age,
        span,
        bandwidth=ref.bandwidth,
        tau=pd.Timedelta(ref.time_cutoff) / pd.Timedelta(days=1),
        radius=ref.distance_cutoff,
        min_sigma=ref.min_sigma,
        max_iter=ref.max_iter,
        tol=ref.tol,
    )
    seconds = time.perf_counter() - t0
    return {**_measure_end(start, seconds), **out}


def child(variant: str, arg: int) -> None:
    if variant == "fit":
        result = child_fit()
    elif variant == "scale":
        result = child_scale(arg)
    elif variant == "pruned":
        result = child_pruned(arg)
    else:
        result = child_dense(arg)
    print(json.dumps({"variant": variant, "arg": arg, **result}))


# ---------------------------------------------------------------------------- parent side


def run_child(variant: str, arg: int = 0) -> dict | None:
    cmd = [sys.executable, __file__, "--child", variant, "--arg", str(arg)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        print(f"  {variant} {arg}: timed out after {TIMEOUT} s", flush=True)
        return None
    if proc.returncode != 0:
        print(f"  {variant} {arg}: failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of the timed fits")
    parser.add_argument("--dense-days", type=int, default=100, help="days of the dense subset")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--arg", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.arg)
        return 0

    started = time.perf_counter()
    repeats = 1 if args.quick else max(1, args.repeats)
    years = QUICK_YEARS if args.quick else YEARS
    ok = {True: "PASS", False: "FAIL"}

    # 1. the 2019 fit
    fits = [r for r in (run_child("fit") for _ in range(repeats)) if r]
    # 2. the scale series
    scale = {y: run_child("scale", y) for y in years}
    # 3. pruned against dense, interleaved
    pruned, dense = [], []
    for _ in range(repeats):
        if (r := run_child("pruned", args.dense_days)) is not None:
            pruned.append(r)
        if (r := run_child("dense", args.dense_days)) is not None:
            dense.append(r)

    targets: dict[str, dict] = {}
    checks: dict[str, bool] = {}
    print(f"SEPPForecaster on Toronto '{CATEGORY}', {CELL_SIZE} m grid, until {UNTIL}")
    if fits:
        f = fits[0]
        secs = statistics.median(r["seconds"] for r in fits)
        print(
            f"1. fit 2019: {f['events']:,} events, {f['n_pairs']:,} pairs, {f['n_iter']} "
            f"iterations (converged {f['converged']}); median {secs:.2f} s of {len(fits)} "
            f"(min {min(r['seconds'] for r in fits):.2f}), peak {f['peak_mib']:.0f} MiB "
            f"(growth {f['peak_mib'] - f['rss_setup_mib']:.0f} MiB); predict('7D') on "
            f"{f['cells']:,} cells {f['predict_seconds']:.2f} s"
        )
        print(
            f"   theta {f['theta']:.3f}, mean delay {f['mean_delay_days']:.1f} days, sigma "
            f"{f['sigma']:.1f} m, background {f['background_rate']:.2f} a day; 7-day risk "
            f"total {f['risk_total']:.1f}"
        )
        targets["fit_seconds"] = {
            "seconds": secs,
            "target": FIT_TARGET_S,
            "peak_mib": f["peak_mib"],
            "growth_mib": f["peak_mib"] - f["rss_setup_mib"],
            "pass": secs < FIT_TARGET_S,
        }
    else:
        targets["fit_seconds"] = {"pass": False, "target": FIT_TARGET_S}
    print("2. memory against events (lookback 1, 2, 4 years to 2020-01-01):")
    per_event = {}
    for y, r in scale.items():
        if r is None:
            continue
        growth = (r["peak_mib"] - r["rss_setup_mib"]) * 2**20
        per_event[y] = growth / r["events"]
        print(
            f"   {y} year(s): {r['events']:,} events, {r['n_pairs']:,} pairs "
            f"({r['n_pairs'] / r['events']:.1f} per event), {r['seconds']:.2f} s, growth "
            f"{growth / 2**20:.1f} MiB = {per_event[y]:,.0f} bytes per event"
        )
    if len(per_event) >= 2:
        lo, hi = min(per_event), max(per_event)
        ratio = per_event[hi] / per_event[lo]
        targets["memory_linear"] = {
            "bytes_per_event": {str(k): v for k, v in per_event.items()},
            "ratio": ratio,
            "target": LINEAR_TARGET,
            "pass": ratio <= LINEAR_TARGET,
        }
        print(
            f"   bytes per event at {hi} year(s) / at {lo}: {ratio:.2f} (target <= "
            f"{LINEAR_TARGET:g})  {ok[ratio <= LINEAR_TARGET]}"
        )
    else:
        targets["memory_linear"] = {"pass": False}
    if pruned and dense:
        p, d = pruned[0], dense[0]
        ps = statistics.median(r["seconds"] for r in pruned)
        ds = statistics.median(r["seconds"] for r in dense)
        print(
            f"3. pruned vs dense EM, last {args.dense_days} days of 2019: {p['events']:,} "
            f"events; pruned {ps:.3f} s (peak growth {p['peak_mib'] - p['rss_setup_mib']:.0f}"
            f" MiB), dense {ds:.2f} s (peak growth {d['peak_mib'] - d['rss_setup_mib']:.0f} "
            f"MiB); speed-up {ds / ps:.1f}x"
        )
        names = ("theta", "mean_delay_days", "sigma", "background_rate", "n_iter", "n_pairs")
        print(f"   {'':>8}" + "".join(f"{k:>18}" for k in names))
        for label, r in (("pruned", p), ("dense", d)):
            print(f"   {label:>8}" + "".join(f"{r[k]:>18.10g}" for k in names))
        diff = max(
            abs(p[k] - d[k]) / abs(d[k]) for k in ("theta", "omega", "sigma", "background_rate")
        )
        targets["dense_speedup"] = {
            "ratio": ds / ps,
            "pruned_seconds": ps,
            "dense_seconds": ds,
            "events": p["events"],
            "pass": None,  # reported
        }
        checks[f"pruned and dense EM agree (max relative difference {diff:.1e})"] = (
            diff < AGREEMENT and p["n_pairs"] == d["n_pairs"] and p["n_iter"] == d["n_iter"]
        )
        checks["pruned and dense EM see the same events"] = p["events"] == d["events"]
    else:
        checks["pruned and dense EM both ran"] = False
    print()
    for label, passed in checks.items():
        print(f"  {ok[bool(passed)]}  {label}")
    t = targets["fit_seconds"]
    if "seconds" in t:
        print(f"  {ok[t['pass']]}  fit of 2019 in {t['seconds']:.2f} s (target < {FIT_TARGET_S:g})")
    print(f"wall time {time.perf_counter() - started:.0f} s")

    if args.json:
        out = {
            "benchmark": "sepp",
            "repeats": repeats,
            "runs": {
                "fit": fits,
                "scale": {str(k): v for k, v in scale.items()},
                "pruned": pruned,
                "dense": dense,
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
