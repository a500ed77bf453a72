"""Array kernels of :mod:`hotspot.forecast.sepp`: close pairs of events and the EM iterations.

Everything here works on plain float arrays: coordinates in metres, times in days *forward*
(larger = later), and returns plain arrays. :mod:`hotspot.forecast.sepp` checks the parameters
and turns the arrays into fitted attributes and forecasts. No numba: the pair search is scipy's
k-d tree over time blocks, and an EM iteration is a handful of vectorised passes over the pairs
(``np.bincount``), so both are linear in the number of close pairs. Sums of products are
written ``np.sum(a * b)``, not ``np.dot``: a BLAS dot product may start threads, which on a
busy machine made a 10,000-element dot 20 times slower than the plain sum.

The pairs
---------
A *triggering pair* ``(i, j)`` is an earlier event ``i`` and a later event ``j`` with
``0 < s_j - s_i <= time_cutoff`` and ``|x_j - x_i| <= distance_cutoff`` (or, for the grid
variant, ``j`` in the same cell as ``i``). Events at exactly the same time never form a pair.
The search sorts the events by time and cuts the time axis into blocks of ``time_cutoff``
days: every pair lies within one block or between two adjacent ones, so each block's k-d tree
is queried against itself and against the block before it. Memory is that of the pairs found
(plus one block's tree), never ``n**2``; :func:`count_space_time_pairs` counts the same
candidates first, without storing them, so that a fit can refuse before allocating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree
from scipy.special import ndtr

#: Bytes held per triggering pair during a fit: two int64 indices, the lag and the squared
#: distance (float64), and the kernel value, the probability and one temporary in an iteration.
BYTES_PER_PAIR = 56
#: Bytes per stored pair of the background kernel matrix (both orders: int32 index + float64).
BYTES_PER_BACKGROUND_PAIR = 24
#: The background kernel is truncated at this many bandwidths (mass left out: exp(-8) = 0.03 %).
BACKGROUND_RADIUS = 4.0
#: Offspring and background Gaussians are spread over the cells within this many standard
#: deviations (plus half a cell's diagonal) of their centre (mass left out: exp(-12.5)).
SPREAD_RADIUS = 5.0


def _time_blocks(s: np.ndarray, tau: float) -> list[tuple[int, np.ndarray]]:
    """(block id, event positions) per block of ``tau`` days, in time order (empty blocks
    left out: the id tells whether two blocks are adjacent)."""
    order = np.argsort(s, kind="stable")
    block = np.floor((s[order] - s[order[0]]) / tau).astype(np.int64)
    cuts = np.flatnonzero(np.diff(block)) + 1
    ids = block[np.r_[0, cuts]]
    groups = np.split(order, cuts)
    return [(int(b), g) for b, g in zip(ids, groups, strict=True)]


def count_space_time_pairs(
    x: np.ndarray, y: np.ndarray, s: np.ndarray, tau: float, radius: float
) -> int:
    """How many candidate pairs :func:`space_time_pairs` will examine (an upper bound of the
    pairs it returns): pairs within ``radius`` metres in the same or adjacent time blocks.

    Counts without storing anything (``cKDTree.count_neighbors``).
    """
    if len(x) < 2:
        return 0
    total = 0
    prev_id, prev_tree = None, None
    for block_id, idx in _time_blocks(s, tau):
        tree = cKDTree(np.column_stack([x[idx], y[idx]]))
        total += (int(tree.count_neighbors(tree, radius)) - len(idx)) // 2
        if prev_tree is not None and prev_id == block_id - 1:
            total += int(tree.count_neighbors(prev_tree, radius))
        prev_id, prev_tree = block_id, tree
    return total


def space_time_pairs(
    x: np.ndarray, y: np.ndarray, s: np.ndarray, tau: float, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of an earlier event ``i`` and a later one ``j`` with ``0 < s_j - s_i <= tau``
    and distance ``<= radius``.

    Returns
    -------
    parent, child : int64 arrays
        Positions of the earlier and the later event.
    lag : float array
        ``s_child - s_parent`` (days, > 0).
    d2 : float array
        Squared distance (m²).
    """
    parents, children = [], []
    prev_id, prev_idx, prev_tree = None, None, None
    for block_id, idx in _time_blocks(s, tau):
        tree = cKDTree(np.column_stack([x[idx], y[idx]]))
        within = tree.query_pairs(radius, output_type="ndarray")
        if len(within):
            parents.append(idx[within[:, 0]])
            children.append(idx[within[:, 1]])
        if prev_tree is not None and prev_id == block_id - 1:
            cross = tree.sparse_distance_matrix(prev_tree, radius, output_type="ndarray")
            if len(cross):
                parents.append(prev_idx[cross["j"]])
                children.append(idx[cross["i"]])
        prev_id, prev_idx, prev_tree = block_id, idx, tree
    if not parents:
        empty = np.empty(0)
        return np.empty(0, np.int64), np.empty(0, np.int64), empty, empty
    a = np.concatenate(parents).astype(np.int64)
    b = np.concatenate(children).astype(np.int64)
    del parents, children
    later = s[b] >= s[a]
    parent = np.where(later, a, b)
    child = np.where(later, b, a)
    lag = s[child] - s[parent]
    keep = (lag > 0) & (lag <= tau)
    parent, child, lag = parent[keep], child[keep], lag[keep]
    d2 = (x[child] - x[parent]) ** 2 + (y[child] - y[parent]) ** 2
    return parent, child, lag, d2


