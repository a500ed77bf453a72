"""Tests for hotspot.stats.mann_kendall against pymannkendall.original_test."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.special import ndtr

from hotspot.errors import HotspotInputError
from hotspot.stats.mann_kendall import MannKendall, mann_kendall

pymannkendall = pytest.importorskip("pymannkendall")

TOL = {"rtol": 1e-12, "atol": 1e-12}


def _reference(x: np.ndarray) -> dict[str, np.ndarray]:
    """pymannkendall.original_test on each column of x."""
    rows = [pymannkendall.original_test(x[:, j]) for j in range(x.shape[1])]
    return {
        "s": np.array([r.s for r in rows]),
        "variance": np.array([r.var_s for r in rows]),
        "z": np.array([r.z for r in rows], dtype=float),
        "pvalue": np.array([r.p for r in rows]),
        "tau": np.array([r.Tau for r in rows]),
        "trend": np.array([r.trend for r in rows]),
    }


def _series(seed: int, n: int, n_series: int = 25) -> np.ndarray:
    """Integer series from a small range (many ties), half of them with a trend."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, size=(n, n_series)).astype(float)
    x[:, : n_series // 2] += np.round(np.linspace(0, 4, n))[:, None]  # increasing
    x[:, n_series // 2 : n_series // 2 + 3] -= np.round(np.linspace(0, 4, n))[:, None]
    return x


@pytest.mark.parametrize("n", [3, 4, 10, 52, 104])
@pytest.mark.parametrize("seed", range(6))
def test_matches_pymannkendall_with_ties(seed: int, n: int) -> None:
    x = _series(seed, n)
    mk = mann_kendall(x)
    ref = _reference(x)
    assert mk.n == n
    assert mk.statistic.dtype == np.int64
    np.testing.assert_array_equal(mk.statistic, ref["s"])
    np.testing.assert_allclose(mk.variance, ref["variance"], **TOL)
    np.testing.assert_allclose(mk.z, ref["z"], **TOL)
    np.testing.assert_allclose(mk.pvalue, ref["pvalue"], **TOL)
    np.testing.assert_allclose(mk.tau, ref["tau"], **TOL)
    np.testing.assert_array_equal(mk.trend, ref["trend"])


def test_matches_pymannkendall_without_ties_and_finds_trends() -> None:
    rng = np.random.default_rng(42)
    x = (
        rng.normal(size=(104, 40))
        + np.linspace(-2, 2, 40)[None, :] * np.linspace(0, 1, 104)[:, None]
    )
    mk = mann_kendall(x)
    ref = _reference(x)
    for name in ("variance", "z", "pvalue", "tau"):
        np.testing.assert_allclose(getattr(mk, name), ref[name], **TOL, err_msg=name)
    np.testing.assert_array_equal(mk.statistic, ref["s"])
    np.testing.assert_array_equal(mk.trend, ref["trend"])
    assert {"increasing", "decreasing", "no trend"} <= set(mk.trend.tolist())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n", [3, 10, 52])
def test_one_sided_pvalues_are_normal_tails_of_z(seed: int, n: int) -> None:
    x = _series(seed, n)
    two = mann_kendall(x)
    greater = mann_kendall(x, alternative="greater")
    less = mann_kendall(x, alternative="less")
    for res in (greater, less):
        np.testing.assert_array_equal(res.z, two.z)
        np.testing.assert_array_equal(res.statistic, two.statistic)
        assert res.alternative in ("greater", "less")
    np.testing.assert_allclose(greater.pvalue, ndtr(-two.z), **TOL)
    np.testing.assert_allclose(less.pvalue, ndtr(two.z), **TOL)
    np.testing.assert_allclose(greater.pvalue + less.pvalue, 1.0, **TOL)
    np.testing.assert_allclose(
        2 * np.minimum(greater.pvalue, less.pvalue), np.minimum(two.pvalue, 1.0), **TOL
    )
    assert set(greater.trend.tolist()) <= {"increasing", "no trend"}
    assert set(less.trend.tolist()) <= {"decreasing", "no trend"}
    np.testing.assert_array_equal(greater.trend == "increasing", greater.pvalue < 0.05)
    np.testing.assert_array_equal(less.trend == "decreasing", less.pvalue < 0.05)


def test_constant_series() -> None:
    x = np.column_stack([np.full(10, 3.0), np.arange(10.0), np.full(10, -1.0)])
    mk = mann_kendall(x)
    np.testing.assert_array_equal(mk.statistic, [0, 45, 0])
    np.testing.assert_array_equal(mk.variance[[0, 2]], 0.0)
    np.testing.assert_array_equal(mk.z[[0, 2]], 0.0)
    np.testing.assert_array_equal(mk.pvalue[[0, 2]], 1.0)
    np.testing.assert_array_equal(mk.tau[[0, 2]], 0.0)
    np.testing.assert_array_equal(mk.trend, ["no trend", "increasing", "no trend"])
    ref = pymannkendall.original_test(x[:, 0])
    assert (ref.s, ref.var_s, ref.z, ref.p) == (0, 0, 0, 1)
    assert mann_kendall(x, alternative="greater").pvalue[0] == 0.5


def test_axis_1_equals_axis_0_on_transpose() -> None:
    x = _series(7, 52, n_series=30)
    a = mann_kendall(x, axis=0)
    b = mann_kendall(np.ascontiguousarray(x.T), axis=1)
    c = mann_kendall(x.T, axis=-1)
    for res in (b, c):
        for f in dataclasses.fields(MannKendall):
            np.testing.assert_array_equal(getattr(res, f.name), getattr(a, f.name))


def test_one_series_and_more_dimensions() -> None:
    cube = _series(3, 20, n_series=12).reshape(20, 3, 4)
    mk = mann_kendall(cube)
    assert mk.statistic.shape == mk.trend.shape == (3, 4)
    flat = mann_kendall(cube.reshape(20, 12))
    np.testing.assert_array_equal(mk.statistic.ravel(), flat.statistic)
    np.testing.assert_array_equal(mk.pvalue.ravel(), flat.pvalue)
    # time as the last axis of a (rows, cols, time) cube
    moved = mann_kendall(np.moveaxis(cube, 0, -1), axis=2)
    np.testing.assert_array_equal(moved.z, mk.z)

    one = mann_kendall(cube[:, 1, 2])
    assert one.statistic.shape == () and one.trend.shape == ()
    assert one.statistic == mk.statistic[1, 2] and one.pvalue == mk.pvalue[1, 2]
    ref = pymannkendall.original_test(cube[:, 1, 2])
    assert one.statistic == ref.s and one.trend == ref.trend
    assert float(one.pvalue) == pytest.approx(ref.p, rel=1e-12, abs=1e-12)


def test_integer_bool_and_list_input() -> None:
    x = _series(11, 30)
    expected = mann_kendall(x)
    for variant in (x.astype(np.int64), x.astype(np.int16), x.tolist()):
        got = mann_kendall(variant)
        np.testing.assert_array_equal(got.statistic, expected.statistic)
        np.testing.assert_array_equal(got.variance, expected.variance)
    flags = x > 2
    np.testing.assert_array_equal(
        mann_kendall(flags).statistic, mann_kendall(flags.astype(int)).statistic
    )


def test_infinities_are_ordered_and_tied() -> None:
    x = np.array([1.0, np.inf, 2.0, np.inf, -np.inf, 3.0])
    finite = np.array([1.0, 10.0, 2.0, 10.0, -10.0, 3.0])
    a, b = mann_kendall(x), mann_kendall(finite)
    assert a.statistic == b.statistic and a.variance == b.variance


def test_input_not_mutated_and_result_frozen() -> None:
    x = _series(5, 52)
    before = x.copy()
    mk = mann_kendall(x, alternative="less")
    np.testing.assert_array_equal(x, before)
    mann_kendall(x.T, axis=1)
    np.testing.assert_array_equal(x, before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mk.n = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        mk.pvalue[0] = 0.0


def test_empty_set_of_series() -> None:
    mk = mann_kendall(np.zeros((10, 0)))
    assert mk.statistic.shape == mk.pvalue.shape == mk.trend.shape == (0,)


def test_errors() -> None:
    x = _series(1, 10)
    x[3, 2] = np.nan
    x[0, 7] = np.nan
    x[5, 7] = np.nan
    with pytest.raises(HotspotInputError, match=r"2 of 25 series contain NaN .*\[2, 7\]"):
        mann_kendall(x)
    with pytest.raises(HotspotInputError, match="at least 3 time steps .* got 2 along axis=0"):
        mann_kendall(np.ones((2, 5)))
    with pytest.raises(HotspotInputError, match="got 1 along axis=1"):
        mann_kendall(np.ones((5, 1)), axis=1)
    with pytest.raises(HotspotInputError, match=r"axis=2 is out of range .* 2 dimension"):
        mann_kendall(np.ones((5, 4)), axis=2)
    with pytest.raises(HotspotInputError, match="not a scalar"):
        mann_kendall(3.0)
    with pytest.raises(HotspotInputError, match="numeric array"):
        mann_kendall(np.array(["a", "b", "c"]))
    with pytest.raises(HotspotInputError, match="numeric array"):
        mann_kendall(np.ones(5, dtype=complex))
    with pytest.raises(HotspotInputError, match="^mann_kendall: alternative='up' is not one of"):
        mann_kendall(np.arange(5.0), alternative="up")
    with pytest.raises(HotspotInputError, match="^mann_kendall: correction='sen' is not one of"):
        mann_kendall(np.arange(5.0), correction="sen")
    with pytest.raises(HotspotInputError, match="^mann_kendall: correction='hamed-rao' needs"):
        mann_kendall(np.arange(3.0), correction="hamed-rao")
    with pytest.raises(HotspotInputError, match="^mann_kendall: axis=0.5 is out of range"):
        mann_kendall(np.ones((5, 4)), axis=0.5)


def test_result_in_the_global_test_vocabulary() -> None:
    x = _series(2, 20)
    mk = mann_kendall(x, alternative="greater", correction="hamed-rao")
    assert mk.expected.shape == mk.statistic.shape and (mk.expected == 0).all()
    assert mk.permutations == 0 and mk.alternative == "greater"
    assert mk.method == "mann_kendall"
    assert mk.params == {
        "method": "mann_kendall",
        "period": None,
        "rng_seed": None,
        "n": 20,
        "alternative": "greater",
        "correction": "hamed-rao",
    }
    with pytest.raises(ValueError, match="read-only"):
        mk.expected[0] = 1.0


def test_s_is_the_deprecated_name_of_statistic() -> None:
    mk = mann_kendall(_series(4, 10))
    with pytest.warns(FutureWarning, match="MannKendall.s is now MannKendall.statistic"):
        s = mk.s
    np.testing.assert_array_equal(s, mk.statistic)
