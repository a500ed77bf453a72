"""Public copies: place labels and the ranked table leak no incident and no small count."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot._result import stamp
from hotspot.density import M2_PER_KM2, peak_density
from hotspot.disclosure import (
    PUBLIC_LABEL_GRID,
    disclose,
    small_counts,
    statement,
    suppressed_text,
)


def test_public_place_labels_drop_small_areas_and_sit_on_a_coarse_grid(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire,
        hs.hex_grid(west_yorkshire, 2000, study_area="convex", quiet=True),
        quiet=True,
    )
    places = cells.attrs["hotspot"]["places"]
    assert any(p["n"] < 5 for p in places)  # Stockport, Pendle, …: one incident each
    public = disclose(cells).attrs["hotspot"]["places"]
    assert {p["name"] for p in public} == {p["name"] for p in places if p["n"] >= 5}
    xy = np.array([(p["x"], p["y"]) for p in public])
    assert np.allclose(xy / PUBLIC_LABEL_GRID, np.round(xy / PUBLIC_LABEL_GRID))
    incidents = set(map(tuple, shapely.get_coordinates(west_yorkshire.geometry.array).round(3)))
    assert not incidents & set(map(tuple, xy.round(3)))
    assert cells.attrs["hotspot"]["places"] == places  # the internal copy is unchanged


def test_public_ranked_table(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    table = hs.hotspot_table(cells, n=3000, incidents=west_yorkshire)
    public = disclose(table)
    small = table["incidents"] < 5
    assert small.any()
    assert (public.loc[small, "incidents"] == "fewer than 5").all()
    assert (public.loc[small, "share"] == "fewer than 5").all()
    assert (public.loc[~small, "incidents"] == table.loc[~small, "incidents"]).all()
    assert public.attrs["hotspot"]["disclosure"]["min_count"] == 5


def test_public_cube_carries_no_study_area_or_small_place(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    cube = hs.space_time_cube(west_yorkshire, cells, "MS", quiet=True)
    public = disclose(cube)
    assert any(p["n"] < 5 for p in cube.attrs["places"])
    assert all(p["n"] >= 5 for p in public.attrs["places"])
    for meta in (public.attrs.get("hotspot", {}), public.cells.attrs["hotspot"]):
        assert "study_area" not in meta
        assert all(p["n"] >= 5 for p in meta.get("places", []))
    assert "study_area" in cube.cells.attrs["hotspot"]  # the internal cube keeps it


def test_a_weighted_cube_is_judged_on_its_incidents_and_leaks_no_small_count(west_yorkshire):
    """Harm sums can be large where incidents are few: the rule looks at incidents, and the
    plain counts a weighted cube carries are blanked in the same (bin, cell)s."""
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    harm = np.full(len(west_yorkshire), 50.0)
    cube = hs.space_time_cube(west_yorkshire, cells, "MS", incident_weights=harm, quiet=True)
    public = disclose(cube, min_count=5)
    incidents = cube.incident_counts.astype(float)
    small = (incidents > 0) & (incidents < 5)
    assert small.any() and (cube.counts[small] >= 50).all()  # weighted sums would pass
    assert np.isnan(public.counts[small]).all()
    assert np.isnan(public.counts_unweighted[small]).all()
    kept = ~np.isnan(public.counts_unweighted)
    assert (public.counts_unweighted[kept & (incidents > 0)] >= 5).all()


def test_weighted_counts_are_hidden_where_the_incident_count_is_small(west_yorkshire):
    cells = hs.hex_grid(west_yorkshire, 1000, quiet=True)
    harm = np.full(len(west_yorkshire), 40.0)
    counted = hs.count_incidents(west_yorkshire, cells, incident_weights=harm, quiet=True)
    public = disclose(counted, min_count=5)
    small = (counted["count"] > 0) & (counted["count"] < 5)
    assert small.any() and (counted.loc[small, "count_weighted"] >= 40).all()
    assert public.loc[small, "count_weighted"].isna().all()
    big = counted["count"] >= 5
    assert (public.loc[big, "count_weighted"] == counted.loc[big, "count_weighted"]).all()


# --- the rule is chosen by the method that made the result -----------------------------------


def test_a_result_without_a_method_is_refused(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    plain = cells.copy()
    plain.attrs = {}
    with pytest.raises(hs.HotspotInputError) as caught:
        disclose(plain)
    message = str(caught.value)
    assert message.startswith("disclose: ")
    assert "attrs['hotspot']['method']" in message and "hotspot.count_incidents" in message
    stamped = stamp(plain.copy(), kind="cells", method="count_incidents", params={})
    assert disclose(stamped)["count"].isna().any()


def test_incident_level_results_are_refused_by_method_and_by_geometry(west_yorkshire):
    with pytest.raises(hs.HotspotInputError, match="disclose: public=True cannot show"):
        disclose(west_yorkshire)
    # chains stamped as such, whatever their geometry
    chains = gpd.GeoDataFrame({"size": [3]}, geometry=[shapely.box(0, 0, 100, 100)], crs=27700)
    chains = stamp(chains, kind="chains", method="near_repeat_chains", params={})
    with pytest.raises(hs.HotspotInputError, match="incident-level"):
        disclose(chains)


def test_cluster_rules_follow_the_method_not_the_columns():
    rows = gpd.GeoDataFrame(
        {"n_incidents": [40, 3], "count": [40, 3]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)],
        crs=27700,
    )
    summary = stamp(rows.copy(), kind="clusters", method="cluster_summary", params={})
    assert len(disclose(summary)) == 1  # the cluster of 3 is dropped
    cells = stamp(rows.copy(), kind="cells", method="count_incidents", params={})
    public = disclose(cells)
    assert len(public) == 2 and public["count"].isna().tolist() == [False, True]


def test_densities_without_a_floor_are_refused(west_yorkshire):
    few = west_yorkshire.iloc[:2000]
    ratio = hs.dual_kde(few.iloc[::2], few, bandwidth=2000, cell_size=1000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="disclose: public=True needs an unweighted"):
        disclose(ratio)


def test_a_kde_on_cells_keeps_only_densities_above_the_floor(west_yorkshire):
    cells = hs.hex_grid(west_yorkshire, 3000, quiet=True)
    dense = hs.kde(west_yorkshire, cells=cells, bandwidth=4000, quiet=True)
    public = disclose(dense, 10)
    floor = 9 * peak_density("quartic", 4000) * M2_PER_KM2
    assert public.attrs["hotspot"]["disclosure"]["floor"] == pytest.approx(floor)
    shown = public["kde_density"].notna()
    assert (public.loc[shown, "kde_density"] > floor).all()
    assert (dense.loc[~shown, "kde_density"] <= floor).all()


def test_disclose_leaves_its_input_as_it_was(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    before = (cells.copy(), repr(cells.attrs))
    disclose(cells)
    pd.testing.assert_frame_equal(cells, before[0])
    assert repr(cells.attrs) == before[1]


@pytest.mark.parametrize("min_count", [1, 0, 2.5, "5", True])
def test_min_count_is_a_whole_number_of_at_least_two(west_yorkshire, min_count):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 5000, quiet=True), quiet=True
    )
    with pytest.raises(hs.HotspotInputError, match="disclose: min_count="):
        disclose(cells, min_count)


def test_one_wording_and_one_small_count_test():
    assert small_counts([0, 1, 4, 5, np.nan], 5).tolist() == [False, True, True, False, False]
    assert suppressed_text(5) == "fewer than 5" and "'fewer than 5'" in statement(5)
