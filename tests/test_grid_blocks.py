"""Grids built block by block: the same cells as the plain build over the whole bounding box,
and the size limits (the cells kept; the bounding box, refused before any work)."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
import hotspot.grid.cells as grid_cells
from hotspot.grid._binning import SQRT3, hex_centres

CRS = "EPSG:27700"


# --- the reference: the plain build (every cell of the bounding box, then the test) ---------


def overlaps_area(area, cells):
    """A cell is kept when it shares some area with the study area (touching is not enough)."""
    return np.asarray(shapely.intersects(area, cells) & ~shapely.touches(area, cells))


def reference_square(area, cell_size):
    """Every square of the bounding box, row by row, then the ones sharing area with it."""
    minx, miny, maxx, maxy = area.bounds
    c0, r0 = math.floor(minx / cell_size), math.floor(miny / cell_size)
    c1, r1 = math.floor(maxx / cell_size), math.floor(maxy / cell_size)
    rows, cols = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
    rows, cols = rows.ravel(), cols.ravel()
    boxes = shapely.box(
        cols * cell_size, rows * cell_size, (cols + 1) * cell_size, (rows + 1) * cell_size
    )
    keep = overlaps_area(area, boxes)
    return rows[keep], cols[keep], boxes[keep]


def reference_hex(area, cell_size):
    """Every hexagon over the bounding box (padded by one), row by row, then the same test."""
    minx, miny, maxx, maxy = area.bounds
    row_step = 1.5 * cell_size / SQRT3
    qs, rs = [], []
    for r in range(math.floor(miny / row_step) - 1, math.ceil(maxy / row_step) + 2):
        lo = math.floor(minx / cell_size - r / 2.0) - 1
        hi = math.ceil(maxx / cell_size - r / 2.0) + 1
        qs.append(np.arange(lo, hi + 1))
        rs.append(np.full(hi - lo + 1, r))
    q, r = np.concatenate(qs), np.concatenate(rs)
    cx, cy = hex_centres(q, r, cell_size)
    radius = cell_size / SQRT3
    angles = np.deg2rad(90 + 60 * np.arange(6))
    ring = np.stack(
        [cx[:, None] + radius * np.cos(angles), cy[:, None] + radius * np.sin(angles)], axis=-1
    )
    ring = np.round(np.concatenate([ring, ring[:, :1]], axis=1), 6)
    hexagons = shapely.polygons(ring)
    keep = overlaps_area(area, hexagons)
    return q[keep], r[keep], hexagons[keep]


def assert_same_as_reference(cells, shape):
    """The grid's cells, ids, indices and geometries equal the plain build's, bit for bit."""
    area = cells.attrs["hotspot"]["study_area"]
    size = cells.attrs["hotspot"]["grid"]["cell_size"]
    if shape == "square":
        a, b, geoms = reference_square(area, size)
        names = ["row", "col"]
    else:
        a, b, geoms = reference_hex(area, size)
        names = ["hex_q", "hex_r"]
    assert len(cells) == len(geoms) > 0
    pd.testing.assert_index_equal(cells.index, pd.RangeIndex(len(geoms), name="cell_id"))
    assert list(cells.columns) == [*names, "geometry"]
    for name, expected in zip(names, (a, b), strict=True):
        assert cells[name].dtype == np.int64
        np.testing.assert_array_equal(cells[name].to_numpy(), expected)
    # Same vertices, in the same order, to the last bit (not merely equal shapes).
    assert shapely.equals_identical(cells.geometry.array, geoms).all()
    assert cells.attrs["hotspot"]["grid"]["n_cells"] == len(geoms)


def grid_over(area, shape, cell_size):
    make = hs.square_grid if shape == "square" else hs.hex_grid
    return make(gpd.GeoSeries([area], crs=CRS), cell_size, quiet=True)


# --- many areas: the same cells as the plain build ------------------------------------------


def random_polygon(rng, centre, scale, n=40):
    """A star-shaped polygon with random radii (random spikes and bays)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = scale * rng.uniform(0.2, 1.0, n)
    xy = np.column_stack([centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)])
    return shapely.make_valid(shapely.Polygon(xy))


