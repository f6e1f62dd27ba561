import Testing
@testable import Reporting

/// Expected values: `front_bd_rate_reference.py` beside this file (SciPy's `PchipInterpolator`
/// and its `integrate`, the envelope and the mean over seeds in the script's own code), on the
/// same points.
@Suite struct FrontBDRateTests {
    static func points(_ method: String, _ seed: Int, _ bpe: [Double], _ metrics: [[Double]]) -> [FrontPoint] {
        bpe.indices.map { i in
            FrontPoint(method: method, seed: seed, bpe: bpe[i], bitsPerSample: bpe[i] * 10, entropyBitsPerSample: 0,
                       metrics: [metrics[0][i], metrics[1][i]], nondominated: true, bits: [])
        }
    }

    static let front = FrontTable(taskNames: ["digit", "recon"], points:
        points("uniform", 1, [0, 1, 2, 4, 8], [[0.1, 0.5, 0.7, 0.85, 0.9], [10, 20, 25, 30, 33]])
        + points("ilp-a", 1, [0.5, 1, 2, 3, 6], [[0.45, 0.66, 0.8, 0.86, 0.9], [18, 23, 28, 31, 33]])
        + points("ilp-a", 2, [0.7, 1.5, 2.5, 5], [[0.5, 0.72, 0.84, 0.9], [19, 26, 30, 32.5]])
        + points("nsga2", 1, [1, 1.5, 2, 2, 3, 5], [[0.6, 0.55, 0.8, 0.75, 0.85, 0.88], [21, 27, 24, 26, 31, 32]])
        + points("single", 1, [2], [[0.8], [28]]))

    @Test func matchesSciPyPerTaskAndMethod() throws {
        let table = try #require(FrontBDRate.table(Self.front))
        #expect(table.methods == ["ilp-a", "nsga2", "single"])
        let expected: [[Double?]] = [[-34.59077230025927, -32.652928642760145, nil],
                                     [-33.384968039356096, -36.22855838028089, nil]]
        for t in 0..<2 {
            for k in 0..<3 {
                if let e = expected[t][k] {
                    let v = try #require(table.percent[t][k])
                    #expect(abs(v - e) < 1e-9, "task \(t) method \(table.methods[k]): \(v) vs \(e)")
                } else {
                    #expect(table.percent[t][k] == nil)
                }
            }
        }
    }

    @Test func againstItselfIsZeroAndMissingReferenceIsNil() throws {
        var same = Self.front
        same.points += Self.front.points.filter { $0.method == "uniform" }.map { var p = $0; p.method = "copy"; return p }
        let table = try #require(FrontBDRate.table(same))
        let k = try #require(table.methods.firstIndex(of: "copy"))
        #expect(abs(table.percent[0][k]!) < 1e-12 && abs(table.percent[1][k]!) < 1e-12)
        #expect(FrontBDRate.table(Self.front, reference: "nothing") == nil)
    }

    @Test func jsonIsTaskThenMethod() throws {
        let table = try #require(FrontBDRate.table(Self.front))
        let text = FrontBDRate.json(table).rendered(pretty: false)
        #expect(text.hasPrefix("{\"digit\":{\"ilp-a\":-34.59077230025"))
        #expect(text.contains("\"single\":null"))
    }
}
