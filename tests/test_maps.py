"""Maps: user-supplied strings never reach the HTML unescaped; layers carry the right data;
public exports disclose nothing; offline exports load nothing from the web."""

from __future__ import annotations

import html
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.maps.export import external_references

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


@pytest.fixture(scope="module")
def wy_cells(west_yorkshire):
    return hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )


def cell_payloads(page: str) -> list[dict]:
    """The data of every cell layer written into the page."""
    out = []
    for match in re.finditer(r"var d = ", page):
        data, _ = json.JSONDecoder().raw_decode(page[match.end() :])
        out.append(data)
    return out


def geojson_layers(page: str) -> list[list[dict]]:
    """The features of every folium GeoJSON layer written into the page."""
    out = []
    for match in re.finditer(r"geo_json_\w+_add\(", page):
        data, _ = json.JSONDecoder().raw_decode(page[match.end() :])
        out.append(data["features"])
    return out


def raw_payload_present(page: str) -> bool:
    return any(p in page for p in PAYLOADS) or re.search(r"<script>alert", page) is not None


def field(payload: dict, name: str) -> list:
    return payload["values"][payload["fields"].index(name)]


# --- escaping -------------------------------------------------------------------------------


@pytest.mark.parametrize("title", PAYLOADS)
def test_counts_map_escapes_titles_and_cell_ids(beats, title):
    page = hs.maps.counts_map(beats, title=title, show_empty=True).get_root().render()
    assert not raw_payload_present(page)
    # the cell ids reach the tooltip data escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in field(cell_payloads(page)[0], "cell")


@pytest.mark.parametrize("column", PAYLOADS)
def test_counts_map_escapes_the_column_name(beats, column):
    cells = beats.rename(columns={"count": column})
    page = hs.maps.counts_map(cells, column).get_root().render()
    assert not raw_payload_present(page)
    assert cell_payloads(page)[0]["fields"][1] == html.escape(column)


@pytest.mark.parametrize("title", PAYLOADS)
def test_gistar_and_lisa_maps_escape(beats, title):
    hot = beats.assign(gistar_z=[3.0, -0.1, 1.0], gistar_p=[0.002, 0.9, 0.3], gistar_bin=[3, 0, 0])
    page = hs.maps.gistar_map(hot, title=title, show_not_significant=True).get_root().render()
    assert not raw_payload_present(page)
    local = beats.assign(lisa_i=[1.0, 0.1, -1.0], lisa_p=[0.01, 0.5, 0.02])
    local["lisa_cluster"] = ["HH", "not significant", "HL"]
    page = hs.maps.lisa_map(local, title=title).get_root().render()
    assert not raw_payload_present(page)


@pytest.mark.parametrize("title", PAYLOADS)
def test_emerging_and_timeline_maps_escape(beats, title):
    result = beats.assign(
        emerging_category=["new hot spot", "no pattern", "sporadic cold spot"],
        emerging_n_hot=[1, 0, 0],
        emerging_n_cold=[0, 0, 3],
        emerging_trend_tau=[0.5, 0.0, -0.2],
    )
    page = hs.maps.emerging_map(result, title=title).get_root().render()
    assert not raw_payload_present(page)
    cube = hs.SpaceTimeCube(
        cells=beats[["geometry"]],
        bins=pd.date_range("2020-01-01", periods=4, freq="MS"),
        counts=np.arange(12).reshape(4, 3),
        freq="MS",
    )
    page = hs.maps.timeline_map(cube, title=title).get_root().render()
    assert not raw_payload_present(page)


