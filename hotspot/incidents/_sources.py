"""Read an incident source (file or frame) into a DataFrame, with errors that name the file.

Text files (CSV, TSV, TXT, also compressed) have their character encoding, column separator
and decimal mark detected from a sample of the first :data:`SAMPLE_BYTES` bytes, so the file
is read once; spreadsheets (Excel, OpenDocument) are read with python-calamine; multi-layer
vector files (GeoPackage) name their layers. What was used is recorded in
``frame.attrs[SOURCE_KEY]`` (see :func:`read_source`) for the load report.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import glob
import gzip
import io
import lzma
import os
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import pandas as pd

from hotspot.errors import HotspotInputError

SOURCE_KEY = "hotspot_source"
"""Key of ``frame.attrs`` under which :func:`read_source` records how a file was read."""

SAMPLE_BYTES = 1 << 20
"""Bytes read from the start of a text file to detect its encoding, separator and decimal."""

_COMPRESSIONS = ("", ".gz", ".zip", ".bz2", ".xz")
TEXT_SUFFIXES = tuple(base + comp for base in (".csv", ".tsv", ".txt") for comp in _COMPRESSIONS)
CSV_SUFFIXES = TEXT_SUFFIXES  # the name used before spreadsheets were read
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".shp.zip", ".fgb", ".gml", ".kml")
SUPPORTED = TEXT_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES + VECTOR_SUFFIXES

STREAM_BLOCK_BYTES = 1 << 24
"""Bytes of a text file parsed at a time by the streaming reader (and the sample it infers
column types from)."""

SEPARATORS = (",", ";", "\t", "|")
_SNIFF_CHARS = 64 * 1024

# Encodings charset_normalizer may name that are in real use for tabular exports; anything
# else it proposes from a short sample (mac_iceland, cp775, hp_roman8, ...) is usually a
# lookalike of Windows-1252, the code page of Excel and of most UK and Canadian exports.
_COMMON_ENCODINGS = frozenset(
    ["ascii", "utf_8", "utf_16", "utf_16_le", "utf_16_be", "utf_32", "latin_1", "koi8_r"]
    + ["koi8_u", "cp932", "shift_jis", "euc_jp", "iso2022_jp", "gb2312", "gbk", "gb18030"]
    + ["big5", "big5hkscs", "euc_kr", "cp949", "tis_620", "cp874"]
    + [f"cp125{i}" for i in range(9)]
    + [f"iso8859_{i}" for i in range(1, 17)]
)
# Latin-script code pages that share most letters with Windows-1252: on a short sample
# charset_normalizer cannot tell them apart, and the data this package reads (UK, Canadian,
# US and western European exports) is far more often Windows-1252.
_LATIN_LOOKALIKES = frozenset(
    ["cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "cp437", "cp850", "cp852"]
    + ["cp858", "cp775", "hp_roman8", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish"]
    + [f"iso8859_{i}" for i in (1, 2, 3, 4, 9, 10, 13, 14, 15, 16)]
)
# Non-letters that Windows-1252 text commonly holds (currency, quotes, dashes, degrees, ...).
_CP1252_SYMBOLS = frozenset("£€¢¥‘’‚“”„–—…°·×©®™«»\xa0´•§¶")
# Of those, the ones that may stand between two letters of a word (don’t, Saint–Denis).
_INSIDE_WORD = frozenset("’‘·–")
# Each byte as Windows-1252 reads it, or as Latin-1 for the five bytes cp1252 leaves undefined.
_BYTE_AS_CP1252 = tuple(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_DATE = re.compile(
    r"(\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?|\d{1,2}[- ][A-Za-z]{3,9}[- ]\d{2,4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?"
)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_DECIMAL_POINT = re.compile(r"[+-]?\d+\.\d+")


@dataclass
class _Tally:
    """Bytes that the primary encoding could not decode, and what they were read as."""

    count: int = 0
    first: bytes = b""
    context: bytes = b""
    read_as: str = ""

    def add(self, bad: bytes, whole: bytes, start: int, read_as: str) -> None:
        if not self.count:
            self.first = bad
            self.context = bytes(whole[max(0, start - 20) : start + 20])
            self.read_as = read_as
        self.count += len(bad)


_LOCAL = threading.local()


def _fallback_handler(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler for bytes the file's encoding cannot decode.

    In a UTF-8 (or UTF-16/32) file they are read as Windows-1252, the usual culprit of a
    mixed export; in an 8-bit code page (which leaves a handful of bytes undefined) as the
    Latin-1 character of the same number. Each is counted in the current read's tally.
    """
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = bytes(err.object[err.start : err.end])
    unicode = err.encoding.lower().replace("_", "-").startswith("utf")
    read_as = "cp1252" if unicode else "latin-1"
    tally = getattr(_LOCAL, "tally", None)
    if tally is not None:
        tally.add(bad, err.object, err.start, read_as)
    chars = "".join(_BYTE_AS_CP1252[b] for b in bad) if unicode else bad.decode("latin-1")
    return chars, err.end


