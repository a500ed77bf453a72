"""Exported maps in a real browser: Debian's chromium driven by Playwright, with no network.

Every map is exported with ``offline=True`` and opened from its file:// URL in a context that
is offline and aborts every request that is not file: or data:. The tests read what the reader
would see: console errors, the canvas pixels Leaflet drew, the legend, tooltips, the timeline
slider, and that hostile strings render as text. A missing chromium fails (never skips) with
the command that installs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from browser import (
    IMAGE_PIXELS,
    LazyBrowser,
    MapPage,
    coloured_pixels,
    open_map,
    overlapping,
    pane_canvases,
    pixels_of,
    screenshot_stats,
    tooltip_rows,
    tooltip_sentence,
)

import hotspot as hs
from hotspot.maps._layers import FOOTPRINT_STYLE, STUDY_AREA_STYLE
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
    chain_class,
    chain_labels,
    class_labels,
    count_classes,
    density_classes,
)
from hotspot.maps.timeline import bin_label

# a real chromium: `make test` runs them, `make test-fast` does not
pytestmark = pytest.mark.slow

PAYLOADS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "</textarea><img src=x onerror=alert(1)>",
]
ALL_PAYLOADS = "".join(PAYLOADS)


@pytest.fixture(scope="module")
def browser() -> Iterator[LazyBrowser]:
    lazy = LazyBrowser()
    yield lazy
    lazy.close()


# --- the exports ----------------------------------------------------------------------------


@dataclass
class Export:
    """An exported map and what a reader must see on it."""

    path: Path
    legend: list[str]  # texts the legend shows
    colours: list[str]  # fill or stroke colours that must be on the canvas
    layer: str = "canvas"  # or "image" (the density overlay)
    tooltip: list[str] = field(default_factory=list)  # field names in the tooltip
    hover: list[int] | None = None  # cell indices to hover, best first
    expect: Callable[[int], dict[str, str]] | None = None  # tooltip rows of cell i
    sentence: Callable[[int], str] | None = None  # how the tooltip of cell i begins


class Exports:
    """Each map kind exported once per module, on first use."""

    def __init__(self, directory: Path, west_yorkshire: Any, toronto: Any) -> None:
        self.dir, self.wy, self.toronto = directory, west_yorkshire, toronto
        self._done: dict[str, Export] = {}

    def __getitem__(self, kind: str) -> Export:
        if kind not in self._done:
            self._done[kind] = getattr(self, f"_{kind}")()
        return self._done[kind]

    def export(self, result: Any, name: str, **kwargs: Any) -> Path:
        return hs.maps.export_map(result, self.dir / f"{name}.html", offline=True, **kwargs)

    def wy_cells(self) -> gpd.GeoDataFrame:
        if "cells" not in self.__dict__:
            self.cells = hs.count_incidents(
                self.wy, hs.hex_grid(self.wy, 3000, quiet=True), quiet=True
            )
        return self.cells

    def _counts(self) -> Export:
        cells = self.wy_cells()
        shown = cells[cells["count"] > 0]
        _, labels = count_classes(cells["count"].to_numpy())
        return Export(
            self.export(cells, "counts", title="Crimes per 3 km cell"),
            legend=["count", *labels],
            colours=list(COUNT_COLOURS[: len(labels)]),
            tooltip=["cell", "count"],
            hover=list(np.argsort(-shown["count"].to_numpy(), kind="stable")),
            expect=lambda i: {
                "cell": str(shown.index[i]),
                "count": str(int(shown["count"].iloc[i])),
            },
        )

    def _gistar(self) -> Export:
        result = hs.gistar(self.wy_cells(), weights="queen", permutations=0, quiet=True)
        shown = result[result["gistar_bin"] != 0]
        assert (shown["gistar_bin"] == 3).any()
        return Export(
            self.export(result, "gistar"),
            legend=["Gi* hot spots", *(label for _, label in GISTAR_COLOURS.values())],
            colours=[GISTAR_COLOURS[b][0] for b in sorted(set(shown["gistar_bin"]))],
            tooltip=["cell", "count", "z", "p (normal approximation)"],
            hover=list(range(len(shown))),
            expect=lambda i: {
                "cell": str(shown.index[i]),
                "count": str(int(shown["count"].iloc[i])),
                "p (normal approximation)": f"{shown['gistar_p'].iloc[i]:.3g}",
            },
            sentence=lambda i: GISTAR_COLOURS[int(shown["gistar_bin"].iloc[i])][1] + ": ",
        )

    def _lisa(self) -> Export:
        result = hs.lisa(self.wy_cells(), permutations=99, rng=0, quiet=True)
        shown = result[result["lisa_cluster"] != "not significant"]
        assert (shown["lisa_cluster"] == "HH").any()
        return Export(
            self.export(result, "lisa"),
            legend=["Local Moran's I (LISA)", *(label for _, label in LISA_COLOURS.values())],
            colours=[LISA_COLOURS[c][0] for c in sorted(set(shown["lisa_cluster"]))],
            tooltip=["cell", "count", "I", "p (permutation)"],
            hover=list(range(len(shown))),
            expect=lambda i: {"cell": str(shown.index[i])},
            sentence=lambda i: LISA_COLOURS[shown["lisa_cluster"].iloc[i]][1] + ": a ",
        )

    def _emerging(self) -> Export:
        cube = hs.space_time_cube(
            self.toronto,
            hs.square_grid(self.toronto, 1000, quiet=True),
            "MS",
            start="2019-01",
            end="2021-12",
            quiet=True,
        )
        result = hs.emerging_hotspots(cube, quiet=True)
        category = result["emerging_category"]
        shown = result[category.isin(EMERGING_COLOURS) & (category != "no pattern")]
        present = sorted(set(shown["emerging_category"]))
        assert present
        return Export(
            self.export(result, "emerging"),
            legend=["Emerging hot spots", *present],
            colours=[EMERGING_COLOURS[c] for c in present],
            tooltip=["cell", "hot months", "cold months", "trend (Kendall τ)"],
            hover=list(range(len(shown))),
            expect=lambda i: {
                "cell": str(shown.index[i]),
                "hot months": str(int(shown["emerging_n_hot"].iloc[i])),
            },
            sentence=lambda i: shown["emerging_category"].iloc[i].capitalize() + ": ",
        )

    def surface(self) -> Any:
        if "_surface" not in self.__dict__:
            self._surface = hs.kde(self.wy, bandwidth=1500, cell_size=500, quiet=True)
        return self._surface

    def _density(self) -> Export:
        surface = self.surface()
        per_year = surface.to_numpy() * 365.25 / surface.attrs["hotspot"]["period"]["days"]
        _, edges = density_classes(per_year, floor=0.01 * np.nanmax(per_year))
        return Export(
            self.export(surface, "density"),
            legend=["Density (incidents per km² per year)", *class_labels(edges)],
            colours=[],
            layer="image",
        )

    def summary(self) -> gpd.GeoDataFrame:
        if "_summary" not in self.__dict__:
            self._summary = hs.cluster_summary(
                hs.cluster_incidents(self.wy, "hdbscan", min_cluster_size=100, quiet=True)
            )
        return self._summary

    def _clusters(self) -> Export:
        summary = self.summary()
        return Export(
            self.export(summary, "clusters"),
            legend=["Clusters", "Convex hull", "Standard deviational ellipse (1 SD)"],
            colours=[CLUSTER_HULL, CLUSTER_ELLIPSE],
            tooltip=["cluster", "incidents", "locations", "area_km2", "top", "period"],
            sentence=lambda i: "Cluster ",
        )

    def burglary(self) -> gpd.GeoDataFrame:
        t = self.toronto
        return t[(t["category"] == "Break and Enter") & (t["time"].dt.year == 2019)]

    def _near_repeat(self) -> Export:
        burglary = self.burglary()
        chains = hs.near_repeat_chains(burglary, distance=100, days=7)
        m = hs.maps.near_repeat_map(chains, burglary)
        classes = sorted(set(chain_class(chains["size"].to_numpy())))
        return Export(
            self.export(m, "near_repeat"),
            legend=["Near-repeat chains (incidents per chain)", *chain_labels()],
            colours=[CHAIN_COLOURS[k] for k in classes],
            tooltip=["chain", "incidents", "first", "last", "span_days", "extent_m"],
        )

    def cube(self) -> Any:
        if "_cube" not in self.__dict__:
            self._cube = hs.space_time_cube(
                self.wy, hs.hex_grid(self.wy, 3000, quiet=True), "MS", quiet=True
            )
        return self._cube

    def _timeline(self) -> Export:
        cube = self.cube()
        counts = np.asarray(cube.counts, dtype=float)
        active = counts.sum(axis=0) > 0
        classes, labels = count_classes(counts[:, active].ravel())
        first = classes.reshape(counts[:, active].shape)[0]
        ids = cube.cells.index[active]
        return Export(
            self.export(cube, "timeline"),
            legend=["Incidents per cell and bin", *labels],
            colours=[COUNT_COLOURS[k] for k in sorted(set(first[first >= 0]))],
            tooltip=["cell", "count", "bin"],
            hover=list(np.argsort(-counts[0, active], kind="stable")),
            expect=lambda i: {
                "cell": str(ids[i]),
                "count": str(int(counts[0, active][i])),
                "bin": bin_label(cube.bins[0], cube.freq),
            },
        )


@pytest.fixture(scope="module")
def exports(tmp_path_factory, west_yorkshire, toronto) -> Exports:
    return Exports(tmp_path_factory.mktemp("maps"), west_yorkshire, toronto)


# --- checks shared by the tests -------------------------------------------------------------


def assert_clean(opened: MapPage) -> None:
    """No console error, no uncaught exception, no request beyond file: and data:, no dialog."""
    assert opened.errors == [], opened.errors
    assert opened.aborted == [], f"the page tried to load {opened.aborted}"
    assert opened.dialogs == [], f"a script ran: {opened.dialogs}"


def assert_canvas_drawn(opened: MapPage, colours: list[str], *, min_pixels: int = 500) -> None:
    """A canvas in the overlay pane with painted pixels, including each of ``colours``."""
    assert opened.page.locator(".leaflet-overlay-pane canvas").count() >= 1
    state = opened.wait_painted(min_pixels=min_pixels)
    assert state["painted"] >= min_pixels, f"{state['painted']} painted canvas pixels"
    missing = [c for c in colours if pixels_of(state["colours"], c) < 10]
    assert not missing, f"colours not drawn: {missing}; drawn: {state['colours'].most_common(8)}"


def assert_image_drawn(opened: MapPage) -> None:
    """An image overlay that decoded, has opaque pixels and lies in the viewport."""
    page = opened.page
    assert page.locator("img.leaflet-image-layer").count() >= 1
    page.wait_for_function(
        "Array.from(document.querySelectorAll('img.leaflet-image-layer'))"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    for image in page.evaluate(IMAGE_PIXELS):
        assert image["complete"] and image["width"] > 0, image
        assert image["painted"] > 1000, image
        left, top, right, bottom = image["rect"]
        assert left < 1200 and top < 800 and right > 0 and bottom > 0, image


def assert_legend(opened: MapPage, texts: list[str], selector: str = "div.hotspot-legend") -> str:
    legend = opened.page.locator(selector)
    assert legend.count() >= 1, f"no {selector}"
    assert legend.first.is_visible()
    shown = legend.first.inner_text()
    missing = [t for t in texts if t not in shown]
    assert not missing, f"legend lacks {missing}: {shown!r}"
    return shown


def assert_screenshot(
    opened: MapPage,
    name: str,
    tmp_path: Path,
    *,
    min_colours: int = 30,
    min_drawn: float = 0.05,
    min_layers: float = 0.01,
) -> None:
    """The screenshot is not blank: many colours, much besides the background, and hiding the
    drawn layers changes at least ``min_layers`` of it (the legend, title and footer alone
    would pass the first two)."""
    stats = screenshot_stats(opened.screenshot(name, tmp_path), opened.without_layers())
    print(f"{name}: {stats}")
    assert stats["colours"] >= min_colours, f"{name}: only {stats['colours']} colours"
    assert stats["drawn"] >= min_drawn, f"{name}: {stats['drawn']:.1%} is not background"
    assert stats["layers"] >= min_layers, f"{name}: the layers cover {stats['layers']:.2%}"


def hover_cell(opened: MapPage, export: Export) -> tuple[int | None, str]:
    if export.hover is not None:
        point = opened.find_layer(export.hover)
    else:
        point = opened.find_layer(prop=export.tooltip[0])
    assert point is not None, "no drawn layer is visible on the map to hover"
    return point["index"], opened.hover(point)


# --- 1. every map kind, offline ------------------------------------------------------------

KINDS = ["counts", "gistar", "lisa", "emerging", "density", "clusters", "near_repeat", "timeline"]


@pytest.mark.parametrize("kind", KINDS)
def test_offline_export_renders_with_no_network(browser, exports, kind, tmp_path):
    export = exports[kind]
    with open_map(browser, export.path) as opened:
        page = opened.page
        assert page.locator(".leaflet-container").count() == 1
        if export.layer == "canvas":
            assert_canvas_drawn(opened, export.colours)
        else:
            assert_image_drawn(opened)
        assert_legend(opened, export.legend)
        footer = page.locator("div.hotspot-footer")
        assert footer.is_visible() and "Made with" in footer.inner_text()
        assert_screenshot(opened, kind, tmp_path)
        assert_clean(opened)


# --- 2. tooltips ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["counts", "gistar", "lisa", "emerging", "clusters"])
def test_tooltip_shows_the_hovered_cell(browser, exports, kind, tmp_path):
    export = exports[kind]
    with open_map(browser, export.path) as opened:
        opened.wait_painted()
        index, text = hover_cell(opened, export)
        rows = tooltip_rows(text)
        assert list(rows) == export.tooltip, text
        if export.expect is not None:
            assert index is not None
            expected = export.expect(index)
            assert {k: rows[k] for k in expected} == expected, f"cell {index}: {text!r}"
        if export.sentence is not None:  # a sentence first, the numbers below it
            assert tooltip_sentence(text).startswith(export.sentence(index or 0)), text
        if kind == "counts":
            opened.screenshot("counts_tooltip", tmp_path)
        assert_clean(opened)


# --- 3. the timeline slider -----------------------------------------------------------------


def test_timeline_slider_changes_the_label_and_the_cells(browser, exports, tmp_path):
    export = exports["timeline"]
    cube = exports.cube()
    labels = [bin_label(b, cube.freq) for b in cube.bins]
    with open_map(browser, export.path) as opened:
        page = opened.page
        slider = page.locator("div.hotspot-timeline input[type=range]")
        label = page.locator("div.hotspot-timeline span")
        assert slider.is_visible()
        assert slider.get_attribute("max") == str(len(labels) - 1)
        assert label.inner_text() == labels[0]
        before = opened.wait_painted()
        # the busiest month differs most from the first
        k = int(np.argmax(np.asarray(cube.counts).sum(axis=1)))
        k = k if k != 0 else len(labels) - 1
        slider.evaluate(
            "(el, k) => { el.value = k; el.dispatchEvent(new Event('input', {bubbles: true})); }",
            k,
        )
        assert label.inner_text() == labels[k]
        after = opened.wait_changed(before)
        assert after["colours"] != before["colours"], "the cells were not redrawn"
        assert after["painted"] > 500
        opened.screenshot("timeline_moved", tmp_path)
        # the keyboard moves it too
        slider.focus()
        page.keyboard.press("ArrowRight" if k < len(labels) - 1 else "ArrowLeft")
        k2 = k + 1 if k < len(labels) - 1 else k - 1
        assert label.inner_text() == labels[k2]
        opened.wait_changed(after)
        # the tooltip gives the count of the bin shown
        counts = np.asarray(cube.counts, dtype=float)
        active = counts.sum(axis=0) > 0
        point = opened.find_layer(list(np.argsort(-counts[k2, active], kind="stable")))
        assert point is not None
        rows = tooltip_rows(opened.hover(point))
        ids = cube.cells.index[active]
        assert rows == {
            "cell": str(ids[point["index"]]),
            "count": str(int(counts[k2, active][point["index"]])),
            "bin": labels[k2],
        }
        assert_clean(opened)


# --- 4. hostile strings render as text ------------------------------------------------------


def assert_nothing_injected(opened: MapPage) -> None:
    page = opened.page
    assert opened.dialogs == [], f"a script ran: {opened.dialogs}"
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("document.querySelectorAll('[onmouseover], [onerror]').length") == 0
    scripts = page.evaluate(
        "Array.from(document.scripts).filter(s => s.textContent.trim() === 'alert(1)').length"
    )
    assert scripts == 0


@pytest.fixture(scope="module")
def beats() -> gpd.GeoDataFrame:
    boxes = [shapely.box(430000 + 500 * i, 430000, 430500 + 500 * i, 430500) for i in range(3)]
    return gpd.GeoDataFrame(
        {"count": [12, 0, 3]},
        geometry=boxes,
        crs="EPSG:27700",
        index=pd.Index(PAYLOADS, name="beat"),
    )


@pytest.mark.parametrize("n", range(len(PAYLOADS)))
def test_payloads_in_titles_and_cell_ids_show_as_text(browser, beats, n, tmp_path):
    title = PAYLOADS[n]
    m = hs.maps.counts_map(beats, title=title, show_empty=True)
    path = hs.maps.export_map(m, tmp_path / "beats.html", offline=True, title=title)
    with open_map(browser, path) as opened:
        page = opened.page
        opened.wait_painted()
        assert page.locator("div.hotspot-title").inner_text() == title
        assert page.locator("div.hotspot-legend b").first.inner_text() == title
        assert title in page.locator(".leaflet-control-layers-overlays").text_content()
        for i, payload in enumerate(PAYLOADS):  # each cell's id is a payload
            point = opened.find_layer([i])
            assert point is not None, f"cell {i} is not visible"
            text = opened.hover(point)
            assert payload in text, f"cell {i}: {text!r}"
            assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        assert_nothing_injected(opened)
        assert_screenshot(opened, f"payload_{n}", tmp_path, min_colours=5, min_drawn=0.2)
        assert_clean(opened)


@pytest.mark.parametrize("kind", ["clusters", "near_repeat", "density"])
def test_payloads_in_other_maps_show_as_text(browser, exports, kind, tmp_path):
    wy = exports.wy
    if kind == "clusters":
        incidents = wy.iloc[:4000].copy()
        incidents["category"] = [PAYLOADS[i % 3] for i in range(len(incidents))]
        result = hs.cluster_summary(
            hs.cluster_incidents(incidents, "dbscan", eps=300, min_samples=20, quiet=True)
        )
        prop = "top"
    elif kind == "near_repeat":
        result = hs.near_repeat_chains(exports.burglary().iloc[:3000], distance=100, days=7)
        result.index = [f"{PAYLOADS[i % 3]}{i}" for i in range(len(result))]
        prop = "chain"
    else:
        result = hs.kde(wy, bandwidth=2000, cell_size=1000, quiet=True)
        prop = None
    draw = {
        "clusters": hs.maps.cluster_map,
        "near_repeat": hs.maps.near_repeat_map,
        "density": hs.maps.density_map,
    }[kind]
    m = draw(result, title=ALL_PAYLOADS)
    path = hs.maps.export_map(m, tmp_path / f"{kind}.html", offline=True, title=ALL_PAYLOADS)
    with open_map(browser, path) as opened:
        page = opened.page
        assert page.locator("div.hotspot-title").inner_text() == ALL_PAYLOADS
        if kind == "density":  # the title also names the overlay in the layer control
            assert ALL_PAYLOADS in page.locator(".leaflet-control-layers-overlays").text_content()
            assert_image_drawn(opened)
            assert page.locator("div.hotspot-legend b").first.inner_text() == ALL_PAYLOADS
        else:
            opened.wait_painted()
            assert page.locator("div.hotspot-legend b").first.inner_text() == ALL_PAYLOADS
            point = opened.find_layer(prop=prop)
            assert point is not None
            text = opened.hover(point)
            assert any(p in text for p in PAYLOADS), text
            assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        assert_nothing_injected(opened)
        assert_screenshot(opened, f"payload_{kind}", tmp_path)
        assert_clean(opened)


# --- 5. a public export ---------------------------------------------------------------------


def test_public_export_of_west_yorkshire(browser, west_yorkshire, tmp_path):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 500, quiet=True), quiet=True
    )
    path = hs.maps.export_map(
        cells, tmp_path / "public.html", public=True, offline=True, title="Crime, West Yorkshire"
    )
    public = hs.maps.disclose(cells)
    values = public["count"].to_numpy(dtype=float)
    shown = public[np.isnan(values) | (values > 0)]
    suppressed = list(np.flatnonzero(np.isnan(shown["count"].to_numpy(dtype=float))))
    assert len(suppressed) > 1000
    with open_map(browser, path) as opened:
        assert_canvas_drawn(opened, [SUPPRESSED_COLOUR, COUNT_COLOURS[0]])
        legend = assert_legend(opened, ["fewer than 5", "Public version"])
        assert "fewer than 5" in legend
        assert "Public version" in opened.page.locator("div.hotspot-footer").inner_text()
        assert_screenshot(opened, "public_west_yorkshire", tmp_path)
        # zoomed in (a 500 m cell is 3 px at the opening zoom), a hidden count's tooltip
        state = opened.canvas()
        centres = shown.geometry.centroid
        busiest = centres.iloc[int(np.nanargmax(shown["count"].to_numpy(dtype=float)))]
        cell = suppressed[int(np.argmin(centres.iloc[suppressed].distance(busiest)))]
        centre = centres.to_crs(4326).iloc[cell]
        opened.set_view(centre.y, centre.x, 14)
        opened.wait_changed(state)
        point = opened.find_layer([cell])
        assert point is not None
        rows = tooltip_rows(opened.hover(point))
        assert rows == {"cell": str(shown.index[cell]), "count": "fewer than 5"}
        opened.screenshot("public_west_yorkshire_tooltip", tmp_path)
        assert_clean(opened)


# --- 6. a whole city at 100 m ---------------------------------------------------------------


def test_whole_toronto_100m_grid_opens_and_draws(browser, toronto, tmp_path):
    cells = hs.count_incidents(toronto, hs.square_grid(toronto, 100, quiet=True), quiet=True)
    assert len(cells) > 65_000
    path = hs.maps.export_map(
        hs.maps.counts_map(cells, show_empty=True), tmp_path / "toronto.html", offline=True
    )
    size_mb = path.stat().st_size / 1e6
    _, labels = count_classes(cells["count"].to_numpy())
    start = time.monotonic()
    with open_map(browser, path, timeout_ms=60_000) as opened:
        state = opened.wait_painted(min_pixels=100_000, timeout=60)
        seconds = time.monotonic() - start
        print(
            f"\nToronto 100 m grid: {len(cells):,} cells, {size_mb:.1f} MB: page loaded in "
            f"{opened.load_seconds:.1f} s, cells drawn after {seconds:.1f} s"
        )
        assert seconds < 60, f"{seconds:.0f} s to draw"
        # at the opening zoom a cell is about 2 px: outlines and fills blend, but colour shows
        assert state["painted"] >= 100_000
        assert coloured_pixels(state["colours"]) > 5_000
        assert opened.page.evaluate(
            "Object.values(window[document.querySelector('.leaflet-container').id]._layers)"
            ".filter(l => l.hotspotIndex !== undefined).length"
        ) == len(cells)
        assert_legend(opened, ["count", *labels])
        assert_screenshot(opened, "toronto_100m", tmp_path)
        # zoomed in on the busiest cell, the cells show their class colours
        centre = cells.geometry.centroid.to_crs(4326).loc[cells["count"].idxmax()]
        opened.set_view(centre.y, centre.x, 15)
        zoomed = opened.wait_changed(state)
        missing = [c for c in COUNT_COLOURS[: len(labels)] if pixels_of(zoomed["colours"], c) < 10]
        assert not missing, f"colours not drawn: {missing}"
        assert_screenshot(opened, "toronto_100m_zoomed", tmp_path)
        assert_clean(opened)


# --- 7. where the map is: footprint, study area, place names, context (issue 10) -----------

DISTRICTS = ["Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"]


def layer_checkbox(opened: MapPage, name: str) -> Any:
    """The layer control's checkbox of the overlay called ``name``."""
    control = opened.page.locator(".leaflet-control-layers")
    control.hover()  # the control is collapsed until hovered
    return opened.page.locator(".leaflet-control-layers-overlays label", has_text=name).locator(
        "input"
    )


