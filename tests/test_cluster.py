"""cluster_incidents: every method on both embedded datasets, with the common contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs

PARAMS = {
    "hdbscan": {"min_cluster_size": 100},
    "dbscan": {"eps": 100, "min_samples": 50},
    "optics": {"min_samples": 100},
    "st-dbscan": {"eps": 200, "time_eps": 31, "min_samples": 50},
    "nnh": {"min_points": 50},
}


@pytest.mark.parametrize("dataset", ["toronto", "west_yorkshire"])
@pytest.mark.parametrize("method", list(PARAMS))
def test_every_method_on_both_datasets(request, dataset, method):
    inc = request.getfixturevalue(dataset)
    out = hs.cluster_incidents(inc, method, quiet=True, **PARAMS[method])
    assert out.index.equals(inc.index)
    assert out["cluster"].dtype == np.int64
    labels = out["cluster"].to_numpy()
    assert labels.min() >= -1 and labels.max() >= 1
    assert set(np.unique(labels[labels >= 0])) == set(range(labels.max() + 1))
    assert out.attrs["hotspot"]["kind"] == "incidents"
    assert out.attrs["hotspot"]["method"] == "cluster_incidents"
    meta = out.attrs["hotspot"]["cluster_incidents"]
    assert meta["algorithm"] == method
    assert meta["n_noise"] == int((labels < 0).sum())
    # incidents at one location (and, for ST-DBSCAN, one time) always share a label
    key = pd.Series(out.geometry.x.to_numpy() + 1j * out.geometry.y.to_numpy())
    groups = [key] if method != "st-dbscan" else [key, out["time"].reset_index(drop=True)]
    per_location = pd.Series(labels).groupby(groups).nunique()
    assert (per_location == 1).all()
    summary = hs.cluster_summary(out)
    first = summary[summary["order"] == 1]
    assert first["n_incidents"].sum() == int((labels >= 0).sum())
    assert (first["n_incidents"] >= PARAMS[method].get("min_points", 1)).all()


def test_stamped_and_the_input_untouched(west_yorkshire):
    inc = west_yorkshire.iloc[::10]
    attrs_before = repr(inc.attrs)
    columns_before = list(inc.columns)
    out = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=30, quiet=True)
    assert repr(inc.attrs) == attrs_before and list(inc.columns) == columns_before
    meta = out.attrs["hotspot"]
    assert meta["kind"] == "incidents" and meta["method"] == "cluster_incidents"
    assert meta["rng_seed"] is None and meta["period"]["label"]
    assert "load_report" in meta  # carried over from the incidents
    assert set(meta["cluster_incidents"]) == {
        "algorithm",
        "params",
        "n_clusters",
        "n_noise",
        "cluster_info",
    }
    # every column added shares the method's prefix
    added = [c for c in out.columns if c not in inc.columns]
    assert added == ["cluster", "cluster_probability", "cluster_outlier_score"]


def test_rng_is_deprecated_and_has_no_effect(west_yorkshire):
    inc = west_yorkshire.iloc[::10]
    plain = hs.cluster_incidents(inc, "dbscan", eps=150, min_samples=10, quiet=True)
    with pytest.warns(FutureWarning, match="rng= has no effect"):
        seeded = hs.cluster_incidents(inc, "dbscan", eps=150, min_samples=10, rng=3, quiet=True)
    pd.testing.assert_frame_equal(plain, seeded)
    assert seeded.attrs["hotspot"]["rng_seed"] is None


def test_method_is_checked_by_the_parameter_layer(west_yorkshire):
    with pytest.raises(hs.HotspotInputError, match="cluster_incidents: method='kmeans'"):
        hs.cluster_incidents(west_yorkshire, "kmeans")
    out = hs.cluster_incidents(west_yorkshire.iloc[::10], "DBSCAN", eps=150, quiet=True)
    assert out.attrs["hotspot"]["cluster_incidents"]["algorithm"] == "dbscan"
