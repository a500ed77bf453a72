"""Benchmark ``hotspot.maps.counts_map`` against plain folium on the whole Toronto 100 m grid.

Data: the embedded Toronto incidents (``hotspot.datasets.load_toronto``, 240,992 rows) counted on
a 100 m square grid, ``count_incidents(inc, square_grid(inc, 100))``: 69,805 cells, every one of
them drawn (16,193 with incidents, the others as outlines). Building the grid is not timed.

Timed, each run in a fresh child process that imports hotspot, folium and geopandas and builds
the cells untimed:

* ``hotspot``: ``m = hotspot.maps.counts_map(cells, show_empty=True)`` and
  ``html = m.get_root().render()`` (one canvas layer: flat coordinate arrays with six decimals,
  a colour index and a count per cell). Then, timed separately and not in the ratios,
  ``hotspot.maps.export_map(counts_map(cells, show_empty=True), path, offline=True)``: the
  briefing file with Leaflet and jQuery inlined, no basemap, and a footer. Its size is the
  target. In the first run only, the default export of the cells, ``export_map(cells, path,
  offline=True)`` (cells with incidents only), is written as well, for its size, and the map
  rendered above is exported too, to count the basemap tile addresses left in it (information:
  an already-rendered map keeps its tile layer in the page's script);
* ``folium GeoJson``: the map an analyst writes with plain folium: ``g = cells[["count",
  "geometry"]].to_crs(4326)`` with a ``colour`` column (the same six ColorBrewer YlOrRd classes
  hotspot draws, from ``hotspot.maps.count_classes``), ``folium.Map(prefer_canvas=True)``,
  ``folium.GeoJson(g, style_function=lambda f: {...fillColor from f["properties"]...},
  tooltip=folium.GeoJsonTooltip(fields=["count"]))``, ``fit_bounds`` to the cells and the same
  render. Empty cells get ``fillOpacity`` 0, as in hotspot's map;
* ``folium Choropleth``: ``folium.Choropleth(geo_data=g, data=<cells with incidents>,
  columns=["cell_id", "count"], key_on="feature.properties.cell_id", fill_color="YlOrRd",
  bins=<hotspot's class edges>, nan_fill_opacity=0)`` with a ``GeoJsonTooltip`` on its GeoJSON,
  ``fit_bounds`` and the render.

Each child resets its peak-RSS mark after the setup (``/proc/self/clear_refs``) and reports the
high-water mark after the timed work (``VmHWM``) and its growth over the post-setup RSS. Sizes
are the UTF-8 bytes of the rendered page (both sides link Leaflet from its CDN there). hotspot
runs ``--repeats`` times (median, default 3); a folium peer takes about 40 s on the whole grid
here, so each peer runs ``--peer-repeats`` times (default 1). The ratios are peer / hotspot for
size, time and peak-memory growth, against the faster peer.

Target (from the issue): the offline export of the whole Toronto 100 m grid map under 15 MB
(15,000,000 bytes). With ``--quick`` the comparison runs on a 250 m grid, and one extra child
exports the 100 m map for the target.

Checks (always run, on the written pages, untimed): hotspot's payload (``var d = {...}`` of the
cell layer) holds every cell with the same count as ``cells["count"]``, in the rendered page and
in the export; every peer's GeoJSON holds every cell as a feature with the same count; the
export loads nothing from the network (``hotspot.maps.export.external_references``).

Browser (``--browser``, on by default when /usr/bin/chromium exists; ``--no-browser`` turns it
off): headless Chromium, driven by Playwright's sync API, opens each page from a file: URL in a
fresh context (viewport 1200 x 800) that aborts every request other than file: and data: (the
basemap tiles). The time runs from ``page.goto`` until a canvas in Leaflet's overlay pane holds
a painted pixel (polled every 50 ms). Loaded are the peers' pages and hotspot's page with the
same treatment, ``export_map(m, offline=True)`` (the CDN tags replaced by the packaged files,
the web basemap off), and hotspot's export. The RSS of this process's tree (Playwright's driver and
Chromium included) is sampled every 50 ms during each load (information only). Each page loads
``--browser-repeats`` times (median, default 1). After the draw, the number of Leaflet polygons
on the map is counted.

Usage::

    python benchmarks/bench_maps.py [--repeats 3] [--peer-repeats 1] [--no-choropleth]
        [--browser | --no-browser] [--browser-repeats 1] [--quick] [--strict] [--json FILE]

``--quick``: a 250 m grid, one run of each variant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _measure import _measure_end, _measure_start, _tree_rss_mib

CELL = 100.0
QUICK_CELL = 250.0
TARGET_BYTES = 15_000_000
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1200, "height": 800}
BROWSER_TIMEOUT = 600.0  # seconds for one page to draw
POLL_MS = 50
SAMPLE_SECONDS = 0.05
STYLE = {"color": "#666666", "weight": 0.3, "fill_opacity": 0.75}
VARIANTS = {
    "hotspot": "counts_map(cells, show_empty=True) + get_root().render()",
    "geojson": "folium.Map(prefer_canvas=True) + folium.GeoJson(cells.to_crs(4326), "
    "style_function, GeoJsonTooltip(['count'])) + render",
    "choropleth": "folium.Map(prefer_canvas=True) + folium.Choropleth(geo_data, data, "
    "bins, YlOrRd) + GeoJsonTooltip(['count']) + render",
}
LABELS = {"hotspot": "hotspot", "geojson": "folium GeoJson", "choropleth": "folium Choropleth"}
PEERS = ("geojson", "choropleth")


# ----------------------------------------------------------------------------- child side


def _setup(cell: float):
    """Cells of the Toronto incidents on a square grid (untimed), with folium imported."""
    import folium  # noqa: F401  (imported untimed on both sides)

    import hotspot
    import hotspot.maps  # (imported untimed: the peers use its export helpers too)

    inc = hotspot.datasets.load_toronto(quiet=True)
    cells = hotspot.count_incidents(inc, hotspot.square_grid(inc, cell, quiet=True), quiet=True)
    return hotspot, cells


def _page_bytes(page: str) -> int:
    return len(page.encode("utf-8"))


def _timed_render(hotspot: Any, make_map: Any, out: Path, tag: str, write: bool) -> dict:
    """Time building and rendering a map; with ``write``, save the page and its offline export
    (Leaflet inlined, no web basemap)."""
    start = _measure_start()
    t0 = time.perf_counter()
    m = make_map()
    page = m.get_root().render()
    seconds = time.perf_counter() - t0
    result = {**_measure_end(start, seconds), "bytes": _page_bytes(page)}
    if write:
        (out / f"{tag}.html").write_text(page, encoding="utf-8")
        offline = hotspot.maps.export_map(m, out / f"{tag}_offline.html", offline=True)
        result["offline_bytes"] = offline.stat().st_size
    return result


def child_hotspot(out: Path, tag: str, cell: float, write: bool) -> dict:
    import numpy as np

    hotspot, cells = _setup(cell)
    np.save(out / "counts.npy", cells["count"].to_numpy())
    result = _timed_render(
        hotspot, lambda: hotspot.maps.counts_map(cells, show_empty=True), out, tag, write
    )
    result["cells"] = len(cells)
    export = out / f"{tag}_export.html"
    start = _measure_start()
    t0 = time.perf_counter()
    hotspot.maps.export_map(hotspot.maps.counts_map(cells, show_empty=True), export, offline=True)
    export_seconds = time.perf_counter() - t0
    measured = _measure_end(start, export_seconds)
    result["export"] = {
        "seconds": export_seconds,
        "bytes": export.stat().st_size,
        "growth_mib": measured["peak_mib"] - measured["rss_setup_mib"],
    }
    if write:
        default = out / f"{tag}_export_default.html"
        hotspot.maps.export_map(cells, default, offline=True)
        result["export_default_bytes"] = default.stat().st_size
        result["n_nonzero"] = int((cells["count"] > 0).sum())
        default.unlink()
        # The offline page was exported from a map rendered before (information).
        result["export_rendered_tile_urls"] = (
            (out / f"{tag}_offline.html")
            .read_text(encoding="utf-8")
            .count("tile.openstreetmap.org")
        )
    else:
        export.unlink()
    return result


def peer_map(cells, kind: str):
    """The map an analyst writes with plain folium (timed by the caller)."""
    import folium
    import numpy as np

    from hotspot.maps import COUNT_COLOURS, count_classes

    g = cells[["count", "geometry"]].to_crs(4326)
    classes, labels = count_classes(g["count"].to_numpy(dtype=float))
    colours = np.asarray(COUNT_COLOURS[: len(labels)] + ("#ffffff",))
    g["colour"] = colours[classes]  # class -1 (no incidents) picks the last entry
    m = folium.Map(prefer_canvas=True)
    if kind == "geojson":
        folium.GeoJson(
            g,
            name="count",
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "fillOpacity": STYLE["fill_opacity"] if f["properties"]["count"] > 0 else 0,
                "color": STYLE["color"],
                "weight": STYLE["weight"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["count"]),
        ).add_to(m)
    else:
        g = g.reset_index()  # cell_id becomes a property to key on
        counted = g.loc[g["count"] > 0, ["cell_id", "count"]]
        # hotspot's classes as bins: the smallest count of each class, then the largest count
        edges = [int(g["count"][classes == k].min()) for k in range(len(labels))]
        chor = folium.Choropleth(
            geo_data=g,
            data=counted,
            columns=["cell_id", "count"],
            key_on="feature.properties.cell_id",
            bins=[*edges, int(g["count"].max())],
            fill_color="YlOrRd",
            fill_opacity=STYLE["fill_opacity"],
            line_color=STYLE["color"],
            line_weight=STYLE["weight"],
            nan_fill_color="#ffffff",
            nan_fill_opacity=0,
            legend_name="count",
        ).add_to(m)
        chor.geojson.add_child(folium.GeoJsonTooltip(fields=["count"]))
    minx, miny, maxx, maxy = g.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def child_peer(out: Path, tag: str, cell: float, kind: str, write: bool) -> dict:
    hotspot, cells = _setup(cell)
    result = _timed_render(hotspot, lambda: peer_map(cells, kind), out, tag, write)
    result["cells"] = len(cells)
    return result


def child_export(out: Path, cell: float) -> dict:
    """The target alone (``--quick``): export the whole-grid map at ``cell`` metres."""
    import numpy as np

    hotspot, cells = _setup(cell)
    np.save(out / "target_counts.npy", cells["count"].to_numpy())
    path = out / "target_export.html"
    t0 = time.perf_counter()
    hotspot.maps.export_map(hotspot.maps.counts_map(cells, show_empty=True), path, offline=True)
    return {"seconds": time.perf_counter() - t0, "bytes": path.stat().st_size, "cells": len(cells)}


def child(variant: str, out: Path, tag: str, cell: float, write: bool) -> None:
    if variant == "hotspot":
        result = child_hotspot(out, tag, cell, write)
    elif variant == "export":
        result = child_export(out, cell)
    else:
        result = child_peer(out, tag, cell, variant, write)
    print(json.dumps({"variant": variant, "tag": tag, **result}))


# ---------------------------------------------------------------------------- parent side


def run_child(variant: str, out: Path, tag: str, cell: float, write: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--out", str(out), "--tag", tag]
    cmd += ["--cell", str(cell)] + (["--write"] if write else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"child {variant} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarise(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for variant, rs in runs.items():
        if not rs:
            continue
        out[variant] = {
            "runs": len(rs),
            "seconds": statistics.median(r["seconds"] for r in rs),
            "seconds_min": min(r["seconds"] for r in rs),
            "seconds_max": max(r["seconds"] for r in rs),
            "rss_setup_mib": statistics.median(r["rss_setup_mib"] for r in rs),
            "peak_mib": statistics.median(r["peak_mib"] for r in rs),
            "growth_mib": statistics.median(r["peak_mib"] - r["rss_setup_mib"] for r in rs),
            "peak_reset": all(r["peak_reset"] for r in rs),
            "bytes": rs[0]["bytes"],
            "bytes_same_every_run": len({r["bytes"] for r in rs}) == 1,
            "offline_bytes": rs[0].get("offline_bytes"),
        }
        if variant == "hotspot":
            out[variant]["export"] = {
                "seconds": statistics.median(r["export"]["seconds"] for r in rs),
                "bytes": rs[0]["export"]["bytes"],
                "growth_mib": statistics.median(r["export"]["growth_mib"] for r in rs),
                "default_bytes": rs[0]["export_default_bytes"],
                "n_nonzero": rs[0]["n_nonzero"],
                "rendered_tile_urls": rs[0]["export_rendered_tile_urls"],
            }
    return out


# --- reading the pages back -------------------------------------------------------------------

_HOTSPOT_PAYLOAD = re.compile(r'var d = (?=\{"cells":)')
_PEER_PAYLOAD = re.compile(r"geo_json_\w+_add\((?=\{)")


def hotspot_payload(page: str) -> list[dict]:
    """Every cell layer's payload in a hotspot page (``var d = {...}``)."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(page, m.end())[0] for m in _HOTSPOT_PAYLOAD.finditer(page)]


