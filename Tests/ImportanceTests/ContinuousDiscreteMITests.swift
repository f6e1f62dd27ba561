import Basics
import Foundation
import MultiObjective
import Testing
@testable import Importance

@Suite("Ross continuous–discrete k-NN MI")
struct ContinuousDiscreteMITests {
    // Expected values: scikit-learn 1.9.1 `mutual_info_classif(X, y, n_neighbors=k, random_state=s)`
    // on the Formula arrays (rebuilt in numpy: i = arange(1500), y = (7i) % 5, x1 = sin(1.3i) + 0.4y,
    // x2 = cos((0.37 i²) mod 97), x3 = max(0, sin(2.1i) + 0.3y − 0.5)), s = 0…49: mean and sd over s.
    // x1 has no ties, so sklearn's value does not depend on its noise (sd 1e-15).
    @Test("agrees with scikit-learn on a tie-free feature", arguments: [(3, 0.799393039), (5, 0.8243438977)])
    func tieFree(k: Int, expected: Double) throws {
        let mi = try ContinuousDiscreteMI.estimate(Formula.x1, labels: Formula.classes, neighbours: k)
        #expect(abs(mi.nats - expected) < 1e-6, "ours \(mi.nats), sklearn \(expected)")
    }

    @Test("agrees with scikit-learn within its noise spread on tied features",
          arguments: [(3, 1, 0.1450825011, 1.0791708424e-03), (5, 1, 0.1529195885, 4.2477286710e-04),
                      (3, 2, 0.2279767493, 1.1901486380e-02), (5, 2, 0.222159847, 8.3646628600e-03)])
    func tied(k: Int, feature: Int, sklearnMean: Double, sklearnSD: Double) throws {
        let x = feature == 1 ? Formula.x2 : Formula.x3
        // Several of our seeds: their mean must sit within sklearn's spread (4 sd of one draw).
        let ours = try (0..<10).map { try ContinuousDiscreteMI.estimate(x, labels: Formula.classes, neighbours: k, seed: UInt64($0)).nats }
        let mean = ours.reduce(0, +) / Double(ours.count)
        #expect(abs(mean - sklearnMean) < 4 * sklearnSD, "ours \(mean) vs sklearn \(sklearnMean) ± \(sklearnSD)")
    }

    // sklearn: mutual_info_classif(x1, y2, n_neighbors=3, random_state=0) where y2 = y with y2[10] = 9,
    // a class with one sample, which sklearn leaves out of the estimate.
    @Test func singletonClassIsLeftOut() throws {
        var labels = Formula.classes
        labels[10] = 9
        let mi = try ContinuousDiscreteMI.estimate(Formula.x1, labels: labels, neighbours: 3)
        #expect(abs(mi.nats - 0.8000755905592958) < 1e-6, "ours \(mi.nats)")
    }

    /// Class-conditional Gaussians, true MI by quadrature (independent of the estimator).
    /// The bars are scikit-learn's own errors on data of this kind (mi_peers.md section A, MAE
    /// over features: 0.0120 at N = 2000, 0.0069 at N = 10000).
    @Test("class-conditional Gaussians vs quadrature", arguments: [(2000, 0.0120), (10000, 0.0069)])
    func gaussianMixture(n: Int, sklearnMAE: Double) throws {
        let cases: [[Double]] = [[0, 0.3, -0.2], [-1, 0, 1.5], [0, 2, 4, -1.5], [0.0, 0.05]]
        var errors: [Double] = []
        for (ci, means) in cases.enumerated() {
            let truth = quadratureMI(means: means)
            for seed in 1...5 {
                var random = SeededRandom(seed: UInt64(100 * ci + seed))
                let y = (0..<n).map { _ in random.nextInt(below: means.count) }
                let x = y.map { means[$0] + random.nextNormal() }
                let mi = try ContinuousDiscreteMI.estimate(x, labels: y, seed: UInt64(seed))
                errors.append(mi.nats - truth)
            }
        }
        let mae = errors.map(abs).reduce(0, +) / Double(errors.count)
        print("Ross vs quadrature N=\(n): MAE \(mae) (sklearn \(sklearnMAE)), max \(errors.map(abs).max()!)")
        #expect(mae <= sklearnMAE)
    }

    @Test func independentIsNearZero() throws {
        var random = SeededRandom(seed: 7)
        let x = normals(10000, &random)
        let y = (0..<10000).map { _ in random.nextInt(below: 10) }
        let mi = try ContinuousDiscreteMI.estimate(x, labels: y)
        // sklearn's mean estimate on true-zero features at N=10000: 0.0029 (mi_peers.md, A).
        #expect(abs(mi.raw) < 0.01, "raw \(mi.raw)")
    }

