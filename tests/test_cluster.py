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
    meta = out.attrs["hotspot"]["cluster"]
    assert meta["method"] == method
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