def test_offline_west_yorkshire_gistar_shows_where_it_is(browser, west_yorkshire, tmp_path):
    """The briefing map of issue 10: hot spots among the cells with incidents, inside the
    study area, with the district names on it, on a blank (offline) background."""
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    result = hs.gistar(cells, weights="auto", permutations=99, rng=0, quiet=True)
    path = hs.maps.export_map(
        result, tmp_path / "wy_gistar.html", offline=True, title="Gi* hot spots, West Yorkshire"
    )
    shown = result[result["gistar_bin"] != 0]
    with open_map(browser, path) as opened:
        page = opened.page
        assert_canvas_drawn(opened, [GISTAR_COLOURS[3][0], GISTAR_COLOURS[-3][0]])
        # the footprint: a faint grey under the result, in its own pane and layer
        footprint = opened.wait_painted(selector=pane_canvases("hotspotFootprint"))
        assert pixels_of(footprint["colours"], FOOTPRINT_STYLE["fillColor"]) > 10_000
        # the study area: a thin dark line
        outline = opened.wait_painted(selector=pane_canvases("hotspotOutline"), min_pixels=500)
        assert pixels_of(outline["colours"], STUDY_AREA_STYLE["color"], tolerance=40) > 500
        # the five districts, as text, none overlapping another label
        boxes = opened.label_boxes(".hotspot-place-label")
        visible = {b["text"] for b in boxes if b["visible"]}
        assert set(DISTRICTS) <= visible, visible
        assert overlapping(boxes) == []
        for name in DISTRICTS:
            assert page.locator(".hotspot-place-label span", has_text=name).first.is_visible()
        overlays = page.locator(".leaflet-control-layers-overlays").text_content()
        for name in ("Cells with incidents", "Study area", "Place names", "Gi* hot spots"):
            assert name in overlays
        opened.screenshot("wy_gistar_where", tmp_path)
        assert_screenshot(opened, "wy_gistar_where", tmp_path)
        # the hottest cell's tooltip: a sentence with its count and bin, the numbers below
        counts = shown["count"].to_numpy()
        order = list(np.argsort(-counts, kind="stable"))
        point = opened.find_layer(order)
        assert point is not None
        text = opened.hover(point)
        i = point["index"]
        count, b = int(counts[i]), int(shown["gistar_bin"].iloc[i])
        mean = result["count"].mean()
        assert tooltip_sentence(text).startswith(
            f"{GISTAR_COLOURS[b][1]}: {count:,} incidents, "
        ), text
        assert f"the average of all {len(result):,} cells ({mean:.1f})" in tooltip_sentence(text)
        assert tooltip_rows(text)["count"] == str(count)
        assert tooltip_rows(text)["p (normal approximation)"] == f"{shown['gistar_p'].iloc[i]:.3g}"
        opened.screenshot("wy_gistar_tooltip", tmp_path)
        # each background is its own layer: switched off, its pixels go
        page.mouse.move(600, 400)
        before = opened.canvas(pane_canvases("hotspotFootprint"))
        layer_checkbox(opened, "Cells with incidents").uncheck()
        opened.wait_changed(before, selector=pane_canvases("hotspotFootprint"))
        assert opened.canvas(pane_canvases("hotspotFootprint"))["painted"] == 0
        assert set(DISTRICTS) <= {b["text"] for b in opened.label_boxes(".hotspot-place-label")}
        assert_clean(opened)


