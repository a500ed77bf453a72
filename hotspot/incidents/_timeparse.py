"""Parse an incident time column: one format per group of values, never one value for the file.

The distinct values of a column are grouped by their *shape* (digits become ``d``, a run of
letters becomes ``a``, so ``2018-07-14 21:30`` and ``3/7/2018 9:05`` have the shapes
``dddd-dd-dd dd:dd`` and ``dd/dd/dddd dd:dd``); each group is read with its own strict format.
Rows come back with a time, or with the reason they have none; nothing is dropped here:

========================  ====================================================================
reason                    when
========================  ====================================================================
missing time              blank or missing
unparseable time          no known format fits, or an impossible date (``31/31/2019``)
ambiguous day/month       a small group of ``01/02/2019``-like dates that nothing settles
time without a date       a time of day alone (``14:30``): never dated today
placeholder date          1899-12-30/31, 1900-01-01 or 1970-01-01 at midnight, in bulk
invalid hour              a separate hour column outside 0–23 (or not a clock time)
time before 1678          beyond the nanosecond range (year typos such as ``1018``)
time in the future        beyond the nanosecond range (``2999``; later times are checked by
                          ``read_incidents``)
========================  ====================================================================

Rules (the thresholds are module constants):

- **Day/month order** is settled per group from its own values: a first part above 12 proves
  day-first, a second part above 12 month-first. A group with evidence both ways is read in the
  order of the majority and the minority, impossible in that order, is unparseable, unless the
  minority is large (at least ``AMBIGUOUS_MIN_ROWS`` rows and ``AMBIGUOUS_MIN_SHARE`` of the
  rows), which raises. A group without evidence is read in the order of the file's other groups
  (weighted by rows) or of a ``time_format=`` the user gave; when there is none it raises if it
  is large, else its rows are excluded as "ambiguous day/month" (dates such as ``05/05/2019``,
  the same either way, are kept).
- **Numbers** are Excel serial dates when they fall between 1990-01-01 and today
  (32,874 to about 46,000, local wall-clock time), epoch seconds or milliseconds (UTC) when
  they fall between 1990 and now, ``yyyymmdd[HHMM[SS]]`` when they read as such; otherwise they
  are unparseable and the notes say what was found.
- **Placeholder dates** are excluded when they are in bulk (at least ``PLACEHOLDER_MIN_ROWS``
  rows or ``PLACEHOLDER_MIN_SHARE`` of the rows), else kept with a note naming them: a single
  1 January 1970 can be real.
- **UTC offsets** (``+01:00``, ``Z``, ``UTC``, epoch numbers) mark a time as an instant; it is
  converted to the local zone given to :func:`finish_times`. Times without an offset are local
  wall-clock times and are kept as written.

Each distinct value is read once (exports repeat their dates), and a column with many distinct
values reads its commonest format in one pass before grouping the rest by shape.

The day/month order and the placeholder verdict are functions of row counts
(:func:`decide_order`, :func:`placeholders_in_bulk`). A part of a file (a partition of
``hotspot.scale``) is read with a :class:`Deciding`: it records those counts, reads a large
mixed or ambiguous group provisionally instead of raising, and follows forced verdicts;
:func:`decide_whole` sums the parts' counts into the concatenated file's decisions.
"""

from __future__ import annotations

import re
import shlex
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from hotspot.errors import HotspotInputError

RESOLUTIONS = ("month", "day", "hour", "minute", "second")

# A day/month group without evidence raises when it has at least this many rows and this share
# of the file's rows: enough to matter to an analysis, too many to drop quietly.
AMBIGUOUS_MIN_ROWS = 20
AMBIGUOUS_MIN_SHARE = 0.01
# Placeholder dates are excluded in bulk: this many rows, or this share of the rows.
PLACEHOLDER_MIN_ROWS = 10
PLACEHOLDER_MIN_SHARE = 0.005
PLACEHOLDERS = ("1899-12-30", "1899-12-31", "1900-01-01", "1970-01-01")

# Columns with more distinct values than this read their commonest format in one pass first.
FAST_PATH_MIN = 2_000
FAST_PATH_SAMPLE = 500

EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
PLAUSIBLE_START = pd.Timestamp("1990-01-01")

# Shapes, after digits → d (a run of one or two digits → dd), letters → a, spaces → one space.
_SHAPE_NUMBER = re.compile(r"-?d+(\.d+)?")
_SHAPE_CLOCK = re.compile(r"dd:dd(:dd(\.d+)?)? ?a?")
_SHAPE_DAY_MONTH = re.compile(r"dd([/.-])dd\1(dd|dddd)([ ,a].*)?")
_DAY_MONTH = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d)(.*)$"
_CLOCK = r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?\s*$"
# Time parts after a day/month date: the one that reads a sample's commonest tail is used, the
# others are tried in turn on the values it does not read.
_TIME_SUFFIXES = (
    "",
    " %H:%M",
    " %H:%M:%S",
    " %H:%M:%S.%f",
    " %I:%M %p",
    " %I:%M%p",
    " %I:%M:%S %p",
    " %I:%M:%S%p",
    "T%H:%M",
    "T%H:%M:%S",
    " %H:%M:%S%z",
    "T%H:%M:%S%z",
    ", %H:%M",
    ", %H:%M:%S",
)
# Whole formats tried when pandas cannot guess one (12-hour clocks, SQL Server's default, …).
_KNOWN_FORMATS = (
    "%b %d %Y %I:%M%p",
    "%b %d %Y %I:%M %p",
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y/%m/%d %I:%M %p",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%y",
    "%d-%b-%Y %H:%M",
    "%a %b %d %H:%M:%S %Y",
    "%Y%m%d",
    "%Y%m%d%H%M",
    "%Y%m%d%H%M%S",
)


@dataclass
class RawTimes:
    """Times as read, before conversion to local time (see :func:`read_times`).

    ``values`` is naive ``datetime64[ns]``: the wall clock as written, or the UTC instant where
    ``aware`` is true; ``reasons`` holds ``None`` or the reason a row has no time.
    """

    index: pd.Index
    values: np.ndarray
    aware: np.ndarray
    reasons: np.ndarray
    month_only: bool
    notes: list[str]
    causes: list[str]
    column: str = "time"


@dataclass
class ParsedTimes:
    """Parsed times (naive local wall-clock) and a per-row failure reason (or ``None``).

    ``notes`` go to the load report; ``causes`` explain excluded rows (for the message when every
    row is excluded); ``timezone`` is the zone UTC-offset times were converted to (or ``None``).
    """

    times: pd.Series
    reasons: pd.Series
    resolution: str | None
    notes: list[str]
    causes: list[str] = field(default_factory=list)
    timezone: str | None = None


