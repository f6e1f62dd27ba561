import CBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The batched float32 kernels behind the compiled layers (all channels-last).
enum Kernels {
    /// `C[m, n] = A[m, k] · B[k, n]` (row-major, OpenBLAS sgemm), then `+ bias[n]` on every row.
    @inline(__always)
    static func matmulAddBias(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                              into c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int) {
        // Seed C with the bias and let sgemm accumulate onto it (beta = 1): one pass fewer.
        for row in 0..<m {
            let r = c + row * n
            for k in 0..<n { r[k] = bias[k] }
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 1, c, Int32(n))
    }

    /// im2col of an NHWC chunk: row `(s, oy, ox)`, columns `(i, j, c)`; zero padding.
    static func im2col(_ input: UnsafePointer<Float>, samples: Int, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
        let h = g.inputHeight, w = g.inputWidth, c = g.inputChannels
        let ho = g.outputHeight, wo = g.outputWidth, kh = g.kernelHeight, kw = g.kernelWidth
        let patch = g.patchSize
        var row = cols
        for s in 0..<samples {
            let image = input + s * h * w * c
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var dst = row
                    for i in 0..<kh {
                        let iy = oy * g.stride - g.padding + i
                        if iy < 0 || iy >= h {
                            for k in 0..<(kw * c) { dst[k] = 0 }
                            dst += kw * c
                            continue
                        }
                        for j in 0..<kw {
                            let ix = ox * g.stride - g.padding + j
                            if ix < 0 || ix >= w {
                                for k in 0..<c { dst[k] = 0 }
                            } else {
                                // A plain loop: the copies are short (C floats), a memmove call per copy costs more.
                                let src = image + (iy * w + ix) * c
                                for k in 0..<c { dst[k] = src[k] }
                            }
                            dst += c
                        }
                    }
                    row += patch
                }
            }
        }
    }

    /// Direct convolution for layers with few output channels (a reconstruction's last conv):
    /// im2col would write `kh·kw·C` floats per output pixel for a product with only `O` columns.
    /// `weight` is `[O, kh·kw·C]` (rows o, columns (i, j, c)).
    /// `vector += a[0..<vectorCount]·b` in eight lanes and `tail += ` the rest: eight partial sums
    /// in a vector, because a serial float sum would not vectorise.
    @inline(__always)
    static func accumulateDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, vectorCount: Int,
                              into vector: inout SIMD8<Float>, tail: inout Float) {
        var ch = 0
        while ch < vectorCount {
            vector += UnsafeRawPointer(a + ch).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + ch).loadUnaligned(as: SIMD8<Float>.self)
            ch += 8
        }
        while ch < count {
            tail += a[ch] * b[ch]
            ch += 1
        }
    }

    static func convolveDirect(_ input: UnsafePointer<Float>, samples: Int, _ g: ConvGeometry, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        let h = g.inputHeight, w = g.inputWidth, c = g.inputChannels, o = g.outputChannels
        let ho = g.outputHeight, wo = g.outputWidth, kh = g.kernelHeight, kw = g.kernelWidth
        let patch = g.patchSize
        for s in 0..<samples {
            let image = input + s * h * w * c
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let out = output + ((s * ho + oy) * wo + ox) * o
                    for oc in 0..<o {
                        let kernel = weight + oc * patch
                        var vector = SIMD8<Float>()
                        var tail: Float = 0
                        let c8 = c & ~7
                        for i in 0..<kh {
                            let iy = oy * g.stride - g.padding + i
                            if iy < 0 || iy >= h { continue }
                            for j in 0..<kw {
                                let ix = ox * g.stride - g.padding + j
                                if ix < 0 || ix >= w { continue }
                                accumulateDot(image + (iy * w + ix) * c, kernel + (i * kw + j) * c, count: c,
                                              vectorCount: c8, into: &vector, tail: &tail)
                            }
                        }
                        out[oc] = vector.sum() + tail + bias[oc]
                    }
                }
            }
        }
    }

    /// `destination += sign · source` over `count` integers, wrapping (the fixed-point sums of
    /// `IncrementalScorer` are exact modulo 2^32 and end in range).
    static func add(_ source: UnsafePointer<Int32>, sign: Int32, count: Int, into destination: UnsafeMutablePointer<Int32>) {
        if sign > 0 {
            for e in 0..<count { destination[e] = destination[e] &+ source[e] }
        } else {
            for e in 0..<count { destination[e] = destination[e] &- source[e] }
        }
    }

    /// `destination = Σ plus_j − Σ minus_k` over `count` integers, wrapping, in one pass (the
    /// destination is written once however many terms there are).
    static func sum(plus: UnsafePointer<UnsafePointer<Int32>>, _ plusCount: Int,
                    minus: UnsafePointer<UnsafePointer<Int32>>, _ minusCount: Int,
                    count: Int, into destination: UnsafeMutablePointer<Int32>) {
        sum(start: nil, plusCount, { plus[$0] }, minusCount, { minus[$0] }, count: count, into: destination)
    }

    /// `destination = start + Σ_j rows[plus_j ..] − Σ_j rows[minus_j ..]` over `count` integers,
    /// wrapping, in one pass: the terms are rows of one block at the given offsets.
    @inline(__always)
    static func sum(start: UnsafePointer<Int32>, rows: UnsafePointer<Int32>, plus: UnsafePointer<Int>, _ plusCount: Int,
                    minus: UnsafePointer<Int>, _ minusCount: Int, count: Int, into destination: UnsafeMutablePointer<Int32>) {
        sum(start: start, plusCount, { rows + plus[$0] }, minusCount, { rows + minus[$0] }, count: count, into: destination)
    }

    /// The two sums above: `start` (or 0) plus rows `plusRow(j)` minus rows `minusRow(j)`, 64, 32,
    /// 8 and then 1 integer at a time, the block's sums held in registers.
    @inline(__always)
    private static func sum(start: UnsafePointer<Int32>?, _ plusCount: Int, _ plusRow: (Int) -> UnsafePointer<Int32>,
                            _ minusCount: Int, _ minusRow: (Int) -> UnsafePointer<Int32>,
                            count: Int, into destination: UnsafeMutablePointer<Int32>) {
        typealias V = SIMD8<Int32>
        @inline(__always) func load(_ p: UnsafePointer<Int32>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func initial(_ e: Int) -> V { start.map { load($0 + e) } ?? V() }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Int32>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        var e = 0
        while e + 64 <= count {
            var a0 = initial(e), a1 = initial(e + 8), a2 = initial(e + 16), a3 = initial(e + 24)
            var a4 = initial(e + 32), a5 = initial(e + 40), a6 = initial(e + 48), a7 = initial(e + 56)
            for j in 0..<plusCount {
                let p = plusRow(j) + e
                a0 &+= load(p); a1 &+= load(p + 8); a2 &+= load(p + 16); a3 &+= load(p + 24)
                a4 &+= load(p + 32); a5 &+= load(p + 40); a6 &+= load(p + 48); a7 &+= load(p + 56)
            }
            for j in 0..<minusCount {
                let p = minusRow(j) + e
                a0 &-= load(p); a1 &-= load(p + 8); a2 &-= load(p + 16); a3 &-= load(p + 24)
                a4 &-= load(p + 32); a5 &-= load(p + 40); a6 &-= load(p + 48); a7 &-= load(p + 56)
            }
            let d = destination + e
            store(a0, d); store(a1, d + 8); store(a2, d + 16); store(a3, d + 24)
            store(a4, d + 32); store(a5, d + 40); store(a6, d + 48); store(a7, d + 56)
            e += 64
        }
        while e + 32 <= count {
            var a0 = initial(e), a1 = initial(e + 8), a2 = initial(e + 16), a3 = initial(e + 24)
            for j in 0..<plusCount {
                let p = plusRow(j) + e
                a0 &+= load(p); a1 &+= load(p + 8); a2 &+= load(p + 16); a3 &+= load(p + 24)
            }
            for j in 0..<minusCount {
                let p = minusRow(j) + e
                a0 &-= load(p); a1 &-= load(p + 8); a2 &-= load(p + 16); a3 &-= load(p + 24)
            }
            let d = destination + e
            store(a0, d); store(a1, d + 8); store(a2, d + 16); store(a3, d + 24)
            e += 32
        }
        while e + 8 <= count {
            var a = initial(e)
            for j in 0..<plusCount { a &+= load(plusRow(j) + e) }
            for j in 0..<minusCount { a &-= load(minusRow(j) + e) }
            store(a, destination + e)
            e += 8
        }
        while e < count {
            var a = start?[e] ?? 0
            for j in 0..<plusCount { a = a &+ plusRow(j)[e] }
            for j in 0..<minusCount { a = a &- minusRow(j)[e] }
            destination[e] = a
            e += 1
        }
    }

    static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = Swift.max(x[i], 0) }
    }

    static func sigmoid(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = 1 / (1 + expf(-x[i])) }
    }

    static func pool(_ input: UnsafePointer<Float>, samples: Int, _ g: PoolGeometry, isMax: Bool, into output: UnsafeMutablePointer<Float>) {
        let h = g.inputHeight, w = g.inputWidth, c = g.channels, ho = g.outputHeight, wo = g.outputWidth
        let scale = 1 / Float(g.size * g.size)
        for s in 0..<samples {
            let image = input + s * h * w * c
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let out = output + ((s * ho + oy) * wo + ox) * c
                    let first = image + (oy * g.stride * w + ox * g.stride) * c
                    out.update(from: first, count: c)
                    for i in 0..<g.size {
                        for j in 0..<g.size where i != 0 || j != 0 {
                            let src = image + ((oy * g.stride + i) * w + ox * g.stride + j) * c
                            if isMax {
                                for k in 0..<c { out[k] = Swift.max(out[k], src[k]) }
                            } else {
                                for k in 0..<c { out[k] += src[k] }
                            }
                        }
                    }
                    if !isMax { for k in 0..<c { out[k] *= scale } }
                }
            }
        }
    }

    static func upsample(_ input: UnsafePointer<Float>, samples: Int, height h: Int, width w: Int, channels c: Int, factor f: Int, into output: UnsafeMutablePointer<Float>) {
        var out = output
        for s in 0..<samples {
            let image = input + s * h * w * c
            for oy in 0..<(h * f) {
                let rowStart = out
                let source = image + (oy / f) * w * c
                if oy % f != 0 {
                    // Rows repeat: copy the whole previous output row.
                    out.update(from: rowStart - w * f * c, count: w * f * c)
                    out += w * f * c
                    continue
                }
                for x in 0..<w {
                    for _ in 0..<f {
                        out.update(from: source + x * c, count: c)
                        out += c
                    }
                }
            }
        }
    }

    /// NHWC `[n, H, W, C]` → `[n, C·H·W]` in C order over `[C, H, W]`.
    static func flatten(_ input: UnsafePointer<Float>, samples: Int, height h: Int, width w: Int, channels c: Int, into output: UnsafeMutablePointer<Float>) {
        let pixels = h * w
        for s in 0..<samples {
            let src = input + s * pixels * c, dst = output + s * pixels * c
            for p in 0..<pixels { for k in 0..<c { dst[k * pixels + p] = src[p * c + k] } }
        }
    }
}
