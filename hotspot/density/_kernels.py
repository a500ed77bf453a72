"""Numerical kernels of :mod:`hotspot.density`: kernel profiles, the binned FFT lattice engine,
the direct kernel sum and the edge-correction factor.

Everything here works on plain float arrays in metres and returns densities per square metre;
:mod:`hotspot.density._engine` chooses between them and :mod:`hotspot.density.surface` validates
inputs and converts to incidents per km².

The lattice engine
------------------
The density at the nodes ``(x0 + i*step, y0 + j*step)`` of a regular lattice is computed as

1. **linear binning**: each incident's weight is shared between the four nodes around it in
   proportion to the bilinear ("cloud-in-cell") weights, which conserves mass;
2. **FFT convolution** of the binned grid with the kernel sampled at the lattice offsets, with
   zero padding so that nothing wraps around;
3. **second-order binning correction**: linear binning evaluates, at each node, the bilinear
   interpolant of the kernel rather than the kernel itself. Its leading error is
   ``tx(1-tx)/2 * K_aa + ty(1-ty)/2 * K_bb`` (``t`` the incident's position inside its lattice
   cell, ``K_aa`` the second derivative of the kernel in lattice units), so two more binned grids
   of these moments are convolved with the sampled second derivatives and subtracted; for the
   Gaussian the third-order term is removed in the same way;
4. **exact edge correction** for the kernels with compact support: where the kernel is not a
   polynomial across a lattice cell (the cells crossed by the edge of its disc, and for the
   triangular kernel the four cells around its peak), the Taylor terms do not hold. For every
   (incident location, node) pair in those cells the exact kernel value replaces what steps 1-3
   contributed. This is a fixed template of ``O(bandwidth / step)`` offsets per distinct
   location.

With these, the uniform and Epanechnikov kernels are exact at the nodes (to rounding) at any
lattice step; the quartic, triangular and Gaussian kernels are within 1 % of a direct kernel sum
at every node above 1 % of the maximum once the step is at most ``sd / NODES_PER_SD[kernel]``
(``sd`` the kernel's standard deviation per axis). The discrete kernel is *not* renormalised:
the node values are the kernel sum itself, and the surface integrates to the total weight up to
the Riemann-sum error of the kernel on the lattice (below 0.3 % at those steps).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft as sp_fft
from scipy.spatial import cKDTree

KERNELS = ("quartic", "gaussian", "epanechnikov", "triangular", "uniform")

#: The Gaussian is truncated where the mass left outside the disc is below this.
GAUSSIAN_TAIL = 1e-6
#: Radius of the truncated Gaussian in standard deviations: the mass of a 2-D standard normal
#: outside radius r is exp(-r²/2), so r = sqrt(2 ln(1/tail)) = 5.26.
GAUSSIAN_RADIUS = math.sqrt(2.0 * math.log(1.0 / GAUSSIAN_TAIL))

#: bandwidth / (standard deviation of one coordinate) for each kernel. The bandwidth is the
#: standard deviation for the Gaussian and the radius of the disc for the others; a kernel of
#: radius h has per-axis variance E[r²]/2 = h²/8 (quartic), h²/6 (Epanechnikov),
#: 3h²/20 (triangular), h²/4 (uniform).
SD_FACTOR = {
    "gaussian": 1.0,
    "quartic": 2.0 * math.sqrt(2.0),
    "epanechnikov": math.sqrt(6.0),
    "triangular": math.sqrt(20.0 / 3.0),
    "uniform": 2.0,
}

#: Lattice nodes per kernel standard deviation needed for node values within 1 % of the direct
#: sum (measured on Toronto samples and clustered simulations; 0 = exact at any step).
NODES_PER_SD = {
    "gaussian": 2.0,
    "quartic": 1.5,
    "triangular": 1.5,
    "epanechnikov": 0.0,
    "uniform": 0.0,
}

# Cells inside the disc's edge, in lattice steps, that the exact template also covers: the
# quartic kernel's second derivative jumps at the edge, which the Taylor terms do not capture.
_TEMPLATE_INNER = {"quartic": 2.0, "epanechnikov": 0.0, "triangular": 0.0, "uniform": 0.0}
_PEAK = {"quartic": 3.0 / math.pi, "epanechnikov": 2.0 / math.pi, "triangular": 3.0 / math.pi}
_PAIRS_PER_CHUNK = 2_000_000


def support_radius(kernel: str, bandwidth: float) -> float:
    """Distance beyond which the kernel is zero (the Gaussian: where it is truncated)."""
    return bandwidth * (GAUSSIAN_RADIUS if kernel == "gaussian" else 1.0)


def kernel_sd(kernel: str, bandwidth: float) -> float:
    """Standard deviation of one coordinate under the kernel."""
    return bandwidth / SD_FACTOR[kernel]


def peak_density(kernel: str, bandwidth: float) -> float:
    """K(0) per square metre: the density one unit weight makes at its own location."""
    if kernel == "gaussian":
        return 1.0 / (2.0 * math.pi * bandwidth**2)
    if kernel == "uniform":
        return 1.0 / (math.pi * bandwidth**2)
    return _PEAK[kernel] / bandwidth**2


def profile(kernel: str, u: np.ndarray) -> np.ndarray:
    """The kernel at distance ``u`` in bandwidths, integrating to 1 over the plane (per h²)."""
    u = np.asarray(u, dtype=float)
    if kernel == "gaussian":  # truncation is the caller's (direct sum: disc; lattice: square)
        return np.exp(-0.5 * u * u) / (2.0 * math.pi)
    inside = u < 1.0
    if kernel == "quartic":
        v = 3.0 / math.pi * (1.0 - u * u) ** 2
    elif kernel == "epanechnikov":
        v = 2.0 / math.pi * (1.0 - u * u)
    elif kernel == "triangular":
        v = 3.0 / math.pi * (1.0 - u)
    else:
        v = np.full(u.shape, 1.0 / math.pi)
    return np.where(inside, v, 0.0)


def _second(kernel: str, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """d²k/dp² of a compact profile at (p, q) in bandwidth units (zero outside the disc)."""
    u2 = p * p + q * q
    inside = u2 < 1.0
    if kernel == "quartic":
        v = 3.0 / math.pi * (-4.0 * (1.0 - u2) + 8.0 * p * p)
    elif kernel == "epanechnikov":
        v = np.full(u2.shape, 2.0 / math.pi * -2.0)
    elif kernel == "triangular":
        u = np.sqrt(u2)
        safe = np.where(u > 0, u, 1.0)
        v = np.where(u > 0, -3.0 / math.pi * q * q / safe**3, 0.0)  # the peak: in the template
    else:
        v = np.zeros(u2.shape)
    return np.where(inside, v, 0.0)


class _Lattice:
    """Sampled kernel and derivatives on integer lattice offsets ``-m..m`` (per m²)."""

    def __init__(self, kernel: str, bandwidth: float, step: float) -> None:
        self.kernel, self.h, self.step = kernel, bandwidth, step
        self.rho = bandwidth / step  # the bandwidth in lattice steps
        if kernel == "gaussian":
            self.m = int(math.floor(GAUSSIAN_RADIUS * self.rho))
        else:
            self.m = int(math.ceil(self.rho)) + 2  # the template reaches rho + 2 steps

    def value(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Kernel at integer offsets (a, b) in lattice steps."""
        r = np.hypot(a * self.step, b * self.step)
        return profile(self.kernel, r / self.h) / self.h**2

    def second_a(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """d²K/da² at integer offsets, derivatives in lattice steps."""
        s = self.step / self.h
        return _second(self.kernel, a * s, b * s) * s * s / self.h**2

    def second_b(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        s = self.step / self.h
        return _second(self.kernel, b * s, a * s) * s * s / self.h**2

    def exact_squared(self, d2: np.ndarray) -> np.ndarray:
        """Kernel at squared distances ``d2`` in lattice steps² (the direct kernel value)."""
        c = 1.0 / self.h**2
        v = d2 * (-1.0 / self.rho**2)  # -u², then 1 - u² clipped at 0, in place
        v += 1.0
        np.maximum(v, 0.0, out=v)
        if self.kernel == "quartic":
            v *= v
            v *= 3.0 / math.pi * c
        elif self.kernel == "epanechnikov":
            v *= 2.0 / math.pi * c
        elif self.kernel == "uniform":
            v = (v > 0.0) * (1.0 / math.pi * c)
        else:  # triangular: 1 - u with u = sqrt(1 - v) inside the disc
            inside = v > 0.0
            np.subtract(1.0, v, out=v)
            np.sqrt(v, out=v)
            np.subtract(1.0, v, out=v)
            v *= inside
            v *= 3.0 / math.pi * c
        return v


def _bin(
    idx: np.ndarray, corner_w: np.ndarray, values: np.ndarray, n_nodes: int, shape: tuple
) -> np.ndarray:
    """Bilinear binning of ``values`` (one per point) with precomputed corner indices/weights."""
    weights = (corner_w * values[None, :]).ravel()
    return np.bincount(idx, weights, minlength=n_nodes).reshape(shape)


def _template(kernel: str, rho: float, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (a, b) whose cell ``[a-1, a] x [b-1, b]`` needs the exact kernel value."""
    r = np.arange(-m + 1, m + 1)
    a, b = np.meshgrid(r, r, indexing="xy")
    a, b = a.ravel(), b.ravel()
    corners_x = np.stack([a - 1, a, a - 1, a])
    corners_y = np.stack([b - 1, b - 1, b, b])
    dmax = np.hypot(corners_x, corners_y).max(axis=0)
    dmin = np.hypot(np.clip(0, a - 1, a), np.clip(0, b - 1, b))
    eps = 1e-9 * max(rho, 1.0)
    inner = max(rho - _TEMPLATE_INNER[kernel], 0.0)
    keep = (dmin <= rho + eps) & (dmax >= inner - eps)
    if kernel == "triangular":
        keep |= dmin == 0  # the four cells around the peak
    return a[keep], b[keep]


def lattice_density(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    *,
    x0: float,
    y0: float,
    step: float,
    nx: int,
    ny: int,
    kernel: str,
    bandwidth: float,
    distinct: bool = False,
) -> np.ndarray:
    """Kernel density per m² at the lattice nodes ``(x0 + i*step, y0 + j*step)``.

    Returns an array of shape ``(ny, nx)``, row ``j`` at ``y0 + j*step`` (y ascending).
    Every point must lie inside the lattice (``x0 <= x < x0 + (nx-1)*step``); points whose
    kernel reaches beyond the lattice simply contribute nothing there. ``distinct=True``
    promises the points are already distinct locations (weights aggregated).
    """
    compact = kernel != "gaussian"
    if compact and not distinct:
        x, y, w = distinct_locations(x, y, w)
    fx = (x - x0) / step
    fy = (y - y0) / step
    ix = np.floor(fx).astype(np.int64)
    iy = np.floor(fy).astype(np.int64)
    if len(x) and (ix.min() < 0 or iy.min() < 0 or ix.max() > nx - 2 or iy.max() > ny - 2):
        raise ValueError("lattice_density: a point lies outside the lattice")
    tx, ty = fx - ix, fy - iy
    qx, qy = tx * (1 - tx) / 2.0, ty * (1 - ty) / 2.0

    lat = _Lattice(kernel, bandwidth, step)
    m = lat.m
    offsets = np.arange(-m, m + 1)
    fshape = (
        sp_fft.next_fast_len(ny + 2 * m, real=True),
        sp_fft.next_fast_len(nx + 2 * m, real=True),
    )
    # bin straight into the zero-padded FFT array (data in its top-left corner)
    width = fshape[1]
    base = iy * width + ix
    idx = np.concatenate([base, base + 1, base + width, base + width + 1])
    corner_w = np.stack([(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty])

    def binned_spectrum(values: np.ndarray) -> np.ndarray:
        grid = _bin(idx, corner_w, values, fshape[0] * fshape[1], fshape)
        return sp_fft.rfft2(grid, workers=-1)

    def kernel_spectrum(array: np.ndarray) -> np.ndarray:
        return sp_fft.rfft2(array, s=fshape, workers=-1)

    if kernel == "gaussian":
        # Separable: truncated on the square [-m, m]² (which holds the disc of GAUSSIAN_RADIUS),
        # each 2-D kernel spectrum is the product of two 1-D spectra (applied by broadcasting).
        s = step / bandwidth
        p = offsets * s
        g = np.exp(-0.5 * p * p) / math.sqrt(2.0 * math.pi * bandwidth**2)
        g2, g3 = g * (p * p - 1.0) * s * s, g * (3.0 * p - p**3) * s**3

        def term(values: np.ndarray, along_y: np.ndarray, along_x: np.ndarray) -> np.ndarray:
            spec = binned_spectrum(values)
            spec *= sp_fft.fft(along_y, n=fshape[0])[:, None]
            spec *= sp_fft.rfft(along_x, n=fshape[1])[None, :]
            return spec

        spec = term(w, g, g)
        spec -= term(w * qx, g, g2)
        spec -= term(w * qy, g2, g)
        if step > kernel_sd("gaussian", bandwidth) / 3.0:  # coarse lattice: third order too
            spec += term(w * tx * (1 - tx) * (1 - 2 * tx) / 6.0, g, g3)
            spec += term(w * ty * (1 - ty) * (1 - 2 * ty) / 6.0, g3, g)
    else:
        aa, bb = np.meshgrid(offsets, offsets, indexing="xy")
        spec = binned_spectrum(w)
        spec *= kernel_spectrum(lat.value(aa, bb))
        if kernel != "uniform":
            spec -= binned_spectrum(w * qx) * kernel_spectrum(lat.second_a(aa, bb))
            spec -= binned_spectrum(w * qy) * kernel_spectrum(lat.second_b(aa, bb))
    out = sp_fft.irfft2(spec, s=fshape, workers=-1)[m : m + ny, m : m + nx]
    out = np.ascontiguousarray(out)
    if compact:
        flat = out.ravel()
        _exact_template(flat, lat, ix, iy, tx, ty, qx, qy, w, nx, ny)
    peak = out.max() if out.size else 0.0
    out[out < peak * 1e-12] = 0.0  # FFT round-off where the density is zero
    return out


def _exact_template(
    flat: np.ndarray,
    lat: _Lattice,
    ix: np.ndarray,
    iy: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
    qx: np.ndarray,
    qy: np.ndarray,
    w: np.ndarray,
    nx: int,
    ny: int,
) -> None:
    """Replace, in the template cells, what binning contributed by the exact kernel value.

    Per (location, template offset) pair the binned contribution is the bilinear blend of the
    four lattice values around the offset, minus the second-order terms: a product of a
    (locations x 12) basis in (tx, ty, qx, qy) and a (12 x offsets) table, one matrix product.
    The exact value needs the squared distance, another small matrix product.
    """
    a, b = _template(lat.kernel, lat.rho, lat.m)
    if len(a) == 0 or len(w) == 0:
        return

    def blend(table: list[np.ndarray]) -> list[np.ndarray]:
        # bilinear weights (1-tx)(1-ty), tx(1-ty), (1-tx)ty, tx ty on the basis 1, tx, ty, tx ty
        v00, v10, v01, v11 = table
        return [v00, v10 - v00, v01 - v00, v00 - v10 - v01 + v11]

    corners = ((0, 0), (1, 0), (0, 1), (1, 1))
    rows = blend([lat.value(a - cx, b - cy) for cx, cy in corners])
    if lat.kernel != "uniform":
        rows += [-r for r in blend([lat.second_a(a - cx, b - cy) for cx, cy in corners])]
        rows += [-r for r in blend([lat.second_b(a - cx, b - cy) for cx, cy in corners])]
    table = np.stack(rows)  # (4 or 12, offsets)
    offsets = b * nx + a
    af, bf = a.astype(float), b.astype(float)
    distance_table = np.stack([af * af + bf * bf, -2.0 * af, -2.0 * bf])
    chunk = max(1, _PAIRS_PER_CHUNK // len(a))
    for start in range(0, len(w), chunk):
        sl = slice(start, start + chunk)
        t_x, t_y = tx[sl], ty[sl]
        bilinear = [np.ones_like(t_x), t_x, t_y, t_x * t_y]
        basis = bilinear
        if lat.kernel != "uniform":
            basis = bilinear + [qx[sl] * v for v in bilinear] + [qy[sl] * v for v in bilinear]
        binned = np.column_stack(basis) @ table
        d2 = np.column_stack([np.ones_like(t_x), t_x, t_y]) @ distance_table
        d2 += (t_x * t_x + t_y * t_y)[:, None]
        delta = lat.exact_squared(d2)
        delta -= binned
        delta *= w[sl, None]
        base = iy[sl] * nx + ix[sl]
        idx = base[:, None] + offsets[None, :]
        inside = (
            ix[sl].min() + a.min() >= 0
            and ix[sl].max() + a.max() < nx
            and iy[sl].min() + b.min() >= 0
            and iy[sl].max() + b.max() < ny
        )
        if inside:
            flat += np.bincount(idx.ravel(), delta.ravel(), minlength=nx * ny)
        else:  # near the lattice's border: drop the nodes beyond it
            col = ix[sl, None] + a[None, :]
            row = iy[sl, None] + b[None, :]
            ok = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
            flat += np.bincount(idx[ok], delta[ok], minlength=nx * ny)


def distinct_locations(
    x: np.ndarray, y: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, y) locations with their weights summed."""
    if len(x) == 0:
        return x, y, w
    keys, inverse = np.unique(x + 1j * y, return_inverse=True)
    return keys.real.copy(), keys.imag.copy(), np.bincount(inverse, w, minlength=len(keys))


def count_pairs(
    px: np.ndarray,
    py: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
    radius: float,
    sample: int = 2_000,
) -> int:
    """Number of (point, target) pairs within ``radius``, by a dual k-d tree count.

    With more than ``sample`` targets, the count over a fixed random sample of them (seed 0),
    scaled up: an estimate, cheap whatever the number of pairs.
    """
    if len(px) == 0 or len(tx) == 0:
        return 0
    if len(tx) > sample:
        pick = np.random.default_rng(0).choice(len(tx), sample, replace=False)
        return round(count_pairs(px, py, tx[pick], ty[pick], radius) * len(tx) / sample)
    points = cKDTree(np.column_stack([px, py]))
    targets = cKDTree(np.column_stack([tx, ty]))
    return int(targets.count_neighbors(points, radius))


def direct_density(
    px: np.ndarray,
    py: np.ndarray,
    pw: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
    *,
    kernel: str,
    bandwidth: float,
    n_pairs: int | None = None,
) -> np.ndarray:
    """The kernel sum per m² at the targets, pair by pair within the kernel's support.

    Points should be distinct locations with aggregated weights (fewer pairs). Memory is
    bounded by working on chunks of targets of about two million pairs each.
    """
    out = np.zeros(len(tx))
    if len(px) == 0 or len(tx) == 0:
        return out
    radius = support_radius(kernel, bandwidth)
    points = cKDTree(np.column_stack([px, py]))
    if n_pairs is None:
        n_pairs = count_pairs(px, py, tx, ty, radius)
    per_target = max(n_pairs / len(tx), 1.0)
    chunk = max(1, int(_PAIRS_PER_CHUNK / per_target))
    for start in range(0, len(tx), chunk):
        sl = slice(start, start + chunk)
        targets = cKDTree(np.column_stack([tx[sl], ty[sl]]))
        pairs = targets.sparse_distance_matrix(points, radius, output_type="ndarray")
        if len(pairs) == 0:
            continue
        values = profile(kernel, pairs["v"] / bandwidth) * pw[pairs["j"]]
        out[sl] = np.bincount(pairs["i"], values, minlength=len(tx[sl]))
    return out / bandwidth**2


def bilinear_sample(
    grid: np.ndarray, x0: float, y0: float, step: float, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Bilinear interpolation of a lattice (rows y ascending) at points inside it."""
    ny, nx = grid.shape
    fx = np.clip((x - x0) / step, 0.0, nx - 1.0)
    fy = np.clip((y - y0) / step, 0.0, ny - 1.0)
    ix = np.minimum(np.floor(fx).astype(np.int64), nx - 2)
    iy = np.minimum(np.floor(fy).astype(np.int64), ny - 2)
    tx, ty = fx - ix, fy - iy
    return (
        grid[iy, ix] * (1 - tx) * (1 - ty)
        + grid[iy, ix + 1] * tx * (1 - ty)
        + grid[iy + 1, ix] * (1 - tx) * ty
        + grid[iy + 1, ix + 1] * tx * ty
    )


def edge_factor(
    inside: np.ndarray,
    *,
    step: float,
    kernel: str,
    bandwidth: float,
) -> np.ndarray:
    """Share of each node's kernel mass that falls on nodes inside the study area.

    ``inside`` is a boolean lattice (rows y ascending) of nodes in the study area; the result
    has the same shape: the discrete convolution of ``inside`` with the kernel sampled on the
    lattice, divided by the kernel's lattice sum (so it is exactly 1 far from the edge).
    """
    lat = _Lattice(kernel, bandwidth, step)
    offsets = np.arange(-lat.m, lat.m + 1)
    aa, bb = np.meshgrid(offsets, offsets, indexing="xy")
    k = lat.value(aa, bb)
    k /= k.sum()
    ny, nx = inside.shape
    m = lat.m
    fshape = (
        sp_fft.next_fast_len(ny + 2 * m, real=True),
        sp_fft.next_fast_len(nx + 2 * m, real=True),
    )
    spec = sp_fft.rfft2(inside.astype(float), s=fshape, workers=-1) * sp_fft.rfft2(
        k, s=fshape, workers=-1
    )
    out = sp_fft.irfft2(spec, s=fshape, workers=-1)[m : m + ny, m : m + nx]
    return np.clip(out, 0.0, 1.0)
