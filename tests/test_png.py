"""Slide images: the right kind of map for each result, in the folium maps' colours and labels,
a true scale bar, disclosure control before drawing, and the same bytes for the same input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgb
from PIL import Image

import hotspot as hs
from hotspot._result import method_of, stamp
from hotspot.disclosure import statement
from hotspot.errors import HotspotInputError
from hotspot.maps import png
from hotspot.maps._png_cells import cube_period
from hotspot.maps._png_frame import footer_lines
from hotspot.maps._png_surface import spread
from hotspot.maps._style import (
    CHAIN_COLOURS,
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    COUNT_COLOURS,
    DENSITY_CLASS_COLOURS,
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    SUPPRESSED_COLOUR,
    count_classes,
    density_classes,
    format_number,
)
from hotspot.places import place_labels

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


def all_text(fig) -> str:
    """Every word on the image: title, footer, legend, colour bar, names and numbers."""
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    legend = fig.axes[0].get_legend()
    if legend is not None:
        texts += [legend.get_title().get_text(), *legend_labels(fig)]
    texts += [ax.get_ylabel() for ax in fig.axes]
    return "\n".join([figure_text(fig), *texts])


def texts_with_gid(fig, gid: str) -> list:
    return [t for t in fig.axes[0].texts if t.get_gid() == gid]


def place_names(fig) -> list[str]:
    return [t.get_text() for t in texts_with_gid(fig, png.PLACE_LABEL_GID)]


def collections_with_face(fig, colour: str) -> list:
    """The map's polygon collections filled with ``colour``."""
    return [
        c
        for c in fig.axes[0].collections
        if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0][:3], to_rgb(colour))
    ]


def collections_with_edge(fig, colour: str) -> list:
    return [
        c
        for c in fig.axes[0].collections
        if len(c.get_edgecolor()) and np.allclose(c.get_edgecolor()[0][:3], to_rgb(colour))
    ]


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
    fig = png.figure(cells, figsize=FIGSIZE)
    width = map_width_m(fig)
    assert 60_000 < width < 250_000  # West Yorkshire in metres (British National Grid)
    assert scale_bar_label(fig) == png.length_label(png.nice_length(width))


def test_geographic_results_are_drawn_in_utm_metres(cells):
    projected = png.figure(cells, figsize=FIGSIZE)
    fig = png.figure(cells.to_crs(4326), figsize=FIGSIZE)
    assert map_width_m(fig) == pytest.approx(map_width_m(projected), rel=0.05)  # not degrees
    assert scale_bar_label(fig) == scale_bar_label(projected)


# --- each kind of result ----------------------------------------------------------------------


def test_counts(cells, tmp_path):
    pixels = render(cells, tmp_path / "counts.png", title="Crime, West Yorkshire")
    for colour in COUNT_COLOURS:
        assert near(pixels, colour) > ON_MAP, colour
    assert near(pixels, SUPPRESSED_COLOUR) == 0
    fig = png.figure(cells, title="Crime, West Yorkshire", figsize=FIGSIZE)
    _, labels = count_classes(cells["count"].to_numpy())
    assert legend_labels(fig) == [*labels, "Study area"]
    assert "Crime, West Yorkshire" in figure_text(fig)
    # the study area is outlined with a dark line above the cells (internal copy)
    (area,) = collections_with_edge(fig, png.STUDY_AREA_EDGE)
    assert area.get_zorder() > max(c.get_zorder() for c in fig.axes[0].collections if c is not area)
    # the footprint: one grey polygon per cell with incidents, under the counts
    (footprint,) = collections_with_face(fig, png.FOOTPRINT)
    assert len(footprint.get_paths()) == int((cells["count"] > 0).sum())
    assert footprint.get_zorder() < area.get_zorder()


