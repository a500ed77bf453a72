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
from hotspot._result import stamp
from hotspot.density import peak_density
from hotspot.maps._cell_layer import PANES, LabelLayer, ShapeLayer, rings
from hotspot.maps._labels import label_spacing
from hotspot.maps._labels import place_labels as map_labels
from hotspot.maps._layers import view_bounds
from hotspot.maps._offline import SCRIPT_LINK, STYLESHEET_LINK
from hotspot.maps._style import format_number
from hotspot.maps.export import external_references
from hotspot.places import place_labels

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
    counted = wy_cells.attrs["hotspot"]["counts"]["counted"]
    assert sum(field(data, "count")) == counted == int(wy_cells["count"].sum())
    assert counted >= len(west_yorkshire) - 100  # only far-away points are left out
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
    with pytest.raises(hs.HotspotInputError, match="count_incidents"):
        hs.maps.counts_map(cells)
    with pytest.raises(hs.HotspotInputError, match="gistar"):
        hs.maps.gistar_map(cells)
    with pytest.raises(hs.HotspotInputError, match="lisa"):
        hs.maps.lisa_map(cells)
    with pytest.raises(hs.HotspotInputError, match="raster surface"):
        hs.maps.density_map(cells)
    with pytest.raises(hs.HotspotInputError, match="space_time_cube"):
        hs.maps.timeline_map(cells)
    with pytest.raises(hs.HotspotInputError, match="near_repeat_chains"):
        hs.maps.near_repeat_map(cells)


def test_a_missing_column_is_named_with_the_columns_present_and_what_to_run(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 5000, quiet=True)
    with pytest.raises(hs.HotspotInputError) as caught:
        hs.maps.gistar_map(cells)
    message = str(caught.value)
    assert message.startswith("gistar_map: ")
    assert "'gistar_bin'" in message and "geometry" in message  # the columns it has
    assert "run hotspot.gistar(cells) first" in message
    with pytest.raises(hs.HotspotInputError, match=r"emerging_map: .*'emerging_category'"):
        hs.maps.emerging_map(cells)
    with pytest.raises(hs.HotspotInputError, match="cluster_map: summary= is a list"):
        hs.maps.cluster_map([1, 2])


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


def add_external_image(m) -> None:
    import folium

    m.get_root().html.add_child(folium.Element('<img src="https://x.org/logo.png">'))


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
    # a tile server asked for by name is the one web address allowed: anything else still fails
    m = hs.maps.counts_map(wy_cells)
    add_external_image(m)
    with pytest.raises(hs.HotspotInputError, match="still loads"):
        hs.maps.export_map(
            m, tmp_path / "c.html", offline=True, tiles="https://x.org/{z}/{x}/{y}.png"
        )
    path = hs.maps.export_map(
        wy_cells, tmp_path / "d.html", offline=True, tiles="tiles/{z}/{x}/{y}.png"
    )
    assert "tiles/{z}/{x}/{y}.png" in path.read_text()


@pytest.mark.slow
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
    square = shapely.box(0, 0, 1, 1)
    holed = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    multi = shapely.MultiPolygon([shapely.box(10, 10, 11, 11), holed])

    def by_hand(geometry):
        return [
            [np.asarray(r.coords)[:-1].ravel().tolist() for r in (p.exterior, *p.interiors)]
            for p in getattr(geometry, "geoms", [geometry])
        ]

    for geoms in ([square, multi, holed, square], [square, holed]):
        assert rings(np.array(geoms)) == [by_hand(g) for g in geoms]
    with pytest.raises(hs.HotspotInputError, match="polygons"):
        rings(np.array([shapely.Point(0, 0)]))


# --- where the map is: footprint, study area, place names, context (issue 10) --------------


DISTRICTS = ["Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"]


def layers_of(m, kind) -> dict[str, dict]:
    """The payloads of the map's ShapeLayers or LabelLayers, by layer name."""
    return {
        c.layer_name: json.loads(c.payload) for c in m._children.values() if isinstance(c, kind)
    }


def polygons_of(payload: dict) -> shapely.Geometry:
    """The union of a ShapeLayer's polygons (rings of flat lon, lat; not closed)."""
    polygons = []
    for polygon in payload["polygons"]:
        coords = [np.asarray(r).reshape(-1, 2) for r in polygon]
        polygons.append(shapely.Polygon(coords[0], coords[1:]))
    return shapely.union_all(polygons)


def lines_of(payload: dict) -> shapely.Geometry:
    return shapely.MultiLineString([np.asarray(f).reshape(-1, 2) for f in payload["lines"]])


def assert_same_area(a: shapely.Geometry, b: shapely.Geometry) -> None:
    assert a.symmetric_difference(b).area < 1e-4 * b.area, (a.area, b.area)


