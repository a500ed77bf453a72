"""Knox and near-repeat chains at scale (issue 15): the blocked close-pair search against brute
force, the pair estimate against the true count, the refusal above a memory budget, and the
memory per pair measured with tracemalloc."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from helpers import make_incidents
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import hotspot._validate
from hotspot.errors import HotspotInputError
from hotspot.spacetime import nearrepeat
from hotspot.spacetime._kernels import (
    candidate_pairs,
    fill_pairs,
    pair_grid,
    pair_offsets,
)
from hotspot.spacetime.nearrepeat import (
    INCIDENT_BYTES,
    PAIR_BYTES,
    knox_test,
    near_repeat_chain_ids,
)

NS_PER_DAY = 86_400 * 10**9


def all_pairs(x, y, manhattan=False):
    """Every unordered pair ``i < j`` with its distance, by numpy broadcasting (small n)."""
    i, j = np.triu_indices(len(x), k=1)
    dx, dy = x[i] - x[j], y[i] - y[j]
    d = np.abs(dx) + np.abs(dy) if manhattan else np.hypot(dx, dy)
    return i, j, d


def listed_pairs(x, y, r, edges, same_location, manhattan):
    """The blocked search's pairs as ``{(i, j): band}`` in input positions, ``i < j``."""
    grid = pair_grid(x, y, r)
    offsets = pair_offsets(grid, r, manhattan)
    nb, band = fill_pairs(grid, offsets, r, manhattan, np.asarray(edges, float), same_location)
    a = np.repeat(np.arange(len(x)), np.diff(offsets))
    i, j = grid.order[a], grid.order[nb]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    out = dict(zip(zip(lo.tolist(), hi.tolist(), strict=True), band.tolist(), strict=True))
    assert len(out) == len(nb), "a pair listed twice"
    assert nb.dtype == np.int32 and band.dtype == np.int8 and (nb > a).all()
    return out, grid


def points(rng, n, kind):
    """Random points with exact ties on the radius and repeated locations."""
    if kind == "lattice":  # whole metres: 3-4-5 triangles sit exactly on a 5 m radius
        x = rng.integers(0, 40, n).astype(float)
        y = rng.integers(0, 30, n).astype(float)
    elif kind == "clusters":  # a few dense spots of repeats, in UTM-sized coordinates
        centres = rng.uniform(0, 300, (6, 2))
        pick = rng.integers(0, 6, n)
        xy = centres[pick] + rng.normal(0, 8, (n, 2)) * (rng.random((n, 1)) < 0.7)
        x, y = xy[:, 0] + 630_000.0, xy[:, 1] + 4_830_000.0
    else:  # uniform, then a quarter of the points copied onto others
        x, y = rng.uniform(0, 200, n), rng.uniform(0, 100, n)
        dup = rng.random(n) < 0.25
        src = rng.integers(0, n, dup.sum())
        x[dup], y[dup] = x[src], y[src]
    return x, y


# ------------------------------------------------------------------ the blocked search


@pytest.mark.parametrize("manhattan", [False, True])
@pytest.mark.parametrize(
    ("seed", "kind", "r"),
    [
        (0, "lattice", 5.0),
        (1, "lattice", 1.0),
        (2, "clusters", 20.0),
        (3, "duplicates", 7.5),
        (4, "duplicates", 250.0),  # one cell holds everything
        (5, "clusters", 1e-3),  # mostly exact repeats
    ],
)
def test_blocked_search_equals_brute_force(seed, kind, r, manhattan):
    rng = np.random.default_rng(seed)
    x, y = points(rng, int(rng.integers(300, 900)), kind)
    edges = np.sort(rng.choice([r / 5, r / 2, r * 0.8], 2, replace=False)).tolist() + [r]
    same = seed % 2 == 0
    got, grid = listed_pairs(x, y, r, edges, same, manhattan)
    i, j, d = all_pairs(x, y, manhattan)
    close = d <= r
    band = np.searchsorted(edges, d[close], side="left")
    if same:
        band = np.where(d[close] == 0, 0, band + 1)
    want = dict(
        zip(zip(i[close].tolist(), j[close].tolist(), strict=True), band.tolist(), strict=True)
    )
    assert got == want
    # an upper bound counted from the cells alone
    assert candidate_pairs(grid) >= len(want)


def test_blocked_search_edge_cases():
    # every point at one place: n(n-1)/2 pairs, all at distance 0
    x = np.full(50, 631_000.0)
    got, _ = listed_pairs(x, x.copy(), 10.0, [10.0], True, False)
    assert len(got) == 50 * 49 // 2 and set(got.values()) == {0}
    # a tiny radius over a country-sized extent (the cells are capped at 2**40 a side)
    x = np.array([0.0, 1e-9, 1e6, 1e6 + 2e-9])
    got, grid = listed_pairs(x, np.zeros(4), 1e-9, [1e-9], False, False)
    assert got == {(0, 1): 0} and grid.side >= 1e-9
    # two points, exactly r apart diagonally (3-4-5), found from either cell
    got, _ = listed_pairs(np.array([0.0, 3.0]), np.array([0.0, 4.0]), 5.0, [5.0], False, False)
    assert got == {(0, 1): 0}