    /// Post-ReLU feature: X = max(0, Z), Z | Y=c ~ N(μ_c, 1); a fifth or more exact zeros.
    /// The true MI of this mixed discrete–continuous variable is computed by quadrature.
    @Test("many exact zeros (post-ReLU) vs quadrature", arguments: [[-1.0, 0.0, 1.0], [-0.5, 0.5, 1.0, 2.0]])
    func manyZeros(means: [Double]) throws {
        let truth = quadratureMI(means: means, relu: true)
        var errors: [Double] = []
        var zeroShare = 0.0
        for seed in 1...5 {
            var random = SeededRandom(seed: UInt64(seed))
            let y = (0..<5000).map { _ in random.nextInt(below: means.count) }
            let x = y.map { max(0, means[$0] + random.nextNormal()) }
            zeroShare = Double(x.filter { $0 == 0 }.count) / Double(x.count)
            errors.append(try ContinuousDiscreteMI.estimate(x, labels: y, seed: UInt64(seed)).nats - truth)
        }
        let mae = errors.map(abs).reduce(0, +) / Double(errors.count)
        print("many zeros (\(zeroShare) zeros): truth \(truth), MAE \(mae)")
        #expect(zeroShare >= 0.2)
        // Without tie handling the estimate collapses (issue 4: MAE 0.34 nats); with it, errors are
        // of the size of the continuous case at N = 5000 (sklearn MAE between 0.0120 and 0.0069).
        #expect(mae < 0.012)
    }

    /// The sorted O(N log N) search against the brute-force max-norm search of the multivariate
    /// estimator on the same prepared data (1-D): identical counts, so identical estimates.
    @Test func sortedSearchMatchesBruteForce() throws {
        var random = SeededRandom(seed: 3)
        let n = 800
        let y = (0..<n).map { _ in random.nextInt(below: 4) }
        var x = y.map { Double($0) * 0.5 + random.nextNormal() }
        for i in stride(from: 0, to: n, by: 3) { x[i] = 0 }  // ties before noise
        var noise = SeededRandom(seed: 1)
        x.withUnsafeMutableBufferPointer { TieBreaking.prepare($0, random: &noise) }
        let labels = DiscreteLabels(y)
        for k in [1, 3, 7] {
            let sorted = try ContinuousDiscreteMI.estimate(sorted: SortedColumn(x), labels: labels, neighbours: k, digamma: DigammaTable(limit: n + 1))
            var row = [Double](repeating: 0, count: n)
            let brute = MultivariateDiscreteMI.estimate(
                points: MaxNormPoints(rowMajor: x, dimensions: 1), targets: [ClassIndex(labels, neighbours: k)],
                digamma: DigammaTable(limit: n + 1), row: &row)
            #expect(abs(sorted - brute[0]) < 1e-12, "k=\(k): sorted \(sorted), brute \(brute[0])")
        }
    }

    @Test func pooledMatchesSingleCallsAndShape() throws {
        var random = SeededRandom(seed: 11)
        let n = 1000, f = 6
        let y1 = (0..<n).map { _ in random.nextInt(below: 3) }
        let y2 = (0..<n).map { _ in random.nextInt(below: 2) }
        var values = [Double](repeating: 0, count: n * f)
        for s in 0..<n { for j in 0..<f { values[s * f + j] = Double(y1[s] * j) * 0.2 + random.nextNormal() } }
        let scores = try PooledMI.estimate(values: values, samples: n, features: f, targets: [DiscreteLabels(y1), DiscreteLabels(y2)], seed: 5)
        #expect(scores.count == 2 && scores[0].count == f)
        for j in 0..<f {
            let column = (0..<n).map { values[$0 * f + j] }
            let single = try ContinuousDiscreteMI.estimate(column, labels: y1, seed: 5, stream: UInt64(j))
            #expect(single.raw == scores[0][j].raw)
        }
    }

    @Test func badInput() throws {
        #expect(throws: ImportanceError.nonFiniteValue(feature: 1, sample: 2)) {
            try PooledMI.estimate(values: [0, 1, 2, 3, 4, .nan], samples: 3, features: 2, targets: [DiscreteLabels([0, 1, 0])])
        }
        #expect(throws: ImportanceError.invalidNeighbours(0)) {
            try PooledMI.estimate(values: [0, 1, 2], samples: 3, features: 1, targets: [DiscreteLabels([0, 1, 0])], neighbours: 0)
        }
    }

    /// A constant feature carries no information: after the tie-breaking noise it is pure noise,
    /// so the estimate is that of independent variables (sklearn's mean on true-zero features:
    /// 0.0077 at N = 2000, 0.0029 at N = 10000, mi_peers.md A) — and never NaN.
    @Test func constantFeatureGivesZero() throws {
        let n = 5000
        let y = (0..<n).map { $0 % 3 }
        let scores = try PooledMI.estimate(values: [Double](repeating: 2.5, count: n), samples: n, features: 1, targets: [DiscreteLabels(y)])
        #expect(scores[0][0].raw.isFinite && scores[0][0].nats < 0.01, "\(scores[0][0])")
    }
}

@Test func neighboursCheckRejectsSmallClasses() throws {
    #expect(throws: ImportanceError.neighboursTooLarge(neighbours: 3, smallestClass: 3)) {
        try DiscreteLabels([0, 0, 0, 1, 1, 1, 1]).validate(neighbours: 3)
    }
    #expect(throws: Never.self) { try DiscreteLabels([0, 0, 0, 0, 1, 1, 1, 1]).validate(neighbours: 3) }
}