@pytest.fixture(scope="module")
def wy_hot(west_yorkshire):
    """The briefing case of issue 10: Gi* of West Yorkshire on 1 km hexagons."""
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    return hs.gistar(cells, weights="auto", permutations=99, rng=0, quiet=True)


@pytest.fixture(scope="module")
def wy_cube(west_yorkshire):
    return hs.space_time_cube(
        west_yorkshire, hs.hex_grid(west_yorkshire, 5000, quiet=True), "MS", quiet=True
    )


def test_gistar_map_shows_footprint_study_area_and_district_labels(wy_hot):
    m = hs.maps.gistar_map(wy_hot)
    assert type(m).__name__ == "HotspotMap"
    shapes = layers_of(m, ShapeLayer)
    assert {"Cells with incidents", "Study area"} <= set(shapes)
    # the footprint is every cell with incidents, significant or not
    with_incidents = wy_hot[wy_hot["count"] > 0]
    assert (wy_hot.loc[with_incidents.index, "gistar_bin"] == 0).any()
    assert_same_area(
        polygons_of(shapes["Cells with incidents"]), with_incidents.to_crs(4326).union_all()
    )
    assert shapes["Cells with incidents"]["pane"] == "hotspotFootprint"
    # the study area's outline, as a line
    area = gpd.GeoSeries([wy_hot.attrs["hotspot"]["study_area"]], crs=wy_hot.crs).to_crs(4326)
    assert lines_of(shapes["Study area"]).hausdorff_distance(area.boundary.iloc[0]) < 1e-5
    assert shapes["Study area"]["style"]["fill"] is False
    # the five districts are labelled from the opening view, where their records put them
    labels = layers_of(m, LabelLayer)["Place names"]
    assert labels["className"] == "hotspot-place-label"
    at_once = {name: (x, y) for x, y, name, level, *_ in labels["labels"] if level == 0}
    assert set(DISTRICTS) <= set(at_once)
    records = {r["name"]: r for r in wy_hot.attrs["hotspot"]["places"]}
    for name in DISTRICTS:
        point = gpd.GeoSeries(
            [shapely.Point(records[name]["x"], records[name]["y"])], crs=wy_hot.crs
        ).to_crs(4326)
        assert at_once[name] == pytest.approx((point.x.iloc[0], point.y.iloc[0]), abs=1e-6)
    # each is its own layer in the layer control, under (footprint, outline) or over the cells
    page = m.get_root().render()
    for name in ("Cells with incidents", "Study area", "Place names", "Gi* hot spots"):
        assert re.search(rf'"{re.escape(name)}"\s*:', page), name


def test_the_map_opens_on_the_footprint_not_only_the_hot_spots(wy_hot):
    from hotspot.maps._layers import to_lonlat

    m = hs.maps.gistar_map(wy_hot)
    fit = next(c for c in m._children.values() if type(c).__name__ == "FitBounds")
    expected = view_bounds(to_lonlat(wy_hot[wy_hot["count"] > 0].geometry))
    (south, west), (north, east) = fit.bounds
    np.testing.assert_allclose([west, south, east, north], expected)


@pytest.mark.parametrize("kind", ["counts", "gistar", "lisa", "emerging", "timeline"])
def test_every_cell_map_draws_the_footprint_and_the_study_area(
    west_yorkshire, wy_cells, wy_cube, kind
):
    if kind == "emerging":
        result = hs.emerging_hotspots(wy_cube, quiet=True)
        # the analysed cells: those with incidents in the bins analysed (whole bins only)
        analysed = result["emerging_category"] != "not analysed (no incidents)"
        assert (wy_cube.counts.sum(axis=0)[analysed] > 0).all()
        with_incidents = result[analysed]
        m = hs.maps.emerging_map(result)  # the cube carries the incidents' place names
    elif kind == "timeline":
        result = wy_cube
        with_incidents = wy_cube.cells[wy_cube.counts.sum(axis=0) > 0]
        m = hs.maps.timeline_map(wy_cube)
    else:
        result = {
            "counts": lambda: wy_cells,
            "gistar": lambda: hs.gistar(wy_cells, permutations=0, quiet=True),
            "lisa": lambda: hs.lisa(wy_cells, permutations=0, quiet=True),
        }[kind]()
        with_incidents = result[result["count"] > 0]
        draw = {"counts": hs.maps.counts_map, "gistar": hs.maps.gistar_map}.get(
            kind, hs.maps.lisa_map
        )
        m = draw(result)
    shapes = layers_of(m, ShapeLayer)
    assert_same_area(
        polygons_of(shapes["Cells with incidents"]), with_incidents.to_crs(4326).union_all()
    )
    assert "Study area" in shapes
    names = [label[2] for label in layers_of(m, LabelLayer)["Place names"]["labels"]]
    assert set(DISTRICTS) <= set(names)