def test_public_counts_show_suppressed_cells_in_grey(cells, tmp_path):
    pixels = render(cells, tmp_path / "public.png", public=True)
    assert near(pixels, SUPPRESSED_COLOUR) > ON_MAP
    fig = png.figure(cells, public=True, figsize=FIGSIZE)
    assert legend_labels(fig)[-1] == "fewer than 5"
    assert statement(5) in figure_text(fig).replace("\n", " ")
    # disclose() removed the study area (it may be the incidents' hull): no outline drawn
    assert not collections_with_edge(fig, png.STUDY_AREA_EDGE)
    # the footprint includes the cells whose count is hidden: they hold incidents
    (footprint,) = collections_with_face(fig, png.FOOTPRINT)
    assert len(footprint.get_paths()) == int((cells["count"] > 0).sum())
    # min_count is the public threshold
    fig = png.figure(cells, public=True, min_count=10, figsize=FIGSIZE)
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
    # not significant: the footprint's grey where the cells hold incidents, nothing elsewhere
    assert near(pixels, png.FOOTPRINT, tolerance=2) > ON_MAP
    for b in (-1, -2, -3):  # no cold spots anywhere, legend included
        assert near(pixels, GISTAR_COLOURS[b][0], solid=False) == 0
    fig = png.figure(gistar, figsize=FIGSIZE)
    order = [b for b in GISTAR_COLOURS if b != 0 and b in bins] + [0]
    assert legend_labels(fig) == [GISTAR_COLOURS[b][1] for b in order] + ["Study area"]
    handles = fig.axes[0].get_legend().legend_handles
    assert np.allclose(handles[len(order) - 1].get_facecolor()[:3], to_rgb(png.FOOTPRINT))
    (footprint,) = collections_with_face(fig, png.FOOTPRINT)
    assert len(footprint.get_paths()) == int((gistar["count"] > 0).sum())
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
    fig = png.figure(result, figsize=FIGSIZE)
    assert legend_labels(fig) == [
        label for key, (_, label) in LISA_COLOURS.items() if key in present
    ] + ["Study area"]


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
    fig = png.figure(result, figsize=FIGSIZE)
    assert legend_labels(fig) == [*patterns, "no pattern", "Study area"]
    # the footprint is the cells analysed (those with incidents); the others are not drawn
    (footprint,) = collections_with_face(fig, png.FOOTPRINT)
    analysed = result["emerging_category"].isin(list(EMERGING_COLOURS))
    assert len(footprint.get_paths()) == int(analysed.sum()) < len(result)


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
    fig = png.figure(summary, figsize=FIGSIZE)
    assert legend_labels(fig) == ["Convex hull", "Standard deviational ellipse (1 SD)"]
    assert (
        fig.axes[0].get_legend().get_title().get_text().startswith("Clusters (number = cluster id")
    )
    # a public copy has no hulls (they pass through incident locations): ellipses only
    pixels = render(summary, tmp_path / "clusters_public.png", public=True)
    assert near(pixels, hull_fill, solid=False) == 0
    assert near(pixels, CLUSTER_HULL, tolerance=40, solid=False) == 0
    assert near(pixels, CLUSTER_ELLIPSE, tolerance=8, solid=False) > ON_MAP / 2
    fig = png.figure(summary, public=True, figsize=FIGSIZE)
    assert legend_labels(fig) == ["Standard deviational ellipse (1 SD)"]


def test_clusters_are_numbered_with_the_ids_of_the_cluster_table(west_yorkshire):
    """The report's cluster table is the summary indexed by ``cluster``: each hull carries that
    number, at the cluster's mean centre; a public copy (no centre columns) at its ellipse's."""
    sample = west_yorkshire.iloc[::4]
    clustered = hs.cluster_incidents(sample, "hdbscan", min_cluster_size=50, quiet=True)
    summary = hs.cluster_summary(clustered)
    assert summary.index.name == "cluster"
    assert len(summary) > png.MAX_CLUSTER_NUMBERS  # so only the largest are numbered
    largest = summary.sort_values("n_incidents", ascending=False, kind="stable")
    fig = png.figure(summary, figsize=FIGSIZE)
    numbers = texts_with_gid(fig, png.CLUSTER_NUMBER_GID)
    shown = {int(t.get_text()): t.get_position() for t in numbers}
    assert set(shown) == set(largest.index[: png.MAX_CLUSTER_NUMBERS])
    for cluster, position in shown.items():
        np.testing.assert_allclose(position, summary.loc[cluster, ["centre_x", "centre_y"]])
    assert all(t.get_path_effects() for t in numbers)  # a white halo
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title == f"Clusters (number = cluster id, the {png.MAX_CLUSTER_NUMBERS} largest)"
    public = hs.maps.disclose(summary)
    fig = png.figure(summary, public=True, figsize=FIGSIZE)
    numbers = texts_with_gid(fig, png.CLUSTER_NUMBER_GID)
    top_public = public.sort_values("n_incidents", ascending=False, kind="stable").index
    assert {int(t.get_text()) for t in numbers} == set(top_public[: png.MAX_CLUSTER_NUMBERS])
    for t in numbers:
        kept = summary.loc[int(t.get_text()), ["centre_x", "centre_y"]].to_numpy(dtype=float)
        np.testing.assert_allclose(t.get_position(), kept, atol=1.0)


