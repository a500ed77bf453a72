"""Synthetic crime incidents with planted ground truth.

:func:`simulate_incidents` draws a point pattern in space and time made of three sources (a
smooth inhomogeneous background, Gaussian hotspots with temporal profiles, and near-repeat
offspring) and returns the incidents together with a truth table, so that the tests of hot
spot statistics, clustering, emerging-hot-spot categories and the Knox test can check that the
planted truth is recovered. :func:`simulate_self_exciting` draws the self-exciting process the
SEPP forecaster fits, and :func:`write_partitioned_incidents` writes a national-like archive
(data.police.uk-like Parquet files, 43 simulated forces) of any size, file by file, for the
Dask path.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas
import numpy as np
import pandas as pd
import shapely
from pandas.tseries import offsets as _offsets
from pandas.tseries.frequencies import to_offset

from hotspot._validate import check_choice
from hotspot.errors import HotspotInputError

__all__ = [
    "CRIME_TYPE_SHARES",
    "NATIONAL_BOX",
    "PROFILES",
    "simulate_incidents",
    "simulate_self_exciting",
    "write_partitioned_incidents",
]

#: Temporal profiles a planted hotspot can have.
PROFILES: tuple[str, ...] = (
    "persistent",
    "new",
    "intensifying",
    "diminishing",
    "sporadic",
    "cold",
)

_REQUIRED_KEYS = ("x", "y", "radius", "profile")
_OPTIONAL_KEYS = ("rate", "category", "onset", "depth")
_HOTSPOT_KEYS = _REQUIRED_KEYS + _OPTIONAL_KEYS

_DEFAULT_CATEGORY = "burglary"
_BACKGROUND_CATEGORY = "background"
_DEFAULT_DEPTH = 0.1
_NEW_ONSET_BINS = 3
_TREND_FLOOR = 0.1
_NEAR_REPEAT_DEFAULTS = {"rate": 0.3, "distance": 100.0, "time": 7.0}

# Default study area: 10 km x 8 km of British National Grid (EPSG:27700), West Yorkshire.
_DEFAULT_BOUNDS = (430_000.0, 430_000.0, 440_000.0, 438_000.0)

# Default hotspots, as fractions of the study area's bounding box (u east, v north); radii in
# metres for the default 8 km short side.
_DEFAULT_HOTSPOTS: tuple[dict[str, Any], ...] = (
    {"u": 0.2, "v": 0.75, "radius": 250.0, "profile": "persistent", "rate": 4.0},
    {"u": 0.5, "v": 0.75, "radius": 250.0, "profile": "new", "rate": 6.0},
    {"u": 0.8, "v": 0.75, "radius": 250.0, "profile": "intensifying", "rate": 6.0},
    {"u": 0.2, "v": 0.25, "radius": 250.0, "profile": "diminishing", "rate": 6.0},
    {"u": 0.8, "v": 0.25, "radius": 250.0, "profile": "sporadic", "rate": 8.0},
    {"u": 0.5, "v": 0.25, "radius": 600.0, "profile": "cold", "rate": 0.0},
)

_NS_PER_DAY = 86_400 * 10**9
_MAX_RESAMPLE_ROUNDS = 1000

_TRUTH_COLUMNS = [
    "hotspot_id",
    "profile",
    "x",
    "y",
    "radius",
    "rate",
    "category",
    "n_incidents",
    "n_offspring",
    "depth",
    "multiplier",
]


def simulate_incidents(
    *,
    n_background: int = 2000,
    hotspots: Sequence[Mapping[str, Any]] | pd.DataFrame | None = None,
    study_area: shapely.Polygon | shapely.MultiPolygon | None = None,
    start: str | pd.Timestamp | _dt.date | np.datetime64 = "2024-01-01",
    periods: int = 52,
    freq: str | pd.DateOffset | pd.Timedelta | _dt.timedelta = "W",
    near_repeat: Mapping[str, float] | None = None,
    crs: Any = "EPSG:27700",
    rng: int | np.random.Generator | None = None,
) -> tuple[geopandas.GeoDataFrame, pd.DataFrame]:
    """Simulate crime incidents with planted hotspots, a cold spot and near-repeat offspring.

    Parameters
    ----------
    n_background : int, default 2000
        Exact number of background incidents (see Notes). ``0`` gives no background.
    hotspots : list of dict, pandas.DataFrame or None, default None
        One entry (dict or row) per planted hotspot, with keys

        - ``x``, ``y`` : centre, in the units of `crs` (metres); must lie inside `study_area`.
        - ``radius`` : the Gaussian sigma, in metres (> 0).
        - ``profile`` : one of ``"persistent"``, ``"new"``, ``"intensifying"``,
          ``"diminishing"``, ``"sporadic"``, ``"cold"`` (see Notes).
        - ``rate`` : expected incidents per bin at full strength (multiplier 1), >= 0.
          Optional for ``"cold"`` (ignored there), required otherwise.
        - ``category`` (optional) : crime category of the hotspot's incidents, default
          ``"burglary"``.
        - ``onset`` (optional, ``"new"`` only) : first bin index in which the hotspot is on,
          default ``max(0, periods - 3)``.
        - ``depth`` (optional, ``"cold"`` only) : factor in [0, 1] multiplying the background
          intensity at the cold spot's centre, default 0.1.

        The hotspot id is the position in the list (the row position in a DataFrame).
        ``None`` plants the six default hotspots listed in Notes; ``[]`` plants none.
    study_area : shapely.Polygon or shapely.MultiPolygon, optional
        Where incidents can happen, in `crs` coordinates (metres). Default: the 10 km x 8 km
        rectangle ``box(430000, 430000, 440000, 438000)`` of British National Grid.
    start : str, datetime-like, default "2024-01-01"
        Start of the first time bin (naive, local time).
    periods : int, default 52
        Number of time bins (>= 1).
    freq : str, pandas.DateOffset or timedelta, default "W"
        Length of a time bin. Fixed-length frequencies (``"W"``, ``"2W"``, ``"D"``, ``"7D"``,
        ``"h"``, ``"min"``, a Timedelta ...) give bins ``[start + k * freq, start + (k + 1) *
        freq)``; a weekly anchor such as ``"W-SUN"`` is ignored (a week is 7 days from `start`).
        Calendar frequencies ``"MS"``/``"ME"``, ``"QS"``/``"QE"``, ``"YS"``/``"YE"`` step by
        whole months, quarters or years from `start`. Business-day frequencies are rejected.
    near_repeat : dict or None, default None
        ``{"rate": 0.3, "distance": 100.0, "time": 7.0}`` switches on self-exciting
        near-repeat offspring (see Notes); missing keys take these values. ``rate`` (expected
        offspring per event) must be in [0, 1); ``distance`` (metres) and ``time`` (days) > 0.
    crs : str, int or pyproj.CRS, default "EPSG:27700"
        A projected CRS in metres, used for the output and for `study_area` and `hotspots`.
    rng : None, int or numpy.random.Generator, default None
        Seed or generator, with :func:`numpy.random.default_rng` semantics: the same int (or a
        fresh Generator from the same seed) gives identical output. A Generator is advanced.
        ``None`` draws a fresh seed from the OS and records it in the attrs so the run can be
        repeated. The global NumPy random state is never used.

    Returns
    -------
    incidents : geopandas.GeoDataFrame
        One row per incident, sorted by time (ties: parents before their offspring), with a
        RangeIndex and columns

        - ``time`` : ``datetime64[ns]``, naive, in ``[start, start + periods * freq)``,
          floored to whole seconds (unless the bins are not whole seconds).
        - ``category`` : str; ``"background"`` for background incidents, the hotspot's
          category for hotspot incidents, the parent's category for offspring.
        - ``truth_source`` : str, ``"background"``, ``"hotspot"`` or ``"offspring"``.
        - ``truth_hotspot`` : int64, id of the hotspot that produced the incident, or of the
          root ancestor for offspring (the hotspot a near-repeat cascade started in); -1 for
          none. Filter on ``truth_source == "hotspot"`` for the hotspot's own incidents.
        - ``truth_parent`` : int64, row position (= index label) of the parent for offspring,
          -1 otherwise. The parent always precedes the offspring.
        - ``geometry`` : points in `crs`, strictly inside `study_area`.

        ``incidents.attrs["hotspot"]["simulation"]`` holds every parameter (as plain Python
        values, the study area as WKT), ``seed`` (the int seed, or the fresh seed drawn for
        ``rng=None``; None for a Generator), ``bin_edges`` (ISO strings, ``periods + 1``),
        ``counts`` (``{"background", "hotspot", "offspring"}``, summing to ``len(incidents)``)
        ``offspring_dropped_late`` (offspring that fell after the last bin and were dropped)
        and ``offspring_placed_at_parent`` (offspring whose redraws kept leaving the study
        area, see Notes; normally 0).
    truth : pandas.DataFrame
        One row per hotspot: ``hotspot_id``, ``profile``, ``x``, ``y``, ``radius``, ``rate``,
        ``category``, ``n_incidents`` (realised incidents with ``truth_source == "hotspot"``;
        0 for a cold spot), ``n_offspring`` (realised offspring descending from them),
        ``depth`` (cold spots only, NaN otherwise) and ``multiplier`` (a float array of length
        `periods`, see Notes).

    Raises
    ------
    TypeError
        An argument has the wrong type (e.g. a float `n_background`, a string `rng`).
    hotspot.errors.HotspotInputError
        An argument has a bad value (negative count, ``periods < 1``, unknown profile, a
        hotspot centre outside the study area, ``near_repeat["rate"] >= 1`` ...). The message
        says what to pass instead.

    Notes
    -----
    **Background.** An inhomogeneous Poisson process on `study_area` with intensity
    proportional to ``g(x, y) * s(x, y)``. ``g`` is a linear gradient over the study area's
    bounding box, ``g = 1 + 0.5 * (u + v)`` with ``u = (x - xmin) / (xmax - xmin)`` and
    ``v = (y - ymin) / (ymax - ymin)``: it rises from 1 at the south-west corner to 2 at the
    north-east corner. ``s`` is the product of the cold-spot suppressions (1 without cold
    spots). The process is conditioned on its total: exactly `n_background` points are drawn
    independently from the normalised intensity (rejection sampling), so a cold spot moves its
    missing incidents elsewhere rather than removing them. Each point's bin is uniform over the
    `periods` bins (equal expected counts per bin, whatever their lengths) and its time is
    uniform within the bin. The intensity does not change over time.

    **Hotspots.** Hotspot ``k`` adds, in bin ``t``, ``Poisson(rate * m_k[t])`` incidents,
    located by an isotropic 2-D Gaussian with standard deviation ``radius`` around ``(x, y)``
    (draws falling outside `study_area` are redrawn, i.e. the Gaussian is truncated to the
    study area; for a centre more than ~3 radii inside, a fraction ``1 - exp(-2)`` = 86.5 % lies
    within 2 radii) and with times uniform within the bin. With ``T = periods - 1`` the
    multiplier ``m[t]`` for ``t = 0 .. T`` is

    - ``persistent`` : ``m[t] = 1``.
    - ``new`` : ``m[t] = 0`` for ``t < onset`` and 1 from ``onset`` on; the default onset is
      ``max(0, periods - 3)``, i.e. on in the last 3 bins only.
    - ``intensifying`` : ``m[t] = 0.1 + 0.9 * t / T``, rising linearly from 0.1 to 1 (present
      in every bin); ``m = [1]`` if ``periods == 1``.
    - ``diminishing`` : ``m[t] = 1 - 0.9 * t / T``, falling linearly from 1 to 0.1 (present in
      every bin); ``m = [1]`` if ``periods == 1``.
    - ``sporadic`` : ``m[t]`` is 1 in ``max(1, round(periods / 8))`` isolated bins (no two
      adjacent; fewer if they do not fit) and 0 elsewhere. The last bin is always on; the
      others are a uniformly random non-adjacent set among bins ``0 .. periods - 3``, drawn
      from `rng` and reported in the truth table.
    - ``cold`` : a planted cold spot. It produces no incidents; instead it multiplies the
      background intensity by ``1 - (1 - depth) * exp(-d**2 / (2 * radius**2))`` where ``d``
      is the distance to the centre (``depth`` = 0.1 at the centre, back to ~1 beyond 3
      radii). Averaged over the disc of one radius the factor is
      ``1 - (1 - depth) * 2 * (1 - exp(-1/2))`` (= 0.29 for depth 0.1). ``rate`` is ignored
      and ``m[t] = depth`` records the suppression factor at the centre, constant in time.

    **Near-repeat offspring.** With `near_repeat`, every incident (background, hotspot, and
    offspring in turn: a branching process, so an incident starts on average
    ``rate / (1 - rate)`` descendants) spawns ``Poisson(rate)`` offspring, each displaced from
    its parent by an isotropic 2-D Gaussian with standard deviation ``distance`` metres per
    axis (mean displacement ``distance * sqrt(pi / 2)``) and delayed by an exponential with
    mean ``time`` days. Displacements landing outside `study_area` are redrawn (after 1000
    failed rounds the offspring is put at the parent's location). Offspring later than the end
    of the last bin are dropped (with their would-be descendants, which would be later still)
    and counted in ``attrs``. ``rate >= 1`` is refused: the branching would be critical or
    explosive and never die out.

    **Default hotspots** (hotspots=None), for the default study area, ids 0-5:
    ``persistent`` at (432000, 436000), radius 250 m, rate 4; ``new`` at (435000, 436000),
    250 m, rate 6; ``intensifying`` at (438000, 436000), 250 m, rate 6; ``diminishing`` at
    (432000, 432000), 250 m, rate 6; ``sporadic`` at (438000, 432000), 250 m, rate 8; ``cold``
    at (435000, 432000), radius 600 m, depth 0.1; all category ``"burglary"``. For another
    study area they sit at the same relative positions of its bounding box (u = 0.2, 0.5, 0.8;
    v = 0.75, 0.25) with radii scaled by its shorter side / 8 km.

    Examples
    --------
    >>> from hotspot.simulate import simulate_incidents
    >>> incidents, truth = simulate_incidents(rng=42)
    >>> list(incidents.columns)
    ['time', 'category', 'truth_source', 'truth_hotspot', 'truth_parent', 'geometry']
    >>> truth["profile"].tolist()
    ['persistent', 'new', 'intensifying', 'diminishing', 'sporadic', 'cold']
    >>> counts = incidents.attrs["hotspot"]["simulation"]["counts"]
    >>> counts["background"], sum(counts.values()) == len(incidents)
    (2000, True)
    >>> again, _ = simulate_incidents(rng=42)
    >>> again.equals(incidents)
    True
    """
    # ---------------------------------------------------------------- validation
    n_background = _check_int("n_background", n_background, minimum=0)
    periods = _check_int("periods", periods, minimum=1)
    area, area_was_default = _check_study_area(study_area)
    crs_obj = _check_crs(crs)
    start_ts = _check_start(start)
    step, freq_label = _check_freq(freq)
    nr = _check_near_repeat(near_repeat)
    generator, seed = _check_rng(rng)
    specs = _check_hotspots(hotspots, area, area_was_default, periods)

    edges_ts = _bin_edges(start_ts, periods, step)
    start_ns = int(edges_ts[0].value)
    edges_ns = np.array([ts.value for ts in edges_ts], dtype=np.int64) - start_ns
    end_ns = int(edges_ns[-1])

    # ---------------------------------------------------------------- multipliers
    for spec in specs:
        spec["multiplier"] = _multiplier(spec, periods, generator)

    bounds = area.bounds
    shapely.prepare(area)
    colds = [s for s in specs if s["profile"] == "cold"]

    # ---------------------------------------------------------------- background
    bx, by = _sample_background(n_background, area, bounds, colds, generator)
    b_bin = generator.integers(0, periods, size=n_background)
    bt = _uniform_in_bins(b_bin, edges_ns, generator)

    xs = [bx]
    ys = [by]
    ts = [bt]
    cats = [np.full(n_background, _BACKGROUND_CATEGORY, dtype=object)]
    hids = [np.full(n_background, -1, dtype=np.int64)]

    # ---------------------------------------------------------------- hotspots
    n_hotspot_events = 0
    for k, spec in enumerate(specs):
        if spec["profile"] == "cold":
            spec["n_incidents"] = 0
            continue
        counts = generator.poisson(spec["rate"] * spec["multiplier"])
        n_k = int(counts.sum())
        spec["n_incidents"] = n_k
        n_hotspot_events += n_k
        hx, hy, _ = _gaussian_around(
            np.full(n_k, spec["x"]), np.full(n_k, spec["y"]), spec["radius"], area, generator
        )
        hbin = np.repeat(np.arange(periods), counts)
        xs.append(hx)
        ys.append(hy)
        ts.append(_uniform_in_bins(hbin, edges_ns, generator))
        cats.append(np.full(n_k, spec["category"], dtype=object))
        hids.append(np.full(n_k, k, dtype=np.int64))

    x = np.concatenate(xs)
    y = np.concatenate(ys)
    t = np.concatenate(ts)
    cat = np.concatenate(cats)
    hid = np.concatenate(hids)
    n_immigrants = len(x)
    parent = np.full(n_immigrants, -1, dtype=np.int64)
    generation = np.zeros(n_immigrants, dtype=np.int64)

    # ---------------------------------------------------------------- near repeats
    dropped_late = 0
    fallbacks = 0
    if nr is not None and nr["rate"] > 0 and n_immigrants:
        x, y, t, cat, hid, parent, generation, dropped_late, fallbacks = _branch(
            x, y, t, cat, hid, parent, generation, nr, end_ns, area, generator
        )
    n_offspring = len(x) - n_immigrants

    source = np.empty(len(x), dtype=object)
    source[:n_background] = "background"
    source[n_background:n_immigrants] = "hotspot"
    source[n_immigrants:] = "offspring"

    # ---------------------------------------------------------------- sort, assemble
    order = np.lexsort((generation, t))
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order), dtype=np.int64)
    parent_sorted = parent[order]
    parent_sorted = np.where(parent_sorted >= 0, new_pos[np.maximum(parent_sorted, 0)], -1)

    # Whole seconds, like recorded incident times (floor keeps bins, end and parent order).
    if not np.any(edges_ns % 10**9):
        t = t - t % 10**9
    time_values = (t[order] + start_ns).astype("datetime64[ns]")
    frame = pd.DataFrame(
        {
            "time": pd.Series(time_values, dtype="datetime64[ns]"),
            "category": pd.Series(cat[order], dtype="str"),
            "truth_source": pd.Series(source[order], dtype="str"),
            "truth_hotspot": hid[order],
            "truth_parent": parent_sorted.astype(np.int64),
        }
    )
    incidents = geopandas.GeoDataFrame(
        frame, geometry=geopandas.points_from_xy(x[order], y[order]), crs=crs_obj
    )

    hid_sorted = hid[order]
    src_sorted = source[order]
    for k, spec in enumerate(specs):
        spec["n_offspring"] = int(np.sum((hid_sorted == k) & (src_sorted == "offspring")))

    truth = _truth_table(specs)

    counts_by_source = {
        "background": int(n_background),
        "hotspot": int(n_hotspot_events),
        "offspring": int(n_offspring),
    }
    incidents.attrs["hotspot"] = {
        "simulation": {
            "n_background": int(n_background),
            "hotspots": [_public_spec(s) for s in specs],
            "study_area": area.wkt,
            "start": edges_ts[0].isoformat(),
            "periods": int(periods),
            "freq": freq_label,
            "near_repeat": None if nr is None else dict(nr),
            "crs": crs_obj.to_string(),
            "seed": seed,
            "background_intensity": "1 + 0.5 * (u + v) on the study-area bounding box, "
            "times cold-spot suppression; exactly n_background points",
            "bin_edges": [ts.isoformat() for ts in edges_ts],
            "counts": counts_by_source,
            "offspring_dropped_late": int(dropped_late),
            "offspring_placed_at_parent": int(fallbacks),
        }
    }
    return incidents, truth


_SELF_EXCITING_BACKGROUNDS = ("uniform", "gradient")


def simulate_self_exciting(
    *,
    background_rate: float = 10.0,
    theta: float = 0.5,
    omega: float = 1 / 7,
    sigma: float = 100.0,
    days: float = 365.0,
    background: str = "uniform",
    study_area: shapely.Polygon | shapely.MultiPolygon | None = None,
    start: str | pd.Timestamp | _dt.date | np.datetime64 = "2024-01-01",
    crs: Any = "EPSG:27700",
    rng: int | np.random.Generator | None = None,
) -> tuple[geopandas.GeoDataFrame, dict[str, Any]]:
    """Simulate a space-time self-exciting point process with known parameters.

    The process is the one :class:`hotspot.forecast.sepp.SEPPForecaster` fits: a background
    Poisson process constant in time plus offspring, drawn by the branching (cluster)
    representation. Its conditional intensity (per day per m²) is

    ``lambda(t, x, y) = mu(x, y) + sum_{t_i < t} theta * omega * exp(-omega (t - t_i)) *
    exp(-d_i² / (2 sigma²)) / (2 pi sigma²)``.

    Parameters
    ----------
    background_rate : float, default 10.0
        Background incidents per day over the whole study area (>= 0).
    theta : float, default 0.5
        Expected offspring per incident, in [0, 1) (1 or more never dies out).
    omega : float, default 1/7
        Decay rate of the triggering, per day (> 0): delays are exponential with mean
        ``1 / omega`` days.
    sigma : float, default 100.0
        Offspring displacement, metres per axis (> 0): isotropic Gaussian around the parent.
    days : float, default 365.0
        Length of the simulated span, days (> 0), from `start`.
    background : {"uniform", "gradient"}, default "uniform"
        Where background incidents happen: uniformly over `study_area`, or with the density
        ``1 + 0.5 * (u + v)`` of :func:`simulate_incidents` (rising from 1 at the bounding
        box's south-west corner to 2 at its north-east corner).
    study_area : shapely.Polygon or shapely.MultiPolygon, optional
        In `crs` (metres). Default: the 10 km x 8 km box ``box(430000, 430000, 440000,
        438000)`` of British National Grid.
    start : str or datetime-like, default "2024-01-01"
        The span's start (naive, local time).
    crs : str, int or pyproj.CRS, default "EPSG:27700"
        A projected CRS in metres.
    rng : None, int or numpy.random.Generator, default None
        Seed or generator (the same int gives identical output; ``None`` draws a seed from
        the OS and records it).

    Returns
    -------
    incidents : geopandas.GeoDataFrame
        One row per incident, sorted by time (parents before their offspring), RangeIndex,
        columns ``time`` (``datetime64[ns]``, floored to whole seconds, in ``[start, start +
        days)``), ``truth_source`` (``"background"`` or ``"offspring"``), ``truth_parent``
        (row position of the parent, -1 for background), ``truth_generation`` (0 for
        background, 1 for its offspring, ...) and ``geometry`` (points in `crs`).
        ``attrs["hotspot"]["simulation"]`` holds the truth dict below.
    truth : dict
        ``background_rate``, ``theta``, ``omega``, ``sigma``, ``days``, ``background``,
        ``start``, ``end`` (ISO), ``study_area`` (WKT), ``crs``, ``seed``, ``counts``
        (``{"background", "offspring"}``, summing to ``len(incidents)``),
        ``offspring_dropped_late`` and ``offspring_dropped_outside`` (offspring drawn after
        the end or outside the study area: they are not observed and neither are their own
        offspring), and ``parent`` (int64 array, the same as ``truth_parent``).

    Raises
    ------
    TypeError
        An argument has the wrong type.
    hotspot.errors.HotspotInputError
        A bad value (``theta >= 1``, ``omega <= 0``, an unknown `background` ...).

    Notes
    -----
    Background: ``Poisson(background_rate * days)`` incidents, times uniform over the span,
    places from the `background` density (rejection sampling inside `study_area`). Then every
    incident, generation by generation, gets ``Poisson(theta)`` offspring, each delayed by an
    exponential with mean ``1 / omega`` days and displaced by ``N(0, sigma²)`` on each axis.
    Offspring are dropped (with their would-be descendants) when they fall after the span or
    outside the study area, as in observed data where the process runs on beyond the window
    and the area. In a long span, a share ``theta`` of the incidents are offspring and the
    expected total is ``background_rate * days / (1 - theta)`` (less the edge losses).

    Examples
    --------
    >>> from hotspot.simulate import simulate_self_exciting
    >>> incidents, truth = simulate_self_exciting(days=100, rng=1)
    >>> list(incidents.columns)
    ['time', 'truth_source', 'truth_parent', 'truth_generation', 'geometry']
    >>> truth["theta"], sum(truth["counts"].values()) == len(incidents)
    (0.5, True)
    """
    func = "simulate_self_exciting"
    rate = _finite_number(background_rate, "background_rate", func=func)
    theta = _finite_number(theta, "theta", func=func)
    omega = _finite_number(omega, "omega", func=func)
    sigma = _finite_number(sigma, "sigma", func=func)
    days = _finite_number(days, "days", func=func)
    if rate < 0:
        raise HotspotInputError(
            f"{func}: background_rate={rate} is negative; it is background incidents per day, "
            "pass e.g. 10."
        )
    if not 0 <= theta < 1:
        raise HotspotInputError(
            f"{func}: theta={theta} is outside [0, 1); it is the expected offspring per "
            "incident, and with 1 or more the cascade never dies out: pass e.g. 0.5."
        )
    for name, value, unit, example in (
        ("omega", omega, "per day", "1/7"),
        ("sigma", sigma, "metres", "100"),
        ("days", days, "days", "365"),
    ):
        if value <= 0:
            raise HotspotInputError(
                f"{func}: {name}={value} must be > 0 ({unit}); pass e.g. {name}={example}."
            )
    if not isinstance(background, str):
        raise TypeError(
            f"{func}: background must be a string, got {type(background).__name__}; pass one "
            f"of {list(_SELF_EXCITING_BACKGROUNDS)}."
        )
    if background not in _SELF_EXCITING_BACKGROUNDS:
        raise HotspotInputError(
            f"{func}: background={background!r} is not one of "
            f"{', '.join(repr(b) for b in _SELF_EXCITING_BACKGROUNDS)}."
        )
    area, _ = _check_study_area(study_area, func=func)
    crs_obj = _check_crs(crs, func=func)
    start_ts = _check_start(start, func=func)
    generator, seed = _check_rng(rng, func=func)
    try:
        end_ts = start_ts + pd.Timedelta(days=days)
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise HotspotInputError(
            f"{func}: start={start_ts} plus days={days} runs past the datetime range (year "
            "2262); pass fewer days."
        ) from exc

    # ---------------------------------------------------------------- background
    shapely.prepare(area)
    bounds = area.bounds
    n_background = int(generator.poisson(rate * days))
    if background == "uniform":
        bx, by = _sample_background(n_background, area, bounds, [], generator, uniform=True)
    else:
        bx, by = _sample_background(n_background, area, bounds, [], generator)
    bt = generator.uniform(0.0, days, n_background)

    # ---------------------------------------------------------------- offspring, by generation
    xs, ys, ts, parents, gens = [bx], [by], [bt], [np.full(n_background, -1, np.int64)], []
    gens.append(np.zeros(n_background, np.int64))
    current = np.arange(n_background, dtype=np.int64)
    n_total = n_background
    dropped_late = dropped_outside = 0
    g = 0
    while len(current) and theta > 0:
        g += 1
        k = generator.poisson(theta, size=len(current))
        par = np.repeat(current, k)
        if not len(par):
            break
        all_x, all_y, all_t = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
        cx = all_x[par] + generator.normal(0.0, sigma, len(par))
        cy = all_y[par] + generator.normal(0.0, sigma, len(par))
        ct = all_t[par] + generator.exponential(1.0 / omega, len(par))
        late = ct >= days
        outside = ~late & ~shapely.contains_xy(area, cx, cy)
        dropped_late += int(late.sum())
        dropped_outside += int(outside.sum())
        keep = ~late & ~outside
        n_new = int(keep.sum())
        xs.append(cx[keep])
        ys.append(cy[keep])
        ts.append(ct[keep])
        parents.append(par[keep])
        gens.append(np.full(n_new, g, np.int64))
        current = np.arange(n_total, n_total + n_new, dtype=np.int64)
        n_total += n_new

    x, y, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
    parent, generation = np.concatenate(parents), np.concatenate(gens)

    # ---------------------------------------------------------------- sort, assemble
    ns = np.floor(t * _NS_PER_DAY / 1e9).astype(np.int64) * 10**9  # whole seconds
    order = np.lexsort((generation, ns))
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order), dtype=np.int64)
    parent_sorted = parent[order]
    parent_sorted = np.where(parent_sorted >= 0, new_pos[np.maximum(parent_sorted, 0)], -1)
    source = np.where(generation[order] == 0, "background", "offspring")
    frame = pd.DataFrame(
        {
            "time": pd.Series(
                (ns[order] + start_ts.value).astype("datetime64[ns]"), dtype="datetime64[ns]"
            ),
            "truth_source": pd.Series(source, dtype="str"),
            "truth_parent": parent_sorted.astype(np.int64),
            "truth_generation": generation[order].astype(np.int64),
        }
    )
    incidents = geopandas.GeoDataFrame(
        frame, geometry=geopandas.points_from_xy(x[order], y[order]), crs=crs_obj
    )
    truth: dict[str, Any] = {
        "background_rate": rate,
        "theta": theta,
        "omega": omega,
        "sigma": sigma,
        "days": days,
        "background": background,
        "start": start_ts.isoformat(),
        "end": end_ts.isoformat(),
        "study_area": area.wkt,
        "crs": crs_obj.to_string(),
        "seed": seed,
        "counts": {"background": n_background, "offspring": int(len(x) - n_background)},
        "offspring_dropped_late": dropped_late,
        "offspring_dropped_outside": dropped_outside,
    }
    incidents.attrs["hotspot"] = {"simulation": dict(truth)}
    truth["parent"] = parent_sorted.astype(np.int64)
    return incidents, truth


# =============================================================================== validation


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite_number(value: Any, label: str, *, func: str = "simulate_incidents") -> float:
    """``value`` as a finite float; TypeError for non-numbers, HotspotInputError for inf/NaN."""
    if not _is_real(value):
        raise TypeError(f"{func}: {label} must be a number, got {type(value).__name__} {value!r}.")
    value = float(value)
    if not math.isfinite(value):
        raise HotspotInputError(f"{func}: {label}={value} is not finite; pass a finite number.")
    return value


def _check_int(name: str, value: Any, *, minimum: int, func: str = "simulate_incidents") -> int:
    if not _is_int(value):
        raise TypeError(
            f"{func}: {name} must be an int, got {type(value).__name__} "
            f"{value!r}; pass a whole number such as {name}={max(minimum, 1)}."
        )
    value = int(value)
    if value < minimum:
        raise HotspotInputError(
            f"{func}: {name}={value} is below {minimum}; pass {name} >= {minimum}."
        )
    return value


def _check_study_area(
    study_area: Any, *, func: str = "simulate_incidents"
) -> tuple[shapely.Geometry, bool]:
    if study_area is None:
        return shapely.box(*_DEFAULT_BOUNDS), True
    if not isinstance(study_area, shapely.Polygon | shapely.MultiPolygon):
        raise TypeError(
            f"{func}: study_area must be a shapely Polygon or MultiPolygon in the "
            f"crs, got {type(study_area).__name__}; pass e.g. shapely.box(xmin, ymin, xmax, ymax)."
        )
    if study_area.is_empty or not study_area.is_valid or study_area.area <= 0:
        reason = shapely.is_valid_reason(study_area) if not study_area.is_empty else "empty"
        raise HotspotInputError(
            f"{func}: study_area is empty, invalid or has no area ({reason}); "
            "pass a valid polygon with positive area (shapely.make_valid can repair one)."
        )
    return study_area, False


def _check_crs(crs: Any, *, func: str = "simulate_incidents") -> Any:
    if crs is None:
        raise TypeError(
            f"{func}: crs must be a CRS (e.g. 'EPSG:27700'), got None; pass the "
            "projected CRS, in metres, of study_area and the hotspot centres."
        )
    try:
        crs_obj = geopandas.GeoSeries([], crs=crs).crs
    except Exception as exc:  # pyproj raises CRSError; bad types raise TypeError
        raise HotspotInputError(
            f"{func}: crs={crs!r} is not a CRS pyproj understands ({exc}); pass an "
            "EPSG code such as 'EPSG:27700'."
        ) from exc
    if crs_obj is None or not crs_obj.is_projected:
        raise HotspotInputError(
            f"{func}: crs={crs!r} is not a projected CRS; distances, radii and the "
            "study area are in metres, so pass a projected CRS such as 'EPSG:27700' (British "
            "National Grid) or the local UTM zone."
        )
    return crs_obj


def _check_start(start: Any, *, func: str = "simulate_incidents") -> pd.Timestamp:
    if not isinstance(start, str | _dt.date | np.datetime64 | pd.Timestamp):
        raise TypeError(
            f"{func}: start must be a date string or datetime, got "
            f"{type(start).__name__}; pass e.g. start='2024-01-01'."
        )
    try:
        ts = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise HotspotInputError(
            f"{func}: start={start!r} is not a date ({exc}); pass e.g. start='2024-01-01'."
        ) from exc
    if pd.isna(ts):
        raise HotspotInputError(f"{func}: start is NaT; pass a date such as start='2024-01-01'.")
    if ts.tzinfo is not None:
        raise HotspotInputError(
            f"{func}: start={start!r} is timezone-aware; incident times are naive "
            "local times, so pass a naive start (e.g. ts.tz_localize(None))."
        )
    return ts.as_unit("ns")


_CALENDAR_MONTHS = {
    _offsets.MonthBegin: 1,
    _offsets.MonthEnd: 1,
    _offsets.QuarterBegin: 3,
    _offsets.QuarterEnd: 3,
}
_CALENDAR_YEARS = (_offsets.YearBegin, _offsets.YearEnd)


def _check_freq(freq: Any) -> tuple[pd.Timedelta | pd.DateOffset, str]:
    if not isinstance(freq, str | _offsets.BaseOffset | _dt.timedelta | pd.Timedelta):
        raise TypeError(
            f"simulate_incidents: freq must be a pandas frequency string, DateOffset or "
            f"Timedelta, got {type(freq).__name__}; pass e.g. freq='W'."
        )
    try:
        offset = to_offset(freq)
    except (ValueError, TypeError) as exc:
        raise HotspotInputError(
            f"simulate_incidents: freq={freq!r} is not a pandas frequency ({exc}); pass e.g. "
            "'W', 'D', '2W' or 'MS'."
        ) from exc
    n = getattr(offset, "n", 0)
    if n < 1:
        raise HotspotInputError(
            f"simulate_incidents: freq={freq!r} is not a positive step; pass e.g. freq='W'."
        )
    label = freq if isinstance(freq, str) else offset.freqstr
    if isinstance(offset, _offsets.Tick):
        return pd.Timedelta(offset), label
    if isinstance(offset, _offsets.Day):
        return pd.Timedelta(days=n), label
    if isinstance(offset, _offsets.Week):
        return pd.Timedelta(days=7 * n), label
    for kind, months in _CALENDAR_MONTHS.items():
        if isinstance(offset, kind):
            return pd.DateOffset(months=months * n), label
    if isinstance(offset, _CALENDAR_YEARS):
        return pd.DateOffset(years=n), label
    raise HotspotInputError(
        f"simulate_incidents: freq={freq!r} ({type(offset).__name__}) has no fixed bin length "
        "from start; pass a fixed frequency ('h', 'D', 'W', '2W', '7D' ...) or a calendar one "
        "('MS', 'QS', 'YS')."
    )


def _check_near_repeat(near_repeat: Any) -> dict[str, float] | None:
    if near_repeat is None:
        return None
    if not isinstance(near_repeat, Mapping):
        raise TypeError(
            f"simulate_incidents: near_repeat must be None or a dict, got "
            f"{type(near_repeat).__name__}; pass e.g. "
            "near_repeat={'rate': 0.3, 'distance': 100.0, 'time': 7.0}."
        )
    unknown = sorted(set(near_repeat) - set(_NEAR_REPEAT_DEFAULTS), key=str)
    if unknown:
        raise HotspotInputError(
            f"simulate_incidents: near_repeat has unknown keys {unknown}; the allowed keys are "
            "'rate' (expected offspring per event), 'distance' (metres) and 'time' (days)."
        )
    out = dict(_NEAR_REPEAT_DEFAULTS)
    for key, value in near_repeat.items():
        out[key] = _finite_number(value, f"near_repeat[{key!r}]")
    if out["rate"] < 0:
        raise HotspotInputError(
            f"simulate_incidents: near_repeat['rate']={out['rate']} is negative; it is the "
            "expected number of offspring per event, pass 0 <= rate < 1."
        )
    if out["rate"] >= 1:
        raise HotspotInputError(
            f"simulate_incidents: near_repeat['rate']={out['rate']} >= 1 gives explosive "
            "branching: with one or more expected offspring per event the cascade never dies "
            "out (the expected cluster size 1 / (1 - rate) is infinite); pass rate < 1, e.g. 0.3."
        )
    for key, unit in (("distance", "metres"), ("time", "days")):
        if out[key] <= 0:
            raise HotspotInputError(
                f"simulate_incidents: near_repeat[{key!r}]={out[key]} must be > 0 ({unit}); "
                f"pass e.g. {key}={_NEAR_REPEAT_DEFAULTS[key]}."
            )
    return out


def _check_rng(
    rng: Any, *, func: str = "simulate_incidents"
) -> tuple[np.random.Generator, int | None]:
    if isinstance(rng, np.random.Generator):
        return rng, None
    if rng is None:
        seed = int(np.random.SeedSequence().entropy)
        return np.random.default_rng(seed), seed
    if _is_int(rng):
        if rng < 0:
            raise HotspotInputError(
                f"{func}: rng={rng} is a negative seed; pass a seed >= 0, "
                "a numpy Generator or None."
            )
        return np.random.default_rng(int(rng)), int(rng)
    raise TypeError(
        f"{func}: rng must be None, an int seed or a numpy.random.Generator, got "
        f"{type(rng).__name__}; pass e.g. rng=0 or rng=numpy.random.default_rng(0)."
    )


def _default_hotspots(area: shapely.Geometry, is_default: bool) -> list[dict[str, Any]]:
    xmin, ymin, xmax, ymax = area.bounds
    scale = 1.0 if is_default else min(xmax - xmin, ymax - ymin) / 8000.0
    out = []
    for d in _DEFAULT_HOTSPOTS:
        spec = {
            "x": xmin + d["u"] * (xmax - xmin),
            "y": ymin + d["v"] * (ymax - ymin),
            "radius": d["radius"] * scale,
            "profile": d["profile"],
            "rate": d["rate"],
            "category": _DEFAULT_CATEGORY,
        }
        if d["profile"] == "cold":
            spec["depth"] = _DEFAULT_DEPTH
        out.append(spec)
    return out


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_hotspots(
    hotspots: Any, area: shapely.Geometry, area_is_default: bool, periods: int
) -> list[dict[str, Any]]:
    if hotspots is None:
        rows = _default_hotspots(area, area_is_default)
        source = "default hotspots"
    elif isinstance(hotspots, pd.DataFrame):
        rows = hotspots.to_dict("records")
        source = "hotspots"
    elif isinstance(hotspots, Sequence) and not isinstance(hotspots, str | bytes):
        rows = list(hotspots)
        source = "hotspots"
    else:
        raise TypeError(
            "simulate_incidents: hotspots must be None, a list of dicts or a DataFrame, got "
            f"{type(hotspots).__name__}; pass e.g. hotspots=[{{'x': 435000, 'y': 434000, "
            "'radius': 250, 'profile': 'persistent', 'rate': 5}]."
        )

    specs = []
    for i, row in enumerate(rows):
        where = f"{source}[{i}]"
        if not isinstance(row, Mapping):
            raise TypeError(
                f"simulate_incidents: {where} must be a dict, got {type(row).__name__}; pass "
                "dicts with keys 'x', 'y', 'radius', 'profile' and 'rate'."
            )
        row = {k: v for k, v in row.items() if not _is_missing(v)}
        unknown = sorted(str(k) for k in set(row) - set(_HOTSPOT_KEYS))
        if unknown:
            raise HotspotInputError(
                f"simulate_incidents: {where} has unknown keys {unknown}; the allowed keys are "
                f"{list(_HOTSPOT_KEYS)}."
            )
        profile = row.get("profile")
        if profile is None:
            raise HotspotInputError(
                f"simulate_incidents: {where} has no 'profile'; pass one of {list(PROFILES)}."
            )
        if not isinstance(profile, str):
            raise TypeError(
                f"simulate_incidents: {where}['profile'] must be a string, got "
                f"{type(profile).__name__}; pass one of {list(PROFILES)}."
            )
        if profile not in PROFILES:
            raise HotspotInputError(
                f"simulate_incidents: {where}['profile']={profile!r} is not a known profile; "
                f"pass one of {list(PROFILES)}."
            )
        required = ["x", "y", "radius"] + ([] if profile == "cold" else ["rate"])
        missing = [k for k in required if k not in row]
        if missing:
            raise HotspotInputError(
                f"simulate_incidents: {where} (profile {profile!r}) is missing {missing}; each "
                "hotspot needs 'x', 'y', 'radius' (metres) and, unless cold, 'rate' (expected "
                "incidents per bin)."
            )
        spec: dict[str, Any] = {"profile": profile}
        for key in ("x", "y", "radius", "rate"):
            if key not in row:
                continue
            spec[key] = _finite_number(row[key], f"{where}[{key!r}]")
        spec.setdefault("rate", 0.0)
        if spec["radius"] <= 0:
            raise HotspotInputError(
                f"simulate_incidents: {where}['radius']={spec['radius']} must be > 0; it is "
                "the Gaussian sigma in metres, pass e.g. 250."
            )
        if spec["rate"] < 0:
            raise HotspotInputError(
                f"simulate_incidents: {where}['rate']={spec['rate']} is negative; it is the "
                "expected number of incidents per bin, pass rate >= 0."
            )
        category = row.get("category", _DEFAULT_CATEGORY)
        if not isinstance(category, str):
            raise TypeError(
                f"simulate_incidents: {where}['category'] must be a string, got "
                f"{type(category).__name__}; pass e.g. 'burglary'."
            )
        spec["category"] = category

        if "onset" in row:
            if profile != "new":
                raise HotspotInputError(
                    f"simulate_incidents: {where} has 'onset' but profile {profile!r}; 'onset' "
                    "only applies to profile 'new', remove it."
                )
            onset = row["onset"]
            if isinstance(onset, float) and onset.is_integer():
                onset = int(onset)  # a DataFrame column with NaNs holds floats
            if not _is_int(onset):
                raise TypeError(
                    f"simulate_incidents: {where}['onset'] must be an int bin index, got "
                    f"{type(onset).__name__} {onset!r}."
                )
            if not 0 <= onset < periods:
                raise HotspotInputError(
                    f"simulate_incidents: {where}['onset']={onset} is outside the bins "
                    f"0..{periods - 1}; pass 0 <= onset < periods."
                )
            spec["onset"] = int(onset)
        elif profile == "new":
            spec["onset"] = max(0, periods - _NEW_ONSET_BINS)

        if "depth" in row:
            if profile != "cold":
                raise HotspotInputError(
                    f"simulate_incidents: {where} has 'depth' but profile {profile!r}; 'depth' "
                    "only applies to profile 'cold', remove it."
                )
            depth = row["depth"]
            if not _is_real(depth):
                raise TypeError(
                    f"simulate_incidents: {where}['depth'] must be a number, got "
                    f"{type(depth).__name__} {depth!r}."
                )
            if not 0 <= float(depth) <= 1:
                raise HotspotInputError(
                    f"simulate_incidents: {where}['depth']={depth} is outside [0, 1]; it "
                    "multiplies the background intensity at the cold spot's centre, pass "
                    "e.g. 0.1."
                )
            spec["depth"] = float(depth)
        elif profile == "cold":
            spec["depth"] = _DEFAULT_DEPTH

        if not shapely.contains_xy(area, spec["x"], spec["y"]):
            xmin, ymin, xmax, ymax = area.bounds
            hint = (
                "pass hotspots explicitly for this study area"
                if hotspots is None
                else "move the centre inside or enlarge study_area"
            )
            raise HotspotInputError(
                f"simulate_incidents: {where} centre ({spec['x']:.1f}, {spec['y']:.1f}) is "
                f"outside the study area (bounds {xmin:.1f}, {ymin:.1f}, {xmax:.1f}, "
                f"{ymax:.1f}); {hint}."
            )
        specs.append(spec)
    return specs


# =============================================================================== sampling


def _bin_edges(start: pd.Timestamp, periods: int, step: Any) -> list[pd.Timestamp]:
    try:
        edges = [(start + k * step).as_unit("ns") for k in range(periods + 1)]
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise HotspotInputError(
            f"simulate_incidents: start={start} with periods={periods} runs past the datetime "
            "range (year 2262); pass fewer periods or a shorter freq."
        ) from exc
    return edges


def _multiplier(spec: dict[str, Any], periods: int, rng: np.random.Generator) -> np.ndarray:
    profile = spec["profile"]
    t = np.arange(periods, dtype=float)
    frac = t / (periods - 1) if periods > 1 else np.ones(1)
    if profile == "persistent":
        return np.ones(periods)
    if profile == "new":
        return (t >= spec["onset"]).astype(float)
    if profile == "intensifying":
        return _TREND_FLOOR + (1 - _TREND_FLOOR) * frac if periods > 1 else np.ones(1)
    if profile == "diminishing":
        return 1 - (1 - _TREND_FLOOR) * frac if periods > 1 else np.ones(1)
    if profile == "sporadic":
        m = np.zeros(periods)
        m[-1] = 1.0
        wanted = max(1, round(periods / 8)) - 1
        slots = max(periods - 2, 0)  # bins 0 .. periods-3 keep clear of the last bin
        extra = min(wanted, (slots + 1) // 2)
        if extra:
            # Uniform non-adjacent subset: pick `extra` of slots-extra+1, then spread by rank.
            picks = np.sort(rng.choice(slots - extra + 1, size=extra, replace=False))
            m[picks + np.arange(extra)] = 1.0
        return m
    # cold: the suppression factor at the centre, constant in time
    return np.full(periods, spec["depth"])


def _background_weight(
    x: np.ndarray, y: np.ndarray, bounds: tuple[float, ...], colds: list[dict[str, Any]]
) -> np.ndarray:
    xmin, ymin, xmax, ymax = bounds
    u = (x - xmin) / (xmax - xmin) if xmax > xmin else np.zeros_like(x)
    v = (y - ymin) / (ymax - ymin) if ymax > ymin else np.zeros_like(y)
    w = 1.0 + 0.5 * (u + v)
    for c in colds:
        d2 = (x - c["x"]) ** 2 + (y - c["y"]) ** 2
        w = w * (1.0 - (1.0 - c["depth"]) * np.exp(-d2 / (2.0 * c["radius"] ** 2)))
    return w


def _sample_background(
    n: int,
    area: shapely.Geometry,
    bounds: tuple[float, ...],
    colds: list[dict[str, Any]],
    rng: np.random.Generator,
    *,
    uniform: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points over ``area`` by rejection from its bounding box: with the gradient and
    cold-spot weights of :func:`_background_weight`, or ``uniform``."""
    xmin, ymin, xmax, ymax = bounds
    box_area = (xmax - xmin) * (ymax - ymin)
    fill = area.area / box_area if box_area > 0 else 1.0
    got_x: list[np.ndarray] = []
    got_y: list[np.ndarray] = []
    got = 0
    while got < n:
        # The gradient's maximum is 2 and its mean 1.5: expect ~0.75 * fill acceptance.
        factor = 1.2 if uniform else 1.6
        batch = int(min(max(1024, factor * (n - got) / max(fill, 1e-6)), 5_000_000))
        x = rng.uniform(xmin, xmax, batch)
        y = rng.uniform(ymin, ymax, batch)
        keep = shapely.contains_xy(area, x, y)
        if not uniform:
            keep &= rng.random(batch) * 2.0 < _background_weight(x, y, bounds, colds)
        got_x.append(x[keep])
        got_y.append(y[keep])
        got += int(keep.sum())
    if not got_x:
        return np.empty(0), np.empty(0)
    return np.concatenate(got_x)[:n], np.concatenate(got_y)[:n]


def _gaussian_around(
    cx: np.ndarray, cy: np.ndarray, sigma: float, area: shapely.Geometry, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Isotropic Gaussian draws around (cx, cy), redrawn until strictly inside `area`.

    Returns x, y and a mask of the points left at their centre after too many failed rounds.
    """
    n = len(cx)
    x = np.empty(n)
    y = np.empty(n)
    todo = np.arange(n)
    for _ in range(_MAX_RESAMPLE_ROUNDS):
        if not len(todo):
            break
        px = cx[todo] + rng.normal(0.0, sigma, len(todo))
        py = cy[todo] + rng.normal(0.0, sigma, len(todo))
        ok = shapely.contains_xy(area, px, py)
        x[todo[ok]] = px[ok]
        y[todo[ok]] = py[ok]
        todo = todo[~ok]
    x[todo] = cx[todo]
    y[todo] = cy[todo]
    fallback = np.zeros(n, dtype=bool)
    fallback[todo] = True
    return x, y, fallback


def _uniform_in_bins(
    bins: np.ndarray, edges_ns: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Integer ns offsets from start, uniform within each bin, strictly before its end."""
    lo = edges_ns[bins]
    width = edges_ns[bins + 1] - lo
    off = np.floor(rng.random(len(bins)) * width).astype(np.int64)
    return lo + np.minimum(off, width - 1)


def _branch(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    cat: np.ndarray,
    hid: np.ndarray,
    parent: np.ndarray,
    generation: np.ndarray,
    nr: dict[str, float],
    end_ns: int,
    area: shapely.Geometry,
    rng: np.random.Generator,
) -> tuple[Any, ...]:
    xs, ys, ts, cats, hids, parents, gens = [x], [y], [t], [cat], [hid], [parent], [generation]
    current = np.arange(len(x), dtype=np.int64)  # positions of the latest generation
    n_total = len(x)
    dropped = 0
    fallbacks = 0
    g = 0
    while len(current):
        g += 1
        k = rng.poisson(nr["rate"], size=len(current))
        par = np.repeat(current, k)
        if not len(par):
            break
        all_x = np.concatenate(xs)
        all_y = np.concatenate(ys)
        all_t = np.concatenate(ts)
        cx, cy, fb = _gaussian_around(all_x[par], all_y[par], nr["distance"], area, rng)
        delay = np.rint(rng.exponential(nr["time"], len(par)) * _NS_PER_DAY).astype(np.int64)
        ct = all_t[par] + delay
        keep = ct < end_ns
        dropped += int(np.sum(~keep))
        fallbacks += int(np.sum(fb & keep))
        par = par[keep]
        n_new = len(par)
        xs.append(cx[keep])
        ys.append(cy[keep])
        ts.append(ct[keep])
        all_cat = np.concatenate(cats)
        all_hid = np.concatenate(hids)
        cats.append(all_cat[par])
        hids.append(all_hid[par])
        parents.append(par)
        gens.append(np.full(n_new, g, dtype=np.int64))
        current = np.arange(n_total, n_total + n_new, dtype=np.int64)
        n_total += n_new
    return (
        np.concatenate(xs),
        np.concatenate(ys),
        np.concatenate(ts),
        np.concatenate(cats),
        np.concatenate(hids),
        np.concatenate(parents),
        np.concatenate(gens),
        dropped,
        fallbacks,
    )


# =============================================================================== outputs


def _public_spec(spec: dict[str, Any]) -> dict[str, Any]:
    out = {k: spec[k] for k in ("x", "y", "radius", "profile", "rate", "category")}
    for key in ("onset", "depth"):
        if key in spec:
            out[key] = spec[key]
    return out


def _truth_table(specs: list[dict[str, Any]]) -> pd.DataFrame:
    if not specs:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in _TRUTH_COLUMNS})
        return frame.astype(
            {
                "hotspot_id": "int64",
                "profile": "str",
                "x": "float64",
                "y": "float64",
                "radius": "float64",
                "rate": "float64",
                "category": "str",
                "n_incidents": "int64",
                "n_offspring": "int64",
                "depth": "float64",
            }
        )
    rows = {
        "hotspot_id": np.arange(len(specs), dtype=np.int64),
        "profile": pd.Series([s["profile"] for s in specs], dtype="str"),
        "x": [s["x"] for s in specs],
        "y": [s["y"] for s in specs],
        "radius": [s["radius"] for s in specs],
        "rate": [s["rate"] for s in specs],
        "category": pd.Series([s["category"] for s in specs], dtype="str"),
        "n_incidents": np.array([s["n_incidents"] for s in specs], dtype=np.int64),
        "n_offspring": np.array([s["n_offspring"] for s in specs], dtype=np.int64),
        "depth": [s.get("depth", np.nan) for s in specs],
    }
    frame = pd.DataFrame(rows)
    multipliers = np.empty(len(specs), dtype=object)
    for i, s in enumerate(specs):
        multipliers[i] = np.asarray(s["multiplier"], dtype=float)
    frame["multiplier"] = pd.Series(multipliers, dtype=object)
    return frame


# =============================================================================== national archive

#: The rough national box, British National Grid metres (xmin, ymin, xmax, ymax): 330 km x
#: 460 km = 151,800 km², the land area of England and Wales, not its shape.
NATIONAL_BOX: tuple[float, float, float, float] = (200_000.0, 100_000.0, 530_000.0, 560_000.0)

#: The 14 data.police.uk crime types and the shares drawn (roughly the national mix).
CRIME_TYPE_SHARES: dict[str, float] = {
    "Violence and sexual offences": 0.35,
    "Anti-social behaviour": 0.20,
    "Public order": 0.07,
    "Criminal damage and arson": 0.07,
    "Shoplifting": 0.06,
    "Other theft": 0.05,
    "Vehicle crime": 0.05,
    "Burglary": 0.04,
    "Drugs": 0.025,
    "Other crime": 0.02,
    "Theft from the person": 0.015,
    "Bicycle theft": 0.01,
    "Robbery": 0.01,
    "Possession of weapons": 0.01,
}

_GEOGRAPHY_SEED = 15  # the forces and towns are the same whatever rng: rng draws the incidents
_RURAL_SHARE = 0.1
_TOWNS_MEAN = 6
_TOWN_SIGMA = (800.0, 4000.0)  # metres: the smallest town's, added to the biggest city's
_DATES = ("datetime", "month")
_COORDINATES = ("lonlat", "bng")
_MANIFEST = "simulation.json"
_TRUNCATION_ROUNDS = 20
_EDGE = 1.0  # metres kept clear inside the national box's outer edge


def _national_geography(forces: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forces (rectangles tiling NATIONAL_BOX, column by column) and their towns."""
    xmin, ymin, xmax, ymax = NATIONAL_BOX
    width, height = xmax - xmin, ymax - ymin
    n_cols = max(1, min(forces, round(math.sqrt(forces * width / height))))
    per_col = [forces // n_cols + (c < forces % n_cols) for c in range(n_cols)]
    geo = np.random.default_rng(_GEOGRAPHY_SEED)
    force_rows, town_rows = [], []
    f = 0
    for c, n_rows in enumerate(per_col):
        x0 = xmin + width * c / n_cols
        x1 = xmin + width * (c + 1) / n_cols
        for r in range(n_rows):
            y0 = ymin + height * r / n_rows
            y1 = ymin + height * (r + 1) / n_rows
            n_towns = 1 + int(geo.poisson(_TOWNS_MEAN - 1))
            weight = float(geo.lognormal(0.0, 0.6))
            force_rows.append(
                {
                    "force": f,
                    "name": f"Force {f + 1:02d}",
                    "xmin": x0,
                    "ymin": y0,
                    "xmax": x1,
                    "ymax": y1,
                    "weight": weight,
                    "n_towns": n_towns,
                }
            )
            # Town sizes follow Zipf's law (the k-th biggest has 1/k of the biggest's people).
            sizes = 1.0 / np.arange(1, n_towns + 1)
            shares = (1 - _RURAL_SHARE) * sizes / sizes.sum()
            mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
            tx = geo.uniform(x0 + mx, x1 - mx, n_towns)
            ty = geo.uniform(y0 + my, y1 - my, n_towns)
            sigma = _TOWN_SIGMA[0] + _TOWN_SIGMA[1] * np.sqrt(sizes)
            for k in range(n_towns):
                town_rows.append(
                    {
                        "force": f,
                        "town": k,
                        "x": float(tx[k]),
                        "y": float(ty[k]),
                        "sigma": float(sigma[k]),
                        "share": float(shares[k]),
                    }
                )
            f += 1
    frame = pd.DataFrame(force_rows)
    frame["weight"] = frame["weight"] / frame["weight"].sum()
    return frame, pd.DataFrame(town_rows)


def _national_points(
    n: int, force: pd.Series, towns: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points of one force: the rural share uniform over its rectangle, the rest from
    its towns' Gaussians truncated to the rectangle (redrawn; after 20 rounds, uniform)."""
    x0, y0, x1, y1 = force["xmin"], force["ymin"], force["xmax"], force["ymax"]
    probs = np.append(towns["share"].to_numpy(), _RURAL_SHARE)
    which = rng.choice(len(probs), size=n, p=probs / probs.sum())
    rural = which == len(towns)
    cx = np.append(towns["x"].to_numpy(), 0.0)[which]
    cy = np.append(towns["y"].to_numpy(), 0.0)[which]
    sd = np.append(towns["sigma"].to_numpy(), 0.0)[which]
    x = np.empty(n)
    y = np.empty(n)
    todo = np.flatnonzero(~rural)
    for _ in range(_TRUNCATION_ROUNDS):
        if not len(todo):
            break
        px = cx[todo] + sd[todo] * rng.standard_normal(len(todo))
        py = cy[todo] + sd[todo] * rng.standard_normal(len(todo))
        ok = (px >= x0) & (px < x1) & (py >= y0) & (py < y1)
        x[todo[ok]] = px[ok]
        y[todo[ok]] = py[ok]
        todo = todo[~ok]
    uniform = np.concatenate([np.flatnonzero(rural), todo])
    x[uniform] = rng.uniform(x0, x1, len(uniform))
    y[uniform] = rng.uniform(y0, y1, len(uniform))
    return x, y


def write_partitioned_incidents(
    path: str | Any,
    n_incidents: int,
    *,
    forces: int = 43,
    start: str | pd.Timestamp | _dt.date | np.datetime64 = "2020-01-01",
    years: int = 1,
    rows_per_file: int = 500_000,
    dates: str = "datetime",
    coordinates: str = "lonlat",
    rng: int | np.random.Generator | None = None,
) -> dict[str, Any]:
    """Write a national-like archive of simulated incidents as Parquet files, chunk by chunk.

    The files look like data.police.uk's street-level crimes for a whole country: one or more
    files per force and year, with ``Longitude``/``Latitude`` in degrees, a date, the
    ``Crime type`` and the force (``Falls within``). They are written one at a time, so the
    memory used does not grow with `n_incidents`; read them back with
    :func:`hotspot.scale.read_partitions` (or one file with :func:`hotspot.read_incidents`).

    Parameters
    ----------
    path : str or PathLike
        The folder to write into; created if missing, else it must hold no files.
    n_incidents : int
        Exact number of incidents written (>= 1).
    forces : int, default 43
        Number of force areas, as in England and Wales (>= 1, at most 500).
    start : str or datetime-like, default "2020-01-01"
        Start of the first year (naive, local time).
    years : int, default 1
        Number of years simulated (>= 1): the span is ``[start, start + years)``.
    rows_per_file : int, default 500_000
        Most rows in one file (>= 1); a force's year is split into equal files of at most
        this many. It bounds the memory (see Notes) and is the partition size of the Dask
        path.
    dates : {"datetime", "month"}, default "datetime"
        ``"datetime"``: a ``Date`` column (``datetime64``, whole seconds), so weekly or daily
        cubes can be built. ``"month"``: a ``Month`` column of ``"YYYY-MM"`` strings exactly
        like data.police.uk (which publishes the month only; cubes must then be monthly).
    coordinates : {"lonlat", "bng"}, default "lonlat"
        ``"lonlat"``: ``Longitude`` and ``Latitude`` in WGS 84 degrees rounded to 6 decimals
        like data.police.uk (read_incidents projects them to British National Grid).
        ``"bng"``: ``Easting`` and ``Northing`` in EPSG:27700 metres (read them with
        ``crs="EPSG:27700"``).
    rng : None, int or numpy.random.Generator, default None
        Seed or generator. Each file draws from its own generator, spawned from one
        :class:`numpy.random.SeedSequence` by (force, year, part), so the same seed and
        parameters give identical files. A Generator is advanced (once, for the seed);
        ``None`` draws a fresh seed and records it.

    Returns
    -------
    dict
        The truth and the summary (also written, without the two tables, as
        ``simulation.json`` in `path`): ``path``, ``n_incidents``, ``files`` (a DataFrame:
        ``file``, ``force``, ``name``, ``year``, ``part``, ``rows``), ``forces`` (a
        DataFrame: ``force``, ``name``, the rectangle ``xmin``, ``ymin``, ``xmax``, ``ymax``
        in EPSG:27700, ``weight`` (its share of the incidents in expectation), ``n_towns``,
        ``n_incidents``), ``towns`` (a DataFrame: ``force``, ``town``, ``x``, ``y``,
        ``sigma`` (metres), ``share`` (of the force's incidents)), ``study_area`` (the
        national box as WKT, EPSG:27700), ``crs`` ("EPSG:27700", the CRS of the truth),
        ``start``, ``end`` (ISO), ``years``, ``rows_per_file``, ``dates``, ``coordinates``,
        ``columns``, ``crime_types`` (shares), ``rural_share`` and ``seed``.

    Raises
    ------
    TypeError
        A wrong type (e.g. a float `n_incidents`, a string `rng`).
    hotspot.errors.HotspotInputError
        A bad value, an unknown `dates` or `coordinates`, or a `path` that holds files.

    Notes
    -----
    **Geography (not real boundaries).** The country is a rough national box of British
    National Grid, :data:`NATIONAL_BOX` = (200000, 100000, 530000, 560000): 330 km x 460 km,
    the land area of England and Wales (151,800 km², about 2.43 million 250 m cells) but not
    its shape. It is cut into `forces` rectangles (columns of equal width, each split into
    equal rows; 43 forces: 6 columns of 7 or 8). Each force has a weight (log-normal, sigma
    0.6: the busiest forces have several times the incidents of the quietest) and 1 + Poisson(5)
    towns placed uniformly in the inner 80 % of its rectangle, sized by Zipf's law (the k-th
    town has 1/k of the biggest's incidents). A force's incidents are a mixture: 10 % uniform
    over its rectangle (the countryside), 90 % from its towns, each an isotropic Gaussian of
    standard deviation ``800 + 4000 / sqrt(k)`` metres truncated to the rectangle (redrawn).
    The geography is fixed (its own seed): ``rng`` draws the incidents, not the country.
    Points are kept at least 1 m inside the national box (moved onto that line when closer),
    so that rounding the degrees never puts one outside a grid over the box.

    **Counts and times.** The `n_incidents` are split over (force, year) by one multinomial
    draw with probabilities ``weight * days in the year / days in all years``; each (force,
    year) is split into ``ceil(count / rows_per_file)`` files of equal size (within one).
    Times are uniform over the year (no season or time-of-day pattern), floored to whole
    seconds, sorted within a file. Crime types are drawn independently with
    :data:`CRIME_TYPE_SHARES`.

    **Files.** ``force-NN_YYYY_part-PPP.parquet`` (NN from 01, YYYY the year of the span's
    start, PPP from 000), sorted by name in force, year, part order. Columns: ``Date`` or
    ``Month``, ``Longitude`` and ``Latitude`` (or ``Easting`` and ``Northing``), ``Crime
    type`` and ``Falls within`` (the force's name, e.g. ``"Force 01"``).

    **Memory.** One file's rows are in memory at a time, whatever `n_incidents`: about 100
    bytes per row of NumPy arrays at the peak (coordinates in both CRSs, times, codes and the
    redraw temporaries; measured with tracemalloc), plus the Arrow table being written and
    the allocators' slack: the process's peak RSS was about 450 bytes per row of the largest
    file above the imports (455 MiB in all for 50 million rows in files of up to 413,000
    rows). Time: about 1.5 s per million rows on one core (projection to degrees and Parquet
    writing included; 50 million rows, 121 files, 1.1 GB, in 75 s).

    Examples
    --------
    >>> import tempfile
    >>> from hotspot.simulate import write_partitioned_incidents
    >>> folder = tempfile.mkdtemp()
    >>> truth = write_partitioned_incidents(folder, 20_000, rows_per_file=5_000, rng=0)
    >>> truth["n_incidents"], int(truth["files"]["rows"].sum()), len(truth["forces"])
    (20000, 20000, 43)
    >>> truth["columns"]
    ['Date', 'Longitude', 'Latitude', 'Crime type', 'Falls within']
    """
    import json
    import os
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyproj import Transformer

    func = "write_partitioned_incidents"
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"{func}: path must be a folder path (str or PathLike), got {type(path).__name__}; "
            "pass e.g. path='data/national'."
        )
    n_incidents = _check_int("n_incidents", n_incidents, minimum=1, func=func)
    forces = _check_int("forces", forces, minimum=1, func=func)
    if forces > 500:
        raise HotspotInputError(
            f"{func}: forces={forces} is above 500; England and Wales have 43, pass forces=43."
        )
    years = _check_int("years", years, minimum=1, func=func)
    rows_per_file = _check_int("rows_per_file", rows_per_file, minimum=1, func=func)
    check_choice(dates, "dates", _DATES, func=func)
    check_choice(coordinates, "coordinates", _COORDINATES, func=func)
    start_ts = _check_start(start, func=func)
    generator, seed = _check_rng(rng, func=func)
    entropy = seed if seed is not None else int(generator.integers(0, 2**63))
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise HotspotInputError(
            f"{func}: path={os.fspath(path)!r} is a file; pass a folder (new or empty)."
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise HotspotInputError(
            f"{func}: the folder {os.fspath(path)!r} is not empty; pass a new or empty folder "
            "(its files would be mixed with the simulated ones)."
        )
    try:
        edges = [start_ts + pd.DateOffset(years=k) for k in range(years + 1)]
    except (OverflowError, pd.errors.OutOfBoundsDatetime) as exc:
        raise HotspotInputError(
            f"{func}: start={start_ts} with years={years} runs past the datetime range (year "
            "2262); pass fewer years."
        ) from exc
    folder.mkdir(parents=True, exist_ok=True)

    force_table, towns = _national_geography(forces)
    days = np.array([(edges[k + 1] - edges[k]).days for k in range(years)], dtype=float)
    probs = np.outer(force_table["weight"].to_numpy(), days / days.sum()).ravel()
    split = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(0,)))
    counts = split.multinomial(n_incidents, probs / probs.sum()).reshape(forces, years)
    force_table["n_incidents"] = counts.sum(axis=1).astype(np.int64)

    types = list(CRIME_TYPE_SHARES)
    type_p = np.array(list(CRIME_TYPE_SHARES.values()))
    type_p = type_p / type_p.sum()
    to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    time_name = "Date" if dates == "datetime" else "Month"
    xy_names = ("Longitude", "Latitude") if coordinates == "lonlat" else ("Easting", "Northing")
    columns = [time_name, *xy_names, "Crime type", "Falls within"]
    type_dictionary = pa.array(types, type=pa.string())

    files = []
    for f in range(forces):
        force = force_table.iloc[f]
        own_towns = towns[towns["force"] == f]
        for k in range(years):
            n_fy = int(counts[f, k])
            n_parts = -(-n_fy // rows_per_file)
            lo_ns, hi_ns = edges[k].value, edges[k + 1].value
            for p, rows in enumerate(np.diff(np.linspace(0, n_fy, n_parts + 1).astype(np.int64))):
                rows = int(rows)
                gen = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(1, f, k, p)))
                x, y = _national_points(rows, force, own_towns, gen)
                # 1 m inside the national box: rounding degrees to 6 decimals moves a point
                # by up to ~0.1 m, which must not take it out of the box (and the grid)
                x = np.clip(x, NATIONAL_BOX[0] + _EDGE, NATIONAL_BOX[2] - _EDGE)
                y = np.clip(y, NATIONAL_BOX[1] + _EDGE, NATIONAL_BOX[3] - _EDGE)
                t = lo_ns + np.floor(gen.random(rows) * (hi_ns - lo_ns)).astype(np.int64)
                t -= (t - lo_ns) % 10**9
                codes = gen.choice(len(types), size=rows, p=type_p).astype(np.int8)
                order = np.argsort(t, kind="stable")
                t, x, y, codes = t[order], x[order], y[order], codes[order]
                if coordinates == "lonlat":
                    x, y = to_degrees.transform(x, y)
                    x, y = np.round(x, 6), np.round(y, 6)
                if dates == "datetime":
                    time_array = pa.array(t.astype("datetime64[ns]").astype("datetime64[s]"))
                else:
                    time_array = pa.array(
                        np.datetime_as_string(t.astype("datetime64[ns]").astype("datetime64[M]")),
                        type=pa.string(),
                    )
                table = pa.table(
                    {
                        time_name: time_array,
                        xy_names[0]: pa.array(x),
                        xy_names[1]: pa.array(y),
                        # plain strings (Parquet stores them dictionary-encoded anyway):
                        # a pandas categorical would differ in categories between files
                        "Crime type": pa.DictionaryArray.from_arrays(
                            pa.array(codes), type_dictionary
                        ).dictionary_decode(),
                        "Falls within": pa.array(
                            np.full(rows, force["name"], dtype=object), type=pa.string()
                        ),
                    }
                )
                name = f"force-{f + 1:02d}_{edges[k].year}_part-{p:03d}.parquet"
                pq.write_table(table, folder / name)
                del table, x, y, t, codes, time_array
                files.append(
                    {
                        "file": name,
                        "force": f,
                        "name": force["name"],
                        "year": int(edges[k].year),
                        "part": p,
                        "rows": rows,
                    }
                )

    files_frame = pd.DataFrame(files, columns=["file", "force", "name", "year", "part", "rows"])
    summary: dict[str, Any] = {
        "path": os.fspath(path),
        "n_incidents": int(n_incidents),
        "study_area": shapely.box(*NATIONAL_BOX).wkt,
        "crs": "EPSG:27700",
        "start": edges[0].isoformat(),
        "end": edges[-1].isoformat(),
        "forces_n": int(forces),
        "years": int(years),
        "rows_per_file": int(rows_per_file),
        "dates": dates,
        "coordinates": coordinates,
        "columns": columns,
        "crime_types": dict(zip(types, type_p.tolist(), strict=True)),
        "rural_share": _RURAL_SHARE,
        "seed": seed,
    }
    manifest = {
        **summary,
        "files": files_frame.to_dict("records"),
        "forces": force_table.to_dict("records"),
        "towns": towns.to_dict("records"),
    }
    (folder / _MANIFEST).write_text(json.dumps(manifest, indent=1, default=_plain))
    summary.update(files=files_frame, forces=force_table, towns=towns)
    return summary


def _plain(value: Any) -> Any:
    """JSON for NumPy scalars."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