def test_a_second_result_on_the_same_map_does_not_repeat_the_surroundings(wy_cells):
    m = hs.maps.counts_map(wy_cells)
    hs.maps.gistar_map(hs.gistar(wy_cells, permutations=0, quiet=True), m=m)
    names = [c.layer_name for c in m._children.values() if isinstance(c, ShapeLayer | LabelLayer)]
    assert sorted(names) == ["Cells with incidents", "Place names", "Study area"]


def beat_labels(names: list[str]) -> gpd.GeoDataFrame:
    centres = [shapely.Point(430250 + 500 * i, 430250) for i in range(len(names))]
    return gpd.GeoDataFrame(
        {"name": names, "n_incidents": [30, 20, 10][: len(names)]},
        geometry=centres,
        crs="EPSG:27700",
    )


@pytest.mark.parametrize("source", ["argument", "attrs"])
def test_place_names_are_escaped(beats, source):
    if source == "argument":
        m = hs.maps.counts_map(beats, labels=beat_labels(PAYLOADS))
    else:
        cells = beats.copy()
        cells.attrs = {
            "hotspot": {
                "places": [
                    {"name": p, "x": 430250.0 + 500 * i, "y": 430250.0, "n": 10}
                    for i, p in enumerate(PAYLOADS)
                ]
            }
        }
        m = hs.maps.counts_map(cells)
    page = m.get_root().render()
    assert not raw_payload_present(page)
    texts = [label[2] for label in layers_of(m, LabelLayer)["Place names"]["labels"]]
    assert sorted(texts) == sorted(html.escape(p) for p in PAYLOADS)


def test_labels_false_and_results_without_names_draw_no_labels(beats, wy_cells):
    assert "Place names" not in layers_of(hs.maps.counts_map(beats), LabelLayer)
    assert "Place names" not in layers_of(hs.maps.counts_map(wy_cells, labels=False), LabelLayer)
    with pytest.raises(hs.HotspotInputError, match="counts_map: labels= .*'name' column"):
        hs.maps.counts_map(wy_cells, labels=["Leeds"])


def test_toronto_neighbourhoods_are_thinned_busiest_first(toronto):
    cells = hs.count_incidents(toronto, hs.square_grid(toronto, 1000, quiet=True), quiet=True)
    places = cells.attrs["hotspot"]["places"]
    assert len(places) == 140
    m = hs.maps.counts_map(cells)
    labels = layers_of(m, LabelLayer)["Place names"]["labels"]
    level = np.array([label[3] for label in labels])
    at_once = [label for label in labels if label[3] == 0]
    assert 5 < len(at_once) < 60 and len(labels) <= 140
    assert labels[0][2] == places[0]["name"]  # the busiest first
    assert level.min() == 0
    # at the opening view the kept labels are 1/8 of the view's shorter side apart (or more)
    xy = gpd.GeoSeries(
        gpd.points_from_xy([lab[0] for lab in at_once], [lab[1] for lab in at_once]), crs=4326
    ).to_crs(cells.crs)
    shown = cells[cells["count"] > 0].geometry
    spacing = label_spacing(view_bounds(np.asarray(shown.array)))
    distances = np.array([xy.distance(p).to_numpy() for p in xy])
    np.fill_diagonal(distances, np.inf)
    assert distances.min() >= spacing * (1 - 1e-6)
    # zoomed in, each level halves the spacing and adds names; labels stay busiest first
    names = [label[2] for label in labels]
    ranked = [p["name"] for p in places]
    assert names == [n for n in ranked if n in set(names)]


def test_public_maps_label_only_places_of_min_count_incidents_on_a_100m_grid(wy_cells):
    public = hs.maps.disclose(wy_cells)
    labels = map_labels(public)
    records = wy_cells.attrs["hotspot"]["places"]
    assert set(labels["name"]) == {r["name"] for r in records if r["n"] >= 5}
    xy = shapely.get_coordinates(labels.geometry.array)
    np.testing.assert_array_equal(xy % 100, 0)
    shapes = layers_of(hs.maps.counts_map(public), ShapeLayer)
    assert "Cells with incidents" in shapes and "Study area" not in shapes  # disclose drops it


def context_frames() -> gpd.GeoDataFrame:
    """A force boundary and a main road in EPSG:4326, the road named with a payload."""
    boundary = shapely.Polygon([(-2.2, 53.5), (-1.2, 53.5), (-1.2, 54.0), (-2.2, 54.0)])
    road = shapely.LineString([(-1.9, 53.8), (-1.6, 53.79), (-1.4, 53.7)])
    return gpd.GeoDataFrame(
        {"name": ["West Yorkshire Police", PAYLOADS[0]]}, geometry=[boundary, road], crs=4326
    )