def test_knox_null_equals_brute_force_over_the_same_permutations():
    """Observed and every permuted table equal all-pairs counting under the permutations
    drawn as documented (chunks of 32 rows of ``Generator.permuted``): same rng, same
    numbers as before the search was blocked."""
    rng = np.random.default_rng(7)
    n = 240
    x, y = points(rng, n, "duplicates")
    days = rng.integers(0, 40, n).astype(float)
    d_edges, t_edges = (0, 20, 40), (0, 5, 10)
    res = knox_test(
        make_incidents(x, y, days),
        distance_bands=d_edges,
        time_bands=t_edges,
        permutations=40,
        rng=3,
    )
    i, j, d = all_pairs(x, y)
    row = np.where(d == 0, 0, np.searchsorted(d_edges[1:], d, side="left") + 1)

    def table(t):
        dt = np.abs(t[i] - t[j])
        col = np.searchsorted(np.array(t_edges[1:]) * NS_PER_DAY, dt, side="left")
        counts = np.zeros((len(d_edges) + 1, len(t_edges)), dtype=np.int64)
        np.add.at(counts, (row, col), 1)
        return counts

    t = np.rint(days * NS_PER_DAY).astype(np.int64)
    np.testing.assert_array_equal(res.observed.to_numpy(), table(t))
    gen = np.random.default_rng(3)
    identity = np.arange(n, dtype=np.int32)[None, :]
    perms = np.concatenate(
        [
            gen.permuted(np.broadcast_to(identity, (k, n)), axis=1)
            for k in (32, 8)  # 40 permutations: a chunk of 32, then 8
        ]
    )
    want = np.stack([table(t[p]) for p in perms])
    np.testing.assert_array_equal(res.null_distribution, want)


# ------------------------------------------------------------------ the estimate


