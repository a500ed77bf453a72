"""Key findings in plain words, generated from an analysis's results (the report's first
paragraph)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspot.disclosure import check_min_count, suppressed_text

PATTERN_ORDER = (
    "new hot spot",
    "intensifying hot spot",
    "consecutive hot spot",
    "persistent hot spot",
    "sporadic hot spot",
    "oscillating hot spot",
    "diminishing hot spot",
    "historical hot spot",
)


# Where results made before the result contract keep their parameters, by method.
LEGACY_KEYS = {"emerging_hotspots": "emerging"}


def params_of(result: Any, method: str) -> dict[str, Any]:
    """The parameters ``method`` recorded in ``result.attrs["hotspot"]`` (under its name, or
    the key it used before the result contract); empty when there are none.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["hotspot"] = {"method": "emerging_hotspots", "emerging": {"alpha": 0.05}}
    >>> params_of(frame, "emerging_hotspots")
    {'alpha': 0.05}
    """
    meta = (getattr(result, "attrs", None) or {}).get("hotspot") or {}
    for key in (method, LEGACY_KEYS.get(method)):
        if key and isinstance(meta.get(key), dict):
            return meta[key]
    return {}


def _share_of_busiest(counts: np.ndarray, places: float = 0.05) -> tuple[float, int]:
    """Share of incidents in the busiest ``places`` share of cells, and that many cells."""
    counts = np.sort(np.nan_to_num(np.asarray(counts, dtype=float)))[::-1]
    k = max(1, int(round(places * len(counts))))
    total = counts.sum()
    return (float(counts[:k].sum() / total) if total else 0.0), k


def _areas_text(table: pd.DataFrame) -> str:
    if "area" not in table or table["area"].isna().all():
        return ""
    by_area = table["area"].value_counts()
    parts = [f"{name} ({k})" for name, k in by_area.head(4).items()]
    return f" The top {len(table)} are in " + ", ".join(parts) + "."


def key_findings(analysis: Any, public: bool = False, min_count: int = 5) -> str:
    """A plain-language paragraph of what the analysis found, for the top of its report section.

    Every number comes from the analysis's own results; public versions give no count below
    ``min_count`` (:mod:`hotspot.disclosure`'s wording: "fewer than 5 incidents").

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.analyze import run_analysis
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> a = run_analysis(inc, name="wy", title="WY", cell_size=2000, grid="hex",
    ...                  permutations=99, progress=False)
    >>> key_findings(a).startswith("In Jul 2016, Jul 2017, Jul 2018, 83,")
    True
    """
    min_count = check_min_count(min_count, func="key_findings")
    a = analysis
    cells = a.cells
    grid = cells.attrs["hotspot"]["grid"]
    period = a.period["label"] if a.period else "the period of the data"
    counts = cells["count"].to_numpy()
    used = int((counts > 0).sum())
    share, k = _share_of_busiest(counts)
    counted = int(np.nansum(counts))
    where = (
        f"{len(cells):,} {grid['cell_size']:,.0f} m cells"
        if counted == a.n_incidents
        else f"{len(cells):,} {grid['cell_size']:,.0f} m cells of the study area, which holds "
        f"{counted:,} of them"
    )
    sentences = [
        f"In {period}, {a.n_incidents:,} incidents were analysed on {where}; "
        f"{used:,} cells had any.",
        f"The busiest 5 % of cells ({k:,}) hold {100 * share:.0f} % of the incidents.",
    ]
    bins = a.gistar["gistar_bin"].to_numpy()
    hot = [int((bins == b).sum()) for b in (3, 2, 1)]
    if sum(hot):
        sentences.append(
            f"Gi* finds {sum(hot):,} hot spot cells ({hot[0]:,} at 99 % confidence), "
            "clusters of busy cells beyond what chance would give."
        )
    else:
        sentences.append("Gi* finds no statistically significant hot spot.")
    table = a.hotspots
    if table is not None and len(table) and "gistar_bin" in a.gistar and sum(hot):
        first = table.iloc[0]
        where = ", ".join(
            str(first[c]) for c in ("area", "location") if c in table and pd.notna(first[c])
        )
        count = int(first["incidents"])
        shown = not public or count >= min_count
        # a public version hides a small count, and its share (which times the total is it)
        amount = (
            f"{count:,} incidents, {100 * first['share']:.1f} % of all"
            if shown
            else f"{suppressed_text(min_count)} incidents"
        )
        sentences.append(
            f"The top hot spot{' (' + where + ')' if where else ''} has {amount}."
            f"{_areas_text(table)}"
        )
    if a.emerging is not None:
        e = params_of(a.emerging, "emerging_hotspots")
        kinds = e["categories"]
        found = [(p, kinds.get(p, 0)) for p in PATTERN_ORDER if kinds.get(p, 0)]
        e_period = a.emerging.attrs["hotspot"].get("period", {}).get("label", "")
        if found:
            listed = ", ".join(f"{n:,} {p}s" for p, n in found[:4])
            sentences.append(f"Over {e_period}, the emerging hot spot analysis finds {listed}.")
        else:
            sentences.append(
                f"Over {e_period}, no cell is a significant new, intensifying or persistent "
                "hot spot."
            )
        trend = a.emerging["emerging_trend_p"] < e["alpha"]
        up = int((trend & (a.emerging["emerging_trend_tau"] > 0)).sum())
        down = int((trend & (a.emerging["emerging_trend_tau"] < 0)).sum())
        analysed = e["n_analysed"]
        sentences.append(
            f"Of {analysed:,} cells with incidents, {up:,} show a significant rising trend and "
            f"{down:,} a falling one."
        )
    if a.knox is not None:
        # the first distance band after the same-location row, the first time band
        row = 1 if "same" in str(a.knox.ratio.index[0]).lower() else 0
        ratio, p = a.knox.ratio.iloc[row, 0], a.knox.pvalue.iloc[row, 0]
        d, t = a.settings["knox"]["distance_bands_m"][1], a.settings["knox"]["time_bands_days"][1]
        if ratio is not None and p is not None and np.isfinite(ratio):
            verdict = (
                "a near-repeat pattern: after one incident, the risk nearby is raised for a while"
                if p < 0.05 and ratio > 1
                else "no significant near-repeat excess"
            )
            sentences.append(
                f"Pairs of incidents within {d} m and {t} days of each other are {ratio:.2f} "
                f"times as common as chance gives (p = {p:.3g}): {verdict}."
            )
    sentences += _when_finding(a)
    return " ".join(sentences)


# ----------------------------------------------------------------------------- when

#: An hour holding more than this many times the mean of its two neighbours is a spike.
SPIKE_RATIO = 1.4
#: Hours where incidents with an unknown time are recorded: their spikes are reported.
RECORDING_HOURS = (0, 12)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def hour_spikes(profile: pd.DataFrame) -> list[tuple[int, float]]:
    """Hours of a weekday × hour (or hour) profile holding far more than their neighbours.

    An hour is a spike when its incidents (all weekdays together) exceed :data:`SPIKE_RATIO`
    (1.4) times the mean of the hours before and after it: often 00:00 and 12:00, where
    incidents with an unknown time are recorded.

    Returns
    -------
    list of (hour, ratio)

    Examples
    --------
    >>> import pandas as pd
    >>> counts = [30] + [10] * 11 + [25] + [10] * 11
    >>> hour_spikes(pd.DataFrame({"hour": range(24), "count": counts}))
    [(0, 3.0), (12, 2.5)]
    """
    if "hour" not in profile.columns or not len(profile):
        return []
    hours = profile.groupby("hour")["count"].sum().reindex(range(24), fill_value=0)
    hours = hours.to_numpy(dtype=float)
    around = (np.roll(hours, 1) + np.roll(hours, -1)) / 2
    spikes = np.flatnonzero((around > 0) & (hours > SPIKE_RATIO * around))
    return [(int(h), round(float(hours[h] / around[h]), 2)) for h in spikes]


def _peak_sentence(row: pd.Series, public: bool, min_count: int) -> str:
    group = str(row["group"])
    all_incidents = group == "all incidents"
    name = "All incidents" if all_incidents else group
    count = float(row["count"])
    shown = not public or count >= min_count
    amount = f"{count:,.0f}" if shown else suppressed_text(min_count)
    return (
        f"{name} ({amount} incidents) peak{'' if all_incidents else 's'} {row['label']}: "
        f"{_pct(row['share'])} of {'them' if all_incidents else 'its incidents'}, "
        f"{_pct(row['even_share'])} if spread evenly."
    )


def when_sentences(analysis: Any, public: bool = False, min_count: int = 5) -> list[str]:
    """The "when" block's sentences: the peaks (all incidents, then by category), the top hot
    spots' peaks against the rest of the area, and a note on midnight or noon spikes.

    Every number is the analysis's own (:attr:`hotspot.analyze.Analysis.when`); a public
    version gives no count below ``min_count`` and no hot spot whose peak window holds fewer.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.analyze import run_analysis
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> a = run_analysis(inc[inc["time"] >= "2021-07-01"], name="t", title="t",
    ...                  cell_size=1000, permutations=99, progress=False)
    >>> when_sentences(a)[0][:42]
    'All incidents (15,626 incidents) peak Sat '
    """
    min_count = check_min_count(min_count, func="when_sentences")
    when = getattr(analysis, "when", None)
    if when is None or when.peaks is None:
        return [when.note] if when is not None and when.note else []
    first, others = when.peaks.iloc[0], when.peaks.iloc[1:]
    sentences = [_peak_sentence(first, public, min_count)]
    if len(others):
        listed = "; ".join(
            _peak_sentence(row, public, min_count).split(": ")[0] + f" with {_pct(row['share'])}"
            for _, row in others.iterrows()
        )
        sentences.append(f"By category: {listed}.")
    if when.hotspots is not None:
        from hotspot.temporal import profile_peaks

        peaks = profile_peaks(when.hotspots)
        cells = when.hotspots.groupby("group", observed=True, sort=False)["cell"].first()
        spots = peaks[peaks["group"] != "rest of the area"]
        rest = peaks[peaks["group"] == "rest of the area"]
        if public:
            spots = spots[spots["share"] * spots["count"] >= min_count]
        if len(spots):
            listed = "; ".join(
                f"{_hotspot_name(cells.get(row['group']), analysis.hotspots)} "
                f"{row['label']} ({_pct(row['share'])})"
                for _, row in spots.iterrows()
            )
            against = (
                f" The rest of the area peaks {rest['label'].iloc[0]} "
                f"({_pct(rest['share'].iloc[0])})."
                if len(rest)
                else ""
            )
            sentences.append(
                f"The {len(spots)} strongest Gi* hot spots peak at their own times: "
                f"{listed}.{against}"
            )
    if when.note:
        sentences.append(when.note)
    if when.by == ("weekday", "hour"):
        profiles = [when.profile] + ([] if when.categories is None else [when.categories])
        found = []
        for frame in profiles:
            for group, one in frame.groupby("group", sort=False):
                for hour, ratio in hour_spikes(one):
                    if hour in RECORDING_HOURS:
                        found.append(f"{hour:02d}:00 in {group} ({ratio:.1f}×)")
        if found:
            sentences.append(
                "Spikes against the neighbouring hours at "
                + ", ".join(found)
                + ": incidents with an unknown time are often recorded at midnight or noon, "
                "so a peak that starts there may be partly a recording habit."
            )
    return sentences


def _hotspot_name(cell: Any, table: pd.DataFrame | None) -> str:
    """A hot spot cell as the ranked table names it: "cell 516 (#6, Moss Park)"."""
    if cell is None or pd.isna(cell):
        return "a hot spot"
    cell = int(cell) if float(cell).is_integer() else cell
    name = f"cell {cell}"
    if table is not None and "cell_id" in table and (table["cell_id"] == cell).any():
        row = table[table["cell_id"] == cell].iloc[0]
        extra = [f"#{row['rank']} in the table"] if "rank" in table else []
        if "area" in table and pd.notna(row["area"]):
            extra.append(str(row["area"]))
        if extra:
            name += f" ({', '.join(extra)})"
    return name


def repeat_sentences(repeats: Any) -> list[str]:
    """The repeat-location sentences of a :func:`hotspot.repeat_summary` result: the share of
    incidents at repeat locations, how soon repeats come, and the snapped-points note.

    Examples
    --------
    >>> import hotspot as hs
    >>> s = hs.repeat_summary(hs.datasets.load_burkitt(), max_days=30)
    >>> repeat_sentences(s)[0]
    '11.7 % of the 188 incidents (22) were at one of 11 locations with two or more incidents.'
    """
    if repeats is None:
        return []
    sentences = [
        f"{_pct(repeats.share_at_repeat_locations)} of the {repeats.n_incidents:,} incidents "
        f"({repeats.n_at_repeat_locations:,}) were at one of {repeats.n_repeat_locations:,} "
        "locations with two or more incidents."
    ]
    if repeats.n_pairs:
        curve = repeats.curve["cumulative_share"]
        if repeats.params.get("months_only"):
            soon = f"{_pct(curve.loc[0])} came in the same month as the previous one"
        else:
            soon = (
                f"{_pct(repeats.share_within_7_days)} came within 7 days of the previous one "
                f"({_pct(curve.loc[0])} on the same day)"
            )
        sentences.append(
            f"Of the {repeats.n_pairs:,} repeats (an incident after an earlier one at the same "
            f"location), {soon}."
        )
    if repeats.note:
        note = repeats.note.replace(" (share_within_7_days is NaN)", "")
        note = note[0].upper() + note[1:]
        sentences.append(f"{note}.")
    return sentences


def _when_finding(analysis: Any) -> list[str]:
    """The key finding about when: the peak of all incidents, and the repeat share."""
    out = []
    when = getattr(analysis, "when", None)
    if when is not None and when.peaks is not None and len(when.peaks):
        row = when.peaks.iloc[0]
        out.append(
            f"Incidents peak {row['label']} ({_pct(row['share'])} of them, "
            f"{_pct(row['even_share'])} if spread evenly)."
        )
    repeats = getattr(analysis, "repeats", None)
    if repeats is not None and repeats.n_incidents:
        out.append(
            f"{_pct(repeats.share_at_repeat_locations)} of incidents were at a location with "
            "repeat incidents"
            + (" (anonymised points: a location is not an address)." if repeats.note else ".")
        )
    return out
