"""Helpers for the real-browser tests of exported maps (tests/test_browser.py).

Each map is opened from its file:// URL in Debian's chromium, driven by Playwright, in a fresh
context that is offline and aborts (and records) every request that is not file: or data:.
"""

from __future__ import annotations

import io
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
INSTALL_HINT = (
    f"the browser tests need Debian's chromium at {CHROMIUM}, which is missing. Install it "
    "with `sudo apt-get update && sudo apt-get install -y chromium` (.ci/run does this), "
    "not with `playwright install`."
)
VIEWPORT = {"width": 1200, "height": 800}
# Leaflet's container background: what a map with no tiles and nothing drawn shows.
BACKGROUND = (221, 221, 221)
REPO = Path(__file__).resolve().parents[1]


class LazyBrowser:
    """One chromium per test module, launched on first use.

    Launching at first use (in the test's call, not its setup) makes a missing chromium a
    FAILED test with :data:`INSTALL_HINT`, never a skip.
    """

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        if not CHROMIUM.exists():
            pytest.fail(INSTALL_HINT, pytrace=False)
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=LAUNCH_ARGS
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


# --- JavaScript run in the page ------------------------------------------------------------

# The canvases of the result's layers; those of the background panes (the data's footprint,
# the study area, context layers) are ``pane_canvases("hotspotFootprint")`` and so on.
OVERLAY_CANVASES = ".leaflet-overlay-pane canvas"


def pane_canvases(pane: str) -> str:
    """The selector of the canvases in a pane made with ``map.createPane(pane)``."""
    return f".leaflet-{pane}-pane canvas"


# Colours (exact RGB of every pixel with alpha > 0) of every canvas matching a selector.
CANVAS_COLOURS = """(selector) => {
    const out = {canvases: 0, painted: 0, colours: {}};
    for (const c of document.querySelectorAll(selector)) {
        out.canvases++;
        if (!c.width || !c.height) continue;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 0) continue;
            out.painted++;
            const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
            out.colours[key] = (out.colours[key] || 0) + 1;
        }
    }
    return out;
}"""

# Pixels with alpha > 0 of every image overlay, drawn onto a scratch canvas.
IMAGE_PIXELS = """() => Array.from(document.querySelectorAll('img.leaflet-image-layer'))
.map(img => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    if (!img.complete || !c.width) return {complete: img.complete, width: 0, painted: 0};
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) painted++; }
    const r = img.getBoundingClientRect();
    return {complete: img.complete, width: c.width, painted: painted,
            rect: [r.left, r.top, r.right, r.bottom]};
})"""

# Screen position of a vector layer's centre where the map's canvas is the topmost element
# (not under the legend, title, footer or a control). ``indices``: cell layer hotspotIndex values
# (a list: the first that is visible, in the list's order); ``property``: a folium GeoJSON
# feature that has it (with ``value``, equal to it).
FIND_LAYER = """(args) => {
    const container = document.querySelector('.leaflet-container');
    const map = window[container.id];
    const size = map.getSize(), box = container.getBoundingClientRect();
    const wanted = args.indices === null ? null : new Set(args.indices);
    const found = [];
    for (const layer of Object.values(map._layers)) {
        if (!(layer instanceof L.Path) || !map.hasLayer(layer)) continue;
        if (wanted !== null && !wanted.has(layer.hotspotIndex)) continue;
        if (args.property !== null) {
            const props = layer.feature ? layer.feature.properties : {};
            if (!(args.property in props)) continue;
            if (args.value !== null && props[args.property] !== args.value) continue;
        }
        const ll = layer.getCenter ? layer.getCenter() : layer.getLatLng();
        const p = map.latLngToContainerPoint(ll);
        if (p.x < 10 || p.y < 10 || p.x > size.x - 10 || p.y > size.y - 10) continue;
        const x = box.left + p.x, y = box.top + p.y;
        const top = document.elementFromPoint(x, y);
        if (!top || top.tagName !== 'CANVAS') continue;
        found.push({x: x, y: y, index: layer.hotspotIndex === undefined ? null : layer.hotspotIndex,
                    order: wanted === null ? 0 : args.indices.indexOf(layer.hotspotIndex)});
    }
    found.sort((a, b) => a.order - b.order);
    return found.length ? found[0] : null;
}"""


