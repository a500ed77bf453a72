"""Slide images: the right kind of map for each result, in the folium maps' colours and labels,
a true scale bar, disclosure control before drawing, and the same bytes for the same input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from PIL import Image

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.maps import png
from hotspot.maps._style import (
    CHAIN_COLOURS,
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    COUNT_COLOURS,
    DENSITY_PALETTE,
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    SUPPRESSED_COLOUR,
    count_classes,
)
from hotspot.maps.disclosure import statement

DPI = 80
FIGSIZE = (8, 6)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- helpers --------------------------------------------------------------------------------


def render(result, path: Path, **kwargs) -> np.ndarray:
    """Write ``result`` with :func:`to_png`, check the file is a PNG of the expected size and
    not blank, and return its RGB pixels."""
    out = hs.maps.to_png(result, path, dpi=DPI, figsize=FIGSIZE, **kwargs)
    assert out == Path(path) and out.read_bytes()[:8] == PNG_SIGNATURE
    image = Image.open(out)
    assert image.size == (FIGSIZE[0] * DPI, FIGSIZE[1] * DPI)
    pixels = np.asarray(image.convert("RGB"))
    assert distinct_colours(pixels) > 50  # a map, not an empty canvas
    return pixels


def distinct_colours(pixels: np.ndarray) -> int:
    return len(np.unique(pixels.reshape(-1, 3), axis=0))


def near(pixels: np.ndarray, colour: str, tolerance: float = 4.0, *, solid: bool = True) -> int:
    """Pixels within ``tolerance`` (RGB distance, 0–255) of ``colour``; with ``solid``, only
    those whose four neighbours are too: areas filled with the colour, not the antialiased
    fringe of a line in another colour (a grey outline passes through every grey)."""
    target = np.array(to_rgb(colour)) * 255
    distance = np.sqrt(((pixels.astype(float) - target) ** 2).sum(axis=-1))
    match = distance <= tolerance
    if solid:
        inner = match[1:-1, 1:-1].copy()
        for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
            inner &= match[dy : dy + match.shape[0] - 2, dx : dx + match.shape[1] - 2]
        match = inner
    return int(match.sum())


def legend_labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def figure_text(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def scale_bar_label(fig) -> str:
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    (bar,) = [a for a in fig.axes[0].artists if isinstance(a, AnchoredSizeBar)]
    return bar.txt_label.get_text()


def map_width_m(fig) -> float:
    x0, x1 = fig.axes[0].get_xlim()
    return x1 - x0


# A legend swatch at this resolution is about 18 × 6 pixels: a colour seen on this many pixels
# is on the map, not only in the legend.
ON_MAP = 400


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cells(west_yorkshire):
    return hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )


@pytest.fixture(scope="module")
def gistar(cells):
    return hs.gistar(cells, weights="queen", permutations=0, quiet=True)


@pytest.fixture(scope="module")
def cube(west_yorkshire):
    grid = hs.hex_grid(west_yorkshire, 3000, quiet=True)
    return hs.space_time_cube(west_yorkshire, grid, "MS", quiet=True)


# --- the scale bar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "expected"),
    [(43_000, 10_000), (1_200, 200), (100_000, 20_000), (25_000, 5_000), (3_100, 500), (9, 2)],
)
def test_nice_length_is_a_round_fifth_of_the_width(width, expected):
    length = png.nice_length(width)
    assert length == expected
    assert 0.1 < length / width < 0.35


@pytest.mark.parametrize("width", [0, -5, float("nan")])
def test_nice_length_refuses_no_width(width):
    with pytest.raises(ValueError, match="positive"):
        png.nice_length(width)


def test_length_label():
    assert [png.length_label(v) for v in (200.0, 1000.0, 10_000.0, 5.0)] == [
        "200 m",
        "1 km",
        "10 km",
        "5 m",
    ]


def test_scale_bar_matches_the_drawn_width(cells):
    fig = png._figure(cells, figsize=FIGSIZE)
    width = map_width_m(fig)
    assert 60_000 < width < 250_000  # West Yorkshire in metres (British National Grid)
    assert scale_bar_label(fig) == png.length_label(png.nice_length(width))


def test_geographic_results_are_drawn_in_utm_metres(cells):
    projected = png._figure(cells, figsize=FIGSIZE)
    fig = png._figure(cells.to_crs(4326), figsize=FIGSIZE)
    assert map_width_m(fig) == pytest.approx(map_width_m(projected), rel=0.05)  # not degrees
    assert scale_bar_label(fig) == scale_bar_label(projected)


# --- each kind of result ----------------------------------------------------------------------


def test_counts(cells, tmp_path):
    pixels = render(cells, tmp_path / "counts.png", title="Crime, West Yorkshire")
    for colour in COUNT_COLOURS:
        assert near(pixels, colour) > ON_MAP, colour
    assert near(pixels, SUPPRESSED_COLOUR) == 0
    fig = png._figure(cells, title="Crime, West Yorkshire", figsize=FIGSIZE)
    _, labels = count_classes(cells["count"].to_numpy())
    assert legend_labels(fig) == labels
    assert "Crime, West Yorkshire" in figure_text(fig)
    # the study area is outlined (internal copy)
    edges = [c.get_edgecolor() for c in fig.axes[0].collections]
    assert any(np.allclose(e[0][:3], to_rgb(png.STUDY_AREA_EDGE)) for e in edges if len(e))


def test_public_counts_show_suppressed_cells_in_grey(cells, tmp_path):
    pixels = render(cells, tmp_path / "public.png", public=True)
    assert near(pixels, SUPPRESSED_COLOUR) > ON_MAP
    fig = png._figure(cells, public=True, figsize=FIGSIZE)
    assert legend_labels(fig)[-1] == "fewer than 5"
    assert statement(5) in figure_text(fig).replace("\n", " ")
    # disclose() removed the study area (it may be the incidents' hull): no outline drawn
    edges = [c.get_edgecolor() for c in fig.axes[0].collections]
    assert not any(np.allclose(e[0][:3], to_rgb(png.STUDY_AREA_EDGE)) for e in edges if len(e))
    # min_count is the public threshold
    fig = png._figure(cells, public=True, min_count=10, figsize=FIGSIZE)
    assert legend_labels(fig)[-1] == "fewer than 10"


def test_public_refuses_incidents_and_min_count_needs_public(west_yorkshire, cells, tmp_path):
    with pytest.raises(HotspotInputError, match="incident-level"):
        hs.maps.to_png(west_yorkshire, tmp_path / "points.png", public=True)
    assert not (tmp_path / "points.png").exists()
    with pytest.raises(HotspotInputError, match="min_count"):
        hs.maps.to_png(cells, tmp_path / "x.png", min_count=10)


def test_gistar(gistar, tmp_path):
    pixels = render(gistar, tmp_path / "gistar.png")
    bins = set(gistar["gistar_bin"].astype(int))
    assert 3 in bins and not bins & {-1, -2, -3}  # the data this test relies on
    assert near(pixels, GISTAR_COLOURS[3][0]) > ON_MAP
    assert near(pixels, GISTAR_COLOURS[0][0], tolerance=2) > ON_MAP  # not significant: pale
    for b in (-1, -2, -3):  # no cold spots anywhere, legend included
        assert near(pixels, GISTAR_COLOURS[b][0], solid=False) == 0
    fig = png._figure(gistar, figsize=FIGSIZE)
    order = [b for b in GISTAR_COLOURS if b != 0 and b in bins] + [0]
    assert legend_labels(fig) == [GISTAR_COLOURS[b][1] for b in order]
    assert legend_labels(fig)[0] == "Hot spot, 99 % confidence"
    assert fig.axes[0].get_legend().get_title().get_text() == "Gi* hot spots (FDR-corrected)"
    assert "Getis–Ord Gi*" in figure_text(fig)


def test_lisa(cells, tmp_path):
    result = hs.lisa(cells, permutations=99, rng=0, quiet=True)
    pixels = render(result, tmp_path / "lisa.png")
    present = set(result["lisa_cluster"])
    for key, (colour, _) in LISA_COLOURS.items():
        if key == "not significant":
            continue
        if key in present and (result["lisa_cluster"] == key).sum() >= 5:
            assert near(pixels, colour) > ON_MAP, key
        elif key not in present:
            assert near(pixels, colour, solid=False) == 0, key
    fig = png._figure(result, figsize=FIGSIZE)
    assert legend_labels(fig) == [
        label for key, (_, label) in LISA_COLOURS.items() if key in present
    ]


def test_emerging(toronto, tmp_path):
    cube = hs.space_time_cube(
        toronto,
        hs.square_grid(toronto, 1000, quiet=True),
        "MS",
        start="2019-01",
        end="2021-12",
        quiet=True,
    )
    result = hs.emerging_hotspots(cube, quiet=True)
    pixels = render(result, tmp_path / "emerging.png")
    counts = result["emerging_category"].value_counts()
    patterns = [c for c in EMERGING_COLOURS if c in counts and c != "no pattern"]
    assert patterns
    for category in patterns:
        assert near(pixels, EMERGING_COLOURS[category]) > 20 * counts[category], category
    for category in set(EMERGING_COLOURS) - set(counts.index):
        assert near(pixels, EMERGING_COLOURS[category], solid=False) == 0, category
    fig = png._figure(result, figsize=FIGSIZE)
    assert legend_labels(fig) == [*patterns, "no pattern"]


def test_cluster_summary_hulls_and_ellipses(west_yorkshire, tmp_path):
    sample = west_yorkshire.iloc[::4]
    clustered = hs.cluster_incidents(sample, "hdbscan", min_cluster_size=50, quiet=True)
    summary = hs.cluster_summary(clustered)
    # hulls filled at a quarter opacity on white, outlined; ellipses outlined only
    hull_fill = to_hex(np.array(to_rgb(CLUSTER_HULL)) * 0.25 + 0.75)
    pixels = render(summary, tmp_path / "clusters.png")
    assert near(pixels, hull_fill) > 10 * ON_MAP
    assert near(pixels, CLUSTER_HULL, tolerance=8, solid=False) > ON_MAP
    assert near(pixels, CLUSTER_ELLIPSE, tolerance=8, solid=False) > ON_MAP
    fig = png._figure(summary, figsize=FIGSIZE)
    assert legend_labels(fig) == ["Convex hull", "Standard deviational ellipse (1 SD)"]
    # a public copy has no hulls (they pass through incident locations): ellipses only
    pixels = render(summary, tmp_path / "clusters_public.png", public=True)
    assert near(pixels, hull_fill, solid=False) == 0
    assert near(pixels, CLUSTER_HULL, tolerance=40, solid=False) == 0
    assert near(pixels, CLUSTER_ELLIPSE, tolerance=8, solid=False) > ON_MAP / 2
    fig = png._figure(summary, public=True, figsize=FIGSIZE)
    assert legend_labels(fig) == ["Standard deviational ellipse (1 SD)"]


def test_near_repeat_chains(toronto, tmp_path):
    burglary = toronto[
        (toronto["category"] == "Break and Enter") & (toronto["time"].dt.year == 2019)
    ]
    chains = hs.near_repeat_chains(burglary, distance=100, days=7)
    pixels = render(chains, tmp_path / "chains.png")
    assert near(pixels, CHAIN_COLOURS[0], tolerance=8, solid=False) > ON_MAP  # pairs
    fig = png._figure(chains, figsize=FIGSIZE)
    assert legend_labels(fig)[0] == "2"
    with pytest.raises(HotspotInputError):
        hs.maps.to_png(chains, tmp_path / "public_chains.png", public=True)


def test_density_surface(west_yorkshire, tmp_path):
    surface = hs.kde(west_yorkshire, bandwidth=1500, cell_size=500, quiet=True)
    pixels = render(surface, tmp_path / "kde.png")
    assert near(pixels, DENSITY_PALETTE[0], tolerance=6) > 10 * ON_MAP  # the low densities
    assert near(pixels, DENSITY_PALETTE[-1], tolerance=10, solid=False) > 0  # peak, colour bar
    assert (pixels == 255).all(axis=-1).mean() > 0.3  # transparent where there is no density
    fig = png._figure(surface, figsize=FIGSIZE)
    assert fig.axes[1].get_ylabel() == f"density ({surface.attrs['units']})"
    assert "Kernel density" in figure_text(fig)
    # drawn on the surface's own grid: below 1 % of the maximum and NaN transparent
    values = surface.to_numpy()
    (image,) = fig.axes[0].images
    drawn = ~np.ma.getmaskarray(image.get_array())
    np.testing.assert_array_equal(drawn, values >= 0.01 * np.nanmax(values))
    transform = surface.attrs["transform"]
    assert image.get_extent() == pytest.approx(
        [
            transform[2],
            transform[2] + transform[0] * values.shape[1],
            transform[5] + transform[4] * values.shape[0],
            transform[5],
        ]
    )
    # public: disclose() hides what fewer than min_count incidents could make, before drawing
    # (with min_count=200 that floor is above 1 % of the maximum)
    public = png._figure(surface, public=True, min_count=200, figsize=FIGSIZE)
    shown = ~np.ma.getmaskarray(public.axes[0].images[0].get_array())
    assert 0 < shown.sum() < drawn.sum() and not (shown & ~drawn).any()
    assert statement(200) in figure_text(public).replace("\n", " ")


def test_cube_is_drawn_as_cell_totals(cube, tmp_path):
    pixels = render(cube, tmp_path / "cube.png")
    assert near(pixels, COUNT_COLOURS[-1]) > ON_MAP
    fig = png._figure(cube, figsize=FIGSIZE)
    _, labels = count_classes(cube.cell_totals()["count"].to_numpy())
    assert legend_labels(fig) == labels
    assert fig.axes[0].get_legend().get_title().get_text() == (
        "Incidents per cell, 2016-07 to 2018-07"
    )
    # public: a cell with any hidden bin has no exact total and is drawn suppressed
    pixels = render(cube, tmp_path / "cube_public.png", public=True)
    assert near(pixels, SUPPRESSED_COLOUR) > ON_MAP
    fig = png._figure(cube, public=True, figsize=FIGSIZE)
    assert legend_labels(fig)[-1] == "fewer than 5 in some bins"


# --- files, determinism, errors ---------------------------------------------------------------


def test_same_input_same_bytes_and_parent_folders(gistar, tmp_path):
    first = hs.maps.to_png(gistar, tmp_path / "a" / "b" / "one.png", title="Hot spots", dpi=DPI)
    second = hs.maps.to_png(gistar, tmp_path / "two.png", title="Hot spots", dpi=DPI)
    assert isinstance(first, Path) and first.exists()
    assert first.read_bytes() == second.read_bytes()
    assert b"Generated" not in first.read_bytes()
    assert Image.open(first).size == (8 * DPI, 8 * DPI)  # the default figsize


def test_unknown_results_are_refused(west_yorkshire, cells, tmp_path):
    with pytest.raises(TypeError, match="none of the columns"):
        hs.maps.to_png(west_yorkshire, tmp_path / "points.png")
    with pytest.raises(TypeError, match="DataFrame"):
        hs.maps.to_png(cells.drop(columns="geometry"), tmp_path / "frame.png")
    with pytest.raises(HotspotInputError, match="CRS"):
        hs.maps.to_png(cells.set_crs(None, allow_override=True), tmp_path / "nocrs.png")
