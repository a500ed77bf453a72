"""The result contract (``docs/contributing.md``), over every public statistic.

A result is either a (Geo)DataFrame or DataArray whose new columns are ``<prefix>_<quantity>``,
stamped ``attrs["hotspot"] = {"kind", "method", "period", <method>: params, "rng_seed"}``,
or a frozen object with ``statistic``, ``expected``, ``z``, ``pvalue``, ``alternative``,
``permutations`` and ``params`` (holding ``method``, ``period`` and ``rng_seed``). The input
is never modified, not its values and not its attrs.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import hotspot as hs
from hotspot._result import KINDS, method_of
from hotspot.simulate import simulate_incidents
from hotspot.stats import mann_kendall

VOCABULARY = ("statistic", "expected", "z", "pvalue", "alternative", "permutations", "params")


@pytest.fixture(scope="module")
def city() -> dict[str, Any]:
    """A simulated city: a year of weeks, two planted hot spots, 250 m cells."""
    hotspots = [
        {"x": 432_000, "y": 432_000, "radius": 150, "profile": "persistent", "rate": 5},
        {"x": 436_000, "y": 435_000, "radius": 200, "profile": "intensifying", "rate": 4},
    ]
    incidents, _ = simulate_incidents(n_background=500, hotspots=hotspots, rng=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = hs.square_grid(incidents, cell_size=250, quiet=True)
        counted = hs.count_incidents(incidents, grid, quiet=True)
    forecast = hs.NaiveForecaster(periods=4).fit(incidents, grid).predict("7D")
    return {"incidents": incidents, "grid": grid, "cells": counted, "forecast": forecast}


def forecast_with(forecaster: Any) -> Callable[[dict], Any]:
    return lambda c: forecaster.fit(c["incidents"], c["grid"]).predict("7D")


def halves(incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    middle = incidents["time"].min() + (incidents["time"].max() - incidents["time"].min()) / 2
    return incidents[incidents["time"] < middle], incidents[incidents["time"] >= middle]


def snapshot(frame: Any) -> tuple[Any, dict]:
    return frame.copy(deep=True), copy.deepcopy(dict(frame.attrs))


def assert_unchanged(frame: Any, before: tuple[Any, dict]) -> None:
    data, attrs = before
    if isinstance(frame, pd.DataFrame):
        pd.testing.assert_frame_equal(pd.DataFrame(frame), pd.DataFrame(data))
    assert set(frame.attrs) == set(attrs)
    assert repr(frame.attrs) == repr(attrs), "the input's attrs changed"


def run_quietly(func: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hs.HotspotWarning)
        return func()


# name -> (input key, call, column prefix or None for a result object)
CASES: dict[str, tuple[str, Callable[[dict], Any], str | None]] = {
    "square_grid": (
        "incidents",
        lambda c: hs.square_grid(c["incidents"], cell_size=250, quiet=True),
        None,
    ),
    "hex_grid": (
        "incidents",
        lambda c: hs.hex_grid(c["incidents"], cell_size=250, quiet=True),
        None,
    ),
    "count_incidents": (
        "grid",
        lambda c: hs.count_incidents(c["incidents"], c["grid"], quiet=True),
        "count",
    ),
    "harm_weights": (
        "incidents",
        lambda c: hs.harm_weights(c["incidents"], {"x": 1.0}, default=1.0),
        "harm",
    ),
    "count_incidents (weighted)": (
        "grid",
        lambda c: hs.count_incidents(
            c["incidents"], c["grid"], incident_weights=np.ones(len(c["incidents"])), quiet=True
        ),
        "count",
    ),
    "gistar": (
        "cells",
        lambda c: hs.gistar(c["cells"], permutations=9, rng=1, quiet=True),
        "gistar",
    ),
    "lisa": ("cells", lambda c: hs.lisa(c["cells"], permutations=9, rng=1, quiet=True), "lisa"),
    "optimized_hotspots": (
        "cells",  # the grid it builds carries row, col and count
        lambda c: hs.optimized_hotspots(c["incidents"], permutations=9, rng=1, quiet=True),
        "gistar",
    ),
    "moran": ("cells", lambda c: hs.moran(c["cells"], permutations=9, rng=1), None),
    "general_g": ("cells", lambda c: hs.general_g(c["cells"], permutations=9, rng=1), None),
    "incremental_autocorrelation": (
        "cells",
        lambda c: hs.incremental_autocorrelation(c["cells"], distances=[250, 500, 750]),
        None,
    ),
    "nearest_neighbour_index": (
        "incidents",
        lambda c: hs.nearest_neighbour_index(c["incidents"]),
        None,
    ),
    "ripley": (
        "incidents",
        lambda c: hs.ripley(c["incidents"], [100, 200, 400], permutations=9, rng=1),
        None,
    ),
    "kde": (
        "incidents",
        lambda c: hs.kde(c["incidents"], bandwidth=300, cell_size=100, quiet=True),
        "kde",
    ),
    "kde (cells)": (
        "cells",
        lambda c: hs.kde(c["incidents"], cells=c["cells"], bandwidth=300, quiet=True),
        "kde",
    ),
    "dual_kde": (
        "incidents",
        lambda c: hs.dual_kde(
            c["incidents"].iloc[::2], c["incidents"], bandwidth=300, cell_size=100, quiet=True
        ),
        "dual_kde",
    ),
    "density_hotspots": (
        "cells",
        lambda c: hs.density_hotspots(
            hs.kde(c["incidents"], cells=c["cells"], bandwidth=300, quiet=True)
        ),
        "density_hotspots",
    ),
    "cluster_incidents": (
        "incidents",
        lambda c: hs.cluster_incidents(
            c["incidents"], "dbscan", eps=150, min_samples=10, quiet=True
        ),
        "cluster",
    ),
    "cluster_summary": (
        "incidents",
        lambda c: hs.cluster_summary(
            hs.cluster_incidents(c["incidents"], "dbscan", eps=150, min_samples=10, quiet=True)
        ),
        None,
    ),
    "cluster_stability": (
        "incidents",
        lambda c: hs.cluster_stability(
            c["incidents"], "dbscan", n_resamples=3, rng=1, eps=150, min_samples=10
        ),
        None,
    ),
    "emerging_hotspots": (
        "cells",
        lambda c: hs.emerging_hotspots(
            hs.space_time_cube(c["incidents"], c["cells"], "W", quiet=True), rng=1, quiet=True
        ),
        "emerging",
    ),
    "knox_test": (
        "incidents",
        lambda c: hs.knox_test(
            c["incidents"],
            distance_bands=(0, 200, 400),
            time_bands=(0, 7, 14),
            permutations=9,
            rng=1,
        ),
        None,
    ),
    "temporal_profile": ("incidents", lambda c: hs.temporal_profile(c["incidents"]), None),
    "temporal_trend": ("incidents", lambda c: hs.temporal_trend(c["incidents"], "MS"), None),
    "aoristic_weights": ("incidents", lambda c: hs.aoristic_weights(c["incidents"]), None),
    "hotspot_profiles": (
        "incidents",
        lambda c: hs.hotspot_profiles(
            c["incidents"], hs.gistar(c["cells"], permutations=0, quiet=True), top=2
        ),
        None,
    ),
    "repeat_locations": (
        "incidents",
        lambda c: hs.repeat_locations(c["incidents"]),
        "repeat",
    ),
    "repeat_summary": ("incidents", lambda c: hs.repeat_summary(c["incidents"]), None),
    "near_repeat_chains": (
        "incidents",
        lambda c: hs.near_repeat_chains(c["incidents"], 200, 7),
        None,
    ),
    # every forecaster's predict stamps method "forecast" and adds forecast_* columns
    "forecast (naive)": ("grid", forecast_with(hs.NaiveForecaster()), "forecast"),
    "forecast (random)": ("grid", forecast_with(hs.RandomForecaster(rng=1)), "forecast"),
    "forecast (kde)": ("grid", forecast_with(hs.KDEForecaster()), "forecast"),
    "forecast (prospective)": ("grid", forecast_with(hs.ProspectiveForecaster()), "forecast"),
    "forecast (sepp)": ("grid", forecast_with(hs.SEPPForecaster()), "forecast"),
    "allocate_patrols": (
        "forecast",
        lambda c: hs.allocate_patrols(c["forecast"], 5, min_spacing=500, quiet=True),
        "patrol",
    ),
    "recapture_rate_index": (
        "forecast",
        lambda c: hs.recapture_rate_index(c["forecast"], *halves(c["incidents"])),
        None,
    ),
}

OBJECT_RESULTS = {
    "repeat_summary",
    "moran",
    "general_g",
    "incremental_autocorrelation",
    "nearest_neighbour_index",
    "ripley",
    "cluster_stability",
    "knox_test",
    "recapture_rate_index",
}


def method_name(case: str) -> str:
    return case.split(" ")[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_input_is_never_modified(city, case):
    key, call, _ = CASES[case]
    before = {k: snapshot(v) for k, v in city.items()}
    run_quietly(lambda: call(city))
    for k, v in city.items():
        assert_unchanged(v, before[k])


@pytest.mark.parametrize("case", sorted(set(CASES) - OBJECT_RESULTS))
def test_frame_results_are_stamped_with_kind_method_period_params_and_seed(city, case):
    key, call, prefix = CASES[case]
    result = run_quietly(lambda: call(city))
    assert isinstance(result, pd.DataFrame | xr.DataArray)
    meta = result.attrs["hotspot"]
    method = method_name(case)
    assert meta["kind"] in KINDS
    assert meta["method"] == method == method_of(result)
    assert isinstance(meta[method], dict)
    assert "rng_seed" in meta
    assert "period" in meta
    if meta["kind"] != "incidents":  # the load report names incidents row by row
        assert "load_report" not in meta
    if method not in {"square_grid", "hex_grid"}:  # a grid alone has no period
        assert meta["period"]["start"] <= meta["period"]["end"]
        assert meta["period"]["label"]


@pytest.mark.parametrize(
    "case",
    sorted(c for c in set(CASES) - OBJECT_RESULTS if CASES[c][2] is not None),
)
def test_new_columns_are_named_prefix_quantity(city, case):
    key, call, prefix = CASES[case]
    source = city[key]
    result = run_quietly(lambda: call(city))
    if isinstance(result, xr.DataArray):
        assert result.name.startswith(prefix)
        return
    new = [c for c in result.columns if c not in source.columns]
    assert new, "the result adds no column"
    bad = [c for c in new if c != prefix and not str(c).startswith(prefix + "_")]
    assert not bad, f"columns without the {prefix}_ prefix: {bad}"


@pytest.mark.parametrize("case", sorted(OBJECT_RESULTS) + ["mann_kendall"])
def test_object_results_speak_the_global_test_vocabulary(city, case):
    if case == "mann_kendall":
        result = mann_kendall(np.arange(20.0) + np.random.default_rng(0).normal(size=20))
    else:
        result = run_quietly(lambda: CASES[case][1](city))
    assert dataclasses.is_dataclass(result)
    for name in VOCABULARY:
        assert hasattr(result, name), f"{type(result).__name__} has no {name}"
    # "none": a descriptive result with no p-value (a share, a concentration)
    assert result.alternative in ("two-sided", "greater", "less", "none")
    if result.alternative == "none":
        assert np.all(np.isnan(np.asarray(result.pvalue, dtype=float)))
    assert isinstance(result.permutations, int | np.integer)
    assert result.params["method"] == case
    assert "period" in result.params and "rng_seed" in result.params
    field = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_seed_is_recorded_where_one_is_given(city, case):
    key, call, _ = CASES[case]
    result = run_quietly(lambda: call(city))
    meta = result.params if case in OBJECT_RESULTS else result.attrs["hotspot"]
    uses_rng = case in {
        "gistar",
        "lisa",
        "optimized_hotspots",
        "moran",
        "general_g",
        "ripley",
        "cluster_stability",
        "emerging_hotspots",
        "knox_test",
        "forecast (random)",
    }
    assert meta["rng_seed"] == (1 if uses_rng else None)


def test_the_cube_is_stamped_like_a_frame(city):
    """A SpaceTimeCube is a frozen object with attrs: kind "cube", method "space_time_cube"."""
    before = {k: snapshot(v) for k, v in city.items()}
    cube = hs.space_time_cube(city["incidents"], city["cells"], "W", quiet=True)
    for k, v in city.items():
        assert_unchanged(v, before[k])
    assert cube.attrs["kind"] == "cube"
    assert method_of(cube) == "space_time_cube"
    assert cube.attrs["period"]["start"] <= cube.attrs["period"]["end"]
    assert cube.attrs["rng_seed"] is None
    assert isinstance(cube.attrs["space_time_cube"], dict)
