"""Command line: ``hotspot info FILE``, ``hotspot analyze FILE --out DIR``, ``hotspot forecast
FILE --out DIR``, ``hotspot demo``."""

from __future__ import annotations

import argparse
import codecs
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hotspot._validate import check_grid_cells, check_output_folder
from hotspot.errors import HotspotInputError

# the options of read_incidents that take one text value: help, and the default shown
READ_OPTIONS = (
    "x",
    "y",
    "lon",
    "lat",
    "time",
    "hour",
    "crs",
    "timezone",
    "encoding",
    "sep",
    "decimal",
    "sheet",
    "layer",
)
READ_HELP = {
    "x": ("projected x column (needs --crs)", "detected"),
    "y": ("projected y column (needs --crs)", "detected"),
    "lon": ("longitude column (degrees)", "detected"),
    "lat": ("latitude column (degrees)", "detected"),
    "time": ("date/time column", "detected"),
    "hour": ("separate hour-of-day column", "detected"),
    "crs": (
        "CRS of --x/--y, or the projection of --lon/--lat, e.g. EPSG:27700",
        "British National Grid in Great Britain, else the local UTM zone",
    ),
    "timezone": ("the incidents' local time zone, e.g. Europe/London", "detected"),
    "encoding": ("character encoding of a text file, e.g. cp1252 or utf-16", "detected"),
    "sep": ("column separator of a text file: , ; | or tab", "detected"),
    "decimal": ("decimal mark of a text file: . or ,", "detected"),
    "sheet": (
        "the sheet of a spreadsheet (.xlsx, .ods), by name or 0-based position",
        "the one sheet with data",
    ),
    "layer": ("the layer of a GeoPackage, by name or 0-based position", "the only layer"),
}
SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
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
    "forecast": (
        "examples:\n"
        "  hotspot forecast crimes.csv --out next_week/ --category Burglary --areas 20\n"
        "  hotspot forecast crimes.csv --out plan/ --horizon 14D --cell-size 150 \\\n"
        "      --min-spacing 400 --public --offline"
    ),
}


def _read(args: argparse.Namespace, **extra: str | None) -> object:
    from hotspot.incidents.read import read_incidents

    _check_read_options(args)
    options = _read_options(args) | {k: v for k, v in extra.items() if v}
    return read_incidents(args.file, quiet=True, **options)


