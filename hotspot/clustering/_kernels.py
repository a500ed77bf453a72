"""Numba kernels of the clustering methods: HDBSCAN's minimum spanning tree of the mutual
reachability graph (Prim's algorithm on the complete graph, or Borůvka's on a k-d tree) and
OPTICS' ordering loops (over all pairs, or over a neighbour graph with a binary heap).

Both spanning-tree kernels order edges by the key (d_mr, lower id, higher id), a strict total
order: the minimum spanning tree under it is unique, so Prim's and Borůvka's return the same
edges, ties included. Both compute d_mr with the same expression and no fast-math, so an
edge's distance is the same bits whichever kernel and direction computed it.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange


def thread_count() -> int:
    """The threads numba's parallel kernels run on (``numba.get_num_threads()``)."""
    return int(get_num_threads())


@njit(cache=True, inline="always")
def _key_less(w1: float, a1: int, b1: int, w2: float, a2: int, b2: int) -> bool:
    """(w1, a1, b1) < (w2, a2, b2) lexicographically: the edge order of both MST kernels."""
    return w1 < w2 or (w1 == w2 and (a1 < a2 or (a1 == a2 and b1 < b2)))


@njit(cache=True)
def mutual_reachability_mst(xy: np.ndarray, core: np.ndarray) -> np.ndarray:
    """Edges (a, b, distance) of the minimum spanning tree of the mutual reachability graph,
    d_mr(a, b) = max(|a - b|, core[a], core[b]), in the order Prim's algorithm adds them.

    Edges are compared by (d_mr, min(a, b), max(a, b)), so equal distances are broken by the
    location ids and the tree is the unique minimum under that order. O(m²) time, O(m)
    memory. The candidates are kept compacted in their own arrays (coordinates, core
    distances, best key so far), so each step is one pass over them, then an arg-min.
    """
    m = xy.shape[0]
    edges = np.empty((max(m - 1, 0), 3))
    if m < 2:
        return edges
    n = m - 1
    ids = np.arange(1, m)
    cx_ = xy[1:, 0].copy()
    cy_ = xy[1:, 1].copy()
    cc_ = core[1:].copy()
    best = np.full(n, np.inf)
    best_lo = np.full(n, m, dtype=np.int64)
    best_hi = np.full(n, m, dtype=np.int64)
    source = np.zeros(n, dtype=np.int64)
    current = 0
    px = xy[0, 0]
    py = xy[0, 1]
    pc = core[0]
    for step in range(m - 1):
        for k in range(n):
            dx = cx_[k] - px
            dy = cy_[k] - py
            d = max(np.sqrt(dx * dx + dy * dy), pc, cc_[k])
            other = ids[k]
            lo = min(current, other)
            hi = max(current, other)
            if _key_less(d, lo, hi, best[k], best_lo[k], best_hi[k]):
                best[k] = d
                best_lo[k] = lo
                best_hi[k] = hi
                source[k] = current
        arg = 0
        for k in range(1, n):
            if _key_less(best[k], best_lo[k], best_hi[k], best[arg], best_lo[arg], best_hi[arg]):
                arg = k
        chosen = ids[arg]
        edges[step, 0] = source[arg]
        edges[step, 1] = chosen
        edges[step, 2] = best[arg]
        current = chosen
        px = cx_[arg]
        py = cy_[arg]
        pc = cc_[arg]
        n -= 1
        ids[arg] = ids[n]
        cx_[arg] = cx_[n]
        cy_[arg] = cy_[n]
        cc_[arg] = cc_[n]
        best[arg] = best[n]
        best_lo[arg] = best_lo[n]
        best_hi[arg] = best_hi[n]
        source[arg] = source[n]
    return edges


