"""Briefing exports: one HTML file that opens with no network, with disclosure control."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd

from hotspot._validate import check_output_file
from hotspot.disclosure import disclose, disclosure_note
from hotspot.errors import HotspotInputError
from hotspot.maps._layers import add_legend, basemap, is_web_address
from hotspot.maps._style import escape

# The web addresses folium and branca write, and the file in hotspot/maps/_assets that stands
# in for each (same release; licences beside them). None: not needed by any hotspot map and
# left out of offline files (Bootstrap, Font Awesome, awesome-markers icons).
ASSETS: dict[str, str | None] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js": "d3.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": None,
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
}
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/>')
# A web address in a script string that names something to fetch: a tile template or a file.
_SCRIPT_RESOURCE = re.compile(
    r"""["'](?:https?:)?//[^"'\s]+?(?:\{z\}|\.(?:js|css|png|jpe?g|gif|webp|json|pbf|woff2?|ttf))"""
    r"""[^"'\s]*["']""",
    re.IGNORECASE,
)
# A reference the browser would load by itself: src attributes, stylesheet links, CSS url() and
# @import (a link the reader may click, <a href>, loads nothing).
_LOADED = re.compile(
    r"""(?:\bsrc\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?|@import\s+["'])"""
    r"""\s*(?:https?:)?//""",
    re.IGNORECASE,
)


def _asset(name: str) -> str:
    return (resources.files("hotspot.maps") / "_assets" / name).read_text(encoding="utf-8")