def _read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The read_incidents arguments given on the command line (the others keep its defaults)."""
    options: dict[str, Any] = {k: getattr(args, k) for k in READ_OPTIONS if getattr(args, k)}
    if "sep" in options:
        options["sep"] = SEPARATOR_NAMES.get(options["sep"].lower(), options["sep"])
    if args.time_format:
        formats = list(args.time_format)
        options["time_format"] = formats[0] if len(formats) == 1 else formats
    if args.no_header:
        options["header"] = None
    if args.names is not None:
        names = [name.strip() for name in args.names.split(",")]
        if not all(names):
            raise HotspotInputError(
                f"--names {args.names!r} has an empty name; give the column names separated "
                "by commas, e.g. --names date,lat,lon,offence"
            )
        options["names"] = names
    if args.swap_axes:
        options["swap_axes"] = True
    return options


def _check_read_options(args: argparse.Namespace) -> None:
    """Refuse a CRS, time zone or encoding that does not exist before reading the file."""
    if args.crs:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(args.crs)
        except CRSError as err:
            raise HotspotInputError(_crs_message(args.crs, err)) from None
    if args.timezone:
        import pandas as pd

        try:  # as read_incidents converts: what pandas accepts (IANA names, "UTC", ...)
            pd.Timestamp(0, tz="UTC").tz_convert(args.timezone)
        except (KeyError, ValueError, TypeError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise HotspotInputError(_timezone_message(args.timezone)) from None
    if args.encoding:
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise HotspotInputError(
                f"--encoding {args.encoding}: no such character encoding; use one Python knows, "
                "e.g. --encoding utf-8, cp1252 (Windows, Excel), latin-1 or utf-16 — or leave it "
                "out to detect it"
            ) from None


def _add_read_options(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("columns and times (the arguments of read_incidents)")
    for option in READ_OPTIONS:
        text, default = READ_HELP[option]
        group.add_argument(
            f"--{option.replace('_', '-')}",
            dest=option,
            default=None,
            help=f"{text} (default: {default})",
        )
    group.add_argument(
        "--time-format",
        dest="time_format",
        action="append",
        default=None,
        metavar="FORMAT",
        help="strftime format of the times, e.g. %%d/%%m/%%Y %%H:%%M; repeat it for a file that "
        "mixes formats (default: inferred)",
    )
    group.add_argument(
        "--no-header",
        action="store_true",
        help="the file has no header row: name the columns with --names (default: the first "
        "row holds the column names)",
    )
    group.add_argument(
        "--names",
        default=None,
        metavar="A,B,C",
        help="column names, separated by commas, for a file without a header row (default: "
        "from the header row)",
    )
    group.add_argument(
        "--swap-axes",
        action="store_true",
        help="the coordinate columns were written the other way round (latitude for "
        "longitude, x for y) (default: as named)",
    )


def _crs_message(crs: str | None, err: Exception) -> str:
    detail = str(err).split(": (Internal Proj Error")[0]
    if crs:
        return (
            f"--crs {crs} is not a coordinate reference system ({detail}); give an EPSG code, "
            "e.g. --crs EPSG:27700 (British National Grid) or --crs EPSG:32617 (UTM zone 17N), "
            "or leave it out with --lon/--lat"
        )
    return (
        f"a coordinate reference system could not be read ({detail}); check the CRS of the "
        "input files (--study-area's too), or give the data's own with --crs, e.g. "
        "--crs EPSG:27700"
    )


def _timezone_message(zone: str | None) -> str:
    import difflib
    import zoneinfo

    if not zone:
        return (
            "a time zone could not be found; give the incidents' own with --timezone, e.g. "
            "--timezone Europe/London"
        )
    known = {name.lower(): name for name in zoneinfo.available_timezones()}
    close = difflib.get_close_matches(zone.lower(), known, n=1, cutoff=0.6)
    hint = f" (did you mean {known[close[0]]}?)" if close else ""
    return (
        f"--timezone {zone}: no such time zone{hint}; give an IANA name such as "
        "--timezone Europe/London or --timezone America/Toronto"
    )


def _info(args: argparse.Namespace) -> int:
    from hotspot.incidents.load_report import get_load_report

    inc = _read(args, category=args.category)
    report = get_load_report(inc)
    print(report)
    if report.rows_excluded:
        print("\nfirst excluded rows:")
        print(report.excluded_rows.head(args.show).to_string())
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from hotspot.analyze import run_analysis
    from hotspot.report.write import write_analysis, write_report

    out = _check_out(args)
    inc = _read(args, category=args.category_column)
    if args.cell_size is not None:
        check_grid_cells(args.cell_size, _extent(inc), name="--cell-size")
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
        next_week=not args.no_forecast,
        patrol_areas=args.areas,
        progress=not args.quiet,
    )
    section = write_analysis(
        analysis, out, offline=args.offline, public=args.public, min_count=args.min_count
    )
    path = write_report([section], out, title=title)
    print(f"report: {path}")
    return 0


def _forecast(args: argparse.Namespace) -> int:
    from hotspot.analyze import select_categories
    from hotspot.forecast.plan import plan_patrols
    from hotspot.grid import count_incidents, hex_grid, square_grid
    from hotspot.report.forecast import write_forecast

    out = check_output_folder(args.out, "--out")
    name = Path(args.file).name.split(".")[0]
    existing = out / f"{name}_forecast.txt"
    if existing.is_file() and not args.overwrite:
        raise HotspotInputError(
            f"{existing} already exists (an earlier forecast); pass --overwrite to replace it "
            "and the files written with it, or choose another --out folder"
        )
    inc = _read(args, category=args.category_column)
    inc = select_categories(inc, args.category)
    check_grid_cells(args.cell_size, _extent(inc), name="--cell-size")
    make_grid = hex_grid if args.grid == "hex" else square_grid
    # counted for the place names the maps print (they are the incidents'), then the count
    # over the whole file dropped: the maps show the forecast
    grid = make_grid(inc, args.cell_size, quiet=True)
    cells = count_incidents(inc, grid, quiet=True).drop(columns="count")
    plan = plan_patrols(
        inc,
        cells,
        areas=args.areas,
        horizon=args.horizon,
        windows=args.windows,
        min_spacing=args.min_spacing,
        rng=args.rng,
        quiet=args.quiet,
    )
    title = args.title or f"Forecast from {Path(args.file).name}"
    _, files = write_forecast(
        plan,
        out,
        name=name,
        title=title,
        offline=args.offline,
        public=args.public,
        min_count=args.min_count,
    )
    print(plan.sentence())
    print(f"files in {out}: {', '.join(files)}")
    return 0


def _check_out(args: argparse.Namespace, *, own_title: str | None = None) -> Path:
    """The --out folder: not a file, and holding no report unless --overwrite (or unless the
    report there is titled ``own_title``: a demo replaces its own earlier run)."""
    import html

    out = check_output_folder(args.out, "--out")
    report = out / "report.html"
    if report.is_file() and not args.overwrite:
        with report.open("rb") as page:
            head = page.read(4096).decode("utf-8", errors="replace")
        if own_title is None or f"<title>{html.escape(own_title)}</title>" not in head:
            raise HotspotInputError(
                f"{report} already exists (an earlier report); pass --overwrite to replace it "
                "and the files written with it, or choose another --out folder"
            )
    return out


def _extent(incidents: Any) -> tuple[float, float]:
    """Width and height of where the incidents are (0.1 to 99.9 percentiles: the few far
    from the rest, which the default study area leaves out, do not stretch it)."""
    import numpy as np

    xy = incidents.geometry.get_coordinates().to_numpy()
    if not len(xy):
        return 0.0, 0.0
    low, high = np.nanpercentile(xy, [0.1, 99.9], axis=0)
    return float(high[0] - low[0]), float(high[1] - low[1])


def _number_or_name(value: str | None) -> float | str | None:
    """An option that is metres when it is a number, else a name (--bandwidth, --weights)."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return value


