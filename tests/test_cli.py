"""The ``hotspot`` command: ``info`` on a file, ``demo`` into a folder (run as real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

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


PAYLOAD = "<script>alert(1)</script>"


def test_demo_writes_the_report_maps_and_data(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONWARNINGS": "error::UserWarning"}
    done = subprocess.run(
        [*HOTSPOT, "demo", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
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
    assert "Emerging hot spots and near repeats not run" in page  # West Yorkshire, by month
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


def test_help_shows_defaults_and_an_example():
    done = subprocess.run([*HOTSPOT, "analyze", "--help"], capture_output=True, text=True)
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


def test_analyze_public_offline_discloses_nothing_and_loads_nothing(incident_csv, tmp_path):
    from hotspot.maps.export import external_references

    path, n = incident_csv
    out = tmp_path / "briefing"
    done = subprocess.run(
        [
            *HOTSPOT,
            "analyze",
            str(path),
            "--out",
            str(out),
            "--cell-size",
            "250",
            "--public",
            "--offline",
            "--permutations",
            "99",
            "--title",
            f"Briefing {PAYLOAD}",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        check=False,
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


def test_analyze_category_filter_and_unknown_category(incident_csv, tmp_path):
    path, _ = incident_csv
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
    done = subprocess.run(
        [*HOTSPOT, "analyze", str(path), "--out", str(out), "--category", "Arson", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no incident has category ['Arson']" in done.stderr and "Assault" in done.stderr
