"""The test suite's own shortcuts (conftest.py) change no result a test sees."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import hotspot as hs
from hotspot import datasets


def test_quiet_loads_are_independent_copies_of_one_read():
    """Data and attrs are copied; the load report, frozen, is shared as pandas shares it with
    every frame derived from a load."""
    first = hs.datasets.load_west_yorkshire(quiet=True)
    first["category"] = "changed"
    first.attrs["hotspot"]["time_resolution"] = "changed"
    second = hs.datasets.load_west_yorkshire(quiet=True)
    assert len(second) == 83_577 and second.crs.to_epsg() == 27700
    assert second.attrs["hotspot"]["time_resolution"] == "month"
    assert "changed" not in set(second["category"].astype(str))
    assert second.geometry is not first.geometry


def test_quiet_loads_equal_the_real_loader():
    real = datasets.load_toronto.__wrapped_loader__(quiet=True)
    served = hs.datasets.load_toronto(quiet=True)
    pd.testing.assert_frame_equal(pd.DataFrame(served), pd.DataFrame(real))
    assert served.crs == real.crs
    assert served.attrs["hotspot"].keys() == real.attrs["hotspot"].keys()
    assert (
        served.attrs["hotspot"]["load_report"].notes == real.attrs["hotspot"]["load_report"].notes
    )


def test_other_loads_run_the_real_loader(capsys, monkeypatch, tmp_path):
    inc = hs.datasets.load_west_yorkshire()  # not quiet: prints its load report
    assert len(inc) == 83_577 and "read 87,348 rows" in capsys.readouterr().err
    monkeypatch.setenv("HOTSPOT_DATA_DIR", str(tmp_path))
    with pytest.raises(hs.HotspotInputError, match="HOTSPOT_DATA_DIR"):
        hs.datasets.load_west_yorkshire(quiet=True)  # the cache is keyed by the file


def test_the_slow_list_round_trips_through_the_script(tmp_path, monkeypatch):
    """scripts/update_slow_tests.py writes what conftest's slow_list reads back."""
    import importlib.util

    # the script itself runs the suite with the list switched off
    monkeypatch.delenv("HOTSPOT_SLOW_LIST", raising=False)

    from conftest import slow_list

    spec = importlib.util.spec_from_file_location(
        "update_slow_tests", Path(__file__).parents[1] / "scripts" / "update_slow_tests.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    output = (
        "1.50s call     tests/test_a.py::test_x[1]\n"
        "0.20s setup    tests/test_a.py::test_x[1]\n"
        "0.30s call     tests/test_b.py::test_y\n"
        "(12 durations < 0.05s hidden.)\n"
    )
    seconds = script.measured(output)
    assert seconds == {"tests/test_a.py::test_x[1]": 1.7, "tests/test_b.py::test_y": 0.3}
    path = tmp_path / "slow.txt"
    assert script.write_list(seconds, 0.4, path) == 1
    assert slow_list(path) == {"tests/test_a.py::test_x[1]"}
    monkeypatch.setenv("HOTSPOT_SLOW_LIST", "off")
    assert slow_list(path) == frozenset()
