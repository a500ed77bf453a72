"""The one-page analysis report and the files behind it (maps, slide images, GeoJSON, CSV).

Everything user-supplied that reaches the page (titles, categories, file names, notes) is
escaped. With ``public=True`` every map, image and data file is made from the disclosed copy of
its result (:func:`hotspot.disclosure.disclose`, the rules the maps apply too) and no
incident-level file is written. Each map is the one for the method that made its result
(``attrs["hotspot"]["method"]``), chosen by :func:`hotspot.maps.export_map` and
:func:`hotspot.maps.to_png`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._period import period_label
from hotspot._version import __version__
from hotspot.disclosure import (
    check_min_count,
    disclose,
    disclose_table,
    small_counts,
    statement,
)
from hotspot.grid.cube import freq_word
from hotspot.maps.chart import time_chart
from hotspot.maps.export import export_map
from hotspot.maps.png import to_png
from hotspot.report.findings import (
    key_findings,
    params_of,
    repeat_sentences,
    when_sentences,
)
from hotspot.report.page import escape, image_uri

if TYPE_CHECKING:
    from hotspot.analyze import Analysis

PAGE_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;"
    "color:#222}h1{margin-bottom:0}h2{border-bottom:2px solid #bd0026;padding-bottom:4px;"
    "margin-top:2.5em}table{border-collapse:collapse;margin:0.5em 0}td,th{padding:2px 10px;"
    "text-align:right;border-bottom:1px solid #eee}th{text-align:left;vertical-align:top}"
    "figure{margin:1em 0;display:inline-block;width:48%;vertical-align:top}"
    "figure img{width:100%;border:1px solid #ccc}figcaption{font-size:12px;color:#444}"
    ".note{background:#fff8e1;padding:6px 10px;border-left:4px solid #f0b400;margin:0.5em 0}"
    ".findings{font-size:15px;background:#f5f5f5;padding:8px 12px;border-left:4px solid #bd0026}"
    ".methods{font-size:13px;color:#333}.public{background:#e8f5e9;padding:6px 10px;"
    "border-left:4px solid #2e7d32}"
)


def _for_file(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns a GeoJSON file can hold: one geometry, plain values, times as text."""
    frame = result.copy()
    extra = [
        c
        for c in frame.columns
        if c != frame.geometry.name
        and (isinstance(frame[c].dtype, gpd.array.GeometryDtype) or frame[c].dtype == object)
        and c not in ("top_categories", "emerging_category", "lisa_cluster")
    ]
    frame = frame.drop(columns=extra)
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    frame.attrs = {}
    return frame.to_crs(4326)


def _write_data(result: gpd.GeoDataFrame, out: Path, stem: str) -> list[str]:
    frame = _for_file(result)
    frame.to_file(out / f"{stem}.geojson", driver="GeoJSON")
    pd.DataFrame(frame.drop(columns=frame.geometry.name)).to_csv(out / f"{stem}.csv")
    return [f"{stem}.geojson", f"{stem}.csv"]


class _Section:
    """Collects one analysis's figures, tables and links while its files are written."""

    def __init__(self, analysis: Analysis, out: Path, offline: bool, public: bool, min_count: int):
        self.a, self.out = analysis, out
        self.offline, self.public, self.min_count = offline, public, min_count
        self.figures: list[str] = []
        self.files: list[str] = []

    def shown(self, result: Any) -> Any:
        return disclose(result, self.min_count) if self.public else result

    def map(self, result: Any, key: str, caption: str, title: str) -> None:
        stem = f"{self.a.name}_{key}"
        export_map(
            result,
            self.out / f"{stem}.html",
            offline=self.offline,
            public=self.public,
            min_count=self.min_count if self.public else None,
            title=title,
        )
        png = to_png(
            result,
            self.out / f"{stem}.png",
            title=title,
            public=self.public,
            min_count=self.min_count if self.public else None,
        )
        self.files += [f"{stem}.html", f"{stem}.png"]
        self.figures.append(
            f"<figure><a href='{escape(stem)}.html'><img src='{image_uri(png)}' "
            f"alt='{escape(title)}'></a><figcaption>{escape(caption)} "
            f"<a href='{escape(stem)}.html'>Interactive map</a></figcaption></figure>"
        )

    def data(self, result: gpd.GeoDataFrame, key: str) -> None:
        self.files += _write_data(self.shown(result), self.out, f"{self.a.name}_{key}")


