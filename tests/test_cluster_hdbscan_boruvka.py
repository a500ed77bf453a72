"""HDBSCAN's O(m log m) spanning tree (Borůvka on a k-d tree) against Prim's O(m²) tree,
scipy's minimum spanning tree, brute force and the hdbscan package."""

from __future__ import annotations

import hdbscan
import numpy as np
import pytest
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial.distance import cdist
from sklearn.metrics import adjusted_rand_score

import hotspot.clustering._hdbscan as hdbscan_module
from hotspot.clustering._base import core_distances
from hotspot.clustering._hdbscan import PRIM_BELOW, run, spanning_tree
from hotspot.clustering._kernels import (
    kd_tree,
    mutual_reachability_mst,
    mutual_reachability_mst_boruvka,
)


def canonical(edges: np.ndarray) -> np.ndarray:
    """Edges as rows (lower id, higher id, distance), sorted: comparable between kernels."""
    lo = np.minimum(edges[:, 0], edges[:, 1])
    hi = np.maximum(edges[:, 0], edges[:, 1])
    order = np.lexsort((hi, lo, edges[:, 2]))
    return np.column_stack([lo, hi, edges[:, 2]])[order]


def mutual_reachability(xy: np.ndarray, core: np.ndarray) -> np.ndarray:
    """The dense mutual reachability matrix, by brute force."""
    return np.maximum(cdist(xy, xy), np.maximum.outer(core, core))


