import Basics
import BenchmarkProblems
import Foundation
import Testing
@testable import MultiObjective

/// Corrupt checkpoints, one field at a time: each must be refused with a `CheckpointError` whose
/// reason starts with the field — never a crash, never a resumed run.
@Suite struct CheckpointValidationTests {
    typealias JSON = [String: Any]

    /// A checkpoint of `problem` after a few generations, as a JSON object to mutate.
    func checkpointObject(_ problem: any Problem, settings: AlgorithmSettings) throws -> JSON {
        let run = try GeneticAlgorithm(problem: problem, settings: settings, seed: 8)
        run.run(until: .generations(4))
        return try #require(try JSONSerialization.jsonObject(with: run.checkpoint().encoded()) as? JSON)
    }

    /// Decodes and resumes `object`; returns the error's reason (nil: accepted).
    func rejection(_ object: JSON, _ problem: any Problem) -> String? {
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            let resumed = try GeneticAlgorithm(resuming: try AlgorithmCheckpoint.decode(data), problem: problem)
            resumed.step()
            return nil
        } catch let e as CheckpointError {
            return e.reason
        } catch {
            return "not a CheckpointError: \(error)"
        }
    }

    func mutated(_ object: JSON, _ path: [String], _ change: (Any) -> Any) -> JSON {
        guard let key = path.first else { return change(object) as! JSON }
        var copy = object
        copy[key] = path.count == 1 ? change(object[key] as Any) : mutated(object[key] as! JSON, Array(path.dropFirst()), change)
        return copy
    }

    func replacing(_ index: Int, with value: Any) -> (Any) -> Any {
        { array in var a = array as! [Any]; a[index] = value; return a }
    }

    func expectRejected(_ object: JSON, _ problem: any Problem, field: String, _ label: String) {
        let reason = rejection(object, problem)
        #expect(reason?.hasPrefix(field) == true, "\(label): \(reason ?? "accepted")")
    }

    @Test func untouchedCheckpointsAreAccepted() throws {
        let zdt = try TestProblems.make("zdt1", variables: 6)
        var settings = AlgorithmSettings(populationSize: 8)
        settings.keepsArchive = true
        #expect(rejection(try checkpointObject(zdt, settings: settings), zdt) == nil)
        #expect(rejection(try checkpointObject(BitsProblem(), settings: .integer(populationSize: 8)), BitsProblem()) == nil)
        #expect(rejection(try checkpointObject(SegmentProblem(), settings: AlgorithmSettings(populationSize: 8)), SegmentProblem()) == nil)
        let dtlz = try TestProblems.make("dtlz2")
        #expect(rejection(try checkpointObject(dtlz, settings: .nsga3(populationSize: 12)), dtlz) == nil)
    }

    @Test func populationFieldsAreChecked() throws {
        let zdt = try TestProblems.make("zdt1", variables: 6)
        var settings = AlgorithmSettings(populationSize: 8)
        settings.keepsArchive = true
        let base = try checkpointObject(zdt, settings: settings)
        let population = ["state", "population"]
        let cases: [(String, JSON)] = [
            ("state.population.x[2]", mutated(base, population + ["x"], replacing(13, with: 1e9))),
            ("state.population.x[0]", mutated(base, population + ["x"], replacing(0, with: -0.5))),
            ("state.population.f[1][0]", mutated(base, population + ["f"], replacing(2, with: "nan"))),
            ("state.population.f[3][1]", mutated(base, population + ["f"], replacing(7, with: "inf"))),
            ("state.population.rank[5]", mutated(base, population + ["rank"], replacing(5, with: -1))),
            ("state.population.crowding[4]", mutated(base, population + ["crowding"], replacing(4, with: -1))),
            ("state.population.crowding[4]", mutated(base, population + ["crowding"], replacing(4, with: "nan"))),
            ("state.population.count", mutated(base, population + ["count"]) { _ in 6 }),
            ("state.population.x", mutated(base, population + ["x"]) { x in Array((x as! [Any]).dropLast()) }),
            ("state.population.objectiveCount", mutated(base, population + ["objectiveCount"]) { _ in 0 }),
            ("state.population", mutated(base, population + ["variableCount"]) { _ in 3 }),
            ("state.generation", mutated(base, ["state", "generation"]) { _ in 0 }),
            ("state.evaluations", mutated(base, ["state", "evaluations"]) { _ in 1_000_000 }),
            ("state.evaluations", mutated(base, ["state", "evaluations"]) { _ in 7 }),
            ("settings", mutated(base, ["settings", "populationSize"]) { _ in 7 }),
            ("settings", mutated(base, ["settings", "crossover", "parameters", "probability"]) { _ in 2 }),
            ("settings", mutated(base, ["settings", "mutation", "parameters", "eta"]) { _ in -3 }),
            ("state.archive", mutated(base, ["state"]) { s in var s = s as! JSON; s["archive"] = nil; return s }),
            ("state.archive", mutated(base, ["state", "archive", "f"], replacing(0, with: 5))),
            ("state.archive", mutated(base, ["state", "archive", "x"], replacing(0, with: 7))),
        ]
        for (field, object) in cases { expectRejected(object, zdt, field: field, field) }
        // A rank that is non-negative but wrong: swap the ranks of a front-0 and a later member.
        let ranks = ((base["state"] as! JSON)["population"] as! JSON)["rank"] as! [Int]
        if let a = ranks.firstIndex(of: 0), let b = ranks.firstIndex(where: { $0 > 0 }) {
            var swapped = ranks
            swapped.swapAt(a, b)
            expectRejected(mutated(base, population + ["rank"]) { _ in swapped }, zdt, field: "state.population.rank[\(min(a, b))]", "swapped ranks")
        }
        // An archive emptied of points the population still holds (every evaluated point enters it).
        let emptied = mutated(base, ["state", "archive"]) { a in
            var a = a as! JSON; a["count"] = 0; a["x"] = [Double](); a["f"] = [Double](); return a
        }
        expectRejected(emptied, zdt, field: "state.archive", "emptied archive")
    }

    @Test func integerConstraintAndMemoryFieldsAreChecked() throws {
        let bits = BitsProblem()
        let integer = try checkpointObject(bits, settings: .integer(populationSize: 8))
        expectRejected(mutated(integer, ["state", "population", "x"], replacing(3, with: 2.5)), bits,
                       field: "state.population.x[0]", "fractional integer variable")
        expectRejected(mutated(integer, ["state", "population", "x"], replacing(3, with: 9)), bits,
                       field: "state.population.x[0]", "integer variable above its bound")

        let segment = SegmentProblem()
        let constrained = try checkpointObject(segment, settings: AlgorithmSettings(populationSize: 8))
        expectRejected(mutated(constrained, ["state", "population", "violation"], replacing(0, with: 0.25)), segment,
                       field: "state.population.violation[0]", "violation not matching g")
        expectRejected(mutated(constrained, ["state", "population", "g"], replacing(1, with: "nan")), segment,
                       field: "state.population.g[1][0]", "NaN constraint")

        let dtlz = try TestProblems.make("dtlz2")
        let nsga3 = try checkpointObject(dtlz, settings: .nsga3(populationSize: 12))
        expectRejected(mutated(nsga3, ["state", "survivalMemory"]) { m in Array((m as! [Any]).dropLast()) }, dtlz,
                       field: "state.survivalMemory", "short memory")
        expectRejected(mutated(nsga3, ["state", "survivalMemory"], replacing(0, with: "inf")), dtlz,
                       field: "state.survivalMemory", "infinite ideal")
        expectRejected(mutated(nsga3, ["settings", "survival", "parameters"]) { _ in ["directions": [[1.0, 0.0]], "sortMethod": "automatic"] },
                       dtlz, field: "settings.survival", "directions of the wrong width")
        expectRejected(mutated(nsga3, ["settings", "selection", "kind"]) { _ in "roulette" }, dtlz,
                       field: "not a valid checkpoint", "unknown part kind")
        expectRejected(mutated(nsga3, ["state", "random", "state"]) { _ in [0, 0, 0, 0] }, dtlz,
                       field: "not a valid checkpoint", "all-zero generator state")
        expectRejected(mutated(nsga3, ["version"]) { _ in 3 }, dtlz, field: "version", "future version")
        expectRejected(mutated(nsga3, ["format"]) { _ in "something-else" }, dtlz, field: "format", "other format")
        expectRejected(nsga3, try TestProblems.make("dtlz2", objectives: 4), field: "problem", "other problem")
    }

    /// 400 random single-number mutations of a real checkpoint's text (the field and the value
    /// drawn at random): every one is refused with a CheckpointError or resumes and runs a
    /// generation; nothing crashes. (Some mutations are legitimate — a crowding distance, a
    /// generator word — so acceptance is not an error by itself.)
    @Test func randomMutationsNeverCrash() throws {
        let zdt = try TestProblems.make("zdt1", variables: 6)
        var settings = AlgorithmSettings(populationSize: 8)
        settings.keepsArchive = true
        let run = try GeneticAlgorithm(problem: zdt, settings: settings, seed: 8)
        run.run(until: .generations(4))
        let text = String(decoding: try run.checkpoint().encoded(), as: UTF8.self)
        let numbers = try Regex(#"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"#)
        let spans = text.matches(of: numbers).map(\.range)
        let values = ["-1", "0", "1e9", "-1e308", "1e308", "2.5", "\"nan\"", "\"inf\"", "4294967296", "-0", "9223372036854775807", "0.5"]
        var random = SeededRandom(seed: 77)
        var refused = 0, accepted = 0
        for _ in 0..<400 {
            let span = spans[random.nextInt(below: spans.count)]
            let mutatedText = text.replacingCharacters(in: span, with: values[random.nextInt(below: values.count)])
            do {
                let resumed = try GeneticAlgorithm(resuming: try AlgorithmCheckpoint.decode(Data(mutatedText.utf8)), problem: zdt)
                resumed.step()
                accepted += 1
            } catch is CheckpointError {
                refused += 1
            }
        }
        print("random checkpoint mutations: \(refused) refused, \(accepted) accepted")
        #expect(refused + accepted == 400)
    }
}
