"""Read an incident source (file or frame) into a DataFrame, with errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hotspot.errors import HotspotInputError

CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.zip", ".csv.bz2", ".csv.xz", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".shp.zip", ".fgb", ".gml", ".kml")
SUPPORTED = CSV_SUFFIXES + PARQUET_SUFFIXES + VECTOR_SUFFIXES


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def read_source(source: object) -> tuple[pd.DataFrame, str]:
    """Read ``source`` and name it for messages.

    Parameters
    ----------
    source : str, PathLike, DataFrame or GeoDataFrame
        A file (CSV, optionally compressed; Parquet or GeoParquet; GeoJSON; GeoPackage;
        Shapefile) or a frame, which is used as is (never modified).

    Returns
    -------
    frame : DataFrame or GeoDataFrame
    name : str

    Raises
    ------
    TypeError
        When ``source`` is neither a path nor a frame.
    HotspotInputError
        When the file is missing, empty, of an unknown type or unreadable.
    """
    if isinstance(source, gpd.GeoDataFrame):
        return source, "GeoDataFrame"
    if isinstance(source, pd.DataFrame):
        return source, "DataFrame"
    if not isinstance(source, str | os.PathLike):
        raise TypeError(
            "read_incidents() takes a file path, a pandas DataFrame or a GeoDataFrame, "
            f"not {type(source).__name__}"
        )
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise HotspotInputError(f"{name}: no such file. Check the path (cwd is {Path.cwd()}).")
    if path.is_dir():
        raise HotspotInputError(f"{name} is a folder; pass the incident file inside it.")
    if path.stat().st_size == 0:
        raise HotspotInputError(f"{name} is empty (0 bytes): there are no incidents to read.")
    suffix = _suffix(path)
    try:
        if suffix in CSV_SUFFIXES:
            frame = _read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        elif suffix in PARQUET_SUFFIXES:
            frame = _read_parquet(path)
        elif suffix in VECTOR_SUFFIXES:
            frame = gpd.read_file(path)
        else:
            raise HotspotInputError(
                f"{name}: unknown file type {suffix or '(no extension)'!r}. Supported: "
                f"{', '.join(SUPPORTED)}; or read it yourself and pass the DataFrame."
            )
    except HotspotInputError:
        raise
    except Exception as err:  # every reader has its own exception zoo
        raise HotspotInputError(
            f"{name}: could not be read as {suffix.lstrip('.') or 'a known type'} "
            f"({type(err).__name__}: {str(err).strip()[:200]}). Check that the file is complete "
            "and of the type its extension says."
        ) from err
    if len(frame.columns) == 0:
        raise HotspotInputError(f"{name}: no columns could be read; is it really a table?")
    return frame, name


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    # The pyarrow engine reads in parallel and is several times faster than the C engine on
    # exports of a few hundred thousand rows; it refuses some dialects, where pandas' own reader
    # takes over.
    try:
        return pd.read_csv(path, sep=sep, engine="pyarrow")
    except (ValueError, TypeError, OSError):
        return pd.read_csv(path, sep=sep, low_memory=False)


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" in metadata:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)
