"""Command line: ``hotspot info FILE``, ``hotspot analyze FILE --out DIR``, ``hotspot demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hotspot.errors import HotspotInputError

READ_OPTIONS = ("x", "y", "lon", "lat", "time", "hour", "crs", "time_format", "timezone")
READ_HELP = {
    "x": "projected x column (needs --crs)",
    "y": "projected y column (needs --crs)",
    "lon": "longitude column (degrees)",
    "lat": "latitude column (degrees)",
    "time": "date/time column",
    "hour": "separate hour-of-day column",
    "crs": "CRS of --x/--y, e.g. EPSG:27700",
    "time_format": "strftime format of the times, e.g. %%d/%%m/%%Y %%H:%%M",
    "timezone": "the incidents' local time zone, e.g. Europe/London",
}
EXAMPLES = {
    "info": "example:\n  hotspot info crimes.csv --lon Longitude --lat Latitude --time Month",
    "analyze": (
        "examples:\n"
        "  hotspot analyze crimes.csv --out report/ --offline\n"
        "  hotspot analyze stops.csv --out out/ --start 2017-01-01 --end 2017-12-31 \\\n"
        "      --cell-size 250 --study-area city_boundary.gpkg --timezone America/Chicago\n"
        "  hotspot analyze crimes.csv --out public/ --public --offline --category Burglary"
    ),
    "demo": "example:\n  hotspot demo --out out --offline",
}


def _read(args: argparse.Namespace, **extra: str | None) -> object:
    from hotspot.incidents import read_incidents

    options = {k: getattr(args, k) for k in READ_OPTIONS} | extra
    return read_incidents(args.file, quiet=True, **{k: v for k, v in options.items() if v})


def _add_read_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("columns and times (the arguments of read_incidents)")
    for option in READ_OPTIONS:
        group.add_argument(
            f"--{option.replace('_', '-')}",
            dest=option,
            default=None,
            help=f"{READ_HELP[option]} (default: detected)",
        )


def _info(args: argparse.Namespace) -> int:
    from hotspot.load_report import get_load_report

    inc = _read(args, category=args.category)
    report = get_load_report(inc)
    print(report)
    if report.rows_excluded:
        print("\nfirst excluded rows:")
        print(report.excluded_rows.head(args.show).to_string())
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from hotspot.analyze import run_analysis
    from hotspot.report import write_analysis, write_report

    inc = _read(args, category=args.category_column)
    out = Path(args.out)
    name = Path(args.file).name.split(".")[0]
    title = args.title or f"Hot spot analysis of {Path(args.file).name}"
    analysis = run_analysis(
        inc,
        name=name,
        title=title,
        cell_size=args.cell_size,
        grid=args.grid,
        freq=args.freq,
        categories=args.category,
        knox_categories=args.knox_category,
        start=args.start,
        end=args.end,
        study_area=args.study_area,
        bandwidth=_number_or_name(args.bandwidth),
        weights=_number_or_name(args.weights),
        permutations=args.permutations,
        min_cluster_size=args.min_cluster_size,
        rng=args.rng,
        progress=not args.quiet,
    )
    section = write_analysis(
        analysis, out, offline=args.offline, public=args.public, min_count=args.min_count
    )
    path = write_report([section], out, title=title)
    print(f"report: {path}")
    return 0


def _number_or_name(value: str | None) -> float | str | None:
    """An option that is metres when it is a number, else a name (--bandwidth, --weights)."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


DEMO_RUNS = (
    # name, title, loader, grid, cell size, categories of the Knox test (each section's
    # heading adds the period its results actually cover)
    (
        "west_yorkshire",
        "West Yorkshire street-level crime",
        "load_west_yorkshire",
        "hex",
        1000,
        None,
    ),
    (
        "toronto",
        "Toronto major crime indicators",
        "load_toronto",
        "square",
        250,
        ["Break and Enter"],
    ),
)


