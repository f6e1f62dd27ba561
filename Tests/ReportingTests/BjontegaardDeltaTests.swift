import Foundation
import Testing
@testable import Reporting

/// Expected BD values come from `bd_rate_reference.py` beside this file: SciPy 1.17.1's
/// `PchipInterpolator` (NumPy 2.4.6) on log10-rates, and the `bjontegaard` package 1.3.0
/// (`method="pchip"`), which agreed with it to every printed digit. The curves are the script's
/// `CASES`; the script applies the documented envelope rule in its own code.
@Suite struct BjontegaardDeltaTests {
    struct Case {
        let reference: (rates: [Double], qualities: [Double])
        let test: (rates: [Double], qualities: [Double])
        let bdRate: Double
        let bdQuality: Double
    }

    static let psnr = Case(
        reference: ([0.1, 0.2, 0.4, 0.8, 1.6], [30.0, 33.2, 36.1, 38.6, 40.5]),
        test: ([0.08, 0.17, 0.33, 0.7, 1.5], [29.5, 33.0, 36.3, 38.9, 41.0]),
        bdRate: -16.752131868354148, bdQuality: 0.716513514476123)
    /// 7 against 5 points, partial overlap; the test curve's first end slope is SciPy's "set to 0" case.
    static let accuracy = Case(
        reference: ([1, 2, 3, 4, 5, 6, 8], [0.31, 0.72, 0.90, 0.955, 0.97, 0.975, 0.978]),
        test: ([0.5, 0.9, 1.6, 2.4, 3.5], [0.42, 0.80, 0.93, 0.962, 0.976]),
        bdRate: -60.08813349676534, bdQuality: 0.2638153037401543)
    /// As a front gives them: a zero rate, repeats, dominated points, a NaN rate, unsorted.
    static let rawFront = Case(
        reference: ([0, 0.25, 0.5, 0.5, 1.0, 1.0, 1.5, 2.0, 2.0, 3.0, 4.0],
                    [0.1, 0.35, 0.52, 0.60, 0.74, 0.74, 0.71, 0.86, 0.86, 0.93, 0.93]),
        test: ([0.3, 0.2, 0.6, 0.45, .nan, 1.2, 2.5, 2.2, 3.5],
               [0.50, 0.41, 0.70, 0.72, 0.9, 0.88, 0.955, 0.94, 0.95]),
        bdRate: -37.60008225538696, bdQuality: 0.10803986016095057)
    static let twoPoints = Case(
        reference: ([1, 4], [30, 36]), test: ([0.5, 3], [28, 37]),
        bdRate: -32.35335551911655, bdQuality: 1.8633938814737043)