def test_near_repeat_chains(toronto, tmp_path):
    burglary = toronto[
        (toronto["category"] == "Break and Enter") & (toronto["time"].dt.year == 2019)
    ]
    chains = hs.near_repeat_chains(burglary, distance=100, days=7)
    pixels = render(chains, tmp_path / "chains.png")
    assert near(pixels, CHAIN_COLOURS[0], tolerance=8, solid=False) > ON_MAP  # pairs
    fig = png.figure(chains, figsize=FIGSIZE)
    assert legend_labels(fig)[0] == "2"
    with pytest.raises(HotspotInputError):
        hs.maps.to_png(chains, tmp_path / "public_chains.png", public=True)


def with_period(surface, period):
    """A copy of ``surface`` whose attrs carry ``period`` (None: no period at all)."""
    out = surface.copy()
    meta = {k: v for k, v in surface.attrs.get("hotspot", {}).items() if k != "period"}
    if period is not None:
        meta["period"] = period
    out.attrs = {**{k: v for k, v in surface.attrs.items() if k != "period"}, "hotspot": meta}
    return out


def test_density_surface(west_yorkshire, tmp_path):
    surface = with_period(hs.kde(west_yorkshire, bandwidth=1500, cell_size=500, quiet=True), None)
    pixels = render(surface, tmp_path / "kde.png")
    assert near(pixels, DENSITY_CLASS_COLOURS[0], tolerance=6) > 10 * ON_MAP  # low densities
    assert near(pixels, DENSITY_CLASS_COLOURS[-1], tolerance=10, solid=False) > 0  # peak, bar
    assert (pixels == 255).all(axis=-1).mean() > 0.3  # transparent where there is no density
    fig = png.figure(surface, figsize=FIGSIZE)
    # without a period the unit says the density is over the whole period
    assert fig.axes[1].get_ylabel() == "incidents per km² (whole period)"
    assert "Kernel density" in figure_text(fig)
    # drawn on the surface's own grid: at or below 1 % of the maximum and NaN transparent
    values = surface.to_numpy()
    (image,) = fig.axes[0].images
    drawn = ~np.ma.getmaskarray(image.get_array())
    np.testing.assert_array_equal(drawn, values > 0.01 * np.nanmax(values))
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
    public = png.figure(surface, public=True, min_count=200, figsize=FIGSIZE)
    shown = ~np.ma.getmaskarray(public.axes[0].images[0].get_array())
    assert 0 < shown.sum() < drawn.sum() and not (shown & ~drawn).any()
    assert statement(200) in figure_text(public).replace("\n", " ")


def test_density_classes_are_head_tail_breaks_per_km2_per_year(west_yorkshire):
    """Each pixel has the colour of its head/tail class; the bar's ticks are the class edges
    in incidents per km² per year (× 365.25 / days of the period), one equal box per class."""
    raw = hs.kde(west_yorkshire, bandwidth=1500, cell_size=500, quiet=True)
    surface = with_period(
        raw, {"start": "2016-07-01", "end": "2018-07-31", "label": "x", "days": 93}
    )
    values = surface.to_numpy()
    classes, edges = density_classes(values, 0.01 * np.nanmax(values))
    assert 4 <= len(edges) <= len(DENSITY_CLASS_COLOURS) + 1
    fig = png.figure(surface, figsize=FIGSIZE)
    colourbar = fig.axes[1]
    assert colourbar.get_ylabel() == "incidents per km² per year"
    per_year = 365.25 / 93
    np.testing.assert_allclose(colourbar.get_yticks(), edges * per_year)
    assert [t.get_text() for t in colourbar.get_yticklabels()] == [
        format_number(e * per_year) for e in edges
    ]
    (image,) = fig.axes[0].images
    np.testing.assert_allclose(
        image.get_array().filled(np.nan), np.where(classes >= 0, values * per_year, np.nan)
    )
    # the colour of each drawn pixel is its class's colour (rows turned over: top first)
    rgba = image.to_rgba(image.get_array())
    palette = [DENSITY_CLASS_COLOURS[i] for i in spread(len(edges) - 1, 6)]
    expected = np.array([to_rgb(c) for c in palette])
    flipped = classes[::-1] if surface.attrs["transform"][4] > 0 else classes
    shown = flipped >= 0
    np.testing.assert_allclose(rgba[shown][:, :3], expected[flipped[shown]], atol=1e-6)
    assert (rgba[~shown][:, 3] == 0).all()


