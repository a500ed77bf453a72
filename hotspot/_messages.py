"""Announcements of automatic choices, silenced by ``quiet=True``."""

from __future__ import annotations

import sys

import pandas as pd


def announce(message: str, *, quiet: bool = False) -> None:
    """Print an announcement of a choice made for the user on standard error.

    Parameters
    ----------
    message : str
        What was chosen and how to override it.
    quiet : bool, default=False
        When true nothing is printed.
    """
    if not quiet:
        print(f"hotspot: {message}", file=sys.stderr)


def first_rows(index: pd.Index, limit: int = 5) -> str:
    """Format the first ``limit`` labels of ``index`` for an error message.

    Examples
    --------
    >>> first_rows(pd.Index([3, 7, 9, 11, 12, 15, 20]))
    '3, 7, 9, 11, 12 (and 2 more)'
    """
    shown = ", ".join(str(v) for v in list(index[:limit]))
    more = len(index) - limit
    return f"{shown} (and {more} more)" if more > 0 else shown