def test_more_place_names_appear_on_zooming_in_and_never_overlap(browser, toronto, tmp_path):
    cells = hs.count_incidents(toronto, hs.square_grid(toronto, 500, quiet=True), quiet=True)
    path = hs.maps.export_map(cells, tmp_path / "toronto.html", offline=True)
    with open_map(browser, path) as opened:
        opened.wait_painted()
        boxes = opened.label_boxes(".hotspot-place-label")
        assert 5 <= len(boxes) < 140
        assert overlapping(boxes) == []
        busiest = cells.attrs["hotspot"]["places"][0]
        assert busiest["name"] in {b["text"] for b in boxes}
        state = opened.canvas()
        centre = gpd.GeoSeries([shapely.Point(busiest["x"], busiest["y"])], crs=cells.crs).to_crs(
            4326
        )
        opened.set_view(centre.y.iloc[0], centre.x.iloc[0], 14)
        opened.wait_changed(state)
        zoomed = opened.label_boxes(".hotspot-place-label")
        on_screen = [b for b in zoomed if 0 < b["left"] < 1200 and 0 < b["top"] < 800]
        assert len(zoomed) > len(boxes) and len(on_screen) >= 3
        assert overlapping(zoomed) == []
        opened.screenshot("toronto_names_zoomed", tmp_path)
        assert_clean(opened)


