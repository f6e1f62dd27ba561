@testable import Basics
import Testing

/// Expected coefficients from SciPy 1.17.1 (NumPy 2.4.6), `scipy.stats.spearmanr(x, y).statistic`
/// with its defaults, printed by `spearman_reference.py` beside this file (its `CASES`).
@Suite struct SpearmanCorrelationTests {
    static let cases: [(String, [Double], [Double], Double)] = [
        ("distinct", [0.12, 0.95, 0.33, 0.48, 0.71, 0.05, 0.86, 0.27, 0.59, 0.64],
         [1.3, 7.9, 2.2, 5.1, 4.4, 0.7, 9.6, 3.8, 6.0, 4.9], 0.8666666666666665),
        ("ties-in-x", [1, 2, 2, 3, 3, 3, 4, 5], [0.2, 0.1, 0.5, 0.4, 0.9, 0.3, 0.8, 0.7], 0.6628886317893191),
        ("ties-in-both", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4], 0.1384567651467695),
        ("ties-negative", [1, 2, 3, 4, 5, 6], [9, 9, 7, 5, 5, 1], -0.9710083124552245),
        ("objective-vs-loss", [0.41, 0.37, 0.52, 0.37, 0.66, 0.29, 0.58, 0.45, 0.33, 0.71, 0.49, 0.61],
         [0.062, 0.071, 0.090, 0.055, 0.120, 0.048, 0.097, 0.081, 0.050, 0.131, 0.081, 0.102], 0.9859649122807018),
        ("with-infinity", [1, .infinity, 3, -.infinity, 2], [0.5, 0.9, 0.7, 0.1, 0.8], 0.8999999999999998),
        ("two-pairs-reversed", [1, 2], [5, 3], -0.9999999999999999),
    ]

    @Test(arguments: cases)
    func matchesSciPy(name: String, x: [Double], y: [Double], expected: Double) throws {
        let r = try #require(SpearmanCorrelation(x, y))
        #expect(abs(r.coefficient - expected) < 1e-14, "\(name): \(r.coefficient) vs \(expected)")
        #expect(r.count == x.count)
    }

    /// Distinct values (by hand): the "distinct" case's rank differences square to Σd² = 22, so
    /// ρ = 1 − 6·22 / (10·99) = 13/15.
    @Test func distinctValuesMatchTheClassicFormula() throws {
        let (_, x, y, _) = Self.cases[0]
        #expect(abs(try #require(SpearmanCorrelation(x, y)).coefficient - 13.0 / 15) < 1e-15)
    }

    /// Only order matters: any increasing map of either sample leaves ρ unchanged; a decreasing
    /// one negates it.
    @Test func invariantUnderMonotoneMaps() throws {
        let (_, x, y, _) = Self.cases[2]
        let r = try #require(SpearmanCorrelation(x, y)).coefficient
        #expect(try #require(SpearmanCorrelation(x.map { $0 * $0 * $0 + 7 }, y)).coefficient == r)
        #expect(try #require(SpearmanCorrelation(x, y.map { -$0 })).coefficient == -r)
    }

    @Test func perfectOrderGivesOne() throws {
        #expect(try #require(SpearmanCorrelation([1, 5, 2, 8], [10, 50, 20, 80])).coefficient == 1)
    }

    /// SciPy answers NaN (with a warning) for these; the coefficient is undefined.
    @Test func undefinedCasesAreNil() {
        #expect(SpearmanCorrelation([1, 2, 3], [4, 4, 4]) == nil)
        #expect(SpearmanCorrelation([7, 7], [1, 2]) == nil)
        #expect(SpearmanCorrelation([1], [2]) == nil)
        #expect(SpearmanCorrelation([], []) == nil)
        #expect(SpearmanCorrelation([1, .nan, 3], [1, 2, 3]) == nil)
    }
}