def random_case(rng: np.random.Generator, kind: str, m: int):
    if kind == "distinct":
        xy = rng.normal(0, 300, (m, 2))
    elif kind == "grid":  # a few distinct coordinates: many exactly equal distances
        xy = rng.integers(0, 25, (m, 2)).astype(float) * 10
    elif kind == "duplicates":  # repeated rows, passed to the kernels as they are
        xy = np.repeat(rng.normal(0, 300, (m // 3, 2)), 3, axis=0)
    else:  # blobs and scatter, rounded to the metre
        xy = np.round(
            np.vstack([rng.normal(rng.uniform(0, 4000, 2), 80, (m // 4, 2)) for _ in range(3)])
        )
        xy = np.vstack([xy, rng.uniform(0, 4000, (m - len(xy), 2))])
    weight = rng.integers(1, 4, len(xy))
    return xy, core_distances(xy, weight, int(rng.integers(1, 12)))


@pytest.mark.parametrize("kind", ["distinct", "grid", "duplicates", "rounded"])
def test_boruvka_gives_prims_tree(kind):
    rng = np.random.default_rng(["distinct", "grid", "duplicates", "rounded"].index(kind))
    for _ in range(15):
        xy, core = random_case(rng, kind, int(rng.integers(2, 700)))
        prim = mutual_reachability_mst(xy, core)
        boruvka = mutual_reachability_mst_boruvka(
            xy, core, int(rng.integers(1, 40)), int(rng.integers(1, 6))
        )
        # both are the unique minimum under the key (d_mr, lower id, higher id): same edges
        np.testing.assert_array_equal(canonical(prim), canonical(boruvka))
        assert prim[:, 2].sum() == pytest.approx(boruvka[:, 2].sum(), rel=1e-12)


def test_total_weight_equals_scipy_minimum_spanning_tree():
    rng = np.random.default_rng(7)
    for kind in ("distinct", "grid", "rounded"):
        xy, core = random_case(rng, kind, 400)
        xy, first = np.unique(xy, axis=0, return_index=True)  # scipy drops zero-weight edges
        core = core[first]
        if (core == 0).any():
            core = core + 1.0
        reference = minimum_spanning_tree(mutual_reachability(xy, core)).sum()
        for edges in (
            mutual_reachability_mst(xy, core),
            mutual_reachability_mst_boruvka(xy, core, 32, 2),
        ):
            assert edges[:, 2].sum() == pytest.approx(reference, rel=1e-12)
            # every edge weighs its mutual reachability distance
            a, b = edges[:, 0].astype(int), edges[:, 1].astype(int)
            np.testing.assert_allclose(edges[:, 2], mutual_reachability(xy, core)[a, b])


def test_ties_are_broken_by_ids():
    # a unit square: four edges of length 1 tie, the tree keeps the three of lowest ids
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    core = np.zeros(4)
    expected = [[0, 1, 1.0], [0, 3, 1.0], [1, 2, 1.0]]
    for edges in (
        mutual_reachability_mst(xy, core),
        mutual_reachability_mst_boruvka(xy, core, 1, 2),
    ):
        assert canonical(edges).tolist() == expected
    # all core distances infinite (the data hold fewer than min_samples): still a tree
    inf = np.full(4, np.inf)
    for tree in (mutual_reachability_mst(xy, inf), mutual_reachability_mst_boruvka(xy, inf, 1, 3)):
        edges = canonical(tree)
        assert edges[:, :2].tolist() == [[0, 1], [0, 2], [0, 3]]
        assert np.isinf(edges[:, 2]).all()


def test_kd_tree_partitions_the_points():
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(0, 50, 1000))
    y = np.round(rng.normal(0, 20, 1000))
    x[:300] = 7.0  # many equal coordinates on the split axis
    order, span, child, box = kd_tree(x, y, 16)
    assert sorted(order.tolist()) == list(range(1000))
    assert span[0].tolist() == [0, 1000]
    for node in range(len(span)):
        s, e = span[node]
        pts = order[s:e]
        assert box[node].tolist() == [x[pts].min(), x[pts].max(), y[pts].min(), y[pts].max()]
        if child[node, 0] < 0:
            assert 1 <= e - s <= 16
        else:
            left, right = child[node]
            assert left > node and right > node
            assert span[left, 0] == s and span[left, 1] == span[right, 0]
            assert span[right, 1] == e
            # a median split: the left half lies on one side of the right half
            side = 0 if box[node, 1] - box[node, 0] >= box[node, 3] - box[node, 2] else 1
            coordinate = x if side == 0 else y
            assert (
                coordinate[order[s : span[left, 1]]].max()
                <= coordinate[order[span[right, 0] : e]].min()
            )


def test_spanning_tree_is_sorted_and_independent_of_row_order():
    rng = np.random.default_rng(11)
    xy = rng.integers(0, 60, (3000, 2)).astype(float)
    xy = np.unique(xy, axis=0)
    xy = xy[rng.permutation(len(xy))]
    core = core_distances(xy, np.ones(len(xy), dtype=np.int64), 8)
    assert len(xy) >= PRIM_BELOW  # the Borůvka path
    edges = spanning_tree(xy, core)
    assert (np.diff(edges[:, 2]) >= 0).all()
    shuffle = rng.permutation(len(xy))
    again = spanning_tree(xy[shuffle], core[shuffle])
    # the same edges between the same coordinates, in the same order
    np.testing.assert_array_equal(xy[edges[:, 0].astype(int)], xy[shuffle][again[:, 0].astype(int)])
    np.testing.assert_array_equal(xy[edges[:, 1].astype(int)], xy[shuffle][again[:, 1].astype(int)])
    np.testing.assert_array_equal(edges[:, 2], again[:, 2])


def grid_blobs(rng: np.random.Generator, n: int) -> np.ndarray:
    """Blobs and scatter on a 5 m grid: duplicates and ties, as geocoded crime data."""
    centres = rng.uniform(0, 6000, (6, 2))
    xy = np.vstack(
        [rng.normal(c, rng.uniform(60, 200), (n // 8, 2)) for c in centres]
        + [rng.uniform(0, 6000, (n - 6 * (n // 8), 2))]
    )
    return np.round(xy / 5) * 5


def test_same_result_with_either_algorithm(monkeypatch):
    rng = np.random.default_rng(5)
    xy = grid_blobs(rng, 12_000)
    kwargs = {"quiet": True, "min_cluster_size": 40, "min_samples": 10}
    fast = run(xy[:, 0], xy[:, 1], None, **kwargs)
    assert fast.params["n_locations"] >= PRIM_BELOW
    monkeypatch.setattr(hdbscan_module, "PRIM_BELOW", 10**9)
    slow = run(xy[:, 0], xy[:, 1], None, **kwargs)
    np.testing.assert_array_equal(fast.labels, slow.labels)
    np.testing.assert_array_equal(fast.probabilities, slow.probabilities)
    np.testing.assert_array_equal(fast.outlier_scores, slow.outlier_scores)
    assert fast.cluster_info == slow.cluster_info
    assert fast.labels.max() >= 5


def test_labels_independent_of_row_order():
    rng = np.random.default_rng(6)
    xy = grid_blobs(rng, 8000)
    kwargs = {"quiet": True, "min_cluster_size": 30, "min_samples": 10}
    fit = run(xy[:, 0], xy[:, 1], None, **kwargs)
    shuffle = rng.permutation(len(xy))
    again = run(xy[shuffle, 0], xy[shuffle, 1], None, **kwargs)
    assert adjusted_rand_score(fit.labels[shuffle], again.labels) == 1.0
    np.testing.assert_array_equal(fit.probabilities[shuffle], again.probabilities)
    np.testing.assert_array_equal(fit.outlier_scores[shuffle], again.outlier_scores)


def test_matches_hdbscan_package_on_20k_distinct_points():
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 20_000, (12, 2))
    xy = np.vstack(
        [rng.normal(c, rng.uniform(150, 500), (1500, 2)) for c in centres]
        + [rng.uniform(0, 20_000, (2000, 2))]
    )
    fit = run(xy[:, 0], xy[:, 1], None, quiet=True, min_cluster_size=50, min_samples=20)
    assert fit.params["n_locations"] == len(xy) >= PRIM_BELOW
    # the package counts min_samples without the point itself; its exact tree, one process
    ref = hdbscan.HDBSCAN(
        min_cluster_size=50,
        min_samples=19,
        approx_min_span_tree=False,
        algorithm="boruvka_kdtree",
        core_dist_n_jobs=1,
    ).fit(xy)
    assert adjusted_rand_score(ref.labels_, fit.labels) >= 0.99
    # the 12 planted blobs are found by both (tied merges may add a cluster at the size limit)
    assert abs(int(fit.labels.max()) - int(ref.labels_.max())) <= 1
    assert fit.labels.max() + 1 >= 12


def test_no_split_locations_with_duplicates():
    rng = np.random.default_rng(9)
    xy = grid_blobs(rng, 20_000)
    fit = run(xy[:, 0], xy[:, 1], None, quiet=True, min_cluster_size=50)
    _, codes, counts = np.unique(xy, axis=0, return_inverse=True, return_counts=True)
    codes = codes.ravel()
    assert (counts > 1).sum() > 1000 and len(counts) >= PRIM_BELOW
    pairs = np.unique(codes * (fit.labels.max() + 2) + fit.labels + 1)
    labels_per_location = np.bincount(pairs // (fit.labels.max() + 2), minlength=len(counts))
    assert (labels_per_location == 1).all()
    assert fit.labels.max() >= 5
    # not vacuous: locations of several incidents are both in clusters and in the noise
    stacked = counts[codes] > 1
    assert (fit.labels[stacked] >= 0).any() and (fit.labels[stacked] == -1).any()


# --------------------------------------------------------------------------------------------
# core distances: the k nearest neighbours on the same k-d tree, in parallel
# --------------------------------------------------------------------------------------------


def brute_neighbours(xy: np.ndarray, k: int) -> np.ndarray:
    """Each point's k nearest, by (squared distance computed as the kernel does, index)."""
    dx = xy[:, 0][None, :] - xy[:, 0][:, None]
    dy = xy[:, 1][None, :] - xy[:, 1][:, None]
    d = dx * dx + dy * dy
    index = np.broadcast_to(np.arange(len(xy)), d.shape)
    return np.stack([np.lexsort((index[i], d[i]))[:k] for i in range(len(xy))])


@pytest.mark.parametrize("kind", ["distinct", "grid", "line"])
@pytest.mark.parametrize("k", [1, 7, 51])
@pytest.mark.parametrize("leaf", [1, 4, 32])
def test_the_neighbour_search_equals_brute_force_ties_by_index(kind, k, leaf):
    """With unit weights, the neighbour at which ``need = j`` is reached is the j-th
    nearest: every rank 1..k checked against a brute-force sort by (distance, index)."""
    from hotspot.clustering._kernels import reaching_neighbours

    rng = np.random.default_rng(k * 100 + leaf)
    xy, _ = random_case(rng, kind, 700)
    if kind == "line":
        xy[:, 1] = 5.0  # every point on one line: boxes of zero height
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    order, span, child, box = kd_tree(x, y, leaf)
    position = np.empty(len(xy), dtype=np.int64)
    position[order] = np.arange(len(xy))
    ones = np.ones(len(xy))
    got = np.column_stack(
        [
            reaching_neighbours(
                x[order], y[order], ones, position, k, float(j), order, span, child, box
            )
            for j in range(1, k + 1)
        ]
    )
    np.testing.assert_array_equal(got, brute_neighbours(xy, k))
    # a need above the k neighbours' total weight is not reached
    beyond = reaching_neighbours(
        x[order], y[order], ones, position, k, k + 0.5, order, span, child, box
    )
    assert (beyond == -1).all()


@pytest.mark.parametrize("kind", ["distinct", "grid"])
def test_core_distances_equal_brute_force_with_weights(kind):
    """Core distances from sorted brute-force distances and cumulative incident weights,
    including light (harm) weights that need the search widened."""
    rng = np.random.default_rng(3)
    xy, _ = random_case(rng, kind, 600)
    xy = np.unique(xy, axis=0)
    d = cdist(xy, xy)
    for weight, ms in (
        (np.ones(len(xy), dtype=np.int64), 10),
        (rng.integers(1, 6, len(xy)), 25),
        (rng.uniform(0.05, 0.5, len(xy)), 8),
    ):
        expected = np.empty(len(xy))
        for i in range(len(xy)):
            ranked = np.lexsort((np.arange(len(xy)), d[i]))
            reach = np.cumsum(weight[ranked]) >= ms
            expected[i] = d[i, ranked[np.argmax(reach)]] if reach.any() else np.inf
        np.testing.assert_allclose(core_distances(xy, weight, ms), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("n_threads", [1, 2, 3, 8])
def test_boruvka_tree_does_not_depend_on_the_threads(n_threads):
    """Ranges of points searched apart, merged by the strict key: the same edges in the same
    order whatever the number of ranges (ties of an integer grid included)."""
    rng = np.random.default_rng(11)
    cells = rng.choice(400 * 400, 40_000, replace=False)  # 40,000 distinct grid points
    xy = np.column_stack([cells // 400, cells % 400]).astype(float) * 10
    core = core_distances(xy, rng.integers(1, 4, len(xy)), 5)
    one = mutual_reachability_mst_boruvka(xy, core, 8, 1)
    np.testing.assert_array_equal(mutual_reachability_mst_boruvka(xy, core, 8, n_threads), one)