# --- the page -------------------------------------------------------------------------------


@dataclass
class MapPage:
    """An exported map open in the browser, with what it logged and tried to load."""

    page: Any
    errors: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    load_seconds: float = 0.0

    def canvas(self, selector: str = OVERLAY_CANVASES) -> dict[str, Any]:
        """``{"canvases": n, "painted": pixels, "colours": Counter(rgb int -> pixels)}`` of the
        canvases matching ``selector`` (default: the result's, in the overlay pane)."""
        out = self.page.evaluate(CANVAS_COLOURS, selector)
        out["colours"] = Counter({int(k): v for k, v in out["colours"].items()})
        return out

    def wait_painted(
        self, *, min_pixels: int = 100, timeout: float = 30.0, selector: str = OVERLAY_CANVASES
    ) -> dict[str, Any]:
        """The canvas once it has ``min_pixels`` painted pixels (Leaflet draws on a frame)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.canvas(selector)
            if state["painted"] >= min_pixels or time.monotonic() > deadline:
                return state
            self.page.wait_for_timeout(100)

    def wait_changed(
        self, before: dict[str, Any], *, timeout: float = 10.0, selector: str = OVERLAY_CANVASES
    ) -> dict[str, Any]:
        """The canvas once its pixels differ from ``before`` (or after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.canvas(selector)
            if state["colours"] != before["colours"] or time.monotonic() > deadline:
                return state
            self.page.wait_for_timeout(100)

    def find_layer(
        self,
        indices: list[int] | None = None,
        *,
        prop: str | None = None,
        value: Any = None,
    ) -> dict[str, Any] | None:
        wanted = None if indices is None else [int(i) for i in indices]
        return self.page.evaluate(FIND_LAYER, {"indices": wanted, "property": prop, "value": value})

    def set_view(self, lat: float, lon: float, zoom: int) -> None:
        """Centre the map on ``lat, lon`` at ``zoom`` (no animation)."""
        self.page.evaluate(
            "([lat, lon, zoom]) => { window[document.querySelector('.leaflet-container').id]"
            ".setView([lat, lon], zoom, {animate: false}); }",
            [float(lat), float(lon), int(zoom)],
        )

    def label_boxes(self, selector: str) -> list[dict[str, Any]]:
        """Text and screen box of every label matching ``selector`` (its ``span``)."""
        return self.page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector + ' span')).map(s => {
                const r = s.getBoundingClientRect();
                return {text: s.textContent, left: r.left, top: r.top, right: r.right,
                        bottom: r.bottom, visible: r.width > 0 && r.height > 0};
            })""",
            selector,
        )

    def hover(self, point: dict[str, Any]) -> str:
        """Move the mouse onto ``point`` and return the tooltip's text."""
        self.page.mouse.move(1, 1)
        self.page.mouse.move(point["x"] - 3, point["y"] - 3)
        self.page.mouse.move(point["x"], point["y"], steps=4)
        tooltip = self.page.locator(".leaflet-tooltip")
        tooltip.first.wait_for(state="visible", timeout=5000)
        return tooltip.first.inner_text()

    def without_layers(self) -> bytes:
        """A PNG of the viewport with the overlay pane (every drawn layer) hidden."""
        pane = self.page.locator(".leaflet-overlay-pane")
        pane.evaluate("el => { el.style.visibility = 'hidden'; }")
        try:
            return self.page.screenshot()
        finally:
            pane.evaluate("el => { el.style.visibility = ''; }")

    def screenshot(self, name: str, tmp_path: Path) -> bytes:
        """A PNG of the viewport, saved in ``tmp_path`` (and in out/browser/ when the
        environment variable HOTSPOT_KEEP_SCREENSHOTS is set)."""
        png = self.page.screenshot()
        (tmp_path / f"{name}.png").write_bytes(png)
        if os.environ.get("HOTSPOT_KEEP_SCREENSHOTS"):
            keep = REPO / "out" / "browser"
            keep.mkdir(parents=True, exist_ok=True)
            (keep / f"{name}.png").write_bytes(png)
        return png


