"""The "when" step of the pipeline and its block in the report: profile, peaks, hot spots'
profiles, repeat locations, and what a public report leaves out.

``make test-fast`` runs the step's tests on one shared pipeline run (half a year of Toronto);
the written reports, the West Yorkshire run and the escaping run are whole pipelines and
reports, marked slow (``make test`` runs them)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspot.analyze import run_analysis
from hotspot.report.findings import hour_spikes, key_findings, repeat_sentences, when_sentences
from hotspot.report.write import write_analysis


@pytest.fixture(scope="module")
def toronto_half(toronto):
    return toronto[toronto["time"] >= "2021-07-01"]


@pytest.fixture(scope="module")
def toronto_analysis(toronto_half):
    return run_analysis(
        toronto_half,
        name="t",
        title="Toronto",
        cell_size=1000,
        permutations=99,
        progress=False,
    )


@pytest.fixture(scope="module")
def wy_analysis(west_yorkshire):
    return run_analysis(
        west_yorkshire,
        name="wy",
        title="West Yorkshire",
        cell_size=2000,
        grid="hex",
        permutations=99,
        progress=False,
    )


@pytest.fixture(scope="module")
def sections(toronto_analysis, tmp_path_factory):
    out = {}
    for public in (False, True):
        folder = tmp_path_factory.mktemp(f"when_{public}")
        out[public] = (write_analysis(toronto_analysis, folder, public=public), folder)
    return out


def _when_block(html: str) -> str:
    start = html.index("<h3>When")
    return html[start : html.index("<h3>Key numbers</h3>", start)]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


# ----------------------------------------------------------------------------- the step


def test_when_profile_counts_every_analysed_incident_by_hour_of_week(toronto_analysis):
    a = toronto_analysis
    when = a.when
    assert when.by == ("weekday", "hour") and when.note is None
    times = a.incidents["time"]
    # reference: a plain groupby of the analysed incidents
    expected = (
        pd.Series(1, index=times.index)
        .groupby(times.dt.day_of_week * 24 + times.dt.hour)
        .sum()
        .reindex(range(168), fill_value=0)
        .to_numpy()
    )
    np.testing.assert_array_equal(when.profile["count"].to_numpy(), expected)
    assert when.profile["count"].sum() == a.n_incidents
    # the peak: the best 4 contiguous hours (wrapping) by brute force
    windows = [sum(expected[(s + k) % 168] for k in range(4)) for s in range(168)]
    best = int(np.argmax(windows))
    assert when.peaks.iloc[0]["start"] == best
    assert when.peaks.iloc[0]["share"] == pytest.approx(windows[best] / a.n_incidents)


def test_category_peaks_match_a_groupby(toronto_analysis):
    a = toronto_analysis
    peaks = a.when.peaks.set_index("group")
    sizes = a.incidents["category"].value_counts()
    for category, n in sizes.items():
        assert peaks.loc[category, "count"] == n
    bne = a.incidents[a.incidents["category"] == "Break and Enter"]["time"]
    hours = np.bincount(bne.dt.day_of_week * 24 + bne.dt.hour, minlength=168)
    windows = [sum(hours[(s + k) % 168] for k in range(4)) for s in range(168)]
    assert peaks.loc["Break and Enter", "start"] == int(np.argmax(windows))


def test_hotspot_profiles_use_the_analysis_gistar(toronto_analysis):
    a = toronto_analysis
    hot = a.when.hotspots
    cells = hot.attrs["hotspot"]["hotspot_profiles"]["cells"]
    significant = a.gistar[a.gistar["gistar_bin"] > 0]
    assert set(cells) <= set(significant.index)
    counts = hot.groupby("group", observed=True)["count"].sum()
    for k, cell in enumerate(cells):
        assert counts[f"hot spot {k + 1}"] == a.gistar.loc[cell, "count"]


def test_repeats_are_the_analysed_incidents(toronto_analysis):
    a = toronto_analysis
    r = a.repeats
    xy = pd.DataFrame({"x": a.incidents.geometry.x, "y": a.incidents.geometry.y})
    per_point = xy.groupby(["x", "y"]).size()
    assert r.n_incidents == a.n_incidents
    assert r.n_at_repeat_locations == int(per_point[per_point >= 2].sum())
    assert r.note and "intersection" in r.note


@pytest.mark.slow  # a second whole pipeline, on West Yorkshire
def test_month_data_without_whole_years_get_a_note_not_a_profile(wy_analysis):
    when = wy_analysis.when
    assert when.by is None and when.profile is None
    assert "months only" in when.note and "July" in when.note
    assert np.isnan(wy_analysis.repeats.share_within_7_days)
    assert "same month" in " ".join(repeat_sentences(wy_analysis.repeats))
    assert "snapped" in wy_analysis.repeats.note


def test_progress_bar_counts_the_when_step(toronto_half, capsys):
    run_analysis(
        toronto_half.iloc[:3000],
        name="p",
        title="p",
        cell_size=2000,
        permutations=9,
        min_cluster_size=50,
        progress=True,
    )
    err = capsys.readouterr().err
    assert "7/7" in err and "8/7" not in err


# ----------------------------------------------------------------------------- the block


@pytest.mark.slow  # whole reports written, internal and public (the sections fixture)
def test_when_block_has_the_peak_sentence_and_the_profile_counts(toronto_analysis, sections):
    html, folder = sections[False]
    block = _when_block(html)
    text = _text(block)
    peak = toronto_analysis.when.peaks.iloc[0]
    sentence = (
        f"All incidents ({toronto_analysis.n_incidents:,} incidents) peak {peak['label']}: "
        f"{100 * peak['share']:.1f} % of them, {100 * peak['even_share']:.1f} % if spread evenly."
    )
    assert sentence in html
    bne = toronto_analysis.when.peaks.set_index("group").loc["Break and Enter"]
    assert f"Break and Enter ({bne['count']:,.0f} incidents) peaks {bne['label']}" in text
    # the counts of the peak table are the profile's
    for _, row in toronto_analysis.when.peaks.iterrows():
        assert f"<td>{row['count']:,.0f}</td>" in block
    assert f"{toronto_analysis.when.profile['count'].sum():,.0f}" in text
    assert (folder / "t_when.png").stat().st_size > 10_000
    assert (folder / "t_when_hotspots.png").exists()
    assert (folder / "t_repeats.png").exists()
    # the internal report lists the top repeat locations, with coordinates
    assert "Top repeat locations" in block and "longitude" in block
    listed = pd.read_csv(folder / "t_repeat_locations.csv")
    assert (
        listed["incidents"].tolist() == toronto_analysis.repeats.top["repeat_n_incidents"].tolist()
    )
    share = f"{100 * toronto_analysis.repeats.share_at_repeat_locations:.1f} %"
    assert share in text


@pytest.mark.slow  # whole reports written, internal and public (the sections fixture)
def test_public_block_lists_no_repeat_location_and_no_coordinates(toronto_analysis, sections):
    html, folder = sections[True]
    block = _when_block(html)
    assert "Top repeat locations" not in block
    assert "longitude" not in block and "latitude" not in block
    assert not (folder / "t_repeat_locations.csv").exists()
    assert not (folder / "t_when_hotspots.png").exists()
    # no coordinates of the repeat locations anywhere on the page
    top = gpd.GeoSeries(
        toronto_analysis.repeats.top["geometry"], crs=toronto_analysis.incidents.crs
    ).to_crs(4326)
    for point in top:
        assert f"{point.x:.4f}" not in html and f"{point.y:.4f}" not in html
    # the shares and the curve stay
    share = f"{100 * toronto_analysis.repeats.share_at_repeat_locations:.1f} %"
    assert share in _text(block)
    assert (folder / "t_repeats.png").exists()
    assert "no location is listed" in block


@pytest.mark.slow  # a second whole pipeline and its report
def test_category_names_are_escaped(toronto_half, tmp_path):
    evil = "<script>alert(1)</script>"
    inc = toronto_half.iloc[:4000].copy()
    inc["category"] = inc["category"].astype(object)
    inc.loc[inc["category"] == "Robbery", "category"] = evil
    a = run_analysis(
        inc,
        name="e",
        title="E",
        cell_size=2000,
        permutations=9,
        min_cluster_size=50,
        progress=False,
    )
    assert evil in a.when.peaks["group"].tolist()
    html = write_analysis(a, tmp_path)
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _when_block(html)


def test_key_findings_state_the_peak_and_the_repeat_share(toronto_analysis):
    text = key_findings(toronto_analysis)
    peak = toronto_analysis.when.peaks.iloc[0]
    assert f"Incidents peak {peak['label']}" in text
    share = toronto_analysis.repeats.share_at_repeat_locations
    assert f"{100 * share:.1f} % of incidents were at a location with repeat" in text


def test_midnight_spike_note_follows_the_profile(toronto_analysis):
    sentences = " ".join(when_sentences(toronto_analysis))
    profile = toronto_analysis.when.categories
    bne = profile[profile["group"] == "Break and Enter"]
    hours = bne.groupby("hour")["count"].sum().to_numpy()
    ratio = hours[0] / ((hours[23] + hours[1]) / 2)
    assert (ratio > 1.4) == ("00:00 in Break and Enter" in sentences)
    counts = [30] + [10] * 11 + [25] + [10] * 11
    assert hour_spikes(pd.DataFrame({"hour": range(24), "count": counts})) == [
        (0, 3.0),
        (12, 2.5),
    ]
    flat = pd.DataFrame({"hour": range(24), "count": [10] * 24})
    assert hour_spikes(flat) == []
