"""The standard analysis pipeline behind ``hotspot analyze`` and ``hotspot demo``.

Load report, counts per cell, Gi* hot spots, kernel density, HDBSCAN clusters, when crime
happens (the weekday × hour profile, its peaks, the top hot spots' profiles and the repeat
locations) and, when the data are timed finer than a month, emerging hot spots, the Knox
near-repeat test and next week's patrol plan (a back-tested forecast). Every result
keeps the parameters that made it; :mod:`hotspot.report.write` writes the files and the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot._period import period_of
from hotspot.errors import HotspotInputError

FINE_RESOLUTIONS = ("day", "hour", "minute", "second")
# A timeline map with more frames than this shows months instead of the cube's bins.
MAX_TIMELINE_FRAMES = 160
#: Hot spots whose weekday × hour profile is set against the rest of the area.
WHEN_TOP_HOTSPOTS = 4
#: Categories (the largest first) whose peaks the "when" step lists.
WHEN_TOP_CATEGORIES = 6


@dataclass(frozen=True)
class When:
    """When the analysed incidents happen: the "when" step of :func:`run_analysis`.

    Attributes
    ----------
    by : tuple of str or None
        The profile's calendar: ``("weekday", "hour")`` for data timed to the hour,
        ``("weekday",)`` for dates, ``("month",)`` for months over whole years, None when no
        profile could be made (``note`` says why).
    profile : DataFrame or None
        :func:`hotspot.temporal_profile` of all analysed incidents (aoristic when the
        incidents carry ``time_start``/``time_end`` windows).
    categories : DataFrame or None
        The same profile per category (the :data:`WHEN_TOP_CATEGORIES` largest), or None.
    peaks : DataFrame or None
        :func:`hotspot.profile_peaks` of ``profile`` then of ``categories``.
    hotspots : DataFrame or None
        :func:`hotspot.hotspot_profiles` of the top Gi* hot spots against the rest (weekday ×
        hour profiles only).
    note : str or None
        Why there is no profile, or what it cannot show.
    """

    by: tuple[str, ...] | None
    profile: pd.DataFrame | None = field(default=None, repr=False)
    categories: pd.DataFrame | None = field(default=None, repr=False)
    peaks: pd.DataFrame | None = field(default=None, repr=False)
    hotspots: pd.DataFrame | None = field(default=None, repr=False)
    note: str | None = None


@dataclass
class Analysis:
    """The results of :func:`run_analysis` and the settings that made them."""

    name: str
    title: str
    settings: dict[str, Any]
    load_report: Any
    n_incidents: int
    cells: gpd.GeoDataFrame | None = None
    gistar: gpd.GeoDataFrame | None = None
    surface: Any = None
    clusters: gpd.GeoDataFrame | None = None
    cube: Any = None
    emerging: gpd.GeoDataFrame | None = None
    knox: Any = None
    knox_incidents: int = 0
    notes: list[str] = field(default_factory=list)
    period: dict[str, Any] | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    timeline: Any = None
    incidents: gpd.GeoDataFrame | None = field(default=None, repr=False)
    hotspots: pd.DataFrame | None = None
    when: When | None = None
    repeats: Any = None
    plan: Any = None


def _steps(progress: bool, total: int, name: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=name, disable=not progress, unit="step", leave=True)


def select_categories(
    incidents: gpd.GeoDataFrame, categories: Sequence[str] | None
) -> gpd.GeoDataFrame:
    """The incidents of the given categories; an error names the categories that exist.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> len(select_categories(inc, ["Robbery"])) == int((inc["category"] == "Robbery").sum())
    True
    """
    if not categories:
        return incidents
    if "category" not in incidents.columns:
        raise HotspotInputError(
            "--category needs a category column: name it with read_incidents(category=...)"
        )
    present = incidents["category"].astype(str)
    missing = sorted(set(categories) - set(present.unique()))
    if missing:
        known = ", ".join(sorted(present.unique())[:20])
        raise HotspotInputError(f"no incident has category {missing}; the categories are: {known}")
    return incidents[present.isin(list(categories)).to_numpy()]


def run_analysis(
    incidents: gpd.GeoDataFrame,
    *,
    name: str,
    title: str,
    cell_size: float | None = None,
    grid: str = "square",
    freq: str = "W",
    categories: Sequence[str] | None = None,
    knox_categories: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    study_area: Any = None,
    bandwidth: float | str | None = None,
    weights: Any = "queen",
    permutations: int = 999,
    min_cluster_size: int = 100,
    rng: int = 0,
    next_week: bool = False,
    patrol_areas: int = 20,
    progress: bool = True,
) -> Analysis:
    """Run the standard pipeline on incidents from :func:`hotspot.read_incidents`.

    Parameters
    ----------
    incidents : GeoDataFrame
        Incidents with their load report.
    name, title : str
        File prefix and heading of this analysis.
    cell_size : float, optional
        Grid cell size in metres (default: the grid's own choice, announced in the report).
    grid : {"square", "hex"}, default="square"
    freq : str, default="W"
        Time bins of the emerging hot spot cube ("D", "W", "MS").
    categories : sequence of str, optional
        Analyse only these categories.
    knox_categories : sequence of str, optional
        Categories for the Knox test (default: the analysed ones). Near repeats are a
        property of one crime type, usually burglary.
    start, end : date-like, optional
        The period analysed, both inclusive. Default: the data's own first to last incident,
        less a sparse long tail of old dates when the load report finds one (late-recorded
        offences, such as Toronto's 1,057 before 2014): the core period, said in the notes.
        Every step (counts, Gi*, density, clusters, the cube, Knox) uses this period, and every
        output states it.
    study_area : polygon, GeoDataFrame, file path or hull name, optional
        The grid's study area (see :func:`hotspot.square_grid`); default: the incidents'
        footprint without the far-away incidents the load report flags.
    bandwidth : float or str, optional
        Kernel density bandwidth in metres or a rule (see :func:`hotspot.kde`).
    weights : default="queen"
        Gi*'s neighbourhood: the cell and the cells touching it, so that hot spots are local
        (see :func:`hotspot.build_weights` for the others). ``"auto"``: the distance band of
        the first peak of incremental spatial autocorrelation (ArcGIS's Optimized Hot Spot
        Analysis), which on West Yorkshire's 1 km cells is 6 km: one hot blob over four towns
        and a ring of cold spots at the edge of the data.
    permutations : int, default=999
        Gi* and Knox permutations.
    min_cluster_size : int, default=100
        HDBSCAN's smallest cluster, in incidents.
    rng : int, default=0
        Seed of every random step.
    next_week : bool, default=False
        With dates, back-test the forecasters over the last year of the period and choose
        ``patrol_areas`` cells for the week after it (:func:`hotspot.forecast.plan.plan_patrols`;
        about 20 s on a year of Toronto's incidents; ``hotspot analyze`` and ``hotspot demo``
        turn it on).
    patrol_areas : int, default=20
        How many cells the patrol plan chooses.
    progress : bool, default=True
        Show a progress bar of the steps.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> a = run_analysis(inc, name="wy", title="West Yorkshire", cell_size=2000, grid="hex",
    ...                  permutations=99, progress=False)
    >>> counted = a.cells.attrs["hotspot"]["counts"]
    >>> counted["counted"] + counted["outside"] == a.n_incidents, a.emerging is None
    (True, True)
    """
    from hotspot.clustering import cluster_incidents, cluster_summary
    from hotspot.density import kde
    from hotspot.grid import count_incidents, hex_grid, square_grid
    from hotspot.incidents import get_load_report
    from hotspot.stats import gistar

    if grid not in ("square", "hex"):
        raise HotspotInputError(f"grid={grid!r}: use 'square' or 'hex'")
    report = get_load_report(incidents)
    chosen = select_categories(incidents, categories)
    timed = report.time_resolution in FINE_RESOLUTIONS
    settings: dict[str, Any] = {
        "grid": grid,
        "cell_size": cell_size,
        "categories": list(categories) if categories else "all",
        "permutations": permutations,
        "min_cluster_size": min_cluster_size,
        "rng": rng,
    }
    analysis = Analysis(name, title, settings, report, len(chosen))
    if len(chosen) < len(incidents):
        analysis.left_out["other categories"] = len(incidents) - len(chosen)
        analysis.notes.append(
            f"{len(chosen):,} of {len(incidents):,} incidents are of the categories analysed "
            f"({', '.join(categories or [])}); the other {len(incidents) - len(chosen):,} are "
            "left out of every step."
        )
    chosen = _analysed_period(analysis, chosen, start, end)
    analysis.n_incidents = len(chosen)
    analysis.incidents = chosen
    analysis.period = period_of(
        chosen["time"].to_numpy() if "time" in chosen.columns else [], report.time_resolution
    )
    if analysis.period is not None:
        settings["period"] = analysis.period["label"]
    if len(chosen) == 0:
        raise HotspotInputError(
            f"no incident is left to analyse in {settings.get('period_asked', 'the period')}; "
            "check --start/--end and --category."
        )
    bar = _steps(progress, (8 if next_week else 7) if timed else 5, name)
    bar.set_postfix_str("counts")
    make_grid = hex_grid if grid == "hex" else square_grid
    cells = count_incidents(
        chosen, make_grid(chosen, cell_size, study_area=study_area, quiet=True), quiet=True
    )
    analysis.cells = cells
    settings["cell_size"] = cells.attrs["hotspot"]["grid"]["cell_size"]
    settings["study_area"] = cells.attrs["hotspot"]["grid"]["study_area"]
    outside = cells.attrs["hotspot"]["counts"]["outside"]
    if outside:
        analysis.left_out["outside the study area"] = outside
        analysis.notes.append(_outside_note(chosen, cells, outside))
    bar.update()

    bar.set_postfix_str(f"Gi* ({permutations} permutations)")
    inner = None if progress else False  # bars inside the long steps, when long
    settings["weights"] = weights
    analysis.gistar = gistar(
        cells,
        weights=weights,
        permutations=permutations,
        rng=rng,
        quiet=True,
        progress=inner,
    )
    bar.update()

    bar.set_postfix_str("kernel density")
    analysis.surface = kde(chosen, bandwidth=bandwidth, quiet=True)
    bar.update()

    bar.set_postfix_str("HDBSCAN clusters")
    clustered = cluster_incidents(chosen, "hdbscan", min_cluster_size=min_cluster_size, quiet=True)
    analysis.clusters = cluster_summary(clustered)
    if analysis.clusters.empty:
        analysis.notes.append(
            f"HDBSCAN found no cluster of at least {min_cluster_size:,} incidents among "
            f"{len(chosen):,}; lower --min-cluster-size to look for smaller ones."
        )
    bar.update()

    bar.set_postfix_str("when: profiles and repeat locations")
    _when(analysis, chosen, report.time_resolution)
    bar.update()

    if timed:
        _space_time(analysis, chosen, cells, freq, knox_categories, bar, progress)
        if next_week:
            bar.set_postfix_str("next week: back-tested forecasts")
            _next_week(analysis, chosen, cells, patrol_areas)
            bar.update()
    else:
        analysis.notes.append(
            "Emerging hot spots, near repeats and next week's forecast not run: "
            + (
                f"the times are by {report.time_resolution} "
                f"({analysis.period['label'] if analysis.period else 'no period'}); they need "
                "dates or times of day."
                if report.time_min is not None
                else "the incidents have no times."
            )
        )
    bar.close()
    from hotspot.report import hotspot_table

    analysis.hotspots = hotspot_table(
        analysis.gistar, incidents=chosen, emerging=analysis.emerging, n=20
    )
    return analysis


def _when_by(
    incidents: gpd.GeoDataFrame, resolution: str | None
) -> tuple[tuple[str, ...] | None, str | None]:
    """The profile the data's time resolution allows, and a note when it is not weekday × hour."""
    if "time" not in incidents.columns or not incidents["time"].notna().any():
        return None, "When crime happens: not shown, the incidents have no times."
    if resolution in ("hour", "minute", "second"):
        return ("weekday", "hour"), None
    if resolution in ("day", "date"):
        return ("weekday",), (
            "When crime happens: the times are dates without hours, so the profile is by "
            "weekday only (no weekday × hour table)."
        )
    months = set(pd.DatetimeIndex(incidents["time"].dropna()).month)
    if len(months) == 12:
        return ("month",), (
            "When crime happens: the times are months only (e.g. data.police.uk), so there is "
            "no weekday × hour table; the profile is by month of the year."
        )
    names = ", ".join(pd.Timestamp(2000, m, 1).strftime("%B") for m in sorted(months))
    return None, (
        f"When crime happens: not shown. The times are {resolution or 'unknown'}s only (e.g. "
        f"data.police.uk), so there is no weekday × hour table, and the data cover only "
        f"{names} of the year, too few months for a month-of-year profile."
    )


def _when(analysis: Analysis, incidents: gpd.GeoDataFrame, resolution: str | None) -> None:
    """The "when" step: profile, peaks, hot spots' profiles and the repeat locations."""
    from hotspot.spacetime import repeat_summary
    from hotspot.temporal import hotspot_profiles, profile_peaks, temporal_profile

    by, note = _when_by(incidents, resolution)
    profile = categories = peaks = hot = None
    if by is not None:
        profile = temporal_profile(incidents, by)
        peaks = profile_peaks(profile)
        if "category" in incidents.columns:
            sizes = incidents["category"].value_counts()
            if len(sizes) > 1:
                kept = list(sizes.index[:WHEN_TOP_CATEGORIES])
                subset = incidents[incidents["category"].isin(kept).to_numpy()]
                categories = temporal_profile(subset, by, groups="category")
                peaks = pd.concat([peaks, profile_peaks(categories)], ignore_index=True)
        if by == ("weekday", "hour") and analysis.gistar is not None:
            if (analysis.gistar["gistar_bin"] > 0).any():
                hot = hotspot_profiles(incidents, analysis.gistar, top=WHEN_TOP_HOTSPOTS, by=by)
    analysis.when = When(by, profile, categories, peaks, hot, note)
    analysis.repeats = repeat_summary(incidents, top=10)


def _outside_note(incidents: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, outside: int) -> str:
    """Which incidents fell outside the study area, by the data's own area names."""
    from hotspot.grid import cell_positions
    from hotspot.places import area_names

    grid = cells.attrs["hotspot"]["grid"]
    text = (
        f"{outside:,} incidents lie outside the study area ({grid['study_area']}) and are not "
        "in the counts, Gi* or the cube"
    )
    names = area_names(incidents)
    if names is not None:
        out = cell_positions(incidents, cells)[0] < 0
        where = names[out].value_counts()
        if len(where):
            text += " (" + ", ".join(f"{k} {v:,}" for k, v in where.head(8).items()) + ")"
    return (
        text
        + "; they stay in the data and in the clusters and density. Pass --study-area to choose it."
    )


def _analysed_period(
    analysis: Analysis, incidents: gpd.GeoDataFrame, start: Any, end: Any
) -> gpd.GeoDataFrame:
    """The incidents of the analysed period: the given one, else the core period when the data
    have a sparse long tail of old (or far-future) dates. Left-out incidents are counted."""
    from hotspot.incidents import long_tail

    if "time" not in incidents.columns or not incidents["time"].notna().any():
        if start is not None or end is not None:
            raise HotspotInputError("--start/--end need incidents with times")
        return incidents
    times = incidents["time"]
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    settings = analysis.settings
    if start is None and end is None:
        core = long_tail(times)
        if core is None:
            return incidents
        lo, hi = core
        keep = ((times >= lo) & (times < hi)).to_numpy()
        if keep.all():
            return incidents
        left = int((~keep).sum())
        analysis.left_out["outside the core period"] = left
        settings["period_rule"] = "core period (sparse long tail left out)"
        analysis.notes.append(
            f"Analysed the core period {lo:%Y-%m-%d} to {hi - pd.Timedelta(1, unit='ns'):%Y-%m-%d}: "
            f"{left:,} incidents dated outside it (earliest {times.min():%Y-%m-%d}) form a "
            "sparse long tail, often old offences recorded late, and are left out of every "
            "step. Pass --start/--end (start=/end=) to analyse another period."
        )
        return incidents[keep]
    try:
        lo = pd.Timestamp(start) if start is not None else times.min()
        hi = pd.Timestamp(end) if end is not None else times.max()
    except (TypeError, ValueError) as err:
        raise HotspotInputError(f"--start/--end: not a date ({err}); use YYYY-MM-DD") from err
    if end is not None and hi == hi.normalize():
        hi = hi + pd.Timedelta(days=1)  # an end date includes its whole day
    else:
        hi = hi + pd.Timedelta(1, unit="ns")
    if hi <= lo:
        raise HotspotInputError(
            f"--end ({end}) is before --start ({start})"
            if start is not None
            else f"--end ({end}) is before the first incident ({times.min():%Y-%m-%d})"
        )
    settings["period_asked"] = f"{lo:%Y-%m-%d} to {hi - pd.Timedelta(1, unit='ns'):%Y-%m-%d}"
    keep = ((times >= lo) & (times < hi)).to_numpy()
    left = int((~keep).sum())
    if left:
        analysis.left_out["outside --start/--end"] = left
        analysis.notes.append(
            f"Analysed {settings['period_asked']} as asked; {left:,} incidents dated outside "
            "it are left out of every step."
        )
    return incidents[keep]


def _next_week(
    analysis: Analysis, incidents: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, areas: int
) -> None:
    """Next week's patrol plan, or a note saying why there is none."""
    from hotspot.forecast.plan import plan_patrols

    grid = cells.drop(columns=[c for c in ("count", "count_weighted") if c in cells.columns])
    try:
        analysis.plan = plan_patrols(
            incidents, grid, areas=areas, rng=analysis.settings["rng"], quiet=True
        )
    except HotspotInputError as err:
        analysis.notes.append(f"Next week's forecast not made: {err}")
        return
    analysis.settings["next_week"] = {
        "forecaster": analysis.plan.forecaster,
        "areas": areas,
        "backtest_period": analysis.plan.params["backtest_period"],
        "windows": analysis.plan.params["windows"],
    }


def _space_time(
    analysis: Analysis,
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    freq: str,
    knox_categories: Sequence[str] | None,
    bar: Any,
    show_inner: bool,
) -> None:
    from hotspot.grid import space_time_cube
    from hotspot.spacetime import MIN_BINS, emerging_hotspots, knox_test

    settings = analysis.settings
    last = incidents["time"].max()
    bar.set_postfix_str(f"emerging hot spots ({freq} bins)")
    # The cube spans the analysed incidents' own first to last bin: never padded.
    cube = space_time_cube(incidents, cells, freq, quiet=True)
    settings.update(
        freq=freq, start=f"{cube.bins[0]:%Y-%m-%d}", end=f"{cube.bin_edges[-1]:%Y-%m-%d}"
    )
    analysis.cube = cube
    analysis.timeline = cube
    if len(cube.bins) > MAX_TIMELINE_FRAMES and freq.upper() not in ("MS", "M"):
        analysis.timeline = space_time_cube(incidents, cells, "MS", quiet=True)
    whole = int((~cube.partial_bins).sum())
    if whole < MIN_BINS:
        analysis.notes.append(
            f"Emerging hot spots not run: the analysed period has {whole} whole bins of "
            f"{freq}; the trend test needs at least {MIN_BINS}. Use a finer --freq."
        )
    else:
        analysis.emerging = emerging_hotspots(cube, quiet=True)
        dropped = analysis.emerging.attrs["hotspot"]["emerging"]["partial_bins_left_out"]
        if dropped:
            analysis.notes.append(
                f"Emerging hot spots leave out {len(dropped)} partial bin(s) at the ends of "
                f"the period ({', '.join(dropped)}): the data cover only part of them, and "
                "their low counts would read as a trend."
            )
    bar.update()

    bar.set_postfix_str("Knox near-repeat test")
    knox_set = select_categories(incidents, knox_categories)
    year_before = pd.Timestamp(last) - pd.DateOffset(years=1)
    knox_set = knox_set[knox_set["time"] > year_before]
    knox_period = period_of(knox_set["time"].to_numpy(), "day")
    settings["knox"] = {
        "categories": list(knox_categories) if knox_categories else settings["categories"],
        "period": knox_period["label"] if knox_period else "none",
        "distance_bands_m": [0, 100, 200, 300, 400],
        "time_bands_days": [0, 7, 14, 21, 28],
    }
    if len(knox_set) < 30:
        analysis.notes.append(
            f"Knox test not run: {len(knox_set)} incidents in the last year of the chosen "
            "categories (at least 30 are needed)."
        )
    else:
        analysis.knox = knox_test(
            knox_set,
            permutations=settings["permutations"],
            rng=settings["rng"],
            progress=None if show_inner else False,
        )
        analysis.knox_incidents = len(knox_set)
    bar.update()
