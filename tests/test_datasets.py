"""The embedded datasets and libpysal's classics load as documented."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.datasets import data_path


def test_data_files_match_their_checksums():
    sums = dict(reversed(line.split()) for line in data_path("SHA256SUMS").read_text().splitlines())
    for name, digest in sums.items():
        assert hashlib.sha256(data_path(name).read_bytes()).hexdigest() == digest


def test_raw_row_counts_as_documented():
    wy = pd.read_parquet(data_path("west_yorkshire.parquet"))
    assert len(wy) == 87_348
    assert int(wy["Longitude"].isna().sum()) == 3_771
    assert wy["Month"].value_counts().to_dict() == {
        "2018-07": 31_635,
        "2017-07": 28_537,
        "2016-07": 27_176,
    }
    toronto = pd.read_parquet(data_path("toronto.parquet"))
    assert len(toronto) == 240_992
    assert set(toronto["MCI"]) == {
        "Assault",
        "Auto Theft",
        "Break and Enter",
        "Robbery",
        "Theft Over",
    }


def test_loaders_return_validated_incidents(west_yorkshire, toronto):
    assert len(west_yorkshire) == 83_577
    assert len(toronto) == 240_992
    for inc in (west_yorkshire, toronto):
        assert inc.crs.is_projected
        assert inc.geometry.geom_type.eq("Point").all()
        assert "load_report" in inc.attrs["hotspot"]


def test_missing_data_dir_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTSPOT_DATA_DIR", str(tmp_path))
    with pytest.raises(hs.HotspotInputError, match="HOTSPOT_DATA_DIR"):
        hs.datasets.load_toronto()


def test_burkitt_matches_the_published_description():
    b = hs.datasets.load_burkitt()
    assert len(b) == 188  # Williams et al. (1978): 188 cases, 1961-1975
    assert b["time"].min().year == 1961 and b["time"].max().year == 1975
    # coordinates are the study grid in km, stored in metres
    np.testing.assert_allclose(b.geometry.x, b["X"] * 1000)
    assert b.crs.is_engineering
    assert (b["time"] == pd.Timestamp("1960-01-01") + pd.to_timedelta(b["T"], unit="D")).all()


def test_columbus_matches_anselin():
    columbus = hs.datasets.load_columbus()
    assert len(columbus) == 49
    # the classic Columbus CRIME variable ranges from 0.178 to 68.892
    assert columbus["CRIME"].min() == pytest.approx(0.178269, abs=1e-5)
    assert columbus["CRIME"].max() == pytest.approx(68.892044, abs=1e-5)


def test_simulate_is_exposed():
    inc, truth = hs.datasets.simulate_incidents(rng=1)
    assert len(truth) == 6 and len(inc) > 2000