def _key_numbers(a: Analysis) -> list[tuple[str, str]]:
    rows = [("Incidents analysed", f"{a.n_incidents:,}")]
    if a.period is not None:
        rows.append(("Period analysed", a.period["label"]))
    for reason, n in a.left_out.items():
        rows.append((f"Left out: {reason}", f"{n:,}"))
    cells = a.cells
    grid = cells.attrs["hotspot"]["grid"]
    rows.append(
        (
            "Cells",
            f"{len(cells):,} {grid['shape']} cells of {grid['cell_size']:,.0f} m; "
            f"{int((cells['count'] > 0).sum()):,} with incidents",
        )
    )
    rows.append(("Busiest cell", f"{int(cells['count'].max()):,} incidents"))
    bins = a.gistar["gistar_bin"].value_counts()
    hot = [int(bins.get(b, 0)) for b in (3, 2, 1)]
    cold = [int(bins.get(-b, 0)) for b in (3, 2, 1)]
    rows.append(("Gi* hot spots (99/95/90 %)", " / ".join(f"{n:,}" for n in hot) + " cells"))
    rows.append(("Gi* cold spots (99/95/90 %)", " / ".join(f"{n:,}" for n in cold) + " cells"))
    clusters = a.clusters
    rows.append(
        (
            "HDBSCAN clusters",
            f"{len(clusters):,} holding {int(clusters['n_incidents'].sum()):,} incidents",
        )
    )
    if a.emerging is not None:
        kinds = params_of(a.emerging, "emerging_hotspots")["categories"]
        spots = {k: v for k, v in kinds.items() if "spot" in k and v}
        text = ", ".join(f"{k} {v:,}" for k, v in sorted(spots.items(), key=lambda kv: -kv[1]))
        rows.append(("Emerging patterns (cells)", text or "none"))
    if a.knox is not None:
        table = a.knox.nrc_table(labels="nrc")
        rows.append(
            ("Near repeats, 1–100 m and 0–7 days", f"{table.iloc[1, 0]} × the pairs chance gives")
        )
    return rows


def _table(rows: list[tuple[str, str]]) -> str:
    return (
        "<table>"
        + "".join(
            f"<tr><th>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>"
            for k, v in rows
        )
        + "</table>"
    )


def _methods(a: Analysis) -> str:
    s = a.settings
    g = params_of(a.gistar, "gistar")
    grid = a.cells.attrs["hotspot"]["grid"]
    k = params_of(a.surface, "kde")
    parts = [
        f"Incidents were counted on a {grid['shape']} grid of {grid['cell_size']:,.0f} m cells "
        f"over {grid['study_area']}, each incident inside it in exactly one cell.",
        f"Hot spots: Getis–Ord Gi* with {g['weights']} neighbours "
        f"({g['weights_params'].get('chosen_by', 'given')}), binary weights including the cell "
        f"itself, {g['permutations']:,} conditional permutations (seed {s['rng']}), "
        f"confidence bins at 90/95/99 % {'after the Benjamini–Hochberg false discovery rate correction' if g.get('fdr') else 'without a multiple-testing correction'}.",
        f"Density: {k['kernel']} kernel, bandwidth {k['bandwidth']:,.0f} m "
        f"({k['bandwidth_detail']}), {k['cell_size']:,.0f} m raster, incidents per km².",
        f"Clusters: HDBSCAN on the distinct locations weighted by their incidents, smallest "
        f"cluster {s['min_cluster_size']:,} incidents (excess-of-mass selection); outlines are "
        "convex hulls and one-standard-deviation ellipses.",
    ]
    if a.emerging is not None:
        e = params_of(a.emerging, "emerging_hotspots")
        dropped = len(e.get("partial_bins_left_out", []))
        parts.append(
            f"Emerging hot spots: {e['bins'][2]} {freq_word(e['freq'])} bins, "
            f"{period_text(a.emerging)}"
            + (f" ({dropped} partial bin(s) at the ends left out)" if dropped else "")
            + f", space-time Gi* with {e.get('weights', 'queen')} neighbours over a time "
            f"window of {e.get('time_window', 1)} bin(s), {e.get('global_window', 'cube')}-wide "
            f"mean and variance, FDR per bin at α = {e.get('alpha', 0.05)}; Mann–Kendall trend "
            f"test on each cell's {e.get('trend_series', 'spatial')} Gi* z-scores"
            + (", FDR over the cells" if e.get("fdr") else "")
            + "; ArcGIS's 17 categories."
        )
    if a.knox is not None:
        kn = s["knox"]
        cats = (
            kn["categories"] if isinstance(kn["categories"], str) else ", ".join(kn["categories"])
        )
        parts.append(
            f"Near repeats: Knox test on {a.knox_incidents:,} incidents ({cats}, {kn['period']}), "
            f"distance bands {kn['distance_bands_m']} m, time bands {kn['time_bands_days']} days, "
            f"{s['permutations']:,} permutations of the times (seed {s['rng']})."
        )
    return "<p class='methods'><b>Methods.</b> " + " ".join(escape(p) for p in parts) + "</p>"