_FALLBACK = "hotspot-cp1252-fallback"
codecs.register_error(_FALLBACK, _fallback_handler)


@contextmanager
def _tallied() -> Iterator[_Tally]:
    tally = _Tally()
    _LOCAL.tally = tally
    try:
        yield tally
    finally:
        _LOCAL.tally = None


@dataclass
class _Facts:
    """How a file was read: what goes into ``frame.attrs[SOURCE_KEY]``."""

    format: str
    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    layer: str | None = None
    header: int | None = None
    detected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "sep": self.sep,
            "decimal": self.decimal,
            "sheet": self.sheet,
            "layer": self.layer,
            "header": self.header,
            "detected": tuple(self.detected),
            "notes": tuple(self.notes),
        }


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _supported_list() -> str:
    compressed = ", ".join(c for c in _COMPRESSIONS if c)
    others = PARQUET_SUFFIXES + EXCEL_SUFFIXES + VECTOR_SUFFIXES
    return f".csv, .tsv, .txt (also compressed: {compressed}), {', '.join(others)}"


def read_source(
    source: object,
    *,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    header: int | str | None = "infer",
    names: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Read ``source`` and name it for messages.

    Parameters
    ----------
    source : str, PathLike, DataFrame or GeoDataFrame
        A file: text (``.csv``, ``.tsv``, ``.txt``, each also ``.gz``, ``.zip``, ``.bz2``,
        ``.xz``); Parquet or GeoParquet; a spreadsheet (``.xlsx``, ``.xlsm``, ``.xlsb``,
        ``.xls``, ``.ods``); GeoJSON, GeoPackage, Shapefile (also zipped), FlatGeobuf, GML or
        KML. Or a frame, which is used as is (never modified, and no option applies to it).
    encoding : str, optional
        Text files: the character encoding, e.g. ``"utf-8"``, ``"cp1252"``, ``"utf-16"``.
        Default: a byte-order mark if there is one, else UTF-8 when the sample is valid UTF-8,
        else the 8-bit code page charset_normalizer finds (Windows-1252 among look-alikes).
    sep : str, optional
        Text files: the column separator. Default: whichever of ``,`` ``;`` tab ``|`` splits
        the sample's header and rows into the same number of fields (quotes respected).
    decimal : {".", ","}, optional
        Text files: the decimal mark. Default: ``","`` when the separator is not a comma and a
        column of the sample holds only numbers such as ``53,7977``, else ``"."``.
    sheet : str or int, optional
        Spreadsheets: the sheet's name or 0-based position. Required when more than one sheet
        holds data.
    layer : str or int, optional
        Vector files: the layer's name or 0-based position. Required when there are several.
    header : int, None or "infer", default="infer"
        Text files and spreadsheets: the row holding the column names, or None when there is
        none (columns are then ``names`` or ``column_1``, ``column_2``, ...). With ``"infer"``
        the first row is the header, unless ``names`` is given; a first row that looks like data
        (only numbers and dates) is refused rather than used as column names.
    names : sequence of str, optional
        Column names, for a file without a header row (or to replace the header's names when
        ``header`` is a row number).

    Returns
    -------
    frame : DataFrame or GeoDataFrame
        For a file, ``frame.attrs["hotspot_source"]`` (:data:`SOURCE_KEY`) records how it was
        read: a dict with ``format`` (the suffix without its dot), ``encoding``, ``sep``,
        ``decimal`` (text files), ``sheet`` (spreadsheets), ``layer`` (vector files),
        ``header`` (the header row, or None), ``detected`` (the names of the options that were
        detected rather than given) and ``notes`` (sentences for the load report, e.g. bytes
        that were not valid UTF-8). Options that do not apply are None.
    name : str
        The file's path, or ``"DataFrame"`` / ``"GeoDataFrame"``.

    Raises
    ------
    HotspotInputError
        When ``source`` is neither a path nor a frame; when the file is missing, empty, of an unknown type or unreadable; when a workbook has
        several sheets with data or a vector file several layers and none was chosen; when the
        first row of a text file looks like data; when an option does not apply to the source
        or names a sheet or layer that is not there.

    Examples
    --------
    A semicolon-separated Windows-1252 export with decimal commas:

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = folder / "export.csv"
    >>> _ = path.write_bytes("lat;lon;street\\n53,7977;-1,5432;Café Row\\n".encode("cp1252"))
    >>> frame, name = read_source(path)
    >>> frame["street"].tolist(), frame["lat"].tolist()
    (['Café Row'], [53.7977])
    >>> facts = frame.attrs["hotspot_source"]
    >>> facts["encoding"], facts["sep"], facts["decimal"], facts["detected"]
    ('cp1252', ';', ',', ('encoding', 'sep', 'decimal'))
    """
    if isinstance(source, pd.DataFrame):
        name = "GeoDataFrame" if isinstance(source, gpd.GeoDataFrame) else "DataFrame"
        _refuse_options(
            name,
            "a frame, which is used as it is",
            encoding=encoding,
            sep=sep,
            decimal=decimal,
            sheet=sheet,
            layer=layer,
            header=header,
            names=names,
        )
        return source, name
    if not isinstance(source, str | os.PathLike):
        shown = repr(source) if len(repr(source)) <= 40 else f"<{type(source).__name__}>"
        raise HotspotInputError(
            f"read_incidents: source={shown} is a {type(source).__name__}, not a file path, a "
            "pandas DataFrame or a GeoDataFrame; pass the path of the file, or read it into a "
            "DataFrame first (e.g. pd.DataFrame(data))."
        )
    path = Path(source)
    name = str(path)
    many = (
        "; to read many files together (one partition each, validated as here), use "
        f"hotspot.scale.read_partitions({name!r}) (needs the scale extra: pip install "
        "'hotspot[scale]'), or pd.concat the files into one DataFrame"
    )
    if not path.exists():
        if glob.has_magic(name) and glob.glob(name):
            raise HotspotInputError(
                f"{name} is a pattern matching {len(glob.glob(name)):,} files; read_incidents "
                f"reads one file{many}."
            )
        raise HotspotInputError(f"{name}: no such file. Check the path (cwd is {Path.cwd()}).")
    if path.is_dir():
        raise HotspotInputError(f"{name} is a folder; pass the incident file inside it{many}.")
    if path.stat().st_size == 0:
        raise HotspotInputError(f"{name} is empty (0 bytes): there are no incidents to read.")
    suffix = _suffix(path)
    if suffix not in SUPPORTED:
        raise HotspotInputError(
            f"{name}: unknown file type {suffix or '(no extension)'!r}. Supported: "
            f"{_supported_list()}; or read it yourself and pass the DataFrame."
        )
    facts = _Facts(format=suffix.lstrip("."))
    text_options = {"encoding": encoding, "sep": sep, "decimal": decimal}
    try:
        if suffix in TEXT_SUFFIXES:
            _refuse_options(name, "a text file", sheet=sheet, layer=layer)
            frame = _read_text(path, suffix, name, facts, encoding, sep, decimal, header, names)
        elif suffix in EXCEL_SUFFIXES:
            _refuse_options(name, "a spreadsheet", layer=layer, **text_options)
            frame = _read_excel(path, name, facts, sheet, header, names)
        elif suffix in PARQUET_SUFFIXES:
            _refuse_options(
                name,
                "a Parquet file",
                sheet=sheet,
                layer=layer,
                header=header,
                names=names,
                **text_options,
            )
            frame = _read_parquet(path)
        else:
            _refuse_options(
                name, "a vector file", sheet=sheet, header=header, names=names, **text_options
            )
            frame = _read_vector(path, name, facts, layer)
    except HotspotInputError:
        raise
    except Exception as err:  # every reader has its own exception zoo
        raise HotspotInputError(
            f"{name}: could not be read as {suffix.lstrip('.') or 'a known type'} "
            f"({type(err).__name__}: {str(err).strip()[:200]}). Check that the file is complete "
            f"and of the type its extension says{_read_as(facts)}."
        ) from err
    if len(frame.columns) == 0:
        raise HotspotInputError(f"{name}: no columns could be read; is it really a table?")
    frame.attrs[SOURCE_KEY] = facts.as_dict()
    return frame, name


def _read_as(facts: _Facts) -> str:
    """The text options used, for an error message: how to change them."""
    if facts.encoding is None:
        return ""
    parts = [f"encoding={facts.encoding!r}"]
    if facts.sep is not None:
        parts.append(f"sep={facts.sep!r}")
    if facts.decimal is not None:
        parts.append(f"decimal={facts.decimal!r}")
    return f"; it was read with {', '.join(parts)}: pass the right ones if those are wrong"


def _refuse_options(name: str, what: str, **options: Any) -> None:
    """Raise when an option was given that does not apply to this kind of source."""
    given = [
        key
        for key, value in options.items()
        if value is not None and not (key == "header" and value in ("infer", 0))
    ]
    if given:
        listed = ", ".join(f"{key}=" for key in given)
        raise HotspotInputError(
            f"{name}: {listed} {'does' if len(given) == 1 else 'do'} not apply to {what}; "
            "leave it out (encoding, sep and decimal are for text files, sheet for "
            "spreadsheets, layer for vector files, header and names for text files and "
            "spreadsheets)."
        )


# --------------------------------------------------------------------------------------------
# text files
# --------------------------------------------------------------------------------------------


@contextmanager
def _open_binary(path: Path, name: str) -> Iterator[IO[bytes]]:
    """The file's (decompressed) bytes as a binary stream, closed on leaving."""
    lower = path.name.lower()
    if lower.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            if len(members) != 1:
                listed = ", ".join(members[:10]) or "nothing"
                raise HotspotInputError(
                    f"{name}: the zip archive holds {len(members)} files ({listed}); it must "
                    "hold exactly one table. Unzip it and pass the incident file."
                )
            with archive.open(members[0]) as handle:
                yield handle
        return
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(Path(lower).suffix, open)
    with opener(path, "rb") as handle:
        yield handle


def _sample(path: Path, name: str) -> tuple[bytes, bool]:
    """The first :data:`SAMPLE_BYTES` bytes and whether they are the whole file."""
    with _open_binary(path, name) as handle:
        sample = handle.read(SAMPLE_BYTES + 1)
    return sample[:SAMPLE_BYTES], len(sample) <= SAMPLE_BYTES


def _read_text(
    path: Path,
    suffix: str,
    name: str,
    facts: _Facts,
    encoding: str | None,
    sep: str | None,
    decimal: str | None,
    header: int | str | None,
    names: Sequence[str] | None,
) -> pd.DataFrame:
    header_row = _check_header(name, header, names)
    sample, complete = _sample(path, name)
    if encoding is None:
        encoding, how = _detect_encoding(sample, complete)
        facts.detected.append("encoding")
        if how:
            facts.notes.append(how)
    else:
        encoding = _codec_name(encoding, name)
    facts.encoding = encoding
    text = _decode_sample(sample, complete, encoding, name, strict="encoding" not in facts.detected)
    if complete and not text.strip():
        raise HotspotInputError(
            f"{name}: holds no text, only blank lines or a byte-order mark: there are no "
            "incidents to read."
        )
    head = text if complete and len(text) <= _SNIFF_CHARS else _cut(text, _SNIFF_CHARS)

    if sep is None:
        default = "\t" if suffix.startswith(".tsv") else ","
        sep = _detect_sep(head, default)
        facts.detected.append("sep")
    else:
        sep = {"\\t": "\t", "tab": "\t"}.get(sep, sep)
        if not sep:
            raise HotspotInputError(f"{name}: sep='' is empty; pass the column separator.")
    facts.sep = sep
    records = _records(head, sep)
    skip = 0 if header_row is None else header_row + 1
    if decimal is None:
        decimal = _detect_decimal(records[skip:], sep)
        facts.detected.append("decimal")
    elif decimal not in (".", ","):
        raise HotspotInputError(
            f"{name}: decimal={decimal!r} is not a decimal mark; pass decimal='.' or decimal=','."
        )
    facts.decimal = decimal
    facts.header = header_row

    if header == "infer" and names is None:
        filled = [r for r in records[:2] if any(v.strip() for v in r)]
        if filled and _looks_like_data(filled[0], filled[1] if len(filled) > 1 else None):
            raise HotspotInputError(_headerless_message(name, filled[0]))
    frame = _parse_text(path, name, facts, encoding, sep, decimal, header_row)
    return _name_columns(frame, name, header_row, names)


def _check_header(name: str, header: int | str | None, names: Sequence[str] | None) -> int | None:
    """The 0-based header row pandas should use, or None for no header row."""
    if isinstance(names, str):
        raise HotspotInputError(
            f"{name}: names= must be a list of column names, e.g. names=['lat', 'lon', 'date'], "
            f"not the string {names!r}."
        )
    if header == "infer":
        return 0 if names is None else None
    if header is None:
        return None
    if isinstance(header, int) and not isinstance(header, bool) and header >= 0:
        return header
    raise HotspotInputError(
        f"{name}: header={header!r} is not allowed; pass 'infer' (the default), a row number "
        "such as header=0, or header=None for a file without a header row (with names=[...])."
    )


def _codec_name(encoding: str, name: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise HotspotInputError(
            f"{name}: encoding={encoding!r} is not an encoding Python knows; pass one such as "
            "'utf-8', 'cp1252' (Windows/Excel), 'latin-1' or 'utf-16', or leave it out to detect "
            "it."
        ) from None


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _detect_encoding(sample: bytes, complete: bool) -> tuple[str, str]:
    """The sample's encoding, and a note when it is neither UTF-8 nor marked by a BOM.

    Raises ValueError when the sample looks binary (NUL bytes outside UTF-16/32).
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding, ""
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, f"no byte-order mark, but the zero bytes say {utf16}"
    nul = sample.find(b"\x00")
    if nul >= 0:
        raise ValueError(
            f"it holds a NUL byte at byte {nul:,}, which text never does: it looks binary"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", ""
    # A UTF-8 export with a few stray Windows-1252 bytes (pasted in from elsewhere): its
    # well-formed multi-byte sequences outnumber the bytes that are not UTF-8. Decoding it all
    # as cp1252 would garble every accented letter; the stray bytes alone are read as cp1252.
    with _tallied() as tally:
        codecs.getincrementaldecoder("utf-8")(errors=_FALLBACK).decode(sample, final=complete)
    if len(_UTF8_SEQUENCE.findall(sample)) >= 2 * tally.count:
        return "utf-8", ""  # the read notes the stray bytes
    encoding = _eight_bit(sample)
    return encoding, f"not UTF-8: the sample reads as {encoding} (detected)"


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of the start is zero (ASCII in UTF-16)."""
    head = sample[:4096]
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for encoding, zeros, others in (
        ("utf-16-le", zeros_odd, zeros_even),
        ("utf-16-be", zeros_even, zeros_odd),
    ):
        if zeros > 0.6 and others < 0.05:
            try:
                head.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def _eight_bit(sample: bytes) -> str:
    """The code page of a sample that is not UTF-8.

    charset_normalizer ranks the candidates on the sample's lines that hold non-ASCII bytes.
    Windows-1252 wins when it is among the equivalent decodings of the best one; or when the
    best is another Latin-script code page (or a rarely used one) and Windows-1252 reads the
    sample as letters and common symbols, none wedged inside a word. So Polish or Czech
    Windows-1250 text (``Zażółć``, which Windows-1252 reads as ``Za¿ó³æ``) keeps its code page,
    as Cyrillic or Greek do, while Turkish or Hungarian text whose letters Windows-1252 also
    reads as letters is read as Windows-1252: pass ``encoding=`` for those.
    """
    from charset_normalizer import from_bytes

    lines = re.findall(rb"[^\n]*[\x80-\xff][^\n]*\n?", sample)
    payload = b"".join(lines)[:_SNIFF_CHARS]
    # a short sample dense in accented letters can exceed the default "mess" threshold (0.2)
    best = from_bytes(payload).best() or from_bytes(payload, threshold=0.6).best()
    cp1252 = _plausible_cp1252(payload)
    if best is None:
        return "cp1252" if cp1252 is not None else "iso8859-1"
    candidates = {best.encoding, *best.could_be_from_charset}
    if cp1252 is not None and (
        "cp1252" in candidates
        or best.encoding in ("latin_1", "iso8859_1")
        or (
            cp1252
            and (best.encoding in _LATIN_LOOKALIKES or best.encoding not in _COMMON_ENCODINGS)
        )
    ):
        return "cp1252"
    return codecs.lookup(best.encoding).name


def _plausible_cp1252(payload: bytes) -> bool | None:
    """None when Windows-1252 cannot decode ``payload``; else whether it reads as text.

    Text: nineteen in twenty non-ASCII characters are letters or common symbols, and no
    symbol other than an apostrophe, a middle dot or a dash stands between two letters.
    """
    try:
        text = payload.decode("cp1252")
    except UnicodeDecodeError:
        return None
    wide = [i for i, c in enumerate(text) if ord(c) > 127]
    good = 0
    for i in wide:
        c = text[i]
        if c.isalpha():
            good += 1
        elif c in _CP1252_SYMBOLS:
            inside = 0 < i < len(text) - 1 and text[i - 1].isalpha() and text[i + 1].isalpha()
            good += not inside or c in _INSIDE_WORD
    return good >= 0.95 * len(wide)


def _decode_sample(sample: bytes, complete: bool, encoding: str, name: str, strict: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict" if strict else _FALLBACK)
    try:
        text = decoder.decode(sample, final=complete)
    except UnicodeDecodeError as err:
        raise HotspotInputError(_decode_message(name, encoding, err, sample)) from err
    return text[1:] if text.startswith("\ufeff") else text


def _decode_message(name: str, encoding: str, err: UnicodeDecodeError, data: bytes = b"") -> str:
    where = f" at byte {err.start:,}" if data else ""
    context = bytes(err.object[max(0, err.start - 20) : err.end + 20])
    return (
        f"{name}: is not valid {encoding} text (byte {err.object[err.start]:#04x}{where}, in "
        f"{context!r}). Pass the file's encoding, e.g. encoding='cp1252' (Windows and Excel "
        "exports), 'latin-1' or 'utf-16', or leave encoding= out to detect it."
    )


def _cut(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, ending at a line end when there is one."""
    head = text[:limit]
    end = max(head.rfind("\n"), head.rfind("\r"))
    return head[: end + 1] if end > 0 else head


def _records(text: str, sep: str) -> list[list[str]]:
    """The sample's records split on ``sep`` (quotes respected); [] when it will not split."""
    if len(sep) != 1:
        return [re.split(sep, line) for line in text.splitlines()]
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=sep) if row]
    except csv.Error:
        return []


def _detect_sep(text: str, default: str) -> str:
    """The separator that splits the header and most rows into the same number (>= 2) of fields.

    Ranked by: the header has as many fields as most rows; the share of rows with that many
    fields; being the file type's usual separator; the number of fields.
    """
    ranked = []
    for sep in SEPARATORS:
        counts = [len(row) for row in _records(text, sep)]
        if not counts:
            continue
        fields, rows = Counter(counts).most_common(1)[0]
        if fields < 2:
            continue
        ranked.append(((counts[0] == fields, rows / len(counts), sep == default, fields), sep))
    return max(ranked)[1] if ranked else default


def _detect_decimal(rows: list[list[str]], sep: str) -> str:
    """``","`` when a column holds only numbers like ``53,7977`` and none like ``53.7977``."""
    if sep == "," or not rows:
        return "."
    width = max(len(row) for row in rows)
    comma = point = False
    for j in range(width):
        values = [row[j].strip() for row in rows if j < len(row) and row[j].strip()]
        if not values:
            continue
        if all(_DECIMAL_COMMA.fullmatch(v) for v in values):
            comma = True
        elif all(_DECIMAL_POINT.fullmatch(v) for v in values):
            point = True
    return "," if comma and not point else "."


def _looks_like_data(first: Sequence[Any], second: Sequence[Any] | None = None) -> bool:
    """Whether a header row looks like a row of data.

    It does when every non-empty value is a number or a date; or when at least half are and
    the next row has a number or a date in each of those columns too (a header with a year
    among its names, above rows of counts, is the rare false alarm: ``header=0`` keeps it).
    """
    texts = [str(v).strip() for v in first]
    kinds = [_kind(t) for t in texts]
    filled = [k for t, k in zip(texts, kinds, strict=True) if t]
    if not filled:
        return False
    data_like = [k for k in filled if k]
    if len(data_like) == len(filled):
        return True
    if second is None or 2 * len(data_like) < len(filled):
        return False
    below = [str(v).strip() for v in second]
    return all(
        j < len(below) and _kind(below[j]) for j, kind in enumerate(kinds) if kind and texts[j]
    )


def _kind(text: str) -> str:
    if _NUMBER.fullmatch(text):
        return "number"
    if _DATE.fullmatch(text):
        return "date"
    return ""


def _headerless_message(name: str, first: Sequence[Any]) -> str:
    shown = ", ".join(repr(str(v).strip()) for v in list(first)[:6])
    if len(first) > 6:
        shown += ", ..."
    n = len(first)
    example = ",".join(chr(ord("a") + i) for i in range(min(n, 3))) + (",..." if n > 3 else "")
    return (
        f"{name}: the first row ({shown}) looks like data, not column names: its values are "
        "numbers and dates like the rows below it. If the file has no header row, pass "
        f"header=None with names=[...] giving its {n} column names (CLI: --no-header --names "
        f"{example}); if that row really is the header, pass header=0."
    )


def _parse_text(
    path: Path,
    name: str,
    facts: _Facts,
    encoding: str,
    sep: str,
    decimal: str,
    header: int | None,
) -> pd.DataFrame:
    """Parse the whole file: pyarrow's parallel reader for UTF-8, pandas' C reader otherwise.

    The pyarrow engine is several times faster on exports of a few hundred thousand rows. It
    leaves a column with invalid UTF-8 as bytes; then, or when it refuses the dialect, pandas'
    C reader reads the file again with the bytes that are not UTF-8 read as Windows-1252
    (only when the encoding was detected: a given encoding is kept strictly).
    """
    strict = "encoding" not in facts.detected
    options: dict[str, Any] = {"sep": sep, "decimal": decimal, "header": header}
    if encoding in ("utf-8", "utf-8-sig") and len(sep) == 1:
        streamed = _stream_csv(path, sep, decimal, header)
        if streamed is not None:
            return streamed
        try:
            if path.name.lower().endswith(".zip"):
                with _open_binary(path, name) as handle:
                    frame = pd.read_csv(handle, engine="pyarrow", **options)
            else:  # by path: pyarrow reads the file itself, without Python in the loop
                frame = pd.read_csv(path, engine="pyarrow", **options)
        except (ValueError, TypeError, OSError):
            frame = None
        if frame is not None and not _has_bytes(frame):
            return frame
    errors = "strict" if strict or encoding.startswith(("utf-16", "utf-32")) else _FALLBACK
    engine = "c" if len(sep) == 1 else "python"
    extra = {"low_memory": False} if engine == "c" else {}
    with _tallied() as tally, _open_binary(path, name) as handle:
        try:
            frame = pd.read_csv(
                handle, encoding=encoding, encoding_errors=errors, engine=engine, **options, **extra
            )
        except UnicodeDecodeError as err:
            raise HotspotInputError(_decode_message(name, encoding, err)) from err
    if tally.count:
        was = "was" if tally.count == 1 else "were"
        facts.notes.append(
            f"{_plural(tally.count, 'byte')} {was} not valid {encoding} (the first, "
            f"{tally.first!r}, in {tally.context!r}) and {was} read as {tally.read_as}; pass "
            "encoding= if that is wrong"
        )
        facts.encoding = f"{encoding}+{tally.read_as}"
    return frame


def _stream_csv(path: Path, sep: str, decimal: str, header: int | None) -> pd.DataFrame | None:
    """An uncompressed UTF-8 file with a plain header read block by block, in less memory.

    ``pd.read_csv(engine="pyarrow")`` parses the whole file at once: its scratch buffers
    (about 130 bytes per row on a crime export) come on top of the table, and the freed
    memory stays with the allocator. Reading :data:`STREAM_BLOCK_BYTES` at a time keeps one
    block's scratch, and each block's buffers are sized to it. The result is what pandas'
    pyarrow engine gives (same null markers, an all-empty column as float64, the default string
    dtype); None, for the whole-file reader, when the header is not a row of distinct names,
    a later block does not fit the types inferred from the first (a column of numbers turning
    to text, invalid UTF-8: pyarrow then raises), or the file is compressed or empty.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from pandas._libs.parsers import STR_NA_VALUES

    if header != 0 or _suffix(path) not in (".csv", ".tsv", ".txt"):
        return None
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=STREAM_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                null_values=sorted(STR_NA_VALUES),
                strings_can_be_null=True,
                decimal_point=decimal,
            ),
        )
        names = reader.schema.names
        if len(set(names)) != len(names) or not all(names):
            return None  # pandas renames repeated and empty names: its reader does that
        table = pa.Table.from_batches(list(reader), schema=reader.schema)
    except (pa.ArrowException, ValueError, OSError):
        return None
    del reader
    plain = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean)
    plain += (pa.types.is_string, pa.types.is_large_string, pa.types.is_timestamp)
    plain += (pa.types.is_date32,)  # ISO dates: datetime.date objects, as pandas' engine gives
    for i, kind in enumerate(table.schema.types):
        if pa.types.is_null(kind):  # an all-empty column: float64, as pandas' engine makes it
            table = table.set_column(
                i, table.field(i).with_type(pa.float64()), table.column(i).cast(pa.float64())
            )
        elif not any(test(kind) for test in plain):
            return None
    return table.to_pandas(self_destruct=True, split_blocks=True)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _has_bytes(frame: pd.DataFrame) -> bool:
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            first = values.first_valid_index()
            if first is not None and isinstance(values.loc[first], bytes | bytearray):
                return True
    return any(isinstance(c, bytes | bytearray) for c in frame.columns)


def _name_columns(
    frame: pd.DataFrame, name: str, header: int | None, names: Sequence[str] | None
) -> pd.DataFrame:
    """Columns named by ``names``, or ``column_1...`` when there was no header row."""
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != len(frame.columns):
            raise HotspotInputError(
                f"{name}: names= gives {len(names)} names ({', '.join(names)}) but the file has "
                f"{len(frame.columns)} columns; give one name per column."
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise HotspotInputError(
                f"{name}: names= repeats {', '.join(map(repr, repeated))}; give each column its "
                "own name."
            )
        frame.columns = names
    elif header is None:
        frame.columns = [f"column_{i + 1}" for i in range(len(frame.columns))]
    return frame


# --------------------------------------------------------------------------------------------
# spreadsheets, Parquet, vector files
# --------------------------------------------------------------------------------------------


def _read_excel(
    path: Path,
    name: str,
    facts: _Facts,
    sheet: str | int | None,
    header: int | str | None,
    names: Sequence[str] | None,
) -> pd.DataFrame:
    from python_calamine import CalamineWorkbook

    header_row = _check_header(name, header, names)
    workbook = CalamineWorkbook.from_path(str(path))
    sheets = list(workbook.sheet_names)
    if not sheets:
        raise HotspotInputError(f"{name}: the workbook has no sheets.")
    if sheet is None:
        chosen = _only_sheet(workbook, sheets, name)
        facts.detected.append("sheet")
        if len(sheets) > 1:
            facts.notes.append(
                f"read sheet {chosen!r}, the only visible sheet with data of the "
                f"{len(sheets)} in the workbook ({_quoted(sheets)})"
            )
    else:
        chosen = _pick(sheet, sheets, name, "sheet", _sheet_fix(sheets[0]))
    facts.sheet = chosen
    facts.header = header_row
    frame = pd.read_excel(path, sheet_name=chosen, engine="calamine", header=header_row)
    if frame.empty and len(frame.columns) == 0:
        others = [s for s in sheets if s != chosen]
        hint = f"; the other sheets are {_quoted(others)}" if others else ""
        raise HotspotInputError(
            f"{name}: sheet {chosen!r} is empty: there are no incidents to read{hint}. Pick the "
            f"sheet with the incidents with {_sheet_fix(others[0] if others else chosen)}."
        )
    if header == "infer" and names is None:
        second = frame.iloc[0].tolist() if len(frame) else None
        if _looks_like_data(list(frame.columns), second):
            raise HotspotInputError(_headerless_message(name, list(frame.columns)))
    return _name_columns(frame, name, header_row, names)


def _sheet_fix(example: str) -> str:
    return f"sheet={example!r} (CLI: --sheet {_cli_quote(example)})"


def _cli_quote(value: str) -> str:
    return f"'{value}'" if re.search(r"[^\w.-]", value) else value


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _only_sheet(workbook: Any, sheets: list[str], name: str) -> str:
    """The workbook's one sheet, or its one visible worksheet with data; else raise."""
    if len(sheets) == 1:
        return sheets[0]
    rows = {}
    for meta in workbook.sheets_metadata:
        kind = str(getattr(meta, "typ", "WorkSheet"))
        visible = str(getattr(meta, "visible", ".Visible"))  # e.g. SheetVisibleEnum.Hidden
        if "WorkSheet" not in kind or not visible.endswith(".Visible"):
            continue
        height = workbook.get_sheet_by_name(meta.name).height
        if height:
            rows[meta.name] = height
    if len(rows) == 1:
        return next(iter(rows))
    if not rows:
        raise HotspotInputError(
            f"{name}: none of the workbook's visible sheets ({_quoted(sheets)}) holds data: "
            "there are no incidents to read. Pick a hidden one with sheet='...'."
        )
    listed = ", ".join(f"{s!r} ({n - 1:,} rows)" for s, n in rows.items())
    first = next(iter(rows))
    raise HotspotInputError(
        f"{name}: the workbook has {len(rows)} sheets with data: {listed}. Say which holds the "
        f"incidents with {_sheet_fix(first)}, or by position, sheet=0."
    )


def _pick(choice: str | int, options: list[str], name: str, what: str, fix: str) -> str:
    """The option named by ``choice`` (a name, or a 0-based position as a number or a string
    of digits that names no option), else raise."""
    if isinstance(choice, int) and not isinstance(choice, bool):
        if -len(options) <= choice < len(options):
            return options[choice]
        raise HotspotInputError(
            f"{name}: {what}={choice} is out of range: there are {len(options)} {what}s "
            f"({_quoted(options)}), numbered from 0. Pass {fix}."
        )
    if isinstance(choice, str):
        if choice in options:
            return choice
        folded = [o for o in options if o.casefold() == choice.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        if choice.strip().isdigit():  # a position typed on the command line: --sheet 1
            return _pick(int(choice), options, name, what, fix)
        raise HotspotInputError(
            f"{name}: no {what} named {choice!r}; the {what}s are {_quoted(options)}. "
            f"Pass one of them, e.g. {fix}."
        )
    raise HotspotInputError(
        f"{name}: {what}= must be a name or a 0-based position, not {type(choice).__name__}; "
        f"e.g. {fix}."
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" in metadata:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _read_vector(path: Path, name: str, facts: _Facts, layer: str | int | None) -> pd.DataFrame:
    import pyogrio

    layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    if layer is None:
        if len(layers) > 1:
            counts = [_feature_count(pyogrio, path, one) for one in layers]
            listed = ", ".join(f"{one!r} ({n})" for one, n in zip(layers, counts, strict=True))
            raise HotspotInputError(
                f"{name}: the file has {len(layers)} layers: {listed}. Say which holds the "
                f"incidents with {_layer_fix(layers[0])}, or by position, layer=0."
            )
        chosen = layers[0] if layers else None
        facts.detected.append("layer")
    else:
        chosen = _pick(layer, layers, name, "layer", _layer_fix(layers[0] if layers else "..."))
    facts.layer = chosen
    if chosen is None:
        return gpd.read_file(path)
    return gpd.read_file(path, layer=chosen)


def _layer_fix(example: str) -> str:
    return f"layer={example!r} (CLI: --layer {_cli_quote(example)})"


def _feature_count(pyogrio: Any, path: Path, layer: str) -> str:
    try:
        n = int(pyogrio.read_info(path, layer=layer, force_feature_count=True)["features"])
    except Exception:  # a count is a courtesy in an error message, never a new error
        return "rows unknown"
    return _plural(n, "row")