def shapes(values: pd.Series) -> pd.Series:
    """The shape of each text value: its format with the digits and letters abstracted away.

    Examples
    --------
    >>> shapes(pd.Series(["2018-07-14 21:30", "3/7/2018 9:05", "14-Jul-2018", "43466.75"])).tolist()
    ['dddd-dd-dd dd:dd', 'dd/dd/dddd dd:dd', 'dd-a-dddd', 'ddddd.dd']
    """
    text = values.astype("str")
    text = text.str.replace(r"\s+", " ", regex=True)
    text = text.str.replace(r"[A-Za-z]+", "a", regex=True).str.replace(r"[0-9]", "d", regex=True)
    for _ in range(2):  # overlapping single digits ("1/2/2018") need a second pass
        text = text.str.replace(r"(^|[^d])d([^d]|$)", r"\1dd\2", regex=True)
    return text


def _to_datetime(text: pd.Series, **options: object) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(text, errors="coerce", **options)


def _strict(text: pd.Series, fmt: str) -> tuple[pd.Series, bool]:
    """``text`` parsed with ``fmt`` (NaT where it does not fit) and whether it gave UTC instants."""
    aware = "%z" in fmt or "%Z" in fmt
    return _to_datetime(text, format=fmt, utc=aware), aware


def _to_ns(parsed: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Naive ``datetime64[ns]`` values (UTC for aware input) and the out-of-range reasons."""
    if getattr(parsed.dtype, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    reasons = np.full(len(parsed), None, dtype=object)
    if parsed.dtype != "datetime64[ns]":
        late = (parsed > pd.Timestamp.max).to_numpy(dtype=bool)
        early = (parsed < pd.Timestamp.min).to_numpy(dtype=bool)
        reasons[late] = "time in the future"
        reasons[early] = "time before 1678"
        parsed = parsed.mask(late | early).astype("datetime64[ns]")
    return parsed.to_numpy(dtype="datetime64[ns]"), reasons


def _as_formats(time_format: str | Sequence[str] | None) -> list[str]:
    if time_format is None:
        return []
    formats = [time_format] if isinstance(time_format, str) else list(time_format)
    for fmt in formats:
        if not isinstance(fmt, str) or "%" not in fmt:
            raise HotspotInputError(
                f"time_format={time_format!r}: each format must be a strftime string such as "
                "'%d/%m/%Y %H:%M' (or a list of them, e.g. ['%d/%m/%Y', '%Y-%m-%d'])."
            )
        try:
            _to_datetime(pd.Series(["2018-07-01"]), format=fmt)
        except ValueError as err:
            raise HotspotInputError(
                f"time_format={fmt!r} is not a valid strftime format ({err}); e.g. "
                "time_format='%d/%m/%Y %H:%M' (CLI: --time-format '%d/%m/%Y %H:%M')."
            ) from err
    return formats


def _day_first_of(fmt: str) -> bool | None:
    """Whether a format puts the day before the month (``None`` when it has no such order)."""
    if "%d" not in fmt or "%m" not in fmt:
        return None
    if "%Y" in fmt and fmt.index("%Y") < min(fmt.index("%d"), fmt.index("%m")):
        return None
    return fmt.index("%d") < fmt.index("%m")


def _year_day_month(fmt: str) -> bool:
    """A year-first format with the day before the month (``%Y-%d-%m``): never written."""
    if "%Y" not in fmt or "%d" not in fmt or "%m" not in fmt:
        return False
    return fmt.index("%Y") < fmt.index("%d") < fmt.index("%m")


def _looks_like(x: np.ndarray, serial_lo: float, serial_hi: float) -> str:
    """What out-of-range numbers look like, e.g. ``: Excel serial dates, but 25000 is 1968-06-11``."""
    finite = x[np.isfinite(x)]
    if not len(finite):
        return ""
    v = float(np.median(finite))
    try:
        if 10_000 <= v < 100_000:
            date = (EXCEL_ORIGIN + pd.Timedelta(days=v)).date()
            return (
                f": they look like Excel serial dates, but {v:,.0f} is {date}, outside 1990–today"
            )
        if 1e8 <= v < 1e11:
            date = pd.Timestamp(v, unit="s").date()
            return f": they look like epoch seconds, but {v:.0f} is {date}, outside 1990–now"
        if 1e11 <= v < 1e14:
            date = pd.Timestamp(v, unit="ms").date()
            return f": they look like epoch milliseconds, but {v:.0f} is {date}, outside 1990–now"
    except (OverflowError, ValueError):
        return ""
    return ""


def _is_month_format(fmt: str) -> bool:
    return "%m" in fmt and not any(d in fmt for d in ("%d", "%H", "%I", "%M", "%S"))


def _count(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,234 rows``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _quote(values: Sequence[str], limit: int = 3) -> str:
    return ", ".join(repr(str(v)) for v in list(values)[:limit])


def _suffix(tail: str) -> str:
    """The strftime time part that reads ``tail`` (what follows a day/month date), or ``""``."""
    for suffix in _TIME_SUFFIXES[1:]:
        trial = _to_datetime(pd.Series(["2000-01-02" + tail]), format="%Y-%m-%d" + suffix)
        if trial.notna().all():
            return suffix
    return ""


def _formats(example: str, suffix: str) -> tuple[str, str]:
    """The (day-first, month-first) formats of a day/month date such as ``example``.

    Examples
    --------
    >>> _formats("3.7.18", "")
    ('%d.%m.%y', '%m.%d.%y')
    """
    m = re.match(_DAY_MONTH, example)
    if m is None:
        return ("%d/%m/%Y" + suffix, "%m/%d/%Y" + suffix)
    sep = example.strip()[len(m[1])]
    year = "%Y" if len(m[3]) == 4 else "%y"
    return (f"%d{sep}%m{sep}{year}{suffix}", f"%m{sep}%d{sep}{year}{suffix}")


@dataclass
class _DayMonth:
    """A group of day/month dates parsed both ways (``by_day``, ``by_month``, NaT where not)."""

    members: np.ndarray
    day_fmt: str
    month_fmt: str
    by_day: pd.Series
    by_month: pd.Series
    aware: bool

    @property
    def ok_day(self) -> np.ndarray:
        return self.by_day.notna().to_numpy(dtype=bool)

    @property
    def ok_month(self) -> np.ndarray:
        return self.by_month.notna().to_numpy(dtype=bool)

    def subset(self, keep: np.ndarray) -> _DayMonth:
        return _DayMonth(
            self.members[keep],
            self.day_fmt,
            self.month_fmt,
            self.by_day[keep],
            self.by_month[keep],
            self.aware,
        )


# -- whole-file decisions ---------------------------------------------------------------------
# Each decision that looks at the whole column is a function of row counts: the day/month order
# of the groups (``decide_order``) and the placeholder verdict (``placeholders_in_bulk``).
# A file read in parts (``hotspot.scale``) records those counts per part (``Deciding``), sums
# them (``decide_whole``) and reads again, with the whole file's verdicts forced, the parts
# that decided otherwise.

#: The choice for a small ambiguous group that nothing settles: its unsure rows are excluded.
EXCLUDE = "exclude"
Order = bool | str  # True day-first, False month-first, or EXCLUDE


@dataclass
class OrderGroup:
    """The rows of a group of day/month dates that decide its order; they add up over parts.

    ``day``: rows that read day-first only (a first part above 12), ``month``: month-first
    only, ``unsure``: rows that read both ways as different dates, ``neither``: rows that read
    in neither order of the group's formats (retried with other time parts, in the order
    chosen), ``rows``: all the group's rows; with the first three distinct values of each kind,
    for messages.
    """

    day: int = 0
    month: int = 0
    unsure: int = 0
    neither: int = 0
    rows: int = 0
    day_examples: tuple[str, ...] = ()
    month_examples: tuple[str, ...] = ()
    unsure_examples: tuple[str, ...] = ()

    @property
    def sensitive(self) -> bool:
        """Whether the order chosen can change what the group's rows read as."""
        return bool(self.day or self.month or self.unsure or self.neither)

    def __add__(self, other: OrderGroup) -> OrderGroup:
        def first(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys((*a, *b)))[:3]

        return OrderGroup(
            self.day + other.day,
            self.month + other.month,
            self.unsure + other.unsure,
            self.neither + other.neither,
            self.rows + other.rows,
            first(self.day_examples, other.day_examples),
            first(self.month_examples, other.month_examples),
            first(self.unsure_examples, other.unsure_examples),
        )