def draw_any(kind: str, west_yorkshire, toronto, wy_cells, wy_cube, **kwargs):
    if kind == "counts":
        return hs.maps.counts_map(wy_cells, **kwargs)
    if kind == "gistar":
        return hs.maps.gistar_map(hs.gistar(wy_cells, permutations=0, quiet=True), **kwargs)
    if kind == "lisa":
        return hs.maps.lisa_map(hs.lisa(wy_cells, permutations=0, quiet=True), **kwargs)
    if kind == "emerging":
        return hs.maps.emerging_map(hs.emerging_hotspots(wy_cube, quiet=True), **kwargs)
    if kind == "timeline":
        return hs.maps.timeline_map(wy_cube, **kwargs)
    if kind == "density":
        surface = hs.kde(west_yorkshire, bandwidth=2000, cell_size=1000, quiet=True)
        return hs.maps.density_map(surface, **kwargs)
    if kind == "clusters":
        clustered = hs.cluster_incidents(
            west_yorkshire.iloc[:4000], "dbscan", eps=300, min_samples=20, quiet=True
        )
        return hs.maps.cluster_map(hs.cluster_summary(clustered), **kwargs)
    burglary = toronto[toronto["category"] == "Break and Enter"].iloc[:2000]
    return hs.maps.near_repeat_map(
        hs.near_repeat_chains(burglary, distance=100, days=7), burglary, **kwargs
    )


MAP_KINDS = [
    "counts",
    "gistar",
    "lisa",
    "emerging",
    "timeline",
    "density",
    "clusters",
    "near_repeat",
]


@pytest.mark.parametrize("kind", MAP_KINDS)
def test_context_layers_are_drawn_under_every_map(kind, west_yorkshire, toronto, wy_cells, wy_cube):
    context = context_frames()
    m = draw_any(kind, west_yorkshire, toronto, wy_cells, wy_cube, context=context)
    shapes = layers_of(m, ShapeLayer)
    assert shapes["Context"]["pane"] == "hotspotContext"
    assert_same_area(polygons_of(shapes["Context"]), context.geometry.iloc[0])
    assert lines_of(shapes["Context (lines)"]).equals_exact(
        shapely.MultiLineString([context.geometry.iloc[1]]), 1e-6
    )
    names = [label[2] for label in layers_of(m, LabelLayer)["Context: names"]["labels"]]
    assert html.escape(PAYLOADS[0]) in names and "West Yorkshire Police" in names
    page = m.get_root().render()
    assert not raw_payload_present(page)
    # context goes under the result: its pane is below Leaflet's overlay pane (400)
    assert PANES["hotspotContext"] < 400 < PANES["hotspotLabels"]


def test_context_takes_lists_and_dicts_and_needs_a_crs(wy_cells):
    frames = context_frames()
    m = hs.maps.counts_map(wy_cells, context=[frames.iloc[[0]], frames.iloc[[1]]])
    assert {"Context 1", "Context 2"} <= set(layers_of(m, ShapeLayer))
    m = hs.maps.counts_map(wy_cells, context={"Force boundary": frames.iloc[[0]]})
    assert "Force boundary" in layers_of(m, ShapeLayer)
    with pytest.raises(hs.HotspotInputError, match="no CRS"):
        hs.maps.counts_map(wy_cells, context=frames.set_crs(None, allow_override=True))
    with pytest.raises(hs.HotspotInputError, match="counts_map: context="):
        hs.maps.counts_map(wy_cells, context="roads.shp")


# --- tooltips that lead with a sentence ----------------------------------------------------


def test_gistar_tooltips_say_the_bin_the_count_and_the_ratio_to_the_average(wy_hot):
    data = cell_payloads(hs.maps.gistar_map(wy_hot).get_root().render())[0]
    shown = wy_hot[wy_hot["gistar_bin"] != 0]
    assert data["fields"] == ["cell", "count", "z", "p (normal approximation)"]
    # the p shown is the one the bins came from (gistar_p), not the permutation one
    assert field(data, "p (normal approximation)") == [f"{p:.3g}" for p in shown["gistar_p"]]
    mean = wy_hot["count"].mean()
    hot = int(np.argmax(shown["count"].to_numpy()))
    count = int(shown["count"].iloc[hot])
    assert shown["gistar_bin"].iloc[hot] == 3
    ratio = count / mean
    assert data["sentences"][hot] == (
        f"Hot spot, 99 % confidence: {count:,} incidents, {ratio:,.0f}× the average of all "
        f"{len(wy_hot):,} cells ({mean:.1f})"
    )
    # a quiet cell in a hot spot: its neighbours make it hot, and the sentence says so
    quiet = int(np.flatnonzero((shown["gistar_bin"] > 0) & (shown["count"] < mean))[0])
    assert data["sentences"][quiet].endswith("; hot because of its busy neighbours")
    cold = int(np.flatnonzero(shown["gistar_bin"].to_numpy() < 0)[0])
    assert data["sentences"][cold].startswith(
        hs.maps.GISTAR_COLOURS[int(shown["gistar_bin"].iloc[cold])][1] + ": "
    )


