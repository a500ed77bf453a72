"""Maps: user-supplied strings never reach the HTML unescaped; layers carry the right data."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs

PAYLOADS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "</textarea><img src=x onerror=alert(1)>",
]


@pytest.fixture(scope="module")
def beats():
    boxes = [shapely.box(430000 + 500 * i, 430000, 430500 + 500 * i, 430500) for i in range(3)]
    return gpd.GeoDataFrame(
        {"count": [12, 0, 3]},
        geometry=boxes,
        crs="EPSG:27700",
        index=pd.Index(PAYLOADS, name="beat"),
    )


def layer_features(page: str) -> list[dict]:
    """The features of the first GeoJSON layer written into the page."""
    start = re.search(r"geo_json_\w+_add\(", page).end()
    data, _ = json.JSONDecoder().raw_decode(page[start:])
    return data["features"]


def raw_payload_present(page: str) -> bool:
    return any(p in page for p in PAYLOADS) or re.search(r"<script>alert", page) is not None


@pytest.mark.parametrize("title", PAYLOADS)
def test_counts_map_escapes_titles_and_cell_ids(beats, title):
    page = hs.maps.counts_map(beats, title=title, show_empty=True).get_root().render()
    assert not raw_payload_present(page)
    # the cell ids reach the tooltip data escaped (then JSON-encoded)
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page


@pytest.mark.parametrize("title", PAYLOADS)
def test_gistar_map_escapes(beats, title):
    hot = beats.assign(gistar_z=[3.0, -0.1, 1.0], gistar_p=[0.002, 0.9, 0.3], gistar_bin=[3, 0, 0])
    page = hs.maps.gistar_map(hot, title=title, show_not_significant=True).get_root().render()
    assert not raw_payload_present(page)


@pytest.mark.parametrize("title", PAYLOADS)
def test_density_map_escapes(west_yorkshire, title):
    surface = hs.kde(west_yorkshire, bandwidth=2000, cell_size=1000, quiet=True)
    page = hs.maps.density_map(surface, title=title).get_root().render()
    assert not raw_payload_present(page)


def test_counts_layer_holds_the_counts(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    page = hs.maps.counts_map(cells).get_root().render()
    features = layer_features(page)
    assert sum(f["properties"]["count"] for f in features) == len(west_yorkshire)
    assert len(features) == int((cells["count"] > 0).sum())


def test_gistar_map_draws_significant_cells_in_their_bin_colour(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    hot = hs.gistar(cells, weights="queen", permutations=0, quiet=True)
    page = hs.maps.gistar_map(hot).get_root().render()
    features = layer_features(page)
    assert len(features) == int((hot["gistar_bin"] != 0).sum())
    colours = {f["properties"]["_fill"] for f in features}
    expected = {hs.maps.GISTAR_COLOURS[b][0] for b in np.unique(hot["gistar_bin"]) if b != 0}
    assert colours == expected


def test_maps_need_their_columns(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 5000, quiet=True)
    with pytest.raises(KeyError, match="count_incidents"):
        hs.maps.counts_map(cells)
    with pytest.raises(KeyError, match="gistar"):
        hs.maps.gistar_map(cells)
    with pytest.raises(TypeError, match="raster surface"):
        hs.maps.density_map(cells)