    static func curves(_ c: Case) throws -> (reference: RateQualityCurve, test: RateQualityCurve) {
        (try #require(RateQualityCurve(rates: c.reference.rates, qualities: c.reference.qualities)),
         try #require(RateQualityCurve(rates: c.test.rates, qualities: c.test.qualities)))
    }

    @Test(arguments: [("psnr", psnr), ("accuracy", accuracy), ("raw-front", rawFront), ("two-points", twoPoints)])
    func matchesSciPy(name: String, c: Case) throws {
        let (reference, test) = try Self.curves(c)
        let rate = try #require(BjontegaardDelta.rate(of: test, against: reference))
        let quality = try #require(BjontegaardDelta.quality(of: test, against: reference))
        // The Swift and SciPy sums differ in rounding order only.
        #expect(abs(rate - c.bdRate) < 1e-10, "\(name): BD-rate \(rate) vs \(c.bdRate)")
        #expect(abs(quality - c.bdQuality) < 1e-10 * max(1, abs(c.bdQuality)), "\(name): BD-quality \(quality) vs \(c.bdQuality)")
    }

    /// The envelope of the raw front, as the script prints it.
    @Test func rawFrontEnvelope() throws {
        let (reference, test) = try Self.curves(Self.rawFront)
        #expect(reference.rates == [0.25, 0.5, 1.0, 2.0, 3.0])
        #expect(reference.qualities == [0.35, 0.6, 0.74, 0.86, 0.93])
        #expect(test.rates == [0.2, 0.3, 0.45, 1.2, 2.2, 2.5])
        #expect(test.qualities == [0.41, 0.5, 0.72, 0.88, 0.94, 0.955])
    }

    /// Every rate × 0.8 at the same qualities: ln r shifts by ln 0.8 everywhere, so BD-rate is −20 %.
    @Test func constantRateFactorGivesThatFactor() throws {
        let c = Self.accuracy.reference
        let reference = try #require(RateQualityCurve(rates: c.rates, qualities: c.qualities))
        let test = try #require(RateQualityCurve(rates: c.rates.map { $0 * 0.8 }, qualities: c.qualities))
        let rate = try #require(BjontegaardDelta.rate(of: test, against: reference))
        #expect(abs(rate - -20) < 1e-12)
        let back = try #require(BjontegaardDelta.rate(of: reference, against: test))
        #expect(abs(back - 25) < 1e-12)
    }

    /// Quality linear in ln r (q = 10 + 3 ln r) is interpolated exactly; rates × 0.5 move the
    /// curve left by ln 2, so at equal rate the test is 3 ln 2 better.
    @Test func linearInLogRateGivesClosedFormQuality() throws {
        let rates = [0.25, 0.5, 1, 2, 4, 8]
        let reference = try #require(RateQualityCurve(rates: rates, qualities: rates.map { 10 + 3 * log($0) }))
        let test = try #require(RateQualityCurve(rates: rates.map { $0 / 2 }, qualities: rates.map { 10 + 3 * log($0) }))
        let quality = try #require(BjontegaardDelta.quality(of: test, against: reference))
        #expect(abs(quality - 3 * log(2.0)) < 1e-12)
        #expect(abs(try #require(BjontegaardDelta.rate(of: test, against: reference)) - -50) < 1e-12)
    }

    /// Two straight lines (by hand): ln r_ref = (q − 30)/6 · ln 4 and ln r_test = ln 0.5 + (q − 28)/9 · ln 6
    /// on q ∈ [30, 36]; both linear, so the mean difference is the one at q = 33:
    /// ln 0.5 + (5/9) ln 6 − ln 2, and BD-rate = 6^(5/9) / 4 − 1.
    @Test func twoStraightLinesByHand() throws {
        let (reference, test) = try Self.curves(Self.twoPoints)
        let rate = try #require(BjontegaardDelta.rate(of: test, against: reference))
        #expect(abs(rate - (pow(6, 5.0 / 9) / 4 - 1) * 100) < 1e-12)
    }

    /// Swapping the curves negates the mean log ratio: (1 + a)(1 + b) = 1; BD-quality changes sign.
    @Test(arguments: [psnr, accuracy, rawFront, twoPoints])
    func swappingCurvesInvertsTheDelta(c: Case) throws {
        let (reference, test) = try Self.curves(c)
        let forward = try #require(BjontegaardDelta.rate(of: test, against: reference))
        let backward = try #require(BjontegaardDelta.rate(of: reference, against: test))
        #expect(abs((1 + forward / 100) * (1 + backward / 100) - 1) < 1e-13)
        let q = try #require(BjontegaardDelta.quality(of: test, against: reference))
        #expect(try #require(BjontegaardDelta.quality(of: reference, against: test)) == -q)
    }

    @Test func curveAgainstItselfIsZero() throws {
        let (reference, _) = try Self.curves(Self.psnr)
        #expect(BjontegaardDelta.rate(of: reference, against: reference) == 0)
        #expect(BjontegaardDelta.quality(of: reference, against: reference) == 0)
    }

    /// A test curve that needs more bits everywhere is positive, fewer negative.
    @Test func signFollowsWhoNeedsFewerBits() throws {
        let (reference, _) = try Self.curves(Self.psnr)
        let cheaper = try #require(RateQualityCurve(rates: reference.rates.map { $0 * 0.9 }, qualities: reference.qualities))
        let dearer = try #require(RateQualityCurve(rates: reference.rates.map { $0 * 1.3 }, qualities: reference.qualities))
        #expect(try #require(BjontegaardDelta.rate(of: cheaper, against: reference)) < 0)
        #expect(try #require(BjontegaardDelta.rate(of: dearer, against: reference)) > 0)
        #expect(try #require(BjontegaardDelta.quality(of: cheaper, against: reference)) > 0)
        #expect(try #require(BjontegaardDelta.quality(of: dearer, against: reference)) < 0)
    }

    @Test func fewerThanTwoUsablePointsIsNoCurve() {
        #expect(RateQualityCurve(rates: [], qualities: []) == nil)
        #expect(RateQualityCurve(rates: [1], qualities: [0.9]) == nil)
        // Zero, negative, infinite and NaN rates and NaN qualities are dropped: one point is left.
        #expect(RateQualityCurve(rates: [0, -1, .infinity, .nan, 2, 3], qualities: [0.1, 0.2, 0.3, 0.4, 0.5, .nan]) == nil)
        // A repeated point is one point.
        #expect(RateQualityCurve(rates: [2, 2], qualities: [0.5, 0.5]) == nil)
        // A higher rate with a lower quality is dominated: one point is left.
        #expect(RateQualityCurve(rates: [1, 2], qualities: [0.9, 0.8]) == nil)
        // Equal qualities: the lowest rate is kept.
        #expect(RateQualityCurve(rates: [1, 2, 3], qualities: [0.5, 0.5, 0.5]) == nil)
    }

    /// Disjoint quality ranges, or ranges that touch at one quality: no overlap to average over.
    @Test func noOverlapIsNil() throws {
        let low = try #require(RateQualityCurve(rates: [1, 2], qualities: [0.1, 0.2]))
        let high = try #require(RateQualityCurve(rates: [3, 4], qualities: [0.3, 0.4]))
        let touching = try #require(RateQualityCurve(rates: [3, 4], qualities: [0.2, 0.4]))
        #expect(BjontegaardDelta.rate(of: high, against: low) == nil)
        #expect(BjontegaardDelta.rate(of: touching, against: low) == nil)
        // Their log-rate ranges [ln 1, ln 2] and [ln 3, ln 4] do not meet either.
        #expect(BjontegaardDelta.quality(of: high, against: low) == nil)
    }

    /// Rates 10^±300 apart: the ratio overflows a Double, so there is no finite percentage.
    @Test func overflowingRatioIsNil() throws {
        let tiny = try #require(RateQualityCurve(rates: [1e-300, 2e-300], qualities: [0.1, 0.2]))
        let huge = try #require(RateQualityCurve(rates: [1e300, 2e300], qualities: [0.1, 0.2]))
        #expect(BjontegaardDelta.rate(of: huge, against: tiny) == nil)
        #expect(try #require(BjontegaardDelta.rate(of: tiny, against: huge)) == -100)
    }
}
