"""Arithmetic binning of points into regular square and hexagonal grids (no spatial join).

A point on an edge or vertex shared by two cells goes to exactly one of them; a point on the
outer edge of the grid goes to the cell whose edge it is on. Positions are cell row numbers in
the cells frame; -1 means the point lies in no cell.
"""

from __future__ import annotations

import numpy as np

SQRT3 = np.sqrt(3.0)
# Relative tolerance for "exactly on a grid line", in cell sizes.
ON_LINE = 1e-9


def square_positions(
    x: np.ndarray,
    y: np.ndarray,
    *,
    cell_size: float,
    row: np.ndarray,
    col: np.ndarray,
) -> np.ndarray:
    """Row position of the square cell containing each point (grid lines on multiples of
    ``cell_size``; cell ``(row, col)`` spans ``[col*s, (col+1)*s] x [row*s, (row+1)*s]``)."""
    r0, c0 = int(row.min()), int(col.min())
    n_rows, n_cols = int(row.max()) - r0 + 1, int(col.max()) - c0 + 1
    lookup = np.full((n_rows + 2, n_cols + 2), -1, dtype=np.int64)  # padded by one each side
    lookup[row - r0 + 1, col - c0 + 1] = np.arange(len(row))
    fc = x / cell_size - c0
    fr = y / cell_size - r0
    ic = np.floor(fc)
    ir = np.floor(fr)
    inside = (ic >= -1) & (ic <= n_cols) & (ir >= -1) & (ir <= n_rows)
    ic = np.where(inside, ic, -1).astype(np.int64)
    ir = np.where(inside, ir, -1).astype(np.int64)
    pos = lookup[ir + 1, ic + 1]
    # A point on the line between a cell and a missing neighbour belongs to the cell: try the
    # cells on both sides of the line (and all four around a vertex) in a fixed order.
    todo = np.flatnonzero((pos < 0) & inside)
    if len(todo):
        kc, kr = np.round(fc[todo]), np.round(fr[todo])
        on_col = np.abs(fc[todo] - kc) <= ON_LINE
        on_row = np.abs(fr[todo] - kr) <= ON_LINE
        col_options = ((ic[todo], True), (kc - 1, on_col), (kc, on_col))
        row_options = ((ir[todo], True), (kr - 1, on_row), (kr, on_row))
        found = np.full(len(todo), -1, dtype=np.int64)
        for rr, r_ok in row_options:
            for cc, c_ok in col_options:
                rr_i = np.clip(rr, -1, n_rows).astype(np.int64)
                cc_i = np.clip(cc, -1, n_cols).astype(np.int64)
                candidate = lookup[rr_i + 1, cc_i + 1]
                take = (found < 0) & r_ok & c_ok & (candidate >= 0)
                found = np.where(take, candidate, found)
        pos[todo] = found
    return pos


def hex_centres(q: np.ndarray, r: np.ndarray, cell_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres of pointy-top hexagons with axial coordinates (q, r); ``cell_size`` is the
    distance between the centres of neighbours (the width across flats)."""
    radius = cell_size / SQRT3
    return cell_size * (q + r / 2.0), 1.5 * radius * r


def hex_axial(x: np.ndarray, y: np.ndarray, cell_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial coordinates of the hexagon containing each point (cube rounding)."""
    radius = cell_size / SQRT3
    fr = y / (1.5 * radius)
    fq = x / cell_size - fr / 2.0
    fs = -fq - fr
    q, r, s = np.round(fq), np.round(fr), np.round(fs)
    dq, dr, ds = np.abs(q - fq), np.abs(r - fr), np.abs(s - fs)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


HEX_NEIGHBOURS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))


def in_hexagon(
    x: np.ndarray, y: np.ndarray, q: np.ndarray, r: np.ndarray, cell_size: float
) -> np.ndarray:
    """Whether each point lies in (or on the boundary of) the hexagon (q, r)."""
    cx, cy = hex_centres(q, r, cell_size)
    radius = cell_size / SQRT3
    dx, dy = np.abs(x - cx), np.abs(y - cy)
    tol = ON_LINE * cell_size * 10
    return (dx <= cell_size / 2 + tol) & (dy <= radius - dx / SQRT3 + tol)


def hex_positions(
    x: np.ndarray, y: np.ndarray, *, cell_size: float, q: np.ndarray, r: np.ndarray
) -> np.ndarray:
    """Row position of the hexagonal cell containing each point."""
    keys = _hex_keys(q, r)
    order = np.argsort(keys)
    sorted_keys = keys[order]

    def lookup(pq: np.ndarray, pr: np.ndarray) -> np.ndarray:
        k = _hex_keys(pq, pr)
        i = np.searchsorted(sorted_keys, k)
        i = np.clip(i, 0, len(sorted_keys) - 1)
        return np.where(sorted_keys[i] == k, order[i], -1)

    pq, pr = hex_axial(x, y, cell_size)
    pos = lookup(pq, pr)
    todo = np.flatnonzero(pos < 0)
    # On the outer edge of the grid rounding may pick the missing neighbour: the point then
    # lies on the boundary of a kept hexagon next to it.
    for dq, dr in HEX_NEIGHBOURS:
        if not len(todo):
            break
        nq, nr = pq[todo] + dq, pr[todo] + dr
        candidate = lookup(nq, nr)
        hit = (candidate >= 0) & in_hexagon(x[todo], y[todo], nq, nr, cell_size)
        pos[todo[hit]] = candidate[hit]
        todo = todo[~hit]
    return pos


def _hex_keys(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (np.asarray(q, dtype=np.int64) << 32) ^ (np.asarray(r, dtype=np.int64) & 0xFFFFFFFF)