def test_lisa_tooltips_say_what_the_type_means_and_name_the_permutation_p(wy_cells):
    local = hs.lisa(wy_cells, permutations=99, rng=0, quiet=True)
    data = cell_payloads(hs.maps.lisa_map(local).get_root().render())[0]
    shown = local[local["lisa_cluster"] != "not significant"]
    assert data["fields"] == ["cell", "count", "I", "p (permutation)"]
    assert field(data, "p (permutation)") == [f"{p:.3g}" for p in shown["lisa_p_sim"]]
    i = int(np.flatnonzero(shown["lisa_cluster"].to_numpy() == "HH")[0])
    assert data["sentences"][i] == (
        "High-high cluster: a busy cell among busy neighbours, 95 % confidence: "
        f"{int(shown['count'].iloc[i]):,} incidents"
    )
    without = hs.lisa(wy_cells, permutations=0, quiet=True)
    data = cell_payloads(hs.maps.lisa_map(without).get_root().render())[0]
    assert "p (normal approximation)" in data["fields"]


def test_emerging_tooltips_count_the_hot_bins_in_the_cubes_unit(toronto):
    cube = hs.space_time_cube(
        toronto,
        hs.square_grid(toronto, 2000, quiet=True),
        "MS",
        start="2019-01",
        end="2021-12",
        quiet=True,
    )
    result = hs.emerging_hotspots(cube, quiet=True)
    data = cell_payloads(hs.maps.emerging_map(result).get_root().render())[0]
    category = result["emerging_category"]
    shown = result[category.isin(hs.maps.EMERGING_COLOURS) & (category != "no pattern")]
    assert data["fields"] == ["cell", "hot months", "cold months", "trend (Kendall τ)"]
    for sentence, (_, row) in zip(data["sentences"], shown.iterrows(), strict=True):
        c = row["emerging_category"]
        spots = "a hot spot in" if "hot spot" in c else "a cold spot in"
        n = row["emerging_n_hot"] if "hot spot" in c else row["emerging_n_cold"]
        significant = row["emerging_trend_p"] <= 0.05
        trend = (
            ("rising" if row["emerging_trend_tau"] > 0 else "falling")
            if significant
            else "no clear trend"
        )
        assert sentence == f"{c[0].upper()}{c[1:]}: {spots} {n} of 36 months, {trend}"


def test_count_tooltips_give_the_period(wy_cells):
    data = cell_payloads(hs.maps.counts_map(wy_cells).get_root().render())[0]
    period = wy_cells.attrs["hotspot"]["period"]["label"]
    assert period == "Jul 2016, Jul 2017, Jul 2018"
    for count, sentence in zip(field(data, "count"), data["sentences"], strict=True):
        noun = "incident" if count == 1 else "incidents"
        assert sentence == f"{count:,} {noun} ({period})"


def test_timeline_tooltips_lead_with_the_bins_count():
    cube = hs.SpaceTimeCube(
        cells=gpd.GeoDataFrame(
            geometry=[
                shapely.box(430000 + 500 * i, 430000, 430500 + 500 * i, 430500) for i in range(2)
            ],
            crs=27700,
        ),
        bins=pd.date_range("2020-01-01", periods=2, freq="MS"),
        counts=np.array([[1, 3], [2, 0]]),
        freq="MS",
    )
    data = cell_payloads(hs.maps.timeline_map(cube).get_root().render())[0]
    assert data["frame_sentence"] == ["{value} incident, {bin}", "{value} incidents, {bin}"]


def test_public_sentences_work_without_z_p_or_small_counts(wy_hot):
    public = hs.maps.disclose(wy_hot)
    data = cell_payloads(hs.maps.gistar_map(public, show_not_significant=True).get_root().render())[
        0
    ]
    assert data["fields"] == ["cell", "count"]
    hidden = [
        s
        for s, v in zip(data["sentences"], field(data, "count"), strict=True)
        if v == "fewer than 5"
    ]
    assert hidden and all(s.endswith(": fewer than 5 incidents") for s in hidden)
    # the average is still all the cells' (the counted incidents over the cells)
    mean = wy_hot["count"].mean()
    assert any(
        f"the average of all {len(wy_hot):,} cells ({mean:.1f})" in s for s in data["sentences"]
    )
    local = hs.maps.disclose(hs.lisa(wy_hot, permutations=0, quiet=True))
    data = cell_payloads(hs.maps.lisa_map(local, show_not_significant=True).get_root().render())[0]
    assert data["fields"] == ["cell", "count"]
    hidden = [
        s
        for s, v in zip(data["sentences"], field(data, "count"), strict=True)
        if v == "fewer than 5"
    ]
    assert hidden and all(s.endswith(": fewer than 5 incidents") for s in hidden)


# --- cluster numbers -----------------------------------------------------------------------


