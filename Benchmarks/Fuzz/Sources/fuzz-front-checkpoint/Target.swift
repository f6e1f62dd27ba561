import FeatureData
import Foundation
import FuzzSupport
@testable import Experiments

// The files of a `front --checkpoint DIR` folder, checked against the run they belong to: the
// example bundle's 32 channels, 4 tasks, and the settings below. The first byte chooses the file
// the rest of the input replaces:
//   bits 0–1 = 0 or 1: points-<seed>-<method>.json, method = byte >> 2 (mod the run's methods);
//   bits 0–1 = 2:      scores-<split>.jsonl (evaluator scores; split search or report by bit 2);
//   bits 0–1 = 3:      run.json (the run's identity, read by --resume).
let channels = 32
let taskCount = 4
let settings = FrontSettings(methods: [.ilp(.mi), .twoLevel(.variance), .select(.l1), .uniform, .nsga2, .nsga3],
                             budgets: [0.5, 1, 2, 4], maxBits: 8, seeds: [1], population: 8, generations: 3)
let identity = FrontCheckpoint.Identity(bundle: "digits-pair-mini", fingerprint: "b1bf61916e51928b", settings: settings)
let scratch = Scratch("fuzz-front-checkpoint")
let folder = scratch.url.appendingPathComponent("checkpoint")
let checkpoint: FrontCheckpoint = {
    do { return try FrontCheckpoint(creating: folder, identity: identity) } catch { fatalError("cannot start the checkpoint: \(error)") }
}()
// Bytes, not `Data`: LeakSanitizer counts `Data` held in a global as leaked (see fuzz-bundle).
let runJSON = [UInt8](try! Data(contentsOf: folder.appendingPathComponent("run.json")))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontCheckpoint(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = Fuzz.data(start, count)
    guard let selector = data.first else { return 0 }
    let content = Data(data.dropFirst())
    _ = checkpoint  // (the first call makes the folder)
    switch selector & 3 {
    case 0, 1:
        let method = settings.methods[Int(selector >> 2) % settings.methods.count]
        let name = FrontCheckpoint.pointsName(method: method, seed: 1)
        Scratch.write(content, to: folder.appendingPathComponent(name))
        defer { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        guard let allocations = try? checkpoint.completed(method: method, seed: 1, channels: channels) else { return 0 }
        let most = FrontCheckpoint.mostAllocations(method: method, settings: settings, channels: channels)
        Fuzz.require((1...max(1, most)).contains(allocations.count), "\(allocations.count) allocations accepted for \(method)")
        Fuzz.require(Set(allocations).count == allocations.count, "a repeated allocation accepted")
        for bits in allocations {
            Fuzz.require(bits.count == channels && bits.allSatisfy { (0...settings.maxBits).contains($0) }, "accepted bits \(bits)")
        }
    case 2:
        let split: Split = selector & 4 == 0 ? .search : .report
        let name = FrontCheckpoint.scoresName(split)
        Scratch.write(content, to: folder.appendingPathComponent(name))
        defer { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        guard let scores = try? checkpoint.storedScores(split: split, channels: channels, tasks: taskCount) else { return 0 }
        for s in scores {
            Fuzz.require(s.bits.count == channels && s.bits.allSatisfy { (0...settings.maxBits).contains($0) }, "accepted bits \(s.bits)")
            Fuzz.require(s.metrics.count == taskCount && s.metrics.allSatisfy(\.isFinite), "accepted metrics \(s.metrics)")
            if let c = s.coded { Fuzz.require(c.isFinite && c >= 0, "accepted coded \(c)") }
        }
    default:
        Scratch.write(content, to: folder.appendingPathComponent("run.json"))
        defer { Scratch.write(Data(runJSON), to: folder.appendingPathComponent("run.json")) }
        _ = try? FrontCheckpoint(resuming: folder, identity: identity)
    }
    return 0
}
