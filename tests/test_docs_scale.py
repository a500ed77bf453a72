"""docs/scale.md, "Analysing a national archive", runs as written, at a smaller size.

The page's Python blocks are run in order in one namespace (the remote-scheduler line
excepted), with the archive's size cut from the page's 200,000 incidents to 40,000 and a
coarser grid, on the page's own two-worker LocalCluster. What the page states is then
checked on what it made: every incident read is counted, and the cube equals the in-memory
cube of the same files.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hotspot as hs

PAGE = Path(__file__).resolve().parent.parent / "docs" / "scale.md"
N_TEST = 40_000


def page_code() -> str:
    text = PAGE.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    run = [b for b in blocks if "tcp://" not in b]  # the remote cluster is not here
    code = "\n".join(run)
    code, n = re.subn(r"^N = [\d_]+", f"N = {N_TEST}", code, flags=re.M)
    assert n == 1, "the page no longer sets N = ... on a line of its own"
    code, n = re.subn(r"^CELL = [\d_]+", "CELL = 2_000", code, flags=re.M)
    assert n == 1, "the page no longer sets CELL = ... on a line of its own"
    return code


@pytest.mark.slow
def test_the_national_archive_page_runs_and_accounts_for_every_incident():
    found: dict = {"__name__": "docs_scale"}
    exec(compile(page_code(), str(PAGE), "exec"), found)
    truth, lazy, cube, counts = found["truth"], found["lazy"], found["cube"], found["counts"]
    report = found["report"]
    assert lazy.npartitions == len(truth["files"])
    assert report.rows_read == N_TEST == report.rows_kept + report.rows_excluded
    accounting = cube.attrs["counts"]
    assert accounting["incidents"] == report.rows_kept
    assert accounting["incidents"] == sum(
        accounting[k] for k in ("counted", "outside_cells", "outside_bins", "missing_time")
    )
    assert int(counts["count"].sum()) + counts.attrs["hotspot"]["counts"]["outside"] == (
        report.rows_kept
    )
    # the cube of the same files read in memory
    files = sorted(Path(truth["path"]).glob("*.parquet"))
    assert len(files) == len(truth["files"])
    whole = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    memory = hs.read_incidents(whole, quiet=True)
    same = hs.space_time_cube(memory, cube.cells, "W", quiet=True)
    np.testing.assert_array_equal(cube.counts, same.counts)
    assert cube.bins.equals(same.bins)
    # the page's selection: summer burglaries
    chosen = found["cube_b"]
    assert chosen.attrs["selection"] == "category == 'Burglary' and summer(rows)"
    mask = (memory["category"] == "Burglary") & memory["time"].dt.month.isin([6, 7, 8])
    assert chosen.attrs["counts"]["incidents"] == int(mask.sum()) > 0
    subset = hs.space_time_cube(memory[mask], cube.cells, "W", quiet=True)
    np.testing.assert_array_equal(chosen.counts, subset.counts)
