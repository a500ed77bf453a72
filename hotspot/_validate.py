"""Checks every public function runs on its inputs, once, at the boundary."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspot._messages import first_rows
from hotspot._projection import is_metric_projected
from hotspot.errors import HotspotInputError


def check_incidents(incidents: object, what: str = "incidents") -> gpd.GeoDataFrame:
    """Incidents must be a non-empty GeoDataFrame in a projected CRS in metres.

    That each geometry is a point is checked by :func:`incident_xy`, in the same pass that
    reads the coordinates.
    """
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"{what} must be a GeoDataFrame from hotspot.read_incidents(...), "
            f"not {type(incidents).__name__}"
        )
    if len(incidents) == 0:
        raise HotspotInputError(f"{what} is empty: there is nothing to analyse.")
    _check_metric_crs(incidents, what, "incidents.to_crs(...)")
    return incidents


def check_cells(
    cells: object, what: str = "cells", *, require_crs: bool = True
) -> gpd.GeoDataFrame:
    """Cells must be a non-empty GeoDataFrame of polygons with a unique index, in metres
    (``require_crs=False``: any CRS or none, for contiguity-only analyses)."""
    if not isinstance(cells, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"{what} must be a GeoDataFrame of polygons (e.g. hotspot.square_grid(...)), "
            f"not {type(cells).__name__}"
        )
    if len(cells) == 0:
        raise HotspotInputError(f"{what} is empty: no cells to count into.")
    if not cells.index.is_unique:
        raise HotspotInputError(
            f"{what} has repeated index labels; each cell needs its own id: "
            "cells.reset_index(drop=True)."
        )
    if require_crs:
        _check_metric_crs(cells, what, "cells.to_crs(incidents.crs)")
    types = shapely.get_type_id(cells.geometry.array)
    bad = ~np.isin(types, (3, 6))
    if bad.any():
        raise HotspotInputError(
            f"{what} must be polygons; rows {first_rows(cells.index[bad])} are "
            f"{', '.join(sorted(set(cells.geometry[bad].geom_type.astype(str))))}."
        )
    return cells


def check_same_crs(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, names: tuple[str, str]) -> None:
    """Both frames must be in the same CRS; the message shows both and the fix."""
    if not CRS.from_user_input(a.crs).equals(CRS.from_user_input(b.crs)):
        raise HotspotInputError(
            f"{names[0]} are in {a.crs.to_string()} but {names[1]} are in {b.crs.to_string()}; "
            f"reproject one: {names[1]}.to_crs({names[0]}.crs)."
        )


def _check_metric_crs(frame: gpd.GeoDataFrame, what: str, fix: str) -> None:
    if frame.crs is None:
        raise HotspotInputError(f"{what} has no CRS; set it with .set_crs(...) first.")
    if not is_metric_projected(CRS.from_user_input(frame.crs)):
        raise HotspotInputError(
            f"{what} are in {frame.crs.name}, not a projected CRS in metres; distances would be "
            f"wrong. Project them first with {fix} (or load them with hotspot.read_incidents())."
        )


def check_positive(value: object, name: str, *, func: str | None = None) -> float:
    """A finite number of metres > 0 (:func:`check_metres`)."""
    return check_metres(value, name, func=func)


def incident_xy(
    incidents: gpd.GeoDataFrame, what: str = "incidents"
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of point incidents as two float arrays, refusing anything but points.

    Two passes over the geometries (x, then y); the diagnosis of bad rows runs only when
    there are some.
    """
    geoms = incidents.geometry.array
    try:
        x = np.asarray(shapely.get_x(geoms))
        y = np.asarray(shapely.get_y(geoms))
    except shapely.errors.GEOSException:  # empty points have no coordinates
        x = np.full(len(geoms), np.nan)
    bad = np.isnan(x)
    if bad.any():
        bad &= ~np.asarray(shapely.get_type_id(geoms) == 0) | np.asarray(
            shapely.is_missing(geoms) | shapely.is_empty(geoms)
        )
    if bad.any():
        raise HotspotInputError(
            f"{what} must be points with coordinates; rows {first_rows(incidents.index[bad])} "
            "are not (missing, empty or other geometries). Load incidents with "
            "hotspot.read_incidents(), which excludes or explains them."
        )
    return x, y


