import Basics
import Testing
@testable import MultiObjective

@Suite struct NonDominatedSortingTests {
    static let methods: [NonDominatedSortMethod] = [.automatic, .fastNonDominated, .efficientBinary]

    /// Every method against brute force, random sets with ties and duplicates, 2–5 objectives.
    @Test(arguments: [2, 3, 4, 5])
    func everyMethodMatchesBruteForceWithTies(dimension m: Int) {
        var random = SeededRandom(seed: UInt64(100 + m))
        for trial in 0..<40 {
            let count = 1 + random.nextInt(below: 120)
            let levels = 2 + trial % 6
            let points = randomTiedPoints(count: count, dimension: m, levels: levels, random: &random)
            let expected = bruteForceRanks(points)
            var methods = NonDominatedSortingTests.methods
            if m == 2 { methods.append(.sweep2D) }
            if m == 3 { methods.append(.sweep3D) }
            for method in methods {
                #expect(NonDominatedSorting.ranks(points, method: method) == expected, "method \(method), trial \(trial)")
            }
        }
    }

    @Test(arguments: [2, 3, 4])
    func everyMethodMatchesBruteForceOnContinuousPoints(dimension m: Int) {
        var random = SeededRandom(seed: UInt64(7 + m))
        for _ in 0..<10 {
            let points = randomUniformPoints(count: 300, dimension: m, random: &random)
            let expected = bruteForceRanks(points)
            for method in NonDominatedSortingTests.methods {
                #expect(NonDominatedSorting.ranks(points, method: method) == expected)
            }
        }
    }

    /// Hand example: (1,1) dominates all; (2,3) and (3,2) are incomparable; (3,3) is behind both;
    /// the duplicate of (2,3) shares its rank.
    @Test func handExample() {
        let points: [[Double]] = [[3, 3], [2, 3], [1, 1], [3, 2], [2, 3]]
        for method in NonDominatedSortingTests.methods + [.sweep2D] {
            #expect(NonDominatedSorting.ranks(points, method: method) == [2, 1, 0, 1, 1])
        }
    }

    /// pymoo-style crowding, by hand: front (0,4),(1,2),(2,1),(4,0); f1 range 4, f2 range 4.
    /// Point (1,2): (2−0)/4 + (4−1)/4 = 1.25, /M=2 → 0.625. Point (2,1): (4−1)/4 + (2−0)/4 → 0.625.
    @Test func crowdingDistanceByHand() {
        let d = CrowdingDistance.compute([[0, 4], [1, 2], [2, 1], [4, 0]])
        #expect(d[0] == .infinity && d[3] == .infinity)
        #expect(abs(d[1] - 0.625) < 1e-15 && abs(d[2] - 0.625) < 1e-15)
        #expect(CrowdingDistance.compute([[0, 1], [1, 0]]) == [.infinity, .infinity])
    }
}