def _demo(args: argparse.Namespace) -> int:
    from hotspot import datasets
    from hotspot.analyze import run_analysis
    from hotspot.report import write_analysis, write_report

    out = Path(args.out)
    sections = []
    for name, title, loader, grid, size, knox in DEMO_RUNS:
        inc = getattr(datasets, loader)(quiet=True)
        analysis = run_analysis(
            inc,
            name=name,
            title=title,
            cell_size=size,
            grid=grid,
            knox_categories=knox,
            progress=not args.quiet,
        )
        sections.append(write_analysis(analysis, out, offline=args.offline, public=args.public))
        print(f"[{name}] {analysis.n_incidents:,} incidents analysed", flush=True)
    path = write_report(sections, out, title="hotspot demo: West Yorkshire and Toronto")
    print(f"report: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``hotspot`` argument parser."""
    parser = argparse.ArgumentParser(prog="hotspot", description="Crime hotspot analysis.")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    info = command("info", "print the load report of an incident file")
    info.add_argument("file")
    _add_read_options(info)
    info.add_argument("--category", default=None, help="category column (default: detected)")
    info.add_argument("--show", type=int, default=10, help="excluded rows to print (default: 10)")
    info.set_defaults(run=_info)
    analyze = command(
        "analyze", "the standard pipeline on an incident file: report.html, maps and data in --out"
    )
    analyze.add_argument("file")
    analyze.add_argument("--out", required=True, help="folder for report.html and the files")
    analyze.add_argument(
        "--cell-size",
        type=float,
        default=None,
        help="grid cell size in metres (default: the study area's shorter side / 50, rounded)",
    )
    analyze.add_argument(
        "--grid", choices=("square", "hex"), default="square", help="cell shape (default: square)"
    )
    analyze.add_argument(
        "--freq", default="W", help="bins of the emerging hot spot cube: D, W, MS (default: W)"
    )
    analyze.add_argument(
        "--start",
        default=None,
        help="first day analysed, YYYY-MM-DD (default: the first incident, or the start of the "
        "core period when the data have a sparse long tail of old dates)",
    )
    analyze.add_argument(
        "--end", default=None, help="last day analysed, inclusive (default: the last incident)"
    )
    analyze.add_argument(
        "--study-area",
        default=None,
        help="polygon file (GeoPackage, GeoJSON, Shapefile) or convex/concave/bbox (default: "
        "the incidents' footprint, far-away incidents left out)",
    )
    analyze.add_argument(
        "--weights",
        default="queen",
        help="Gi* neighbours: queen, rook, knn:<k>, a distance in metres, or auto (the "
        "incremental spatial autocorrelation peak) (default: queen)",
    )
    analyze.add_argument(
        "--bandwidth",
        default=None,
        help="kernel density bandwidth in metres, or scott/silverman/nn (default: nn)",
    )
    analyze.add_argument(
        "--category",
        action="append",
        default=None,
        help="analyse only this category (repeat for several)",
    )
    analyze.add_argument(
        "--knox-category",
        action="append",
        default=None,
        help="categories of the Knox near-repeat test (default: the analysed ones)",
    )
    analyze.add_argument(
        "--title", default=None, help="heading of the report (default: from the file name)"
    )
    analyze.add_argument(
        "--permutations", type=int, default=999, help="Gi* and Knox permutations (default: 999)"
    )
    analyze.add_argument(
        "--min-cluster-size",
        type=int,
        default=100,
        help="HDBSCAN's smallest cluster, in incidents (default: 100)",
    )
    analyze.add_argument(
        "--rng", type=int, default=0, help="seed of every random step (default: 0)"
    )
    _add_read_options(analyze)
    analyze.add_argument(
        "--category-column", default=None, help="category column (default: detected)"
    )
    demo = command("demo", "the pipeline on the embedded data")
    for sub in (analyze, demo):
        sub.add_argument("--offline", action="store_true", help="maps that open with no network")
        sub.add_argument(
            "--public",
            action="store_true",
            help="disclosure control: no incident points, small counts shown as 'fewer than N'",
        )
        sub.add_argument(
            "--min-count", type=int, default=5, help="smallest count shown (default: 5)"
        )
        sub.add_argument("--quiet", action="store_true", help="no progress bars")
    analyze.set_defaults(run=_analyze)
    demo.add_argument("--out", default="out", help="output folder (default: out)")
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
