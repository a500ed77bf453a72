"""Study areas: the incidents' footprint, the shared far-away rule, polygon files, tiny inputs."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspot as hs
from hotspot._areas import (
    AREA_NAMES,
    as_area_geometry,
    far_from_rest,
    fill_holes,
    footprint,
    occupied_cells,
)
from hotspot._validate import incident_xy

CRS = "EPSG:27700"
WEST_YORKSHIRE_KM2 = 2_029  # ONS Standard Area Measurement of the metropolitan county
TORONTO_KM2 = 630
WY_DISTRICTS = {"Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"}


def points(x, y):
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)


def km2(cells):
    return float(cells.geometry.area.sum()) / 1e6


def within_half_again(value, reference):
    return reference / 1.5 <= value <= reference * 1.5


# --- West Yorkshire: the default grid follows the county -----------------------------------


@pytest.mark.parametrize(
    ("grid", "cell_size"),
    [(hs.hex_grid, 1000), (hs.square_grid, 250), (hs.hex_grid, None), (hs.square_grid, None)],
)
def test_west_yorkshire_default_area_within_half_again_of_the_county(
    west_yorkshire, grid, cell_size
):
    cells = grid(west_yorkshire, cell_size, quiet=True)
    polygon = cells.attrs["hotspot"]["study_area"]
    assert within_half_again(km2(cells), WEST_YORKSHIRE_KM2), km2(cells)
    assert within_half_again(polygon.area / 1e6, WEST_YORKSHIRE_KM2), polygon.area / 1e6
    info = cells.attrs["hotspot"]["grid"]
    assert info["far_away"] == 11
    assert info["study_area"].startswith("the incidents' footprint: occupied ")
    assert info["study_area"].endswith(", 11 far-away incidents left out")
    # the far-away incidents no longer stretch the automatic cell size (it was 2000 m)
    if cell_size is None:
        assert info["chosen"] == {"cell_size": 1000.0}


def test_convex_hull_is_what_changed(west_yorkshire):
    """The old default, still available by name, is several times the county."""
    for grid, size in ((hs.hex_grid, 1000), (hs.square_grid, 250)):
        hull = grid(west_yorkshire, size, study_area="convex", quiet=True)
        assert km2(hull) > 2.5 * WEST_YORKSHIRE_KM2
        assert hull.attrs["hotspot"]["grid"]["study_area"] == (
            f"convex hull of the incidents buffered by {size} m"
        )
        assert hull.attrs["hotspot"]["grid"]["far_away"] == 0
    hexes = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    hull = hs.count_incidents(
        west_yorkshire,
        hs.hex_grid(west_yorkshire, 1000, study_area="convex", quiet=True),
        quiet=True,
    )
    assert (hull["count"] == 0).mean() > 0.75  # the issue: ~80 % of the hull's cells empty
    assert (hexes["count"] == 0).mean() < 0.55


def test_every_grid_size_shares_one_footprint(west_yorkshire):
    a = hs.hex_grid(west_yorkshire, 1000, quiet=True).attrs["hotspot"]["study_area"]
    b = hs.square_grid(west_yorkshire, 250, quiet=True).attrs["hotspot"]["study_area"]
    assert a.equals(b)


def test_far_away_incidents_are_those_of_the_load_report(west_yorkshire):
    note = next(
        n for n in west_yorkshire.attrs["hotspot"]["load_report"].notes if "far from the rest" in n
    )
    in_note = int(re.match(r"([\d,]+) incidents lie far from the rest", note)[1])
    assert "default grids leave them out" in note
    far = far_from_rest(*incident_xy(west_yorkshire))
    assert in_note == int(far.sum()) == 11
    cells = hs.hex_grid(west_yorkshire, 1000, quiet=True)
    assert cells.attrs["hotspot"]["grid"]["far_away"] == in_note
    # exactly those incidents fall in no cell
    outside = hs.assign_cells(west_yorkshire, cells).isna().to_numpy()
    assert (outside == far).all()
    # independent check: every one of them is recorded in an LSOA of another county's district
    district = west_yorkshire["LSOA name"].str.rsplit(" ", n=1).str[0]
    assert not district[far].isin(WY_DISTRICTS).any()
    assert set(district[far]) >= {"Stockport", "Tameside", "Hambleton"}


def test_counts_conserved_and_the_outside_explained(west_yorkshire, capsys):
    cells = hs.square_grid(west_yorkshire, 1000)
    err = capsys.readouterr().err
    assert "11 far-away incidents left out" in err
    assert "far from the rest" in err and "outside every cell" in err
    counted = hs.count_incidents(west_yorkshire, cells, quiet=True)
    meta = counted.attrs["hotspot"]["counts"]
    assert meta["incidents"] == meta["counted"] + meta["outside"] == len(west_yorkshire)
    assert meta["outside"] == cells.attrs["hotspot"]["grid"]["far_away"] == 11
    assert int(counted["count"].sum()) == meta["counted"]
    # quiet silences it
    hs.square_grid(west_yorkshire, 1000, quiet=True)
    assert capsys.readouterr().err == ""


def test_toronto_default_area_and_no_incident_lost(toronto):
    cells = hs.hex_grid(toronto, 1000, quiet=True)
    assert within_half_again(km2(cells), TORONTO_KM2), km2(cells)
    assert cells.attrs["hotspot"]["grid"]["far_away"] == 0
    assert not cells.attrs["hotspot"]["grid"]["study_area"].endswith("left out")
    counted = hs.count_incidents(toronto, cells, quiet=True)
    assert counted.attrs["hotspot"]["counts"]["outside"] == 0
    # tighter than the buffered convex hull, the old default
    hull = hs.hex_grid(toronto, 1000, study_area="convex", quiet=True)
    assert km2(cells) < km2(hull)


# --- the footprint against independent constructions -----------------------------------------


def clustered(rng, n_towns=4, per_town=150):
    centres = rng.uniform(0, 20_000, (n_towns, 2))
    xy = np.concatenate([c + rng.normal(0, 600, (per_town, 2)) for c in centres])
    return xy[:, 0] + 400_000, xy[:, 1] + 400_000


def test_occupied_cells_union_matches_shapely():
    rng = np.random.default_rng(3)
    x, y = clustered(rng)
    s = 500.0
    cols, rows = occupied_cells(x, y, s)
    # one box per point, merged by shapely's overlay union: the same area
    per_point = shapely.box(
        np.floor(x / s) * s, np.floor(y / s) * s, np.floor(x / s) * s + s, np.floor(y / s) * s + s
    )
    reference = shapely.union_all(per_point)
    assert len(cols) == len(set(zip(cols.tolist(), rows.tolist(), strict=True)))
    assert len(cols) * s**2 == pytest.approx(reference.area)
    ours = shapely.coverage_union_all(
        shapely.box(cols * s, rows * s, (cols + 1) * s, (rows + 1) * s)
    )
    assert shapely.symmetric_difference(ours, reference).area == pytest.approx(0, abs=1e-6)


def test_footprint_matches_a_per_point_construction():
    rng = np.random.default_rng(11)
    x, y = clustered(rng)
    x, y = np.r_[x, 480_000.0], np.r_[y, 480_000.0]  # one incident some 60 km off
    fp = footprint(x, y)
    assert fp.far_away == 1
    keep = ~far_from_rest(x, y)
    s, b = fp.scale, fp.buffer
    assert b == 2 * s
    cells = [
        shapely.box(
            np.floor(px / s) * s,
            np.floor(py / s) * s,
            (np.floor(px / s) + 1) * s,
            (np.floor(py / s) + 1) * s,
        )
        for px, py in zip(x[keep], y[keep], strict=True)
    ]
    hull = shapely.MultiPoint(np.column_stack([x[keep], y[keep]])).convex_hull
    reference = shapely.union_all(cells).buffer(b, quad_segs=4) & hull.buffer(s, quad_segs=4)
    reference = shapely.union_all(
        [
            shapely.Polygon(
                p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= 25 * s**2]
            )
            for p in shapely.get_parts(reference)
        ]
    )
    assert shapely.symmetric_difference(fp.geometry, reference).area < 1e-6 * reference.area
    # every incident it keeps is inside; the far one is not
    assert shapely.contains_xy(fp.geometry, x[keep], y[keep]).all()
    assert not shapely.intersects_xy(fp.geometry, x[~keep], y[~keep]).any()
    # never wider than the convex hull buffered by one neighbourhood
    assert fp.geometry.difference(hull.buffer(s)).area < 1e-6 * reference.area


def test_footprint_scale_hand_checked():
    # 400 locations over 10 x 10 km: extent / 50 = 200 m, but their mean spacing over the hull
    # is sqrt(hull area / 400) = 490 m, rounded down to 250 m (1, 2, 2.5 or 5 x 10^k): sparse
    # data get a coarser neighbourhood, not a scatter of 200 m islands
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 10_000, 400), rng.uniform(0, 10_000, 400)
    spacing = np.sqrt(shapely.MultiPoint(np.column_stack([x, y])).convex_hull.area / 400)
    assert 250 < spacing < 500
    assert footprint(x, y).scale == 250.0
    # 20,000 locations over 12.5 x 10.5 km: spacing 81 m, extent / 50 = 210 m -> 200 m
    x, y = rng.uniform(0, 12_500, 20_000), rng.uniform(0, 10_500, 20_000)
    dense = footprint(x, y)
    assert dense.scale == 200.0 and dense.buffer == 400.0


def test_fill_holes_keeps_large_holes():
    outer = shapely.box(0, 0, 100, 100)
    holed = outer.difference(shapely.box(10, 10, 12, 12)).difference(shapely.box(50, 50, 80, 80))
    filled, n = fill_holes(holed, 100.0)
    assert n == 1
    assert filled.area == pytest.approx(100 * 100 - 30 * 30)


# --- tiny and degenerate inputs -----------------------------------------------------------


RNG = np.random.default_rng(5)
FEW = "convex hull of the incidents buffered by 100 m (too few incidents for a footprint: "
LINE = "convex hull of the incidents buffered by 100 m (the incidents lie on one line"
FOOTPRINT = "the incidents' footprint: occupied "


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        ([430_000.0], [430_000.0], FEW + "1, it needs 100)"),
        (
            [430_000.0, 430_500, 430_100, 430_900, 430_400],
            [430_000.0, 430_050, 430_700, 430_300, 430_900],
            FEW + "5, it needs 100)",
        ),
        (RNG.uniform(430_000, 432_000, 50), RNG.uniform(430_000, 432_000, 50), FEW + "50, "),
        (np.linspace(430_000, 431_000, 30), np.full(30, 430_000.0), FEW + "30, "),
        (np.linspace(430_000, 441_000, 300), np.full(300, 430_000.0), LINE),
        (np.linspace(430_000, 439_000, 300), np.linspace(430_000, 436_000, 300), LINE),
        (np.full(200, 430_000.0), np.full(200, 430_000.0), LINE),  # one location
        (RNG.uniform(430_000, 432_000, 150), RNG.uniform(430_000, 432_000, 150), FOOTPRINT),
    ],
    ids=["one", "five", "fifty", "collinear-30", "row-300", "diagonal-300", "one-place", "150"],
)
@pytest.mark.parametrize("grid", [hs.square_grid, hs.hex_grid])
def test_tiny_and_degenerate_inputs_still_get_a_grid(xs, ys, expected, grid):
    inc = points(np.asarray(xs), np.asarray(ys))
    cells = grid(inc, 100, quiet=True)
    assert len(cells) > 0
    counted = hs.count_incidents(inc, cells, quiet=True)
    assert counted.attrs["hotspot"]["counts"]["counted"] == len(inc)
    assert cells.attrs["hotspot"]["grid"]["study_area"].startswith(expected)
    assert cells.attrs["hotspot"]["grid"]["far_away"] == 0
    if len(set(zip(xs, ys, strict=True))) > 1:  # and the automatic cell size still works
        auto = grid(inc, quiet=True)
        assert hs.count_incidents(inc, auto, quiet=True)["count"].sum() == len(inc)


# --- study areas from files ---------------------------------------------------------------


@pytest.fixture(scope="module")
def leeds_area():
    """Central Leeds, an irregular polygon, stored in longitude/latitude (to be reprojected)."""
    polygon = shapely.Polygon(
        [
            (425_000, 428_000),
            (436_000, 429_000),
            (437_000, 438_000),
            (430_000, 441_000),
            (424_000, 436_000),
        ]
    )
    return gpd.GeoDataFrame({"name": ["Leeds"]}, geometry=[polygon], crs=CRS).to_crs(4326)


@pytest.mark.parametrize("suffix", ["gpkg", "geojson"])
@pytest.mark.parametrize("grid", [hs.square_grid, hs.hex_grid])
def test_study_area_file_gives_the_grid_of_the_frame(
    west_yorkshire, leeds_area, tmp_path, suffix, grid
):
    path = tmp_path / f"leeds.{suffix}"
    leeds_area.to_file(path)
    expected = grid(west_yorkshire, 500, study_area=leeds_area, quiet=True)
    for given in (path, str(path)):
        cells = grid(west_yorkshire, 500, study_area=given, quiet=True)
        assert len(cells) == len(expected)
        assert cells.geometry.geom_equals_exact(expected.geometry, tolerance=1e-6).all()
        assert cells.attrs["hotspot"]["grid"]["study_area"] == f"given as the file {path}"
        assert cells.attrs["hotspot"]["grid"]["far_away"] == 0


def test_study_area_file_for_kde_and_optimized(west_yorkshire, leeds_area, tmp_path):
    path = tmp_path / "leeds.gpkg"
    leeds_area.to_file(path)
    options = {"cell_size": 1000, "bandwidth": 2000, "quiet": True}
    from_file = hs.kde(west_yorkshire, study_area=path, **options)
    from_frame = hs.kde(west_yorkshire, study_area=leeds_area, **options)
    np.testing.assert_array_equal(from_file.values, from_frame.values)
    dual = hs.dual_kde(west_yorkshire, west_yorkshire, study_area=str(path), **options)
    assert np.isnan(dual.values).any() and np.isfinite(dual.values).any()
    leeds = west_yorkshire.cx[424_000:437_000, 428_000:441_000]
    a = hs.optimized_hotspots(leeds, cell_size=1000, study_area=path, permutations=0, quiet=True)
    b = hs.optimized_hotspots(
        leeds, cell_size=1000, study_area=leeds_area, permutations=0, quiet=True
    )
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=1e-6).all()
    assert (a["gistar_z"] == b["gistar_z"]).all()


def test_missing_path_and_unknown_names(west_yorkshire, tmp_path):
    missing = tmp_path / "nowhere" / "area.gpkg"
    for given in (missing, str(missing)):
        with pytest.raises(
            hs.HotspotInputError,
            match=r"neither a study-area name \(footprint, convex, concave, bbox\) nor an "
            r"existing file: no such path",
        ):
            hs.square_grid(west_yorkshire, 1000, study_area=given, quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"'convx' is neither a study-area name"):
        hs.hex_grid(west_yorkshire, 1000, study_area="convx", quiet=True)
    with pytest.raises(hs.HotspotInputError, match="no such path"):
        hs.kde(west_yorkshire, study_area=str(missing), quiet=True)
    # the names build areas from incident points: a grid's job, not kde's
    with pytest.raises(hs.HotspotInputError, match=r"'footprint' names a study area built"):
        hs.kde(west_yorkshire, study_area="footprint", quiet=True)
    assert AREA_NAMES == ("footprint", "convex", "concave", "bbox")


def test_file_without_crs_says_what_to_do(west_yorkshire, tmp_path):
    path = tmp_path / "no_crs.gpkg"
    with pytest.warns(UserWarning, match="crs"):
        gpd.GeoDataFrame(geometry=[shapely.box(425_000, 428_000, 436_000, 438_000)]).to_file(path)
    with pytest.raises(hs.HotspotInputError, match=r"no_crs.gpkg has no CRS.*\.set_crs\(\.\.\.\)"):
        hs.square_grid(west_yorkshire, 1000, study_area=path, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="has no CRS"):
        as_area_geometry(str(path), None)


def test_unreadable_file(west_yorkshire, tmp_path):
    path = tmp_path / "area.geojson"
    path.write_text("not json at all")
    with pytest.raises(hs.HotspotInputError, match="could not read the study-area file"):
        hs.square_grid(west_yorkshire, 1000, study_area=path, quiet=True)


def test_polygon_source_refuses_point_rules():
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=CRS)
    with pytest.raises(hs.HotspotInputError, match="'footprint' is built from incident points"):
        hs.square_grid(area, 100, study_area="footprint")
