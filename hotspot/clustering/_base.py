"""What every clustering method shares: identical coordinates as one weighted location, and
the result every method returns."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError

#: Study areas NNH builds from the incidents themselves (its ``study_area=`` names).
NNH_AREA_NAMES = ("hull", "bbox")


@dataclass(frozen=True)
class Locations:
    """Distinct locations of the incidents, with their multiplicities.

    Attributes
    ----------
    xy : ndarray, shape (m, 2 + extra)
        Distinct coordinates, in order of each location's first incident, so order-dependent
        steps (DBSCAN's border points, OPTICS' ties) behave as on the raw incidents.
    weight : ndarray of int64 (float64 when incident weights are given), shape (m,)
        Incidents at each location, or the sum of their incident weights.
    inverse : ndarray of int64, shape (n,)
        ``xy[inverse[i]]`` is incident i's location.
    """

    xy: np.ndarray
    weight: np.ndarray
    inverse: np.ndarray

    @property
    def m(self) -> int:
        return len(self.xy)


def unique_locations(
    x: np.ndarray, y: np.ndarray, *extra: np.ndarray, weights: np.ndarray | None = None
) -> Locations:
    """Collapse identical coordinates (and identical ``extra`` columns, e.g. a time in days for
    space-time methods) into weighted locations.

    Each location weighs its number of incidents or, given per-incident ``weights`` (finite,
    >= 0, already checked), the sum of its incidents' weights: a location of weight w counts
    as w incidents wherever a method counts incidents.

    Examples
    --------
    >>> loc = unique_locations(np.array([0.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0]))
    >>> loc.xy.tolist(), loc.weight.tolist(), loc.inverse.tolist()
    ([[0.0, 0.0], [1.0, 1.0]], [2, 1], [0, 1, 0])
    >>> unique_locations(np.zeros(3), np.zeros(3), weights=np.array([1.0, 2.5, 0.0])).weight
    array([3.5])
    """
    loc = _unique_locations(x, y, *extra)
    if weights is None:
        return loc
    summed = np.bincount(loc.inverse, weights=np.asarray(weights, float), minlength=loc.m)
    return Locations(xy=loc.xy, weight=summed, inverse=loc.inverse)


def _unique_locations(x: np.ndarray, y: np.ndarray, *extra: np.ndarray) -> Locations:
    if not extra:
        # one complex key per point: a hash table instead of a lexicographic sort (4x faster
        # on 241k points); locations then come in order of first appearance
        codes, uniques = pd.factorize(np.asarray(x, float) + 1j * np.asarray(y, float))
        xy = np.column_stack([uniques.real, uniques.imag])
        counts = np.bincount(codes, minlength=len(uniques))
        return Locations(xy=xy, weight=counts.astype(np.int64), inverse=codes.astype(np.int64))
    stacked = np.column_stack([x, y, *extra]).astype(float)
    unique, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel().astype(np.int64)
    # renumber in order of first appearance, as the two-column path does
    first = np.full(len(unique), len(inverse), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(inverse), dtype=np.int64))
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(unique), dtype=np.int64)
    rank[order] = np.arange(len(unique), dtype=np.int64)
    return Locations(xy=unique[order], weight=counts[order].astype(np.int64), inverse=rank[inverse])


@dataclass(frozen=True)
class ClusterFit:
    """A method's answer, per incident.

    Attributes
    ----------
    labels : ndarray of int64, shape (n,)
        Cluster per incident, -1 for noise; clusters numbered 0, 1, … in order of size
        (largest first), ties by the smallest incident position.
    probabilities, outlier_scores : ndarray or None
        Per incident, where the method gives them (HDBSCAN).
    levels : ndarray of int64, shape (n, k) or None
        For hierarchical methods (NNH): the cluster at each order (column 0 = first order).
    cluster_info : dict
        Per-cluster extras keyed by label, e.g. {"persistence": {0: 0.8, ...}}.
    params : dict
        The parameters used, automatic choices included (and how they were made).
    """

    labels: np.ndarray
    probabilities: np.ndarray | None = None
    outlier_scores: np.ndarray | None = None
    levels: np.ndarray | None = None
    cluster_info: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


def renumber(labels: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """Relabel clusters 0, 1, … by size (largest first; ties by first appearance); noise stays
    -1. Returns the new labels and the old → new mapping.

    Examples
    --------
    >>> renumber(np.array([5, 5, -1, 2, 2, 2]))[0].tolist()
    [1, 1, -1, 0, 0, 0]
    """
    labels = np.asarray(labels, dtype=np.int64)
    found = labels[labels >= 0]
    if not len(found):
        return labels.copy(), {}
    ids, first, sizes = np.unique(found, return_index=True, return_counts=True)
    order = np.lexsort((first, -sizes))
    mapping = {int(ids[k]): new for new, k in enumerate(order)}
    lookup = np.full(int(ids.max()) + 1, -1, dtype=np.int64)
    for old, new in mapping.items():
        lookup[old] = new
    out = np.where(labels >= 0, lookup[np.maximum(labels, 0)], -1)
    return out, mapping


def check_keywords(method: str, params: dict[str, Any], accepted: Iterable[str]) -> None:
    """Refuse keywords the method does not take, listing the accepted ones.

    Examples
    --------
    >>> check_keywords("dbscan", {"epsilon": 100}, ("eps", "min_samples"))
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: dbscan: got an unexpected parameter 'epsilon' (did you mean 'eps'?); it accepts eps, min_samples.
    """
    accepted = tuple(accepted)
    unknown = [k for k in params if k not in accepted]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, accepted, n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    noun = "parameter" if len(unknown) == 1 else "parameters"
    raise HotspotInputError(
        f"{method}: got an unexpected {noun} {', '.join(hints)}; it accepts {', '.join(accepted)}."
    )


def check_length(
    value: Any, name: str, *, unit: str = "metres", allow_inf: bool = False, method: str = ""
) -> float:
    """A number > 0 in ``unit`` (``inf`` only when ``allow_inf``); ``method`` names the caller.

    Examples
    --------
    >>> check_length(100, "eps")
    100.0
    >>> check_length(-1, "eps", method="dbscan")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: dbscan: eps=-1 must be a number of metres > 0 and finite, e.g. eps=100.
    """
    prefix = f"{method}: " if method else ""
    allowed = "> 0 (inf allowed)" if allow_inf else "> 0 and finite"
    example = "100" if unit == "metres" else "7"
    numeric = not isinstance(value, bool) and isinstance(
        value, int | float | np.integer | np.floating
    )
    shown = f"{float(value):g}" if numeric else repr(value)
    if not numeric or np.isnan(value) or value <= 0 or (np.isinf(value) and not allow_inf):
        raise HotspotInputError(
            f"{prefix}{name}={shown} must be a number of {unit} {allowed}, e.g. {name}={example}."
        )
    return float(value)


#: Points per leaf of the k-d tree :func:`core_distances` searches.
KNN_LEAF_SIZE = 32


def core_distances(xy: np.ndarray, weight: np.ndarray, min_samples: int) -> np.ndarray:
    """Distance at which each location's reach holds ``min_samples`` incidents, itself included
    (0 when the location alone holds that many; inf when all the data hold fewer).

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    >>> core_distances(xy, np.array([1, 1, 5]), 3).tolist()
    [4.0, 5.0, 0.0]
    """
    from hotspot.clustering._kernels import kd_tree, reaching_neighbours

    m = len(xy)
    if m == 0:
        return np.empty(0)
    x = np.ascontiguousarray(xy[:, 0], dtype=float)
    y = np.ascontiguousarray(xy[:, 1], dtype=float)
    tree = kd_tree(x, y, KNN_LEAF_SIZE)
    order = tree[0]
    tx, ty = x[order], y[order]
    position = np.empty(m, dtype=np.int64)
    position[order] = np.arange(m)
    weights = np.ascontiguousarray(weight, dtype=float)
    nearest = np.full(m, -1, dtype=np.int64)
    # queried in tree order: neighbouring queries search the same nodes. With weights >= 1
    # the first min_samples locations always suffice; lighter (harm) weights may need more
    # neighbours: the search is widened for the locations not yet reached
    todo = order if weights.sum() >= min_samples else np.empty(0, dtype=np.int64)
    k = min(min_samples, m)
    while len(todo):
        found = reaching_neighbours(tx, ty, weights, position[todo], k, float(min_samples), *tree)
        nearest[todo] = found
        if k == m:
            break
        todo = todo[found < 0]
        k = min(2 * k, m)
    reached = nearest >= 0
    nearest[~reached] = np.arange(m)[~reached]
    # the distance recomputed from the coordinates, as scikit-learn's OPTICS computes it
    dx = xy[:, 0] - xy[nearest, 0]
    dy = xy[:, 1] - xy[nearest, 1]
    core = np.sqrt(dx * dx + dy * dy)
    core[~reached] = np.inf
    return core
