import Basics
/// How a channel map `[H, W]` is cut into non-overlapping patches.
public struct PatchSize: Sendable, Equatable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The paper's default: the whole map when it is at most 8×8, else 4×4 patches, or, on a
    /// side that 4 does not divide, the divisor nearest 4 (the larger on a tie), so the patches
    /// always tile the map: 2×2 on the 14×14 maps of a ResNet's third stage, 4×4 on 28×28.
    public static func defaultSize(mapHeight h: Int, mapWidth w: Int) -> PatchSize {
        h <= 8 && w <= 8 ? PatchSize(height: h, width: w) : PatchSize(height: side(h), width: side(w))
    }

    private static func side(_ n: Int) -> Int {
        (1...Swift.max(1, n)).filter { n % $0 == 0 }.min { (abs($0 - 4), -$0) < (abs($1 - 4), -$1) }!
    }

    public var description: String { "\(height)x\(width)" }
}

/// The patch positions of a map: row-major over the grid of `rows × columns` patches.
public struct PatchGrid: Sendable, Equatable {
    public let mapHeight: Int
    public let mapWidth: Int
    public let patch: PatchSize

    public init(mapHeight: Int, mapWidth: Int, patch: PatchSize) throws {
        guard patch.height >= 1, patch.width >= 1, mapHeight % patch.height == 0, mapWidth % patch.width == 0 else {
            throw ImportanceError.invalidArgument("\(ParameterError.mention("patch")) \(patch) does not tile a \(mapHeight)x\(mapWidth) map")
        }
        self.mapHeight = mapHeight
        self.mapWidth = mapWidth
        self.patch = patch
    }

    public var rows: Int { mapHeight / patch.height }
    public var columns: Int { mapWidth / patch.width }
    public var positions: Int { rows * columns }
    public var patchElements: Int { patch.height * patch.width }

    /// Offsets (within one `[H, W]` map) of the elements of patch `position`, row-major.
    public func elementOffsets(position: Int) -> [Int] {
        let r0 = (position / columns) * patch.height, c0 = (position % columns) * patch.width
        var out: [Int] = []
        out.reserveCapacity(patchElements)
        for r in 0..<patch.height {
            for c in 0..<patch.width { out.append((r0 + r) * mapWidth + c0 + c) }
        }
        return out
    }
}