def peer_features(page: str) -> list[dict]:
    """The features of every GeoJSON layer a folium page adds (``geo_json_..._add({...})``)."""
    decoder = json.JSONDecoder()
    features = []
    for m in _PEER_PAYLOAD.finditer(page):
        features.extend(decoder.raw_decode(page, m.end())[0]["features"])
    return features


def check_hotspot(path: Path, counts) -> dict:
    import numpy as np

    layers = hotspot_payload(path.read_text(encoding="utf-8"))
    if len(layers) != 1:
        return {"layers": len(layers), "cells": 0, "same_counts": False}
    d = layers[0]
    values = d["values"][d["fields"].index("count")] if "count" in d["fields"] else []
    same = len(values) == len(counts) and np.array_equal(np.asarray(values), counts)
    return {"layers": 1, "cells": len(d["cells"]), "same_counts": bool(same)}


def check_peer(path: Path, counts) -> dict:
    import numpy as np

    features = peer_features(path.read_text(encoding="utf-8"))
    values = [f["properties"].get("count") for f in features]
    same = len(values) == len(counts) and np.array_equal(np.asarray(values), counts)
    return {"layers": 1, "cells": len(features), "same_counts": bool(same)}


# --- the browser ------------------------------------------------------------------------------

# True once a canvas in Leaflet's overlay pane has a pixel with alpha > 0.
PAINTED = """() => {
    for (const c of document.querySelectorAll('.leaflet-overlay-pane canvas')) {
        if (!c.width || !c.height) continue;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i]) return true; }
    }
    return false;
}"""
# Polygons on the map, canvas size, and the load event (ms after navigation start).
AFTER = """() => {
    const container = document.querySelector('.leaflet-container');
    const map = window[container.id];
    let polygons = 0;
    // the result's cells only: the footprint, study-area outline and context layers that
    // hotspot draws under them sit in panes of their own (the peers have none of them)
    map.eachLayer(l => {
        if (l instanceof L.Polygon && !String(l.options.pane || '').startsWith('hotspot'))
            polygons++;
    });
    const nav = performance.getEntriesByType('navigation')[0];
    const painted = (() => {
        let n = 0;
        for (const c of document.querySelectorAll('.leaflet-overlay-pane canvas')) {
            if (!c.width || !c.height) continue;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; }
        }
        return n;
    })();
    return {polygons: polygons, painted: painted,
            load_event_ms: nav ? nav.loadEventEnd : null,
            dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null};
}"""


