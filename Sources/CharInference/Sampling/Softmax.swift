#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The softmax of a model's logits, as the sampler, the predictor's next-grapheme list and the completion search all
/// compute it, so that they rank graphemes by the same numbers.
///
///     w_v = exp((z_v - max z) · scale)     in Float32 (libm's expf), stored in Float64
///     p_v = w_v / Σ w                      the sum in Float64, in id order
///
/// (CharModel's `SoftmaxCrossEntropy` works in Float32 with a vectorised exp, for training's loss; the numbers here
/// are the ones `charnn predict` and `charnn sample` have always printed and drawn from, so they stay libm's.)
enum Softmax {
    /// Writes w_v = exp((z_v - max z) · `scale`) of every logit z_v into `weights` and returns their sum: the softmax
    /// short of its division. `scale` is 1 / temperature for the sampler, 1 otherwise (x · 1 is x exactly).
    static func exponentiate(_ logits: UnsafeBufferPointer<Float>, scale: Float = 1, into weights: inout [Double]) -> Double {
        var m = -Float.infinity
        for z in logits { m = max(m, z) }
        var total = 0.0
        for i in 0..<logits.count {
            let e = Double(expf((logits[i] - m) * scale))
            weights[i] = e
            total += e
        }
        return total
    }

    /// The softmax of `logits` into `probabilities`, each weight multiplied by 1 / Σ w (the completion search's
    /// probabilities; the predictor's next-grapheme list divides each weight by Σ w instead, which can differ in the
    /// last bit, and both are kept as they print).
    static func probabilities(_ logits: UnsafeBufferPointer<Float>, into probabilities: inout [Double]) {
        let scale = 1 / exponentiate(logits, into: &probabilities)
        for i in 0..<logits.count { probabilities[i] *= scale }
    }
}
