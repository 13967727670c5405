#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes exp(z - max z) of every logit z into `weights`, in Float64, and returns their sum: the softmax short of
/// its division. The predictor's next-grapheme list and the completion search both start from it, so they rank
/// graphemes by the same numbers.
func exponentiate(_ logits: UnsafeBufferPointer<Float>, into weights: inout [Double]) -> Double {
    var m = -Float.infinity
    for z in logits { m = max(m, z) }
    var total = 0.0
    for i in 0..<logits.count {
        let e = Double(expf(logits[i] - m))
        weights[i] = e
        total += e
    }
    return total
}