def load_in_browser(browser, path: Path) -> dict:
    """Open ``path`` offline; seconds from ``goto`` until the overlay canvas is painted."""
    context = browser.new_context(viewport=VIEWPORT)
    aborted, errors = [], []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_tree_rss_mib(os.getpid()))
            time.sleep(SAMPLE_SECONDS)

    try:
        page = context.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT * 1000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        before = _tree_rss_mib(os.getpid())
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="commit")
        painted = False
        while time.perf_counter() - start < BROWSER_TIMEOUT:
            try:
                painted = page.evaluate(PAINTED)
            except Exception as exc:  # the navigation replaced the context: poll again
                if "context" not in str(exc).lower() and "navigat" not in str(exc).lower():
                    raise
            if painted:
                break
            page.wait_for_timeout(POLL_MS)
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        after = page.evaluate(AFTER) if painted else {}
    finally:
        stop.set()
        context.close()
    return {
        "seconds": seconds,
        "painted": painted,
        **after,
        "tree_rss_before_mib": before,
        "tree_peak_mib": max(samples) if samples else None,
        "tree_growth_mib": max(samples) - before if samples else None,
        "aborted": len(aborted),
        "errors": errors[:5],
    }


def browser_loads(pages: dict[str, Path], repeats: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    loads: dict[str, list[dict]] = {name: [] for name in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            # one untimed load first, so that no page pays for the browser's first start
            load_in_browser(browser, next(iter(pages.values())))
            for _ in range(repeats):  # interleaved
                for name, path in pages.items():
                    loads[name].append(load_in_browser(browser, path))
        finally:
            browser.close()
    out = {}
    for name, rs in loads.items():
        growths = [r["tree_growth_mib"] for r in rs if r["tree_growth_mib"] is not None]
        out[name] = {
            "runs": len(rs),
            "seconds": statistics.median(r["seconds"] for r in rs),
            "painted": all(r["painted"] for r in rs),
            "polygons": rs[0].get("polygons"),
            "painted_pixels": rs[0].get("painted"),
            "load_event_ms": rs[0].get("load_event_ms"),
            "tree_growth_mib": statistics.median(growths) if growths else None,
            "aborted": rs[0]["aborted"],
            "errors": rs[0]["errors"],
            "bytes": pages[name].stat().st_size,
        }
    return out


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="hotspot runs (median)")
    parser.add_argument("--peer-repeats", type=int, default=1, help="runs of each folium peer")
    parser.add_argument("--no-choropleth", action="store_true", help="leave folium.Choropleth out")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=CHROMIUM.exists(),
        help=f"time headless Chromium drawing each page (default: on if {CHROMIUM} exists)",
    )
    parser.add_argument("--browser-repeats", type=int, default=1, help="loads of each page")
    parser.add_argument("--quick", action="store_true", help="250 m grid, 1 run of each")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--child", choices=[*VARIANTS, "export"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="", help=argparse.SUPPRESS)
    parser.add_argument("--cell", type=float, default=CELL, help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.out, args.tag, args.cell, args.write)
        return 0
    if args.browser and not CHROMIUM.exists():
        parser.error(f"--browser needs Chromium at {CHROMIUM}")
    cell = QUICK_CELL if args.quick else CELL
    repeats = 1 if args.quick else max(1, args.repeats)
    peer_repeats = 1 if args.quick else max(1, args.peer_repeats)
    browser_repeats = 1 if args.quick else max(1, args.browser_repeats)
    peers = [p for p in PEERS if not (args.no_choropleth and p == "choropleth")]
    variants = ["hotspot", *peers]

    import numpy as np

    started = time.perf_counter()
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory(prefix="hotspot-bench-maps-") as tmp:
        folder = Path(tmp)
        print(
            f"maps benchmark: Toronto incidents on a {cell:g} m square grid, every cell drawn; "
            f"each run a fresh process, setup untimed; hotspot: median of {repeats}, folium "
            f"peers: {peer_repeats} run(s) each",
            flush=True,
        )
        for i in range(max(repeats, peer_repeats)):  # interleaved
            for variant in variants:
                if i < (repeats if variant == "hotspot" else peer_repeats):
                    tag = f"{variant}{i}"
                    r = run_child(variant, folder, tag, cell, write=i == 0)
                    runs[variant].append(r)
                    print(f"  {LABELS[variant]} run {i + 1}: {r['seconds']:.2f} s", flush=True)
        target_run = None
        if args.quick:
            target_run = run_child("export", folder, "target", CELL, write=True)
        counts = np.load(folder / "counts.npy")
        checks_data = {"hotspot": check_hotspot(folder / "hotspot0.html", counts)}
        checks_data["hotspot export"] = check_hotspot(folder / "hotspot0_export.html", counts)
        for peer in peers:
            checks_data[LABELS[peer]] = check_peer(folder / f"{peer}0.html", counts)
        from hotspot.maps.export import external_references

        export_refs = external_references(
            (folder / "hotspot0_export.html").read_text(encoding="utf-8")
        )
        if target_run is not None:
            target_counts = np.load(folder / "target_counts.npy")
            checks_data["target export"] = check_hotspot(
                folder / "target_export.html", target_counts
            )
        browser = None
        if args.browser:
            pages = {
                "hotspot": folder / "hotspot0_offline.html",
                "hotspot export": folder / "hotspot0_export.html",
                **{LABELS[p]: folder / f"{p}0_offline.html" for p in peers},
            }
            print(f"loading {len(pages)} pages in headless Chromium ...", flush=True)
            browser = browser_loads(pages, browser_repeats)
    stats = summarise(runs)
    n_cells = len(counts)

    print()
    header = (
        f"{'variant':<20}{'runs':>5}{'median s':>10}{'min-max s':>14}{'growth MiB':>12}"
        f"{'peak MiB':>10}{'HTML bytes':>13}{'offline bytes':>15}"
    )
    print(header)
    print("-" * len(header))
    for variant, s in stats.items():
        spread = f"{s['seconds_min']:.2f}-{s['seconds_max']:.2f}"
        print(
            f"{LABELS[variant]:<20}{s['runs']:>5}{s['seconds']:>10.2f}{spread:>14}"
            f"{s['growth_mib']:>12.0f}{s['peak_mib']:>10.0f}{s['bytes']:>13,}"
            f"{s['offline_bytes'] or 0:>15,}"
        )
    for variant in variants:
        print(f"  {LABELS[variant]}: {VARIANTS[variant]}")
    print(
        "  growth = peak RSS - post-setup RSS of the child"
        + ("" if all(s["peak_reset"] for s in stats.values()) else " (peak NOT reset)")
        + "; HTML bytes: the rendered page (CDN links); offline bytes: the same page with "
        "Leaflet and jQuery inlined and the web basemap off (export_map(m, offline=True))"
    )
    h = stats["hotspot"]
    e = h["export"]
    print(
        f"  hotspot export_map(counts_map(cells, show_empty=True), offline=True): "
        f"{_mb(e['bytes'])} ({e['bytes']:,} bytes), {e['seconds']:.2f} s, growth "
        f"{e['growth_mib']:.0f} MiB; the default export of the cells (the {e['n_nonzero']:,} "
        f"cells with incidents only): {_mb(e['default_bytes'])}"
    )
    if e["rendered_tile_urls"]:
        print(
            f"  info: export_map(m, offline=True) of the map rendered before still holds "
            f"{e['rendered_tile_urls']} tile.openstreetmap.org address(es): rendering leaves "
            "the tile layer's script in the figure, so that offline file fetches basemap tiles"
        )

    fastest = min(peers, key=lambda p: stats[p]["seconds"])
    f = stats[fastest]
    ratios = {
        "size": f["bytes"] / h["bytes"],
        "size_offline": f["offline_bytes"] / h["offline_bytes"],
        "time": f["seconds"] / h["seconds"],
        "memory_growth": f["growth_mib"] / h["growth_mib"],
        "memory_peak": f["peak_mib"] / h["peak_mib"],
    }
    per_peer = {
        p: {
            "size": stats[p]["bytes"] / h["bytes"],
            "time": stats[p]["seconds"] / h["seconds"],
            "memory_growth": stats[p]["growth_mib"] / h["growth_mib"],
        }
        for p in peers
    }
    if target_run is not None:
        target_bytes, target_cells = target_run["bytes"], target_run["cells"]
    else:
        target_bytes, target_cells = e["bytes"], n_cells
    target_pass = target_bytes < TARGET_BYTES
    ok = {True: "PASS", False: "FAIL"}
    print()
    print(
        f"ratios against the faster peer ({LABELS[fastest]}), peer / hotspot: size "
        f"{ratios['size']:.2f}x ({f['bytes'] / 1e6:.1f} / {h['bytes'] / 1e6:.1f} MB), time "
        f"{ratios['time']:.1f}x ({f['seconds']:.1f} / {h['seconds']:.2f} s), memory growth "
        f"{ratios['memory_growth']:.1f}x ({f['growth_mib']:.0f} / {h['growth_mib']:.0f} MiB)"
    )
    for p in peers:
        r = per_peer[p]
        print(
            f"  {LABELS[p]} / hotspot: size {r['size']:.2f}x, time {r['time']:.1f}x, memory "
            f"growth {r['memory_growth']:.1f}x"
        )
    print(
        f"target: offline export of the whole Toronto {CELL:g} m grid ({target_cells:,} cells) "
        f"= {_mb(target_bytes)} (< {_mb(TARGET_BYTES)})  {ok[target_pass]}"
        + ("  [from a separate 100 m export child: --quick]" if target_run else "")
    )

    load_ratio, load_peer = None, None
    if browser is not None:
        print()
        print(f"headless Chromium, offline, {VIEWPORT['width']}x{VIEWPORT['height']}:")
        print(
            f"  {'page':<20}{'bytes':>13}{'goto->drawn s':>15}{'load event s':>14}"
            f"{'polygons':>10}{'tree growth MiB':>17}{'aborted':>9}"
        )
        for name, b in browser.items():
            load_s = "-" if b["load_event_ms"] is None else f"{b['load_event_ms'] / 1000:.2f}"
            growth = "-" if b["tree_growth_mib"] is None else f"{b['tree_growth_mib']:.0f}"
            drawn = f"{b['seconds']:.2f}" if b["painted"] else "NOT DRAWN"
            print(
                f"  {name:<20}{b['bytes']:>13,}{drawn:>15}{load_s:>14}"
                f"{b['polygons'] or 0:>10,}{growth:>17}{b['aborted']:>9}"
            )
            for err in b["errors"]:
                print(f"    page error: {err[:200]}")
        print(
            "  hotspot and peer pages are the rendered pages with the CDN tags inlined; aborted: "
            "blocked basemap tile requests; tree growth: this process's tree (Chromium included)"
        )
        load_peer = LABELS[min(peers, key=lambda p: browser[LABELS[p]]["seconds"])]
        load_ratio = browser[load_peer]["seconds"] / browser["hotspot"]["seconds"]
        print(
            f"load-time ratio, faster-drawing peer ({load_peer}) / hotspot (same treatment): "
            f"{load_ratio:.1f}x ({browser[load_peer]['seconds']:.2f} / "
            f"{browser['hotspot']['seconds']:.2f} s); hotspot's export draws in "
            f"{browser['hotspot export']['seconds']:.2f} s"
        )

    checks = {}
    for name, c in checks_data.items():
        expected = len(target_counts) if name == "target export" else n_cells
        checks[f"{name}: {c['cells']:,} of {expected:,} cells, counts identical"] = (
            c["cells"] == expected and c["same_counts"]
        )
    checks["hotspot export loads nothing from the network"] = not export_refs
    checks["hotspot page size the same in every run"] = h["bytes_same_every_run"]
    if browser is not None:
        for name, b in browser.items():
            checks[f"{name} drawn in the browser, {b['polygons'] or 0:,} polygons"] = bool(
                b["painted"] and b["polygons"] == n_cells and not b["errors"]
            )
        export_aborted = browser["hotspot export"]["aborted"]
        checks[f"hotspot export requested nothing outside the file ({export_aborted})"] = (
            export_aborted == 0
        )
    print()
    for label, passed in checks.items():
        print(f"  {ok[bool(passed)]}  {label}")
    print(
        f"summary, {LABELS[fastest]} / hotspot: size {ratios['size']:.2f}x, time "
        f"{ratios['time']:.1f}x, memory growth {ratios['memory_growth']:.1f}x"
        + (f", browser load {load_ratio:.1f}x (vs {load_peer})" if load_ratio is not None else "")
        + f"; export {_mb(target_bytes)} (< 15 MB) {ok[target_pass]}"
    )
    print(f"wall time {time.perf_counter() - started:.0f} s")

    if args.json:
        out = {
            "benchmark": "maps",
            "cell": cell,
            "n_cells": n_cells,
            "repeats": repeats,
            "peer_repeats": peer_repeats,
            "variants": stats,
            "runs": runs,
            "fastest_peer": fastest,
            "fastest_peer_label": LABELS[fastest],
            "ratios": ratios,
            "per_peer": per_peer,
            "browser": browser,
            "load_ratio": load_ratio,
            "load_peer": load_peer,
            "targets": {
                "export_size": {
                    "bytes": target_bytes,
                    "cells": target_cells,
                    "target": TARGET_BYTES,
                    "pass": target_pass,
                }
            },
            "checks": {k: bool(v) for k, v in checks.items()},
            "check_data": checks_data,
        }
        args.json.write_text(json.dumps(out, indent=2))
    failed = [k for k, v in checks.items() if not v] + ([] if target_pass else ["export_size"])
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