def test_clusters_are_numbered_with_their_summary_label_largest_first(west_yorkshire):
    clustered = hs.cluster_incidents(
        west_yorkshire.iloc[:6000], "dbscan", eps=300, min_samples=20, quiet=True
    )
    summary = hs.cluster_summary(clustered)
    m = hs.maps.cluster_map(summary)
    numbers = layers_of(m, LabelLayer)["Cluster numbers"]
    assert numbers["className"] == "hotspot-cluster-label"
    ranked = summary.sort_values("n_incidents", ascending=False, kind="stable")
    assert [label[2] for label in numbers["labels"]] == [str(c) for c in ranked.index]
    assert all(label[3] >= 0 for label in numbers["labels"])  # every cluster, at some zoom
    centres = gpd.GeoSeries(
        gpd.points_from_xy(ranked["centre_x"], ranked["centre_y"]), crs=summary.crs
    ).to_crs(4326)
    np.testing.assert_allclose(
        [label[:2] for label in numbers["labels"]],
        np.column_stack([centres.x, centres.y]),
        atol=1e-6,
    )
    hulls = geojson_layers(m.get_root().render())[0]
    for feature, (label, row) in zip(hulls, summary.iterrows(), strict=True):
        assert feature["properties"]["_about"] == (
            f"Cluster {label}: {row['n_incidents']:,} incidents in "
            f"{format_number(row['area_km2'])} km²"
        )
    # with the incidents, their area names label the map
    named = hs.maps.cluster_map(summary, incidents=clustered)
    names = [label[2] for label in layers_of(named, LabelLayer)["Place names"]["labels"]]
    assert names[0] == place_labels(clustered)["name"].iloc[0]
    public = hs.maps.cluster_map(hs.maps.disclose(summary))
    assert len(layers_of(public, LabelLayer)["Cluster numbers"]["labels"]) == int(
        (summary["n_incidents"] >= 5).sum()
    )


# --- density classes -----------------------------------------------------------------------


def legend_texts(page: str) -> list[str]:
    legend = re.search(
        r"<div class='hotspot-legend'.*?</div>(?=\s*(?:<div class='hotspot|</|$))", page, re.S
    )
    assert legend is not None
    return [html.unescape(t) for t in re.findall(r"</span>([^<]+)</div>", legend[0])]


def test_density_legend_gives_head_tail_classes_per_year(west_yorkshire):
    import base64
    import io

    from PIL import Image

    from hotspot.maps._style import DENSITY_CLASS_COLOURS, density_classes

    surface = hs.kde(west_yorkshire, bandwidth=1500, cell_size=500, quiet=True)
    page = hs.maps.density_map(surface).get_root().render()
    assert surface.attrs["hotspot"]["period"]["days"] == 93
    per_year = surface.to_numpy() * 365.25 / 93
    _, edges = density_classes(per_year, floor=0.01 * np.nanmax(per_year))
    assert len(edges) >= 4  # a heavy tail: head/tail breaks, not quantiles
    # head/tail: each break the mean of the values above the one before
    above = per_year[per_year > 0.01 * np.nanmax(per_year)]
    assert edges[1] == pytest.approx(above.mean(), rel=1e-9)
    assert "Density (incidents per km² per year)" in page
    expected = [
        f"{format_number(a)}–{format_number(b)}" for a, b in zip(edges, edges[1:], strict=False)
    ]
    assert legend_texts(page) == expected
    # the image is drawn in the class colours only
    data = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)[1]
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGBA"))
    drawn = {tuple(p[:3]) for p in image.reshape(-1, 4) if p[3] > 0}
    colours = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in DENSITY_CLASS_COLOURS}
    assert drawn <= colours and len(drawn) == len(expected)
    # without a period, the whole period's density
    whole = surface.copy()
    whole.attrs = {
        **surface.attrs,
        "hotspot": {k: v for k, v in surface.attrs["hotspot"].items() if k != "period"},
    }
    assert (
        "Density (incidents per km² (whole period))"
        in hs.maps.density_map(whole).get_root().render()
    )


# --- basemaps and notebooks ----------------------------------------------------------------


def test_tiles_none_an_internal_server_or_a_local_folder(wy_cells, tmp_path):
    import folium

    def tile_layers(m):
        return [c for c in m._children.values() if isinstance(c, folium.TileLayer)]

    assert tile_layers(hs.maps.counts_map(wy_cells, tiles=None)) == []
    internal = "https://tiles.force.local/{z}/{x}/{y}.png"
    (layer,) = tile_layers(hs.maps.counts_map(wy_cells, tiles=internal))
    assert layer.tiles == internal and "tiles.force.local" in layer.options["attribution"]
    # offline with an internal server: that template is the file's only web address
    page = hs.maps.export_map(wy_cells, tmp_path / "i.html", offline=True, tiles=internal)
    assert external_references(page.read_text()) == [f'"{internal}"']
    # online, the basemap is swapped for the one asked for
    page = hs.maps.export_map(wy_cells, tmp_path / "o.html", tiles=internal).read_text()
    assert internal in page and "tile.openstreetmap.org" not in page
    with pytest.raises(hs.HotspotInputError, match="counts_map: tiles=3"):
        hs.maps.counts_map(wy_cells, tiles=3)


