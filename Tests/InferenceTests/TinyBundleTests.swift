import Foundation
import Testing
import FeatureData
@testable import Inference

/// Σ_i out[i] · ((i mod 7) + 1) over a C-order output: sensitive to every value and its place.
func checksum(_ values: [Float]) -> Double {
    values.enumerated().reduce(0.0) { $0 + Double($1.element) * Double($1.offset % 7 + 1) }
}

/// Expected numbers: computed in float64 by the numpy script at the bottom of this file
/// (`/work/.peers-venv/bin/python`, numpy 2.4.6), a naive loop implementation of each layer
/// written from FORMAT.md independently of the Swift code.
struct TinyExpectation {
    var partsChecksum, miou, pixelAccuracy, correctPixels, pixels: Double
    var parityChecksum, accuracy: Double
    var imageChecksum, psnr: Double
    var zoomChecksum, zoomPSNR: Double
}

let tinyExpected: [String: TinyExpectation] = [
    // fit: IoU per class 3/14, 8/15, 0/… (class 2 is labelled but never predicted: its union is
    // not empty, so it counts as 0) → mIoU = (3/14 + 8/15 + 0)/3 = 0.24920634…; 38 of 72 pixels.
    "fit": .init(partsChecksum: 701.828125, miou: 0.2492063492063492, pixelAccuracy: 0.5277777777777778, correctPixels: 38, pixels: 72,
                 parityChecksum: -4.523094284105863, accuracy: 0.6666666666666666,
                 imageChecksum: 73.51454783336963, psnr: 10.729010186668148, zoomChecksum: -117.9375, zoomPSNR: 4.25404357210151),
    "eval": .init(partsChecksum: 985.5625, miou: 0.15418894830659535, pixelAccuracy: 0.3, correctPixels: 18, pixels: 60,
                  parityChecksum: -2.0526214777903964, accuracy: 0.5,
                  imageChecksum: 47.92449128277252, psnr: 10.973645878718193, zoomChecksum: -96.12890625, zoomPSNR: 4.106135566132409),
    // eval with channel 0 at 2 bits and channel 1 dropped (its fit mean).
    "eval bits [2, 0]": .init(partsChecksum: 740.8479813763406, miou: 0.2173202614379085, pixelAccuracy: 0.36666666666666664, correctPixels: 22, pixels: 60,
                              parityChecksum: -2.1168752811805116, accuracy: 0.5,
                              imageChecksum: 46.853595407019014, psnr: 10.896856138600928, zoomChecksum: -80.21545399577008, zoomPSNR: 4.222810840653885),
]

@Suite("hand-made bundle: every layer type, segmentation metrics")
struct TinyBundleTests {
    func evaluation0(_ scorer: Scorer, _ depths: [Int?]) -> Evaluation { scorer.score(depths: depths) }

    func check(_ scorer: Scorer, depths: [Int?], _ key: String) throws {
        let expected = try #require(tinyExpected[key])
        let outputs = scorer.headOutputs(depths: depths)
        let relative = { (a: Double, b: Double) in abs(a - b) / Swift.max(1, abs(b)) }
        #expect(relative(checksum(outputs[0]), expected.partsChecksum) < 1e-5, "\(key) parts logits")
        #expect(relative(checksum(outputs[1]), expected.parityChecksum) < 1e-5, "\(key) parity logits")
        #expect(relative(checksum(outputs[2]), expected.imageChecksum) < 1e-5, "\(key) image output")
        #expect(relative(checksum(outputs[3]), expected.zoomChecksum) < 1e-5, "\(key) zoom output")
        #expect(abs(evaluation0(scorer, depths)[task: "zoom"]!.metric - expected.zoomPSNR) < 1e-3, "\(key) zoom psnr")
        let evaluation = scorer.score(depths: depths)
        let parts = try #require(evaluation[task: "parts"])
        #expect(abs(parts.metric - expected.miou) < 1e-4, "\(key) miou")
        #expect(parts.detail("pixelAccuracy") == expected.pixelAccuracy, "\(key) pixel accuracy")
        #expect(parts.detail("correctPixels") == expected.correctPixels)
        #expect(parts.detail("pixels") == expected.pixels)
        #expect(evaluation[task: "parity"]?.metric == expected.accuracy, "\(key) accuracy")
        #expect(abs(evaluation[task: "image"]!.metric - expected.psnr) < 1e-3, "\(key) psnr")
    }

