"""``read_partitions``: incidents in many files, validated one file at a time, kept lazy.

Design
------
**One file, one partition, one call of** :func:`hotspot.read_incidents`. Each partition is
read and validated by the in-memory reader itself, inside a Dask task, so the schema
detection, time parsing, projection and exclusion reasons are exactly those of
``read_incidents`` (dask's own ``read_csv``/``read_parquet`` would infer dtypes from a
sample of the first file and read text differently). The collection is a thin frozen
wrapper, :class:`LazyIncidents`, around

- ``frame``: a ``dask.dataframe.DataFrame`` of the kept rows, one pandas partition per
  file: the columns ``read_incidents`` returns (original ones, ``time`` as
  ``datetime64[ns]``, ``category`` as strings...) without the shapely ``geometry``, and the
  projected coordinates in metres as two float columns ``x_m`` and ``y_m``. Two float
  columns, not a dask-geopandas GeoDataFrame: they cost 16 bytes a row to ship between
  workers (a WKB point costs 21 plus the geometry machinery), regular grids are binned by
  arithmetic on them, and the partition tasks build shapely points only where a spatial index
  needs them (the user's own polygons). :meth:`LazyIncidents.to_dask_geopandas` gives the
  dask-geopandas view for other work;
- ``reports``: one lazy :class:`hotspot.LoadReport` per partition, summed on demand by
  :meth:`LazyIncidents.load_report` (rows read = kept + excluded, by reason, as in memory).

**One projection and one time zone for all partitions.** ``read_incidents`` chooses the
output CRS (British National Grid in Great Britain, else the local UTM zone) and the zone of
times with a UTC offset from the data it is given; partition by partition the choice could
differ (a city on a UTM zone boundary). So the first pass reads the first non-empty partition
(empty files and files of only bad rows are skipped) eagerly, on the client's scheduler, and
takes its CRS and time zone for every partition: passed as ``crs=`` / ``timezone=`` to
each ``read_incidents`` call (longitude/latitude sources), or, for a source whose projection
``read_incidents`` chooses otherwise (a GeoParquet in degrees, x/y in feet), by reprojecting
the partition to it. Give ``crs=`` (and ``timezone=``) to decide them yourself.

**Decisions that read the whole file are taken on the whole archive.** A few of
``read_incidents``' decisions look at the rest of the file: the day/month order of each group
of ``01/02/2019``-like dates (settled by the rows whose day is above 12, weighted by rows; an
open group follows the majority; a large ambiguous group raises, a small one is excluded as
"ambiguous day/month") and placeholder dates "in bulk" (10 rows or 0.5 % of the rows with a
time). Alone, a partition can decide otherwise than the concatenated file: in an archive of
weekly files of ``dd/mm/yyyy`` dates, the week of 1–7 February has no day above 12 and would
raise; three placeholder dates are bulk in 100 rows but not in 10,000. So each partition is
read with :func:`hotspot.incidents.read.reading_part`: it never raises for an ambiguous or
mixed group (it reads it provisionally, by its own majority or day-first) and its report
(:class:`PartitionReport`) records the evidence and what it chose: per time column, per group
of dates (keyed by its day-first and month-first formats) the rows read day-first only,
month-first only, both ways as different dates, neither way, and in all, and the column's
rows; the placeholder rows, the rows with a time, and whether they were excluded.
:meth:`LazyIncidents.settle` sums the evidence and applies the in-memory rules to the sums
(``decide_whole``); when every partition chose the same, nothing more happens (no text dates,
or partitions that agree: no extra cost). The partitions that chose otherwise, wherever
their own rows depend on it, are read again with the archive's decisions forced, and a
decision that is "raise" raises the in-memory message, naming the files. The order is settled
before placeholders (a placeholder such as ``30/12/1899`` exists only day-first): if any order
changed, those partitions' reports are computed once more before the placeholder verdict.

Why the sums decide as the concatenated file: every rule is a function of row counts over the
column (the group's day-only, month-only, unsure rows and all its rows, the votes of the
settled groups, the column's rows; the placeholder rows and rows with a time), and the rows of
the concatenated file are the partitions' rows, group by group, because a group is the values
of one shape read with the formats of that shape. The messages' examples are the first three
distinct values of the concatenated file (each partition keeps its first three). Fine print:
``read_incidents`` reads the commonest format of a column of over 2,000 distinct values in one
pass (``_dominant``); its day/month group is then every value that one of the two formats
reads, which for day/month shapes is the shape's group again. Two groups of one file that
share both formats are summed as one (their orders compared as one). A ``time_end`` column is
decided as a column of its own, as in memory; an ``hour`` column is added after the
placeholders are counted, as in memory. Not summed, and still decided per partition: rows
whose latitude and longitude are swapped are found against the partition's own points
(percentiles do not add up); numbers in a time column are read as Excel serials or epoch
times by the partition's majority; the formats of other text are guessed from a sample of
the partition's values. Pass ``time_format=`` to pin formats. Everything per-row (missing
or non-numeric coordinates, (0, 0), unparseable or missing times, study area,
``time_range``) is identical by construction.

**Empty files and files of only bad rows.** ``read_incidents`` refuses both (there is
nothing to analyse); a partition may be either. An empty file gives a partition of no rows
and a report of none read; a file whose every row is excluded gives no rows and the report
of its rows (``reading_part`` returns it instead of raising).
"""

