"""The ``hotspot`` command: ``info`` on a file, ``analyze`` and ``demo`` into a folder.

Most tests call :func:`hotspot.cli.main` in this process (``run``): the same parser, exit
status and standard streams as the command, without starting Python and importing the
package again for each. A few run the real command (``run_process``, marked slow): the
installed console script, ``python -m hotspot.cli``, the exit status the shell sees, the
whole pipeline of ``demo``, and warnings made errors through the environment.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import warnings
import zoneinfo
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pyproj.exceptions import CRSError

from hotspot.cli import build_parser, main
from hotspot.errors import HotspotInputError

HOTSPOT = [sys.executable, "-m", "hotspot.cli"]
CONSOLE_SCRIPT = Path(sys.executable).with_name("hotspot")  # what pip installed next to python
# warnings a fresh ``python`` does not print (its default filters): the rest reach stderr
HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def run(capfd: pytest.CaptureFixture[str], *args: object) -> subprocess.CompletedProcess[str]:
    """``hotspot *args`` in this process, as a finished process: exit status, stdout, stderr.

    The status is ``main``'s return value, or the code of the ``SystemExit`` argparse raises.
    What the command writes goes through the file descriptors
    (``capfd``). A warning the command would print on its stderr in a process of its own is
    added to ``stderr`` here, as it would be there (pytest would otherwise hide it).
    """
    argv = [str(arg) for arg in args]
    capfd.readouterr()  # what came before is not this command's output
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            status = main(argv)
        except SystemExit as done:  # argparse: --help (0), a bad option (2, its usage on stderr)
            status = done.code
    out, err = capfd.readouterr()
    shown = [w for w in caught if not issubclass(w.category, HIDDEN_WARNINGS)]
    err += "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in shown
    )
    return subprocess.CompletedProcess(["hotspot", *argv], status, out, err)


def run_process(*args: object, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m hotspot.cli *args`` as a real process."""
    return subprocess.run(
        [*HOTSPOT, *map(str, args)], capture_output=True, text=True, check=False, **kwargs
    )


def three_row_csv(tmp_path: Path) -> Path:
    path = tmp_path / "crimes.csv"
    pd.DataFrame(
        {
            "Latitude": [53.8, 53.81, None],
            "Longitude": [-1.55, -1.54, -1.5],
            "Date": ["2024-01-02"] * 3,
        }
    ).to_csv(path, index=False)
    return path


def assert_load_report_of_three_rows(stdout: str) -> None:
    lines = [line.split() for line in stdout.splitlines()]
    assert ["rows", "read", "3"] in lines
    assert ["rows", "kept", "2"] in lines
    assert ["missing", "coordinates", "1"] in lines
    assert "first excluded rows:" in stdout


def test_info_prints_the_load_report(tmp_path, capfd):
    done = run(capfd, "info", three_row_csv(tmp_path))
    assert done.returncode == 0, done.stderr
    assert_load_report_of_three_rows(done.stdout)


