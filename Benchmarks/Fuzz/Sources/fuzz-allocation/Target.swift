import Experiments
import FeatureData
import Foundation
import FuzzSupport

// An allocation file (`evaluate --allocation FILE`), read against the example bundle's 32 channels.
let channels = 32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAllocation(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let bits = try? AllocationDocument.parse(data, path: "allocation.json", channels: channels) else { return 0 }
    Fuzz.require(bits.count == channels && bits.allSatisfy { (0...Quantiser.maximumBits).contains($0) }, "accepted bits \(bits)")
    return 0
}