def write_analysis(
    analysis: Analysis,
    out: str | Path,
    *,
    offline: bool = False,
    public: bool = False,
    min_count: int = 5,
) -> str:
    """Write one analysis's maps, images and data files into ``out``; return its HTML section.

    Parameters
    ----------
    analysis : Analysis
        From :func:`hotspot.analyze.run_analysis`.
    out : str or Path
        The folder to write into (created if needed).
    offline : bool, default=False
        Maps that open with no network (:func:`hotspot.maps.export_map`).
    public : bool, default=False
        Every map, image, table and data file from the disclosed copy of its result
        (:func:`hotspot.disclosure.disclose`).
    min_count : int, default=5
        The smallest count a public version shows.

    Returns
    -------
    str
        The section's HTML, for :func:`write_report`.
    """
    min_count = check_min_count(min_count, func="write_analysis")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    a = analysis
    s = _Section(a, out, offline, public, min_count)
    notes = list(a.notes)  # this page's notes: the analysis's and what could not be shown
    (out / f"{a.name}_load_report.txt").write_text(str(a.load_report) + "\n")
    (out / f"{a.name}_load_report.json").write_text(
        json.dumps(a.load_report.to_dict(), indent=2, default=str) + "\n"
    )
    s.files += [f"{a.name}_load_report.txt", f"{a.name}_load_report.json"]
    s.map(
        a.cells,
        "counts",
        "Incidents per cell (quantile classes).",
        f"{a.title}: incidents per cell",
    )
    s.data(a.cells, "counts")
    s.map(
        a.gistar,
        "gistar",
        "Gi* hot and cold spots (ArcGIS's colours).",
        f"{a.title}: Gi* hot spots",
    )
    s.data(a.gistar, "gistar")
    if np.isfinite(s.shown(a.surface).to_numpy()).any():
        s.map(
            a.surface, "density", "Kernel density, incidents per km².", f"{a.title}: kernel density"
        )
    else:
        notes.append(
            f"Density map not shown: no place has {min_count} or more incidents within a "
            "bandwidth, the least a public density map shows."
        )
    shown_clusters = s.shown(a.clusters)
    has_clusters = len(shown_clusters) > 0
    if has_clusters:
        s.map(a.clusters, "clusters", "HDBSCAN clusters.", f"{a.title}: clusters")
        s.data(
            a.clusters.drop(columns=["ellipse_1sd", "ellipse_2sd"]) if not public else a.clusters,
            "clusters",
        )
    if a.emerging is not None:
        s.map(
            a.emerging,
            "emerging",
            "Emerging hot spot categories.",
            f"{a.title}: emerging hot spots",
        )
        s.data(a.emerging, "emerging")
        timeline = a.timeline if a.timeline is not None else a.cube
        unit = freq_word(timeline.freq)
        s.map(
            timeline,
            "timeline",
            f"Incidents in all {len(timeline.bins)} {unit}s together; the interactive map has a "
            f"time slider, one {unit} at a time.",
            f"{a.title}: incidents, {len(timeline.bins)} {unit}s",
        )
    if a.cube is not None:
        _time_chart(s, a.cube, min_count)
    tables = []
    if has_clusters:
        top = pd.DataFrame(shown_clusters).sort_values("n_incidents", ascending=False).head(10)
        columns = [
            c
            for c in ("n_incidents", "area_km2", "first_time", "last_time", "top_categories")
            if c in top
        ]
        top = top[columns].copy()
        top.index.name = "cluster (number on the map)"
        for column in ("first_time", "last_time"):
            if column in top and pd.api.types.is_datetime64_any_dtype(top[column]):
                top[column] = top[column].dt.strftime("%Y-%m-%d")
        top["n_incidents"] = top["n_incidents"].map("{:,.0f}".format)
        tables.append(
            f"<h3>Largest clusters <small>· {escape(period_text(a.clusters))}</small></h3>"
            + top.to_html(escape=True, float_format="{:,.3f}".format, border=0)
        )
    if a.emerging is not None:
        counts = a.emerging["emerging_category"].value_counts().rename("cells").to_frame()
        tables.append(
            f"<h3>Emerging patterns <small>· {escape(period_text(a.emerging))}</small></h3>"
            + counts.to_html(escape=True, border=0)
        )
    if a.knox is not None:
        table = a.knox.nrc_table(labels="nrc")
        stem = f"{a.name}_knox"
        table.to_csv(out / f"{stem}.csv")
        a.knox.observed.to_csv(out / f"{stem}_observed.csv")
        s.files += [f"{stem}.csv", f"{stem}_observed.csv"]
        tables.append(
            f"<h3>Near repeats (Knox test) <small>· {escape(a.settings['knox']['period'])}"
            "</small></h3><p>Observed pairs over the pairs expected by chance; "
            "* p &lt; 0.05, ** p &lt; 0.01. Read down the first column: the closer in space, the "
            "higher the ratio for pairs within a week means near-repeat risk.</p>"
            + table.to_html(escape=True, border=0)
        )
    ranked = ""
    if a.hotspots is not None and len(a.hotspots):
        shown_table = disclose_table(a.hotspots, min_count) if public else a.hotspots
        stem = f"{a.name}_top_hotspots"
        shown_table.to_csv(out / f"{stem}.csv", index=False)
        s.files.append(f"{stem}.csv")
        ranked = (
            f"<h3>Top hot spots <small>· {escape(period_text(a.gistar))}</small></h3>"
            + _ranked_html(shown_table)
        )
    when = _when_block(s)
    next_week = ""
    if a.plan is not None:
        from hotspot.report.forecast import write_forecast

        next_week, forecast_files = write_forecast(
            a.plan,
            out,
            name=a.name,
            title=a.title,
            offline=offline,
            public=public,
            min_count=min_count,
        )
        s.files += forecast_files
    notes_html = "".join(f"<div class='note'>{escape(n)}</div>" for n in notes)
    public_note = f"<div class='public'>{escape(statement(min_count))}</div>" if public else ""
    (out / f"{a.name}_settings.json").write_text(settings_json(a) + "\n")
    s.files.append(f"{a.name}_settings.json")
    files = " · ".join(f"<a href='{escape(f)}'>{escape(f)}</a>" for f in s.files)
    period = f" <small>{escape(a.period['label'])}</small>" if a.period else ""
    return (
        f"<section><h2>{escape(a.title)}{period}</h2>{public_note}"
        f"<h3>Key findings</h3><p class='findings'>{escape(key_findings(a, public, min_count))}</p>"
        f"{ranked}{when}{next_week}{notes_html}"
        f"<h3>Key numbers</h3>{_table(_key_numbers(a))}"
        f"<h3>Maps</h3>{''.join(s.figures)}{''.join(tables)}{_methods(a)}"
        f"<h3>Load report</h3>{a.load_report._repr_html_()}"
        f"<p class='methods'><b>Files.</b> {files}</p></section>"
    )