@pytest.mark.parametrize("title", PAYLOADS)
def test_density_map_escapes(west_yorkshire, title):
    surface = hs.kde(west_yorkshire, bandwidth=2000, cell_size=1000, quiet=True)
    page = hs.maps.density_map(surface, title=title).get_root().render()
    assert not raw_payload_present(page)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cluster_map_escapes_categories_and_titles(west_yorkshire, payload):
    inc = west_yorkshire.iloc[:4000].copy()
    inc["category"] = payload  # a category name that is an attack
    summary = hs.cluster_summary(
        hs.cluster_incidents(inc, "dbscan", eps=300, min_samples=20, quiet=True)
    )
    page = hs.maps.cluster_map(summary, title=payload).get_root().render()
    assert not raw_payload_present(page)
    assert "&lt;" in page or "&#x27;" in page or "&quot;" in page


@pytest.mark.parametrize("payload", PAYLOADS)
def test_near_repeat_and_export_escape(toronto, payload, tmp_path):
    burglary = toronto[
        (toronto["category"] == "Break and Enter") & (toronto["time"].dt.year == 2019)
    ]
    chains = hs.near_repeat_chains(burglary.iloc[:3000], distance=100, days=7)
    chains.index = [f"{payload}{i}" for i in range(len(chains))]
    page = hs.maps.near_repeat_map(chains, title=payload).get_root().render()
    assert not raw_payload_present(page)
    out = hs.maps.export_map(chains, tmp_path / "chains.html", offline=True, title=payload)
    assert not raw_payload_present(out.read_text())


# --- what the layers hold ------------------------------------------------------------------


def test_counts_layer_holds_the_counts(west_yorkshire, wy_cells):
    data = cell_payloads(hs.maps.counts_map(wy_cells).get_root().render())[0]
    assert sum(field(data, "count")) == len(west_yorkshire)
    assert len(data["cells"]) == int((wy_cells["count"] > 0).sum())


def test_gistar_map_draws_significant_cells_in_their_bin_colour(wy_cells):
    hot = hs.gistar(wy_cells, weights="queen", permutations=0, quiet=True)
    data = cell_payloads(hs.maps.gistar_map(hot).get_root().render())[0]
    significant = hot[hot["gistar_bin"] != 0]
    assert len(data["cells"]) == len(significant)
    colours = [data["palette"][f] for f in data["fill"]]
    assert colours == [hs.maps.GISTAR_COLOURS[b][0] for b in significant["gistar_bin"]]


def test_lisa_map_draws_each_quadrant_in_its_colour(wy_cells):
    local = hs.lisa(wy_cells, permutations=99, rng=0, quiet=True)
    data = cell_payloads(hs.maps.lisa_map(local, show_not_significant=True).get_root().render())[0]
    colours = [data["palette"][f] for f in data["fill"]]
    assert colours == [hs.maps.LISA_COLOURS[c][0] for c in local["lisa_cluster"]]
    assert "HH" in set(local["lisa_cluster"])


def test_timeline_frames_are_the_cube_counts(west_yorkshire):
    cube = hs.space_time_cube(
        west_yorkshire, hs.hex_grid(west_yorkshire, 5000, quiet=True), "MS", quiet=True
    )
    data = cell_payloads(hs.maps.timeline_map(cube).get_root().render())[0]
    active = cube.counts.sum(axis=0) > 0
    assert len(data["frames"]) == len(cube.bins)
    assert [f["label"] for f in data["frames"]][:2] == ["2016-07", "2016-08"]
    frames = np.array([f["values"] for f in data["frames"]])
    np.testing.assert_array_equal(frames, cube.counts[:, active])
    assert frames.sum() == cube.total()


def test_near_repeat_map_draws_every_chain_and_its_incidents(toronto):
    burglary = toronto[
        (toronto["category"] == "Break and Enter") & (toronto["time"].dt.year == 2019)
    ]
    chains = hs.near_repeat_chains(burglary, distance=100, days=7)
    page = hs.maps.near_repeat_map(chains, burglary).get_root().render()
    outlines, paths, dots = geojson_layers(page)
    assert len(outlines) == len(paths) == len(chains)
    assert len(dots) == int(chains["size"].sum())