from __future__ import annotations

import dataclasses
import glob as globbing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from hotspot._messages import announce
from hotspot.errors import HotspotInputError
from hotspot.incidents.load_report import LoadReport
from hotspot.incidents.read import (
    REASONS,
    Verdicts,
    agrees,
    decide_whole,
    read_incidents,
    reading_part,
)
from hotspot.scale._common import X, Y, compute, dask_modules
from hotspot.scale.count import count_lazy
from hotspot.scale.cube import cube_lazy
from hotspot.scale.select import Condition, apply_conditions, conditions_from, describe

__all__ = ["LazyIncidents", "read_partitions"]

#: The file types a partition may be.
SUFFIXES = (".parquet", ".pq", ".geoparquet", ".csv", ".csv.gz", ".tsv", ".txt")
#: Per-partition notes carried into the summed report, at most.
MAX_NOTES = 50
_RESOLUTIONS = ("second", "minute", "hour", "day", "month")


def partition_paths(path_or_glob: Any, func: str = "read_partitions") -> list[str]:
    """The partition files: a folder's files with a known suffix, a glob, or a list of paths,
    sorted by name (a folder or glob) or in the order given (a list)."""
    if isinstance(path_or_glob, list | tuple):
        paths = [os.fspath(p) for p in path_or_glob]
        missing = [p for p in paths if not Path(p).is_file()]
        if missing:
            raise HotspotInputError(
                f"{func}: {len(missing):,} of the paths given are not files (e.g. "
                f"{missing[0]!r}); pass existing Parquet or CSV files."
            )
    elif isinstance(path_or_glob, str | os.PathLike):
        text = os.fspath(path_or_glob)
        if Path(text).is_dir():
            paths = sorted(
                str(p)
                for p in Path(text).iterdir()
                if p.is_file() and p.name.lower().endswith(SUFFIXES)
            )
        elif Path(text).is_file():
            paths = [text]
        else:
            paths = sorted(p for p in globbing.glob(text) if Path(p).is_file())
    else:
        raise HotspotInputError(
            f"{func}: path_or_glob must be a folder, a glob such as 'data/*.parquet' or a list "
            f"of files, not a {type(path_or_glob).__name__}."
        )
    if not paths:
        raise HotspotInputError(
            f"{func}: {path_or_glob!r} names no files; pass a folder of Parquet or CSV files "
            f"({', '.join(SUFFIXES)}), a glob such as 'data/part-*.parquet' or a list of paths."
        )
    return paths


# --------------------------------------------------------------------------------------------
# reading one partition (runs inside a Dask task)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionReport(LoadReport):
    """A partition's :class:`hotspot.LoadReport` with what its read decided from the whole of
    its time columns (``decisions``: column → evidence, see ``hotspot.incidents.read``),
    summed by :meth:`LazyIncidents.settle`."""

    decisions: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _raw_frame(path: str, csv: dict[str, Any]) -> pd.DataFrame:
    """The file as pandas reads it, for an empty file or one of only bad rows."""
    if path.lower().endswith((".parquet", ".pq", ".geoparquet")):
        import pyarrow.parquet as pq

        if b"geo" in (pq.read_schema(path).metadata or {}):
            return gpd.read_parquet(path)
        return pd.read_parquet(path)
    try:
        return pd.read_csv(path, **csv)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _csv_options(report: LoadReport) -> dict[str, Any]:
    facts = report.read_as or {}
    options = {k: facts[k] for k in ("sep", "decimal") if facts.get(k) is not None}
    encoding = facts.get("encoding")
    if isinstance(encoding, str):
        options["encoding"] = encoding.split("+")[0]
    return options


def _as_frame(incidents: gpd.GeoDataFrame) -> pd.DataFrame:
    """The validated rows without their shapely geometry, with ``x_m`` and ``y_m``."""
    geoms = incidents.geometry.array
    frame = pd.DataFrame(incidents.drop(columns=incidents.geometry.name))
    for name in (X, Y):
        if name in frame.columns:
            frame = frame.rename(columns={name: f"{name}_original"})
    frame[X] = np.asarray(shapely.get_x(geoms), dtype=float)
    frame[Y] = np.asarray(shapely.get_y(geoms), dtype=float)
    for name in frame.columns:
        # categories differ from file to file: a categorical column would turn the values
        # another file does not know into NaN when the partitions are made alike
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(frame[name].cat.categories.dtype)
    frame.attrs = {}
    return frame


