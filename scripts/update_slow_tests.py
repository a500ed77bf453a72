"""Rewrite tests/slow_tests.txt: the tests that ``make test-fast`` leaves out for their time.

``make test-fast`` is the inner loop: it runs every test not marked slow. Besides the tests
marked ``@pytest.mark.slow`` in the code (subprocesses, chromium, notebooks, the docs build,
whole-pipeline runs), the few tests that take longest are listed in ``tests/slow_tests.txt``
and marked slow by ``tests/conftest.py``: on 2001 fast tests, the 5 % over about 0.4 s
each held half the time; with 2,200 tests (2 December 2026) the cut is 0.2 s (206 tests)
to keep ``make test-fast`` under a minute on 2 cores. ``make test`` runs them all, always.

Run on a quiet machine after adding tests::

    .venv/bin/python scripts/update_slow_tests.py            # threshold 0.2 s per test
    .venv/bin/python scripts/update_slow_tests.py --threshold 0.3  # a shorter list


It runs the fast subset in one process with the list switched off
(``HOTSPOT_SLOW_LIST=off``), times each test's setup and call, and writes the tests over the
threshold, slowest first, with their seconds.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "slow_tests.txt"
DURATION = re.compile(r"^\s*([\d.]+)s (call|setup)\s+(\S+)")


def measured(pytest_output: str) -> dict[str, float]:
    """Seconds of setup + call per test id, from ``--durations=0`` output."""
    seconds: dict[str, float] = collections.defaultdict(float)
    for line in pytest_output.splitlines():
        match = DURATION.match(line)
        if match:
            seconds[match.group(3)] += float(match.group(1))
    return dict(seconds)


def write_list(seconds: dict[str, float], threshold: float, path: Path = LIST) -> int:
    """Write the tests over ``threshold`` seconds to ``path``; return how many."""
    slow = sorted(((s, t) for t, s in seconds.items() if s >= threshold), reverse=True)
    lines = [
        "# Tests make test-fast leaves out for their time (make test runs them all).",
        f"# Written by scripts/update_slow_tests.py --threshold {threshold:g}: seconds, test id.",
        *(f"{s:6.2f}  {t}" for s, t in slow),
    ]
    path.write_text("\n".join(lines) + "\n")
    return len(slow)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.2, help="seconds (default 0.2)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += ["-m", "not slow", "--durations=0", "--durations-min=0.05"]
    env = {**os.environ, "HOTSPOT_SLOW_LIST": "off"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        return done.returncode
    n = write_list(measured(done.stdout), args.threshold)
    print(f"{n} tests over {args.threshold:g} s written to {LIST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