def report_of(frame: pd.DataFrame) -> dict:
    """The frame's ``attrs["hotspot"]`` dict (empty when it has none)."""
    value = frame.attrs.get("hotspot")
    return value if isinstance(value, dict) else {}


def time_resolution(incidents: pd.DataFrame) -> str | None:
    """The time resolution recorded by the load report ("month", "day", …), or None."""
    meta = report_of(incidents)
    report = meta.get("load_report")
    if report is not None:
        return getattr(report, "time_resolution", None)
    return meta.get("time_resolution")


# --------------------------------------------------------------------------------------------
# memory: arguments that decide how much is allocated are checked before anything is
# --------------------------------------------------------------------------------------------

USUAL_PERMUTATIONS = 999
#: Fewest cells over the incidents' extent for a grid to show hot spots at all.
MIN_GRID_CELLS = 10
#: Peak memory of ``hotspot analyze`` per grid cell above its baseline: 1.5 kB measured on
#: 70,000 and 281,000 cells of Toronto (0.65 and 0.95 GB), rounded up.
BYTES_PER_CELL = 2_000


def available_memory() -> int | None:
    """Bytes of memory this process can still use, or None when it cannot be told.

    The smallest of: the memory the system has available (psutil's ``available`` when psutil
    is installed, else ``MemAvailable`` of ``/proc/meminfo``, else the free pages by
    :func:`os.sysconf`), the room left under a cgroup (container) limit, and the room left
    under the process's address-space limit (``ulimit -v``).

    Examples
    --------
    >>> available_memory() is None or available_memory() > 0
    True
    """
    found = [
        value
        for value in (_system_available(), _cgroup_room(), _address_space_room())
        if value is not None
    ]
    return max(0, min(found)) if found else None