def _conform(frame: pd.DataFrame, meta: pd.DataFrame | None) -> pd.DataFrame:
    """The partition with the columns and (where they convert) dtypes of the first one."""
    if meta is None:
        return frame
    frame = frame.reindex(columns=meta.columns)
    for column, dtype in meta.dtypes.items():
        if frame[column].dtype != dtype:
            try:
                frame[column] = frame[column].astype(dtype)
            except (TypeError, ValueError):
                pass  # left as read: the reductions read only the standard columns
    return frame


def _read(
    source: str | pd.DataFrame,
    options: dict[str, Any],
    target: CRS | None,
    forced: Verdicts | None = None,
) -> tuple[gpd.GeoDataFrame, PartitionReport]:
    """``read_incidents`` on a file as one part of the whole (``reading_part``: its whole-file
    decisions recorded, or ``forced``; no error when every row is excluded), reprojected to
    ``target`` when it chose another CRS (a GeoParquet in degrees, x/y in feet: it picks the
    UTM zone of each partition's own median point)."""
    with reading_part(forced) as deciding:
        incidents = read_incidents(source, **options, quiet=True)
    report = incidents.attrs["hotspot"]["load_report"]
    changes: dict[str, Any] = {}
    if not len(incidents):
        changes.update(notes=(*report.notes, "every row was excluded"))
    if target is not None and not CRS.from_user_input(incidents.crs).equals(target):
        label = _crs_label(target)
        incidents = incidents.to_crs(target)
        changes.update(
            crs=label,
            crs_reason=f"{report.crs_reason}; reprojected to {label}, the first partition's",
        )
    values = {f.name: getattr(report, f.name) for f in dataclasses.fields(LoadReport)}
    values.update(changes, decisions=deciding.evidence)
    return incidents, PartitionReport(**values)


def read_partition(
    path: str,
    options: dict[str, Any],
    target: CRS | None = None,
    meta: pd.DataFrame | None = None,
    template: LoadReport | None = None,
    csv: dict[str, Any] | None = None,
    forced: Verdicts | None = None,
) -> tuple[pd.DataFrame, PartitionReport]:
    """One partition file read by :func:`hotspot.read_incidents`: (kept rows, load report).

    The report records the evidence of the partition's whole-file decisions; ``forced``
    verdicts (the whole archive's, see :meth:`LazyIncidents.settle`) replace its own. A file
    of only bad rows gives no rows and their report; an empty file no rows and a report of
    none read (after ``template``, the first partition's report; ``csv``: how its text was
    read).
    """
    try:
        incidents, report = _read(path, options, target, forced)
    except HotspotInputError as err:
        try:
            empty_file = template is not None and not len(_raw_frame(path, csv or {}))
        except Exception:
            raise err from None
        if not empty_file:
            raise
        report = PartitionReport(
            **{
                **{f.name: getattr(template, f.name) for f in dataclasses.fields(LoadReport)},
                "source": path,
                "rows_read": 0,
                "rows_kept": 0,
                "excluded": {},
                "excluded_rows": template.excluded_rows.iloc[:0],
                "time_min": None,
                "time_max": None,
                "notes": ("an empty file",),
                "windows": None if template.windows is None else {},
            }
        )
        empty = meta.iloc[:0].copy() if meta is not None else pd.DataFrame()
        return empty, report
    return _conform(_as_frame(incidents), meta), report


def _first_partition(
    path: str, options: dict[str, Any]
) -> tuple[pd.DataFrame, LoadReport, dict[str, Any]] | None:
    """The first pass: the partition's columns (no rows), report and how its text was read;
    None when the file is empty or all its rows are excluded."""
    try:
        incidents, report = _read(path, options, None)
    except HotspotInputError as err:
        try:
            raw = _raw_frame(path, {})
        except Exception:
            raise err from None
        if len(raw) == 0:
            return None
        raise
    if not len(incidents):
        return None
    csv = _csv_options(report)
    csv.update({k: options[k] for k in ("header", "names") if options.get(k) is not None})
    return _as_frame(incidents).iloc[:0], report, csv


