import Basics
import Foundation
import Testing
@testable import MultiObjective

@Suite struct OperatorTests {
    /// The fast whole-index root against `pow` over 40 orders of magnitude.
    @Test func wholeRootMatchesPow() {
        var random = SeededRandom(seed: 1)
        for k in [1, 2, 16, 21, 31] {
            let root = WholeRoot(k)
            for _ in 0..<2000 {
                let x = pow(10, -20 + 40 * random.nextUnit())
                let expected = pow(x, 1 / Double(k))
                #expect(abs(root.root(x) - expected) <= 1e-12 * expected)
            }
        }
        #expect(WholeRoot(21).root(0) == 0)
        for k in [0, 1, 7, 16, 21, 40] { #expect(abs(integerPower(1.1, k) / pow(1.1, Double(k)) - 1) < 1e-14) }
    }

    /// SBX far from the bounds (α = 2): β_q < 1, i.e. the child lies between its parents, with
    /// probability exactly ½ (Deb & Agrawal's distribution). 20 000 draws: sd 0.0035, bound 0.02.
    /// Checked for the whole-number path (η = 20) and the general one (η = 20.5).
    @Test(arguments: [20.0, 20.5])
    func sbxChildBetweenParentsHalfTheTime(eta: Double) throws {
        let space = try VariableSpace(realCount: 1, lower: -1e6, upper: 1e6)
        let sbx = SimulatedBinaryCrossover(probability: 1, eta: eta, variableProbability: 1, exchangeProbability: 0)
        var random = SeededRandom(seed: 3)
        var inside = 0
        let draws = 20_000
        var a = [-1.0], b = [1.0], c1 = [0.0], c2 = [0.0]
        for _ in 0..<draws {
            a.withUnsafeMutableBufferPointer { pa in b.withUnsafeMutableBufferPointer { pb in
                c1.withUnsafeMutableBufferPointer { p1 in c2.withUnsafeMutableBufferPointer { p2 in
                    sbx.cross(pa.baseAddress!, pb.baseAddress!, into: p1.baseAddress!, p2.baseAddress!, space: space, random: &random)
                } } } }
            if c1[0] > -1 && c1[0] < 1 { inside += 1 }
            // The children are symmetric about the parents' midpoint.
            #expect(abs(c1[0] + c2[0]) < 1e-9)
        }
        #expect(abs(Double(inside) / Double(draws) - 0.5) < 0.02)
    }

    /// Prepared polynomial mutation mutates Binomial(n, 1/n) variables: mean 1 per call.
    /// 20 000 calls: sd of the mean ≈ 0.007, bound 0.04.
    @Test func preparedMutationChangesOneVariableOnAverage() throws {
        let n = 30
        let space = try VariableSpace(realCount: n, lower: 0, upper: 1)
        let pm = PolynomialMutation().prepared(for: space)
        var random = SeededRandom(seed: 5)
        var changed = 0
        let calls = 20_000
        var x = [Double](repeating: 0.5, count: n)
        for _ in 0..<calls {
            for i in 0..<n { x[i] = 0.5 }
            x.withUnsafeMutableBufferPointer { pm.mutate($0.baseAddress!, space: space, random: &random) }
            changed += x.filter { $0 != 0.5 }.count
            #expect(x.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        #expect(abs(Double(changed) / Double(calls) - 1) < 0.04)
    }
}