def test_estimate_is_exact_below_the_sample_size(burkitt_like):
    res = knox_test(burkitt_like, distance_bands=(0, 50, 100), permutations=0)
    assert res.params["estimate_sample"] == len(burkitt_like)
    assert res.params["n_pairs_listed_estimate"] == res.params["n_pairs_listed"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_estimate_is_within_ten_percent_of_the_true_count(seed):
    """A sample of 20,000 of 60,000 clustered incidents with repeats: the estimate is within a
    factor 1.1 of the pair count by a k-d tree (scipy's count_neighbors, an independent count)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    n = 60_000
    centres = rng.uniform(0, 20_000, (40, 2))
    pick = rng.integers(0, 40, n)
    xy = centres[pick] + rng.normal(0, 1, (n, 2)) * rng.uniform(50, 800, 40)[pick, None]
    uniform = rng.random(n) < 0.3
    xy[uniform] = rng.uniform(0, 20_000, (uniform.sum(), 2))
    dup = rng.random(n) < 0.2
    xy[dup] = xy[rng.integers(0, n, dup.sum())]
    grid = pair_grid(xy[:, 0], xy[:, 1], 300.0)
    estimate, sample = nearrepeat._estimate_pairs(grid, 300.0, False)
    tree = cKDTree(xy)
    true = (int(tree.count_neighbors(tree, 300.0)) - n) // 2
    assert sample == 20_000
    assert true / 1.1 <= estimate <= true * 1.1, (estimate, true)


# ------------------------------------------------------------------ the refusal


@pytest.fixture(scope="module")
def burkitt_like():
    rng = np.random.default_rng(11)
    x, y = points(rng, 2000, "clusters")
    return make_incidents(x, y, rng.uniform(0, 365, 2000))


def test_refuses_above_the_budget_before_counting_the_pairs(burkitt_like, monkeypatch):
    x = burkitt_like.geometry.x.to_numpy()
    y = burkitt_like.geometry.y.to_numpy()
    n_close = int((all_pairs(x, y)[2] <= 100).sum())
    n = len(x)
    need = n_close * PAIR_BYTES + n * INCIDENT_BYTES + 2 * 99 * (4 * 5) * 8  # 4 x 5 table

    def never(*args, **kwargs):
        raise AssertionError("the pairs were counted before the refusal")

    monkeypatch.setattr(nearrepeat, "pair_offsets", never)
    with pytest.raises(HotspotInputError) as err:
        knox_test(
            burkitt_like,
            distance_bands=(0, 50, 100),
            time_bands=(0, 7, 14, 21, 28),
            permutations=99,
            memory_budget=100_000,
        )
    text = str(err.value)
    assert text.startswith(
        f"knox_test: {n_close:,} pairs of incidents within 100 m (counted among the {n:,} "
        "incidents; 5 bytes a pair, 512 an incident) "
    )
    assert f"would need about {hotspot._validate.format_bytes(need)} of memory" in text
    assert "memory_budget=100,000 (100 kB)" in text
    assert "use a smaller last distance band" in text and "raise memory_budget" in text


def test_refuses_on_the_estimate_for_large_data(monkeypatch):
    """Above 20,000 incidents the refusal names the sampled estimate, before any counting."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(5)
    n = 25_000
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    tree = cKDTree(np.column_stack([x, y]))
    true = (int(tree.count_neighbors(tree, 100.0)) - n) // 2

    def never(*args, **kwargs):
        raise AssertionError("the pairs were counted before the refusal")

    monkeypatch.setattr(nearrepeat, "pair_offsets", never)
    with pytest.raises(HotspotInputError) as err:
        knox_test(
            make_incidents(x, y, rng.uniform(0, 30, n)),
            distance_bands=(0, 100),
            permutations=0,
            memory_budget=10**6,
        )
    text = str(err.value)
    head = "knox_test: about "
    assert text.startswith(head)
    estimate = int(text[len(head) :].split(" ")[0].replace(",", ""))
    assert true / 1.1 <= estimate <= true * 1.1
    assert "(estimated from the neighbours of 20,000 of the 25,000 incidents;" in text
    assert "more than memory_budget=1,000,000 (1 MB)" in text


def test_refuses_above_the_available_memory(burkitt_like, monkeypatch):
    monkeypatch.setattr(hotspot._validate, "available_memory", lambda: 50_000)
    with pytest.raises(
        HotspotInputError,
        match=r"knox_test: [\d,]+ pairs .* more than the 50 kB this process can still use",
    ):
        knox_test(burkitt_like, permutations=0)


def test_runs_within_a_budget_that_fits(burkitt_like):
    plain = knox_test(burkitt_like, distance_bands=(0, 50, 100), permutations=9, rng=1)
    budget = 10**8
    fits = knox_test(
        burkitt_like, distance_bands=(0, 50, 100), permutations=9, rng=1, memory_budget=budget
    )
    np.testing.assert_array_equal(fits.null_distribution, plain.null_distribution)
    assert fits.params["memory_budget"] == budget


@pytest.mark.parametrize("budget", [0, -5, 1.5e9, "2GB", True])
def test_bad_memory_budget(burkitt_like, budget):
    with pytest.raises(HotspotInputError, match=r"knox_test: memory_budget=.* must be"):
        knox_test(burkitt_like, permutations=0, memory_budget=budget)


# ------------------------------------------------------------------ memory per pair


def test_knox_memory_per_pair_under_the_stated_constant():
    """tracemalloc's peak while knox_test lists ~2 million pairs and runs 32 permutations:
    at most PAIR_BYTES + 1 bytes a pair plus INCIDENT_BYTES an incident (the k-d tree
    listing it replaced needed about 41 bytes a pair)."""
    rng = np.random.default_rng(0)
    n = 8000
    x, y = rng.uniform(0, 1500, n), rng.uniform(0, 1500, n)
    inc = make_incidents(x, y, rng.uniform(0, 200, n))
    knox_test(inc.iloc[:50], permutations=1)  # numba loaded (its import is not the test's)
    tracemalloc.start()
    try:
        res = knox_test(inc, distance_bands=(0, 100, 200), permutations=32, rng=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    pairs = res.params["n_pairs_listed"]
    assert pairs > 1_500_000
    assert peak <= (PAIR_BYTES + 1) * pairs + INCIDENT_BYTES * n, peak / pairs


def test_chains_memory_does_not_grow_with_the_close_pairs():
    """The chains join the links as they are found (union-find): with 2 million pairs in
    space, tracemalloc's peak stays within INCIDENT_BYTES an incident."""
    rng = np.random.default_rng(1)
    n = 8000
    x, y = rng.uniform(0, 1500, n), rng.uniform(0, 1500, n)
    inc = make_incidents(x, y, rng.uniform(0, 200, n))
    near_repeat_chain_ids(inc.iloc[:50], 100, 1)  # numba loaded
    tracemalloc.start()
    try:
        near_repeat_chain_ids(inc, 200, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= INCIDENT_BYTES * n


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chains_equal_connected_components_of_all_pairs(seed):
    """The chain ids equal scipy's connected components of the brute-force links, numbered by
    first time and then by the first incident's position."""
    rng = np.random.default_rng(seed)
    n = 600
    x, y = points(rng, n, ["lattice", "clusters", "duplicates"][seed])
    days = rng.integers(0, 60, n).astype(float)
    days[rng.random(n) < 0.2] = 5.0  # ties in time: numbering falls back on position
    ids = near_repeat_chain_ids(make_incidents(x, y, days), 6.0, 2.0).to_numpy()
    i, j, d = all_pairs(x, y)
    link = (d <= 6.0) & (np.abs(days[i] - days[j]) <= 2.0)
    graph = coo_matrix((np.ones(link.sum()), (i[link], j[link])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    sizes = np.bincount(comp)
    want = np.full(n, -1)
    chains = [c for c in range(len(sizes)) if sizes[c] >= 2]
    key = {c: (days[comp == c].min(), np.flatnonzero(comp == c).min()) for c in chains}
    for rank, c in enumerate(sorted(chains, key=key.__getitem__)):
        want[comp == c] = rank
    np.testing.assert_array_equal(ids, want)
