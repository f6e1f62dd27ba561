import Allocation
import Foundation
import FuzzSupport

// PROBLEM.json (`mipareto solve`): parsed and validated as the command does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProblem(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let problem = try? AllocationProblem(json: data) else { return 0 }
    Fuzz.require(problem.sizes.count == problem.costs.count, "a problem of \(problem.sizes.count) sizes and \(problem.costs.count) cost rows")
    return 0
}