DEMO_TITLE = "hotspot demo: West Yorkshire and Toronto"
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
    from hotspot.report.write import write_analysis, write_report

    out = _check_out(args, own_title=DEMO_TITLE)
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
            next_week=True,
            progress=not args.quiet,
        )
        sections.append(write_analysis(analysis, out, offline=args.offline, public=args.public))
        print(f"[{name}] {analysis.n_incidents:,} incidents analysed", flush=True)
    path = write_report(sections, out, title=DEMO_TITLE)
    print(f"report: {path}")
    return 0


def _min_count(value: str) -> int:
    """--min-count: a whole number of at least 2 (a public count of 1 would be an incident)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 2:
        raise argparse.ArgumentTypeError(
            f"{number} is too small: a public map shows counts of at least 2 (default 5)"
        )
    return number


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
        "--end",
        default=None,
        help="last day analysed, inclusive (default: the last incident, or the end of the core "
        "period when a sparse tail of dates follows it)",
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
    analyze.add_argument(
        "--areas",
        type=int,
        default=20,
        help='cells the "Next week" patrol plan chooses (default: 20)',
    )
    analyze.add_argument(
        "--no-forecast",
        action="store_true",
        help='leave out the "Next week" section (a back-test of four forecasters over the '
        "last year: about 20 s on a year of a city's incidents)",
    )
    _add_read_options(analyze)
    analyze.add_argument(
        "--category-column", default=None, help="category column (default: detected)"
    )
    forecast = command(
        "forecast",
        "back-test the forecasters on an incident file, forecast the next window with the best "
        "and choose the cells to patrol: maps, the chosen cells and the back-test in --out",
    )
    forecast.add_argument("file")
    forecast.add_argument("--out", required=True, help="folder for the maps and tables")
    forecast.add_argument(
        "--horizon", default="7D", help="the forecast window, e.g. 7D or 14D (default: 7D)"
    )
    forecast.add_argument(
        "--areas", type=int, default=20, help="cells to choose for patrols (default: 20)"
    )
    forecast.add_argument(
        "--windows",
        type=int,
        default=52,
        help="back-test windows before the data end (default: 52, a year of weeks)",
    )
    forecast.add_argument(
        "--cell-size",
        type=float,
        default=250.0,
        help="grid cell size in metres (default: 250, a few street blocks)",
    )
    forecast.add_argument(
        "--grid", choices=("square", "hex"), default="square", help="cell shape (default: square)"
    )
    forecast.add_argument(
        "--min-spacing",
        type=float,
        default=None,
        help="metres between chosen cells, so patrols do not bunch (default: none)",
    )
    forecast.add_argument(
        "--category",
        action="append",
        default=None,
        help="forecast only this category (repeat for several)",
    )
    forecast.add_argument(
        "--title", default=None, help="title of the maps (default: from the file name)"
    )
    forecast.add_argument(
        "--rng", type=int, default=0, help="seed of the random baseline (default: 0)"
    )
    _add_read_options(forecast)
    forecast.add_argument(
        "--category-column", default=None, help="category column (default: detected)"
    )
    forecast.set_defaults(run=_forecast)
    demo = command("demo", "the pipeline on the embedded data")
    for sub in (analyze, demo, forecast):
        sub.add_argument("--offline", action="store_true", help="maps that open with no network")
        sub.add_argument(
            "--public",
            action="store_true",
            help="disclosure control: no incident points, small counts shown as 'fewer than N'",
        )
        sub.add_argument(
            "--min-count",
            type=_min_count,
            default=5,
            help="with --public, the smallest count shown (at least 2; default: 5)",
        )
        sub.add_argument("--quiet", action="store_true", help="no progress bars")
        sub.add_argument(
            "--overwrite",
            action="store_true",
            help="replace the report already in --out (default: refuse, except that demo "
            "replaces its own earlier report)",
        )
    analyze.set_defaults(run=_analyze)
    demo.add_argument("--out", default="out", help="output folder (default: out)")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hotspot`` command.

    A mistake the user can make (bad input, an unknown CRS or time zone, an output path that
    is in the way, too little memory for what was asked) is one line on standard error,
    ``hotspot: error: …`` saying what to do, and exit status 2. Anything else is a bug and
    shows its traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except HotspotInputError as err:
        return _fail(str(err))
    except Exception as err:
        message = _explain(err, args)
        if message is None:
            raise
        return _fail(message)


def _fail(message: str) -> int:
    print(f"hotspot: error: {' '.join(message.split())}", file=sys.stderr)
    return 2


OUT_OF_MEMORY_FIX = {
    "analyze": "ask for less: fewer --permutations, a larger --cell-size, or fewer incidents "
    "(--start/--end, --category)",
    "info": "the file is too large for this machine's memory: split it, or use a machine with "
    "more memory",
    "demo": "close other programs, or use a machine with more memory",
}
DISK_ERRORS = {
    getattr(errno, code): text
    for code, text in (
        ("ENOSPC", "no space left on the disk"),
        ("EDQUOT", "disk quota exceeded"),
        ("EROFS", "the file system is read-only"),
        ("ENAMETOOLONG", "the path is too long"),
    )
    if hasattr(errno, code)
}


def _explain(err: Exception, args: argparse.Namespace) -> str | None:
    """The one-line message for an exception the user can cause, or None (a bug)."""
    import zoneinfo

    from pyproj.exceptions import CRSError

    if isinstance(err, CRSError):
        return _crs_message(getattr(args, "crs", None), err)
    if isinstance(err, zoneinfo.ZoneInfoNotFoundError):
        return _timezone_message(getattr(args, "timezone", None))
    if isinstance(err, MemoryError):
        detail = f" ({err})" if str(err) else ""
        return f"out of memory{detail}; {OUT_OF_MEMORY_FIX[args.command]}"
    if isinstance(err, OSError):
        return _os_message(err, args)
    return None


def _os_message(err: OSError, args: argparse.Namespace) -> str | None:
    path = os.fsdecode(err.filename) if err.filename is not None else None
    source = getattr(args, "file", None)
    reading = path is not None and source is not None and _same_path(path, source)
    where = "another --out folder" if hasattr(args, "out") else "another path"
    shown = path or "a file"
    if isinstance(err, FileExistsError):
        return (
            f"{shown} exists and is not a folder, so it cannot be made one; choose {where} or "
            "move the file away"
        )
    if isinstance(err, IsADirectoryError):
        if reading:
            return f"{shown} is a folder; give the incident file inside it"
        return f"{shown} is a folder where a file was to be written; rename it or choose {where}"
    if isinstance(err, NotADirectoryError):
        return f"{shown}: part of this path is a file, not a folder; choose {where}"
    if isinstance(err, PermissionError):
        if reading:
            return f"permission denied reading {shown}; make it readable, or copy it"
        return f"permission denied writing {shown}; choose {where} you can write to"
    if err.errno in DISK_ERRORS:
        return f"{DISK_ERRORS[err.errno]} writing {shown}; choose {where}"
    return None


def _same_path(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b


if __name__ == "__main__":
    raise SystemExit(main())