def test_cube_is_drawn_as_cell_totals(cube, tmp_path):
    pixels = render(cube, tmp_path / "cube.png")
    assert near(pixels, COUNT_COLOURS[-1]) > ON_MAP
    fig = png.figure(cube, figsize=FIGSIZE)
    _, labels = count_classes(cube.cell_totals()["count"].to_numpy())
    assert legend_labels(fig) == [*labels, "Study area"]
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title.startswith("Incidents per cell, total of 25 monthly bins\n2016-07")
    assert "2018-07" in title and "per month" not in all_text(fig)
    # public: a cell with any hidden bin has no exact total and is drawn suppressed
    pixels = render(cube, tmp_path / "cube_public.png", public=True)
    assert near(pixels, SUPPRESSED_COLOUR) > ON_MAP
    fig = png.figure(cube, public=True, figsize=FIGSIZE)
    assert legend_labels(fig)[-1] == "fewer than 5 in some bins"


def test_weekly_cube_says_it_is_a_total_of_its_bins(toronto):
    cube = hs.space_time_cube(
        toronto,
        hs.square_grid(toronto, 2000, quiet=True),
        "W",
        start="2020-01-01",
        end="2021-12-31",
        quiet=True,
    )
    assert len(cube.bins) == 105
    fig = png.figure(cube, figsize=FIGSIZE)
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title.startswith("Incidents per cell, total of 105 weekly bins\n2019-12-30 to ")
    assert "(105 weeks)" not in title  # the stamped label's count is not repeated
    assert "per week" not in all_text(fig)


@pytest.mark.parametrize(
    ("freq", "n", "expected"),
    [
        ("W", 105, "105 weekly bins"),
        ("MS", 25, "25 monthly bins"),
        ("D", 1, "1 daily bin"),
        ("2W", 26, "26 2-week bins"),
        ("QS", 8, "8 quarterly bins"),
        ("15min", 4, "4 bins of 15min"),
    ],
)
def test_bin_words(freq, n, expected):
    assert png.bin_words(freq, n) == expected


def test_cube_period_without_a_stamp_comes_from_its_bins(cube):
    import dataclasses

    attrs = {k: v for k, v in cube.attrs.items() if k != "period"}
    bare = dataclasses.replace(cube, attrs=attrs)
    assert cube_period(bare) == "2016-07 to 2018-07"


# --- where the map is: place names, footprint, context ---------------------------------------


@pytest.fixture(scope="module")
def gistar_1km(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    return hs.gistar(cells, permutations=99, rng=0, quiet=True)


DISTRICTS = {"Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"}


def label_boxes(fig, gid=png.PLACE_LABEL_GID):
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts_with_gid(fig, gid)]


def assert_no_overlaps(boxes):
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


def test_west_yorkshire_gistar_names_its_districts_without_overlaps(gistar_1km):
    fig = png.figure(gistar_1km, figsize=(8, 8), dpi=150)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert DISTRICTS <= texts
    names = place_names(fig)
    assert len(names) == len(set(names))
    boxes = label_boxes(fig)
    assert_no_overlaps(boxes)
    renderer = fig.canvas.get_renderer()
    frame = fig.axes[0].get_window_extent(renderer)
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    for box in boxes:  # inside the map, clear of the legend
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        assert not box.overlaps(legend)
    # above the cells, with a white halo; the busiest districts larger and bold
    labels = texts_with_gid(fig, png.PLACE_LABEL_GID)
    assert min(t.get_zorder() for t in labels) > max(
        c.get_zorder() for c in fig.axes[0].collections
    )
    assert all(t.get_path_effects() for t in labels)
    leeds = next(t for t in labels if t.get_text() == "Leeds")
    assert leeds.get_fontweight() == "bold"


def test_names_are_thinned_for_the_figure_size(gistar_1km):
    """A small image keeps fewer names (the busiest) than a large one, never overlapping."""
    small = png.figure(gistar_1km, figsize=(4, 4), dpi=100)
    large = png.figure(gistar_1km, figsize=(12, 12), dpi=100)
    assert_no_overlaps(label_boxes(small))
    assert_no_overlaps(label_boxes(large))
    assert len(place_names(small)) < len(place_names(large))
    order = [r["name"] for r in gistar_1km.attrs["hotspot"]["places"]]
    assert place_names(small) == [n for n in order if n in place_names(small)]