@contextmanager
def open_map(
    browser: LazyBrowser,
    path: Path,
    *,
    timeout_ms: int = 60_000,
    wait_for: str = ".leaflet-container",
) -> Iterator[MapPage]:
    """Open ``path`` (file://) in a fresh offline context; every other request is aborted.

    ``wait_for``: the element that must be in the page (``"iframe"`` for a notebook's view).
    """
    context = browser.get().new_context(viewport=VIEWPORT)
    context.set_offline(True)
    opened = MapPage(page=None)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            opened.aborted.append(url)
            route.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        opened.page = page
        page.on(
            "console",
            lambda m: opened.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: opened.errors.append(f"pageerror: {e}"))

        def dialog(d: Any) -> None:
            opened.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        start = time.monotonic()
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        page.wait_for_selector(wait_for, state="attached", timeout=timeout_ms)
        opened.load_seconds = time.monotonic() - start
        yield opened
    finally:
        context.close()


# --- reading pixels -------------------------------------------------------------------------


def tooltip_rows(text: str) -> dict[str, str]:
    """A tooltip table's text (``name<TAB>value`` per row) as a dict."""
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def tooltip_sentence(text: str) -> str:
    """The sentence a tooltip leads with (its first line, before the table)."""
    return text.splitlines()[0] if text and "\t" not in text.splitlines()[0] else ""


def overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of label boxes (from :meth:`MapPage.label_boxes`) that overlap on the screen."""
    shown = [b for b in boxes if b["visible"]]
    return [
        (a["text"], b["text"])
        for i, a in enumerate(shown)
        for b in shown[i + 1 :]
        if a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    ]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def pixels_of(colours: Counter, hex_colour: str, tolerance: int = 3) -> int:
    """Painted canvas pixels within ``tolerance`` (per channel) of ``hex_colour``.

    Canvas pixels come back un-premultiplied, so a fill drawn at opacity 0.8 reads as its
    colour give or take one or two units.
    """
    r, g, b = rgb(hex_colour)
    return sum(
        n
        for key, n in colours.items()
        if abs((key >> 16) - r) <= tolerance
        and abs(((key >> 8) & 255) - g) <= tolerance
        and abs((key & 255) - b) <= tolerance
    )


def coloured_pixels(colours: Counter, spread: int = 40) -> int:
    """Painted pixels that are not grey (channels differing by more than ``spread``)."""
    return sum(
        n
        for key, n in colours.items()
        if max(key >> 16, (key >> 8) & 255, key & 255) - min(key >> 16, (key >> 8) & 255, key & 255)
        > spread
    )


def screenshot_stats(png: bytes, bare: bytes | None = None) -> dict[str, float]:
    """What a screenshot shows: its distinct colours, the fraction of pixels that are not
    Leaflet's empty background and, given ``bare`` (the same view with the layers hidden), the
    fraction of pixels the layers changed."""

    def keys(data: bytes) -> np.ndarray:
        flat = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).reshape(-1, 3)
        flat = flat.astype(np.int64)
        return (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]

    shot = keys(png)
    background = (BACKGROUND[0] << 16) | (BACKGROUND[1] << 8) | BACKGROUND[2]
    stats = {"colours": len(np.unique(shot)), "drawn": float(np.mean(shot != background))}
    if bare is not None:
        stats["layers"] = float(np.mean(shot != keys(bare)))
    return stats
