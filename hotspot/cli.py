"""Command line: ``hotspot info FILE``, ``hotspot analyze FILE --out DIR``, ``hotspot demo``."""

from __future__ import annotations

import argparse
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


def _analyze(args: argparse.Namespace) -> int:
    from hotspot.analyze import run_analysis
    from hotspot.incidents import read_incidents
    from hotspot.report import write_analysis, write_report

    options = {k: getattr(args, k) for k in ("x", "y", "lon", "lat", "time", "hour", "crs")}
    if args.category_column:
        options["category"] = args.category_column
    inc = read_incidents(args.file, quiet=True, **{k: v for k, v in options.items() if v})
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


DEMO_RUNS = (
    # name, title, loader, grid, cell size, categories of the Knox test
    (
        "west_yorkshire",
        "West Yorkshire street-level crime, July 2016–2018",
        "load_west_yorkshire",
        "hex",
        1000,
        None,
    ),
    (
        "toronto",
        "Toronto major crime indicators, 2014–2021",
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
    info = commands.add_parser("info", help="load report of an incident file")
    info.add_argument("file")
    for option in ("x", "y", "lon", "lat", "time", "hour", "category", "crs"):
        info.add_argument(f"--{option}", default=None, help=f"the {option}= of read_incidents")
    info.add_argument("--show", type=int, default=10, help="excluded rows to print")
    info.set_defaults(run=_info)
    analyze = commands.add_parser(
        "analyze",
        help="the standard pipeline on an incident file: report.html, maps and data in --out",
    )
    analyze.add_argument("file")
    analyze.add_argument("--out", required=True, help="folder for report.html and the files")
    analyze.add_argument("--cell-size", type=float, default=None, help="grid cell size in metres")
    analyze.add_argument("--grid", choices=("square", "hex"), default="square")
    analyze.add_argument(
        "--freq", default="W", help="bins of the emerging hot spot cube (D, W, MS)"
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
    analyze.add_argument("--title", default=None, help="heading of the report")
    analyze.add_argument("--permutations", type=int, default=999)
    analyze.add_argument("--min-cluster-size", type=int, default=100)
    analyze.add_argument("--rng", type=int, default=0, help="seed of every random step")
    for option in ("x", "y", "lon", "lat", "time", "hour", "crs"):
        analyze.add_argument(f"--{option}", default=None, help=f"the {option}= of read_incidents")
    analyze.add_argument("--category-column", default=None, help="the category= of read_incidents")
    for command in (analyze, commands.add_parser("demo", help="the pipeline on the embedded data")):
        command.add_argument(
            "--offline", action="store_true", help="maps that open with no network"
        )
        command.add_argument(
            "--public",
            action="store_true",
            help="disclosure control: no incident points, small counts shown as 'fewer than N'",
        )
        command.add_argument("--min-count", type=int, default=5, help="smallest count shown")
        command.add_argument("--quiet", action="store_true", help="no progress bars")
    analyze.set_defaults(run=_analyze)
    demo = commands.choices["demo"]
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
