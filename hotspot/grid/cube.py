"""The space-time cube: incident counts per (time bin, cell), and its netCDF I/O.

Bins are regular pandas periods (``"W"`` = Monday–Sunday weeks, ``"D"``, ``"M"``/``"MS"``,
``"Q"``, ``"Y"``, ``"h"``, with multiples such as ``"2W"``); the cube is the input of
emerging-hotspot analysis and of prediction back-tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._messages import announce
from hotspot._period import context_of, period_of_bins
from hotspot._validate import (
    check_cells,
    check_flag,
    check_incident_weights,
    check_incidents,
    check_same_crs,
    report_of,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import cell_positions
from hotspot.temporal.aoristic import aoristic_weights

# Offset aliases people type → the period alias pandas uses for the same span.
PERIOD_ALIASES = {
    "D": "D",
    "W": "W-SUN",
    "M": "M",
    "MS": "M",
    "ME": "M",
    "Q": "Q",
    "QS": "Q",
    "QE": "Q",
    "Y": "Y",
    "YS": "Y",
    "YE": "Y",
    "A": "Y",
    "H": "h",
    "h": "h",
}
FINER_THAN_MONTH = {"D", "W", "h"}
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
ALLOWED = "D, W (or W-MON … W-SUN for the week's last day), MS/M, QS/Q, YS/Y, h, with an optional multiple such as 2W"


def parse_freq(freq: str, func: str | None = None) -> tuple[str, int, str]:
    """(period alias, multiple, base name) from an offset alias such as ``"2W"``.

    The allowed values are listed in words (:data:`ALLOWED`) rather than by
    :func:`hotspot._validate.check_choice`: multiples and week anchors make them too many to
    list one by one.
    """
    p = f"{func}: " if func else ""
    if not isinstance(freq, str):
        raise HotspotInputError(
            f"{p}freq={freq!r} is not a frequency; use a string, one of {ALLOWED}."
        )
    match = re.fullmatch(r"\s*(\d*)\s*([A-Za-z]+)(-[A-Za-z]{3})?\s*", freq)
    if not match:
        raise HotspotInputError(f"{p}freq={freq!r} is not a frequency; use one of {ALLOWED}.")
    multiple = int(match.group(1) or 1)
    base = match.group(2)
    anchor = match.group(3)
    if base not in PERIOD_ALIASES or multiple < 1:
        raise HotspotInputError(f"{p}freq={freq!r} is not supported; use one of {ALLOWED}.")
    period = PERIOD_ALIASES[base]
    if anchor:
        if base != "W" or anchor.upper()[1:] not in WEEKDAYS:
            raise HotspotInputError(f"{p}freq={freq!r}: only weeks take an anchor (W-MON … W-SUN).")
        period = "W" + anchor.upper()
    return period, multiple, "W" if period.startswith("W") else period


@dataclass(frozen=True)
class SpaceTimeCube:
    """Incident counts per (time bin, cell).

    Attributes
    ----------
    cells : GeoDataFrame
        The cells (index = cell ids).
    bins : DatetimeIndex
        Start of each bin; bin ``k`` spans ``[bins[k], bins[k+1])`` (see ``bin_edges``).
    counts : ndarray, shape (n_bins, n_cells)
        Incidents per bin and cell: int64, or float64 for an aoristic cube (each incident's
        time window spread over the bins it overlaps) or a weighted one (the sum of
        ``incident_weights``, e.g. harm, per bin and cell).
    freq : str
        The bin frequency as given.
    attrs : dict
        How the cube was made, in the stamp's words at the top level (a cube has no
        ``attrs["hotspot"]``): ``"kind"`` (``"cube"``), ``"method"``
        (``"space_time_cube"``), ``"space_time_cube"`` (the arguments), ``"period"`` (the
        bins' span) and ``"rng_seed"`` (None: nothing is random); the incident accounting
        under ``"counts"``: ``incidents == counted + outside_cells + outside_bins +
        missing_time``; ``"coverage"`` (first and last incident) and ``"padding"`` (bins
        wholly before the first or after the last incident, only when ``start``/``end`` asked
        for them).
    partial_bins : ndarray of bool, shape (n_bins,)
        Bins the data do not cover from start to end: a first bin that begins before the first
        incident's day, a last bin that ends after the last incident's day, and any padding.
        Their counts are low because the data stop, not because crime did; trend tests leave
        them out (:func:`hotspot.emerging_hotspots`) and charts mark them.
    counts_unweighted : ndarray or None, shape (n_bins, n_cells)
        For a weighted cube, the plain incident counts beside the weighted ``counts``
        (float64 when aoristic); None otherwise. :attr:`incident_counts` reads either.
    """

    cells: gpd.GeoDataFrame
    bins: pd.DatetimeIndex
    counts: np.ndarray
    freq: str
    attrs: dict[str, Any] = field(default_factory=dict)
    partial_bins: np.ndarray | None = None
    counts_unweighted: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.counts.shape != (len(self.bins), len(self.cells)):
            raise HotspotInputError(
                f"counts have shape {self.counts.shape} but there are {len(self.bins)} bins and "
                f"{len(self.cells)} cells"
            )
        partial = (
            np.zeros(len(self.bins), dtype=bool)
            if self.partial_bins is None
            else np.asarray(self.partial_bins, dtype=bool)
        )
        if partial.shape != (len(self.bins),):
            raise HotspotInputError(
                f"partial_bins has shape {partial.shape}; the cube has {len(self.bins)} bins"
            )
        object.__setattr__(self, "partial_bins", partial)
        if self.counts_unweighted is not None and self.counts_unweighted.shape != self.counts.shape:
            raise HotspotInputError(
                f"counts_unweighted has shape {self.counts_unweighted.shape}; the counts have "
                f"{self.counts.shape}"
            )

    @property
    def incident_counts(self) -> np.ndarray:
        """Incidents per bin and cell, unweighted: ``counts_unweighted`` for a weighted cube,
        else ``counts`` (what a small-count disclosure rule should look at)."""
        return self.counts if self.counts_unweighted is None else self.counts_unweighted

    @property
    def shape(self) -> tuple[int, int]:
        """(n_bins, n_cells)."""
        return self.counts.shape

    @property
    def method(self) -> str | None:
        """The public function that made the cube (``attrs["method"]``)."""
        return self.attrs.get("method")

    @property
    def params(self) -> dict[str, Any]:
        """How the cube was made, as a result object's ``params``: ``method``, ``period``,
        ``rng_seed`` and the arguments (what :func:`hotspot._result.method_of` reads)."""
        args = self.attrs.get(self.method) if self.method else None
        return {
            **(args if isinstance(args, dict) else {}),
            "method": self.method,
            "period": self.attrs.get("period"),
            "rng_seed": self.attrs.get("rng_seed"),
        }

    @property
    def bin_edges(self) -> pd.DatetimeIndex:
        """The ``n_bins + 1`` edges of the bins."""
        period, multiple, _ = parse_freq(self.freq)
        last = pd.Period(self.bins[-1], freq=period) + multiple
        return self.bins.append(pd.DatetimeIndex([last.start_time]))

    def total(self) -> int | float:
        """Incidents in the cube (their weight for a weighted cube; a float when the counts
        are)."""
        total = self.counts.sum()
        return int(total) if np.issubdtype(self.counts.dtype, np.integer) else float(total)

    def cell_totals(self) -> gpd.GeoDataFrame:
        """The cells with a ``count`` column summed over all bins."""
        out = self.cells.copy()
        out["count"] = self.counts.sum(axis=0)
        return out

    def bin_totals(self) -> pd.Series:
        """Incidents per bin."""
        return pd.Series(self.counts.sum(axis=1), index=self.bins, name="count")

    def to_xarray(self) -> Any:
        """The counts as an ``xarray.DataArray`` with dimensions (time, cell_id)."""
        import xarray as xr

        return xr.DataArray(
            self.counts,
            dims=("time", "cell_id"),
            coords={"time": self.bins, "cell_id": self.cells.index.to_numpy()},
            name="count",
            attrs={"freq": self.freq},
        )

    def to_netcdf(self, path: str | Path) -> None:
        """Write the cube (counts, bins, cells with their geometry as WKT, CRS) to netCDF."""
        import xarray as xr

        cells = pd.DataFrame(self.cells.drop(columns=self.cells.geometry.name))
        data = {"count": (("time", "cell_id"), self.counts)}
        for column in cells.columns:
            values = cells[column]
            if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
                values = values.astype(str)
            data[f"cell_{column}"] = (("cell_id",), values.to_numpy())
        data["cell_geometry"] = (("cell_id",), shapely.to_wkt(self.cells.geometry.array))
        data["partial_bin"] = (("time",), self.partial_bins.astype(np.int8))
        if self.counts_unweighted is not None:
            data["count_unweighted"] = (("time", "cell_id"), self.counts_unweighted)
        ds = xr.Dataset(
            data,
            coords={"time": self.bins.to_numpy(), "cell_id": self.cells.index.to_numpy()},
            attrs={
                "title": "hotspot space-time cube",
                "freq": self.freq,
                "crs": self.cells.crs.to_wkt() if self.cells.crs is not None else "",
                "cell_index_name": self.cells.index.name or "",
                "counts": repr(self.attrs.get("counts", {})),
                "hotspot": _attrs_json(self.attrs),
            },
        )
        if ds["cell_id"].dtype == object:
            ds["cell_id"] = ds["cell_id"].astype(str)
        ds.to_netcdf(path, engine="h5netcdf")

    @classmethod
    def read_netcdf(cls, path: str | Path) -> SpaceTimeCube:
        """Read a cube written by :meth:`to_netcdf`."""
        return read_cube(path)


def read_cube(path: str | Path) -> SpaceTimeCube:
    """Read a space-time cube from netCDF.

    Examples
    --------
    >>> import tempfile, os, hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 2000, quiet=True), freq="MS",
    ...                           start="2020-01", end="2020-12", quiet=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "cube.nc")
    >>> cube.to_netcdf(path)
    >>> back = hs.read_cube(path)
    >>> bool((back.counts == cube.counts).all()), back.freq
    (True, 'MS')
    """
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise HotspotInputError(f"{path}: no such file.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        ds = ds.load()
    columns = {
        name[len("cell_") :]: ds[name].to_numpy()
        for name in ds.data_vars
        if name.startswith("cell_") and name != "cell_geometry"
    }
    index = pd.Index(ds["cell_id"].to_numpy(), name=ds.attrs.get("cell_index_name") or None)
    crs = ds.attrs.get("crs") or None
    cells = gpd.GeoDataFrame(
        columns, geometry=shapely.from_wkt(ds["cell_geometry"].to_numpy()), crs=crs, index=index
    )
    for column, values in columns.items():
        if values.dtype == object:
            cells[column] = pd.Series(values, index=index).astype("str")
    bins = pd.DatetimeIndex(ds["time"].to_numpy())
    attrs = {**_CUBE_STAMP, **json.loads(ds.attrs.get("hotspot") or "{}"), "source": str(path)}
    if isinstance(attrs.get("coverage"), list):
        attrs["coverage"] = tuple(attrs["coverage"])
    return SpaceTimeCube(
        cells=cells,
        bins=bins,
        counts=_stored_counts(ds["count"].to_numpy()),
        freq=ds.attrs["freq"],
        attrs=attrs,
        partial_bins=ds["partial_bin"].to_numpy().astype(bool) if "partial_bin" in ds else None,
        counts_unweighted=(
            _stored_counts(ds["count_unweighted"].to_numpy()) if "count_unweighted" in ds else None
        ),
    )


def _stored_counts(values: np.ndarray) -> np.ndarray:
    """Counts read from a file: int64 as written by an ordinary cube, float64 (aoristic or
    weighted) kept as it is."""
    if np.issubdtype(values.dtype, np.floating):
        return values.astype(np.float64)
    return values.astype(np.int64)


#: What every cube's attrs say about what it is.
_CUBE_STAMP = {"kind": "cube", "method": "space_time_cube", "rng_seed": None}
#: The attrs a netCDF file keeps (as JSON), besides the counts, bins and cells.
_KEPT_IN_FILE = (
    "kind",
    "method",
    "space_time_cube",
    "period",
    "rng_seed",
    "coverage",
    "padding",
    "counts",
    "incident_weights",
)


def _attrs_json(attrs: dict[str, Any]) -> str:
    """The cube's stamp, period, coverage, padding and accounting as JSON, for a netCDF
    attribute."""
    kept = {k: attrs[k] for k in _KEPT_IN_FILE if k in attrs}
    return json.dumps(kept, default=str)


def space_time_cube(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    freq: str = "W",
    *,
    start: Any = None,
    end: Any = None,
    aoristic: bool = False,
    incident_weights: str | np.ndarray | pd.Series | None = None,
    quiet: bool = False,
) -> SpaceTimeCube:
    """Count incidents per regular time bin and cell.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents`, with a ``time`` column.
    cells : GeoDataFrame
        A grid or the user's polygons (see :func:`hotspot.count_incidents`).
    freq : str, default="W"
        Bin length: ``"D"``, ``"W"`` (Monday to Sunday), ``"W-SAT"`` (weeks ending Saturday),
        ``"MS"``/``"M"``, ``"QS"``/``"Q"``, ``"YS"``/``"Y"``, ``"h"``, or a multiple (``"2W"``).
    start, end : date-like, optional
        The first and last bins are those containing ``start`` and ``end`` (default: the first
        and last incident, so the cube spans the data's own period). Incidents outside them
        are left out and reported. Bins before the first incident or after the last (padding)
        are built only when asked for this way, and announced: their zeros are missing data,
        not an absence of crime, and :func:`hotspot.emerging_hotspots` leaves them out.
    aoristic : bool, default=False
        Spread each incident recorded with a time window (``time_start`` to ``time_end``, from
        :func:`hotspot.read_incidents`) over the bins the window overlaps, in proportion to the
        time it spends in each (Ratcliffe's aoristic method, through
        :func:`hotspot.temporal.aoristic.aoristic_weights`); the counts are then fractions
        (float64). An incident without a window (``time_end`` NaT) counts whole in its bin.
        The part of a window beyond the cube's bins is left out and reported as
        ``outside_bins`` (a fraction). The bins are still those of ``time`` (the window's
        start): a window running past the last bin does not add bins. Without the window
        columns it is an error, not a silent ordinary cube.
    incident_weights : str or array-like, optional
        A weight per incident (a column name, or an array or Series aligned with the
        incidents), finite and >= 0, such as a harm score: ``counts`` are then the weights
        summed per bin and cell (float64), ``counts_unweighted`` the plain incident counts,
        and ``attrs["incident_weights"]`` accounts for the weight as ``attrs["counts"]`` does
        for the incidents.
    quiet : bool, default=False
        Do not announce what was left out.

    Returns
    -------
    SpaceTimeCube
        With ``attrs["counts"]`` accounting for every incident (``incidents == counted +
        outside_cells + outside_bins + missing_time``; fractions for an aoristic cube, whose
        ``windows`` says how many incidents had a window), and ``attrs["kind"]`` (``"cube"``),
        ``attrs["method"]`` (``"space_time_cube"``), ``attrs["space_time_cube"]`` (the
        arguments), ``attrs["period"]`` (the bins' span) and ``attrs["rng_seed"]`` (None), the
        stamp of a frame result at the top level of the cube's own ``attrs``.

    Raises
    ------
    HotspotInputError
        Without times, with month-resolution times (data.police.uk) and a finer ``freq``, with
        a ``freq`` that is not a frequency, or ``start``/``end`` that are not dates;
        ``aoristic=True`` on incidents without a ``time_end`` column; ``incident_weights``
        that are not a column or one finite number >= 0 per incident.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 1000, quiet=True), freq="W",
    ...                           start="2019-01-01", end="2019-12-31", quiet=True)
    >>> cube.shape[0], cube.bins[0].day_name()
    (53, 'Monday')

    A window from Saturday noon to Monday noon, spread over two weeks, with a harm weight:

    >>> import geopandas as gpd, pandas as pd, shapely
    >>> t = pd.to_datetime(["2024-01-06 12:00", "2024-01-10 09:00"])
    >>> inc = gpd.GeoDataFrame(
    ...     {"time": t, "time_start": t, "time_end": [pd.Timestamp("2024-01-08 12:00"), pd.NaT],
    ...      "harm": [2.0, 1.0]}, geometry=gpd.points_from_xy([50, 50], [50, 50]),
    ...     crs="EPSG:27700")
    >>> cells = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 100, 100)], crs="EPSG:27700")
    >>> cube = hs.space_time_cube(inc, cells, "W", aoristic=True, incident_weights="harm")
    >>> cube.counts.ravel().tolist(), cube.counts_unweighted.ravel().tolist()
    ([1.5, 1.5], [0.75, 1.25])
    """
    if getattr(type(incidents), "is_lazy_incidents", False) is True:  # hotspot.scale: Dask
        return incidents.space_time_cube(
            cells,
            freq,
            start=start,
            end=end,
            aoristic=aoristic,
            incident_weights=incident_weights,
            quiet=quiet,
        )
    func = "space_time_cube"
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    period, multiple, base = parse_freq(freq, func)
    aoristic = check_flag(aoristic, "aoristic", func=func)
    harm, weights_note = _weights_of(incidents, incident_weights, func)
    first = bin_of(start, "start", period)
    last = bin_of(end, "end", period)
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            "incidents have no datetime 'time' column; load them with "
            "hotspot.read_incidents(..., time='<your date column>')."
        )
    if aoristic and "time_end" not in incidents.columns:
        raise HotspotInputError(
            f"{func}: aoristic=True but the incidents have no time windows (no 'time_end' "
            f"column beside 'time'/'time_start'; columns: {', '.join(map(str, incidents.columns))}"
            "); load them with hotspot.read_incidents(..., time_start='<from column>', "
            "time_end='<to column>'), or use aoristic=False."
        )
    resolution = report_of(incidents).get("time_resolution")
    if resolution == "month" and base in FINER_THAN_MONTH:
        raise HotspotInputError(
            f"these incidents are dated by month only (e.g. data.police.uk), so freq={freq!r} "
            "would pile each month into its first bin; use freq='MS' (or 'QS', 'YS')."
        )
    times = incidents["time"]
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    has_time = times.notna().to_numpy()
    if not has_time.any():
        raise HotspotInputError("every incident's time is missing; nothing to put in bins.")
    ordinals = np.full(len(times), np.iinfo(np.int64).min, dtype=np.int64)
    ordinals[has_time] = times[has_time].dt.to_period(period).array.asi8
    first_ord = first.ordinal if first is not None else int(ordinals[has_time].min())
    last_ord = last.ordinal if last is not None else int(ordinals[has_time].max())
    bins, edges = bins_from(first_ord, last_ord, period, multiple, start, end)
    n_bins = len(bins)
    pos, method = cell_positions(incidents, cells)
    in_cells = pos >= 0
    last_ord_cube = first_ord + n_bins * multiple - 1
    in_range = has_time & (ordinals >= first_ord) & (ordinals <= last_ord_cube)
    use = in_cells & in_range
    n_cells = len(cells)
    size = n_bins * n_cells
    if aoristic:
        row, bin_ord, share = _aoristic_shares(incidents, freq, period)
        inside = in_cells[row] & (bin_ord >= first_ord) & (bin_ord <= last_ord_cube)
        row, share = row[inside], share[inside]
        flat = (bin_ord[inside] - first_ord) // multiple * n_cells + pos[row]
        plain = np.bincount(flat, weights=share, minlength=size).reshape(n_bins, n_cells)
        counted_share = np.bincount(row, weights=share, minlength=len(incidents))
        weighted = np.bincount(flat, weights=share * harm[row], minlength=size)
    else:
        flat = (ordinals[use] - first_ord) // multiple * n_cells + pos[use]
        plain = np.bincount(flat, minlength=size).reshape(n_bins, n_cells).astype(np.int64)
        counted_share = use.astype(float)
        weighted = np.bincount(flat, weights=harm[use], minlength=size)
    if weights_note is None:
        counts, unweighted = plain, None
    else:
        counts, unweighted = weighted.reshape(n_bins, n_cells), plain
    covered = times[has_time & in_cells] if (has_time & in_cells).any() else times[has_time]
    partial, coverage, padding = coverage_of(covered.min(), covered.max(), edges, base)
    timed = in_cells & has_time
    share_out = np.where(timed, 1.0 - counted_share, 0.0)  # a window's part beyond the bins
    fractional = ("counted", "outside_bins") if aoristic else ()
    accounting = _accounting(
        np.ones(len(incidents)), counted_share, share_out, in_cells, has_time, fractional=fractional
    )
    accounting["method"] = method
    if aoristic:
        accounting["windows"] = int(_has_window(incidents).sum())
    weight_accounting = None
    if weights_note is not None:
        weight_accounting = {
            "given_as": weights_note,
            **_accounting(
                harm,
                counted_share,
                share_out,
                in_cells,
                has_time,
                fractional=("total", "counted", "outside_cells", "outside_bins", "missing_time"),
                total_key="total",
            ),
        }
    announce_cube_notes(accounting, len(incidents), padding, coverage, quiet=quiet)
    attrs = {
        **_CUBE_STAMP,
        "space_time_cube": {
            "freq": freq,
            "start": None if start is None else str(start),
            "end": None if end is None else str(end),
            "n_bins": n_bins,
            "n_cells": len(cells),
            "cells_found_by": method,
            "aoristic": aoristic,
            "incident_weights": weights_note,
        },
        "counts": accounting,
        "freq": freq,
        "start": str(bins[0]),
        "end": str(bins[-1]),
        "grid": report_of(cells).get("grid"),
        "period": period_of_bins(bins[0], edges[-1], freq_word(freq), n_bins),
        "coverage": coverage,
        "padding": padding,
    }
    places = context_of(incidents[use]).get("places") if use.any() else None
    if places:  # where the counted incidents are, for maps of the cube and its results
        attrs["places"] = places
    source = report_of(incidents).get("load_report")
    if source is not None:
        attrs["incidents_report"] = source.to_dict()
    if weight_accounting is not None:
        attrs["incident_weights"] = weight_accounting
    return SpaceTimeCube(
        cells=cells.copy(),
        bins=bins,
        counts=counts,
        freq=freq,
        attrs=attrs,
        partial_bins=partial,
        counts_unweighted=unweighted,
    )


def announce_cube_notes(
    accounting: dict[str, Any],
    n_incidents: int,
    padding: dict[str, int],
    coverage: tuple[str, str],
    *,
    quiet: bool,
) -> None:
    """Say what a cube left out and which bins are padding (both ``space_time_cube`` paths)."""
    left_out = accounting["incidents"] - accounting["counted"]
    if left_out > 1e-9:
        announce(
            f"{format_count(left_out)} of {n_incidents:,} incidents are not in the cube "
            f"(outside the cells: {accounting['outside_cells']:,}, outside the bins: "
            f"{format_count(accounting['outside_bins'])}, no time: {accounting['missing_time']:,})",
            quiet=quiet,
        )
    if padding["before"] or padding["after"]:
        announce(
            f"the cube has {padding['before']} bin(s) before the first incident and "
            f"{padding['after']} after the last ({coverage[0]} to {coverage[1]}), as start/end "
            "asked: their zeros are missing data, not quiet weeks, and emerging_hotspots() "
            "leaves them out",
            quiet=quiet,
        )


def format_count(value: float) -> str:
    """A count for a message: whole numbers with separators, fractions to one decimal."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _accounting(
    mass: np.ndarray,
    counted_share: np.ndarray,
    share_out: np.ndarray,
    in_cells: np.ndarray,
    has_time: np.ndarray,
    *,
    fractional: tuple[str, ...],
    total_key: str = "incidents",
) -> dict[str, Any]:
    """Where the incidents (``mass`` 1 each) or their weights went: the total (``total_key``)
    == ``counted + outside_cells + outside_bins + missing_time``; the ``fractional`` keys are
    floats, the others ints."""
    parts = {
        total_key: mass.sum(),
        "counted": (mass * counted_share).sum(),
        "outside_cells": mass[~in_cells].sum(),
        "outside_bins": (mass * share_out).sum(),
        "missing_time": mass[in_cells & ~has_time].sum(),
    }
    return {k: float(v) if k in fractional else int(round(v)) for k, v in parts.items()}


def _has_window(incidents: pd.DataFrame) -> np.ndarray:
    """Incidents with a window of positive length (``time_end`` after the start)."""
    start = incidents["time_start"] if "time_start" in incidents.columns else incidents["time"]
    end = incidents["time_end"]
    return (end.notna() & start.notna() & (end > start)).to_numpy()


def _aoristic_shares(
    incidents: pd.DataFrame, freq: str, period: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(incident position, bin period ordinal at the base frequency, share of the window) for
    every incident with a time, from :func:`aoristic_weights` at the base frequency ("W" for
    "2W", so that the cube's own ``start`` decides where a multiple begins)."""
    columns = [c for c in ("time", "time_start", "time_end") if c in incidents.columns]
    light = pd.DataFrame(
        {c: incidents[c].to_numpy() for c in columns}, index=pd.RangeIndex(len(incidents))
    )
    unit = re.sub(r"^\s*\d+", "", freq).strip()
    w = aoristic_weights(light, unit=unit)
    ordinal = pd.DatetimeIndex(w["unit"]).to_period(period).asi8
    return w["incident"].to_numpy(dtype=np.int64), ordinal, w["weight"].to_numpy(dtype=float)


def _weights_of(incidents: pd.DataFrame, weights: Any, func: str) -> tuple[np.ndarray, Any]:
    """One finite weight >= 0 per incident and how it was given (None: every incident 1)."""
    values, note = check_incident_weights(incidents, weights, func=func)
    return (np.ones(len(incidents)), None) if values is None else (values, note)


def bins_from(
    first_ord: int, last_ord: int, period: str, multiple: int, start: Any, end: Any
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The bins' starts and their ``n_bins + 1`` edges, from the first to the last base
    period (pandas ordinals of ``period``), ``multiple`` periods a bin."""
    if last_ord < first_ord:
        raise HotspotInputError(
            f"space_time_cube: end={end!r} is before start={start!r}; swap them."
        )
    n_bins = (last_ord - first_ord) // multiple + 1
    first = pd.Period(ordinal=first_ord, freq=period)
    edges = pd.DatetimeIndex(
        [(first + k * multiple).start_time for k in range(n_bins + 1)], name="time"
    )
    return edges[:-1], edges


def bin_of(value: Any, name: str, period: str) -> pd.Period | None:
    """The bin (a pandas Period) holding ``start`` or ``end``; None when not given."""
    if value is None:
        return None
    try:
        return pd.Period(pd.Timestamp(value), freq=period)
    except (TypeError, ValueError) as err:
        raise HotspotInputError(
            f"space_time_cube: {name}={value!r} is not a date ({err}); pass a date such as "
            "'2020-01-01' or a pandas Timestamp."
        ) from None


FREQ_WORDS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year", "h": "hour"}


def freq_word(freq: str) -> str:
    """The bin unit of a frequency in words ("2W" → "2-week", "MS" → "month").

    Examples
    --------
    >>> freq_word("W"), freq_word("MS"), freq_word("2W")
    ('week', 'month', '2-week')
    """
    _, multiple, base = parse_freq(freq)
    word = FREQ_WORDS.get(base, base)
    return word if multiple == 1 else f"{multiple}-{word}"


def coverage_of(
    first: pd.Timestamp, last: pd.Timestamp, edges: pd.DatetimeIndex, base: str
) -> tuple[np.ndarray, tuple[str, str], dict[str, int]]:
    """Which bins the data cover only in part, the data's first and last day, and the bins
    wholly outside them, given the first and last incident's times. The data are taken to
    cover whole days (whole hours for hourly bins) from the first incident's to the last's."""
    unit = "h" if base == "h" else "D"
    first = first.floor(unit)
    last = last.floor(unit) + pd.Timedelta(1, unit=unit)
    starts, ends = edges[:-1], edges[1:]
    partial = np.asarray((starts < first) | (ends > last))
    padding = {
        "before": int(np.sum(ends <= first)),
        "after": int(np.sum(starts >= last)),
    }
    fmt = "%Y-%m-%d %H:00" if unit == "h" else "%Y-%m-%d"
    coverage = (f"{first:{fmt}}", f"{last - pd.Timedelta(1, unit=unit):{fmt}}")
    return partial, coverage, padding
