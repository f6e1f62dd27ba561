import Foundation

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mini = repository.appendingPathComponent("examples/data/digits-pair-mini")
    static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
    static let full = shared.appendingPathComponent("data/digits-pair")
}