    @Test("clean fit and eval, and a quantised eval, match numpy")
    func matchesNumpy() throws {
        let root = try TinyBundle.write()
        defer { try? FileManager.default.removeItem(at: root) }
        let bundle = try FeatureBundle(directory: root.path)
        #expect(bundle.tasks.map(\.kind) == [.segmentation, .classification, .reconstruction, .reconstruction])
        let quantiser = Quantiser(stats: ChannelStats(features: bundle.features[.fit]!))
        for chunk in [1, 2, 32] {
            let fit = Scorer(bundle: bundle, split: .fit, quantiser: quantiser, chunkSize: chunk, workers: 2)
            try check(fit, depths: [nil, nil], "fit")
            let eval = Scorer(bundle: bundle, split: .eval, quantiser: quantiser, chunkSize: chunk, workers: 2)
            try check(eval, depths: [nil, nil], "eval")
            try check(eval, depths: [2, 0], "eval bits [2, 0]")
        }
    }

    @Test("search and report are the even and odd eval samples")
    func derivedSplits() throws {
        let root = try TinyBundle.write()
        defer { try? FileManager.default.removeItem(at: root) }
        let bundle = try FeatureBundle(directory: root.path)
        let quantiser = Quantiser(stats: ChannelStats(features: bundle.features[.fit]!))
        let eval = Scorer(bundle: bundle, split: .eval, quantiser: quantiser).headOutputs(depths: [nil, nil])
        let search = Scorer(bundle: bundle, split: .search, quantiser: quantiser).headOutputs(depths: [nil, nil])
        let report = Scorer(bundle: bundle, split: .report, quantiser: quantiser).headOutputs(depths: [nil, nil])
        for task in 0..<4 {
            let half = eval[task].count / 2
            #expect(search[task] == Array(eval[task][0..<half]))
            #expect(report[task] == Array(eval[task][half...]))
        }
        // Parity on eval: predictions [0, 0], labels [1, 0] (numpy script) → search (sample 0) wrong, report right.
        #expect(Scorer(bundle: bundle, split: .search, quantiser: quantiser).scoreClean()[task: "parity"]?.metric == 0)
        #expect(Scorer(bundle: bundle, split: .report, quantiser: quantiser).scoreClean()[task: "parity"]?.metric == 1)
    }
}

