@testable import Basics
import Testing

/// Expected statistics and p-values from SciPy 1.17.1, `scipy.stats.wilcoxon(a, b)` with its
/// defaults, run in the peers' venv.
@Suite struct WilcoxonTests {
    @Test func tenPairs() throws {
        let a = [0.81, 0.79, 0.83, 0.80, 0.82, 0.84, 0.78, 0.85, 0.80, 0.83]
        let b = [0.80, 0.785, 0.81, 0.805, 0.79, 0.82, 0.775, 0.83, 0.79, 0.82]
        let w = try #require(WilcoxonSignedRank(a, b))
        #expect(w.statistic == 2.0)
        #expect(abs(w.pValue - 0.0078125) < 1e-15)
    }

    /// Six pairs all in one direction: the smallest p-value six pairs can give, 2/64.
    @Test func allOneDirection() throws {
        let w = try #require(WilcoxonSignedRank([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]))
        #expect(w.statistic == 0)
        #expect(abs(w.pValue - 0.03125) < 1e-15)
        #expect(w.method == .exact)
    }

    /// Ties and a zero difference: SciPy switches to the sign-flip permutation distribution.
    @Test func tiesAndZerosUsePermutation() throws {
        let w = try #require(WilcoxonSignedRank([1, 2, 2, 3, -1, 4, 5, 0], [Double](repeating: 0, count: 8)))
        #expect(w.statistic == 1.5)
        #expect(abs(w.pValue - 0.046875) < 1e-15)
        #expect(w.method == .permutation)
    }

    @Test func balancedGivesOne() throws {
        let w = try #require(WilcoxonSignedRank([0.5, -1.5, 2.5, 3.5, -4.5], [0, 0, 0, 0, 0]))
        #expect(w.statistic == 7)
        #expect(w.pValue == 1)
    }

    /// Twenty pairs rounded to one decimal (ties): the normal approximation with the tie correction.
    @Test func asymptoticWithTies() throws {
        let a = [-1.0, -0.8, 0.0, 0.6, 2.0, -0.2, 0.8, 0.2, 1.8, 0.7, 1.4, -1.1, -0.2, -0.8, 1.5, 0.7, -0.3, -0.5, 0.5, -0.7]
        let b = [-0.6, 0.8, 2.8, 0.1, -0.3, -0.9, -1.0, 0.8, 1.2, 0.3, 0.6, 0.4, 0.4, -1.2, -0.2, 0.4, -0.5, -0.2, -0.5, -0.0]
        let w = try #require(WilcoxonSignedRank(a, b))
        #expect(w.method == .asymptotic)
        #expect(w.statistic == 89.5)
        #expect(abs(w.pValue - 0.5626508656896176) < 1e-12)
    }

    @Test func noDifferenceIsUndefined() {
        #expect(WilcoxonSignedRank([1, 2], [1, 2]) == nil)
    }
}
