"""Command line: ``hotspot info FILE`` and ``hotspot demo``."""

from __future__ import annotations

import argparse
import html
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from hotspot.errors import HotspotInputError


def _info(args: argparse.Namespace) -> int:
    from hotspot.incidents import read_incidents
    from hotspot.load_report import get_load_report

    options = {
        k: getattr(args, k) for k in ("x", "y", "lon", "lat", "time", "hour", "category", "crs")
    }
    inc = read_incidents(args.file, quiet=True, **{k: v for k, v in options.items() if v})
    report = get_load_report(inc)
    print(report)
    if report.rows_excluded:
        print("\nfirst excluded rows:")
        print(report.excluded_rows.head(args.show).to_string())
    return 0


def _demo_dataset(out: Path, name: str, title: str, inc, grid, size: float) -> str:
    """One dataset of the demo: load report, counts, Gi* hot spots; returns its report section."""
    from hotspot.cluster import cluster_incidents
    from hotspot.clustering.summary import cluster_summary
    from hotspot.cube import space_time_cube
    from hotspot.density import kde
    from hotspot.emerging import emerging_hotspots
    from hotspot.grid import count_incidents
    from hotspot.load_report import get_load_report
    from hotspot.maps import cluster_map, counts_map, density_map, emerging_map, gistar_map
    from hotspot.nearrepeat import knox_test
    from hotspot.stats.local import gistar

    report = get_load_report(inc)
    (out / f"{name}_load_report.txt").write_text(str(report) + "\n")
    (out / f"{name}_load_report.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    cells = count_incidents(inc, grid(inc, size, quiet=True), quiet=True)
    cells.to_crs(4326).to_file(out / f"{name}_counts.geojson", driver="GeoJSON")
    counts_map(cells, title=f"{title}: incidents per {size:g} m cell").save(
        out / f"{name}_counts.html"
    )
    shape = cells.attrs["hotspot"]["grid"]["shape"]
    print(f"[{name}] {report.rows_kept:,} incidents on {len(cells):,} {shape} cells", flush=True)

    hot = gistar(cells, permutations=999, rng=0, quiet=True)
    meta = hot.attrs["hotspot"]["gistar"]
    hot.drop(columns=[c for c in ("row", "col", "hex_q", "hex_r") if c in hot]).to_crs(
        4326
    ).to_file(out / f"{name}_gistar.geojson", driver="GeoJSON")
    gistar_map(hot, title=f"{title}: Gi* hot spots (FDR)").save(out / f"{name}_gistar.html")
    n_hot = int((hot["gistar_bin"] >= 2).sum())
    n_cold = int((hot["gistar_bin"] <= -2).sum())
    print(
        f"[{name}] Gi*: {n_hot:,} hot and {n_cold:,} cold cells at 95 % ({meta['weights']})",
        flush=True,
    )
    surface = kde(inc, quiet=True)
    density_map(surface, title=f"{title}: kernel density (incidents per km²)").save(
        out / f"{name}_density.html"
    )
    detail = (
        f"{surface.attrs['kernel']} kernel, bandwidth {surface.attrs['bandwidth']:,.0f} m "
        f"(rule '{surface.attrs['bandwidth_rule']}'), {surface.attrs['cell_size']:g} m cells"
    )
    print(f"[{name}] density: {detail}", flush=True)

    clustered = cluster_incidents(inc, "hdbscan", min_cluster_size=100, quiet=True)
    summary = cluster_summary(clustered)
    cluster_map(summary, title=f"{title}: HDBSCAN clusters (min 100 incidents)").save(
        out / f"{name}_clusters.html"
    )
    summary.drop(columns=["ellipse_1sd", "ellipse_2sd"]).to_crs(4326).to_file(
        out / f"{name}_clusters.geojson", driver="GeoJSON"
    )
    n_clusters = len(summary)
    in_clusters = int(summary["n_incidents"].sum())
    print(
        f"[{name}] HDBSCAN: {n_clusters:,} clusters holding {in_clusters:,} incidents", flush=True
    )
    if report.time_resolution in ("hour", "minute", "second", "day"):
        cube = space_time_cube(inc, cells, "W", start="2018-01-01", end="2019-12-31", quiet=True)
        emerging = emerging_hotspots(cube, quiet=True)
        emerging_map(emerging, title=f"{title}: emerging hot spots, weekly 2018–2019").save(
            out / f"{name}_emerging.html"
        )
        kinds = emerging.attrs["hotspot"]["emerging"]["categories"]
        shown = ", ".join(
            f"{k}: {v:,}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if "spot" in k
        )
        emerging_html = (
            f"<p>Weekly bins 2018–2019 ({cube.shape[0]} bins), queen neighbours over this and the "
            f"previous week, cube-wide mean and variance, FDR: {html.escape(shown) or 'none'}. "
            f"<a href='{name}_emerging.html'>emerging hot spot map</a></p>"
        )
        print(f"[{name}] emerging: {shown}", flush=True)
        burglary = inc[
            (inc["category"] == "Break and Enter")
            & (inc["time"] >= "2019-01-01")
            & (inc["time"] < "2020-01-01")
        ]
        knox = knox_test(burglary, permutations=999, rng=0)
        table = knox.nrc_table(labels="nrc")
        table.to_csv(out / f"{name}_knox.csv")
        knox.observed.to_csv(out / f"{name}_knox_observed.csv")
        knox_page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Knox test</title>"
            "<style>body{font:14px sans-serif;margin:2em}td,th{padding:2px 8px}</style></head>"
            f"<body><h1>{html.escape(title)}: near repeats of break and enter, 2019</h1>"
            f"<p>{len(burglary):,} incidents, 999 permutations (rng 0). Observed over expected "
            "pairs; * p &lt; 0.05, ** p &lt; 0.01.</p>"
            f"{table.to_html(escape=True)}<h2>Observed pairs</h2>"
            f"{knox.observed.to_html(escape=True)}</body></html>"
        )
        (out / f"{name}_knox.html").write_text(knox_page)
        near = table.iloc[1, 0]
        emerging_html += (
            f"<h3>Near repeats (Knox test)</h3><p>Break and enter in 2019 ({len(burglary):,} "
            f"incidents): pairs within 100 m and 7 days occur {html.escape(str(near))} times as "
            f"often as chance would give. <a href='{name}_knox.html'>Knox table</a> · "
            f"<a href='{name}_knox.csv'>CSV</a></p>"
        )
        print(f"[{name}] Knox, 1-100 m and 0-7 days: {near} x expected", flush=True)
    else:
        emerging_html = (
            "<p>Not run: these data are dated by month only and cover "
            f"{html.escape(str(report.time_min))} to {html.escape(str(report.time_max))}; "
            "the trend test needs at least 10 regular bins.</p>"
        )
    return (
        f"<h2>{html.escape(title)}</h2>{report._repr_html_()}"
        f"<h3>Counts</h3><p>{len(cells):,} {shape} cells of {size:g} m; busiest cell: "
        f"{int(cells['count'].max()):,} incidents. "
        f"<a href='{name}_counts.html'>count map</a> · "
        f"<a href='{name}_counts.geojson'>counts (GeoJSON)</a> · "
        f"<a href='{name}_load_report.txt'>load report</a></p>"
        f"<h3>Hot spots (Getis–Ord Gi*)</h3><p>{n_hot:,} hot and {n_cold:,} cold cells at 95 % "
        f"confidence after the false-discovery-rate correction. Neighbours: "
        f"{html.escape(meta['weights'])} ({html.escape(str(meta['weights_params'].get('chosen_by', 'given')))}), "
        f"binary weights with the cell itself, {meta['permutations']} permutations (rng 0). "
        f"<a href='{name}_gistar.html'>hot spot map</a> · "
        f"<a href='{name}_gistar.geojson'>Gi* (GeoJSON)</a></p>"
        f"<h3>Kernel density</h3><p>{html.escape(detail)}. <a href='{name}_density.html'>density map</a></p>"
        f"<h3>Clusters (HDBSCAN)</h3><p>{n_clusters:,} clusters of at least 100 incidents hold "
        f"{in_clusters:,} of {report.rows_kept:,} incidents (identical locations never split). "
        f"<a href='{name}_clusters.html'>cluster map</a> · "
        f"<a href='{name}_clusters.geojson'>cluster summary (GeoJSON)</a></p>"
        f"<h3>Emerging hot spots</h3>{emerging_html}"
    )