def _asset_data_uri(name: str) -> str:
    data = (resources.files("hotspot.maps") / "_assets" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _inline_script(name: str) -> str:
    text = re.sub(r"//# sourceMappingURL=\S+", "", _asset(name))
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _inline_stylesheet(name: str) -> str:
    text = _asset(name)
    text = re.sub(
        r"url\((?:images/)?([\w.-]+\.png)\)", lambda m: f"url({_asset_data_uri(m[1])})", text
    )
    return "<style>" + text + "</style>"


def external_references(page: str) -> list[str]:
    """Every reference in ``page`` that a browser would fetch from the network.

    Examples
    --------
    >>> external_references('<img src="https://x.org/a.png"><a href="#top">top</a>')
    ['src="https://x.org/a.png"']
    >>> external_references('L.tileLayer("https://tile.x.org/{z}/{x}/{y}.png")')
    ['"https://tile.x.org/{z}/{x}/{y}.png"']
    """
    found, spans = [], []
    for match in _LOADED.finditer(page):
        end = page.find('"', match.end())
        stop = end + 1 if end > 0 else match.end() + 40
        found.append(page[match.start() : stop])
        spans.append((match.start(), stop))
    for match in _SCRIPT_RESOURCE.finditer(page):
        if not any(a <= match.start() < b for a, b in spans):
            found.append(match[0])
    return found


def inline_assets(page: str, *, icons_used: bool = False, allow: tuple[str, ...] = ()) -> str:
    """Replace the page's script and stylesheet links by the packaged files.

    Raises :class:`HotspotInputError` for a link this package does not carry, naming it, and
    when any web address is left that a browser would load, except the tile templates in
    ``allow`` (a basemap the user asked for by name).

    Examples
    --------
    >>> page = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    >>> inlined = inline_assets(page)
    >>> inlined.startswith("<script>") and "jQuery" in inlined
    True
    """

    def swap(match: re.Match, inline: Any) -> str:
        url = match[1]
        if url not in ASSETS:
            raise HotspotInputError(
                f"offline=True cannot inline {url}: hotspot carries Leaflet, jQuery and d3 "
                "only. Remove the plugin that needs it, or export with offline=False."
            )
        name = ASSETS[url]
        if name is None:
            if icons_used:
                raise HotspotInputError(
                    f"offline=True: the map uses folium icons, which need {url}; use "
                    "CircleMarker instead of Marker(icon=...), or export with offline=False."
                )
            return ""
        return inline(name)

    page = _SCRIPT.sub(lambda m: swap(m, _inline_script), page)
    page = _STYLESHEET.sub(lambda m: swap(m, _inline_stylesheet), page)
    left = [ref for ref in external_references(page) if not any(url in ref for url in allow)]
    if left:
        raise HotspotInputError(
            f"offline=True: the page still loads {len(left)} web address(es), first {left[0]}"
        )
    return page


def tile_templates(m: Any) -> tuple[str, ...]:
    """The URL templates of the basemaps (tile layers) on ``m``."""
    import folium

    return tuple(
        str(child.tiles) for child in _descendants(m) if isinstance(child, folium.TileLayer)
    )


def notebook_html(m: Any) -> str:
    """What a notebook shows for ``m``: folium's iframe holding the page with Leaflet, jQuery
    and d3 inlined, so the map draws with no internet (only its basemap tiles, if any, are
    fetched). Raises :class:`HotspotInputError` when the page needs a file the package does
    not carry (a plugin).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 5000, quiet=True), quiet=True)
    >>> frame = notebook_html(hs.maps.counts_map(cells, tiles=None))
    >>> frame.startswith("<div") and "srcdoc=" in frame and "cdn.jsdelivr" not in frame
    True
    """
    import html

    root = m.get_root()
    page = root.render()
    icons = any(type(e).__name__ == "Icon" for e in _descendants(m))
    page = inline_assets(page, icons_used=icons, allow=tile_templates(m))
    # ASCII only (other characters as references), so the frame reads the same whatever the
    # encoding of the page it is shown in
    srcdoc = html.escape(page).encode("ascii", "xmlcharrefreplace").decode("ascii")
    if getattr(root, "height", None) is None:
        return (
            f'<div style="width:{root.width};"><div style="position:relative;width:100%;'
            f'height:0;padding-bottom:{root.ratio};"><iframe srcdoc="{srcdoc}" '
            'style="position:absolute;width:100%;height:100%;left:0;top:0;'
            'border:none !important;" allowfullscreen webkitallowfullscreen '
            "mozallowfullscreen></iframe></div></div>"
        )
    return (
        f'<iframe srcdoc="{srcdoc}" width="{root.width}" height="{root.height}" '
        'style="border:none !important;" allowfullscreen></iframe>'
    )


def _period(meta: dict) -> tuple[str, str] | None:
    """The period of the incidents the result was made from (not of the whole file)."""
    counted = meta.get("counts")
    if isinstance(counted, dict) and counted.get("period"):
        return tuple(counted["period"])
    bins = meta.get("emerging", {}).get("bins") if isinstance(meta.get("emerging"), dict) else None
    if bins:  # emerging hot spots: the first and last bins
        return str(bins[0])[:10], str(bins[1])[:10]
    if meta.get("start") is not None and meta.get("end") is not None:  # a cube: its bins
        return str(meta["start"])[:10], str(meta["end"])[:10]
    return None


def result_facts(result: Any) -> dict[str, str]:
    """Footer lines read from the result's attrs: source, period, method, parameters."""
    attrs = getattr(result, "attrs", None) or {}
    meta = {**attrs, **attrs.get("hotspot", {})}  # cubes keep their attrs at the top level
    report = meta.get("incidents_report") or {}
    if not report and "load_report" in meta:
        report = meta["load_report"].to_dict()
    lines: dict[str, str] = {}
    if report.get("source"):
        lines["Data"] = f"{Path(str(report['source'])).name} ({report.get('schema', '')})"
    period = _period(meta)
    stamped = meta.get("period")
    if isinstance(stamped, dict) and stamped.get("label"):
        lines["Period"] = str(stamped["label"])
    elif period:
        lines["Period"] = f"{period[0]} to {period[1]}"
    elif report.get("time_min"):
        lines["Period"] = f"{str(report['time_min'])[:10]} to {str(report['time_max'])[:10]}"
    methods = {
        "freq": "Space-time cube",
        "gistar": "Getis–Ord Gi*",
        "lisa": "Local Moran's I",
        "emerging": "Emerging hot spot analysis",
        "kde": "Kernel density",
        "cluster": "Clustering",
        "summary": "Cluster summary",
        "grid": "Counts per cell",
    }
    key = next((k for k in methods if k in meta), None)
    if key is not None:  # the first method the result records is the one that made it
        params = meta[key]
        shown = (
            {
                k: v
                for k, v in params.items()
                if isinstance(v, str | int | float | bool) and k not in ("clusters", "categories")
            }
            if isinstance(params, dict)
            else {"bins": params}
        )
        text = ", ".join(
            f"{k}={v:,.4g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in list(shown.items())[:8]
        )
        lines["Method"] = f"{methods[key]}: {text}" if text else methods[key]
    return lines


def add_footer(m: Any, result: Any = None, *, extra: str | None = None) -> None:
    """Add the footer (source, period, method and parameters, version, time) to ``m``."""
    from hotspot import __version__

    lines = result_facts(result) if result is not None else {}
    lines["Made with"] = f"hotspot {__version__}"
    lines["Generated"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = " · ".join(f"<b>{escape(k)}</b>: {escape(v)}" for k, v in lines.items())
    if extra:
        body += f"<div>{escape(extra)}</div>"
    add_legend(
        m,
        "<div class='hotspot-footer' style='position:fixed;bottom:18px;right:0;z-index:9998;"
        "max-width:60%;background:rgba(255,255,255,0.9);padding:3px 8px;font:11px sans-serif;"
        f"border-top-left-radius:4px'>{body}</div>",
    )


def add_title(m: Any, title: str) -> None:
    """A title box at the top of the map (escaped)."""
    add_legend(
        m,
        "<div class='hotspot-title' style='position:fixed;top:10px;left:50%;"
        "transform:translateX(-50%);z-index:9999;background:white;padding:4px 12px;"
        "border:1px solid #999;border-radius:4px;font:bold 15px sans-serif'>"
        f"{escape(title)}</div>",
    )


def default_map(result: Any, **kwargs: Any) -> Any:
    """The map a result is drawn with when given to :func:`export_map`."""
    from hotspot.maps.cells import counts_map, emerging_map, gistar_map, lisa_map
    from hotspot.maps.clusters import cluster_map, near_repeat_map
    from hotspot.maps.surface import density_map
    from hotspot.maps.timeline import timeline_map

    if hasattr(result, "dims") and "transform" in getattr(result, "attrs", {}):
        return density_map(result, **kwargs)
    if hasattr(result, "counts") and hasattr(result, "bins"):
        return timeline_map(result, **kwargs)
    if not isinstance(result, gpd.GeoDataFrame):
        raise TypeError(
            "export_map() takes a folium.Map, a result GeoDataFrame, a density surface or a "
            f"space-time cube, not {type(result).__name__}"
        )
    columns = set(result.columns)
    for column, draw in (
        ("emerging_category", emerging_map),
        ("gistar_bin", gistar_map),
        ("lisa_cluster", lisa_map),
        ("members", near_repeat_map),
        ("n_incidents", cluster_map),
        ("count", counts_map),
    ):
        if column in columns:
            return draw(result, **kwargs)
    raise TypeError(
        "export_map() does not know how to draw this GeoDataFrame: it has none of the columns "
        "emerging_category, gistar_bin, lisa_cluster, members, n_incidents or count"
    )


def export_map(
    map_or_result: Any,
    path: str | Path,
    *,
    offline: bool = False,
    public: bool = False,
    min_count: int | None = None,
    title: str | None = None,
    tiles: str | None = None,
    labels: Any = None,
    context: Any = None,
) -> Path:
    """Write a briefing map to one HTML file.

    Parameters
    ----------
    map_or_result : folium.Map or result
        A map from :mod:`hotspot.maps`, or a result to draw with its default map: cells with
        counts, Gi*, LISA or emerging categories, a cluster summary, near-repeat chains, a
        density surface or a space-time cube.
    path : str or Path
        The HTML file to write.
    offline : bool, default=False
        One self-contained file: Leaflet, jQuery and d3 inlined from the package, basemap tiles
        off (or ``tiles``), no web address that the browser would load anywhere in the file.
    public : bool, default=False
        Disclosure control, applied to the result before it is drawn
        (:func:`hotspot.disclosure.disclose`): no incident-level points, counts from 1 to
        ``min_count − 1`` shown as "fewer than ``min_count``", no statistics from which counts
        could be derived, and the rule stated on the map. Needs a result, not a finished map.
    min_count : int, default=5
        The smallest count a public export shows.
    title : str, optional
        Title shown at the top of the map (escaped).
    tiles : str, optional
        The basemap, replacing the map's own: a local tile folder as a URL template relative
        to the HTML file (``"tiles/{z}/{x}/{y}.png"``), or the URL template of a tile server
        (``"https://tiles.force.local/{z}/{x}/{y}.png"``, such as a police network's internal
        one). With ``offline=True`` and no ``tiles`` the file has no basemap. With
        ``offline=True`` and a web address, the file is self-contained except for the basemap
        tiles, fetched from that server only (you asked for it by name); everything else is
        still inlined and any other web address is refused. Without the server the map still
        draws, on a blank background.
    labels : GeoDataFrame or False, optional
        Place labels for a result drawn here (see the map functions); False for none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Context layers (force boundary, main roads) drawn under a result drawn here.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> out = hs.maps.export_map(cells, tempfile.mkdtemp() + "/counts.html",
    ...                          offline=True, public=True, title="Crime, West Yorkshire")
    >>> page = out.read_text()
    >>> hs.maps.export.external_references(page), "fewer than 5" in page
    ([], True)
    """
    import folium

    path = check_output_file(path, "map.html")  # before drawing: a folder given by mistake
    if min_count is not None and not public:
        raise HotspotInputError("min_count= applies to public=True exports only")
    if isinstance(map_or_result, folium.Map):
        if public:
            raise HotspotInputError(
                "public=True needs the result, not a finished map: disclosure control is "
                "applied to the data before anything is drawn. Pass the GeoDataFrame, surface "
                "or cube instead of the map."
            )
        if labels is not None or context is not None:
            raise HotspotInputError(
                "labels= and context= apply when export_map() draws a result; for a finished "
                "map, pass them to the map function (e.g. gistar_map(result, context=roads))"
            )
        m, result = map_or_result, None
    else:
        result = disclose(map_or_result, min_count) if public else map_or_result
        options = {k: v for k, v in (("labels", labels), ("context", context)) if v is not None}
        m = default_map(result, **options)
    layer = basemap(tiles) if tiles is not None else None
    # The export adds a title and a footer and may swap the basemap: on a copy of the map's
    # children, so the caller's map is the same afterwards (and a second export has one footer).
    root = m.get_root()
    saved = dict(m._children), dict(root.html._children), dict(root.script._children)
    # Rendering writes each layer's script into the page; a map rendered before (shown in a
    # notebook) still holds the scripts of layers removed here, such as the web basemap.
    root.script._children.clear()
    try:
        if offline or layer is not None:
            for key, child in list(m._children.items()):
                if isinstance(child, folium.TileLayer):
                    del m._children[key]
            if layer is not None:
                layer.add_to(m)
                # the basemap first in the page, so the layer control lists it as a base layer
                m._children.move_to_end(layer.get_name(), last=False)
        if title:
            add_title(m, title)
        add_footer(m, result, extra=disclosure_note(result) if public else None)
        page = root.render()
        icons = any(type(e).__name__ == "Icon" for e in _descendants(m))
    finally:
        m._children.clear()
        m._children.update(saved[0])
        root.html._children.clear()
        root.html._children.update(saved[1])
        root.script._children.clear()
        root.script._children.update(saved[2])
    if offline:
        web = layer is not None and is_web_address(str(layer.tiles))
        allow = (str(layer.tiles),) if web else ()
        page = inline_assets(page, icons_used=icons, allow=allow)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _descendants(element: Any) -> list[Any]:
    out = []
    for child in element._children.values():
        out.append(child)
        out.extend(_descendants(child))
    return out
