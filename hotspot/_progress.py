"""Progress bars for long computations: a bar in the terminal, a widget in JupyterLab (tqdm)."""

from __future__ import annotations

from typing import Any

# Elementary steps (a neighbour sum of one permutation, a pair of one permutation) above which a
# computation shows a bar when ``progress=None``: a few seconds on two cores.
LONG_WORK = 5e9


def show_progress(progress: bool | None, work: float) -> bool:
    """Whether to draw a bar: as asked, else (``None``) only for long work.

    Examples
    --------
    >>> show_progress(None, 1e12), show_progress(None, 1e6), show_progress(True, 1)
    (True, False, True)
    """
    if progress is not None:
        return bool(progress)
    return work > LONG_WORK


def progress_bar(total: int, desc: str, show: bool, unit: str = "it") -> Any:
    """A tqdm bar (disabled when ``show`` is false) that disappears when done."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not show, leave=False)


def chunk_bounds(n: int, show: bool, chunks: int = 100) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges covering ``0 … n``: one when no bar is shown, else about
    ``chunks`` of them so the bar moves.

    Examples
    --------
    >>> chunk_bounds(10, False), chunk_bounds(10, True, chunks=4)
    ([(0, 10)], [(0, 3), (3, 6), (6, 9), (9, 10)])
    """
    if not show or n <= 1:
        return [(0, n)]
    size = max(1, -(-n // chunks))
    return [(start, min(start + size, n)) for start in range(0, n, size)]