@njit(cache=True)
def _select(key: np.ndarray, ids: np.ndarray, lo: int, hi: int, nth: int) -> None:
    """Reorder ``ids[lo:hi]`` so that ``ids[nth]`` holds the element of rank nth by ``key``,
    smaller or equal keys before it and larger or equal after (quickselect, Hoare partition,
    median-of-three pivot)."""
    hi -= 1
    while hi > lo:
        mid = (lo + hi) // 2
        a = key[ids[lo]]
        b = key[ids[mid]]
        c = key[ids[hi]]
        pivot = max(min(a, b), min(max(a, b), c))
        i = lo
        j = hi
        while i <= j:
            while key[ids[i]] < pivot:
                i += 1
            while key[ids[j]] > pivot:
                j -= 1
            if i <= j:
                t = ids[i]
                ids[i] = ids[j]
                ids[j] = t
                i += 1
                j -= 1
        if nth <= j:
            hi = j
        elif nth >= i:
            lo = i
        else:
            return


@njit(cache=True)
def kd_tree(
    x: np.ndarray, y: np.ndarray, leaf_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A k-d tree in arrays: the point order, then per node its [start, end) in that order,
    its children (-1 for a leaf) and its bounding box (min x, max x, min y, max y). Nodes split
    their widest side at the median; children are numbered after their parent."""
    m = x.shape[0]
    order = np.arange(m)
    half = max((leaf_size + 1) // 2, 1)
    capacity = 2 * (m // half + 1) + 1
    span = np.empty((capacity, 2), dtype=np.int64)
    child = np.full((capacity, 2), -1, dtype=np.int64)
    box = np.empty((capacity, 4))
    stack = np.empty(capacity, dtype=np.int64)
    span[0, 0] = 0
    span[0, 1] = m
    n_nodes = 1
    stack[0] = 0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        s = span[node, 0]
        e = span[node, 1]
        x0 = np.inf
        x1 = -np.inf
        y0 = np.inf
        y1 = -np.inf
        for k in range(s, e):
            p = order[k]
            x0 = min(x0, x[p])
            x1 = max(x1, x[p])
            y0 = min(y0, y[p])
            y1 = max(y1, y[p])
        box[node, 0] = x0
        box[node, 1] = x1
        box[node, 2] = y0
        box[node, 3] = y1
        if e - s <= leaf_size:
            continue
        mid = (s + e) // 2
        _select(x if x1 - x0 >= y1 - y0 else y, order, s, e, mid)
        for side in range(2):
            c = n_nodes
            n_nodes += 1
            child[node, side] = c
            span[c, 0] = s if side == 0 else mid
            span[c, 1] = mid if side == 0 else e
            stack[top] = c
            top += 1
    return order, span[:n_nodes].copy(), child[:n_nodes].copy(), box[:n_nodes].copy()


@njit(cache=True, inline="always")
def _box_distance(px: float, py: float, box: np.ndarray, node: int) -> float:
    dx = max(box[node, 0] - px, 0.0, px - box[node, 1])
    dy = max(box[node, 2] - py, 0.0, py - box[node, 3])
    return np.sqrt(dx * dx + dy * dy)


#: Depth bound of the k-d tree's search stack (median splits: depth <= log2(m) + 1).
_STACK = 256
#: Queries per parallel task of :func:`reaching_neighbours`.
_QUERY_BLOCK = 512


@njit(cache=True, inline="always")
def _push_children(
    stack: np.ndarray,
    stack_lb: np.ndarray,
    top: int,
    left: int,
    right: int,
    lb_l: float,
    lb_r: float,
) -> int:
    """Push a node's two children with their lower bounds, the nearer last (searched first);
    return the new top of the stack."""
    if lb_l <= lb_r:
        stack[top] = right
        stack_lb[top] = lb_r
        stack[top + 1] = left
        stack_lb[top + 1] = lb_l
    else:
        stack[top] = left
        stack_lb[top] = lb_l
        stack[top + 1] = right
        stack_lb[top + 1] = lb_r
    return top + 2


@njit(cache=True, inline="always")
def _heap_down(hd: np.ndarray, hi: np.ndarray, size: int, i: int) -> None:
    """Sift entry ``i`` down the max-heap of (squared distance, index) pairs."""
    while True:
        a = 2 * i + 1
        if a >= size:
            return
        b = a + 1
        big = a
        if b < size and (hd[b] > hd[a] or (hd[b] == hd[a] and hi[b] > hi[a])):
            big = b
        if hd[big] > hd[i] or (hd[big] == hd[i] and hi[big] > hi[i]):
            hd[i], hd[big] = hd[big], hd[i]
            hi[i], hi[big] = hi[big], hi[i]
            i = big
        else:
            return


@njit(cache=True, inline="always")
def _search(
    px: float,
    py: float,
    k: int,
    tx: np.ndarray,
    ty: np.ndarray,
    order: np.ndarray,
    span: np.ndarray,
    child: np.ndarray,
    box: np.ndarray,
    hd: np.ndarray,
    hi: np.ndarray,
    stack: np.ndarray,
    stack_lb: np.ndarray,
) -> None:
    """Fill the max-heap ``hd``/``hi`` with the ``k`` nearest points to (px, py)."""
    size = 0
    stack[0] = 0
    stack_lb[0] = 0.0
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        if size == k and stack_lb[top] > hd[0]:
            continue
        left = child[node, 0]
        if left < 0:
            for p in range(span[node, 0], span[node, 1]):
                dx = tx[p] - px
                dy = ty[p] - py
                d = dx * dx + dy * dy
                own = order[p]  # ties go by the point's own index
                if size < k:  # sift the new entry up
                    i = size
                    hd[i] = d
                    hi[i] = own
                    size += 1
                    while i > 0:
                        up = (i - 1) // 2
                        if hd[i] > hd[up] or (hd[i] == hd[up] and hi[i] > hi[up]):
                            hd[i], hd[up] = hd[up], hd[i]
                            hi[i], hi[up] = hi[up], hi[i]
                            i = up
                        else:
                            break
                elif d < hd[0] or (d == hd[0] and own < hi[0]):
                    hd[0] = d
                    hi[0] = own
                    _heap_down(hd, hi, size, 0)
            continue
        right = child[node, 1]
        bx = max(box[left, 0] - px, 0.0, px - box[left, 1])
        by = max(box[left, 2] - py, 0.0, py - box[left, 3])
        lb_l = bx * bx + by * by
        bx = max(box[right, 0] - px, 0.0, px - box[right, 1])
        by = max(box[right, 2] - py, 0.0, py - box[right, 3])
        lb_r = bx * bx + by * by
        top = _push_children(stack, stack_lb, top, left, right, lb_l, lb_r)


@njit(cache=True, inline="always")
def _sorted_heap(hd: np.ndarray, hi: np.ndarray, k: int, out: np.ndarray) -> None:
    """Empty the full max-heap of ``k`` entries into ``out``, nearest first."""
    for j in range(k - 1, -1, -1):
        out[j] = hi[0]
        hd[0] = hd[j]
        hi[0] = hi[j]
        _heap_down(hd, hi, j, 0)


@njit(cache=True, parallel=True)
def reaching_neighbours(
    tx: np.ndarray,
    ty: np.ndarray,
    weight: np.ndarray,
    queries: np.ndarray,
    k: int,
    need: float,
    order: np.ndarray,
    span: np.ndarray,
    child: np.ndarray,
    box: np.ndarray,
) -> np.ndarray:
    """For each query, the nearest of its ``k`` nearest points at which their summed
    ``weight`` (by point index) reaches ``need``, the query itself included; -1 where the
    ``k`` do not reach it: core distances without an ``(n_queries, k)`` array.

    The points are those the :func:`kd_tree` ``order, span, child, box`` was built on
    (``k`` at most their number); ``tx``, ``ty`` are their coordinates in tree order
    (``x[order]``: each leaf's points side by side in memory) and ``queries`` the tree
    positions of the query points (queries near each other search alike: give them in tree
    order). Neighbours are ordered by squared distance ``dx * dx + dy * dy``, ties by index:
    a strict order, so the answer is unique and does not depend on the tree or the threads.
    Each query keeps a max-heap of its best ``k`` and searches the tree depth first, nearer
    child first, skipping a node whose box is farther than the heap's worst (a box's squared
    distance is never above that of a point inside it, in floating point too). Queries run
    in parallel blocks (numba ``prange``).
    """
    n = queries.shape[0]
    out = np.empty(n, dtype=np.int64)
    n_blocks = (n + _QUERY_BLOCK - 1) // _QUERY_BLOCK
    for block in prange(n_blocks):
        hd = np.empty(k)
        hi = np.empty(k, dtype=np.int64)
        ranked = np.empty(k, dtype=np.int64)
        stack = np.empty(_STACK, dtype=np.int64)
        stack_lb = np.empty(_STACK)
        for q in range(block * _QUERY_BLOCK, min(n, (block + 1) * _QUERY_BLOCK)):
            p = queries[q]
            _search(tx[p], ty[p], k, tx, ty, order, span, child, box, hd, hi, stack, stack_lb)
            _sorted_heap(hd, hi, k, ranked)
            out[q] = -1
            total = 0.0
            for j in range(k):
                total += weight[ranked[j]]
                if total >= need:
                    out[q] = ranked[j]
                    break
    return out


@njit(cache=True)
def _find(parent: np.ndarray, a: int) -> int:
    root = a
    while parent[root] != root:
        root = parent[root]
    while parent[a] != root:
        nxt = parent[a]
        parent[a] = root
        a = nxt
    return root


@njit(cache=True, parallel=True)
def _boruvka_search(
    px: np.ndarray,
    py: np.ndarray,
    pc: np.ndarray,
    order: np.ndarray,
    comp: np.ndarray,
    node_comp: np.ndarray,
    node_core: np.ndarray,
    span: np.ndarray,
    child: np.ndarray,
    box: np.ndarray,
    t_w: np.ndarray,
    t_lo: np.ndarray,
    t_hi: np.ndarray,
    t_from: np.ndarray,
    t_to: np.ndarray,
) -> None:
    """One Borůvka round's search: each of ``len(t_w)`` ranges of points (tree order), in
    parallel, finds every component's lightest outgoing edge from its own points into row
    ``t`` of ``t_w``/``t_lo``/``t_hi``/``t_from``/``t_to`` (the caller merges the rows).
    Apart from the rest of :func:`mutual_reachability_mst_boruvka` so that only this loop is
    compiled as parallel code (numba's parallel compilation of the whole took seconds more)."""
    m = px.shape[0]
    n_threads = t_w.shape[0]
    for t in prange(n_threads):
        bw = t_w[t]
        blo = t_lo[t]
        bhi = t_hi[t]
        bfrom = t_from[t]
        bto = t_to[t]
        for c in range(m):
            bw[c] = np.inf
            blo[c] = m
            bhi[c] = m
            bfrom[c] = -1
        stack = np.empty(_STACK, dtype=np.int64)
        stack_lb = np.empty(_STACK)
        for q in range(t * m // n_threads, (t + 1) * m // n_threads):
            c = comp[q]
            cq = pc[q]
            if cq > bw[c]:
                continue
            qx = px[q]
            qy = py[q]
            oq = order[q]
            stack[0] = 0
            stack_lb[0] = cq
            top = 1
            while top > 0:
                top -= 1
                node = stack[top]
                if stack_lb[top] > bw[c] or node_comp[node] == c:
                    continue
                left = child[node, 0]
                if left < 0:
                    for k in range(span[node, 0], span[node, 1]):
                        if comp[k] == c:
                            continue
                        ck = pc[k]
                        if ck > bw[c]:
                            continue
                        dx = px[k] - qx
                        dy = py[k] - qy
                        d = max(np.sqrt(dx * dx + dy * dy), cq, ck)
                        ok = order[k]
                        lo = min(oq, ok)
                        hi = max(oq, ok)
                        if _key_less(d, lo, hi, bw[c], blo[c], bhi[c]):
                            bw[c] = d
                            blo[c] = lo
                            bhi[c] = hi
                            bfrom[c] = q
                            bto[c] = k
                    continue
                right = child[node, 1]
                lb_l = max(cq, node_core[left], _box_distance(qx, qy, box, left))
                lb_r = max(cq, node_core[right], _box_distance(qx, qy, box, right))
                top = _push_children(stack, stack_lb, top, left, right, lb_l, lb_r)


@njit(cache=True)
def mutual_reachability_mst_boruvka(
    xy: np.ndarray, core: np.ndarray, leaf_size: int, n_threads: int
) -> np.ndarray:
    """The same tree as :func:`mutual_reachability_mst` (same edges, same key order), by
    Borůvka's algorithm on a k-d tree: O(m log m) for points in the plane.

    Each round, every component finds its lightest outgoing edge: the points of a component
    (in tree order, so neighbours follow each other) search the tree for the nearest point of
    another component under d_mr, sharing the component's best key so far as the bound. A
    node is skipped when all its points lie in the point's component, or when its lower bound
    max(core of the point, least core in the node, distance to the node's box) exceeds the
    bound; a point is skipped when its own core distance does. Then the chosen edges join
    their components, at least halving their number. Edges come in the order rounds add them.
    The points are searched in parallel ranges (numba ``prange``), each with its own best key
    per component; the least of them by the strict key is the component's edge, so the tree
    does not depend on ``n_threads``, the number of ranges (at most one per 4,096 points).
    """
    m = xy.shape[0]
    edges = np.empty((max(m - 1, 0), 3))
    if m < 2:
        return edges
    x0 = np.ascontiguousarray(xy[:, 0])
    y0 = np.ascontiguousarray(xy[:, 1])
    order, span, child, box = kd_tree(x0, y0, leaf_size)
    n_nodes = span.shape[0]
    # points in tree order: position i holds location order[i]
    px = x0[order]
    py = y0[order]
    pc = core[order]
    node_core = np.empty(n_nodes)
    for node in range(n_nodes - 1, -1, -1):
        if child[node, 0] < 0:
            c = np.inf
            for k in range(span[node, 0], span[node, 1]):
                c = min(c, pc[k])
            node_core[node] = c
        else:
            node_core[node] = min(node_core[child[node, 0]], node_core[child[node, 1]])
    parent = np.arange(m)  # union-find over tree positions
    comp = np.arange(m)  # component (its root) of each tree position
    node_comp = np.full(n_nodes, -1, dtype=np.int64)
    # each thread searches a contiguous range of points (in tree order) with its own best
    # edge per component; the merge keeps the least by the strict key: the same edges as
    # one thread would find, whatever the number of threads
    n_threads = max(1, min(n_threads, m // 4096 + 1))
    t_w = np.empty((n_threads, m))
    t_lo = np.empty((n_threads, m), dtype=np.int64)
    t_hi = np.empty((n_threads, m), dtype=np.int64)
    t_from = np.empty((n_threads, m), dtype=np.int64)
    t_to = np.empty((n_threads, m), dtype=np.int64)
    best_w = np.empty(m)
    best_from = np.empty(m, dtype=np.int64)
    best_to = np.empty(m, dtype=np.int64)
    n_edges = 0
    while n_edges < m - 1:
        _boruvka_search(
            px,
            py,
            pc,
            order,
            comp,
            node_comp,
            node_core,
            span,
            child,
            box,
            t_w,
            t_lo,
            t_hi,
            t_from,
            t_to,
        )
        for c in range(m):
            best_from[c] = -1
            if comp[c] != c:
                continue
            chosen = -1
            for t in range(n_threads):
                if t_from[t, c] < 0:
                    continue
                if chosen < 0 or _key_less(
                    t_w[t, c],
                    t_lo[t, c],
                    t_hi[t, c],
                    t_w[chosen, c],
                    t_lo[chosen, c],
                    t_hi[chosen, c],
                ):
                    chosen = t
            if chosen >= 0:
                best_w[c] = t_w[chosen, c]
                best_from[c] = t_from[chosen, c]
                best_to[c] = t_to[chosen, c]
        for c in range(m):
            if comp[c] != c or best_from[c] < 0:
                continue
            a = _find(parent, best_from[c])
            b = _find(parent, best_to[c])
            if a == b:  # the other component chose the same edge
                continue
            parent[max(a, b)] = min(a, b)
            edges[n_edges, 0] = order[best_from[c]]
            edges[n_edges, 1] = order[best_to[c]]
            edges[n_edges, 2] = best_w[c]
            n_edges += 1
        for q in range(m):
            comp[q] = _find(parent, q)
        for node in range(n_nodes - 1, -1, -1):
            left = child[node, 0]
            if left < 0:
                s = span[node, 0]
                c = comp[s]
                for k in range(s + 1, span[node, 1]):
                    if comp[k] != c:
                        c = -1
                        break
                node_comp[node] = c
            else:
                c = node_comp[left]
                node_comp[node] = c if c == node_comp[child[node, 1]] else -1
    return edges


@njit(cache=True)
def single_linkage(
    lo: np.ndarray, hi: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge a spanning tree's edges in the order given: the two children of each internal
    node m + k, and the size (summed weight) of every node 0 … 2m - 2."""
    m = weight.shape[0]
    parent = np.arange(2 * m - 1)
    size = np.zeros(2 * m - 1)
    size[:m] = weight
    left = np.empty(m - 1, dtype=np.int64)
    right = np.empty(m - 1, dtype=np.int64)
    for k in range(m - 1):
        a = _find(parent, lo[k])
        b = _find(parent, hi[k])
        node = m + k
        left[k] = a
        right[k] = b
        size[node] = size[a] + size[b]
        parent[a] = node
        parent[b] = node
    return left, right, size


@njit(cache=True)
def condense_tree(
    left: np.ndarray,
    right: np.ndarray,
    dist: np.ndarray,
    size: np.ndarray,
    mcs: float,
    lam_cap: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """hdbscan's condensed tree of a single-linkage hierarchy of m leaves: rows (parent
    cluster, child, λ, size), children below m being leaves, clusters numbered from m (the
    root). A split makes two clusters when both sides weigh at least ``mcs``; λ = 1/distance,
    ``lam_cap`` at distance 0. Depth-first, the second child first, as a stack pops."""
    m = left.shape[0] + 1
    root = 2 * m - 2
    label = np.full(2 * m - 1, -1, dtype=np.int64)
    label[root] = m
    next_label = m + 1
    capacity = 3 * m
    r_parent = np.empty(capacity, dtype=np.int64)
    r_child = np.empty(capacity, dtype=np.int64)
    r_lam = np.empty(capacity)
    r_size = np.empty(capacity)
    n = 0
    stack = np.empty(2 * m, dtype=np.int64)
    fall = np.empty(2, dtype=np.int64)
    sub = np.empty(2 * m, dtype=np.int64)
    stack[0] = root
    top = 1
    while top > 0:
        top -= 1
        node = stack[top]
        cluster = label[node]
        if node < m:  # a leaf that carries a cluster on its own: dense to the end
            r_parent[n] = cluster
            r_child[n] = node
            r_lam[n] = lam_cap
            r_size[n] = size[node]
            n += 1
            continue
        a = left[node - m]
        b = right[node - m]
        d = dist[node - m]
        value = 1.0 / d if d > 0 else lam_cap
        big_a = size[a] >= mcs
        big_b = size[b] >= mcs
        keep = -1
        if big_a and big_b:
            for child in (a, b):
                label[child] = next_label
                r_parent[n] = cluster
                r_child[n] = next_label
                r_lam[n] = value
                r_size[n] = size[child]
                n += 1
                next_label += 1
                stack[top] = child
                top += 1
            continue
        if big_a or big_b:
            keep = a if big_a else b
            label[keep] = cluster
            fall[0] = b if big_a else a
            n_fall = 1
        else:
            fall[0] = a
            fall[1] = b
            n_fall = 2
        for f in range(n_fall):  # every leaf under the small sides falls out at this λ
            sub[0] = fall[f]
            top_f = 1
            while top_f > 0:
                top_f -= 1
                x = sub[top_f]
                if x < m:
                    r_parent[n] = cluster
                    r_child[n] = x
                    r_lam[n] = value
                    r_size[n] = size[x]
                    n += 1
                else:
                    sub[top_f] = left[x - m]
                    sub[top_f + 1] = right[x - m]
                    top_f += 2
        if big_a or big_b:
            stack[top] = keep
            top += 1
    return r_parent[:n].copy(), r_child[:n].copy(), r_lam[:n].copy(), r_size[:n].copy()


ROUND = 1e15  # scikit-learn rounds distances to np.finfo(float).precision = 15 decimals


@njit(cache=True)
def optics_order_dense(
    x: np.ndarray, y: np.ndarray, core: np.ndarray, max_eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """The OPTICS loop over all pairs: O(m²) time, O(m) memory."""
    m = x.shape[0]
    reach = np.full(m, np.inf)
    pred = np.full(m, -1, dtype=np.int64)
    done = np.zeros(m, dtype=np.bool_)
    ordering = np.empty(m, dtype=np.int64)
    p = 0  # nothing is reachable yet: the first location
    for k in range(m):
        done[p] = True
        ordering[k] = p
        cp = core[p]
        is_core = cp < np.inf
        px = x[p]
        py = y[p]
        best = -1
        best_r = np.inf
        for j in range(m):
            if done[j]:
                continue
            if is_core:
                dx = px - x[j]
                dy = py - y[j]
                d = np.sqrt(dx * dx + dy * dy)
                if d <= max_eps:
                    v = d if d > cp else cp
                    v = np.rint(v * ROUND) / ROUND
                    if v < reach[j]:
                        reach[j] = v
                        pred[j] = p
            if best == -1 or reach[j] < best_r:
                best = j
                best_r = reach[j]
        p = best
    return ordering, reach, pred


@njit(cache=True)
def heap_less(r1: float, i1: int, r2: float, i2: int) -> bool:  # pragma: no cover
    return r1 < r2 or (r1 == r2 and i1 < i2)


@njit(cache=True)
def optics_order_graph(
    indptr: np.ndarray, indices: np.ndarray, dist: np.ndarray, core: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    """The OPTICS loop over a neighbour graph (CSR, distances within max_eps) with a binary
    heap keyed by (reachability, location); stale entries are skipped when popped."""
    m = core.shape[0]
    reach = np.full(m, np.inf)
    pred = np.full(m, -1, dtype=np.int64)
    done = np.zeros(m, dtype=np.bool_)
    ordering = np.empty(m, dtype=np.int64)
    capacity = indices.shape[0] + 1
    heap_r = np.empty(capacity)
    heap_i = np.empty(capacity, dtype=np.int64)
    size = 0
    scan = 0
    for k in range(m):
        p = -1
        while size > 0:
            r = heap_r[0]
            i = heap_i[0]
            size -= 1  # pop: move the last entry to the root and sift it down
            lr = heap_r[size]
            li = heap_i[size]
            pos = 0
            while True:
                child = 2 * pos + 1
                if child >= size:
                    break
                if child + 1 < size and heap_less(
                    heap_r[child + 1], heap_i[child + 1], heap_r[child], heap_i[child]
                ):
                    child += 1
                if heap_less(heap_r[child], heap_i[child], lr, li):
                    heap_r[pos] = heap_r[child]
                    heap_i[pos] = heap_i[child]
                    pos = child
                else:
                    break
            heap_r[pos] = lr
            heap_i[pos] = li
            if not done[i] and r == reach[i]:
                p = i
                break
        if p == -1:  # nothing reachable: the next unprocessed location
            while done[scan]:
                scan += 1
            p = scan
        done[p] = True
        ordering[k] = p
        cp = core[p]
        if cp == np.inf:
            continue
        for e in range(indptr[p], indptr[p + 1]):
            j = indices[e]
            if done[j]:
                continue
            d = dist[e]
            v = d if d > cp else cp
            v = np.rint(v * ROUND) / ROUND
            if v < reach[j]:
                reach[j] = v
                pred[j] = p
                pos = size  # push and sift up
                size += 1
                while pos > 0:
                    parent = (pos - 1) // 2
                    if heap_less(v, j, heap_r[parent], heap_i[parent]):
                        heap_r[pos] = heap_r[parent]
                        heap_i[pos] = heap_i[parent]
                        pos = parent
                    else:
                        break
                heap_r[pos] = v
                heap_i[pos] = j
    return ordering, reach, pred