def test_cluster_map_draws_the_clustered_incidents_on_request(west_yorkshire):
    clustered = hs.cluster_incidents(
        west_yorkshire.iloc[:6000], "dbscan", eps=300, min_samples=20, quiet=True
    )
    summary = hs.cluster_summary(clustered)
    page = hs.maps.cluster_map(summary, incidents=clustered).get_root().render()
    hulls, ellipses, dots = geojson_layers(page)
    assert len(hulls) == len(summary)
    assert len(dots) == int((clustered["cluster"] >= 0).sum())
    assert {f["properties"]["cluster"] for f in dots} == {str(c) for c in summary.index}
    page = hs.maps.cluster_map(summary, incidents=clustered, max_points=10).get_root().render()
    assert len(geojson_layers(page)) == 2 and "dots omitted above 10" in page


def test_layer_control_comes_after_every_layer(wy_cells):
    m = hs.maps.counts_map(wy_cells)
    hs.maps.gistar_map(hs.gistar(wy_cells, permutations=0, quiet=True), m=m)
    page = m.get_root().render()
    control = page.index("L.control.layers(")
    assert all(match.start() < control for match in re.finditer(r"var d = ", page))
    assert page.count("L.control.layers(") == 1


def test_maps_need_their_columns(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 5000, quiet=True)
    with pytest.raises(KeyError, match="count_incidents"):
        hs.maps.counts_map(cells)
    with pytest.raises(KeyError, match="gistar"):
        hs.maps.gistar_map(cells)
    with pytest.raises(KeyError, match="lisa"):
        hs.maps.lisa_map(cells)
    with pytest.raises(TypeError, match="raster surface"):
        hs.maps.density_map(cells)
    with pytest.raises(TypeError, match="SpaceTimeCube"):
        hs.maps.timeline_map(cells)
    with pytest.raises(TypeError, match="near_repeat_chains"):
        hs.maps.near_repeat_map(cells)


# --- disclosure control --------------------------------------------------------------------


def incident_coordinates(incidents: gpd.GeoDataFrame) -> set[str]:
    lonlat = incidents.geometry.to_crs(4326)
    return {f"{x:.6f},{y:.6f}" for x, y in zip(lonlat.x, lonlat.y, strict=True)} | {
        f"{y:.6f},{x:.6f}" for x, y in zip(lonlat.x, lonlat.y, strict=True)
    }


def page_coordinates(page: str) -> set[str]:
    numbers = re.findall(r"-?\d+\.\d+", page)
    return {f"{float(a):.6f},{float(b):.6f}" for a, b in zip(numbers, numbers[1:], strict=False)}


def test_public_export_of_west_yorkshire_discloses_nothing(west_yorkshire, tmp_path):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 500, quiet=True), quiet=True
    )
    assert ((cells["count"] >= 1) & (cells["count"] <= 4)).sum() > 1000  # plenty to hide
    pages = {
        "counts": hs.maps.export_map(cells, tmp_path / "c.html", public=True, offline=True),
        "gistar": hs.maps.export_map(
            hs.gistar(cells, permutations=0, quiet=True), tmp_path / "g.html", public=True
        ),
        "clusters": hs.maps.export_map(
            hs.cluster_summary(
                hs.cluster_incidents(west_yorkshire, "hdbscan", min_cluster_size=50, quiet=True)
            ),
            tmp_path / "k.html",
            public=True,
        ),
    }
    incidents = incident_coordinates(west_yorkshire)
    for name, path in pages.items():
        page = path.read_text()
        assert not page_coordinates(page) & incidents, name
        assert "fewer than 5" in page, name
        for data in cell_payloads(page):
            counts = [v for v in field(data, "count") if isinstance(v, int | float)]
            assert not [v for v in counts if 1 <= v <= 4], name
        for layer in geojson_layers(page):
            for feature in layer:
                value = feature["properties"].get("incidents")
                assert not (isinstance(value, int) and 1 <= value <= 4), name
    page = pages["counts"].read_text()
    shown = field(cell_payloads(page)[0], "count")
    hidden = int(((cells["count"] >= 1) & (cells["count"] <= 4)).sum())
    assert shown.count("fewer than 5") == hidden
    assert sum(v for v in shown if isinstance(v, int)) == cells["count"][cells["count"] >= 5].sum()
    gistar_page = pages["gistar"].read_text()
    assert "gistar_z" not in gistar_page and '"z"' not in gistar_page