def _unsure(g: _DayMonth) -> np.ndarray:
    """The group's values that read both ways as different dates."""
    return g.ok_day & g.ok_month & (g.by_day != g.by_month).to_numpy()


def _order_evidence(g: _DayMonth, counts: np.ndarray, text: pd.Series) -> OrderGroup:
    ok_day, ok_month = g.ok_day, g.ok_month
    kinds = (ok_day & ~ok_month, ok_month & ~ok_day, _unsure(g), ~ok_day & ~ok_month)
    rows = [int(counts[g.members[k]].sum()) for k in kinds]
    examples = [tuple(text.iloc[g.members[k][:3]]) for k in kinds[:3]]
    return OrderGroup(*rows, int(counts[g.members].sum()), *examples)


def decide_order(
    groups: Sequence[OrderGroup], total: int, hint: bool | None
) -> tuple[list[tuple[Order, str, str | None]], bool | None]:
    """The order of each day/month group of a column of ``total`` rows, from row counts alone.

    Returns, per group, (the order, why, the problem or None) and the column's majority.
    The problem is ``"mixed"`` (a large minority the other way: a whole file raises) or
    ``"ambiguous"`` (a large group without evidence nor majority, or ``hint``: a whole file
    raises); the order given with a problem is the one a part of a file reads provisionally.

    Examples
    --------
    >>> settled, open_ = OrderGroup(day=5, rows=50), OrderGroup(unsure=3, rows=3)
    >>> decide_order([settled, open_], 1000, None)[0][1][0]
    True
    >>> decide_order([open_], 1000, None)[0][0][0]
    'exclude'
    """

    def large(rows: int) -> bool:
        return rows >= AMBIGUOUS_MIN_ROWS and rows >= AMBIGUOUS_MIN_SHARE * total

    out: list[tuple[Order, str, str | None]] = []
    votes = {True: 0, False: 0}
    for g in groups:
        if g.day or g.month:
            day_first = g.day >= g.month
            minority = g.month if day_first else g.day
            problem = "mixed" if minority and large(minority) else None
            votes[day_first] += g.rows
            out.append((day_first, "some days are above 12", problem))
        else:
            out.append((True, "", None))
    majority = None
    if votes[True] != votes[False]:
        majority = votes[True] > votes[False]
    for i, g in enumerate(groups):
        if g.day or g.month:
            continue
        if hint is not None:
            out[i] = (hint, "the order of the time_format= given", None)
        elif not g.unsure:
            out[i] = (True, "day and month are equal", None)
        elif large(g.unsure):
            provisional = True if majority is None else majority
            out[i] = (provisional, "read provisionally", "ambiguous")
        elif majority is not None:
            side = "day" if majority else "month"
            out[i] = (majority, f"{side} first like the file's other numeric dates", None)
        else:
            out[i] = (EXCLUDE, "", None)
    return out, majority


def placeholders_in_bulk(hits: int, present: int) -> bool:
    """Whether ``hits`` placeholder dates among ``present`` rows are excluded (in bulk)."""
    return hits >= PLACEHOLDER_MIN_ROWS or hits >= PLACEHOLDER_MIN_SHARE * present


def ambiguous_message(
    where: str,
    column: str,
    n: int,
    total: int,
    examples: Sequence[str],
    formats: tuple[str, str],
    majority: bool | None,
) -> str:
    """The message of a large group of dates that could be day-first or month-first."""
    day, month = formats
    other = ""
    if majority is not None:
        other = (
            f" (the file's other numeric dates are {'day' if majority else 'month'} first, "
            f"so probably time_format={day if majority else month!r})"
        )
    return (
        f"{where}: {_count(n, 'row')} of {column!r} ({n / total:.1%}) have "
        f"dates such as {_quote(examples)} that could be day-first or "
        f"month-first, and none of them has a part above 12 to settle it{other}. Pass "
        f"time_format={day!r} (day first) or time_format={month!r} (month first) (CLI: "
        f"--time-format '{day}'); the other rows keep their own formats, and a list such as "
        f"time_format=[{day!r}, '%Y-%m-%d'] reads each row by the first format that fits."
    )


def mixed_message(
    where: str,
    column: str,
    rows: tuple[int, int],
    examples: tuple[Sequence[str], Sequence[str]],
    formats: tuple[str, str],
) -> str:
    """The message of a group of dates written day-first in some rows, month-first in others."""
    day, month = formats
    return (
        f"{where}: {column!r} mixes day-first dates ({rows[0]:,} rows, e.g. "
        f"{_quote(examples[0])}) and month-first dates ({rows[1]:,} rows, e.g. "
        f"{_quote(examples[1])}) written the same way, so dates such as '01/02/2019' cannot be "
        f"placed. Fix the export, or pass time_format={day!r} (CLI: --time-format '{day}') "
        f"to read the day-first rows (the month-first ones are then excluded), or "
        f"time_format={month!r} for the other way."
    )


@dataclass
class ColumnEvidence:
    """What one read of (part of) a time column found and decided (see :class:`Deciding`).

    ``total``: the column's rows with a value; ``groups``: the day/month groups' evidence by
    their (day-first, month-first) formats, ``order``: the order each was read in (a group
    whose formats two groups share and that were read in different orders has ``None``);
    ``placeholder_rows`` / ``present_rows``: the rows on a placeholder date and the rows with a
    time, ``placeholders``: whether they were excluded (None when there were none).
    """

    total: int = 0
    hint: bool | None = None
    groups: dict[tuple[str, str], OrderGroup] = field(default_factory=dict)
    order: dict[tuple[str, str], Order | None] = field(default_factory=dict)
    placeholder_rows: int = 0
    present_rows: int = 0
    placeholders: bool | None = None

    def add(self, key: tuple[str, str], found: OrderGroup, choice: Order) -> None:
        if key in self.groups:
            self.groups[key] = self.groups[key] + found
            if self.order[key] != choice:
                self.order[key] = None  # never agrees: the part is read again, forced
        else:
            self.groups[key] = found
            self.order[key] = choice


