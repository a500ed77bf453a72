"""Pages that open with no network: the scripts and stylesheets folium links to, inlined from
the files the package carries, and a check that nothing else would be fetched.

Used by :func:`hotspot.maps.export_map` (``offline=True``) and by the notebook view of every
map the package returns (Leaflet, jQuery and d3 inlined; only the basemap tiles, if any, are
fetched).
"""

from __future__ import annotations

import base64
import re
from importlib import resources
from typing import Any

from hotspot.errors import HotspotInputError

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

SCRIPT_LINK = re.compile(r'<script src="([^"]+)"></script>')

STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"\s*/>')

# A web address in a script string that names something to fetch: a tile template or a file.
SCRIPT_RESOURCE = re.compile(
    r"""["'](?:https?:)?//[^"'\s]+?(?:\{z\}|\.(?:js|css|png|jpe?g|gif|webp|json|pbf|woff2?|ttf))"""
    r"""[^"'\s]*["']""",
    re.IGNORECASE,
)

# A reference the browser would load by itself: src attributes, stylesheet links, CSS url() and
# @import (a link the reader may click, <a href>, loads nothing).
LOADED = re.compile(
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
    for match in LOADED.finditer(page):
        end = page.find('"', match.end())
        stop = end + 1 if end > 0 else match.end() + 40
        found.append(page[match.start() : stop])
        spans.append((match.start(), stop))
    for match in SCRIPT_RESOURCE.finditer(page):
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
                f"export_map: offline=True cannot inline {url}: hotspot carries Leaflet, jQuery "
                "and d3 only; remove the plugin that needs it, or export with offline=False."
            )
        name = ASSETS[url]
        if name is None:
            if icons_used:
                raise HotspotInputError(
                    f"export_map: offline=True: the map uses folium icons, which need {url}; "
                    "use CircleMarker instead of Marker(icon=...), or export with offline=False."
                )
            return ""
        return inline(name)

    page = SCRIPT_LINK.sub(lambda m: swap(m, _inline_script), page)
    page = STYLESHEET_LINK.sub(lambda m: swap(m, _inline_stylesheet), page)
    left = [ref for ref in external_references(page) if not any(url in ref for url in allow)]
    if left:
        raise HotspotInputError(
            f"export_map: offline=True: the page still loads {len(left)} web address(es), first "
            f"{left[0]}; remove what adds it, or export with offline=False."
        )
    return page


def tile_templates(m: Any) -> tuple[str, ...]:
    """The URL templates of the basemaps (tile layers) on ``m``."""
    import folium

    return tuple(
        str(child.tiles) for child in descendants(m) if isinstance(child, folium.TileLayer)
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
    icons = any(type(e).__name__ == "Icon" for e in descendants(m))
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


def descendants(element: Any) -> list[Any]:
    """Every element under ``element`` (a folium map or one of its children), depth first."""
    out = []
    for child in element._children.values():
        out.append(child)
        out.extend(descendants(child))
    return out
