"""Memory and timing helpers shared by the benchmark scripts.

The benchmarks import these as ``from _measure import ...``: every script runs with its own
folder as ``sys.path[0]``, and so do the ``sys.executable <script> --child`` processes they
spawn. Peak memory comes from ``VmHWM`` after resetting the mark through
``/proc/self/clear_refs`` (Linux >= 4.0), else from ``ru_maxrss``.
"""

from __future__ import annotations

import os
import sys
import time


def _status_mib(field: str) -> float | None:
    """A ``VmRSS``/``VmHWM`` line of /proc/self/status in MiB (None where there is none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    return None


def _maxrss_mib() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, else KiB


def _rss_mib() -> float:
    rss = _status_mib("VmRSS")
    return _maxrss_mib() if rss is None else rss


def _reset_peak() -> bool:
    """Reset this process's peak-RSS mark (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return _status_mib("VmHWM") is not None


def _measure_start() -> dict:
    import gc

    gc.collect()
    reset = _reset_peak()
    return {
        "peak_reset": reset,
        "rss_setup_mib": _rss_mib(),
        "wall_start": time.time(),
        "cpu_start": time.process_time(),
    }


def _measure_end(start: dict, seconds: float) -> dict:
    hwm = _status_mib("VmHWM")
    maxrss = _maxrss_mib()
    peak = hwm if start["peak_reset"] and hwm is not None else maxrss
    cpu = time.process_time() - start["cpu_start"]
    return {
        **start,
        "wall_end": time.time(),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": peak,
    }


def _tree_rss_mib(pid: int) -> float:
    """Summed RSS of ``pid`` and all its descendants (Linux /proc), in MiB."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total / 2**20