def test_info_bad_file_exits_2_with_the_message(tmp_path, capfd):
    path = tmp_path / "empty.csv"
    path.write_text("")
    done = run(capfd, "info", path)
    assert done.returncode == 2
    assert "empty (0 bytes)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_console_script_prints_the_load_report_and_exits_0(tmp_path):
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "info", str(three_row_csv(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert_load_report_of_three_rows(done.stdout)
    assert done.stderr == ""


@pytest.mark.slow
def test_console_script_mistake_exits_2_with_one_line(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "info", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("hotspot: error: ") and "empty (0 bytes)" in done.stderr
    assert len(done.stderr.splitlines()) == 1 and done.stdout == ""


@pytest.mark.slow
def test_module_process_exit_status_and_stderr(tmp_path, small_csv):
    """``python -m hotspot.cli``: 0 and the report on stdout, 2 and one line on stderr for a
    mistake of ours, 2 and argparse's usage for a bad option."""
    done = run_process("info", three_row_csv(tmp_path))
    assert done.returncode == 0, done.stderr
    assert_load_report_of_three_rows(done.stdout)
    line = one_line_error_in_a_process("info", small_csv, "--crs", "garbage")
    assert "--crs garbage is not a coordinate reference system" in line
    done = run_process("analyze", small_csv, "--out", tmp_path / "o", "--min-count", "1")
    assert done.returncode == 2 and "too small" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.startswith("usage: hotspot analyze")


def test_info_options_pass_through(tmp_path, capsys):
    path = tmp_path / "xy.csv"
    pd.DataFrame({"E": [430000.0, 431000.0], "N": [433000.0, 434000.0]}).to_csv(path, index=False)
    assert main(["info", str(path), "--x", "E", "--y", "N", "--crs", "EPSG:27700"]) == 0
    assert "x=E, y=N" in capsys.readouterr().out


PAYLOAD = "<script>alert(1)</script>"


@pytest.mark.slow  # the whole pipeline on both datasets, in a process where warnings are errors
def test_demo_writes_the_report_maps_and_data(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    done = run_process("demo", "--out", out, "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    for name in ("west_yorkshire", "toronto"):
        report = json.loads((out / f"{name}_load_report.json").read_text())
        assert report["rows_read"] == report["rows_kept"] + report["rows_excluded"]
        page = (out / f"{name}_counts.html").read_text()
        assert "leaflet" in page.lower() and "hotspot-legend" in page
        counts = json.loads((out / f"{name}_counts.geojson").read_text())
        left_out = json.loads((out / f"{name}_settings.json").read_text())["left_out"]
        counted = sum(f["properties"]["count"] for f in counts["features"])
        assert counted + sum(left_out.values()) == report["rows_kept"]
        hot = json.loads((out / f"{name}_gistar.geojson").read_text())
        bins = [f["properties"]["gistar_bin"] for f in hot["features"]]
        assert len(bins) == len(counts["features"]) and max(bins) == 3
        assert "Hot spot, 99 % confidence" in (out / f"{name}_gistar.html").read_text()
        assert "kernel density" in (out / f"{name}_density.html").read_text()
        clusters = json.loads((out / f"{name}_clusters.geojson").read_text())
        assert min(f["properties"]["n_incidents"] for f in clusters["features"]) >= 100
        assert "Convex hull" in (out / f"{name}_clusters.html").read_text()
        for key in ("counts", "gistar", "density", "clusters"):
            assert (out / f"{name}_{key}.png").stat().st_size > 10_000
    assert "Emerging hot spots" in (out / "toronto_emerging.html").read_text()
    assert (out / "toronto_timeline.html").exists()
    assert not (out / "west_yorkshire_emerging.html").exists()  # month-only data: not run
    knox = pd.read_csv(out / "toronto_knox.csv", index_col=0)
    assert knox.index[0] == "Same location" and knox.columns[0] == "0 to 7 days"
    wy = json.loads((out / "west_yorkshire_load_report.json").read_text())
    assert (wy["rows_read"], wy["rows_kept"]) == (87_348, 83_577)
    page = (out / "report.html").read_text()
    assert page.count("<section>") == 2
    assert page.count("data:image/png;base64,") >= 10  # the maps as images on the page
    assert "Emerging hot spots, near repeats and next week" in page  # by month: not run
    # Toronto has dates: next week's back-tested patrol plan
    assert "Next week" in page and (out / "toronto_patrols.html").is_file()
    assert not (out / "west_yorkshire_patrols.html").exists()
    assert "Methods." in page and "Knox test on" in page
    # each section opens with the key findings and the ranked table, and states its period
    for section, period in zip(
        page.split("<section>")[1:],
        ("Jul 2016, Jul 2017, Jul 2018", "2014-01-01 to 2021-12-31"),
        strict=True,
    ):
        assert section.index("Key findings") < section.index("Top hot spots")
        assert section.index("Top hot spots") < section.index("Key numbers")
        assert f"<small>{period}</small></h2>" in section
        assert "In " + period in section
    for name in ("west_yorkshire", "toronto"):
        top = pd.read_csv(out / f"{name}_top_hotspots.csv")
        assert top["rank"].tolist() == list(range(1, 21))
        assert top["confidence"].isin(["99 %", "95 %", "90 %"]).all() and top["area"].notna().all()
        for key in ("counts", "gistar", "density", "clusters"):  # no footer prints the file range
            assert "Period</b>: 1966" not in (out / f"{name}_{key}.html").read_text()
    assert "1,057 incidents dated outside it" in page  # Toronto's long tail, said once


def test_help_shows_defaults_and_an_example(capfd):
    done = run(capfd, "analyze", "--help")
    assert done.returncode == 0
    for text in (
        "--study-area",
        "--start",
        "--end",
        "--timezone",
        "--time-format",
        "--bandwidth",
        "(default: W)",
        "(default: 999)",
        "examples:",
    ):
        assert text in " ".join(done.stdout.split())  # help text wraps


@pytest.fixture(scope="module")
def incident_csv(tmp_path_factory, toronto):
    """Toronto 2020–2021 as a generic CSV, one category renamed to an HTML payload."""
    rows = toronto[toronto["time"] >= "2020-01-01"]
    lonlat = rows.geometry.to_crs(4326)
    frame = pd.DataFrame(
        {
            "lat": lonlat.y.round(6),
            "lon": lonlat.x.round(6),
            "date": rows["time"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": rows["category"].astype(str).replace("Robbery", PAYLOAD),
        }
    )
    path = tmp_path_factory.mktemp("csv") / "crimes.csv"
    frame.to_csv(path, index=False)
    return path, len(frame)


@pytest.mark.slow  # the whole pipeline on two years of Toronto at 250 m
def test_analyze_public_offline_discloses_nothing_and_loads_nothing(incident_csv, tmp_path, capfd):
    from hotspot.maps.export import external_references

    path, n = incident_csv
    out = tmp_path / "briefing"
    done = run(
        capfd,
        "analyze",
        path,
        "--out",
        out,
        "--cell-size",
        "250",
        "--public",
        "--offline",
        "--permutations",
        "99",
        "--title",
        f"Briefing {PAYLOAD}",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text()
    assert PAYLOAD not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "fewer than 5" in page or "Public version" in page
    maps = sorted(out.glob("*.html"))
    assert len(maps) >= 6
    for html_file in maps:
        text = html_file.read_text()
        assert PAYLOAD not in text, html_file.name
        if html_file.name != "report.html":
            assert external_references(text) == [], html_file.name
    counts = json.loads((out / "crimes_counts.geojson").read_text())
    values = [f["properties"]["count"] for f in counts["features"]]
    assert not [v for v in values if v is not None and 1 <= v <= 4]
    shown, hidden = sum(v for v in values if v is not None), values.count(None)
    assert hidden > 0 and shown + hidden <= n <= shown + 4 * hidden
    hot = json.loads((out / "crimes_gistar.geojson").read_text())
    assert "gistar_z" not in hot["features"][0]["properties"]
    clusters = json.loads((out / "crimes_clusters.geojson").read_text())
    assert {f["geometry"]["type"] for f in clusters["features"]} == {"Polygon"}
    assert "centre_x" not in clusters["features"][0]["properties"]


def test_analyze_category_filter_and_unknown_category(small_csv, tmp_path, capfd):
    path = small_csv  # 1,500 incidents: the filter, not the size, is under test
    out = tmp_path / "assaults"
    assert (
        main(
            [
                "analyze",
                str(path),
                "--out",
                str(out),
                "--category",
                "Assault",
                "--permutations",
                "99",
                "--quiet",
                "--cell-size",
                "500",
            ]
        )
        == 0
    )
    report = json.loads((out / "crimes_settings.json").read_text())
    assert report["categories"] == ["Assault"]
    done = run(
        capfd, "analyze", path, "--out", out, "--category", "Arson", "--quiet", "--overwrite"
    )  # --overwrite: the same folder as the run above
    assert done.returncode == 2
    assert "no incident has category ['Arson']" in done.stderr and "Assault" in done.stderr


# --- every mistake a user can make is one line and exit 2 -------------------------------------


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory, toronto):
    """1,500 Toronto incidents of 2021 as a lat/lon CSV: an analysis runs in seconds."""
    rows = toronto[toronto["time"] >= "2021-01-01"].iloc[::20].iloc[:1500]
    lonlat = rows.geometry.to_crs(4326)
    path = tmp_path_factory.mktemp("small") / "crimes.csv"
    pd.DataFrame(
        {
            "lat": lonlat.y.round(6),
            "lon": lonlat.x.round(6),
            "date": rows["time"].dt.strftime("%Y-%m-%d %H:%M"),
            "offence": rows["category"].astype(str),
        }
    ).to_csv(path, index=False)
    return path


def assert_one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """A run that failed with exit 2 and one line on stderr: the line."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotspot: error: "), done.stderr
    return lines[0]


def one_line_error(capfd: pytest.CaptureFixture[str], *args: object) -> str:
    """Run ``hotspot *args``: it must fail with exit 2 and one line on stderr; the line."""
    return assert_one_line_error(run(capfd, *args))


def one_line_error_in_a_process(*args: object) -> str:
    """:func:`one_line_error` in a real process."""
    return assert_one_line_error(run_process(*args))


def test_unknown_crs_is_one_line(small_csv, capfd):
    line = one_line_error(capfd, "info", small_csv, "--crs", "garbage")
    assert "--crs garbage is not a coordinate reference system" in line
    assert "--crs EPSG:27700" in line


def test_unknown_time_zone_is_one_line_with_a_suggestion(small_csv, tmp_path, capfd):
    line = one_line_error(capfd, "info", small_csv, "--timezone", "Europe/Londn")
    assert "--timezone Europe/Londn: no such time zone (did you mean Europe/London?)" in line
    assert "--timezone Mars/Olympus" in one_line_error(
        capfd, "analyze", small_csv, "--out", tmp_path / "out", "--timezone", "Mars/Olympus"
    )


def test_unknown_encoding_is_one_line(small_csv, capfd):
    assert "--encoding klingon: no such character encoding" in one_line_error(
        capfd, "info", small_csv, "--encoding", "klingon"
    )


def test_out_that_is_a_file_is_one_line(small_csv, tmp_path, capfd):
    afile = tmp_path / "report"
    afile.write_text("not a folder")
    line = one_line_error(capfd, "analyze", small_csv, "--out", afile, "--quiet")
    assert f"--out {afile} is a file; give a folder" in line
    line = one_line_error(capfd, "analyze", small_csv, "--out", afile / "sub", "--quiet")
    assert f"{afile} is a file, not a folder" in line
    assert afile.read_text() == "not a folder"


def test_cell_size_larger_than_the_data_is_one_line_and_writes_nothing(small_csv, tmp_path, capfd):
    out = tmp_path / "out"
    for study_area in ("footprint", "convex"):  # convex: the hull buffered by 1e9 m broke maps
        line = one_line_error(
            capfd,
            "analyze",
            small_csv,
            "--out",
            out,
            "--cell-size",
            "1e9",
            "--study-area",
            study_area,
        )
        assert "--cell-size 1e+09 m is larger than the incidents' whole extent" in line
        assert "Use at most" in line
    assert not out.exists()


def test_cell_size_too_small_is_one_line_with_the_estimate(small_csv, tmp_path, capfd):
    line = one_line_error(
        capfd, "analyze", small_csv, "--out", tmp_path / "o", "--cell-size", "0.01"
    )
    assert re.search(r"about [\d,]+ cells\) would need about [\d.]+ [TPE]B of memory", line)
    assert "use a larger cell size: at least" in line


def test_huge_permutations_are_one_line_with_the_estimate(small_csv, tmp_path, capfd):
    out = tmp_path / "out"
    line = one_line_error(
        capfd, "analyze", small_csv, "--out", out, "--permutations", "999999999", "--quiet"
    )
    assert re.search(r"999,999,999 permutations of [\d,]+ cells .* would need about", line)
    assert "use at most" in line
    assert not (out / "report.html").exists()


def test_existing_report_needs_overwrite(small_csv, tmp_path, capfd):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("an earlier report")
    line = one_line_error(capfd, "analyze", small_csv, "--out", out)
    assert f"{out / 'report.html'} already exists" in line and "--overwrite" in line
    assert (out / "report.html").read_text() == "an earlier report"
    assert "--overwrite" in one_line_error(capfd, "demo", "--out", out)  # not a demo report


@pytest.mark.slow  # a whole pipeline and its report (the category filter test runs one fast)
def test_overwrite_replaces_an_earlier_report(small_csv, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("an earlier report")
    args = ["analyze", str(small_csv), "--out", str(out), "--overwrite", "--quiet"]
    args += ["--permutations", "9", "--cell-size", "1000"]
    assert main(args) == 0
    assert "an earlier report" not in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (IsADirectoryError(21, "Is a directory", "out/x.html"), "out/x.html is a folder where"),
        (PermissionError(13, "Permission denied", "out/x.html"), "permission denied writing"),
        (NotADirectoryError(20, "Not a directory", "a/b"), "a/b: part of this path is a file"),
        (FileExistsError(17, "File exists", "out"), "out exists and is not a folder"),
        (OSError(errno.ENOSPC, "No space left on device", "out/x"), "no space left on the disk"),
        (MemoryError("Unable to allocate 1.00 TiB"), "out of memory (Unable to allocate 1.00 TiB)"),
        (zoneinfo.ZoneInfoNotFoundError("No time zone found with key X"), "time zone"),
        (CRSError("Invalid projection: x"), "coordinate reference system"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else "",
)
def test_expected_failures_are_one_line(monkeypatch, capsys, small_csv, error, expected):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("hotspot.incidents.read.read_incidents", fail)
    assert main(["info", str(small_csv)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("hotspot: error: ")
    assert expected in err


def test_reading_a_folder_or_a_forbidden_file_names_it(monkeypatch, capsys, small_csv):
    def fail(source, **kwargs):
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr("hotspot.incidents.read.read_incidents", fail)
    assert main(["info", str(small_csv)]) == 2
    assert f"permission denied reading {small_csv}" in capsys.readouterr().err


def test_bugs_still_show_their_traceback(monkeypatch, small_csv):
    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("hotspot.incidents.read.read_incidents", fail)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["info", str(small_csv)])


def test_in_process_runs_show_the_warnings_a_process_would_print(monkeypatch, capfd, small_csv):
    """``run`` keeps what the subprocesses checked: a warning printed on stderr breaks the
    one-line error, and a DeprecationWarning, which ``python`` hides, does not."""

    def warn_then_fail(source, **kwargs):
        warnings.warn("a user-facing warning", UserWarning, stacklevel=2)
        warnings.warn("for developers", DeprecationWarning, stacklevel=2)
        raise HotspotInputError("the file is wrong")

    monkeypatch.setattr("hotspot.incidents.read.read_incidents", warn_then_fail)
    done = run(capfd, "info", small_csv)
    assert done.returncode == 2
    assert done.stderr.startswith("hotspot: error: the file is wrong\n")
    assert "UserWarning: a user-facing warning" in done.stderr
    assert "for developers" not in done.stderr
    with pytest.raises(AssertionError, match="a user-facing warning"):
        assert_one_line_error(done)


# --- every read_incidents option is on the command line ---------------------------------------


def test_loader_options_reach_read_incidents(monkeypatch, small_csv):
    seen = {}

    def spy(source, **kwargs):
        seen.update(kwargs)
        raise HotspotInputError("stop here")

    monkeypatch.setattr("hotspot.incidents.read.read_incidents", spy)
    argv = ["info", str(small_csv), "--encoding", "cp1252", "--sep", "tab", "--decimal", ","]
    argv += ["--sheet", "Crimes", "--layer", "points", "--no-header", "--names", "a, b,c"]
    argv += ["--swap-axes", "--time-format", "%d/%m/%Y", "--time-format", "%Y-%m-%d %H:%M"]
    assert main(argv) == 2
    assert seen == {
        "quiet": True,
        "encoding": "cp1252",
        "sep": "\t",
        "decimal": ",",
        "sheet": "Crimes",
        "layer": "points",
        "header": None,
        "names": ["a", "b", "c"],
        "swap_axes": True,
        "time_format": ["%d/%m/%Y", "%Y-%m-%d %H:%M"],
    }
    seen.clear()
    assert main(["info", str(small_csv), "--time-format", "%Y"]) == 2
    assert seen == {"quiet": True, "time_format": "%Y"}  # one format: a str; defaults not sent


def test_parser_has_the_loader_options_on_both_commands():
    parser = build_parser()
    for command in (["info", "f.csv"], ["analyze", "f.csv", "--out", "o"]):
        args = parser.parse_args([*command, "--sep", ";", "--no-header", "--swap-axes"])
        assert (args.sep, args.no_header, args.swap_axes) == (";", True, True)
        defaults = parser.parse_args(command)
        assert (defaults.no_header, defaults.swap_axes, defaults.time_format) == (
            False,
            False,
            None,
        )


def test_empty_name_in_names_is_one_line(small_csv, capfd):
    assert "--names 'a,,b' has an empty name" in one_line_error(
        capfd, "info", small_csv, "--names", "a,,b", "--no-header"
    )


def test_semicolon_file_with_decimal_commas(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_text("lat;lon;date\n53,80;-1,55;2024-01-02\n53,81;-1,54;2024-01-03\n")
    assert main(["info", str(path), "--sep", ";", "--decimal", ","]) == 0
    out = capsys.readouterr().out
    assert ["rows", "kept", "2"] in [line.split() for line in out.splitlines()]


def test_help_shows_the_loader_options_and_their_defaults(capfd):
    done = run(capfd, "info", "--help")
    text = " ".join(done.stdout.split())
    for option in ("--encoding", "--sep", "--decimal", "--sheet", "--layer", "--no-header"):
        assert option in text
    for option in ("--names", "--swap-axes", "--time-format"):
        assert option in text
    assert "repeat it for a file that mixes formats (default: inferred)" in text
    assert "(default: the one sheet with data)" in text
    assert text.count("(default:") == 19  # every option of info but --help
    analyze = run(capfd, "analyze", "--help")
    assert "--overwrite replace the report already in --out (default: refuse" in " ".join(
        analyze.stdout.split()
    )


def test_demo_replaces_its_own_earlier_report_only(tmp_path):
    from hotspot import cli

    (tmp_path / "report.html").write_text(f"<html><head><title>{cli.DEMO_TITLE}</title>")
    args = build_parser().parse_args(["demo", "--out", str(tmp_path)])
    assert cli._check_out(args, own_title=cli.DEMO_TITLE) == tmp_path  # make demo, twice
    with pytest.raises(HotspotInputError, match="already exists"):
        cli._check_out(args)  # analyze never replaces a report silently
    (tmp_path / "report.html").write_text("<html><head><title>My briefing</title>")
    with pytest.raises(HotspotInputError, match="pass --overwrite"):
        cli._check_out(args, own_title=cli.DEMO_TITLE)


def test_small_mistakes_are_one_line(tmp_path, small_csv, capfd):
    path = small_csv
    points = tmp_path / "points.csv"
    points.write_text("a,b\n1,2\n")
    for extra, expected in (
        (["--min-count", "1"], "too small"),
        (["--study-area", str(points)], "table without geometry"),
        (["--end", "1999-01-01"], "before the first incident"),
    ):
        done = run(capfd, "analyze", path, "--out", tmp_path / "o", "--quiet", *extra)
        assert done.returncode == 2, done.stderr
        assert expected in done.stderr and "Traceback" not in done.stderr