# --------------------------------------------------------------------------------------------
# the lazy collection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LazyIncidents:
    """Incidents read from partition files by :func:`read_partitions`, not yet computed.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        The kept rows, one pandas partition per file: the columns of
        :func:`hotspot.read_incidents` without ``geometry``, plus ``x_m`` and ``y_m`` (the
        projected coordinates in metres, CRS ``crs``).
    crs : pyproj.CRS
        The projected CRS of every partition.
    paths : tuple of str
        The partition files, in order.
    parts : tuple of dask.delayed.Delayed
        One task per file giving ``(rows, load report)``; shared by every computation.
    source : str
        The folder, glob or list the files came from.
    options : dict
        The ``read_incidents`` options each partition is read with (``crs=`` and
        ``timezone=`` as decided by the first pass).
    first : LoadReport
        The first non-empty partition's report (the schema, columns, CRS and zone chosen).
    client : distributed.Client or None
        Where computations run (None: dask's default scheduler).
    reading : tuple
        What a partition task is given besides its file (the first partition's columns,
        report and text options), to read a partition again.
    rereads : tuple of int
        The partitions that :meth:`settle` read again with the whole archive's decisions
        (empty for a collection made by :func:`read_partitions`).
    selection : tuple of Condition
        The conditions of :meth:`where` applied to every partition's rows (empty: all rows).
    """

    frame: Any
    crs: CRS
    paths: tuple[str, ...]
    parts: tuple[Any, ...] = field(repr=False)
    source: str = ""
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    first: LoadReport | None = field(default=None, repr=False)
    client: Any = field(default=None, repr=False)
    reading: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    rereads: tuple[int, ...] = field(default=(), compare=False)
    selection: tuple[Condition, ...] = field(default=(), compare=False)
    _settled: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    #: Marks the lazy collection for ``hotspot.count_incidents`` / ``space_time_cube``,
    #: which hand it to this class's methods (no import of this package from theirs).
    is_lazy_incidents = True

    def __repr__(self) -> str:
        columns = ", ".join(map(str, self.columns))
        return (
            f"LazyIncidents({self.npartitions:,} partitions from {self.source}, "
            f"crs={_crs_label(self.crs)}, columns: {columns}"
            + (f"; where {self.selection_label()})" if self.selection else ")")
        )

    @property
    def npartitions(self) -> int:
        """Number of partitions (files)."""
        return len(self.parts)

    @property
    def columns(self) -> pd.Index:
        """The columns of every partition."""
        return self.frame.columns

    @property
    def frames(self) -> list[Any]:
        """One delayed pandas DataFrame per partition."""
        return [part[0] for part in self.parts]

    @property
    def reports(self) -> list[Any]:
        """One delayed :class:`hotspot.LoadReport` per partition."""
        return [part[1] for part in self.parts]

    def __len__(self) -> int:
        """Rows kept (computes the load reports)."""
        return self.load_report().rows_kept

    def partition_reports(self) -> list[LoadReport]:
        """The load report of each partition (computed, settled), in file order."""
        current = self.settled_or_self()
        reports = list(compute(current.client, *current.reports))
        settled = current.settle(reports)
        if settled is current:
            return reports
        return settled._spliced_reports(reports)

    def load_report(self) -> LoadReport:
        """The sum of the partitions' load reports (computed): rows read, kept and excluded
        by reason, the excluded rows (indexed by partition file and row), the kept times'
        range; the CRS, schema and zone of the first non-empty partition; each partition's
        notes, prefixed by its file name."""
        return sum_reports(self.partition_reports(), self)

    def where(
        self, predicate: Callable[[pd.DataFrame], Any] | None = None, /, **equals: Any
    ) -> LazyIncidents:
        """The rows that meet every condition, in every partition (nothing is computed now).

        Counts and cubes of the result equal the in-memory functions on ``incidents[mask]``;
        they record the selection in words (``attrs["selection"]``). The load report stays
        the files' (rows read, kept and excluded by the reader). Conditions chain: ``.where(a)
        .where(b)`` keeps the rows meeting both.

        Parameters
        ----------
        predicate : callable, optional
            A function of a partition's pandas DataFrame (the columns of :attr:`columns`:
            ``time``, ``category``, ``x_m``, ``y_m``, the file's own) returning a boolean mask
            of its rows, e.g. ``lambda frame: frame["time"].dt.year == 2020``. It runs on
            the workers (give it a name: the name is how results describe it).
        **equals
            Column name → a value, or a list of values, to keep: ``category="Burglary"``,
            ``category=["Robbery", "Burglary"]``; ``**{"Falls within": "Force 07"}`` for a
            name that is not a Python name.

        Returns
        -------
        LazyIncidents

        Raises
        ------
        HotspotInputError
            No condition, an unknown column, an empty list or a predicate that is not a
            function (when called); a predicate whose result is not a boolean mask of the
            partition's rows (when computed).

        Examples
        --------
        >>> import tempfile, pandas as pd, hotspot as hs
        >>> from hotspot import scale
        >>> from hotspot.datasets import data_path
        >>> raw = pd.read_parquet(data_path("toronto.parquet")).iloc[:3000]
        >>> folder = tempfile.mkdtemp()
        >>> raw.iloc[:1000].to_parquet(f"{folder}/a.parquet")
        >>> raw.iloc[1000:].to_parquet(f"{folder}/b.parquet")
        >>> lazy = scale.read_partitions(folder, quiet=True)
        >>> robbery = lazy.where(category="Robbery")
        >>> robbery.selection_label(), len(robbery.compute()) == int((raw["MCI"] == "Robbery").sum())
        ("category == 'Robbery'", True)
        """
        conditions = conditions_from(predicate, equals, self.columns)
        dask, _ = dask_modules()
        current = self.settled_or_self()
        select = dask.delayed(apply_conditions, pure=True)
        parts = tuple((select(frame, conditions), report) for frame, report in current.parts)
        chosen = dataclasses.replace(
            _assemble(current, parts), selection=current.selection + conditions
        )
        if "settled" in current._settled:
            chosen._settled["settled"] = chosen  # the partitions are already settled
        return chosen

    def selection_label(self) -> str | None:
        """The conditions of :meth:`where` in words, or None when every row is kept."""
        return describe(self.selection)

    def settled_or_self(self) -> LazyIncidents:
        """The collection an earlier :meth:`settle` gave (no computation), else ``self``.

        Start a computation with it, so that partitions once found to decide otherwise than
        the whole archive are not read the provisional way again."""
        return self._settled.get("settled", self)

    def settle(self, reports: Sequence[LoadReport]) -> LazyIncidents:
        """Check the partitions' whole-file decisions against the whole archive's.

        ``reports`` are this collection's partition reports, computed (``self.reports``).
        Their recorded evidence, summed, gives the decisions ``read_incidents`` takes on the
        concatenated files (the day/month order of each group of dates, placeholder dates in
        bulk: see the module's notes). When every partition decided so, this is ``self``: no
        further work. Otherwise it is a new collection whose partitions that decided
        otherwise are read again with the archive's decisions forced (``rereads`` lists
        them): compute with it instead (``settled.frames``, ``settled.reports``). The answer
        is remembered: :meth:`settled_or_self` gives it without computing.

        Raises
        ------
        HotspotInputError
            Where ``read_incidents`` refuses the concatenated files: a large group of dates
            that could be day-first or month-first, or that mixes both (naming the files).

        Examples
        --------
        A file of ``03/02/2019`` alone could be read either way; the archive's other file
        is month-first, so it is read again month-first:

        >>> import dask, tempfile, pandas as pd
        >>> from hotspot import scale
        >>> folder = tempfile.mkdtemp()
        >>> base = {"lat": [43.70] * 30, "lon": [-79.40] * 30}
        >>> pd.DataFrame({**base, "date": ["03/02/2019"] * 30}).to_csv(f"{folder}/a.csv")
        >>> pd.DataFrame({**base, "date": ["02/25/2019"] * 30}).to_csv(f"{folder}/b.csv")
        >>> inc = scale.read_partitions(folder, quiet=True)
        >>> settled = inc.settle(dask.compute(*inc.reports))
        >>> settled.rereads, str(settled.compute()["time"].max())
        ((0,), '2019-03-02 00:00:00')
        """
        known = self._settled.get("settled")
        if known is not None:
            return known
        evidence = [getattr(r, "decisions", None) or {} for r in reports]
        names = [Path(p).name for p in self.paths]
        verdicts = decide_whole(evidence, names)
        parts = list(self.parts)
        done: dict[int, LoadReport] = {}
        # the orders first: placeholder dates are counted among dates read in the right order
        order = [i for i, ev in enumerate(evidence) if not agrees(ev, verdicts, placeholders=False)]
        if order:
            for i in order:
                parts[i] = self._reread(i, verdicts)
            fresh = compute(self.client, *[parts[i][1] for i in order])
            for i, report in zip(order, fresh, strict=True):
                evidence[i], done[i] = report.decisions, report
            verdicts = decide_whole(evidence, names)
        again = [i for i, ev in enumerate(evidence) if not agrees(ev, verdicts)]
        for i in again:
            parts[i] = self._reread(i, verdicts)
            done.pop(i, None)
        if not order and not again:
            self._settled["settled"] = self
            return self
        settled = _assemble(self, tuple(parts))
        settled = dataclasses.replace(settled, rereads=tuple(sorted({*order, *again})))
        settled._settled.update(settled=settled, reports=done)
        self._settled["settled"] = settled
        return settled

    def _reread(self, i: int, verdicts: Verdicts) -> tuple[Any, Any]:
        """Partition ``i``'s task, read with ``verdicts`` forced."""
        dask, _ = dask_modules()
        reader = dask.delayed(read_partition, pure=True, nout=2)
        meta, template, csv = self.reading
        frame, report = reader(self.paths[i], self.options, self.crs, meta, template, csv, verdicts)
        if self.selection:
            frame = dask.delayed(apply_conditions, pure=True)(frame, self.selection)
        return frame, report

    def _spliced_reports(self, before: list[LoadReport]) -> list[LoadReport]:
        """The reports of the collection this one settled (``before``) with the re-read
        partitions' own (computed now where :meth:`settle` did not)."""
        reports = list(before)
        done = self._settled.get("reports", {})
        todo = [i for i in self.rereads if i not in done]
        fresh = dict(
            zip(todo, compute(self.client, *[self.parts[i][1] for i in todo]), strict=True)
        )
        for i in self.rereads:
            reports[i] = done[i] if i in done else fresh[i]
        return reports

    def persist(self) -> LazyIncidents:
        """The same collection, settled (see :meth:`settle`), with every partition read once
        and kept in the cluster's memory (``dask.persist``): later counts and cubes do not
        read the files again."""
        persisted = _persist(self.settled_or_self(), None)
        reports = list(compute(persisted.client, *persisted.reports))
        settled = persisted.settle(reports)
        if settled is persisted:
            return persisted
        done = _persist(settled, settled.rereads)
        done = dataclasses.replace(done, rereads=settled.rereads)
        done._settled["settled"] = done
        return done

    def to_dask_geopandas(self) -> Any:
        """The rows as a ``dask_geopandas.GeoDataFrame`` with point geometry (needs
        dask-geopandas)."""
        try:
            import dask_geopandas
        except ImportError as err:  # pragma: no cover
            raise HotspotInputError(
                "to_dask_geopandas needs dask-geopandas: pip install 'hotspot[scale]'."
            ) from err
        return dask_geopandas.from_dask_dataframe(
            self.frame, geometry=dask_geopandas.points_from_xy(self.frame, X, Y, crs=self.crs)
        )

    def compute(self) -> gpd.GeoDataFrame:
        """All the kept rows in memory as incidents (a GeoDataFrame carrying the summed load
        report), for data that fit; settled (see :meth:`settle`)."""
        current = self.settled_or_self()
        frames, reports = (
            list(x) for x in compute(current.client, current.frames, current.reports)
        )
        settled = current.settle(reports)
        if settled is not current:
            todo = list(settled.rereads)
            fresh = compute(settled.client, *[settled.parts[i] for i in todo])
            for i, (frame, report) in zip(todo, fresh, strict=True):
                frames[i], reports[i] = frame, report
        data = pd.concat(frames, keys=range(len(frames)), names=["partition", frames[0].index.name])
        points = gpd.points_from_xy(data.pop(X), data.pop(Y))
        incidents = gpd.GeoDataFrame(data, geometry=points, crs=self.crs)
        report = sum_reports(list(reports), self)
        incidents.attrs = {
            "hotspot": {
                "kind": "incidents",
                "method": "read_partitions",
                "period": None,
                "read_partitions": {"source": self.source, "npartitions": self.npartitions},
                "rng_seed": None,
                "load_report": report,
                "crs": report.crs,
                "time_resolution": report.time_resolution,
            }
        }
        return incidents

    def count_incidents(
        self, cells: gpd.GeoDataFrame, *, incident_weights: str | None = None, quiet: bool = False
    ) -> gpd.GeoDataFrame:
        """:func:`hotspot.count_incidents` reduced per partition (see
        :func:`hotspot.scale.count_incidents`)."""
        return count_lazy(self, cells, incident_weights=incident_weights, quiet=quiet)

    def space_time_cube(
        self,
        cells: gpd.GeoDataFrame,
        freq: str = "W",
        *,
        start: Any = None,
        end: Any = None,
        aoristic: bool = False,
        incident_weights: str | None = None,
        quiet: bool = False,
    ) -> Any:
        """:func:`hotspot.space_time_cube` reduced per partition (see
        :func:`hotspot.scale.space_time_cube`)."""
        return cube_lazy(
            self,
            cells,
            freq,
            start=start,
            end=end,
            aoristic=aoristic,
            incident_weights=incident_weights,
            quiet=quiet,
        )

    def summed_report(self, reports: list[LoadReport]) -> LoadReport:
        """:func:`sum_reports` of computed partition reports (for the reductions)."""
        return sum_reports(reports, self)