def notebook_page(m) -> str:
    frame = m._repr_html_()
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame)
    assert srcdoc is not None, frame[:200]
    return html.unescape(srcdoc[1])


@pytest.mark.parametrize("tiles", [None, "OpenStreetMap"])
def test_notebook_view_inlines_leaflet_and_loads_no_script(wy_cells, tiles):
    page = notebook_page(hs.maps.counts_map(wy_cells, tiles=tiles))
    assert SCRIPT_LINK.findall(page) == [] and STYLESHEET_LINK.findall(page) == []
    assert "<script src=" not in page and "stylesheet" not in page
    assert "leaflet-container" in page and "L.map(" in page and "jQuery" in page
    expected = [] if tiles is None else ['"https://tile.openstreetmap.org/{z}/{x}/{y}.png"']
    assert external_references(page) == expected


def test_notebook_view_of_a_map_with_a_plugin_falls_back_to_folium(wy_cells):
    from folium.plugins import MarkerCluster

    m = hs.maps.counts_map(wy_cells)
    MarkerCluster().add_to(m)
    assert "markercluster" in notebook_page(m).lower()


def test_export_map_passes_labels_and_context_to_the_map_it_draws(wy_cells, tmp_path):
    page = hs.maps.export_map(
        wy_cells, tmp_path / "c.html", offline=True, context=context_frames(), labels=False
    ).read_text()
    assert '"className":"hotspot-context-label"' in page
    assert '"className":"hotspot-place-label"' not in page
    assert external_references(page) == []
    with pytest.raises(hs.HotspotInputError, match="context="):
        hs.maps.export_map(hs.maps.counts_map(wy_cells), tmp_path / "m.html", context=[])


def test_a_users_own_folium_map_gets_the_layers_and_their_styles(wy_cells):
    import folium

    m = folium.Map(tiles=None)
    assert hs.maps.counts_map(wy_cells, m=m) is m
    assert {"Cells with incidents", "Study area"} <= set(layers_of(m, ShapeLayer))
    page = m.get_root().render()
    assert ".hotspot-place-label span" in page and "hotspotFootprint" in page


# --- the map is chosen by the method that made the result ----------------------------------


def legend_title(page: str) -> str:
    return re.search(r"class='hotspot-legend'[^>]*><b>([^<]*)</b>", page)[1]


def test_export_draws_the_map_of_the_stamped_method_not_of_the_columns(wy_cells, tmp_path):
    hot = hs.gistar(wy_cells, permutations=0, quiet=True)
    assert hot.attrs["hotspot"]["method"] == "gistar"
    page = hs.maps.export_map(hot, tmp_path / "hot.html").read_text()
    assert legend_title(page).startswith("Gi* hot spots")
    assert "Getis–Ord Gi*" in page  # the footer names the method
    # the same columns stamped as an optimized hot spot analysis: the Gi* map too
    optimized = stamp(hot.copy(), kind="cells", method="optimized_hotspots", params={})
    page = hs.maps.export_map(optimized, tmp_path / "opt.html").read_text()
    assert legend_title(page).startswith("Gi* hot spots")
    assert "Optimized hot spot analysis" in page
    # stamped as counts (a Gi* result holds them): the counts map
    counted = stamp(hot.copy(), kind="cells", method="count_incidents", params={})
    page = hs.maps.export_map(counted, tmp_path / "counts.html").read_text()
    assert legend_title(page) == "count"
    # kind= draws the result as another map, leaving it as it was
    before = repr(hot.attrs)
    page = hs.maps.export_map(hot, tmp_path / "k.html", kind="counts").read_text()
    assert legend_title(page) == "count" and repr(hot.attrs) == before


def test_a_frame_without_a_method_is_refused_with_what_to_do(beats, tmp_path):
    with pytest.raises(hs.HotspotInputError) as caught:
        hs.maps.export_map(beats, tmp_path / "beats.html")
    message = str(caught.value)
    assert message.startswith("export_map: ")
    assert "attrs['hotspot']['method']" in message
    assert "hotspot.count_incidents" in message and "kind=" in message
    assert not (tmp_path / "beats.html").exists()
    with pytest.raises(hs.HotspotInputError, match="export_map: kind='heat' is not one of"):
        hs.maps.export_map(beats, tmp_path / "beats.html", kind="heat")
    # named, it is drawn and disclosed as what kind= says; the caller's frame is untouched
    before = (beats.copy(), dict(beats.attrs))
    page = hs.maps.export_map(beats, tmp_path / "beats.html", kind="counts", public=True)
    assert "fewer than 5" in page.read_text()
    pd.testing.assert_frame_equal(beats, before[0])
    assert beats.attrs == before[1]


