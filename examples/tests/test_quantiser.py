"""The quantiser on hand-computed cases: rounding half away from zero, clipping, constant and dropped channels."""
import math

import numpy as np
import pytest

from mipareto import Quantiser, channel_stats


def scalar_reference(x, lo, hi, mean, b):
    """docs/format.md's quantiser for one value, in plain Python floats (binary64), in the normative order."""
    if b == 0:
        return float(np.float32(mean))
    if hi == lo:
        return float(np.float32(lo))
    levels = float(2 ** b - 1)
    v = min(max((float(np.float32(x)) - lo) / (hi - lo) * levels, 0.0), levels)
    q = math.floor(v + 0.5) if v - math.floor(v) != 0.5 else math.floor(v) + 1
    return float(np.float32(lo + q * (hi - lo) / levels))


def test_half_way_values_round_away_from_zero():
    # lo 0, hi 3 at 2 bits: v = x, so 0.5, 1.5, 2.5 are exact halves -> 1, 2, 3 (np.round would give 0, 2, 2).
    q = Quantiser([0.0], [3.0], [1.0])
    x = np.array([0.5, 1.5, 2.5, 0.49, 2.51], dtype=np.float32).reshape(5, 1)
    assert q.quantise(x, [2]).ravel().tolist() == [1.0, 2.0, 3.0, 0.0, 3.0]


def test_values_outside_the_fit_range_are_clipped():
    q = Quantiser([1.0], [2.0], [1.5])
    x = np.array([-5.0, 0.999, 2.0001, 40.0], dtype=np.float32).reshape(4, 1)
    assert q.quantise(x, [3]).ravel().tolist() == [1.0, 1.0, 2.0, 2.0]


def test_dropped_constant_and_kept_channels():
    q = Quantiser([0.0, 2.0, 0.0], [1.0, 2.0, 1.0], [0.1, 2.0, 0.3])
    x = np.array([[0.7, 2.0, 0.123456789]], dtype=np.float32)
    out = q.quantise(x, [0, 4, None])
    assert out.dtype == np.float32
    assert out[0, 0] == np.float32(0.1)           # b = 0: the fit mean, as float32
    assert out[0, 1] == np.float32(2.0)           # hi == lo: lo
    assert out[0, 2] == np.float32(0.123456789)   # None: unquantised


def test_exact_halves_after_an_offset_round_up_at_every_depth():
    # lo = 0.25 and a range of L·s with s = 3/16: x = lo + (k + ½)·s is a float32 whose v is exactly
    # k + ½, so the symbol must be k + 1 (half away from zero), x̂ = lo + (k + 1)·s.
    lo, s = 0.25, 3.0 / 16
    for b in range(1, 9):
        levels = 2 ** b - 1
        q = Quantiser([lo], [lo + levels * s], [0.0])
        ks = np.arange(levels)
        x = (lo + (ks + 0.5) * s).astype(np.float32).reshape(-1, 1)
        assert (x.astype(np.float64).ravel() == lo + (ks + 0.5) * s).all()
        expected = [np.float32(lo + (k + 1) * s) for k in ks]
        assert q.quantise(x, [b]).ravel().tolist() == expected, b


def test_random_tensors_match_the_scalar_formula_at_every_depth():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 3, 2, 2)).astype(np.float32)
    lo, hi, mean = channel_stats([x])
    q = Quantiser(lo, hi, mean)
    for b in range(0, 17):
        out = q.quantise(x, [b, b, b])
        for (n, c, i, j), value in np.ndenumerate(out):
            assert value == scalar_reference(x[n, c, i, j], lo[c], hi[c], mean[c], b), (b, n, c, i, j)


def test_channel_stats_sum_in_mipareto_order():
    rng = np.random.default_rng(5)
    x = (rng.random((300, 2, 3, 5)) * 1e3).astype(np.float32)
    lo, hi, mean = channel_stats([x], chunk=7)
    for c in range(2):
        total = 0.0
        for n in range(300):                     # each sample's positions in turn, then the samples
            t = 0.0
            for v in x[n, c].ravel():
                t += float(v)
            total += t
        assert mean[c] == total / x[:, c].size
        assert lo[c] == float(x[:, c].min()) and hi[c] == float(x[:, c].max())


def test_streams_cut_a_global_allocation():
    q = Quantiser([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.5, 0.25, 0.75], streams=[("a", 1), ("b", 2)])
    out = q.quantise_streams({"a": np.full((1, 1, 2, 2), 0.9, np.float32), "b": np.full((1, 2), 0.9, np.float32)}, [1, 0, 0])
    assert out["a"].ravel().tolist() == [1.0] * 4
    assert out["b"].ravel().tolist() == [np.float32(0.25), np.float32(0.75)]


def test_bad_depths_are_refused():
    q = Quantiser([0.0], [1.0], [0.5])
    with pytest.raises(ValueError, match="outside 0…16"):
        q.quantise(np.zeros((1, 1), np.float32), [17])
    with pytest.raises(ValueError, match="2 bit depths"):
        q.quantise(np.zeros((1, 1), np.float32), [1, 2])