def test_labels_argument(west_yorkshire, gistar):
    assert place_names(png.figure(gistar, figsize=FIGSIZE, labels=False)) == []
    # own labels, in another CRS: reprojected to the map's
    own = place_labels(west_yorkshire).head(3).to_crs(4326)
    fig = png.figure(gistar, figsize=FIGSIZE, labels=own)
    labels = texts_with_gid(fig, png.PLACE_LABEL_GID)
    assert [t.get_text() for t in labels] == ["Leeds", "Bradford", "Kirklees"]
    expected = place_labels(west_yorkshire).head(3).geometry.get_coordinates().to_numpy()
    np.testing.assert_allclose([t.get_position() for t in labels], expected, atol=0.01)
    # polygons are named at a point inside them
    areas = own.to_crs(27700).buffer(2000).to_frame("geometry").assign(name=own["name"])
    assert place_names(png.figure(gistar, figsize=FIGSIZE, labels=areas)) == [
        "Leeds",
        "Bradford",
        "Kirklees",
    ]
    with pytest.raises(HotspotInputError, match="to_png: labels="):
        png.figure(gistar, labels=["Leeds"])
    with pytest.raises(HotspotInputError, match="'name'"):
        png.figure(gistar, labels=own.rename(columns={"name": "area"}))


def test_names_keep_clear_of_cluster_numbers(west_yorkshire):
    sample = west_yorkshire.iloc[::4]
    clustered = hs.cluster_incidents(sample, "hdbscan", min_cluster_size=50, quiet=True)
    summary = hs.cluster_summary(clustered)
    fig = png.figure(summary, figsize=FIGSIZE, labels=place_labels(sample))
    names = label_boxes(fig)
    numbers = label_boxes(fig, png.CLUSTER_NUMBER_GID)
    assert names and len(numbers) == min(len(summary), png.MAX_CLUSTER_NUMBERS)
    assert not any(a.overlaps(b) for a in names for b in numbers)


def test_public_images_name_only_areas_with_enough_incidents(gistar):
    places = {r["name"]: r["n"] for r in gistar.attrs["hotspot"]["places"]}
    assert any(n < 5 for n in places.values())  # the data this test relies on (Pendle: 1)
    internal = place_names(png.figure(gistar, figsize=(12, 12)))
    public = place_names(png.figure(gistar, public=True, figsize=(12, 12)))
    assert DISTRICTS <= set(public)
    assert all(places[n] >= 5 for n in public)
    assert any(places[n] < 5 for n in internal)
    public10 = place_names(png.figure(gistar, public=True, min_count=10, figsize=(12, 12)))
    assert all(places[n] >= 10 for n in public10)


def test_context_layers_are_drawn_under_the_result_and_reprojected(gistar):
    import geopandas as gpd
    import shapely

    plain = png.figure(gistar, figsize=FIGSIZE)
    # a "force boundary" (polygon) in lon/lat and a "road" (line) far longer than the map
    force = gpd.GeoDataFrame(
        geometry=[shapely.box(*gistar.to_crs(4326).total_bounds).buffer(0.01)], crs=4326
    )
    road = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(300_000, 430_000), (600_000, 430_000)])], crs=27700
    )
    fig = png.figure(gistar, figsize=FIGSIZE, context=[force, road])
    ax = fig.axes[0]
    assert ax.get_xlim() == plain.axes[0].get_xlim()  # context does not widen the view
    context = collections_with_edge(fig, png.CONTEXT_LINE)
    assert len(context) == 2
    result = max(c.get_zorder() for c in ax.collections if c not in context)
    assert all(c.get_zorder() < result for c in context)
    # the polygon is drawn in the map's CRS (metres), not in degrees
    (outline,) = [
        c for c in context if hasattr(c, "get_paths") and c.get_paths()[0].codes is not None
    ]
    x0, y0, x1, y1 = gistar.total_bounds
    extent = outline.get_paths()[0].get_extents()
    assert extent.x0 < x0 and extent.x1 > x1 and extent.y0 < y0 and extent.y1 > y1
    assert extent.x0 > x0 - 5000
    # one GeoDataFrame is a list of one
    assert (
        len(
            collections_with_edge(
                png.figure(gistar, figsize=FIGSIZE, context=road), png.CONTEXT_LINE
            )
        )
        == 1
    )
    with pytest.raises(HotspotInputError, match="to_png: context="):
        png.figure(gistar, context="roads.gpkg")
    with pytest.raises(HotspotInputError, match="no CRS"):
        png.figure(gistar, context=road.set_crs(None, allow_override=True))