def _system_available() -> int | None:
    try:
        import psutil
    except ImportError:
        pass
    else:
        return int(psutil.virtual_memory().available)
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    for pages in ("SC_AVPHYS_PAGES", "SC_PHYS_PAGES"):
        try:
            return int(os.sysconf(pages) * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            continue
    return None


def _read_number(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as file:
            return int(file.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None  # missing, or "max" (no limit)


def _cgroup_room() -> int | None:
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        limit = _read_number(limit_file)
        if limit is not None and limit < 1 << 60:  # cgroup v1 writes "no limit" as ~2**63
            return limit - (_read_number(usage_file) or 0)
    return None


def _address_space_room() -> int | None:
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return soft - used


def format_bytes(n_bytes: float) -> str:
    """A size in decimal units, three significant digits.

    Examples
    --------
    >>> format_bytes(94_584_000_000_000), format_bytes(1536), format_bytes(12)
    ('94.6 TB', '1.54 kB', '12 bytes')
    """
    value = float(n_bytes)
    if value < 1000:
        return f"{value:.0f} bytes"
    for unit in ("kB", "MB", "GB", "TB", "PB", "EB"):
        value /= 1000
        if value < 1000 or unit == "EB":
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    raise AssertionError("unreachable")


def _round_down(value: float) -> int:
    """The largest of 1, 2 or 5 × 10^k at most ``value`` (0 below 1)."""
    if value < 1:
        return 0
    power = 10 ** math.floor(math.log10(value))
    for step in (5, 2, 1):
        if step * power <= value:
            return int(step * power)
    return int(power)


def check_memory(n_bytes: float, what: str, fix: str | Callable[[int], str]) -> None:
    """Refuse work that would need more memory than this process can still use.

    Parameters
    ----------
    n_bytes : float
        The estimated peak of the arrays about to be allocated.
    what : str
        What would need it, the subject of the message ("999,999,999 permutations of 11,823
        cells").
    fix : str or callable
        What to do instead; a callable gets the available bytes and returns the text.

    Raises
    ------
    HotspotInputError
        When ``n_bytes`` exceeds :func:`available_memory` (nothing is checked when the
        available memory cannot be told).

    Examples
    --------
    >>> check_memory(10**30, "a quetta-byte table", "ask for less")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: a quetta-byte table would need about ... EB of memory, ...
    """
    available = available_memory()
    if available is None or n_bytes <= available:
        return
    text = fix(available) if callable(fix) else fix
    raise HotspotInputError(
        f"{what} would need about {format_bytes(n_bytes)} of memory, more than the "
        f"{format_bytes(available)} this process can still use; {text}"
    )


def check_permutations(
    permutations: int, n_values: int, per_value_bytes: int = 8, *, what: str = "values"
) -> None:
    """Refuse a number of permutations whose arrays would not fit in memory.

    Call it just before the arrays are allocated, with what one permutation stores.

    Parameters
    ----------
    permutations : int
        The number asked for (already checked to be an integer >= 0).
    n_values : int
        Values stored per permutation (e.g. the largest neighbourhood, the cells of a table).
    per_value_bytes : int, default=8
        Bytes per value at the peak, temporaries included (8 for one int64 or float64 array).
    what : str, default="values"
        What is permuted, for the message ("11,823 cells with up to 8 random neighbours").

    Raises
    ------
    HotspotInputError
        With the estimate and the most permutations that fit in half the available memory.

    Examples
    --------
    >>> what = "11,823 cells with up to 8 random neighbours"
    >>> check_permutations(999, 8, 24, what=what)  # 192 kB: fine
    >>> check_permutations(10**18, 8, 24, what=what)
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: 1,000,000,000,000,000,000 permutations of 11,823 cells with up to 8 random neighbours, 8 values × 24 bytes each, would need about 192 EB of memory, ...
    """
    permutations, per_permutation = int(permutations), int(n_values) * int(per_value_bytes)

    def fix(available: int) -> str:
        most = _round_down(available / 2 / per_permutation)
        if most == 0:
            return "not even one permutation fits: use 0 permutations or fewer cells."
        return f"use at most {most:,} permutations ({USUAL_PERMUTATIONS} is the usual choice)."

    check_memory(
        permutations * per_permutation,
        f"{permutations:,} permutations of {what}, {int(n_values):,} "
        f"value{'' if int(n_values) == 1 else 's'} × {int(per_value_bytes)} bytes each,",
        fix,
    )


def check_grid_cells(
    cell_size: float,
    extent: tuple[float, float],
    *,
    name: str = "cell_size",
    bytes_per_cell: int = BYTES_PER_CELL,
) -> int:
    """Check that a grid of ``cell_size`` over an extent has enough cells, and that they fit.

    Parameters
    ----------
    cell_size : float
        Side (or hexagon width) in metres.
    extent : (float, float)
        Width and height in metres of what the grid covers (the incidents' extent).
    name : str, default="cell_size"
        The option as the caller names it (``"--cell-size"`` on the command line).
    bytes_per_cell : int, default=BYTES_PER_CELL
        Peak memory per cell of the work that follows.

    Returns
    -------
    int
        The estimated number of cells over the extent's bounding box.

    Raises
    ------
    HotspotInputError
        Fewer than :data:`MIN_GRID_CELLS` cells (a cell size larger than the data), or
        more cells than fit in memory; the message gives the estimate and a cell size to use.

    Examples
    --------
    >>> check_grid_cells(250, (40_000, 30_000))
    19200
    >>> check_grid_cells(1e9, (40_000, 30_000))
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: cell_size 1e+09 m is larger than the incidents' whole extent (40.0 km × 30.0 km): the grid would have about 1 cell, too few to show hot spots. Use at most 10,000 m (the default, the shorter side / 50, is about 600 m).
    """
    size = check_positive(cell_size, name)
    width, height = (max(0.0, float(v)) for v in extent)
    if not (math.isfinite(width) and math.isfinite(height)) or max(width, height) == 0:
        return 1  # one location (or no extent to tell): the grid's own checks speak
    n = _cells_along(width, size) * _cells_along(height, size)
    shown = f"{n:,.0f}" if n < 1e15 else f"{n:.2g}"
    if n < MIN_GRID_CELLS:
        shorter = min(width, height) or max(width, height)
        largest = (
            math.sqrt(width * height / MIN_GRID_CELLS)
            if min(width, height) > 0
            else max(width, height) / MIN_GRID_CELLS
        )
        larger = (
            "larger than the incidents' whole extent"
            if n == 1
            else "too large for the incidents' extent"
        )
        raise HotspotInputError(
            f"{name} {size:,.6g} m is {larger} ({width / 1000:,.1f} km × "
            f"{height / 1000:,.1f} km): the grid would have about {shown} "
            f"cell{'s' if n > 1 else ''}, too few to show hot spots. Use at most "
            f"{_round_down(largest):,} m (the default, the shorter side / 50, is about "
            f"{shorter / 50:,.0f} m)."
        )
    check_memory(
        n * bytes_per_cell,
        f"{name} {size:,.6g} m: a grid over the incidents' extent ({width / 1000:,.1f} km × "
        f"{height / 1000:,.1f} km, about {shown} cells)",
        lambda available: (
            "use a larger cell size: at least "
            f"{_round_up(math.sqrt(width * height * bytes_per_cell / max(available / 2, 1))):,} m."
        ),
    )
    return int(n)


def _cells_along(length: float, size: float) -> float:
    along = length / size
    return max(1.0, float(math.ceil(along))) if math.isfinite(along) else math.inf


def _round_up(value: float) -> int:
    """The smallest of 1, 2 or 5 × 10^k at least ``value``."""
    if value <= 1:
        return 1
    if not math.isfinite(value):
        return int(1e30)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


# --------------------------------------------------------------------------------------------
# output paths
# --------------------------------------------------------------------------------------------


def _file_in_the_way(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` when it is a file (a folder cannot be made)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def check_output_file(path: str | os.PathLike, example: str) -> Path:
    """An output file's path, refused when it is a folder or lies under a file.

    Parameters
    ----------
    path : str or PathLike
        Where a function is asked to write one file.
    example : str
        A file name to suggest inside a folder given by mistake ("map.html").

    Returns
    -------
    Path

    Raises
    ------
    TypeError
        ``path`` is not a path.
    HotspotInputError
        ``path`` is an existing folder, or one of its parents is a file.

    Examples
    --------
    >>> import tempfile
    >>> check_output_file(tempfile.gettempdir(), "map.html")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: ... is a folder; give a file name such as .../map.html
    """
    if not isinstance(path, str | os.PathLike):
        raise HotspotInputError(
            f"the output path must be a str or pathlib.Path, not {type(path).__name__}"
        )
    path = Path(path)
    if path.is_dir():
        raise HotspotInputError(f"{path} is a folder; give a file name such as {path / example}")
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise HotspotInputError(
            f"{blocker} is a file, not a folder, so {path} cannot be written under it; choose "
            "another path."
        )
    return path


def check_output_folder(path: str | os.PathLike, what: str = "the output folder") -> Path:
    """An output folder's path (existing or to be created), refused when it is a file.

    Examples
    --------
    >>> import tempfile
    >>> check_output_folder(tempfile.gettempdir()).is_dir()
    True
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise HotspotInputError(
            f"{what} {path} is a file; give a folder (it is created when missing), e.g. "
            f"{path.with_suffix('')}_report"
        )
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise HotspotInputError(
            f"{what} {path} cannot be created: {blocker} is a file, not a folder; choose "
            "another path."
        )
    return path


# -- The parameter layer: one error type (HotspotInputError), one message style -------------
# "<func>: <name>=<value> <what is wrong>; <what to do>." Every public function checks its
# parameters here, at the boundary, before any work.


class _NotGiven:
    """The default of a renamed keyword: the caller did not pass it."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Default for the old keyword of a renamed parameter (see :func:`renamed_parameter`)."""
_MISSING = NOT_GIVEN


def _prefix(func: str | None) -> str:
    return f"{func}: " if func else ""


def check_choice(value: object, name: str, choices: tuple, *, func: str | None = None) -> Any:
    """``value`` if it is one of ``choices``, else an error listing them.

    Examples
    --------
    >>> check_choice("B", "transform", ("B", "R"))
    'B'
    >>> check_choice("X", "transform", ("B", "R"), func="gistar")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: gistar: transform='X' is not one of 'B', 'R'.
    """
    try:
        ok = value in choices
    except TypeError:  # unhashable values against a set-like
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        raise HotspotInputError(f"{_prefix(func)}{name}={value!r} is not one of {listed}.")
    return value


ALTERNATIVES = ("two-sided", "greater", "less")


def check_alternative(alternative: object, *, func: str | None = None) -> str:
    """One of "two-sided", "greater", "less".

    Examples
    --------
    >>> check_alternative("less")
    'less'
    """
    return check_choice(alternative, "alternative", ALTERNATIVES, func=func)


def check_flag(value: object, name: str, *, func: str | None = None) -> bool:
    """True or False (numpy's bools too), nothing else.

    Examples
    --------
    >>> check_flag(True, "fdr")
    True
    >>> check_flag("yes", "fdr", func="gistar")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: gistar: fdr='yes' is not one of True, False.
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise HotspotInputError(f"{_prefix(func)}{name}={value!r} is not one of True, False.")


def check_metres(
    value: object,
    name: str,
    *,
    func: str | None = None,
    example: str = "",
    allow_zero: bool = False,
) -> float:
    """A finite number of metres, > 0 (``>= 0`` with ``allow_zero``), as a float.

    Examples
    --------
    >>> check_metres(250, "cell_size", func="square_grid")
    250.0
    >>> check_metres("250", "cell_size", func="square_grid", example="250")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: square_grid: cell_size='250' must be a positive number of metres, e.g. 250.
    """
    ok = (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value >= 0 if allow_zero else value > 0)
    )
    if not ok:
        what = "a number of metres, 0 or more" if allow_zero else "a positive number of metres"
        hint = f", e.g. {example}" if example else ""
        raise HotspotInputError(f"{_prefix(func)}{name}={value!r} must be {what}{hint}.")
    return float(value)


def check_share(
    value: object,
    name: str,
    *,
    func: str | None = None,
    low_open: bool = False,
    example: str = "0.7",
) -> float:
    """A number from 0 to 1 (above 0 with ``low_open``).

    Examples
    --------
    >>> check_share(0.7, "opacity", func="density_map")
    0.7
    >>> check_share(2, "opacity", func="density_map")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: density_map: opacity=2 must be a number from 0 to 1, e.g. 0.7.
    """
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok:
        number = float(value)
        ok = (0 < number if low_open else 0 <= number) and number <= 1
    if not ok:
        low = "above 0 and up" if low_open else "from 0"
        raise HotspotInputError(
            f"{_prefix(func)}{name}={value!r} must be a number {low} to 1, e.g. {example}."
        )
    return float(value)


def check_columns(
    frame: object,
    columns: Iterable[str],
    *,
    func: str | None = None,
    fix: str,
    what: str = "result",
) -> None:
    """Raise naming the first of ``columns`` that ``frame`` lacks, the columns it has and
    ``fix`` (what to run first). Missing values are allowed (see :func:`check_value_column`).

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"count": [1]}), ["count"], func="counts_map", fix="")
    >>> check_columns(pd.DataFrame({"n": [1]}), ["gistar_bin"], func="gistar_map",
    ...               fix="run hotspot.gistar(cells) first")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: gistar_map: the result has no 'gistar_bin' column (columns: n); run hotspot.gistar(cells) first.
    """
    present = list(getattr(frame, "columns", []))
    for column in columns:
        if column not in present:
            have = ", ".join(map(str, present)) or "none"
            raise HotspotInputError(
                f"{_prefix(func)}the {what} has no {column!r} column (columns: {have}); {fix}."
            )


def check_geodataframe(value: object, name: str, *, func: str | None = None, fix: str) -> Any:
    """``value`` when it is a GeoDataFrame, else an error saying what to pass.

    Examples
    --------
    >>> check_geodataframe([1], "summary", func="cluster_map",
    ...                    fix="pass the output of hotspot.cluster_summary(clustered)")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: cluster_map: summary= is a list, not a GeoDataFrame; pass the output of hotspot.cluster_summary(clustered).
    """
    if not isinstance(value, gpd.GeoDataFrame):
        raise HotspotInputError(
            f"{_prefix(func)}{name}= is a {type(value).__name__}, not a GeoDataFrame; {fix}."
        )
    return value


def check_incident_weights(
    points: pd.DataFrame,
    weights: Any,
    *,
    func: str,
    name: str = "incident_weights",
    what: str = "incident",
) -> tuple[np.ndarray | None, str | None]:
    """One weight per incident (float, finite, >= 0) and how it was given (``"column 'harm'"``
    or ``"array"``), or ``(None, None)`` for ``weights=None`` (every incident counts once).

    ``weights`` is the name of a numeric column, or an array or Series (aligned on the index)
    of one number per row; ``name`` is the parameter's name in messages. The one check behind
    every ``incident_weights=`` (kde, the cube, clustering).

    Examples
    --------
    >>> import pandas as pd
    >>> check_incident_weights(pd.DataFrame({"harm": [1, 2.5]}), "harm", func="f")[0].tolist()
    [1.0, 2.5]
    >>> check_incident_weights(pd.DataFrame({"harm": [1, 2]}), [1, -1], func="f")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: f: incident_weights must be >= 0; rows 1 are negative.
    """
    n = len(points)
    if weights is None:
        return None, None
    if isinstance(weights, str):
        if weights not in points.columns:
            raise HotspotInputError(
                f"{func}: {name}={weights!r} is not a column of the {what}s; their columns are "
                f"{', '.join(map(str, points.columns))}."
            )
        column = points[weights]
        if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(
            column.dtype
        ):
            raise HotspotInputError(
                f"{func}: {name} column {weights!r} is {column.dtype}, not numbers; convert it "
                f"with pd.to_numeric(frame[{weights!r}])."
            )
        values = column.to_numpy(dtype=float, na_value=np.nan)
        note = f"column {weights!r}"
    elif isinstance(weights, pd.Series | np.ndarray | list | tuple):
        if isinstance(weights, pd.Series) and not weights.index.equals(points.index):
            raise HotspotInputError(
                f"{func}: {name} is a Series whose index differs from the {what}s'; align it "
                f"with {name}.reindex(frame.index) or pass a column name."
            )
        try:
            if isinstance(weights, pd.Series):
                values = weights.to_numpy(dtype=float, na_value=np.nan)
            else:
                values = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise HotspotInputError(
                f"{func}: {name} must be numbers ({exc}); pass one number per {what}."
            ) from None
        if len(values) != n:
            raise HotspotInputError(
                f"{func}: {name} has {len(values):,} values but there are {n:,} {what}s; pass "
                f"one weight per {what}."
            )
        note = "array"
    else:
        raise HotspotInputError(
            f"{func}: {name}={weights!r} must be a column name or an array of one number per "
            f"{what}, not a {type(weights).__name__}."
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise HotspotInputError(
            f"{func}: {name} are missing or infinite in rows {first_rows(points.index[bad])}; "
            f"fill or drop those {what}s first."
        )
    negative = values < 0
    if negative.any():
        raise HotspotInputError(
            f"{func}: {name} must be >= 0; rows {first_rows(points.index[negative])} are negative."
        )
    return values, note


def check_integer(
    value: object, name: str, *, minimum: int = 0, example: str = "", func: str | None = None
) -> int:
    """An integer (not a bool, not a float) of at least ``minimum``.

    Examples
    --------
    >>> check_integer(99, "permutations")
    99
    >>> check_integer(9.5, "permutations", example="999")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: permutations=9.5 must be a whole number of at least 0, e.g. 999.
    """
    hint = f", e.g. {example}" if example else ""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise HotspotInputError(
            f"{_prefix(func)}{name}={value!r} must be a whole number of at least {minimum}{hint}."
        )
    if value < minimum:
        raise HotspotInputError(
            f"{_prefix(func)}{name}={value!r} must be at least {minimum}{hint}."
        )
    return int(value)


def check_permutation_count(
    permutations: object, *, minimum: int = 0, func: str | None = None
) -> int:
    """The number of permutations: a whole number >= ``minimum`` (0: the analytical test only).

    Examples
    --------
    >>> check_permutation_count(999)
    999
    >>> check_permutation_count(-1, func="lisa")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: lisa: permutations=-1 must be at least 0, e.g. 999.
    """
    return check_integer(
        permutations, "permutations", minimum=minimum, example=str(USUAL_PERMUTATIONS), func=func
    )


def check_alpha(alpha: object, *, name: str = "alpha", func: str | None = None) -> float:
    """A significance level strictly between 0 and 1.

    Examples
    --------
    >>> check_alpha(0.05)
    0.05
    >>> check_alpha(5, func="emerging_hotspots")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: emerging_hotspots: alpha=5 must be a number between 0 and 1 (e.g. 0.05).
    """
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, int | float | np.integer | np.floating)
        or not 0 < float(alpha) < 1
    ):
        raise HotspotInputError(
            f"{_prefix(func)}{name}={alpha!r} must be a number between 0 and 1 (e.g. 0.05)."
        )
    return float(alpha)


def as_generator(rng: object, *, func: str | None = None) -> np.random.Generator:
    """A numpy Generator from ``rng`` (None, an int or a Generator), never the global state.

    Examples
    --------
    >>> bool(as_generator(0).integers(10) == as_generator(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise HotspotInputError(
        f"{_prefix(func)}rng={rng!r} must be None, an int seed or a numpy.random.Generator."
    )


def check_rng(rng: object, *, func: str | None = None) -> tuple[np.random.Generator, int | None]:
    """A numpy Generator for ``rng`` (None, an int or a Generator) and the seed to record.

    Never the global numpy state: the same int gives the same draws.

    Examples
    --------
    >>> gen, seed = check_rng(3)
    >>> seed, bool(gen.integers(10) == check_rng(3)[0].integers(10))
    (3, True)
    """
    from hotspot._result import rng_seed

    return as_generator(rng, func=func), rng_seed(rng)


def check_value_column(
    frame: pd.DataFrame,
    column: str,
    *,
    what: str = "cells",
    fix: str = "count incidents first with hotspot.count_incidents(incidents, cells)",
    varying: bool = True,
    func: str | None = None,
) -> np.ndarray:
    """The numeric values of ``frame[column]`` as floats, refusing missing or constant ones.

    Examples
    --------
    >>> import pandas as pd
    >>> check_value_column(pd.DataFrame({"count": [1, 2]}), "count")
    array([1., 2.])
    >>> check_value_column(pd.DataFrame({"n": [1, 2]}), "count", func="gistar")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: gistar: cells have no 'count' column (columns: n); count incidents first with hotspot.count_incidents(incidents, cells).
    """
    p = _prefix(func)
    if column not in frame.columns:
        raise HotspotInputError(
            f"{p}{what} have no {column!r} column (columns: "
            f"{', '.join(map(str, frame.columns))}); {fix}."
        )
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise HotspotInputError(
            f"{p}column {column!r} has {int(bad.sum())} missing or non-numeric values "
            f"({what} {first_rows(frame.index[bad])}); fill them (e.g. "
            f"frame[{column!r}].fillna(0)) or drop those rows."
        )
    if varying and len(values) and np.ptp(values) == 0:
        raise HotspotInputError(
            f"{p}column {column!r} has the same value in every row of the {what}: there is no "
            "pattern to test."
        )
    return values


def check_study_area(study_area: object, crs: CRS | None, *, func: str | None = None) -> Any:
    """One polygon in ``crs`` from a shapely polygon, a GeoSeries/GeoDataFrame or a file path.

    Raises :class:`~hotspot.errors.HotspotInputError` naming the function for anything else.
    """
    from hotspot._areas import as_area_geometry

    try:
        return as_area_geometry(study_area, crs)
    except HotspotInputError as err:
        if func and not str(err).startswith(f"{func}:"):
            raise HotspotInputError(f"{func}: {err}") from None
        raise


def renamed_parameter(
    func: str, old: str, new: str, old_value: object, new_value: object, default: object
) -> Any:
    """The value of a parameter renamed from ``old`` to ``new``, warning when ``old`` is used.

    Call it with ``old_value`` (``NOT_GIVEN`` unless the caller passed the old keyword) and
    ``new_value``; ``default`` is what the new keyword defaults to. Both given is an error.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed_parameter("ripley", "area", "study_area", "bbox", None, None)
    'bbox'
    >>> caught[0].category.__name__
    'FutureWarning'
    """
    import warnings

    if old_value is NOT_GIVEN:
        return new_value
    if new_value is not default and new_value is not NOT_GIVEN:
        raise HotspotInputError(f"{func}: {old}= is the old name of {new}=; pass only {new}=.")
    warnings.warn(
        f"{func}: {old}= is now called {new}=; the old name will stop working in 0.3.",
        FutureWarning,
        stacklevel=3,
    )
    return old_value
