"""The Dask path: incidents in many files, read, counted and binned per partition.

:func:`read_partitions` reads a folder or glob of Parquet/CSV files, each file a partition
validated by :func:`hotspot.read_incidents`, into :class:`LazyIncidents`;
:func:`hotspot.count_incidents` and :func:`hotspot.space_time_cube` take them like in-memory
incidents (or call :func:`count_incidents` / :func:`space_time_cube` here) and give the same
cells and cube. Everything runs on the ``distributed.Client`` given to
:func:`read_partitions` (or dask's default scheduler). Needs the ``scale`` extra:
``pip install 'hotspot[scale]'``.
"""

from hotspot.scale.count import count_incidents
from hotspot.scale.cube import space_time_cube
from hotspot.scale.read import LazyIncidents, read_partitions

__all__ = [
    "LazyIncidents",
    "count_incidents",
    "read_partitions",
    "space_time_cube",
]