def test_public_copies_drop_what_would_disclose(west_yorkshire, wy_cells):
    with pytest.raises(hs.HotspotInputError, match="incident-level"):
        hs.maps.disclose(west_yorkshire)
    summary = hs.cluster_summary(
        hs.cluster_incidents(west_yorkshire, "hdbscan", min_cluster_size=20, quiet=True)
    )
    public = hs.maps.disclose(summary, min_count=30)
    assert "hull" not in public.columns and "centre_x" not in public.columns
    assert (public["n_incidents"] >= 30).all()
    assert public.attrs["hotspot"]["disclosure"]["dropped_clusters"] == int(
        (summary["n_incidents"] < 30).sum()
    )
    with pytest.raises(hs.HotspotInputError, match="min_count"):
        hs.maps.disclose(wy_cells, min_count=1)


def test_public_density_shows_only_pixels_resting_on_min_count_incidents(west_yorkshire):
    from hotspot._density_kernels import peak_density

    surface = hs.kde(west_yorkshire, bandwidth=500, cell_size=250, quiet=True)
    public = hs.maps.disclose(surface, min_count=5)
    floor = 4 * peak_density("quartic", 500) * 1e6
    values = public.to_numpy()
    shown = values[np.isfinite(values)]
    assert (shown > floor).all()
    # a lone incident's peak is below the floor, five at one place are above it
    assert peak_density("quartic", 500) * 1e6 < floor < 5 * peak_density("quartic", 500) * 1e6
    assert public.attrs["hotspot"]["disclosure"]["hidden_pixels"] > 0


def test_public_cube_hides_small_counts(west_yorkshire):
    cube = hs.space_time_cube(
        west_yorkshire, hs.hex_grid(west_yorkshire, 5000, quiet=True), "MS", quiet=True
    )
    public = hs.maps.disclose(cube)
    small = (cube.counts >= 1) & (cube.counts <= 4)
    assert np.isnan(public.counts[small]).all()
    np.testing.assert_array_equal(public.counts[~small], cube.counts[~small])
    data = cell_payloads(hs.maps.timeline_map(public).get_root().render())[0]
    values = [v for f in data["frames"] for v in f["values"]]
    assert values.count("fewer than 5") == int(small[:, cube.counts.sum(axis=0) > 0].sum())


def test_public_export_refuses_finished_maps_and_incident_results(wy_cells, toronto, tmp_path):
    with pytest.raises(hs.HotspotInputError, match="before anything is drawn"):
        hs.maps.export_map(hs.maps.counts_map(wy_cells), tmp_path / "m.html", public=True)
    burglary = toronto[toronto["category"] == "Break and Enter"].iloc[:2000]
    chains = hs.near_repeat_chains(burglary, distance=100, days=7)
    with pytest.raises(hs.HotspotInputError, match="incident-level"):
        hs.maps.export_map(chains, tmp_path / "n.html", public=True)
    with pytest.raises(hs.HotspotInputError, match="public=True exports only"):
        hs.maps.export_map(wy_cells, tmp_path / "x.html", min_count=10)


# --- offline export ------------------------------------------------------------------------


