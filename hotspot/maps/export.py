"""Briefing exports: one HTML file that opens with no network, with disclosure control.

The map a result is drawn with is read from the method that made it
(``attrs["hotspot"]["method"]``, :mod:`hotspot.maps._kinds`), never guessed from its columns;
a frame built by hand names its map with ``kind=``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotspot._validate import check_output_file
from hotspot.disclosure import (
    check_min_count,
    check_not_incident_level,
    disclose,
    disclosure_note,
)
from hotspot.errors import HotspotInputError
from hotspot.maps._facts import made_with, result_facts
from hotspot.maps._kinds import density_column, density_title, map_kind, with_method
from hotspot.maps._layers import add_legend, basemap, is_web_address
from hotspot.maps._offline import (
    ASSETS,
    descendants,
    external_references,
    inline_assets,
    notebook_html,
    tile_templates,
)
from hotspot.maps._style import escape
from hotspot.maps.cells import counts_map, emerging_map, gistar_map, lisa_map
from hotspot.maps.clusters import cluster_map, near_repeat_map
from hotspot.maps.forecast import forecast_map, patrol_map
from hotspot.maps.surface import density_map
from hotspot.maps.timeline import timeline_map

# The offline helpers and the footer's facts live in their own modules; their names stay
# importable from here, where they were public before.
__all__ = [
    "ASSETS",
    "add_footer",
    "add_title",
    "default_map",
    "export_map",
    "external_references",
    "inline_assets",
    "notebook_html",
    "result_facts",
    "tile_templates",
]


def add_footer(m: Any, result: Any = None, *, extra: str | None = None) -> None:
    """Add the footer (source, period, method and parameters, version, time) to ``m``."""
    lines = result_facts(result) if result is not None else {}
    lines["Made with"] = made_with()
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


def default_map(result: Any, kind: str | None = None, **kwargs: Any) -> Any:
    """The map a result is drawn with when given to :func:`export_map`: the one for the method
    that made it (``attrs["hotspot"]["method"]``), or ``kind``.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 5000, quiet=True), quiet=True)
    >>> hot = hs.gistar(cells, permutations=0, quiet=True)
    >>> "Gi* hot spots" in default_map(hot, tiles=None).get_root().render()
    True
    """
    kind = map_kind(result, kind, func="export_map")
    if kind == "counts":
        return counts_map(result, **kwargs)
    if kind == "gistar":
        return gistar_map(result, **kwargs)
    if kind == "lisa":
        return lisa_map(result, **kwargs)
    if kind == "emerging":
        return emerging_map(result, **kwargs)
    if kind == "clusters":
        return cluster_map(result, **kwargs)
    if kind == "near_repeat":
        return near_repeat_map(result, **kwargs)
    if kind == "timeline":
        return timeline_map(result, **kwargs)
    if kind == "forecast":
        return forecast_map(result, **kwargs)
    if kind == "patrol":
        return patrol_map(result, **kwargs)
    if hasattr(result, "dims"):  # a density surface
        return density_map(result, **kwargs)
    column = density_column(result, func="export_map")  # a density on cells
    return counts_map(result, column, title=density_title(column), **kwargs)


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
    kind: str | None = None,
) -> Path:
    """Write a briefing map to one HTML file.

    Parameters
    ----------
    map_or_result : folium.Map or result
        A map from :mod:`hotspot.maps`, or a result to draw with the map of the method that
        made it (``attrs["hotspot"]["method"]``): counts (:func:`hotspot.count_incidents`),
        Gi* (:func:`hotspot.gistar`, :func:`hotspot.optimized_hotspots`), LISA, emerging
        categories, a kde or dual kde (a surface, or cells), a cluster summary, near-repeat
        chains, a space-time cube, a forecast (``Forecaster.predict``) or the cells
        :func:`hotspot.allocate_patrols` chose.
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
    kind : {"counts", "gistar", "lisa", "emerging", "density", "clusters", "near_repeat", \
"timeline", "forecast", "patrol"}, optional
        The map to draw the result with (the map function ``<kind>_map``), instead of the one
        for its method: e.g. ``kind="counts"`` for the counts of a Gi* result. A frame built by
        hand, which records no method, needs it; it is then also what disclosure control
        treats the frame as.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    HotspotInputError
        A result that records no method and no ``kind``, a method without a map, a ``kind``
        that cannot draw the result, ``public=True`` with an incident-level result or a
        finished map, ``min_count`` without ``public``, or a ``path`` that is a folder.

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
        raise HotspotInputError(
            f"export_map: min_count={min_count!r} applies to public=True exports only; pass "
            "public=True, or leave min_count out."
        )
    min_count = check_min_count(min_count, func="export_map")
    if isinstance(map_or_result, folium.Map):
        if public:
            raise HotspotInputError(
                "export_map: public=True needs the result, not a finished map: disclosure "
                "control is applied to the data before anything is drawn; pass the GeoDataFrame, "
                "surface or cube instead of the map."
            )
        if labels is not None or context is not None or kind is not None:
            raise HotspotInputError(
                "export_map: labels=, context= and kind= apply when export_map() draws a "
                "result; for a finished map, pass them to the map function (e.g. "
                "gistar_map(result, context=roads))."
            )
        m, result = map_or_result, None
    else:
        if public:  # incident points are refused whatever map they would get
            check_not_incident_level(map_or_result, func="export_map")
        drawn = map_kind(map_or_result, kind, func="export_map")  # before any work
        result = with_method(map_or_result, drawn)
        result = disclose(result, min_count) if public else result
        options = {k: v for k, v in (("labels", labels), ("context", context)) if v is not None}
        m = default_map(result, drawn, **options)
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
        icons = any(type(e).__name__ == "Icon" for e in descendants(m))
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