def cell_time_pairs(
    cell: np.ndarray, s: np.ndarray, tau: float, *, count_only: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | int:
    """Pairs of an earlier and a later event in the same cell, ``0 < lag <= tau`` days.

    Sorted by (cell, time), event ``k`` pairs with ``k + 1, k + 2, ...`` while they share its
    cell and lie within ``tau``: one vectorised pass per lag. ``count_only`` returns the number
    of pairs without storing them.
    """
    order = np.lexsort((s, cell))
    c, t = cell[order], s[order]
    n = len(c)
    count = 0
    parents, children, lags = [], [], []
    lag_k = 1
    alive = np.arange(n - 1) if n > 1 else np.empty(0, np.int64)
    while len(alive):
        nxt = alive + lag_k
        ok = nxt < n
        alive, nxt = alive[ok], nxt[ok]
        ok = (c[nxt] == c[alive]) & (t[nxt] - t[alive] <= tau)
        alive, nxt = alive[ok], nxt[ok]
        lag = t[nxt] - t[alive]
        strict = lag > 0
        count += int(strict.sum())
        if not count_only:
            parents.append(order[alive[strict]])
            children.append(order[nxt[strict]])
            lags.append(lag[strict])
        lag_k += 1
    if count_only:
        return count
    if not parents:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return (
        np.concatenate(parents).astype(np.int64),
        np.concatenate(children).astype(np.int64),
        np.concatenate(lags),
    )


def count_location_pairs(xu: np.ndarray, yu: np.ndarray, radius: float) -> int:
    """Pairs of distinct locations within ``radius`` (each pair once)."""
    tree = cKDTree(np.column_stack([xu, yu]))
    return (int(tree.count_neighbors(tree, radius)) - len(xu)) // 2


def background_kernel(xu: np.ndarray, yu: np.ndarray, bandwidth: float) -> sparse.csr_array:
    """The Gaussian kernel (per m²) between distinct locations within
    ``BACKGROUND_RADIUS * bandwidth``, as a symmetric sparse matrix with its diagonal."""
    m = len(xu)
    tree = cKDTree(np.column_stack([xu, yu]))
    pairs = tree.query_pairs(BACKGROUND_RADIUS * bandwidth, output_type="ndarray")
    norm = 1.0 / (2.0 * np.pi * bandwidth**2)
    if len(pairs):
        i, j = pairs[:, 0], pairs[:, 1]
        d2 = (xu[i] - xu[j]) ** 2 + (yu[i] - yu[j]) ** 2
        k = norm * np.exp(-d2 / (2.0 * bandwidth**2))
    else:
        i = j = np.empty(0, np.int64)
        k = np.empty(0)
    diag = np.arange(m)
    rows = np.concatenate([i, j, diag])
    cols = np.concatenate([j, i, diag])
    vals = np.concatenate([k, k, np.full(m, norm)])
    return sparse.csr_array(sparse.coo_array((vals, (rows, cols)), shape=(m, m)))


@dataclass
class EMResult:
    theta: float
    omega: float
    sigma: float
    background: np.ndarray  # per event: its background probability (the last E-step)
    n_iter: int
    converged: bool
    log_likelihood: float
    history: list[tuple[float, float, float, float]]


def sepp_em(
    *,
    n: int,
    age: np.ndarray,
    parent: np.ndarray,
    child: np.ndarray,
    lag: np.ndarray,
    d2: np.ndarray | None,
    background_density: Callable[[np.ndarray], np.ndarray],
    theta: float,
    omega: float,
    sigma: float | None,
    max_iter: int,
    tol: float,
    min_sigma: float = 1e-3,
) -> EMResult:
    """Expectation maximisation of the self-exciting model over the listed pairs.

    ``background_density(q)`` gives each event's background intensity (per day, and per m²
    when ``d2`` is given) from the events' background probabilities ``q`` (the M-step of the
    background). ``d2=None`` is the time-only (grid) kernel ``theta * omega * exp(-omega *
    lag)``; otherwise the kernel is multiplied by the isotropic Gaussian
    ``exp(-d2 / (2 sigma²)) / (2 pi sigma²)``.

    One iteration is the E-step at the current parameters (``p_ij = g_ij / lambda_j``,
    ``q_j = nu_j / lambda_j``, ``lambda_j = nu_j + sum_i g_ij``) and then the M-step: with
    ``S = sum p_ij`` and ``G_i = 1 - exp(-omega * age_i)`` the share of event ``i``'s
    offspring born before the training end, ``omega`` from :func:`solve_omega` (``S / sum
    p_ij lag_ij`` corrected for the offspring not yet born), ``sigma² = sum p_ij d2_ij / (2 S)``
    (kept at or above ``min_sigma``) and ``theta = S / sum_i G_i`` at the new ``omega``. The
    pairs beyond the cut-offs are taken to carry a negligible share of the kernel. The
    iterations stop when no parameter (``theta``, ``omega``, ``sigma``, the total background
    ``sum q``) moves by more than ``tol`` relative to its value.
    """
    spatial = d2 is not None
    q = np.ones(n)
    history: list[tuple[float, float, float, float]] = []
    loglik = float("nan")
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        # ---- E-step at (theta, omega, sigma, q)
        nu = background_density(q)
        g = theta * omega * np.exp(-omega * lag)
        if spatial:
            g *= np.exp(-d2 / (2.0 * sigma**2)) / (2.0 * np.pi * sigma**2)
        lam = nu + np.bincount(child, weights=g, minlength=n)
        p = g / lam[child]
        q_new = nu / lam
        seen = visible_share(omega, age)
        loglik = float(np.sum(np.log(lam)) - q.sum() - theta * seen.sum())
        # ---- M-step
        total = float(p.sum())
        if total > 0:
            omega_new = solve_omega(total, float(np.sum(p * lag)), age)
            if spatial:
                sigma_new = max(float(np.sqrt(np.sum(p * d2) / (2.0 * total))), min_sigma)
            else:
                sigma_new = sigma
        else:
            omega_new, sigma_new = omega, sigma
        seen = visible_share(omega_new, age)
        theta_new = total / float(seen.sum()) if seen.sum() > 0 else 0.0
        old = (theta, omega, sigma if spatial else 1.0, q.sum())
        new = (theta_new, omega_new, sigma_new if spatial else 1.0, q_new.sum())
        history.append((theta_new, omega_new, sigma_new if spatial else np.nan, q_new.sum()))
        change = max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(new, old, strict=True))
        theta, omega, sigma, q = theta_new, omega_new, sigma_new, q_new
        if change < tol:
            converged = True
            break
    return EMResult(
        theta=float(theta),
        omega=float(omega),
        sigma=float(sigma) if spatial else float("nan"),
        background=q,
        n_iter=n_iter,
        converged=converged,
        log_likelihood=loglik,
        history=history,
    )