def test_a_payload_as_an_area_name_shows_as_text(browser, beats, tmp_path):
    cells = beats.copy()
    cells.attrs = {
        "hotspot": {
            "places": [
                {"name": p, "x": 430250.0 + 500 * i, "y": 430250.0, "n": 10}
                for i, p in enumerate(PAYLOADS)
            ]
        }
    }
    # a frame built by hand records no method: kind= says which map draws it
    path = hs.maps.export_map(cells, tmp_path / "names.html", offline=True, kind="counts")
    with open_map(browser, path) as opened:
        opened.wait_painted()
        texts = [b["text"] for b in opened.label_boxes(".hotspot-place-label")]
        assert PAYLOADS[0] in texts, texts
        assert (
            opened.page.locator(".hotspot-place-label script, .hotspot-place-label img").count()
            == 0
        )
        assert_nothing_injected(opened)
        assert_clean(opened)


def test_context_layers_are_drawn_under_the_result(browser, exports, tmp_path):
    cells = exports.wy_cells()
    boundary = gpd.GeoDataFrame(
        {"name": ["West Yorkshire Police"]},
        geometry=[cells.attrs["hotspot"]["study_area"].buffer(-3000)],
        crs=cells.crs,
    )
    road = gpd.GeoDataFrame(
        {"name": [PAYLOADS[0]]},
        geometry=[shapely.LineString([(-1.9, 53.8), (-1.6, 53.79), (-1.4, 53.7)])],
        crs=4326,
    )
    m = hs.maps.counts_map(cells, context={"Force boundary": boundary, "Main roads": road})
    path = hs.maps.export_map(m, tmp_path / "context.html", offline=True)
    with open_map(browser, path) as opened:
        page = opened.page
        opened.wait_painted()
        context = opened.wait_painted(selector=pane_canvases("hotspotContext"), min_pixels=500)
        assert pixels_of(context["colours"], "#8c8c8c", tolerance=20) > 100  # the road
        assert pixels_of(context["colours"], "#4d4d4d", tolerance=20) > 100  # the boundary
        overlays = page.locator(".leaflet-control-layers-overlays").text_content()
        assert "Force boundary" in overlays and "Main roads" in overlays
        names = [b["text"] for b in opened.label_boxes(".hotspot-context-label")]
        assert PAYLOADS[0] in names and "West Yorkshire Police" in names
        # the context pane lies under the cells' (Leaflet's overlay pane, z-index 400)
        z = page.evaluate(
            "() => getComputedStyle(document.querySelector('.leaflet-hotspotContext-pane')).zIndex"
        )
        assert int(z) < 400
        assert_nothing_injected(opened)
        opened.screenshot("context", tmp_path)
        assert_clean(opened)