def areas():
    """Named study areas in British National Grid metres, of different kinds."""
    x0, y0 = 400_000.0, 430_000.0
    ring = shapely.box(x0, y0, x0 + 30_000, y0 + 20_000)
    holes = [
        shapely.box(x0 + 3_000, y0 + 3_000, x0 + 9_000, y0 + 8_000).exterior.coords,
        shapely.Point(x0 + 20_000, y0 + 12_000).buffer(4_000).exterior.coords,
    ]
    islands = shapely.union_all(
        [
            shapely.Point(x0 + dx, y0 + dy).buffer(r)
            for dx, dy, r in [(0, 0, 3_000), (9_000, 2_000, 1_500), (4_000, 11_000, 2_200)]
        ]
    )
    diagonal = shapely.LineString([(x0, y0), (x0 + 40_000, y0 + 30_000)]).buffer(700)
    rng = np.random.default_rng(20261202)
    named = {
        "holes": shapely.Polygon(ring.exterior.coords, holes),
        "islands": islands,
        "thin diagonal strip": diagonal,
        # every edge on a 1 km (and 500 m, 250 m) grid line: cells outside only touch it
        "edges on cell lines": shapely.box(x0, y0, x0 + 17_000, y0 + 9_000),
        # an L whose inner corner, and a notch, sit on grid lines and vertices
        "L on cell lines": shapely.Polygon(
            [
                (x0, y0),
                (x0 + 12_000, y0),
                (x0 + 12_000, y0 + 4_000),
                (x0 + 5_000, y0 + 4_000),
                (x0 + 5_000, y0 + 15_000),
                (x0, y0 + 15_000),
            ]
        ),
        # two squares meeting at one vertex, on a grid vertex
        "touching squares": shapely.MultiPolygon(
            [
                shapely.box(x0, y0, x0 + 5_000, y0 + 5_000),
                shapely.box(x0 + 5_000, y0 + 5_000, x0 + 9_000, y0 + 9_000),
            ]
        ),
    }
    for seed in range(4):
        named[f"random {seed}"] = random_polygon(rng, (x0, y0), 12_000 + 4_000 * seed)
    return named


AREAS = areas()


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("cell_size", [1000, 250])
@pytest.mark.parametrize("name", list(AREAS))
def test_same_cells_as_the_plain_build(name, cell_size, shape):
    cells = grid_over(AREAS[name], shape, cell_size)
    assert_same_as_reference(cells, shape)


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize(("block", "leaf"), [(4, 1), (8, 2), (2, 2), (16, 16)])
def test_same_cells_with_any_block_sizes(monkeypatch, shape, block, leaf):
    """Tiny blocks and leaves put many block edges on the areas' own edges and corners."""
    monkeypatch.setattr(grid_cells, "BLOCK_CELLS", block)
    monkeypatch.setattr(grid_cells, "LEAF_CELLS", leaf)
    for name in ["holes", "islands", "edges on cell lines", "L on cell lines", "random 1"]:
        assert_same_as_reference(grid_over(AREAS[name], shape, 1000), shape)


