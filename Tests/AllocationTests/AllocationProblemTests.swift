import Allocation
import Foundation
import Testing

@Suite struct AllocationProblemTests {
    private func message(_ json: String) -> String? {
        do {
            _ = try AllocationProblem(json: Data(json.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    @Test func parsesAValidFile() throws {
        let problem = try AllocationProblem(json: Data("""
            {"maxRate": 10, "sizes": [1, 2], "costs": [[3, 2, 1], [5, 1, 0.5]],
             "constraints": [{"costs": [[1, 0, 0], [1, 1, 0]], "max": 1}]}
            """.utf8))
        #expect(problem.sizes == [1, 2] && problem.maxBits == 2 && problem.maxRate == 10)
        #expect(problem.constraints.count == 1 && problem.constraints[0].max == 1)
        #expect(problem.rate(of: [2, 1]) == 4 && problem.objective(of: [2, 1]) == 2)
    }

    @Test func rejectsBadInputWithClearMessages() {
        let cases: [(String, String)] = [
            ("{\"maxRate\": 1, \"sizes\": [1,", "not valid JSON"),
            ("[1, 2]", "top level"),
            ("{\"sizes\": [1], \"costs\": [[1, 0]]}", "maxRate"),
            ("{\"maxRate\": -1, \"sizes\": [1], \"costs\": [[1, 0]]}", "must not be negative"),
            ("{\"maxRate\": 4, \"sizes\": [1, -2], \"costs\": [[1, 0], [1, 0]]}", "sizes[1] = -2"),
            ("{\"maxRate\": 4, \"sizes\": [1, 0], \"costs\": [[1, 0], [1, 0]]}", "must be positive"),
            ("{\"maxRate\": 4, \"sizes\": [1.5], \"costs\": [[1, 0]]}", "whole numbers"),
            ("{\"maxRate\": 4, \"sizes\": [1, 1], \"costs\": [[1, 0], [1, 0, 0]]}", "costs[1] has 3 entries"),
            ("{\"maxRate\": 4, \"sizes\": [1, 1], \"costs\": [[1, 0]]}", "1 rows for 2 channels"),
            ("{\"maxRate\": 4, \"sizes\": [1], \"costs\": [[1, \"x\"]]}", "costs[0][1] must be a number"),
            ("{\"maxRate\": 4, \"sizes\": [1], \"costs\": [[1, 0]], \"extra\": 1}", "unknown key \"extra\""),
            ("{\"maxRate\": 4, \"sizes\": [1], \"costs\": [[1, 0]], \"constraints\": [{\"costs\": [[1]], \"max\": 1}]}",
             "constraints[0].costs[0] has 1 entries"),
            ("{\"maxRate\": 4, \"sizes\": [1], \"costs\": [[1, 0]], \"constraints\": [{\"costs\": [[1, 0]]}]}", "needs both"),
            ("{\"maxRate\": 4, \"sizes\": [], \"costs\": []}", "at least one channel"),
        ]
        for (json, expected) in cases {
            let text = message(json)
            #expect(text?.contains(expected) == true, "\(json) → \(text ?? "accepted")")
        }
    }

    @Test func rejectsNonFiniteValuesFromCode() {
        #expect(throws: AllocationInputError.self) {
            try AllocationProblem(sizes: [1], costs: [[.nan, 0]], maxRate: 1)
        }
        #expect(throws: AllocationInputError.self) {
            try AllocationProblem(sizes: [1], costs: [[1, .infinity]], maxRate: 1)
        }
        #expect(throws: AllocationInputError.self) {
            try AllocationProblem(sizes: [1], costs: [[1, 0]], maxRate: .infinity)
        }
        // 200 channels of 2^40 elements at up to 64 bits: rates beyond 2^53 are refused, not wrapped.
        #expect(throws: AllocationInputError.self) {
            try AllocationProblem(sizes: Array(repeating: 1 << 40, count: 200),
                                  costs: Array(repeating: Array(repeating: 0, count: 65), count: 200), maxRate: 1)
        }
    }
}