@dataclass(frozen=True)
class Verdicts:
    """Whole-file decisions to force on a part: per column, the order of each day/month group
    (by its formats) and whether placeholder dates are excluded."""

    order: dict[str, dict[tuple[str, str], Order]] = field(default_factory=dict)
    placeholders: dict[str, bool] = field(default_factory=dict)


@dataclass
class Deciding:
    """A read of part of a file: it records its evidence per column in ``evidence``, never
    raises for a mixed or ambiguous group (it reads it provisionally), and reads as
    ``forced`` says where that is given."""

    forced: Verdicts | None = None
    evidence: dict[str, ColumnEvidence] = field(default_factory=dict)

    def column(self, name: str) -> ColumnEvidence:
        return self.evidence.setdefault(name, ColumnEvidence())

    def forced_order(self, name: str) -> dict[tuple[str, str], Order]:
        return {} if self.forced is None else self.forced.order.get(name, {})

    def forced_placeholders(self, name: str) -> bool | None:
        return None if self.forced is None else self.forced.placeholders.get(name)


def decide_whole(parts: Sequence[dict[str, ColumnEvidence]], names: Sequence[str]) -> Verdicts:
    """The decisions ``read_times``/``finish_times`` take on the concatenated parts.

    ``parts`` are the parts' ``Deciding.evidence`` in file order, ``names`` their files (for
    messages). Every rule is a function of row counts that add up over the parts, so the
    verdicts are the concatenated file's (see ``hotspot.scale.read`` for the fine print).

    Raises
    ------
    HotspotInputError
        As a whole file would: a group of dates mixes both orders in large numbers, or a
        large group has no evidence of its order (the message names the files).
    """
    columns = list(dict.fromkeys(c for part in parts for c in part))
    verdicts = Verdicts()
    for name in columns:
        here = [(f, part[name]) for f, part in zip(names, parts, strict=True) if name in part]
        total = sum(ev.total for _, ev in here)
        hint = next((ev.hint for _, ev in here if ev.hint is not None), None)
        merged: dict[tuple[str, str], OrderGroup] = {}
        for _, ev in here:
            for key, g in ev.groups.items():
                merged[key] = merged[key] + g if key in merged else g
        keys = sorted(merged, key=lambda k: -merged[k].rows)
        groups = [merged[k] for k in keys]
        choices, majority = decide_order(groups, total, hint)
        for problem in ("mixed", "ambiguous"):
            for key, g, (_, _, found) in zip(keys, groups, choices, strict=True):
                if found != problem:
                    continue
                files = [f for f, ev in here if key in ev.groups and ev.groups[key].sensitive]
                where = f"{len(files):,} files read together ({', '.join(files[:5])}"
                where += ", …)" if len(files) > 5 else ")"
                if problem == "mixed":
                    raise HotspotInputError(
                        mixed_message(
                            where,
                            name,
                            (g.day, g.month),
                            (g.day_examples, g.month_examples),
                            key,
                        )
                    )
                raise HotspotInputError(
                    ambiguous_message(
                        where, name, g.unsure, total, g.unsure_examples, key, majority
                    )
                )
        verdicts.order[name] = {k: c[0] for k, c in zip(keys, choices, strict=True)}
        hits = sum(ev.placeholder_rows for _, ev in here)
        if hits:
            present = sum(ev.present_rows for _, ev in here)
            verdicts.placeholders[name] = placeholders_in_bulk(hits, present)
    return verdicts


def agrees(
    evidence: dict[str, ColumnEvidence], verdicts: Verdicts, *, placeholders: bool = True
) -> bool:
    """Whether a part decided as ``verdicts`` wherever its own rows depend on it (the
    day/month orders, and with ``placeholders`` the placeholder verdicts too)."""

    def read_as(choice: Order | None, g: OrderGroup) -> Order | None:
        # without unsure rows, excluding them is reading the group day-first
        return True if choice == EXCLUDE and not g.unsure else choice

    for name, ev in evidence.items():
        for key, g in ev.groups.items():
            wanted = verdicts.order.get(name, {}).get(key)
            if g.sensitive and read_as(ev.order[key], g) != read_as(wanted, g):
                return False
        if placeholders and ev.placeholder_rows:
            if ev.placeholders != verdicts.placeholders.get(name):
                return False
    return True