def test_results_without_a_map_say_what_to_draw_instead(west_yorkshire, tmp_path):
    clustered = hs.cluster_incidents(
        west_yorkshire.iloc[:3000], "dbscan", eps=300, min_samples=20, quiet=True
    )
    with pytest.raises(hs.HotspotInputError, match=r"export_map: .*cluster_summary\(clustered\)"):
        hs.maps.export_map(clustered, tmp_path / "c.html")
    with pytest.raises(hs.HotspotInputError, match=r"to_png: .*cluster_summary\(clustered\)"):
        hs.maps.to_png(clustered, tmp_path / "c.png")
    surface = hs.kde(west_yorkshire, bandwidth=2000, cell_size=1000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="raster surface"):
        hs.maps.export_map(surface, tmp_path / "s.html", kind="gistar")


@pytest.mark.parametrize("column", ["dual_kde_ratio", "kde_ratio"])
def test_a_dual_kde_on_cells_is_drawn_by_either_name_of_its_ratio(beats, column, tmp_path):
    ratio = beats.assign(**{column: [0.25, 0.0, 1.5]})
    ratio = stamp(ratio, kind="cells", method="dual_kde", params={})
    page = hs.maps.export_map(ratio, tmp_path / "ratio.html").read_text()
    assert legend_title(page) == "Density ratio"
    assert field(cell_payloads(page)[0], column) == ["0.250", "1.50"]  # not rounded to counts
    with pytest.raises(hs.HotspotInputError, match="dual_kde"):  # no floor for a ratio
        hs.maps.export_map(ratio, tmp_path / "public.html", public=True)


def test_a_kde_on_cells_is_drawn_as_a_density(west_yorkshire, wy_cells, tmp_path):
    dense = hs.kde(west_yorkshire, cells=wy_cells, bandwidth=4000, quiet=True)
    page = hs.maps.export_map(dense, tmp_path / "d.html").read_text()
    assert legend_title(page) == "Density (incidents per km²)"
    public = hs.maps.export_map(dense, tmp_path / "p.html", public=True).read_text()
    assert "fewer than 5" not in legend_texts(public)  # densities under the floor: not drawn


def test_export_checks_min_count_and_public(wy_cells, tmp_path):
    with pytest.raises(hs.HotspotInputError, match=r"export_map: min_count=1 must be at least 2"):
        hs.maps.export_map(wy_cells, tmp_path / "a.html", public=True, min_count=1)
    with pytest.raises(hs.HotspotInputError, match="export_map: min_count=10 applies"):
        hs.maps.export_map(wy_cells, tmp_path / "a.html", min_count=10)
    with pytest.raises(hs.HotspotInputError, match="min_count=2.5"):
        hs.maps.export_map(wy_cells, tmp_path / "a.html", public=True, min_count=2.5)


def test_map_parameters_go_through_the_parameter_layer(west_yorkshire, wy_cells, toronto):
    surface = hs.kde(west_yorkshire, bandwidth=2000, cell_size=1000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="density_map: opacity=2"):
        hs.maps.density_map(surface, opacity=2)
    with pytest.raises(hs.HotspotInputError, match="density_map: floor=-0.1"):
        hs.maps.density_map(surface, floor=-0.1)
    cube = hs.space_time_cube(west_yorkshire, wy_cells, "MS", quiet=True)
    with pytest.raises(hs.HotspotInputError, match="timeline_map: start=99 is outside"):
        hs.maps.timeline_map(cube, start=99)
    with pytest.raises(hs.HotspotInputError, match="timeline_map: start=-1"):
        hs.maps.timeline_map(cube, start=-1)
    summary = hs.cluster_summary(
        hs.cluster_incidents(west_yorkshire.iloc[:3000], "dbscan", eps=300, min_samples=20)
    )
    with pytest.raises(hs.HotspotInputError, match="cluster_map: order=0"):
        hs.maps.cluster_map(summary, order=0)
    burglary = toronto[toronto["category"] == "Break and Enter"].iloc[:2000]
    chains = hs.near_repeat_chains(burglary, distance=100, days=7)
    with pytest.raises(hs.HotspotInputError, match="near_repeat_map: min_size=1.5"):
        hs.maps.near_repeat_map(chains, min_size=1.5)


def test_maps_leave_their_input_as_it_was(wy_cells, tmp_path):
    hot = hs.gistar(wy_cells, permutations=0, quiet=True)
    before = (hot.copy(), repr(hot.attrs))
    hs.maps.gistar_map(hot)
    hs.maps.export_map(hot, tmp_path / "a.html", public=True, offline=True)
    pd.testing.assert_frame_equal(hot, before[0])
    assert repr(hot.attrs) == before[1]
