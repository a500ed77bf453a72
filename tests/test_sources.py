"""Bad-input matrix for the readers behind ``read_incidents``: encodings, separators, decimal
commas, spreadsheets, layers and header rows.

Each case is a small real file written to ``tmp_path`` and either loads through
``hs.read_incidents`` (the right rows, every row read either kept or excluded, text columns
``str`` with the right characters, and the encoding, separator and decimal recorded in
``attrs["hotspot_source"]``) or raises a ``HotspotInputError`` whose message names the file,
the cause and the fix.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import hotspot as hs
from hotspot import HotspotInputError
from hotspot.incidents._sources import SAMPLE_BYTES, SOURCE_KEY, read_source

CATEGORIES = [
    "Burglary",
    "Vol à l'étalage",  # French, as in Canadian exports
    "Dégradation – £50",  # en dash and pound sign: both differ between cp1252 and Latin-1
    "Robbery",
    "Théft",
    "Burglary",
    "Criminal damage",
    "Vehicle crime",
]
STREET = "On or near Café Street"
N = len(CATEGORIES)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def msg(*parts: str) -> str:
    """A regex matching the literal ``parts`` in order, anything in between."""
    return ".*".join(re.escape(p) for p in parts)


def table(sep: str = ",", decimal: str = ".", header: bool = True) -> str:
    """Eight incidents in Leeds as text, with accented categories and a café in the street."""
    lines = [sep.join(["lat", "lon", "date", "category", "street"])] if header else []
    for i, category in enumerate(CATEGORIES):
        lat = f"{53.80 + i / 100:.4f}".replace(".", decimal)
        lon = f"{-1.55 + i / 100:.4f}".replace(".", decimal)
        lines.append(sep.join([lat, lon, f"2018-07-0{i + 1}", category, STREET]))
    return "\n".join(lines) + "\n"


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lat": [53.80 + i / 100 for i in range(N)],
            "lon": [-1.55 + i / 100 for i in range(N)],
            "date": pd.to_datetime([f"2018-07-0{i + 1} 1{i}:30" for i in range(N)]),
            "category": CATEGORIES,
            "street": [STREET] * N,
        }
    )


def load(path: Path, n: int = N, **options) -> tuple[gpd.GeoDataFrame, dict]:
    """Load through read_incidents and check that all ``n`` rows were read and kept; return the
    incidents and the source facts (from read_source, which read_incidents calls)."""
    inc = hs.read_incidents(path, lon="lon", lat="lat", time="date", quiet=True, **options)
    report = inc.attrs["hotspot"]["load_report"]
    assert report.rows_read == report.rows_kept + sum(report.excluded.values())
    assert len(inc) == report.rows_kept == report.rows_read == n
    assert (inc.geometry.x > 0).all()  # projected: British National Grid
    facts = read_source(path, **options)[0].attrs[SOURCE_KEY]
    return inc, facts


def assert_text(inc: gpd.GeoDataFrame) -> None:
    """Text columns hold ``str`` (never bytes) with the right characters."""
    for column in ("street", "category"):
        values = inc[column].tolist()
        assert all(type(v) is str for v in values), column
    assert inc["category"].tolist() == CATEGORIES
    assert set(inc["street"]) == {STREET}


def xlsx_writer():
    import openpyxl  # the dev extra's writer of test workbooks

    return openpyxl


# --------------------------------------------------------------------------------------------
# encodings
# --------------------------------------------------------------------------------------------

ENCODED = {
    "utf-8": (lambda t: t.encode("utf-8"), "utf-8"),
    "utf-8-bom": (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
    "utf-16-le-bom": (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "utf-16"),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "utf-16-le"),
    "utf-32-bom": (lambda t: t.encode("utf-32"), "utf-32"),
    "cp1252": (lambda t: t.encode("cp1252"), "cp1252"),
}


@pytest.mark.parametrize("case", sorted(ENCODED))
def test_encodings_load_as_text(tmp_path, case):
    encode, expected = ENCODED[case]
    path = tmp_path / f"{case}.csv"
    path.write_bytes(encode(table()))
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["encoding"], facts["sep"], facts["decimal"]) == (expected, ",", ".")
    assert facts["detected"] == ("encoding", "sep", "decimal")
    assert facts["format"] == "csv"
    assert list(inc.columns[:2]) == ["lat", "lon"]  # no BOM left on the first name


def test_latin1_without_cp1252_only_characters_reads_the_same(tmp_path):
    # Latin-1 and cp1252 agree on every byte from 0xA0; cp1252 is what Excel writes.
    path = tmp_path / "latin1.csv"
    text = table().replace(" – £50", " £50")
    path.write_bytes(text.encode("latin-1"))
    inc, facts = load(path)
    assert facts["encoding"] == "cp1252"
    assert inc["category"].iloc[2] == "Dégradation £50"
    assert inc["street"].iloc[0] == STREET
    assert any("not UTF-8" in note for note in facts["notes"])


@pytest.mark.parametrize(
    ("street", "encoding"),
    [
        ("ulica Zażółć gęślą jaźń w Łodzi", "cp1250"),  # Windows-1252 would read Za¿ó³æ
        ("улица Пушкина дом Колотушкина", "cp1251"),
        ("Straße am Mühlbach beim Ärztehaus", "cp1252"),
    ],
    ids=["polish-cp1250", "russian-cp1251", "german-cp1252"],
)
def test_other_code_pages_keep_their_letters(tmp_path, street, encoding):
    path = tmp_path / "export.csv"
    text = table()
    for category in set(CATEGORIES):
        text = text.replace(category, "Burglary")
    path.write_bytes(text.replace(STREET, street).encode(encoding))
    inc, facts = load(path)
    assert facts["encoding"] == encoding
    assert set(inc["street"]) == {street}


def test_cp1252_gzipped(tmp_path):
    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(table().encode("cp1252")))
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["encoding"], facts["format"]) == ("cp1252", "csv.gz")


def test_utf16_zipped(tmp_path):
    path = tmp_path / "export.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export.csv", table().encode("utf-16"))
    inc, facts = load(path)
    assert_text(inc)
    assert facts["encoding"] == "utf-16"


def test_zip_with_two_files(tmp_path):
    path = tmp_path / "exports.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", table())
        archive.writestr("b.csv", table())
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "holds 2 files (a.csv, b.csv)", "Unzip it")
    ):
        hs.read_incidents(path, quiet=True)


def test_utf8_sample_then_cp1252_bytes_falls_back(tmp_path):
    # The first MiB is plain ASCII (valid UTF-8); a Windows-1252 'é' comes after it.
    path = tmp_path / "mixed.csv"
    filler = "53.8000,-1.5500,2018-07-01,Burglary,On or near High Street\n"
    n_filler = SAMPLE_BYTES // len(filler) + 100
    body = "lat,lon,date,category,street\n" + filler * n_filler
    path.write_bytes(body.encode("ascii") + table(header=False).encode("cp1252"))
    inc, facts = load(path, n=n_filler + N)
    tail = inc.iloc[-N:]
    assert tail["category"].tolist() == CATEGORIES
    assert set(tail["street"]) == {STREET}
    assert all(type(v) is str for v in inc["street"])
    assert facts["encoding"] == "utf-8+cp1252"
    assert any(
        "were read as cp1252" in note and "Vol \\xe0 l" in note for note in facts["notes"]
    ), facts["notes"]


def test_utf8_with_some_cp1252_bytes_keeps_the_utf8_text(tmp_path):
    # A mixed export: valid UTF-8 'é' in the sample, a stray cp1252 'é' further down.
    path = tmp_path / "mixed.csv"
    good = table()
    path.write_bytes(good.encode("utf-8") + "53.9,-1.5,2018-07-09,Café,x\n".encode("cp1252"))
    inc, facts = load(path, n=N + 1)
    assert inc["category"].tolist() == [*CATEGORIES, "Café"]
    assert facts["encoding"] == "utf-8+cp1252"
    assert any("1 byte was not valid utf-8" in note for note in facts["notes"]), facts["notes"]


def test_given_encoding_overrides_detection(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(table().encode("cp1252"))
    inc, facts = load(path, encoding="latin-1")
    assert facts["encoding"] == "iso8859-1"
    assert "encoding" not in facts["detected"]
    assert inc["street"].iloc[0] == STREET
    assert inc["category"].iloc[2] == "Dégradation \x96 £50"  # what Latin-1 makes of cp1252's dash


def test_given_wrong_encoding_says_which_byte_and_what_to_pass(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(table().encode("cp1252"))
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "is not valid utf-8 text (byte 0xe9 at byte 79",
            "Caf\\xe9",
            "encoding='cp1252'",
        ),
    ):
        hs.read_incidents(path, encoding="utf-8", quiet=True)


def test_unknown_encoding_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(table())
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "encoding='klingon' is not an encoding", "utf-8")
    ):
        hs.read_incidents(path, encoding="klingon", quiet=True)


@pytest.mark.parametrize("content", [codecs.BOM_UTF8, b"\r\n\n  \n", codecs.BOM_UTF16_LE])
def test_file_without_text(tmp_path, content):
    path = tmp_path / "blank.csv"
    path.write_bytes(content)
    with pytest.raises(HotspotInputError, match=msg(str(path), "holds no text", "no incidents")):
        hs.read_incidents(path, quiet=True)


def test_excel_unicode_text_export(tmp_path):
    # Excel's "Unicode Text" export: UTF-16 LE with a BOM, tab-separated, CRLF line ends
    path = tmp_path / "export.txt"
    path.write_bytes(table("\t").replace("\n", "\r\n").encode("utf-16"))
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["encoding"], facts["sep"], facts["decimal"]) == ("utf-16", "\t", ".")


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "could not be read as csv", "NUL byte", "looks binary", "Check"),
    ):
        hs.read_incidents(path, quiet=True)


# --------------------------------------------------------------------------------------------
# separators and decimal marks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sep", "decimal", "encoding"),
    [
        ("semicolon-decimal-comma.csv", ";", ",", "cp1252"),
        ("semicolon-decimal-point.csv", ";", ".", "utf-8"),
        ("tab.tsv", "\t", ".", "utf-8"),
        ("tab-decimal-comma.txt", "\t", ",", "utf-8"),
        ("tab-in-csv.csv", "\t", ".", "cp1252"),
        ("pipe.txt", "|", ".", "cp1252"),
        ("pipe-decimal-comma.csv", "|", ",", "utf-8-sig"),
    ],
)
def test_separators_and_decimals_detected(tmp_path, name, sep, decimal, encoding):
    path = tmp_path / name
    path.write_bytes(table(sep, decimal).encode(encoding))
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["encoding"], facts["sep"], facts["decimal"]) == (encoding, sep, decimal)
    raw = read_source(path)[0]
    assert raw["lat"].dtype == float and raw["lat"].iloc[1] == pytest.approx(53.81)


def test_quoted_fields_holding_the_separator(tmp_path):
    path = tmp_path / "quoted.csv"
    text = table().replace(STREET, '"On or near Smith, Jones; and Café Street"')
    path.write_bytes(text.encode("cp1252"))
    inc, facts = load(path)
    assert set(inc["street"]) == {"On or near Smith, Jones; and Café Street"}
    assert facts["sep"] == ","
    semi = tmp_path / "quoted-semicolon.csv"
    semi.write_text(table(";", ",").replace(STREET, '"Smith; Jones, Café"'), encoding="utf-8")
    inc, facts = load(semi)
    assert set(inc["street"]) == {"Smith; Jones, Café"}
    assert (facts["sep"], facts["decimal"]) == (";", ",")


def test_comma_inside_text_does_not_make_decimal_comma(tmp_path):
    # ';' file whose numbers use points: a text column with "1,5" style values is not enough
    path = tmp_path / "points.csv"
    path.write_text(table(";").replace(STREET, "1,5 km north"))
    inc, facts = load(path)
    assert facts["decimal"] == "."
    assert set(inc["street"]) == {"1,5 km north"}


def test_given_sep_and_decimal_override_detection(tmp_path):
    path = tmp_path / "semi.txt"
    path.write_text(table(";", ","))
    inc, facts = load(path, sep=";", decimal=",")
    assert (facts["sep"], facts["decimal"]) == (";", ",")
    assert facts["detected"] == ("encoding",)
    assert_text(inc)


def test_given_decimal_must_be_a_mark(tmp_path):
    path = tmp_path / "semi.txt"
    path.write_text(table(";", ","))
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "decimal='x' is not a decimal mark", "decimal=','")
    ):
        hs.read_incidents(path, decimal="x", quiet=True)


def test_ragged_rows_name_the_dialect_used(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(table() + "53.9,-1.5,2018-07-09,Burglary,x,extra,fields\n")
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "could not be read as csv", "encoding='utf-8', sep=','"),
    ):
        hs.read_incidents(path, quiet=True)


# --------------------------------------------------------------------------------------------
# header rows
# --------------------------------------------------------------------------------------------


def test_headerless_csv_is_refused_with_the_fix(tmp_path):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("53.80,-1.55,2018-07-01 21:30\n53.81,-1.54,2018-07-02 08:00\n")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(numbers),
            "first row ('53.80', '-1.55', '2018-07-01 21:30') looks like data",
            "header=None",
            "names=[...]",
            "its 3 column names (CLI: --no-header --names a,b,c)",
            "header=0",
        ),
    ):
        hs.read_incidents(numbers, quiet=True)


def test_headerless_csv_with_text_columns_is_refused(tmp_path):
    # numbers and dates in most fields, matching the row below: data, not a header
    path = tmp_path / "noheader.csv"
    path.write_bytes(table(header=False).encode("cp1252"))
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "first row ('53.8000', '-1.5500', '2018-07-01', 'Burglary', 'On or near Café Street')",
            "looks like data",
            "--no-header --names a,b,c,...",
        ),
    ):
        hs.read_incidents(path, quiet=True)
    inc, facts = load(path, header=None, names=["lat", "lon", "date", "category", "street"])
    assert_text(inc)
    assert facts["encoding"] == "cp1252"
    # a header row that really has numbers for names can be kept with header=0
    assert len(read_source(path, header=0)[0]) == N - 1


def test_headerless_csv_with_names_loads(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("53.80,-1.55,2018-07-01 21:30\n53.81,-1.54,2018-07-02 08:00\n")
    inc, facts = load(path, n=2, header=None, names=["lat", "lon", "date"])
    assert facts["header"] is None
    assert inc["time"].tolist() == [
        pd.Timestamp("2018-07-01 21:30"),
        pd.Timestamp("2018-07-02 08:00"),
    ]
    # names= alone means there is no header row, as in pandas
    inc, _ = load(path, n=2, names=["lat", "lon", "date"])


def test_headerless_csv_without_names_gets_numbered_columns(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("53.80,-1.55,2018-07-01\n53.81,-1.54,2018-07-02\n")
    raw, _ = read_source(path, header=None)
    assert list(raw.columns) == ["column_1", "column_2", "column_3"]
    inc = hs.read_incidents(
        path, header=None, lat="column_1", lon="column_2", time="column_3", quiet=True
    )
    assert len(inc) == 2


def test_names_must_match_the_columns(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("53.80,-1.55,2018-07-01\n")
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "names= gives 2 names (lat, lon) but the file has 3 columns"),
    ):
        hs.read_incidents(path, header=None, names=["lat", "lon"], quiet=True)
    with pytest.raises(HotspotInputError, match=msg(str(path), "names= repeats 'lat'")):
        hs.read_incidents(path, header=None, names=["lat", "lat", "d"], quiet=True)
    with pytest.raises(HotspotInputError, match=msg(str(path), "header='none' is not allowed")):
        hs.read_incidents(path, header="none", quiet=True)


def test_first_row_with_a_word_is_a_header(tmp_path):
    # "2018" alone is a number, but a header with any name in it is a header
    path = tmp_path / "years.csv"
    path.write_text("lat,lon,date,2018\n53.8,-1.5,2018-07-01,1\n")
    raw, _ = read_source(path)
    assert list(raw.columns) == ["lat", "lon", "date", "2018"]


# --------------------------------------------------------------------------------------------
# spreadsheets
# --------------------------------------------------------------------------------------------


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], engine: str = "openpyxl") -> Path:
    with pd.ExcelWriter(path, engine=engine) as writer:
        for sheet, data in sheets.items():
            data.to_excel(writer, sheet_name=sheet, index=False)
    return path


def test_xlsx_one_sheet(tmp_path):
    xlsx_writer()
    path = write_workbook(tmp_path / "crimes.xlsx", {"Crimes": frame()})
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["format"], facts["sheet"], facts["encoding"]) == ("xlsx", "Crimes", None)
    # dates stored as Excel dates come through as datetimes
    assert inc["time"].tolist() == frame()["date"].tolist()
    raw, _ = read_source(path)
    assert pd.api.types.is_datetime64_any_dtype(raw["date"])


def test_ods_one_sheet(tmp_path):
    import odf  # noqa: F401  (the dev extra's writer of .ods files, used by pandas)

    path = write_workbook(tmp_path / "crimes.ods", {"Crimes": frame()}, engine="odf")
    inc, facts = load(path)
    assert_text(inc)
    assert (facts["format"], facts["sheet"]) == ("ods", "Crimes")
    assert inc["time"].tolist() == frame()["date"].tolist()


def test_xlsx_two_sheets_need_a_choice(tmp_path):
    xlsx_writer()
    path = write_workbook(
        tmp_path / "crimes.xlsx", {"Crimes": frame(), "Stations": frame().iloc[:3]}
    )
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "2 sheets with data: 'Crimes' (8 rows), 'Stations' (3 rows)",
            "sheet='Crimes' (CLI: --sheet Crimes)",
            "sheet=0",
        ),
    ):
        hs.read_incidents(path, quiet=True)
    _, facts = load(path, sheet="Crimes")
    assert facts["sheet"] == "Crimes"
    _, facts = load(path, n=3, sheet=1)
    assert facts["sheet"] == "Stations"
    _, facts = load(path, n=3, sheet="stations")  # case does not matter
    assert facts["sheet"] == "Stations"
    _, facts = load(path, n=3, sheet="1")  # a position as the CLI passes it
    assert facts["sheet"] == "Stations"


def test_xlsx_unknown_sheet(tmp_path):
    xlsx_writer()
    path = write_workbook(
        tmp_path / "crimes.xlsx", {"Crimes": frame(), "Stations": frame().iloc[:3]}
    )
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "no sheet named 'Crime 2018'", "'Crimes', 'Stations'", "sheet="),
    ):
        hs.read_incidents(path, sheet="Crime 2018", quiet=True)
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "sheet=5 is out of range", "2 sheets", "numbered from 0"),
    ):
        hs.read_incidents(path, sheet=5, quiet=True)


def test_xlsx_empty_sheet(tmp_path):
    xlsx_writer()
    path = write_workbook(tmp_path / "crimes.xlsx", {"Crimes": frame(), "Notes": pd.DataFrame()})
    # the only sheet with data is read, and the note says so
    _, facts = load(path)
    assert facts["sheet"] == "Crimes"
    assert facts["detected"] == ("sheet",)
    assert any("the only visible sheet with data" in note for note in facts["notes"])
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "sheet 'Notes' is empty", "'Crimes'", "sheet='Crimes'"),
    ):
        hs.read_incidents(path, sheet="Notes", quiet=True)


def test_xlsx_headerless_sheet(tmp_path):
    xlsx_writer()
    data = frame()[["lat", "lon", "date"]]
    path = tmp_path / "noheader.xlsx"
    data.to_excel(path, index=False, header=False)
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "looks like data", "header=None", "names=")
    ):
        hs.read_incidents(path, quiet=True)
    _, facts = load(path, header=None, names=["lat", "lon", "date"])
    assert facts["header"] is None


def test_not_really_a_workbook(tmp_path):
    path = tmp_path / "crimes.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "could not be read as xlsx", "Check that the file")
    ):
        hs.read_incidents(path, quiet=True)


# --------------------------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------------------------


def points(n: int) -> gpd.GeoDataFrame:
    data = frame().iloc[:n]
    return gpd.GeoDataFrame(
        data.drop(columns=["lat", "lon"]).assign(date=data["date"].astype(str)),
        geometry=gpd.points_from_xy(data["lon"], data["lat"]),
        crs=4326,
    )


def test_geopackage_one_layer(tmp_path):
    path = tmp_path / "crimes.gpkg"
    points(N).to_file(path, layer="crimes")
    inc = hs.read_incidents(path, time="date", quiet=True)
    assert len(inc) == N
    assert_text(inc)
    facts = read_source(path)[0].attrs[SOURCE_KEY]
    assert (facts["format"], facts["layer"]) == ("gpkg", "crimes")


def test_geopackage_two_layers_need_a_choice(tmp_path):
    path = tmp_path / "crimes.gpkg"
    points(N).to_file(path, layer="crimes")
    points(1).to_file(path, layer="stations")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "2 layers: 'crimes' (8 rows), 'stations' (1 row)",
            "layer='crimes' (CLI: --layer crimes)",
            "layer=0",
        ),
    ):
        hs.read_incidents(path, quiet=True)
    assert len(hs.read_incidents(path, layer="crimes", time="date", quiet=True)) == N
    assert len(hs.read_incidents(path, layer=1, time="date", quiet=True)) == 1
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "no layer named 'beats'", "'crimes', 'stations'")
    ):
        hs.read_incidents(path, layer="beats", quiet=True)


# --------------------------------------------------------------------------------------------
# options that do not apply, unknown types
# --------------------------------------------------------------------------------------------


def test_options_that_do_not_apply(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(table())
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "sheet= does not apply to a text file")
    ):
        hs.read_incidents(path, sheet="Crimes", quiet=True)
    with pytest.raises(
        HotspotInputError, match=msg("DataFrame: encoding=, sep= do not apply to a frame")
    ):
        read_source(frame(), sep=";", encoding="utf-8")
    gpkg = tmp_path / "crimes.gpkg"
    points(N).to_file(gpkg)
    with pytest.raises(HotspotInputError, match=msg(str(gpkg), "sheet= does not apply")):
        hs.read_incidents(gpkg, sheet=0, quiet=True)


def test_unknown_suffix_lists_spreadsheets(tmp_path):
    path = tmp_path / "crimes.dat"
    path.write_text(table())
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "unknown file type '.dat'", "Supported: .csv", ".xlsx", ".ods"),
    ):
        hs.read_incidents(path, quiet=True)


def test_frames_are_not_stamped():
    data = frame()
    out, name = read_source(data)
    assert out is data and SOURCE_KEY not in data.attrs and name == "DataFrame"