class _Reader:
    """Reads the distinct text values of one column, group by group."""

    def __init__(
        self,
        uniques: pd.Series,
        counts: np.ndarray,
        where: str,
        column: str,
        deciding: Deciding | None = None,
    ) -> None:
        self.deciding = deciding
        self.text = uniques
        self.counts = counts
        self.total = int(counts.sum())
        self.where = where
        self.column = column
        n = len(uniques)
        self.values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        self.aware = np.zeros(n, dtype=bool)
        self.month = np.zeros(n, dtype=bool)
        self.reasons = np.full(n, None, dtype=object)
        self.done = np.zeros(n, dtype=bool)
        self.notes: list[str] = []
        self.causes: list[str] = []
        self.used: list[tuple[str, int, str, str]] = []  # (format, rows, example, comment)

    def rows(self, idx: np.ndarray) -> int:
        return int(self.counts[idx].sum())

    def assign(
        self, idx: np.ndarray, parsed: pd.Series, aware: bool, label: str, comment: str = ""
    ) -> np.ndarray:
        """Store the parsed values of ``idx`` (positions, ``parsed`` aligned with them by
        position); return which of them fitted (NaT does not)."""
        values, reasons = _to_ns(parsed)
        fitted = parsed.notna().to_numpy(dtype=bool)
        fitted_idx = idx[fitted]
        self.values[fitted_idx] = values[fitted]
        self.reasons[fitted_idx] = reasons[fitted]
        self.aware[fitted_idx] = aware
        self.month[fitted_idx] = _is_month_format(label)
        self.done[fitted_idx] = True
        if len(fitted_idx):
            self.used.append((label, self.rows(fitted_idx), self.text.iloc[fitted_idx[0]], comment))
        return fitted

    def exclude(self, idx: np.ndarray, reason: str) -> None:
        self.reasons[idx] = reason
        self.done[idx] = True

    # -- user formats ---------------------------------------------------------------------------

    def given_formats(self, formats: list[str]) -> None:
        for fmt in formats:
            idx = np.flatnonzero(~self.done)
            if not len(idx):
                return
            parsed, aware = _strict(self.text.iloc[idx], fmt)
            self.assign(idx, parsed, aware, fmt, "given as time_format=")

    # -- automatic formats ----------------------------------------------------------------------

    def automatic(self, hint: bool | None) -> None:
        idx = np.flatnonzero(~self.done)
        if not len(idx):
            return
        groups: list[_DayMonth] = []
        if len(idx) > FAST_PATH_MIN:
            idx = self._dominant(idx, groups)
        if len(idx):
            keys = shapes(self.text.iloc[idx])
            # numbers form one group whatever their digits: serials, epochs, yyyymmdd
            keys = keys.mask(keys.str.fullmatch(_SHAPE_NUMBER.pattern), "number").to_numpy()
            members = pd.Series(idx).groupby(keys, sort=False).indices
            for key, positions in sorted(members.items(), key=lambda kv: -self.rows(idx[kv[1]])):
                group = idx[positions]
                if key == "number":
                    self.numbers(group)
                elif _SHAPE_CLOCK.fullmatch(key):
                    self.clock_only(group)
                elif _SHAPE_DAY_MONTH.fullmatch(key):
                    groups.append(self._day_month_group(group))
                else:
                    self.other(group)
        self.day_month(groups, hint)

    def _dominant(self, idx: np.ndarray, groups: list[_DayMonth]) -> np.ndarray:
        """Read the commonest format of a large column in one pass; return what is left.

        The shape of a sample of values names the commonest format; every value is then parsed
        with it at once, and only the values it does not fit are grouped by shape. On a column
        of 200,000 distinct times this saves the shape of each value.
        """
        sample = idx[np.unique(np.linspace(0, len(idx) - 1, FAST_PATH_SAMPLE).astype(int))]
        keys = shapes(self.text.iloc[sample]).to_numpy()
        weight = Counter()
        for key, position in zip(keys, sample, strict=True):
            weight[key] += int(self.counts[position])
        key = weight.most_common(1)[0][0]
        examples = sample[keys == key]
        if _SHAPE_NUMBER.fullmatch(key) or _SHAPE_CLOCK.fullmatch(key):
            return idx
        if _SHAPE_DAY_MONTH.fullmatch(key):
            group = self._day_month_group(idx, examples)
            either = group.ok_day | group.ok_month
            groups.append(group.subset(either))
            return idx[~either]
        fmt = self._guess(examples)
        if fmt is None:
            return idx
        parsed, aware = _strict(self.text.iloc[idx], fmt)
        fitted = self.assign(idx, parsed, aware, fmt)
        return idx[~fitted]

    def _guess(self, examples: np.ndarray) -> str | None:
        """The format pandas guesses for most of a few examples (never year-day-month)."""
        text = self.text.iloc[examples]
        sample = text.iloc[:: max(1, len(text) // 5)].iloc[:5]
        guesses = Counter(
            fmt
            for value in sample
            if (fmt := guess_datetime_format(value)) is not None and not _year_day_month(fmt)
        )
        return guesses.most_common(1)[0][0] if guesses else None

    def clock_only(self, group: np.ndarray) -> None:
        self.exclude(group, "time without a date")
        n = self.rows(group)
        self.causes.append(
            f"{_count(n, 'value')} of {self.column!r} are times of day without a date (e.g. "
            f"{_quote(self.text.iloc[group])}); they are never dated today. If the date is in "
            f"another column, pass it as time= and this one as hour=, e.g. time='Date', "
            f"hour={self.column!r} (CLI: --time Date --hour {shlex.quote(self.column)})"
        )

    def other(self, group: np.ndarray) -> None:
        text = self.text.iloc[group]
        sample = text.iloc[:: max(1, len(text) // 5)].iloc[:5]
        # (a year-first date is year-month-day: pandas' guess of %Y-%d-%m for 2019-13-01 is not)
        guesses = Counter(
            fmt
            for value in sample
            if (fmt := guess_datetime_format(value)) is not None and not _year_day_month(fmt)
        )
        candidates = [fmt for fmt, _ in guesses.most_common()] + list(_KNOWN_FORMATS)
        remaining = group
        for fmt in dict.fromkeys(candidates):
            if not len(remaining):
                break
            if fmt in _KNOWN_FORMATS and fmt not in guesses:
                trial, _ = _strict(self.text.iloc[remaining[:20]], fmt)
                if trial.isna().all():
                    continue
            parsed, aware = _strict(self.text.iloc[remaining], fmt)
            remaining = remaining[~self.assign(remaining, parsed, aware, fmt)]
        if len(remaining):
            self.exclude(remaining, "unparseable time")

    def numbers(self, group: np.ndarray) -> None:
        text = self.text.iloc[group]
        digits = text.str.fullmatch(r"\d{8}|\d{12}|\d{14}")
        if digits.mean() > 0.5:  # yyyymmdd, yyyymmddHHMM, yyyymmddHHMMSS
            widths = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
            fitted = np.zeros(len(group), dtype=bool)
            lengths = text.str.len().to_numpy()
            for width, fmt in widths.items():
                these = lengths == width
                if these.any():
                    parsed, _ = _strict(self.text.iloc[group[these]], fmt)
                    fitted[these] = self.assign(group[these], parsed, False, fmt)
            if self.rows(group[~fitted]) <= 0.5 * self.rows(group):
                if not fitted.all():
                    self.exclude(group[~fitted], "unparseable time")
                return
            # most did not read as dates: undo and treat them as numbers
            self.done[group] = False
            self.used = [u for u in self.used if u[0] not in widths.values()]
        x = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        weight = self.counts[group]
        now = pd.Timestamp.now()
        serial_hi = (now - EXCEL_ORIGIN) / pd.Timedelta(days=1) + 1
        serial_lo = (PLAUSIBLE_START - EXCEL_ORIGIN) / pd.Timedelta(days=1)
        epoch_lo, epoch_hi = PLAUSIBLE_START.timestamp(), now.timestamp() + 86_400
        kinds = {
            "Excel serial dates": (x >= serial_lo) & (x <= serial_hi),
            "epoch seconds": (x >= epoch_lo) & (x <= epoch_hi),
            "epoch milliseconds": (x >= epoch_lo * 1e3) & (x <= epoch_hi * 1e3),
        }
        share = {kind: weight[ok].sum() / weight.sum() for kind, ok in kinds.items()}
        kind = max(share, key=share.get)
        example = text.iloc[0]
        if share[kind] < 0.5:
            self.exclude(group, "unparseable time")
            self.causes.append(
                f"{_count(self.rows(group), 'value')} of {self.column!r} are plain numbers (e.g. "
                f"{_quote(text)}){_looks_like(x, serial_lo, serial_hi)}. Numbers are read as "
                f"Excel serial dates from 1990 to today ({serial_lo:,.0f}–{serial_hi:,.0f}) or "
                "as epoch seconds or milliseconds from 1990 to now; convert these yourself "
                "(e.g. pd.to_datetime(df[col], unit='s'), or origin='1899-12-30', unit='D' "
                "for Excel serials) and pass the DataFrame"
            )
            return
        ok = kinds[kind]
        if kind == "Excel serial dates":
            seconds = np.round(x[ok] * 86_400)
            parsed = pd.Series(EXCEL_ORIGIN + pd.to_timedelta(seconds, unit="s"))
            aware, label = False, "Excel serial date"
            meaning = "days since 1899-12-30, local time"
        else:
            unit = "s" if kind == "epoch seconds" else "ms"
            parsed = pd.Series(pd.to_datetime(x[ok], unit=unit)).dt.round("s")
            aware, label = True, f"epoch {'seconds' if unit == 's' else 'milliseconds'} (UTC)"
            meaning = "since 1970-01-01 UTC"
        fitted_idx = group[ok]
        parsed.index = range(len(parsed))
        self.assign(fitted_idx, parsed, aware, label, "")
        example = self.text.iloc[fitted_idx[0]]
        self.notes.append(
            f"{_count(self.rows(fitted_idx), 'value')} of {self.column!r} are numbers read as {kind} "
            f"({meaning}): {example!r} is {parsed.iloc[0]}"
        )
        rest = group[~ok]
        if len(rest):
            self.exclude(rest, "unparseable time")
            self.causes.append(
                f"{self.rows(rest):,} numbers in {self.column!r} (e.g. "
                f"{_quote(self.text.iloc[rest])}) are outside the plausible range of {kind} "
                "(1990 to now)"
            )

    # -- day/month --------------------------------------------------------------------------------

    def _day_month_group(self, group: np.ndarray, examples: np.ndarray | None = None) -> _DayMonth:
        """Parse a group of day/month dates both ways: the evidence comes from what fits."""
        examples = group if examples is None else examples
        text = self.text.iloc[examples]
        sample = text.iloc[:: max(1, len(text) // 20)].iloc[:20]
        tails = Counter(m[4] for v in sample if (m := re.match(_DAY_MONTH, v)))
        suffix = _suffix(tails.most_common(1)[0][0]) if tails else ""
        day_fmt, month_fmt = _formats(sample.iloc[0], suffix)
        values = self.text.iloc[group]
        by_day, aware = _strict(values, day_fmt)
        by_month, _ = _strict(values, month_fmt)
        return _DayMonth(group, day_fmt, month_fmt, by_day, by_month, aware)

    def day_month(self, groups: list[_DayMonth], hint: bool | None) -> None:
        found = [_order_evidence(g, self.counts, self.text) for g in groups]
        choices, majority = decide_order(found, self.total, hint)
        if self.deciding is None:  # a whole file: a large mixed or ambiguous group raises
            for g, (_, _, problem) in zip(groups, choices, strict=True):
                if problem == "mixed":
                    self._raise_mixed(g)
            for g, (_, _, problem) in zip(groups, choices, strict=True):
                if problem == "ambiguous":
                    self._raise_ambiguous(g, g.members[_unsure(g)], majority)
        column = self.deciding.column(self.column) if self.deciding is not None else None
        forced = self.deciding.forced_order(self.column) if self.deciding is not None else {}
        if column is not None:
            column.hint = hint
        # the groups with evidence first, then the open ones (the order of their notes)
        order = [i for i, e in enumerate(found) if e.day or e.month]
        order += [i for i, e in enumerate(found) if not (e.day or e.month)]
        for i in order:
            g, (choice, why, _) = groups[i], choices[i]
            key = (g.day_fmt, g.month_fmt)
            if key in forced:
                choice, why = forced[key], "as decided for all the files read together"
            if column is not None:
                column.add(key, found[i], choice)
            if choice != EXCLUDE:
                self._take(g, bool(choice), why)
                continue
            unsure = _unsure(g)
            self.exclude(g.members[unsure], "ambiguous day/month")
            self._take(g, True, "day and month are equal", ~unsure)
            self.notes.append(
                f"ambiguous day/month: {_count(self.rows(g.members[unsure]), 'row')} of "
                f"{self.column!r} (dates such as {_quote(self.text.iloc[g.members[unsure]])}) "
                "could be day-first or month-first and no other date in the file settles "
                f"it: excluded. Pass time_format={g.day_fmt!r} or {g.month_fmt!r} to read them"
            )

    def _take(
        self, g: _DayMonth, day_first: bool, why: str, among: np.ndarray | None = None
    ) -> None:
        """Keep a group's dates read in one order; retry the rest with other time parts."""
        among = np.ones(len(g.members), dtype=bool) if among is None else among
        ok = (g.ok_day if day_first else g.ok_month) & among
        parsed = g.by_day if day_first else g.by_month
        if ok.any():
            self.assign(
                g.members[ok], parsed[ok], g.aware, g.day_fmt if day_first else g.month_fmt, why
            )
        remaining = g.members[~ok & among]
        for suffix in _TIME_SUFFIXES:
            if not len(remaining):
                break
            day_fmt, month_fmt = _formats(self.text.iloc[remaining[0]], suffix)
            fmt = day_fmt if day_first else month_fmt
            parsed, aware = _strict(self.text.iloc[remaining], fmt)
            if parsed.notna().any():
                remaining = remaining[~self.assign(remaining, parsed, aware, fmt, why)]
        if len(remaining):
            self.exclude(remaining, "unparseable time")

    def _raise_ambiguous(self, g: _DayMonth, unsure: np.ndarray, majority: bool | None) -> None:
        raise HotspotInputError(
            ambiguous_message(
                self.where,
                self.column,
                self.rows(unsure),
                self.total,
                list(self.text.iloc[unsure].iloc[:3]),
                (g.day_fmt, g.month_fmt),
                majority,
            )
        )

    def _raise_mixed(self, g: _DayMonth) -> None:
        day_only = g.ok_day & ~g.ok_month
        month_only = g.ok_month & ~g.ok_day
        raise HotspotInputError(
            mixed_message(
                self.where,
                self.column,
                (self.rows(g.members[day_only]), self.rows(g.members[month_only])),
                (
                    list(self.text.iloc[g.members[day_only]].iloc[:3]),
                    list(self.text.iloc[g.members[month_only]].iloc[:3]),
                ),
                (g.day_fmt, g.month_fmt),
            )
        )

    # -- summary ----------------------------------------------------------------------------------

    def summarise(self) -> None:
        if len(self.used) > 1:
            parts = [
                f"{_count(rows, 'row')} as {fmt!r} (e.g. {example!r}{', ' + comment if comment else ''})"
                for fmt, rows, example, comment in sorted(self.used, key=lambda u: -u[1])
            ]
            self.notes.insert(
                0,
                f"mixed date formats in {self.column!r}: {'; '.join(parts)}. Each group of "
                "values was read with its own format; pass time_format= (a format or a list) "
                "to choose them",
            )
        elif self.used and self.used[0][3] and self.used[0][3] != "given as time_format=":
            fmt, rows, example, comment = self.used[0]
            self.notes.append(f"{self.column!r} read as {fmt!r} (e.g. {example!r}: {comment})")
        bad = np.flatnonzero(self.reasons == "unparseable time")
        if len(bad):
            n = self.rows(bad)
            self.notes.append(
                f"unparseable time: {_count(n, 'row')} of {self.column!r} in no recognised "
                f"format or with impossible dates (e.g. {_quote(self.text.iloc[bad])}): excluded "
                "(hotspot.excluded_incidents() lists them); pass time_format= if they have a "
                "format of their own"
            )


def _as_text(uniques: pd.Index | np.ndarray) -> pd.Series:
    """Distinct raw values as stripped text (whole floats without their ``.0``)."""
    values = pd.Series(uniques)
    if pd.api.types.is_float_dtype(values.dtype):
        values = values.map(lambda v: np.format_float_positional(v, trim="-"))
    return values.astype("str").str.strip()


def read_times(
    values: pd.Series,
    *,
    time_format: str | Sequence[str] | None = None,
    source: str = "the data",
    column: str | None = None,
    deciding: Deciding | None = None,
) -> RawTimes:
    """Read a time column as written: wall-clock times, or UTC instants where an offset was given.

    Parameters
    ----------
    values : Series
        Raw times: datetimes (naive or aware), text, or numbers (Excel serials, epoch seconds).
    time_format : str or sequence of str, optional
        ``strftime`` formats: each row is read by the first that fits; the other rows are read
        automatically.
    source, column : str, optional
        The file and column, for messages.
    deciding : Deciding, optional
        For a part of a file (``hotspot.scale``): record the evidence of the whole-file
        decisions, never raise for a mixed or ambiguous group, and read as its ``forced``
        verdicts say.

    Returns
    -------
    RawTimes

    Raises
    ------
    HotspotInputError
        A large group of dates is ambiguous between day-first and month-first, or mixes both, or
        ``time_format`` is not a strftime format.
    """
    column = str(column if column is not None else values.name or "time")
    index = values.index
    n = len(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        aware = getattr(values.dtype, "tz", None) is not None
        times, reasons = _to_ns(values.reset_index(drop=True))
        missing = values.isna().to_numpy()
        reasons[missing] = "missing time"
        return RawTimes(index, times, np.full(n, aware), reasons, False, [], [], column)
    formats = _as_formats(time_format)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        return RawTimes(
            index,
            nat,
            np.zeros(n, bool),
            np.full(n, "missing time", object),
            False,
            [],
            [],
            column,
        )
    text = _as_text(uniques)
    blank = (text == "") | text.isin(["nan", "NaT", "None", "<NA>"])
    codes = np.where(blank.to_numpy()[np.maximum(codes, 0)] & (codes >= 0), -1, codes)
    counts = np.bincount(codes[codes >= 0], minlength=len(text))
    reader = _Reader(text, counts, source, column, deciding)
    if deciding is not None:
        deciding.column(column).total = reader.total
    reader.exclude(np.flatnonzero(blank.to_numpy() | (counts == 0)), "missing time")
    reader.given_formats(formats)
    hints = {h for h in map(_day_first_of, formats) if h is not None}
    reader.automatic(hints.pop() if len(hints) == 1 else None)
    reader.summarise()
    present = codes >= 0
    safe = np.maximum(codes, 0)
    times = np.where(present, reader.values[safe], np.datetime64("NaT"))
    reasons = np.where(present, reader.reasons[safe], "missing time").astype(object)
    aware = present & reader.aware[safe]
    fitted = reader.done & (reader.reasons == None)  # noqa: E711 (elementwise)
    month_only = bool(fitted.any() and reader.month[fitted].all())
    return RawTimes(
        index,
        times.astype("datetime64[ns]"),
        aware,
        reasons,
        month_only,
        reader.notes,
        reader.causes,
        column,
    )


def _own(values: np.ndarray) -> bool:
    """Whether ``values`` may be changed in place: its own writeable memory, no caller's view."""
    return bool(values.flags.owndata and values.flags.writeable)


def _placeholder_hits(values: np.ndarray) -> np.ndarray:
    """Where ``values`` are one of the placeholder dates (at midnight)."""
    return np.isin(values, np.array(PLACEHOLDERS, dtype="datetime64[ns]"))


def _placeholders(
    raw: RawTimes,
    local: np.ndarray,
    reasons: np.ndarray,
    notes: list[str],
    causes: list[str],
    as_read: np.ndarray,
    deciding: Deciding | None = None,
) -> None:
    """Exclude bulk placeholder dates (midnight on 1899-12-30/31, 1900-01-01, 1970-01-01):
    in local time, or as read (``as_read``: the rows whose value before conversion is one).
    With ``deciding``: record the counts, and follow its forced verdict when it has one."""
    hit = _placeholder_hits(local) | as_read
    hit &= reasons == None  # noqa: E711 (elementwise)
    n = int(hit.sum())
    present = int(np.sum(reasons != "missing time"))
    bulk = placeholders_in_bulk(n, present)
    if deciding is not None:
        forced = deciding.forced_placeholders(raw.column)
        bulk = bulk if forced is None else forced
        column = deciding.column(raw.column)
        column.placeholder_rows, column.present_rows = n, present
        column.placeholders = bulk if n else None
    if not n:
        return
    found = sorted({str(v)[:10] for v in local[hit]})
    if bulk:
        reasons[hit] = "placeholder date"
        message = (
            f"{_count(n, 'row')} dated {', '.join(found)} at midnight, a placeholder exports use for "
            "an unknown date: excluded as placeholder date (hotspot.excluded_incidents() lists "
            "them)"
        )
        notes.append(message)
        causes.append(message)
    else:
        rows = ", ".join(str(v) for v in raw.index[hit][:5])
        notes.append(
            f"{n:,} {'row is' if n == 1 else 'rows are'} dated {', '.join(found)} at midnight, "
            f"a common placeholder for an unknown date (row {rows}); kept, as too few to be a "
            "placeholder in bulk: check them"
        )


def _hour_offsets(hours: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """A separate hour column as offsets: hours 0–23, or clock times such as ``14:30``.

    Returns the offsets (timedelta64[ns], 0 where invalid), the invalid mask and whether any
    offset has minutes or seconds. Worked out once per distinct value.
    """
    codes, uniques = pd.factorize(hours, use_na_sentinel=True)
    values = pd.Series(uniques)
    number = pd.to_numeric(values, errors="coerce")
    fine = False
    if pd.api.types.is_numeric_dtype(values.dtype):
        clocks = 0
    else:
        text = values.astype("str").str.strip()
        clocks = int(text.str.match(_CLOCK).sum())
    if pd.api.types.is_numeric_dtype(values.dtype) or int(number.notna().sum()) >= clocks:
        bad = (number.isna() | (number < 0) | (number > 23) | (number % 1 != 0)).to_numpy()
        seconds = number.where(~bad, 0).fillna(0).to_numpy(float) * 3600
    else:
        parts = text.str.extract(_CLOCK)
        h = pd.to_numeric(parts[0], errors="coerce")
        m = pd.to_numeric(parts[1], errors="coerce")
        s = pd.to_numeric(parts[2], errors="coerce").fillna(0)
        ampm = parts[3].str.lower()
        twelve = ampm.notna()
        invalid = h.isna() | (m > 59) | (s > 59) | (h > 23) | (twelve & ((h < 1) | (h > 12)))
        h = h.where(~twelve, (h % 12) + np.where(ampm == "pm", 12, 0))
        seconds = (h * 3600 + m * 60 + s).where(~invalid, 0).fillna(0).to_numpy(float)
        bad = invalid.to_numpy(dtype=bool)
        fine = bool(((m.fillna(0) != 0) | (s != 0))[~invalid].any())
    present = codes >= 0
    if not len(seconds):
        return np.zeros(len(codes), dtype="timedelta64[ns]"), ~present, fine
    # per distinct value, then one take: no per-row float or intermediate timedelta arrays
    unique_offsets = pd.to_timedelta(seconds, unit="s").to_numpy(dtype="timedelta64[ns]")
    safe = np.maximum(codes, 0)
    del codes
    offsets = unique_offsets[safe]
    row_bad = bad[safe]
    del safe
    offsets[~present] = np.timedelta64(0, "ns")
    row_bad |= ~present
    return offsets, np.asarray(row_bad, dtype=bool), fine


def finish_times(
    raw: RawTimes,
    *,
    hours: pd.Series | None = None,
    timezone: str | None = None,
    overwrite: bool = False,
    deciding: Deciding | None = None,
) -> ParsedTimes:
    """Local wall-clock times from :func:`read_times`: offsets converted, hours added.

    Parameters
    ----------
    raw : RawTimes
    hours : Series, optional
        Local hour of day (0–23) or clock time (``14:30``) to add to each date.
    timezone : str, optional
        Zone to which times with a UTC offset are converted (default UTC).
    overwrite : bool, default=False
        Work in ``raw``'s own arrays instead of copies (two per-row arrays less at the peak),
        for a caller that does not use ``raw`` again.
    deciding : Deciding, optional
        For a part of a file: record the placeholder counts, follow its forced verdict.

    Returns
    -------
    ParsedTimes
    """
    notes = list(raw.notes)
    causes = list(raw.causes)
    reasons = raw.reasons if overwrite and _own(raw.reasons) else raw.reasons.copy()
    values = raw.values if overwrite and _own(raw.values) else raw.values.copy()
    zone = None
    as_read = _placeholder_hits(values)  # before values may be converted in place
    if raw.aware.any():
        zone = timezone or "UTC"
        local = pd.DatetimeIndex(values[raw.aware]).tz_localize("UTC").tz_convert(zone)
        values[raw.aware] = local.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        n = int(raw.aware.sum())
        where = "UTC" if zone == "UTC" else f"{zone} local time"
        notes.append(f"{_count(n, 'time')} carried a UTC offset; converted to {where}")
    _placeholders(raw, values, reasons, notes, causes, as_read, deciding)
    del as_read
    times = pd.Series(values, index=raw.index)
    resolution = None
    if hours is None:
        valid = reasons == None  # noqa: E711 (elementwise)
        resolution = infer_resolution(times[valid], month_only=raw.month_only)
    else:
        off_midnight = times.notna() & (times != times.dt.normalize())
        if off_midnight.any():
            # A date exported as a local midnight converted with other daylight-saving rules
            # (Toronto's 1978 and 1980 dates come out at 23:00 the day before) is a date all the
            # same: round it to the nearest midnight before adding the hour.
            example = times[off_midnight].iloc[0]
            notes.append(
                f"{int(off_midnight.sum()):,} dates were not at local midnight (e.g. "
                f"{str(example)!r}); rounded to the nearest day before adding the hour column"
            )
            times = times.dt.round("D")
        offsets, bad, fine = _hour_offsets(hours.reset_index(drop=True))
        bad_hour = bad & times.notna().to_numpy() & (reasons == None)  # noqa: E711
        reasons[bad_hour] = "invalid hour"
        times = times + offsets
        resolution = infer_resolution(times[reasons == None]) if fine else "hour"  # noqa: E711
    reason_series = pd.Series(reasons, index=raw.index, dtype=object)
    times = times.where(reason_series.isna())
    return ParsedTimes(times, reason_series, resolution, notes, causes, zone)


def infer_resolution(times: pd.Series, *, month_only: bool = False) -> str | None:
    """The coarsest unit that every time is a whole multiple of.

    "month" needs month-only text (``month_only=True``) or at least 30 times, all on the first
    of a month at midnight: a handful of incidents on the 1st is not a monthly export.

    Examples
    --------
    >>> infer_resolution(pd.Series(pd.to_datetime(["2018-07-01", "2018-08-01"])), month_only=True)
    'month'
    >>> infer_resolution(pd.Series(pd.to_datetime(["2018-07-01 10:00", "2018-07-05 00:00"])))
    'hour'
    """
    t = times.dropna()
    if t.empty:
        return None
    if (t.dt.second != 0).any() or (t.dt.microsecond != 0).any() or (t.dt.nanosecond != 0).any():
        return "second"
    if (t.dt.minute != 0).any():
        return "minute"
    if (t.dt.hour != 0).any():
        return "hour"
    if (t.dt.day != 1).any() or not (month_only or len(t) >= 30):
        return "day"
    return "month"


def parse_times(
    values: pd.Series,
    *,
    hours: pd.Series | None = None,
    timezone: str | None = None,
    time_format: str | Sequence[str] | None = None,
    source: str = "the data",
) -> ParsedTimes:
    """Parse a time column (and an optional separate hour column) row by row.

    Parameters
    ----------
    values : Series
        Raw times: datetimes (naive or aware), text, or numbers.
    hours : Series, optional
        Local hour of day (0–23) or clock time (``14:30``) to add to each date.
    timezone : str, optional
        Zone to which times with a UTC offset are converted (default UTC).
    time_format : str or sequence of str, optional
        ``strftime`` formats; each row is read by the first that fits, the others automatically.
    source : str, optional
        The file name, for messages.

    Returns
    -------
    ParsedTimes
        ``times`` (naive datetime64), ``reasons`` (see the module's table, or missing), the
        resolution and notes for the load report.

    Raises
    ------
    HotspotInputError
        See :func:`read_times`.

    Examples
    --------
    >>> p = parse_times(pd.Series(["2018-07"] * 10 + ["2018-08"] * 10 + ["soon", None]))
    >>> p.resolution, p.reasons.value_counts().to_dict()
    ('month', {'unparseable time': 1, 'missing time': 1})
    >>> p = parse_times(pd.Series(["2019-01-02"] * 99 + ["31/31/2019", "14/01/2019"]))
    >>> p.reasons.value_counts().to_dict(), str(p.times.iloc[-1])
    ({'unparseable time': 1}, '2019-01-14 00:00:00')
    """
    raw = read_times(values, time_format=time_format, source=source)
    return finish_times(raw, hours=hours, timezone=timezone, overwrite=True)


def long_tail(times: pd.Series, share: float = 0.1) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The core period: from the first to the last month with at least ``share`` of the median
    monthly count. Times outside it are a sparse tail worth reporting (late-recorded old crimes).

    Returns ``None`` when there are fewer than three months of data.
    """
    t = times.dropna()
    if t.empty:
        return None
    months = t.dt.to_period("M")
    counts = months.value_counts().sort_index()
    full = counts.reindex(pd.period_range(counts.index.min(), counts.index.max()), fill_value=0)
    if len(full) < 3:
        return None
    # The reference level is the median month between the 1st and 99th percentile of the times,
    # so a long sparse tail cannot drag it down to zero.
    lo, hi = t.quantile([0.01, 0.99])
    central = full[(full.index >= lo.to_period("M")) & (full.index <= hi.to_period("M"))]
    threshold = share * float(np.median(central.to_numpy()))
    dense = full.index[full.to_numpy() >= threshold]
    return dense.min().start_time, dense.max().end_time