def test_cells_only_touching_the_area_are_left_out():
    """Planted: a 17 km x 9 km box on 1 km lines keeps exactly its 153 cells, no neighbour."""
    cells = grid_over(AREAS["edges on cell lines"], "square", 1000)
    assert len(cells) == 17 * 9
    assert cells["col"].min() == 400 and cells["col"].max() == 416
    assert cells["row"].min() == 430 and cells["row"].max() == 438
    assert cells.geometry.area.sum() == AREAS["edges on cell lines"].area


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize(("block", "leaf"), [(256, 16), (4, 2)])
def test_an_area_made_of_cells_keeps_exactly_those_cells(monkeypatch, shape, block, leaf):
    """Planted: the union of some cells of a grid, every edge on cell edges; the grid over it
    keeps exactly those cells (their neighbours only touch it), in the plain build's order."""
    monkeypatch.setattr(grid_cells, "BLOCK_CELLS", block)
    monkeypatch.setattr(grid_cells, "LEAF_CELLS", leaf)
    full = grid_over(shapely.box(400_000, 430_000, 420_000, 445_000), shape, 500)
    rng = np.random.default_rng(7)
    chosen = np.sort(rng.choice(len(full), size=len(full) // 3, replace=False))
    area = shapely.union_all(full.geometry.array[chosen])
    cells = grid_over(area, shape, 500)
    names = list(full.columns[:2])
    kept = cells[names].to_numpy()
    np.testing.assert_array_equal(kept, full[names].to_numpy()[chosen])
    assert_same_as_reference(cells, shape)


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_random_polygons_with_small_blocks(monkeypatch, shape):
    monkeypatch.setattr(grid_cells, "BLOCK_CELLS", 8)
    monkeypatch.setattr(grid_cells, "LEAF_CELLS", 2)
    rng = np.random.default_rng(12)
    for _ in range(8):
        centre = rng.uniform(0, 1e6, 2)
        area = random_polygon(rng, centre, rng.uniform(2_000, 20_000), n=int(rng.integers(5, 80)))
        assert_same_as_reference(
            grid_over(area, shape, float(rng.choice([250, 333.3, 1000]))), shape
        )


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("cell_size", [500, 1000])
@pytest.mark.parametrize("study_area", ["footprint", "convex"])
@pytest.mark.parametrize("data", ["toronto", "west_yorkshire"])
def test_real_footprints_and_hulls(request, data, study_area, cell_size, shape):
    incidents = request.getfixturevalue(data)
    make = hs.square_grid if shape == "square" else hs.hex_grid
    cells = make(incidents, cell_size, study_area=study_area, quiet=True)
    assert_same_as_reference(cells, shape)


# --- the limits -------------------------------------------------------------------------------

# A band 40 km wide (east to west) along the diagonal of a 600 km x 600 km box of British
# National Grid: at 250 m the box has 2,401 x 2,401 = 5.76 million cells (its far edges lie
# on grid lines, and today's box counts the cells starting there), the band 46,400 km², about
# 0.75 million cells. SMALL_BAND is the same at a tenth of the size: 241 x 241 cells.
W = 40_000.0
BAND = shapely.Polygon(
    [(0, 0), (W, 0), (600_000, 600_000 - W), (600_000, 600_000), (600_000 - W, 600_000), (0, W)]
)
SMALL_BAND = shapely.affinity.scale(BAND, 0.1, 0.1, origin=(0, 0))
SMALL_BOX_CELLS = 241 * 241


def test_the_limit_is_on_the_cells_kept(monkeypatch):
    """A box over the limit whose area is within it is built, and equals the plain build."""
    band, box_cells = SMALL_BAND, SMALL_BOX_CELLS
    monkeypatch.setattr(grid_cells, "MAX_CELLS", box_cells // 2)  # box above, band below
    for shape in ("square", "hex"):
        cells = grid_over(band, shape, 250)
        assert box_cells // 2 > len(cells) > band.area / 250**2  # kept cells cover the band
        assert_same_as_reference(cells, shape)


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_too_many_cells_kept_are_refused(monkeypatch, shape):
    band = SMALL_BAND
    n = len(grid_over(band, shape, 250))
    monkeypatch.setattr(grid_cells, "MAX_CELLS", n - 1)
    with pytest.raises(
        hs.HotspotInputError,
        match=rf"{shape}_grid: a 250 m grid over this study area would have at least [\d,]+ "
        rf"cells \(limit {n - 1:,}\); use a larger cell_size",
    ):
        grid_over(band, shape, 250)
    monkeypatch.setattr(grid_cells, "MAX_CELLS", n)  # exactly at the limit: built
    assert len(grid_over(band, shape, 250)) == n


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_refused_while_scanning(monkeypatch, shape):
    """An area whose size alone is within the limit but whose cells are not (a ragged
    outline keeps many cells partly outside it) is refused on the way, not at the end."""
    zigzag = shapely.LineString(
        [(x, 1_000.0 * (i % 2)) for i, x in enumerate(np.arange(0.0, 100_000.0, 1_000.0))]
    ).buffer(10)
    monkeypatch.setattr(grid_cells, "BLOCK_CELLS", 8)  # many blocks: stop part way
    seen = []
    name = "_hexagons" if shape == "hex" else "_square_cells"
    real = getattr(grid_cells, name)

    def counting(a, b, size):
        seen.append(len(a))
        return real(a, b, size)

    monkeypatch.setattr(grid_cells, name, counting)
    n = len(grid_over(zigzag, shape, 250))
    made = sum(seen)  # the cells tested and then the cells kept, all made once each
    assert zigzag.area / 250**2 < n / 10  # most kept cells are mostly outside the area
    monkeypatch.setattr(grid_cells, "MAX_CELLS", n // 2)
    seen.clear()
    with pytest.raises(hs.HotspotInputError, match=r"would have at least [\d,]+ cells"):
        grid_over(zigzag, shape, 250)
    assert sum(seen) < 0.6 * made  # stopped about half way, before testing every cell


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_bounding_box_guard_refuses_at_once(shape):
    """1 m cells over a country: refused before any cell is made, with what to do."""
    country = shapely.box(0, 0, 600_000, 600_000)
    with pytest.raises(hs.HotspotInputError) as caught:
        grid_over(country, shape, 1)
    message = str(caught.value)
    assert message.startswith(f"{shape}_grid: the bounding box of this study area would hold ")
    held = int(message.split("would hold ")[1].split(" ")[0].replace(",", ""))
    assert 3.6e11 * (1 if shape == "square" else 2 / SQRT3) <= held <= 3.61e11 * 1.16
    assert f"limit {grid_cells.MAX_BOX_CELLS:,} for the box" in message
    assert "Use a larger cell_size (cell_size=" in message
    suggested = float(message.split("cell_size=")[1].split(" ")[0])
    # 250 m: the box passes (5.76 million squares) but the area alone is over 5 million cells
    # (squares or hexagons); 500 m, the next round size, passes both
    assert suggested == 500.0
    cell_area = 1.0 if shape == "square" else SQRT3 / 2
    assert country.area / (cell_area * 250**2) > grid_cells.MAX_CELLS
    assert country.area / (cell_area * 500**2) <= grid_cells.MAX_CELLS
    assert (600_000 / 500 + 4) ** 2 <= grid_cells.MAX_BOX_CELLS


def test_bounding_box_guard_counts_the_box_not_the_area(monkeypatch):
    """The band's box is refused by the guard even though the band itself would pass."""
    band = SMALL_BAND
    monkeypatch.setattr(grid_cells, "MAX_BOX_CELLS", SMALL_BOX_CELLS - 1)
    with pytest.raises(hs.HotspotInputError, match=r"would hold 58,081 cells of 250 m"):
        grid_over(band, "square", 250)
    monkeypatch.setattr(grid_cells, "MAX_BOX_CELLS", SMALL_BOX_CELLS)
    assert len(grid_over(band, "square", 250)) > 0


def test_the_area_alone_over_the_limit_is_refused_before_scanning(monkeypatch):
    """An area larger than MAX_CELLS cells is refused from its area, with that count."""
    monkeypatch.setattr(grid_cells, "MAX_CELLS", 1000)
    monkeypatch.setattr(grid_cells, "_kept_cells", None)  # never reached
    big = shapely.box(0, 0, 100_000, 100_000)  # 10,000 cells of 1 km, box too
    with pytest.raises(hs.HotspotInputError, match="would have at least 10,000 cells"):
        grid_over(big, "square", 1000)
    with pytest.raises(hs.HotspotInputError, match="would have at least 11,547 cells"):
        grid_over(big, "hex", 1000)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["square", "hex"])
def test_national_band_at_250_m(shape):
    """The real size: a 600 km box (5.76 million squares of 250 m), a band of ~0.75 million."""
    assert 2401 * 2401 > grid_cells.MAX_CELLS  # the box: refused before
    cells = grid_over(BAND, shape, 250)
    cell_area = 250**2 if shape == "square" else SQRT3 / 2 * 250**2
    assert BAND.area / cell_area < len(cells) < 1.02 * BAND.area / cell_area
    # the kept cells cover the band (their parts in it add up to it) and each shares area
    shared = shapely.area(shapely.intersection(cells.geometry.array, BAND))
    assert shared.sum() == pytest.approx(BAND.area, rel=1e-9)
    assert (shared > 0).all()
    assert not cells[list(cells.columns[:2])].duplicated().any()