def _persist(lazy: LazyIncidents, which: Sequence[int] | None) -> LazyIncidents:
    """``lazy`` with its partitions (``which`` of them, or all) persisted."""
    dask, _ = dask_modules()
    which = range(lazy.npartitions) if which is None else which
    flat = [task for i in which for task in lazy.parts[i]]
    done = list(dask.persist(*flat) if lazy.client is None else lazy.client.persist(flat))
    parts = list(lazy.parts)
    for k, i in enumerate(which):
        parts[i] = (done[2 * k], done[2 * k + 1])
    return _assemble(lazy, tuple(parts))


def _assemble(lazy: LazyIncidents, parts: tuple[Any, ...]) -> LazyIncidents:
    _, dd = dask_modules()
    meta = lazy.frame._meta
    frame = dd.from_delayed([p[0] for p in parts], meta=meta, verify_meta=False)
    return dataclasses.replace(lazy, parts=parts, frame=frame)


def _finest(resolutions: list[str | None], all_month_starts: bool, n_kept: int) -> str | None:
    """The whole file's time resolution from the partitions': the finest unit, and "month"
    when every partition found months, or when the only others are partitions of under 30
    rows (too few for ``read_incidents`` to call them months) whose first and last times are
    month starts and there are 30 rows in all (an approximation: their middle times are not
    looked at)."""
    found = [r for r in resolutions if r is not None]
    if not found:
        return None
    if all(r == "month" for r in found):
        return "month"
    fine = [r for r in found if r in _RESOLUTIONS[:4]]
    ranked = sorted(fine, key=_RESOLUTIONS.index)
    if ranked and ranked[0] != "day":
        return ranked[0]
    return "month" if all_month_starts and n_kept >= 30 else "day"