def _demo(args: argparse.Namespace) -> int:
    from hotspot import datasets
    from hotspot.grid import hex_grid, square_grid

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = [
        (
            "west_yorkshire",
            "West Yorkshire street-level crime, July 2016–2018",
            datasets.load_west_yorkshire,
            hex_grid,
            1000,
        ),
        (
            "toronto",
            "Toronto major crime indicators, 2014–2021",
            datasets.load_toronto,
            square_grid,
            250,
        ),
    ]
    sections = []
    for name, title, load, grid, size in runs:
        print(f"[{name}] loading", flush=True)
        sections.append(_demo_dataset(out, name, title, load(quiet=True), grid, size))
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>hotspot demo</title>"
        "<style>body{font:14px sans-serif;max-width:960px;margin:2em auto}"
        "th{padding-right:1em;vertical-align:top}</style></head><body>"
        "<h1>hotspot demo</h1>" + "".join(sections) + "</body></html>"
    )
    (out / "report.html").write_text(page)
    print(f"report: {out / 'report.html'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``hotspot`` argument parser."""
    parser = argparse.ArgumentParser(prog="hotspot", description="Crime hotspot analysis.")
    commands = parser.add_subparsers(dest="command", required=True)
    info = commands.add_parser("info", help="load report of an incident file")
    info.add_argument("file")
    for option in ("x", "y", "lon", "lat", "time", "hour", "category", "crs"):
        info.add_argument(f"--{option}", default=None, help=f"the {option}= of read_incidents")
    info.add_argument("--show", type=int, default=10, help="excluded rows to print")
    info.set_defaults(run=_info)
    demo = commands.add_parser("demo", help="run the demo on the embedded data into --out")
    demo.add_argument("--out", default="out")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hotspot`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except HotspotInputError as err:
        print(f"hotspot: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