def write_report(sections: list[str], out: str | Path, *, title: str = "hotspot report") -> Path:
    """Assemble sections from :func:`write_analysis` into ``out/report.html``.

    Examples
    --------
    >>> import tempfile
    >>> path = write_report(["<section>…</section>"], tempfile.mkdtemp(), title="Briefing")
    >>> path.name, "Made with hotspot" in path.read_text(encoding="utf-8")
    ('report.html', True)
    """
    out = Path(out)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{PAGE_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p class='methods'>Made with hotspot {escape(__version__)} "
        f"on {stamp}. Every map below opens as an interactive map.</p>"
        + "".join(sections)
        + "</body></html>"
    )
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def settings_json(analysis: Analysis) -> str:
    """The settings of an analysis as JSON (written beside the report)."""
    record = {
        **analysis.settings,
        "period_analysed": analysis.period,
        "incidents_analysed": analysis.n_incidents,
        # incidents of the file not in the counts, by reason (the load report has the rest)
        "left_out": dict(analysis.left_out),
    }
    return json.dumps(record, indent=2, default=str)


def period_text(result: Any) -> str:
    """The period a result covers, for a heading ("period not recorded" when it has none)."""
    return period_label(result) or "period not recorded"


def _ranked_html(table: pd.DataFrame) -> str:
    """The ranked hot spot table as HTML, numbers formatted for reading."""
    shown = table.copy()
    for column in ("incidents", "incidents_per_year"):
        if column in shown and pd.api.types.is_numeric_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    if "share" in shown and pd.api.types.is_numeric_dtype(shown["share"]):
        shown["share"] = shown["share"].map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f} %")
    shown = shown.rename(
        columns={
            "incidents_per_year": "per year",
            "share": "share of all",
            "emerging_category": "emerging pattern",
            "cell_id": "cell",
        }
    )
    basis = (table.attrs.get("hotspot") or {}).get("per_year_basis")
    note = (
        f"<p class='methods'>Per year: over {escape(basis)}. Ranked: "
        f"{escape(table.attrs['hotspot']['ranked_by'])}. Coordinates are cell centres (WGS 84); "
        "the area and street are the ones most of the cell's incidents name.</p>"
        if basis
        else ""
    )
    return shown.to_html(escape=True, border=0, index=False, na_rep="") + note