def visible_share(omega: float, age: np.ndarray) -> np.ndarray:
    """Each event's share of offspring born before the training end: ``1 - exp(-omega *
    age_i)``."""
    return -np.expm1(-omega * age)


def solve_omega(total: float, weighted_lag: float, age: np.ndarray) -> float:
    """The M-step's ``omega`` with ``theta`` profiled out: the root of
    ``S / omega - sum p lag - S * sum_i a_i e^{-omega a_i} / sum_i (1 - e^{-omega a_i}) = 0``
    (``a_i`` the parent's age at the training end: its offspring after the end are not
    seen), by fixed-point iteration from ``S / sum p lag``, the root when every ``a_i`` is
    long."""
    if weighted_lag <= 0:
        return float("inf")
    w = total / weighted_lag
    for _ in range(200):
        e = np.exp(-w * age)
        seen = float(np.sum(-np.expm1(-w * age)))
        if seen <= 0:
            break
        w_new = total / (weighted_lag + total * float(np.sum(age * e)) / seen)
        if abs(w_new - w) <= 1e-12 * w:
            return w_new
        w = w_new
    return w


def gaussian_cell_mass(
    cx: np.ndarray,
    cy: np.ndarray,
    weight: np.ndarray,
    sigma: float,
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    bounds: np.ndarray,
    scale: np.ndarray,
    *,
    chunk: int = 2048,
) -> np.ndarray:
    """Sum over centres of ``weight`` × the mass of an isotropic Gaussian (sd ``sigma``)
    centred there that falls in each cell.

    A cell's mass is the product of normal CDF differences over its bounding box
    (``bounds``: minx, miny, maxx, maxy per cell) times ``scale`` (1 for a rectangular cell,
    the polygon's share of its bounding box otherwise). Only cells whose centroid lies within
    ``SPREAD_RADIUS * sigma`` plus the largest half-diagonal of a centre are visited, in chunks
    of centres, so memory is linear in the (centre, nearby cell) pairs of one chunk.
    """
    out = np.zeros(len(cell_x))
    keep = weight > 0
    cx, cy, weight = cx[keep], cy[keep], weight[keep]
    if not len(cx) or not len(cell_x):
        return out
    half_diag = 0.5 * np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]).max()
    radius = SPREAD_RADIUS * sigma + half_diag
    cells = cKDTree(np.column_stack([cell_x, cell_y]))
    for lo in range(0, len(cx), chunk):
        hi = min(lo + chunk, len(cx))
        centres = cKDTree(np.column_stack([cx[lo:hi], cy[lo:hi]]))
        near = centres.sparse_distance_matrix(cells, radius, output_type="ndarray")
        if not len(near):
            continue
        k, c = near["i"] + lo, near["j"]
        b = bounds[c]
        mx = ndtr((b[:, 2] - cx[k]) / sigma) - ndtr((b[:, 0] - cx[k]) / sigma)
        my = ndtr((b[:, 3] - cy[k]) / sigma) - ndtr((b[:, 1] - cy[k]) / sigma)
        out += np.bincount(c, weights=weight[k] * mx * my * scale[c], minlength=len(cell_x))
    return out