def sum_reports(reports: list[LoadReport], lazy: LazyIncidents) -> LoadReport:
    """The partitions' load reports as one: what ``read_incidents`` would report for the
    concatenated file, up to the notes (kept per partition) and the excluded rows' index
    (partition file, row)."""
    first = lazy.first
    assert first is not None  # made by read_partitions
    for path, report in zip(lazy.paths, reports, strict=True):
        if report.rows_read and report.columns != first.columns:
            raise HotspotInputError(
                f"read_partitions: {path} was read with columns {report.columns} but the first "
                f"partition with {first.columns}; name the columns (e.g. time=, lon=, lat=) so "
                "that every partition is read the same way."
            )
    excluded: dict[str, int] = {}
    for reason in REASONS:
        n = sum(r.excluded.get(reason, 0) for r in reports)
        if n:
            excluded[reason] = n
    others = {k for r in reports for k in r.excluded} - set(REASONS)
    for reason in sorted(others):
        excluded[reason] = sum(r.excluded.get(reason, 0) for r in reports)
    frames = [r.excluded_rows for r in reports if len(r.excluded_rows)]
    keys = [p for p, r in zip(lazy.paths, reports, strict=True) if len(r.excluded_rows)]
    if frames:
        excluded_rows = pd.concat(frames, keys=keys, names=["partition", frames[0].index.name])
    else:
        excluded_rows = first.excluded_rows.iloc[:0]
    mins = [r.time_min for r in reports if r.time_min is not None]
    maxs = [r.time_max for r in reports if r.time_max is not None]
    windows = None
    if first.windows is not None:
        windows = {}
        for r in reports:
            for kind, n in (r.windows or {}).items():
                windows[kind] = windows.get(kind, 0) + n
    zone = next((r.timezone for r in reports if r.timezone is not None), None)
    zone_reason = next((r.timezone_reason for r in reports if r.timezone is not None), None)
    kept = [r for r in reports if r.rows_kept]
    month_starts = all(r.time_min is None or _month_start(r.time_min) for r in kept) and all(
        r.time_resolution == "month"
        or (r.time_resolution == "day" and r.rows_kept < 30 and _month_start(r.time_max))
        for r in kept
    )
    resolution = _finest(
        [r.time_resolution for r in kept], month_starts, sum(r.rows_kept for r in kept)
    )
    notes = [
        f"read from {len(reports):,} partitions ({lazy.source}), each by read_incidents; the "
        f"CRS and time zone were decided from the first non-empty partition ({first.source})"
    ]
    for path, report in zip(lazy.paths, reports, strict=True):
        notes.extend(f"{Path(path).name}: {note}" for note in report.notes)
    if len(notes) > MAX_NOTES:
        more = len(notes) - MAX_NOTES
        notes = [*notes[:MAX_NOTES], f"... and {more:,} more (LazyIncidents.partition_reports())"]
    return LoadReport(
        source=lazy.source,
        schema=first.schema,
        columns=dict(first.columns),
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=sum(r.rows_kept for r in reports),
        excluded=excluded,
        excluded_rows=excluded_rows,
        crs=first.crs,
        crs_reason=first.crs_reason,
        time_min=min(mins) if mins else None,
        time_max=max(maxs) if maxs else None,
        time_resolution=resolution,
        notes=tuple(notes),
        timezone=zone,
        timezone_reason=zone_reason,
        read_as=first.read_as,
        windows=windows,
    )


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _month_start(t: pd.Timestamp | None) -> bool:
    return t is not None and t == t.normalize() and t.day == 1


