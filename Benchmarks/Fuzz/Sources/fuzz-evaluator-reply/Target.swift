import FeatureData
import Foundation
import FuzzSupport
@testable import Inference

// One reply line of an external evaluator (`mipareto-evaluator/1`, docs/evaluator.md) to the
// `score` requests outstanding, as `EvaluatorSession` checks it. The first byte chooses whether
// `ready` said measuresRate (bit 0); the rest, up to a newline, is the line.
let tasks = ["left", "right", "sum_ge_10", "recon"]
let channels = 32
// Requests 3, 4 and 5 are outstanding: 1, 2 and 3 allocations.
let batches: [[[Int]]] = (1...3).map { n in (0..<n).map { k in [Int](repeating: k, count: channels) } }
let outstanding = [3: 0, 4: 1, 5: 2]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvaluatorReply(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let first = data.first else { return 0 }
    let line = Array(data.dropFirst().prefix { $0 != 10 })
    let measuresRate = first & 1 == 1
    guard let (id, results) = try? EvaluatorSession.parseReply(line, command: "fuzz", tasks: tasks, measuresRate: measuresRate,
                                                               outstanding: outstanding, batches: batches, split: .search) else { return 0 }
    Fuzz.require(outstanding[id] != nil, "a reply to request \(id), which is not outstanding")
    Fuzz.require(results.count == batches[outstanding[id]!].count, "\(results.count) results for request \(id)")
    for r in results {
        Fuzz.require(r.metrics.count == tasks.count && r.metrics.allSatisfy(\.isFinite), "metrics \(r.metrics)")
        Fuzz.require((r.codedBitsPerSample != nil) == measuresRate, "bitsPerSample \(String(describing: r.codedBitsPerSample))")
        if let b = r.codedBitsPerSample { Fuzz.require(b.isFinite && b >= 0, "bitsPerSample \(b)") }
    }
    return 0
}
