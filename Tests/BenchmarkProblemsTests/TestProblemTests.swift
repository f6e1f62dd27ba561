@testable import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

@Suite struct TestProblemTests {
    /// Objective values at x = lower + (upper − lower)·t^1.3, t = linspace(0.05, 0.95, n), computed
    /// with pymoo 0.6.2 (`get_problem(name, n_var, n_obj).evaluate(x)`) in the peers venv.
    static let pymooValues: [(String, [Double])] = [
        ("zdt1", [0.02035452657684522, 4.683088038985073]),
        ("zdt2", [0.02035452657684522, 5.00209284687537]),
        ("zdt3", [0.02035452657684522, 4.670941286706992]),
        ("zdt4", [0.02035452657684522, 152.03564074180312]),
        ("zdt6", [0.9974639015619314, 8.375523681764212]),
        ("dtlz1", [0.9034024866783172, 6.417123510840985, 352.3304818449791]),
        ("dtlz2", [1.6514144845973988, 0.1869775409995497, 0.05315584107918243]),
        ("dtlz3", [1426.2003246772676, 161.47819470405472, 45.906632473376476]),
        ("dtlz4", [1.6628156675402015, 1.0321794419276779e-114, 1.9189539310716104e-169]),
        ("dtlz5", [1.4445343644039847, 0.8218581817030883, 0.05315584107918243]),
        ("dtlz6", [10.052096565521264, 1.8142441172199275, 0.32669783866077295]),
        ("dtlz7", [0.02035452657684522, 0.04551556221989916, 18.628847579252817]),
    ]

    @Test func objectivesMatchPymoo() throws {
        for (name, expected) in TestProblemTests.pymooValues {
            let problem = try TestProblems.make(name)
            let space = problem.variables
            let t = linspace(0.05, 0.95, space.count)
            let x = (0..<space.count).map { space.lower[$0] + (space.upper[$0] - space.lower[$0]) * pow(t[$0], 1.3) }
            let f = problem.evaluate(x).objectives
            for j in 0..<expected.count {
                #expect(abs(f[j] - expected[j]) <= 1e-12 * max(1, abs(expected[j])), "\(name) f\(j + 1): \(f[j]) vs \(expected[j])")
            }
        }
    }

    /// Default sizes of DESIGN.md.
    @Test func defaultSizes() throws {
        let sizes = try TestProblems.names.map { try TestProblems.make($0).variables.count }
        #expect(sizes == [30, 30, 30, 10, 10, 7, 12, 12, 12, 12, 12, 22])
        #expect(try TestProblems.make("dtlz2").objectiveCount == 3)
    }

    /// True fronts lie on the analytic surfaces: DTLZ1 Σf = 0.5, DTLZ2 Σf² = 1 (1 035 points,
    /// as the peers' 44-partition lattice), ZDT fronts non-dominated.
    @Test func trueFrontsAreOnTheirSurfaces() throws {
        let d1 = try TestProblems.make("dtlz1").trueFront()
        #expect(d1.allSatisfy { abs($0.reduce(0, +) - 0.5) < 1e-12 })
        let d2 = try TestProblems.make("dtlz2").trueFront()
        #expect(d2.count == 1035)
        #expect(d2.allSatisfy { abs($0.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12 })
        for name in TestProblems.names {
            let front = try TestProblems.make(name).trueFront()
            #expect(front.count >= 900 && front.count <= 1100, "\(name): \(front.count) points")
            #expect(NonDominatedSorting.nonDominated(front).count == front.count, "\(name) front has dominated points")
        }
        #expect(try TestProblems.make("zdt1").referencePoint == [1.1, 1.1])
        #expect(try TestProblems.make("dtlz2").referencePoint == [1.1, 1.1, 1.1])
    }

    @Test func badInputThrows() {
        #expect(throws: ProblemError.self) { try VariableSpace(lower: [0, 2], upper: [1, 1]) }
        #expect(throws: ProblemError.self) { try TestProblems.make("zdt5") }
        #expect(throws: ProblemError.self) { try TestProblems.make("zdt1", objectives: 3) }
        #expect(throws: ProblemError.self) { try TestProblems.make("dtlz2", variables: 2, objectives: 3) }
    }

    /// Sizes out of range are refused at once, the message naming the parameter (`objectives`,
    /// `variables`), not a command-line flag; 62 objectives once took 7.6 GB.
    @Test func absurdSizesAreRefused() {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "accepted" } catch { return "\(error)" }
        }
        #expect(message { try TestProblems.make("dtlz2", objectives: 62) } == "objectives: dtlz2 takes 2…15 objectives (got 62)")
        #expect(message { try TestProblems.make("dtlz1", objectives: 1) }.hasPrefix("objectives: "))
        #expect(message { try TestProblems.make("zdt1", objectives: 3) } == "objectives: zdt1 has 2 objectives (got 3)")
        #expect(message { try TestProblems.make("zdt1", variables: 1_000_000) }.hasPrefix("variables: "))
        #expect(message { try TestProblems.make("dtlz2", variables: 2, objectives: 3) }.hasPrefix("variables: "))
        // The largest accepted size works, true front and all.
        let problem = try! TestProblems.make("dtlz2", objectives: 15)
        #expect(problem.trueFront().count >= 900 && problem.referencePoint.count == 15)
    }
}