def test_density_legend_shows_the_class_ranges_and_the_image_their_colours(
    browser, exports, tmp_path
):
    export = exports["density"]
    with open_map(browser, export.path) as opened:
        assert_image_drawn(opened)
        legend = assert_legend(opened, export.legend)
        ranges = export.legend[1:]
        assert legend.splitlines()[1 : 1 + len(ranges)] == ranges
        colours = opened.page.evaluate(
            """() => Array.from(document.querySelectorAll('div.hotspot-legend span'))
                   .map(s => getComputedStyle(s).backgroundColor)"""
        )
        expected = [
            "rgb({}, {}, {})".format(*(int(c[i : i + 2], 16) for i in (1, 3, 5)))
            for c in DENSITY_CLASS_COLOURS[: len(ranges)]
        ]
        assert colours == expected
        assert_clean(opened)


def test_clusters_are_numbered_on_the_map(browser, exports, tmp_path):
    export = exports["clusters"]
    with open_map(browser, export.path) as opened:
        opened.wait_painted()
        boxes = opened.label_boxes(".hotspot-cluster-label")
        summary = exports.summary()
        assert boxes and {b["text"] for b in boxes} <= {str(c) for c in summary.index}
        assert overlapping(boxes) == []
        biggest = str(summary["n_incidents"].idxmax())
        assert biggest in {b["text"] for b in boxes}
        point = opened.find_layer(prop="cluster", value=biggest)
        if point is not None:
            text = opened.hover(point)
            n = int(summary.loc[int(biggest), "n_incidents"])
            assert tooltip_sentence(text).startswith(f"Cluster {biggest}: {n:,} incidents in ")
        assert_clean(opened)


def test_a_map_shows_in_an_offline_notebook(browser, exports, tmp_path):
    """What a notebook shows for a map (its _repr_html_): an iframe whose page holds Leaflet;
    opened with no network, the map draws."""
    m = hs.maps.counts_map(exports.wy_cells(), tiles=None)
    path = tmp_path / "notebook.html"
    path.write_text(f"<html><body><div>{m._repr_html_()}</div></body></html>")
    with open_map(browser, path, wait_for="iframe") as opened:
        frame = opened.page.frame_locator("iframe")
        frame.locator(".leaflet-container").wait_for(state="attached")
        inner = next(f for f in opened.page.frames if f != opened.page.main_frame)
        inner.wait_for_function(
            "document.querySelectorAll('.leaflet-overlay-pane canvas').length > 0"
        )
        assert frame.locator(".hotspot-place-label").count() >= 5
        assert frame.locator("div.hotspot-legend").is_visible()
        # the frame reads the same in a page of any encoding (this one declares none)
        _, labels = count_classes(exports.wy_cells()["count"].to_numpy())
        assert frame.locator("div.hotspot-legend").inner_text().splitlines()[1:] == labels
        opened.screenshot("notebook", tmp_path)
        assert_clean(opened)
