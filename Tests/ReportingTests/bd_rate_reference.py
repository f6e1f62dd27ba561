"""Reference BD-rates and BD-qualities for BjontegaardDeltaTests.swift, computed independently of
the Swift code with SciPy's PchipInterpolator (log10 of the rate, as the `bjontegaard` package's
`method="pchip"` and the JCT-VC Excel sheet do) and, when it is installed, cross-checked against
the `bjontegaard` package itself (`pip install bjontegaard`).

Run: python3 Tests/ReportingTests/bd_rate_reference.py
It prints each case's prepared curves, BD-rate (percent) and BD-quality, in full precision.
"""

import math

import numpy as np
import scipy
from scipy.interpolate import PchipInterpolator


def envelope(rates, qualities):
    """The documented preparation: drop non-finite points and rates <= 0; sort by rate (equal
    rates: best quality first); keep a point only if its quality beats every kept one."""
    points = [(r, q) for r, q in zip(rates, qualities)
              if math.isfinite(r) and math.isfinite(q) and r > 0]
    points.sort(key=lambda p: (p[0], -p[1]))
    kept = []
    for r, q in points:
        if not kept or q > kept[-1][1]:
            kept.append((r, q))
    return np.array([p[0] for p in kept]), np.array([p[1] for p in kept])


def bd(x_ref, y_ref, x_test, y_test):
    """Mean of test − reference over the common x range, exact PCHIP integrals."""
    lo, hi = max(x_ref.min(), x_test.min()), min(x_ref.max(), x_test.max())
    f_ref, f_test = PchipInterpolator(x_ref, y_ref), PchipInterpolator(x_test, y_test)
    return (f_test.integrate(lo, hi) - f_ref.integrate(lo, hi)) / (hi - lo)


def bd_rate(ref, test):
    (r0, q0), (r1, q1) = ref, test
    return (10 ** bd(q0, np.log10(r0), q1, np.log10(r1)) - 1) * 100


def bd_quality(ref, test):
    (r0, q0), (r1, q1) = ref, test
    return bd(np.log10(r0), q0, np.log10(r1), q1)


nan = float("nan")
CASES = {
    # PSNR-like curves, five points each (the usual codec comparison).
    "psnr": (
        ([0.1, 0.2, 0.4, 0.8, 1.6], [30.0, 33.2, 36.1, 38.6, 40.5]),
        ([0.08, 0.17, 0.33, 0.7, 1.5], [29.5, 33.0, 36.3, 38.9, 41.0]),
    ),
    # Saturating accuracies against bits per element, 7 vs 5 points, partial overlap; the steep
    # last segments make SciPy's end-slope rule set the first derivative to 0.
    "accuracy": (
        ([1, 2, 3, 4, 5, 6, 8], [0.31, 0.72, 0.90, 0.955, 0.97, 0.975, 0.978]),
        ([0.5, 0.9, 1.6, 2.4, 3.5], [0.42, 0.80, 0.93, 0.962, 0.976]),
    ),
    # Points as a front gives them: a zero rate, repeated rates and qualities, dominated points,
    # a NaN rate, unsorted.
    "raw-front": (
        ([0, 0.25, 0.5, 0.5, 1.0, 1.0, 1.5, 2.0, 2.0, 3.0, 4.0],
         [0.1, 0.35, 0.52, 0.60, 0.74, 0.74, 0.71, 0.86, 0.86, 0.93, 0.93]),
        ([0.3, 0.2, 0.6, 0.45, nan, 1.2, 2.5, 2.2, 3.5],
         [0.50, 0.41, 0.70, 0.72, 0.9, 0.88, 0.955, 0.94, 0.95]),
    ),
    # Two points each (straight lines), overlapping on part of each.
    "two-points": (
        ([1, 4], [30, 36]),
        ([0.5, 3], [28, 37]),
    ),
}


def end_slope_rule(x, y):
    """Which of SciPy's end-slope branches each end of PCHIP(x, y) takes (for test coverage)."""
    if len(x) < 3:
        return ("line", "line")
    h, m = np.diff(x), np.diff(y) / np.diff(x)

    def rule(h0, h1, m0, m1):
        d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        if np.sign(d) != np.sign(m0):
            return "zero"
        if np.sign(m0) != np.sign(m1) and abs(d) > 3 * abs(m0):
            return "clamp3"
        return "three-point"
    return (rule(h[0], h[1], m[0], m[1]), rule(h[-1], h[-2], m[-1], m[-2]))


def main():
    try:
        import bjontegaard as bjd
    except ImportError:
        bjd = None
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, bjontegaard "
          f"{getattr(bjd, '__version__', 'installed') if bjd else 'not installed'}")
    for name, (ref_raw, test_raw) in CASES.items():
        ref, test = envelope(*ref_raw), envelope(*test_raw)
        rate, quality = float(bd_rate(ref, test)), float(bd_quality(ref, test))
        print(f"\n{name}")
        print(f"  reference curve rates {ref[0].tolist()} qualities {ref[1].tolist()}")
        print(f"  test curve      rates {test[0].tolist()} qualities {test[1].tolist()}")
        print(f"  end slopes (log-rate vs quality): reference {end_slope_rule(ref[1], np.log10(ref[0]))}, "
              f"test {end_slope_rule(test[1], np.log10(test[0]))}")
        print(f"  bdRate    {rate!r}")
        print(f"  bdQuality {quality!r}")
        print(f"  reversed: bdRate {float(bd_rate(test, ref))!r} bdQuality {float(bd_quality(test, ref))!r}")
        if bjd is not None:
            kw = dict(method="pchip", require_matching_points=False, min_overlap=0)
            pkg_rate = bjd.bd_rate(ref[0], ref[1], test[0], test[1], **kw)
            pkg_quality = bjd.bd_psnr(ref[0], ref[1], test[0], test[1], **kw)
            print(f"  bjontegaard package: bdRate {float(pkg_rate)!r} bdQuality {float(pkg_quality)!r}")
            assert abs(pkg_rate - rate) < 1e-9 and abs(pkg_quality - quality) < 1e-12


if __name__ == "__main__":
    main()
