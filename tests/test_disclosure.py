"""Public copies: place labels and the ranked table leak no incident and no small count."""

from __future__ import annotations

import numpy as np
import shapely

import hotspot as hs
from hotspot.disclosure import PUBLIC_LABEL_GRID, disclose


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
