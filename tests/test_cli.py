"""The ``hotspot`` command: ``info`` on a file, ``demo`` into a folder (run as real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from hotspot.cli import main

HOTSPOT = [sys.executable, "-m", "hotspot.cli"]


def test_info_prints_the_load_report(tmp_path):
    path = tmp_path / "crimes.csv"
    pd.DataFrame(
        {
            "Latitude": [53.8, 53.81, None],
            "Longitude": [-1.55, -1.54, -1.5],
            "Date": ["2024-01-02"] * 3,
        }
    ).to_csv(path, index=False)
    done = subprocess.run(
        [*HOTSPOT, "info", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    assert ["rows", "read", "3"] in lines
    assert ["rows", "kept", "2"] in lines
    assert ["missing", "coordinates", "1"] in lines
    assert "first excluded rows:" in done.stdout


def test_info_bad_file_exits_2_with_the_message(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    done = subprocess.run(
        [*HOTSPOT, "info", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "empty (0 bytes)" in done.stderr
    assert "Traceback" not in done.stderr


def test_info_options_pass_through(tmp_path, capsys):
    path = tmp_path / "xy.csv"
    pd.DataFrame({"E": [430000.0, 431000.0], "N": [433000.0, 434000.0]}).to_csv(path, index=False)
    assert main(["info", str(path), "--x", "E", "--y", "N", "--crs", "EPSG:27700"]) == 0
    assert "x=E, y=N" in capsys.readouterr().out


def test_demo_writes_maps_and_reports(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    done = subprocess.run(
        [*HOTSPOT, "demo", "--out", str(out)], capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    for name in ("west_yorkshire", "toronto"):
        report = json.loads((out / f"{name}_load_report.json").read_text())
        assert report["rows_read"] == report["rows_kept"] + report["rows_excluded"]
        page = (out / f"{name}_counts.html").read_text()
        assert "leaflet" in page.lower() and "hotspot-legend" in page
        counts = json.loads((out / f"{name}_counts.geojson").read_text())
        assert sum(f["properties"]["count"] for f in counts["features"]) == report["rows_kept"]
        hot = json.loads((out / f"{name}_gistar.geojson").read_text())
        bins = [f["properties"]["gistar_bin"] for f in hot["features"]]
        assert len(bins) == len(counts["features"]) and max(bins) == 3
        assert "Hot spot, 99 % confidence" in (out / f"{name}_gistar.html").read_text()
        assert "kernel density" in (out / f"{name}_density.html").read_text()
        clusters = json.loads((out / f"{name}_clusters.geojson").read_text())
        assert min(f["properties"]["n_incidents"] for f in clusters["features"]) >= 100
        assert "Convex hull" in (out / f"{name}_clusters.html").read_text()
    assert "emerging hot spots, weekly 2018" in (out / "toronto_emerging.html").read_text()
    assert not (out / "west_yorkshire_emerging.html").exists()  # month-only data: not run
    knox = (out / "toronto_knox.html").read_text()
    assert "Same location" in knox and "0 to 7 days" in knox
    wy = json.loads((out / "west_yorkshire_load_report.json").read_text())
    assert (wy["rows_read"], wy["rows_kept"]) == (87_348, 83_577)
    assert Path(out / "report.html").read_text().count("<table") == 2
