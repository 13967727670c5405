#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import Dispatch

/// Runs the recurrent part of a layer (the per-step sgemm and the cell kernels) on several cores by giving each
/// core its own contiguous range of the B streams, when the per-step product is small.
///
/// The streams of a window never interact in the recurrence, so a split by streams needs one fork and one join per
/// layer per direction, each core running its sgemms single-threaded on its own rows. BLAS's threads instead meet
/// and part inside every per-step sgemm, 200 times per window at L = 2. Measured on the 2-core AVX-512 machine
/// (B = 50, S = 50, L = 2, fwd+bwd chars/s, best of noisy runs, 2 threads):
///
///     H = 128 (3.3M multiply-adds per step):   BLAS threads 54k-83k   stream split 67k-90k
///     H = 256 (13M):                           BLAS threads 24.4k     stream split 20.7k-24.4k
///     H = 512 (52M):                           BLAS threads 7.2k      stream split 6.8k-7.2k
///
/// so the split is used up to about 6M multiply-adds per step (a part's sgemm still fills the core), and above
/// that the product is left to BLAS's threads, which split its large N = 4H without thinning M.
/// Whole-window products (input projections, weight gradients, the decoder) always run on BLAS's own threads.
enum StreamSplit {
    /// The number of parts for `batch` streams of `hidden` units: one per BLAS thread (`setBLASThreads`, or
    /// OPENBLAS_NUM_THREADS) for small per-step products, with at least 8 streams each; otherwise 1.
    static func parts(batch: Int, hidden: Int) -> Int {
        #if canImport(Accelerate)
        1
        #else
        batch * 4 * hidden * hidden > 6_000_000 ? 1 : max(1, min(Int(openblas_get_num_threads()), batch / 8))
        #endif
    }

    /// Calls `body` with the stream ranges of `parts` near-equal parts of 0..<`batch`, concurrently when there are
    /// several, with BLAS single-threaded meanwhile so each part's sgemms stay on its own core.
    static func run(parts: Int, batch: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(parts, batch)
        guard parts > 1 else { return body(0..<batch) }
        #if !canImport(Accelerate)
        let threads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(threads) }
        #endif
        // The parts touch disjoint rows of the caches, which is what makes sharing `body` across threads safe.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                body(p * batch / parts..<(p + 1) * batch / parts)
            }
        }
    }
}