def test_offline_export_loads_nothing_from_the_web(wy_cells, tmp_path):
    page = hs.maps.export_map(wy_cells, tmp_path / "c.html", offline=True).read_text()
    assert external_references(page) == []
    assert "L.map(" in page and "leaflet-container" in page  # Leaflet's code and css inlined
    assert "tile.openstreetmap.org" not in page
    assert "Made with" in page and "west_yorkshire.parquet" in page  # the footer
    online = hs.maps.export_map(wy_cells, tmp_path / "o.html").read_text()
    assert external_references(online)  # the check does find CDN links


def test_offline_export_of_a_map_shown_before_has_no_basemap(wy_cells, tmp_path):
    m = hs.maps.counts_map(wy_cells)
    m.get_root().render()  # as when the map was displayed in a notebook first
    page = hs.maps.export_map(m, tmp_path / "shown.html", offline=True).read_text()
    assert "tile.openstreetmap.org" not in page and external_references(page) == []
    assert page.count("L.control.layers(") == 1


def test_export_leaves_the_callers_map_as_it_was(wy_cells, tmp_path):
    m = hs.maps.counts_map(wy_cells)
    before = m.get_root().render()
    hs.maps.export_map(m, tmp_path / "a.html", offline=True, title="Briefing")
    second = hs.maps.export_map(m, tmp_path / "b.html", offline=True, title="Briefing")
    after = m.get_root().render()
    assert "tile.openstreetmap.org" in after and "hotspot-footer" not in after
    assert after.count("L.polygon(") == before.count("L.polygon(")
    assert second.read_text().count("class='hotspot-footer'") == 1


def test_offline_export_refuses_what_it_cannot_inline(wy_cells, tmp_path):
    import folium
    from folium.plugins import MarkerCluster

    m = hs.maps.counts_map(wy_cells)
    MarkerCluster().add_to(m)
    with pytest.raises(hs.HotspotInputError, match="cannot inline"):
        hs.maps.export_map(m, tmp_path / "a.html", offline=True)
    m = hs.maps.counts_map(wy_cells)
    folium.Marker([53.8, -1.55], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(hs.HotspotInputError, match="icons"):
        hs.maps.export_map(m, tmp_path / "b.html", offline=True)
    with pytest.raises(hs.HotspotInputError, match="web address"):
        hs.maps.export_map(
            wy_cells, tmp_path / "c.html", offline=True, tiles="https://x.org/{z}/{x}/{y}.png"
        )
    path = hs.maps.export_map(
        wy_cells, tmp_path / "d.html", offline=True, tiles="tiles/{z}/{x}/{y}.png"
    )
    assert "tiles/{z}/{x}/{y}.png" in path.read_text()


def test_whole_toronto_100m_grid_exports_under_15_mb(toronto, tmp_path):
    cells = hs.count_incidents(toronto, hs.square_grid(toronto, 100, quiet=True), quiet=True)
    assert len(cells) > 65_000
    path = hs.maps.export_map(
        hs.maps.counts_map(cells, show_empty=True), tmp_path / "toronto.html", offline=True
    )
    size = path.stat().st_size
    assert size < 15e6, f"{size / 1e6:.1f} MB"
    data = cell_payloads(path.read_text())[0]
    assert len(data["cells"]) == len(cells)
    assert sum(field(data, "count")) == len(toronto)


def test_cell_layer_encodes_holes_and_multipolygons_exactly():
    from hotspot.maps._cell_layer import _rings

    square = shapely.box(0, 0, 1, 1)
    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    multi = shapely.MultiPolygon([shapely.box(10, 10, 11, 11), holed])

    def by_hand(geometry):
        return [
            [np.asarray(r.coords)[:-1].ravel().tolist() for r in (p.exterior, *p.interiors)]
            for p in getattr(geometry, "geoms", [geometry])
        ]

    for geoms in ([square, multi, holed, square], [square, holed]):
        assert _rings(np.array(geoms)) == [by_hand(g) for g in geoms]
    with pytest.raises(TypeError, match="polygons"):
        _rings(np.array([shapely.Point(0, 0)]))
