import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS runs single-threaded in MIPareto: the Scorer spreads chunks over its own threads and
/// each sgemm is small, so BLAS threads would only contend with ours (see `Scorer`).
public enum BLASThreads {
    /// Makes OpenBLAS run in the calling thread and stops the worker threads it starts when the
    /// library loads. Those workers spin on `sched_yield` waiting for work for about 0.1 s after
    /// start-up, on the cores a short command needs (an eighth of the CPU time of a 0.3 s pooled
    /// MI run). `blas_thread_shutdown_` is OpenBLAS's own fork handler; it is looked up at run time
    /// because other builds of the library (serial, OpenMP) do not have it. Call it once, first.
    public static func useCallingThreadOnly() {
        openblas_set_num_threads(1)
        #if canImport(Glibc)
        if let symbol = dlsym(nil, "blas_thread_shutdown_") {
            typealias Shutdown = @convention(c) () -> Int32
            _ = unsafeBitCast(symbol, to: Shutdown.self)()
        }
        #endif
    }
}