def read_partitions(
    path_or_glob: str | os.PathLike | list[str],
    *,
    client: Any = None,
    quiet: bool = False,
    **read_incidents_options: Any,
) -> LazyIncidents:
    """Read incidents from many Parquet or CSV files as one lazy collection, on Dask.

    Each file is one partition, read and validated by :func:`hotspot.read_incidents` in a
    Dask task; nothing but the first non-empty file is read before a count or a cube asks
    for the data.

    Parameters
    ----------
    path_or_glob : str, PathLike or list of str
        A folder (its ``.parquet``, ``.pq``, ``.geoparquet``, ``.csv``, ``.csv.gz``,
        ``.tsv`` and ``.txt`` files, by name), a glob such as ``"data/part-*.parquet"``, or a
        list of files.
    client : distributed.Client, optional
        Where the partitions are read and reduced, e.g. ``Client(LocalCluster())`` or
        ``Client("tcp://scheduler:8786")`` for a remote cluster (whose workers must see the
        files). Default: dask's default scheduler (a Client made before is the default).
    quiet : bool, default=False
        Do not announce the CRS and time zone chosen for all partitions.
    **read_incidents_options
        Passed to :func:`hotspot.read_incidents` for every file (``lon=``, ``lat=``,
        ``time=``, ``crs=``, ``timezone=``, ``time_range=``, ``study_area=``...). Without
        ``crs=`` the projection is decided from the first non-empty partition and used for
        all; so is the time zone without ``timezone=``.

    Returns
    -------
    LazyIncidents
        ``frame`` (a dask DataFrame of the kept rows with ``x_m``, ``y_m`` in metres),
        ``crs``, and the partitions' load reports, summed by ``load_report()``. Pass it to
        :func:`hotspot.count_incidents` and :func:`hotspot.space_time_cube` like in-memory
        incidents.

    Raises
    ------
    HotspotInputError
        No files match, no partition has a row to keep, the first non-empty partition cannot
        be read (the message of :func:`hotspot.read_incidents`), or an option is not one of
        ``read_incidents``'; at compute time, a partition that ``read_incidents`` refuses,
        or dates that ``read_incidents`` refuses on the concatenated files (a large group of
        day/month dates without evidence of their order, or mixing both orders; see
        :meth:`LazyIncidents.settle`).

    See Also
    --------
    hotspot.read_incidents : the in-memory reader each partition goes through.

    Notes
    -----
    Memory: one partition per worker thread at a time, plus the result (cells or cube). The
    first non-empty partition is read twice (once, eagerly, to decide the CRS); a count reads
    every file once, a cube twice (the first pass finds its first and last time), unless
    :meth:`LazyIncidents.persist` keeps the rows in the cluster's memory. Time: each file
    costs what ``read_incidents`` costs on it (about 0.1 s per 15,000 Toronto rows), spread
    over the workers.

    On a laptop's cluster, and the one line that points the same code at a remote one::

        import geopandas as gpd
        import hotspot as hs
        from distributed import Client, LocalCluster
        from hotspot import scale

        client = Client(LocalCluster(n_workers=4, threads_per_worker=1))
        # client = Client("tcp://scheduler-host:8786")   # a remote scheduler instead
        inc = scale.read_partitions("data/toronto/part-*.parquet", client=client)
        area = gpd.read_file("data/toronto_boundary.gpkg").to_crs(inc.crs)
        cells = hs.count_incidents(inc, hs.square_grid(area, 250))
        cube = hs.space_time_cube(inc, cells, freq="W")

    The workers of a remote cluster must see the files at the same paths (a shared disk or
    object storage mounted alike) and have hotspot installed.

    Examples
    --------
    >>> import tempfile, pandas as pd, hotspot as hs
    >>> from hotspot import scale
    >>> from hotspot.datasets import data_path
    >>> raw = pd.read_parquet(data_path("toronto.parquet")).iloc[:3000]
    >>> folder = tempfile.mkdtemp()
    >>> for k in range(3):
    ...     raw.iloc[k * 1000 : (k + 1) * 1000].to_parquet(f"{folder}/part-{k}.parquet")
    >>> inc = scale.read_partitions(folder, quiet=True)
    >>> inc.npartitions, inc.crs.to_epsg(), inc.load_report().rows_read
    (3, 32617, 3000)
    """
    func = "read_partitions"
    dask, dd = dask_modules()
    paths = partition_paths(path_or_glob, func)
    source = (
        os.fspath(path_or_glob)
        if isinstance(path_or_glob, str | os.PathLike)
        else f"{len(paths):,} files"
    )
    for name in ("source", "quiet"):
        if name in read_incidents_options:
            raise HotspotInputError(
                f"{func}: {name}= is not a read option here; the files come from path_or_glob "
                "and quiet= is read_partitions' own."
            )
    options = dict(read_incidents_options)
    found = None
    for path in paths:
        task = dask.delayed(_first_partition, pure=True)(path, options)
        (found,) = compute(client, task)
        if found is not None:
            break
    if found is None:
        raise HotspotInputError(
            f"{func}: none of the {len(paths):,} partitions has a row to keep (every file is "
            "empty or every row is excluded); read one of them with hotspot.read_incidents() "
            "to see why."
        )
    meta, first, csv = found
    target = CRS.from_user_input(first.crs)
    pinned = dict(options)
    why = []
    if options.get("crs") is None and "lon" in first.columns:
        pinned["crs"] = first.crs
        why.append(f"projected to {first.crs}")
    if options.get("timezone") is None and first.timezone is not None:
        pinned["timezone"] = first.timezone
        why.append(f"times with a UTC offset converted to {first.timezone}")
    if why:
        announce(
            f"{' and '.join(why)} for all {len(paths):,} partitions, as decided from the first "
            f"non-empty one ({first.source}); pass crs= / timezone= to choose",
            quiet=quiet,
        )
    template = dataclasses.replace(
        first, excluded_rows=first.excluded_rows.iloc[:0], notes=(), decisions={}
    )
    reader = dask.delayed(read_partition, pure=True, nout=2)
    parts = tuple(reader(path, pinned, target, meta, template, csv) for path in paths)
    frame = dd.from_delayed([p[0] for p in parts], meta=meta, verify_meta=False)
    return LazyIncidents(
        frame=frame,
        crs=target,
        paths=tuple(paths),
        parts=parts,
        source=source,
        options=pinned,
        first=first,
        client=client,
        reading=(meta, template, csv),
    )
