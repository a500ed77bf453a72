"""Key findings: every number in the paragraph is the analysis's own."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from hotspot.analyze import run_analysis
from hotspot.disclosure import disclose_table
from hotspot.report.findings import key_findings


@pytest.fixture(scope="module")
def toronto_analysis(toronto):
    year = toronto[toronto["time"] >= "2021-01-01"]
    return run_analysis(
        year,
        name="t",
        title="t",
        cell_size=500,
        knox_categories=["Break and Enter"],
        permutations=99,
        progress=False,
    )


def test_findings_state_the_period_and_the_numbers(toronto_analysis):
    a = toronto_analysis
    text = key_findings(a)
    assert text.startswith(f"In {a.period['label']}, {a.n_incidents:,} incidents")
    counts = np.sort(a.cells["count"].to_numpy())[::-1]
    k = round(0.05 * len(counts))
    share = counts[:k].sum() / counts.sum()
    assert f"busiest 5 % of cells ({k:,}) hold {100 * share:.0f} %" in text
    hot = int((a.gistar["gistar_bin"] > 0).sum())
    assert f"Gi* finds {hot:,} hot spot cells" in text
    top = a.hotspots.iloc[0]
    assert f"has {int(top['incidents']):,} incidents" in text
    e = a.emerging
    up = int(((e["emerging_trend_p"] < 0.05) & (e["emerging_trend_tau"] > 0)).sum())
    assert f"{up:,} show a significant rising trend" in text
    assert a.emerging.attrs["hotspot"]["period"]["label"] in text
    ratio = a.knox.ratio.iloc[1, 0]
    assert f"{ratio:.2f} times as common as chance" in text


def test_public_findings_give_no_small_count(west_yorkshire):
    few = west_yorkshire.iloc[:300]
    a = run_analysis(few, name="w", title="w", cell_size=3000, permutations=9, progress=False)
    text = key_findings(a, public=True, min_count=5)
    for number in re.findall(r"(\d[\d,]*) incidents", text):
        assert int(number.replace(",", "")) >= 5


def test_disclosed_table_hides_small_counts_and_their_rates():
    table = pd.DataFrame(
        {"rank": [1, 2, 3], "incidents": [12, 4, 1], "incidents_per_year": [48.0, 16, 4]}
    )
    table["share"] = table["incidents"] / 17
    out = disclose_table(table, 5)
    assert out["incidents"].tolist() == [12, "fewer than 5", "fewer than 5"]
    assert out.loc[1:, "share"].eq("fewer than 5").all()
    assert out.loc[1:, "incidents_per_year"].eq("fewer than 5").all()
    assert table["incidents"].tolist() == [12, 4, 1]  # the input is left as it was