def _time_chart(s: _Section, cube: Any, min_count: int) -> None:
    """The incidents per bin of the whole area, partial bins marked (public: only when no
    bin's total is a small count)."""
    totals = cube.counts.sum(axis=1)
    if s.public and small_counts(totals, min_count).any():
        return
    stem = f"{s.a.name}_per_{freq_word(cube.freq)}"
    png = time_chart(cube, s.out / f"{stem}.png")
    s.files.append(f"{stem}.png")
    s.figures.append(
        f"<figure><img src='{image_uri(png)}' alt='incidents per {escape(freq_word(cube.freq))}'>"
        "<figcaption>Incidents per bin over the whole area; grey bars are bins the data cover "
        "only in part (left out of the trend tests).</figcaption></figure>"
    )


# ----------------------------------------------------------------------------- when

#: Columns of the top repeat locations table (internal reports only).
REPEAT_COLUMNS = {
    "repeat_n_incidents": "incidents",
    "repeat_first": "first",
    "repeat_last": "last",
    "repeat_median_days": "median days between",
}


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=100, facecolor="white")
    return path


def _when_figure(s: _Section, png: Path, alt: str, caption: str, wide: bool = False) -> str:
    s.files.append(png.name)
    style = " style='width:100%'" if wide else ""
    return (
        f"<figure{style}><img src='{image_uri(png)}' alt='{escape(alt)}'>"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _repeat_curve(repeats: Any, path: Path, title: str) -> Path:
    """The cumulative share of repeats by days since the previous incident at the location."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.16, 0.86, 0.62))
    curve = repeats.curve
    ax.step(curve.index, 100 * curve["cumulative_share"], where="post", color="#bd0026")
    if 7 in curve.index:
        ax.axvline(7, color="#444444", linestyle="--", linewidth=1)
        ax.text(8, 3, "7 days", fontsize=8, color="#444444")
    ax.set_ylim(0, 100)
    ax.set_xlim(0, curve.index.max())
    ax.set_xlabel("days since the previous incident at the same location", fontsize=9)
    ax.set_ylabel("% of repeats (cumulative)", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=12, weight="bold", pad=22)
    period = (repeats.params.get("period") or {}).get("label", "")
    ax.text(
        0,
        1.03,
        f"{repeats.n_pairs:,} repeats at {repeats.n_repeat_locations:,} locations"
        + (f" · {period}" if period else ""),
        transform=ax.transAxes,
        fontsize=9,
        color="#444444",
    )
    return _save(fig, path)


def _repeat_table(repeats: Any, crs: Any) -> pd.DataFrame:
    """The top repeat locations with their coordinates (WGS 84): internal reports only."""
    top = gpd.GeoDataFrame(repeats.top, geometry="geometry", crs=crs)
    table = pd.DataFrame(top[list(REPEAT_COLUMNS)]).rename(columns=REPEAT_COLUMNS)
    for column in ("first", "last"):
        table[column] = pd.to_datetime(table[column]).dt.strftime("%Y-%m-%d")
    table["median days between"] = table["median days between"].round(1)
    lonlat = top.geometry.to_crs(4326)
    table["longitude"] = lonlat.x.round(5)
    table["latitude"] = lonlat.y.round(5)
    table.index.name = "location id"
    return table


def _when_block(s: _Section) -> str:
    """The "When" block: the weekday × hour heat table and its peaks, the top hot spots'
    profiles, and the repeat locations (shares and curve; the table of the top locations only
    in an internal report: repeat locations are incident-level points)."""
    from hotspot.maps.profile_plot import profile_grid, profile_plot

    a = s.a
    when, repeats = a.when, a.repeats
    if when is None and repeats is None:
        return ""
    figures = []
    if when is not None and when.profile is not None:
        ax = profile_plot(when.profile, title=f"{a.title}: when incidents happen")
        png = _save(ax.figure, s.out / f"{a.name}_when.png")
        kind = {
            ("weekday", "hour"): "Share of incidents in each hour of the week",
            ("weekday",): "Share of incidents on each weekday",
            ("month",): "Share of incidents in each month of the year",
        }.get(when.by, "Share of incidents")
        caption = kind
        if when.profile.attrs["hotspot"]["temporal_profile"]["aoristic"]:
            caption += " (time windows spread over the hours they cover)"
        if when.by == ("weekday", "hour"):
            caption += "; the busiest 4 hours outlined"
        figures.append(_when_figure(s, png, kind, caption + ".", wide=True))
    if when is not None and when.hotspots is not None and not s.public:
        fig = profile_grid(when.hotspots, title=f"{a.title}: top hot spots against the rest")
        png = _save(fig, s.out / f"{a.name}_when_hotspots.png")
        figures.append(
            _when_figure(
                s,
                png,
                "hot spots' weekday × hour profiles",
                "The strongest Gi* hot spots (by confidence, then z; their table rank is in "
                "the text above) and the rest of the area, on one colour scale.",
                wide=True,
            )
        )
    sentences = when_sentences(a, s.public, s.min_count)
    text = f"<p>{escape(' '.join(sentences))}</p>" if sentences else ""
    peaks = ""
    if when is not None and when.peaks is not None:
        table = when.peaks[["group", "count", "label", "share", "even_share"]].copy()
        if s.public:
            small = small_counts(table["count"], s.min_count)
            table["count"] = [
                f"fewer than {s.min_count}" if hide else f"{c:,.0f}"
                for c, hide in zip(table["count"], small, strict=True)
            ]
        else:
            table["count"] = table["count"].map("{:,.0f}".format)
        for column in ("share", "even_share"):
            table[column] = table[column].map(lambda v: f"{100 * v:.1f} %")
        table.columns = ["incidents of", "incidents", "peak", "share in the peak", "if even"]
        peaks = table.to_html(escape=True, border=0, index=False)
    rep = ""
    if repeats is not None:
        if repeats.params.get("months_only"):
            curve = (
                "<p class='methods'>No repeat curve: with months only, the days between "
                "repeats are differences between month starts.</p>"
            )
        elif repeats.n_pairs:
            png = _repeat_curve(
                repeats, s.out / f"{a.name}_repeats.png", f"{a.title}: how soon crime comes back"
            )
            curve = _when_figure(
                s,
                png,
                "repeat curve",
                "Share of repeats that came at most so many days after the previous incident "
                "at the same location.",
            )
        else:
            curve = ""
        rep = f"<p>{escape(' '.join(repeat_sentences(repeats)))}</p>{curve}"
        if not s.public and len(repeats.top):
            table = _repeat_table(repeats, a.incidents.crs if a.incidents is not None else None)
            stem = f"{a.name}_repeat_locations"
            table.to_csv(s.out / f"{stem}.csv")
            s.files.append(f"{stem}.csv")
            rep += (
                "<h4>Top repeat locations</h4>"
                + table.to_html(escape=True, border=0)
                + "<p class='methods'>Internal report only: these are incident locations.</p>"
            )
        elif s.public:
            rep += (
                "<p class='methods'>Public version: repeat locations are incident locations, "
                "so no location is listed.</p>"
            )
    period = f" <small>· {escape(a.period['label'])}</small>" if a.period else ""
    return f"<h3>When{period}</h3>{text}{peaks}{''.join(figures)}" + (
        f"<h4>Repeat locations</h4>{rep}" if rep else ""
    )