/*
 The numpy script that produced the expected numbers (run with /work/.peers-venv/bin/python):

import numpy as np
def seq(n, mul, add, mod, off, div): return np.array([((k*mul+add) % mod - off)/div for k in range(n)], dtype=np.float64)
fit = seq(3*2*16, 37, 11, 17, 8, 8).reshape(3,2,4,4)
ev = seq(2*2*16, 29, 5, 13, 6, 4).reshape(2,2,4,4)
def w(shape, s): return seq(int(np.prod(shape)), 13+2*s, s, 11, 5, 8).reshape(shape)
def b(n, s): return seq(n, 7, s, 5, 2, 4)
def conv(x, W, B, stride, pad):
    N,C,H,Wd = x.shape; O,_,kh,kw = W.shape
    xp = np.zeros((N,C,H+2*pad,Wd+2*pad)); xp[:,:,pad:pad+H,pad:pad+Wd] = x
    Ho=(H+2*pad-kh)//stride+1; Wo=(Wd+2*pad-kw)//stride+1
    out=np.zeros((N,O,Ho,Wo))
    for n in range(N):
        for o in range(O):
            for y in range(Ho):
                for z in range(Wo):
                    out[n,o,y,z]=np.sum(xp[n,:,y*stride:y*stride+kh,z*stride:z*stride+kw]*W[o])+B[o]
    return out
def pool(x,size,stride,f):
    N,C,H,W=x.shape; Ho=(H-size)//stride+1; Wo=(W-size)//stride+1
    out=np.zeros((N,C,Ho,Wo))
    for y in range(Ho):
        for z in range(Wo):
            out[:,:,y,z]=f(x[:,:,y*stride:y*stride+size,z*stride:z*stride+size].reshape(N,C,-1),axis=2)
    return out
relu=lambda x: np.maximum(x,0); sig=lambda x: 1/(1+np.exp(-x))
def up(x,f): return x.repeat(f,axis=2).repeat(f,axis=3)
def seg(x): return up(pool(relu(conv(x,w((3,2,3,3),1),b(3,1),1,1)),2,1,np.max),2)
def cls(x):
    h=pool(sig(conv(x,w((4,2,3,3),2),b(4,2),2,1)),2,2,np.mean).reshape(x.shape[0],-1)
    return h@w((2,4),3).T+b(2,3)
def rec(x):
    h=relu(conv(x,w((1,2,1,1),4),np.zeros(1),1,0))
    return sig(conv(h,w((1,1,3,3),5),b(1,5),1,1))
def chk(o): f=o.ravel(); return float(np.sum(f*((np.arange(f.size)%7)+1)))
lo=fit.min((0,2,3)); hi=fit.max((0,2,3)); mean=fit.mean((0,2,3))
def quant(x,bits):
    x=x.copy()
    for c,bb in enumerate(bits):
        if bb==0: x[:,c]=np.float32(mean[c]); continue
        L=2**bb-1
        q=np.clip(np.floor((x[:,c]-lo[c])/(hi[c]-lo[c])*L+0.5),0,L)
        x[:,c]=(lo[c]+q*(hi[c]-lo[c])/L).astype(np.float32)
    return x
for name,(x,n) in {"fit":(fit,3),"eval":(ev,2),"eval_bits_2_0":(quant(ev,[2,0]),2)}.items():
    split = "eval" if name.startswith("eval") else "fit"
    salt = 0 if split=="fit" else 1
    S=seg(x); C=cls(x); R=rec(x)
    sl=np.array([(k*7+k//3+salt)%4-1 for k in range(n*36)]).reshape(n,6,6); pred=S.argmax(1)
    ious=[]
    for k in range(3):
        m=sl>=0; i=np.sum((pred==k)&(sl==k)&m); u=np.sum(((pred==k)|(sl==k))&m)
        if u>0: ious.append(i/u)
    pa=np.sum((pred==sl)&(sl>=0))/np.sum(sl>=0)
    cl=np.array([(k+salt)%2 for k in range(n)]); acc=np.mean(C.argmax(1)==cl)
    tg=np.array([((k*3+salt)%7)/7 for k in range(n*16)]).astype(np.float32).reshape(n,1,4,4)
    mse=np.mean((R-tg)**2); psnr=10*np.log10(1/mse)
    print(name, chk(S), np.mean(ious), pa, np.sum((pred==sl)&(sl>=0)), np.sum(sl>=0), chk(C), acc, chk(R), psnr)

# The fused upsample + conv head ("zoom"), appended to the script above:
def rec2(x):
    h=relu(conv(x,w((2,2,1,1),6),b(2,6),1,0))
    return conv(up(h,3),w((1,2,3,3),7),b(1,7),1,2)
for name,(x,n) in {"fit":(fit,3),"eval":(ev,2),"eval_bits_2_0":(quant(ev,[2,0]),2)}.items():
    salt = 0 if name=="fit" else 1
    R=rec2(x)
    tg=np.array([((k*5+salt)%11)/11 for k in range(n*196)]).astype(np.float32).reshape(n,1,14,14)
    mse=np.mean((R-tg)**2); print(name, "rec2", R.shape, repr(chk(R)), repr(float(10*np.log10(1/mse))))
*/