# --- files, determinism, errors ---------------------------------------------------------------


def test_same_input_same_bytes_and_parent_folders(gistar, tmp_path):
    first = hs.maps.to_png(gistar, tmp_path / "a" / "b" / "one.png", title="Hot spots", dpi=DPI)
    second = hs.maps.to_png(gistar, tmp_path / "two.png", title="Hot spots", dpi=DPI)
    assert isinstance(first, Path) and first.exists()
    assert first.read_bytes() == second.read_bytes()
    assert b"Generated" not in first.read_bytes()
    assert Image.open(first).size == (8 * DPI, 8 * DPI)  # the default figsize


def test_unknown_results_are_refused(west_yorkshire, cells, tmp_path):
    with pytest.raises(HotspotInputError, match=r"to_png: .*count_incidents"):
        hs.maps.to_png(west_yorkshire, tmp_path / "points.png")
    with pytest.raises(HotspotInputError, match="DataFrame"):
        hs.maps.to_png(cells.drop(columns="geometry"), tmp_path / "frame.png")
    with pytest.raises(HotspotInputError, match="CRS"):
        hs.maps.to_png(cells.set_crs(None, allow_override=True), tmp_path / "nocrs.png")


# --- the drawing is chosen by the method that made the result --------------------------------


def test_the_drawing_follows_the_stamped_method_not_the_columns(cells, gistar):
    # a Gi* result holds counts too: it is drawn as Gi* because gistar made it
    assert method_of(gistar) == "gistar"
    legend = png.figure(gistar, figsize=FIGSIZE).axes[0].get_legend().get_title().get_text()
    assert legend.startswith("Gi* hot spots")
    # the same columns stamped as counts are drawn as counts
    as_counts = stamp(gistar.copy(), kind="cells", method="count_incidents", params={})
    fig = png.figure(as_counts, figsize=FIGSIZE)
    assert fig.axes[0].get_legend().get_title().get_text() == "Incidents per cell"
    # and kind= draws a result as another map without touching it
    before = dict(gistar.attrs)
    fig = png.figure(gistar, figsize=FIGSIZE, kind="counts")
    assert fig.axes[0].get_legend().get_title().get_text() == "Incidents per cell"
    assert gistar.attrs == before


def test_a_frame_without_a_method_is_refused_unless_kind_says_what_it_is(cells, tmp_path):
    plain = cells.copy()
    plain.attrs = {}
    with pytest.raises(HotspotInputError) as caught:
        hs.maps.to_png(plain, tmp_path / "plain.png")
    message = str(caught.value)
    assert message.startswith("to_png: ")
    assert "attrs['hotspot']['method']" in message and "kind=" in message
    assert not (tmp_path / "plain.png").exists()
    with pytest.raises(HotspotInputError, match="to_png: kind='heat' is not one of"):
        hs.maps.to_png(plain, tmp_path / "plain.png", kind="heat")
    out = hs.maps.to_png(plain, tmp_path / "plain.png", kind="counts", public=True, dpi=DPI)
    assert out.exists()
    assert plain.attrs == {}  # the caller's frame is left as it was


def test_a_density_on_cells_is_drawn_in_density_classes(west_yorkshire, cells):
    dense = hs.kde(west_yorkshire, cells=cells, bandwidth=4000, quiet=True)
    fig = png.figure(dense, figsize=FIGSIZE)
    assert fig.axes[0].get_legend().get_title().get_text() == "Density (incidents per km²)"
    labels = legend_labels(fig)[:-1]  # the classes, then the study area
    assert labels and all("–" in label for label in labels)
    # a public copy shows only cells above what min_count − 1 incidents can make
    public = hs.maps.disclose(dense)
    floor = public.attrs["hotspot"]["disclosure"]["floor"]
    assert (public["kde_density"].dropna() > floor).all()
    assert public["kde_density"].isna().sum() == int((dense["kde_density"] <= floor).sum())
    png.figure(dense, public=True, figsize=FIGSIZE)


def test_the_footer_names_the_method_and_the_version(gistar):
    from hotspot._version import __version__

    lines = " ".join(footer_lines(gistar, False, 200))
    assert "Method: Getis–Ord Gi*" in lines and f"hotspot {__version__}" in lines
