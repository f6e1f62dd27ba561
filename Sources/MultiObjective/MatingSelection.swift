import Basics
import Foundation

/// Chooses the parents of the next offspring (pymoo's `Selection`): `count` indices into the
/// population, taken in consecutive pairs as mates.
public protocol MatingSelection: AlgorithmPart {
    /// Writes `count` chosen indices into `population` to `winners` (replacing its contents).
    func select(_ population: Population, count: Int, random: inout SeededRandom, into winners: inout [Int])
}

/// Tournament competitors as pymoo draws them (`random_permutations`, concatenated): consecutive
/// entries of random permutations of the population, a fresh permutation whenever one runs out, so
/// every individual competes about equally often.
struct CompetitorStream {
    private var permutation: [Int]
    private var cursor: Int

    init(populationSize: Int) {
        permutation = Array(0..<populationSize)
        cursor = populationSize
    }

    @inline(__always)
    mutating func next(_ random: inout SeededRandom) -> Int {
        if cursor == permutation.count {
            for i in permutation.indices { permutation[i] = i }
            random.shuffle(&permutation)
            cursor = 0
        }
        defer { cursor += 1 }
        return permutation[cursor]
    }
}
