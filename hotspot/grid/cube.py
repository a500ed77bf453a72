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
from hotspot._validate import check_cells, check_incidents, check_same_crs, report_of
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import cell_positions

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


def _parse_freq(freq: str, func: str | None = None) -> tuple[str, int, str]:
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
    counts : ndarray of int64, shape (n_bins, n_cells)
        Incidents per bin and cell.
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
    """

    cells: gpd.GeoDataFrame
    bins: pd.DatetimeIndex
    counts: np.ndarray
    freq: str
    attrs: dict[str, Any] = field(default_factory=dict)
    partial_bins: np.ndarray | None = None

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
        period, multiple, _ = _parse_freq(self.freq)
        last = pd.Period(self.bins[-1], freq=period) + multiple
        return self.bins.append(pd.DatetimeIndex([last.start_time]))

    def total(self) -> int:
        """Incidents in the cube."""
        return int(self.counts.sum())

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
        counts=ds["count"].to_numpy().astype(np.int64),
        freq=ds.attrs["freq"],
        attrs=attrs,
        partial_bins=ds["partial_bin"].to_numpy().astype(bool) if "partial_bin" in ds else None,
    )


#: What every cube's attrs say about what it is.
_CUBE_STAMP = {"kind": "cube", "method": "space_time_cube", "rng_seed": None}
#: The attrs a netCDF file keeps (as JSON), besides the counts, bins and cells.
_KEPT_IN_FILE = ("kind", "method", "space_time_cube", "period", "rng_seed", "coverage", "padding")


def _attrs_json(attrs: dict[str, Any]) -> str:
    """The cube's stamp, period, coverage and padding as JSON, for a netCDF attribute."""
    kept = {k: attrs[k] for k in _KEPT_IN_FILE if k in attrs}
    return json.dumps(kept, default=str)


def space_time_cube(
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    freq: str = "W",
    *,
    start: Any = None,
    end: Any = None,
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
    quiet : bool, default=False
        Do not announce what was left out.

    Returns
    -------
    SpaceTimeCube
        With ``attrs["counts"]`` accounting for every incident, and ``attrs["kind"]`` (``"cube"``),
        ``attrs["method"]`` (``"space_time_cube"``), ``attrs["space_time_cube"]`` (the
        arguments), ``attrs["period"]`` (the bins' span) and ``attrs["rng_seed"]`` (None), the
        stamp of a frame result at the top level of the cube's own ``attrs``.

    Raises
    ------
    HotspotInputError
        Without times, with month-resolution times (data.police.uk) and a finer ``freq``, with
        a ``freq`` that is not a frequency, or ``start``/``end`` that are not dates.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 1000, quiet=True), freq="W",
    ...                           start="2019-01-01", end="2019-12-31", quiet=True)
    >>> cube.shape[0], cube.bins[0].day_name()
    (53, 'Monday')
    """
    check_incidents(incidents)
    check_cells(cells)
    check_same_crs(incidents, cells, ("incidents", "cells"))
    period, multiple, base = _parse_freq(freq, "space_time_cube")
    first = _bin_of(start, "start", period)
    last = _bin_of(end, "end", period)
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            "incidents have no datetime 'time' column; load them with "
            "hotspot.read_incidents(..., time='<your date column>')."
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
    if last_ord < first_ord:
        raise HotspotInputError(
            f"space_time_cube: end={end!r} is before start={start!r}; swap them."
        )
    n_bins = (last_ord - first_ord) // multiple + 1
    offsets = pd.Period(ordinal=first_ord, freq=period)
    bins = pd.DatetimeIndex(
        [(offsets + k * multiple).start_time for k in range(n_bins)], name="time"
    )
    pos, method = cell_positions(incidents, cells)
    in_cells = pos >= 0
    in_range = has_time & (ordinals >= first_ord) & (ordinals <= first_ord + n_bins * multiple - 1)
    use = in_cells & in_range
    bin_index = (ordinals[use] - first_ord) // multiple
    flat = bin_index * len(cells) + pos[use]
    counts = np.bincount(flat, minlength=n_bins * len(cells)).reshape(n_bins, len(cells))
    edges = bins.append(
        pd.DatetimeIndex(
            [(pd.Period(ordinal=first_ord, freq=period) + n_bins * multiple).start_time]
        )
    )
    covered = times[has_time & in_cells] if (has_time & in_cells).any() else times[has_time]
    partial, coverage, padding = _coverage(covered, edges, base)
    accounting = {
        "incidents": len(incidents),
        "counted": int(use.sum()),
        "outside_cells": int((~in_cells).sum()),
        "outside_bins": int((in_cells & has_time & ~in_range).sum()),
        "missing_time": int((in_cells & ~has_time).sum()),
        "method": method,
    }
    left_out = accounting["incidents"] - accounting["counted"]
    if left_out:
        announce(
            f"{left_out:,} of {len(incidents):,} incidents are not in the cube "
            f"(outside the cells: {accounting['outside_cells']:,}, outside the bins: "
            f"{accounting['outside_bins']:,}, no time: {accounting['missing_time']:,})",
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
    attrs = {
        **_CUBE_STAMP,
        "space_time_cube": {
            "freq": freq,
            "start": None if start is None else str(start),
            "end": None if end is None else str(end),
            "n_bins": n_bins,
            "n_cells": len(cells),
            "cells_found_by": method,
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
    return SpaceTimeCube(
        cells=cells.copy(),
        bins=bins,
        counts=counts.astype(np.int64),
        freq=freq,
        attrs=attrs,
        partial_bins=partial,
    )


def _bin_of(value: Any, name: str, period: str) -> pd.Period | None:
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
    _, multiple, base = _parse_freq(freq)
    word = FREQ_WORDS.get(base, base)
    return word if multiple == 1 else f"{multiple}-{word}"


def _coverage(
    times: pd.Series, edges: pd.DatetimeIndex, base: str
) -> tuple[np.ndarray, tuple[str, str], dict[str, int]]:
    """Which bins the data cover only in part, the data's first and last day, and the bins
    wholly outside them. The data are taken to cover whole days (whole hours for hourly bins)
    from the first incident's to the last incident's."""
    unit = "h" if base == "h" else "D"
    first = times.min().floor(unit)
    last = times.max().floor(unit) + pd.Timedelta(1, unit=unit)
    starts, ends = edges[:-1], edges[1:]
    partial = np.asarray((starts < first) | (ends > last))
    padding = {
        "before": int(np.sum(ends <= first)),
        "after": int(np.sum(starts >= last)),
    }
    fmt = "%Y-%m-%d %H:00" if unit == "h" else "%Y-%m-%d"
    coverage = (f"{first:{fmt}}", f"{last - pd.Timedelta(1, unit=unit):{fmt}}")
    return partial, coverage, padding
